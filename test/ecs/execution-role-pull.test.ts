import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EcsContainerPipeline, EcsDeployment } from '../../src';
import { fargateService, githubSource, newStack } from '../helpers';

/** The pull statements attached to the execution role of the service `taskId`'s task definition. */
function pullPolicy(template: Template, taskId: string): any {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${taskId}ExecutionRole`) }] },
  }));
  const pull = policies.find((p: any) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'PullThePipelineImage'));
  expect(pull).toBeDefined();
  return pull!.Properties.PolicyDocument.Statement;
}

function expectPullGranted(template: Template, taskId: string) {
  expect(pullPolicy(template, taskId)).toEqual([
    { Sid: 'PullThePipelineImage', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineRepository/), 'Arn'] } },
    { Sid: 'LogInToTheRegistry', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
  ]);
}

describe('task execution roles can pull the image the pipeline deploys', () => {
  test('GIVEN rolling deployments WHEN synthesized THEN every service\'s execution role gets pull on the pipeline repository', () => {
    const stack = newStack();
    const staging = fargateService(stack, 'Staging');
    const production = fargateService(stack, 'Production');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
        { name: 'Production', deployment: EcsDeployment.rolling(production) },
      ],
    });
    const template = Template.fromStack(stack);
    expectPullGranted(template, 'StagingTask');
    expectPullGranted(template, 'ProductionTask');
  });

  test('GIVEN an ECS-native blue/green deployment THEN its execution role gets pull', () => {
    const stack = newStack();
    const service = fargateService(stack, 'Native', {
      circuitBreaker: false,
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      deploymentAlarms: { alarmNames: ['shop-5xx'], behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
    });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.ecsBlueGreen(service) }],
    });
    expectPullGranted(Template.fromStack(stack), 'NativeTask');
  });

  test('GIVEN a CodeDeploy blue/green deployment THEN its execution role gets pull', () => {
    const stack = newStack();
    const service = fargateService(stack, 'Production', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
    const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
    const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
    lb.addListener('Test', { port: 8080, defaultTargetGroups: [green] });
    service.attachToApplicationTargetGroup(blue);
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service, listener, blueTargetGroup: blue, greenTargetGroup: green }) }],
    });
    expectPullGranted(Template.fromStack(stack), 'ProductionTask');
  });

  test('GIVEN a task definition without an execution role THEN one is created and granted pull', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'BareTask');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27') });
    expect(taskDefinition.executionRole).toBeUndefined();
    const service = new ecs.FargateService(stack, 'Bare', { cluster, taskDefinition, circuitBreaker: { rollback: true } });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    });
    const template = Template.fromStack(stack);
    expectPullGranted(template, 'BareTask');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BareTaskExecutionRole'), 'Arn'] } });
  });

  test('GIVEN the service in another stack of the same environment THEN the grant lives in the pipeline stack (no dependency cycle)', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'us-east-1' };
    const serviceStack = new Stack(app, 'Services', { env });
    const pipelineStack = new Stack(app, 'Delivery', { env });
    const service = fargateService(serviceStack, 'Staging');
    new EcsContainerPipeline(pipelineStack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    });
    // Synthesis fails on a cycle ("'Delivery' depends on 'Services' ... cyclic reference").
    const assembly = app.synth();
    expect(assembly.getStackByName('Services').dependencies.map((d) => d.id)).not.toContain('Delivery');
    const policies = Template.fromStack(pipelineStack).findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'PullThePipelineImage' })]) } },
    });
    expect(Object.keys(policies)).toHaveLength(1);
  });

  test('GIVEN an imported service THEN the pipeline warns with what to grant, and grants nothing', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'web' });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service, { containerName: 'web', passRoles: [] }) }],
    });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Pipeline',
      Match.stringLikeRegexp('environments\\[0\\]\\.deployment: the service TestStack/Svc is imported.*ecr:BatchGetImage and ecr:GetDownloadUrlForLayer.*ecr:GetAuthorizationToken.*CannotPullContainerError'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toContain('cdk-delivery-pipelines:ExecutionRolePullNotGranted');
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('PullThePipelineImage');
  });
});
