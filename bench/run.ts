/**
 * `npm run bench`: synthesize N = 1, 10, 50 and 100 pipelines of each construct in CONSTRUCTS,
 * the same jobs wired by hand from aws-cdk-lib L2 constructs, and with CDK Pipelines
 * (`aws-cdk-lib/pipelines`), each repetition in a fresh `node` process; measure CPU and wall
 * time of synthesis (and of the whole process), peak memory, footprint, import cost and fixed
 * monthly cost; check issue 17's targets (`bench/targets.ts`); write docs/benchmarks.md and
 * docs/benchmarks.svg.
 *
 * `ts-node --project tsconfig.dev.json bench/run.ts --report-only` re-renders the docs from the
 * last run's measurements (after changing the report or the chart).
 *
 * Environment: BENCH_REPS (repetitions for N <= 10, default 5), BENCH_REPS_LARGE (for N >= 50,
 * default 3), BENCH_COUNTS (default "1,10,50,100": the linearity target needs 10, 50 and 100).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { transpile, walk } from './compile';
import { BenchConstruct, CONSTRUCTS } from './constructs';
import { compareResources } from './extras';
import { measureOverhead } from './overhead';
import { breakdown } from './profile';
import { ConstructResult, ImportCost, Measurements, renderReport } from './report';
import { median } from './stats';
import { renderChart } from './svg';
import type { ChildResult, Variant } from './types';

const ROOT = path.resolve(__dirname, '..');
/** Below the repository, so the children resolve aws-cdk-lib from its node_modules. */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'cdk-delivery-pipelines-bench');
const CHILD = path.join(CACHE, 'bench', 'child.js');
const IMPORT_CHILD = path.join(CACHE, 'bench', 'import-cost-child.js');
const DOCS = path.join(ROOT, 'docs');
/** The last run's raw measurements, for `--report-only`. */
const MEASUREMENTS = path.join(CACHE, '..', 'cdk-delivery-pipelines-bench-measurements.json');

const COUNTS = (process.env.BENCH_COUNTS ?? '1,10,50,100').split(',').map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const REPS_LARGE = Number(process.env.BENCH_REPS_LARGE ?? 3);
/** The workload-only app is the baseline of the pipeline-only ratio; fewer repetitions suffice. */
const FIXTURE_REPS = 3;
const IMPORT_REPS = 7;
/** N whose CPU profile explains where the time goes: the largest, where N-dependent costs show. */
const PROFILE_COUNT = Math.max(...COUNTS);

function main(): void {
  if (process.argv.includes('--report-only')) {
    // Re-render docs/ from the last run's measurements (after changing the report or chart).
    const stored: Measurements = JSON.parse(fs.readFileSync(MEASUREMENTS, 'utf8'));
    write({ ...stored, overhead: stored.overhead ?? measureOverhead() });
    return;
  }
  const started = Date.now();
  const loadBefore = os.loadavg();
  log(`transpiling src/ and bench/ into ${path.relative(ROOT, CACHE)}`);
  const files = transpile(ROOT, CACHE);
  log(`${files} files; constructs: ${CONSTRUCTS.map((c) => c.construct).join(', ')}; N = ${COUNTS.join(', ')}; ` +
    `repetitions ${REPS} (N >= 50: ${REPS_LARGE})`);

  // A throwaway run warms the file system cache so the first measurement is not an outlier.
  runChild(CONSTRUCTS[0], 'fixture', 1);

  const runs: ChildResult[] = [];
  for (const count of COUNTS) {
    const reps = count >= 50 ? REPS_LARGE : REPS;
    for (let rep = 0; rep < reps; rep++) {
      for (const c of CONSTRUCTS) {
        // Alternate the order so a drifting machine load does not favour one side.
        const order: Variant[] = rep % 2 === 0 ? ['ours', 'hand', 'cdkp', 'fixture'] : ['cdkp', 'hand', 'ours', 'fixture'];
        for (const variant of order) {
          if (variant === 'fixture' && rep >= FIXTURE_REPS) {
            continue;
          }
          const r = runChild(c, variant, count);
          runs.push(r);
          log(`N=${String(count).padStart(2)} rep ${rep + 1}/${reps} ${c.module.padEnd(12)} ${variant.padEnd(7)} ` +
            `${Math.round(r.constructMs + r.synthMs).toString().padStart(6)} ms  ${Math.round(r.maxRssKb / 1024)} MiB  ` +
            `${Object.values(r.resourceTypes).reduce((a, b) => a + b, 0)} resources`);
        }
      }
    }
    for (const c of CONSTRUCTS) {
      runs.push(runChild(c, 'shared', count), runChild(c, 'nag2', count), runChild(c, 'nag2-all', count));
    }
  }

  const constructs: ConstructResult[] = CONSTRUCTS.map((c) => {
    const ours1 = runChild(c, 'ours', 1, true);
    const hand1 = runChild(c, 'hand', 1, true);
    const profiles = {
      ours: profile(c, 'ours'),
      hand: profile(c, 'hand'),
    };
    return {
      construct: c,
      runs: runs.filter((r) => r.module === c.module),
      differences: compareResources((ours1.template as any).Resources, 'Bench/Pipeline0', (hand1.template as any).Resources, 'Bench/Pipeline0'),
      oursCost: ours1.fixedCost,
      profiles,
    };
  });
  const empty = runChild(CONSTRUCTS[0], 'fixture', 0);

  const limitProbe = probeAspectLimit();
  log('counting the run-time overhead per execution (example apps, N = 1 pipelines)');
  const overhead = measureOverhead();
  const importCost = measureImportCost();
  const measurements: Measurements = {
    date: new Date().toISOString().slice(0, 10),
    counts: COUNTS,
    reps: REPS,
    repsLarge: REPS_LARGE,
    fixtureReps: FIXTURE_REPS,
    profileCount: PROFILE_COUNT,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()}`,
    load: { before: loadBefore, after: os.loadavg() },
    versions: { 'aws-cdk-lib': packageVersion('aws-cdk-lib'), 'constructs': packageVersion('constructs') },
    git: gitState(),
    emptyTemplateBytes: empty.templateBytes,
    constructs,
    importCost,
    limitProbe,
    runtimeSeconds: (Date.now() - started) / 1000,
    overhead,
  };

  fs.writeFileSync(MEASUREMENTS, JSON.stringify(measurements));
  write(measurements);
}

function write(measurements: Measurements): void {
  fs.mkdirSync(DOCS, { recursive: true });
  fs.writeFileSync(path.join(DOCS, 'benchmarks.svg'), renderChart(measurements));
  const report = renderReport(measurements);
  fs.writeFileSync(path.join(DOCS, 'benchmarks.md'), report.markdown);
  console.log(`\n${report.summary}\n`);
  log(`wrote docs/benchmarks.md and docs/benchmarks.svg (measurements took ${measurements.runtimeSeconds.toFixed(0)} s)`);
}

/** Run one measurement in a fresh `node` process. */
function runChild(c: BenchConstruct, variant: Variant, count: number, withTemplate = false, nodeArgs: string[] = []): ChildResult {
  const outdir = path.join(CACHE, 'out', `${c.module}-${variant}-${count}-${process.pid}`);
  const result = spawnSync(process.execPath, [...nodeArgs, CHILD, c.module, variant, String(count), outdir, ...(withTemplate ? ['--template'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  const line = (result.stdout ?? '').split('\n').reverse().find((l) => l.startsWith('{'));
  if (result.status !== 0 || !line) {
    throw new Error(`benchmark child ${c.module} ${variant} N=${count} failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
      `${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return JSON.parse(line);
}

/**
 * aws-cdk-lib restarts its aspect pass at most 100 times; the library adds stages from an
 * aspect, one restart per pipeline. Synthesize one more than that, with the lightest construct.
 */
function probeAspectLimit(): { construct: string; count: number; ok: boolean; error?: string } {
  const c = CONSTRUCTS.find((x) => x.module === 'lambda') ?? CONSTRUCTS[0];
  const count = 101;
  try {
    runChild(c, 'ours', count);
    log(`${count} ${c.construct}s in one app: synthesized`);
    return { construct: c.construct, count, ok: true };
  } catch (err) {
    const error = /«(\w+)»/.exec(String(err))?.[1] ?? String(err).split('\n')[0];
    log(`${count} ${c.construct}s in one app: synthesis failed (${error})`);
    return { construct: c.construct, count, ok: false, error };
  }
}

/** One CPU-profiled run at N = PROFILE_COUNT, broken down by where the time went. */
function profile(c: BenchConstruct, variant: Variant) {
  const dir = path.join(CACHE, 'profiles', `${c.module}-${variant}`);
  fs.rmSync(dir, { recursive: true, force: true });
  runChild(c, variant, PROFILE_COUNT, false, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    throw new Error(`no CPU profile in ${dir}`);
  }
  // The library's own code is the transpiled src/ the children load.
  return breakdown(path.join(dir, file), path.join(CACHE, 'src'));
}

/**
 * Load time of the compiled library on top of aws-cdk-lib and the aws-cdk-lib modules it
 * imports. Uses lib/ (what npm users load), compiling it first with jsii when it is missing
 * or older than src/; falls back to the transpiled copy when jsii cannot compile the sources.
 */
function measureImportCost(): ImportCost {
  let entry = path.join(ROOT, 'lib', 'index.js');
  let source = 'lib/index.js (compiled by jsii)';
  const stale = libIsStale();
  if (stale) {
    log(`lib/ is ${stale}: compiling with \`npx projen compile\``);
    const compiled = spawnSync('npx', ['projen', 'compile'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (compiled.status !== 0 || libIsStale()) {
      entry = path.join(CACHE, 'src', 'index.js');
      source = 'src/ transpiled by the benchmark (jsii could not compile the working tree, so lib/ was not used)';
      log(`jsii compile failed; measuring the transpiled copy instead:\n${compiled.stdout}${compiled.stderr}`);
    } else {
      source = 'lib/index.js (compiled by jsii for this run)';
    }
  }
  const modules = libraryImports();
  const samples: Array<Omit<ImportCost, 'source' | 'modules' | 'reps'>> = [];
  for (let i = 0; i < IMPORT_REPS; i++) {
    const r = spawnSync(process.execPath, [IMPORT_CHILD, entry, ...modules], { cwd: ROOT, encoding: 'utf8' });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) {
      throw new Error(`import cost child failed: ${r.stdout}${r.stderr}`);
    }
    samples.push(JSON.parse(line));
  }
  return {
    source,
    modules,
    reps: IMPORT_REPS,
    cdkMs: median(samples.map((s) => s.cdkMs)),
    libraryMs: median(samples.map((s) => s.libraryMs)),
    cdkRssKb: median(samples.map((s) => s.cdkRssKb)),
    libraryRssKb: median(samples.map((s) => s.libraryRssKb)),
    libraryFiles: samples[0].libraryFiles,
    cdkFilesByLibrary: samples[0].cdkFilesByLibrary,
    cdkFilesBefore: samples[0].cdkFilesBefore,
  };
}

/** Why lib/ cannot be used as it is, or undefined when it is current. */
function libIsStale(): string | undefined {
  const index = path.join(ROOT, 'lib', 'index.js');
  if (!fs.existsSync(index)) {
    return 'missing';
  }
  for (const file of walk(path.join(ROOT, 'src'))) {
    if (!file.endsWith('.ts')) {
      continue;
    }
    const js = path.join(ROOT, 'lib', path.relative(path.join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(file).mtimeMs) {
      return `older than ${path.relative(ROOT, file)}`;
    }
  }
  return undefined;
}

/** The external modules the library's sources import (aws-cdk-lib modules, constructs). */
function libraryImports(): string[] {
  const found = new Set<string>(['aws-cdk-lib', 'constructs']);
  for (const file of walk(path.join(ROOT, 'src'))) {
    if (!file.endsWith('.ts')) {
      continue;
    }
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '((?:aws-cdk-lib|constructs)(?:\/[^']+)?)'/g)) {
      found.add(m[1]);
    }
  }
  return [...found].sort();
}

function packageVersion(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

function gitState(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  return head ? `${head}${dirty ? ' + uncommitted changes in src/' : ''}` : 'unknown';
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

main();
