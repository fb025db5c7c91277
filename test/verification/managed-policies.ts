/**
 * The AWS managed policies the verification gates can evaluate, as AWS publishes them (the
 * statements are in no template: a role that attaches another managed policy makes the
 * evaluator throw rather than guess). Keyed by the policy's path and name after `policy/`.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, { readonly url: string; readonly statements: readonly any[] }>> = {
  'service-role/AmazonECSTaskExecutionRolePolicy': {
    url: 'https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html',
    statements: [{
      Effect: 'Allow',
      Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
    }],
  },
  'AWSCodeDeployRoleForECS': {
    url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html',
    statements: [
      {
        Action: ['ecs:DescribeServices', 'ecs:CreateTaskSet', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:DeleteTaskSet', 'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:ModifyRule',
          'lambda:InvokeFunction', 'cloudwatch:DescribeAlarms', 'sns:Publish', 's3:GetObject', 's3:GetObjectVersion'],
        Resource: '*',
        Effect: 'Allow',
      },
      { Action: ['iam:PassRole'], Effect: 'Allow', Resource: '*', Condition: { StringLike: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } } },
    ],
  },
  'service-role/AWSLambdaBasicExecutionRole': {
    url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html',
    statements: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};
