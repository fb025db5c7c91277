import { CfnResource, Duration, Names, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DEFAULTS } from './defaults';
import { createLogBucket } from './log-bucket';
import { acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';
import { HARDENED_REPLICATION as HARDENED } from './replication-bucket';
import { addReviewedScope } from './wildcard-review';


/**
 * Give what aws-cdk-lib created for `pipeline`'s actions in other accounts and regions the
 * defaults of the pipeline's own artifact store, and review it as the pipeline's own:
 *
 * - the replication bucket of each other region (in the workload's stack, or a support stack):
 *   versioned, expiring old versions, with server access logs, its key kept (the bucket is, and
 *   its objects would be unreadable without the key);
 * - the action roles aws-cdk-lib creates in another account's stack, reviewed with the pipeline's
 *   policies (their wildcards are acknowledged only when reviewed).
 *
 * Call once, after every stage is added. @internal
 */
export function adoptCrossEnvironmentSupport(owner: IConstruct, pipeline: codepipeline.Pipeline): void {
  for (const { replicationBucket } of Object.values(pipeline.crossRegionSupport)) {
    hardenReplicationBucket(owner, replicationBucket);
  }
  // aws-cdk-lib names them `<pipeline unique id>-<stage>-<action>-ActionRole`, at a stack's root.
  const prefix = `${Names.uniqueId(pipeline)}-`;
  const scope = Stage.of(pipeline) ?? pipeline.node.root;
  for (const stack of scope.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c !== Stack.of(pipeline))) {
    for (const child of stack.node.children) {
      if (child instanceof iam.Role && child.node.id.startsWith(prefix) && child.node.id.endsWith('-ActionRole')) {
        addReviewedScope(owner, child);
      }
    }
  }
}

function hardenReplicationBucket(owner: IConstruct, bucket: s3.IBucket): void {
  const cfn = bucket.node.defaultChild;
  const support = bucket.node.scope;
  if (!(cfn instanceof s3.CfnBucket) || !support || (support as any)[HARDENED]) {
    return;
  }
  (support as any)[HARDENED] = true;
  addReviewedScope(owner, support);
  const logs = createLogBucket(support as Construct, 'AccessLogs', {
    removalPolicy: RemovalPolicy.RETAIN,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    expirationRuleId: 'ExpireAccessLogs',
    destinationOf: 'the server access log destination of the pipeline\'s replication bucket in this region',
    logsOf: 'the pipeline\'s replication bucket',
    keptIn: 'the region the artifacts are replicated to',
  });
  logs.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogsPolicy',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logs.arnForObjects('replication/*')],
    conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(support).account } },
  }));
  cfn.versioningConfiguration = { status: 'Enabled' };
  cfn.loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: 'replication/' };
  cfn.lifecycleConfiguration = {
    rules: [{
      id: 'ExpireNoncurrentArtifacts',
      status: 'Enabled',
      noncurrentVersionExpiration: { noncurrentDays: DEFAULTS.artifactNoncurrentVersionExpiration.toDays() },
      abortIncompleteMultipartUpload: { daysAfterInitiation: Duration.days(7).toDays() },
    }],
  };
  cfn.ownershipControls = { rules: [{ objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED }] };
  for (const child of support.node.findAll()) {
    if (child instanceof kms.CfnKey || child instanceof kms.CfnAlias) {
      (child as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
  acknowledgeInPacks(bucket, 'S3BucketReplicationEnabled', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321],
    'This bucket is itself CodePipeline\'s copy of the artifacts for the actions of this region: intermediate build outputs of one execution, ' +
    'rebuilt from the source on the next run; a further replica would not make a deployment recoverable');
}
