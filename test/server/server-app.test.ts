import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildServerApp } from '../../examples/server-app';

describe('examples/server-app.ts', () => {
  // GIVEN the example app, WHEN it is synthesized (with its AwsSolutions validation plugin)
  const { app, stack, pipeline } = buildServerApp(new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } }));
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const assembly = app.synth();
  quiet.mockRestore();
  const template = Template.fromStack(stack);

  test('THEN it synthesizes one stack in the fixed example environment', () => {
    expect(assembly.getStackByName(stack.stackName).environment).toEqual(expect.objectContaining({ account: '111111111111', region: 'us-east-1' }));
  });

  test('THEN the pipeline is Source → Build → Staging (deploy, smoke tests) → approval → Production, both through CodeDeploy', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(cfn.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.ActionTypeId.Provider)])).toEqual([
      ['Source', ['CodeStarSourceConnection']],
      ['Build', ['CodeBuild']],
      ['Staging', ['CodeDeploy', 'CodeBuild']],
      ['Production', ['Manual', 'CodeDeploy']],
    ]);
    expect(pipeline.outputDirectory).toBe('dist');
  });

  test('THEN staging deploys all at once, production one at a time behind the load balancer with its alarms, and both get the agent', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.AllAtOnce' });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    template.resourceCountIs('AWS::SSM::Association', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  test('THEN AwsSolutions reports nothing on the whole app', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
  });
});
