/**
 * `test:security` step 2: synthesize every registered example app (examples/registry.ts) into
 * `<out>/<name>/`, run the cdk-nag packs over it (the same code the jest gate runs), and write
 * `<out>/synth.json`: per app its templates, its pipelines' and other library constructs' paths and the packs'
 * findings (acknowledged, with reasons, and remaining).
 *
 *   ts-node --project tsconfig.dev.json test/security/synth.ts cdk.out/security
 */
import * as fs from 'fs';
import * as path from 'path';
import { libraryPathsOf, pipelinePathsOf, runNagPacks, synthesizeExample } from './support';
import { EXAMPLES } from '../../examples/registry';

/** What synth.json holds for one app. */
export interface SynthesizedApp {
  readonly name: string;
  readonly title: string;
  readonly entry: string;
  /** Construct paths of the app's pipelines, e.g. `EcsShopDelivery/Pipeline`. */
  readonly pipelines: string[];
  /** The pipelines' classes, e.g. `EcsContainerPipeline`. */
  readonly pipelineClasses: string[];
  /**
   * Construct paths of every library construct the gates judge (LIBRARY_CONSTRUCTS in
   * support.ts: the pipelines and e.g. `StaticSiteWebDelivery/StagingSite`).
   */
  readonly libraryPaths: string[];
  /** The library constructs' classes, e.g. `StaticSiteHosting`. */
  readonly libraryClasses: string[];
  /** Template files, relative to the output directory. */
  readonly templates: Array<{ readonly stack: string; readonly file: string }>;
  readonly nag: ReturnType<typeof runNagPacks>;
  readonly seconds: number;
}

/** The whole synth.json. */
export interface SynthReport {
  readonly versions: Record<string, string>;
  readonly apps: SynthesizedApp[];
}

function packageVersion(name: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/** The first class up the prototype chain that the library exports (a user subclass names its base). */
function libraryClassOf(pipeline: object): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../../src') as Record<string, unknown>;
  for (let proto = Object.getPrototypeOf(pipeline); proto; proto = Object.getPrototypeOf(proto)) {
    const name = proto.constructor?.name;
    if (name && lib[name] === proto.constructor) {
      return name;
    }
  }
  return pipeline.constructor.name;
}

function main(): void {
  const out = path.resolve(process.argv[2] ?? 'cdk.out/security');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const apps: SynthesizedApp[] = [];
  for (const example of EXAMPLES) {
    const started = Date.now();
    const outdir = path.join(out, example.name);
    const ex = synthesizeExample(example, outdir);
    const nag = runNagPacks(ex);
    const seconds = (Date.now() - started) / 1000;
    apps.push({
      name: example.name,
      title: example.title,
      entry: example.entry,
      pipelines: pipelinePathsOf(ex),
      pipelineClasses: ex.pipelines.map(libraryClassOf),
      libraryPaths: libraryPathsOf(ex),
      libraryClasses: ex.libraryConstructs.map(libraryClassOf),
      templates: ex.assembly.stacks.map((s) => ({ stack: s.stackName, file: path.relative(out, path.join(outdir, s.templateFile)) })),
      nag,
      seconds,
    });
    const remaining = nag.reduce((n, r) => n + r.remaining.filter((f) => f.inPipeline).length, 0);
    console.log(`synth ${example.name}: ${ex.assembly.stacks.length} stack(s), ${ex.pipelines.length} pipeline(s), ` +
      `${ex.libraryConstructs.length} library construct(s), cdk-nag ${remaining} unacknowledged on them (${seconds.toFixed(1)}s)`);
  }
  const report: SynthReport = {
    versions: { 'aws-cdk-lib': packageVersion('aws-cdk-lib'), 'cdk-nag': packageVersion('cdk-nag') },
    apps,
  };
  fs.writeFileSync(path.join(out, 'synth.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main();
