import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildLambdaApp } from '../../examples/lambda-app';

describe('examples/lambda-app.ts', () => {
  // GIVEN the example app, WHEN it is synthesized (with its AwsSolutions validation plugin)
  const { app, stack, pipeline } = buildLambdaApp(new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } }));
  // The validation plugin prints its report; the test reads the findings itself below.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const assembly = app.synth();
  quiet.mockRestore();
  const template = Template.fromStack(stack);

  test('THEN it synthesizes one stack in the fixed example environment', () => {
    const artifact = assembly.getStackByName(stack.stackName);
    expect(artifact.environment).toEqual(expect.objectContaining({ account: '111111111111', region: 'us-east-1' }));
  });

  test('THEN the pipeline is Source → Build → Staging → approval → Production with a canary', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(cfn.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.ActionTypeId.Provider)])).toEqual([
      ['Source', ['CodeStarSourceConnection']],
      ['Build', ['CodeBuild']],
      ['Staging', ['Lambda', 'CodeBuild']], // deploy, then the smoke tests
      ['Production', ['Manual', 'Lambda']],
    ]);
    const production = cfn.Properties.Stages[3].Actions[1].Configuration;
    expect(production).toEqual(expect.objectContaining({ FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes' }));
    expect(pipeline.outputDirectory).toBe('dist');
  });

  test('THEN Staging\'s smoke tests may invoke the staging alias and nothing else of Lambda', () => {
    const project = pipeline.postDeployTestProject('Staging')!;
    const roleId = stack.getLogicalId(project.role!.node.defaultChild as any);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const invokes = statements.filter((s: any) => ([] as string[]).concat(s.Action).some((a: string) => a.startsWith('lambda:')));
    expect(invokes).toHaveLength(1);
    expect(invokes[0].Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(invokes[0].Resource)).toMatch(/StagingOrdersLive/);
    expect(pipeline.postDeployTestProject('Production')).toBeUndefined();
  });

  test('THEN AwsSolutions reports nothing on the whole app, with no acknowledgement in the example', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
    // The functions' own resources need none: latest runtime, own log group, no managed policy.
    const acknowledgedOutsidePipeline = stack.node.findAll()
      .filter((c) => !c.node.path.startsWith(`${pipeline.node.path}/`))
      .filter((c) => (CfnResource.isCfnResource(c) && c.getMetadata('cdk_nag') !== undefined) ||
        c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .map((c) => c.node.path);
    expect(acknowledgedOutsidePipeline).toEqual([]);
  });

  test('THEN the functions run the latest Node.js runtime with their own log group and no managed policy', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x' });
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
