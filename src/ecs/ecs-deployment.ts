import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BlueGreenEcsDeployment } from './blue-green-deployment';
import { RollingEcsDeployment } from './rolling-deployment';
import type { ServiceInfo } from './service-info';
import type { DeploymentGate } from '../core/post-deploy-tests';
import type { TargetEnvironment } from '../core/target-environment';

/**
 * Options of a rolling ECS deployment (and of an ECS-native blue/green one).
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

/**
 * Lambda functions CodeDeploy runs at the lifecycle hooks of an ECS blue/green deployment,
 * named like the Lambda pipeline's traffic hooks (`preTraffic`, `postTraffic`). A hook reports
 * success or failure with `codedeploy:PutLifecycleEventHookExecutionStatus`; a failure rolls
 * the deployment back.
 */
export interface BlueGreenHooks {
  /**
   * CodeDeploy's `AfterAllowTestTraffic`: runs after the green tasks receive test-listener
   * traffic (integration tests against the test port).
   *
   * @default - none
   */
  readonly postTestTraffic?: lambda.IFunction;
  /**
   * CodeDeploy's `BeforeAllowTraffic`: runs before production traffic shifts to the green tasks.
   *
   * @default - none
   */
  readonly preTraffic?: lambda.IFunction;
  /**
   * CodeDeploy's `AfterAllowTraffic`: runs after production traffic has shifted to the green tasks.
   *
   * @default - none
   */
  readonly postTraffic?: lambda.IFunction;
}

/**
 * Options of a blue/green ECS deployment through CodeDeploy.
 */
export interface BlueGreenDeploymentOptions {
  /**
   * The service; its deployment controller must be CODE_DEPLOY.
   */
  readonly service: ecs.IBaseService;
  /**
   * The production listener that CodeDeploy moves from blue to green.
   *
   * @default - required unless `deploymentGroup` is given
   */
  readonly listener?: elbv2.IListener;
  /**
   * A test listener that reaches the green tasks before production traffic does.
   *
   * @default - no test listener
   */
  readonly testListener?: elbv2.IListener;
  /**
   * Target group serving production traffic now (the one attached to the service).
   *
   * @default - required unless `deploymentGroup` is given
   */
  readonly blueTargetGroup?: elbv2.ITargetGroup;
  /**
   * Target group the new tasks are registered in.
   *
   * @default - required unless `deploymentGroup` is given
   */
  readonly greenTargetGroup?: elbv2.ITargetGroup;
  /**
   * An existing deployment group to deploy with. When given, the listener, target groups,
   * traffic shifting, alarms and rollback window are the group's own (and ignored here, with a warning).
   *
   * @default - an application and deployment group are created
   */
  readonly deploymentGroup?: codedeploy.IEcsDeploymentGroup;
  /**
   * How traffic shifts: all at once, canary or linear (CodeDeploy's predefined configs or a
   * custom `codedeploy.EcsDeploymentConfig`).
   *
   * @default codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES
   */
  readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  /**
   * Alarms that roll the deployment back while they fire.
   *
   * @default - alarms on the 5xx responses and unhealthy hosts of both target groups (when `defaultAlarms` is true)
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Create the default alarms in addition to `alarms`: 5xx responses (5 or more a minute) and
   * unhealthy hosts (for 2 minutes) summed over both target groups, because CodeDeploy
   * alternates which group holds the new tasks. Needs application (ALB) target groups.
   *
   * @default true
   */
  readonly defaultAlarms?: boolean;
  /**
   * How long the blue tasks are kept after a successful deployment, so a rollback is instant.
   * Between 0 (set it explicitly to drop them at once) and 2 days (CodeDeploy's maximum).
   *
   * @default Duration.minutes(15)
   */
  readonly rollbackWindow?: Duration;
  /**
   * Container whose image is replaced and that receives the load balancer's traffic.
   *
   * @default - the service's only essential container
   */
  readonly containerName?: string;
  /**
   * Port of that container the load balancer sends traffic to.
   *
   * @default - the container's first port mapping
   */
  readonly containerPort?: number;
  /**
   * Lambda functions to run at the deployment's lifecycle hooks.
   *
   * @default - none
   */
  readonly hooks?: BlueGreenHooks;
  /**
   * Roles the service's task definition uses; only for imported services.
   *
   * @default - read from the service's task definition
   */
  readonly passRoles?: iam.IRole[];
}

/** What the build adds for one environment. @internal */
export interface EcsBuildSteps {
  readonly commands: string[];
  readonly files: string[];
}

/** What a deployment needs from the pipeline to create its actions. @internal */
export interface EcsDeployActionContext {
  readonly actionName: string;
  readonly environmentName: string;
  readonly input: codepipeline.Artifact;
  /** The image definitions file for this environment's container (deployments that read one). */
  readonly imageDefinitionsFile?: string;
  /** Run order of the environment's first action after the approval. */
  readonly runOrder: number;
  /** The pipeline's key, for projects the deployment adds to the environment's stage. */
  readonly encryptionKey: kms.IKey;
  /** Where the environment's service lives: the pipeline's own stack, or another account or region. */
  readonly target: TargetEnvironment;
  /** The timeout of the environment's post-deploy tests, when it has them. */
  readonly testTimeout?: Duration;
}

/**
 * What an `EcsDeployment` gives the pipeline once it is bound: validated once, with everything
 * derived from the service kept (no getter derives anything later). @internal
 */
export interface EcsDeploymentBinding {
  readonly service: ecs.IBaseService;
  /** What synthesis can read of the service. */
  readonly info: ServiceInfo;
  /** The container whose image is replaced. */
  readonly containerName: string;
  /** Whether the deploy action reads an image definitions file. */
  readonly usesImageDefinitions: boolean;
  /** Extra build commands and output files for this environment. */
  buildSteps(environmentName: string): EcsBuildSteps;
  /** The deploy action. */
  createAction(scope: Construct, context: EcsDeployActionContext): codepipeline.IAction;
  /** Actions that run in the environment's stage before the deploy action (e.g. the task definition capture). */
  preDeployActions(scope: Construct, context: EcsDeployActionContext): codepipeline.IAction[];
  /**
   * The gate of a deployment that waits for the environment's tests before production traffic
   * (after createAction), when it has one.
   */
  deploymentGate?(scope: Construct, context: EcsDeployActionContext): DeploymentGate | undefined;
}

/**
 * How an environment's ECS service is deployed. Use the static factories.
 */
export abstract class EcsDeployment {
  /**
   * Rolling update through the CodePipeline ECS deploy action (`imagedefinitions.json`).
   * Rollback of a failed deployment comes from the service's deployment circuit breaker
   * (`circuitBreaker: { rollback: true }`); the pipeline warns when it is off. A service that
   * uses ECS's own blue/green strategy is deployed the same way (see `ecsBlueGreen`).
   *
   * @param service the service to update
   */
  public static rolling(service: ecs.IBaseService, options: RollingDeploymentOptions = {}): EcsDeployment {
    return new EcsActionDeployment(service, options ?? {}, false);
  }

  /**
   * ECS-native blue/green: the service's `deploymentStrategy` is `BLUE_GREEN`, the pipeline
   * starts it through the ECS deploy action, and ECS itself shifts traffic, waits the bake
   * time and rolls back when a deployment alarm fires. The pipeline warns when the service has
   * no deployment alarms. Unlike `blueGreen`, no CodeDeploy application is involved.
   *
   * @param service a service with `deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN`
   */
  public static ecsBlueGreen(service: ecs.IBaseService, options: RollingDeploymentOptions = {}): EcsDeployment {
    return new EcsActionDeployment(service, options ?? {}, true);
  }

  /**
   * Blue/green through CodeDeploy: the green task set is started next to the blue one, traffic
   * shifts all at once, canary or linear, and CodeDeploy rolls back automatically on failure,
   * on stop and while an alarm fires. Blue tasks are kept for a rollback window.
   */
  public static blueGreen(options: BlueGreenDeploymentOptions): EcsDeployment {
    return new CodeDeployDeployment(options);
  }

  /** The service this deployment updates. */
  public abstract readonly service: ecs.IBaseService;

  /**
   * Validate against the pipeline (throwing the library's error under `prop`), warn, and return
   * what the pipeline needs. Called once per environment. @internal
   */
  public abstract _bind(scope: Construct, prop: string): EcsDeploymentBinding;
}

/** `rolling` and `ecsBlueGreen`: the CodePipeline ECS deploy action. */
class EcsActionDeployment extends EcsDeployment {
  constructor(
    public readonly service: ecs.IBaseService,
    private readonly options: RollingDeploymentOptions,
    private readonly nativeBlueGreen: boolean,
  ) {
    super();
  }

  public _bind(scope: Construct, prop: string): EcsDeploymentBinding {
    return new RollingEcsDeployment(scope, prop, this.service, this.options, this.nativeBlueGreen);
  }
}

/** `blueGreen`: CodeDeploy's blue/green deployment. */
class CodeDeployDeployment extends EcsDeployment {
  public readonly service: ecs.IBaseService;

  constructor(private readonly options: BlueGreenDeploymentOptions) {
    super();
    this.service = options?.service;
  }

  public _bind(scope: Construct, prop: string): EcsDeploymentBinding {
    return new BlueGreenEcsDeployment(scope, prop, this.options);
  }
}
