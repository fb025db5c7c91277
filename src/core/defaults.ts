import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The spine's secure defaults, in one place (each workload keeps its own in its defaults.ts,
 * e.g. ecs/defaults.ts). Not exported from the package: a user changes
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

  /** The limits of a manual approval (aws-cdk-lib rejects less than 5 minutes). */
  approvalTimeoutMin: Duration.minutes(5),
  approvalTimeoutMax: Duration.days(7),

  defaultBranch: 'main',
} as const;

/**
 * Names of plaintext variables that look like secrets: such values belong in Secrets Manager
 * or Parameter Store, where they are neither in the template nor in the CodeBuild console.
 */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)AUTH(_|$))/i;
