import { Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { differs, resolveTarget, TargetEnvironment } from '../core/target-environment';
import { fail, show, validateRequired } from '../core/validation';

/**
 * A site's bucket and the CloudFront distribution in front of it, as `StaticSiteHosting`
 * provides them.
 */
export interface IStaticSiteHosting {
  /** The private bucket that holds the site. */
  readonly bucket: s3.IBucket;
  /** The distribution that serves the bucket. */
  readonly distribution: cloudfront.IDistribution;
}

/**
 * Options of `StaticSiteTarget.fromBucket`.
 */
export interface StaticSiteTargetOptions {
  /**
   * The distribution that serves the bucket: invalidated (`/*`) after every upload.
   *
   * @default - no distribution: nothing is invalidated
   */
  readonly distribution?: cloudfront.IDistribution;
}

/**
 * What a bound `StaticSiteTarget` gives the pipeline: the validated bucket and distribution, and
 * where the bucket lives (its account and region: the deploy project runs there). @internal
 */
export interface StaticSiteTargetBinding {
  readonly bucket: s3.IBucket;
  readonly distribution?: cloudfront.IDistribution;
  readonly target: TargetEnvironment;
}

/**
 * Where an environment's site goes: a private S3 bucket (which the deploy step syncs, deleting
 * removed files) and, usually, the CloudFront distribution that serves it. Use the static
 * factories. The bucket must hold nothing but the site, and must not be public: serve it through
 * CloudFront with Origin Access Control (as `StaticSiteHosting` does).
 */
export abstract class StaticSiteTarget {
  /**
   * A bucket you own, and optionally the distribution in front of it.
   *
   * @param bucket the bucket that holds the site (a KMS-encrypted bucket must be given with its `encryptionKey`)
   * @param options the distribution
   */
  public static fromBucket(bucket: s3.IBucket, options: StaticSiteTargetOptions = {}): StaticSiteTarget {
    return new BucketTarget(bucket, (options ?? {}).distribution);
  }

  /**
   * The bucket and distribution of a `StaticSiteHosting` (or anything that provides both).
   *
   * @param hosting the hosting
   */
  public static fromHosting(hosting: IStaticSiteHosting): StaticSiteTarget {
    return new HostingTarget(hosting?.bucket, hosting?.distribution);
  }

  /** The bucket that holds the site. */
  public abstract readonly bucket: s3.IBucket;
  /** The distribution that serves the bucket, when there is one. */
  public abstract readonly distribution?: cloudfront.IDistribution;

  /**
   * Validate against the pipeline (throwing the library's error under `prop`) and return the
   * bucket and distribution. Called once per environment. @internal
   */
  public abstract _bind(scope: Construct, prop: string): StaticSiteTargetBinding;
}

/** `fromBucket`: a bucket, and a distribution when given. */
class BucketTarget extends StaticSiteTarget {
  constructor(public readonly bucket: s3.IBucket, public readonly distribution?: cloudfront.IDistribution) {
    super();
  }

  public _bind(scope: Construct, prop: string): StaticSiteTargetBinding {
    validateRequired(scope, `${prop}.bucket`, this.bucket, 'pass the site bucket, e.g. StaticSiteTarget.fromBucket(bucket, { distribution })');
    return validateTarget(scope, prop, this.bucket, this.distribution);
  }
}

/** `fromHosting`: the hosting's bucket and distribution, both required. */
class HostingTarget extends StaticSiteTarget {
  constructor(public readonly bucket: s3.IBucket, public readonly distribution: cloudfront.IDistribution) {
    super();
  }

  public _bind(scope: Construct, prop: string): StaticSiteTargetBinding {
    const fix = 'pass a StaticSiteHosting, or an object with its bucket and distribution';
    validateRequired(scope, `${prop}.bucket`, this.bucket, fix);
    validateRequired(scope, `${prop}.distribution`, this.distribution, fix);
    return validateTarget(scope, prop, this.bucket, this.distribution);
  }
}

/**
 * The checks every target passes: a private bucket, and a distribution the deploy project (which
 * runs in the bucket's account and region) can invalidate.
 */
function validateTarget(
  scope: Construct, prop: string, bucket: s3.IBucket, distribution: cloudfront.IDistribution | undefined,
): StaticSiteTargetBinding {
  if (typeof bucket !== 'object' || bucket.node === undefined || typeof bucket.bucketName !== 'string') {
    fail(scope, `${prop}.bucket`, `must be an s3.IBucket, got ${show(bucket)}`,
      'pass the bucket construct, e.g. s3.Bucket.fromBucketName(this, "Site", "my-site-bucket"), not its name');
  }
  if (distribution !== undefined && distribution !== null &&
    (typeof distribution !== 'object' || typeof distribution.distributionId !== 'string' || typeof distribution.distributionArn !== 'string')) {
    fail(scope, `${prop}.distribution`, `must be a cloudfront.IDistribution, got ${show(distribution)}`,
      'pass the distribution construct, e.g. cloudfront.Distribution.fromDistributionAttributes(this, "Cdn", { distributionId, domainName }), not its id');
  }
  validateNotPublic(scope, `${prop}.bucket`, bucket);
  const target = resolveTarget(scope, `${prop}.bucket`, bucket);
  if (distribution) {
    validateDistribution(scope, `${prop}.distribution`, distribution, bucket, target);
  }
  return { bucket, distribution: distribution ?? undefined, target };
}

/**
 * The deploy project runs in the bucket's account and region, and its role invalidates the
 * distribution. CloudFront is global (its API has one endpoint, its ARNs no region), so the
 * distribution's region does not matter, but its account does: an IAM role may invalidate only
 * distributions of its own account (CloudFront has no resource policies). And the project names
 * the distribution's id, which CloudFormation can hand over only within one account and region
 * (stack exports), unless the id is a literal (an imported distribution). A distribution imported
 * into the bucket's stack is taken to be in the bucket's account (an import states no account).
 */
function validateDistribution(
  scope: Construct, prop: string, distribution: cloudfront.IDistribution, bucket: s3.IBucket, target: TargetEnvironment,
): void {
  const stack = Stack.of(distribution);
  const bucketStack = Stack.of(bucket);
  const imported = !(distribution.node.defaultChild instanceof cloudfront.CfnDistribution);
  if (imported && stack === bucketStack) {
    return;
  }
  const cdn = resolveTarget(scope, prop, distribution);
  if (differs(cdn.account, target.account)) {
    fail(scope, prop, `is in account ${cdn.account} (${distribution.node.path}), but the bucket is in account ${target.account} (${bucket.node.path}): ` +
      'the deploy step runs in the bucket\'s account, and CloudFront lets a role invalidate only distributions of its own account (CloudFront has no resource policies)',
    'keep the bucket and its distribution in one account (the distribution may be in any region of it); a distribution imported with ' +
      'cloudfront.Distribution.fromDistributionAttributes into the bucket\'s stack is taken to be in the bucket\'s account');
  }
  if (stack !== bucketStack && stack !== target.stack && Token.isUnresolved(distribution.distributionId)
    && (differs(stack.region, target.region) || differs(stack.account, target.account))) {
    fail(scope, prop, `is in stack ${stack.node.path} of region ${stack.region}, and its id is a reference to that stack, but the deploy step of the ` +
      `bucket ${bucket.node.path} runs in region ${target.region} and CloudFormation cannot pass a value from one region to another`,
    'import the distribution into the bucket\'s stack with cloudfront.Distribution.fromDistributionAttributes(this, "Cdn", { distributionId, domainName }) ' +
      '(its id as a literal), or define it in the bucket\'s region');
  }
}

/**
 * Reject a bucket that is public as far as synth can tell: a website endpoint, a public ACL,
 * public access blocks turned off, or a bucket policy that lets anyone read objects. @internal
 */
export function validateNotPublic(scope: Construct, prop: string, bucket: s3.IBucket): void {
  const fix = 'keep the bucket private (blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, no website configuration, no public policy) ' +
    'and serve it through CloudFront with Origin Access Control, e.g. with StaticSiteHosting';
  const path = bucket.node.path;
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof s3.CfnBucket && Stack.of(cfn).resolve(cfn.websiteConfiguration) !== undefined) {
    fail(scope, prop, `is configured for public website hosting (${path} has a WebsiteConfiguration)`, fix);
  }
  if (bucket.isWebsite === true) {
    fail(scope, prop, `is configured for public website hosting (${path}, isWebsite: true)`, fix);
  }
  if (cfn instanceof s3.CfnBucket) {
    const stack = Stack.of(cfn);
    const acl = stack.resolve(cfn.accessControl);
    if (typeof acl === 'string' && ['PublicRead', 'PublicReadWrite'].includes(acl)) {
      fail(scope, prop, `grants public reads (${path} has the ${show(acl)} access control)`, fix);
    }
    const blocks = stack.resolve(cfn.publicAccessBlockConfiguration) as Record<string, unknown> | undefined;
    if (blocks !== undefined && typeof blocks === 'object') {
      const flags = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
      const off = flags.filter((f) => blocks[f] !== true && (typeof blocks[f] !== 'object' || blocks[f] === null));
      if (off.length > 0) {
        fail(scope, prop, `has public access blocks turned off (${path}: ${off.map((f) => `${f} is ${show(blocks[f] ?? false)}`).join(', ')})`, fix);
      }
    }
  }
  const document = bucket.policy?.document;
  if (document && !document.isEmpty) {
    const statements = (Stack.of(bucket).resolve(document.toJSON())?.Statement ?? []) as Array<Record<string, any>>;
    for (const statement of statements) {
      if (statement.Effect === 'Allow' && isAnyone(statement.Principal) && readsObjects(statement.Action) && statement.Condition === undefined) {
        fail(scope, prop, `grants public reads (${path} has a bucket policy statement that allows Principal "*" ${[].concat(statement.Action).join(', ')})`, fix);
      }
    }
  }
}

function isAnyone(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  const aws = (principal as Record<string, unknown> | undefined)?.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

function readsObjects(action: unknown): boolean {
  const actions = ([] as unknown[]).concat(action ?? []).filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase());
  return actions.some((a) => ['*', 's3:*', 's3:get*', 's3:getobject', 's3:getobject*'].includes(a));
}
