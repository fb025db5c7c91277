/**
 * First-run simulation, step 1: synthesize every registered example app (examples/registry.ts)
 * and the coverage app (../coverage-app.ts) into `<out>/<name>/` (a cloud assembly the Python runner reads) and list them in
 * `<out>/examples.json`; and, always, the cross-account fixture of the self-tests
 * (cross-account-fixture.ts) into `<out>/selftest-cross-account/`.
 *
 *   ts-node --project tsconfig.dev.json test/verification/simulation/synth.ts cdk.out/simulation
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { EXAMPLES } from '../../../examples/registry';
import { buildCoverageApp } from '../coverage-app';
import { buildCrossAccountFixture } from './cross-account-fixture';

/**
 * The apps the simulation runs: every registered example, and the authorization check's coverage
 * app (every option that changes what the library grants or runs switched on).
 */
const APPS: Array<{ name: string; title: string; build: (app: App) => unknown }> = [
  ...EXAMPLES,
  { name: 'coverage-app', title: 'Coverage app: every option of every construct switched on', build: buildCoverageApp },
];

function main(): void {
  const out = path.resolve(process.argv[2] ?? 'cdk.out/simulation');
  const only = process.argv.slice(3);
  fs.mkdirSync(out, { recursive: true });
  const listed: Array<{ name: string; title: string; dir: string }> = [];
  for (const example of APPS) {
    if (only.length > 0 && !only.includes(example.name)) {
      continue;
    }
    const dir = path.join(out, example.name);
    fs.rmSync(dir, { recursive: true, force: true });
    // The recommended flags, as the examples' own app has them; no cdk-nag: the security gates judge that.
    const app = new App({ outdir: dir, context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
    example.build(app);
    app.synth();
    listed.push({ name: example.name, title: example.title, dir });
  }
  fs.writeFileSync(path.join(out, 'examples.json'), JSON.stringify(listed, null, 2));
  // The self-tests' cross-account app: not an example, run whatever examples are asked for.
  const fixture = path.join(out, 'selftest-cross-account');
  fs.rmSync(fixture, { recursive: true, force: true });
  buildCrossAccountFixture(new App({ outdir: fixture, context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } })).synth();
}

main();
