import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CacheControlOptions, resolveCacheControl, ResolvedCacheControl } from './cache-control';
import { STATIC_SITE_WILDCARD_REVIEWS } from './nag-reasons';
import { PostDeployCheckOptions, resolvePostDeployCheck, ResolvedPostDeployCheck, warnIfMissingPagesAnswer200 } from './post-deploy-check';
import { createSiteDeployStep } from './site-deploy-step';
import { StaticSiteTarget, StaticSiteTargetBinding } from './static-site-target';
import { BuildSpecExtras } from '../core/buildspec';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { bindEnvironments, BoundEnvironment, boundEnvironment, EnvironmentOptions } from '../core/environment';
import { callHook } from '../core/hooks';
import { OutputDirectory } from '../core/output-directory';
import { warn } from '../core/validation';
import { addWildcardReviews, claimLibraryConstructs } from '../core/wildcard-review';


/** Why two environments must not deploy to one bucket. */
const SHARED_BUCKET = 'every deploy deletes the files its release does not have, so environments that share a bucket overwrite each other';

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
  private readonly output: OutputDirectory;
  /** The resolved Cache-Control settings every environment uses. */
  private readonly cacheControl: ResolvedCacheControl;
  /** The environments with their bound targets and resolved checks. */
  private readonly environments: BoundEnvironment<StaticSiteEnvironment, BoundSiteTarget>[];

  constructor(scope: Construct, id: string, props: StaticSitePipelineProps) {
    super(scope, id, props);
    addWildcardReviews(this, STATIC_SITE_WILDCARD_REVIEWS);
    this.environments = bindEnvironments(this, props.environments, {
      field: 'target',
      type: StaticSiteTarget,
      factories: 'StaticSiteTarget.fromHosting(hosting) or StaticSiteTarget.fromBucket(bucket, { distribution })',
      bind: (target: StaticSiteTarget, prop: string, env: StaticSiteEnvironment): BoundSiteTarget => {
        const bound = target._bind(this, prop);
        const checkProp = prop.replace(/\.target$/, '.postDeployCheck');
        const check = resolvePostDeployCheck(this, checkProp, env.postDeployCheck);
        warnIfMissingPagesAnswer200(this, checkProp, check, bound.distribution);
        return { target: bound, check };
      },
      oneWorkloadEach: { prop: 'target.bucket', what: 'bucket', resource: (b) => b.target.bucket, identity: (r: s3.IBucket) => r.bucketName, fix: SHARED_BUCKET },
    });
    this.cacheControl = resolveCacheControl(this, 'cacheControl', props.cacheControl);
    if (props.executionMode === codepipeline.ExecutionMode.PARALLEL) {
      warn(this, 'StaticSiteParallelExecutions',
        'executionMode is PARALLEL: two executions may deploy the same site at once, and a rollback may restore a release another execution has just replaced. Use QUEUED (the default).');
    }
    this.output = new OutputDirectory(this, this.buildOptions, props.outputDirectory, 'site', 'StaticSitePipeline');
    this.outputDirectory = this.output.path;
    // Everything so far is the library's; what a subclass's constructor adds next is its user's.
    claimLibraryConstructs(this);
  }

  /** The Build stage (which writes the site) and one stage per environment. */
  protected addStages(): void {
    this.addBuildStage(this.output.buildVariables);
    for (const { environment } of this.environments) {
      this.addEnvironmentStage(environment, [callHook(this, 'createDeployAction', () => this.createDeployAction(environment))]);
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
    const { target, check } = boundEnvironment(this, 'createDeployAction()', this.environments, environment).binding;
    const step = createSiteDeployStep(new Construct(this, `${environment.name}Deploy`), {
      pipeline: this,
      environmentName: environment.name,
      target,
      cacheControl: this.cacheControl,
      check,
      input: this.buildOutput,
      releaseBucket: this.artifactBucket,
      encryptionKey: this.encryptionKey,
      sourceRevision: this.sourceRevision,
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
    return this.output.buildSpecExtras;
  }

}

/** An environment's bound target and its post-deploy check with defaults applied. */
interface BoundSiteTarget {
  readonly target: StaticSiteTargetBinding;
  readonly check?: ResolvedPostDeployCheck;
}
