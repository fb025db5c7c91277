import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaDeployAction, LambdaDeployment, LambdaPipeline, LambdaPipelineProps, LambdaTrafficHooks } from '../../src';
import { githubSource, nagFindings, newStack } from '../helpers';
import { lambdaAlias } from './support';

function hookFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "hook";'),
  });
}

/** GIVEN a staging function without hooks and a production function with the given hooks. */
function setup(hooks: (stack: Stack) => LambdaTrafficHooks | undefined, extra: Partial<LambdaPipelineProps> = {}) {
  const stack = newStack();
  const staging = lambdaAlias(stack, 'StagingFn');
  const production = lambdaAlias(stack, 'ProductionFn');
  const pipeline = new LambdaPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(staging) },
      { name: 'Production', deployment: LambdaDeployment.canary(production, { percentage: 10, interval: Duration.minutes(5), hooks: hooks(stack) }) },
    ],
    ...extra,
  });
  return { stack, pipeline, production, template: Template.fromStack(stack) };
}

function stageOf(template: Template, name: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

function actionOf(template: Template, stage: string, name: string): any {
  return stageOf(template, stage).Actions.find((a: any) => a.Name === name);
}

function order(template: Template, stage: string): Array<[string, number]> {
  return stageOf(template, stage).Actions.map((a: any) => [a.Name, a.RunOrder]);
}

const both = (stack: Stack) => ({ preTraffic: hookFunction(stack, 'PreHook'), postTraffic: hookFunction(stack, 'PostHook') });

describe('LambdaPipeline traffic hooks', () => {
  test('WHEN both hooks THEN approval → publish → pre-traffic hook → deploy → post-traffic hook, and a failure rolls the stage back', () => {
    const { template } = setup(both);
    expect(order(template, 'Production')).toEqual([['Approve', 1], ['Publish', 2], ['PreTrafficHook', 3], ['Deploy', 4], ['PostTrafficHook', 5]]);
    expect(stageOf(template, 'Production').OnFailure).toEqual({ Result: 'ROLLBACK' });
    // The environment without hooks is unchanged.
    expect(order(template, 'Staging')).toEqual([['Deploy', 2]]);
    expect(stageOf(template, 'Staging').OnFailure).toBeUndefined();
  });

  test('WHEN only a pre-traffic hook THEN no post-traffic hook and no rollback on failure', () => {
    const { template } = setup((stack) => ({ preTraffic: hookFunction(stack, 'PreHook') }));
    expect(order(template, 'Production')).toEqual([['Approve', 1], ['Publish', 2], ['PreTrafficHook', 3], ['Deploy', 4]]);
    expect(stageOf(template, 'Production').OnFailure).toBeUndefined();
  });

  test('WHEN only a post-traffic hook THEN publish → deploy → post-traffic hook, rolled back on failure', () => {
    const { template } = setup((stack) => ({ postTraffic: hookFunction(stack, 'PostHook') }));
    expect(order(template, 'Production')).toEqual([['Approve', 1], ['Publish', 2], ['Deploy', 4], ['PostTrafficHook', 5]]);
    expect(stageOf(template, 'Production').OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('THEN the deploy action moves the alias to the published version and takes no input artifact', () => {
    const { template } = setup(both);
    const deploy = actionOf(template, 'Production', 'Deploy');
    expect(deploy.Configuration.PublishedTargetVersion).toBe('#{ProductionPublish.FUNCTION_VERSION}');
    expect(deploy.Configuration.DeployStrategy).toBe('Canary10Percent5Minutes');
    expect(deploy.Configuration.Alarms).toBeDefined();
    expect(deploy.InputArtifacts).toBeUndefined();
    const publish = actionOf(template, 'Production', 'Publish');
    expect(publish.Namespace).toBe('ProductionPublish');
    expect(publish.InputArtifacts).toEqual([{ Name: 'Build' }]);
  });

  test('THEN the deploy action role no longer updates the code or reads the artifacts', () => {
    const { template } = setup(both);
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('PipelineProductionDeployCodePipelineActionRole')).map(([, p]) => p);
    const actionsGranted = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actionsGranted).not.toContain('lambda:UpdateFunctionCode');
    expect(actionsGranted).not.toContain('lambda:PublishVersion');
    expect(actionsGranted).toContain('lambda:UpdateAlias');
    expect(actionsGranted.some((a: string) => a.startsWith('s3:'))).toBe(false);
  });

  test('THEN the publish step zips the build output, updates the code, waits, and exports the published version', () => {
    const { template } = setup(both);
    const projects = Object.entries(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.startsWith('PipelineProductionPublish'));
    expect(projects).toHaveLength(1);
    const props = projects[0][1].Properties;
    expect(props.Environment.PrivilegedMode).toBe(false);
    expect(props.EncryptionKey).toBeDefined();
    const spec = JSON.parse(props.Source.BuildSpec);
    expect(spec.env['exported-variables']).toEqual(['FUNCTION_VERSION']);
    expect(spec.phases.build.commands.slice(0, 5)).toEqual([
      'cd "$CODEBUILD_SRC_DIR" && python3 -m zipfile -c /tmp/package.zip .',
      'PACKAGE_VERSION=$(aws s3api put-object --bucket "$PACKAGE_BUCKET" --key "$PACKAGE_KEY" --body /tmp/package.zip --query VersionId --output text)',
      'aws lambda update-function-code --function-name "$FUNCTION_NAME" --s3-bucket "$PACKAGE_BUCKET" --s3-key "$PACKAGE_KEY"' +
        ' $([ "$PACKAGE_VERSION" = None ] || echo --s3-object-version "$PACKAGE_VERSION")',
      'aws lambda wait function-updated-v2 --function-name "$FUNCTION_NAME"',
      'FUNCTION_VERSION=$(aws lambda publish-version --function-name "$FUNCTION_NAME" --query Version --output text)',
    ]);
    expect(props.Environment.EnvironmentVariables).toEqual([
      { Name: 'FUNCTION_NAME', Type: 'PLAINTEXT', Value: { Ref: expect.stringMatching(/^ProductionFn/) } },
      { Name: 'PACKAGE_BUCKET', Type: 'PLAINTEXT', Value: { Ref: expect.stringMatching(/^PipelineArtifactStoreBucket/) } },
      { Name: 'PACKAGE_KEY', Type: 'PLAINTEXT', Value: 'lambda-packages/Production/package.zip' },
    ]);
  });

  test('GIVEN a region with CodeBuild Lambda compute THEN the publish step runs on Lambda compute (no zip there: Python zips); elsewhere on a small EC2 container', () => {
    const { template } = setup(both);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: Match.stringLikeRegexp('^Publishes a new version of the function of Production'),
      Environment: Match.objectLike({ ComputeType: 'BUILD_LAMBDA_1GB', Type: 'LINUX_LAMBDA_CONTAINER' }),
      TimeoutInMinutes: Match.absent(),
      Cache: { Type: 'NO_CACHE' },
    });
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project', { Properties: { Description: Match.stringLikeRegexp('^Publishes') } }));
    expect(project.Properties.Source.BuildSpec).not.toMatch(/(^|[\s"(])(zip|unzip|jq) /);
    const app = new App();
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'eu-north-1' } });
    new LambdaPipeline(other, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: LambdaDeployment.canary(lambdaAlias(other, 'Fn'), { percentage: 10, interval: Duration.minutes(5), hooks: both(other) }) }],
    });
    Template.fromStack(other).hasResourceProperties('AWS::CodeBuild::Project', {
      Description: Match.stringLikeRegexp('^Publishes a new version'),
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL', Type: 'LINUX_CONTAINER' }),
    });
  });

  test('THEN the publish step never uploads with --zip-file (capped at 50 MB): the code goes through the artifact bucket', () => {
    const { template } = setup(both);
    const [project] = Object.entries(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.startsWith('PipelineProductionPublish'));
    const commands: string[] = JSON.parse(project[1].Properties.Source.BuildSpec).phases.build.commands;
    expect(commands.join('\n')).not.toMatch(/--zip-file/);
    expect(commands.find((c) => c.startsWith('aws lambda update-function-code'))).toMatch(/--s3-bucket "\$PACKAGE_BUCKET" --s3-key "\$PACKAGE_KEY"/);
  });

  test('THEN the publish role may write and read only its package object, and use the artifact key for it', () => {
    const { stack, pipeline, template } = setup(both);
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('PipelineProductionPublishProjectRole')).map(([, p]) => p);
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const bucketId = stack.getLogicalId(pipeline.artifactBucket.node.defaultChild as s3.CfnBucket);
    expect(statements).toContainEqual({
      Sid: 'UploadThePackage',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/lambda-packages/Production/package.zip']] },
    });
    const keyId = stack.getLogicalId(pipeline.encryptionKey.node.defaultChild as any);
    const kms = statements.filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }))
      .flatMap((st) => [st.Action].flat());
    expect(kms).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
    // No other object of the artifact bucket may be written.
    const writes = statements.filter((st) => [st.Action].flat().includes('s3:PutObject'));
    expect(writes.map((st) => st.Sid)).toEqual(['UploadThePackage']);
  });

  test('WHEN a post-traffic hook THEN a warning says the first run after a pipeline change cannot roll back', () => {
    const { stack } = setup(both);
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
      'environments\\[1\\] \\("Production"\\): a failing postTraffic hook rolls the stage back only to an execution.*first run after a pipeline change.*' +
      'stays on the new version.*Set notifications.*update-alias.*ack: cdk-delivery-pipelines:LambdaHooksFirstRunRollback'));
  });

  test('WHEN a post-traffic hook and notifications THEN the warning says the failure is announced', () => {
    const { stack } = setup(both, { notifications: { emails: ['ops@acme.example'] } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('announced through notifications.*LambdaHooksFirstRunRollback'));
  });

  test('WHEN a hook is an imported function (role unknown) THEN a warning says what to grant its role', () => {
    const { stack } = setup((st) => ({ preTraffic: lambda.Function.fromFunctionArn(st, 'Imported', 'arn:aws:lambda:us-east-1:111111111111:function:pre-hook') }));
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
      'environments\\[1\\]\\.deployment\\.hooks\\.preTraffic: the role of TestStack/Imported is unknown.*codepipeline:PutJobSuccessResult.*ack: cdk-delivery-pipelines:LambdaHookRoleUnknown'));
  });

  test('WHEN a hook is a function of the app THEN no role warning (aws-cdk-lib grants the result calls to its role)', () => {
    const { stack } = setup(both);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('LambdaHookRoleUnknown'));
  });

  test('WHEN a hook is in another region THEN the library\'s error names it', () => {
    expect(() => setup((st) => ({ postTraffic: lambda.Function.fromFunctionArn(st, 'Far', 'arn:aws:lambda:eu-west-1:111111111111:function:post-hook') })))
      .toThrow(/^TestStack\/Pipeline: environments\[1\]\.deployment\.hooks\.postTraffic is in region eu-west-1 \(TestStack\/Far\), but the pipeline's stack and the deployed function's region is us-east-1; .*Fix: use a hook function in the pipeline's account and region/);
  });

  test('WHEN only a pre-traffic hook THEN no first-run rollback warning (the stage does not roll back)', () => {
    const { stack } = setup((st) => ({ preTraffic: hookFunction(st, 'PreHook') }));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('LambdaHooksFirstRunRollback'));
  });

  test('THEN the publish role may update, publish and read only the deployed function (unqualified)', () => {
    const { template } = setup(both);
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('PipelineProductionPublishProjectRole')).map(([, p]) => p);
    const lambdaStatements = policy.Properties.PolicyDocument.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('lambda:')));
    expect(lambdaStatements).toEqual([{
      Sid: 'UpdateAndPublishTheFunction',
      Effect: 'Allow',
      Action: ['lambda:UpdateFunctionCode', 'lambda:PublishVersion', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProductionFn/), 'Arn'] },
    }]);
  });

  test('WHEN codeBuildDefaults.logRetention THEN the publish log group keeps it; buildOptions.logRetention is the build project\'s only', () => {
    const publishRetention = (template: Template) => {
      const groups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('PipelineProductionPublish'));
      expect(groups).toHaveLength(1);
      return groups[0][1].Properties.RetentionInDays;
    };
    expect(publishRetention(setup(both, { codeBuildDefaults: { logRetention: logs.RetentionDays.ONE_YEAR } }).template)).toBe(365);
    expect(publishRetention(setup(both, { buildOptions: { logRetention: logs.RetentionDays.ONE_YEAR } }).template)).toBe(90);
  });

  test('THEN each hook is invoked with the function name, alias and published version', () => {
    const { template } = setup(both);
    for (const [name, hook] of [['PreTrafficHook', 'PreHook'], ['PostTrafficHook', 'PostHook']]) {
      const action = actionOf(template, 'Production', name);
      expect(action.ActionTypeId).toEqual({ Category: 'Invoke', Owner: 'AWS', Provider: 'Lambda', Version: '1' });
      expect(action.Configuration.FunctionName).toEqual({ Ref: expect.stringMatching(new RegExp(`^${hook}`)) });
      const params = action.Configuration.UserParameters;
      const text = typeof params === 'string' ? params : params['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'FN')).join('');
      expect(JSON.parse(text)).toEqual({ functionName: 'FN', alias: 'live', version: '#{ProductionPublish.FUNCTION_VERSION}' });
    }
  });

  test('WHEN hooks are given without functions THEN nothing changes', () => {
    const withEmpty = setup(() => ({})).template.toJSON();
    const without = setup(() => undefined).template.toJSON();
    expect(withEmpty).toEqual(without);
    expect(order(setup(() => undefined).template, 'Production')).toEqual([['Approve', 1], ['Deploy', 2]]);
  });

  test('WHEN a hook is the deployed function itself THEN the library rejects it', () => {
    expect(() => setup((stack) => ({ postTraffic: (stack.node.findChild('ProductionFnLive') as lambda.Alias).version.lambda })))
      .toThrow(/environments\[1\]\.deployment\.hooks\.postTraffic.*deployed function itself/);
    expect(() => {
      const stack = newStack();
      const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:orders');
      const same = lambda.Function.fromFunctionArn(stack, 'Same', 'arn:aws:lambda:us-east-1:111111111111:function:orders');
      const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', {
        aliasName: 'live',
        aliasVersion: lambda.Version.fromVersionArn(stack, 'V', `${fn.functionArn}:1`),
      });
      new LambdaPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(alias, { hooks: { preTraffic: same } }) }],
      });
    }).toThrow(/hooks\.preTraffic.*deployed function itself/);
  });

  test('WHEN a hook is not a function THEN the library rejects it', () => {
    expect(() => setup(() => ({ preTraffic: 'my-hook' as any }))).toThrow(/hooks\.preTraffic.*must be a lambda\.IFunction/);
  });

  test('THEN cdk-nag AwsSolutions finds nothing on the pipeline', () => {
    const { pipeline } = setup(both);
    expect(nagFindings(pipeline)).toEqual([]);
  });
});

describe('LambdaDeployAction publishedTargetVersion', () => {
  /** GIVEN a hand-made V2 pipeline whose second stage holds the given deploy action. */
  function handMade(deploy: (stack: Stack, input: codepipeline.Artifact) => LambdaDeployAction): Template {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Source', { versioned: true });
    const source = new codepipeline.Artifact('Source');
    const pipeline = new codepipeline.Pipeline(stack, 'Hand', {
      pipelineType: codepipeline.PipelineType.V2,
      stages: [{ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'orders.zip', output: source })] }],
    });
    pipeline.addStage({ stageName: 'Deploy', actions: [deploy(stack, source)] });
    return Template.fromStack(stack);
  }

  test('WHEN a published version without input THEN the action only shifts the alias to it', () => {
    const template = handMade((stack) => new LambdaDeployAction({
      actionName: 'Shift',
      publishedTargetVersion: '7',
      deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'Orders')),
    }));
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Deploy',
        Actions: [Match.objectLike({ Name: 'Shift', InputArtifacts: Match.absent(), Configuration: Match.objectLike({ PublishedTargetVersion: '7' }) })],
      })]),
    });
  });

  test('WHEN both input and publishedTargetVersion THEN the library rejects it', () => {
    expect(() => handMade((stack, input) => new LambdaDeployAction({
      actionName: 'Shift',
      input,
      publishedTargetVersion: '7',
      deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'Orders')),
    }))).toThrow(/input.*must be omitted when publishedTargetVersion is given/);
  });

  test('WHEN neither input nor publishedTargetVersion THEN the library rejects it', () => {
    expect(() => handMade((stack) => new LambdaDeployAction({
      actionName: 'Shift',
      deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'Orders')),
    }))).toThrow(/input.*is required when publishedTargetVersion is not given/);
  });
});
