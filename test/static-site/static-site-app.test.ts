import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStaticSiteApp } from '../../examples/static-site-app';

describe('examples/static-site-app.ts', () => {
  // GIVEN the example app, WHEN it is synthesized (with its AwsSolutions validation plugin)
  const { app, stack, pipeline } = buildStaticSiteApp(new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } }));
  // The validation plugin prints its report; the test reads the findings itself below.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const assembly = app.synth();
  quiet.mockRestore();
  const template = Template.fromStack(stack);

  test('THEN it synthesizes offline, as one stack in the fixed example environment', () => {
    const artifact = assembly.getStackByName(stack.stackName);
    expect(artifact.environment).toEqual(expect.objectContaining({ account: '111111111111', region: 'us-east-1' }));
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  test('THEN the pipeline is Source → Build → Staging → approval → Production, each deploy a CodeBuild step', () => {
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    expect(cfn.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.ActionTypeId.Provider)])).toEqual([
      ['Source', ['CodeStarSourceConnection']],
      ['Build', ['CodeBuild']],
      ['Staging', ['CodeBuild', 'CodeBuild']], // deploy step, then the smoke tests
      ['Production', ['Manual', 'CodeBuild']],
    ]);
    expect(pipeline.outputDirectory).toBe('dist');
  });

  test('THEN both environments check their site over HTTPS after the deploy', () => {
    for (const env of ['Staging', 'Production']) {
      const [project] = Object.entries(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.startsWith(`Pipeline${env}DeployProject`));
      const vars = Object.fromEntries(project[1].Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
      expect(JSON.stringify(vars.CHECK_URLS)).toMatch(new RegExp(`^\\{"Fn::Join":\\["",\\["https://",\\{"Fn::GetAtt":\\["${env}SiteDistribution`));
      expect(vars.CHECK_EXPECTED_STATUS).toBe('200');
    }
  });

  test('THEN AwsSolutions reports nothing on the whole app, and the example itself acknowledges nothing', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))).toEqual([]);
    // Outside the pipeline, only the library's StaticSiteHosting acknowledges findings, each
    // with its written reason: the CloudFront findings that need a custom domain, a geo
    // restriction or a web ACL, access logs on the log bucket itself, and the compliance packs'
    // KMS and replication rules on both buckets.
    const acknowledgedOutsidePipeline = stack.node.findAll()
      .filter((c) => !c.node.path.startsWith(`${pipeline.node.path}/`))
      .filter((c) => c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      // aws-cdk-lib records one entry per acknowledge() call, each with all ids so far: dedupe.
      .map((c) => `${c.node.path} ${[...new Set(c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data).map((id) => id.replace(/^annotation::/i, ''))))].join(',')}`);
    expect(acknowledgedOutsidePipeline.sort()).toEqual([
      'StaticSiteWebDelivery/ProductionSite/Bucket NIST.800.53.R5-S3DefaultEncryptionKMS,HIPAA.Security-S3DefaultEncryptionKMS,PCI.DSS.321-S3DefaultEncryptionKMS,NIST.800.53.R5-S3BucketReplicationEnabled,HIPAA.Security-S3BucketReplicationEnabled,PCI.DSS.321-S3BucketReplicationEnabled',
      'StaticSiteWebDelivery/ProductionSite/Distribution AwsSolutions-CFR4,AwsSolutions-CFR1,AwsSolutions-CFR2',
      'StaticSiteWebDelivery/ProductionSite/Logs AwsSolutions-S1,NIST.800.53.R5-S3DefaultEncryptionKMS,HIPAA.Security-S3DefaultEncryptionKMS,PCI.DSS.321-S3DefaultEncryptionKMS,NIST.800.53.R5-S3BucketReplicationEnabled,HIPAA.Security-S3BucketReplicationEnabled,PCI.DSS.321-S3BucketReplicationEnabled',
      'StaticSiteWebDelivery/StagingSite/Bucket NIST.800.53.R5-S3DefaultEncryptionKMS,HIPAA.Security-S3DefaultEncryptionKMS,PCI.DSS.321-S3DefaultEncryptionKMS,NIST.800.53.R5-S3BucketReplicationEnabled,HIPAA.Security-S3BucketReplicationEnabled,PCI.DSS.321-S3BucketReplicationEnabled',
      'StaticSiteWebDelivery/StagingSite/Distribution AwsSolutions-CFR4,AwsSolutions-CFR1,AwsSolutions-CFR2',
      'StaticSiteWebDelivery/StagingSite/Logs AwsSolutions-S1,NIST.800.53.R5-S3DefaultEncryptionKMS,HIPAA.Security-S3DefaultEncryptionKMS,PCI.DSS.321-S3DefaultEncryptionKMS,NIST.800.53.R5-S3BucketReplicationEnabled,HIPAA.Security-S3BucketReplicationEnabled,PCI.DSS.321-S3BucketReplicationEnabled',
    ]);
    for (const c of stack.node.findAll().filter((x) => CfnResource.isCfnResource(x) && x.getMetadata('cdk_nag') !== undefined)) {
      for (const rule of (c as CfnResource).getMetadata('cdk_nag').rules_to_suppress) {
        expect(rule.reason.length).toBeGreaterThan(40);
      }
    }
  });

  test('THEN the sites need no custom resource (no Lambda function in the app)', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });
});
