import { Template } from 'aws-cdk-lib/assertions';
import { HandWrittenEcsPipeline } from '../../bench/hand-written/ecs';
import { EcsContainerPipeline, EcsDeployment } from '../../src';
import { CONNECTION_ARN, fargateService, githubSource, nagFindings, newStack } from '../helpers';

/** Statements that allow an ECS deploy action on every resource. */
function ecsStarStatements(template: Template, pathPrefix: string): any[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(pathPrefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
    .filter((s) => s.Resource === '*' && [].concat(s.Action).some((a: string) => a === 'ecs:UpdateService' || a === 'iam:PassRole'));
}

describe('against the hand-written L2 pipeline doing the same job', () => {
  // GIVEN the same services, WHEN each pipeline is synthesized, THEN compare the checks.
  const stack = newStack();
  const staging = fargateService(stack, 'Staging');
  const production = fargateService(stack, 'Production');
  const hand = new HandWrittenEcsPipeline(stack, 'HandWritten', { staging, production, connectionArn: CONNECTION_ARN, repo: 'shop' });
  const ours = new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
      { name: 'Production', deployment: EcsDeployment.rolling(production) },
    ],
  });
  const handFindings = nagFindings(hand);
  const ourFindings = nagFindings(ours);
  const template = Template.fromStack(stack);

  test('the hand-written pipeline has many cdk-nag findings, ours none', () => {
    expect(handFindings.length).toBeGreaterThanOrEqual(20);
    expect(ourFindings).toEqual([]);
  });

  test('the hand-written ECS deploy roles update any service and pass any role; ours do not', () => {
    expect(ecsStarStatements(template, 'HandWritten').length).toBeGreaterThanOrEqual(2);
    expect(ecsStarStatements(template, 'Pipeline')).toEqual([]);
  });
});
