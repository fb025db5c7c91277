/**
 * The coverage app: every construct of the library with every option that changes what it
 * grants switched on, so the authorization check (authorization.py) sees every IAM statement
 * the library can create, not only those the examples need.
 *
 *   - CoverageShared: one ArtifactStore (with its own access-log bucket) shared by every pipeline
 *     (the pipelines' stacks import it across stacks), a CodeCommit repository, an S3 source
 *     bucket, build secrets (Secrets Manager and SSM), approver principals, a notification topic.
 *   Post-deploy tests (with a report group, variables and both kinds of secret) on one environment
 *   of each construct, and on the CodeDeploy blue/green one.
 *   - CoverageEcs: EcsContainerPipeline with a codestar-connections source (the old ARN prefix),
 *     registry cache, vulnerability gate with SBOM, a rolling service, an ECS-native blue/green
 *     service, a CodeDeploy blue/green service with all three lifecycle hooks, alarms and
 *     an explicit deployment config, and an imported service; approvals with approvers and
 *     topics; notifications on success. A second one with the user's own ECR repository and
 *     CodeDeploy deployment group, the vulnerability gate's defaults, a codeconnections source.
 *   - CoverageLambda: LambdaPipeline from CodeCommit: all-at-once, canary with pre/post traffic
 *     hooks and alarms, linear.
 *   - CoverageSite: StaticSitePipeline from S3: a StaticSiteHosting with every option, a bucket
 *     target with a distribution, post-deploy checks, cache control.
 *   - CoverageServer: ServerPipeline: an Auto Scaling group behind an ALB (default and own alarms,
 *     minimum healthy hosts, the agent association), one behind an NLB, one behind a classic load
 *     balancer, tagged EC2 instances (instance roles, the agent by tag) and tagged on-premises
 *     instances, a blue/green Auto Scaling group from a launch template; CoverageServerProd: an Auto Scaling group in another account (its group, role,
 *     alarms and the instance role's cross-account read of the artifacts).
 *   - CoverageConnection, CoverageConnectionOldPrefix: a pipeline whose connection ARN is a token
 *     (a CfnParameter with a codeconnections, and a codestar-connections, default): the grant
 *     must cover both prefixes; and one with a literal codeconnections ARN.
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ArtifactStore,
  BuildSecret,
  ChatChannel,
  EcsContainerPipeline,
  EcsDeployment,
  LambdaDeployment,
  LambdaPipeline,
  PipelineSource,
  ScanSeverity,
  StaticSiteHosting,
  StaticSitePipeline,
  StaticSiteTarget,
  ServerDeployment,
  ServerLoadBalancer,
  ServerPipeline,
} from '../../src';

const ENV = { account: '111111111111', region: 'us-east-1' };
const AZS = ['us-east-1a', 'us-east-1b'];
/** A connection created before the CodeConnections rename keeps its old ARN prefix. */
const OLD_CONNECTION_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/aaaaaaaa-1111-2222-3333-444444444444';
/** A connection created since July 2024. */
const NEW_CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/bbbbbbbb-1111-2222-3333-444444444444';

/** Fixed zones: no lookup, no account needed (as examples/ecs-app.ts). */
class CoverageStack extends Stack {
  public get availabilityZones(): string[] {
    return AZS;
  }
}

/** What the pipelines share. */
interface Shared {
  readonly store: ArtifactStore;
  readonly repository: codecommit.Repository;
  readonly sourceBucket: s3.Bucket;
  readonly secret: secretsmanager.Secret;
  readonly parameter: ssm.StringParameter;
  readonly topic: sns.Topic;
}

function sharedStack(app: App): Shared {
  const stack = new CoverageStack(app, 'CoverageShared', { env: ENV });
  const accessLogs = new s3.Bucket(stack, 'StoreAccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const store = new ArtifactStore(stack, 'Store', {
    removalPolicy: RemovalPolicy.DESTROY,
    noncurrentVersionExpiration: Duration.days(10),
    accessLogsBucket: accessLogs,
  });
  return {
    store,
    repository: new codecommit.Repository(stack, 'Repository', { repositoryName: 'coverage-orders' }),
    sourceBucket: new s3.Bucket(stack, 'SourceBucket', {
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
    secret: new secretsmanager.Secret(stack, 'NpmToken'),
    parameter: new ssm.StringParameter(stack, 'SentryDsn', { stringValue: 'https://sentry.example/1' }),
    topic: new sns.Topic(stack, 'TeamTopic', { enforceSSL: true }),
  };
}

/** Build options with everything that grants something: secrets, test reports, caches. */
/** An environment's post-deploy tests with everything that changes what the tests project is granted. */
function postDeployTests(shared: Shared) {
  return {
    postDeployTests: {
      installCommands: ['npm ci'],
      commands: ['npm run smoke'],
      testReportDirectory: 'reports/smoke',
      timeout: Duration.minutes(15),
      computeType: codebuild.ComputeType.MEDIUM,
    },
    environmentVariables: { BASE_URL: 'https://staging.acme.example' },
    secrets: {
      SMOKE_TOKEN: BuildSecret.fromSecretsManager(shared.secret, 'smoke'),
      SMOKE_USER: BuildSecret.fromSsmParameter(shared.parameter),
    },
  };
}

function buildOptions(shared: Shared) {
  return {
    installCommands: ['npm ci'],
    testCommands: ['npm test'],
    commands: ['npm run build'],
    postBuildCommands: ['echo done'],
    environmentVariables: { NODE_ENV: 'production' },
    secrets: {
      NPM_TOKEN: BuildSecret.fromSecretsManager(shared.secret, 'token'),
      SENTRY_DSN: BuildSecret.fromSsmParameter(shared.parameter),
    },
    timeout: Duration.minutes(30),
    cachePaths: ['/root/.npm/**/*'],
    testReportDirectory: 'reports',
  };
}

/**
 * An approval with every option. Its approvers live in the pipeline's stack (a role, a user and
 * an imported role): an approver in another stack would reference the pipeline back.
 */
function approval(scope: Construct, reviewUrl: string) {
  const stack = Stack.of(scope);
  const approvers: iam.IGrantable[] = [
    new iam.Role(stack, 'ReleaseManager', { assumedBy: new iam.AccountRootPrincipal() }),
    new iam.User(stack, 'OnCall'),
    iam.Role.fromRoleName(stack, 'ImportedApprover', 'release-approvers'),
  ];
  return {
    emails: ['ops@acme.example'],
    reviewUrl,
    comment: 'Release?',
    timeout: Duration.days(2),
    approvers,
  };
}

function webService(
  scope: Construct, name: string, cluster: ecs.ICluster, controller: ecs.DeploymentControllerType, native = false, arm = false,
): ecs.FargateService {
  // ARM64 tasks run the linux/arm64 image the main ECS pipeline builds on an ARM build host.
  const taskDefinition = new ecs.FargateTaskDefinition(scope, `${name}Task`, arm
    ? { runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX } }
    : {});
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    essential: true,
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
  });
  taskDefinition.addContainer('sidecar', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'),
    essential: false,
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'sidecar' }),
  });
  return new ecs.FargateService(scope, `${name}Service`, {
    cluster,
    taskDefinition,
    deploymentController: { type: controller },
    circuitBreaker: controller === ecs.DeploymentControllerType.ECS && !native ? { enable: true, rollback: true } : undefined,
    deploymentStrategy: native ? ecs.DeploymentStrategy.BLUE_GREEN : undefined,
    deploymentAlarms: native ? { alarmNames: ['coverage-native-5xx'], behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } : undefined,
  });
}

function hook(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ status: "Succeeded" });'),
  });
}

function ecsStack(app: App, shared: Shared): void {
  const stack = new CoverageStack(app, 'CoverageEcs', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: AZS,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const rolling = webService(stack, 'Rolling', cluster, ecs.DeploymentControllerType.ECS, false, true);
  const nativeBlueGreen = webService(stack, 'Native', cluster, ecs.DeploymentControllerType.ECS, true, true);
  const codeDeployed = webService(stack, 'CodeDeployed', cluster, ecs.DeploymentControllerType.CODE_DEPLOY, false, true);
  const imported = ecs.FargateService.fromFargateServiceAttributes(stack, 'Imported', {
    serviceArn: 'arn:aws:ecs:us-east-1:111111111111:service/legacy-cluster/legacy-web',
    cluster: ecs.Cluster.fromClusterAttributes(stack, 'LegacyCluster', { clusterName: 'legacy-cluster', vpc }),
  });

  const lb = new elbv2.ApplicationLoadBalancer(stack, 'LoadBalancer', { vpc, internetFacing: true });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, {
    vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  const blue = targetGroup('Blue');
  const green = targetGroup('Green');
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
  const testListener = lb.addListener('TestHttp', { port: 8080, defaultTargetGroups: [green] });
  codeDeployed.attachToApplicationTargetGroup(blue);
  const extraAlarm = new cloudwatch.Alarm(stack, 'LatencyAlarm', {
    metric: blue.metrics.targetResponseTime(),
    threshold: 2,
    evaluationPeriods: 1,
  });
  const stagingAlarm = new cloudwatch.Alarm(stack, 'StagingUnhealthyAlarm', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: rolling.serviceName } }),
    threshold: 90,
    evaluationPeriods: 3,
  });
  const taskRole = new iam.Role(stack, 'ExtraTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });

  new EcsContainerPipeline(stack, 'Pipeline', {
    pipelineName: 'coverage-ecs',
    executionMode: codepipeline.ExecutionMode.SUPERSEDED,
    source: PipelineSource.connection({
      connectionArn: OLD_CONNECTION_ARN, owner: 'acme', repo: 'shop', branch: 'main', filePaths: ['src/**'], tags: ['v*'],
    }),
    artifactStore: shared.store,
    // An ARM build host: the linux/arm64 image is built natively, with no QEMU emulation.
    buildOptions: { ...buildOptions(shared), buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 },
    repositoryOptions: { maxImageCount: 20, untaggedImageExpiration: Duration.days(3), repositoryName: 'coverage/shop', removalPolicy: RemovalPolicy.DESTROY },
    imageBuild: { dockerfile: 'docker/Dockerfile', context: '.', buildArgs: { VERSION: '1' }, platform: 'linux/arm64', registryCache: true },
    vulnerabilityGate: { failOn: ScanSeverity.HIGH, keepSbom: true, scanTimeout: Duration.minutes(20) },
    environments: [
      {
        name: 'Staging',
        deployment: EcsDeployment.rolling(rolling, { containerName: 'web', deploymentTimeout: Duration.minutes(30), passRoles: [taskRole] }),
        // Bake time before the automatic promotion to Native: the pipeline role watches the alarm.
        bake: { duration: Duration.minutes(10), alarms: [stagingAlarm] },
        ...postDeployTests(shared),
      },
      {
        name: 'Native',
        deployment: EcsDeployment.ecsBlueGreen(nativeBlueGreen, { containerName: 'web' }),
        requireApproval: false,
      },
      {
        name: 'Legacy',
        deployment: EcsDeployment.rolling(imported, {
          containerName: 'web',
          passRoles: [iam.Role.fromRoleName(stack, 'LegacyExecutionRole', 'legacy-web-execution')],
        }),
        approval: { topic: shared.topic },
      },
      {
        name: 'Production',
        deployment: EcsDeployment.blueGreen({
          service: codeDeployed,
          listener,
          testListener,
          blueTargetGroup: blue,
          greenTargetGroup: green,
          deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
          alarms: [extraAlarm],
          defaultAlarms: true,
          rollbackWindow: Duration.minutes(30),
          containerName: 'web',
          containerPort: 80,
          hooks: {
            postTestTraffic: hook(stack, 'AfterAllowTestTraffic'),
            preTraffic: hook(stack, 'BeforeAllowTraffic'),
            postTraffic: hook(stack, 'AfterAllowTraffic'),
          },
          passRoles: [taskRole],
        }),
        approval: approval(stack, 'https://staging.acme.example'),
        // With the test listener: the tests run beside the CodeDeploy action, while production
        // traffic waits for them (DeploymentReadyOption), and release or stop the deployment.
        postDeployTests: { commands: ['npm run smoke'] },
      },
    ],
    notifications: {
      emails: ['team@acme.example'],
      notifyOnSuccess: true,
      chatChannels: [
        ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }),
        ChatChannel.microsoftTeams({ tenantId: '11111111-2222-3333-4444-555555555555', teamId: '66666666-7777-8888-9999-000000000000', channelId: '19:ops@thread.tacv2' }),
      ],
    },
  });

  // The user's own repository and CodeDeploy deployment group, a connection with the new prefix.
  const groupService = webService(stack, 'Grouped', cluster, ecs.DeploymentControllerType.CODE_DEPLOY);
  const application = codedeploy.EcsApplication.fromEcsApplicationName(stack, 'ExistingApplication', 'shop-deploy');
  new EcsContainerPipeline(stack, 'OwnResourcesPipeline', {
    source: PipelineSource.connection({ connectionArn: NEW_CONNECTION_ARN, owner: 'acme', repo: 'shop', branch: 'main' }),
    artifactStore: shared.store,
    repository: ecr.Repository.fromRepositoryName(stack, 'ExistingRepository', 'acme/shop'),
    vulnerabilityGate: {},
    environments: [{
      name: 'Production',
      deployment: EcsDeployment.blueGreen({
        service: groupService,
        deploymentGroup: codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'ExistingGroup', {
          application,
          deploymentGroupName: 'shop-production',
        }),
      }),
      // The group's own settings apply (its test listener is unknown): the tests run after the shift.
      postDeployTests: { commands: ['npm run smoke'] },
    }],
  });
}

function lambdaAlias(scope: Construct, id: string): lambda.Alias {
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "placeholder";'),
  });
  return new lambda.Alias(scope, `${id}Live`, { aliasName: 'live', version: fn.currentVersion });
}

function lambdaStack(app: App, shared: Shared): void {
  const stack = new CoverageStack(app, 'CoverageLambda', { env: ENV });
  const staging = lambdaAlias(stack, 'Staging');
  const canary = lambdaAlias(stack, 'Canary');
  const production = lambdaAlias(stack, 'Production');
  const errors = new cloudwatch.Alarm(stack, 'CanaryErrors', {
    metric: canary.metricErrors(),
    threshold: 1,
    evaluationPeriods: 1,
  });
  new LambdaPipeline(stack, 'Pipeline', {
    source: PipelineSource.codeCommit(shared.repository, 'release'),
    artifactStore: shared.store,
    buildOptions: buildOptions(shared),
    outputDirectory: 'dist',
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(staging, { defaultAlarms: true }) },
      {
        name: 'Canary',
        deployment: LambdaDeployment.canary(canary, {
          percentage: 10,
          interval: Duration.minutes(5),
          alarms: [errors],
          defaultAlarms: true,
          hooks: { preTraffic: hook(stack, 'PreTraffic'), postTraffic: hook(stack, 'PostTraffic') },
        }),
        approval: approval(stack, 'https://staging-api.acme.example'),
        ...postDeployTests(shared),
      },
      {
        name: 'Production',
        deployment: LambdaDeployment.linear(production, { percentage: 20, interval: Duration.minutes(2) }),
      },
    ],
    notifications: { topic: shared.topic, notifyOnSuccess: true },
  });
}

function siteStack(app: App, shared: Shared): void {
  const stack = new CoverageStack(app, 'CoverageSite', { env: ENV });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate',
    'arn:aws:acm:us-east-1:111111111111:certificate/cccccccc-1111-2222-3333-444444444444');
  const headers = new cloudfront.ResponseHeadersPolicy(stack, 'Headers', {
    securityHeadersBehavior: { contentTypeOptions: { override: true } },
  });
  const staging = new StaticSiteHosting(stack, 'StagingSite', {
    singlePageApp: true,
    domainNames: ['staging.acme.example'],
    certificate,
    responseHeadersPolicy: headers,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'US'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/coverage/dddddddd-1111-2222-3333-444444444444',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const production = new StaticSiteHosting(stack, 'ProductionSite', {});
  const siteErrors = new cloudwatch.Alarm(stack, 'StagingSiteErrors', {
    metric: new cloudwatch.Metric({ namespace: 'AWS/CloudFront', metricName: '5xxErrorRate', dimensionsMap: { DistributionId: staging.distribution.distributionId, Region: 'Global' } }),
    threshold: 5,
    evaluationPeriods: 1,
  });
  const bucket = new s3.Bucket(stack, 'DocsBucket', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new StaticSitePipeline(stack, 'Pipeline', {
    source: PipelineSource.s3(shared.sourceBucket, 'site/source.zip'),
    artifactStore: shared.store,
    buildOptions: buildOptions(shared),
    outputDirectory: 'dist',
    cacheControl: { html: 'no-cache', fingerprintedAssets: 'public, max-age=31536000, immutable', fingerprintedPaths: ['assets/**'], otherFiles: 'public, max-age=300' },
    environments: [
      {
        name: 'Staging',
        target: StaticSiteTarget.fromHosting(staging),
        postDeployCheck: { urls: ['https://staging.acme.example/'], expectedStatus: 200, attempts: 5 },
        // Bake time before the automatic promotion to Docs, failing (not rolling back) on an alarm.
        bake: { duration: Duration.minutes(5), alarms: [siteErrors], rollback: false },
        ...postDeployTests(shared),
      },
      { name: 'Docs', target: StaticSiteTarget.fromBucket(bucket), requireApproval: false },
      {
        name: 'Production',
        target: StaticSiteTarget.fromBucket(production.bucket, { distribution: production.distribution }),
        approval: approval(stack, 'https://staging.acme.example'),
        postDeployCheck: { urls: [`${production.url}/`] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
}

/**
 * A connection ARN known only at deploy time (a CfnParameter): the grant must hold for both
 * prefixes. The check resolves a parameter to its default, so a stack per default judges each.
 */
function connectionTokenStack(app: App, shared: Shared, id: string, defaultArn: string): Stack {
  const stack = new CoverageStack(app, id, { env: ENV } as StackProps);
  const connectionArn = new CfnParameter(stack, 'ConnectionArn', { type: 'String', default: defaultArn }).valueAsString;
  const site = new StaticSiteHosting(stack, 'Site', {});
  new StaticSitePipeline(stack, 'Pipeline', {
    source: PipelineSource.connection({ connectionArn, owner: 'acme', repo: 'web', branch: 'main' }),
    artifactStore: shared.store,
    environments: [{ name: 'Production', target: StaticSiteTarget.fromHosting(site) }],
  });
  return stack;
}

function connectionStacks(app: App, shared: Shared): void {
  const stack = connectionTokenStack(app, shared, 'CoverageConnection', NEW_CONNECTION_ARN);
  connectionTokenStack(app, shared, 'CoverageConnectionOldPrefix', OLD_CONNECTION_ARN);
  // And one with the new prefix as a literal.
  const literal = new StaticSiteHosting(stack, 'LiteralSite', {});
  new StaticSitePipeline(stack, 'LiteralPipeline', {
    source: PipelineSource.connection({ connectionArn: NEW_CONNECTION_ARN, owner: 'acme', repo: 'web', branch: 'main' }),
    artifactStore: shared.store,
    environments: [{ name: 'Production', target: StaticSiteTarget.fromHosting(literal) }],
  });
}

/** An Auto Scaling group of servers in `scope`'s VPC. */
function servers(scope: Construct, id: string, vpc: ec2.IVpc): autoscaling.AutoScalingGroup {
  return new autoscaling.AutoScalingGroup(scope, id, {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });
}

function serverStack(app: App, shared: Shared): void {
  const stack = new CoverageStack(app, 'CoverageServer', { env: ENV });
  const prod = new CoverageStack(app, 'CoverageServerProd', { env: { account: '222222222222', region: 'us-east-1' } });
  const net = (scope: Construct) => new ec2.Vpc(scope, 'Vpc', { availabilityZones: AZS, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const vpc = net(stack);
  const web = servers(stack, 'Web', vpc);
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const webTargets = alb.addListener('Http', { port: 80 }).addTargets('Web', { port: 80, targets: [web] });
  const latency = new cloudwatch.Alarm(stack, 'Latency', { metric: webTargets.metrics.targetResponseTime(), threshold: 1, evaluationPeriods: 1 });
  const tcp = servers(stack, 'Tcp', vpc);
  const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
  const tcpTargets = nlb.addListener('Tcp', { port: 80 }).addTargets('Tcp', { port: 80, targets: [tcp] });
  const legacy = servers(stack, 'Legacy', vpc);
  const classic = new elb.LoadBalancer(stack, 'Classic', { vpc, internetFacing: true, listeners: [{ externalPort: 80 }], targets: [legacy] });
  const instanceRole = new iam.Role(stack, 'TaggedInstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const serverRole = iam.Role.fromRoleName(stack, 'OnPremisesRole', 'coverage-on-premises');
  const blueRole = new iam.Role(stack, 'BlueGreenRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const blueTemplate = new ec2.LaunchTemplate(stack, 'BlueGreenTemplate', {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    role: blueRole,
    securityGroup: new ec2.SecurityGroup(stack, 'BlueGreenSg', { vpc }),
  });
  const blue = new autoscaling.AutoScalingGroup(stack, 'BlueGreen', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, launchTemplate: blueTemplate });
  const blueTargets = alb.addListener('BlueGreenHttp', { port: 8080 }).addTargets('BlueGreen', { port: 80, targets: [blue] });
  const prodVpc = net(prod);
  const prodServers = servers(prod, 'Servers', prodVpc);
  const prodAlb = new elbv2.ApplicationLoadBalancer(prod, 'Alb', { vpc: prodVpc, internetFacing: true });
  const prodTargets = prodAlb.addListener('Http', { port: 80 }).addTargets('Servers', { port: 80, targets: [prodServers] });
  // In a scope of its own: the simulation names roles by logical id, and CoverageConnection has a
  // 'Pipeline' too; its construct path still ends in /Pipeline (the reviewed findings name it so).
  new ServerPipeline(new Construct(stack, 'Server'), 'Pipeline', {
    source: PipelineSource.codeCommit(shared.repository, 'release'),
    // Its own store: the pipeline deploys to another account, which names the store's bucket by a generated name.
    // The lifecycle scripts of the sample repository go into the bundle with the site.
    buildOptions: { ...buildOptions(shared), commands: ['npm run build', 'cp -r scripts dist/'] },
    appSpec: {
      files: [{ source: '/', destination: '/opt/orders' }],
      hooks: { applicationStart: [{ location: 'scripts/start.sh' }], validateService: [{ location: 'scripts/validate.sh', timeout: Duration.minutes(5) }] },
    },
    environments: [
      {
        name: 'Web',
        deployment: ServerDeployment.autoScalingGroup(web, {
          loadBalancer: ServerLoadBalancer.applicationTargetGroup(webTargets),
          alarms: [latency],
          defaultAlarms: true,
          minimumHealthyHosts: codedeploy.MinimumHealthyHosts.percentage(50),
          installAgent: true,
        }),
        ...postDeployTests(shared),
      },
      {
        name: 'BlueGreen',
        deployment: ServerDeployment.blueGreen(blue, {
          loadBalancer: ServerLoadBalancer.applicationTargetGroup(blueTargets),
          rollbackWindow: Duration.minutes(30),
        }),
      },
      { name: 'Tcp', deployment: ServerDeployment.autoScalingGroup(tcp, { loadBalancer: ServerLoadBalancer.networkTargetGroup(tcpTargets) }) },
      { name: 'Legacy', deployment: ServerDeployment.autoScalingGroup(legacy, { loadBalancer: ServerLoadBalancer.classic(classic) }) },
      {
        name: 'Tagged',
        deployment: ServerDeployment.ec2Instances(new codedeploy.InstanceTagSet({ app: ['orders'], tier: [] }), { instanceRoles: [instanceRole], installAgent: true }),
      },
      { name: 'OnPremises', deployment: ServerDeployment.onPremisesInstances(new codedeploy.InstanceTagSet({ site: ['factory'] }), { instanceRoles: [serverRole] }) },
      {
        name: 'Production',
        deployment: ServerDeployment.autoScalingGroup(prodServers, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(prodTargets) }),
        approval: approval(stack, 'https://staging.orders.acme.example'),
      },
    ],
    notifications: { topic: shared.topic },
  });
}

/** Build the coverage app into `app` (its stacks; not synthesized). */
export function buildCoverageApp(app: App): { app: App } {
  const shared = sharedStack(app);
  ecsStack(app, shared);
  lambdaStack(app, shared);
  siteStack(app, shared);
  serverStack(app, shared);
  connectionStacks(app, shared);
  return { app };
}
