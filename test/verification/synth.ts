/**
 * Synthesize every example app (examples/registry.ts) and the coverage app (coverage-app.ts)
 * into `<out>/<app>/`, one cloud assembly each, with the gates' context (recommended feature
 * flags, construct paths in the templates), for the verification checks (authorization.py).
 *
 *   ts-node --project tsconfig.dev.json test/verification/synth.ts cdk.out/verification
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildCoverageApp } from './coverage-app';
import { EXAMPLES } from '../../examples/registry';
import { GATE_CONTEXT } from '../security/support';

/** Every app the verification checks judge: the examples and the coverage app. */
export const VERIFICATION_APPS: ReadonlyArray<{ readonly name: string; readonly build: (app: App) => unknown }> = [
  ...EXAMPLES.map((e) => ({ name: e.name, build: (app: App) => e.build(app) })),
  { name: 'coverage-app', build: buildCoverageApp },
];

function main(): void {
  const out = path.resolve(process.argv[2] ?? 'cdk.out/verification');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const entry of VERIFICATION_APPS) {
    const started = Date.now();
    const app = new App({ outdir: path.join(out, entry.name), context: GATE_CONTEXT });
    entry.build(app);
    const assembly = app.synth();
    console.log(`synth ${entry.name}: ${assembly.stacks.length} stack(s) (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }
}

main();
