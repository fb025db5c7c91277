import { Duration, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { codeBuildDefaultsOf } from './codebuild-defaults';

/**
 * Regions where CodeBuild supports Lambda compute (CodeBuild User Guide, "Run builds on AWS
 * Lambda compute", https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.regions).
 * Elsewhere, or when the region is unknown at synth time, a library step runs in a small EC2
 * container: a project with Lambda compute cannot be created in a region that lacks it. @internal
 */
export const LAMBDA_COMPUTE_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-1', 'sa-east-1',
];

/**
 * What a library step on Lambda compute must fit in (same page, "Limitations of AWS Lambda
 * compute"): no build runs longer than 15 minutes, and there is no Docker, no local cache, no
 * custom timeout and no root. The curated images list the AWS CLI v2, git, Python and pip
 * (the library uses the Amazon Linux 2023 Python image), on Amazon Linux 2023's bash and curl
 * (CodeBuild itself needs curl or wget in a Lambda image), but no jq, zip or unzip: the
 * library's scripts that run there use `python3 -m zipfile` and Python for JSON. @internal
 */
export const LAMBDA_COMPUTE_LIMIT = Duration.minutes(15);

/**
 * Whether a library step created in `scope` can run on CodeBuild Lambda compute: its stack's
 * region is known and offers it. @internal
 */
export function lambdaComputeAvailable(scope: IConstruct): boolean {
  const region = Stack.of(scope).region;
  return !Token.isUnresolved(region) && LAMBDA_COMPUTE_REGIONS.includes(region);
}

/**
 * Whether a library step (deploy, publish, capture, gate) created in `scope` runs on Lambda
 * compute: the region offers it, and the pipeline's `codeBuildDefaults` chose no image and no
 * compute type (a choice the user made for every project, e.g. an image with a corporate CA, is
 * kept: the step then runs in that container). @internal
 */
export function libraryStepOnLambda(scope: IConstruct): boolean {
  const defaults = codeBuildDefaultsOf(scope);
  return lambdaComputeAvailable(scope) && defaults.buildImage === undefined && defaults.computeType === undefined;
}
