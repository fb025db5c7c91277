import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaDeployAction } from './lambda-deploy-action';
import { LambdaDeployment, LambdaDeploymentBinding } from './lambda-deployment';
import { LAMBDA_WILDCARD_REVIEWS } from './nag-reasons';
import { createHookAction, createPublishAction, HOOKED_RUN_ORDER, publishedVersion, warnFirstRunRollback } from './traffic-hooks';
import { BuildSpecExtras } from '../core/buildspec';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { bindEnvironments, BoundEnvironment, boundEnvironment, EnvironmentOptions } from '../core/environment';
import { callHook } from '../core/hooks';
import { OutputDirectory } from '../core/output-directory';
import { addWildcardReviews, claimLibraryConstructs } from '../core/wildcard-review';

/**
 * Why two environments must not deploy one function: the deploy action updates the function's
 * code ($LATEST) before it moves the alias.
 */
const SHARED_FUNCTION = 'the deploy action replaces the function\'s code before it moves the alias, so environments that share a function share untested code';

/**
 * One environment of a `LambdaPipeline`.
 */
export interface LambdaEnvironment extends EnvironmentOptions {
  /**
   * How the environment's function is deployed, e.g.
   * `LambdaDeployment.canary(alias, { percentage: 10, interval: Duration.minutes(5) })`.
   * Each environment needs its own function.
   */
  readonly deployment: LambdaDeployment;
}

/**
 * Properties of a `LambdaPipeline`.
 */
export interface LambdaPipelineProps extends DeliveryPipelineProps {
  /**
   * The environments, in deployment order; one stage each.
   */
  readonly environments: LambdaEnvironment[];
  /**
   * Directory, relative to the repository root, where the build commands leave the
   * deployment package: its contents become the root of the function's code (the handler
   * file and its dependencies, e.g. `index.js` and `node_modules/`). The build fails when the
   * directory is missing or empty. Also given to the build as `$OUTPUT_DIRECTORY`.
   *
   * @default 'dist'
   */
  readonly outputDirectory?: string;
}

/**
 * A complete delivery pipeline for a Lambda function:
 * Source → Build & test (the build commands write the deployment package) → per environment:
 * approval? → deploy (new version, alias shifted all at once, canary or linear).
 * With traffic hooks (`LambdaDeployment` option `hooks`): approval? → publish → pre-traffic
 * hook? → shift → post-traffic hook? (a failure rolls the stage back).
 *
 * Each environment deploys with CodePipeline's own Lambda deploy action: it updates the
 * function's code from the build output, publishes a new version and moves the environment's
 * alias to it. Only the alias's traffic moves; when the action fails or a rollback alarm goes
 * into ALARM, the alias returns to the version it pointed at before. By default each
 * environment gets two rollback alarms on its alias (any error, any throttle).
 *
 * The app that defines the function owns its configuration, the pipeline owns its code: a
 * later `cdk deploy` that changes the function publishes a version with the code in the app
 * and moves the alias to it, so keep the app's code a placeholder and let the pipeline ship.
 */
export class LambdaPipeline extends DeliveryPipeline {
  /** Directory of the build output that holds the deployment package. */
  public readonly outputDirectory: string;
  private readonly output: OutputDirectory;
  /** The environments with their bound deployments. */
  private readonly environments: BoundEnvironment<LambdaEnvironment, LambdaDeploymentBinding>[];

  constructor(scope: Construct, id: string, props: LambdaPipelineProps) {
    super(scope, id, props);
    addWildcardReviews(this, LAMBDA_WILDCARD_REVIEWS);
    this.environments = bindEnvironments(this, props.environments, {
      field: 'deployment',
      type: LambdaDeployment,
      factories: 'LambdaDeployment.allAtOnce(alias), .canary(alias, { percentage, interval }) or .linear(alias, { percentage, interval })',
      bind: (deployment: LambdaDeployment, prop: string) => deployment._bind(this, prop),
      oneWorkloadEach: { prop: 'deployment.alias', what: 'function', resource: (b) => b.fn, identity: (f: lambda.IFunction) => f.functionArn, fix: SHARED_FUNCTION },
    });
    for (const { environment, prop, binding } of this.environments) {
      warnFirstRunRollback(this, prop, environment.name, binding, props.notifications !== undefined);
    }
    this.output = new OutputDirectory(this, this.buildOptions, props.outputDirectory, 'deployment package', 'LambdaPipeline');
    this.outputDirectory = this.output.path;
    // Everything so far is the library's; what a subclass's constructor adds next is its user's.
    claimLibraryConstructs(this);
  }

  /** The Build stage (which writes the package) and one stage per environment. */
  protected addStages(): void {
    this.addBuildStage(this.output.buildVariables);
    for (const { environment: env, binding } of this.environments) {
      const hooks = binding.hooks;
      if (!hooks) {
        this.addEnvironmentStage(env, [callHook(this, 'createDeployAction', () => this.createDeployAction(env))]);
        continue;
      }
      // The publish step's action: createDeployAction reads its variable namespace.
      const context = {
        environmentName: env.name,
        binding,
        input: this.buildOutput,
        artifactBucket: this.artifactBucket,
        encryptionKey: this.encryptionKey,
      };
      const stageActions: codepipeline.IAction[] = [createPublishAction(this, context)];
      if (hooks.preTraffic) {
        stageActions.push(createHookAction(context, 'PreTrafficHook', hooks.preTraffic, HOOKED_RUN_ORDER.preTraffic));
      }
      stageActions.push(callHook(this, 'createDeployAction', () => this.createDeployAction(env)));
      if (hooks.postTraffic) {
        stageActions.push(createHookAction(context, 'PostTrafficHook', hooks.postTraffic, HOOKED_RUN_ORDER.postTraffic));
      }
      this.addEnvironmentStage(env, stageActions, { rollbackOnFailure: hooks.postTraffic !== undefined });
    }
  }

  /**
   * Hook: create the deploy action of one environment. The default is a `LambdaDeployAction`
   * that deploys the build output with `environment.deployment` (its rollback alarms created
   * in the action's scope), after the approval. Override to deploy differently, e.g. with a
   * variables namespace for a later action. Return an action with `runOrder` 2 or more.
   *
   * When the deployment has `hooks`, the default action instead moves the alias to the version
   * the environment's publish step published (`PublishedTargetVersion`, no input artifact),
   * with run order 4: after the publish step (2) and the pre-traffic hook (3), before the
   * post-traffic hook (5).
   *
   * @param environment the environment
   */
  protected createDeployAction(environment: LambdaEnvironment): codepipeline.IAction {
    if (boundEnvironment(this, 'createDeployAction()', this.environments, environment).binding.hooks) {
      return new LambdaDeployAction({
        actionName: 'Deploy',
        publishedTargetVersion: publishedVersion(environment.name),
        deployment: environment.deployment,
        runOrder: HOOKED_RUN_ORDER.deploy,
      });
    }
    return new LambdaDeployAction({
      actionName: 'Deploy',
      input: this.buildOutput,
      deployment: environment.deployment,
      runOrder: 2,
    });
  }

  /**
   * The buildspec: the user's install, test and build commands, a check that they left a
   * package in `outputDirectory`, and the package's files as the build output (the root of
   * the output artifact is the root of the function's code).
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    return this.output.buildSpecExtras;
  }
}
