/**
 * Gate: bad input fails at synth time with the library's own error — never a TypeError, never a
 * silently wrong pipeline. Each row is one misconfiguration, written as a TypeScript, JavaScript
 * or Python/Java (jsii) caller could make it (`undefined as any`, `null as any`, wrong types). The
 * error must be a DeliveryPipelineError (DeliveryPipelineErrors.isDeliveryPipelineError), name the
 * construct path and the prop, show the bad value where there is one, and say how to fix it.
 *
 * Spine rows (source, build, approvals, notifications, environments, artifact store) run against
 * every workload construct in WORKLOADS; construct rows against their construct.
 *
 * EXTENSION POINT (a new pipeline construct): add the construct to WORKLOADS (so every spine row runs
 * against it) and its own rows to CONSTRUCT_CASES. The last test fails for a pipeline construct
 * exported from src/ that has fewer than MIN_CASES_PER_CONSTRUCT rows of its own.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as lib from '../../src';
import {
  ArtifactStore, BuildSecret, DeliveryPipeline, DeliveryPipelineErrors, DeliveryPipelineProps, EcsContainerPipeline,
  EcsContainerPipelineProps, EcsDeployment, EnvironmentOptions, LambdaDeployment, LambdaPipeline, LambdaPipelineProps, PipelineSource,
  ServerDeployment, ServerLoadBalancer, ServerPipeline, ServerPipelineProps,
  StaticSiteHosting, StaticSitePipeline, StaticSitePipelineProps, StaticSiteTarget,
} from '../../src';
import { CONNECTION_ARN, fargateService, githubSource } from '../helpers';
import { lambdaAlias } from '../lambda/support';
import { APP_SPEC, webServers, webTargetGroup } from '../server/support';

/** Anything a caller in another language could pass. */
type Any = any;

/** A metric alarm for the bake rows (a new one per call). */
function bakeAlarm(stack: Stack): cloudwatch.IAlarm {
  return new cloudwatch.Alarm(stack, `BakeAlarm${serial++}`, { metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
}

/** A workload construct, as the spine rows see it: a valid pipeline plus the rows' overrides. */
interface Workload {
  readonly name: string;
  /** A valid environment of this workload named `name`, with extra environment options. */
  environment(stack: Stack, name: string, extra?: Partial<EnvironmentOptions>): Any;
  /** Build the pipeline: a valid one with one environment, overridden by `props`. */
  build(stack: Stack, props: Partial<DeliveryPipelineProps> & { environments?: Any }): DeliveryPipeline;
}

let serial = 0;

const WORKLOADS: Workload[] = [
  {
    name: 'EcsContainerPipeline',
    environment: (stack, name, extra = {}) => ({ name, deployment: EcsDeployment.rolling(fargateService(stack, `${name}Svc${serial++}`)), ...extra }),
    build(stack, props) {
      return new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [this.environment(stack, 'Staging')],
        ...props,
      } as EcsContainerPipelineProps);
    },
  },
  {
    name: 'LambdaPipeline',
    environment: (stack, name, extra = {}) => ({ name, deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, `${name}Fn${serial++}`)), ...extra }),
    build(stack, props) {
      return new LambdaPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [this.environment(stack, 'Staging')],
        ...props,
      } as LambdaPipelineProps);
    },
  },
  {
    name: 'StaticSitePipeline',
    environment: (stack, name, extra = {}) => ({ name, target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, `${name}Site${serial++}`)), ...extra }),
    build(stack, props) {
      return new StaticSitePipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [this.environment(stack, 'Staging')],
        ...props,
      } as StaticSitePipelineProps);
    },
  },
  {
    name: 'ServerPipeline',
    environment: (stack, name, extra = {}) => ({ name, deployment: ServerDeployment.autoScalingGroup(webServers(stack, `${name}Servers${serial++}`)), ...extra }),
    build(stack, props) {
      return new ServerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        appSpec: APP_SPEC,
        environments: [this.environment(stack, 'Staging')],
        ...props,
      } as ServerPipelineProps);
    },
  },
];

/** One misconfiguration. */
interface BadInput {
  /** What is wrong. */
  readonly name: string;
  /** The prop the error names (as it appears in the message). */
  readonly prop: string;
  /** The bad value as the message shows it; omitted when the value is missing. */
  readonly value?: string;
}

interface SpineCase extends BadInput {
  readonly props: (w: Workload, stack: Stack) => Any;
}

interface ConstructCase extends BadInput {
  readonly construct: string;
  readonly build: (stack: Stack) => unknown;
}

const source = (options: Any) => PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', ...options });
const build = (options: Any) => ({ buildOptions: options });

const SPINE_CASES: SpineCase[] = [
  // --- props and source
  { name: 'props undefined', prop: 'props', props: () => undefined },
  { name: 'props null', prop: 'props', props: () => null },
  { name: 'source missing', prop: 'source', props: () => ({ source: undefined }) },
  { name: 'source null', prop: 'source', props: () => ({ source: null }) },
  { name: 'source a plain object', prop: 'source', value: '[object Object]', props: () => ({ source: { connectionArn: CONNECTION_ARN } }) },
  { name: 'source a URL string', prop: 'source', value: '"https://github.com/acme/shop"', props: () => ({ source: 'https://github.com/acme/shop' }) },
  { name: 'connection options undefined', prop: 'source', props: () => ({ source: PipelineSource.connection(undefined as Any) }) },
  { name: 'connectionArn not an ARN', prop: 'source.connectionArn', value: '"not-an-arn"', props: () => ({ source: source({ connectionArn: 'not-an-arn' }) }) },
  { name: 'connectionArn of another service', prop: 'source.connectionArn', value: 'arn:aws:s3:::bucket', props: () => ({ source: source({ connectionArn: 'arn:aws:s3:::bucket' }) }) },
  { name: 'connectionArn missing', prop: 'source.connectionArn', props: () => ({ source: source({ connectionArn: undefined }) }) },
  { name: 'connectionArn a number', prop: 'source.connectionArn', value: '42', props: () => ({ source: source({ connectionArn: 42 }) }) },
  { name: 'owner missing', prop: 'source.owner', props: () => ({ source: source({ owner: undefined }) }) },
  { name: 'repo null', prop: 'source.repo', props: () => ({ source: source({ repo: null }) }) },
  { name: 'branch empty', prop: 'source.branch', value: '""', props: () => ({ source: source({ branch: '' }) }) },
  { name: 'branch with ..', prop: 'source.branch', value: '"feature..x"', props: () => ({ source: source({ branch: 'feature..x' }) }) },
  { name: 'branch with a space', prop: 'source.branch', value: '"my branch"', props: () => ({ source: source({ branch: 'my branch' }) }) },
  { name: 'branch ending in .lock', prop: 'source.branch', value: '"main.lock"', props: () => ({ source: source({ branch: 'main.lock' }) }) },
  { name: 'branch a number', prop: 'source.branch', value: '7', props: () => ({ source: source({ branch: 7 }) }) },
  { name: 'repo with its owner', prop: 'source.repo', value: '"acme/shop"', props: () => ({ source: source({ repo: 'acme/shop' }) }) },
  { name: 'branch a full ref', prop: 'source.branch', value: '"refs/heads/main"', props: () => ({ source: source({ branch: 'refs/heads/main' }) }) },
  { name: 'filePaths with an empty pattern', prop: 'source.filePaths[0]', value: '""', props: () => ({ source: source({ filePaths: [''] }) }) },
  { name: 'filePaths a string, not a list', prop: 'source.filePaths', value: '"src/**"', props: () => ({ source: source({ filePaths: 'src/**' }) }) },
  { name: 'tags with a number', prop: 'source.tags[0]', value: '1', props: () => ({ source: source({ tags: [1] }) }) },
  { name: 'CodeCommit repository undefined', prop: 'source.repository', props: () => ({ source: PipelineSource.codeCommit(undefined as Any) }) },
  {
    name: 'CodeCommit branch with ~',
    prop: 'source.branch',
    value: '"main~1"',
    props: (_w, stack) => ({ source: PipelineSource.codeCommit(codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop'), 'main~1') }),
  },
  { name: 'S3 bucket undefined', prop: 'source.bucket', props: () => ({ source: PipelineSource.s3(undefined as Any, 'app.zip') }) },
  {
    name: 'S3 key missing',
    prop: 'source.key',
    props: (_w, stack) => ({ source: PipelineSource.s3(new s3.Bucket(stack, 'Src', { versioned: true }), undefined as Any) }),
  },
  {
    name: 'S3 key absolute',
    prop: 'source.key',
    value: '"/src/app.zip"',
    props: (_w, stack) => ({ source: PipelineSource.s3(new s3.Bucket(stack, 'Src', { versioned: true }), '/src/app.zip') }),
  },
  {
    name: 'S3 bucket unversioned',
    prop: 'source.bucket',
    value: 'TestStack/Src',
    props: (_w, stack) => ({ source: PipelineSource.s3(new s3.Bucket(stack, 'Src'), 'app.zip') }),
  },
  // --- pipeline settings
  { name: 'pipelineName with spaces', prop: 'pipelineName', value: '"my pipeline"', props: () => ({ pipelineName: 'my pipeline' }) },
  { name: 'pipelineName too long', prop: 'pipelineName', value: 'x'.repeat(101), props: () => ({ pipelineName: 'x'.repeat(101) }) },
  { name: 'pipelineName a number', prop: 'pipelineName', value: '12', props: () => ({ pipelineName: 12 }) },
  { name: 'executionMode unknown', prop: 'executionMode', value: '"FASTEST"', props: () => ({ executionMode: 'FASTEST' }) },
  { name: 'artifactStore not a store', prop: 'artifactStore', props: () => ({ artifactStore: { bucketName: 'my-artifacts' } }) },
  {
    name: 'artifactStore in another region',
    prop: 'artifactStore.bucket',
    value: 'eu-west-1',
    props: (_w, stack) => ({ artifactStore: new ArtifactStore(new Stack(stack.node.root as App, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Store') }),
  },
  // --- notifications
  { name: 'notification e-mail not an address', prop: 'notifications.emails[0]', value: '"ops"', props: () => ({ notifications: { emails: ['ops'] } }) },
  { name: 'notification e-mails a string, not a list', prop: 'notifications.emails', value: '"ops@acme.example"', props: () => ({ notifications: { emails: 'ops@acme.example' } }) },
  { name: 'notification topic an ARN string', prop: 'notifications.topic', value: '"arn:aws:sns:us-east-1:111111111111:ops"', props: () => ({ notifications: { topic: 'arn:aws:sns:us-east-1:111111111111:ops' } }) },
  { name: 'chat channel a plain object', prop: 'notifications.chatChannels[0]', value: '[object Object]', props: () => ({ notifications: { chatChannels: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }] } }) },
  { name: 'Slack channel given by name', prop: 'notifications.chatChannels[0].channelId', value: '"#ops"', props: () => ({ notifications: { chatChannels: [lib.ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: '#ops' })] } }) },
  { name: 'notifyOnSuccess a string', prop: 'notifications.notifyOnSuccess', value: '"yes"', props: () => ({ notifications: { emails: ['ops@acme.example'], notifyOnSuccess: 'yes' } }) },
  // --- build options
  { name: 'buildOptions a string', prop: 'buildOptions', value: '"npm test"', props: () => build('npm test') },
  { name: 'installCommands a string, not a list', prop: 'buildOptions.installCommands', value: '"npm ci"', props: () => build({ installCommands: 'npm ci' }) },
  { name: 'testCommands with an empty command', prop: 'buildOptions.testCommands[1]', value: '"  "', props: () => build({ testCommands: ['npm test', '  '] }) },
  { name: 'commands with a number', prop: 'buildOptions.commands[0]', value: '42', props: () => build({ commands: [42] }) },
  { name: 'postBuildCommands with null', prop: 'buildOptions.postBuildCommands[0]', value: 'null', props: () => build({ postBuildCommands: [null] }) },
  // aws-cdk-lib rejects Lambda compute with its own error (no timeout, no cache): the library's comes first (first-run audit, finding 9).
  { name: 'computeType Lambda compute', prop: 'buildOptions.computeType', value: '"BUILD_LAMBDA_1GB"', props: () => build({ computeType: codebuild.ComputeType.LAMBDA_1GB }) },
  { name: 'buildImage a Lambda image', prop: 'buildOptions.buildImage', value: 'LINUX_LAMBDA_CONTAINER', props: () => build({ buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }) },
  { name: 'buildImage an ARM Lambda image', prop: 'buildOptions.buildImage', value: 'ARM_LAMBDA_CONTAINER', props: () => build({ buildImage: codebuild.LinuxArmLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }) },
  { name: 'build timeout under 5 minutes', prop: 'buildOptions.timeout', value: '2 minutes', props: () => build({ timeout: Duration.minutes(2) }) },
  { name: 'build timeout over 8 hours', prop: 'buildOptions.timeout', value: '9 hours', props: () => build({ timeout: Duration.hours(9) }) },
  { name: 'build timeout a number of minutes', prop: 'buildOptions.timeout', value: '30', props: () => build({ timeout: 30 }) },
  { name: 'build timeout not whole minutes', prop: 'buildOptions.timeout', value: '10 minutes 5 seconds', props: () => build({ timeout: Duration.seconds(605) }) },
  { name: 'plaintext variable that looks like a secret', prop: 'buildOptions.environmentVariables.NPM_TOKEN', props: () => build({ environmentVariables: { NPM_TOKEN: 'abc' } }) },
  { name: 'plaintext variable not a string', prop: 'buildOptions.environmentVariables.PORT', value: '8080', props: () => build({ environmentVariables: { PORT: 8080 } }) },
  { name: 'variable the pipeline sets itself', prop: 'buildOptions.environmentVariables.SOURCE_REVISION', props: () => build({ environmentVariables: { SOURCE_REVISION: 'x' } }) },
  { name: 'environmentVariables a string, not a map', prop: 'buildOptions.environmentVariables', value: '"STAGE=prod"', props: () => build({ environmentVariables: 'STAGE=prod' }) },
  { name: 'secret given as plaintext', prop: 'buildOptions.secrets.DB_PASSWORD', value: '"hunter2"', props: () => build({ secrets: { DB_PASSWORD: 'hunter2' } }) },
  { name: 'secret without a secret', prop: 'buildOptions.secrets.DB_PASSWORD', props: () => build({ secrets: { DB_PASSWORD: BuildSecret.fromSecretsManager(undefined as Any) } }) },
  {
    name: 'variable given twice (plaintext and secret)',
    prop: 'buildOptions.environmentVariables.STAGE',
    props: (_w, stack) => build({ environmentVariables: { STAGE: 'prod' }, secrets: { STAGE: BuildSecret.fromSecretsManager(new secretsmanager.Secret(stack, 'S')) } }),
  },
  { name: 'testReportDirectory absolute', prop: 'buildOptions.testReportDirectory', value: '"/tmp/reports"', props: () => build({ testReportDirectory: '/tmp/reports' }) },
  { name: 'testReportDirectory outside the source', prop: 'buildOptions.testReportDirectory', value: '"../reports"', props: () => build({ testReportDirectory: '../reports' }) },
  { name: 'repositoryBuildSpec outside the source', prop: 'buildOptions.repositoryBuildSpec', value: '"../../buildspec.yml"', props: () => build({ repositoryBuildSpec: '../../buildspec.yml' }) },
  { name: 'cachePaths a string, not a list', prop: 'buildOptions.cachePaths', value: '"node_modules/**/*"', props: () => build({ cachePaths: 'node_modules/**/*' }) },
  { name: 'cachePaths with an empty path', prop: 'buildOptions.cachePaths[0]', value: '""', props: () => build({ cachePaths: [''] }) },
  { name: 'runtimeVersions a string, not a map', prop: 'buildOptions.runtimeVersions', value: '"nodejs20"', props: () => build({ runtimeVersions: 'nodejs20' }) },
  { name: 'runtime version a number', prop: 'buildOptions.runtimeVersions.nodejs', value: '20', props: () => build({ runtimeVersions: { nodejs: 20 } }) },
  { name: 'logRetention not a retention', prop: 'buildOptions.logRetention', value: '13', props: () => build({ logRetention: 13 }) },
  { name: 'computeType unknown', prop: 'buildOptions.computeType', value: '"HUGE"', props: () => build({ computeType: 'HUGE' }) },
  { name: 'buildImage a string', prop: 'buildOptions.buildImage', value: '"aws/codebuild/standard:7.0"', props: () => build({ buildImage: 'aws/codebuild/standard:7.0' }) },
  // --- codeBuildDefaults (every project of the pipeline)
  { name: 'codeBuildDefaults a string', prop: 'codeBuildDefaults', value: '"MEDIUM"', props: () => ({ codeBuildDefaults: 'MEDIUM' }) },
  { name: 'codeBuildDefaults Lambda compute', prop: 'codeBuildDefaults.computeType', value: '"BUILD_LAMBDA_1GB"', props: () => ({ codeBuildDefaults: { computeType: 'BUILD_LAMBDA_1GB' } }) },
  { name: 'codeBuildDefaults timeout too long', prop: 'codeBuildDefaults.timeout', value: '9 hours', props: () => ({ codeBuildDefaults: { timeout: Duration.hours(9) } }) },
  { name: 'codeBuildDefaults logRetention not a retention', prop: 'codeBuildDefaults.logRetention', value: '13', props: () => ({ codeBuildDefaults: { logRetention: 13 } }) },
  // --- environments and approvals
  { name: 'environments missing', prop: 'environments', props: () => ({ environments: undefined }) },
  { name: 'environments empty', prop: 'environments', value: '[]', props: () => ({ environments: [] }) },
  { name: 'environments not a list', prop: 'environments', props: () => ({ environments: 'Staging' }) },
  { name: 'environment null', prop: 'environments[1]', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), null] }) },
  { name: 'environment without a name', prop: 'environments[0].name', props: (w, stack) => ({ environments: [w.environment(stack, undefined as Any)] }) },
  { name: 'environment name with spaces', prop: 'environments[0].name', value: '"Prod EU"', props: (w, stack) => ({ environments: [w.environment(stack, 'Prod EU')] }) },
  { name: 'environment named like a pipeline stage', prop: 'environments[0].name', value: '"Build"', props: (w, stack) => ({ environments: [w.environment(stack, 'Build')] }) },
  {
    name: 'two environments with one name',
    prop: 'environments[].name',
    value: '"Staging"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Staging')] }),
  },
  { name: 'requireApproval a string', prop: 'environments[0].requireApproval', value: '"no"', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { requireApproval: 'no' as Any })] }) },
  // --- bake time (issue 15)
  { name: 'bake a string', prop: 'environments[0].bake', value: '"10 minutes"', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: '10 minutes' as Any })] }) },
  { name: 'bake without duration', prop: 'environments[0].bake.duration', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { alarms: [bakeAlarm(stack)] } as Any })] }) },
  { name: 'bake duration a number', prop: 'environments[0].bake.duration', value: '10', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: 10 as Any, alarms: [bakeAlarm(stack)] } })] }) },
  { name: 'bake duration in seconds', prop: 'environments[0].bake.duration', value: '30 seconds', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.seconds(30), alarms: [bakeAlarm(stack)] } })] }) },
  { name: 'bake alarms not a list', prop: 'environments[0].bake.alarms', value: '"errors"', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.minutes(10), alarms: 'errors' as Any } })] }) },
  { name: 'bake alarms empty', prop: 'environments[0].bake.alarms', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.minutes(10), alarms: [] } })] }) },
  {
    name: 'bake with six alarms',
    prop: 'environments[0].bake.alarms',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.minutes(10), alarms: [1, 2, 3, 4, 5, 6].map(() => bakeAlarm(stack)) } })] }),
  },
  { name: 'bake alarm a name', prop: 'environments[0].bake.alarms[0]', value: '"shop-errors"', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.minutes(10), alarms: ['shop-errors' as Any] } })] }) },
  { name: 'bake rollback a string', prop: 'environments[0].bake.rollback', value: '"no"', props: (w, stack) => ({ environments: [w.environment(stack, 'Staging', { bake: { duration: Duration.minutes(10), alarms: [bakeAlarm(stack)], rollback: 'no' as Any } })] }) },
  {
    name: 'approval timeout over 7 days',
    prop: 'environments[1].approval.timeout',
    value: '8 days',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { timeout: Duration.days(8) } })] }),
  },
  {
    name: 'approval timeout a number',
    prop: 'environments[1].approval.timeout',
    value: '60',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { timeout: 60 as Any } })] }),
  },
  {
    name: 'approval timeout under 5 minutes',
    prop: 'environments[1].approval.timeout',
    value: '2 minutes',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { timeout: Duration.minutes(2) } })] }),
  },
  {
    name: 'approval e-mail not an address',
    prop: 'environments[1].approval.emails[0]',
    value: '"ops at acme"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { emails: ['ops at acme'] } })] }),
  },
  {
    name: 'approval e-mails a string, not a list',
    prop: 'environments[1].approval.emails',
    value: '"ops@acme.example"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { emails: 'ops@acme.example' as Any } })] }),
  },
  {
    name: 'approval reviewUrl not http(s)',
    prop: 'environments[1].approval.reviewUrl',
    value: '"ftp://staging.acme.example"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { reviewUrl: 'ftp://staging.acme.example' } })] }),
  },
  {
    name: 'approvers a role ARN string, not a list of principals',
    prop: 'environments[1].approval.approvers',
    value: '"arn:aws:iam::111111111111:role/ops"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { approvers: 'arn:aws:iam::111111111111:role/ops' as Any } })] }),
  },
  {
    name: 'approver not a principal',
    prop: 'environments[1].approval.approvers[0]',
    value: '"ops"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { approvers: ['ops' as Any] } })] }),
  },
  {
    name: 'approval topic an ARN string',
    prop: 'environments[1].approval.topic',
    value: '"arn:aws:sns:us-east-1:111111111111:ops"',
    props: (w, stack) => ({ environments: [w.environment(stack, 'Staging'), w.environment(stack, 'Production', { approval: { topic: 'arn:aws:sns:us-east-1:111111111111:ops' as Any } })] }),
  },
  // --- post-deploy tests and environment configuration (issue 15)
  ...postDeployTestCases(),
];

/** Rows for an environment's postDeployTests, variables and secrets. */
function postDeployTestCases(): SpineCase[] {
  const env = (extra: Any) => (w: Workload, stack: Stack) => ({ environments: [w.environment(stack, 'Staging', extra)] });
  const tests = (options: Any) => env({ postDeployTests: options });
  const smoke = { commands: ['npm run smoke'] };
  return [
    { name: 'postDeployTests a string', prop: 'environments[0].postDeployTests', value: '"npm run smoke"', props: tests('npm run smoke') },
    { name: 'postDeployTests without commands', prop: 'environments[0].postDeployTests.commands', props: tests({}) },
    { name: 'postDeployTests with no commands', prop: 'environments[0].postDeployTests.commands', props: tests({ commands: [] }) },
    { name: 'postDeployTests commands a string', prop: 'environments[0].postDeployTests.commands', value: '"npm run smoke"', props: tests({ commands: 'npm run smoke' }) },
    { name: 'postDeployTests with an empty command', prop: 'environments[0].postDeployTests.commands[1]', value: '""', props: tests({ commands: ['npm run smoke', ''] }) },
    { name: 'postDeployTests installCommands with a number', prop: 'environments[0].postDeployTests.installCommands[0]', value: '1', props: tests({ ...smoke, installCommands: [1] }) },
    { name: 'postDeployTests testReportDirectory absolute', prop: 'environments[0].postDeployTests.testReportDirectory', value: '"/reports"', props: tests({ ...smoke, testReportDirectory: '/reports' }) },
    { name: 'postDeployTests timeout under 5 minutes', prop: 'environments[0].postDeployTests.timeout', value: '1 minute', props: tests({ ...smoke, timeout: Duration.minutes(1) }) },
    { name: 'postDeployTests computeType Lambda compute', prop: 'environments[0].postDeployTests.computeType', value: '"BUILD_LAMBDA_1GB"', props: tests({ ...smoke, computeType: codebuild.ComputeType.LAMBDA_1GB }) },
    { name: 'postDeployTests runtimeVersions a list', prop: 'environments[0].postDeployTests.runtimeVersions', props: tests({ ...smoke, runtimeVersions: ['nodejs'] }) },
    { name: 'environment variable that looks like a secret', prop: 'environments[0].environmentVariables.API_TOKEN', props: env({ postDeployTests: smoke, environmentVariables: { API_TOKEN: 'abc' } }) },
    { name: 'environment variable not a string', prop: 'environments[0].environmentVariables.PORT', value: '8080', props: env({ postDeployTests: smoke, environmentVariables: { PORT: 8080 } }) },
    { name: 'environment variables a string', prop: 'environments[0].environmentVariables', value: '"BASE_URL=x"', props: env({ postDeployTests: smoke, environmentVariables: 'BASE_URL=x' }) },
    { name: 'environment variable the pipeline sets', prop: 'environments[0].environmentVariables.SOURCE_REVISION', props: env({ postDeployTests: smoke, environmentVariables: { SOURCE_REVISION: 'x' } }) },
    { name: 'environment variable ENVIRONMENT_NAME', prop: 'environments[0].environmentVariables.ENVIRONMENT_NAME', props: env({ postDeployTests: smoke, environmentVariables: { ENVIRONMENT_NAME: 'x' } }) },
    { name: 'environment variable with the CODEBUILD_ prefix', prop: 'environments[0].environmentVariables.CODEBUILD_X', props: env({ postDeployTests: smoke, environmentVariables: { CODEBUILD_X: 'x' } }) },
    { name: 'environment secrets a list', prop: 'environments[0].secrets', props: env({ postDeployTests: smoke, secrets: ['x'] }) },
    { name: 'environment secret given as plaintext', prop: 'environments[0].secrets.DB_PASSWORD', value: '"hunter2"', props: env({ postDeployTests: smoke, secrets: { DB_PASSWORD: 'hunter2' } }) },
    { name: 'environment secret without a secret', prop: 'environments[0].secrets.DB_PASSWORD', props: env({ postDeployTests: smoke, secrets: { DB_PASSWORD: BuildSecret.fromSecretsManager(undefined as Any) } }) },
    {
      name: 'environment variable also a secret',
      prop: 'environments[0].environmentVariables.STAGE',
      props: (w, stack) => env({ postDeployTests: smoke, environmentVariables: { STAGE: 'x' }, secrets: { STAGE: BuildSecret.fromSecretsManager(new secretsmanager.Secret(stack, 'S')) } })(w, stack),
    },
  ];
}

/** GIVEN a CODE_DEPLOY service behind an ALB with blue and green target groups. */
function blueGreen(stack: Stack, options: Any = {}) {
  const service = fargateService(stack, 'BgService', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blueTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const greenTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  return EcsDeployment.blueGreen({ service, listener, blueTargetGroup, greenTargetGroup, ...options });
}

function ecs1(stack: Stack, props: Any): EcsContainerPipeline {
  return new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Svc')) }],
    ...props,
  });
}

function ecsDeploy(stack: Stack, deployment: Any): EcsContainerPipeline {
  return new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment }] });
}

function lambda1(stack: Stack, deployment: Any, props: Any = {}): LambdaPipeline {
  return new LambdaPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment }], ...props });
}

const traffic = { percentage: 10, interval: Duration.minutes(5) };

function site1(stack: Stack, target: Any, props: Any = {}, environment: Any = {}): StaticSitePipeline {
  return new StaticSitePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', target, ...environment }], ...props });
}

const hosted = (stack: Stack) => StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'Site'));

function server1(stack: Stack, deployment: Any, props: Any = {}): ServerPipeline {
  return new ServerPipeline(stack, 'Pipeline', { source: githubSource(), appSpec: APP_SPEC, environments: [{ name: 'Staging', deployment }], ...props });
}

const CONSTRUCT_CASES: ConstructCase[] = [
  // --- EcsContainerPipeline
  { construct: 'EcsContainerPipeline', name: 'deployment missing', prop: 'environments[0].deployment', value: 'undefined', build: (s) => ecsDeploy(s, undefined) },
  { construct: 'EcsContainerPipeline', name: 'deployment a plain object', prop: 'environments[0].deployment', value: '[object Object]', build: (s) => ecsDeploy(s, { service: fargateService(s, 'Svc') }) },
  { construct: 'EcsContainerPipeline', name: 'deployment from LambdaDeployment', prop: 'environments[0].deployment', build: (s) => ecsDeploy(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn'))) },
  { construct: 'EcsContainerPipeline', name: 'rolling without a service', prop: 'environments[0].deployment.service', build: (s) => ecsDeploy(s, EcsDeployment.rolling(undefined as Any)) },
  {
    construct: 'EcsContainerPipeline',
    name: 'bake without alarms for a rolling deployment (no rollback alarms to watch)',
    prop: 'environments[0].bake.alarms',
    build: (s) => new EcsContainerPipeline(s, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(s, 'Svc')), bake: { duration: Duration.minutes(10) } }],
    }),
  },
  { construct: 'EcsContainerPipeline', name: 'rolling options null', prop: 'environments[0].deployment.service', build: (s) => ecsDeploy(s, EcsDeployment.rolling(undefined as Any, null as Any)) },
  {
    construct: 'EcsContainerPipeline',
    name: 'rolling deployment timeout over 60 minutes',
    prop: 'environments[0].deployment.deploymentTimeout',
    value: '1 hour 30 minutes',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(s, 'Svc'), { deploymentTimeout: Duration.minutes(90) })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'rolling deployment timeout not whole minutes',
    prop: 'environments[0].deployment.deploymentTimeout',
    value: '2 minutes 30 seconds',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(s, 'Svc'), { deploymentTimeout: Duration.seconds(150) })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'rolling on a CODE_DEPLOY service',
    prop: 'environments[0].deployment.service',
    value: '"CODE_DEPLOY"',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(s, 'Svc', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY }))),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'containerName not in the task definition',
    prop: 'environments[0].deployment.containerName',
    value: '"api"',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(s, 'Svc'), { containerName: 'api' })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'two essential containers and no containerName',
    prop: 'environments[0].deployment.containerName',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(s, 'Svc', { containers: [{ name: 'web' }, { name: 'sidecar' }] }))),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'imported service without passRoles',
    prop: 'environments[0].deployment.passRoles',
    build: (s) => {
      const cluster = ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'shop', vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 0 }) });
      const service = ecs.FargateService.fromFargateServiceAttributes(s, 'Svc', { cluster, serviceName: 'web' });
      return ecsDeploy(s, EcsDeployment.rolling(service, { containerName: 'web' }));
    },
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'ecsBlueGreen on a rolling service',
    prop: 'environments[0].deployment.service',
    value: '"ROLLING"',
    build: (s) => ecsDeploy(s, EcsDeployment.ecsBlueGreen(fargateService(s, 'Svc'))),
  },
  { construct: 'EcsContainerPipeline', name: 'blueGreen options undefined', prop: 'environments[0].deployment', build: (s) => ecsDeploy(s, EcsDeployment.blueGreen(undefined as Any)) },
  { construct: 'EcsContainerPipeline', name: 'blueGreen without a listener', prop: 'environments[0].deployment.listener', build: (s) => ecsDeploy(s, blueGreen(s, { listener: undefined })) },
  {
    construct: 'EcsContainerPipeline',
    name: 'blueGreen with one target group twice',
    prop: 'environments[0].deployment.greenTargetGroup',
    value: 'TestStack/Blue',
    build: (s) => {
      const d = blueGreen(s);
      return ecsDeploy(s, EcsDeployment.blueGreen({ ...(d as Any).options, greenTargetGroup: (d as Any).options.blueTargetGroup }));
    },
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'blueGreen rollback window over 2 days',
    prop: 'environments[0].deployment.rollbackWindow',
    value: '3 days',
    build: (s) => ecsDeploy(s, blueGreen(s, { rollbackWindow: Duration.days(3) })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'blueGreen rollback window not whole minutes',
    prop: 'environments[0].deployment.rollbackWindow',
    value: '1 minute 30 seconds',
    build: (s) => ecsDeploy(s, blueGreen(s, { rollbackWindow: Duration.seconds(90) })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'blueGreen rollback window a number',
    prop: 'environments[0].deployment.rollbackWindow',
    value: '15',
    build: (s) => ecsDeploy(s, blueGreen(s, { rollbackWindow: 15 })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'blueGreen on an ECS-controller service',
    prop: 'environments[0].deployment.service',
    value: '"ECS"',
    build: (s) => ecsDeploy(s, blueGreen(s, { service: fargateService(s, 'Rolling') })),
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'the same service in two environments',
    prop: 'environments[1].deployment.service',
    value: 'TestStack/Svc',
    build: (s) => {
      const service = fargateService(s, 'Svc');
      return new EcsContainerPipeline(s, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }, { name: 'Production', deployment: EcsDeployment.rolling(service) }],
      });
    },
  },
  {
    construct: 'EcsContainerPipeline',
    name: 'a service in another account without a serviceName',
    prop: 'environments[0].deployment.service',
    value: '222222222222',
    build: (s) => ecsDeploy(s, EcsDeployment.rolling(fargateService(new Stack(s.node.root as App, 'Other', { env: { account: '222222222222', region: 'us-east-1' } }), 'Svc'))),
  },
  { construct: 'EcsContainerPipeline', name: 'maxImageCount 0', prop: 'repositoryOptions.maxImageCount', value: '0', build: (s) => ecs1(s, { repositoryOptions: { maxImageCount: 0 } }) },
  { construct: 'EcsContainerPipeline', name: 'maxImageCount 1001', prop: 'repositoryOptions.maxImageCount', value: '1001', build: (s) => ecs1(s, { repositoryOptions: { maxImageCount: 1001 } }) },
  { construct: 'EcsContainerPipeline', name: 'maxImageCount fractional', prop: 'repositoryOptions.maxImageCount', value: '2.5', build: (s) => ecs1(s, { repositoryOptions: { maxImageCount: 2.5 } }) },
  { construct: 'EcsContainerPipeline', name: 'maxImageCount a string', prop: 'repositoryOptions.maxImageCount', value: '"30"', build: (s) => ecs1(s, { repositoryOptions: { maxImageCount: '30' } }) },
  {
    construct: 'EcsContainerPipeline',
    name: 'untagged expiration in hours',
    prop: 'repositoryOptions.untaggedImageExpiration',
    value: '1 day 12 hours',
    build: (s) => ecs1(s, { repositoryOptions: { untaggedImageExpiration: Duration.hours(36) } }),
  },
  { construct: 'EcsContainerPipeline', name: 'repository an ARN string', prop: 'repository', value: '"arn:aws:ecr:us-east-1:111111111111:repository/shop"', build: (s) => ecs1(s, { repository: 'arn:aws:ecr:us-east-1:111111111111:repository/shop' }) },
  { construct: 'EcsContainerPipeline', name: 'dockerfile absolute', prop: 'imageBuild.dockerfile', value: '"/Dockerfile"', build: (s) => ecs1(s, { imageBuild: { dockerfile: '/Dockerfile' } }) },
  { construct: 'EcsContainerPipeline', name: 'build context outside the source', prop: 'imageBuild.context', value: '".."', build: (s) => ecs1(s, { imageBuild: { context: '..' } }) },
  { construct: 'EcsContainerPipeline', name: 'platform without an OS', prop: 'imageBuild.platform', value: '"amd64"', build: (s) => ecs1(s, { imageBuild: { platform: 'amd64' } }) },
  { construct: 'EcsContainerPipeline', name: 'arm64 image for X86_64 Fargate tasks', prop: 'imageBuild.platform', value: '"linux/arm64"', build: (s) => ecs1(s, { imageBuild: { platform: 'linux/arm64' } }) },
  {
    construct: 'EcsContainerPipeline',
    name: 'no platform for ARM64 tasks on the amd64 build host',
    prop: 'imageBuild.platform',
    value: 'ARM64',
    build: (s) => {
      fargateService(s, 'Svc');
      const taskDefinition = new ecs.FargateTaskDefinition(s, 'ArmTask', { runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64 } });
      taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
      const service = new ecs.FargateService(s, 'ArmSvc', { cluster: s.node.findChild('Cluster') as ecs.Cluster, taskDefinition });
      return ecsDeploy(s, EcsDeployment.rolling(service));
    },
  },
  { construct: 'EcsContainerPipeline', name: 'build argument that looks like a secret', prop: 'imageBuild.buildArgs.NPM_TOKEN', build: (s) => ecs1(s, { imageBuild: { buildArgs: { NPM_TOKEN: 'x' } } }) },
  { construct: 'EcsContainerPipeline', name: 'build argument with a bad name', prop: 'imageBuild.buildArgs.app-version', build: (s) => ecs1(s, { imageBuild: { buildArgs: { 'app-version': '1' } } }) },
  { construct: 'EcsContainerPipeline', name: 'build argument not a string', prop: 'imageBuild.buildArgs.VERSION', value: '2', build: (s) => ecs1(s, { imageBuild: { buildArgs: { VERSION: 2 } } }) },
  { construct: 'EcsContainerPipeline', name: 'vulnerability scan timeout under 5 minutes', prop: 'vulnerabilityGate.scanTimeout', value: '1 minute', build: (s) => ecs1(s, { vulnerabilityGate: { scanTimeout: Duration.minutes(1) } }) },
  { construct: 'EcsContainerPipeline', name: 'vulnerability scan timeout not whole minutes', prop: 'vulnerabilityGate.scanTimeout', value: '10 minutes 10 seconds', build: (s) => ecs1(s, { vulnerabilityGate: { scanTimeout: Duration.seconds(610) } }) },
  { construct: 'EcsContainerPipeline', name: 'vulnerability gate severity unknown', prop: 'vulnerabilityGate.failOn', value: '"SEVERE"', build: (s) => ecs1(s, { vulnerabilityGate: { failOn: 'SEVERE' } }) },
  // --- LambdaPipeline
  { construct: 'LambdaPipeline', name: 'deployment a plain object', prop: 'environments[0].deployment', value: '[object Object]', build: (s) => lambda1(s, { alias: lambdaAlias(s, 'Fn') }) },
  { construct: 'LambdaPipeline', name: 'deployment from EcsDeployment', prop: 'environments[0].deployment', build: (s) => lambda1(s, EcsDeployment.rolling(fargateService(s, 'Svc'))) },
  { construct: 'LambdaPipeline', name: 'alias undefined', prop: 'environments[0].deployment.alias', build: (s) => lambda1(s, LambdaDeployment.allAtOnce(undefined as Any)) },
  {
    construct: 'LambdaPipeline',
    name: 'a function in another account without a functionName',
    prop: 'environments[0].deployment.alias',
    value: '222222222222',
    build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(new Stack(s.node.root as App, 'Other', { env: { account: '222222222222', region: 'us-east-1' } }), 'Fn'))),
  },
  {
    construct: 'LambdaPipeline',
    name: 'a function in a stack without an account',
    prop: 'environments[0].deployment.alias',
    value: 'Agnostic',
    build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(new Stack(s.node.root as App, 'Agnostic'), 'Fn'))),
  },
  {
    construct: 'LambdaPipeline',
    name: 'alias a Function',
    prop: 'environments[0].deployment.alias',
    value: 'TestStack/Fn',
    build: (s) => lambda1(s, LambdaDeployment.allAtOnce((lambdaAlias(s, 'Fn').version as lambda.IVersion).lambda as Any)),
  },
  {
    construct: 'LambdaPipeline',
    name: 'alias on $LATEST',
    prop: 'environments[0].deployment.alias',
    value: '"$LATEST"',
    build: (s) => {
      const fn = (lambdaAlias(s, 'Fn').version as lambda.IVersion).lambda;
      return lambda1(s, LambdaDeployment.allAtOnce(new lambda.Alias(s, 'Latest', { aliasName: 'latest', version: fn.latestVersion })));
    },
  },
  {
    construct: 'LambdaPipeline',
    name: 'function in another region',
    prop: 'environments[0].deployment.alias',
    value: 'eu-west-1',
    build: (s) => {
      const fn = lambda.Function.fromFunctionArn(s, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:orders');
      return lambda1(s, LambdaDeployment.allAtOnce(new lambda.Alias(s, 'Live', { aliasName: 'live', version: lambda.Version.fromVersionArn(s, 'V', `${fn.functionArn}:1`) })));
    },
  },
  { construct: 'LambdaPipeline', name: 'canary options undefined', prop: 'environments[0].deployment.percentage', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), undefined as Any)) },
  { construct: 'LambdaPipeline', name: 'canary without an interval', prop: 'environments[0].deployment.interval', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { percentage: 10 } as Any)) },
  { construct: 'LambdaPipeline', name: 'canary 0 percent', prop: 'environments[0].deployment.percentage', value: '0', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { ...traffic, percentage: 0 })) },
  { construct: 'LambdaPipeline', name: 'canary 100 percent', prop: 'environments[0].deployment.percentage', value: '100', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { ...traffic, percentage: 100 })) },
  { construct: 'LambdaPipeline', name: 'linear 12.5 percent', prop: 'environments[0].deployment.percentage', value: '12.5', build: (s) => lambda1(s, LambdaDeployment.linear(lambdaAlias(s, 'Fn'), { ...traffic, percentage: 12.5 })) },
  { construct: 'LambdaPipeline', name: 'percentage a string', prop: 'environments[0].deployment.percentage', value: '"10"', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { ...traffic, percentage: '10' as Any })) },
  { construct: 'LambdaPipeline', name: 'interval of 30 seconds', prop: 'environments[0].deployment.interval', value: '30 seconds', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { ...traffic, interval: Duration.seconds(30) })) },
  { construct: 'LambdaPipeline', name: 'interval of 90 seconds', prop: 'environments[0].deployment.interval', value: '1 minute 30 seconds', build: (s) => lambda1(s, LambdaDeployment.linear(lambdaAlias(s, 'Fn'), { ...traffic, interval: Duration.seconds(90) })) },
  { construct: 'LambdaPipeline', name: 'interval a number', prop: 'environments[0].deployment.interval', value: '5', build: (s) => lambda1(s, LambdaDeployment.canary(lambdaAlias(s, 'Fn'), { ...traffic, interval: 5 as Any })) },
  {
    construct: 'LambdaPipeline',
    name: 'linear shift waiting over 2 days',
    prop: 'environments[0].deployment.interval',
    value: '60 minutes',
    build: (s) => lambda1(s, LambdaDeployment.linear(lambdaAlias(s, 'Fn'), { percentage: 1, interval: Duration.minutes(60) })),
  },
  { construct: 'LambdaPipeline', name: 'alarms not a list', prop: 'environments[0].deployment.alarms', build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn'), { alarms: 'errors' as Any })) },
  {
    construct: 'LambdaPipeline',
    name: 'more than 10 alarms',
    prop: 'environments[0].deployment.alarms',
    value: '11',
    build: (s) => {
      const alarms = Array.from({ length: 11 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(s, `A${i}`, `arn:aws:cloudwatch:us-east-1:111111111111:alarm:a${i}`));
      return lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn'), { alarms }));
    },
  },
  {
    construct: 'LambdaPipeline',
    name: 'two environments deploy one function',
    prop: 'environments[1].deployment.alias',
    build: (s) => {
      const alias = lambdaAlias(s, 'Fn');
      const second = new lambda.Alias(s, 'Other', { aliasName: 'other', version: alias.version });
      return new LambdaPipeline(s, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(alias) }, { name: 'Production', deployment: LambdaDeployment.allAtOnce(second) }],
      });
    },
  },
  { construct: 'LambdaPipeline', name: 'outputDirectory absolute', prop: 'outputDirectory', value: '"/opt/dist"', build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn')), { outputDirectory: '/opt/dist' }) },
  { construct: 'LambdaPipeline', name: 'outputDirectory outside the source', prop: 'outputDirectory', value: '"dist/../../x"', build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn')), { outputDirectory: 'dist/../../x' }) },
  { construct: 'LambdaPipeline', name: 'outputDirectory a number', prop: 'outputDirectory', value: '1', build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn')), { outputDirectory: 1 }) },
  {
    construct: 'LambdaPipeline',
    name: 'OUTPUT_DIRECTORY set by the user',
    prop: 'buildOptions.environmentVariables.OUTPUT_DIRECTORY',
    build: (s) => lambda1(s, LambdaDeployment.allAtOnce(lambdaAlias(s, 'Fn')), { buildOptions: { environmentVariables: { OUTPUT_DIRECTORY: 'out' } } }),
  },
  // --- ArtifactStore (shared by pipelines)
  { construct: 'ArtifactStore', name: 'non-current expiration under a day', prop: 'noncurrentVersionExpiration', value: '12 hours', build: (s) => new ArtifactStore(s, 'Store', { noncurrentVersionExpiration: Duration.hours(12) }) },
  { construct: 'ArtifactStore', name: 'non-current expiration not whole days', prop: 'noncurrentVersionExpiration', value: '1 day 12 hours', build: (s) => new ArtifactStore(s, 'Store', { noncurrentVersionExpiration: Duration.hours(36) }) },
  { construct: 'ArtifactStore', name: 'non-current expiration a number', prop: 'noncurrentVersionExpiration', value: '30', build: (s) => new ArtifactStore(s, 'Store', { noncurrentVersionExpiration: 30 as Any }) },
  { construct: 'ArtifactStore', name: 'non-current expiration over 10 years', prop: 'noncurrentVersionExpiration', value: '4000 days', build: (s) => new ArtifactStore(s, 'Store', { noncurrentVersionExpiration: Duration.days(4000) }) },
  { construct: 'ArtifactStore', name: 'accessLogsBucket a bucket name', prop: 'accessLogsBucket', value: '"my-logs"', build: (s) => new ArtifactStore(s, 'Store', { accessLogsBucket: 'my-logs' as Any }) },
  // --- StaticSitePipeline
  { construct: 'StaticSitePipeline', name: 'target missing', prop: 'environments[0].target', value: 'undefined', build: (s) => site1(s, undefined) },
  {
    construct: 'StaticSitePipeline',
    name: 'target a plain object',
    prop: 'environments[0].target',
    value: '[object Object]',
    build: (s) => site1(s, { bucket: new s3.Bucket(s, 'B') }),
  },
  { construct: 'StaticSitePipeline', name: 'target bucket undefined', prop: 'environments[0].target.bucket', build: (s) => site1(s, StaticSiteTarget.fromBucket(undefined as Any)) },
  {
    construct: 'StaticSitePipeline',
    name: 'distribution in another account than its bucket',
    prop: 'environments[0].target.distribution',
    value: '222222222222',
    build: (s) => {
      const cdn = new Stack(s.node.root as App, 'Cdn', { env: { account: '222222222222', region: 'us-east-1' } });
      const distribution = cloudfront.Distribution.fromDistributionAttributes(cdn, 'Cdn', { distributionId: 'E1', domainName: 'd1.cloudfront.net' });
      return site1(s, StaticSiteTarget.fromBucket(new s3.Bucket(s, 'Site'), { distribution }));
    },
  },
  { construct: 'StaticSitePipeline', name: 'target bucket a name', prop: 'environments[0].target.bucket', value: '"my-site"', build: (s) => site1(s, StaticSiteTarget.fromBucket('my-site' as Any)) },
  {
    construct: 'StaticSitePipeline',
    name: 'target distribution an id',
    prop: 'environments[0].target.distribution',
    value: '"E2EXAMPLE"',
    build: (s) => site1(s, StaticSiteTarget.fromBucket(new s3.Bucket(s, 'B'), { distribution: 'E2EXAMPLE' as Any })),
  },
  { construct: 'StaticSitePipeline', name: 'hosting undefined', prop: 'environments[0].target.bucket', build: (s) => site1(s, StaticSiteTarget.fromHosting(undefined as Any)) },
  {
    construct: 'StaticSitePipeline',
    name: 'bucket with website hosting',
    prop: 'environments[0].target.bucket',
    value: 'TestStack/Web',
    build: (s) => site1(s, StaticSiteTarget.fromBucket(new s3.Bucket(s, 'Web', { websiteIndexDocument: 'index.html' }))),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'bucket with public access blocks off',
    prop: 'environments[0].target.bucket',
    value: 'blockPublicPolicy is false',
    build: (s) => site1(s, StaticSiteTarget.fromBucket(new s3.Bucket(s, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS }))),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'two environments on one bucket',
    prop: 'environments[1].target.bucket',
    build: (s) => {
      const target = hosted(s);
      return new StaticSitePipeline(s, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', target }, { name: 'Production', target }] });
    },
  },
  { construct: 'StaticSitePipeline', name: 'outputDirectory outside the source', prop: 'outputDirectory', value: '"../site"', build: (s) => site1(s, hosted(s), { outputDirectory: '../site' }) },
  { construct: 'StaticSitePipeline', name: 'outputDirectory a number', prop: 'outputDirectory', value: '1', build: (s) => site1(s, hosted(s), { outputDirectory: 1 }) },
  {
    construct: 'StaticSitePipeline',
    name: 'OUTPUT_DIRECTORY set by the user',
    prop: 'buildOptions.environmentVariables.OUTPUT_DIRECTORY',
    build: (s) => site1(s, hosted(s), { buildOptions: { environmentVariables: { OUTPUT_DIRECTORY: 'out' } } }),
  },
  { construct: 'StaticSitePipeline', name: 'cacheControl a string', prop: 'cacheControl', value: '"no-cache"', build: (s) => site1(s, hosted(s), { cacheControl: 'no-cache' }) },
  {
    construct: 'StaticSitePipeline',
    name: 'Cache-Control with a non-numeric max-age',
    prop: 'cacheControl.html',
    value: '"max-age=one-day"',
    build: (s) => site1(s, hosted(s), { cacheControl: { html: 'max-age=one-day' } }),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'Cache-Control with an unknown directive',
    prop: 'cacheControl.otherFiles',
    value: '"maxage"',
    build: (s) => site1(s, hosted(s), { cacheControl: { otherFiles: 'public, maxage=60' } }),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'fingerprintedPaths absolute',
    prop: 'cacheControl.fingerprintedPaths[0]',
    value: '"/assets/*"',
    build: (s) => site1(s, hosted(s), { cacheControl: { fingerprintedPaths: ['/assets/*'] } }),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'check URL over http',
    prop: 'environments[0].postDeployCheck.urls[0]',
    value: '"http://staging.example.com/"',
    build: (s) => site1(s, hosted(s), {}, { postDeployCheck: { urls: ['http://staging.example.com/'] } }),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'check URLs a string',
    prop: 'environments[0].postDeployCheck.urls',
    value: '"https://staging.example.com/"',
    build: (s) => site1(s, hosted(s), {}, { postDeployCheck: { urls: 'https://staging.example.com/' } }),
  },
  {
    construct: 'StaticSitePipeline',
    name: 'check expecting status 700',
    prop: 'environments[0].postDeployCheck.expectedStatus',
    value: '700',
    build: (s) => site1(s, hosted(s), {}, { postDeployCheck: { urls: ['https://staging.example.com/'], expectedStatus: 700 } }),
  },
  // --- ServerPipeline
  { construct: 'ServerPipeline', name: 'deployment missing', prop: 'environments[0].deployment', value: 'undefined', build: (s) => server1(s, undefined) },
  { construct: 'ServerPipeline', name: 'Auto Scaling group a name', prop: 'environments[0].deployment.group', value: '"web-asg"', build: (s) => server1(s, ServerDeployment.autoScalingGroup('web-asg' as Any)) },
  { construct: 'ServerPipeline', name: 'instance tags a plain object', prop: 'environments[0].deployment.tags', value: '[object Object]', build: (s) => server1(s, ServerDeployment.ec2Instances({ app: ['orders'] } as Any)) },
  { construct: 'ServerPipeline', name: 'no appSpec and no repositoryAppSpec', prop: 'appSpec', build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web')), { appSpec: undefined }) },
  {
    construct: 'ServerPipeline',
    name: 'appSpec destination relative',
    prop: 'appSpec.files[0].destination',
    value: '"opt/app"',
    build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web')), { appSpec: { files: [{ source: '/', destination: 'opt/app' }] } }),
  },
  {
    construct: 'ServerPipeline',
    name: 'lifecycle script timeout over an hour',
    prop: 'appSpec.hooks.validateService[0].timeout',
    value: '2 hours',
    build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web')), { appSpec: { hooks: { validateService: [{ location: 'v.sh', timeout: Duration.hours(2) }] } } }),
  },
  {
    construct: 'ServerPipeline',
    name: 'lifecycle script runAs with a shell command',
    prop: 'appSpec.hooks.applicationStart[0].runAs',
    value: '"root; id"',
    build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web')), { appSpec: { hooks: { applicationStart: [{ location: 's.sh', runAs: 'root; id' }] } } }),
  },
  {
    construct: 'ServerPipeline',
    name: 'default alarms on a target group without a load balancer',
    prop: 'environments[0].deployment.loadBalancer',
    build: (s) => {
      const vpc = new ec2.Vpc(s, 'TgVpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
      const tg = new elbv2.ApplicationTargetGroup(s, 'Tg', { vpc, port: 80 });
      return server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web'), { loadBalancer: ServerLoadBalancer.applicationTargetGroup(tg) }));
    },
  },
  { construct: 'ServerPipeline', name: 'loadBalancer a target group', prop: 'environments[0].deployment.loadBalancer', build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web'), { loadBalancer: 'tg-arn' as Any })) },
  { construct: 'ServerPipeline', name: 'installAgent for on-premises servers', prop: 'environments[0].deployment.installAgent', build: (s) => server1(s, ServerDeployment.onPremisesInstances(new codedeploy.InstanceTagSet({ app: ['x'] }), { installAgent: true })) },
  {
    construct: 'ServerPipeline',
    name: 'two environments on one Auto Scaling group',
    prop: 'environments[1].deployment',
    build: (s) => {
      const group = webServers(s, 'Web');
      return new ServerPipeline(s, 'Pipeline', {
        source: githubSource(),
        appSpec: APP_SPEC,
        environments: [{ name: 'Staging', deployment: ServerDeployment.autoScalingGroup(group) }, { name: 'Production', deployment: ServerDeployment.autoScalingGroup(group) }],
      });
    },
  },
  { construct: 'ServerPipeline', name: 'REVISION set by the user', prop: 'buildOptions.environmentVariables.REVISION', build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web')), { buildOptions: { environmentVariables: { REVISION: 'x' } } }) },
  {
    construct: 'ServerPipeline',
    name: 'blue/green without a load balancer',
    prop: 'environments[0].deployment.loadBalancer',
    build: (s) => server1(s, ServerDeployment.blueGreen(webServers(s, 'Web'), {})),
  },
  {
    construct: 'ServerPipeline',
    name: 'blue/green of an imported group',
    prop: 'environments[0].deployment.group',
    value: 'TestStack/Imported',
    build: (s) => {
      const targetGroup = webTargetGroup(s, 'Tg', webServers(s, 'Web'));
      const imported = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(s, 'Imported', 'web');
      return server1(s, ServerDeployment.blueGreen(imported, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) }));
    },
  },
  {
    construct: 'ServerPipeline',
    name: 'classic load balancer missing',
    prop: 'environments[0].deployment.loadBalancer',
    value: 'undefined',
    build: (s) => server1(s, ServerDeployment.autoScalingGroup(webServers(s, 'Web'), { loadBalancer: ServerLoadBalancer.classic(undefined as Any) })),
  },
  // --- StaticSiteHosting
  { construct: 'StaticSiteHosting', name: 'domain names without a certificate', prop: 'certificate', build: (s) => new StaticSiteHosting(s, 'Site', { domainNames: ['www.example.com'] }) },
  {
    construct: 'StaticSiteHosting',
    name: 'certificate an ARN string',
    prop: 'certificate',
    value: '"arn:aws:acm:us-east-1:111111111111:certificate/abc"',
    build: (s) => new StaticSiteHosting(s, 'Site', { domainNames: ['www.example.com'], certificate: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' as Any }),
  },
  { construct: 'StaticSiteHosting', name: 'domain name with a scheme', prop: 'domainNames', value: '"https://www.example.com"', build: (s) => new StaticSiteHosting(s, 'Site', { domainNames: ['https://www.example.com'] }) },
  { construct: 'StaticSiteHosting', name: 'geoRestriction a country code', prop: 'geoRestriction', value: '"DE"', build: (s) => new StaticSiteHosting(s, 'Site', { geoRestriction: 'DE' as Any }) },
  { construct: 'StaticSiteHosting', name: 'webAclId a regional web ACL', prop: 'webAclId', value: 'regional', build: (s) => new StaticSiteHosting(s, 'Site', { webAclId: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/x/y' }) },
];

/** Fewer rows than this for an exported pipeline construct fails the gate. */
const MIN_CASES_PER_CONSTRUCT = 5;

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
}

/** Run `fn` in a new stack, synthesize what it built, and return what was thrown. */
function thrownBy(fn: (stack: Stack) => unknown): unknown {
  const stack = newStack();
  try {
    fn(stack);
    Template.fromStack(stack);
  } catch (err) {
    return err;
  }
  return undefined;
}

/** THEN: the library's error, naming the construct path, the prop, the value and the fix. */
function expectLibraryError(err: Any, c: BadInput): void {
  const seen = err === undefined ? 'nothing was thrown' : `${err?.name}: ${err?.message}`;
  expect({ libraryError: DeliveryPipelineErrors.isDeliveryPipelineError(err), seen }).toEqual({ libraryError: true, seen });
  const message: string = err.message;
  expect(message).toMatch(/^TestStack\/\S+: /);
  expect(message).toContain(c.prop);
  if (c.value !== undefined) {
    expect(message).toContain(c.value);
  }
  expect(message).toMatch(/\. Fix: \S/);
}

describe('bad input', () => {
  describe.each(WORKLOADS.map((w) => [w.name, w] as const))('GIVEN a %s', (_name, workload) => {
    test.each(SPINE_CASES.map((c) => [c.name, c] as const))('WHEN %s THEN the library says so', (_case, c) => {
      expectLibraryError(thrownBy((stack) => {
        const props = c.props(workload, stack);
        if (props === undefined || props === null) {
          // The construct itself, without the workload's valid defaults.
          const PipelineClass = (lib as Any)[workload.name];
          return new PipelineClass(stack, 'Pipeline', props);
        }
        return workload.build(stack, props);
      }), c);
    });
  });

  describe.each([...new Set(CONSTRUCT_CASES.map((c) => c.construct))])('GIVEN a %s', (construct) => {
    test.each(CONSTRUCT_CASES.filter((c) => c.construct === construct).map((c) => [c.name, c] as const))('WHEN %s THEN the library says so', (_case, c) => {
      expectLibraryError(thrownBy(c.build), c);
    });
  });

  test('THEN the table holds at least 50 distinct misconfigurations', () => {
    const names = [...SPINE_CASES.map((c) => `spine: ${c.name}`), ...CONSTRUCT_CASES.map((c) => `${c.construct}: ${c.name}`)];
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(50);
  });

  test('THEN every pipeline construct the library exports runs the spine rows and has rows of its own', () => {
    const exported = Object.entries(lib)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof DeliveryPipeline)
      .map(([name]) => name);
    for (const name of exported) {
      const own = CONSTRUCT_CASES.filter((c) => c.construct === name).length >= MIN_CASES_PER_CONSTRUCT;
      expect({ name, spine: WORKLOADS.some((w) => w.name === name), own })
        .toEqual({ name, spine: true, own: true });
    }
  });
});

// Referenced so a reader sees which enums the rows misuse (codepipeline.ExecutionMode, codebuild.ComputeType, logs.RetentionDays).
void [codepipeline.ExecutionMode, codebuild.ComputeType, logs.RetentionDays];
