import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaDeployAction } from './lambda-deploy-action';
import { LambdaDeployment } from './lambda-deployment';
import { BuildSpecExtras, createHardenedProject, rejectPipelineVariable } from '../core/build';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { EnvironmentOptions, findSharedWorkload, validateEnvironments } from '../core/environment';
import { callHook } from '../core/hooks';
import { shellQuote } from '../core/shell';
import { fail, show, validateRelativePath, warn } from '../core/validation';

/** Where the build leaves the deployment package unless `packageDirectory` says otherwise. */
const DEFAULT_PACKAGE_DIRECTORY = 'dist';
/** The build variable that names the package directory. */
const PACKAGE_DIRECTORY_VARIABLE = 'PACKAGE_DIRECTORY';
/** The variable the publish step of an environment with hooks exports: the published version. */
const FUNCTION_VERSION_VARIABLE = 'FUNCTION_VERSION';
/** Where the publish steps upload the packages, in the artifact bucket. */
const PACKAGE_PREFIX = 'lambda-packages';
/** Run orders of an environment's stage with hooks (the approval, when there is one, runs first). */
const HOOKED_RUN_ORDER = { publish: 2, preTraffic: 3, deploy: 4, postTraffic: 5 } as const;

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
   * directory is missing or empty. Also given to the build as `$PACKAGE_DIRECTORY`.
   *
   * @default 'dist'
   */
  readonly packageDirectory?: string;
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
  public readonly packageDirectory: string;
  private readonly environments: LambdaEnvironment[];

  constructor(scope: Construct, id: string, props: LambdaPipelineProps) {
    super(scope, id, props);
    validateEnvironments(this, props.environments);
    props.environments.forEach((env, i) => {
      if (!(env.deployment instanceof LambdaDeployment)) {
        fail(this, `environments[${i}].deployment`, `must be created by a LambdaDeployment factory, got ${show(env.deployment)}`,
          'use LambdaDeployment.allAtOnce(alias), .canary(alias, { percentage, interval }) or .linear(alias, { percentage, interval })');
      }
      env.deployment._validate(this, `environments[${i}].deployment`);
    });
    validateOneFunctionPerEnvironment(this, props.environments);
    validateRelativePath(this, 'packageDirectory', props.packageDirectory);
    props.environments.forEach((env, i) => env.deployment._warn(this, `environments[${i}].deployment`));
    props.environments.forEach((env, i) => warnFirstRunRollback(this, `environments[${i}]`, env, props.notifications !== undefined));
    if (props.packageDirectory !== undefined && this.buildOptions.repositoryBuildSpec) {
      warn(this, 'PackageDirectoryIgnored',
        `packageDirectory is ignored because buildOptions.repositoryBuildSpec is given: ${this.buildOptions.repositoryBuildSpec} must declare the package as its artifacts`);
    }
    rejectPipelineVariable(this, this.buildOptions, PACKAGE_DIRECTORY_VARIABLE, 'is set by the pipeline itself (from packageDirectory)',
      'set packageDirectory instead, or choose another variable name');
    this.packageDirectory = props.packageDirectory ?? DEFAULT_PACKAGE_DIRECTORY;
    this.environments = props.environments;
  }

  /** The Build stage (which writes the package) and one stage per environment. */
  protected addStages(): void {
    this.addBuildStage({ [PACKAGE_DIRECTORY_VARIABLE]: { value: this.packageDirectory } });
    for (const env of this.environments) {
      const hooks = env.deployment.hooks;
      if (!hooks) {
        this.addEnvironmentStage(env, [callHook(this, 'createDeployAction', () => this.createDeployAction(env))]);
        continue;
      }
      // The publish step's action: createDeployAction reads its variable namespace.
      const publish = this.publishAction(env);
      const stageActions: codepipeline.IAction[] = [publish];
      if (hooks.preTraffic) {
        stageActions.push(this.hookAction(env, 'PreTrafficHook', hooks.preTraffic, HOOKED_RUN_ORDER.preTraffic));
      }
      stageActions.push(callHook(this, 'createDeployAction', () => this.createDeployAction(env)));
      if (hooks.postTraffic) {
        stageActions.push(this.hookAction(env, 'PostTrafficHook', hooks.postTraffic, HOOKED_RUN_ORDER.postTraffic));
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
    if (environment.deployment.hooks) {
      return new LambdaDeployAction({
        actionName: 'Deploy',
        publishedTargetVersion: this.publishedVersion(environment),
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

  /** The version an environment's publish step published, as a pipeline variable reference. */
  private publishedVersion(environment: LambdaEnvironment): string {
    return `#{${publishNamespace(environment)}.${FUNCTION_VERSION_VARIABLE}}`;
  }

  /**
   * The publish step of an environment with hooks: a hardened, unprivileged CodeBuild project
   * that uploads the build output to the artifact bucket (`lambda-packages/<environment>/package.zip`),
   * makes it the function's code, waits for the update and publishes a version, exported as
   * `FUNCTION_VERSION`. Its role may update, publish and read only this function (unqualified),
   * and write and read only that object.
   */
  private publishAction(environment: LambdaEnvironment): actions.CodeBuildAction {
    const fn = environment.deployment.alias.version.lambda;
    const scope = new Construct(this, `${environment.name}Publish`);
    const name = '"$FUNCTION_NAME"';
    // One key per environment: each upload makes the previous package a non-current version,
    // which the artifact store's lifecycle rule expires.
    const packageKey = `${PACKAGE_PREFIX}/${environment.name}/package.zip`;
    const project = createHardenedProject(scope, 'Project', {
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'shell': 'bash', 'exported-variables': [FUNCTION_VERSION_VARIABLE] },
        phases: {
          build: {
            commands: [
              'cd "$CODEBUILD_SRC_DIR" && zip -qr /tmp/package.zip .',
              // Through S3, not --zip-file: a direct upload is capped at 50 MB (zipped), an S3
              // object at Lambda's 250 MB unzipped limit.
              'PACKAGE_VERSION=$(aws s3api put-object --bucket "$PACKAGE_BUCKET" --key "$PACKAGE_KEY" --body /tmp/package.zip --query VersionId --output text)',
              `aws lambda update-function-code --function-name ${name} --s3-bucket "$PACKAGE_BUCKET" --s3-key "$PACKAGE_KEY"` +
                ' $([ "$PACKAGE_VERSION" = None ] || echo --s3-object-version "$PACKAGE_VERSION")',
              `aws lambda wait function-updated-v2 --function-name ${name}`,
              `${FUNCTION_VERSION_VARIABLE}=$(aws lambda publish-version --function-name ${name} --query Version --output text)`,
              `echo "Published version $${FUNCTION_VERSION_VARIABLE} of $FUNCTION_NAME"`,
            ],
          },
        },
      }),
      encryptionKey: this.encryptionKey,
      // The standard image has the AWS CLI and zip; nothing here needs Docker or the user's build settings.
      build: {
        logRetention: this.buildOptions.logRetention,
        environmentVariables: { FUNCTION_NAME: fn.functionName, PACKAGE_BUCKET: this.artifactBucket.bucketName, PACKAGE_KEY: packageKey },
      },
      description: `Publishes a new version of the function of ${environment.name} for its traffic hooks and deploy action`,
    });
    project.addToRolePolicy(new iam.PolicyStatement({
      sid: 'UpdateAndPublishTheFunction',
      actions: ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration'],
      resources: [fn.functionArn],
    }));
    // The upload, and Lambda's read of it on the caller's behalf (UpdateFunctionCode from S3
    // reads the object with the caller's permissions, key included).
    project.addToRolePolicy(new iam.PolicyStatement({
      sid: 'UploadThePackage',
      actions: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'],
      resources: [this.artifactBucket.arnForObjects(packageKey)],
    }));
    this.encryptionKey.grant(project, 'kms:GenerateDataKey', 'kms:Decrypt');
    return new actions.CodeBuildAction({
      actionName: 'Publish',
      project,
      input: this.buildOutput,
      runOrder: HOOKED_RUN_ORDER.publish,
      variablesNamespace: publishNamespace(environment),
    });
  }

  /**
   * A traffic hook: a Lambda invoke action that calls `hook` with the deployed function's name,
   * its alias and the published version.
   */
  private hookAction(environment: LambdaEnvironment, actionName: string, hook: lambda.IFunction, runOrder: number): codepipeline.IAction {
    const alias = environment.deployment.alias;
    return new actions.LambdaInvokeAction({
      actionName,
      lambda: hook,
      runOrder,
      userParameters: {
        functionName: alias.version.lambda.functionName,
        alias: alias.aliasName,
        version: this.publishedVersion(environment),
      },
    });
  }

  /**
   * The buildspec: the user's install, test and build commands, a check that they left a
   * package in `packageDirectory`, and the package's files as the build output (the root of
   * the output artifact is the root of the function's code).
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    const dir = shellQuote(this.packageDirectory);
    return {
      build: [
        `[ -n "$(ls -A ${dir} 2>/dev/null)" ] || { echo "The deployment package directory" ${dir} "is missing or empty:" ` +
          '"the build commands must write the function\'s code there (LambdaPipeline packageDirectory)" >&2; exit 1; }',
      ],
      artifactFiles: ['**/*'],
      artifactBaseDirectory: this.packageDirectory,
    };
  }
}

/**
 * A stage rollback returns to the last execution that completed the stage with the current
 * pipeline definition. On the first run after the pipeline is created or changed there is
 * none: a failing post-traffic hook then only fails the stage and the alias keeps serving the
 * new version. Say so at synth, since nothing in the template can.
 */
function warnFirstRunRollback(scope: Construct, prop: string, env: LambdaEnvironment, notified: boolean): void {
  if (!env.deployment.hooks?.postTraffic) {
    return;
  }
  const alias = env.deployment.alias;
  warn(scope, 'LambdaHooksFirstRunRollback',
    `${prop} ("${env.name}"): a failing postTraffic hook rolls the stage back only to an execution that completed it since the ` +
    'pipeline was last created or changed; on the first run after a pipeline change there is none, so the stage fails and ' +
    `${alias.node.path} stays on the new version. ` +
    (notified ? 'The stage failure is announced through notifications; ' : 'Set notifications to be told of the failure; ') +
    'move the alias back yourself (aws lambda update-alias --function-name <function> --name <alias> --function-version <previous>)');
}

/** The variables namespace of an environment's publish step. */
function publishNamespace(environment: LambdaEnvironment): string {
  return `${environment.name}Publish`;
}

/**
 * Two environments must not deploy one function: the deploy action updates the function's
 * code ($LATEST) before it moves the alias, so they would share untested code and configuration.
 */
function validateOneFunctionPerEnvironment(scope: Construct, environments: LambdaEnvironment[]): void {
  const shared = findSharedWorkload(environments, (a, b) => sameFunction(a.deployment.alias, b.deployment.alias));
  if (shared) {
    const [env, other] = [environments[shared[0]], environments[shared[1]]];
    const fn = env.deployment.alias.version.lambda;
    fail(scope, `environments[${shared[0]}].deployment.alias`,
      `deploys the same function as environments[${shared[1]}] ("${other.name}"), got ${env.deployment.alias.node.path} and ${other.deployment.alias.node.path} of ${fn.node.path}`,
      'give each environment its own function: the deploy action replaces the function\'s code before it moves the alias, so environments that share a function share untested code');
  }
}

/** Whether two aliases belong to the same function, as far as synth can tell. */
function sameFunction(a: lambda.IAlias, b: lambda.IAlias): boolean {
  const fa = a.version.lambda;
  const fb = b.version.lambda;
  if (fa === fb || fa.node === fb.node) {
    return true;
  }
  if (!Token.isUnresolved(fa.functionArn) && fa.functionArn === fb.functionArn) {
    return true;
  }
  // Imported by name: the same literal name in the same account and region.
  return !Token.isUnresolved(fa.functionName) && fa.functionName === fb.functionName &&
    fa.env.account === fb.env.account && fa.env.region === fb.env.region;
}
