import type { WildcardReviews } from '../core/wildcard-review';

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
  ],
};
