import { Duration, Names } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ResolvedCacheControl } from './cache-control';
import { DEPLOY_VARIABLES as V, deployCommand } from './deploy-script';
import { CHECK_DEFAULTS, ResolvedPostDeployCheck } from './post-deploy-check';
import { StaticSiteTargetBinding } from './static-site-target';
import { createHardenedProject } from '../core/build-project';
import { allow } from '../core/statement';

/** Limits of the deploy step (private). @internal */
export const DEPLOY_STEP = {
  /** Upload, invalidation (up to `invalidationTimeout`), check; the same again on rollback. */
  timeout: Duration.minutes(45),
  /**
   * How long the step waits for an invalidation before it warns and goes on (twice within
   * `timeout` on a rollback). CloudFront usually completes one within minutes.
   */
  invalidationTimeout: Duration.minutes(15),
  /** Seconds between two `get-invalidation` polls (the CLI waiter's interval). */
  invalidationPollSeconds: 20,
  /** Release archives kept per environment (the last good one is always among them). */
  releasesKept: 10,
  /** Prefix of the release archives in the artifact bucket. */
  releasePrefix: 'releases',
} as const;

/** What one environment's deploy step needs. @internal */
export interface SiteDeployStepProps {
  /** The pipeline: its unique id keeps its releases apart from other pipelines' in a shared store. */
  readonly pipeline: Construct;
  readonly environmentName: string;
  readonly target: StaticSiteTargetBinding;
  readonly cacheControl: ResolvedCacheControl;
  readonly check?: ResolvedPostDeployCheck;
  /** The build output: the site. */
  readonly input: codepipeline.Artifact;
  /** Where the release archives go (the pipeline's artifact bucket) and its key. */
  readonly releaseBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** Pipeline variable with the revision being deployed (recorded on the release archive). */
  readonly sourceRevision: string;
  readonly runOrder: number;
}

/** The deploy step of one environment: its project and the pipeline action that runs it. @internal */
export interface SiteDeployStep {
  readonly project: codebuild.PipelineProject;
  readonly action: actions.CodeBuildAction;
}

/**
 * The key prefix of an environment's release archives, e.g.
 * `releases/WebStackPipeline1A2B3C4D/Production/`: one per pipeline (an artifact store may be
 * shared) and environment. @internal
 */
export function releasePrefix(pipeline: Construct, environmentName: string): string {
  return `${DEPLOY_STEP.releasePrefix}/${Names.uniqueId(pipeline)}/${environmentName}/`;
}

/**
 * Create the deploy step of one environment in `scope`: a hardened, unprivileged CodeBuild
 * project that runs the deploy script, with a role that may write and delete only in the site
 * bucket, invalidate only the distribution, and keep releases only under
 * `releases/<pipeline>/<environment>/` of the artifact bucket. @internal
 */
export function createSiteDeployStep(scope: Construct, props: SiteDeployStepProps): SiteDeployStep {
  const { target, cacheControl, check } = props;
  const prefix = releasePrefix(props.pipeline, props.environmentName);
  const variables: { [name: string]: string } = {
    [V.siteBucket]: target.bucket.bucketName,
    [V.releaseBucket]: props.releaseBucket.bucketName,
    [V.releasePrefix]: prefix,
    [V.releasesKept]: `${DEPLOY_STEP.releasesKept}`,
    [V.cacheControlHtml]: cacheControl.html,
    [V.cacheControlFingerprinted]: cacheControl.fingerprintedAssets,
    [V.cacheControlOther]: cacheControl.otherFiles,
  };
  if (cacheControl.fingerprintedPaths.length > 0) {
    variables[V.fingerprintedPaths] = cacheControl.fingerprintedPaths.join('\n');
  }
  if (target.distribution) {
    variables[V.distributionId] = target.distribution.distributionId;
    variables[V.invalidationTimeoutSeconds] = `${DEPLOY_STEP.invalidationTimeout.toSeconds()}`;
    variables[V.invalidationPollSeconds] = `${DEPLOY_STEP.invalidationPollSeconds}`;
  }
  if (check) {
    variables[V.checkUrls] = check.urls.join('\n');
    variables[V.checkExpectedStatus] = `${check.expectedStatus}`;
    variables[V.checkAttempts] = `${check.attempts}`;
    variables[V.checkIntervalSeconds] = `${CHECK_DEFAULTS.intervalSeconds}`;
  }

  const project = createHardenedProject(scope, 'Project', {
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      env: { shell: 'bash' },
      phases: { build: { commands: [deployCommand()] } },
    }),
    encryptionKey: props.encryptionKey,
    // The standard image has the AWS CLI, zip, unzip and curl; nothing here needs Docker.
    build: { environmentVariables: variables },
    neededTimeout: DEPLOY_STEP.timeout,
    description: `Deploys the static site to ${props.environmentName}: upload with cache headers, invalidation, post-deploy check, rollback on failure`,
  });
  grantDeploy(project, props, prefix);

  const action = new actions.CodeBuildAction({
    actionName: 'Deploy',
    project,
    input: props.input,
    runOrder: props.runOrder,
    environmentVariables: {
      [V.releaseId]: { value: '#{codepipeline.PipelineExecutionId}' },
      [V.sourceRevision]: { value: props.sourceRevision },
    },
  });
  return { project, action };
}

/** The deploy role's permissions, each statement on the one resource it needs. */
function grantDeploy(project: codebuild.PipelineProject, props: SiteDeployStepProps, prefix: string): void {
  const { bucket, distribution } = props.target;
  project.addToRolePolicy(allow('ListTheSiteBucket', ['s3:ListBucket'], [bucket.bucketArn]));
  project.addToRolePolicy(allow('WriteAndDeleteSiteFiles', ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    [bucket.arnForObjects('*')]));
  if (bucket.encryptionKey) {
    // SSE-KMS uploads: a data key per object, and Decrypt to complete multipart uploads.
    bucket.encryptionKey.grant(project, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
  if (distribution) {
    project.addToRolePolicy(allow('InvalidateTheDistribution', ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      [distribution.distributionArn]));
  }
  project.addToRolePolicy(allow('KeepTheEnvironmentReleases', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    [props.releaseBucket.arnForObjects(`${prefix}*`)]));
  project.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ListTheEnvironmentReleases',
    actions: ['s3:ListBucket'],
    resources: [props.releaseBucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  }));
  // The archives are encrypted with the pipeline key, which the project already uses (and may
  // encrypt and decrypt with) for its own artifacts and logs.
}
