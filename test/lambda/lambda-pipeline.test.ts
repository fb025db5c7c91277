import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaDeployment, LambdaEnvironment, LambdaPipeline, LambdaPipelineProps } from '../../src';
import { githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';
import { lambdaAlias } from './support';

/** GIVEN a stack with a staging and a production function, each with a `live` alias. */
function setup(extra: Partial<LambdaPipelineProps> = {}, production?: (alias: lambda.Alias) => LambdaDeployment) {
  const stack = newStack(WITH_CDK_NAG_METADATA);
  const staging = lambdaAlias(stack, 'StagingFn');
  const prod = lambdaAlias(stack, 'ProductionFn');
  const pipeline = new LambdaPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(staging) },
      {
        name: 'Production',
        deployment: production ? production(prod) : LambdaDeployment.canary(prod, { percentage: 10, interval: Duration.minutes(5) }),
      },
    ],
    ...extra,
  });
  return { stack, staging, production: prod, pipeline, template: Template.fromStack(stack) };
}

function single(stack: Stack, deployment: LambdaDeployment, extra: Partial<LambdaPipelineProps> = {}): LambdaPipeline {
  return new LambdaPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment }], ...extra });
}

/** The parsed buildspec of the only project; a token inside it (the report group ARN) reads as REPORT_GROUP. */
function buildSpecOf(template: Template): any {
  const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
  const spec = project.Properties.Source.BuildSpec;
  return JSON.parse(typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'REPORT_GROUP')).join(''));
}

function stageOf(template: Template, name: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

function deployAction(template: Template, stage: string): any {
  return stageOf(template, stage).Actions.find((a: any) => a.Name === 'Deploy');
}

function deployPolicyStatements(template: Template, stage: string): any[] {
  const entry = Object.entries(template.findResources('AWS::IAM::Policy'))
    .find(([id]) => id.startsWith(`Pipeline${stage}DeployCodePipelineActionRole`));
  if (!entry) {
    throw new Error(`no deploy policy for ${stage}`);
  }
  return entry[1].Properties.PolicyDocument.Statement;
}

function alarmsIn(template: Template, pathPrefix: string): Array<[string, any]> {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(pathPrefix));
}

describe('LambdaPipeline', () => {
  describe('build stage', () => {
    test('WHEN defaults THEN the build output is the contents of dist, checked to be non-empty, and dist reaches the build as OUTPUT_DIRECTORY', () => {
      const { template } = setup({ buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'], commands: ['npm run build'] } });
      const spec = buildSpecOf(template);
      expect(spec.phases.install.commands).toEqual(['npm ci']);
      expect(spec.phases.pre_build.commands).toEqual(['npm test']);
      expect(spec.phases.build.commands[0]).toBe('npm run build');
      expect(spec.phases.build.commands[1]).toMatch(/^\[ -n "\$\(ls -A 'dist' 2>\/dev\/null\)" \] \|\| \{ echo .*is missing or empty.* >&2; exit 1; \}$/);
      expect(spec.artifacts).toEqual({ 'files': ['**/*'], 'base-directory': 'dist' });
      const build = stageOf(template, 'Build').Actions[0];
      expect(JSON.parse(build.Configuration.EnvironmentVariables)).toEqual(expect.arrayContaining([
        { name: 'OUTPUT_DIRECTORY', type: 'PLAINTEXT', value: 'dist' },
        { name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source_Source_NS.CommitId}' },
      ]));
    });

    test('WHEN outputDirectory is given THEN the package comes from it', () => {
      const { template, pipeline } = setup({ outputDirectory: 'services/orders/.build/package' });
      expect(pipeline.outputDirectory).toBe('services/orders/.build/package');
      const spec = buildSpecOf(template);
      expect(spec.artifacts['base-directory']).toBe('services/orders/.build/package');
      expect(spec.phases.build.commands[0]).toContain("ls -A 'services/orders/.build/package'");
    });

    test('WHEN caches and test reports are configured THEN the buildspec caches and reports, through the spine', () => {
      const { template } = setup({ buildOptions: { cachePaths: ['/root/.npm/**/*'], testReportDirectory: 'reports', testCommands: ['npm test'] } });
      const parsed = buildSpecOf(template);
      expect(parsed.cache).toEqual({ paths: ['/root/.npm/**/*'] });
      expect(parsed.reports.REPORT_GROUP).toEqual({ 'files': ['**/*.xml'], 'base-directory': 'reports', 'file-format': 'JUNITXML' });
      template.resourceCountIs('AWS::CodeBuild::ReportGroup', 1);
    });

    test('THEN the build is the hardened project and not privileged (no Docker needed)', () => {
      const { template } = setup();
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Environment: Match.objectLike({ PrivilegedMode: false, ComputeType: 'BUILD_GENERAL1_SMALL' }),
        EncryptionKey: Match.anyValue(),
        TimeoutInMinutes: 20,
        Cache: { Type: 'LOCAL', Modes: ['LOCAL_SOURCE_CACHE', 'LOCAL_CUSTOM_CACHE'] },
      });
    });

    test.each([
      ['/opt/dist', '"/opt/dist"'],
      ['../outside', '"../outside"'],
      ['dist/../../escape', '"dist/../../escape"'],
      ['', '""'],
    ])('WHEN outputDirectory is %p THEN it is rejected', (outputDirectory, shown) => {
      expect(() => setup({ outputDirectory })).toThrow(new RegExp(
        `^TestStack/Pipeline: outputDirectory must be a relative path inside the source, got ${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\. Fix: `));
    });

    test('WHEN the user sets OUTPUT_DIRECTORY THEN it is rejected (the pipeline sets it from outputDirectory)', () => {
      expect(() => setup({ buildOptions: { environmentVariables: { OUTPUT_DIRECTORY: 'out' } } })).toThrow(
        /^TestStack\/Pipeline: buildOptions\.environmentVariables\.OUTPUT_DIRECTORY is set by the pipeline itself \(from outputDirectory\)\. Fix: set outputDirectory instead/);
    });

    test('WHEN a repository buildspec is used THEN an explicit outputDirectory is ignored with a warning', () => {
      const { stack } = setup({ outputDirectory: 'out', buildOptions: { repositoryBuildSpec: 'buildspec.yml' } });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('^outputDirectory is ignored because buildOptions.repositoryBuildSpec is given.*\\[ack: cdk-delivery-pipelines:OutputDirectoryIgnored\\]$'));
    });
  });

  describe('environments', () => {
    test('THEN each environment deploys the build output with the native Lambda deploy action after its approval', () => {
      const { template } = setup();
      expect(stageOf(template, 'Staging').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([['Deploy', 'Lambda', 2]]);
      expect(stageOf(template, 'Production').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder]))
        .toEqual([['Approve', 'Manual', 1], ['Deploy', 'Lambda', 2]]);
      for (const [stage, fn, strategy] of [['Staging', 'StagingFn', 'AllAtOnce'], ['Production', 'ProductionFn', 'Canary10Percent5Minutes']]) {
        expect(deployAction(template, stage)).toEqual(expect.objectContaining({
          ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' },
          InputArtifacts: [{ Name: 'Build' }],
          Configuration: {
            FunctionName: { Ref: expect.stringMatching(new RegExp(`^${fn}[0-9A-F]{8}$`)) },
            FunctionAlias: 'live',
            DeployStrategy: strategy,
            Alarms: expect.anything(),
          },
        }));
        expect(deployAction(template, stage).OutputArtifacts).toBeUndefined();
      }
    });

    test('THEN the pipeline is a V2 pipeline (the Lambda deploy action needs one)', () => {
      const { template } = setup();
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2', ExecutionMode: 'QUEUED' });
    });

    test('WHEN production sets requireApproval: false THEN it deploys without an approval', () => {
      const stack = newStack();
      const environments: LambdaEnvironment[] = [
        { name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')) },
        { name: 'Production', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'ProductionFn')), requireApproval: false },
      ];
      new LambdaPipeline(stack, 'Pipeline', { source: githubSource(), environments });
      expect(stageOf(Template.fromStack(stack), 'Production').Actions.map((a: any) => a.Name)).toEqual(['Deploy']);
    });
  });

  describe('rollback alarms', () => {
    test('WHEN no alarms are given THEN Errors > 0 and Throttles > 0 alarms on the alias roll the deployment back', () => {
      const { template } = setup();
      const alarms = alarmsIn(template, 'PipelineProductionDeploy');
      expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['PipelineProductionDeployErrorsAlarm', 'PipelineProductionDeployThrottlesAlarm']);
      for (const [, alarm] of alarms) {
        expect(alarm.Properties).toEqual(expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: expect.stringMatching(/^(Errors|Throttles)$/),
          Dimensions: [
            { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^ProductionFn/) } },
            { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^ProductionFn/) }, ':live']] } },
          ],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        }));
      }
      expect(deployAction(template, 'Production').Configuration.Alarms).toEqual({
        'Fn::Join': ['', [{ Ref: alarms[0][0] }, ',', { Ref: alarms[1][0] }]],
      });
      // Staging has its own pair, on its own alias.
      expect(alarmsIn(template, 'PipelineStagingDeploy')).toHaveLength(2);
    });

    test('WHEN alarms are given THEN exactly those roll the deployment back and no default alarms are created', () => {
      const { template } = setup({}, (alias) => LambdaDeployment.linear(alias, {
        percentage: 20,
        interval: Duration.minutes(2),
        alarms: [cloudwatch.Alarm.fromAlarmArn(newStackOf(alias), 'P99', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:orders-p99-latency')],
      }));
      expect(alarmsIn(template, 'PipelineProductionDeploy')).toEqual([]);
      expect(deployAction(template, 'Production').Configuration).toEqual(expect.objectContaining({
        DeployStrategy: 'Linear20PercentEvery2Minutes',
        Alarms: 'orders-p99-latency',
      }));
      const describe = deployPolicyStatements(template, 'Production').find((s) => s.Action === 'cloudwatch:DescribeAlarms');
      expect(describe.Resource).toBe('arn:aws:cloudwatch:us-east-1:111111111111:alarm:orders-p99-latency');
      // No default alarms anywhere for Production: the only alarms in the stack are Staging's pair.
      expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toEqual(alarmsIn(template, 'PipelineStagingDeploy').map(([id]) => id));
      expect(alarmsIn(template, 'PipelineStagingDeploy')).toHaveLength(2);
    });

    test('WHEN alarms are given with defaultAlarms: true THEN both roll the deployment back', () => {
      const { template } = setup({}, (alias) => {
        const own = new cloudwatch.Alarm(newStackOf(alias), 'Latency', {
          metric: alias.metricDuration({ statistic: 'p99' }), threshold: 1000, evaluationPeriods: 1,
        });
        return LambdaDeployment.canary(alias, { percentage: 5, interval: Duration.minutes(10), alarms: [own], defaultAlarms: true });
      });
      const alarms = deployAction(template, 'Production').Configuration.Alarms['Fn::Join'][1];
      expect(alarms.filter((a: any) => a !== ',').map((a: any) => a.Ref.replace(/[0-9A-F]{8}$/, '')))
        .toEqual(['Latency', 'PipelineProductionDeployErrorsAlarm', 'PipelineProductionDeployThrottlesAlarm']);
    });

    test('WHEN defaultAlarms is false and no alarms are given THEN nothing is monitored, and the pipeline warns', () => {
      const { template, stack } = setup({}, (alias) =>
        LambdaDeployment.canary(alias, { percentage: 10, interval: Duration.minutes(5), defaultAlarms: false }));
      expect(alarmsIn(template, 'PipelineProductionDeploy')).toEqual([]);
      expect(deployAction(template, 'Production').Configuration.Alarms).toBeUndefined();
      expect(deployPolicyStatements(template, 'Production').filter((s) => [].concat(s.Action).includes('cloudwatch:DescribeAlarms' as never))).toEqual([]);
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
        '^environments\\[1\\]\\.deployment: no alarms roll the deployment to TestStack/ProductionFnLive back.*\\[ack: cdk-delivery-pipelines:LambdaNoRollbackAlarms\\]$'));
    });

    test('WHEN a composite alarm is given THEN the pipeline warns that the action role may not see it', () => {
      const { stack } = setup({}, (alias) => {
        const s = newStackOf(alias);
        const child = new cloudwatch.Alarm(s, 'Child', { metric: alias.metricErrors(), threshold: 1, evaluationPeriods: 1 });
        const composite = new cloudwatch.CompositeAlarm(s, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(child, cloudwatch.AlarmState.ALARM) });
        return LambdaDeployment.canary(alias, { percentage: 10, interval: Duration.minutes(5), alarms: [composite] });
      });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('^environments\\[1\\]\\.deployment\\.alarms\\[0\\]: TestStack/Composite is a composite alarm.*\\[ack: cdk-delivery-pipelines:LambdaCompositeAlarm\\]$'));
    });

    test('WHEN the defaults are on THEN no warning is emitted', () => {
      const { stack } = setup();
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-delivery-pipelines'))).toEqual([]);
    });
  });

  describe('least privilege', () => {
    test('THEN each deploy role updates and publishes only its function, moves only its aliases and versions, reads only its alarms', () => {
      const { template } = setup();
      const statements = deployPolicyStatements(template, 'Production');
      const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
      expect(bySid('UpdateAndPublishTheFunction')).toEqual({
        Sid: 'UpdateAndPublishTheFunction',
        Effect: 'Allow',
        Action: ['lambda:UpdateFunctionCode', 'lambda:PublishVersion'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProductionFn/), 'Arn'] },
      });
      const shift = bySid('ShiftTheAliasBetweenVersions');
      expect(shift.Action).toEqual(['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig']);
      expect(shift.Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^ProductionFn/), 'Arn'] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:111111111111:function:', { Ref: expect.stringMatching(/^ProductionFn/) }, ':*']] },
      ]);
      expect(bySid('ReadTheRollbackAlarms').Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^PipelineProductionDeployErrorsAlarm/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^PipelineProductionDeployThrottlesAlarm/), 'Arn'] },
      ]);
      const logGroup = ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111111111111:log-group:/us-east-1/codepipeline/', { Ref: expect.stringMatching(/^Pipeline[0-9A-F]{8}$/) }];
      expect(bySid('CreateTheActionLogGroup').Resource).toEqual([{ 'Fn::Join': ['', logGroup] }, { 'Fn::Join': ['', [...logGroup, ':*']] }]);
      expect(bySid('WriteTheActionLog')).toEqual(expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::Join': ['', [...logGroup, ':log-stream:*']] },
      }));
      // Nothing of the other environment, no Resource "*", no service-wide actions.
      expect(JSON.stringify(statements)).not.toMatch(/StagingFn/);
      expect(statements.filter((s) => s.Resource === '*')).toEqual([]);
      expect(JSON.stringify(statements)).not.toMatch(/"Action":"\*"|lambda:\*|cloudwatch:\*|logs:\*|iam:PassRole/);
    });

    test('WHEN the function is imported by ARN THEN the role names that ARN', () => {
      const stack = newStack();
      const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:orders');
      const version = lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fn, version: '7' });
      const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: version });
      single(stack, LambdaDeployment.linear(alias, { percentage: 50, interval: Duration.minutes(1) }));
      const template = Template.fromStack(stack);
      expect(deployAction(template, 'Staging').Configuration).toEqual(expect.objectContaining({
        FunctionName: 'orders', FunctionAlias: 'live', DeployStrategy: 'Linear50PercentEvery1Minute',
      }));
      const shift = deployPolicyStatements(template, 'Staging').find((s) => s.Sid === 'ShiftTheAliasBetweenVersions');
      expect(shift.Resource).toEqual([
        'arn:aws:lambda:us-east-1:111111111111:function:orders',
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:us-east-1:111111111111:function:orders:*']] },
      ]);
    });
  });

  describe('rejects', () => {
    test('an alias that points at $LATEST', () => {
      const stack = newStack();
      const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.latestVersion });
      expect(() => single(stack, LambdaDeployment.allAtOnce(alias))).toThrow(
        /^TestStack\/Pipeline: environments\[0\]\.deployment\.alias points at \$LATEST \(TestStack\/Live\), got version "\$LATEST".*Fix: point the alias at a published version/);
    });

    test('two environments that deploy aliases of the same function', () => {
      const stack = newStack();
      const staging = lambdaAlias(stack, 'Fn');
      const production = new lambda.Alias(stack, 'Prod', { aliasName: 'prod', version: staging.version });
      expect(() => new LambdaPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [
          { name: 'Staging', deployment: LambdaDeployment.allAtOnce(staging) },
          { name: 'Production', deployment: LambdaDeployment.allAtOnce(production) },
        ],
      })).toThrow(/^TestStack\/Pipeline: environments\[1\]\.deployment\.alias is the function of environments\[0\] \("Staging"\) as well, got TestStack\/Fn\. Fix: give each environment its own function/);
    });

    test('two environments whose functions are imported with the same ARN', () => {
      const stack = newStack();
      const alias = (id: string, name: string) => {
        const fn = lambda.Function.fromFunctionArn(stack, `${id}Fn`, 'arn:aws:lambda:us-east-1:111111111111:function:orders');
        return lambda.Alias.fromAliasAttributes(stack, id, { aliasName: name, aliasVersion: lambda.Version.fromVersionAttributes(stack, `${id}V`, { lambda: fn, version: '1' }) });
      };
      expect(() => new LambdaPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [
          { name: 'Staging', deployment: LambdaDeployment.allAtOnce(alias('A', 'staging')) },
          { name: 'Production', deployment: LambdaDeployment.allAtOnce(alias('B', 'live')) },
        ],
      })).toThrow(/environments\[1\]\.deployment\.alias is the function of environments\[0\]/);
    });

    test('a function in another account named only by a token', () => {
      const stack = newStack();
      const fn = lambda.Function.fromFunctionArn(stack, 'Fn', new CfnParameter(stack, 'FunctionArn').valueAsString);
      const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fn, version: '1' }) });
      expect(() => single(stack, LambdaDeployment.allAtOnce(alias))).toThrow(
        /environments\[0\]\.deployment\.alias is in an account the pipeline cannot tell \(TestStack\/Fn is named by a token\).*Fix:/);
    });

    test('a deployment that is not from LambdaDeployment', () => {
      const stack = newStack();
      expect(() => single(stack, { alias: lambdaAlias(stack, 'Fn'), deployStrategy: 'AllAtOnce' } as any))
        .toThrow(/^TestStack\/Pipeline: environments\[0\]\.deployment must be created by a LambdaDeployment factory, got \[object Object\]\. Fix: use LambdaDeployment\.allAtOnce\(alias\)/);
    });

    test('empty environments', () => {
      expect(() => new LambdaPipeline(newStack(), 'Pipeline', { source: githubSource(), environments: [] }))
        .toThrow(/environments must not be empty/);
    });
  });

  describe('security checks', () => {
    test('cdk-nag AwsSolutions reports nothing unacknowledged on a pipeline with approvals, reports and notifications', () => {
      const { pipeline } = setup({
        buildOptions: { testCommands: ['npm test'], testReportDirectory: 'reports', cachePaths: ['/root/.npm/**/*'] },
        notifications: { emails: ['team@example.com'] },
      });
      expect(nagFindings(pipeline)).toEqual([]);
    });

    test('cdk-nag is also clean for imported functions and an env-agnostic stack', () => {
      const stack = new Stack();
      const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'orders');
      const alias = lambda.Alias.fromAliasAttributes(stack, 'Live', { aliasName: 'live', aliasVersion: lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fn, version: '3' }) });
      const pipeline = single(stack, LambdaDeployment.linear(alias, { percentage: 25, interval: Duration.minutes(3) }));
      expect(nagFindings(pipeline)).toEqual([]);
    });

    test('the acknowledged wildcards carry the Lambda-specific reasons', () => {
      const { stack, pipeline } = setup();
      nagFindings(pipeline);
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
        .find((p: any) => JSON.stringify(p.Properties.Roles).includes('PipelineProductionDeploy')) as any;
      // IAM5 findings only (the compliance packs' IAMNoInlinePolicy is acknowledged on the same policy, for no finding).
      const reasons = policy.Metadata.cdk_nag.rules_to_suppress.filter((r: any) => r.id === 'AwsSolutions-IAM5')
        .flatMap((r: any) => r.applies_to.map((finding: string) => [finding, r.reason]));
      expect(reasons).toEqual(expect.arrayContaining([
        [expect.stringMatching(/^Resource::arn:<AWS::Partition>:lambda:us-east-1:111111111111:function:<ProductionFn[0-9A-F]{8}>:\*$/), expect.stringMatching(/versions and aliases .* of the one function the Lambda deploy action deploys/)],
        [expect.stringMatching(/codepipeline\/<Pipeline[0-9A-F]{8}>:log-stream:\*$/), expect.stringMatching(/the pipeline's own action log group/)],
      ]));
    });
  });
});

/** The stack a construct is in (keeps the GIVEN blocks short). */
function newStackOf(scope: lambda.IAlias): Stack {
  return Stack.of(scope);
}
