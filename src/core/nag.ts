import { AspectPriority, Aspects, CfnResource, IAspect, IResolvable, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { perStage } from './per-stage';
import { fail, show } from './validation';

/**
 * Why each `Resource: "*"` action is acceptable: AWS does not scope these actions by resource
 * (see the Service Authorization Reference). An action not listed here is never acknowledged,
 * so a new wildcard surfaces as a cdk-nag finding in our own tests.
 */
export const RESOURCE_STAR_REASONS: Record<string, string> = {
  'ecr:GetAuthorizationToken': 'ecr:GetAuthorizationToken has no resource type; it returns a registry login token and grants no repository access by itself',
  'ecs:RegisterTaskDefinition': 'ecs:RegisterTaskDefinition has no resource type in IAM; the ECS deploy action registers a new revision of the service task definition',
  'ecs:DescribeTaskDefinition': 'ecs:DescribeTaskDefinition has no resource type in IAM; read-only, needed by the ECS deploy action and by the blue/green task definition capture',
  'ecs:ListTasks': 'ecs:ListTasks is scoped with the ecs:cluster condition to the service cluster; it has no task resource in IAM',
  'elasticloadbalancing:DescribeTargetGroups': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, needed by CodeDeploy blue/green',
  'elasticloadbalancing:DescribeListeners': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, needed by CodeDeploy blue/green',
  'elasticloadbalancing:DescribeRules': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, needed by CodeDeploy blue/green',
  'elasticloadbalancing:DescribeTargetHealth': 'elasticloadbalancing Describe* actions have no resource type in IAM; read-only, needed by CodeDeploy blue/green',
  'ecr:GetRegistryScanningConfiguration': 'ecr:GetRegistryScanningConfiguration reads a registry-wide setting and has no resource type; read-only',
  'inspector2:ListFindings': 'inspector2:ListFindings has no resource type in IAM; read-only, ECR serves DescribeImageScanFindings under Inspector enhanced scanning through it with the caller\'s permissions',
  'inspector2:ListCoverage': 'inspector2:ListCoverage has no resource type in IAM; read-only, ECR reads the enhanced scan status of the image through it with the caller\'s permissions',
  'inspector2:CreateSbomExport': 'Amazon Inspector SBOM export actions have no resource types in IAM; the export is filtered to the one image by the request',
  'inspector2:GetSbomExport': 'Amazon Inspector SBOM export actions have no resource types in IAM; read-only status of the export this gate started',
  'ecs:CreateTaskSet': 'ecs:CreateTaskSet is listed on "*" only in older authorization data; the statement is conditioned on ecs:service = the one blue/green service, so it creates task sets of that service only',
  'codedeploy:PutLifecycleEventHookExecutionStatus': 'codedeploy:PutLifecycleEventHookExecutionStatus has no resource type in the Service Authorization Reference; granted only to the blue/green hook functions, which report the result of their own lifecycle hook',
  'lambda:ListFunctions': 'lambda:ListFunctions has no resource type in IAM; read-only, granted by aws-cdk-lib\'s Lambda invoke action to the role that invokes a traffic hook',
};

/**
 * Why wildcard actions that aws-cdk-lib grants produce are acceptable. They name groups of
 * variants of one operation and always sit next to a resource that is one of the pipeline's own.
 */
const ACTION_WILDCARD_REASONS: Record<string, string> = {
  'kms:GenerateDataKey*': 'aws-cdk-lib KMS grant: GenerateDataKey and GenerateDataKeyWithoutPlaintext on the pipeline key only',
  'kms:ReEncrypt*': 'aws-cdk-lib KMS grant: ReEncryptFrom/ReEncryptTo on the pipeline key only',
  's3:GetObject*': 'aws-cdk-lib S3 grant: object read variants (GetObject, GetObjectVersion, ...) on the pipeline\'s own bucket only',
  's3:GetBucket*': 'aws-cdk-lib S3 grant: bucket metadata reads on the pipeline\'s own bucket only',
  's3:List*': 'aws-cdk-lib S3 grant: listing of the pipeline\'s own bucket only',
  's3:DeleteObject*': 'aws-cdk-lib S3 grant: the pipeline replaces its own artifacts in its own bucket only',
  's3:Abort*': 'aws-cdk-lib S3 grant: abort of multipart uploads into the pipeline\'s own bucket only',
};

/** Resource patterns that stand for the sub-resources of one named resource. */
const RESOURCE_PATTERN_REASONS: Array<[RegExp, string]> = [
  // Before the build log group pattern below, which would also match it.
  [/:log-group:\/[^/]+\/codepipeline\/[^/:*]+(:log-stream)?:\*$/, 'the pipeline\'s own action log group (/<region>/codepipeline/<pipeline name>) and its streams, which CodePipeline names per execution; the Lambda deploy action writes its log there'],
  [/:lambda:.+:function:[^:*]+:\*$/, 'versions and aliases (function:<name>:<qualifier>) of the one function the Lambda deploy action deploys; each run publishes a new version and moves the alias between versions'],
  [/^<(?<bucket>[^>.]+)\.Arn>\/sbom\/\*$/, 'SBOM exports under sbom/ in the pipeline\'s own artifact bucket'],
  [/^<(?<bucket>[^>.]+)\.Arn>\/releases\/[A-Za-z0-9]+\/[A-Za-z0-9.@_-]+\/\*$/, 'the release archives and last-good pointer of one environment of one static-site pipeline (releases/<pipeline id>/<environment>/ in the pipeline\'s own artifact bucket); archives are named after the pipeline execution'],
  [/^<(?<bucket>[^>.]+)\.Arn>\/\*$/, 'objects inside one bucket this pipeline uses (artifact keys are generated per execution)'],
  [/:log-group:[^*]+:\*$/, 'log streams of the build\'s own log group; stream names are generated per build'],
  [/:report-group\/[^*]+-\*$/, 'report groups of this build project only; CodeBuild names them after the project'],
  [/:task-definition\/[^*]+:\*$/, 'revisions of the service\'s own task definition family; the deploy action creates a new revision each run'],
  [/:task-definition\/\*$/, 'task definitions of an imported service whose family is unknowable at synth time, limited to tagging at registration by the ecs:CreateAction condition'],
  [/:task\/[^*]+\/\*$/, 'tasks of the service\'s own cluster; task ids are generated by ECS'],
  [/:task-set\/[^*]+\/[^*]+\/\*$/, 'task sets of the one blue/green service; CodeDeploy creates a task set per deployment'],
  [/:listener-rule\/.+\/\*$/, 'rules of the service\'s own production and test listeners, which CodeDeploy switches between blue and green'],
];

/**
 * `<Fn.Arn>:*` in a statement that only invokes: aws-cdk-lib's `grantInvoke` of one function
 * (a traffic hook) names its versions and aliases.
 */
const INVOKE_QUALIFIERS_PATTERN = /^<[^>.]+\.Arn>:\*$/;
const INVOKE_QUALIFIERS_REASON = 'versions and aliases (function:<name>:<qualifier>) of the one function a Lambda invoke action invokes (aws-cdk-lib grantInvoke); the statement allows lambda:InvokeFunction only';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** One acknowledgement: a rule id, the finding inside it (cdk-nag 3 `Rule[Finding]`), a reason. */
export interface NagAcknowledgement {
  readonly ruleId: string;
  readonly finding?: string;
  readonly reason: string;
}

/**
 * Acknowledge cdk-nag rules on a resource, for cdk-nag 3 (`Validations.acknowledge`) and, as
 * `cdk_nag` template metadata, for cdk-nag 2 (written only when cdk-nag 2 will read it, see
 * `CDK_NAG_METADATA_CONTEXT`).
 */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  const viaApi: Array<{ id: string; reason: string }> = [];
  const viaMetadata: Record<string, string> = {};
  for (const ack of acks) {
    const id = ack.finding ? `${ack.ruleId}[${ack.finding}]` : ack.ruleId;
    if (id.split('::').length <= 2) {
      viaApi.push({ id, reason: ack.reason });
    } else {
      // Findings that name a pseudo parameter (`<AWS::Partition>`) hold more than one '::',
      // which Validations.acknowledge rejects as a prefix delimiter; cdk-nag 3 reads the same
      // metadata entry that acknowledge() would have written.
      viaMetadata[id] = ack.reason;
    }
  }
  if (viaApi.length > 0) {
    Validations.of(scope).acknowledge(...viaApi);
  }
  if (Object.keys(viaMetadata).length > 0) {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, viaMetadata);
  }
  const cfn = CfnResource.isCfnResource(scope) ? scope : (scope.node.defaultChild as CfnResource | undefined);
  if (cfn && CfnResource.isCfnResource(cfn)) {
    nagMetadata(cfn).record(cfn, acks);
  }
}

/**
 * Context key that decides whether the library writes its acknowledgements into the templates as
 * cdk-nag 2's `cdk_nag` metadata: `true` always, `false` never; unset, only when a cdk-nag 2 pack
 * is applied as an aspect anywhere in the stage. cdk-nag 3 reads the construct metadata that
 * `Validations.acknowledge` writes and needs none of it; the metadata holds every reason for five
 * packs and made up about a fifth of a pipeline's template.
 */
export const CDK_NAG_METADATA_CONTEXT = 'cdk-delivery-pipelines:cdkNagMetadata';

/**
 * Runs before cdk-nag 2's packs (AspectPriority.DEFAULT) and after the pipelines' deferred stages
 * (AspectPriority.MUTATING), so the acknowledgements of everything the stages create are in place
 * when a pack first visits a resource.
 */
const NAG_METADATA_PRIORITY = AspectPriority.MUTATING + 100;

interface Nag2Entry {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: string[];
}

/**
 * The cdk-nag 2 acknowledgements of one stage (the app or a nested `Stage`), and the synth-time
 * wildcard reviews that produce more of them. One aspect per stage decides, at the start of the
 * aspect pass, whether cdk-nag 2 will run: if so, it runs the reviews then (cdk-nag 2 judges while
 * the aspects run, before validation) and writes the metadata; if not, nothing is written.
 */
class NagMetadata {
  /** undefined until the aspect pass has decided. */
  private writing?: boolean;
  private readonly entries = new Map<CfnResource, Nag2Entry[]>();
  private readonly reviews: Array<() => void> = [];

  constructor(private readonly stage: IConstruct) {
    Aspects.of(stage).add({ visit: (node) => node === stage && this.start() }, { priority: NAG_METADATA_PRIORITY });
  }

  /** Remember (or, once cdk-nag 2 is known to run, write) acknowledgements of one resource. */
  public record(cfn: CfnResource, acks: NagAcknowledgement[]): void {
    if (this.writing === false) {
      return;
    }
    const entries = this.entries.get(cfn) ?? [];
    const key = (e: Nag2Entry) => `${e.id}|${(e.applies_to ?? []).join(',')}`;
    const seen = new Set(entries.map(key));
    for (const ack of acks) {
      const entry: Nag2Entry = { id: ack.ruleId, reason: ack.reason, ...(ack.finding ? { applies_to: [ack.finding] } : {}) };
      if (!seen.has(key(entry))) {
        seen.add(key(entry));
        entries.push(entry);
      }
    }
    this.entries.set(cfn, entries);
    if (this.writing) {
      write(cfn, entries);
    }
  }

  /** A review that must run before cdk-nag 2 judges, if it does (it runs at validation otherwise). */
  public addReview(review: () => void): void {
    this.reviews.push(review);
    if (this.writing) {
      review();
    }
  }

  private start(): void {
    if (this.writing !== undefined) {
      return;
    }
    this.writing = wantsNagMetadata(this.stage);
    if (this.writing) {
      this.reviews.forEach((review) => review());
      this.entries.forEach((entries, cfn) => write(cfn, entries));
    } else {
      this.entries.clear();
    }
  }
}

function write(cfn: CfnResource, entries: Nag2Entry[]): void {
  cfn.addMetadata('cdk_nag', { rules_to_suppress: [...entries] });
}

const NAG_METADATA = Symbol.for('cdk-delivery-pipelines.nagMetadata');

/** The NagMetadata of the stage `scope` is synthesized in. */
function nagMetadata(scope: IConstruct): NagMetadata {
  return perStage(scope, NAG_METADATA, (stage) => new NagMetadata(stage));
}

/** Whether cdk-nag 2 will read the acknowledgements: the context key, or a pack among the aspects. */
function wantsNagMetadata(stage: IConstruct): boolean {
  const value = stage.node.tryGetContext(CDK_NAG_METADATA_CONTEXT);
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  if (value !== undefined) {
    fail(stage, `context ${CDK_NAG_METADATA_CONTEXT}`, `is ${show(value)}, not a boolean`,
      'set it to true (always write the cdk-nag 2 acknowledgements into the templates), false (never), or leave it unset (only when a cdk-nag 2 pack is applied)');
  }
  return stage.node.findAll().some((c) => Aspects.of(c).all.some(isNag2Pack));
}

/** A cdk-nag 2 rule pack (`NagPack`, an aspect); cdk-nag 3 packs are validation plugins, not aspects. */
function isNag2Pack(aspect: IAspect): boolean {
  const pack = aspect as unknown as { readPackName?: unknown };
  return typeof pack.readPackName === 'string';
}

/**
 * Rule id prefixes of the cdk-nag compliance packs the library is checked against (besides
 * AwsSolutions): NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless.
 */
export const NagPackPrefix = {
  NIST_800_53_R5: 'NIST.800.53.R5',
  HIPAA_SECURITY: 'HIPAA.Security',
  PCI_DSS_321: 'PCI.DSS.321',
  SERVERLESS: 'Serverless',
} as const;

/**
 * Acknowledge one compliance rule (e.g. `S3BucketReplicationEnabled`) on a resource in each of
 * the given packs, with one reason: the packs share rule names, not rule ids.
 */
export function acknowledgeInPacks(scope: IConstruct, rule: string, packs: string[], reason: string): void {
  acknowledge(scope, ...packs.map((pack) => ({ ruleId: `${pack}-${rule}`, reason })));
}

/** Why a rollback alarm needs no alarm action (the compliance packs' CloudWatchAlarmAction rule). */
export const ROLLBACK_ALARM_REASON =
  'Rollback alarm: the deployment (CodeDeploy, or the CodePipeline Lambda deploy action) watches it and rolls back while it is in ALARM; ' +
  'it needs no alarm action of its own, and the failed deployment is announced by the pipeline\'s failure notifications';

/** Why an e-mail subscription needs no dead-letter queue (the Serverless pack's SNSRedrivePolicy rule). */
export const EMAIL_SUBSCRIPTION_REASON =
  'E-mail subscription for people: a dead-letter queue would keep undeliverable e-mails where nobody reads them; ' +
  'failed deliveries show in the topic\'s NumberOfNotificationsFailed metric, and the pipeline itself records every execution';

/** Why the compliance packs' "no inline policy" rule does not apply to the pipeline's policies. */
const INLINE_POLICY_REASON =
  'Each policy belongs to exactly one role of this pipeline and names only that role\'s resources; ' +
  'a customer managed policy could be attached to other principals and would outlive the role';

/**
 * Register, on `root`, a synth-time pass that acknowledges the IAM wildcard findings
 * (AwsSolutions-IAM5) of every IAM policy below it whose wildcards are on the reviewed lists
 * above. It runs at synthesis, when the policies are complete, because cdk-nag names each
 * finding after the resolved resource (e.g. `Resource::<ArtifactsBucket1234.Arn>/*`): at
 * validation, or at the start of the aspect pass when a cdk-nag 2 pack will judge during it.
 * The same pass acknowledges the compliance packs' IAMNoInlinePolicy rule on those policies
 * (aws-cdk-lib grants write one policy per role), including policies added after construction.
 */
export function acknowledgeReviewedWildcards(root: IConstruct): void {
  let done = false;
  const review = () => {
    // Validation runs again on every re-synthesis; the acknowledgements must not pile up.
    if (done) {
      return;
    }
    done = true;
    const buckets = stackBuckets(Stack.of(root));
    for (const node of root.node.findAll()) {
      if (node instanceof iam.CfnPolicy) {
        acknowledgePolicyWildcards(node, node.policyDocument, { buckets });
        acknowledgeInPacks(node, 'IAMNoInlinePolicy',
          [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321], INLINE_POLICY_REASON);
      }
    }
  };
  // cdk-nag 2 judges during the aspect pass: then the review runs at its start instead.
  nagMetadata(root).addReview(review);
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
function acknowledgePolicyWildcards(policy: iam.CfnPolicy, document: unknown, context: ReviewContext): void {
  const stack = Stack.of(policy);
  const resolved = stack.resolve(document as IResolvable) as { Statement?: Statement[] };
  const acks = new Map<string, NagAcknowledgement>();
  const unexplained = new Set<string>();
  for (const statement of resolved.Statement ?? []) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    const explained = new Map(reviewedFindings(statement, context).map((a) => [a.finding!, a]));
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

/** The IAM5 findings of one statement that the reviewed lists explain, with their reasons. */
export function reviewedFindings(statement: Statement, context: ReviewContext = {}): NagAcknowledgement[] {
  const actions = toArray(statement.Action) as string[];
  const resources = toArray(statement.Resource).map(flattenReference);
  const out: NagAcknowledgement[] = [];
  for (const action of actions.filter((a) => a.includes('*'))) {
    const reason = ACTION_WILDCARD_REASONS[action];
    if (reason) {
      out.push({ ruleId: 'AwsSolutions-IAM5', finding: `Action::${action}`, reason });
    }
  }
  for (const resource of resources.filter((r) => r.includes('*'))) {
    if (resource === '*') {
      const reasons = actions.map((a) => RESOURCE_STAR_REASONS[a]);
      if (actions.length > 0 && reasons.every((r) => r !== undefined)) {
        out.push({ ruleId: 'AwsSolutions-IAM5', finding: 'Resource::*', reason: unique(reasons).join('; ') });
      }
      continue;
    }
    if (INVOKE_QUALIFIERS_PATTERN.test(resource) && actions.length > 0 && actions.every((a) => a === 'lambda:InvokeFunction')) {
      out.push({ ruleId: 'AwsSolutions-IAM5', finding: `Resource::${resource}`, reason: `Wildcard limited to ${INVOKE_QUALIFIERS_REASON}` });
      continue;
    }
    const match = RESOURCE_PATTERN_REASONS.find(([pattern]) => {
      const m = pattern.exec(resource);
      // An object wildcard is reviewed only for a bucket of the stack (not any `<X.Arn>/*`).
      return m !== null && (m.groups?.bucket === undefined || context.buckets === undefined || context.buckets.has(m.groups.bucket));
    });
    if (match) {
      out.push({ ruleId: 'AwsSolutions-IAM5', finding: `Resource::${resource}`, reason: `Wildcard limited to ${match[1]}` });
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
