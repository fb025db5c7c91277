import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaDeployAction, LambdaDeployment } from '../../src';
import { newStack } from '../helpers';
import { lambdaAlias } from './support';

/** GIVEN a hand-made V2 pipeline: an S3 source whose zip is the function's code, then a deploy stage. */
function handMadePipeline(stack: Stack, deploy: (input: codepipeline.Artifact) => LambdaDeployAction) {
  const bucket = new s3.Bucket(stack, 'Source', { versioned: true });
  const source = new codepipeline.Artifact('Source');
  const pipeline = new codepipeline.Pipeline(stack, 'Hand', {
    pipelineType: codepipeline.PipelineType.V2,
    pipelineName: 'orders-delivery',
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'orders.zip', output: source })] },
    ],
  });
  const action = deploy(source);
  pipeline.addStage({ stageName: 'Deploy', actions: [action] });
  return { pipeline, action, get template() { return Template.fromStack(stack); } };
}

describe('LambdaDeployAction', () => {
  test('GIVEN it in a pipeline of the user\'s own THEN it deploys the input with the strategy and creates the default alarms in its own scope', () => {
    const stack = newStack();
    const alias = lambdaAlias(stack, 'Orders');
    const { template } = handMadePipeline(stack, (input) => new LambdaDeployAction({
      actionName: 'ShiftTraffic',
      input,
      deployment: LambdaDeployment.linear(alias, { percentage: 10, interval: Duration.minutes(1) }),
    }));
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Deploy',
        Actions: [Match.objectLike({
          Name: 'ShiftTraffic',
          ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' },
          InputArtifacts: [{ Name: 'Source' }],
          Configuration: {
            FunctionName: { Ref: Match.stringLikeRegexp('^Orders') },
            FunctionAlias: 'live',
            DeployStrategy: 'Linear10PercentEvery1Minute',
            Alarms: Match.anyValue(),
          },
        })],
      })]),
    });
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmIds.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['HandDeployShiftTrafficErrorsAlarm', 'HandDeployShiftTrafficThrottlesAlarm']);
  });

  test('GIVEN a pipeline of its own THEN the role writes only to that pipeline\'s action log group', () => {
    const stack = newStack();
    const alias = lambdaAlias(stack, 'Orders');
    const { template } = handMadePipeline(stack, (input) => new LambdaDeployAction({
      actionName: 'Deploy', input, deployment: LambdaDeployment.allAtOnce(alias, { defaultAlarms: false }),
    }));
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('HandDeployCodePipelineActionRole'));
    const statements: any[] = policy[1].Properties.PolicyDocument.Statement;
    const write = statements.find((s) => s.Sid === 'WriteTheActionLog');
    expect(write.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:/us-east-1/codepipeline/', { Ref: expect.stringMatching(/^Hand[0-9A-F]{8}$/) }, ':log-stream:*']],
    });
    expect(statements.some((s) => s.Sid === 'ReadTheRollbackAlarms')).toBe(false);
  });

  test('GIVEN a variables namespace THEN later actions can read the published version', () => {
    const stack = newStack();
    const alias = lambdaAlias(stack, 'Orders');
    const { pipeline, action } = handMadePipeline(stack, (input) => new LambdaDeployAction({
      actionName: 'Deploy', input, variablesNamespace: 'OrdersDeploy', deployment: LambdaDeployment.allAtOnce(alias),
    }));
    // WHEN a later action uses the variable
    const project = new codebuild.PipelineProject(stack, 'Smoke');
    pipeline.addStage({
      stageName: 'Verify',
      actions: [new actions.CodeBuildAction({
        actionName: 'Smoke',
        project,
        input: new codepipeline.Artifact('Source'),
        environmentVariables: { FUNCTION_VERSION: { value: action.variables.functionVersion } },
      })],
    });
    // THEN the version is the action's output variable
    expect(stack.resolve(action.variables.functionVersion)).toBe('#{OrdersDeploy.FunctionVersion}');
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Deploy', Actions: [Match.objectLike({ Namespace: 'OrdersDeploy' })] })]),
    });
  });

  test('GIVEN a deployment not from the factory THEN binding fails with the library\'s error', () => {
    const stack = newStack();
    expect(() => handMadePipeline(stack, (input) => new LambdaDeployAction({ actionName: 'Deploy', input, deployment: {} as any })))
      .toThrow(/^TestStack\/Hand\/Deploy\/Deploy: deployment must be created by a LambdaDeployment factory, got \[object Object\]\. Fix:/);
  });

  test('GIVEN an invalid deployment THEN binding fails with the action\'s path', () => {
    const stack = newStack();
    const alias = lambdaAlias(stack, 'Orders');
    expect(() => handMadePipeline(stack, (input) => new LambdaDeployAction({
      actionName: 'Deploy', input, deployment: LambdaDeployment.canary(alias, { percentage: 120, interval: Duration.minutes(5) }),
    }))).toThrow(/^TestStack\/Hand\/Deploy\/Deploy: deployment\.percentage must be a whole number between 1 and 99, got 120/);
  });
});
