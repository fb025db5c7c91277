import type { WildcardReviews } from '../core/wildcard-review';

/**
 * The IAM wildcards of the server pipeline's own resources (the CodeDeploy deployment groups'
 * roles), declared by `ServerPipeline` with `addWildcardReviews`.
 */
export const SERVER_WILDCARD_REVIEWS: WildcardReviews = {
  /** Why each `Resource: "*"` action is acceptable: AWS does not scope it by resource (Service Authorization Reference). */
  resourceStar: {
    'autoscaling:DescribeAutoScalingGroups': 'autoscaling:DescribeAutoScalingGroups has no resource type in IAM; read-only, CodeDeploy reads the deployment group\'s Auto Scaling group and its instances',
    'autoscaling:DescribeLifecycleHooks': 'autoscaling:DescribeLifecycleHooks has no resource type in IAM; read-only, CodeDeploy checks the launch hook it keeps on the deployment group\'s Auto Scaling group',
    'ec2:DescribeInstances': 'ec2:DescribeInstances has no resource type in IAM; read-only, CodeDeploy finds the deployment group\'s instances (by group or tag)',
    'ec2:DescribeInstanceStatus': 'ec2:DescribeInstanceStatus has no resource type in IAM; read-only, CodeDeploy checks that the deployment group\'s instances are running',
    'tag:GetResources': 'tag:GetResources has no resource type in IAM; read-only, CodeDeploy resolves the deployment group\'s EC2 tag groups to instances',
    'elasticloadbalancing:DescribeTargetGroups': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, CodeDeploy in-place traffic control reads the deployment group\'s target group',
    'elasticloadbalancing:DescribeTargetHealth': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, CodeDeploy waits for each instance to drain and to become healthy again',
    'elasticloadbalancing:DescribeLoadBalancers': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, CodeDeploy in-place traffic control reads the deployment group\'s classic load balancer',
    'autoscaling:DescribePolicies': 'autoscaling Describe* actions have no resource type in IAM; read-only, CodeDeploy reads the scaling policies of the group it copies (blue/green)',
    'autoscaling:DescribeScheduledActions': 'autoscaling Describe* actions have no resource type in IAM; read-only, CodeDeploy reads the scheduled actions of the group it copies (blue/green)',
    'autoscaling:DescribeNotificationConfigurations': 'autoscaling Describe* actions have no resource type in IAM; read-only, CodeDeploy reads the notifications of the group it copies (blue/green)',
    'autoscaling:DescribeScalingActivities': 'autoscaling Describe* actions have no resource type in IAM; read-only, CodeDeploy waits for the copy of the group to launch its instances (blue/green)',
    'ec2:RunInstances': 'conditioned on ec2:LaunchTemplate = the Auto Scaling group\'s own launch template: Auto Scaling checks that CodeDeploy, which creates the copy of the group (blue/green), may launch from it',
    'ec2:CreateTags': 'conditioned on ec2:CreateAction = RunInstances: only the tags of instances launched from the group\'s launch template (blue/green)',
    'elasticloadbalancing:DescribeInstanceHealth': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, CodeDeploy waits for each instance to become healthy in the classic load balancer again',
  },
  /** Resource patterns that stand for the sub-resources of one named resource. */
  resourcePatterns: [
    {
      pattern: /:autoScalingGroup:\*:autoScalingGroupName\/CodeDeploy_[^*]+_\*$/,
      reason: 'the copies CodeDeploy makes of the one Auto Scaling group of a blue/green deployment group (CodeDeploy_<deployment group>_<deployment id>)',
    },
    {
      pattern: /:instance\/\*$/,
      onlyActions: ['ec2:TerminateInstances'],
      reason: 'instances of the blue/green Auto Scaling group and its copies only (condition aws:ResourceTag/aws:autoscaling:groupName), terminated after the rollback window',
    },
    {
      pattern: /:autoScalingGroup:\*:autoScalingGroupName\/[^*]+$/,
      reason: 'the one Auto Scaling group of the deployment group, named by its name: its id (the wildcard) is a UUID that Auto Scaling assigns',
    },
  ],
};
