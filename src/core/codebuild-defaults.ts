import { Duration, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { DEFAULTS } from './defaults';
import { fail, show, validateDuration, validateOneOf, validateOptionsObject, validateShape, validateWholeMinutes, warn } from './validation';

/**
 * What a CodeBuild project runs on. As `codeBuildDefaults` of a pipeline, it applies to every
 * project the pipeline creates (the build, and the library's own steps: deploy, publish,
 * vulnerability gate), as aws-cdk pipelines' `codeBuildDefaults` do; `buildOptions` overrides it
 * for the build project. An image given here must have what the library's steps run: bash, the
 * AWS CLI, zip, unzip, curl and jq (the CodeBuild standard and Amazon Linux images do).
 */
export interface CodeBuildDefaults {
  /**
   * Build image.
   *
   * @default codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0') (Ubuntu 24.04, Node.js 24)
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Compute size. Container compute only: Lambda compute (`LAMBDA_*`) has no build timeout,
   * no local cache and no Docker, and is rejected. (The library runs its own short steps —
   * static-site deploy, publish, task definition capture, a short vulnerability gate — on
   * Lambda compute where the region offers it, unless `buildImage` or `computeType` is set
   * here: then they run in that container too.)
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;
  /**
   * Build timeout, between 5 minutes (CodeBuild's minimum) and 8 hours. A library step that
   * needs longer (e.g. a deploy step that waits for an invalidation) keeps its own, with a
   * warning.
   *
   * @default Duration.minutes(20) (library steps: what each needs)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the project's log group.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Validate CodeBuild settings under `prop` (`codeBuildDefaults` or `buildOptions`); throws the
 * library's error. @internal
 */
export function validateCodeBuildDefaults(scope: Construct, prop: string, d: CodeBuildDefaults | undefined): void {
  if (d === undefined) {
    return;
  }
  validateOptionsObject(scope, prop, d, `pass e.g. ${prop}: { computeType: codebuild.ComputeType.MEDIUM }`);
  validateOneOf(scope, `${prop}.logRetention`, d.logRetention, Object.values(logs.RetentionDays).filter((v) => typeof v === 'number'),
    'use a logs.RetentionDays value, e.g. logs.RetentionDays.THREE_MONTHS');
  validateOneOf(scope, `${prop}.computeType`, d.computeType, Object.values(codebuild.ComputeType), 'use a codebuild.ComputeType value, e.g. codebuild.ComputeType.SMALL');
  validateShape(scope, `${prop}.buildImage`, d.buildImage, ['imageId', 'validate'], 'a codebuild.IBuildImage',
    'use e.g. codebuild.LinuxBuildImage.fromCodeBuildImageId("aws/codebuild/standard:8.0") or codebuild.LinuxBuildImage.fromDockerRegistry(image)');
  rejectLambdaCompute(scope, prop, d);
  validateDuration(scope, `${prop}.timeout`, d.timeout, DEFAULTS.buildTimeoutMin, DEFAULTS.buildTimeoutMax);
  validateWholeMinutes(scope, `${prop}.timeout`, d.timeout);
}

/**
 * CodeBuild Lambda compute has no build timeout, no local cache and no privileged mode (Docker),
 * which every build project of the pipeline sets; aws-cdk-lib would reject the project with its
 * own error ("Cannot specify timeout / cache for Lambda compute"), so fail first, naming the prop.
 */
function rejectLambdaCompute(scope: Construct, prop: string, d: CodeBuildDefaults): void {
  const why = 'CodeBuild Lambda compute has no build timeout, no local cache and no Docker (privileged mode), which the pipeline\'s build relies on';
  const computeType: unknown = d.computeType;
  if (typeof computeType === 'string' && !Token.isUnresolved(computeType) && computeType.startsWith('BUILD_LAMBDA_')) {
    fail(scope, `${prop}.computeType`, `is Lambda compute, got ${show(computeType)}: ${why}`,
      'use a container compute type, e.g. codebuild.ComputeType.SMALL or MEDIUM, with a container image (the default, aws/codebuild/standard:8.0, when buildImage is not set)');
  }
  const imageType: unknown = d.buildImage?.type;
  if (typeof imageType === 'string' && imageType.endsWith('_LAMBDA_CONTAINER')) {
    fail(scope, `${prop}.buildImage`, `is a Lambda compute image (${show(d.buildImage?.imageId)}, type ${imageType}): ${why}`,
      'leave buildImage unset (aws/codebuild/standard:8.0) or use a container image, e.g. codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5');
  }
}

const DEFAULTS_OF = new WeakMap<IConstruct, CodeBuildDefaults>();

/** Register a pipeline's `codeBuildDefaults` for every project created below it. @internal */
export function setCodeBuildDefaults(pipeline: IConstruct, defaults: CodeBuildDefaults): void {
  DEFAULTS_OF.set(pipeline, defaults);
}

/** The `codeBuildDefaults` of the nearest pipeline above `scope` (none outside a pipeline). @internal */
export function codeBuildDefaultsOf(scope: IConstruct): CodeBuildDefaults {
  for (const s of [...scope.node.scopes].reverse()) {
    const found = DEFAULTS_OF.get(s);
    if (found) {
      return found;
    }
  }
  return {};
}

/**
 * A library step's timeout: what it needs, or the pipeline's default timeout when that is
 * longer. A shorter default is ignored for the step, with a warning (the step would be cut off
 * while it waits, e.g. for an invalidation). @internal
 */
export function stepTimeout(scope: Construct, needed: Duration, defaults: CodeBuildDefaults): Duration {
  const given = defaults.timeout;
  if (given === undefined || given.isUnresolved()) {
    return given ?? needed;
  }
  if (given.toSeconds() >= needed.toSeconds()) {
    return given;
  }
  warn(scope, 'CodeBuildTimeoutRaised',
    `codeBuildDefaults.timeout (${given.toHumanString()}) is shorter than the ${needed.toHumanString()} the step ${scope.node.path} needs: it keeps ${needed.toHumanString()}`);
  return needed;
}
