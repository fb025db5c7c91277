/**
 * The TypeScript reference of the consumer programs in python/app.py and
 * java/src/main/java/.../ConsumerApp.java: the SAME construct ids and props, built from
 * '../../src'. compare.ts synthesizes it in-process and compares the templates the Python
 * and Java programs wrote with it.
 *
 * Every construct of the library joins the consumer programs. The stacks:
 *
 * - ConsumerEcsPipeline: an EcsContainerPipeline as it ships;
 * - ConsumerEcsPipelineOverride: the same, with a subclass that overrides `renderBuildSpec()`;
 * - ConsumerLambdaPipeline: two functions with a `live` alias each and a LambdaPipeline
 *   (Staging all at once → approval → Production canary);
 * - ConsumerLambdaPipelineOverride: the same, with a subclass that overrides
 *   `createDeployAction()` (Staging through `super`, Production with its own action name),
 *   `createTestAction()` (Staging's post-deploy tests through `super`, Production a test action
 *   of its own) and extends the generated buildspec through `renderBuildSpecObject()` (one more
 *   post-build command, the library's steps kept);
 * - ConsumerStaticSitePipeline: two StaticSiteHosting sites and a StaticSitePipeline
 *   (Staging → approval → Production, with a post-deploy check on production);
 * - ConsumerCrossAccountStaging (222222222222, us-east-1), ConsumerCrossAccountProduction
 *   (333333333333, eu-west-1) and ConsumerCrossAccountTools (the pipeline's account): a
 *   LambdaPipeline in the tools stack deploying to functions of the two other accounts (action
 *   roles and alarms in their stacks, artifact grants across the account, a replication bucket in
 *   eu-west-1).
 *
 * Keep the three programs in step: any change to an id or a prop here must be made in the
 * Python and Java programs too, or the comparison fails (which is the point).
 */
import { App, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  EcsContainerPipeline,
  EcsContainerPipelineProps,
  EcsDeployment,
  EnvironmentOptions,
  LambdaDeployAction,
  LambdaDeployment,
  LambdaEnvironment,
  LambdaPipeline,
  LambdaPipelineProps,
  PipelineSource,
  ServerDeployment,
  ServerLoadBalancer,
  ServerPipeline,
  StaticSiteHosting,
  StaticSitePipeline,
  StaticSiteTarget,
} from '../../src';

/** The languages whose consumer programs are compared with this reference. */
export type ConsumerLanguage = 'python' | 'java';

export const ENV = { account: '111111111111', region: 'us-east-1' };
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555';

/** The stack with the library's pipeline as it ships. */
export const BASE_STACK = 'ConsumerEcsPipeline';
/** The stack with the consumer's subclass that overrides `renderBuildSpec()`. */
export const OVERRIDE_STACK = 'ConsumerEcsPipelineOverride';
/** The stack with the library's LambdaPipeline as it ships. */
export const LAMBDA_STACK = 'ConsumerLambdaPipeline';
/** The stack with the consumer's LambdaPipeline subclass that overrides `createDeployAction()` and `renderBuildSpecObject()`. */
export const LAMBDA_OVERRIDE_STACK = 'ConsumerLambdaPipelineOverride';
/** The stack with two StaticSiteHosting sites and the StaticSitePipeline that ships to them. */
export const STATIC_SITE_STACK = 'ConsumerStaticSitePipeline';
/** The stacks of the cross-account layout: the pipeline's and the two workload accounts'. */
/** The server pipeline (each language deploys it through a subclass whose createDeployAction calls the library's). */
export const SERVER_STACK = 'ConsumerServerPipeline';
export const CROSS_ACCOUNT_STACKS = { tools: 'ConsumerCrossAccountTools', staging: 'ConsumerCrossAccountStaging', production: 'ConsumerCrossAccountProduction' };
export const STAGING_ENV = { account: '222222222222', region: 'us-east-1' };
export const PRODUCTION_ENV = { account: '333333333333', region: 'eu-west-1' };

/**
 * The command the subclass's buildspec runs. Each program names its own language, so a
 * template that has it proves the override written in that language ran.
 */
export function overrideMarker(language: ConsumerLanguage): string {
  return `echo overridden-in-${language}`;
}

/**
 * The name of the Production deploy action of the LambdaPipeline subclass. Each program names
 * its own language, so a template that has it proves the override written in that language ran.
 */
export function overrideDeployActionName(language: ConsumerLanguage): string {
  return `Deploy-overridden-in-${language}`;
}

/**
 * The name of the Production test action of the LambdaPipeline subclass (`createTestAction()`):
 * a manual approval at the run order the spine gives. Each program names its own language.
 */
export function overrideTestActionName(language: ConsumerLanguage): string {
  return `Tests-overridden-in-${language}`;
}

/**
 * The post-build command the LambdaPipeline subclass adds to the generated buildspec
 * (`renderBuildSpecObject()`). Each program names its own language.
 */
export function extendedBuildSpecCommand(language: ConsumerLanguage): string {
  return `echo extended-in-${language}`;
}

/**
 * A consumer's subclass: replaces the build with its own buildspec (running `marker`),
 * keeping the user's install commands, read through the protected `buildOptions`. The Python
 * and Java programs each define this class in their own language with their own marker; the
 * reference makes one class per marker. (The hook runs after construction, in `addStages()`,
 * so an override could read the subclass's own fields too.)
 */
function markedBuildSpecPipeline(marker: string): typeof EcsContainerPipeline {
  return class MarkedBuildSpecPipeline extends EcsContainerPipeline {
    protected renderBuildSpec(): codebuild.BuildSpec {
      return codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: this.buildOptions.installCommands ?? [] },
          build: {
            commands: [
              marker,
              'printf \'[{"name":"web","imageUri":"%s"}]\' "$REPOSITORY_URI:$SOURCE_REVISION" > imagedefinitions.json',
            ],
          },
        },
        artifacts: { files: ['imagedefinitions.json'] },
      });
    }
  };
}

/** The user's side of the stack: a VPC, a cluster, and one Fargate service per environment. */
function webService(stack: Stack, name: string, cluster: ecs.ICluster): ecs.FargateService {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    essential: true,
    portMappings: [{ containerPort: 80 }],
  });
  return new ecs.FargateService(stack, `${name}Service`, {
    cluster,
    taskDefinition,
    desiredCount: 1,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    assignPublicIp: true,
    circuitBreaker: { enable: true, rollback: true },
  });
}

/** Build one stack; `marker` set means the subclass with the overridden buildspec. */
function pipelineStack(app: App, id: string, marker?: string): Stack {
  const stack = new Stack(app, id, { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const staging = webService(stack, 'Staging', cluster);
  const production = webService(stack, 'Production', cluster);

  const props: EcsContainerPipelineProps = {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      environmentVariables: { NODE_ENV: 'production' },
      timeout: Duration.minutes(30),
    },
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
      {
        name: 'Production',
        deployment: EcsDeployment.rolling(production, { deploymentTimeout: Duration.minutes(30) }),
        approval: { emails: ['ops@acme.example'], timeout: Duration.hours(24) },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  };
  const pipelineClass = marker === undefined ? EcsContainerPipeline : markedBuildSpecPipeline(marker);
  new pipelineClass(stack, 'Pipeline', props);
  return stack;
}

/**
 * A consumer's LambdaPipeline subclass: Staging keeps the library's deploy action (through
 * `super`, from the subclass's language), Production gets a LambdaDeployAction of its own named
 * `actionName`, reading the public `buildOutput`; the generated buildspec (from `super`) gets
 * `postBuildCommand` as its last post-build command. The Python and Java programs each define
 * this class in their own language with their own name; the reference makes one per name.
 */
function markedDeployActionPipeline(actionName: string, postBuildCommand: string, testActionName: string): typeof LambdaPipeline {
  return class MarkedDeployActionPipeline extends LambdaPipeline {
    protected createTestAction(environment: EnvironmentOptions, runOrder: number): codepipeline.IAction | undefined {
      if (environment.name !== 'Production') {
        return super.createTestAction(environment, runOrder);
      }
      return new actions.ManualApprovalAction({ actionName: testActionName, runOrder });
    }

    protected renderBuildSpecObject(): { [key: string]: any } {
      const spec = super.renderBuildSpecObject();
      spec.phases.post_build ??= { commands: [] };
      spec.phases.post_build.commands.push(postBuildCommand);
      return spec;
    }

    protected createDeployAction(environment: LambdaEnvironment): codepipeline.IAction {
      if (environment.name !== 'Production') {
        return super.createDeployAction(environment);
      }
      return new LambdaDeployAction({
        actionName,
        input: this.buildOutput,
        deployment: environment.deployment,
        runOrder: 2,
      });
    }
  };
}

/**
 * One environment's function and its `live` alias on the current version. The inline code is
 * a placeholder: the pipeline deploys the real code.
 */
function liveAlias(stack: Stack, name: string, named = false): lambda.Alias {
  const fn = new lambda.Function(stack, `${name}Function`, {
    // A pipeline in another account names the function: generated when needed.
    functionName: named ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    description: `Orders API (${name.toLowerCase()}); code deployed by the delivery pipeline`,
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 503, body: "not deployed yet" });'),
    memorySize: 256,
    timeout: Duration.seconds(10),
  });
  return new lambda.Alias(stack, `${name}Live`, { aliasName: 'live', version: fn.currentVersion });
}

/**
 * Build one Lambda stack; `language` set means the subclass with that language's deploy action
 * and post-build command.
 */
function lambdaPipelineStack(app: App, id: string, language?: ConsumerLanguage): Stack {
  const stack = new Stack(app, id, { env: ENV });
  const staging = liveAlias(stack, 'Staging');
  const production = liveAlias(stack, 'Production');

  const props: LambdaPipelineProps = {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'orders-api', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules "$OUTPUT_DIRECTORY/"'],
    },
    outputDirectory: 'build/package',
    environments: [
      // Post-deploy tests: the library's (Staging, through super in the subclass), the subclass's own (Production).
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(staging), postDeployTests: { commands: ['npm run smoke'] } },
      {
        name: 'Production',
        deployment: LambdaDeployment.canary(production, { percentage: 10, interval: Duration.minutes(5) }),
        approval: { emails: ['ops@acme.example'], comment: 'Staging is green: release the orders API to production?' },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  };
  const pipelineClass = language === undefined ? LambdaPipeline
    : markedDeployActionPipeline(overrideDeployActionName(language), extendedBuildSpecCommand(language), overrideTestActionName(language));
  new pipelineClass(stack, 'Pipeline', props);
  return stack;
}

/** Build the static site stack: two hosted sites and the pipeline that ships to them. */
function staticSitePipelineStack(app: App, id: string): Stack {
  const stack = new Stack(app, id, { env: ENV });
  const staging = new StaticSiteHosting(stack, 'StagingSite');
  const production = new StaticSiteHosting(stack, 'ProductionSite', { singlePageApp: true });

  new StaticSitePipeline(stack, 'Pipeline', {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'web', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build'],
    },
    outputDirectory: 'build/site',
    // Every project of the pipeline (build and deploy steps) on MEDIUM, with a year of logs.
    codeBuildDefaults: { computeType: codebuild.ComputeType.MEDIUM, logRetention: logs.RetentionDays.ONE_YEAR },
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(staging) },
      {
        name: 'Production',
        target: StaticSiteTarget.fromHosting(production),
        approval: { emails: ['ops@acme.example'], reviewUrl: staging.url },
        // `url` is a token string (https:// and the distribution's domain name): the programs
        // append to it in their own language and it must resolve the same.
        postDeployCheck: { urls: [`${production.url}/`, `${production.url}/settings`], attempts: 5 },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
  return stack;
}

/** The cross-account layout: functions in two other accounts, the pipeline in the tools stack. */
function crossAccountStacks(app: App): void {
  const staging = new Stack(app, CROSS_ACCOUNT_STACKS.staging, { env: STAGING_ENV });
  const production = new Stack(app, CROSS_ACCOUNT_STACKS.production, { env: PRODUCTION_ENV });
  const tools = new Stack(app, CROSS_ACCOUNT_STACKS.tools, { env: ENV });
  new LambdaPipeline(tools, 'Pipeline', {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'orders-api', branch: 'main' }),
    outputDirectory: 'build/package',
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(liveAlias(staging, 'Staging', true)) },
      { name: 'Production', deployment: LambdaDeployment.canary(liveAlias(production, 'Production', true), { percentage: 10, interval: Duration.minutes(5) }) },
    ],
  });
}

/**
 * Two Auto Scaling groups, production behind an ALB target group, and the ServerPipeline that
 * deploys them (Staging all at once, approval, Production one at a time with the load balancer).
 * The programs deploy it through a subclass whose createDeployAction only calls the library's:
 * the template is the library's, and each program checks that its override ran for both.
 */
function serverPipelineStack(app: App, id: string): Stack {
  const stack = new Stack(app, id, { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
  });
  const servers = (name: string) => new autoscaling.AutoScalingGroup(stack, `${name}Servers`, {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });
  const staging = servers('Staging');
  const production = servers('Production');
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'LoadBalancer', { vpc, internetFacing: true });
  const targets = lb.addListener('Http', { port: 80 }).addTargets('Production', { port: 80, targets: [production] });
  new ServerPipeline(stack, 'Pipeline', {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'orders-service', branch: 'main' }),
    buildOptions: { installCommands: ['npm ci'], commands: ['npm run build', 'cp -r scripts dist/'] },
    appSpec: {
      files: [{ source: '/', destination: '/opt/orders' }],
      hooks: {
        applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.minutes(2) }],
        validateService: [{ location: 'scripts/validate.sh', timeout: Duration.minutes(5) }],
      },
    },
    environments: [
      { name: 'Staging', deployment: ServerDeployment.autoScalingGroup(staging, { deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE, installAgent: true }) },
      { name: 'Production', deployment: ServerDeployment.autoScalingGroup(production, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targets) }) },
    ],
  });
  return stack;
}

/** The reference app for one consumer language (only the override markers differ). */
export function buildReferenceApp(language: ConsumerLanguage, outdir?: string): App {
  const app = new App({ outdir });
  pipelineStack(app, BASE_STACK);
  pipelineStack(app, OVERRIDE_STACK, overrideMarker(language));
  lambdaPipelineStack(app, LAMBDA_STACK);
  lambdaPipelineStack(app, LAMBDA_OVERRIDE_STACK, language);
  staticSitePipelineStack(app, STATIC_SITE_STACK);
  serverPipelineStack(app, SERVER_STACK);
  crossAccountStacks(app);
  return app;
}

if (require.main === module) {
  const [language = 'python', outdir] = process.argv.slice(2);
  const assembly = buildReferenceApp(language as ConsumerLanguage, outdir).synth();
  console.log(`reference (${language}) synthesized to ${assembly.directory}`);
}
