import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ServerDeployment, ServerLoadBalancer, ServerPipeline } from '../../src';
import { githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';
import { APP_SPEC, vpcOf, webTargetGroup } from './support';

/** GIVEN production servers from a launch template behind an ALB, deployed blue/green. */
function setup(options: Record<string, unknown> = {}, context: Record<string, unknown> = WITH_CDK_NAG_METADATA) {
  const stack = newStack(context);
  const role = new iam.Role(stack, 'ServerRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'Servers', {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    role,
    securityGroup: new ec2.SecurityGroup(stack, 'ServersSg', { vpc: vpcOf(stack) }),
  });
  const group = new autoscaling.AutoScalingGroup(stack, 'Production', { vpc: vpcOf(stack), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, launchTemplate, minCapacity: 2 });
  const targetGroup = webTargetGroup(stack, 'Web', group);
  const pipeline = new ServerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    appSpec: APP_SPEC,
    environments: [{
      name: 'Production',
      deployment: ServerDeployment.blueGreen(group, {
        loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup),
        instanceRoles: [role],
        ...options,
      }),
    }],
  });
  return { stack, group, role, pipeline, template: Template.fromStack(stack) };
}

function codeDeployStatements(template: Template): any[] {
  const [policy] = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('CodeDeployRole')).map(([, p]) => p);
  return policy.Properties.PolicyDocument.Statement;
}

describe('ServerDeployment.blueGreen', () => {
  test('THEN the deployment group copies the Auto Scaling group, moves traffic at the load balancer and keeps the original for an hour', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentGroupName: Match.stringLikeRegexp('^TestStack-Pipeline-ProductionDeployment-'),
      AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('^ProductionASG') }],
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      BlueGreenDeploymentConfiguration: {
        GreenFleetProvisioningOption: { Action: 'COPY_AUTO_SCALING_GROUP' },
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 60 },
      },
      LoadBalancerInfo: { TargetGroupInfoList: [{ Name: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Web'), 'TargetGroupName'] } }] },
      AlarmConfiguration: { Enabled: true, Alarms: [Match.anyValue(), Match.anyValue()] },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
    });
    const [group] = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(group.DependsOn).toEqual([expect.stringMatching(/CodeDeployRoleDefaultPolicy/)]);
  });

  test('THEN the pipeline deploys with it through CodeDeploy', () => {
    const { template } = setup();
    const [cfn] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    const deploy = cfn.Properties.Stages.find((s: any) => s.Name === 'Production').Actions[0];
    expect(deploy.ActionTypeId.Provider).toBe('CodeDeploy');
    expect(deploy.Configuration.DeploymentGroupName).toEqual({ Ref: expect.stringMatching(/^PipelineProductionDeploymentDeploymentGroup/) });
  });

  test('WHEN a rollback window is given THEN the original group is kept that long', () => {
    const { template } = setup({ rollbackWindow: Duration.minutes(30) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 30 } }),
    });
  });

  test('THEN the role may copy only this group (and its copies), launch only from its launch template, pass only its instance role, to EC2', () => {
    const { template } = setup();
    const statements = codeDeployStatements(template);
    const copy = statements.find((s) => s.Sid === 'CopyTheGroup');
    expect(JSON.stringify(copy.Resource)).toContain('autoScalingGroupName/CodeDeploy_TestStack-Pipeline-ProductionDeployment-');
    expect(copy.Action).toEqual(expect.arrayContaining(['autoscaling:CreateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup', 'autoscaling:AttachLoadBalancerTargetGroups']));
    expect(statements.find((s) => s.Sid === 'LaunchFromTheGroupsTemplate')).toEqual(expect.objectContaining({
      Action: 'ec2:RunInstances', Resource: '*', Condition: { ArnLike: { 'ec2:LaunchTemplate': expect.anything() } },
    }));
    expect(statements.find((s) => s.Sid === 'PassTheInstanceRole')).toEqual(expect.objectContaining({
      Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ServerRole/), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
    expect(statements.find((s) => s.Sid === 'TerminateTheOriginalInstances').Condition.StringLike['aws:ResourceTag/aws:autoscaling:groupName']).toHaveLength(2);
  });

  test('THEN the pipeline warns that the serving group becomes CodeDeploy\'s copy', () => {
    const { stack } = setup();
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('ServerBlueGreenReplacesGroup|serve from CodeDeploy\'s copy'));
  });

  test('THEN cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const { pipeline } = setup();
    expect(nagFindings(pipeline)).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no load balancer', { loadBalancer: undefined }, /environments\[0\]\.deployment\.loadBalancer is required for a blue\/green deployment/],
    ['installAgent', { installAgent: true }, /installAgent is true for a blue\/green deployment, whose copies of the group have names of their own/],
    ['a rollback window over 2 days', { rollbackWindow: Duration.days(3) }, /rollbackWindow must be between 0 minutes and 2 days, got 3 days/],
    ['a rollback window of 90 seconds', { rollbackWindow: Duration.seconds(90) }, /rollbackWindow must be whole minutes, got 1 minute 30 seconds/],
  ])('WHEN %s THEN the library says so', (_name, options, error) => {
    expect(() => setup(options)).toThrow(error);
  });

  test('WHEN the launch template has no role the pipeline can read and no instanceRoles are given THEN the library says so', () => {
    const stack = newStack();
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Servers', {
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      securityGroup: new ec2.SecurityGroup(stack, 'ServersSg', { vpc: vpcOf(stack) }),
    });
    const group = new autoscaling.AutoScalingGroup(stack, 'Production', { vpc: vpcOf(stack), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, launchTemplate });
    const targetGroup = webTargetGroup(stack, 'Web', group);
    expect(() => new ServerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      appSpec: APP_SPEC,
      environments: [{ name: 'Production', deployment: ServerDeployment.blueGreen(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) }) }],
    })).toThrow(/environments\[0\]\.deployment\.instanceRoles is empty, and the role of TestStack\/Production's instances cannot be read/);
  });

  test('WHEN the group is imported THEN the library says the copy needs its launch template', () => {
    const stack = newStack();
    const group = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Imported', 'web');
    const targetGroup = webTargetGroup(stack, 'Web', new autoscaling.AutoScalingGroup(stack, 'Other', {
      vpc: vpcOf(stack), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    }));
    expect(() => new ServerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      appSpec: APP_SPEC,
      environments: [{ name: 'Production', deployment: ServerDeployment.blueGreen(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) }) }],
    })).toThrow(/environments\[0\]\.deployment\.group is an imported Auto Scaling group \(TestStack\/Imported\), whose launch template the pipeline cannot see/);
  });

  test('WHEN the deployment config is all at once THEN the blue/green group uses it', () => {
    const { template } = setup({ deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.AllAtOnce' });
  });
});
