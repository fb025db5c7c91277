/**
 * Compare the templates the Python and Java consumer programs synthesized with the TypeScript
 * reference (reference.ts, same construct ids and props, built from '../../src').
 *
 *   ts-node --project tsconfig.dev.json test/consumers/compare.ts [OUT_DIR]
 *
 * OUT_DIR (default test/consumers/out) holds one cloud assembly per language: python/ and
 * java/. For each, the reference is synthesized in-process (with that language's override
 * markers) into OUT_DIR/reference-<language>/, and every stack template must be deeply equal to
 * the reference's. No stack is named here: every stack of the reference and of the program is
 * compared, and a stack that only one of them has fails. No normalization at all, so logical
 * ids, asset hashes, buildspec strings (whose key order is part of the template) and metadata
 * must match exactly. Prints the first differences of each template and exits 1 on any
 * mismatch or missing template.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReferenceApp, ConsumerLanguage } from './reference';

const LANGUAGES: ConsumerLanguage[] = ['python', 'java'];
const MAX_DIFFERENCES = 12;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface StackTemplates {
  [stackName: string]: Json;
}

/** The stack templates of a cloud assembly directory, by stack name (from its manifest). */
function loadAssembly(dir: string): StackTemplates {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`no cloud assembly in ${dir} (${manifestFile} is missing): did the program run?`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf-8'));
  const out: StackTemplates = {};
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') {
      continue;
    }
    const name = artifact.properties?.stackName ?? id;
    out[name] = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
  }
  return out;
}

/** A JSON path segment, readable. */
function segment(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function short(value: Json | undefined): string {
  if (value === undefined) {
    return '(absent)';
  }
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Where two strings part: the first differing line, with its neighbours. */
function stringDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) {
    i++;
  }
  const show = (lines: string[]) => lines.slice(Math.max(0, i - 1), i + 3).map((l, k) => `        ${Math.max(0, i - 1) + k + 1}: ${l}`).join('\n');
  return `strings differ from line ${i + 1}:\n      reference:\n${show(e)}\n      consumer:\n${show(a)}`;
}

/** Collect the differences between two JSON values, depth first, in document order. */
function diff(expected: Json | undefined, actual: Json | undefined, at: string, out: string[]): void {
  if (out.length > MAX_DIFFERENCES) {
    return;
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (expected !== actual) {
      out.push(`  ${at}: ${expected.includes('\n') || actual.includes('\n') ? stringDifference(expected, actual) : `reference ${short(expected)}, consumer ${short(actual)}`}`);
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      diff(expected[i], actual[i], `${at}${segment(i)}`, out);
    }
    return;
  }
  const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    const keys = [...Object.keys(expected), ...Object.keys(actual).filter((k) => !(k in expected))];
    for (const key of keys) {
      diff(expected[key], actual[key], `${at}${segment(key)}`, out);
    }
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    out.push(`  ${at}: reference ${short(expected)}, consumer ${short(actual)}`);
  }
}

function compareLanguage(language: ConsumerLanguage, outRoot: string): boolean {
  const consumerDir = path.join(outRoot, language);
  const referenceDir = path.join(outRoot, `reference-${language}`);
  fs.rmSync(referenceDir, { recursive: true, force: true });
  const reference = loadAssembly(buildReferenceApp(language, referenceDir).synth().directory);
  let consumer: StackTemplates;
  try {
    consumer = loadAssembly(consumerDir);
  } catch (e) {
    console.log(`FAIL ${language}: ${(e as Error).message}`);
    return false;
  }

  let ok = true;
  for (const name of new Set([...Object.keys(reference), ...Object.keys(consumer)])) {
    if (!(name in consumer) || !(name in reference)) {
      console.log(`FAIL ${language} ${name}: the stack is only in the ${name in consumer ? language : 'reference'} assembly`);
      ok = false;
      continue;
    }
    const differences: string[] = [];
    diff(reference[name], consumer[name], '', differences);
    if (differences.length === 0) {
      const resources = Object.keys((reference[name] as any).Resources ?? {}).length;
      console.log(`ok   ${language} ${name}: identical to the TypeScript reference (${resources} resources, no normalization)`);
    } else {
      ok = false;
      const more = differences.length > MAX_DIFFERENCES ? ' (first ones)' : '';
      console.log(`FAIL ${language} ${name}: differs from the TypeScript reference${more}:`);
      console.log(differences.slice(0, MAX_DIFFERENCES).join('\n'));
      console.log(`     see ${path.join(consumerDir, `${name}.template.json`)} and ${path.join(referenceDir, `${name}.template.json`)}`);
    }
  }
  return ok;
}

function main(): number {
  const outRoot = path.resolve(process.argv[2] ?? path.join(__dirname, 'out'));
  const results = LANGUAGES.map((language) => compareLanguage(language, outRoot));
  return results.every((r) => r) ? 0 : 1;
}

process.exitCode = main();
