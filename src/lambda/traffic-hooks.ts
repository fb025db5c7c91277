import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LambdaDeploymentBinding } from './lambda-deployment';
import { grantArtifactRead } from '../core/artifact-grant';
import { createHardenedProject } from '../core/build-project';
import { libraryStepOnLambda } from '../core/lambda-compute';
import { allow, sidFor } from '../core/statement';
import { differs, targetScope } from '../core/target-environment';
import { fail, warn } from '../core/validation';

// The stage of an environment whose deployment has traffic hooks: publish → pre-traffic hook? →
// shift (the deploy action) → post-traffic hook?.

/** The variable the publish step of an environment with hooks exports: the published version. */
const FUNCTION_VERSION_VARIABLE = 'FUNCTION_VERSION';
/** Where the publish steps upload the packages, in the artifact bucket. */
const PACKAGE_PREFIX = 'lambda-packages';
/** Run orders of an environment's stage with hooks (the approval, when there is one, runs first). @internal */
export const HOOKED_RUN_ORDER = { publish: 2, preTraffic: 3, deploy: 4, postTraffic: 5 } as const;

/** What the publish step and the hook actions of one environment need. @internal */
export interface HookedStageContext {
  readonly environmentName: string;
  readonly binding: LambdaDeploymentBinding;
  /** The build output: the function's code. */
  readonly input: codepipeline.Artifact;
  readonly artifactBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
}

/** The version an environment's publish step published, as a pipeline variable reference. @internal */
export function publishedVersion(environmentName: string): string {
  return `#{${publishNamespace(environmentName)}.${FUNCTION_VERSION_VARIABLE}}`;
}

/**
 * The publish step of an environment with hooks: a hardened, unprivileged CodeBuild project
 * that uploads the build output to the artifact bucket (`lambda-packages/<environment>/package.zip`),
 * makes it the function's code, waits for the update and publishes a version, exported as
 * `FUNCTION_VERSION`. Its role may update, publish and read only this function (unqualified),
 * and write and read only that object.
 */
export function createPublishAction(pipeline: Construct, context: HookedStageContext): codepipeline.IAction {
  if (context.binding.target.stack !== Stack.of(pipeline)) {
    return createRemotePublishAction(pipeline, context);
  }
  const fn = context.binding.fn;
  const scope = new Construct(pipeline, `${context.environmentName}Publish`);
  // One key per environment: each upload makes the previous package a non-current version,
  // which the artifact store's lifecycle rule expires.
  const packageKey = packageKeyOf(context.environmentName);
  const project = createHardenedProject(scope, 'Project', {
    buildSpec: publishBuildSpec(),
    encryptionKey: context.encryptionKey,
    // AWS CLI and Python only: no Docker, no cache, seconds of work (the update waiter gives up
    // after 5 minutes), so Lambda compute where the region offers it.
    build: {
      environmentVariables: { FUNCTION_NAME: fn.functionName, PACKAGE_BUCKET: context.artifactBucket.bucketName, PACKAGE_KEY: packageKey },
    },
    lambdaCompute: libraryStepOnLambda(scope),
    description: `Publishes a new version of the function of ${context.environmentName} for its traffic hooks and deploy action`,
  });
  allowPublish(project, fn);
  // The upload, and Lambda's read of it on the caller's behalf (UpdateFunctionCode from S3
  // reads the object with the caller's permissions, key included).
  project.addToRolePolicy(allow('UploadThePackage', PACKAGE_ACTIONS, [context.artifactBucket.arnForObjects(packageKey)]));
  context.encryptionKey.grant(project, 'kms:GenerateDataKey', 'kms:Decrypt');
  return new actions.CodeBuildAction({
    actionName: 'Publish',
    project,
    input: context.input,
    runOrder: HOOKED_RUN_ORDER.publish,
    variablesNamespace: publishNamespace(context.environmentName),
  });
}

/** What the publish step does with the package object: upload it, and let Lambda read it as the caller. */
const PACKAGE_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'];

/** The package object of an environment, in the artifact bucket of its region. */
function packageKeyOf(environmentName: string): string {
  return `${PACKAGE_PREFIX}/${environmentName}/package.zip`;
}

/**
 * The publish step's buildspec: zip the input, upload it to `$PACKAGE_BUCKET`/`$PACKAGE_KEY`,
 * make it the code of `$FUNCTION_NAME`, wait for the update and publish a version.
 */
function publishBuildSpec(): codebuild.BuildSpec {
  const name = '"$FUNCTION_NAME"';
  return codebuild.BuildSpec.fromObject({
    version: '0.2',
    env: { 'shell': 'bash', 'exported-variables': [FUNCTION_VERSION_VARIABLE] },
    phases: {
      build: {
        commands: [
          // Python's zipfile, not zip: the Lambda compute images have no zip (file modes are kept).
          'cd "$CODEBUILD_SRC_DIR" && python3 -m zipfile -c /tmp/package.zip .',
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
  });
}

/** The publish role may update, publish and read only the deployed function (unqualified). */
function allowPublish(project: codebuild.IProject, fn: lambda.IFunction): void {
  project.addToRolePolicy(allow('UpdateAndPublishTheFunction', ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration'],
    [fn.functionArn]));
}

/**
 * The publish step of an environment in another account or region than the pipeline: the same
 * project, created in the function's account and region (its stack, or the library's support
 * stack there), so it calls Lambda as a principal of that account; CodePipeline runs it there
 * with an action role aws-cdk-lib creates in that account. It has no output artifact (a
 * cross-account CodeBuild action cannot have one, aws/aws-cdk#4169): the version is an exported
 * variable. It uploads the package to the artifact bucket of the function's region (Lambda reads
 * code only from a bucket of its own region): the pipeline's, or its replication bucket there.
 * Its logs are encrypted with a key of its own account and region (CloudWatch Logs uses only
 * keys of the log group's region; the pipeline key cannot be named across accounts).
 */
function createRemotePublishAction(pipeline: Construct, context: HookedStageContext): codepipeline.IAction {
  const fn = context.binding.fn;
  const scope = targetScope(pipeline, context.binding.target, `${context.environmentName}Publish`);
  const key = new kms.Key(scope, 'LogKey', {
    description: `Encrypts the logs of the publish step of ${context.environmentName} (${pipeline.node.path})`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const packageKey = packageKeyOf(context.environmentName);
  // The bucket of the action's region is known when the action is bound to the pipeline.
  let packageBucket: s3.IBucket | undefined;
  const project = createHardenedProject(scope, 'Project', {
    buildSpec: publishBuildSpec(),
    encryptionKey: key,
    build: {
      environmentVariables: {
        FUNCTION_NAME: fn.functionName,
        PACKAGE_BUCKET: Lazy.string({ produce: () => packageBucket?.bucketName ?? fail(pipeline, `environments["${context.environmentName}"]`, 'has a publish step that was never bound to the pipeline', 'add its action to the pipeline') }),
        PACKAGE_KEY: packageKey,
      },
    },
    lambdaCompute: libraryStepOnLambda(scope),
    description: `Publishes a new version of the function of ${context.environmentName} for its traffic hooks and deploy action`,
  });
  allowPublish(project, fn);
  return new RemotePublishAction({
    actionName: 'Publish',
    project,
    input: context.input,
    runOrder: HOOKED_RUN_ORDER.publish,
    variablesNamespace: publishNamespace(context.environmentName),
    onBind: (bindScope, bucket) => {
      packageBucket = bucket;
      grantPackageUpload(bindScope, project.role!, bucket, packageKey);
      grantArtifactRead(bindScope, project.role!, bucket, { codeBuildProject: true });
    },
  });
}

interface RemotePublishActionProps extends codepipeline.CommonAwsActionProps {
  readonly project: codebuild.IProject;
  readonly input: codepipeline.Artifact;
  readonly onBind: (scope: Construct, bucket: s3.IBucket) => void;
}

/**
 * A CodeBuild action (provider CodeBuild) of a project in another account or region, with the
 * library's artifact grants instead of aws-cdk-lib's (which would give the project role
 * `kms:Decrypt` on "*" across accounts and name the pipeline key in the project).
 */
class RemotePublishAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: RemotePublishActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      variablesNamespace: props.variablesNamespace,
      category: codepipeline.ActionCategory.BUILD,
      provider: 'CodeBuild',
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      // The project's account and region: aws-cdk-lib creates the action role there.
      resource: props.project,
    };
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    options.role.addToPrincipalPolicy(allow('RunThePublishStep', ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], [this.props.project.projectArn]));
    this.props.onBind(scope, options.bucket);
    return { configuration: { ProjectName: this.props.project.projectName } };
  }
}

/**
 * Let the publish step's `role` upload the package to `bucket` and read it back (Lambda reads it
 * with the caller's permissions): that one object, and the bucket's key only through S3. Across
 * accounts the bucket and key policies must allow it too, and name this role alone.
 */
function grantPackageUpload(scope: Construct, role: iam.IRole, bucket: s3.IBucket, packageKey: string): void {
  const bucketStack = Stack.of(bucket);
  const roleStack = Stack.of(role);
  const object = bucket.arnForObjects(packageKey);
  const key = bucket.encryptionKey;
  const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${bucketStack.region}.amazonaws.com` } };
  role.addToPrincipalPolicy(allow('UploadThePackage', PACKAGE_ACTIONS, [object]));
  if (!differs(roleStack.account, bucketStack.account) && !differs(roleStack.region, bucketStack.region)) {
    key?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    return;
  }
  if (differs(roleStack.account, bucketStack.account)) {
    const added = bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: sidFor('UploadPackage', role),
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: PACKAGE_ACTIONS,
      resources: [object],
    })).statementAdded;
    const keyAdded = key?.addToResourcePolicy(new iam.PolicyStatement({
      sid: sidFor('EncryptPackage', role),
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: viaS3,
    })).statementAdded;
    if (!added || (key && !keyAdded)) {
      fail(scope, 'artifactStore', `cannot let ${role.node.path} in account ${roleStack.account} upload the package: the ${!added ? 'bucket' : 'key'} is imported, so its policy cannot be amended`,
        'use an ArtifactStore created in the pipeline\'s stack (new ArtifactStore(...)), or the pipeline\'s own store');
    }
  }
  if (key) {
    // The key's id cannot be named across accounts or regions; its policy admits this role.
    role.addToPrincipalPolicy(allow('EncryptThePackage', ['kms:GenerateDataKey', 'kms:Decrypt'],
      [bucketStack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })], viaS3));
  }
}

/**
 * A traffic hook: a Lambda invoke action that calls `hook` with the deployed function's name,
 * its alias and the published version.
 */
export function createHookAction(context: HookedStageContext, actionName: string, hook: lambda.IFunction, runOrder: number): codepipeline.IAction {
  const alias = context.binding.alias;
  return new actions.LambdaInvokeAction({
    actionName,
    lambda: hook,
    runOrder,
    userParameters: {
      functionName: alias.version.lambda.functionName,
      alias: alias.aliasName,
      version: publishedVersion(context.environmentName),
    },
  });
}

/**
 * A stage rollback returns to the last execution that completed the stage with the current
 * pipeline definition. On the first run after the pipeline is created or changed there is
 * none: a failing post-traffic hook then only fails the stage and the alias keeps serving the
 * new version. Say so at synth, since nothing in the template can.
 */
export function warnFirstRunRollback(
  scope: Construct, prop: string, environmentName: string, binding: LambdaDeploymentBinding, notified: boolean,
): void {
  if (!binding.hooks?.postTraffic) {
    return;
  }
  const alias = binding.alias;
  warn(scope, 'LambdaHooksFirstRunRollback',
    `${prop} ("${environmentName}"): a failing postTraffic hook rolls the stage back only to an execution that completed it since the ` +
    'pipeline was last created or changed; on the first run after a pipeline change there is none, so the stage fails and ' +
    `${alias.node.path} stays on the new version. ` +
    (notified ? 'The stage failure is announced through notifications; ' : 'Set notifications to be told of the failure; ') +
    'move the alias back yourself (aws lambda update-alias --function-name <function> --name <alias> --function-version <previous>)');
}

/** The variables namespace of an environment's publish step. */
function publishNamespace(environmentName: string): string {
  return `${environmentName}Publish`;
}
