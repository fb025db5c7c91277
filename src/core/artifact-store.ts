import { Duration, PhysicalName, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { createLogBucket } from './log-bucket';
import { acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';
import { validateSameEnvironment } from './same-environment';
import { validateDuration, validateShape, validateWholeDays } from './validation';

/** The compliance packs (NIST 800-53 rev 5, HIPAA, PCI DSS) whose S3 rules the store acknowledges. */
const COMPLIANCE_PACKS = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];

/**
 * Where pipelines keep their artifacts: a bucket and the KMS key that encrypts it.
 */
export interface IArtifactStore {
  /** The artifact bucket. */
  readonly bucket: s3.IBucket;
  /** The customer managed key that encrypts the bucket, builds, logs and notifications. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Properties of an `ArtifactStore`.
 */
export interface ArtifactStoreProps {
  /**
   * What happens to the bucket, the access log bucket and the key when the stack is deleted.
   * Artifacts are the audit trail of what was deployed; keep them unless you say otherwise.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a replaced (non-current) artifact version is kept.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Bucket that receives the artifact bucket's server access logs.
   *
   * @default - a private, SSL-only, encrypted log bucket is created
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/** Validate an artifact store given by the user (a bucket and a key). @internal */
export function validateArtifactStore(scope: Construct, store: IArtifactStore | undefined): void {
  const fix = 'pass an ArtifactStore (new ArtifactStore(this, "Artifacts")) or an object with the bucket and its KMS key';
  validateShape(scope, 'artifactStore', store, ['bucket', 'encryptionKey'], 'an IArtifactStore', fix);
  validateShape(scope, 'artifactStore.bucket', store?.bucket, ['bucketName', 'bucketArn', 'grantReadWrite'], 'an s3.IBucket', fix);
  validateShape(scope, 'artifactStore.encryptionKey', store?.encryptionKey, ['keyArn', 'addToResourcePolicy', 'grantEncryptDecrypt'], 'a kms.IKey', fix);
  // CodePipeline keeps a pipeline's artifacts in its own region; aws-cdk-lib would fail deep in
  // the pipeline (or need cross-account keys) for a store elsewhere.
  const sameEnvironmentFix = 'create the artifact store in the pipeline\'s account and region (new ArtifactStore(...) in the pipeline\'s stack)';
  validateSameEnvironment(scope, 'artifactStore.bucket', store?.bucket, sameEnvironmentFix);
  validateSameEnvironment(scope, 'artifactStore.encryptionKey', store?.encryptionKey, sameEnvironmentFix);
}

/** What `createArtifactBucket` needs. @internal */
export interface ArtifactBucketProps {
  readonly encryptionKey: kms.IKey;
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogsPrefix: string;
  /** @default DEFAULTS.artifactNoncurrentVersionExpiration */
  readonly noncurrentVersionExpiration?: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A bucket for pipeline artifacts (the artifact store's, a region's replication bucket): KMS with
 * the given key and bucket keys, private, owner-enforced, SSL and TLS 1.2 only, versioned, with
 * server access logs, old versions and incomplete uploads expiring. Named only when a role of
 * another account or region must name it (no reference can cross accounts). @internal
 */
export function createArtifactBucket(scope: Construct, id: string, props: ArtifactBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName: PhysicalName.GENERATE_IF_NEEDED,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    serverAccessLogsBucket: props.accessLogsBucket,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    lifecycleRules: [
      {
        id: 'ExpireNoncurrentArtifacts',
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? DEFAULTS.artifactNoncurrentVersionExpiration,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
    removalPolicy: props.removalPolicy,
  });
}

/**
 * A hardened artifact store: private, SSL-only, versioned bucket encrypted with a rotating
 * customer managed key, with server access logs, expiring non-current versions, retained on
 * stack deletion. Create one and pass it to several pipelines (`artifactStore`) so they share
 * a single key.
 */
export class ArtifactStore extends Construct implements IArtifactStore {
  /** The artifact bucket. */
  public readonly bucket: s3.IBucket;
  /** The rotating customer managed key. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket that receives the server access logs. */
  public readonly accessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps = {}) {
    super(scope, id);
    // JavaScript callers may pass null for "no props".
    props = props ?? {};
    validateShape(this, 'accessLogsBucket', props.accessLogsBucket, ['bucketName', 'bucketArn', 'addToResourcePolicy'], 'an s3.IBucket',
      'pass the bucket construct, e.g. s3.Bucket.fromBucketName(this, "Logs", name)');
    validateDuration(this, 'noncurrentVersionExpiration', props.noncurrentVersionExpiration, Duration.days(1), Duration.days(3650));
    validateWholeDays(this, 'noncurrentVersionExpiration', props.noncurrentVersionExpiration);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts the delivery pipeline artifacts of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });

    // Object ownership is left to aws-cdk-lib: it depends on whether the app's feature flags
    // deliver access logs through a bucket policy (owner enforced) or an ACL.
    this.accessLogsBucket = props.accessLogsBucket ?? createLogBucket(this, 'AccessLogs', {
      removalPolicy,
      expirationRuleId: 'ExpireAccessLogs',
      destinationOf: 'the server access log destination of the artifact bucket',
      logsOf: 'the artifact bucket',
      keptIn: 'the pipeline\'s own region',
    });

    this.bucket = createArtifactBucket(this, 'Bucket', {
      encryptionKey: this.encryptionKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'artifacts/',
      noncurrentVersionExpiration: props.noncurrentVersionExpiration,
      removalPolicy,
    });
    acknowledgeInPacks(this.bucket, 'S3BucketReplicationEnabled', COMPLIANCE_PACKS,
      'Pipeline artifacts are intermediate build outputs of one execution, rebuilt from the source on the next run; ' +
      'a replica in another region would not make a deployment recoverable (the deployed images and versions live in ECR, Lambda or S3 targets)');
  }
}
