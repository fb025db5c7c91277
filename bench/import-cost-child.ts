/**
 * How long loading the library takes on top of aws-cdk-lib, in a fresh process:
 *
 *   node import-cost-child.js <library entry (absolute)> <module> [<module> ...]
 *
 * First loads `aws-cdk-lib`, `constructs` and the aws-cdk-lib modules the library imports
 * (what an app that defines the same resources by hand loads anyway), then the library.
 * Prints one JSON line: both durations and the resident memory each added.
 */
import { createRequire } from 'module';
import { performance } from 'perf_hooks';

// Plain CommonJS `require`, as a user's app loads packages.
const load = createRequire(__filename);

function main(): void {
  const [entry, ...modules] = process.argv.slice(2);
  if (!entry || modules.length === 0) {
    throw new Error('usage: import-cost-child <library entry> <module> [<module> ...]');
  }
  const files = () => Object.keys(load.cache);
  const cdk = (list: string[]) => list.filter((f) => /[\\/]node_modules[\\/]aws-cdk-lib[\\/]/.test(f)).length;
  const before = files();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  for (const m of modules) {
    load(m);
  }
  const t1 = performance.now();
  const rss1 = process.memoryUsage().rss;
  const middle = files();
  load(entry);
  const t2 = performance.now();
  const rss2 = process.memoryUsage().rss;
  const after = files();
  const added = after.filter((f) => !middle.includes(f));
  process.stdout.write(`${JSON.stringify({
    cdkMs: t1 - t0,
    libraryMs: t2 - t1,
    cdkRssKb: Math.round((rss1 - rss0) / 1024),
    libraryRssKb: Math.round((rss2 - rss1) / 1024),
    cdkFilesBefore: cdk(middle) - cdk(before),
    cdkFilesByLibrary: cdk(added),
    libraryFiles: added.length - cdk(added) - added.filter((f) => /[\\/]node_modules[\\/]/.test(f) && !/aws-cdk-lib/.test(f)).length,
  })}\n`);
}

main();
