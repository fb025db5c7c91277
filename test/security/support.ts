/**
 * Shared by the security gates (jest tests in this folder and `test:security`'s synth step):
 * synthesize every registered example app, tell the pipelines' own resources from the app's,
 * run the cdk-nag packs while recording what the library acknowledged, and list IAM statements.
 */
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { IConstruct } from 'constructs';
import { EXAMPLES, ExampleApp } from '../../examples/registry';
import { ArtifactStore, DeliveryPipeline, StaticSiteHosting } from '../../src';
import { flattenReference, ownedScopesOf } from '../../src/core/wildcard-review';
import { RESOURCE_STAR_REASONS } from '../wildcard-reviews';

/**
 * The context every gate synthesizes with: the currently recommended feature flags (as `cdk init`
 * writes them into cdk.json) and, as the cdk CLI asks for it, each resource's construct path in
 * the templates (`aws:cdk:path`), which tells the pipelines' resources from the app's.
 */
export const GATE_CONTEXT = {
  ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
  [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
};

/**
 * The library's own constructs, whose resources the gates judge: every construct that is an
 * instance of one of these classes, with everything below it. A new library construct is judged
 * once it is added here (and used by a registered example). Every other resource of an example
 * (its VPC, services, functions) is the app's: counted, not judged.
 */
export const LIBRARY_CONSTRUCTS: ReadonlyArray<abstract new (...args: any[]) => IConstruct> = [
  DeliveryPipeline,
  StaticSiteHosting,
  // A store shared by several pipelines (or a site's release store in the site's account).
  ArtifactStore,
];

/** Whether `construct` is one of the library's own constructs (LIBRARY_CONSTRUCTS). */
export function isLibraryConstruct(construct: IConstruct): boolean {
  return LIBRARY_CONSTRUCTS.some((cls) => construct instanceof cls);
}

/** A new stack in a new app with the gates' context (and `context`), in the fixed example environment. */
export function newGateStack(context: Record<string, unknown> = {}): Stack {
  return new Stack(new App({ context: { ...GATE_CONTEXT, ...context } }), 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
}

/** One example app, built and synthesized. */
export interface SynthesizedExample {
  readonly example: ExampleApp;
  readonly app: App;
  readonly assembly: cxapi.CloudAssembly;
  /** Every stack of the app. */
  readonly stacks: Stack[];
  /** Every delivery pipeline construct in the app (whatever its class). */
  readonly pipelines: DeliveryPipeline[];
  /** Every library construct in the app (LIBRARY_CONSTRUCTS): the pipelines and the other constructs the gates judge. */
  readonly libraryConstructs: IConstruct[];
}

/**
 * Build `example` into a new app with the gates' context (GATE_CONTEXT) and synthesize it, into
 * `outdir` when given. No validation plugin is added: the gates run the cdk-nag packs
 * themselves, after synthesis (when the library's synth-time acknowledgements are in place).
 */
export function synthesizeExample(example: ExampleApp, outdir?: string): SynthesizedExample {
  const app = new App({ outdir, context: GATE_CONTEXT });
  example.build(app);
  const assembly = app.synth();
  const all = app.node.findAll();
  const pipelines = all.filter((c): c is DeliveryPipeline => c instanceof DeliveryPipeline);
  return {
    example,
    app,
    assembly,
    stacks: all.filter((c): c is Stack => Stack.isStack(c)),
    pipelines,
    // What a pipeline creates in a workload's or support stack of another account or region is
    // the library's as well: judged like what it creates below itself.
    libraryConstructs: [...all.filter(isLibraryConstruct), ...pipelines.flatMap(ownedScopesOf)],
  };
}

let synthesized: SynthesizedExample[] | undefined;

/** Every registered example, synthesized once per test file. */
export function synthesizedExamples(): SynthesizedExample[] {
  synthesized ??= EXAMPLES.map((example) => synthesizeExample(example));
  return synthesized;
}

/**
 * Whether a construct path is a judged construct or below one. Called with the library
 * constructs' paths (libraryPathsOf) by the gates; "pipeline" in the name is historical.
 */
export function inPipeline(path: string, pipelinePaths: string[]): boolean {
  return pipelinePaths.some((p) => path === p || path.startsWith(`${p}/`));
}

/** Construct paths of the pipelines of an example. */
export function pipelinePathsOf(ex: SynthesizedExample): string[] {
  return ex.pipelines.map((p) => p.node.path);
}

/** Construct paths of the library constructs of an example (the pipelines and e.g. StaticSiteHosting): what the gates judge. */
export function libraryPathsOf(ex: SynthesizedExample): string[] {
  return ex.libraryConstructs.map((c) => c.node.path);
}

/** One resource of a synthesized template. */
export interface TemplateResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** The construct path (`aws:cdk:path` metadata, without the leading slash). */
  readonly path: string;
  /** Whether the resource belongs to one of the library's constructs (a pipeline, StaticSiteHosting, ...): judged by the gates. */
  readonly inPipeline: boolean;
  readonly resource: any;
}

/** Every resource of every stack template of the example. */
export function templateResources(ex: SynthesizedExample): TemplateResource[] {
  const pipelines = libraryPathsOf(ex);
  return ex.assembly.stacks.flatMap((artifact) => resourcesOf(artifact.stackName, artifact.template, pipelines));
}

/** Every resource of one template, classified by the pipelines' construct paths. */
export function resourcesOf(stackName: string, template: any, pipelinePaths: string[]): TemplateResource[] {
  return Object.entries<any>(template.Resources ?? {}).map(([logicalId, resource]) => {
    const path = String(resource.Metadata?.['aws:cdk:path'] ?? '').replace(/^\//, '');
    if (path === '') {
      // Without it every resource would silently count as the app's, outside the gates.
      throw new Error(`${stackName}/${logicalId} has no aws:cdk:path metadata: synthesize with path metadata (synthesizeExample())`);
    }
    return { stack: stackName, logicalId, type: resource.Type, path, inPipeline: inPipeline(path, pipelinePaths), resource };
  });
}

/** The cdk-nag packs every example is checked with. */
export const NAG_PACKS: ReadonlyArray<{ readonly name: string; readonly create: () => NagPack }> = [
  { name: 'AwsSolutions', create: () => new AwsSolutionsChecks() },
  { name: 'NIST 800-53 R5', create: () => new NIST80053R5Checks() },
  { name: 'HIPAA Security', create: () => new HIPAASecurityChecks() },
  { name: 'PCI DSS 3.2.1', create: () => new PCIDSS321Checks() },
  { name: 'Serverless', create: () => new ServerlessChecks() },
];

/** One cdk-nag finding (rule id, with `[finding]` for rules that report several). */
export interface NagFinding {
  readonly ruleId: string;
  readonly path: string;
  /** Whether the resource belongs to one of the library's constructs (judged). */
  readonly inPipeline: boolean;
}

/** A finding that an acknowledgement answered, with its reason. */
export interface AcknowledgedFinding extends NagFinding {
  readonly reason: string;
  /** Construct path where the acknowledgement was made (the resource or an ancestor). */
  readonly acknowledgedOn: string;
}

/** What one pack says about one app. */
export interface NagPackResult {
  readonly pack: string;
  /** Findings nobody acknowledged. */
  readonly remaining: NagFinding[];
  /** Findings an acknowledgement answered (before acknowledgement = remaining + acknowledged). */
  readonly acknowledged: AcknowledgedFinding[];
}

/**
 * Run one pack over `scope` (call after `app.synth()`), recording each finding that an
 * acknowledgement answered: cdk-nag 3 reports only unacknowledged findings, and asks its
 * (private) `isAcknowledged` for each non-compliant resource, so the count before
 * acknowledgement is read there.
 */
export function runNagPack(pack: NagPack, name: string, scope: IConstruct, pipelinePaths: string[]): NagPackResult {
  const acknowledged: AcknowledgedFinding[] = [];
  const hooked = pack as unknown as { isAcknowledged?: (node: CfnResource, ruleId: string) => boolean };
  if (typeof hooked.isAcknowledged !== 'function') {
    throw new Error('cdk-nag no longer has NagPack.isAcknowledged: update runNagPack in test/security/support.ts');
  }
  hooked.isAcknowledged = (node: CfnResource, ruleId: string) => {
    const ack = findAcknowledgement(node, ruleId);
    if (ack) {
      acknowledged.push({ ruleId, path: node.node.path, inPipeline: inPipeline(node.node.path, pipelinePaths), ...ack });
    }
    return ack !== undefined;
  };
  const report = pack.validateScope(scope);
  const remaining = report.violations.flatMap((v) => v.violatingResources.map((r) => ({
    ruleId: v.ruleName,
    path: r.constructPath ?? '',
    inPipeline: inPipeline(r.constructPath ?? '', pipelinePaths),
  })));
  return { pack: name, remaining, acknowledged };
}

/** The acknowledgement cdk-nag 3 would find for `ruleId` on `node` or an ancestor, as it looks for it. */
function findAcknowledgement(node: IConstruct, ruleId: string): { reason: string; acknowledgedOn: string } | undefined {
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) {
        continue;
      }
      for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (key.replace(/^annotation::/i, '') === ruleId) {
          return { reason: String(reason), acknowledgedOn: current.node.path };
        }
      }
    }
  }
  return undefined;
}

/** Every pack over every stack of the example. */
export function runNagPacks(ex: SynthesizedExample): NagPackResult[] {
  const pipelines = libraryPathsOf(ex);
  return NAG_PACKS.map(({ name, create }) => {
    const results = ex.stacks.map((stack) => runNagPack(create(), name, stack, pipelines));
    return {
      pack: name,
      remaining: results.flatMap((r) => r.remaining),
      acknowledged: results.flatMap((r) => r.acknowledged),
    };
  });
}

/** Where an IAM statement was found. */
export interface LocatedStatement {
  readonly example: string;
  readonly resource: TemplateResource;
  /** 'identity' (IAM policies, inline role policies) or 'resource' (bucket, topic, key, repository policies). */
  readonly kind: 'identity' | 'resource';
  readonly statement: any;
}

/** Every statement of every identity and resource policy in the example's templates. */
export function policyStatements(ex: SynthesizedExample): LocatedStatement[] {
  return statementsOf(ex.example.name, templateResources(ex));
}

/** Every statement of every identity and resource policy among `resources`. */
export function statementsOf(example: string, resources: TemplateResource[]): LocatedStatement[] {
  const out: LocatedStatement[] = [];
  const add = (resource: TemplateResource, kind: 'identity' | 'resource', document: any) => {
    const doc = typeof document === 'string' ? JSON.parse(document) : document;
    for (const statement of asArray(doc?.Statement)) {
      out.push({ example, resource, kind, statement });
    }
  };
  for (const r of resources) {
    const p = r.resource.Properties ?? {};
    switch (r.type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(r, 'identity', p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
      case 'AWS::IAM::User':
      case 'AWS::IAM::Group':
        // Inline policies; the role's trust policy (AssumeRolePolicyDocument) grants no permissions.
        for (const inline of asArray(p.Policies)) {
          add(r, 'identity', inline.PolicyDocument);
        }
        break;
      case 'AWS::KMS::Key':
        add(r, 'resource', p.KeyPolicy);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        add(r, 'resource', p.PolicyDocument);
        break;
      case 'AWS::ECR::Repository':
        if (p.RepositoryPolicyText) {
          add(r, 'resource', p.RepositoryPolicyText);
        }
        break;
      default:
        break;
    }
  }
  return out;
}

/** A value or list as a list. */
export function asArray<T = any>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** Where a statement is, for failure messages. */
export function where(s: LocatedStatement): string {
  return `${s.example}:${s.resource.path}${s.statement.Sid ? `#${s.statement.Sid}` : ''}`;
}

/** Whether an IAM action pattern (with `*` and `?`) covers `action`. */
export function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return regex.test(action);
}

/** `*` or `service:*`: every action, or every action of a service. */
export function isActionWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

/**
 * The default key policy statement that delegates a KMS key to the account's IAM policies
 * (principal: the account root, `kms:*` on the key, no condition). In a key policy `Resource: "*"`
 * means the key itself.
 */
export function isAccountRootDelegation(s: LocatedStatement): boolean {
  const principal = s.statement.Principal ?? {};
  const root = flattenReference(principal.AWS);
  return s.resource.type === 'AWS::KMS::Key' && Object.keys(principal).length === 1 &&
    /^arn:(aws[a-z-]*|<AWS::Partition>):iam::(\d{12}|<AWS::AccountId>):root$/.test(root) &&
    JSON.stringify(asArray(s.statement.Action)) === '["kms:*"]' && s.statement.Resource === '*' && s.statement.Condition === undefined;
}

/** Whether a policy resource names an IAM role: a role of the template, a literal role ARN, or a joined one. */
export function isRoleArn(resource: any, roleIds: Set<string>): boolean {
  if (typeof resource === 'string') {
    return /^arn:aws[a-z-]*:iam::\d{12}:role\/[^*]+$/.test(resource);
  }
  if (resource?.['Fn::GetAtt']) {
    return roleIds.has(resource['Fn::GetAtt'][0]) && resource['Fn::GetAtt'][1] === 'Arn';
  }
  const flat = flattenReference(resource);
  return /:iam::[^:]*:role\//.test(flat) && !flat.includes('*');
}

/**
 * The least-privilege rules, as messages naming each violation (none: the policies pass):
 * `Resource: "*"` in identity policies only for actions on RESOURCE_STAR_REASONS; no `*` or
 * `service:*` action granted by the pipelines' resources (the KMS default key policy aside); no
 * NotAction/NotResource grants; `iam:PassRole` named exactly, scoped to role ARNs and
 * conditioned on `iam:PassedToService`.
 */
export function leastPrivilegeViolations(statements: LocatedStatement[], roleIds: Set<string>): string[] {
  const out: string[] = [];
  for (const s of statements.filter((x) => x.statement.Effect === 'Allow')) {
    const actions = asArray<string>(s.statement.Action);
    const resources = asArray(s.statement.Resource);
    if (s.statement.NotAction !== undefined || s.statement.NotResource !== undefined) {
      out.push(`${where(s)}: Allow with NotAction/NotResource`);
    }
    if (s.kind === 'identity' && resources.includes('*')) {
      for (const action of actions.filter((a) => RESOURCE_STAR_REASONS[a] === undefined)) {
        out.push(`${where(s)}: ${action} on Resource "*" is not on the reviewed allow-list`);
      }
    }
    if (s.resource.inPipeline && !isAccountRootDelegation(s)) {
      for (const action of actions.filter(isActionWildcard)) {
        out.push(`${where(s)}: grants ${action}`);
      }
    }
    if (actions.some((a) => covers(a, 'iam:PassRole'))) {
      if (!actions.includes('iam:PassRole')) {
        out.push(`${where(s)}: iam:PassRole through a wildcard action`);
      }
      if (resources.length === 0 || !resources.every((r) => isRoleArn(r, roleIds))) {
        out.push(`${where(s)}: iam:PassRole not scoped to role ARNs (${JSON.stringify(resources)})`);
      }
      const condition = s.statement.Condition ?? {};
      const service = condition.StringEquals?.['iam:PassedToService'] ?? condition.StringLike?.['iam:PassedToService'];
      if (service === undefined || JSON.stringify(service).includes('*')) {
        out.push(`${where(s)}: iam:PassRole without an iam:PassedToService condition`);
      }
    }
  }
  return out;
}
