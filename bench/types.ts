import type { App, Stack } from 'aws-cdk-lib';
import type { IArtifactStore } from '../src';
import type { FixedCost } from './cost';

/** The two environments every benchmark pipeline deploys to, in order. */
export type EnvironmentName = 'Staging' | 'Production';

/** `fixtures/<module>.ts`: what one pipeline deploys (services, functions, ...). */
export interface FixtureModule<F = any> {
  /** Create the workload of pipeline number `index` in `stack`: both environments. */
  fixture(stack: Stack, index: number): F;
  /** One environment's half of `fixture` (the same constructs and ids), for a CDK Pipelines stage's stack. */
  environment(stack: Stack, index: number, name: EnvironmentName): unknown;
}

/** `ours/<module>.ts`: the library's pipeline for one fixture. */
export interface OursModule<F = any> {
  pipeline(stack: Stack, index: number, fixture: F, artifactStore?: IArtifactStore): void;
}

/** `hand-written/<module>.ts`: the same job, wired by hand from aws-cdk-lib L2 constructs. */
export interface HandWrittenModule<F = any> {
  pipeline(stack: Stack, index: number, fixture: F): void;
}

/** `cdk-pipelines/<module>.ts`: the same job with `aws-cdk-lib/pipelines`, its own pipeline stack and stage stacks. */
export interface CdkPipelinesModule {
  pipeline(app: App, index: number, fixtures: FixtureModule): void;
}

/**
 * Which app a benchmark child synthesizes. `nag2`: `shared` with cdk-nag 2's AwsSolutions pack applied (the library then writes its
 * acknowledgements of that pack into the template); `nag2-all`: `shared` with the metadata of all
 * five packs the library is checked against (context `cdk-delivery-pipelines:cdkNagMetadata`); `cdkp`: CDK Pipelines,
 * one pipeline stack per pipeline with a Staging and a Production stage stack (so its footprint is not comparable).
 */
export type Variant = 'fixture' | 'ours' | 'shared' | 'nag2' | 'nag2-all' | 'hand' | 'cdkp';

/** Every variant, for the child's argument check. */
export const VARIANTS: readonly Variant[] = ['fixture', 'ours', 'shared', 'nag2', 'nag2-all', 'hand', 'cdkp'];

/** What a benchmark child reports (one JSON line on stdout). */
export interface ChildResult {
  readonly module: string;
  readonly variant: Variant;
  readonly count: number;
  /** Constructing the app, in milliseconds. */
  readonly constructMs: number;
  /** `app.synth()`, in milliseconds. */
  readonly synthMs: number;
  /** CPU time (user + system, all threads) of constructing and synthesizing, in milliseconds. */
  readonly cpuMs: number;
  /**
   * The whole process as `cdk synth` runs the app: CPU time (user + system) from node's start
   * to the end of `app.synth()`, module loading included; the benchmark's own reading of the
   * template afterwards is left out. Absent in runs stored before it was measured.
   */
  readonly processCpuMs?: number;
  /** Peak resident set size of the child, in KiB (process.resourceUsage().maxRSS). */
  readonly maxRssKb: number;
  /** Bytes of the synthesized template file, as `cdk deploy` uploads it (cdkp: all its stacks' templates). */
  readonly templateBytes: number;
  /** Resources of the pipelines (below `Bench/Pipeline<i>`, and the shared store). */
  readonly pipelineResources: number;
  /** Fixed monthly cost of the pipelines' resources. */
  readonly fixedCost: FixedCost;
  /** Resource counts by type. */
  readonly resourceTypes: Record<string, number>;
  /** The synthesized template (only when asked for, to compute costs). */
  readonly template?: unknown;
}
