/**
 * Post-deploy tests and environment configuration (issue 15), for every construct through the
 * spine: `EnvironmentOptions.postDeployTests`, `environmentVariables`, `secrets`, the `createTestAction`
 * hook, and the stage rollback of an environment with tests.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { flatten } from './support';
import {
  BuildSecret, DeliveryPipeline, EcsContainerPipeline, EcsDeployment, EnvironmentOptions, LambdaDeployment, LambdaPipeline,
  StaticSiteHosting, StaticSitePipeline, StaticSiteTarget,
} from '../../src';
import { fargateService, githubSource, newStack } from '../helpers';
import { lambdaAlias } from '../lambda/support';

type Any = any;

/** The configuration every construct's Staging gets in these tests. */
function stagingConfig(stack: Stack): Partial<EnvironmentOptions> {
  const token = new secretsmanager.Secret(stack, 'SmokeToken');
  const key = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/shop/staging/api-key' });
  return {
    postDeployTests: {
      installCommands: ['npm ci'],
      commands: ['npm run smoke'],
      testReportDirectory: 'reports',
    },
    environmentVariables: { BASE_URL: 'https://staging.acme.example' },
    secrets: { SMOKE_TOKEN: BuildSecret.fromSecretsManager(token), SHOP_API_KEY: BuildSecret.fromSsmParameter(key) },
  };
}

interface Workload {
  readonly name: string;
  /** Run order of the last deploy action of Staging (no approval). */
  readonly lastDeployRunOrder: number;
  /** The pipeline with Staging (configured with `staging`) and Production (no tests). */
  create(stack: Stack, staging: Partial<EnvironmentOptions>, props?: Any): DeliveryPipeline;
}

const WORKLOADS: Workload[] = [
  {
    name: 'EcsContainerPipeline (rolling)',
    lastDeployRunOrder: 2,
    create: (stack, staging, props = {}) => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingSvc')), ...staging },
        { name: 'Production', deployment: EcsDeployment.rolling(fargateService(stack, 'ProductionSvc')) },
      ],
      ...props,
    }),
  },
  {
    name: 'LambdaPipeline (canary)',
    lastDeployRunOrder: 2,
    create: (stack, staging, props = {}) => new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: LambdaDeployment.canary(lambdaAlias(stack, 'StagingFn'), { percentage: 10, interval: Duration.minutes(5) }), ...staging },
        { name: 'Production', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'ProductionFn')) },
      ],
      ...props,
    }),
  },
  {
    name: 'StaticSitePipeline',
    lastDeployRunOrder: 2,
    create: (stack, staging, props = {}) => new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'StagingSite')), ...staging },
        { name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'ProductionSite')) },
      ],
      ...props,
    }),
  },
];

function stageOf(template: Template, name: string): Any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return (pipeline as Any).Properties.Stages.find((s: Any) => s.Name === name);
}

/** The tests project of an environment (`Pipeline/<env>Tests/Project`). */
function testProjectOf(template: Template, environment: string): { id: string; resource: Any } {
  const entry = Object.entries(template.findResources('AWS::CodeBuild::Project'))
    .find(([id]) => new RegExp(`^Pipeline${environment}TestsProject[0-9A-F]{8}$`).test(id));
  if (!entry) {
    throw new Error(`no tests project for ${environment}`);
  }
  return { id: entry[0], resource: entry[1] };
}

/** Every statement of the policies attached to the role `roleId`. */
function statementsOfRole(template: Template, roleId: string): Any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Any) => p.Properties.Roles.some((r: Any) => r.Ref === roleId))
    .flatMap((p: Any) => p.Properties.PolicyDocument.Statement);
}

describe.each(WORKLOADS)('GIVEN a $name whose Staging has post-deploy tests, variables and secrets', (workload) => {
  const stack = newStack();
  const pipeline = workload.create(stack, stagingConfig(stack));
  const template = Template.fromStack(stack);
  const staging = stageOf(template, 'Staging');
  const testAction = staging.Actions.find((a: Any) => a.Name === 'PostDeployTests');
  const { id: projectId, resource: project } = testProjectOf(template, 'Staging');

  test('THEN the tests run in CodeBuild after every deploy action of the stage, with the source as primary and the build output as secondary input', () => {
    expect(testAction.ActionTypeId).toEqual({ Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' });
    const others = staging.Actions.filter((a: Any) => a !== testAction).map((a: Any) => a.RunOrder);
    expect(Math.max(...others)).toBe(workload.lastDeployRunOrder);
    expect(testAction.RunOrder).toBe(workload.lastDeployRunOrder + 1);
    expect(testAction.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'Build' }]);
    expect(testAction.Configuration.PrimarySource).toBe('Source');
    expect(testAction.Configuration.ProjectName).toEqual({ Ref: projectId });
    expect(testAction.OutputArtifacts ?? []).toEqual([]);
    expect(JSON.parse(flatten(testAction.Configuration.EnvironmentVariables))).toEqual([
      { name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source_Source_NS.CommitId}' },
      { name: 'ENVIRONMENT_NAME', type: 'PLAINTEXT', value: 'Staging' },
    ]);
  });

  test('THEN a failure of the stage rolls it back; the environment without tests keeps its stage as it was', () => {
    expect(staging.OnFailure).toEqual({ Result: 'ROLLBACK' });
    const production = stageOf(template, 'Production');
    expect(production.OnFailure).toBeUndefined();
    expect(production.Actions.map((a: Any) => a.Name)).not.toContain('PostDeployTests');
    expect(pipeline.postDeployTestProject('Production')).toBeUndefined();
    expect(pipeline.postDeployTestProject('Staging')).toBeDefined();
  });

  test('THEN the project is hardened (standard image, SMALL, 20 minutes, pipeline key, unprivileged) and has the variables and secrets', () => {
    expect(project.Properties.Environment).toMatchObject({
      Image: 'aws/codebuild/standard:8.0',
      ComputeType: 'BUILD_GENERAL1_SMALL',
      PrivilegedMode: false,
    });
    expect(project.Properties.TimeoutInMinutes).toBe(20);
    expect(project.Properties.EncryptionKey).toBeDefined();
    const vars = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: Any) => [v.Name, v]));
    expect(vars.BASE_URL).toEqual({ Name: 'BASE_URL', Type: 'PLAINTEXT', Value: 'https://staging.acme.example' });
    expect(vars.SMOKE_TOKEN.Type).toBe('SECRETS_MANAGER');
    expect(vars.SMOKE_TOKEN.Value.Ref).toMatch(/^SmokeToken/);
    expect(vars.SHOP_API_KEY).toEqual({ Name: 'SHOP_API_KEY', Type: 'PARAMETER_STORE', Value: '/shop/staging/api-key' });
  });

  test('THEN the buildspec installs, runs the commands and reports into the environment\'s own report group', () => {
    const spec = JSON.parse(flatten(project.Properties.Source.BuildSpec));
    expect(spec.phases).toEqual({ install: { commands: ['npm ci'] }, build: { commands: ['npm run smoke'] } });
    const groups = Object.keys(template.findResources('AWS::CodeBuild::ReportGroup'));
    const group = groups.find((g) => /^PipelineStagingTestsReports/.test(g))!;
    expect(group).toBeDefined();
    expect(spec.reports).toEqual({ [`<${group}.Arn>`]: { 'files': ['**/*.xml'], 'base-directory': 'reports', 'file-format': 'JUNITXML' } });
    template.hasResource('AWS::CodeBuild::ReportGroup', { DeletionPolicy: 'Retain', Properties: { Type: 'TEST' } });
  });

  test('THEN the tests role may read exactly its secrets, write its report group and logs, and read the artifacts: nothing of the environment', () => {
    const roleId = project.Properties.ServiceRole['Fn::GetAtt'][0];
    const statements = statementsOfRole(template, roleId);
    const actionsOf = statements.flatMap((s: Any) => ([] as string[]).concat(s.Action));
    expect(actionsOf.filter((a: string) => !/^(logs|codebuild|s3|kms|secretsmanager|ssm):/.test(a))).toEqual([]);
    expect(actionsOf).not.toContain('s3:PutObject');
    for (const s of statements) {
      expect(([] as string[]).concat(s.Action).some((a: string) => a === '*' || a.endsWith(':*'))).toBe(false);
    }
    const secretReads = statements.filter((s: Any) => ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue'));
    // The grant (GetSecretValue, DescribeSecret) and aws-cdk-lib's own for a SECRETS_MANAGER variable: the one secret.
    expect(secretReads.length).toBeGreaterThan(0);
    expect(secretReads.map((r: Any) => flatten(r.Resource))).toEqual(secretReads.map(() => expect.stringMatching(/^<SmokeToken[0-9A-F]+>$/)));
    const ssmReads = statements.filter((s: Any) => ([] as string[]).concat(s.Action).includes('ssm:GetParameters'));
    expect(flatten(ssmReads[0].Resource)).toMatch(/:parameter\/shop\/staging\/api-key$/);
    const reportWrites = statements.filter((s: Any) => ([] as string[]).concat(s.Action).includes('codebuild:BatchPutTestCases'));
    expect(reportWrites.map((s: Any) => flatten(s.Resource))).toContainEqual(expect.stringMatching(/^<PipelineStagingTestsReports[0-9A-F]+\.Arn>$/));
    expect(statements.every((s: Any) => s.Sid === undefined || typeof s.Sid === 'string')).toBe(true);
  });
});

describe('GIVEN mechanisms with more deploy actions', () => {
  test('WHEN a CodeDeploy blue/green Production has tests THEN they run after the capture (2) and the CodeDeploy action (3), after the approval', () => {
    const stack = newStack();
    const service = fargateService(stack, 'BgService', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
    const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
    const blueTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const greenTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
    lb.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
    service.attachToApplicationTargetGroup(blueTargetGroup);
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingSvc')) },
        {
          name: 'Production',
          deployment: EcsDeployment.blueGreen({ service, listener, blueTargetGroup, greenTargetGroup }),
          postDeployTests: { commands: ['npm run smoke'] },
        },
      ],
    });
    const production = stageOf(Template.fromStack(stack), 'Production');
    expect(production.Actions.map((a: Any) => [a.Name, a.RunOrder])).toEqual([
      ['Approve', 1], ['CaptureTaskDefinition', 2], ['Deploy', 3], ['PostDeployTests', 4],
    ]);
    expect(production.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('WHEN a Lambda deployment with traffic hooks has tests THEN they run after the post-traffic hook', () => {
    const stack = newStack();
    const hook = new lambda.Function(stack, 'Hook', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{
        name: 'Staging',
        deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn'), { hooks: { preTraffic: hook } }),
        postDeployTests: { commands: ['npm run smoke'] },
      }],
    });
    const staging = stageOf(Template.fromStack(stack), 'Staging');
    const runOrders = staging.Actions.map((a: Any) => a.RunOrder);
    const testAction = staging.Actions.find((a: Any) => a.Name === 'PostDeployTests');
    expect(testAction.RunOrder).toBe(Math.max(...runOrders));
    expect(runOrders.filter((r: number) => r === testAction.RunOrder)).toHaveLength(1);
    expect(staging.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });
});

describe('GIVEN the CodeBuild settings of the tests', () => {
  test('WHEN the pipeline has codeBuildDefaults THEN the tests project uses them; its own settings come first', () => {
    const stack = newStack();
    new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      codeBuildDefaults: { computeType: codebuild.ComputeType.MEDIUM, timeout: Duration.minutes(30) },
      environments: [
        { name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')), postDeployTests: { commands: ['npm run smoke'] } },
        {
          name: 'Production',
          deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'ProductionFn')),
          postDeployTests: { commands: ['npm run e2e'], computeType: codebuild.ComputeType.LARGE, timeout: Duration.hours(1), runtimeVersions: { nodejs: '22' } },
        },
      ],
    });
    const template = Template.fromStack(stack);
    const staging = testProjectOf(template, 'Staging').resource.Properties;
    const production = testProjectOf(template, 'Production').resource.Properties;
    expect([staging.Environment.ComputeType, staging.TimeoutInMinutes]).toEqual(['BUILD_GENERAL1_MEDIUM', 30]);
    expect([production.Environment.ComputeType, production.TimeoutInMinutes]).toEqual(['BUILD_GENERAL1_LARGE', 60]);
    expect(JSON.parse(flatten(production.Source.BuildSpec)).phases.install).toEqual({ 'runtime-versions': { nodejs: '22' } });
    expect(JSON.parse(flatten(staging.Source.BuildSpec)).reports).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::CodeBuild::ReportGroup'))).toEqual([]);
  });

  test('WHEN a Production with an approval has tests THEN approval 1, deploy 2, tests 3', () => {
    const stack = newStack();
    new StaticSitePipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'StagingSite')) },
        { name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'ProductionSite')), postDeployTests: { commands: ['npm run smoke'] } },
      ],
    });
    const production = stageOf(Template.fromStack(stack), 'Production');
    expect(production.Actions.map((a: Any) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['Deploy', 2], ['PostDeployTests', 3]]);
  });
});

describe('GIVEN an environment in another account', () => {
  test('WHEN its Lambda function is in 222222222222 THEN the tests project, its role and its report group are in the pipeline\'s account', () => {
    const app = new App();
    const tools = new Stack(app, 'Tools', { env: { account: '111111111111', region: 'us-east-1' } });
    const stagingStack = new Stack(app, 'Staging', { env: { account: '222222222222', region: 'eu-west-1' } });
    const fn = new lambda.Function(stagingStack, 'Fn', {
      functionName: 'shop-staging',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => "placeholder";'),
    });
    const alias = new lambda.Alias(stagingStack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    const pipeline = new LambdaPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{
        name: 'Staging',
        deployment: LambdaDeployment.allAtOnce(alias),
        postDeployTests: { commands: ['npm run smoke'], testReportDirectory: 'reports' },
        environmentVariables: { FUNCTION_NAME: 'shop-staging' },
      }],
    });
    const toolsTemplate = Template.fromStack(tools);
    const { resource } = testProjectOf(toolsTemplate, 'Staging');
    expect(resource.Properties.Environment.EnvironmentVariables).toEqual([{ Name: 'FUNCTION_NAME', Type: 'PLAINTEXT', Value: 'shop-staging' }]);
    toolsTemplate.resourceCountIs('AWS::CodeBuild::ReportGroup', 1);
    const stage = stageOf(toolsTemplate, 'Staging');
    const testAction = stage.Actions.find((a: Any) => a.Name === 'PostDeployTests');
    expect(testAction.Region).toBeUndefined();
    // The action role aws-cdk-lib gives every action of a pipeline with cross-account keys: in the tools stack.
    expect(Object.keys(toolsTemplate.findResources('AWS::IAM::Role'))).toContain(testAction.RoleArn['Fn::GetAtt'][0]);
    expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(stage.Actions.find((a: Any) => a.Name === 'Deploy').Region).toBe('eu-west-1');
    // Nothing of the tests in the environment's account.
    const stagingTemplate = Template.fromStack(stagingStack);
    expect(Object.keys(stagingTemplate.findResources('AWS::CodeBuild::Project'))).toEqual([]);
    expect(Object.keys(stagingTemplate.findResources('AWS::CodeBuild::ReportGroup'))).toEqual([]);
    expect(Stack.of(pipeline.postDeployTestProject('Staging')!)).toBe(tools);
  });
});

describe('GIVEN the configuration rules', () => {
  test('WHEN variables are given but no tests THEN the pipeline warns that nothing reads them', () => {
    const stack = newStack();
    new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')), environmentVariables: { BASE_URL: 'https://x.example' } }],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('EnvironmentConfigurationUnused'));
    const template = Template.fromStack(stack);
    expect(stageOf(template, 'Staging').OnFailure).toBeUndefined();
  });

  test('WHEN postDeployTestProject() names no environment THEN the library says which exist', () => {
    const stack = newStack();
    const pipeline = WORKLOADS[1].create(stack, {});
    expect(() => pipeline.postDeployTestProject('Prod')).toThrow(/postDeployTestProject\(\) environmentName.*got "Prod".*pass one of "Staging", "Production"/);
  });
});

/** A subclass that tests Staging with its own action, and no environment else. */
class OwnTestsPipeline extends LambdaPipeline {
  public runOrders: Record<string, number> = {};
  public misorder = false;

  protected createTestAction(environment: EnvironmentOptions, runOrder: number): codepipeline.IAction | undefined {
    this.runOrders[environment.name] = runOrder;
    if (environment.name !== 'Staging') {
      return undefined;
    }
    const project = new codebuild.PipelineProject(this, 'OwnTests', { environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 } });
    return new actions.CodeBuildAction({ actionName: 'OwnTests', project, input: this.sourceOutput, runOrder: this.misorder ? 1 : runOrder });
  }
}

describe('GIVEN a subclass that overrides createTestAction', () => {
  const environments = (stack: Stack) => [
    { name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')) },
    { name: 'Production', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'ProductionFn')), postDeployTests: { commands: ['npm run smoke'] } },
  ];

  test('THEN its action runs after the deploy with the stage rolled back on failure, and undefined means no tests (and no rollback)', () => {
    const stack = newStack();
    const pipeline = new OwnTestsPipeline(stack, 'Pipeline', { source: githubSource(), environments: environments(stack) });
    const template = Template.fromStack(stack);
    expect(pipeline.runOrders).toEqual({ Staging: 3, Production: 3 });
    const staging = stageOf(template, 'Staging');
    expect(staging.Actions.map((a: Any) => [a.Name, a.RunOrder])).toEqual([['Deploy', 2], ['OwnTests', 3]]);
    expect(staging.OnFailure).toEqual({ Result: 'ROLLBACK' });
    const production = stageOf(template, 'Production');
    expect(production.Actions.map((a: Any) => a.Name)).toEqual(['Approve', 'Deploy']);
    expect(production.OnFailure).toBeUndefined();
    expect(pipeline.postDeployTestProject('Production')).toBeUndefined();
  });

  test('WHEN it returns an action that would run with the deploy THEN the library says so, naming the hook', () => {
    const stack = newStack();
    const pipeline = new OwnTestsPipeline(stack, 'Pipeline', { source: githubSource(), environments: environments(stack) });
    pipeline.misorder = true;
    expect(() => pipeline.pipeline).toThrow(/createTestAction\(\).*run order 1 for "Staging", which does not run after its deploy actions \(run order 2\).*runOrder the hook is given \(3\)/);
  });
});

/** A user's direct subclass of the spine: it cannot call the library's internal validateEnvironments. */
class DirectPipeline extends DeliveryPipeline {
  constructor(scope: Stack, id: string, private readonly environments: EnvironmentOptions[]) {
    super(scope, id, { source: githubSource() });
  }

  protected addStages(): void {
    this.addBuildStage();
    for (const env of this.environments) {
      this.addEnvironmentStage(env, [new actions.ManualApprovalAction({ actionName: 'Deploy', runOrder: 2 })]);
    }
  }
}

describe('GIVEN a direct subclass of DeliveryPipeline', () => {
  test('WHEN its environment has post-deploy tests THEN the spine validates and adds them', () => {
    const stack = newStack();
    new DirectPipeline(stack, 'Pipeline', [{ name: 'Staging', postDeployTests: { commands: ['npm run smoke'] } }]);
    const staging = stageOf(Template.fromStack(stack), 'Staging');
    expect(staging.Actions.map((a: Any) => [a.Name, a.RunOrder])).toEqual([['Deploy', 2], ['PostDeployTests', 3]]);
    expect(staging.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('WHEN its configuration is bad THEN the library says so under the environment\'s prop', () => {
    const stack = newStack();
    const pipeline = new DirectPipeline(stack, 'Pipeline', [{ name: 'Staging', postDeployTests: { commands: [] } }]);
    expect(() => pipeline.pipeline).toThrow(/environments\[0\]\.postDeployTests\.commands/);
  });
});
