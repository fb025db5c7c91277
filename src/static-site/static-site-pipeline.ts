import { Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CacheControlOptions, resolveCacheControl, ResolvedCacheControl } from './cache-control';
import { PostDeployCheckOptions, resolvePostDeployCheck, warnIfMissingPagesAnswer200 } from './post-deploy-check';
import { createSiteDeployStep } from './site-deploy-step';
import { StaticSiteTarget } from './static-site-target';
import { BuildSpecExtras, rejectPipelineVariable } from '../core/build';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { EnvironmentOptions, findSharedWorkload, validateEnvironments } from '../core/environment';
import { callHook } from '../core/hooks';
import { shellQuote } from '../core/shell';
import { fail, show, validateRelativePath, warn } from '../core/validation';

/** Where the build leaves the site unless `outputDirectory` says otherwise. */
const DEFAULT_OUTPUT_DIRECTORY = 'dist';
/** The build variable that names the output directory. */
const OUTPUT_DIRECTORY_VARIABLE = 'OUTPUT_DIRECTORY';

/**
 * One environment of a `StaticSitePipeline`.
 */
export interface StaticSiteEnvironment extends EnvironmentOptions {
  /**
   * Where the site goes, e.g. `StaticSiteTarget.fromHosting(hosting)` or
   * `StaticSiteTarget.fromBucket(bucket, { distribution })`. Each environment needs its own bucket.
   */
  readonly target: StaticSiteTarget;
  /**
   * What is checked once the release is live. When the check fails, the previous release of
   * this environment is put back and the pipeline stops.
   *
   * @default - no check: only a failed upload or invalidation puts the previous release back
   */
  readonly postDeployCheck?: PostDeployCheckOptions;
}

/**
 * Properties of a `StaticSitePipeline`.
 */
export interface StaticSitePipelineProps extends DeliveryPipelineProps {
  /**
   * The environments, in deployment order; one stage each.
   */
  readonly environments: StaticSiteEnvironment[];
  /**
   * Directory, relative to the repository root, where the build commands leave the site: its
   * contents become the root of the bucket (e.g. `index.html`, `assets/`). The build fails when
   * the directory is missing or empty. Also given to the build as `$OUTPUT_DIRECTORY`.
   *
   * @default 'dist'
   */
  readonly outputDirectory?: string;
  /**
   * The `Cache-Control` headers of HTML, fingerprinted assets and other files.
   *
   * @default - HTML 'no-cache, must-revalidate'; assets under assets/, static/js|css|media/ and
   * _next/static/ 'public, max-age=31536000, immutable'; other files 'public, max-age=0, must-revalidate'
   */
  readonly cacheControl?: CacheControlOptions;
}

/**
 * A complete delivery pipeline for a static web site on S3 and CloudFront:
 * Source → Build & test (the build commands write the site) → per environment: approval? →
 * deploy (upload with cache headers, invalidation, post-deploy check, rollback on failure).
 *
 * Each environment's deploy step is an unprivileged CodeBuild project whose role may write and
 * delete only in that environment's bucket, invalidate only its distribution, and keep release
 * archives only under `releases/<pipeline id>/<environment>/` of the artifact bucket. It
 * archives the release, uploads fingerprinted assets, then the other files, then HTML (so no
 * page goes live before the files it references), deletes files the release no longer has,
 * invalidates the distribution and runs the post-deploy check. When anything after the first
 * upload fails, the last release that passed its check is uploaded again the same way and the
 * step fails, so the pipeline stops red with the previous site live.
 */
export class StaticSitePipeline extends DeliveryPipeline {
  /** Directory of the build output that holds the site. */
  public readonly outputDirectory: string;
  /** The resolved Cache-Control settings every environment uses. */
  private readonly cacheControl: ResolvedCacheControl;
  private readonly environments: StaticSiteEnvironment[];

  constructor(scope: Construct, id: string, props: StaticSitePipelineProps) {
    super(scope, id, props);
    validateEnvironments(this, props.environments);
    props.environments.forEach((env, i) => {
      if (!(env.target instanceof StaticSiteTarget)) {
        fail(this, `environments[${i}].target`, `must be created by a StaticSiteTarget factory, got ${show(env.target)}`,
          'use StaticSiteTarget.fromHosting(hosting) or StaticSiteTarget.fromBucket(bucket, { distribution })');
      }
      env.target._validate(this, `environments[${i}].target`);
      resolvePostDeployCheck(this, `environments[${i}].postDeployCheck`, env.postDeployCheck);
      warnIfMissingPagesAnswer200(this, `environments[${i}].postDeployCheck`, env.postDeployCheck, env.target.distribution);
    });
    validateOneBucketPerEnvironment(this, props.environments);
    validateRelativePath(this, 'outputDirectory', props.outputDirectory);
    this.cacheControl = resolveCacheControl(this, 'cacheControl', props.cacheControl);
    if (props.outputDirectory !== undefined && this.buildOptions.repositoryBuildSpec) {
      warn(this, 'OutputDirectoryIgnored',
        `outputDirectory is ignored because buildOptions.repositoryBuildSpec is given: ${this.buildOptions.repositoryBuildSpec} must declare the site as its artifacts`);
    }
    if (props.executionMode === codepipeline.ExecutionMode.PARALLEL) {
      warn(this, 'StaticSiteParallelExecutions',
        'executionMode is PARALLEL: two executions may deploy the same site at once, and a rollback may restore a release another execution has just replaced. Use QUEUED (the default).');
    }
    rejectPipelineVariable(this, this.buildOptions, OUTPUT_DIRECTORY_VARIABLE, 'is set by the pipeline itself (from outputDirectory)',
      'set outputDirectory instead, or choose another variable name');
    this.outputDirectory = props.outputDirectory ?? DEFAULT_OUTPUT_DIRECTORY;
    this.environments = props.environments;
  }

  /** The Build stage (which writes the site) and one stage per environment. */
  protected addStages(): void {
    this.addBuildStage({ [OUTPUT_DIRECTORY_VARIABLE]: { value: this.outputDirectory } });
    for (const env of this.environments) {
      this.addEnvironmentStage(env, [callHook(this, 'createDeployAction', () => this.createDeployAction(env))]);
    }
  }

  /**
   * Hook: create the deploy action of one environment. The default is a CodeBuild action that
   * runs the environment's own deploy project (created in the scope `<environment>Deploy`):
   * upload with cache headers, invalidation, post-deploy check, rollback on failure. Override to
   * deploy differently; return an action with `runOrder` 2 or more.
   *
   * @param environment the environment
   */
  protected createDeployAction(environment: StaticSiteEnvironment): codepipeline.IAction {
    const step = createSiteDeployStep(new Construct(this, `${environment.name}Deploy`), {
      pipeline: this,
      environmentName: environment.name,
      target: environment.target,
      cacheControl: this.cacheControl,
      check: resolvePostDeployCheck(this, `environments[${environment.name}].postDeployCheck`, environment.postDeployCheck),
      input: this.buildOutput,
      releaseBucket: this.artifactBucket,
      encryptionKey: this.encryptionKey,
      sourceRevision: this.sourceRevision,
      logRetention: this.buildOptions.logRetention,
      runOrder: 2,
    });
    return step.action;
  }

  /**
   * The buildspec: the user's install, test and build commands, a check that they left a site
   * in `outputDirectory`, and the site's files as the build output (the root of the output
   * artifact is the root of the bucket).
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    const dir = shellQuote(this.outputDirectory);
    return {
      build: [
        `[ -n "$(ls -A ${dir} 2>/dev/null)" ] || { echo "The site directory" ${dir} "is missing or empty:" ` +
          '"the build commands must write the site there (StaticSitePipeline outputDirectory)" >&2; exit 1; }',
      ],
      artifactFiles: ['**/*'],
      artifactBaseDirectory: this.outputDirectory,
    };
  }
}

/** Two environments must not share a bucket: each deploy deletes what its release lacks. */
function validateOneBucketPerEnvironment(scope: Construct, environments: StaticSiteEnvironment[]): void {
  const shared = findSharedWorkload(environments, (a, b) => sameBucket(a.target.bucket, b.target.bucket));
  if (shared) {
    const [env, other] = [environments[shared[0]], environments[shared[1]]];
    fail(scope, `environments[${shared[0]}].target.bucket`,
      `is the bucket of environments[${shared[1]}] ("${other.name}") as well, got ${env.target.bucket.node.path}`,
      'give each environment its own bucket: every deploy deletes the files its release does not have, so environments that share a bucket overwrite each other');
  }
}

function sameBucket(a: s3.IBucket, b: s3.IBucket): boolean {
  if (a === b || a.node === b.node) {
    return true;
  }
  return !Token.isUnresolved(a.bucketName) && a.bucketName === b.bucketName;
}
