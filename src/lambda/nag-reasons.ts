import { CROSS_STACK_VALUE, WildcardReviews } from '../core/wildcard-review';

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
    // The publish step in another account than the artifact bucket: the bucket key's id cannot be
    // named across accounts (it is assigned when the pipeline's stack deploys, after the role's).
    {
      pattern: /^arn:(?:<AWS::Partition>|aws[a-z-]*):kms:[a-z0-9-]+:\d{12}:key\/\*$/,
      onlyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      reason: 'keys of the artifact bucket\'s account and region, used only through S3 (kms:ViaService): to read the artifacts, and for the publish step to upload ' +
        'and read its one package object; the key\'s id is assigned when the pipeline\'s stack deploys, after the role\'s stack in another account, ' +
        'and the key\'s policy admits this role to that key alone',
    },
    {
      // The function's name literal, or exported by its own stack (cdk-nag shows an import as `<stack>:ExportsOutput...`).
      pattern: new RegExp(`:lambda:.+:function:(?:[^:*{}]+|${CROSS_STACK_VALUE}):\\*$`),
      reason: 'versions and aliases (function:<name>:<qualifier>) of the one function the Lambda deploy action deploys; each run publishes a new version and moves the alias between versions',
    },
  ],
};
