import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail, show, warn } from '../core/validation';

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

  /**
   * The CPU architecture the tasks run on ('X86_64' or 'ARM64'), when knowable: the task
   * definition's runtime platform, else X86_64 for a Fargate-only task definition (Fargate's
   * default). Undefined for an imported service, a token, or EC2 tasks without a runtime platform
   * (they run on whatever the instances are).
   */
  public get cpuArchitecture(): string | undefined {
    const td = this.taskDefinition;
    const cfn = td?.node.defaultChild;
    if (!td || !(cfn instanceof ecs.CfnTaskDefinition)) {
      return undefined;
    }
    const arch = Stack.of(cfn).resolve(cfn.runtimePlatform)?.cpuArchitecture;
    if (arch !== undefined) {
      return typeof arch === 'string' && !Token.isUnresolved(arch) ? arch : undefined;
    }
    return td.isFargateCompatible && !td.isEc2Compatible && !td.isExternalCompatible ? 'X86_64' : undefined;
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

  /**
   * Whether the container's image (as rendered in the app) is from `repository`: true or false
   * when that can be told at synth time, undefined otherwise (imported service, unnamed imported
   * repository).
   */
  public imageIsFrom(containerName: string, repository: ecr.IRepository): boolean | undefined {
    const container = this.containers.find((c) => c.containerName === containerName);
    if (!container) {
      return undefined;
    }
    const rendered = JSON.stringify(Stack.of(container).resolve(container.imageName));
    const cfn = repository.node.defaultChild;
    if (cfn instanceof CfnResource && rendered.includes(`"${Stack.of(cfn).getLogicalId(cfn)}"`)) {
      return true;
    }
    // By name: an image of ecr.Repository.fromRepositoryName(scope, id, name) in the app.
    const name = cfn instanceof ecr.CfnRepository ? cfn.repositoryName : repository.repositoryName;
    if (name === undefined || Token.isUnresolved(name)) {
      return cfn instanceof CfnResource ? false : undefined;
    }
    return rendered.includes(`/${name}:`) || rendered.includes(`/${name}@`) || rendered.includes(`/${name}"`);
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

/** The actions ECS documents for a task execution role pulling from a private ECR repository. */
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * Let the service's task execution role pull the pipeline's image: the deploy files point the
 * service at `<repository>@sha256:...`, and without pull permission on that repository the
 * tasks stop with CannotPullContainerError.
 *
 * The policy lives in the pipeline's scope (not the role's stack) so that a service in another
 * stack of the same environment gets no reference back to the pipeline's stack (which already
 * references the service): no dependency cycle. No KMS permission is needed even for a
 * repository encrypted with a customer managed key: ECR decrypts layers through the KMS grants it
 * creates on the key for the repository (Amazon ECR User Guide, "Encryption at rest").
 *
 * For an imported service the execution role cannot be read: the pipeline warns with what to grant.
 * @internal
 */
export function grantExecutionRolePull(scope: Construct, id: string, prop: string, info: ServiceInfo, repository: ecr.IRepository): void {
  const td = info.taskDefinition;
  if (!td) {
    warn(scope, 'ExecutionRolePullNotGranted',
      `${prop}: the service ${info.service.node.path} is imported, so the pipeline cannot grant its task execution role pull access to the image. ` +
      `Grant the execution role ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the pipeline's repository (${repository.node.path}) ` +
      '(e.g. pipeline.repository.grantPull(executionRole)) and ecr:GetAuthorizationToken on "*", or its tasks stop with CannotPullContainerError.');
    return;
  }
  const role = td.obtainExecutionRole();
  const policy = new iam.Policy(scope, id, {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ sid: 'PullThePipelineImage', actions: PULL_ACTIONS, resources: [repository.repositoryArn] }),
      new iam.PolicyStatement({ sid: 'LogInToTheRegistry', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    ],
  });
  // A new service starts its tasks at once: in its own stack, it waits for every policy of the
  // execution role (a task started before them fails to pull and counts against the circuit
  // breaker). Across stacks a dependency would be a cycle (the pipeline refers to the service).
  const service = info.service.node.defaultChild;
  if (service instanceof CfnResource) {
    const serviceStack = Stack.of(service);
    if (Stack.of(role) === serviceStack) {
      service.node.addDependency(role);
    }
    if (Stack.of(policy) === serviceStack) {
      service.node.addDependency(policy);
    }
  }
}
