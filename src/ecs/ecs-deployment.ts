import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULTS } from '../core/defaults';
import { fail, show, validateDuration, validateRequired, warn } from '../core/validation';
import { ScopedEcsDeployAction } from './ecs-deploy-action';

/**
 * Options of a rolling ECS deployment.
 */
export interface RollingDeploymentOptions {
  /**
   * Container whose image the pipeline replaces.
   *
   * @default - the service's only essential container; required when the service is imported
   * or has several essential containers
   */
  readonly containerName?: string;
  /**
   * How long CodePipeline waits for the deployment, 1 to 60 minutes.
   *
   * @default - CodePipeline's default (60 minutes)
   */
  readonly deploymentTimeout?: Duration;
  /**
   * Roles the service's task definition uses (task role, execution role), which the deploy
   * action must pass to ECS. Only for imported services: for a service defined in the app
   * the roles are read from its task definition.
   *
   * @default - read from the service's task definition
   */
  readonly passRoles?: iam.IRole[];
}

/** What a deployment needs from the pipeline to create its action. @internal */
export interface EcsDeployActionContext {
  readonly actionName: string;
  readonly input: codepipeline.Artifact;
  readonly imageDefinitionsFile: string;
  readonly runOrder: number;
}

/**
 * How an environment's ECS service is deployed. Use the static factories.
 */
export abstract class EcsDeployment {
  /**
   * Rolling update through the CodePipeline ECS deploy action (`imagedefinitions.json`).
   * Rollback of a failed deployment comes from the service's deployment circuit breaker
   * (`circuitBreaker: { rollback: true }`); the pipeline warns when it is off.
   *
   * @param service the service to update
   */
  public static rolling(service: ecs.IBaseService, options: RollingDeploymentOptions = {}): EcsDeployment {
    return new RollingEcsDeployment(service, options ?? {});
  }

  /** The service this deployment updates. */
  public abstract readonly service: ecs.IBaseService;

  /** Validate against the pipeline; throws the library's error. @internal */
  public abstract _validate(scope: Construct, prop: string): void;

  /** The container whose image is replaced. @internal */
  public abstract _containerName(scope: Construct, prop: string): string;

  /** Create the deploy action. @internal */
  public abstract _createAction(scope: Construct, context: EcsDeployActionContext): codepipeline.IAction;
}

class RollingEcsDeployment extends EcsDeployment {
  constructor(public readonly service: ecs.IBaseService, private readonly options: RollingDeploymentOptions) {
    super();
  }

  public _validate(scope: Construct, prop: string): void {
    validateRequired(scope, `${prop}.service`, this.service, 'pass the ecs service, e.g. EcsDeployment.rolling(service)');
    validateDuration(scope, `${prop}.deploymentTimeout`, this.options.deploymentTimeout, DEFAULTS.ecsDeploymentTimeoutMin, DEFAULTS.ecsDeploymentTimeoutMax);
    const cfn = this.cfnService();
    if (!cfn) {
      if (!this.options.passRoles) {
        fail(scope, `${prop}.passRoles`, `is required for an imported service (${this.service.node.path}), whose task definition roles cannot be read`,
          'pass passRoles: [taskRole, executionRole] (an empty list when the task definition has no roles)');
      }
      warn(scope, 'EcsRollingRollbackUnknown',
        `${prop}: the service ${this.service.node.path} is imported, so the pipeline cannot check that its deployment circuit breaker rolls back failed deployments`);
      return;
    }
    const stack = Stack.of(cfn);
    const controller = stack.resolve(cfn.deploymentController)?.type;
    if (controller && controller !== 'ECS') {
      fail(scope, `${prop}.service`, `uses the ${show(controller)} deployment controller, which the ECS rolling deploy action cannot update`,
        'use a service with the default ECS deployment controller for rolling(), or a blue/green deployment for CODE_DEPLOY services');
    }
    const breaker = stack.resolve(cfn.deploymentConfiguration)?.deploymentCircuitBreaker;
    if (!breaker || breaker.enable !== true || breaker.rollback !== true) {
      warn(scope, 'EcsRollingNoCircuitBreaker',
        `${prop}: the service ${this.service.node.path} has no deployment circuit breaker with rollback, so a failed rolling deployment would not roll back. ` +
        'Set circuitBreaker: { enable: true, rollback: true } on the service.');
    }
    if (this.options.passRoles) {
      warn(scope, 'EcsPassRolesIgnored', `${prop}.passRoles is ignored: the roles are read from the task definition of ${this.service.node.path}`);
    }
  }

  public _containerName(scope: Construct, prop: string): string {
    const given = this.options.containerName;
    const taskDefinition = this.taskDefinition();
    if (!taskDefinition) {
      if (given === undefined) {
        fail(scope, `${prop}.containerName`, `is required: the service ${this.service?.node.path} is imported, so its containers cannot be read`,
          'pass EcsDeployment.rolling(service, { containerName: "web" }) with the container that runs your image');
      }
      return given;
    }
    const containers = taskDefinition.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition);
    if (given !== undefined) {
      if (!Token.isUnresolved(given) && !containers.some((c) => c.containerName === given)) {
        fail(scope, `${prop}.containerName`, `names no container of the service's task definition, got ${show(given)} (containers: ${containers.map((c) => c.containerName).join(', ') || 'none'})`,
          'pass the name of the container that runs your image');
      }
      return given;
    }
    const essential = containers.filter((c) => c.essential);
    if (essential.length !== 1) {
      fail(scope, `${prop}.containerName`,
        `cannot be determined: the service's task definition has ${essential.length} essential containers (${essential.map((c) => c.containerName).join(', ') || 'none'})`,
        'pass EcsDeployment.rolling(service, { containerName }) naming the container that runs your image');
    }
    return essential[0].containerName;
  }

  public _createAction(_scope: Construct, context: EcsDeployActionContext): codepipeline.IAction {
    const taskDefinition = this.taskDefinition();
    const passRoles = taskDefinition
      ? [taskDefinition.taskRole, taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined)
      : this.options.passRoles ?? [];
    return new ScopedEcsDeployAction({
      actionName: context.actionName,
      runOrder: context.runOrder,
      service: this.service,
      input: context.input,
      imageDefinitionsFile: context.imageDefinitionsFile,
      taskDefinitionFamily: taskDefinition?.family,
      passRoles,
      deploymentTimeout: this.options.deploymentTimeout,
    });
  }

  private cfnService(): ecs.CfnService | undefined {
    const child = this.service?.node.defaultChild;
    return child instanceof ecs.CfnService ? child : undefined;
  }

  private taskDefinition(): ecs.TaskDefinition | undefined {
    return this.service instanceof ecs.BaseService ? this.service.taskDefinition : undefined;
  }
}
