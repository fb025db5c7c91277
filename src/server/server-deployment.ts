import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { CodeDeployServerDeployment, ServerTargetKind } from './codedeploy-deployment';
import { ServerLoadBalancer } from './load-balancer';
import type { TargetEnvironment } from '../core/target-environment';

/**
 * How CodeDeploy deploys a revision in place to an environment's instances, and what rolls it back.
 */
export interface InPlaceDeploymentOptions {
  /**
   * How many instances are deployed at a time: CodeDeploy's predefined
   * `codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME`, `.HALF_AT_A_TIME` or `.ALL_AT_ONCE` (or a
   * configuration of your own). For a custom minimum of healthy hosts, give `minimumHealthyHosts`
   * instead: the pipeline then creates the configuration where the deployment group is.
   *
   * @default codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME
   */
  readonly deploymentConfig?: codedeploy.IServerDeploymentConfig;
  /**
   * How many instances must stay healthy during the deployment, e.g.
   * `codedeploy.MinimumHealthyHosts.percentage(75)` or `.count(2)`: a deployment configuration
   * with it is created next to the deployment group. Not together with `deploymentConfig`.
   *
   * @default - `deploymentConfig`'s
   */
  readonly minimumHealthyHosts?: codedeploy.MinimumHealthyHosts;
  /**
   * The load balancer in front of the instances: CodeDeploy takes each instance out of it while
   * the instance is deployed, and the default rollback alarms watch it.
   *
   * @default - no traffic control (the instances keep serving while they are deployed)
   */
  readonly loadBalancer?: ServerLoadBalancer;
  /**
   * CloudWatch alarms that roll the deployment back while one of them is in ALARM. At most 10,
   * counting the default alarms; in the deployment group's account and region.
   *
   * @default - none of your own; the default alarms when a load balancer is given
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Whether the pipeline creates default rollback alarms on the load balancer: target (backend)
   * 5xx responses, 5 or more in a minute (application and classic load balancers), and an
   * unhealthy host for two minutes. Without a load balancer there is nothing to watch: a
   * deployment then rolls back when a lifecycle script fails (e.g. `ValidateService`) or it is
   * stopped, and on your `alarms`; with neither, the pipeline warns.
   *
   * @default - true when `loadBalancer` is given
   */
  readonly defaultAlarms?: boolean;
  /**
   * The deployment group's service role (CodeDeploy assumes it), e.g. one with the
   * `AWSCodeDeployRole` managed policy.
   *
   * @default - a role whose policy allows exactly what CodeDeploy does for these targets, load balancer and alarms
   */
  readonly role?: iam.IRole;
  /**
   * The instance profile roles of the instances: the CodeDeploy agent downloads the revision
   * with them, so the pipeline lets them read the revisions (objects of the artifact bucket) and
   * decrypt them (the artifact key).
   *
   * @default - the Auto Scaling group's role (when it is defined in the app); none for tagged instances (warning)
   */
  readonly instanceRoles?: iam.IRole[];
  /**
   * Whether the pipeline installs the CodeDeploy agent on the instances: an SSM State Manager
   * association of the `AWSCodeDeployAgent` Distributor package (document
   * `AWS-ConfigureAWSPackage`) for the targets, run at once and every 14 days (keeping the
   * agent current). The instances need the SSM Agent and an instance profile that lets it reach
   * Systems Manager (e.g. `AmazonSSMManagedInstanceCore`). EC2 targets only. The alternative is
   * an AMI (or user data) that has the agent.
   *
   * @default false
   */
  readonly installAgent?: boolean;
}

/**
 * How CodeDeploy deploys a revision blue/green to a copy of an Auto Scaling group.
 */
export interface BlueGreenServerDeploymentOptions extends InPlaceDeploymentOptions {
  /**
   * How long the original group (blue) is kept after traffic has moved to its copy (green), so
   * a rollback only moves the traffic back: whole minutes, at most 2 days (CodeDeploy's
   * maximum). Then CodeDeploy deletes the original group.
   *
   * @default Duration.hours(1)
   */
  readonly rollbackWindow?: Duration;
}

/** What a deployment needs from the pipeline to create its action. @internal */
export interface ServerDeployActionContext {
  readonly actionName: string;
  readonly environmentName: string;
  /** The revision bundle (the build output). */
  readonly input: codepipeline.Artifact;
  readonly runOrder: number;
}

/**
 * What a `ServerDeployment` gives the pipeline once it is bound: validated once, with what it
 * derived kept. @internal
 */
export interface ServerDeploymentBinding {
  /** What the environment deploys to, for the one-workload-per-environment rule. */
  readonly workload: IConstruct;
  /** Its identity (ARN, name or tag set), compared when the constructs differ. */
  readonly identity: string;
  /** Where the deployment group lives. */
  readonly target: TargetEnvironment;
  /** Whether the deployment group has a load balancer (traffic events of the appspec run). */
  readonly hasLoadBalancer: boolean;
  /** The deploy action; creates the deployment group (and its role, alarms, agent association). */
  createAction(scope: Construct, context: ServerDeployActionContext): codepipeline.IAction;
}

/**
 * How an environment's servers are deployed: the instances CodeDeploy deploys the revision
 * bundle to, how, and what rolls it back. Use the static factories.
 *
 * Each environment gets a CodeDeploy application and deployment group (EC2/on-premises, in
 * place) whose service role allows only what CodeDeploy does for its targets, and CodePipeline's
 * CodeDeploy action deploys the pipeline's one revision bundle with it. CodeDeploy rolls back
 * automatically when the deployment fails (a lifecycle script fails), when it is stopped, and
 * while a rollback alarm is in ALARM: it deploys the last successful revision again.
 */
export abstract class ServerDeployment {
  /**
   * Deploy in place to the instances of an Auto Scaling group. CodeDeploy also deploys the
   * current revision to every instance the group launches later (it adds a lifecycle hook to the
   * group). The group's role (when the group is defined in the app) may read the revisions.
   *
   * @param group the Auto Scaling group
   * @param options how to deploy, and what rolls back
   */
  public static autoScalingGroup(group: autoscaling.IAutoScalingGroup, options: InPlaceDeploymentOptions = {}): ServerDeployment {
    return new InPlace('autoScalingGroup', group, undefined, options ?? {});
  }

  /**
   * Deploy blue/green: CodeDeploy copies the Auto Scaling group (same launch template, size,
   * scaling policies and load balancer), deploys the revision to the copy's new instances,
   * moves the load balancer's traffic to them, and keeps the original group for
   * `rollbackWindow` before it deletes it. A rollback (failure, stop, alarm) moves the traffic
   * back to the original instances. Needs `loadBalancer`, and a group defined in the app with a
   * launch template (the copy launches from it).
   *
   * From the first deployment on, the group that serves is CodeDeploy's copy, not the one in
   * your stack: change the group's size or launch template with CodeDeploy's copy in mind
   * (warning `ServerBlueGreenReplacesGroup`).
   *
   * @param group the Auto Scaling group that serves now (blue)
   * @param options the load balancer, the rollback window, and what rolls back
   */
  public static blueGreen(group: autoscaling.IAutoScalingGroup, options: BlueGreenServerDeploymentOptions): ServerDeployment {
    return new InPlace('autoScalingGroup', group, undefined, options ?? ({} as BlueGreenServerDeploymentOptions), true);
  }

  /**
   * Deploy in place to the EC2 instances that have these tags, in the pipeline's account and
   * region (CodeDeploy's tag groups: an instance matches a group with any of its tags, and must
   * match every group). Pass their instance roles as `instanceRoles`.
   *
   * @param tags the instances' tags, e.g. `new codedeploy.InstanceTagSet({ app: ['orders'], stage: ['prod'] })`
   * @param options how to deploy, and what rolls back
   */
  public static ec2Instances(tags: codedeploy.InstanceTagSet, options: InPlaceDeploymentOptions = {}): ServerDeployment {
    return new InPlace('ec2Instances', undefined, tags, options ?? {});
  }

  /**
   * Deploy in place to on-premises servers registered with CodeDeploy that have these tags, from
   * the pipeline's account and region. The servers' own credentials (the IAM user or role they
   * were registered with) download the revision: give it read access to the artifact bucket and
   * key, or pass the role as `instanceRoles`. Install the agent on the servers yourself.
   *
   * @param tags the servers' CodeDeploy tags
   * @param options how to deploy, and what rolls back
   */
  public static onPremisesInstances(tags: codedeploy.InstanceTagSet, options: InPlaceDeploymentOptions = {}): ServerDeployment {
    return new InPlace('onPremisesInstances', undefined, tags, options ?? {});
  }

  /**
   * Validate against the pipeline (throwing the library's error under `prop`), warn, and return
   * what the pipeline needs. Called once per environment. @internal
   */
  public abstract _bind(scope: Construct, prop: string): ServerDeploymentBinding;
}

class InPlace extends ServerDeployment {
  constructor(
    private readonly kind: ServerTargetKind,
    private readonly group: autoscaling.IAutoScalingGroup | undefined,
    private readonly tags: codedeploy.InstanceTagSet | undefined,
    private readonly options: InPlaceDeploymentOptions | BlueGreenServerDeploymentOptions,
    private readonly blueGreen = false,
  ) {
    super();
  }

  public _bind(scope: Construct, prop: string): ServerDeploymentBinding {
    return new CodeDeployServerDeployment(scope, prop, this.kind, this.group, this.tags, this.options, this.blueGreen);
  }
}
