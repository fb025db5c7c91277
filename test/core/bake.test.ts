/**
 * Bake time (issue 15): `environments[].bake` watches CloudWatch alarms after the deployment in an
 * On Success condition of the environment's stage, for every construct; automatic promotion
 * without a bake warns.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BakeOptions, EcsContainerPipeline, EcsDeployment, LambdaDeployment, LambdaPipeline, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { fargateService, githubSource, newStack } from '../helpers';
import { lambdaAlias } from '../lambda/support';

function alarm(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: id }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

type Kind = 'ecs' | 'lambda' | 'static-site';

/** GIVEN a pipeline of `kind` with Staging (bake given) and Production. */
function pipelineOf(kind: Kind, stack: Stack, bake: BakeOptions | undefined, production: { requireApproval?: boolean } = {}) {
  if (kind === 'ecs') {
    return new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingWeb')), bake },
        { name: 'Production', deployment: EcsDeployment.rolling(fargateService(stack, 'ProductionWeb')), ...production },
      ],
    });
  }
  if (kind === 'lambda') {
    return new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')), bake },
        { name: 'Production', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'ProductionFn')), ...production },
      ],
    });
  }
  return new StaticSitePipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'StagingSite')), bake },
      { name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'ProductionSite')), ...production },
    ],
  });
}

function stageOf(template: Template, name: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

/** The statements of the pipeline role's default policy. */
function pipelineRoleStatements(template: Template): any[] {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  const roleId = pipeline.Properties.RoleArn['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe.each<Kind>(['ecs', 'lambda', 'static-site'])('bake of a %s pipeline', (kind) => {
  test('the stage gets an On Success condition with one CloudWatchAlarm rule per alarm, ROLLBACK by default', () => {
    // GIVEN
    const stack = newStack();
    const errors = alarm(stack, 'Errors');
    const latency = alarm(stack, 'Latency');
    // WHEN
    pipelineOf(kind, stack, { duration: Duration.minutes(10), alarms: [errors, latency] });
    const template = Template.fromStack(stack);
    // THEN
    const rule = (id: string, n: number) => ({
      Name: `Staging-Bake${n}`,
      RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
      Configuration: { AlarmName: { Ref: id }, AlarmStates: 'ALARM', WaitTime: '10' },
    });
    expect(stageOf(template, 'Staging').OnSuccess).toEqual({
      Conditions: [{
        Result: 'ROLLBACK',
        Rules: [rule(stack.getLogicalId(errors.node.defaultChild as any), 1), rule(stack.getLogicalId(latency.node.defaultChild as any), 2)],
      }],
    });
    expect(stageOf(template, 'Production').OnSuccess).toBeUndefined();
    // The rule runs with the pipeline's role, which may describe these alarms only.
    expect(pipelineRoleStatements(template)).toContainEqual({
      Sid: 'WatchTheBakeAlarmsOfStaging',
      Effect: 'Allow',
      Action: 'cloudwatch:DescribeAlarms',
      Resource: [{ 'Fn::GetAtt': [stack.getLogicalId(errors.node.defaultChild as any), 'Arn'] }, { 'Fn::GetAtt': [stack.getLogicalId(latency.node.defaultChild as any), 'Arn'] }],
    });
  });

  test('rollback: false fails the stage instead', () => {
    const stack = newStack();
    pipelineOf(kind, stack, { duration: Duration.hours(1), alarms: [alarm(stack, 'Errors')], rollback: false });
    const onSuccess = stageOf(Template.fromStack(stack), 'Staging').OnSuccess;
    expect(onSuccess.Conditions[0].Result).toBe('FAIL');
    expect(onSuccess.Conditions[0].Rules[0].Configuration.WaitTime).toBe('60');
  });

  test('automatic promotion after a baked environment does not warn; without a bake it does', () => {
    const baked = newStack();
    pipelineOf(kind, baked, { duration: Duration.minutes(10), alarms: [alarm(baked, 'Errors')] }, { requireApproval: false });
    Annotations.fromStack(baked).hasNoWarning('*', Match.stringLikeRegexp('PromotedUnverified'));
    const unbaked = newStack();
    pipelineOf(kind, unbaked, undefined, { requireApproval: false });
    Annotations.fromStack(unbaked).hasWarning('*', Match.stringLikeRegexp('^environments\\[1\\] \\("Production"\\): requireApproval is false.*nothing verifies "Staging".*cdk-delivery-pipelines:PromotedUnverified'));
  });
});

test('an approval still runs before the next environment unless requireApproval is false', () => {
  const stack = newStack();
  pipelineOf('lambda', stack, { duration: Duration.minutes(10), alarms: [alarm(stack, 'Errors')] });
  const template = Template.fromStack(stack);
  expect(stageOf(template, 'Production').Actions.map((a: any) => a.ActionTypeId.Category)).toContain('Approval');
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('PromotedUnverified'));
});

describe('alarms in other accounts and regions', () => {
  const TOOLS = { account: '111111111111', region: 'us-east-1' };
  function app() {
    const a = new App();
    const tools = new Stack(a, 'Tools', { env: TOOLS });
    return { app: a, tools };
  }
  function namedAlias(stack: Stack): lambda.Alias {
    const fn = new lambda.Function(stack, 'Fn', {
      functionName: 'shop-api',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => "x";'),
    });
    return new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  }

  test('an alarm of the workload\'s account is read by a role there, which the pipeline role may assume', () => {
    // GIVEN a staging function and its alarm in account 222222222222
    const { tools, app: a } = app();
    const staging = new Stack(a, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
    const errors = cloudwatch.Alarm.fromAlarmArn(staging, 'Errors', 'arn:aws:cloudwatch:us-east-1:222222222222:alarm:shop-api-errors');
    // WHEN
    new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: LambdaDeployment.allAtOnce(namedAlias(staging)), bake: { duration: Duration.minutes(15), alarms: [errors] } },
      ],
    });
    const toolsTemplate = Template.fromStack(tools);
    const stagingTemplate = Template.fromStack(staging);
    // THEN the rule names the alarm and a role in its account
    const rule = stageOf(toolsTemplate, 'Staging').OnSuccess.Conditions[0].Rules[0];
    expect(rule.Configuration).toEqual({ AlarmName: 'shop-api-errors', AlarmStates: 'ALARM', WaitTime: '15' });
    expect(rule.Region).toBeUndefined();
    expect(JSON.stringify(rule.RoleArn)).toContain('222222222222');
    // the role there trusts the pipeline's account, only for its pipeline role, and may describe that alarm only
    const [[roleId]] = Object.entries(stagingTemplate.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('bake alarms of Staging') } }));
    stagingTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
          Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:iam::111111111111:role/')]] } } },
        }],
      },
      Description: Match.stringLikeRegexp('bake alarms of Staging'),
    });
    stagingTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: [{ Sid: 'WatchTheBakeAlarms', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: 'arn:aws:cloudwatch:us-east-1:222222222222:alarm:shop-api-errors' }] },
    });
    // the pipeline role may assume it, and describes no alarm itself
    const statements = pipelineRoleStatements(toolsTemplate);
    const assume = statements.find((s) => s.Sid === 'AssumeTheBakeRoleOfStaging');
    expect(assume.Action).toBe('sts:AssumeRole');
    expect(JSON.stringify(assume.Resource)).toContain('222222222222');
    expect(statements.filter((s) => s.Action === 'cloudwatch:DescribeAlarms')).toEqual([]);
  });

  test('an alarm of another region in the pipeline\'s account sets the rule\'s region; the pipeline role reads it', () => {
    const { tools, app: a } = app();
    const errors = cloudwatch.Alarm.fromAlarmArn(tools, 'Errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-api-errors');
    const stack = new Stack(a, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } });
    new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(namedAlias(stack)), bake: { duration: Duration.minutes(5), alarms: [errors] } }],
    });
    const template = Template.fromStack(tools);
    const rule = stageOf(template, 'Staging').OnSuccess.Conditions[0].Rules[0];
    expect(rule.Region).toBe('eu-west-1');
    expect(rule.RoleArn).toBeUndefined();
    expect(pipelineRoleStatements(template)).toContainEqual({
      Sid: 'WatchTheBakeAlarmsOfStaging', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-api-errors',
    });
  });

  test('an alarm of another account needs a name the pipeline can refer to', () => {
    const { tools, app: a } = app();
    const staging = new Stack(a, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } });
    const unnamed = alarm(staging, 'Errors');
    new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(namedAlias(staging)), bake: { duration: Duration.minutes(5), alarms: [unnamed] } }],
    });
    expect(() => Template.fromStack(tools)).toThrow(/environments\[0\]\.bake\.alarms\[0\] is in account 222222222222, region us-east-1, other than the pipeline's, and has no name .*give the alarm an alarmName/);
  });

  test('a named alarm of another account in another region: the role is in its stack, the rule has its region', () => {
    const { tools, app: a } = app();
    const production = new Stack(a, 'Production', { env: { account: '333333333333', region: 'eu-west-1' } });
    const named = new cloudwatch.Alarm(production, 'Errors', { alarmName: 'shop-api-errors', metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: LambdaDeployment.allAtOnce(namedAlias(production)), bake: { duration: Duration.minutes(30), alarms: [named] } }],
    });
    const rule = stageOf(Template.fromStack(tools), 'Production').OnSuccess.Conditions[0].Rules[0];
    expect(rule.Region).toBe('eu-west-1');
    expect(rule.Configuration.AlarmName).toBe('shop-api-errors');
    expect(JSON.stringify(rule.RoleArn)).toContain('333333333333');
    Template.fromStack(production).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Sid: 'WatchTheBakeAlarms', Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] } }] },
    });
  });

  test('an alarm whose account the pipeline cannot tell is the library\'s error', () => {
    const { tools, app: a } = app();
    const agnostic = new Stack(a, 'Agnostic');
    const errors = alarm(agnostic, 'Errors');
    new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(tools, 'Fn')), bake: { duration: Duration.minutes(5), alarms: [errors] } }],
    });
    expect(() => Template.fromStack(tools)).toThrow(/environments\[0\]\.bake\.alarms\[0\] is in an account the pipeline cannot tell/);
  });
});

describe('validation', () => {
  function build(bake: any) {
    const stack = newStack();
    const errors = alarm(stack, 'Errors');
    const b = typeof bake === 'function' ? bake(stack, errors) : bake;
    return () => pipelineOf('lambda', stack, b);
  }
  test.each<[string, any, RegExp]>([
    ['not an object', 'ten minutes', /environments\[0\]\.bake must be an options object/],
    ['no duration', (_s: Stack, e: cloudwatch.IAlarm) => ({ alarms: [e] }), /environments\[0\]\.bake\.duration is required/],
    ['a number as duration', (_s: Stack, e: cloudwatch.IAlarm) => ({ duration: 10, alarms: [e] }), /environments\[0\]\.bake\.duration must be a Duration/],
    ['seconds', (_s: Stack, e: cloudwatch.IAlarm) => ({ duration: Duration.seconds(90), alarms: [e] }), /bake\.duration must be a whole number of minutes, at least 1, got 1 minute 30 seconds/],
    ['zero', (_s: Stack, e: cloudwatch.IAlarm) => ({ duration: Duration.minutes(0), alarms: [e] }), /bake\.duration must be a whole number of minutes, at least 1/],
    ['empty alarms', { duration: Duration.minutes(10), alarms: [] }, /bake\.alarms must hold 1 to 5 alarms .* got 0/],
    ['six alarms', (s: Stack) => ({ duration: Duration.minutes(10), alarms: [1, 2, 3, 4, 5, 6].map((n) => alarm(s, `A${n}`)) }), /bake\.alarms must hold 1 to 5 alarms .* got 6.*metric-math/],
    ['an alarm name', { duration: Duration.minutes(10), alarms: ['shop-errors'] }, /bake\.alarms\[0\] must be a cloudwatch\.IAlarm/],
    ['an alarm twice', (_s: Stack, e: cloudwatch.IAlarm) => ({ duration: Duration.minutes(10), alarms: [e, e] }), /bake\.alarms\[1\] is environments\[0\]\.bake\.alarms\[0\] again/],
    ['rollback as a string', (_s: Stack, e: cloudwatch.IAlarm) => ({ duration: Duration.minutes(10), alarms: [e], rollback: 'no' }), /bake\.rollback must be true or false/],
  ])('%s', (_name, bake, error) => {
    expect(build(bake)).toThrow(error);
  });

  test('a composite alarm warns', () => {
    const stack = newStack();
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(alarm(stack, 'Errors'), cloudwatch.AlarmState.ALARM) });
    pipelineOf('lambda', stack, { duration: Duration.minutes(10), alarms: [composite] });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('cdk-delivery-pipelines:BakeCompositeAlarm'));
  });
});

describe('without alarms: the deployment\'s rollback alarms', () => {
  function rules(template: Template): any[] {
    return stageOf(template, 'Staging').OnSuccess.Conditions[0].Rules;
  }

  test('a Lambda deployment: the bake watches its default rollback alarms (errors, throttles)', () => {
    const stack = newStack();
    pipelineOf('lambda', stack, { duration: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    const watched = rules(template).map((r: any) => r.Configuration.AlarmName);
    expect(watched).toHaveLength(2);
    // The very alarms the deploy action rolls back on.
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    const deploy = pipeline.Properties.Stages.find((st: any) => st.Name === 'Staging').Actions.find((a: any) => a.ActionTypeId.Category === 'Deploy');
    expect(JSON.stringify(deploy.Configuration)).toContain(JSON.stringify(watched[0]).slice(1, -1));
    expect(watched.every((w: any) => w.Ref)).toBe(true);
  });

  test('a Lambda deployment with alarms of its own: those (its default alarms are off then)', () => {
    const stack = newStack();
    const own = alarm(stack, 'Latency');
    new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn'), { alarms: [own] }), bake: { duration: Duration.minutes(5) } }],
    });
    expect(rules(Template.fromStack(stack)).map((r: any) => r.Configuration.AlarmName.Ref)).toEqual([expect.stringMatching(/^Latency/)]);
  });

  test('more than 5 rollback alarms: the library\'s error asks for bake.alarms', () => {
    const stack = newStack();
    new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{
        name: 'Staging',
        deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn'), { alarms: [1, 2, 3, 4, 5, 6].map((n) => alarm(stack, `A${n}`)) }),
        bake: { duration: Duration.minutes(5) },
      }],
    });
    expect(() => Template.fromStack(stack)).toThrow(/environments\[0\]\.bake\.alarms must hold 1 to 5 alarms .* got 6.*pass them as bake\.alarms/);
  });

  test('a deployment without rollback alarms (ECS rolling, static site): the library\'s error', () => {
    for (const kind of ['ecs', 'static-site'] as const) {
      const stack = newStack();
      pipelineOf(kind, stack, { duration: Duration.minutes(10) });
      expect(() => Template.fromStack(stack)).toThrow(/TestStack\/Pipeline: environments\[0\]\.bake\.alarms is required: the deployment of "Staging" has no rollback alarms for the bake to watch.*Fix: pass the alarms to watch/);
    }
  });
});
