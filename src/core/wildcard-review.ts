import { IResolvable, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledge, acknowledgeInPacks, addNagReview, NagAcknowledgement, NagPackPrefix } from './nag-acknowledge';
import { CORE_WILDCARD_REVIEWS, INLINE_POLICY_REASON } from './nag-reasons';

/**
 * How cdk-nag shows a value another stack of the app gives (a cross-stack reference): an export
 * (`<stack>:ExportsOutput...`, as Fn::ImportValue) or, in newer aws-cdk-lib, an Fn::GetStackOutput
 * (rendered as JSON). Source text for the reviewed patterns. @internal
 */
export const CROSS_STACK_VALUE = '(?:[A-Za-z0-9-]+:ExportsOutput[A-Za-z0-9]+|\\{"Fn::GetStackOutput":\\{[^*{}]*\\}\\})';

/** One reviewed resource pattern: it stands for the sub-resources of one named resource. @internal */
export interface ReviewedPattern {
  readonly pattern: RegExp;
  /** Why the wildcard is acceptable; the acknowledgement reads `Wildcard limited to <reason>`. */
  readonly reason: string;
  /**
   * Reviewed only in a statement that allows some of these actions and no other.
   *
   * @default - whatever the statement allows
   */
  readonly onlyActions?: string[];
  /**
   * Reviewed only in the library's statement of this Sid (one the library writes itself, so a
   * statement a user adds beside it is not covered).
   *
   * @default - any statement
   */
  readonly onlySid?: string;
}

/**
 * The IAM wildcards one part of the library grants, each with why it is acceptable: the core's
 * (nag-reasons.ts) for every pipeline, a workload's (its nag-reasons.ts) for the pipelines that
 * declare them with `addWildcardReviews`. A wildcard on no list is never acknowledged. @internal
 */
export interface WildcardReviews {
  /** `Resource: "*"` actions that AWS does not scope by resource (Service Authorization Reference). */
  readonly resourceStar?: Record<string, string>;
  /**
   * Resource patterns, tried in this order: put a pattern before a more general one that also
   * matches. A workload's patterns are tried before the core's.
   */
  readonly resourcePatterns?: ReviewedPattern[];
  /** Wildcard actions (e.g. aws-cdk-lib's `s3:GetObject*`) that name variants of one operation. */
  readonly actionWildcards?: Record<string, string>;
}

/** The reviewed lists of some workloads and the core's, merged: the workloads' patterns first. @internal */
export function mergeWildcardReviews(workloads: readonly WildcardReviews[]): Required<WildcardReviews> {
  const all = [...workloads, CORE_WILDCARD_REVIEWS];
  return {
    resourceStar: Object.assign({}, ...all.map((r) => r.resourceStar ?? {})),
    resourcePatterns: all.flatMap((r) => r.resourcePatterns ?? []),
    actionWildcards: Object.assign({}, ...all.map((r) => r.actionWildcards ?? {})),
  };
}

const WORKLOAD_REVIEWS = new WeakMap<IConstruct, WildcardReviews[]>();
/** The pipelines whose policies are reviewed. */
const REVIEW_ROOTS = new WeakSet<IConstruct>();
/** What a pipeline created outside its own subtree (in a workload's or support stack). */
const EXTRA_SCOPES = new WeakMap<IConstruct, IConstruct[]>();

/**
 * What below a pipeline the library created (claimed) and what its user did (disowned): a
 * subclass's constructor, or app code that adds to the pipeline's scope before its stages are
 * added. The library's reviews never acknowledge a finding on what it disowned.
 */
const CLAIMED = new WeakSet<IConstruct>();
const DISOWNED = new WeakSet<IConstruct>();

/**
 * Claim everything below `root` so far as the library's, except what was disowned. Called at
 * the end of each library pipeline class's constructor, and after the library adds the stages. @internal
 */
export function claimLibraryConstructs(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    if (!DISOWNED.has(node)) {
      CLAIMED.add(node);
    }
  }
}

/**
 * Disown what below `root` the library did not claim: what a user's subclass constructor (after
 * the library's constructors) or the app created there. Called before the library adds the
 * stages. @internal
 */
export function disownUnclaimed(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    if (!CLAIMED.has(node)) {
      DISOWNED.add(node);
    }
  }
}

/** Whether the library disowned `node` (the user created it below a pipeline). @internal */
export function isDisowned(node: IConstruct): boolean {
  return DISOWNED.has(node);
}

/** The reviewed pipeline `scope` belongs to (itself or its nearest ancestor), if any. @internal */
export function reviewRootOf(scope: IConstruct): IConstruct | undefined {
  return [...scope.node.scopes].reverse().find((s) => REVIEW_ROOTS.has(s));
}

/**
 * Review the policies below `extra` with those of the pipeline `owner` belongs to: what a
 * pipeline creates in another account's or region's stack is its own, as what it creates below
 * itself. A construct outside any pipeline is never reviewed. @internal
 */
export function addReviewedScope(owner: IConstruct, extra: IConstruct): void {
  const root = reviewRootOf(owner);
  if (!root) {
    return;
  }
  const list = EXTRA_SCOPES.get(root) ?? [];
  if (!list.includes(extra)) {
    list.push(extra);
    // Tells readers of the cloud assembly (the demo, a user's tooling) whose resources these are.
    extra.node.addMetadata(OWNED_BY_METADATA, root.node.path);
  }
  EXTRA_SCOPES.set(root, list);
}

/**
 * Review the object wildcard (`<bucket ARN>/*`) of a bucket that a policy in another account or
 * region names by its physical name (no reference can cross environments), for the pipeline
 * `owner` belongs to. Nothing happens outside a pipeline or for a name that is not a literal. @internal
 */
export function reviewBucketObjectsByName(owner: IConstruct, consumer: Stack, bucket: s3.IBucket, reason: string, onlyActions?: string[]): void {
  const root = reviewRootOf(owner);
  const name = consumer.resolve(bucket.bucketName);
  if (!root || typeof name !== 'string') {
    return;
  }
  // The partition is a literal under the recommended flags (enablePartitionLiterals).
  const pattern = new RegExp(`^arn:(?:<AWS::Partition>|aws[a-z-]*):s3:::${name.replace(/[.]/g, '\\.')}/\\*$`);
  addWildcardReviews(root, { resourcePatterns: [{ pattern, reason, onlyActions }] });
}

/** Construct metadata type on what a pipeline owns outside its own subtree; the data is the pipeline's path. @internal */
export const OWNED_BY_METADATA = 'cdk-delivery-pipelines:ownedBy';

/** What `pipeline` created outside its own subtree (in the workload's or a support stack). @internal */
export function ownedScopesOf(pipeline: IConstruct): IConstruct[] {
  return [...EXTRA_SCOPES.get(pipeline) ?? []];
}

/**
 * Declare the reviewed wildcards of a workload for the policies below `pipeline` (call from the
 * workload pipeline's constructor, after `super()`). Read when the synth-time review runs, so
 * the order of calls and of construction does not matter. @internal
 */
export function addWildcardReviews(pipeline: IConstruct, reviews: WildcardReviews): void {
  const list = WORKLOAD_REVIEWS.get(pipeline) ?? [];
  list.push(reviews);
  WORKLOAD_REVIEWS.set(pipeline, list);
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/**
 * Register, on `root`, a synth-time pass that acknowledges the IAM wildcard findings
 * (AwsSolutions-IAM5) of every IAM policy below it whose wildcards are on the reviewed lists
 * (the core's, and the workloads' declared on `root` with `addWildcardReviews`). It runs at
 * synthesis, when the policies are complete, because cdk-nag names each finding after the
 * resolved resource (e.g. `Resource::<ArtifactsBucket1234.Arn>/*`): at validation, or at the start of the aspect pass when a cdk-nag 2 pack will judge during it.
 * The same pass acknowledges the compliance packs' IAMNoInlinePolicy rule on those policies
 * (aws-cdk-lib grants write one policy per role), including policies added after construction.
 */
export function acknowledgeReviewedWildcards(root: IConstruct): void {
  REVIEW_ROOTS.add(root);
  let done = false;
  const review = () => {
    // Validation runs again on every re-synthesis; the acknowledgements must not pile up.
    if (done) {
      return;
    }
    done = true;
    const reviews = mergeWildcardReviews(WORKLOAD_REVIEWS.get(root) ?? []);
    // What the user created below the pipeline is never the library's to acknowledge.
    const nodes = [root, ...EXTRA_SCOPES.get(root) ?? []].flatMap((scope) => scope.node.findAll()).filter((node) => !DISOWNED.has(node));
    for (const node of nodes) {
      if (node instanceof iam.CfnPolicy) {
        acknowledgePolicyWildcards(node, node.policyDocument, { buckets: stackBuckets(Stack.of(node)) }, reviews);
        acknowledgeInPacks(node, 'IAMNoInlinePolicy',
          [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321], INLINE_POLICY_REASON);
      }
    }
  };
  // cdk-nag 2 judges during the aspect pass: then the review runs at its start instead.
  addNagReview(root, review);
  root.node.addValidation({ validate: () => (review(), []) });
}

const BUCKETS_BY_STACK = new WeakMap<Stack, Set<string>>();

/**
 * Logical ids of the stack's buckets, read once per stack at synthesis (when the tree is
 * complete): every pipeline of the stack asks, and walking the stack per pipeline grows with
 * pipelines × stack size.
 */
function stackBuckets(stack: Stack): Set<string> {
  let buckets = BUCKETS_BY_STACK.get(stack);
  if (!buckets) {
    buckets = new Set(stack.node.findAll()
      .filter((c): c is s3.CfnBucket => c instanceof s3.CfnBucket && Stack.of(c) === stack)
      .map((b) => stack.resolve(b.logicalId) as string));
    BUCKETS_BY_STACK.set(stack, buckets);
  }
  return buckets;
}

/** What the reviewed patterns may check a finding against. */
export interface ReviewContext {
  /** Logical ids of the S3 buckets in the stack: an object wildcard must name one of them. */
  readonly buckets?: Set<string>;
}

/**
 * Acknowledge a finding only when every statement that produces it explains it: cdk-nag
 * names a finding per policy (e.g. one `Resource::*` for all statements on `*`), so one
 * reviewed statement must not hide an unreviewed one next to it.
 */
function acknowledgePolicyWildcards(policy: iam.CfnPolicy, document: unknown, context: ReviewContext, reviews: Required<WildcardReviews>): void {
  const stack = Stack.of(policy);
  const resolved = stack.resolve(document as IResolvable) as { Statement?: Statement[] };
  const acks = new Map<string, NagAcknowledgement>();
  const unexplained = new Set<string>();
  for (const statement of resolved.Statement ?? []) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    const explained = new Map(explainedFindings(statement, context, reviews).map((a) => [a.finding!, a]));
    for (const finding of wildcardFindings(statement)) {
      const ack = explained.get(finding);
      if (!ack) {
        unexplained.add(finding);
      } else {
        // One finding id can come from several statements (e.g. two on "*"): keep every reason.
        const previous = acks.get(finding);
        const reasons = unique([...(previous ? previous.reason.split('; ') : []), ...ack.reason.split('; ')]);
        acks.set(finding, { ...ack, reason: reasons.join('; ') });
      }
    }
  }
  const accepted = [...acks.values()].filter((a) => !unexplained.has(a.finding!));
  if (accepted.length > 0) {
    acknowledge(policy, ...accepted);
  }
}

/** Every IAM5 finding id one statement produces, as cdk-nag computes them. */
export function wildcardFindings(statement: Statement): string[] {
  const actions = (toArray(statement.Action) as string[]).filter((a) => a.includes('*')).map((a) => `Action::${a}`);
  const resources = toArray(statement.Resource).map(flattenReference).filter((r) => r.includes('*')).map((r) => `Resource::${r}`);
  return [...actions, ...resources];
}

/**
 * The IAM5 findings of one statement that the reviewed lists explain, with their reasons: the
 * core's lists and those of `reviews` (e.g. every workload's, to judge any statement).
 */
export function reviewedFindings(statement: Statement, context: ReviewContext = {}, reviews: readonly WildcardReviews[] = []): NagAcknowledgement[] {
  return explainedFindings(statement, context, mergeWildcardReviews(reviews));
}

function explainedFindings(statement: Statement, context: ReviewContext, reviews: Required<WildcardReviews>): NagAcknowledgement[] {
  const actions = toArray(statement.Action) as string[];
  const resources = toArray(statement.Resource).map(flattenReference);
  const out: NagAcknowledgement[] = [];
  for (const action of actions.filter((a) => a.includes('*'))) {
    const reason = reviews.actionWildcards[action];
    if (reason) {
      out.push({ ruleId: 'AwsSolutions-IAM5', finding: `Action::${action}`, reason });
    }
  }
  for (const resource of resources.filter((r) => r.includes('*'))) {
    if (resource === '*') {
      const reasons = actions.map((a) => reviews.resourceStar[a]);
      if (actions.length > 0 && reasons.every((r) => r !== undefined)) {
        out.push({ ruleId: 'AwsSolutions-IAM5', finding: 'Resource::*', reason: unique(reasons).join('; ') });
      }
      continue;
    }
    const match = reviews.resourcePatterns.find(({ pattern, onlyActions, onlySid }) => {
      const m = pattern.exec(resource);
      return m !== null
        && (onlyActions === undefined || (actions.length > 0 && actions.every((a) => onlyActions.includes(a))))
        && (onlySid === undefined || statement.Sid === onlySid)
        // An object wildcard is reviewed only for a bucket of the stack (not any `<X.Arn>/*`).
        && (m.groups?.bucket === undefined || context.buckets === undefined || context.buckets.has(m.groups.bucket));
    });
    if (match) {
      out.push({ ruleId: 'AwsSolutions-IAM5', finding: `Resource::${resource}`, reason: `Wildcard limited to ${match.reason}` });
    }
  }
  return out;
}

/** cdk-nag's flattening of CloudFormation references into finding ids. */
export function flattenReference(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const obj = node as Record<string, any>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'];
    return (items as unknown[]).map(flattenReference).join(delimiter);
  }
  if (obj['Fn::Sub']) {
    return flattenReference(obj['Fn::Sub']);
  }
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) {
    return flattenReference(obj['Fn::ImportValue']);
  }
  if (obj.Ref) {
    return `<${flattenReference(obj.Ref)}>`;
  }
  return JSON.stringify(node);
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
