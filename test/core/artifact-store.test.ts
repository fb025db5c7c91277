import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactStore, DeliveryPipelineErrors } from '../../src';
import { githubSource, newStack } from '../helpers';
import { ecsPipeline, onlyResource, SpinePipeline, thrown } from './support';

describe('ArtifactStore', () => {
  describe('GIVEN a store with default props', () => {
    let stack: Stack;
    let template: Template;
    let keyId: string;
    let bucketId: string;
    let logBucketId: string;

    beforeAll(() => {
      stack = newStack();
      const store = new ArtifactStore(stack, 'Store');
      template = Template.fromStack(stack);
      keyId = stack.getLogicalId(store.encryptionKey.node.defaultChild as any);
      bucketId = stack.getLogicalId(store.bucket.node.defaultChild as any);
      logBucketId = stack.getLogicalId(store.accessLogsBucket.node.defaultChild as any);
    });

    test('THEN one customer managed key is created with rotation on', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('THEN the artifact bucket is encrypted with that key', () => {
      expect(template.toJSON().Resources[bucketId].Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        expect.objectContaining({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }),
      ]);
    });

    test('THEN the artifact bucket blocks all public access and is versioned', () => {
      const bucket = template.toJSON().Resources[bucketId];
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    });

    test('THEN the artifact bucket policy denies requests without SSL', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('THEN server access logs go to a separate log bucket', () => {
      expect(logBucketId).not.toEqual(bucketId);
      const bucket = template.toJSON().Resources[bucketId];
      expect(bucket.Properties.LoggingConfiguration).toEqual(expect.objectContaining({
        DestinationBucketName: { Ref: logBucketId },
      }));
      template.resourceCountIs('AWS::S3::Bucket', 2);
    });

    test('THEN the log bucket is private and SSL-only too', () => {
      const logBucket = template.toJSON().Resources[logBucketId];
      expect(logBucket.Properties.PublicAccessBlockConfiguration).toEqual(expect.objectContaining({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      }));
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logBucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('THEN non-current artifact versions expire after 30 days', () => {
      const rules = template.toJSON().Resources[bucketId].Properties.LifecycleConfiguration.Rules;
      expect(rules).toEqual(expect.arrayContaining([
        expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      ]));
    });

    test('THEN the bucket, the key and the log bucket are retained', () => {
      const resources = template.toJSON().Resources;
      for (const id of [bucketId, keyId, logBucketId]) {
        expect({ id, policy: resources[id].DeletionPolicy }).toEqual({ id, policy: 'Retain' });
        expect({ id, policy: resources[id].UpdateReplacePolicy }).toEqual({ id, policy: 'Retain' });
      }
    });
  });

  describe('GIVEN overrides', () => {
    test('WHEN noncurrentVersionExpiration is 90 days THEN the lifecycle rule says 90', () => {
      const stack = newStack();
      new ArtifactStore(stack, 'Store', { noncurrentVersionExpiration: Duration.days(90) });
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]),
        },
      });
    });

    test('WHEN removalPolicy is DESTROY THEN the bucket, the key and the log bucket are deleted with the stack', () => {
      const stack = newStack();
      new ArtifactStore(stack, 'Store', { removalPolicy: RemovalPolicy.DESTROY });
      const template = Template.fromStack(stack);
      template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
      template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
      template.resourceCountIs('AWS::S3::Bucket', 2);
    });

    test('WHEN an access log bucket is given THEN it receives the logs and no log bucket is created', () => {
      const stack = newStack();
      const logs = new s3.Bucket(stack, 'MyLogs');
      new ArtifactStore(stack, 'Store', { accessLogsBucket: logs });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::S3::Bucket', 2);
      template.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(logs.node.defaultChild as s3.CfnBucket) } },
      });
    });
  });

  describe('GIVEN one store shared by two pipelines', () => {
    let template: Template;
    let bucketId: string;

    beforeAll(() => {
      const stack = newStack();
      const store = new ArtifactStore(stack, 'Shared');
      ecsPipeline(stack, { artifactStore: store }, 'PipelineA');
      ecsPipeline(stack, { artifactStore: store }, 'PipelineB');
      template = Template.fromStack(stack);
      bucketId = stack.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket);
    });

    test('THEN the stack holds exactly one KMS key', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
    });

    test('THEN both pipelines keep their artifacts in the shared bucket', () => {
      const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as any[];
      expect(pipelines).toHaveLength(2);
      for (const pipeline of pipelines) {
        expect(pipeline.Properties.ArtifactStore.Location).toEqual({ Ref: bucketId });
      }
    });

    test('THEN no pipeline creates its own artifact bucket', () => {
      // the shared artifact bucket and its access log bucket only
      template.resourceCountIs('AWS::S3::Bucket', 2);
    });
  });

  test('GIVEN a pipeline without artifactStore THEN it creates its own hardened store', () => {
    const stack = newStack();
    const pipeline = ecsPipeline(stack);
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    expect(pipeline.artifactBucket).toBe(pipeline.artifactStore.bucket);
    expect(pipeline.encryptionKey).toBe(pipeline.artifactStore.encryptionKey);
  });

  describe('GIVEN bad input', () => {
    test.each([
      ['0 days', Duration.days(0)],
      ['12 hours', Duration.hours(12)],
      ['3651 days', Duration.days(3651)],
    ])('WHEN noncurrentVersionExpiration is %s THEN it throws naming the path, the prop and the fix', (_name, value) => {
      const stack = newStack();
      expect(() => new ArtifactStore(stack, 'Store', { noncurrentVersionExpiration: value }))
        .toThrow(/TestStack\/Store: noncurrentVersionExpiration must be between 1 day and 3650 days.*Fix:/);
    });

    test.each([
      ['account', { account: '222222222222', region: 'us-east-1' }, /is in account 222222222222 \(Shared\/Store\/Bucket\), but the pipeline's stack is in account 111111111111/],
      ['region', { account: '111111111111', region: 'eu-west-1' }, /is in region eu-west-1 \(Shared\/Store\/Bucket\), but the pipeline's stack is in region us-east-1/],
    ])('WHEN the artifactStore is in another %s THEN the library\'s error names artifactStore.bucket and the fix', (_what, env, message) => {
      const app = new App();
      const store = new ArtifactStore(new Stack(app, 'Shared', { env }), 'Store');
      const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
      const err = thrown(() => new SpinePipeline(stack, 'Pipeline', { source: githubSource(), artifactStore: store, environments: [{ name: 'Staging' }] }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^TestStack\/Pipeline: artifactStore\.bucket /);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/Fix: create the artifact store in the pipeline's account and region/);
    });

    test('WHEN the artifactStore is in another stack of the same environment THEN it is accepted', () => {
      const app = new App();
      const env = { account: '111111111111', region: 'us-east-1' };
      const store = new ArtifactStore(new Stack(app, 'Shared', { env }), 'Store');
      const stack = new Stack(app, 'TestStack', { env });
      expect(() => new SpinePipeline(stack, 'Pipeline', { source: githubSource(), artifactStore: store, environments: [{ name: 'Staging' }] })).not.toThrow();
    });

    test('WHEN noncurrentVersionExpiration is out of range THEN the error is the library\'s own', () => {
      const stack = newStack();
      const err = thrown(() => new ArtifactStore(stack, 'Store', { noncurrentVersionExpiration: Duration.days(0) }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    });
  });
});
