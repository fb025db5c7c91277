import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { skipCheckov } from './checkov-skip';
import { DEFAULTS } from './defaults';
import { acknowledge, acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';

/** The compliance packs (NIST 800-53 rev 5, HIPAA, PCI DSS) whose S3 rules a log bucket acknowledges. */
const COMPLIANCE_PACKS = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];

/** Everything `createLogBucket` needs; the texts complete the acknowledgements' reasons. @internal */
export interface LogBucketProps {
  readonly removalPolicy: RemovalPolicy;
  /**
   * Object ownership of the bucket.
   *
   * @default - left to aws-cdk-lib: it depends on whether the app's feature flags deliver access
   * logs through a bucket policy (owner enforced) or an ACL
   */
  readonly objectOwnership?: s3.ObjectOwnership;
  /** Id of the lifecycle rule that expires the logs. */
  readonly expirationRuleId: string;
  /** What the bucket receives logs for, e.g. `the server access log destination of the artifact bucket`. */
  readonly destinationOf: string;
  /** Whose logs the bucket keeps, e.g. `the artifact bucket`. */
  readonly logsOf: string;
  /** Where they are kept, e.g. `the pipeline's own region`. */
  readonly keptIn: string;
  /**
   * Added to the reason for SSE-S3 instead of a customer managed key.
   *
   * @default - nothing
   */
  readonly encryptionNote?: string;
}

/**
 * A private log bucket: SSE-S3 (the only encryption S3 server access logging delivers to),
 * all public access blocked, SSL-only, versioned, logs expiring after a year, with the cdk-nag
 * findings that a log destination cannot avoid acknowledged. @internal
 */
export function createLogBucket(scope: Construct, id: string, props: LogBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    // Only when given: aws-cdk-lib records which props were passed (construct analytics metadata).
    ...(props.objectOwnership !== undefined ? { objectOwnership: props.objectOwnership } : {}),
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    lifecycleRules: [{ id: props.expirationRuleId, expiration: DEFAULTS.accessLogExpiration, noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: props.removalPolicy,
  });
  acknowledge(bucket, {
    ruleId: 'AwsSolutions-S1',
    reason: `This bucket is ${props.destinationOf}; logging it into itself would loop`,
  });
  skipCheckov(bucket, 'CKV_AWS_18', `This bucket is ${props.destinationOf}; logging it into itself would loop (as AwsSolutions-S1)`);
  acknowledgeInPacks(bucket, 'S3DefaultEncryptionKMS', COMPLIANCE_PACKS,
    `S3 server access logs can only be delivered to a destination bucket encrypted with SSE-S3, not SSE-KMS${props.encryptionNote ?? ''}`);
  acknowledgeInPacks(bucket, 'S3BucketReplicationEnabled', COMPLIANCE_PACKS,
    `Access logs of ${props.logsOf}, kept for audit in ${props.keptIn}; replicate them with your organisation's central log archive if it requires a second region`);
  return bucket;
}
