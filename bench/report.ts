import { BenchConstruct } from './constructs';
import { FixedCost, formatCost, PRICES, usd } from './cost';
import { TypeDifference } from './extras';
import { ec2Starts, OverheadRow, overheadLine, overheadMarkdown } from './overhead';
import { CATEGORIES, TimeBreakdown } from './profile';
import { fits, fixed, kib, line, Linear, median, ratio } from './stats';
import { CDKP_CPU_RATIO_TARGET, checkTargets, ConstructFigures, LIBRARY_SHARE_TARGET, libraryShare, LINEARITY_COUNTS, LINEARITY_TOLERANCE, linearity, mark } from './targets';
import type { ChildResult, Variant } from './types';

/** CloudFormation's per-stack limits, as aws-cdk-lib 2.257 checks them at synth time. */
export const LIMITS = { resources: 500, templateBytes: 1_000_000 };
/** Below this many milliseconds the pipelines' own share of an app's time is not reported. */
const MIN_SHARE_MS = 50;

export interface ConstructResult {
  readonly construct: BenchConstruct;
  readonly runs: ChildResult[];
  readonly differences: TypeDifference[];
  /** Fixed cost of one pipeline of ours. */
  readonly oursCost: FixedCost;
  readonly profiles: { readonly ours: TimeBreakdown; readonly hand: TimeBreakdown };
}

export interface ImportCost {
  /** Which build of the library was loaded. */
  readonly source: string;
  readonly modules: string[];
  readonly reps: number;
  readonly cdkMs: number;
  readonly libraryMs: number;
  readonly cdkRssKb: number;
  readonly libraryRssKb: number;
  /** Files the library import loaded: its own, and aws-cdk-lib files its top level touched. */
  readonly libraryFiles: number;
  readonly cdkFilesByLibrary: number;
  readonly cdkFilesBefore: number;
}

export interface Measurements {
  readonly date: string;
  readonly counts: number[];
  readonly reps: number;
  readonly repsLarge: number;
  readonly fixtureReps: number;
  readonly profileCount: number;
  readonly machine: string;
  readonly load: { readonly before: number[]; readonly after: number[] };
  readonly versions: Record<string, string>;
  readonly git: string;
  readonly emptyTemplateBytes: number;
  readonly constructs: ConstructResult[];
  readonly importCost: ImportCost;
  /** Whether an app with more pipelines than aws-cdk-lib's 100 aspect-pass restarts synthesizes. */
  readonly limitProbe: { readonly construct: string; readonly count: number; readonly ok: boolean; readonly error?: string };
  readonly runtimeSeconds: number;
  /** Run-time overhead per execution, counted from the example apps and the N = 1 pipelines (issue 17). */
  readonly overhead?: OverheadRow[];
}

/** The numbers of one construct at one N. */
export interface Row {
  readonly count: number;
  readonly oursMs: number;
  readonly handMs: number;
  readonly fixtureMs: number;
  readonly cdkpMs: number;
  readonly timeRatio: number;
  readonly cdkpTimeRatio: number;
  /** CPU time (user + system) of constructing and synthesizing: the primary figure. */
  readonly oursCpuMs: number;
  readonly handCpuMs: number;
  readonly cdkpCpuMs: number;
  readonly cpuRatio: number;
  /** ours / CDK Pipelines. */
  readonly cdkpCpuRatio: number;
  /** CPU time of the whole process, node start to the end of synthesis (NaN in older stored runs). */
  readonly oursProcessCpuMs: number;
  readonly handProcessCpuMs: number;
  readonly cdkpProcessCpuMs: number;
  /** (ours - workload only) / (hand - workload only): the pipelines' own share. */
  readonly pipelineTimeRatio: number;
  readonly oursRssMb: number;
  readonly handRssMb: number;
  readonly memoryRatio: number;
  readonly cdkpRssMb: number;
  readonly oursResources: number;
  readonly handResources: number;
  readonly sharedResources: number;
  readonly oursBytes: number;
  readonly handBytes: number;
  readonly sharedBytes: number;
  /** With a shared store and cdk-nag 2 metadata: AwsSolutions applied, and all five packs. */
  readonly nag2Resources: number;
  readonly nag2Bytes: number;
  readonly nag2AllResources: number;
  readonly nag2AllBytes: number;
  readonly oursCost: number;
  readonly sharedCost: number;
  readonly handCost: number;
  readonly oursKeys: number;
  readonly sharedKeys: number;
}

const total = (r: ChildResult) => r.constructMs + r.synthMs;
const resourcesOf = (r: ChildResult) => Object.values(r.resourceTypes).reduce((a, b) => a + b, 0);

/** Median of a measure over runs; NaN when there are none (a stored run without that variant). */
function medianOf(runs: ChildResult[], measure: (r: ChildResult) => number | undefined): number {
  return runs.length === 0 ? NaN : median(runs.map((r) => measure(r) ?? NaN));
}

function runsOf(c: ConstructResult, variant: Variant, count: number): ChildResult[] {
  const found = c.runs.filter((r) => r.variant === variant && r.count === count);
  if (found.length === 0) {
    throw new Error(`no ${variant} run of ${c.construct.module} at N=${count}`);
  }
  return found;
}

export function rowsOf(c: ConstructResult, counts: number[]): Row[] {
  return counts.map((count) => {
    const ours = runsOf(c, 'ours', count);
    const hand = runsOf(c, 'hand', count);
    // Runs stored before CDK Pipelines was measured have none: its figures are then NaN.
    const cdkp = c.runs.filter((r) => r.variant === 'cdkp' && r.count === count);
    const fixture = runsOf(c, 'fixture', count);
    const shared = runsOf(c, 'shared', count)[0];
    const nag2 = runsOf(c, 'nag2', count)[0];
    const nag2All = runsOf(c, 'nag2-all', count)[0];
    const oursMs = median(ours.map(total));
    const handMs = median(hand.map(total));
    const fixtureMs = median(fixture.map(total));
    const oursRss = median(ours.map((r) => r.maxRssKb)) / 1024;
    const handRss = median(hand.map((r) => r.maxRssKb)) / 1024;
    const cdkpMs = medianOf(cdkp, total);
    const cpu = (r: ChildResult) => r.cpuMs;
    const oursCpuMs = medianOf(ours, cpu);
    const handCpuMs = medianOf(hand, cpu);
    const cdkpCpuMs = medianOf(cdkp, cpu);
    const processCpu = (r: ChildResult) => r.processCpuMs;
    const keys = (r: ChildResult) => r.resourceTypes['AWS::KMS::Key'] ?? 0;
    return {
      count,
      oursMs,
      handMs,
      fixtureMs,
      cdkpMs,
      timeRatio: ratio(oursMs, handMs),
      cdkpTimeRatio: ratio(oursMs, cdkpMs),
      oursCpuMs,
      handCpuMs,
      cdkpCpuMs,
      cpuRatio: ratio(oursCpuMs, handCpuMs),
      cdkpCpuRatio: ratio(oursCpuMs, cdkpCpuMs),
      oursProcessCpuMs: medianOf(ours, processCpu),
      handProcessCpuMs: medianOf(hand, processCpu),
      cdkpProcessCpuMs: medianOf(cdkp, processCpu),
      // Meaningless when the pipelines' share drowns in the noise (N = 1 on a busy machine).
      pipelineTimeRatio: oursMs - fixtureMs < MIN_SHARE_MS || handMs - fixtureMs < MIN_SHARE_MS ? NaN : ratio(oursMs - fixtureMs, handMs - fixtureMs),
      oursRssMb: oursRss,
      handRssMb: handRss,
      memoryRatio: ratio(oursRss, handRss),
      cdkpRssMb: medianOf(cdkp, (r) => r.maxRssKb) / 1024,
      oursResources: (resourcesOf(ours[0]) - resourcesOf(fixture[0])) / count,
      handResources: (resourcesOf(hand[0]) - resourcesOf(fixture[0])) / count,
      sharedResources: (resourcesOf(shared) - resourcesOf(fixture[0])) / count,
      oursBytes: (ours[0].templateBytes - fixture[0].templateBytes) / count,
      handBytes: (hand[0].templateBytes - fixture[0].templateBytes) / count,
      sharedBytes: (shared.templateBytes - fixture[0].templateBytes) / count,
      nag2Resources: (resourcesOf(nag2) - resourcesOf(fixture[0])) / count,
      nag2Bytes: (nag2.templateBytes - fixture[0].templateBytes) / count,
      nag2AllResources: (resourcesOf(nag2All) - resourcesOf(fixture[0])) / count,
      nag2AllBytes: (nag2All.templateBytes - fixture[0].templateBytes) / count,
      oursCost: ours[0].fixedCost.monthly,
      sharedCost: shared.fixedCost.monthly,
      handCost: hand[0].fixedCost.monthly,
      oursKeys: keys(ours[0]) - keys(fixture[0]),
      sharedKeys: keys(shared) - keys(fixture[0]),
    };
  });
}

/** How many pipelines fit in one stack under CloudFormation's limits. */
export interface StackFit {
  readonly variant: Variant;
  /** A stack of pipelines only (their workloads elsewhere). */
  readonly alone: number;
  /** Each pipeline together with its workload in the same stack. */
  readonly withWorkload: number;
  /** Which limit binds first for `alone`. */
  readonly bindingLimit: Limit;
  /** Which limit binds first for `withWorkload`. */
  readonly withWorkloadBindingLimit: Limit;
}

/** A CloudFormation per-stack limit. */
export type Limit = 'resources' | 'template size';

export function stackFits(c: ConstructResult, counts: number[], emptyBytes: number): StackFit[] {
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const fixtureLo = runsOf(c, 'fixture', lo)[0];
  const fixtureHi = runsOf(c, 'fixture', hi)[0];
  const workloadResources = line(lo, resourcesOf(fixtureLo), hi, resourcesOf(fixtureHi));
  const workloadBytes = line(lo, fixtureLo.templateBytes, hi, fixtureHi.templateBytes);
  return (['ours', 'shared', 'nag2', 'nag2-all', 'hand'] as Variant[]).map((variant) => {
    const a = runsOf(c, variant, lo)[0];
    const b = runsOf(c, variant, hi)[0];
    const res = line(lo, resourcesOf(a) - resourcesOf(fixtureLo), hi, resourcesOf(b) - resourcesOf(fixtureHi));
    const bytes = line(lo, a.templateBytes - fixtureLo.templateBytes, hi, b.templateBytes - fixtureHi.templateBytes);
    const aloneBytes = { fixed: bytes.fixed + emptyBytes, perItem: bytes.perItem };
    const byResources = fits([{ cost: res, limit: LIMITS.resources }]);
    const bySize = fits([{ cost: aloneBytes, limit: LIMITS.templateBytes }]);
    const plus = (x: Linear, y: Linear): Linear => ({ fixed: x.fixed + y.fixed, perItem: x.perItem + y.perItem });
    const withResources = fits([{ cost: plus(res, workloadResources), limit: LIMITS.resources }]);
    const withSize = fits([{ cost: plus(bytes, workloadBytes), limit: LIMITS.templateBytes }]);
    return {
      variant,
      alone: Math.min(byResources, bySize),
      withWorkload: Math.min(withResources, withSize),
      bindingLimit: byResources <= bySize ? 'resources' : 'template size',
      withWorkloadBindingLimit: withResources <= withSize ? 'resources' : 'template size',
    };
  });
}

const VARIANT_NAMES: Record<Variant, string> = {
  'ours': 'ours',
  'shared': 'ours, one shared `ArtifactStore`',
  'nag2': 'ours, shared store, cdk-nag 2 AwsSolutions applied (its acknowledgements in the template)',
  'nag2-all': 'ours, shared store, cdk-nag 2 metadata of all five packs',
  'hand': 'hand-written L2',
  'cdkp': 'CDK Pipelines',
  'fixture': 'workloads only',
};

/** What the target checks read of each construct. */
function targetFigures(m: Measurements): ConstructFigures[] {
  return m.constructs.map((c) => ({
    construct: c.construct.construct,
    module: c.construct.module,
    rows: rowsOf(c, m.counts),
    fits: stackFits(c, m.counts, m.emptyTemplateBytes),
    profile: c.profiles.ours,
  }));
}

/** The report: markdown for docs/benchmarks.md and a console summary. */
export function renderReport(m: Measurements): { markdown: string; summary: string } {
  const allRows = m.constructs.map((c) => ({ c, rows: rowsOf(c, m.counts) }));
  const targets = checkTargets(targetFigures(m));
  const out: string[] = [];
  const p = (...lines: string[]) => out.push(...lines);

  p('# Benchmarks: synth CPU time against hand-written and CDK Pipelines, memory, footprint, import cost and fixed cost', '');
  p('<!-- Generated by `npm run bench` (bench/run.ts). Do not edit by hand: run it again. -->', '');
  p(`Measured ${m.date} on ${m.machine}; aws-cdk-lib ${m.versions['aws-cdk-lib']}, constructs ${m.versions.constructs}; ` +
    `library at ${m.git}. The whole run took ${Math.round(m.runtimeSeconds)} s ` +
    `(load average ${m.load.before.map((l) => l.toFixed(1)).join(' / ')} before, ${m.load.after.map((l) => l.toFixed(1)).join(' / ')} after: ` +
    'other work on the machine adds noise to the wall times; the CPU-time ratio is the steadier figure).', '');
  p('![CPU time of synthesis, ours against hand-written and CDK Pipelines, and peak memory](benchmarks.svg)', '');

  p('## Summary', '');
  p('Targets (issue 17), checked on this run:', '');
  for (const t of targets) {
    p(`- ${mark(t.met)} **${t.name}**: ${t.detail}.`);
  }
  p('');
  for (const { c, rows } of allRows) {
    const last = rows[rows.length - 1];
    const fit = stackFits(c, m.counts, m.emptyTemplateBytes);
    p(`- \`${c.construct.construct}\`: CPU-time ratio ours / hand-written ${rows.map((r) => fixed(r.cpuRatio)).join(' / ')}, ` +
      `ours / CDK Pipelines ${rows.map((r) => fixed(r.cdkpCpuRatio)).join(' / ')} at N = ${m.counts.join(' / ')} ` +
      `(wall time ours / hand-written ${rows.map((r) => fixed(r.timeRatio)).join(' / ')}); memory ratio ` +
      `${rows.map((r) => fixed(r.memoryRatio)).join(' / ')}; ` +
      `${fixed(last.oursResources, 0)} resources and ${kib(last.oursBytes)} of template per pipeline ` +
      `(hand-written: ${fixed(last.handResources, 0)}, ${kib(last.handBytes)}); ` +
      `${fit[0].alone} fit in one stack (${fit[1].alone} with a shared store); fixed cost ${formatCost(c.oursCost)} each.`);
  }
  p(`- Importing the library on top of aws-cdk-lib and the modules it uses: **${fixed(m.importCost.libraryMs, 0)} ms** ` +
    `(aws-cdk-lib and those modules: ${fixed(m.importCost.cdkMs, 0)} ms).`, '');

  p('## What is measured', '');
  p('For each construct, one app per N with N pipelines in one stack, each deploying its own workload (the same workload ' +
    'for every side), synthesized with `app.synth()` in a fresh `node` process per repetition:', '');
  p('| construct | the job | ours | hand-written | CDK Pipelines |', '|---|---|---|---|---|');
  for (const { c } of allRows) {
    const m0 = c.construct.module;
    p(`| \`${c.construct.construct}\` | ${c.construct.job} | \`bench/ours/${m0}.ts\` | \`bench/hand-written/${m0}.ts\` | \`bench/cdk-pipelines/${m0}.ts\` |`);
  }
  p('');
  p('- **Ours** does the hand-written pipeline\'s job with the library\'s defaults (artifact key and access logs, build log group, ' +
    'immutable commit-tagged images, rollback alarms, least-privilege roles, ...) and none of its opt-ins: test reports, cache paths, ' +
    'post-deploy checks, failure notifications and approval e-mails are off, because the hand-written pipelines have none of them ' +
    '(the example apps switch them on; `npm run demo` prints their cost). **Hand-written** is the same job wired from aws-cdk-lib L2 ' +
    'constructs as the tutorials do it, with aws-cdk-lib\'s defaults only (`bench/hand-written/`, also the baseline of ' +
    '`test/security/baseline.test.ts`).');
  p('- **CDK Pipelines** (`aws-cdk-lib/pipelines`) is the same job as its users write it: per pipeline a stack of its own with a ' +
    '`CodePipeline` (CodeStar connection source, `ShellStep` synth running the hand-written build commands and `cdk synth`, ' +
    'self-mutation on as by default), then `addStage` of a Staging `Stage` and, after a `ManualApprovalStep`, a Production `Stage`, ' +
    'each holding one stack with that environment\'s half of the workload (`environment` in `bench/fixtures/<m>.ts`): N pipeline ' +
    'stacks and 2N stage stacks in one app, all synthesized. One stack per pipeline is what the CDK Pipelines guide shows (the pipeline ' +
    'stack deploys itself); it also means the ECS and server workloads get a VPC per stage stack where the other sides share one per app. ' +
    'The workloads reference no assets, so no Assets stage is built. Its footprint is not comparable (other stacks, CloudFormation ' +
    'deployments instead of service deploy actions): only its time, CPU time and memory are reported.');
  p('- **CPU time** (user + system, all threads, `process.cpuUsage()`) of constructing and synthesizing is the primary figure: ' +
    'unlike wall time it barely moves when other work shares the machine. **Whole process** is the CPU time from node\'s start to the ' +
    'end of `app.synth()`, module loading included: what a user\'s `cdk synth` waits for in the app process.');
  p('- **Time** is constructing the app plus `app.synth()` (writing the cloud assembly), not Node.js start-up or loading the ' +
    'modules ([import cost](#import-cost) is measured separately). Median of ' +
    `${m.reps} repetitions (${m.repsLarge} at N ≥ 50); ratios are ours / hand-written (ours / CDK Pipelines) of the medians. ` +
    '"Pipelines only" subtracts the median time of the workloads-only app ' +
    `(${m.fixtureReps} repetitions) from both sides.`);
  p('- The apps use the currently recommended feature flags, with path metadata on (as `cdk synth` writes templates) and the ' +
    'stack resource limit check off (to measure past it). aws-cdk-lib\'s console report of annotations is off for both sides: past 80 % of ' +
    'the 1 MB template limit it prints a warning report, which is console output rather than synthesis and would hit the side with the larger template first.');
  p('- **Memory** is the child\'s peak resident set size (`process.resourceUsage().maxRSS`), including aws-cdk-lib itself.');
  p('- **Footprint** is counted from the synthesized template with path metadata on (as `cdk synth` writes it), minus the ' +
    'workloads-only template, divided by N. Library and benchmark run as plain JavaScript transpiled from `src/` and ' +
    '`bench/` into `node_modules/.cache/cdk-delivery-pipelines-bench` (no ts-node in the measured processes).', '');

  p('## CPU time of synthesis', '');
  p('Ours against hand-written L2 and CDK Pipelines, median CPU milliseconds of constructing and synthesizing the app. ' +
    '✓/✗ marks target (a), ours ≤ CDK Pipelines.', '');
  for (const { c, rows } of allRows) {
    p(`### \`${c.construct.construct}\``, '');
    p('| N | ours | hand-written | CDK Pipelines | **ours / hand-written** | **ours / CDK Pipelines** |', '|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const met = Number.isFinite(r.cdkpCpuRatio) ? r.cdkpCpuRatio <= CDKP_CPU_RATIO_TARGET : undefined;
      p(`| ${r.count} | ${fixed(r.oursCpuMs, 0)} ms | ${fixed(r.handCpuMs, 0)} ms | ${fixed(r.cdkpCpuMs, 0)} ms | ` +
        `**${fixed(r.cpuRatio)}** | **${fixed(r.cdkpCpuRatio)}** ${mark(met)} |`);
    }
    p('');
  }

  p('## Linearity in N', '');
  p('CPU milliseconds per pipeline (CPU time / N) at each N, and per added pipeline between one N and the next. Target (c): ours is ' +
    `linear when the slope from N = ${LINEARITY_COUNTS[1]} to ${LINEARITY_COUNTS[2]} is within ±${(100 * LINEARITY_TOLERANCE).toFixed(0)} % ` +
    `of the slope from N = ${LINEARITY_COUNTS[0]} to ${LINEARITY_COUNTS[1]} (needs those three N in BENCH_COUNTS).`, '');
  p('| construct | side | ' + m.counts.map((n) => `N = ${n}`).join(' | ') + ' | ' +
    m.counts.slice(1).map((n, i) => `${m.counts[i]} → ${n}`).join(' | ') + ' | slope ratio |');
  p(`|---|---|${m.counts.map(() => '---:').join('|')}|${m.counts.slice(1).map(() => '---:|').join('')}---:|`);
  for (const { c, rows } of allRows) {
    for (const [side, cpu] of [['ours', (r: Row) => r.oursCpuMs], ['hand-written', (r: Row) => r.handCpuMs], ['CDK Pipelines', (r: Row) => r.cdkpCpuMs]] as const) {
      const l = linearity(rows, cpu);
      p(`| \`${c.construct.construct}\` | ${side} | ${rows.map((r) => `${fixed(cpu(r) / r.count, 0)} ms`).join(' | ')} | ` +
        rows.slice(1).map((r, i) => `${fixed((cpu(r) - cpu(rows[i])) / (r.count - rows[i].count), 0)} ms`).join(' | ') +
        `${rows.length > 1 ? ' | ' : ''}${fixed(l.ratio)}${side === 'ours' && l.met !== undefined ? ` ${mark(l.met)}` : ''} |`);
    }
  }
  p('', 'Per pipeline at N = 1 includes the app\'s fixed cost (the stack, aws-cdk-lib\'s lazy loading); the per-added-pipeline columns leave it out.', '');

  p('## Whole process, as `cdk synth` runs the app', '');
  p('CPU time of the app process from node\'s start to the end of synthesis (module loading included), median; the ratios are ours / hand-written and ours / CDK Pipelines.', '');
  p('| construct | N | ours | hand-written | CDK Pipelines | ours / hand-written | ours / CDK Pipelines |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const { c, rows } of allRows) {
    for (const r of rows) {
      p(`| \`${c.construct.construct}\` | ${r.count} | ${fixed(r.oursProcessCpuMs, 0)} ms | ${fixed(r.handProcessCpuMs, 0)} ms | ` +
        `${fixed(r.cdkpProcessCpuMs, 0)} ms | ${fixed(ratio(r.oursProcessCpuMs, r.handProcessCpuMs))} | ${fixed(ratio(r.oursProcessCpuMs, r.cdkpProcessCpuMs))} |`);
    }
  }
  p('');

  p('## Wall time and peak memory', '');
  p('Secondary figures: wall time moves with the machine\'s other load.', '');
  for (const { c, rows } of allRows) {
    p(`### \`${c.construct.construct}\``, '');
    p('| N | ours | hand-written | CDK Pipelines | time ratio (hand) | time ratio (cdkp) | pipelines only ratio | peak memory ours | hand-written | CDK Pipelines | **memory ratio** |');
    p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      p(`| ${r.count} | ${fixed(r.oursMs, 0)} ms | ${fixed(r.handMs, 0)} ms | ${fixed(r.cdkpMs, 0)} ms | ${fixed(r.timeRatio)} | ${fixed(r.cdkpTimeRatio)} | ` +
        `${fixed(r.pipelineTimeRatio)} | ${fixed(r.oursRssMb, 0)} MiB | ${fixed(r.handRssMb, 0)} MiB | ${fixed(r.cdkpRssMb, 0)} MiB | **${fixed(r.memoryRatio)}** |`);
    }
    p('');
  }
  p('At N = 1 the pipelines\' own share of the time is a few tens of milliseconds, within the run-to-run noise of a shared machine ' +
    '(the "pipelines only" ratio is least reliable there); the larger N carry the signal.', '');

  p('## Footprint per pipeline and pipelines per stack', '');
  p(`CloudFormation allows ${LIMITS.resources} resources and a 1 MB template per stack (aws-cdk-lib checks ` +
    `${LIMITS.resources} resources and ${LIMITS.templateBytes.toLocaleString('en-US')} characters at synth time). ` +
    '"Alone" is a stack that holds only pipelines; "with workloads" also holds what each pipeline deploys (the benchmark\'s ' +
    'workload: ' + allRows.map(({ c }) => `${c.construct.construct}: ${workloadText(c.construct.module)}`).join('; ') + ').', '');
  p('| construct | variant | resources / pipeline | template / pipeline | pipelines per stack, alone | binding limit | with workloads | binding limit |');
  p('|---|---|---:|---:|---:|---|---:|---|');
  for (const { c, rows } of allRows) {
    const last = rows[rows.length - 1];
    const fit = stackFits(c, m.counts, m.emptyTemplateBytes);
    const per: Record<string, [number, number]> = {
      'ours': [last.oursResources, last.oursBytes],
      'shared': [last.sharedResources, last.sharedBytes],
      'nag2': [last.nag2Resources, last.nag2Bytes],
      'nag2-all': [last.nag2AllResources, last.nag2AllBytes],
      'hand': [last.handResources, last.handBytes],
    };
    for (const f of fit) {
      const [res, bytes] = per[f.variant];
      p(`| \`${c.construct.construct}\` | ${VARIANT_NAMES[f.variant]} | ${fixed(res, f.variant === 'ours' || f.variant === 'hand' ? 0 : 1)} | ${kib(bytes)} | ` +
        `${f.alone} | ${f.bindingLimit} | ${f.withWorkload} | ${f.withWorkloadBindingLimit} |`);
    }
  }
  p('', `Per-pipeline figures are at N = ${Math.max(...m.counts)} (with a shared store the store's resources are spread over N). ` +
    'Resources per pipeline are the same at every N; bytes grow slightly with N (longer logical ids). ' +
    'The cdk-nag 2 rows hold the `cdk_nag` metadata the library writes only when cdk-nag 2 runs: the rules of the packs applied, ' +
    'one entry per rule and reason.', '');
  for (const { c, rows } of allRows) {
    p(`<details><summary>${c.construct.construct}: footprint at every N</summary>`, '');
    p('| N | resources / pipeline (ours / shared / nag2 / nag2-all / hand) | template / pipeline (ours / shared / nag2 / nag2-all / hand) |', '|---:|---|---|');
    for (const r of rows) {
      p(`| ${r.count} | ${[r.oursResources, r.sharedResources, r.nag2Resources, r.nag2AllResources, r.handResources].map((x) => fixed(x, 1)).join(' / ')} | ` +
        `${[r.oursBytes, r.sharedBytes, r.nag2Bytes, r.nag2AllBytes, r.handBytes].map(kib).join(' / ')} |`);
    }
    p('', '</details>', '');
  }

  p('## Every extra resource, and the default it serves', '');
  p('Resource types of one pipeline of ours against one hand-written pipeline doing the same job. Each extra resource is ' +
    'named after the construct that creates it (rules in `bench/extras.ts`); "opt-in" would mark a resource of an opt-in the ' +
    'benchmark switched on (it switches none on: these are the defaults).', '');
  for (const { c } of allRows) {
    p(`### \`${c.construct.construct}\``, '');
    p('| resource type | ours | hand-written | difference | what it serves |', '|---|---:|---:|---:|---|');
    for (const d of c.differences) {
      const serves = d.ours > d.hand
        ? d.serves.map((s) => `${s.count > 1 ? `${s.count} × ` : ''}${s.serves}${s.optIn ? ` (opt-in: \`${s.optIn}\`)` : ''}`).join('; ')
        : handOnly(d.type, c.construct.module);
      p(`| \`${d.type}\` | ${d.ours} | ${d.hand} | ${d.ours > d.hand ? '+' : ''}${d.ours - d.hand} | ${serves} |`);
    }
    p('');
  }
  p('Types with equal counts (pipeline, build project, roles, ...) differ in content, not number: least-privilege ' +
    'policies, the generated buildspec, encryption settings. Policy statements are a large part of the extra template bytes.', '');

  p('## Where the time goes', '');
  p(`One CPU-profiled run (\`node --cpu-prof\`) per side at N = ${m.profileCount}; every sample is attributed to the outermost ` +
    'frame that decides it (`bench/profile.ts`): the "pipeline code" rows include the aws-cdk-lib work that code calls. The last row ' +
    'is the library\'s own self time only (samples whose leaf frame is in its transpiled `src/`), target (b). ' +
    'The profiler adds overhead, so read the shares rather than the absolute numbers.', '');
  for (const { c } of allRows) {
    const o = c.profiles.ours;
    const h = c.profiles.hand;
    p(`### \`${c.construct.construct}\` (N = ${m.profileCount})`, '');
    p('| where | ours | hand-written |', '|---|---:|---:|');
    for (const cat of CATEGORIES) {
      p(`| ${cat} | ${fixed(o.ms[cat], 0)} ms (${fixed((100 * o.ms[cat]) / o.totalMs, 0)} %) | ${fixed(h.ms[cat], 0)} ms (${fixed((100 * h.ms[cat]) / h.totalMs, 0)} %) |`);
    }
    p(`| **total sampled** | ${fixed(o.totalMs, 0)} ms | ${fixed(h.totalMs, 0)} ms |`);
    const share = libraryShare(o);
    p('| *the library\'s own code, self time* (leaf frame in its files; share of the sampled time less module loading) | ' +
      `*${fixed(o.librarySelfMs ?? NaN, 0)} ms (${fixed(100 * share, 1)} %)* ${mark(Number.isFinite(share) ? share <= LIBRARY_SHARE_TARGET : undefined)} | — |`, '');
  }
  p('What the profiles say:', '');
  for (const { c, rows } of allRows) {
    const o = c.profiles.ours;
    const h = c.profiles.hand;
    const cat = (b: TimeBreakdown, i: number) => b.ms[CATEGORIES[i]];
    const row = rows.find((r) => r.count === m.profileCount) ?? rows[rows.length - 1];
    p(`- \`${c.construct.construct}\`: aws-cdk-lib's template synthesis takes ${fixed(ratio(cat(o, 6), cat(h, 6)))}× as long for ours ` +
      `as for the hand-written pipelines, and its prepare step (reference resolution) ${fixed(ratio(o.inclusive.prepare, h.inclusive.prepare))}×, ` +
      `in line with the template (${fixed(ratio(row.oursBytes, row.handBytes))}× the bytes, ` +
      `${fixed(ratio(row.oursResources, row.handResources))}× the resources per pipeline); garbage collection ` +
      `${fixed(cat(o, 8), 0)} ms against ${fixed(cat(h, 8), 0)} ms. The library's own code: ${fixed(cat(o, 0), 0)} ms in constructors, ` +
      `${fixed(o.inclusive.deferredStages, 0)} ms adding the stages at synthesis, ${fixed(o.inclusive.nagPass, 0)} ms in its cdk-nag ` +
      `acknowledgement pass (the hand-written code: ${fixed(cat(h, 0), 0)} ms in all).`);
  }
  const aspect = allRows.map(({ c }) => ({
    c,
    ours: c.profiles.ours.inclusive.aspectPass - c.profiles.ours.inclusive.deferredStages,
    hand: c.profiles.hand.inclusive.aspectPass,
    findAll: c.profiles.ours.inclusive.nagFindAll,
  }));
  if (aspect.some((a) => a.c.profiles.ours.inclusive.deferredStages > 0)) {
    p('- **Aspect pass.** The library adds every pipeline\'s Build and environment stages from one aspect per stage at synthesis (so ' +
      'subclasses in every jsii language can override the hooks), all pending pipelines in one visit: aws-cdk-lib restarts its aspect ' +
      'pass once for them, not once per pipeline. The pass\'s own time, without the stage creation, is ' +
      `${aspect.map((a) => `${fixed(a.ours, 0)} ms against ${fixed(a.hand, 0)} ms (${a.c.construct.construct})`).join(', ')} ` +
      `at N = ${m.profileCount}: it walks a larger tree. aws-cdk-lib gives up after 100 restarts: ${m.limitProbe.ok
        ? `an app with ${m.limitProbe.count} \`${m.limitProbe.construct}\`s synthesized in this run.`
        : `**an app with ${m.limitProbe.count} \`${m.limitProbe.construct}\`s fails to synthesize** (\`${m.limitProbe.error}\`), measured in this run.`}`);
  }
  p('- **cdk-nag acknowledgement pass.** `acknowledgeReviewedWildcards` (`src/core/wildcard-review.ts`) resolves each policy of a pipeline once ' +
    'more at validation to name its IAM wildcard findings as cdk-nag does: ' +
    `${allRows.map(({ c }) => `${fixed(c.profiles.ours.inclusive.nagPass, 0)} ms (${c.construct.construct})`).join(', ')} at N = ${m.profileCount}. ` +
    'The cdk-nag 2 template metadata is written only when a cdk-nag 2 pack is applied, which the benchmark apps do not do.');
  const floors = allRows.map(({ c }) => ({ c, floor: timeFloor(c.profiles.ours, c.profiles.hand) }));
  p('- **The floor.** Suppose the library\'s constructors cost no more than the hand-written code, and its stage creation and ' +
    'acknowledgement pass nothing; aws-cdk-lib\'s own synthesis steps (aspects and prepare, validations, template synthesis, other ' +
    'steps; garbage collection left out) on our templates would still take ' +
    `${floors.map((f) => `${fixed(synthesisMs(f.c.profiles.ours), 0)} ms against ${fixed(synthesisMs(f.c.profiles.hand), 0)} ms (${f.c.construct.construct})`).join(', ')}, ` +
    `so the profiled time ratio at N = ${m.profileCount} could not fall below ` +
    `${floors.map((f) => `${fixed(f.floor)} (${f.c.construct.construct})`).join(', ')}: the gap to hand-written above that is the library's own code.`);
  p('- The rest is the price of the defaults themselves (more resources, more and narrower policy statements), paid in ' +
    'aws-cdk-lib\'s token resolution.', '');

  const ic = m.importCost;
  p('## Import cost', '');
  p(`Loading the library after aws-cdk-lib and the ${ic.modules.length} modules it imports, median of ${ic.reps} fresh processes ` +
    `(\`bench/import-cost-child.ts\`; library build: ${ic.source}):`, '');
  p('| what is loaded | time | resident memory added |', '|---|---:|---:|');
  p(`| aws-cdk-lib, constructs and the aws-cdk-lib modules the library imports | ${fixed(ic.cdkMs, 0)} ms | ${fixed(ic.cdkRssKb / 1024, 1)} MiB |`);
  p(`| **the library on top** (\`require('cdk-delivery-pipelines')\`) | **${fixed(ic.libraryMs, 0)} ms** | **${fixed(ic.libraryRssKb / 1024, 1)} MiB** |`, '');
  p(`Modules loaded first: ${ic.modules.map((x) => `\`${x}\``).join(', ')}. aws-cdk-lib loads most classes lazily, on first ` +
    'use, so part of its loading happens while constructing the app (inside the synth time above) for both sides. ' +
    `Loading those modules read ${ic.cdkFilesBefore} aws-cdk-lib files; the library's import then read its own ${ic.libraryFiles} ` +
    `files and ${ic.cdkFilesByLibrary} more aws-cdk-lib files that its module top level touches (base classes it extends, ` +
    'enum-like values in its defaults): part of the time above is aws-cdk-lib code that an app using the same constructs loads anyway.', '');

  p('## Fixed monthly cost', '');
  p('`bench/cost.ts` reads a synthesized template and prices what costs money every month just by existing (list prices, ' +
    `${PRICES.region}, read ${PRICES.checked}); \`npm run demo\` prints it for each example pipeline. Assumptions:`, '');
  p(`- **KMS**: ${usd(PRICES.kmsKey)} per customer managed key per month (prorated hourly). With automatic rotation (on by default ` +
    `in \`ArtifactStore\`) each of the first two yearly rotations adds ${usd(1)}/month, capped at ${usd(PRICES.kmsRotatedKeyCap)}/month ` +
    'per key since AWS\'s April 2024 pricing change; the estimate shows the first year. The key is retained (removal policy ' +
    'RETAIN) and keeps costing after the stack is deleted until it is scheduled for deletion.');
  p(`- **CloudWatch alarms**: ${usd(PRICES.standardAlarmMetric)} per standard-resolution alarm metric per month ` +
    `(${usd(PRICES.highResolutionAlarmMetric)} high resolution, ${usd(PRICES.compositeAlarm)} composite); the free tier's 10 alarm metrics per account are not subtracted.`);
  p(`- **CodePipeline**: V2 pipelines (all of ours) have no monthly fee: $${PRICES.pipelineV2ActionMinute} per action ` +
    `execution minute, manual approvals free, 100 free minutes per account per month. A V1 pipeline would be ${usd(PRICES.pipelineV1Active)} per active pipeline per month.`);
  p('- **Usage-based, not fixed**: S3 storage and requests, ECR storage and scans, CloudWatch Logs ingestion and storage, ' +
    'CodeBuild build minutes, KMS requests (20,000 free per month), SNS deliveries and CodeStar notification rules (no charge ' +
    'for the rules; e-mail deliveries within the free tier for typical volumes). Not priced here; they depend on how often the pipeline runs.');
  p('- Prices: aws.amazon.com/kms/pricing, /cloudwatch/pricing, /codepipeline/pricing (and the AWS Security Blog post on ' +
    `KMS rotation pricing, April 2024), as read ${PRICES.checked}. Check them before budgeting.`, '');
  p('| construct | one pipeline | ' + m.counts.map((n) => `N = ${n}, own stores`).join(' | ') + ' | ' +
    m.counts.map((n) => `N = ${n}, one shared \`ArtifactStore\``).join(' | ') + ' | hand-written |');
  p(`|---|---|${m.counts.map(() => '---:').join('|')}|${m.counts.map(() => '---:').join('|')}|---:|`);
  for (const { c, rows } of allRows) {
    p(`| \`${c.construct.construct}\` | ${formatCost(c.oursCost)} | ` +
      rows.map((r) => `${usd(r.oursCost)} (${r.oursKeys} ${r.oursKeys === 1 ? 'key' : 'keys'})`).join(' | ') + ' | ' +
      rows.map((r) => `${usd(r.sharedCost)} (${r.sharedKeys} ${r.sharedKeys === 1 ? 'key' : 'keys'})`).join(' | ') + ` | ${usd(rows[0].handCost)} |`);
  }
  p('', 'Passing one `ArtifactStore` to every pipeline (`artifactStore` prop) brings N pipelines to one KMS key, one artifact ' +
    'bucket and one access-log bucket: the key cost stops growing with N, while per-pipeline alarms (Lambda rollback alarms) ' +
    'remain. For example:', '');
  p('```ts', 'const store = new ArtifactStore(this, \'Artifacts\');', 'new EcsContainerPipeline(this, \'Shop\', { artifactStore: store, /* ... */ });',
    'new LambdaPipeline(this, \'Orders\', { artifactStore: store, /* ... */ });', '```', '');

  if (m.overhead) {
    p(overheadMarkdown(m.overhead));
  }

  p('## Running it', '');
  p('```sh', 'npm run bench                                     # all constructs, N = 1, 10, 50, 100',
    'BENCH_REPS=3 BENCH_REPS_LARGE=2 npm run bench    # quicker, noisier',
    'npx ts-node --project tsconfig.dev.json bench/run.ts --report-only   # re-render docs/ from the last run', '```', '');
  p('Add a construct with one line in `bench/constructs.ts` and its four files: `bench/fixtures/<m>.ts` (the workload, with ' +
    '`fixture` for both environments and `environment` for one), `bench/ours/<m>.ts`, `bench/hand-written/<m>.ts` and `bench/cdk-pipelines/<m>.ts`. The chart is drawn by `bench/svg.ts` (plain SVG, no dependencies).', '');

  const summary = [
    ...targets.map((t) => `${mark(t.met)} ${t.name}: ${t.detail}`),
    ...allRows.flatMap(({ c, rows }) => rows.map((r) =>
      `${c.construct.construct.padEnd(22)} N=${String(r.count).padStart(3)}  cpu/hand ${fixed(r.cpuRatio)}  cpu/cdkp ${fixed(r.cdkpCpuRatio)}  ` +
      `process cpu ${fixed(r.oursProcessCpuMs, 0)} / ${fixed(r.handProcessCpuMs, 0)} / ${fixed(r.cdkpProcessCpuMs, 0)} ms  time/hand ${fixed(r.timeRatio)}  ` +
      `pipelines-only ${fixed(r.pipelineTimeRatio)}  memory ${fixed(r.memoryRatio)}  ` +
      `${fixed(r.oursResources, 0)} vs ${fixed(r.handResources, 0)} resources, ${kib(r.oursBytes)} vs ${kib(r.handBytes)} per pipeline`)),
    `import cost: ${fixed(ic.libraryMs, 0)} ms on top of ${fixed(ic.cdkMs, 0)} ms (${ic.source})`,
    ...(m.overhead ?? []).map(({ label, overhead }) => `${label.padEnd(48)} ${ec2Starts(overhead)} EC2  ${overheadLine(overhead)}`),
  ].join('\n');
  return { markdown: `${out.join('\n')}\n`, summary };
}

function workloadText(module: string): string {
  switch (module) {
    case 'ecs':
      return 'two Fargate services in a shared cluster and VPC';
    case 'lambda':
      return 'two functions with a `live` alias each';
    case 'static-site':
      return 'two private buckets, each behind a CloudFront distribution with Origin Access Control';
    default:
      return `\`bench/fixtures/${module}.ts\``;
  }
}

/** What the hand-written pipeline has more of, and why. */
function handOnly(type: string, module: string): string {
  if (module === 'lambda' && (type === 'AWS::CodeBuild::Project' || type === 'AWS::IAM::Role')) {
    return 'hand-written deploys with a CodeBuild project running the AWS CLI (and its role); ours uses CodePipeline\'s Lambda deploy action';
  }
  if (module === 'static-site' && type === 'AWS::IAM::Role') {
    return 'hand-written runs two actions per environment (S3 deploy, then invalidation), each with its own action role; ours runs one deploy action per environment';
  }
  return 'the hand-written pipeline has more of these';
}

/** Milliseconds of aws-cdk-lib's own synthesis steps in a profile (CATEGORIES 4 to 7: no library code, no GC). */
function synthesisMs(b: TimeBreakdown): number {
  return [4, 5, 6, 7].reduce((sum, i) => sum + b.ms[CATEGORIES[i]], 0);
}

/**
 * The lowest time ratio the profiled run allows: the hand-written total with its aws-cdk-lib
 * synthesis steps replaced by ours, i.e. ours if all our own code cost what the hand-written does.
 */
function timeFloor(ours: TimeBreakdown, hand: TimeBreakdown): number {
  return (hand.totalMs - synthesisMs(hand) + synthesisMs(ours)) / hand.totalMs;
}
