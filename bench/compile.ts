import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Transpile (no type check: `tsc --noEmit -p tsconfig.dev.json` does that) the library's
 * sources and the benchmark into `outdir`, keeping the layout (`src/`, `bench/`), so benchmark
 * children run plain JavaScript with `node`: no ts-node compiler in their time or memory.
 * `outdir` must be below the repository so `aws-cdk-lib` resolves from its node_modules.
 */
export function transpile(root: string, outdir: string, dirs: string[] = ['src', 'bench']): number {
  fs.rmSync(outdir, { recursive: true, force: true });
  let files = 0;
  for (const dir of dirs) {
    for (const file of walk(path.join(root, dir))) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) {
        continue;
      }
      const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          experimentalDecorators: true,
        },
      });
      const target = path.join(outdir, path.relative(root, file)).replace(/\.ts$/, '.js');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, output.outputText);
      files++;
    }
  }
  return files;
}

/** Every file below `dir` (none when it does not exist). */
export function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) {
    return;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full);
    } else {
      yield full;
    }
  }
}
