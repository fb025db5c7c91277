import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { DeliveryPipelineErrors, LambdaDeployment, LambdaPipeline, LambdaTrafficHooks } from '../../src';
import { githubSource } from '../helpers';
import { GATE_CONTEXT, NAG_PACKS, runNagPack } from '../security/support';

// Three accounts: the pipeline in tools, staging in another account of the same region,
// production in a third account and another region.
const TOOLS = { account: '111111111111', region: 'us-east-1' };
const STAGING = { account: '222222222222', region: 'us-east-1' };
const PRODUCTION = { account: '333333333333', region: 'eu-west-1' };

/** The app's own constructs in the workload stacks (the library's are everything else). */
const APP_IDS = new Set(['Fn', 'FnLive', 'PreHook', 'PostHook']);

function namedAlias(stack: Stack, functionName: string): lambda.Alias {
  const fn = new lambda.Function(stack, 'Fn', {
    functionName,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "placeholder";'),
  });
  return new lambda.Alias(stack, 'FnLive', { aliasName: 'live', version: fn.currentVersion });
}

function hookFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    functionName: `${stack.stackName.toLowerCase()}-${id.toLowerCase()}`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "hook";'),
  });
}

interface Options {
  readonly stagingHooks?: (stack: Stack) => LambdaTrafficHooks;
  readonly productionHooks?: (stack: Stack) => LambdaTrafficHooks;
}

function multiAccountApp(options: Options = {}) {
  const app = new App({ context: GATE_CONTEXT });
  const tools = new Stack(app, 'Tools', { env: TOOLS });
  const staging = new Stack(app, 'Staging', { env: STAGING });
  const production = new Stack(app, 'Production', { env: PRODUCTION });
  const pipeline = new LambdaPipeline(tools, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(namedAlias(staging, 'orders-staging'), { hooks: options.stagingHooks?.(staging) }) },
      {
        name: 'Production',
        deployment: LambdaDeployment.canary(namedAlias(production, 'orders-production'), {
          percentage: 10, interval: Duration.minutes(5), hooks: options.productionHooks?.(production),
        }),
      },
    ],
  });
  const assembly = app.synth();
  const template = (stack: Stack) => Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return { app, tools, staging, production, pipeline, template };
}

type Built = ReturnType<typeof multiAccountApp>;

function resourcesOf(template: Template, type: string, idPrefix = ''): Array<[string, any]> {
  return Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(idPrefix));
}

function the(template: Template, type: string, idPrefix: string): any {
  const found = resourcesOf(template, type, idPrefix);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0][1];
}

function statements(template: Template, policyIdPrefix: string): any[] {
  return the(template, 'AWS::IAM::Policy', policyIdPrefix).Properties.PolicyDocument.Statement;
}

/** The one resource of `type` whose logical id contains `part`. */
function withId(template: Template, type: string, part: string): [string, any] {
  const found = resourcesOf(template, type).filter(([id]) => id.includes(part));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0];
}

/** The statements of the policy of the role aws-cdk-lib created for `action` of `stage` in the workload's stack. */
function actionRoleStatements(template: Template, stage: string, action = 'Deploy'): any[] {
  return withId(template, 'AWS::IAM::Policy', `${stage}${action}ActionRoleDefaultPolicy`)[1].Properties.PolicyDocument.Statement;
}

/** The one statement whose Sid is `sid`, or starts with it (a per-principal Sid: `<prefix><construct id>`). */
function bySid(list: any[], sid: string, prefix = false): any {
  const found = list.filter((s) => s.Sid === sid || (prefix && typeof s.Sid === 'string' && s.Sid.startsWith(sid)));
  expect(found).toHaveLength(1);
  return found[0];
}

function joined(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  return value?.['Fn::Join'] ? value['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : JSON.stringify(p))).join('') : JSON.stringify(value);
}

function stageActions(built: Built, stage: string): any[] {
  const pipeline = the(built.template(built.tools), 'AWS::CodePipeline::Pipeline', 'Pipeline');
  return pipeline.Properties.Stages.find((s: any) => s.Name === stage).Actions;
}

function actionOf(built: Built, stage: string, name: string): any {
  return stageActions(built, stage).find((a: any) => a.Name === name);
}

/** The role name in an action's RoleArn (a literal across accounts). */
function roleNameOf(action: any): string {
  return joined(action.RoleArn).replace(/^.*:role\//, '');
}

/** The library's resources in every stack: the pipeline, and everything it added to the workload and support stacks. */
function libraryPaths(built: Built): string[] {
  const paths = [built.pipeline.node.path];
  for (const stack of built.app.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c !== built.tools)) {
    for (const child of stack.node.children) {
      if (!APP_IDS.has(child.node.id)) {
        paths.push(child.node.path);
      }
    }
  }
  return paths;
}

function nagFindingsOnLibrary(built: Built): string[] {
  const paths = libraryPaths(built);
  const stacks = built.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  return NAG_PACKS.flatMap(({ name, create }) => stacks.flatMap((stack: IConstruct) =>
    runNagPack(create(), name, stack, paths).remaining.filter((f) => f.inPipeline).map((f) => `${name} ${f.ruleId} ${f.path}`)));
}

describe('LambdaPipeline: functions in other accounts and regions', () => {
  let built: Built;
  beforeAll(() => {
    built = multiAccountApp();
  });

  test('THEN each deploy action runs with a role in its function\'s account, which trusts only the pipeline role', () => {
    for (const [stack, env, stage] of [[built.staging, STAGING, 'Staging'], [built.production, PRODUCTION, 'Production']] as const) {
      const action = actionOf(built, stage, 'Deploy');
      expect(joined(action.RoleArn)).toContain(`:iam::${env.account}:role/`);
      const role = withId(built.template(stack), 'AWS::IAM::Role', `${stage}DeployActionRole`)[1];
      expect(role.Properties.RoleName).toBe(roleNameOf(action));
      const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(joined(trust.Principal.AWS)).toContain(':iam::111111111111:root');
      expect(joined(trust.Condition.ArnEquals['aws:PrincipalArn'])).toContain(':iam::111111111111:role/');
    }
    expect(actionOf(built, 'Production', 'Deploy').Region).toBe('eu-west-1');
    expect(actionOf(built, 'Staging', 'Deploy').Region).toBeUndefined();
  });

  test('THEN the pipeline role may only assume the action roles of the other accounts', () => {
    const policy = statements(built.template(built.tools), 'PipelineRoleDefaultPolicy');
    const assume = policy.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
    const resources = assume.flatMap((s) => [s.Resource].flat()).map(joined);
    for (const stage of ['Staging', 'Production']) {
      expect(resources.some((r) => r.endsWith(`/${roleNameOf(actionOf(built, stage, 'Deploy'))}`))).toBe(true);
    }
  });

  test('THEN the action configuration names the function, the alias and the alarms of the other account literally', () => {
    const staging = actionOf(built, 'Staging', 'Deploy').Configuration;
    expect(staging).toMatchObject({ FunctionName: 'orders-staging', FunctionAlias: 'live', DeployStrategy: 'AllAtOnce' });
    const production = actionOf(built, 'Production', 'Deploy').Configuration;
    expect(production).toMatchObject({ FunctionName: 'orders-production', FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes' });
    const alarmNames = resourcesOf(built.template(built.production), 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    expect(alarmNames).toHaveLength(2);
    expect(production.Alarms.split(',')).toEqual(alarmNames);
  });

  test('THEN the default rollback alarms are in the function\'s account and region, on its alias\'s metrics, and the role may describe exactly them', () => {
    expect(resourcesOf(built.template(built.tools), 'AWS::CloudWatch::Alarm')).toHaveLength(0);
    for (const [stack, stage] of [[built.staging, 'Staging'], [built.production, 'Production']] as const) {
      const template = built.template(stack);
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
      expect(alarms.map(([, a]) => a.Properties.MetricName).sort()).toEqual(['Errors', 'Throttles']);
      for (const [, alarm] of alarms) {
        expect(alarm.Properties.Namespace).toBe('AWS/Lambda');
        expect(alarm.Properties.Dimensions).toContainEqual({ Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^Fn/) }, ':live']] } });
      }
      const describe = bySid(actionRoleStatements(template, stage), 'ReadTheRollbackAlarms');
      expect(describe.Resource).toEqual(alarms.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    }
  });

  test('THEN the deploy role may update, publish and shift only its own function, in its own stack', () => {
    for (const [stack, env, stage] of [[built.staging, STAGING, 'Staging'], [built.production, PRODUCTION, 'Production']] as const) {
      const policy = actionRoleStatements(built.template(stack), stage);
      expect(bySid(policy, 'UpdateAndPublishTheFunction').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Fn/), 'Arn'] });
      const shift = bySid(policy, 'ShiftTheAliasBetweenVersions').Resource;
      expect(joined(shift[1])).toMatch(new RegExp(`:lambda:${env.region}:${env.account}:function:.*Fn.*:\\*$`));
    }
  });

  test('THEN the action log statements name the log group in the function\'s account and region', () => {
    for (const [stack, env, stage] of [[built.staging, STAGING, 'Staging'], [built.production, PRODUCTION, 'Production']] as const) {
      const policy = actionRoleStatements(built.template(stack), stage);
      const create = bySid(policy, 'CreateTheActionLogGroup').Resource.map(joined);
      expect(create[0]).toMatch(new RegExp(`:logs:${env.region}:${env.account}:log-group:/${env.region}/codepipeline/[a-z0-9]+$`));
      expect(create[1]).toBe(`${create[0]}:*`);
      expect(joined(bySid(policy, 'WriteTheActionLog').Resource)).toBe(`${create[0]}:log-stream:*`);
    }
  });

  test('THEN staging reads the artifacts across the account: the bucket and key policies name its role, its own policy names the bucket and the keys only through S3', () => {
    const roleName = roleNameOf(actionOf(built, 'Staging', 'Deploy'));
    const tools = built.template(built.tools);
    const bucketPolicy = the(tools, 'AWS::S3::BucketPolicy', 'PipelineArtifactStoreBucketPolicy').Properties.PolicyDocument.Statement;
    const read = bySid(bucketPolicy, 'ReadArtifacts', true);
    expect(joined(read.Principal.AWS)).toBe(`arn:aws:iam::222222222222:role/${roleName}`);
    expect([...read.Action].sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion']);
    const keyPolicy = the(tools, 'AWS::KMS::Key', 'PipelineArtifactStoreKey').Properties.KeyPolicy.Statement;
    const decrypt = bySid(keyPolicy, 'DecryptArtifacts', true);
    expect(decrypt).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } });
    const policy = actionRoleStatements(built.template(built.staging), 'Staging');
    expect(bySid(policy, 'ReadPipelineArtifacts').Resource.map(joined)[1]).toMatch(/^arn:.*:s3:::[a-z0-9]+\/\*$/);
    const own = bySid(policy, 'DecryptPipelineArtifacts');
    expect(joined(own.Resource)).toBe('arn:aws:kms:us-east-1:111111111111:key/*');
    expect(own.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } });
    // Nothing on "*".
    expect(policy.filter((s) => s.Resource === '*')).toEqual([]);
  });

  test('THEN production reads the artifacts from the hardened replication bucket in its region, with its own key', () => {
    const template = built.template(built.production);
    const [[bucketId, bucket]] = resourcesOf(template, 'AWS::S3::Bucket', 'CrossRegionReplicationSupport').filter(([id]) => id.includes('ReplicationBucket'));
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    const [[keyId]] = resourcesOf(template, 'AWS::KMS::Key', 'CrossRegionReplicationSupport');
    const policy = actionRoleStatements(template, 'Production');
    const reads = policy.filter((s) => JSON.stringify(s.Resource).includes(bucketId));
    expect(reads.length).toBeGreaterThan(0);
    const keyGrants = policy.filter((s) => JSON.stringify(s.Resource).includes(keyId));
    expect(keyGrants.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    const pipeline = the(built.template(built.tools), 'AWS::CodePipeline::Pipeline', 'Pipeline');
    expect(pipeline.Properties.ArtifactStores.map((s: any) => s.Region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  test('THEN cdk-nag finds nothing unacknowledged on the library\'s resources in any stack', () => {
    expect(nagFindingsOnLibrary(built)).toEqual([]);
  });
});

describe('LambdaPipeline: traffic hooks in the function\'s account', () => {
  let built: Built;
  beforeAll(() => {
    const hooks = (stack: Stack) => ({ preTraffic: hookFunction(stack, 'PreHook'), postTraffic: hookFunction(stack, 'PostHook') });
    built = multiAccountApp({ stagingHooks: hooks, productionHooks: hooks });
  });

  test('THEN the publish step is a project in the function\'s stack, run by a role there, and the pipeline\'s stack has none', () => {
    expect(resourcesOf(built.template(built.tools), 'AWS::CodeBuild::Project').map(([id]) => id)).toEqual([expect.stringMatching(/^PipelineBuild/)]);
    for (const [stack, env, stage] of [[built.staging, STAGING, 'Staging'], [built.production, PRODUCTION, 'Production']] as const) {
      const template = built.template(stack);
      const [[projectId, project]] = resourcesOf(template, 'AWS::CodeBuild::Project');
      const publish = actionOf(built, stage, 'Publish');
      expect(publish.ActionTypeId).toMatchObject({ Category: 'Build', Provider: 'CodeBuild' });
      expect(publish.OutputArtifacts).toBeUndefined();
      expect(publish.Namespace).toBe(`${stage}Publish`);
      expect(joined(publish.RoleArn)).toContain(`:iam::${env.account}:role/`);
      expect(publish.Configuration.ProjectName).toBe(project.Properties.Name);
      const run = bySid(actionRoleStatements(template, stage, 'Publish'), 'RunThePublishStep');
      expect(run).toMatchObject({ Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } });
      // Its logs are encrypted with a key of its own account and region.
      const [[logKeyId]] = resourcesOf(template, 'AWS::KMS::Key').filter(([id]) => id.includes('PublishLogKey'));
      expect(project.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [logKeyId, 'Arn'] });
      expect(actionOf(built, stage, 'Deploy').Configuration.PublishedTargetVersion).toBe(`#{${stage}Publish.FUNCTION_VERSION}`);
    }
  });

  test('THEN the publish role may publish only its function and upload only its package, across the account through the bucket and key policies', () => {
    const staging = built.template(built.staging);
    const role = resourcesOf(staging, 'AWS::IAM::Role').find(([id]) => id.includes('PublishProjectRole'))![1];
    const policy = statements(staging, resourcesOf(staging, 'AWS::IAM::Policy').find(([id]) => id.includes('PublishProjectRoleDefaultPolicy'))![0]);
    expect(bySid(policy, 'UpdateAndPublishTheFunction').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Fn/), 'Arn'] });
    expect(joined(bySid(policy, 'UploadThePackage').Resource)).toMatch(/^arn:.*:s3:::[a-z0-9]+\/lambda-packages\/Staging\/package\.zip$/);
    expect(bySid(policy, 'EncryptThePackage')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    expect(joined(bySid(policy, 'EncryptThePackage').Resource)).toBe('arn:aws:kms:us-east-1:111111111111:key/*');
    bySid(policy, 'ReadPipelineArtifacts');
    const tools = built.template(built.tools);
    const bucketPolicy = the(tools, 'AWS::S3::BucketPolicy', 'PipelineArtifactStoreBucketPolicy').Properties.PolicyDocument.Statement;
    const upload = bySid(bucketPolicy, 'UploadPackage', true);
    expect(joined(upload.Principal.AWS)).toBe(`arn:aws:iam::222222222222:role/${role.Properties.RoleName}`);
    expect(joined(upload.Resource)).toMatch(/\/lambda-packages\/Staging\/package\.zip$/);
    const keyPolicy = the(tools, 'AWS::KMS::Key', 'PipelineArtifactStoreKey').Properties.KeyPolicy.Statement;
    expect(bySid(keyPolicy, 'EncryptPackage', true)).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] });
    // Production uploads to the replication bucket of its region, in its own stack.
    const production = built.template(built.production);
    const project = resourcesOf(production, 'AWS::CodeBuild::Project')[0][1];
    const bucket = project.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'PACKAGE_BUCKET').Value;
    expect(bucket).toEqual({ Ref: expect.stringMatching(/^CrossRegionReplicationSupport.*ReplicationBucket/) });
  });

  test('THEN each hook is invoked with a role in its account, and is given the function\'s literal name', () => {
    for (const [stage, env] of [['Staging', STAGING], ['Production', PRODUCTION]] as const) {
      for (const hook of ['PreTrafficHook', 'PostTrafficHook']) {
        const action = actionOf(built, stage, hook);
        expect(joined(action.RoleArn)).toContain(`:iam::${env.account}:role/`);
        expect(JSON.parse(action.Configuration.UserParameters)).toEqual({
          functionName: `orders-${stage.toLowerCase()}`, alias: 'live', version: `#{${stage}Publish.FUNCTION_VERSION}`,
        });
      }
    }
  });

  test('THEN cdk-nag finds nothing unacknowledged on the library\'s resources in any stack', () => {
    expect(nagFindingsOnLibrary(built)).toEqual([]);
  });
});

describe('LambdaPipeline: a function of the pipeline\'s account in another region', () => {
  test('THEN the deploy role (in the pipeline\'s stack) reads the replication bucket there, and decrypts only keys of that region through S3', () => {
    const app = new App({ context: GATE_CONTEXT });
    const tools = new Stack(app, 'Tools', { env: TOOLS });
    const far = new Stack(app, 'Far', { env: { account: TOOLS.account, region: 'eu-west-1' } });
    new LambdaPipeline(tools, 'Pipeline', { source: githubSource(), environments: [{ name: 'Far', deployment: LambdaDeployment.allAtOnce(namedAlias(far, 'orders-far')) }] });
    const assembly = app.synth();
    const template = Template.fromJSON(assembly.getStackByName('Tools').template);
    const policy = withId(template, 'AWS::IAM::Policy', 'FarDeployCodePipelineActionRoleDefaultPolicy')[1].Properties.PolicyDocument.Statement;
    expect(policy.filter((s: any) => [s.Resource].flat().includes('*'))).toEqual([]);
    expect(bySid(policy, 'DecryptPipelineArtifacts')).toEqual({
      Sid: 'DecryptPipelineArtifacts',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(bySid(policy, 'ReadPipelineArtifacts').Resource[1]).toMatch(/^arn:aws:s3:::fareplicationbucket[a-z0-9]+\/\*$/);
    expect(joined(bySid(policy, 'CreateTheActionLogGroup').Resource[0])).toMatch(/:logs:eu-west-1:111111111111:log-group:\/eu-west-1\/codepipeline\//);
    // The alarms are in the function's region, named literally for the pipeline.
    expect(resourcesOf(Template.fromJSON(assembly.getStackByName('Far').template), 'AWS::CloudWatch::Alarm')).toHaveLength(2);
  });
});

describe('LambdaPipeline: an imported function of another account', () => {
  test('GIVEN an alias imported with a function ARN of another account and region THEN the role and the alarms are created there', () => {
    const app = new App({ context: GATE_CONTEXT });
    const tools = new Stack(app, 'Tools', { env: TOOLS });
    const fn = lambda.Function.fromFunctionAttributes(tools, 'Orders', { functionArn: 'arn:aws:lambda:eu-west-1:333333333333:function:orders', sameEnvironment: false });
    const alias = lambda.Alias.fromAliasAttributes(tools, 'OrdersLive', {
      aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(tools, 'OrdersV1', { lambda: fn, version: '1' }),
    });
    const pipeline = new LambdaPipeline(tools, 'Pipeline', { source: githubSource(), environments: [{ name: 'Production', deployment: LambdaDeployment.allAtOnce(alias) }] });
    const assembly = app.synth();
    const pipelineTemplate = assembly.getStackByName('Tools').template;
    const deploy = Object.values<any>(pipelineTemplate.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')
      .Properties.Stages.find((s: any) => s.Name === 'Production').Actions.find((a: any) => a.Name === 'Deploy');
    expect(deploy.Region).toBe('eu-west-1');
    expect(deploy.Configuration).toMatchObject({ FunctionName: 'orders', FunctionAlias: 'live' });
    expect(joined(deploy.RoleArn)).toContain(':iam::333333333333:role/');
    // The alarms: in the library's support stack of that account and region.
    const support = assembly.stacks.find((s) => s.environment.account === '333333333333' && Object.values<any>(s.template.Resources).some((r) => r.Type === 'AWS::CloudWatch::Alarm'))!;
    expect(support.environment.region).toBe('eu-west-1');
    const alarms = Object.values<any>(support.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.Properties.Dimensions)).toContainEqual([{ Name: 'FunctionName', Value: 'orders' }, { Name: 'Resource', Value: 'orders:live' }]);
    expect(deploy.Configuration.Alarms.split(',')).toEqual(alarms.map((a) => a.Properties.AlarmName));
    // The role's statements: this function only, by its literal ARN.
    const rolePolicies = assembly.stacks.flatMap((s) => Object.entries<any>(s.template.Resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('ProductionDeployActionRole')).map(([, r]) => r));
    expect(rolePolicies).toHaveLength(1);
    const update = rolePolicies[0].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'UpdateAndPublishTheFunction');
    expect(update.Resource).toBe('arn:aws:lambda:eu-west-1:333333333333:function:orders');
    expect(pipeline).toBeDefined();
  });
});

describe('LambdaPipeline: what cannot work across accounts', () => {
  function attempt(build: (app: App, tools: Stack) => lambda.IAlias, hooks?: (app: App, tools: Stack) => LambdaTrafficHooks): unknown {
    const app = new App();
    const tools = new Stack(app, 'Tools', { env: TOOLS });
    try {
      const alias = build(app, tools);
      new LambdaPipeline(tools, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: LambdaDeployment.allAtOnce(alias, { hooks: hooks?.(app, tools) }) }],
      });
      app.synth();
    } catch (e) {
      return e;
    }
    return undefined;
  }

  function importedAlias(scope: Stack, functionArn: string): lambda.IAlias {
    const fn = lambda.Function.fromFunctionArn(scope, 'Orders', functionArn);
    return lambda.Alias.fromAliasAttributes(scope, 'OrdersLive', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(scope, 'OrdersV1', { lambda: fn, version: '1' }) });
  }

  test('GIVEN a function named only by a token (an ARN parameter) THEN the library\'s error says to state its account', () => {
    const err: any = attempt((_app, tools) => importedAlias(tools, new CfnParameter(tools, 'FunctionArn').valueAsString));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.deployment\.alias is in an account the pipeline cannot tell \(Tools\/Orders is named by a token\).*Fix: .*import it with an ARN or attributes that state its account as literals/);
  });

  test('GIVEN the function in an environment-agnostic stack THEN the library\'s error', () => {
    const err: any = attempt((app) => namedAlias(new Stack(app, 'Anywhere'), 'orders'));
    expect(err?.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.deployment\.alias is in an account the pipeline cannot tell \(Anywhere\/Fn is in stack Anywhere, which has no concrete account\)/);
  });

  test('GIVEN an alias in one account for a function of another THEN the library\'s error', () => {
    const err: any = attempt((app) => {
      const staging = new Stack(app, 'Staging', { env: STAGING });
      const fn = lambda.Function.fromFunctionArn(staging, 'Orders', 'arn:aws:lambda:eu-west-1:333333333333:function:orders');
      return new lambda.Alias(staging, 'Live', { aliasName: 'live', version: lambda.Version.fromVersionAttributes(staging, 'V1', { lambda: fn, version: '1' }) });
    });
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.deployment\.alias is in account 222222222222 \(Staging\/Live\), but its function Staging\/Orders is in account 333333333333.*Fix: create the alias in the function's stack/);
  });

  test('GIVEN a function of another account without a functionName THEN the library\'s error says to name it', () => {
    const err: any = attempt((app) => {
      const staging = new Stack(app, 'Staging', { env: STAGING });
      const fn = new lambda.Function(staging, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      return fn.addAlias('live');
    });
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.deployment\.alias is Staging\/Fn in account 222222222222, region us-east-1, whose name is assigned only when its stack deploys.*Fix: give it a literal functionName/);
  });

  test('GIVEN a hook in the pipeline\'s account for a function of another THEN the library\'s error says to put it in the function\'s', () => {
    const err: any = attempt(
      (app) => namedAlias(new Stack(app, 'Staging', { env: STAGING }), 'orders'),
      (_app, tools) => ({ preTraffic: hookFunction(tools, 'PreHook') }),
    );
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.deployment\.hooks\.preTraffic is in account 111111111111 \(Tools\/PreHook\), but the deployed function's account is 222222222222.*Fix: define the hook function in the deployed function's account and region/);
  });
});
