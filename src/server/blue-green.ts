import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ServerLoadBalancerBinding } from './load-balancer';
import { allow } from '../core/statement';
import { fail, show, validateDuration } from '../core/validation';

/** How long the original group is kept after a successful blue/green deployment, by default. */
export const DEFAULT_ROLLBACK_WINDOW = Duration.hours(1);
/** CodeDeploy's maximum `terminationWaitTimeInMinutes`: 2880 (2 days). */
const MAX_ROLLBACK_WINDOW = Duration.days(2);

/** The launch template a group defined in the app launches from (what the copy launches from too). @internal */
export function launchTemplateOf(scope: Construct, prop: string, group: autoscaling.IAutoScalingGroup): { id: string } {
  const cfn = group.node.defaultChild;
  if (!(cfn instanceof autoscaling.CfnAutoScalingGroup)) {
    fail(scope, prop, `is an imported Auto Scaling group (${group.node.path}), whose launch template the pipeline cannot see`,
      'define the group in the app (new autoscaling.AutoScalingGroup(...) with a launch template), or use ServerDeployment.autoScalingGroup for an in-place deployment');
  }
  type Spec = autoscaling.CfnAutoScalingGroup.LaunchTemplateSpecificationProperty;
  const mixed = cfn.mixedInstancesPolicy as autoscaling.CfnAutoScalingGroup.MixedInstancesPolicyProperty | undefined;
  const fromMixed = (mixed?.launchTemplate as autoscaling.CfnAutoScalingGroup.LaunchTemplateProperty | undefined)?.launchTemplateSpecification;
  const spec = (cfn.launchTemplate ?? fromMixed) as Spec | undefined;
  const id = spec?.launchTemplateId;
  if (id === undefined) {
    fail(scope, prop, `(${group.node.path}) launches from ${cfn.launchConfigurationName !== undefined ? 'a launch configuration' : 'no launch template the pipeline can name'}, ` +
      'and CodeDeploy\'s copy of the group must be allowed to launch from its launch template',
    'give the group a launch template (launchTemplate, or the @aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig feature flag), with a launchTemplateId');
  }
  return { id };
}

/** Validate the rollback window (whole minutes, 0 to 2 days). @internal */
export function validateRollbackWindow(scope: Construct, prop: string, window: Duration | undefined): void {
  validateDuration(scope, prop, window, Duration.minutes(0), MAX_ROLLBACK_WINDOW);
  if (window && !window.isUnresolved() && !Number.isInteger(window.toMinutes({ integral: false }))) {
    fail(scope, prop, `must be whole minutes, got ${show(window)}`, 'use Duration.minutes(n)');
  }
}

/** What the blue/green deployment group is made of. @internal */
export interface BlueGreenGroupProps {
  readonly application: codedeploy.IServerApplication;
  readonly group: autoscaling.IAutoScalingGroup;
  readonly deploymentConfig: codedeploy.IServerDeploymentConfig;
  readonly loadBalancer: ServerLoadBalancerBinding;
  readonly alarms: cloudwatch.IAlarm[];
  readonly role: iam.IRole;
  readonly rollbackWindow: Duration;
  /** The group's name, known at synthesis: the copies CodeDeploy creates are named after it. */
  readonly deploymentGroupName: string;
}

/**
 * A deployment group name known at synthesis (the role's policy names the copies of the Auto
 * Scaling group after it, and the group cannot refer to a policy that refers to it). @internal
 */
export function blueGreenGroupName(scope: Construct): string {
  return Names.uniqueResourceName(scope, { maxLength: 64, separator: '-' });
}

/**
 * The blue/green deployment group of an Auto Scaling group, on the L1: aws-cdk-lib's
 * `ServerDeploymentGroup` creates in-place groups only (aws/aws-cdk#30555). CodeDeploy copies
 * the group (`COPY_AUTO_SCALING_GROUP`), reroutes the load balancer's traffic as soon as the copy's
 * instances are deployed, and deletes the original group after the rollback window. @internal
 */
export function createBlueGreenGroup(scope: Construct, props: BlueGreenGroupProps): codedeploy.IServerDeploymentGroup {
  const lb = props.loadBalancer.loadBalancer;
  const cfn = new codedeploy.CfnDeploymentGroup(scope, 'DeploymentGroup', {
    applicationName: props.application.applicationName,
    deploymentGroupName: props.deploymentGroupName,
    serviceRoleArn: props.role.roleArn,
    deploymentConfigName: props.deploymentConfig.deploymentConfigName,
    autoScalingGroups: [props.group.autoScalingGroupName],
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    blueGreenDeploymentConfiguration: {
      greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' },
      deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: props.rollbackWindow.toMinutes() },
    },
    loadBalancerInfo: lb.generation === codedeploy.LoadBalancerGeneration.FIRST
      ? { elbInfoList: [{ name: lb.name }] }
      : { targetGroupInfoList: [{ name: lb.name }] },
    alarmConfiguration: props.alarms.length > 0 ? { enabled: true, alarms: props.alarms.map((a) => ({ name: a.alarmName })) } : undefined,
    autoRollbackConfiguration: {
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', ...(props.alarms.length > 0 ? ['DEPLOYMENT_STOP_ON_ALARM'] : [])],
    },
  });
  return codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(scope, 'ImportedDeploymentGroup', {
    application: props.application,
    deploymentGroupName: cfn.ref,
    deploymentConfig: props.deploymentConfig,
  });
}

/**
 * What CodeDeploy does to copy the group, besides what an in-place deployment to it takes (the
 * launch hook, the reads): create the copy with the original's settings (AWSCodeDeployRole's
 * Auto Scaling actions), on the original and the copies only (named `CodeDeploy_<group>_<deployment id>`);
 * launch from the group's launch template (Auto Scaling checks that the caller may); pass the
 * instances' role to EC2; terminate the original's instances after the rollback window. @internal
 */
export function blueGreenStatements(
  scope: Construct, group: autoscaling.IAutoScalingGroup, deploymentGroupName: string, launchTemplateId: string, instanceRoles: iam.IRole[],
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const groupArn = (name: string) => stack.formatArn({
    service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${name}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const copies = `CodeDeploy_${deploymentGroupName}_*`;
  const groups = [groupArn(group.autoScalingGroupName), groupArn(copies)];
  const launchTemplateArn = stack.formatArn({ service: 'ec2', resource: 'launch-template', resourceName: launchTemplateId });
  return [
    allow('CopyTheGroup', [
      'autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup', 'autoscaling:CreateOrUpdateTags',
      'autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat',
      'autoscaling:PutScalingPolicy', 'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:PutNotificationConfiguration', 'autoscaling:PutWarmPool',
      'autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses', 'autoscaling:EnableMetricsCollection',
      'autoscaling:AttachLoadBalancers', 'autoscaling:AttachLoadBalancerTargetGroups',
    ], groups),
    // The original's settings it copies: reads without a resource type.
    allow('ReadTheGroupToCopy', [
      'autoscaling:DescribePolicies', 'autoscaling:DescribeScheduledActions', 'autoscaling:DescribeNotificationConfigurations', 'autoscaling:DescribeScalingActivities',
    ], ['*']),
    // Auto Scaling checks that whoever creates a group from a launch template may launch from it.
    allow('LaunchFromTheGroupsTemplate', ['ec2:RunInstances'], ['*'], { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArn } }),
    allow('TagTheLaunchedInstances', ['ec2:CreateTags'], ['*'], { StringEquals: { 'ec2:CreateAction': 'RunInstances' } }),
    // The original's instances, terminated after the rollback window.
    allow('TerminateTheOriginalInstances', ['ec2:TerminateInstances'], [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })], {
      StringLike: { 'aws:ResourceTag/aws:autoscaling:groupName': [group.autoScalingGroupName, copies] },
    }),
    ...(instanceRoles.length > 0 ? [allow('PassTheInstanceRole', ['iam:PassRole'], instanceRoles.map((r) => r.roleArn), { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } })] : []),
  ];
}
