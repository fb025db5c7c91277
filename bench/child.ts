/**
 * One benchmark measurement, in a fresh process so its peak memory is its own:
 *
 *   node child.js <module> <fixture|ours|shared|nag2|nag2-all|hand|cdkp> <count> <outdir> [--template]
 *
 * Loads only what the variant needs (the hand-written and CDK Pipelines sides never load the
 * library), builds an app with `count` pipelines and their workloads in one stack (cdkp: a
 * pipeline stack and two stage stacks per pipeline), synthesizes the whole app into `outdir`
 * and prints one JSON line (a `ChildResult`).
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import { performance } from 'perf_hooks';
import { Annotations, App, Aspects, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { fixedMonthlyCost, underPath } from './cost';
import type * as SharedStore from './ours/shared-store';
import { BENCH_ENV } from './support';
import { CdkPipelinesModule, ChildResult, FixtureModule, HandWrittenModule, OursModule, Variant, VARIANTS } from './types';

// Loads only the modules the variant needs: the hand-written side never loads the library.
const load = createRequire(__filename);

function main(): void {
  const [module, variant, countText, outdir, flag] = process.argv.slice(2) as [string, Variant, string, string, string?];
  const count = Number(countText);
  if (!module || !VARIANTS.includes(variant) || !(count >= 0) || !outdir) {
    throw new Error(`usage: child <module> <${VARIANTS.join('|')}> <count> <outdir> [--template]`);
  }
  const fixtures: FixtureModule = load(`./fixtures/${module}`);
  let build: (stack: Stack, index: number, fixture: unknown) => void = () => undefined;
  let prepare: (stack: Stack) => void = () => undefined;
  let cdkp: CdkPipelinesModule | undefined;
  if (variant === 'cdkp') {
    cdkp = load(`./cdk-pipelines/${module}`);
  } else if (variant === 'hand') {
    const hand: HandWrittenModule = load(`./hand-written/${module}`);
    build = (stack, i, f) => hand.pipeline(stack, i, f);
  } else if (variant !== 'fixture') {
    const ours: OursModule = load(`./ours/${module}`);
    if (variant !== 'ours') {
      const { sharedArtifactStore } = load('./ours/shared-store') as typeof SharedStore;
      let store: ReturnType<typeof sharedArtifactStore> | undefined;
      prepare = (stack) => { store = sharedArtifactStore(stack); };
      build = (stack, i, f) => ours.pipeline(stack, i, f, store);
    } else {
      build = (stack, i, f) => ours.pipeline(stack, i, f);
    }
  }

  const cpu = process.cpuUsage();
  const started = performance.now();
  const app = new App({
    outdir,
    context: {
      ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
      // As the cdk CLI synthesizes by default: every resource names its construct path.
      [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
      // Measure past CloudFormation's 500-resource limit instead of failing at it.
      '@aws-cdk/core:stackResourceLimit': 0,
      // Past 80 % of the 1 MB template limit aws-cdk-lib warns, and with this flag prints a
      // validation report to the console; that printing is not synthesis, and it would hit
      // whichever side crosses the line first. Off for both sides.
      [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: false,
      ...(variant === 'nag2-all' ? { 'cdk-delivery-pipelines:cdkNagMetadata': true } : {}),
    },
  });
  if (variant === 'nag2') {
    const { AwsSolutionsChecks } = load('cdk-nag-v2');
    Aspects.of(app).add(new AwsSolutionsChecks());
  }
  let stack: Stack | undefined;
  if (cdkp) {
    for (let i = 0; i < count; i++) {
      cdkp.pipeline(app, i, fixtures);
    }
  } else {
    stack = new Stack(app, 'Bench', { env: BENCH_ENV });
    // Large N is meant to exceed the 1 MB template limit; the size is measured, not warned about.
    Annotations.of(stack).acknowledgeWarning('@aws-cdk/core:Stack.templateSize', 'the benchmark measures templates past the limit');
    prepare(stack);
    for (let i = 0; i < count; i++) {
      build(stack, i, fixtures.fixture(stack, i));
    }
  }
  const constructed = performance.now();
  const assembly = app.synth();
  const synthesized = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  // Since node started, module loading included: what the app process of `cdk synth` costs.
  const processCpu = process.cpuUsage();
  const maxRssKb = process.resourceUsage().maxRSS;

  const { bytes, template } = stack ? readTemplate(assembly.getStackArtifact(stack.artifactId).templateFullPath) : mergedTemplates(assembly);
  const resourceTypes: Record<string, number> = {};
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    resourceTypes[resource.Type] = (resourceTypes[resource.Type] ?? 0) + 1;
  }
  // The pipelines' side of the app: every pipeline, and the shared store when there is one.
  // cdkp: every pipeline stack, without its stages' stacks.
  const pipelineSide = (id: string, r: any) => underPath('Bench/SharedArtifacts')(id, r) ||
    (cdkp ? /^Pipeline\d+\/Pipeline(\/|$)/ : /^Bench\/Pipeline\d+(\/|$)/).test(r.Metadata?.['aws:cdk:path'] ?? '');
  const result: ChildResult = {
    module,
    variant,
    count,
    constructMs: constructed - started,
    synthMs: synthesized - constructed,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    processCpuMs: (processCpu.user + processCpu.system) / 1000,
    maxRssKb,
    pipelineResources: Object.entries<any>(template.Resources ?? {}).filter(([id, r]) => pipelineSide(id, r)).length,
    fixedCost: fixedMonthlyCost(template, pipelineSide),
    templateBytes: bytes,
    resourceTypes,
    ...(flag === '--template' ? { template } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** A synthesized template and its size in bytes. */
interface ReadTemplate {
  readonly bytes: number;
  readonly template: any;
}

function readTemplate(file: string): ReadTemplate {
  const text = fs.readFileSync(file, 'utf8');
  return { bytes: Buffer.byteLength(text), template: JSON.parse(text) };
}

/**
 * Every stack of the app (the stages' stacks sit in nested assemblies) as one template: bytes
 * added up, resources under `<stack>/<logical id>` so the counts cover the whole app.
 */
function mergedTemplates(assembly: cxapi.CloudAssembly): ReadTemplate {
  let bytes = 0;
  const Resources: Record<string, unknown> = {};
  const visit = (a: cxapi.CloudAssembly) => {
    for (const artifact of a.artifacts) {
      if (artifact instanceof cxapi.CloudFormationStackArtifact) {
        const one = readTemplate(artifact.templateFullPath);
        bytes += one.bytes;
        for (const [id, r] of Object.entries(one.template.Resources ?? {})) {
          Resources[`${artifact.hierarchicalId}/${id}`] = r;
        }
      } else if (artifact instanceof cxapi.NestedCloudAssemblyArtifact) {
        visit(artifact.nestedAssembly);
      }
    }
  };
  visit(assembly);
  return { bytes, template: { Resources } };
}

main();
