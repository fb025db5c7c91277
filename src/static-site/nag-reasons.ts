import { CROSS_STACK_VALUE, WildcardReviews } from '../core/wildcard-review';

/**
 * The IAM wildcards of the static-site pipeline's own resources (the deploy steps' release
 * archives), declared by `StaticSitePipeline` with `addWildcardReviews`.
 */
export const STATIC_SITE_WILDCARD_REVIEWS: WildcardReviews = {
  resourcePatterns: [
    // Before the core's `<Bucket.Arn>/*`, which would also match it.
    {
      pattern: /^<(?<bucket>[^>.]+)\.Arn>\/releases\/[A-Za-z0-9]+\/[A-Za-z0-9.@_-]+\/\*$/,
      reason: 'the release archives and last-good pointer of one environment of one static-site pipeline (releases/<pipeline id>/<environment>/ in the pipeline\'s own artifact bucket); archives are named after the pipeline execution',
    },
    // The site bucket named literally (imported by name) or exported by its own stack (cdk-nag
    // shows an import as `<stack>:ExportsOutput...`); the core's `<Bucket.Arn>/*` covers one of the pipeline's stack.
    {
      pattern: new RegExp(`^(?:arn:(?:<AWS::Partition>|aws[a-z-]*):s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|${CROSS_STACK_VALUE})/\\*$`),
      onlyActions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      onlySid: 'WriteAndDeleteSiteFiles',
      reason: 'the files of the one site bucket an environment deploys to: the deploy step uploads every file of the release and deletes the ones it no longer has',
    },
  ],
};
