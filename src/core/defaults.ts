import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The library's secure defaults, in one place. Not exported from the package: a user changes
 * a default through the named prop documented on each props interface.
 */
export const DEFAULTS = {
  /** Non-current artifact versions are only needed for a retry of a recent execution. */
  artifactNoncurrentVersionExpiration: Duration.days(30),
  /** Server access logs of the artifact bucket. */
  accessLogExpiration: Duration.days(365),

  /**
   * Ubuntu 24.04 standard 8.0: Node.js 24 by default (22 on request), Docker with buildx, AWS CLI v2,
   * jq, zip, curl. standard:7.0 (aws-cdk-lib's newest constant) still defaults to Node.js 18, which
   * is end of life; aws-cdk-lib has no constant for 8.0 yet, hence the image id.
   */
  buildImage: codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0'),
  buildComputeType: codebuild.ComputeType.SMALL,
  buildTimeout: Duration.minutes(20),
  /** CodeBuild's own minimum; the maximum is ours: a build that runs 8 hours is a stuck build. */
  buildTimeoutMin: Duration.minutes(5),
  buildTimeoutMax: Duration.minutes(480),
  buildLogRetention: logs.RetentionDays.THREE_MONTHS,

  /**
   * ECR: keep enough release images to roll back far, expire untagged (failed pushes) quickly.
   * The count is of builds, not releases (see container-repository.ts), hence well above a
   * release cadence.
   */
  maxImageCount: 100,
  /** Below this many kept images the pipeline warns: a few unpromoted builds could expire production's image. */
  maxImageCountWarnBelow: 10,
  maxImageCountMin: 1,
  maxImageCountMax: 1000,
  untaggedImageExpiration: Duration.days(7),

  dockerfile: 'Dockerfile',
  dockerContext: '.',

  /** The limits of a manual approval (aws-cdk-lib rejects less than 5 minutes). */
  approvalTimeoutMin: Duration.minutes(5),
  approvalTimeoutMax: Duration.days(7),
  /** CodePipeline's limit for the ECS deploy action. */
  ecsDeploymentTimeoutMin: Duration.minutes(1),
  ecsDeploymentTimeoutMax: Duration.minutes(60),

  /** Blue tasks kept after a CodeDeploy blue/green deployment; CodeDeploy allows up to 2 days. */
  blueGreenRollbackWindow: Duration.minutes(15),
  blueGreenRollbackWindowMax: Duration.days(2),

  defaultBranch: 'main',
} as const;

/**
 * Names of plaintext variables that look like secrets: such values belong in Secrets Manager
 * or Parameter Store, where they are neither in the template nor in the CodeBuild console.
 */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)AUTH(_|$))/i;

/** Variables the pipeline sets on the build action itself; a user value would be overridden. */
export const RESERVED_BUILD_VARIABLES = ['SOURCE_REVISION', 'REPOSITORY_URI', 'REPOSITORY_NAME', 'CACHE_REPOSITORY_URI'];
