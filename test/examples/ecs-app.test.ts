import { CfnElement, App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildEcsApp } from '../../examples/ecs-app';

describe('examples/ecs-app.ts', () => {
  // GIVEN the example app, WHEN it is synthesized (with its AwsSolutions validation plugin)
  const { app, stack, pipeline } = buildEcsApp(new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } }));
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const assembly = app.synth();
  quiet.mockRestore();
  const template = Template.fromStack(stack);

  test('THEN it synthesizes offline in the fixed example environment', () => {
    const artifact = assembly.getStackByName(stack.stackName);
    expect(artifact.environment).toEqual(expect.objectContaining({ account: '111111111111', region: 'us-east-1' }));
    // No context lookups: nothing the CLI would have to fetch from an AWS account.
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  test('THEN the pipeline is Source → Build → Staging (rolling) → approval → Production (blue/green)', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(cfn.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.ActionTypeId.Provider)])).toEqual([
      ['Source', ['CodeStarSourceConnection']],
      ['Build', ['CodeBuild']],
      // Smoke tests after the rolling deploy (run order 3; a failure rolls the stage back).
      ['Staging', ['ECS', 'CodeBuild']],
      // The task definition is captured after the approval, right before CodeDeploy deploys.
      ['Production', ['Manual', 'CodeBuild', 'CodeDeployToECS']],
    ]);
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
    // The build pushes to the repository the pipeline created (the escape hatch names it).
    const repositories = Object.keys(template.findResources('AWS::ECR::Repository'));
    expect(repositories).toContain(stack.getLogicalId(pipeline.repository.node.defaultChild as CfnElement));
    expect(JSON.stringify(cfn.Properties.Stages[1])).toContain('REPOSITORY_URI');
  });

  test('THEN AwsSolutions reports nothing on the whole app; the example acknowledges only its own load balancer', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
    const acknowledgedOutsidePipeline = stack.node.findAll()
      .filter((c) => !c.node.path.startsWith(`${pipeline.node.path}/`))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data).map((key) => `${c.node.path} ${key}`)))
      // The cdk-nag rules (aws-cdk-lib writes the prefix as annotation:: or Annotation::, by version);
      // the example's own acknowledgement of the template validator's literal zones is not one.
      .filter((entry) => /::AwsSolutions-/.test(entry))
      .map((entry) => entry.replace(/ annotation::/i, ' '));
    expect(acknowledgedOutsidePipeline).toEqual([
      'EcsShopDelivery/LoadBalancerLogs AwsSolutions-S1',
      'EcsShopDelivery/LoadBalancer AwsSolutions-EC23',
    ]);
  });
});
