import type { WildcardReviews } from './wildcard-review';

/**
 * The IAM wildcards of the spine's own resources (artifact bucket, key, build projects), reviewed
 * for every pipeline. A workload's own wildcards are in its nag-reasons.ts, declared by its
 * pipeline with `addWildcardReviews`. A wildcard on no list is never acknowledged, so a new one
 * surfaces as a cdk-nag finding in our own tests.
 */
export const CORE_WILDCARD_REVIEWS: WildcardReviews = {
  /**
   * Why wildcard actions that aws-cdk-lib grants produce are acceptable. They name groups of
   * variants of one operation and always sit next to a resource that is one of the pipeline's own.
   */
  actionWildcards: {
    'kms:GenerateDataKey*': 'aws-cdk-lib KMS grant: GenerateDataKey and GenerateDataKeyWithoutPlaintext on the pipeline key only',
    'kms:ReEncrypt*': 'aws-cdk-lib KMS grant: ReEncryptFrom/ReEncryptTo on the pipeline key only',
    's3:GetObject*': 'aws-cdk-lib S3 grant: object read variants (GetObject, GetObjectVersion, ...) on the pipeline\'s own bucket only',
    's3:GetBucket*': 'aws-cdk-lib S3 grant: bucket metadata reads on the pipeline\'s own bucket only',
    's3:List*': 'aws-cdk-lib S3 grant: listing of the pipeline\'s own bucket only',
    's3:DeleteObject*': 'aws-cdk-lib S3 grant: the pipeline replaces its own artifacts in its own bucket only',
    's3:Abort*': 'aws-cdk-lib S3 grant: abort of multipart uploads into the pipeline\'s own bucket only',
  },
  /**
   * Resource patterns that stand for the sub-resources of one named resource. Tried after every
   * workload's patterns, which are more specific (e.g. a prefix of the artifact bucket, the
   * pipeline's action log group).
   */
  resourcePatterns: [
    { pattern: /^<(?<bucket>[^>.]+)\.Arn>\/\*$/, reason: 'objects inside one bucket this pipeline uses (artifact keys are generated per execution)' },
    { pattern: /:log-group:[^*]+:\*$/, reason: 'log streams of the build\'s own log group; stream names are generated per build' },
    {
      pattern: /^arn:(?:<AWS::Partition>|aws[a-z-]*):kms:[a-z0-9-]+:\d{12}:key\/\*$/,
      reason: 'keys of the artifact bucket\'s account and region, used only through S3 (kms:ViaService): the artifact key\'s id is assigned when the ' +
        'pipeline\'s stack deploys, after the role\'s stack in another account, so no reference can name it; the key\'s policy admits this role to that key alone',
      onlyActions: ['kms:Decrypt'],
    },
    {
      pattern: /^arn:(?:<AWS::Partition>|aws[a-z-]*):kms:[a-z0-9-]+:\d{12}:key\/\*$/,
      reason: 'keys of the replication bucket\'s account and region, used only through S3 (kms:ViaService) for the artifacts CodePipeline copies ' +
        'there: the key of a bucket in another account or region cannot be referenced, and the replication key\'s policy admits the pipeline role to that key alone',
      onlyActions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    },
    { pattern: /:report-group\/[^*]+-\*$/, reason: 'report groups of this build project only; CodeBuild names them after the project' },
    {
      // aws-cdk-lib's grant on a secret known by name (Secret.fromSecretNameV2): its ARN ends in a
      // suffix Secrets Manager chose, so the grant names `<name>*`.
      pattern: /^arn:(?:<AWS::Partition>|aws[a-z-]*):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+\*$/,
      onlyActions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      reason: 'the one secret a build or test step reads, imported by name: Secrets Manager appends a random 6-character suffix to a secret\'s ARN, so aws-cdk-lib names it <name>*; read-only',
    },
  ],
};

/** Why a rollback alarm needs no alarm action (the compliance packs' CloudWatchAlarmAction rule). */
export const ROLLBACK_ALARM_REASON =
  'Rollback alarm: the deployment (CodeDeploy, or the CodePipeline Lambda deploy action) watches it and rolls back while it is in ALARM; ' +
  'it needs no alarm action of its own, and the failed deployment is announced by the pipeline\'s failure notifications';

/** Why an e-mail subscription needs no dead-letter queue (the Serverless pack's SNSRedrivePolicy rule). */
export const EMAIL_SUBSCRIPTION_REASON =
  'E-mail subscription for people: a dead-letter queue would keep undeliverable e-mails where nobody reads them; ' +
  'failed deliveries show in the topic\'s NumberOfNotificationsFailed metric, and the pipeline itself records every execution';

/** Why the compliance packs' "no inline policy" rule does not apply to the pipeline's policies. */
export const INLINE_POLICY_REASON =
  'Each policy belongs to exactly one role of this pipeline and names only that role\'s resources; ' +
  'a customer managed policy could be attached to other principals and would outlive the role';
