// The core holds only the spine: it imports nothing from the workload folders, and names no
// workload service's IAM actions or build variables (each workload declares its own reasons,
// reserved variables and defaults). Workloads do not import each other.
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', '..', 'src');
const WORKLOADS = ['ecs', 'lambda', 'static-site', 'server'];

function sources(folder: string): Array<[string, string]> {
  const dir = path.join(SRC, folder);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => [`${folder}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')]);
}

function imports(text: string): string[] {
  return [...text.matchAll(/^import[^;]*?from '([^']+)';/gms)].map((m) => m[1]);
}

describe('layering', () => {
  test('THEN no core file imports a workload folder', () => {
    const offending = sources('core').flatMap(([file, text]) => imports(text).filter((i) => i.startsWith('..')).map((i) => `${file} → ${i}`));
    expect(offending).toEqual([]);
  });

  test('THEN no core file names a workload service\'s IAM actions or the ECS build variables', () => {
    const workloadTerms = /'(ecs|ecr|lambda|cloudfront|codedeploy|elasticloadbalancing|inspector2):|REPOSITORY_URI|CACHE_REPOSITORY_URI/;
    expect(sources('core').filter(([, text]) => workloadTerms.test(text)).map(([file]) => file)).toEqual([]);
  });

  test.each(WORKLOADS)('THEN %s imports only the core and itself', (workload) => {
    const others = WORKLOADS.filter((w) => w !== workload).map((w) => `../${w}/`);
    const offending = sources(workload).flatMap(([file, text]) => imports(text).filter((i) => others.some((o) => i.startsWith(o))).map((i) => `${file} → ${i}`));
    expect(offending).toEqual([]);
  });
});
