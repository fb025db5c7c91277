import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StaticSiteHosting, StaticSiteHostingProps, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';
import { NAG_PACKS, newGateStack, runNagPack } from '../security/support';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/site/11111111-2222-3333-4444-555555555555';

function hostingIn(stack: Stack, props: StaticSiteHostingProps = {}): { hosting: StaticSiteHosting; template: Template } {
  const hosting = new StaticSiteHosting(stack, 'Site', props);
  return { hosting, template: Template.fromStack(stack) };
}

function withDomain(stack: Stack, extra: StaticSiteHostingProps = {}): StaticSiteHosting {
  return new StaticSiteHosting(stack, 'Site', {
    domainNames: ['www.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
    ...extra,
  });
}

function distributionConfig(template: Template): any {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return distribution.Properties.DistributionConfig;
}

/** Rule ids acknowledged on the distribution (cdk_nag metadata), after synthesis. */
function distributionAcknowledgements(stack: Stack): string[] {
  const [distribution] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'));
  return (distribution.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: any) => r.id);
}

describe('StaticSiteHosting', () => {
  describe('GIVEN the defaults', () => {
    const stack = newStack(WITH_CDK_NAG_METADATA);
    const { hosting, template } = hostingIn(stack);

    test('THEN the site bucket is private, SSL-only, encrypted, versioned and retained, with server access logs', () => {
      const bucket = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('SiteBucket'))!;
      expect(bucket[1]).toEqual(expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }));
      expect(bucket[1].Properties).toEqual(expect.objectContaining({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^SiteLogs/) }, LogFilePrefix: 's3/' },
      }));
      expect(bucket[1].Properties.WebsiteConfiguration).toBeUndefined();
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket[0] },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('THEN only CloudFront reads the bucket, through Origin Access Control, and only for this distribution', () => {
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      const origin = distributionConfig(template).Origins[0];
      expect(origin).toEqual(expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^SiteBucket/), 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/^SiteDistributionOrigin1S3OriginAccessControl/), 'Id'] },
      }));
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Resource: Match.anyValue(),
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }]),
        },
      });
    });

    test('THEN the distribution redirects to HTTPS, serves index.html, adds security headers and logs', () => {
      const config = distributionConfig(template);
      expect(config).toEqual(expect.objectContaining({
        DefaultRootObject: 'index.html',
        HttpVersion: 'http2and3',
        Enabled: true,
        Logging: { Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^SiteLogs/), 'RegionalDomainName'] }, Prefix: 'cloudfront/' },
      }));
      expect(config.DefaultCacheBehavior).toEqual(expect.objectContaining({
        ViewerProtocolPolicy: 'redirect-to-https',
        Compress: true,
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', // Managed-CachingOptimized
        ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03', // Managed-SecurityHeadersPolicy
      }));
      expect(config.CustomErrorResponses).toBeUndefined();
      expect(config.ViewerCertificate).toBeUndefined();
      expect(hosting.url).toMatch(/^https:\/\/\$\{Token\[/);
      expect(stack.resolve(hosting.url)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^SiteDistribution/), 'DomainName'] }]] });
    });

    test('THEN the log bucket accepts CloudFront standard logs (ACLs enabled) and is otherwise private, SSL-only, encrypted and retained', () => {
      const logs = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('SiteLogs'))!;
      expect(logs[1]).toEqual(expect.objectContaining({ DeletionPolicy: 'Retain' }));
      expect(logs[1].Properties).toEqual(expect.objectContaining({
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365, Status: 'Enabled' })] },
      }));
    });

    test('THEN cdk-nag AwsSolutions reports nothing unacknowledged, and the acknowledgements carry reasons', () => {
      expect(nagFindings(hosting)).toEqual([]);
      const [distribution] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Distribution'));
      expect(distribution.Metadata.cdk_nag.rules_to_suppress).toEqual([
        { id: 'AwsSolutions-CFR4', reason: expect.stringMatching(/^No custom domain was given, so CloudFront serves its default \*\.cloudfront\.net certificate/) },
        { id: 'AwsSolutions-CFR1', reason: expect.stringMatching(/served in every country unless the team restricts it; pass geoRestriction/) },
        { id: 'AwsSolutions-CFR2', reason: expect.stringMatching(/no application behind it for WAF rules to protect.*Pass webAclId/) },
      ]);
    });
  });

  test.each([
    ['the defaults', (_stack: Stack): StaticSiteHostingProps => ({})],
    ['a custom domain, a geo restriction and a web ACL', (stack: Stack): StaticSiteHostingProps => ({
      domainNames: ['www.example.com'],
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
      geoRestriction: cloudfront.GeoRestriction.allowlist('DE'),
      webAclId: WEB_ACL_ARN,
    })],
  ])('GIVEN %s WHEN every cdk-nag pack of the security gates runs THEN nothing is left unacknowledged, and the buckets\' acknowledgements carry reasons', (_name, props) => {
    const stack = newGateStack(WITH_CDK_NAG_METADATA);
    const hosting = new StaticSiteHosting(stack, 'Site', props(stack));
    (stack.node.root as App).synth();
    for (const { name, create } of NAG_PACKS) {
      const result = runNagPack(create(), name, stack, [hosting.node.path]);
      expect(result.remaining.filter((f) => f.inPipeline).map((f) => `${name}: ${f.ruleId} ${f.path}`)).toEqual([]);
      for (const ack of result.acknowledged) {
        expect(ack.acknowledgedOn.startsWith(`${hosting.node.path}/`)).toBe(true);
        expect(ack.reason.length).toBeGreaterThan(40);
      }
    }
    const rules = (bucket: string) => (Template.fromStack(stack).findResources('AWS::S3::Bucket')[bucket]?.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .map((r: any) => r.id);
    const ids = (rule: string) => ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-${rule}`);
    const logicalId = (b: any) => stack.getLogicalId(b.node.defaultChild as CfnResource);
    expect(rules(logicalId(hosting.bucket))).toEqual([...ids('S3DefaultEncryptionKMS'), ...ids('S3BucketReplicationEnabled')]);
    expect(rules(logicalId(hosting.logBucket))).toEqual(['AwsSolutions-S1', ...ids('S3DefaultEncryptionKMS'), ...ids('S3BucketReplicationEnabled')]);
  });

  test('WHEN singlePageApp is on THEN 403 and 404 answer /index.html with 200', () => {
    const { template } = hostingIn(newStack(), { singlePageApp: true });
    expect(distributionConfig(template).CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
    ]);
  });

  describe('WHEN a custom domain and certificate are given', () => {
    const stack = newStack(WITH_CDK_NAG_METADATA);
    const hosting = withDomain(stack);
    const template = Template.fromStack(stack);

    test('THEN viewers need TLS 1.2 or later (TLSv1.2_2021, SNI) and the url is the domain', () => {
      const config = distributionConfig(template);
      expect(config.Aliases).toEqual(['www.example.com']);
      expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
      expect(hosting.url).toBe('https://www.example.com');
    });

    test('THEN CFR4 is neither raised nor acknowledged', () => {
      expect(nagFindings(hosting)).toEqual([]);
      expect(distributionAcknowledgements(stack)).not.toContain('AwsSolutions-CFR4');
      expect(distributionAcknowledgements(stack)).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2']);
    });
  });

  test('WHEN a geo restriction and a web ACL are given THEN CFR1 and CFR2 are neither raised nor acknowledged', () => {
    const stack = newStack();
    const hosting = withDomain(stack, { geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'), webAclId: WEB_ACL_ARN });
    expect(nagFindings(hosting)).toEqual([]);
    expect(distributionAcknowledgements(stack)).toEqual([]);
    const config = distributionConfig(Template.fromStack(stack));
    expect(config.WebACLId).toBe(WEB_ACL_ARN);
    expect(config.Restrictions).toEqual({ GeoRestriction: { Locations: ['DE', 'FR'], RestrictionType: 'whitelist' } });
  });

  test('WHEN removalPolicy is DESTROY THEN both buckets are deleted with the stack', () => {
    const { template } = hostingIn(newStack(), { removalPolicy: RemovalPolicy.DESTROY });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
  });

  test('WHEN the app uses the recommended feature flags THEN the site bucket\'s access logs arrive through a bucket policy and cdk-nag is clean', () => {
    const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
    const stack = new Stack(app, 'Flags', { env: { account: '111111111111', region: 'us-east-1' } });
    const hosting = new StaticSiteHosting(stack, 'Site');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    expect(nagFindings(hosting)).toEqual([]);
  });

  test('THEN it is a pipeline target: StaticSiteTarget.fromHosting deploys into its bucket and invalidates its distribution', () => {
    const stack = newStack();
    const hosting = new StaticSiteHosting(stack, 'Site');
    const target = StaticSiteTarget.fromHosting(hosting);
    expect(target.bucket).toBe(hosting.bucket);
    expect(target.distribution).toBe(hosting.distribution);
    new StaticSitePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Live', target }] });
    const project = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .find((p: any) => JSON.stringify(p.Properties.Environment.EnvironmentVariables ?? []).includes('SITE_BUCKET')) as any;
    const vars = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(vars.SITE_BUCKET).toEqual({ Ref: stack.getLogicalId(hosting.bucket.node.defaultChild as CfnResource) });
    expect(vars.DISTRIBUTION_ID).toEqual({ Ref: stack.getLogicalId(hosting.distribution.node.defaultChild as CfnResource) });
  });

  describe('rejects', () => {
    test('domain names without a certificate', () => {
      expect(() => hostingIn(newStack(), { domainNames: ['www.example.com'] })).toThrow(
        /^TestStack\/Site: certificate is required with domainNames \(www\.example\.com\): CloudFront serves a custom domain only with its certificate\. Fix: pass an ACM certificate from us-east-1/);
    });

    test('a certificate without domain names', () => {
      const stack = newStack();
      expect(() => hostingIn(stack, { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) })).toThrow(
        /^TestStack\/Site: domainNames must name the domains of the certificate.*\. Fix: pass domainNames/);
    });

    test('a certificate outside us-east-1', () => {
      const stack = newStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
      expect(() => hostingIn(stack, { domainNames: ['www.example.com'], certificate })).toThrow(
        /^TestStack\/Site: certificate must be in us-east-1 for CloudFront, got "arn:aws:acm:eu-west-1:111111111111:certificate\/abc" in "eu-west-1"\. Fix: request or import the certificate in us-east-1/);
    });

    test.each([['https://www.example.com'], ['www.example.com/path'], ['not a domain']])('a domain name that is not one (%p)', (name) => {
      const stack = newStack();
      expect(() => hostingIn(stack, { domainNames: [name], certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) })).toThrow(
        new RegExp(`^TestStack/Site: domainNames\\[0\\] is not a domain name, got "${name.replace(/[./]/g, '\\$&')}"\\. Fix: give a name like "www\\.example\\.com"`));
    });

    test('a web ACL that is not a CloudFront-scoped WAFv2 web ACL', () => {
      expect(() => hostingIn(newStack(), { webAclId: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/site/abc' })).toThrow(
        /^TestStack\/Site: webAclId must be the ARN of a WAFv2 web ACL with scope CLOUDFRONT \(global, us-east-1\), got "arn:aws:wafv2:eu-west-1:111111111111:regional\/webacl\/site\/abc"\. Fix:/);
    });
  });
});
