import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct, IConstruct } from 'constructs';
import { AppSpec, AppSpecOptions } from './appspec';
import { SERVER_WILDCARD_REVIEWS } from './nag-reasons';
import { revisionBundleSteps } from './revision-bundle';
import { ServerDeployment, ServerDeploymentBinding } from './server-deployment';
import { reserveBuildVariables, setByThePipeline } from '../core/build-variables';
import { BuildSpecExtras } from '../core/buildspec';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { bindEnvironments, BoundEnvironment, boundEnvironment, EnvironmentOptions } from '../core/environment';
import { callHook } from '../core/hooks';
import { OutputDirectory } from '../core/output-directory';
import { fail, validateBoolean, warn } from '../core/validation';
import { addWildcardReviews, claimLibraryConstructs } from '../core/wildcard-review';

/** Why two environments must not deploy to the same instances. */
const SHARED_INSTANCES = 'environments that share instances deploy each other\'s revision, and the approval between them guards nothing';

/** The build variable the bundle step exports. */
const REVISION_VARIABLES = setByThePipeline(['REVISION']);

/**
 * One environment of a `ServerPipeline`.
 */
export interface ServerEnvironment extends EnvironmentOptions {
  /**
   * Where and how the environment's servers are deployed, e.g.
   * `ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) })`.
   * Each environment needs its own instances.
   */
  readonly deployment: ServerDeployment;
}

/**
 * Properties of a `ServerPipeline`.
 */
export interface ServerPipelineProps extends DeliveryPipelineProps {
  /**
   * The environments, in deployment order; one stage each.
   */
  readonly environments: ServerEnvironment[];
  /**
   * Directory, relative to the repository root, where the build commands leave what is
   * deployed: its contents become the root of the revision bundle (the application's files and
   * the lifecycle scripts). The build fails when it is missing or empty. Also given to the
   * build as `$OUTPUT_DIRECTORY`.
   *
   * @default 'dist'
   */
  readonly outputDirectory?: string;
  /**
   * The AppSpec file the build generates at the root of the bundle (`appspec.yml`): the files
   * to copy and the lifecycle scripts to run, validated against CodeDeploy's AppSpec reference
   * at synthesis; the build fails when a script is missing from the bundle. Give this or
   * `repositoryAppSpec`.
   *
   * @default - none: `repositoryAppSpec` must be true
   */
  readonly appSpec?: AppSpecOptions;
  /**
   * Deploy the `appspec.yml` your build leaves at the root of `outputDirectory` (e.g. the
   * repository's own) instead of a generated one. The build checks that it is there and is an
   * EC2/on-premises AppSpec file (`version: 0.0`, `os`); the pipeline cannot validate its hooks.
   *
   * @default false
   */
  readonly repositoryAppSpec?: boolean;
}

/**
 * A complete delivery pipeline for applications on servers — EC2 Auto Scaling groups, tagged EC2
 * instances and on-premises servers — through CodeDeploy:
 * Source → Build & test (the build commands leave the application in `outputDirectory`; the
 * pipeline adds `appspec.yml` and `REVISION`, the commit) → per environment: approval? → deploy.
 *
 * The revision bundle is built once, from one commit, and the very same artifact is deployed to
 * every environment. Each environment has its own CodeDeploy application and in-place
 * deployment group, whose role allows only what CodeDeploy does for its targets (never the
 * `AWSCodeDeployRole` managed policy, unless you pass a role that has it). CodeDeploy rolls a
 * deployment back when a lifecycle script fails, when it is stopped, and while a rollback alarm
 * is in ALARM (by default the load balancer's 5xx responses and unhealthy hosts, when one is given).
 *
 * The CodeDeploy agent must run on the instances: from their AMI, or installed by the pipeline
 * with an SSM State Manager association (`installAgent`).
 */
export class ServerPipeline extends DeliveryPipeline {
  /** Directory of the build output that is the revision bundle. */
  public readonly outputDirectory: string;
  private readonly output: OutputDirectory;
  private readonly appSpec?: AppSpec;
  private readonly environments: BoundEnvironment<ServerEnvironment, ServerDeploymentBinding>[];

  constructor(scope: Construct, id: string, props: ServerPipelineProps) {
    super(scope, id, props);
    addWildcardReviews(this, SERVER_WILDCARD_REVIEWS);
    reserveBuildVariables(this, this.buildOptions, REVISION_VARIABLES);
    const identities = new Map<IConstruct, string>();
    this.environments = bindEnvironments(this, props.environments, {
      field: 'deployment',
      type: ServerDeployment,
      factories: 'ServerDeployment.autoScalingGroup(group), .ec2Instances(tags) or .onPremisesInstances(tags)',
      bind: (deployment: ServerDeployment, prop: string) => {
        const binding = deployment._bind(this, prop);
        identities.set(binding.workload, binding.identity);
        return binding;
      },
      oneWorkloadEach: { prop: 'deployment', what: 'instances', resource: (b) => b.workload, identity: (w) => identities.get(w)!, fix: SHARED_INSTANCES },
    });
    this.output = new OutputDirectory(this, this.buildOptions, props.outputDirectory, 'revision bundle', 'ServerPipeline');
    this.outputDirectory = this.output.path;
    validateBoolean(this, 'repositoryAppSpec', props.repositoryAppSpec);
    if (this.buildOptions.repositoryBuildSpec) {
      if (props.appSpec !== undefined) {
        warn(this, 'AppSpecIgnored',
          `appSpec is ignored because buildOptions.repositoryBuildSpec is given: ${this.buildOptions.repositoryBuildSpec} must leave the bundle, with its appspec.yml at the root, as its artifacts`);
      }
      return;
    }
    if (props.appSpec !== undefined && props.repositoryAppSpec) {
      fail(this, 'repositoryAppSpec', 'is true, and appSpec is given too', 'give one: appSpec for a generated appspec.yml, or repositoryAppSpec: true to deploy the one your build leaves in outputDirectory');
    }
    if (props.appSpec === undefined && !props.repositoryAppSpec) {
      fail(this, 'appSpec', 'is missing, so the revision bundle would have no appspec.yml',
        'give appSpec (e.g. { files: [{ source: "/", destination: "/opt/app" }], hooks: { applicationStart: [{ location: "scripts/start.sh" }] } }), or set repositoryAppSpec: true');
    }
    if (props.appSpec !== undefined) {
      this.appSpec = new AppSpec(this, 'appSpec', props.appSpec);
      this.appSpec.warnTrafficEventsWithoutLoadBalancer(this, this.environments.some((e) => e.binding.hasLoadBalancer));
    }
    // Everything so far is the library's; what a subclass's constructor adds next is its user's.
    claimLibraryConstructs(this);
  }

  /** The Build stage (which writes the revision bundle) and one stage per environment. */
  protected addStages(): void {
    this.addBuildStage(this.output.buildVariables);
    for (const { environment } of this.environments) {
      this.addEnvironmentStage(environment, [callHook(this, 'createDeployAction', () => this.createDeployAction(environment))]);
    }
  }

  /**
   * The commit the revision bundle was built from, as a pipeline variable (also in the bundle's
   * `REVISION` file): every environment deploys the bundle of this commit.
   */
  public get revision(): string {
    return this.buildVariable('REVISION');
  }

  /**
   * Hook: create the deploy action of one environment. The default is CodePipeline's CodeDeploy
   * action with a least-privilege role, deploying the build output (the revision bundle) with
   * the environment's deployment group, which it creates (with its role, rollback alarms and
   * agent association) in the targets' account and region. Override to deploy differently;
   * return an action with `runOrder` 2 or more.
   *
   * @param environment the environment
   */
  protected createDeployAction(environment: ServerEnvironment): codepipeline.IAction {
    const bound = boundEnvironment(this, 'createDeployAction()', this.environments, environment);
    return bound.binding.createAction(this, {
      actionName: 'Deploy',
      environmentName: bound.environment.name,
      input: this.buildOutput,
      runOrder: 2,
    });
  }

  /**
   * The buildspec: the user's commands, a check that they left the application in
   * `outputDirectory`, then the AppSpec file, the scripts checked and made executable, the
   * commit in `REVISION`; the directory's files are the build output (the bundle's root).
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    return revisionBundleSteps(this.output, this.appSpec);
  }
}
