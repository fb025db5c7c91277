import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { LambdaDeployAction, LambdaDeployment, LambdaEnvironment, LambdaPipeline, LambdaPipelineProps } from '../../src';
import { githubSource, nagFindings, newStack } from '../helpers';
import { lambdaAlias } from './support';

/**
 * What the hook was called with. It runs after construction (in `addStages()`, at synthesis or
 * on first use of an escape hatch), so an override can read the subclass's fields.
 */
const calls: string[] = [];

/**
 * A team's subclass: the library's deploy action for every environment, but production's
 * with a variables namespace so that a smoke test after it can name the published version.
 */
class SmokeTestedLambdaPipeline extends LambdaPipeline {
  constructor(scope: Construct, id: string, props: LambdaPipelineProps) {
    super(scope, id, props);
    const smoke = new codebuild.PipelineProject(this, 'Smoke', {
      encryptionKey: this.encryptionKey,
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['./smoke.sh "$FUNCTION_VERSION"'] } } }),
    });
    this.pipeline.stages.find((s) => s.stageName === 'Production')!.addAction(new actions.CodeBuildAction({
      actionName: 'SmokeTest',
      project: smoke,
      input: this.sourceOutput,
      runOrder: 3,
      environmentVariables: { FUNCTION_VERSION: { value: '#{ProductionDeploy.FunctionVersion}' } },
    }));
  }

  protected createDeployAction(environment: LambdaEnvironment): codepipeline.IAction {
    calls.push(environment.name);
    if (environment.name !== 'Production') {
      return super.createDeployAction(environment);
    }
    return new LambdaDeployAction({
      actionName: 'Deploy',
      input: this.buildOutput,
      deployment: environment.deployment,
      runOrder: 2,
      variablesNamespace: 'ProductionDeploy',
    });
  }
}

describe('GIVEN a TypeScript subclass that overrides createDeployAction', () => {
  let stack: Stack;
  let pipeline: SmokeTestedLambdaPipeline;
  let template: Template;

  beforeAll(() => {
    calls.length = 0;
    stack = newStack();
    pipeline = new SmokeTestedLambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')) },
        { name: 'Production', deployment: LambdaDeployment.canary(lambdaAlias(stack, 'ProductionFn'), { percentage: 10, interval: Duration.minutes(10) }) },
      ],
    });
    template = Template.fromStack(stack);
  });

  test('THEN the hook is called once per environment, in order', () => {
    expect(calls).toEqual(['Staging', 'Production']);
  });

  test('THEN production deploys through the subclass\'s action and the smoke test reads the published version', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    const production = cfn.Properties.Stages.find((s: any) => s.Name === 'Production');
    expect(production.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder, a.Namespace])).toEqual([
      ['Approve', 'Manual', 1, undefined],
      ['Deploy', 'Lambda', 2, 'ProductionDeploy'],
      ['SmokeTest', 'CodeBuild', 3, undefined],
    ]);
    expect(production.Actions[1].Configuration.DeployStrategy).toBe('Canary10Percent10Minutes');
    expect(JSON.parse(production.Actions[2].Configuration.EnvironmentVariables))
      .toEqual([{ name: 'FUNCTION_VERSION', type: 'PLAINTEXT', value: '#{ProductionDeploy.FunctionVersion}' }]);
    const staging = cfn.Properties.Stages.find((s: any) => s.Name === 'Staging');
    expect(staging.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.Namespace])).toEqual([['Deploy', 'Lambda', undefined]]);
  });

  test('THEN the subclass\'s action still has its rollback alarms and a least-privilege role', () => {
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.startsWith('PipelineProductionDeploy'));
    expect(alarms).toHaveLength(2);
    expect(nagFindings(pipeline).filter((f) => f.path.includes('/Production/Deploy/'))).toEqual([]);
  });
});
