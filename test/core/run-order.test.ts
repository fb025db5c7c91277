import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeliveryPipeline, DeliveryPipelineProps, EnvironmentOptions } from '../../src';
import { validateEnvironments } from '../../src/core/environment';
import { githubSource, newStack } from '../helpers';
import { stageOf } from './support';

interface Props extends DeliveryPipelineProps {
  readonly environments: EnvironmentOptions[];
  /** The run orders the subclass's deploy actions ask for (undefined: aws-cdk-lib's default, 1). */
  readonly runOrders: Array<number | undefined>;
}

/** A subclass whose deploy hook returns actions with whatever run orders it is given. */
class CarelessPipeline extends DeliveryPipeline {
  private readonly props: Props;

  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    validateEnvironments(this, props.environments);
    this.props = props;
  }

  protected addStages(): void {
    this.addBuildStage();
    for (const env of this.props.environments) {
      const bucket = s3.Bucket.fromBucketName(this, `${env.name}Target`, `acme-${env.name.toLowerCase()}`);
      this.addEnvironmentStage(env, this.props.runOrders.map((runOrder, i): codepipeline.IAction =>
        new actions.S3DeployAction({ actionName: `Deploy${i}`, bucket, input: this.buildOutput, runOrder })));
    }
  }
}

function runOrders(runOrdersAsked: Array<number | undefined>): { staging: Array<[string, number]>; production: Array<[string, number]> } {
  const stack = newStack();
  new CarelessPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging' }, { name: 'Production' }],
    runOrders: runOrdersAsked,
  });
  const template = Template.fromStack(stack);
  const of = (name: string) => stageOf(template, name).Actions.map((a: any) => [a.Name, a.RunOrder] as [string, number]);
  return { staging: of('Staging'), production: of('Production') };
}

describe('The spine orders deploy actions after the approval, whatever the hook returns', () => {
  test('GIVEN a deploy action with run order 1 WHEN the environment has an approval THEN it runs after the approval, not in parallel', () => {
    expect(runOrders([1]).production).toEqual([['Approve', 1], ['Deploy0', 2]]);
  });

  test('GIVEN a deploy action with the default run order (undefined) THEN it runs after the approval', () => {
    expect(runOrders([undefined]).production).toEqual([['Approve', 1], ['Deploy0', 2]]);
  });

  test('GIVEN actions with run orders 1, undefined and 3 THEN all move by the same amount (relative order kept)', () => {
    expect(runOrders([1, undefined, 3]).production).toEqual([['Approve', 1], ['Deploy0', 2], ['Deploy1', 2], ['Deploy2', 4]]);
  });

  test('GIVEN actions that already run after the approval (2 and 3) THEN their run orders are unchanged', () => {
    expect(runOrders([2, 3]).production).toEqual([['Approve', 1], ['Deploy0', 2], ['Deploy1', 3]]);
  });

  test('GIVEN the first environment (no approval) THEN its run orders are unchanged', () => {
    expect(runOrders([1, undefined]).staging).toEqual([['Deploy0', 1], ['Deploy1', 1]]);
  });

  test('GIVEN a moved action THEN it is still bound as itself: its own role and configuration', () => {
    const stack = newStack();
    new CarelessPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }, { name: 'Production' }], runOrders: [1] });
    const action = stageOf(Template.fromStack(stack), 'Production').Actions[1];
    expect(action.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Deploy', Provider: 'S3' }));
    expect(action.Configuration).toEqual(expect.objectContaining({ BucketName: 'acme-production', Extract: 'true' }));
    expect(action.RoleArn['Fn::GetAtt'][0]).toMatch(/^PipelineProductionDeploy0CodePipelineActionRole/);
  });
});
