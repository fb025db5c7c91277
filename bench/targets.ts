import { CATEGORIES, TimeBreakdown } from './profile';
import type { Row, StackFit } from './report';
import { fixed } from './stats';
import type { Variant } from './types';

const MODULE_LOADING = CATEGORIES[9];

/**
 * Issue 17's performance targets, each checked by the report with ✓/✗. CPU time is the
 * primary figure: on a shared machine it moves less than wall time.
 */

/** (a) Our CPU time at most CDK Pipelines' (ours / cdkp ≤ this) at every N. */
export const CDKP_CPU_RATIO_TARGET = 1;

/** (b) The library's own code (self time in its files) at most this share of the profiled synth time. */
export const LIBRARY_SHARE_TARGET = 0.05;

/** (c) Linear in N: the N = 50 → 100 slope within this fraction of the N = 10 → 50 slope. */
export const LINEARITY_TOLERANCE = 0.25;
/** The counts whose CPU times the linearity target compares. */
export const LINEARITY_COUNTS = [10, 50, 100] as const;

/**
 * (d) Pipelines per stack with their workloads, one shared `ArtifactStore`: at least as many as
 * the hand-written pipeline doing the same job fits, measured in the same run; the template size
 * must never be the binding limit (also with cdk-nag 2 metadata). The issue quoted the
 * hand-written figures of its day (below, for the report); since then the hand-written ECS
 * pipeline grants its tasks' execution roles pull on its repository (without that grant its
 * first run fails with CannotPullContainerError), which costs it two resources per pipeline.
 */
export const ISSUE_PIPELINES_PER_STACK: Readonly<Record<string, number>> = { 'ecs': 18, 'lambda': 16, 'static-site': 15 };

/** ✓ or ✗, or "n/a" when the run did not measure what the target needs. */
export function mark(met: boolean | undefined): string {
  return met === undefined ? 'n/a' : met ? '✓' : '✗';
}

/** One target's verdict, for the report's summary and the console. */
export interface TargetCheck {
  readonly name: string;
  /** Undefined when this run did not measure what the target needs (counts, a stored run without cdkp). */
  readonly met?: boolean;
  readonly detail: string;
}

/** What the checks read of one construct. */
export interface ConstructFigures {
  readonly construct: string;
  readonly module: string;
  readonly rows: Row[];
  readonly fits: StackFit[];
  /** The CPU profile of ours at the largest N. */
  readonly profile: TimeBreakdown;
}

/** The library's own self time as a share of the profiled synth time (module loading left out, as the timed span leaves it out). */
export function libraryShare(b: TimeBreakdown): number {
  return b.librarySelfMs === undefined ? NaN : b.librarySelfMs / (b.totalMs - b.ms[MODULE_LOADING]);
}

/** CPU milliseconds per added pipeline from N = 10 to 50 and from 50 to 100, and their ratio. */
export interface Linearity {
  readonly lowSlope: number;
  readonly highSlope: number;
  readonly ratio: number;
  readonly met?: boolean;
}

export function linearity(rows: Row[], cpu: (r: Row) => number): Linearity {
  const [a, b, c] = LINEARITY_COUNTS.map((n) => rows.find((r) => r.count === n));
  if (!a || !b || !c) {
    return { lowSlope: NaN, highSlope: NaN, ratio: NaN };
  }
  const lowSlope = (cpu(b) - cpu(a)) / (b.count - a.count);
  const highSlope = (cpu(c) - cpu(b)) / (c.count - b.count);
  const r = highSlope / lowSlope;
  return { lowSlope, highSlope, ratio: r, met: Number.isFinite(r) ? Math.abs(r - 1) <= LINEARITY_TOLERANCE : undefined };
}

/** Pipelines per stack the shared-store variant must reach: the hand-written pipeline's, in this run. */
export function minimumPerStack(f: ConstructFigures): number {
  return f.fits.find((x) => x.variant === 'hand')!.withWorkload;
}

/** Every target, checked against one run. */
export function checkTargets(figures: ConstructFigures[]): TargetCheck[] {
  const all = (results: Array<boolean | undefined>) => results.some((x) => x === undefined) ? undefined : results.every(Boolean);
  const cdkp = figures.map((f) => f.rows.map((r) => r.cdkpCpuRatio));
  const shares = figures.map((f) => libraryShare(f.profile));
  const linear = figures.map((f) => linearity(f.rows, (r) => r.oursCpuMs));
  const sizeVariants: Variant[] = ['shared', 'nag2', 'nag2-all'];
  return [
    {
      name: `(a) ours ≤ CDK Pipelines CPU time at every N (ours / cdkp ≤ ${CDKP_CPU_RATIO_TARGET.toFixed(2)})`,
      met: all(cdkp.flat().map((x) => Number.isFinite(x) ? x <= CDKP_CPU_RATIO_TARGET : undefined)),
      detail: figures.map((f, i) => `${f.construct} ${cdkp[i].map((x) => fixed(x)).join(' / ')}`).join('; '),
    },
    {
      name: `(b) the library's own code ≤ ${(100 * LIBRARY_SHARE_TARGET).toFixed(0)} % of synth time (self time, CPU profile)`,
      met: all(shares.map((x) => Number.isFinite(x) ? x <= LIBRARY_SHARE_TARGET : undefined)),
      detail: figures.map((f, i) => `${f.construct} ${Number.isFinite(shares[i]) ? `${fixed(100 * shares[i], 1)} %` : 'n/a'}`).join('; '),
    },
    {
      name: `(c) linear in N up to ${LINEARITY_COUNTS[2]} (ours: the N = ${LINEARITY_COUNTS[1]} → ${LINEARITY_COUNTS[2]} slope within ` +
        `±${(100 * LINEARITY_TOLERANCE).toFixed(0)} % of the N = ${LINEARITY_COUNTS[0]} → ${LINEARITY_COUNTS[1]} slope)`,
      met: all(linear.map((l) => l.met)),
      detail: figures.map((f, i) => `${f.construct} ${fixed(linear[i].ratio)}`).join('; '),
    },
    {
      name: '(d) pipelines per stack with their workloads, one shared store: at least ' +
        `${figures.map((f) => `${minimumPerStack(f)} (${f.construct}${ISSUE_PIPELINES_PER_STACK[f.module] !== undefined ? `; the issue quoted ${ISSUE_PIPELINES_PER_STACK[f.module]}` : ''})`).join(', ')}` +
        ' (the hand-written figures of this run); the template size never the binding limit, ' +
        'with workloads or alone, also with cdk-nag 2 metadata',
      met: figures.every((f) => f.fits.find((x) => x.variant === 'shared')!.withWorkload >= minimumPerStack(f) &&
        f.fits.filter((x) => sizeVariants.includes(x.variant)).every((x) => x.bindingLimit === 'resources' && x.withWorkloadBindingLimit === 'resources')),
      detail: figures.map((f) => {
        const fit = f.fits.filter((x) => sizeVariants.includes(x.variant));
        const bytesBind = fit.filter((x) => x.bindingLimit !== 'resources' || x.withWorkloadBindingLimit !== 'resources').map((x) => x.variant);
        return `${f.construct} ${fit[0].withWorkload} (template size binds: ${bytesBind.length > 0 ? bytesBind.join(', ') : 'never'})`;
      }).join('; '),
    },
  ];
}
