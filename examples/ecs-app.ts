import { Annotations, App, Duration, PhysicalName, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EcsContainerPipeline, EcsDeployment, PipelineSource } from '../src';
import { CONNECTION_ARN, EXAMPLE_ENV, ExampleOptions, acknowledgeExplicitZones, exampleApp } from './support';

/** The zones the example's VPC spans. */
export const EXAMPLE_AZS = ['us-east-1a', 'us-east-1b'];

/** What `buildEcsApp` returns, so tests and the demo can reach every part. */
export interface EcsExample {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: EcsContainerPipeline;
}

/**
 * The example app: a VPC, an ECS cluster, a staging Fargate service (rolling) and a production
 * one behind a load balancer (CodeDeploy blue/green), and the pipeline that deploys them
 * (Source → Build & test → Staging → approval → Production).
 *
 * @param app the app to build into; by default a new one with the currently recommended
 *   feature flags and the cdk-nag checks (see `exampleApp`)
 * @param options another environment or source (the integration test's)
 */
export function buildEcsApp(app: App = exampleApp(), options: ExampleOptions = {}): EcsExample {
  const stackProps = {
    env: options.env ?? EXAMPLE_ENV,
    description: 'Example: shop service on ECS Fargate with its cdk-delivery-pipelines delivery pipeline',
  };
  // In another environment the zones are that account's (a context lookup), not the example's.
  const stack = options.env ? new Stack(app, 'EcsShopDelivery', stackProps) : new ExampleStack(app, 'EcsShopDelivery', stackProps);

  const { vpc, cluster } = shopCluster(stack);

  const staging = webService(stack, 'Staging', cluster);
  // Production runs blue/green through CodeDeploy behind a load balancer.
  const production = webService(stack, 'Production', cluster, ecs.DeploymentControllerType.CODE_DEPLOY);
  const web = productionLoadBalancer(stack, vpc, production);

  const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
    source: options.source ?? PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    environments: [
      {
        name: 'Staging',
        deployment: EcsDeployment.rolling(staging),
        // Smoke tests against staging once it runs the new image; a failure stops the release
        // before production and rolls staging back to the previous image.
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'], testReportDirectory: 'reports/smoke' },
        environmentVariables: { BASE_URL: 'https://staging.acme.example' },
      },
      {
        name: 'Production',
        // Canary 10% for 5 minutes, rolled back by the default 5xx / unhealthy-host alarms;
        // blue tasks are kept 15 minutes after success for an instant rollback.
        deployment: EcsDeployment.blueGreen({
          service: production,
          listener: web.listener,
          testListener: web.testListener,
          blueTargetGroup: web.blue,
          greenTargetGroup: web.green,
        }),
        approval: { emails: ['ops@acme.example'], reviewUrl: 'https://staging.acme.example' },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });

  // The services start on a public placeholder image until the pipeline's first run; after a
  // `cdk deploy` that changes their task definitions, start the pipeline again (README: "Day 2").
  Annotations.of(pipeline).acknowledgeWarning('cdk-delivery-pipelines:EcsImageResetByCdkDeploy',
    'placeholder image until the first pipeline run; the pipeline is re-run after task definition changes');

  return { app, stack, pipeline };
}

/**
 * The shop's network and cluster in `stack`: a VPC over two zones with one NAT gateway (the tasks
 * in private subnets pull the public nginx image through it) and flow logs, and an ECS cluster
 * with Container Insights.
 */
export function shopCluster(stack: Stack, named = false): { vpc: ec2.Vpc; cluster: ecs.Cluster } {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    // Explicit zones (ExampleStack's: no zone lookup, no AWS account needed).
    availabilityZones: stack.availabilityZones.slice(0, 2),
    // One NAT gateway lets the tasks in private subnets pull the public nginx image.
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

  // AwsSolutions-ECS4: Container Insights on.
  const cluster = new ecs.Cluster(stack, 'Cluster', {
    vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
    // A pipeline in another account names the cluster: a name, generated when needed.
    clusterName: named ? PhysicalName.GENERATE_IF_NEEDED : undefined,
  });

  return { vpc, cluster };
}

/**
 * A stack whose zones are fixed. With a concrete account and region, `Stack.availabilityZones`
 * (which the VPC reads to check the zones it is given) is a context lookup that needs AWS
 * credentials; overriding it is the documented way to avoid that.
 */
export class ExampleStack extends Stack {
  public get availabilityZones(): string[] {
    // The first two zones of the stack's region (us-east-1: EXAMPLE_AZS).
    return [`${this.region}a`, `${this.region}b`];
  }
}

/** One environment's nginx service: its own task definition, one essential container 'web'. */
export function webService(
  scope: Construct, name: string, cluster: ecs.ICluster, controller = ecs.DeploymentControllerType.ECS, named = false,
): ecs.FargateService {
  const taskDefinition = new ecs.FargateTaskDefinition(scope, `${name}Task`, {
    cpu: 256,
    memoryLimitMiB: 512,
    executionRole: named ? new iam.Role(scope, `${name}TaskExecutionRole`, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      roleName: PhysicalName.GENERATE_IF_NEEDED,
    }) : undefined,
  });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    essential: true,
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({
      streamPrefix: 'web',
      logGroup: new logs.LogGroup(scope, `${name}Logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    }),
  });
  return new ecs.FargateService(scope, `${name}Service`, {
    // A pipeline in another account names the service (and the execution role): generated names.
    serviceName: named ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    cluster,
    taskDefinition,
    desiredCount: 1,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    deploymentController: { type: controller },
    // A failed rolling deployment rolls back to the last good task definition (CodeDeploy
    // services roll back through CodeDeploy instead).
    circuitBreaker: controller === ecs.DeploymentControllerType.ECS ? { enable: true, rollback: true } : undefined,
  });
}

/** An internet-facing ALB with the production listener (80), a test listener (8080) and two target groups. */
export function productionLoadBalancer(scope: Construct, vpc: ec2.IVpc, service: ecs.FargateService) {
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
  // AwsSolutions-ELB2: access logs on.
  lb.logAccessLogs(accessLogs);
  // AwsSolutions-EC23: the public entry point of a web shop accepts the internet on its ports.
  Validations.of(lb).acknowledge({ id: 'AwsSolutions-EC23', reason: 'Internet-facing load balancer of a public web shop: inbound from anywhere on its listener ports is its purpose' });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(scope, id, {
    vpc,
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    healthCheck: { path: '/', healthyHttpCodes: '200' },
  });
  const blue = targetGroup('Blue');
  const green = targetGroup('Green');
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
  const testListener = lb.addListener('TestHttp', { port: 8080, defaultTargetGroups: [green] });
  service.attachToApplicationTargetGroup(blue);
  return { lb, blue, green, listener, testListener };
}

if (require.main === module) {
  buildEcsApp().app.synth();
}
