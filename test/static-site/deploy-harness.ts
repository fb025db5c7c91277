import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A hermetic stand-in for the tools the deploy script calls (aws, curl, python3's zipfile), so the
 * script from the synthesized buildspec can run for real in a test: S3 is a directory, every
 * call is recorded, and curl answers from the fake site bucket (404 for a missing file, 500
 * for a file that contains "BROKEN", 200 otherwise).
 */
const FAKE_CLI = String.raw`
const fs = require('fs');
const path = require('path');
const root = process.env.FAKE_ROOT;
const s3 = path.join(root, 's3');
const [tool, ...args] = process.argv.slice(2);
fs.appendFileSync(path.join(root, 'calls.jsonl'), JSON.stringify([tool, ...args]) + '\n');
if (process.env.FAKE_FAIL && JSON.stringify([tool, ...args]).includes(process.env.FAKE_FAIL)) {
  // The matching calls after the first FAKE_FAIL_SKIP (default 0) fail, FAKE_FAIL_TIMES (default 1) of them.
  const count = path.join(root, 'fail-count');
  const n = (fs.existsSync(count) ? Number(fs.readFileSync(count, 'utf8')) : 0) + 1;
  fs.writeFileSync(count, String(n));
  const skip = Number(process.env.FAKE_FAIL_SKIP || '0');
  if (n > skip && n <= skip + Number(process.env.FAKE_FAIL_TIMES || '1')) {
    process.stderr.write('fake failure of ' + tool + ' ' + args.join(' ') + '\n');
    process.exit(1);
  }
}
const VALUED = ['--exclude', '--include', '--cache-control', '--metadata', '--query', '--output', '--distribution-id', '--paths', '--id',
  '--bucket', '--prefix', '--max-time', '--write-out', '--proto', '-d'];
function parse(list) {
  const positional = []; const flags = [];
  for (let i = 0; i < list.length; i++) {
    if (VALUED.includes(list[i])) { flags.push([list[i], list[++i]]); }
    else if (list[i].startsWith('-') && list[i] !== '-') { flags.push([list[i], true]); }
    else { positional.push(list[i]); }
  }
  const flag = (name) => { const f = flags.find(([n]) => n === name); return f ? f[1] : undefined; };
  return { positional, flags, flag };
}
function globToRegex(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') { const end = glob.indexOf(']', i); re += glob.slice(i, end + 1).replace('[!', '[^'); i = end; }
    else re += c.replace(/[.+^$(){}|\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}
function walk(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}
function location(url) { const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url); return { bucket: m[1], key: m[2] }; }
function objectFile(bucket, key) { return path.join(s3, bucket, key); }
function metaFile(bucket, key) { return path.join(s3, '.meta', bucket, key + '.json'); }
function nextSeq() { const f = path.join(root, 'seq'); const n = fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) + 1 : 1; fs.writeFileSync(f, String(n)); return n; }
function put(bucket, key, body, meta) {
  fs.mkdirSync(path.dirname(objectFile(bucket, key)), { recursive: true });
  fs.writeFileSync(objectFile(bucket, key), body);
  fs.mkdirSync(path.dirname(metaFile(bucket, key)), { recursive: true });
  fs.writeFileSync(metaFile(bucket, key), JSON.stringify({ ...meta, seq: nextSeq() }));
}
function keys(bucket) { const dir = path.join(s3, bucket); return fs.existsSync(dir) ? walk(dir) : []; }
function remove(bucket, key) { fs.rmSync(objectFile(bucket, key), { force: true }); fs.rmSync(metaFile(bucket, key), { force: true }); }
function record(entry) { fs.appendFileSync(path.join(root, 'uploads.jsonl'), JSON.stringify(entry) + '\n'); }

function aws() {
  const [service, command, ...rest] = args;
  const p = parse(rest);
  if (service === 's3' && command === 'cp') {
    const [src, dst] = p.positional;
    if (src === '-') { const { bucket, key } = location(dst); put(bucket, key, fs.readFileSync(0), {}); return; }
    if (src.startsWith('s3://')) {
      const { bucket, key } = location(src);
      if (!fs.existsSync(objectFile(bucket, key))) { process.stderr.write('fatal error: An error occurred (404) when calling the HeadObject operation: Not Found\n'); process.exit(1); }
      if (dst === '-') { process.stdout.write(fs.readFileSync(objectFile(bucket, key))); return; }
      fs.copyFileSync(objectFile(bucket, key), dst); return;
    }
    const { bucket, key: prefix } = location(dst);
    if (p.flag('--recursive')) {
      const filters = p.flags.filter(([n]) => n === '--exclude' || n === '--include');
      for (const file of walk(src)) {
        let included = true;
        for (const [kind, pattern] of filters) { if (globToRegex(pattern).test(file)) included = kind === '--include'; }
        if (!included) continue;
        const key = prefix + file;
        put(bucket, key, fs.readFileSync(path.join(src, file)), { cacheControl: p.flag('--cache-control') });
        record({ op: 'upload', bucket, key, cacheControl: p.flag('--cache-control') });
      }
      return;
    }
    put(bucket, prefix, fs.readFileSync(src), { metadata: p.flag('--metadata') });
    return;
  }
  if (service === 's3' && command === 'sync') {
    const [src, dst] = p.positional;
    const { bucket } = location(dst);
    // Filters as the aws CLI applies them: the last matching one wins; excluded keys are neither uploaded nor deleted.
    const filters = p.flags.filter(([n]) => n === '--exclude' || n === '--include');
    const included = (key) => filters.reduce((inc, [kind, pattern]) => (globToRegex(pattern).test(key) ? kind === '--include' : inc), true);
    const local = walk(src).filter(included);
    for (const file of local) {
      const existing = objectFile(bucket, file);
      if (!fs.existsSync(existing) || fs.statSync(existing).size !== fs.statSync(path.join(src, file)).size) {
        put(bucket, file, fs.readFileSync(path.join(src, file)), {});
        record({ op: 'sync-upload', bucket, key: file });
      }
    }
    if (p.flag('--delete')) {
      for (const key of keys(bucket).filter((k) => included(k) && !local.includes(k))) { remove(bucket, key); record({ op: 'delete', bucket, key }); }
    }
    return;
  }
  if (service === 's3' && command === 'rm') { const { bucket, key } = location(p.positional[0]); remove(bucket, key); record({ op: 'delete', bucket, key }); return; }
  if (service === 's3api' && command === 'list-objects-v2') {
    const bucket = p.flag('--bucket'); const prefix = p.flag('--prefix');
    // "Contents[?Key=='<key>'].Key": that key, when it exists; like the CLI, "None" when nothing has the prefix.
    const exact = /^Contents\[\?Key=='([^']*)'\]\.Key$/.exec(p.flag('--query') || '');
    if (exact) {
      const matching = keys(bucket).filter((k) => k.startsWith(prefix));
      process.stdout.write((matching.length === 0 ? 'None' : matching.filter((k) => k === exact[1]).join('\t')) + '\n');
      return;
    }
    const found = keys(bucket).filter((k) => k.startsWith(prefix) && k.endsWith('.zip'))
      .sort((a, b) => JSON.parse(fs.readFileSync(metaFile(bucket, a), 'utf8')).seq - JSON.parse(fs.readFileSync(metaFile(bucket, b), 'utf8')).seq);
    process.stdout.write((found.length ? found.join('\t') : 'None') + '\n');
    return;
  }
  if (service === 'cloudfront' && command === 'create-invalidation') {
    const id = 'I' + nextSeq();
    record({ op: 'invalidate', distribution: p.flag('--distribution-id'), paths: p.flag('--paths'), id });
    process.stdout.write(id + '\n');
    return;
  }
  // FAKE_INVALIDATION_STATUS (default Completed) is what every invalidation reports; like the
  // real CLI waiter, wait invalidation-completed exits 255 when it never reads Completed.
  const invalidationStatus = process.env.FAKE_INVALIDATION_STATUS || 'Completed';
  if (service === 'cloudfront' && command === 'get-invalidation') {
    record({ op: 'wait', distribution: p.flag('--distribution-id'), id: p.flag('--id'), status: invalidationStatus });
    process.stdout.write(invalidationStatus + '\n');
    return;
  }
  if (service === 'cloudfront' && command === 'wait') {
    record({ op: 'wait', distribution: p.flag('--distribution-id'), id: p.flag('--id'), status: invalidationStatus });
    if (invalidationStatus !== 'Completed') { process.stderr.write('Waiter InvalidationCompleted failed: Max attempts exceeded\n'); process.exit(255); }
    return;
  }
  process.stderr.write('fake aws: unexpected call ' + args.join(' ') + '\n');
  process.exit(2);
}

function curl() {
  const p = parse(args);
  const url = p.positional[p.positional.length - 1];
  const key = new URL(url).pathname.replace(/^\//, '') || 'index.html';
  let file = objectFile(process.env.FAKE_SITE_BUCKET, key);
  if (!fs.existsSync(file) && process.env.FAKE_SPA) file = objectFile(process.env.FAKE_SITE_BUCKET, 'index.html');
  const status = !fs.existsSync(file) ? '404' : fs.readFileSync(file, 'utf8').includes('BROKEN') ? '500' : '200';
  record({ op: 'check', url, status, proto: p.flag('--proto'), maxTime: p.flag('--max-time') });
  process.stdout.write(status);
}

// The script archives with Python's zipfile (\`python3 -m zipfile -c out.zip .\`, \`-e in.zip dir\`).
function python3() {
  if (args[0] !== '-m' || args[1] !== 'zipfile' || !['-c', '-e'].includes(args[2])) {
    process.stderr.write('fake python3 runs only -m zipfile -c/-e, got ' + args.join(' ') + '\n');
    process.exit(2);
  }
  if (args[2] === '-c') {
    const files = Object.fromEntries(walk('.').map((f) => [f, fs.readFileSync(f).toString('base64')]));
    fs.writeFileSync(args[3], JSON.stringify(files));
    return;
  }
  const files = JSON.parse(fs.readFileSync(args[3], 'utf8'));
  for (const [file, body] of Object.entries(files)) {
    const target = path.join(args[4], file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(body, 'base64'));
  }
}

({ aws, curl, python3 })[tool]();
`;

/** One object of the fake S3. */
export interface FakeObject {
  readonly body: string;
  readonly cacheControl?: string;
}

/** A recorded effect of a fake tool, in order. */
export interface FakeEffect {
  readonly op: 'upload' | 'sync-upload' | 'delete' | 'invalidate' | 'wait' | 'check';
  readonly bucket?: string;
  readonly key?: string;
  readonly cacheControl?: string;
  readonly distribution?: string;
  readonly paths?: string;
  readonly id?: string;
  readonly url?: string;
  readonly status?: string;
  readonly proto?: string;
  /** The check's `curl --max-time`. */
  readonly maxTime?: string;
}

/** A fake world: the fake tools, a fake S3, and what happened in it. */
export class FakeWorld {
  public readonly root: string;
  private readonly bin: string;

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'static-site-deploy-'));
    this.bin = path.join(this.root, 'bin');
    fs.mkdirSync(this.bin);
    fs.writeFileSync(path.join(this.root, 'fake-cli.js'), FAKE_CLI);
    for (const tool of ['aws', 'curl', 'python3']) {
      const file = path.join(this.bin, tool);
      fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${path.join(this.root, 'fake-cli.js')}" ${tool} "$@"\n`);
      fs.chmodSync(file, 0o755);
    }
  }

  /** Put an object into the fake S3 (e.g. an earlier release's files). */
  public put(bucket: string, key: string, body: string, cacheControl?: string): void {
    const file = path.join(this.root, 's3', bucket, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
    const meta = path.join(this.root, 's3', '.meta', bucket, `${key}.json`);
    fs.mkdirSync(path.dirname(meta), { recursive: true });
    fs.writeFileSync(meta, JSON.stringify({ cacheControl, seq: 0 }));
  }

  /** Every object of a bucket, by key. */
  public bucket(bucket: string): Record<string, FakeObject> {
    const dir = path.join(this.root, 's3', bucket);
    if (!fs.existsSync(dir)) {
      return {};
    }
    const out: Record<string, FakeObject> = {};
    for (const key of walk(dir)) {
      const meta = JSON.parse(fs.readFileSync(path.join(this.root, 's3', '.meta', bucket, `${key}.json`), 'utf8'));
      out[key] = { body: fs.readFileSync(path.join(dir, key), 'utf8'), ...(meta.cacheControl ? { cacheControl: meta.cacheControl } : {}) };
    }
    return out;
  }

  /** What the fake tools did, in order, since the last `reset()`. */
  public get effects(): FakeEffect[] {
    return readLines(path.join(this.root, 'uploads.jsonl'));
  }

  /** Every command line the script ran, since the last `reset()`. */
  public get calls(): string[][] {
    return readLines(path.join(this.root, 'calls.jsonl'));
  }

  /** Forget the recorded effects and calls (the fake S3 stays). */
  public reset(): void {
    for (const f of ['uploads.jsonl', 'calls.jsonl', 'fail-count']) {
      fs.rmSync(path.join(this.root, f), { force: true });
    }
  }

  /**
   * Run the deploy command in a directory holding `site`, with the tools faked.
   *
   * @param command the buildspec command
   * @param env the variables the project and the action set
   * @param site the built site (file -> content)
   * @param fake how the fakes behave: FAKE_SITE_BUCKET (what curl reads), FAKE_SPA (a missing file answers index.html),
   *   FAKE_FAIL (fail a call whose arguments contain it, FAKE_FAIL_TIMES times), FAKE_INVALIDATION_STATUS (what every
   *   invalidation reports, default Completed)
   */
  public run(command: string, env: Record<string, string>, site: Record<string, string>, fake: Record<string, string> = {}): DeployRun {
    const siteDir = fs.mkdtempSync(path.join(this.root, 'site-'));
    for (const [file, body] of Object.entries(site)) {
      fs.mkdirSync(path.dirname(path.join(siteDir, file)), { recursive: true });
      fs.writeFileSync(path.join(siteDir, file), body);
    }
    const result = spawnSync('bash', ['-c', command], {
      cwd: siteDir,
      encoding: 'utf8',
      env: { PATH: `${this.bin}${path.delimiter}${process.env.PATH}`, HOME: this.root, TMPDIR: this.root, FAKE_ROOT: this.root, ...fake, ...env },
    });
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  }

  /** Remove the fake world. */
  public dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The outcome of one run of the deploy script. */
export interface DeployRun {
  readonly status: number;
  readonly output: string;
}

function readLines<T>(file: string): T[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l)) : [];
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}
