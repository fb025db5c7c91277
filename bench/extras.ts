/**
 * Which default each extra resource of our pipelines serves, against the hand-written one.
 * The benchmark compares resource types per pipeline; each extra resource of ours is named
 * after the construct that creates it (its `aws:cdk:path` below the pipeline), matched here.
 */

/** One default and the construct paths (below the pipeline) of the resources it adds. */
export interface DefaultRule {
  /** Path below the pipeline construct, e.g. `ArtifactStore/Key/Resource`. */
  readonly path: RegExp;
  /** The default the resource serves. */
  readonly serves: string;
  /** Whether the user opted in (a prop), rather than an always-on default. */
  readonly optIn?: string;
}

export const DEFAULT_RULES: readonly DefaultRule[] = [
  { path: /^ArtifactStore\/Key\//, serves: 'artifact encryption: customer managed KMS key with rotation (also encrypts builds, logs and topics)' },
  { path: /^ArtifactStore\/AccessLogs\/Resource$/, serves: 'S3 server access logs of the artifact bucket (log bucket: SSE-S3, versioned, expiring)' },
  { path: /^ArtifactStore\/AccessLogs\/Policy\//, serves: 'S3 server access logs: SSL-only policy of the log bucket, log delivery grant' },
  { path: /BuildLogs\/Resource$/, serves: 'build logs in a log group with retention (90 days), retained' },
  { path: /TestReports\/Resource$/, serves: 'JUnit test reports in a retained report group', optIn: 'buildOptions.testReportDirectory' },
  { path: /BuildCacheRepository\/Resource$/, serves: 'registry layer cache: separate ECR cache repository (release tags stay immutable)' },
  { path: /NotificationTopic\/Resource$/, serves: 'failure notifications: KMS-encrypted SNS topic', optIn: 'notifications.emails' },
  { path: /NotificationTopic\/Policy\//, serves: 'failure notifications: SSL-only topic policy', optIn: 'notifications.emails' },
  { path: /NotificationTopic\/.+\/Resource$/, serves: 'failure notifications: e-mail subscription', optIn: 'notifications.emails' },
  { path: /\/Notifications\/Resource$/, serves: 'failure notifications: CodeStar notification rule (failed, approval needed)', optIn: 'notifications.emails' },
  { path: /ApprovalTopic\/Resource$/, serves: 'approval notifications: KMS-encrypted SNS topic', optIn: 'approval.emails' },
  { path: /ApprovalTopic\/Policy\//, serves: 'approval notifications: SSL-only topic policy', optIn: 'approval.emails' },
  { path: /ApprovalTopic\/.+\/Resource$/, serves: 'approval notifications: e-mail subscription', optIn: 'approval.emails' },
  { path: /Approve\/CodePipelineActionRole\/DefaultPolicy\/Resource$/, serves: 'approval notifications: the approval may publish to its encrypted topic', optIn: 'approval.emails' },
  { path: /(Errors|Throttles)Alarm\/Resource$/, serves: 'rollback alarms: Errors > 0 and Throttles > 0 on each alias' },
  { path: /Green(5xx|UnhealthyHosts)Alarm\/Resource$/, serves: 'rollback alarms of the blue/green deployment' },
  {
    path: /Deploy\/Project\/Resource$/,
    serves: 'a deploy project per environment (upload with cache headers, invalidation, post-deploy check, rollback to the last good release), ' +
      'whose role reaches only that environment\'s bucket and distribution; the hand-written pipeline shares one invalidation project',
  },
  { path: /Deploy\/ProjectLogs\/Resource$/, serves: 'deploy logs of each environment in a log group with retention, retained' },
];

interface CfnResource {
  readonly Type: string;
  readonly Metadata?: Record<string, any>;
}

/** One resource type that differs between our pipeline and the hand-written one. */
export interface TypeDifference {
  readonly type: string;
  /** Per pipeline. */
  readonly ours: number;
  readonly hand: number;
  /** The defaults our extra resources of this type serve (empty for types the hand-written has more of). */
  readonly serves: Array<{ readonly serves: string; readonly count: number; readonly optIn?: string }>;
}

/**
 * Compare the resources of one pipeline of ours (construct path `oursRoot`) with one
 * hand-written pipeline (`handRoot`), by type, and name the default behind each extra one.
 */
export function compareResources(
  ours: Record<string, CfnResource>, oursRoot: string,
  hand: Record<string, CfnResource>, handRoot: string,
): TypeDifference[] {
  const below = (resources: Record<string, CfnResource>, root: string) =>
    Object.values(resources).map((r) => ({ r, path: pathOf(r) })).filter((x) => x.path.startsWith(`${root}/`))
      .map((x) => ({ type: x.r.Type, path: x.path.slice(root.length + 1) }));
  const oursBelow = below(ours, oursRoot);
  const handBelow = below(hand, handRoot);
  const count = (list: Array<{ type: string }>, type: string) => list.filter((x) => x.type === type).length;
  const types = [...new Set([...oursBelow, ...handBelow].map((x) => x.type))].sort();
  const out: TypeDifference[] = [];
  for (const type of types) {
    const o = count(oursBelow, type);
    const h = count(handBelow, type);
    if (o === h) {
      continue;
    }
    const serves = new Map<string, { serves: string; count: number; optIn?: string }>();
    if (o > h) {
      let matched = 0;
      for (const x of oursBelow.filter((y) => y.type === type)) {
        const rule = DEFAULT_RULES.find((d) => d.path.test(x.path));
        if (rule) {
          matched++;
          const entry = serves.get(rule.serves) ?? { serves: rule.serves, count: 0, optIn: rule.optIn };
          entry.count++;
          serves.set(rule.serves, entry);
        }
      }
      if (matched < o - h) {
        serves.set('?', { serves: `${o - h - matched} not matched by a rule in bench/extras.ts`, count: o - h - matched });
      }
    }
    out.push({ type, ours: o, hand: h, serves: [...serves.values()] });
  }
  return out;
}

function pathOf(r: CfnResource): string {
  return r.Metadata?.['aws:cdk:path'] ?? '';
}
