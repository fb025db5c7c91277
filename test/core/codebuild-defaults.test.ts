// Layered CodeBuild defaults: the library's, then the pipeline's codeBuildDefaults (every
// project it creates), then buildOptions (the build project only), then what a step needs.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CodeBuildDefaults, EcsContainerPipeline, EcsDeployment } from '../../src';
import { fargateService, githubSource, newStack } from '../helpers';
import { sitePipeline } from '../static-site/support';

const DEFAULTS: CodeBuildDefaults = {
  buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5,
  computeType: codebuild.ComputeType.MEDIUM,
  timeout: Duration.minutes(50),
  logRetention: logs.RetentionDays.ONE_YEAR,
};

/** Every CodeBuild project of the template, by description, with its log group's retention. */
interface ProjectSettings { description: string; image: string; compute: string; timeout: number | undefined; retention: number }

function projects(template: Template): ProjectSettings[] {
  const groups = template.findResources('AWS::Logs::LogGroup');
  return Object.values(template.findResources('AWS::CodeBuild::Project')).map((p: any) => ({
    description: p.Properties.Description,
    image: p.Properties.Environment.Image,
    compute: p.Properties.Environment.ComputeType,
    timeout: p.Properties.TimeoutInMinutes,
    retention: groups[p.Properties.LogsConfig.CloudWatchLogs.GroupName.Ref].Properties.RetentionInDays,
  }));
}

function ecsWithGate(extra: object) {
  const stack = newStack();
  new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Staging')) }],
    vulnerabilityGate: {},
    ...extra,
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('codeBuildDefaults', () => {
  test('GIVEN codeBuildDefaults WHEN a static-site pipeline is synthesized THEN the build and every deploy step run on them', () => {
    const { template } = sitePipeline(newStack(), { codeBuildDefaults: DEFAULTS });
    const all = projects(template);
    expect(all).toHaveLength(3);
    for (const p of all) {
      expect(p).toMatchObject({ image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0', compute: 'BUILD_GENERAL1_MEDIUM', timeout: 50, retention: 365 });
    }
  });

  test('GIVEN codeBuildDefaults and buildOptions WHEN synthesized THEN buildOptions win for the build project only', () => {
    const { template } = sitePipeline(newStack(), {
      codeBuildDefaults: DEFAULTS,
      buildOptions: { computeType: codebuild.ComputeType.LARGE, timeout: Duration.minutes(30), logRetention: logs.RetentionDays.ONE_MONTH },
    });
    const [build, ...steps] = projects(template).sort((a, b) => (a.description.startsWith('Build') ? -1 : b.description.startsWith('Build') ? 1 : 0));
    expect(build).toMatchObject({ compute: 'BUILD_GENERAL1_LARGE', timeout: 30, retention: 30, image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0' });
    for (const step of steps) {
      expect(step).toMatchObject({ compute: 'BUILD_GENERAL1_MEDIUM', timeout: 50, retention: 365 });
    }
  });

  test('GIVEN no codeBuildDefaults THEN the library defaults apply: standard:8.0, SMALL, 20 minutes for the build; the deploy steps on Lambda compute (region us-east-1)', () => {
    const { template } = sitePipeline(newStack());
    const all = projects(template);
    const [build, ...steps] = all.sort((a, b) => (a.description.startsWith('Build') ? -1 : b.description.startsWith('Build') ? 1 : 0));
    expect([build.image, build.compute, build.retention, build.timeout]).toEqual(['aws/codebuild/standard:8.0', 'BUILD_GENERAL1_SMALL', 90, 20]);
    expect(steps.map((p) => [p.image, p.compute, p.retention, p.timeout]))
      .toEqual(steps.map(() => ['aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.12', 'BUILD_LAMBDA_1GB', 90, undefined]));
  });

  test('GIVEN no codeBuildDefaults in a region without Lambda compute THEN every project is standard:8.0, SMALL, the steps with their own timeouts', () => {
    const app = new App();
    const { template } = sitePipeline(new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'eu-north-1' } }));
    const all = projects(template);
    expect(all.map((p) => [p.image, p.compute, p.retention])).toEqual(all.map(() => ['aws/codebuild/standard:8.0', 'BUILD_GENERAL1_SMALL', 90]));
    expect(all.map((p) => p.timeout).sort()).toEqual([20, 45, 45]);
  });

  test('GIVEN a default timeout shorter than a step needs THEN the step keeps its own, with a warning', () => {
    const { stack, template } = ecsWithGate({ codeBuildDefaults: { timeout: Duration.minutes(10) } });
    const gate = projects(template).find((p) => p.description.startsWith('Vulnerability gate'))!;
    const build = projects(template).find((p) => p.description.startsWith('Test, build and push'))!;
    expect(build.timeout).toBe(10);
    expect(gate.timeout).toBe(45);
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
      '^codeBuildDefaults.timeout \\(10 minutes\\) is shorter than the 45 minutes the step TestStack/Pipeline needs: it keeps 45 minutes.*CodeBuildTimeoutRaised'));
  });

  test('GIVEN a default timeout longer than a step needs THEN the step gets it too', () => {
    const { template } = ecsWithGate({ codeBuildDefaults: { timeout: Duration.hours(2) } });
    expect(projects(template).map((p) => p.timeout)).toEqual([120, 120]);
  });

  test.each([
    ['codeBuildDefaults.computeType', { computeType: codebuild.ComputeType.LAMBDA_1GB }, /codeBuildDefaults\.computeType is Lambda compute/],
    ['codeBuildDefaults.timeout', { timeout: Duration.minutes(2) }, /codeBuildDefaults\.timeout must be between 5 minutes and 8 hours, got 2 minutes/],
    ['codeBuildDefaults.logRetention', { logRetention: 13 as unknown as logs.RetentionDays }, /codeBuildDefaults\.logRetention must be one of/],
    ['codeBuildDefaults.buildImage', { buildImage: 'aws/codebuild/standard:8.0' as unknown as codebuild.IBuildImage }, /codeBuildDefaults\.buildImage must be a codebuild\.IBuildImage/],
  ])('WHEN %s is bad THEN the library says so at synth time', (_prop, defaults, message) => {
    expect(() => sitePipeline(newStack(), { codeBuildDefaults: defaults as CodeBuildDefaults })).toThrow(message);
  });
});
