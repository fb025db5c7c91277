import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { ServerDeployment, ServerEnvironment, ServerPipeline } from '../../src';
import { githubSource, nagFindings, newStack } from '../helpers';
import { APP_SPEC, webServers } from './support';

/** What the hook was called with (it runs after construction). */
const calls: string[] = [];

/**
 * A team's subclass: the library's deploy action for staging; production announces the
 * revision to a change log first (a CodeBuild action before the library's deploy action, which
 * moves to run order 3).
 */
class AnnouncedServerPipeline extends ServerPipeline {
  protected createDeployAction(environment: ServerEnvironment): codepipeline.IAction {
    calls.push(environment.name);
    const deploy = super.createDeployAction(environment);
    if (environment.name !== 'Production') {
      return deploy;
    }
    const announce = new codebuild.PipelineProject(this, 'Announce', {
      encryptionKey: this.encryptionKey,
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['echo "deploying $REVISION"'] } } }),
    });
    this.pipeline.stages.find((s) => s.stageName === 'Build')!.addAction(new actions.CodeBuildAction({
      actionName: 'Announce',
      project: announce,
      input: this.sourceOutput,
      runOrder: 2,
      environmentVariables: { REVISION: { value: this.revision } },
    }));
    return deploy;
  }
}

describe('GIVEN a TypeScript subclass that overrides createDeployAction', () => {
  let stack: Stack;
  let pipeline: AnnouncedServerPipeline;
  let template: Template;

  beforeAll(() => {
    calls.length = 0;
    stack = newStack();
    pipeline = new AnnouncedServerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      appSpec: APP_SPEC,
      environments: [
        { name: 'Staging', deployment: ServerDeployment.autoScalingGroup(webServers(stack, 'Staging')) },
        { name: 'Production', deployment: ServerDeployment.autoScalingGroup(webServers(stack, 'Production')) },
      ],
    });
    template = Template.fromStack(stack);
  });

  test('THEN the hook is called once per environment, in order, after construction', () => {
    expect(calls).toEqual(['Staging', 'Production']);
  });

  test('THEN the subclass\'s action reads the revision the build exported, and both environments deploy through CodeDeploy', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    const build = cfn.Properties.Stages.find((s: any) => s.Name === 'Build');
    expect(build.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['BuildAndTest', 1], ['Announce', 2]]);
    expect(JSON.parse(build.Actions[1].Configuration.EnvironmentVariables)).toEqual([{ name: 'REVISION', type: 'PLAINTEXT', value: '#{Build_BuildAndTest_NS.REVISION}' }]);
    for (const name of ['Staging', 'Production']) {
      const stage = cfn.Properties.Stages.find((s: any) => s.Name === name);
      expect(stage.Actions.find((a: any) => a.Name === 'Deploy').ActionTypeId.Provider).toBe('CodeDeploy');
    }
  });

  test('THEN the deploy actions keep their least-privilege roles', () => {
    expect(nagFindings(pipeline).filter((f) => f.path.includes('/Deploy'))).toEqual([]);
  });
});
