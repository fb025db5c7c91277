import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PipelineSource } from '../src';
import { CDK_NAG_METADATA_CONTEXT } from '../src/core/nag-acknowledge';

export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555';

/** A source every test can use. */
export function githubSource(branch = 'main'): PipelineSource {
  return PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch });
}

/**
 * Context that makes the library write its cdk-nag acknowledgements into the templates as cdk-nag 2
 * `cdk_nag` metadata without a cdk-nag 2 pack, for tests that read the acknowledgements there.
 */
export const WITH_CDK_NAG_METADATA = { [CDK_NAG_METADATA_CONTEXT]: true };

export function newStack(context: Record<string, unknown> = {}): Stack {
  const app = new App({ context });
  return new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
}

export interface ServiceOptions {
  readonly circuitBreaker?: boolean;
  readonly containers?: Array<{ name: string; essential?: boolean }>;
  readonly deploymentController?: ecs.DeploymentControllerType;
  readonly deploymentStrategy?: ecs.DeploymentStrategy;
  readonly deploymentAlarms?: ecs.DeploymentAlarmConfig;
}

/** A VPC-less-lookup cluster + Fargate service, as the user owns them. */
export function fargateService(stack: Stack, id: string, options: ServiceOptions = {}): ecs.FargateService {
  const vpc = (stack.node.tryFindChild('Vpc') as ec2.Vpc) ?? new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = (stack.node.tryFindChild('Cluster') as ecs.Cluster) ?? new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`);
  for (const c of options.containers ?? [{ name: 'web' }]) {
    taskDefinition.addContainer(c.name, {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
      essential: c.essential ?? true,
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: c.name }),
    });
  }
  return new ecs.FargateService(stack, id, {
    cluster,
    taskDefinition,
    assignPublicIp: true,
    circuitBreaker: options.circuitBreaker === false ? undefined : { enable: true, rollback: true },
    deploymentController: options.deploymentController ? { type: options.deploymentController } : undefined,
    deploymentStrategy: options.deploymentStrategy,
    deploymentAlarms: options.deploymentAlarms,
  });
}

export interface NagFinding {
  readonly rule: string;
  readonly path: string;
}

/**
 * Run cdk-nag 3 AwsSolutions over the app of `scope` (after synthesis, so the library's
 * synth-time acknowledgements are in place) and return the unacknowledged findings on
 * resources below `scope`.
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  const stack = Stack.of(scope);
  const app = stack.node.root as App;
  app.synth();
  const report = new AwsSolutionsChecks().validateScope(stack);
  const out: NagFinding[] = [];
  for (const v of report.violations) {
    for (const r of v.violatingResources) {
      const path = r.constructPath ?? '';
      if (path === scope.node.path || path.startsWith(`${scope.node.path}/`)) {
        out.push({ rule: v.ruleName, path });
      }
    }
  }
  return out;
}

/** GIVEN a CODE_DEPLOY service behind an ALB with blue and green target groups. */
export function blueGreenFixture(stack: Stack) {
  const service = fargateService(stack, 'Production', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blueTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const greenTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  const testListener = lb.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  return { service, lb, vpc, blueTargetGroup, greenTargetGroup, listener, testListener };
}
