/**
 * Every reviewed IAM wildcard of the library: the core's and every workload's, for tests that
 * judge a statement whatever pipeline grants it.
 */
import { mergeWildcardReviews, ReviewContext, reviewedFindings, WildcardReviews } from '../src/core/wildcard-review';
import { ECS_WILDCARD_REVIEWS } from '../src/ecs/nag-reasons';
import { LAMBDA_WILDCARD_REVIEWS } from '../src/lambda/nag-reasons';
import { SERVER_WILDCARD_REVIEWS } from '../src/server/nag-reasons';
import { STATIC_SITE_WILDCARD_REVIEWS } from '../src/static-site/nag-reasons';

/** Every workload's reviewed wildcards (the core's are always added by the review). */
export const WORKLOAD_WILDCARD_REVIEWS: readonly WildcardReviews[] = [
  LAMBDA_WILDCARD_REVIEWS, ECS_WILDCARD_REVIEWS, STATIC_SITE_WILDCARD_REVIEWS, SERVER_WILDCARD_REVIEWS,
];

/** Every reviewed wildcard, merged: the core's and every workload's. */
export const ALL_WILDCARD_REVIEWS = mergeWildcardReviews(WORKLOAD_WILDCARD_REVIEWS);

/** Why each action is acceptable on `Resource: "*"`: the core's and every workload's reasons. */
export const RESOURCE_STAR_REASONS: Record<string, string> = ALL_WILDCARD_REVIEWS.resourceStar;

/** The IAM5 findings of one statement that the core's or any workload's reviewed lists explain. */
export function reviewedByAnyPipeline(statement: Parameters<typeof reviewedFindings>[0], context: ReviewContext = {}) {
  return reviewedFindings(statement, context, WORKLOAD_WILDCARD_REVIEWS);
}
