import type { WildcardReviews } from '../core/wildcard-review';

/**
 * The IAM wildcards of the Lambda pipeline's own resources (Lambda deploy action, publish step,
 * traffic hooks), declared by `LambdaPipeline` with `addWildcardReviews`.
 */
export const LAMBDA_WILDCARD_REVIEWS: WildcardReviews = {
  /** Why each `Resource: "*"` action is acceptable: AWS does not scope it by resource. */
  resourceStar: {
    'lambda:ListFunctions': 'lambda:ListFunctions has no resource type in IAM; read-only, granted by aws-cdk-lib\'s Lambda invoke action to the role that invokes a traffic hook',
  },
  /** Resource patterns that stand for the sub-resources of one named resource. */
  resourcePatterns: [
    // `<Fn.Arn>:*` in a statement that only invokes: aws-cdk-lib's `grantInvoke` of one function
    // (a traffic hook) names its versions and aliases.
    {
      pattern: /^<[^>.]+\.Arn>:\*$/,
      onlyActions: ['lambda:InvokeFunction'],
      reason: 'versions and aliases (function:<name>:<qualifier>) of the one function a Lambda invoke action invokes (aws-cdk-lib grantInvoke); the statement allows lambda:InvokeFunction only',
    },
    // Before the core's build log group pattern, which would also match it.
    {
      pattern: /:log-group:\/[^/]+\/codepipeline\/[^/:*]+(:log-stream)?:\*$/,
      reason: 'the pipeline\'s own action log group (/<region>/codepipeline/<pipeline name>) and its streams, which CodePipeline names per execution; the Lambda deploy action writes its log there',
    },
    {
      pattern: /:lambda:.+:function:[^:*]+:\*$/,
      reason: 'versions and aliases (function:<name>:<qualifier>) of the one function the Lambda deploy action deploys; each run publishes a new version and moves the alias between versions',
    },
  ],
};
