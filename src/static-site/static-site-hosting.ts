import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IStaticSiteHosting } from './static-site-target';
import { skipCheckov } from '../core/checkov-skip';
import { createLogBucket } from '../core/log-bucket';
import { acknowledge, acknowledgeInPacks, NagPackPrefix } from '../core/nag-acknowledge';
import { fail, show } from '../core/validation';

/** The compliance packs that share the S3 rules acknowledged here. */
const COMPLIANCE_PACKS = [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321];

/**
 * Properties of a `StaticSiteHosting`.
 */
export interface StaticSiteHostingProps {
  /**
   * Custom domain names the distribution answers to, e.g. `['www.example.com']`. Needs
   * `certificate`. Point the names' DNS records at the distribution yourself.
   *
   * @default - none: the site is served on the distribution's `*.cloudfront.net` name
   */
  readonly domainNames?: string[];
  /**
   * ACM certificate for `domainNames`, in us-east-1 (CloudFront's requirement). Viewers then
   * need TLS 1.2 or later (security policy TLSv1.2_2021).
   *
   * @default - none: CloudFront's default `*.cloudfront.net` certificate
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Serve a single-page app: a path that is not a file (S3 answers 403 or 404) gets
   * `/index.html` with status 200, so the app's router can handle it.
   *
   * @default false (a missing file is an error)
   */
  readonly singlePageApp?: boolean;
  /**
   * Response headers added to every response.
   *
   * @default cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS (HSTS, X-Content-Type-Options,
   * X-Frame-Options, Referrer-Policy, X-XSS-Protection)
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;
  /**
   * Countries the site is served in, or not served in.
   *
   * @default - served everywhere
   */
  readonly geoRestriction?: cloudfront.GeoRestriction;
  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT, created in us-east-1) that filters requests.
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;
  /**
   * What happens to the site bucket and the log bucket when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Secure hosting for a static site, for teams that do not have one: a private bucket that only
 * CloudFront reads (Origin Access Control; no website endpoint, all public access blocked,
 * SSL-only, encrypted, versioned, retained) and a distribution that redirects HTTP to HTTPS,
 * serves `index.html` at the root, adds security headers, and writes standard access logs
 * (with the bucket's server access logs) to a private log bucket. With a custom domain and
 * certificate, viewers need TLS 1.2 or later.
 *
 * Use it on its own, or as a pipeline target: `StaticSiteTarget.fromHosting(hosting)`.
 */
export class StaticSiteHosting extends Construct implements IStaticSiteHosting {
  /** The private bucket that holds the site. */
  public readonly bucket: s3.IBucket;
  /** The distribution that serves the site. */
  public readonly distribution: cloudfront.IDistribution;
  /** The bucket that receives the distribution's access logs (`cloudfront/`) and the site bucket's server access logs (`s3/`). */
  public readonly logBucket: s3.IBucket;
  /** The site's address: `https://` and the first custom domain name, or the distribution's domain name. */
  public readonly url: string;

  constructor(scope: Construct, id: string, hostingProps: StaticSiteHostingProps = {}) {
    super(scope, id);
    const props = hostingProps ?? {};
    validateHostingProps(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // CloudFront standard logging writes through bucket ACLs (awslogsdelivery).
    this.logBucket = createLogBucket(this, 'Logs', {
      removalPolicy,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      expirationRuleId: 'ExpireLogs',
      destinationOf: 'the access log destination of the site bucket and the distribution',
      logsOf: 'the site',
      keptIn: 'the stack\'s own region',
      encryptionNote: ', and CloudFront standard logs need this ACL-enabled bucket too; the logs are encrypted at rest with SSE-S3',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [{
        id: 'ExpireReplacedFiles',
        // Every deploy uploads every file again: keep replaced versions for a month.
        noncurrentVersionExpiration: Duration.days(30),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy,
    });
    acknowledgeInPacks(this.bucket, 'S3DefaultEncryptionKMS', COMPLIANCE_PACKS,
      'The bucket holds the public files of a website, which CloudFront serves to any viewer: a customer managed key adds no confidentiality. ' +
      'It would also need a key policy that lets CloudFront decrypt for every distribution of the account (aws-cdk-lib cannot name this ' +
      'distribution in the key policy without a dependency cycle), a KMS request per origin fetch, and a key grant for every deployer. ' +
      'The files are encrypted at rest with SSE-S3');
    acknowledgeInPacks(this.bucket, 'S3BucketReplicationEnabled', COMPLIANCE_PACKS,
      'The site files are build outputs, deployed again from the source (and, with StaticSitePipeline, from its release archives) on the next run; ' +
      'a replica would need a bucket in a second region, which this single-region construct does not create');

    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Static site ${this.node.path}`.slice(0, 128),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: props.responseHeadersPolicy ?? cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      defaultRootObject: 'index.html',
      domainNames: props.domainNames,
      certificate: props.certificate,
      // Only with a certificate: CloudFront's default certificate has a fixed security policy
      // (TLSv1), and newer aws-cdk-lib warns that the setting is ignored without one.
      ...(props.certificate ? { minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      errorResponses: props.singlePageApp
        ? [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.seconds(10) }))
        : undefined,
      geoRestriction: props.geoRestriction,
      webAclId: props.webAclId,
    });
    this.distribution = distribution;
    acknowledgeDistribution(distribution, props);

    const domain = props.domainNames?.[0] ?? distribution.distributionDomainName;
    this.url = `https://${domain}`;
  }
}

/**
 * The CloudFront findings the library accepts, each only while its cause is the default: no
 * certificate (CFR4), no geo restriction (CFR1), no web ACL (CFR2). Once the prop is given, the
 * finding is neither raised nor acknowledged.
 */
function acknowledgeDistribution(distribution: cloudfront.Distribution, props: StaticSiteHostingProps): void {
  if (!props.certificate) {
    acknowledge(distribution, {
      ruleId: 'AwsSolutions-CFR4',
      reason: 'No custom domain was given, so CloudFront serves its default *.cloudfront.net certificate, whose security policy cannot be chosen; ' +
        'pass domainNames and a certificate and viewers need TLS 1.2 or later (TLSv1.2_2021)',
    });
  }
  if (!props.geoRestriction) {
    acknowledge(distribution, {
      ruleId: 'AwsSolutions-CFR1',
      reason: 'A public static site is served in every country unless the team restricts it; pass geoRestriction to limit where it is served',
    });
  }
  if (!props.certificate) {
    skipCheckov(distribution, 'CKV_AWS_174', 'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose minimum protocol version ' +
      'cannot be chosen (it allows TLSv1); pass domainNames and a certificate and the distribution requires TLS 1.2 or later (TLSv1.2_2021) (as AwsSolutions-CFR4)');
  }
  if (props.webAclId === undefined) {
    skipCheckov(distribution, 'CKV_AWS_68', 'No web ACL by default (as AwsSolutions-CFR2): the distribution serves static files from a private bucket, with no application ' +
      'behind it for WAF rules to protect; AWS Shield Standard covers it. Pass webAclId to filter requests with AWS WAF.');
    acknowledge(distribution, {
      ruleId: 'AwsSolutions-CFR2',
      reason: 'The distribution serves static files from a private bucket, with no application behind it for WAF rules to protect; ' +
        'AWS Shield Standard covers it. Pass webAclId to filter requests (e.g. rate limits) with AWS WAF',
    });
  }
}

function validateHostingProps(scope: Construct, props: StaticSiteHostingProps): void {
  const names = props.domainNames ?? [];
  if (!Array.isArray(names)) {
    fail(scope, 'domainNames', `must be a list of domain names, got ${show(names)}`, 'pass e.g. ["www.example.com"]');
  }
  names.forEach((name, i) => {
    if (typeof name !== 'string' || (!Token.isUnresolved(name) && !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(name))) {
      fail(scope, `domainNames[${i}]`, `is not a domain name, got ${show(name)}`, 'give a name like "www.example.com" (no scheme, no path)');
    }
  });
  if (props.certificate !== undefined && (typeof props.certificate !== 'object' || typeof props.certificate.certificateArn !== 'string')) {
    fail(scope, 'certificate', `must be an acm.ICertificate, got ${show(props.certificate)}`,
      'pass the certificate construct, e.g. acm.Certificate.fromCertificateArn(this, "Cert", arn), not its ARN');
  }
  if (props.geoRestriction !== undefined && !(props.geoRestriction instanceof cloudfront.GeoRestriction)) {
    fail(scope, 'geoRestriction', `must be a cloudfront.GeoRestriction, got ${show(props.geoRestriction)}`,
      'use cloudfront.GeoRestriction.allowlist("DE", "FR") or .denylist(...)');
  }
  if (names.length > 0 && !props.certificate) {
    fail(scope, 'certificate', `is required with domainNames (${names.join(', ')}): CloudFront serves a custom domain only with its certificate`,
      'pass an ACM certificate from us-east-1 that covers the domain names');
  }
  if (props.certificate && names.length === 0) {
    fail(scope, 'domainNames', 'must name the domains of the certificate: without them CloudFront does not answer to any custom domain',
      'pass domainNames, e.g. ["www.example.com"], or leave certificate out');
  }
  const arn = props.certificate?.certificateArn;
  if (arn !== undefined && !Token.isUnresolved(arn)) {
    const region = Stack.of(scope).splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (region !== 'us-east-1') {
      fail(scope, 'certificate', `must be in us-east-1 for CloudFront, got ${show(arn)} in ${show(region)}`,
        'request or import the certificate in us-east-1 (e.g. in a stack with env.region "us-east-1" and crossRegionReferences)');
    }
  }
  if (props.webAclId !== undefined && !Token.isUnresolved(props.webAclId) && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+/.test(props.webAclId)) {
    fail(scope, 'webAclId', `must be the ARN of a WAFv2 web ACL with scope CLOUDFRONT (global, us-east-1), got ${show(props.webAclId)}`,
      'create the web ACL with scope CLOUDFRONT in us-east-1 and pass its ARN');
  }
}
