import { PhysicalName, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { createArtifactBucket } from './artifact-store';
import { createLogBucket } from './log-bucket';
import { acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';
import { allow, sidFor } from './statement';
import { differs } from './target-environment';
import { addReviewedScope, reviewBucketObjectsByName } from './wildcard-review';

/**
 * The ids under which aws-cdk-lib's `Pipeline` looks for the replication bucket of a region
 * (aws-codepipeline/lib/pipeline.ts, `createSupportResourcesForRegion`): in the action's resource
 * stack, else in a support stack of the pipeline's account. A construct found there is used as
 * is, with its `replicationBucket`.
 */
const SUPPORT_CONSTRUCT_ID = 'CrossRegionReplicationSupport-d823f1d8-a990-4e5c-be18-4ac698532e65-';
const supportStackId = (account: string, region: string) => `cross-region-stack-${account}:${region}`;

/** Marks a replication support construct the library made (not aws-cdk-lib's own). */
const HARDENED_REPLICATION = Symbol.for('cdk-delivery-pipelines.hardenedReplicationBucket');

/**
 * Create the replication bucket of each other region that `actions` run in before the pipeline
 * adds them, where aws-cdk-lib would create its own (the action's resource stack, else a support
 * stack of the pipeline's account), so that aws-cdk-lib uses it: hardened like the artifact store
 * (own rotating key, versioned, old versions expiring, access logs, retained, SSL only), and with
 * a key whose grants to a principal of another account or region are scoped to that key's account
 * and region, used through S3 only. aws-cdk-lib's own bucket would give the pipeline role
 * `kms:Encrypt`/`Decrypt`/... on `"*"`: every key of the pipeline's account that trusts IAM.
 *
 * @internal
 */
export function prepareReplicationBuckets(owner: IConstruct, pipeline: codepipeline.Pipeline, actions: codepipeline.IAction[]): void {
  const pipelineStack = Stack.of(pipeline);
  for (const action of actions) {
    const resource = action.actionProperties.resource;
    const region = resource?.env.region ?? action.actionProperties.region;
    if (region === undefined || Token.isUnresolved(region) || !differs(region, pipelineStack.region)
      || pipeline.crossRegionSupport[region] !== undefined) {
      continue;
    }
    const resourceStack = resource ? Stack.of(resource) : undefined;
    const inResourceStack = resourceStack && resource
      && !differs(resourceStack.account, resource.env.account) && !differs(resourceStack.region, resource.env.region);
    let support: IConstruct;
    if (inResourceStack) {
      support = resourceStack.node.tryFindChild(`${SUPPORT_CONSTRUCT_ID}${region}`)
        ?? new ReplicationSupport(resourceStack, `${SUPPORT_CONSTRUCT_ID}${region}`, region);
    } else {
      const scope = Stage.of(pipeline) ?? pipeline.node.root;
      support = scope.node.tryFindChild(supportStackId(pipelineStack.account, region))
        ?? new ReplicationSupportStack(scope as Construct, supportStackId(pipelineStack.account, region), pipelineStack, region);
    }
    const bucket = (support as Partial<ReplicationSupport>).replicationBucket;
    if (bucket && (support as any)[HARDENED_REPLICATION]) {
      addReviewedScope(owner, support);
      reviewBucketObjectsByName(owner, pipelineStack, bucket,
        `objects inside the pipeline's replication bucket of ${region} (CodePipeline copies each execution's artifacts there)`);
    }
  }
}

/** The replication bucket of one region and its key, in the stack it is created in. */
class ReplicationSupport extends Construct {
  public readonly replicationBucket: s3.IBucket;

  constructor(scope: Construct, id: string, region: string) {
    super(scope, id);
    (this as any)[HARDENED_REPLICATION] = true;
    // The ids aws-cdk-lib gives its own (the same logical ids and generated names).
    const key = new kms.Key(this, 'CrossRegionCodePipelineReplicationBucketEncryptionKey', {
      description: `Encrypts the delivery pipelines' artifacts replicated to ${region}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The pipeline's stack names the key by its alias: a key id cannot cross accounts.
    const alias = new ScopedGrantAlias(this, 'CrossRegionCodePipelineReplicationBucketEncryptionAlias', { targetKey: key, aliasName: PhysicalName.GENERATE_IF_NEEDED, removalPolicy: RemovalPolicy.RETAIN });
    const logs = createLogBucket(this, 'AccessLogs', {
      removalPolicy: RemovalPolicy.RETAIN,
      expirationRuleId: 'ExpireAccessLogs',
      destinationOf: `the server access log destination of the pipelines' replication bucket in ${region}`,
      logsOf: 'the replication bucket',
      keptIn: `the region the artifacts are replicated to (${region})`,
    });
    const bucket = createArtifactBucket(this, 'CrossRegionCodePipelineReplicationBucket', {
      encryptionKey: alias,
      accessLogsBucket: logs,
      accessLogsPrefix: 'replication/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeInPacks(bucket, 'S3BucketReplicationEnabled', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321],
      'This bucket is itself CodePipeline\'s copy of the artifacts for the actions of this region: intermediate build outputs of one execution, ' +
      'rebuilt from the source on the next run; a further replica would not make a deployment recoverable');
    this.replicationBucket = bucket;
  }
}

/** A support stack of the pipeline's account in another region, holding its replication bucket. */
class ReplicationSupportStack extends Stack {
  public readonly replicationBucket: s3.IBucket;

  constructor(scope: Construct, id: string, pipelineStack: Stack, region: string) {
    super(scope, id, {
      // aws-cdk-lib's name for it, so that replacing its support stack by this one changes nothing.
      stackName: Token.isUnresolved(pipelineStack.stackName) ? undefined : `${pipelineStack.stackName}-support-${region}`,
      env: { account: pipelineStack.account, region },
      description: `Replication bucket of the delivery pipelines of ${pipelineStack.stackName} for actions in ${region} (cdk-delivery-pipelines)`,
    });
    (this as any)[HARDENED_REPLICATION] = true;
    this.replicationBucket = new ReplicationSupport(this, 'Default', region).replicationBucket;
  }
}

/**
 * The replication bucket's key alias: grants to a principal of another account or region (the
 * pipeline role, an action role) name keys of this account and region only (`key/*`: no key id
 * can be referenced across environments), used through S3 only (`kms:ViaService`), and, across
 * accounts, the key policy names the principal. In its own environment, aws-cdk-lib's grant.
 */
class ScopedGrantAlias extends kms.Alias {
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    const keyStack = Stack.of(this);
    const principal = grantee.grantPrincipal;
    const principalStack = Construct.isConstruct(principal) ? Stack.of(principal) : undefined;
    const crossAccount = differs(principalStack?.account ?? principal.principalAccount ?? keyStack.account, keyStack.account);
    const crossRegion = principalStack ? differs(principalStack.region, keyStack.region) : false;
    if (!crossAccount && !crossRegion) {
      return super.grant(grantee, ...actions);
    }
    if (crossAccount) {
      this.aliasTargetKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: Construct.isConstruct(principal) ? sidFor('PipelineUse', principal) : undefined,
        principals: [principal],
        actions,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${keyStack.region}.amazonaws.com` } },
      }));
    }
    const keys = keyStack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
    const viaS3 = actions.filter((a) => a !== 'kms:DescribeKey');
    if (actions.includes('kms:DescribeKey')) {
      principal.addToPrincipalPolicy(allow(`DescribeReplicationKey${sidRegion(keyStack.region)}`, ['kms:DescribeKey'], [keys]));
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: viaS3,
      resourceArns: [keys],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${keyStack.region}.amazonaws.com` } },
    });
  }

  protected generatePhysicalName(): string {
    // aws-cdk-lib's pipeline does the same: an alias name is at most 256 characters.
    const prefix = 'alias/';
    const base = super.generatePhysicalName().replace(/^alias\//, '');
    return prefix + base.slice(-(256 - prefix.length));
  }
}

function sidRegion(region: string): string {
  return Token.isUnresolved(region) ? '' : region.replace(/[^A-Za-z0-9]/g, '');
}
