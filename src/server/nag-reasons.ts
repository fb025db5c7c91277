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
    'elasticloadbalancing:DescribeInstanceHealth': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, CodeDeploy waits for each instance to become healthy in the classic load balancer again',
  },
  /** Resource patterns that stand for the sub-resources of one named resource. */
  resourcePatterns: [
    {
      pattern: /:autoScalingGroup:\*:autoScalingGroupName\/[^*]+$/,
      onlyActions: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
      reason: 'the one Auto Scaling group of the deployment group, named by its name: its id (the wildcard) is a UUID that Auto Scaling assigns',
    },
  ],
};
