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
   * no local cache and no Docker, and is rejected, except for post-deploy tests, which may opt in
   * with a Lambda image (`PostDeployTestOptions`). (The library runs its own short steps —
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
export function validateCodeBuildDefaults(
  scope: Construct, prop: string, d: CodeBuildDefaults | undefined, options: { readonly lambdaComputeAllowed?: boolean } = {},
): void {
  if (d === undefined) {
    return;
  }
  validateOptionsObject(scope, prop, d, `pass e.g. ${prop}: { computeType: codebuild.ComputeType.MEDIUM }`);
  validateOneOf(scope, `${prop}.logRetention`, d.logRetention, Object.values(logs.RetentionDays).filter((v) => typeof v === 'number'),
    'use a logs.RetentionDays value, e.g. logs.RetentionDays.THREE_MONTHS');
  validateOneOf(scope, `${prop}.computeType`, d.computeType, Object.values(codebuild.ComputeType), 'use a codebuild.ComputeType value, e.g. codebuild.ComputeType.SMALL');
  validateShape(scope, `${prop}.buildImage`, d.buildImage, ['imageId', 'validate'], 'a codebuild.IBuildImage',
    'use e.g. codebuild.LinuxBuildImage.fromCodeBuildImageId("aws/codebuild/standard:8.0") or codebuild.LinuxBuildImage.fromDockerRegistry(image)');
  if (options.lambdaComputeAllowed && choosesLambdaCompute(d)) {
    validateLambdaComputeChoice(scope, prop, d);
  } else {
    rejectLambdaCompute(scope, prop, d);
  }
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
  if (isLambdaComputeType(d.computeType)) {
    fail(scope, `${prop}.computeType`, `is Lambda compute, got ${show(d.computeType)}: ${why}`,
      'use a container compute type, e.g. codebuild.ComputeType.SMALL or MEDIUM, with a container image (the default, aws/codebuild/standard:8.0, when buildImage is not set)');
  }
  if (isLambdaImage(d.buildImage)) {
    fail(scope, `${prop}.buildImage`, `is a Lambda compute image (${show(d.buildImage?.imageId)}, type ${d.buildImage?.type}): ${why}`,
      'leave buildImage unset (aws/codebuild/standard:8.0) or use a container image, e.g. codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5');
  }
}

/** Whether the settings choose CodeBuild Lambda compute (a Lambda compute type or image). @internal */
export function choosesLambdaCompute(d: CodeBuildDefaults | undefined): boolean {
  return isLambdaComputeType(d?.computeType) || isLambdaImage(d?.buildImage);
}

/** Whether a compute type is CodeBuild Lambda compute (`BUILD_LAMBDA_*`); a token is not judged. */
function isLambdaComputeType(computeType: unknown): boolean {
  return typeof computeType === 'string' && !Token.isUnresolved(computeType) && computeType.startsWith('BUILD_LAMBDA_');
}

/** Whether a build image runs on CodeBuild Lambda compute (environment type `*_LAMBDA_CONTAINER`). @internal */
export function isLambdaImage(image: codebuild.IBuildImage | undefined): boolean {
  const type: unknown = image?.type;
  return typeof type === 'string' && type.endsWith('_LAMBDA_CONTAINER');
}

/**
 * A project the user puts on Lambda compute (post-deploy tests): a Lambda image with a Lambda
 * compute type (or none: 1 GB), and no timeout, which Lambda compute does not take (every build
 * ends after 15 minutes; CodeBuild User Guide, "Limitations of AWS Lambda compute").
 */
function validateLambdaComputeChoice(scope: Construct, prop: string, d: CodeBuildDefaults): void {
  if (!isLambdaImage(d.buildImage)) {
    fail(scope, `${prop}.computeType`, `is Lambda compute, got ${show(d.computeType)}, but buildImage is ${d.buildImage ? `a container image (${show(d.buildImage.imageId)})` : 'not set (a container image)'}`,
      'set buildImage to a Lambda compute image with the runtime the tests need, e.g. codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, or use a container compute type');
  }
  if (d.computeType !== undefined && !isLambdaComputeType(d.computeType)) {
    fail(scope, `${prop}.computeType`, `is a container compute type, got ${show(d.computeType)}, but buildImage is a Lambda compute image (${show(d.buildImage?.imageId)})`,
      'use a Lambda compute type (codebuild.ComputeType.LAMBDA_1GB to LAMBDA_10GB) or leave computeType unset (LAMBDA_1GB)');
  }
  if (d.timeout !== undefined) {
    fail(scope, `${prop}.timeout`, `is set (${d.timeout.isUnresolved() ? 'a token' : d.timeout.toHumanString()}), but Lambda compute takes no build timeout: every build on it ends after 15 minutes`,
      'remove timeout, or use a container image and compute type for tests that need longer');
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
