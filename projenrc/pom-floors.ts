/**
 * After `package:java`: the published POM asks for aws-cdk-lib and constructs from the npm peer
 * floor, as a Maven range. jsii-pacmak writes the npm ranges as Maven ranges, then runs
 * `versions:resolve-ranges`, which pins each to the newest version Maven can see on the day of
 * packaging: a Java team would then be held to that aws-cdk-lib or newer, whatever the library
 * needs. The POM's checksums are written again.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const peers: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).peerDependencies ?? {};

/** `^2.257.0` → `[2.257.0,3.0.0)`: the caret ranges the peer dependencies use. */
function mavenRange(range: string): string {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) {
    throw new Error(`pom-floors: cannot write the npm range ${range} as a Maven range (expected ^major.minor.patch)`);
  }
  return `[${m[1]}.${m[2]}.${m[3]},${Number(m[1]) + 1}.0.0)`;
}

const ARTIFACTS: Record<string, string> = { 'aws-cdk-lib': 'aws-cdk-lib', 'constructs': 'constructs' };

function poms(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? poms(p) : e.name.endsWith('.pom') ? [p] : [];
  });
}

const files = poms(path.join(ROOT, 'dist', 'java'));
if (files.length === 0) {
  throw new Error('pom-floors: no POM under dist/java (run after package:java)');
}
for (const file of files) {
  let text = fs.readFileSync(file, 'utf8');
  for (const [npmName, artifactId] of Object.entries(ARTIFACTS)) {
    const range = peers[npmName];
    if (!range) {
      continue;
    }
    const pattern = new RegExp(`(<artifactId>${artifactId}</artifactId>\\s*<version>)[^<]*(</version>)`);
    if (!pattern.test(text)) {
      throw new Error(`pom-floors: ${path.relative(ROOT, file)} has no ${artifactId} dependency`);
    }
    text = text.replace(pattern, `$1${mavenRange(range)}$2`);
  }
  fs.writeFileSync(file, text);
  for (const algorithm of ['md5', 'sha1']) {
    fs.writeFileSync(`${file}.${algorithm}`, createHash(algorithm).update(text).digest('hex'));
  }
  console.log(`pom-floors: ${path.relative(ROOT, file)} asks for ${Object.keys(ARTIFACTS).map((n) => `${n} ${mavenRange(peers[n])}`).join(', ')}`);
}
