import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail, show } from '../core/validation';

/**
 * What can be known about an ECS service at synth time: everything when the service is
 * defined in the app, nearly nothing when it is imported. One place reads it for every
 * deployment kind. @internal
 */
export class ServiceInfo {
  constructor(public readonly service: ecs.IBaseService) {}

  /** The L1 service, when the service is defined in this app. */
  public get cfn(): ecs.CfnService | undefined {
    const child = this.service?.node.defaultChild;
    return child instanceof ecs.CfnService ? child : undefined;
  }

  /** The task definition, when the service is defined in this app. */
  public get taskDefinition(): ecs.TaskDefinition | undefined {
    return this.service instanceof ecs.BaseService ? this.service.taskDefinition : undefined;
  }

  /** Resolved deployment controller type ('ECS' when unset), undefined when unknowable. */
  public get deploymentController(): string | undefined {
    const cfn = this.cfn;
    if (!cfn) {
      return undefined;
    }
    return Stack.of(cfn).resolve(cfn.deploymentController)?.type ?? 'ECS';
  }

  /** Resolved deployment configuration of the service, when knowable. */
  public get deploymentConfiguration(): any {
    const cfn = this.cfn;
    return cfn ? Stack.of(cfn).resolve(cfn.deploymentConfiguration) ?? {} : undefined;
  }

  /** The roles the task definition passes to ECS (task role, execution role). */
  public taskRoles(given: iam.IRole[] | undefined): iam.IRole[] {
    const td = this.taskDefinition;
    if (!td) {
      return given ?? [];
    }
    return [td.taskRole, td.executionRole].filter((r): r is iam.IRole => r !== undefined);
  }

  /** The containers of the task definition (empty when unknowable). */
  public get containers(): ecs.ContainerDefinition[] {
    const td = this.taskDefinition;
    return td ? td.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition) : [];
  }

  /**
   * The container whose image the pipeline replaces: the given one (checked against the task
   * definition when knowable), else the only essential container.
   */
  public containerName(scope: Construct, prop: string, given: string | undefined): string {
    if (!this.taskDefinition) {
      if (given === undefined) {
        fail(scope, `${prop}.containerName`, `is required: the service ${this.service?.node.path} is imported, so its containers cannot be read`,
          'pass containerName with the container that runs your image, e.g. { containerName: "web" }');
      }
      return given;
    }
    const containers = this.containers;
    if (given !== undefined) {
      if (!Token.isUnresolved(given) && !containers.some((c) => c.containerName === given)) {
        fail(scope, `${prop}.containerName`,
          `names no container of the service's task definition, got ${show(given)} (containers: ${containers.map((c) => c.containerName).join(', ') || 'none'})`,
          'pass the name of the container that runs your image');
      }
      return given;
    }
    const essential = containers.filter((c) => c.essential);
    if (essential.length !== 1) {
      fail(scope, `${prop}.containerName`,
        `cannot be determined: the service's task definition has ${essential.length} essential containers (${essential.map((c) => c.containerName).join(', ') || 'none'})`,
        'pass containerName naming the container that runs your image, e.g. EcsDeployment.rolling(service, { containerName })');
    }
    return essential[0].containerName;
  }

  /** The container port for the load balancer: the given one, else the container's first mapping. */
  public containerPort(scope: Construct, prop: string, containerName: string, given: number | undefined): number {
    if (given !== undefined) {
      return given;
    }
    const container = this.containers.find((c) => c.containerName === containerName);
    const port = container?.portMappings[0]?.containerPort;
    if (port === undefined) {
      fail(scope, `${prop}.containerPort`, `cannot be determined: container ${show(containerName)} has no port mapping the pipeline can read`,
        'pass containerPort, the port the load balancer sends traffic to');
    }
    return port;
  }
}

/**
 * The one `iam:PassRole` statement an ECS deployment needs: exactly the task definition's
 * roles, passed only to ECS tasks. Undefined when there is no role to pass. @internal
 */
export function passTaskRolesStatement(roles: iam.IRole[]): iam.PolicyStatement | undefined {
  if (roles.length === 0) {
    return undefined;
  }
  return new iam.PolicyStatement({
    sid: 'PassOnlyTheTaskRoles',
    actions: ['iam:PassRole'],
    resources: roles.map((r) => r.roleArn),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  });
}
