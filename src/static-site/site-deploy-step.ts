import { Duration, Names, Stack } from 'aws-cdk-lib';
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
import { grantArtifactRead } from '../core/artifact-grant';
import { ArtifactStore, IArtifactStore } from '../core/artifact-store';
import { createHardenedProject } from '../core/build-project';
import { libraryStepOnLambda } from '../core/lambda-compute';
import { shareBuildSpec } from '../core/shared-buildspec';
import { allow } from '../core/statement';
import { targetScope } from '../core/target-environment';

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
  /** The mapping of each stack with a deploy project that holds their buildspec (`shareBuildSpec`). */
  buildSpecMapping: 'CdkDeliveryPipelinesSiteDeploy',
} as const;

/** The deploy step's buildspec: the deploy script, in bash. @internal */
export function deployBuildSpec(): { [key: string]: any } {
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: { build: { commands: [deployCommand()] } },
  };
}

/**
 * The deploy step on CodeBuild Lambda compute, where every build ends after 15 minutes
 * (`LAMBDA_COMPUTE_LIMIT`), rollback included: it waits less for the invalidation (a slow one
 * only warns, see the deploy script), and runs there only when its worst case fits. @internal
 */
export const LAMBDA_DEPLOY_BUDGET = {
  /** How long the step waits for an invalidation on Lambda compute (twice on a rollback). */
  invalidationTimeout: Duration.minutes(2),
  /** One upload of the site and its archive (twice on a rollback): a site of some hundred MB. */
  upload: Duration.minutes(2),
  /** Reading the pointer and the live release, pruning, one poll interval of slack per wait. */
  fixed: Duration.minutes(1),
  /**
   * The check's `curl --max-time` per attempt on Lambda compute (30 s on EC2): a page of a
   * static site behind CloudFront that takes longer to answer fails the check anyway.
   */
  checkAttemptSeconds: 10,
  /** What the worst case must stay under: the 15-minute limit less a minute of margin. */
  limit: Duration.minutes(14),
} as const;

/**
 * The deploy step's worst case on Lambda compute, in seconds: the fixed part, then the release
 * and its rollback, each an upload, an invalidation wait and every check attempt failing. @internal
 */
export function lambdaDeployWorstCaseSeconds(hasDistribution: boolean, check: ResolvedPostDeployCheck | undefined): number {
  const b = LAMBDA_DEPLOY_BUDGET;
  const checkSeconds = check
    ? check.urls.length * (check.attempts * b.checkAttemptSeconds + (check.attempts - 1) * CHECK_DEFAULTS.intervalSeconds)
    : 0;
  const once = b.upload.toSeconds() + (hasDistribution ? b.invalidationTimeout.toSeconds() : 0) + checkSeconds;
  return b.fixed.toSeconds() + 2 * once;
}

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
  /**
   * Where the release archives go (the pipeline's artifact bucket) and its key, for a target in
   * the pipeline's account and region. A target elsewhere keeps them in a store of its own
   * account and region (`releaseStoreOf`), which also encrypts the project's logs.
   */
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
 * `releases/<pipeline>/<environment>/` of the release bucket.
 *
 * For a bucket in another account or region the project, its role and its release store are
 * created in the bucket's account and region (`targetScope`): every permission on the site is
 * then one of the role's own account, and the pipeline only starts the build (through the action
 * role aws-cdk-lib creates in that account). @internal
 */
export function createSiteDeployStep(scope: Construct, props: SiteDeployStepProps): SiteDeployStep {
  const { target, cacheControl, check } = props;
  const home = targetScope(scope, target.target, 'Target');
  const remote = home !== scope;
  // The pipeline's key and bucket cannot be named from another account (no physical name), and
  // CloudWatch Logs and S3 need a key of their own region.
  const store: IArtifactStore = remote ? releaseStoreOf(props.pipeline, target) : { bucket: props.releaseBucket, encryptionKey: props.encryptionKey };
  const prefix = releasePrefix(props.pipeline, props.environmentName);
  const variables: { [name: string]: string } = {
    [V.siteBucket]: target.bucket.bucketName,
    [V.releaseBucket]: store.bucket.bucketName,
    [V.releasePrefix]: prefix,
    [V.releasesKept]: `${DEPLOY_STEP.releasesKept}`,
    [V.cacheControlHtml]: cacheControl.html,
    [V.cacheControlFingerprinted]: cacheControl.fingerprintedAssets,
    [V.cacheControlOther]: cacheControl.otherFiles,
  };
  if (cacheControl.fingerprintedPaths.length > 0) {
    variables[V.fingerprintedPaths] = cacheControl.fingerprintedPaths.join('\n');
  }
  // Lambda compute (starts in seconds, not an EC2 container's 20-60) where the region offers it
  // and the worst case, rollback included, fits in its 15 minutes; else a small EC2 container.
  const worstCase = lambdaDeployWorstCaseSeconds(target.distribution !== undefined, check);
  const lambdaCompute = libraryStepOnLambda(home) && worstCase <= LAMBDA_DEPLOY_BUDGET.limit.toSeconds();
  const invalidationTimeout = lambdaCompute ? LAMBDA_DEPLOY_BUDGET.invalidationTimeout : DEPLOY_STEP.invalidationTimeout;
  if (target.distribution) {
    variables[V.distributionId] = target.distribution.distributionId;
    variables[V.invalidationTimeoutSeconds] = `${invalidationTimeout.toSeconds()}`;
    variables[V.invalidationPollSeconds] = `${DEPLOY_STEP.invalidationPollSeconds}`;
  }
  if (check) {
    variables[V.checkUrls] = check.urls.join('\n');
    variables[V.checkExpectedStatus] = `${check.expectedStatus}`;
    variables[V.checkAttempts] = `${check.attempts}`;
    variables[V.checkIntervalSeconds] = `${CHECK_DEFAULTS.intervalSeconds}`;
    if (lambdaCompute) {
      variables[V.checkMaxTimeSeconds] = `${LAMBDA_DEPLOY_BUDGET.checkAttemptSeconds}`;
    }
  }

  const project = createHardenedProject(home, 'Project', {
    buildSpec: codebuild.BuildSpec.fromObject(deployBuildSpec()),
    encryptionKey: store.encryptionKey,
    // bash, the AWS CLI, python3 and curl (both images); nothing here needs Docker or a cache.
    build: { environmentVariables: variables },
    // Lambda compute has no timeout setting (15 minutes, which the budget fits).
    neededTimeout: lambdaCompute ? undefined : DEPLOY_STEP.timeout,
    lambdaCompute,
    description: `Deploys the static site to ${props.environmentName}: upload with cache headers, invalidation, post-deploy check, rollback on failure` +
      (lambdaCompute ? '' : libraryStepOnLambda(home)
        ? ` (EC2 container: its worst case, ${Math.ceil(worstCase / 60)} min with the rollback, exceeds Lambda compute's 15)`
        : ''),
  });
  // The same for every environment (what differs are the project's variables): once per stack.
  shareBuildSpec(project, deployBuildSpec(), DEPLOY_STEP.buildSpecMapping);
  grantDeploy(project, target, store.bucket, prefix, remote);

  const actionProps = {
    actionName: 'Deploy',
    input: props.input,
    runOrder: props.runOrder,
    environmentVariables: {
      [V.releaseId]: { value: '#{codepipeline.PipelineExecutionId}' },
      [V.sourceRevision]: { value: props.sourceRevision },
    },
  };
  const action = remote
    // A view without a role, in the project's stack (so the action runs in its account and region).
    ? new RemoteDeployAction({ ...actionProps, project: codebuild.Project.fromProjectName(home, 'ProjectView', project.projectName) }, props.pipeline, project.role!)
    : new actions.CodeBuildAction({ ...actionProps, project });
  return { project, action };
}

/**
 * The release store of a pipeline in a target's account and region: a hardened `ArtifactStore`
 * (private, versioned, SSL-only bucket with access logs; rotating key), shared by the pipeline's
 * environments there, each under its own prefix. Production's releases stay in production's
 * account. @internal
 */
export function releaseStoreOf(pipeline: Construct, target: StaticSiteTargetBinding): IArtifactStore {
  const scope = targetScope(pipeline, target.target, 'SiteReleases');
  return (scope.node.tryFindChild('Store') as ArtifactStore | undefined) ?? new ArtifactStore(scope, 'Store');
}

/**
 * The CodeBuild action of a deploy project in another account or region. aws-cdk-lib's action
 * is given a view of the project without its role: with the role it would grant it the input
 * artifacts itself (`grantRead`), which for a role of another account allows `kms:Decrypt` on
 * every key (`"*"`). The role is granted here instead, on the bucket the action reads from: the
 * pipeline's artifact bucket, or the replication bucket of the project's region, which is known
 * only when the stage binds the action.
 */
class RemoteDeployAction extends actions.CodeBuildAction {
  constructor(props: actions.CodeBuildActionProps, private readonly grantScope: Construct, private readonly deployRole: iam.IRole) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    grantArtifactRead(this.grantScope, this.deployRole, options.bucket, { codeBuildProject: true });
    return config;
  }
}

/** What the deploy role may do with the site's files. */
const SITE_FILE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/** The deploy role's permissions, each statement on the one resource it needs. */
function grantDeploy(
  project: codebuild.PipelineProject, target: StaticSiteTargetBinding, releaseBucket: s3.IBucket, prefix: string, remote: boolean,
): void {
  const { bucket, distribution } = target;
  project.addToRolePolicy(allow('ListTheSiteBucket', ['s3:ListBucket'], [bucket.bucketArn]));
  project.addToRolePolicy(allow('WriteAndDeleteSiteFiles', SITE_FILE_ACTIONS,
    [bucket.arnForObjects('*')]));
  if (bucket.encryptionKey) {
    // SSE-KMS uploads: a data key per object, and Decrypt to complete multipart uploads.
    bucket.encryptionKey.grant(project, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
  if (distribution) {
    // Elsewhere the distribution is in the project's account (validated), which its ARN names; an
    // imported distribution's own ARN names the account of the stack it was imported into.
    const distributionArn = remote
      ? Stack.of(project).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: distribution.distributionId })
      : distribution.distributionArn;
    project.addToRolePolicy(allow('InvalidateTheDistribution', ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      [distributionArn]));
  }
  project.addToRolePolicy(allow('KeepTheEnvironmentReleases', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    [releaseBucket.arnForObjects(`${prefix}*`)]));
  project.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ListTheEnvironmentReleases',
    actions: ['s3:ListBucket'],
    resources: [releaseBucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  }));
  // The archives are encrypted with the release store's key (the pipeline key in the pipeline's
  // account and region), which the project already uses (and may encrypt and decrypt with) for
  // its own artifacts and logs.
}
