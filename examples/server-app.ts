import { Annotations, App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PipelineSource, ServerDeployment, ServerLoadBalancer, ServerPipeline } from '../src';
import { CONNECTION_ARN, EXAMPLE_ENV, ExampleOptions, acknowledgeExplicitZones, exampleApp } from './support';

/** What `buildServerApp` returns, so tests and the demo can reach every part. */
export interface ServerExample {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: ServerPipeline;
}

/**
 * The example app: a VPC, a staging Auto Scaling group and a production one behind an
 * Application Load Balancer, and the pipeline that deploys the orders service to them with
 * CodeDeploy (Source → Build & test → Staging, all at once → approval → Production, one
 * instance at a time, each instance out of the load balancer while it is deployed, rolled back
 * by the target group's 5xx and unhealthy-host alarms). The pipeline installs the CodeDeploy
 * agent on both groups with an SSM association.
 *
 * @param app the app to build into; by default a new one with the currently recommended
 *   feature flags and the cdk-nag checks (see `exampleApp`)
 * @param options another environment or source (the integration test's)
 */
export function buildServerApp(app: App = exampleApp(), options: ExampleOptions = {}): ServerExample {
  const stack = new ServerExampleStack(app, 'ServerOrdersDelivery', {
    env: options.env ?? EXAMPLE_ENV,
    description: 'Example: orders service on EC2 Auto Scaling groups with its cdk-delivery-pipelines delivery pipeline',
  });
  const vpc = ordersVpc(stack);
  const staging = ordersServers(stack, 'Staging', vpc, 1);
  const production = ordersServers(stack, 'Production', vpc, 2);
  const targetGroup = ordersLoadBalancer(stack, vpc, production);

  const pipeline = new ServerPipeline(stack, 'Pipeline', {
    source: options.source ?? PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'orders-service', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      // The bundle: the built service, its production dependencies and the lifecycle scripts.
      commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules package.json scripts "$OUTPUT_DIRECTORY/"'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    outputDirectory: 'dist',
    appSpec: {
      files: [{ source: '/', destination: '/opt/orders' }],
      hooks: {
        applicationStop: [{ location: 'scripts/stop.sh', timeout: Duration.minutes(2) }],
        beforeInstall: [{ location: 'scripts/before-install.sh', timeout: Duration.minutes(5) }],
        applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.minutes(2) }],
        // The health check on the instance itself: a failure rolls the deployment back.
        validateService: [{ location: 'scripts/validate.sh', timeout: Duration.minutes(5) }],
      },
    },
    environments: [
      {
        name: 'Staging',
        deployment: ServerDeployment.autoScalingGroup(staging, {
          deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
          installAgent: true,
        }),
        // Smoke tests against staging once it runs the new revision; a failure stops the
        // release before production and deploys staging's previous revision again.
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'] },
        environmentVariables: { BASE_URL: 'https://staging.orders.acme.example' },
      },
      {
        name: 'Production',
        deployment: ServerDeployment.autoScalingGroup(production, {
          loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup),
          installAgent: true,
        }),
        approval: { emails: ['ops@acme.example'], reviewUrl: 'https://staging.orders.acme.example' },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
  // Staging has no load balancer to watch: its ValidateService script and the smoke tests judge it.
  Annotations.of(pipeline).acknowledgeWarning('cdk-delivery-pipelines:ServerNoRollbackAlarms',
    'staging is judged by its ValidateService health check and the post-deploy smoke tests, which roll the stage back');
  return { app, stack, pipeline };
}

/** A stack whose zones are fixed (no zone lookup, no AWS account needed). */
class ServerExampleStack extends Stack {
  public get availabilityZones(): string[] {
    return [`${this.region}a`, `${this.region}b`];
  }
}

/**
 * The orders network: two zones, the servers in private subnets behind one NAT gateway (they
 * reach S3, CodeDeploy and Systems Manager through it), flow logs on.
 */
function ordersVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: stack.availabilityZones.slice(0, 2),
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
    ],
  });
  acknowledgeExplicitZones(vpc);
  // AwsSolutions-VPC7: record the VPC's traffic.
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(stack, 'VpcFlowLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    })),
  });
  return vpc;
}

/**
 * One environment's servers: Amazon Linux 2023 (which has the SSM Agent the pipeline's agent
 * association needs), IMDSv2 only, encrypted volumes, detailed monitoring, scaling events to a
 * topic. Their role lets the SSM Agent reach Systems Manager; the pipeline adds the revision read.
 */
function ordersServers(scope: Construct, name: string, vpc: ec2.IVpc, capacity: number): autoscaling.AutoScalingGroup {
  const role = new iam.Role(scope, `${name}ServerRole`, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: `Instance role of the ${name.toLowerCase()} orders servers`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  // AwsSolutions-IAM4 (the finding names a pseudo parameter, which Validations.acknowledge
  // rejects: the acknowledgement goes into the metadata cdk-nag reads).
  role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]':
      'AmazonSSMManagedInstanceCore is what the SSM Agent needs to reach Systems Manager (the CodeDeploy agent association); AWS keeps it current',
  });
  const securityGroup = new ec2.SecurityGroup(scope, `${name}ServersSecurityGroup`, { vpc, description: `The ${name.toLowerCase()} orders servers` });
  const launchTemplate = new ec2.LaunchTemplate(scope, `${name}Servers`, {
    securityGroup,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    role,
    requireImdsv2: true,
    detailedMonitoring: true,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
  });
  const events = new sns.Topic(scope, `${name}ScalingEvents`, { enforceSSL: true });
  return new autoscaling.AutoScalingGroup(scope, `${name}Group`, {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    launchTemplate,
    minCapacity: capacity,
    maxCapacity: capacity * 2,
    healthChecks: autoscaling.HealthChecks.ec2(),
    notifications: [{ topic: events }],
  });
}

/** An internet-facing ALB whose listener (80) forwards to the production servers' target group. */
function ordersLoadBalancer(scope: Construct, vpc: ec2.IVpc, servers: autoscaling.AutoScalingGroup): elbv2.ApplicationTargetGroup {
  const accessLogs = new s3.Bucket(scope, 'LoadBalancerLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
    lifecycleRules: [{ expiration: Duration.days(90) }],
  });
  // AwsSolutions-S1: an access-log destination does not log itself.
  Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'Destination of the load balancer access logs; logging it into itself would loop' });
  const lb = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  lb.logAccessLogs(accessLogs);
  Validations.of(lb).acknowledge({ id: 'AwsSolutions-EC23', reason: 'Internet-facing load balancer of a public API: inbound from anywhere on its listener port is its purpose' });
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'ProductionTargets', {
    vpc,
    port: 8080,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [servers],
    healthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(15) },
    deregistrationDelay: Duration.seconds(30),
  });
  lb.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
  return targetGroup;
}

if (require.main === module) {
  buildServerApp().app.synth();
}
