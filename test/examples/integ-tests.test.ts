import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES } from '../../examples/registry';

/** test/, where integ-runner discovers the integration tests and keeps their snapshots. */
const TEST_DIR = path.resolve(__dirname, '..');
const integFiles = fs.readdirSync(TEST_DIR).filter(f => /^integ\..*\.ts$/.test(f));

describe('integration tests (test/integ.<example>.ts, run by `npx projen integ:snapshot`)', () => {
  test.each(EXAMPLES.map(example => example.name))('GIVEN example %s THEN it has an integ test with a committed snapshot', name => {
    expect(integFiles).toContain(`integ.${name}.ts`);
    // integ-runner's manifest: one test case whose stacks were synthesized into the snapshot
    const snapshot = path.join(TEST_DIR, `integ.${name}.ts.snapshot`);
    const manifest = JSON.parse(fs.readFileSync(path.join(snapshot, 'integ.json'), 'utf8'));
    const cases = Object.values(manifest.testCases) as Array<{ stacks: string[] }>;
    expect(cases).toHaveLength(1);
    for (const stack of cases[0].stacks) {
      expect(fs.existsSync(path.join(snapshot, `${stack}.template.json`))).toBe(true);
    }
  });

  test('THEN every integ test is the test of a registered example', () => {
    expect(integFiles.sort()).toEqual(EXAMPLES.map(example => `integ.${example.name}.ts`).sort());
  });

  test('THEN no snapshot holds a path of the machine that wrote it', () => {
    const checkout = path.resolve(TEST_DIR, '..');
    const offending: string[] = [];
    for (const file of integFiles) {
      const snapshot = path.join(TEST_DIR, `${file}.snapshot`);
      // The asset.* directories hold integ-tests-alpha's bundled assertion provider, not ours.
      for (const entry of fs.readdirSync(snapshot).filter(f => f.endsWith('.json') || f === 'cdk.out')) {
        if (fs.readFileSync(path.join(snapshot, entry), 'utf8').includes(checkout)) {
          offending.push(`${file}.snapshot/${entry}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
