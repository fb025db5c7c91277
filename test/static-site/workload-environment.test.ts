import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipelineErrors, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { githubSource } from '../helpers';

const ENV = { account: '111111111111', region: 'us-east-1' };

function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('StaticSitePipeline: a target in another account or region', () => {
  test.each([
    ['account', { account: '222222222222', region: 'us-east-1' }, /is in account 222222222222 \(Cdn\/Distribution\), but the pipeline's stack is in account 111111111111/],
    ['region', { account: '111111111111', region: 'eu-west-1' }, /is in region eu-west-1 \(Cdn\/Distribution\), but the pipeline's stack is in region us-east-1/],
  ])('GIVEN the distribution in a stack of another %s WHEN synthesized THEN the library\'s error names target.distribution', (_what, env, message) => {
    const app = new App();
    const cdn = new Stack(app, 'Cdn', { env });
    const origin = new s3.Bucket(cdn, 'Origin');
    const distribution = new cloudfront.Distribution(cdn, 'Distribution', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(origin) } });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const bucket = new s3.Bucket(stack, 'Site');
    const err = thrownBy(() => new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(bucket, { distribution }) }],
    }));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^TestStack\/Pipeline: environments\[0\]\.target\.distribution /);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/Fix: .*fromDistributionAttributes/);
  });

  test('GIVEN the bucket in a stack of another account WHEN synthesized THEN the library\'s error names target.bucket', () => {
    const app = new App();
    const other = new Stack(app, 'Sites', { env: { account: '222222222222', region: 'us-east-1' } });
    const bucket = new s3.Bucket(other, 'Site');
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const err = thrownBy(() => new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(bucket) }],
    }));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^TestStack\/Pipeline: environments\[0\]\.target\.bucket is in account 222222222222 \(Sites\/Site\).*Fix:/);
  });

  test('GIVEN the distribution imported into the pipeline\'s stack WHEN synthesized THEN it is accepted', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'E123', domainName: 'd123.cloudfront.net' });
    expect(() => new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(new s3.Bucket(stack, 'Site'), { distribution }) }],
    })).not.toThrow();
  });
});
