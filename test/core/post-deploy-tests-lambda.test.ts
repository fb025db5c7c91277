/**
 * Post-deploy tests on CodeBuild Lambda compute (issue 17): an opt-in with a Lambda image, so the
 * tests start in seconds instead of an EC2 container's 20-60 s, within Lambda compute's limits
 * (CodeBuild User Guide, "Limitations of AWS Lambda compute": no custom build timeout, no cache,
 * no custom runtime environments, 15 minutes at most, regions that offer it).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { EcsContainerPipeline, EcsDeployment, PostDeployTestOptions, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { blueGreenFixture, githubSource, newStack } from '../helpers';

const NODE = codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22;

function sitePipeline(stack: Stack, tests: Partial<PostDeployTestOptions>, props: Record<string, unknown> = {}) {
  return new StaticSitePipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      {
        name: 'Staging',
        target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'StagingSite')),
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'], ...tests },
      },
      { name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'ProductionSite')) },
    ],
    ...props,
  });
}

function testsProject(stack: Stack): any {
  const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
    .filter((p: any) => /^Post-deploy tests/.test(p.Properties.Description));
  expect(projects).toHaveLength(1);
  return projects[0].Properties;
}

describe('GIVEN post-deploy tests with a Lambda compute image', () => {
  test('THEN they run on Lambda compute (1 GB unless set), without a build timeout or cache, also when codeBuildDefaults sets a timeout', () => {
    const stack = newStack();
    sitePipeline(stack, { buildImage: NODE }, { codeBuildDefaults: { timeout: Duration.minutes(30) } });
    const project = testsProject(stack);
    expect(project.Environment).toEqual(expect.objectContaining({
      Type: 'LINUX_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_1GB', Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22',
    }));
    expect(project.Environment.PrivilegedMode).toBe(false);
    expect(project.TimeoutInMinutes).toBeUndefined();
    expect(project.Cache).toEqual({ Type: 'NO_CACHE' });
    // The deploy steps of the library are on Lambda compute too: only the build starts an EC2 container.
    const containers = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .filter((p: any) => !String(p.Properties.Environment.Type).endsWith('_LAMBDA_CONTAINER'))
      .map((p: any) => p.Properties.Description);
    expect(containers).toEqual([expect.stringMatching(/^Build/)]);
  });

  test('WHEN a Lambda compute type is set THEN the project uses it', () => {
    const stack = newStack();
    sitePipeline(stack, { buildImage: NODE, computeType: codebuild.ComputeType.LAMBDA_4GB });
    expect(testsProject(stack).Environment.ComputeType).toEqual('BUILD_LAMBDA_4GB');
  });

  test('WHEN the stack\'s region is not known at synth time THEN the pipeline warns that the region is not checked', () => {
    const stack = new Stack(new App(), 'Agnostic');
    sitePipeline(stack, { buildImage: NODE });
    Annotations.fromStack(stack).hasWarning('/Agnostic/Pipeline', Match.stringLikeRegexp('environments\\[0\\]\\.postDeployTests: the tests run on Lambda compute, which CodeBuild offers only in us-east-1'));
  });
});

describe('GIVEN post-deploy tests on Lambda compute that cannot run there', () => {
  test.each([
    ['a Lambda compute type with a container image', { computeType: codebuild.ComputeType.LAMBDA_1GB },
      /Pipeline: environments\[0\]\.postDeployTests\.computeType is Lambda compute, got "BUILD_LAMBDA_1GB", but buildImage is not set.*set buildImage to a Lambda compute image/],
    ['a Lambda image with a container compute type', { buildImage: NODE, computeType: codebuild.ComputeType.SMALL },
      /environments\[0\]\.postDeployTests\.computeType is a container compute type, got "BUILD_GENERAL1_SMALL", but buildImage is a Lambda compute image.*LAMBDA_1GB/],
    ['a timeout', { buildImage: NODE, timeout: Duration.minutes(10) },
      /environments\[0\]\.postDeployTests\.timeout is set \(10 minutes\), but Lambda compute takes no build timeout.*remove timeout/],
    ['runtime versions', { buildImage: NODE, runtimeVersions: { nodejs: '22' } },
      /environments\[0\]\.postDeployTests\.runtimeVersions is set .*cannot install runtime versions.*choose the Lambda image with that runtime/],
  ])('WHEN they have %s THEN the library says what to change', (_name, tests, message) => {
    expect(() => sitePipeline(newStack(), tests as Partial<PostDeployTestOptions>)).toThrow(message);
  });

  test('WHEN the pipeline\'s region lacks Lambda compute THEN the tests run in a container there, and the pipeline says so naming the regions', () => {
    const stack = new Stack(new App(), 'Paris', { env: { account: '111111111111', region: 'eu-west-3' } });
    sitePipeline(stack, { buildImage: NODE });
    const project = testsProject(stack);
    expect([project.Environment.Type, project.Environment.ComputeType, project.Environment.Image, project.TimeoutInMinutes])
      .toEqual(['LINUX_CONTAINER', 'BUILD_GENERAL1_SMALL', 'aws/codebuild/standard:8.0', 20]);
    Annotations.fromStack(stack).hasWarning('/Paris/Pipeline', Match.stringLikeRegexp(
      'environments\\[0\\]\\.postDeployTests\\.buildImage is a Lambda compute image, but CodeBuild offers Lambda compute only in .*eu-west-1.*not in eu-west-3: the tests run in a container'));
  });

  test('WHEN the tests run before production traffic shifts (ECS blue/green) THEN the library keeps them in a container', () => {
    const stack = newStack();
    const { service, listener, testListener, blueTargetGroup, greenTargetGroup } = blueGreenFixture(stack);
    expect(() => {
      new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{
          name: 'Production',
          deployment: EcsDeployment.blueGreen({ service, listener, testListener, blueTargetGroup, greenTargetGroup }),
          postDeployTests: { commands: ['npm run smoke'], buildImage: NODE },
        }],
      });
      Template.fromStack(stack);
    }).toThrow(/environments\[0\]\.postDeployTests\.buildImage is a Lambda compute image, but Production's tests run before production traffic shifts.*use a container image/);
  });
});
