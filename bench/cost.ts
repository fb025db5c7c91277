/**
 * Fixed monthly cost of the resources in a synthesized CloudFormation template: what the
 * resources cost per month just by existing, before any build, deployment or storage.
 * Usage-based charges (build minutes, action minutes, storage, requests, notifications) are
 * not fixed and are left out.
 *
 * Prices: us-east-1, list prices as published on the AWS pricing pages, read on
 * `PRICES.checked`. Used by `npm run bench` (docs/benchmarks.md) and `npm run demo`.
 */

/** The list prices the estimate uses (USD). */
export const PRICES = {
  checked: '2026-11-26',
  region: 'us-east-1',
  /** AWS KMS: each customer managed key, per month (prorated hourly). */
  kmsKey: 1.0,
  /**
   * AWS KMS: each automatic rotation adds $1/month for the first two rotations; since the
   * April 2024 change a key costs at most $3/month however often it rotated.
   */
  kmsRotatedKeyCap: 3.0,
  /** CloudWatch: per metric of a standard-resolution alarm (period >= 60 s), per month. */
  standardAlarmMetric: 0.1,
  /** CloudWatch: per metric of a high-resolution alarm (period < 60 s), per month. */
  highResolutionAlarmMetric: 0.3,
  /** CloudWatch: per composite alarm, per month. */
  compositeAlarm: 0.5,
  /** CodePipeline V1: per active pipeline (a change ran through it that month), per month. */
  pipelineV1Active: 1.0,
  /** CodePipeline V2: no monthly fee; per action execution minute (manual approvals free). */
  pipelineV2ActionMinute: 0.002,
  /** Secrets Manager: per secret, per month. */
  secret: 0.4,
  /** Route 53: per hosted zone, per month (first 25 zones). */
  hostedZone: 0.5,
  /** AWS WAF: per web ACL, per month, plus per rule. */
  webAcl: 5.0,
  webAclRule: 1.0,
} as const;

/** One kind of fixed-price resource found in the template. */
export interface CostLine {
  /** What it is, e.g. "KMS key". */
  readonly item: string;
  /** How many the template has (alarm metrics for alarms). */
  readonly count: number;
  /** Unit of `count`, singular and plural, e.g. ["KMS key", "KMS keys"]. */
  readonly unit: readonly [string, string];
  /** USD per unit per month. */
  readonly unitPrice: number;
  /** USD per month for all of them. */
  readonly monthly: number;
}

/** The fixed monthly cost of a template (or part of one). */
export interface FixedCost {
  /** USD per month. */
  readonly monthly: number;
  readonly lines: readonly CostLine[];
  /** Resources of a usage-priced type, by type (no fixed monthly charge). */
  readonly usageBased: Readonly<Record<string, number>>;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

/** A resource filter, e.g. `underPath('Stack/Pipeline')`. */
export type ResourceFilter = (logicalId: string, resource: CfnResource) => boolean;

/** Resources whose construct path (`aws:cdk:path` metadata) is `path` or below it. */
export function underPath(path: string): ResourceFilter {
  return (_id, r) => {
    const p: string = r.Metadata?.['aws:cdk:path'] ?? '';
    return p === path || p.startsWith(`${path}/`);
  };
}

/** Estimate the fixed monthly cost of the resources of `template` that pass `filter`. */
export function fixedMonthlyCost(template: { Resources?: Record<string, CfnResource> }, filter: ResourceFilter = () => true): FixedCost {
  const counts = { keys: 0, standardMetrics: 0, highResMetrics: 0, composite: 0, v1: 0, secrets: 0, zones: 0, acls: 0, rules: 0 };
  const usageBased: Record<string, number> = {};
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (!filter(id, r)) {
      continue;
    }
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::KMS::Key':
        counts.keys++;
        break;
      case 'AWS::CloudWatch::Alarm': {
        // Billed per metric the alarm evaluates; metric math expressions themselves are free.
        const metrics = Array.isArray(p.Metrics) ? p.Metrics.filter((m: any) => m.MetricStat).length : 1;
        const period = Array.isArray(p.Metrics) ? Math.min(...p.Metrics.map((m: any) => m.MetricStat?.Period ?? 60)) : p.Period ?? 60;
        if (period < 60) {
          counts.highResMetrics += metrics;
        } else {
          counts.standardMetrics += metrics;
        }
        break;
      }
      case 'AWS::CloudWatch::CompositeAlarm':
        counts.composite++;
        break;
      case 'AWS::CodePipeline::Pipeline':
        if ((p.PipelineType ?? 'V1') === 'V1') {
          counts.v1++;
        } else {
          usageBased[r.Type] = (usageBased[r.Type] ?? 0) + 1;
        }
        break;
      case 'AWS::SecretsManager::Secret':
        counts.secrets++;
        break;
      case 'AWS::Route53::HostedZone':
        counts.zones++;
        break;
      case 'AWS::WAFv2::WebACL':
        counts.acls++;
        counts.rules += Array.isArray(p.Rules) ? p.Rules.length : 0;
        break;
      default:
        usageBased[r.Type] = (usageBased[r.Type] ?? 0) + 1;
    }
  }
  const lines: CostLine[] = [];
  const add = (item: string, count: number, unit: readonly [string, string], unitPrice: number) => {
    if (count > 0) {
      lines.push({ item, count, unit, unitPrice, monthly: round(count * unitPrice) });
    }
  };
  add('KMS customer managed key', counts.keys, ['KMS key', 'KMS keys'], PRICES.kmsKey);
  add('CloudWatch alarm (standard resolution)', counts.standardMetrics, ['alarm', 'alarms'], PRICES.standardAlarmMetric);
  add('CloudWatch alarm (high resolution)', counts.highResMetrics, ['high-resolution alarm', 'high-resolution alarms'], PRICES.highResolutionAlarmMetric);
  add('CloudWatch composite alarm', counts.composite, ['composite alarm', 'composite alarms'], PRICES.compositeAlarm);
  add('CodePipeline V1 pipeline (when active)', counts.v1, ['V1 pipeline', 'V1 pipelines'], PRICES.pipelineV1Active);
  add('Secrets Manager secret', counts.secrets, ['secret', 'secrets'], PRICES.secret);
  add('Route 53 hosted zone', counts.zones, ['hosted zone', 'hosted zones'], PRICES.hostedZone);
  add('WAF web ACL', counts.acls, ['web ACL', 'web ACLs'], PRICES.webAcl);
  add('WAF rule', counts.rules, ['WAF rule', 'WAF rules'], PRICES.webAclRule);
  return { monthly: round(lines.reduce((sum, l) => sum + l.monthly, 0)), lines, usageBased };
}

/** `~$1.20/month (1 KMS key, 2 alarms)`. */
export function formatCost(cost: FixedCost): string {
  const what = cost.lines.map((l) => `${l.count} ${l.unit[l.count === 1 ? 0 : 1]}`).join(', ');
  return `~${usd(cost.monthly)}/month (${what || 'no fixed-price resources'})`;
}

/** `$1.20`. */
export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

function round(amount: number): number {
  return Math.round(amount * 100) / 100;
}
