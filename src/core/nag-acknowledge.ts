import { AspectPriority, Aspects, CfnResource, IAspect, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { perStage } from './per-stage';
import { fail, show } from './validation';

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
  /** The cdk-nag 2 packs that run (their names are the rule id prefixes); undefined: all. */
  private packs?: string[];
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
      write(cfn, entries, this.packs);
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
    const packs = nag2Packs(this.stage);
    this.writing = wantsNagMetadata(this.stage, packs);
    // Only the rules of the packs that run (all of them when the context key asks for the metadata
    // without a pack in the tree): most apps apply AwsSolutions alone, and the other four packs'
    // acknowledgements were half of the metadata.
    this.packs = packs.length > 0 ? packs : undefined;
    if (this.writing) {
      this.reviews.forEach((review) => review());
      this.entries.forEach((entries, cfn) => write(cfn, entries, this.packs));
    } else {
      this.entries.clear();
    }
  }
}

/**
 * Write a resource's cdk-nag 2 acknowledgements: only those of the packs that run, and one entry
 * per rule and reason, its findings merged into one `applies_to` (cdk-nag 2 matches any of them),
 * so a reason shared by several findings is written once.
 */
function write(cfn: CfnResource, entries: Nag2Entry[], packs: string[] | undefined): void {
  const merged = new Map<string, { id: string; reason: string; applies_to?: string[] }>();
  for (const entry of entries) {
    if (packs && !packs.some((pack) => entry.id.startsWith(`${pack}-`))) {
      continue;
    }
    const key = `${entry.id}\n${entry.applies_to ? 'findings' : 'rule'}\n${entry.reason}`;
    const existing = merged.get(key);
    if (existing?.applies_to && entry.applies_to) {
      existing.applies_to.push(...entry.applies_to.filter((f) => !existing.applies_to!.includes(f)));
    } else if (!existing) {
      merged.set(key, { ...entry, ...(entry.applies_to ? { applies_to: [...entry.applies_to] } : {}) });
    }
  }
  cfn.addMetadata('cdk_nag', { rules_to_suppress: [...merged.values()] });
}

const NAG_METADATA = Symbol.for('cdk-delivery-pipelines.nagMetadata');

/** The NagMetadata of the stage `scope` is synthesized in. */
function nagMetadata(scope: IConstruct): NagMetadata {
  return perStage(scope, NAG_METADATA, (stage) => new NagMetadata(stage));
}

/**
 * Register a review that writes more acknowledgements once the tree is complete: it runs at the
 * start of the aspect pass when cdk-nag 2 will judge during it (the caller also runs it at
 * validation, for cdk-nag 3). @internal
 */
export function addNagReview(scope: IConstruct, review: () => void): void {
  nagMetadata(scope).addReview(review);
}

/** Whether cdk-nag 2 will read the acknowledgements: the context key, or a pack among the aspects. */
function wantsNagMetadata(stage: IConstruct, packs: string[]): boolean {
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
  return packs.length > 0;
}

/**
 * The names of the cdk-nag 2 packs applied as aspects to the stage, anything in it, or a scope
 * above it (a pack on the app reaches the stages inside it).
 */
function nag2Packs(stage: IConstruct): string[] {
  const scopes = [...stage.node.scopes, ...stage.node.findAll().slice(1)];
  const names = scopes.flatMap((c) => Aspects.of(c).all.filter(isNag2Pack).map((pack) => pack.readPackName));
  return [...new Set(names)];
}

/** A cdk-nag 2 rule pack (`NagPack`, an aspect); cdk-nag 3 packs are validation plugins, not aspects. */
function isNag2Pack(aspect: IAspect): aspect is IAspect & { readonly readPackName: string } {
  return typeof (aspect as { readPackName?: unknown }).readPackName === 'string';
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
