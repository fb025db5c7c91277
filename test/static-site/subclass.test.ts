import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StaticSiteEnvironment, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { githubSource, nagFindings, newStack } from '../helpers';

/** What the hook was called with. */
const calls: string[] = [];

/**
 * A team's subclass: the library's deploy step for staging and production, but its preview
 * environment is deployed with CodePipeline's plain S3 deploy action (no cache headers, no
 * rollback: a preview may break).
 */
class PreviewSitePipeline extends StaticSitePipeline {
  protected createDeployAction(environment: StaticSiteEnvironment): codepipeline.IAction {
    calls.push(environment.name);
    if (environment.name !== 'Preview') {
      return super.createDeployAction(environment);
    }
    return new actions.S3DeployAction({
      actionName: 'Deploy',
      bucket: environment.target.bucket,
      input: this.buildOutput,
      extract: true,
      runOrder: 2,
    });
  }
}

describe('GIVEN a TypeScript subclass that overrides createDeployAction', () => {
  let stack: Stack;
  let pipeline: PreviewSitePipeline;
  let template: Template;

  beforeAll(() => {
    calls.length = 0;
    stack = newStack();
    const preview = new s3.Bucket(stack, 'PreviewBucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true });
    const production = new StaticSiteHosting(stack, 'ProductionSite');
    pipeline = new PreviewSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Preview', target: StaticSiteTarget.fromBucket(preview) },
        { name: 'Production', target: StaticSiteTarget.fromHosting(production), postDeployCheck: { urls: [production.url] } },
      ],
    });
    template = Template.fromStack(stack);
  });

  test('THEN the hook is called once per environment, in order, after construction', () => {
    expect(calls).toEqual(['Preview', 'Production']);
  });

  test('THEN the preview deploys through the subclass\'s action, production through the library\'s deploy step', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    const stages = Object.fromEntries(cfn.Properties.Stages
      .map((s: any) => [s.Name, s.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])]));
    expect(stages.Preview).toEqual([['Deploy', 'S3', 2]]);
    expect(stages.Production).toEqual([['Approve', 'Manual', 1], ['Deploy', 'CodeBuild', 2]]);
    const projects = Object.keys(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.filter((id) => id.startsWith('PipelinePreviewDeploy'))).toEqual([]);
    expect(projects.filter((id) => id.startsWith('PipelineProductionDeployProject'))).toHaveLength(1);
  });

  test('THEN the library\'s deploy step keeps its least-privilege role (cdk-nag clean)', () => {
    expect(nagFindings(pipeline).filter((f) => f.path.includes('/ProductionDeploy/'))).toEqual([]);
  });
});
