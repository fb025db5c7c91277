/**
 * After `package:go`: the Go module asks for what the library needs, nothing newer. jsii-pacmak
 * adds aws-cdk-lib's own dependencies (cloud-assembly-schema, the asset modules) as `// indirect`
 * requirements at the versions npm installed on the day of packaging; aws-cdk-go's go.mod
 * already names the versions it was built with, so Go's minimal version selection needs no more
 * from us. The direct requirements (aws-cdk-go at the peer floor, constructs, the jsii runtime)
 * stay as jsii-pacmak wrote them.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const GO_DIST = path.join(ROOT, 'dist', 'go');

const modules = fs.existsSync(GO_DIST)
  ? fs.readdirSync(GO_DIST).map((d) => path.join(GO_DIST, d, 'go.mod')).filter((f) => fs.existsSync(f))
  : [];
if (modules.length === 0) {
  throw new Error('go-module: no go.mod under dist/go (run after package:go)');
}
for (const file of modules) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const kept = lines.filter((l) => !/^\s+\S+\s+v\S+\s+\/\/ indirect\s*$/.test(l));
  fs.writeFileSync(file, kept.join('\n'));
  console.log(`go-module: ${path.relative(ROOT, file)}: ${lines.length - kept.length} indirect requirements dropped`);
}
