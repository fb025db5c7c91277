import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
    ['account', { account: '222222222222', region: 'us-east-1' },
      /is in account 222222222222 \(Cdn\/Distribution\), but the bucket is in account 111111111111 \(TestStack\/Site\): .*Fix: keep the bucket and its distribution in one account.*fromDistributionAttributes/],
    ['region', { account: '111111111111', region: 'eu-west-1' },
      /is in stack Cdn of region eu-west-1, and its id is a reference to that stack, but the deploy step of the bucket TestStack\/Site runs in region us-east-1.*Fix: import the distribution into the bucket's stack with cloudfront\.Distribution\.fromDistributionAttributes/],
  ])('GIVEN the distribution in a stack of another %s than its bucket WHEN synthesized THEN the library\'s error names target.distribution', (_what, env, message) => {
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
  });

  test('GIVEN the bucket in a stack of another account WHEN synthesized THEN it is accepted: the deploy project is created in that stack', () => {
    const app = new App();
    const other = new Stack(app, 'Sites', { env: { account: '222222222222', region: 'us-east-1' } });
    const bucket = new s3.Bucket(other, 'Site');
    const stack = new Stack(app, 'TestStack', { env: ENV });
    new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(bucket) }],
    });
    app.synth();
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))).toEqual([expect.stringMatching(/^PipelineBuild/)]);
    expect(Object.keys(Template.fromStack(other).findResources('AWS::CodeBuild::Project'))).toEqual([expect.stringMatching(/^TestStackPipelineStagingDeploy[0-9A-F]{8}TargetProject[0-9A-F]{8}$/)]);
  });

  test('GIVEN the distribution in another region\'s stack of the bucket\'s account, imported into the bucket\'s stack by id WHEN synthesized THEN it is accepted', () => {
    const app = new App();
    const sites = new Stack(app, 'Sites', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(sites, 'Site');
    const distribution = cloudfront.Distribution.fromDistributionAttributes(sites, 'Cdn', { distributionId: 'E123', domainName: 'd123.cloudfront.net' });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(bucket, { distribution }) }],
    });
    app.synth();
    const project = Object.values(Template.fromStack(sites).findResources('AWS::CodeBuild::Project'))[0];
    expect(project.Properties.Environment.EnvironmentVariables).toContainEqual({ Name: 'DISTRIBUTION_ID', Type: 'PLAINTEXT', Value: 'E123' });
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
