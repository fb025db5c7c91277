import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LambdaDeploymentBinding } from './lambda-deployment';
import { createHardenedProject } from '../core/build-project';
import { allow } from '../core/statement';
import { warn } from '../core/validation';

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
export function createPublishAction(pipeline: Construct, context: HookedStageContext): actions.CodeBuildAction {
  const fn = context.binding.fn;
  const scope = new Construct(pipeline, `${context.environmentName}Publish`);
  const name = '"$FUNCTION_NAME"';
  // One key per environment: each upload makes the previous package a non-current version,
  // which the artifact store's lifecycle rule expires.
  const packageKey = `${PACKAGE_PREFIX}/${context.environmentName}/package.zip`;
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
    encryptionKey: context.encryptionKey,
    // The standard image has the AWS CLI and zip; nothing here needs Docker or the user's build settings.
    build: {
      environmentVariables: { FUNCTION_NAME: fn.functionName, PACKAGE_BUCKET: context.artifactBucket.bucketName, PACKAGE_KEY: packageKey },
    },
    description: `Publishes a new version of the function of ${context.environmentName} for its traffic hooks and deploy action`,
  });
  project.addToRolePolicy(allow('UpdateAndPublishTheFunction', ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration'],
    [fn.functionArn]));
  // The upload, and Lambda's read of it on the caller's behalf (UpdateFunctionCode from S3
  // reads the object with the caller's permissions, key included).
  project.addToRolePolicy(allow('UploadThePackage', ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'],
    [context.artifactBucket.arnForObjects(packageKey)]));
  context.encryptionKey.grant(project, 'kms:GenerateDataKey', 'kms:Decrypt');
  return new actions.CodeBuildAction({
    actionName: 'Publish',
    project,
    input: context.input,
    runOrder: HOOKED_RUN_ORDER.publish,
    variablesNamespace: publishNamespace(context.environmentName),
  });
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
