import { Duration } from 'aws-cdk-lib';

/**
 * The secure defaults of the ECS pipeline, in one place (the spine's are in core/defaults.ts).
 * Not exported from the package: a user changes a default through the named prop documented on
 * each props interface.
 */
export const DEFAULTS = {
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

  /** CodePipeline's limit for the ECS deploy action. */
  ecsDeploymentTimeoutMin: Duration.minutes(1),
  ecsDeploymentTimeoutMax: Duration.minutes(60),

  /** Blue tasks kept after a CodeDeploy blue/green deployment; CodeDeploy allows up to 2 days. */
  blueGreenRollbackWindow: Duration.minutes(15),
  blueGreenRollbackWindowMax: Duration.days(2),
} as const;
