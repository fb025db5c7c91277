/**
 * `test:security` last step: judge the scanners' results and write docs/security.md.
 *
 *   ts-node --project tsconfig.dev.json test/security/report.ts <out> [docs/security.md]
 *
 * Reads <out>/synth.json (synth.ts: apps, pipelines, cdk-nag results), <out>/cfn-lint.json,
 * <out>/checkov.json and <out>/tools.json, applies the reviewed cfn-lint exceptions
 * (cfn-lint-ignores.json, next to this file) and reads checkov's skips from the templates (the
 * library writes them on its own resources, with their reasons), prints one line per check and
 * `security: N passed, N failed`, and exits non-zero when a check failed. The document is
 * generated from the same data every run: never edit docs/security.md by hand.
 *
 * What is judged: the library constructs' own resources (construct paths under a pipeline or
 * another library construct, LIBRARY_CONSTRUCTS in support.ts, e.g. StaticSiteHosting) for
 * cdk-nag and checkov; whole templates for cfn-lint (an error anywhere fails a deployment). The
 * example apps' own resources are counted in the document, not judged.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SynthesizedApp, SynthReport } from './synth';

interface CfnLintIgnore {
  readonly rule: string;
  readonly scope: 'any' | 'app';
  readonly reason: string;
}

interface CfnLintFinding {
  readonly Filename: string | null;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location?: { readonly Path?: Array<string | number> | null };
  readonly Rule: { readonly Id: string; readonly ShortDescription?: string };
}

interface CheckovCheck {
  readonly check_id: string;
  readonly check_name: string;
  readonly file_path: string;
  readonly resource: string;
  /** A skipped check: the reason the template's `Metadata.checkov.skip` gives. */
  readonly check_result?: { readonly result: string; readonly suppress_comment?: string };
}

interface CheckovReport {
  readonly summary: { passed: number; failed: number; skipped: number; parsing_errors: number; resource_count: number; checkov_version: string };
  readonly results: { passed_checks: CheckovCheck[]; failed_checks: CheckovCheck[]; skipped_checks?: CheckovCheck[] };
}

/** A resource of a scanned template, located. */
interface Located {
  readonly app: SynthesizedApp;
  readonly logicalId: string;
  /** Construct path (no leading slash). */
  readonly path: string;
  /** The library construct path (a pipeline, StaticSiteHosting, ...) it belongs to, if any: judged. */
  readonly pipeline?: string;
  /** That library construct's class, e.g. `StaticSitePipeline`, `StaticSiteHosting`. */
  readonly pipelineClass?: string;
}

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Construct path below the library construct, without the L1's trailing "/Resource". */
function shortPath(located: { path: string; pipeline?: string }): string {
  const below = located.pipeline ? located.path.slice(located.pipeline.length + 1) : located.path;
  return below.replace(/\/Resource$/, '') || located.path;
}

/** The innermost library construct (path and class) that `cdkPath` is or is below, if any. */
function ownerOf(app: SynthesizedApp, cdkPath: string): { path: string; cls: string } | undefined {
  let best: { path: string; cls: string } | undefined;
  app.libraryPaths.forEach((p, i) => {
    if ((cdkPath === p || cdkPath.startsWith(`${p}/`)) && (!best || p.length > best.path.length)) {
      best = { path: p, cls: app.libraryClasses[i] };
    }
  });
  return best;
}

/** Markdown table cell: no pipes, no newlines. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

class Checks {
  public readonly lines: Array<{ ok: boolean; name: string; detail: string }> = [];
  public check(name: string, ok: boolean, detail = ''): void {
    this.lines.push({ ok, name, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  }
  public get passed(): number {
    return this.lines.filter((l) => l.ok).length;
  }
  public get failed(): number {
    return this.lines.filter((l) => !l.ok).length;
  }
}

function main(): void {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'cdk.out', 'security'));
  const docFile = path.resolve(process.argv[3] ?? path.join(ROOT, 'docs', 'security.md'));
  const synth = readJson<SynthReport>(path.join(out, 'synth.json'));
  const tools = readJson<Record<string, string>>(path.join(out, 'tools.json'));
  const cfnLint = readJson<CfnLintFinding[]>(path.join(out, 'cfn-lint.json'));
  const checkovRaw = readJson<CheckovReport | CheckovReport[]>(path.join(out, 'checkov.json'));
  const checkov = (Array.isArray(checkovRaw) ? checkovRaw : [checkovRaw]).find((r) => r.results) as CheckovReport | undefined;
  const ignores = readJson<{ ignores: CfnLintIgnore[] }>(path.join(HERE, 'cfn-lint-ignores.json')).ignores;
  const checks = new Checks();

  // Every template resource, by template file (relative to <out>) and logical id.
  const located = new Map<string, Map<string, Located>>();
  for (const app of synth.apps) {
    for (const t of app.templates) {
      const template = readJson<any>(path.join(out, t.file));
      const byId = new Map<string, Located>();
      for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
        const cdkPath = String(resource.Metadata?.['aws:cdk:path'] ?? '').replace(/^\//, '');
        const owner = ownerOf(app, cdkPath);
        byId.set(logicalId, { app, logicalId, path: cdkPath, pipeline: owner?.path, pipelineClass: owner?.cls });
      }
      located.set(path.normalize(t.file), byId);
    }
  }
  const locate = (file: string | null, logicalId: string | undefined): Located | undefined =>
    file && logicalId ? located.get(path.normalize(file.replace(/^[/\\]+/, '')))?.get(logicalId) : undefined;
  const appOf = (file: string | null): SynthesizedApp | undefined =>
    synth.apps.find((a) => a.templates.some((t) => file && path.normalize(t.file) === path.normalize(file.replace(/^[/\\]+/, ''))));

  // --- cdk-nag (from synth.ts)
  const packs = [...new Set(synth.apps.flatMap((a) => a.nag.map((n) => n.pack)))];
  for (const app of synth.apps) {
    checks.check(`${app.name}: synthesized`, app.pipelines.length > 0 && app.templates.length > 0,
      `${plural(app.templates.length, 'template')}, pipelines ${app.pipelines.join(', ') || 'NONE'}`);
    for (const pack of packs) {
      const result = app.nag.find((n) => n.pack === pack);
      const remaining = (result?.remaining ?? []).filter((f) => f.inPipeline);
      checks.check(`${app.name}: cdk-nag ${pack}`, result !== undefined && remaining.length === 0,
        remaining.length > 0 ? remaining.map((f) => `${f.ruleId} ${f.path}`).join('; ') : `${(result?.acknowledged ?? []).filter((a) => a.inPipeline).length} acknowledged, 0 remaining`);
    }
  }

  // --- cfn-lint
  const ignoreUse = new Map<CfnLintIgnore, number>();
  const lintRows = cfnLint.map((f) => {
    const logicalId = f.Location?.Path?.[0] === 'Resources' ? String(f.Location.Path[1]) : undefined;
    const where = locate(f.Filename, logicalId);
    const ignore = f.Level === 'Error' ? undefined : ignores.find((i) =>
      i.rule === f.Rule.Id && /^[WI]/.test(i.rule) && (i.scope === 'any' || (i.scope === 'app' && where !== undefined && where.pipeline === undefined)));
    if (ignore) {
      ignoreUse.set(ignore, (ignoreUse.get(ignore) ?? 0) + 1);
    }
    return { finding: f, app: appOf(f.Filename), where, ignore };
  });
  for (const app of synth.apps) {
    const own = lintRows.filter((r) => r.app === app);
    const errors = own.filter((r) => r.finding.Level === 'Error');
    checks.check(`${app.name}: cfn-lint errors`, errors.length === 0,
      errors.map((r) => `${r.finding.Rule.Id} ${r.where?.path ?? r.finding.Location?.Path?.join('/') ?? ''}: ${r.finding.Message}`).join('; '));
    const unreviewed = own.filter((r) => r.finding.Level !== 'Error' && !r.ignore);
    checks.check(`${app.name}: cfn-lint warnings are reviewed CDK noise`, unreviewed.length === 0,
      unreviewed.map((r) => `${r.finding.Rule.Id} ${r.where?.path ?? ''}: ${r.finding.Message}`).join('; ') || `${own.length - errors.length} reviewed`);
  }
  // Findings in no known template (e.g. a configuration error, E0000 parse errors).
  const stray = lintRows.filter((r) => r.app === undefined);
  checks.check('cfn-lint: ran over every template', stray.length === 0, stray.map((r) => `${r.finding.Rule.Id}: ${r.finding.Message}`).join('; '));
  const badIgnores = ignores.filter((i) => !/^[WI]\d+$/.test(i.rule) || !['any', 'app'].includes(i.scope) || (i.reason ?? '').trim().length < 30);
  const unusedIgnores = ignores.filter((i) => !ignoreUse.has(i));
  checks.check('cfn-lint: every ignore is a warning, has a reason and is used', badIgnores.length === 0 && unusedIgnores.length === 0,
    [...badIgnores.map((i) => `invalid: ${i.rule}`), ...unusedIgnores.map((i) => `unused: ${i.rule}`)].join('; '));

  // --- checkov
  checks.check('checkov: ran over every template', checkov !== undefined && checkov.summary.parsing_errors === 0 && checkov.summary.resource_count > 0,
    checkov ? `${checkov.summary.resource_count} resources, ${checkov.summary.parsing_errors} parsing errors` : 'no cloudformation results');
  // The library's reviewed skips travel in its templates (Metadata.checkov.skip on its own
  // resources): checkov reports them as skipped, with their reasons, in any team's scan too.
  const classify = (c: CheckovCheck) => {
    const where = locate(c.file_path, c.resource.slice(c.resource.lastIndexOf('.') + 1));
    return { check: c, app: appOf(c.file_path), where, reason: c.check_result?.suppress_comment ?? '' };
  };
  const failedRows = (checkov?.results.failed_checks ?? []).map(classify);
  const passedRows = (checkov?.results.passed_checks ?? []).map(classify);
  const skippedRows = (checkov?.results.skipped_checks ?? []).map(classify);
  for (const app of synth.apps) {
    const failing = failedRows.filter((r) => r.app === app && r.where?.pipeline !== undefined);
    const unknown = failedRows.filter((r) => r.app === app && r.where === undefined);
    checks.check(`${app.name}: checkov on the library resources`, failing.length === 0 && unknown.length === 0,
      [...failing.map((r) => `${r.check.check_id} ${r.where!.path} (${r.check.check_name})`), ...unknown.map((r) => `${r.check.check_id} unlocated ${r.check.resource}`)].join('; ') ||
      `${passedRows.filter((r) => r.app === app && r.where?.pipeline).length} passed, ${skippedRows.filter((r) => r.app === app && r.where?.pipeline).length} skipped in the template with a reason`);
  }
  const unreasoned = skippedRows.filter((r) => r.where?.pipeline !== undefined && r.reason.trim().length < 30);
  checks.check('checkov: every skip on a library resource is in its template with a reason', unreasoned.length === 0,
    unreasoned.map((r) => `${r.check.check_id} ${r.where!.path}`).join('; '));
  // The library never skips a check on a resource of the app's own.
  const notOurs = skippedRows.filter((r) => r.where === undefined || r.where.pipeline === undefined);
  checks.check('checkov: nothing of the apps\' own is skipped', notOurs.length === 0,
    notOurs.map((r) => `${r.check.check_id} ${r.where?.path ?? r.check.resource}`).join('; '));

  // --- the document
  const doc: string[] = [];
  const w = (line = '') => doc.push(line);
  w('# Security scan results');
  w();
  w('<!-- Generated by `npm run test:security` (test/security/scan.sh, then test/security/report.ts). Do not edit by hand. -->');
  w();
  w('Every example app in `examples/registry.ts` is synthesized and scanned with cdk-nag ' +
    `${packs.join(', ')}, cfn-lint and checkov. The gates judge the library constructs' own resources (everything below a pipeline ` +
    'construct or another library construct, such as `StaticSiteHosting`; the list is `LIBRARY_CONSTRUCTS` in `test/security/support.ts`); ' +
    'the example apps\' own resources (VPC, services, functions) are counted at the end but not judged. ' +
    'A finding is either fixed in the library or acknowledged in the library next to the resource that causes it, with the reason below; ' +
    'cfn-lint exceptions are listed with their reasons in `test/security/cfn-lint-ignores.json`; checkov skips are in the templates (`Metadata.checkov.skip` on the library\'s resources), with their reasons.');
  w();
  w(`Tools: ${Object.entries({ ...synth.versions, ...tools }).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  w();
  w('| example app | library constructs (judged) | templates |');
  w('|---|---|---|');
  for (const app of synth.apps) {
    w(`| \`${app.name}\` (${cell(app.title)}) | ${app.libraryPaths.map((p, i) => `\`${p}\` (${app.libraryClasses[i]})`).join(', ')} | ${app.templates.map((t) => `\`${t.stack}\``).join(', ')} |`);
  }
  w();
  w('## Summary (library resources: pipelines and site hosting, all example apps)');
  w();
  w('| tool / pack | findings before acknowledgement | acknowledged / ignored / skipped, with a reason | remaining |');
  w('|---|---:|---:|---:|');
  for (const pack of packs) {
    const results = synth.apps.map((a) => a.nag.find((n) => n.pack === pack)!);
    const acked = results.flatMap((r) => r.acknowledged).filter((a) => a.inPipeline).length;
    const remaining = results.flatMap((r) => r.remaining).filter((f) => f.inPipeline).length;
    w(`| cdk-nag ${pack} | ${acked + remaining} | ${acked} | ${remaining} |`);
  }
  w(`| cfn-lint ${tools['cfn-lint'] ?? ''} (whole templates) | ${lintRows.length} | ${lintRows.filter((r) => r.ignore).length} | ${lintRows.filter((r) => !r.ignore).length} |`);
  const ckOwnFailed = failedRows.filter((r) => r.where?.pipeline !== undefined);
  const ckOwnSkipped = skippedRows.filter((r) => r.where?.pipeline !== undefined);
  w(`| checkov ${checkov?.summary.checkov_version ?? ''} (${passedRows.filter((r) => r.where?.pipeline !== undefined).length} checks passed) | ` +
    `${ckOwnFailed.length + ckOwnSkipped.length} | ${ckOwnSkipped.length} | ${ckOwnFailed.length} |`);
  w();
  w(`Gate result: ${checks.passed} passed, ${checks.failed} failed.`);
  w();

  w('## cdk-nag: acknowledgements in the library');
  w();
  w('Each is made by the library next to the resource that causes it (src/core, src/ecs, src/lambda, src/static-site); ' +
    'AwsSolutions-IAM5 wildcards only when every statement that produces the finding is on a reviewed list in `src/core/nag-reasons.ts` or the workload\'s own `nag-reasons.ts`.');
  w();
  w('| pack | rule | findings | where (below the pipeline or library construct) | reason |');
  w('|---|---|---:|---|---|');
  const groups = new Map<string, { pack: string; rule: string; reason: string; count: number; where: Set<string>; findings: Set<string> }>();
  for (const app of synth.apps) {
    for (const result of app.nag) {
      for (const a of result.acknowledged.filter((x) => x.inPipeline)) {
        const rule = a.ruleId.replace(/\[.*\]$/, '');
        const key = `${result.pack}|${rule}|${a.reason}`;
        const g = groups.get(key) ?? { pack: result.pack, rule, reason: a.reason, count: 0, where: new Set<string>(), findings: new Set<string>() };
        g.count++;
        g.where.add(shortPath({ path: a.path, pipeline: ownerOf(app, a.path)?.path }));
        const finding = /\[(.*)\]$/.exec(a.ruleId)?.[1];
        if (finding) {
          // Logical ids without their hash, so one finding reads the same in every app.
          g.findings.add(finding.replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}(\.[A-Za-z]+)?>/g, '<$1$2>'));
        }
        groups.set(key, g);
      }
    }
  }
  const sortedGroups = [...groups.values()].sort((a, b) => a.pack.localeCompare(b.pack) || a.rule.localeCompare(b.rule) || b.count - a.count);
  for (const g of sortedGroups) {
    const where = [...g.where].sort();
    const findings = [...g.findings].sort();
    const whereText = where.length > 4 ? `${where.slice(0, 4).map((x) => `\`${x}\``).join(', ')} and ${where.length - 4} more` : where.map((x) => `\`${x}\``).join(', ');
    // Long findings keep their start and their end (the part that names the resource).
    const code = (f: string) => `\`${cell(f.length > 100 ? `${f.slice(0, 40)}...${f.slice(-57)}` : f)}\``;
    const findingText = findings.length > 0 ? ` (${findings.slice(0, 3).map(code).join(', ')}${findings.length > 3 ? ', ...' : ''})` : '';
    w(`| ${g.pack} | ${g.rule}${findingText} | ${g.count} | ${whereText} | ${cell(g.reason)} |`);
  }
  const remainingNag = synth.apps.flatMap((a) => a.nag.flatMap((n) => n.remaining.filter((f) => f.inPipeline).map((f) => `${a.name}: ${f.ruleId} ${f.path}`)));
  w();
  w(`Remaining on library resources: ${remainingNag.length === 0 ? 'none.' : ''}`);
  for (const r of remainingNag) {
    w(`- ${r}`);
  }
  w();

  w('## cfn-lint');
  w();
  w(`Errors: ${lintRows.filter((r) => r.finding.Level === 'Error').length}. Warnings and informational findings: ${lintRows.filter((r) => r.finding.Level !== 'Error').length}, ` +
    `of which ignored as reviewed: ${lintRows.filter((r) => r.ignore).length}.`);
  w();
  w('| rule | scope | findings | where | reason |');
  w('|---|---|---:|---|---|');
  for (const i of ignores) {
    const matched = lintRows.filter((r) => r.ignore === i);
    const where = [...new Set(matched.map((r) => `${r.app?.name}:${r.where ? (r.where.pipeline ? `pipeline ${shortPath(r.where)}` : shortPath(r.where).split('/').slice(1).join('/')) : '?'}`))].sort();
    w(`| ${i.rule} | ${i.scope} | ${matched.length} | ${where.map((x) => `\`${x}\``).join(', ')} | ${cell(i.reason)} |`);
  }
  const lintRemaining = lintRows.filter((r) => !r.ignore);
  w();
  w(`Remaining: ${lintRemaining.length === 0 ? 'none.' : ''}`);
  for (const r of lintRemaining) {
    w(`- ${r.app?.name}: ${r.finding.Level} ${r.finding.Rule.Id} ${r.where?.path ?? ''}: ${cell(r.finding.Message)}`);
  }
  w();

  w('## checkov');
  w();
  w(`Library resources: ${passedRows.filter((r) => r.where?.pipeline).length} checks passed, ${ckOwnSkipped.length} skipped in the template with a reason ` +
    `(\`Metadata.checkov.skip\`, written by the library on its own resources: a checkov run over your app shows them the same way), ${ckOwnFailed.length} failed.`);
  w();
  w('| check | resource (below the pipeline or library construct) | skipped | reason (in the template) |');
  w('|---|---|---:|---|');
  const bySkip = new Map<string, typeof skippedRows>();
  for (const r of ckOwnSkipped) {
    const below = r.where!.path.slice(r.where!.pipeline!.length + 1);
    const key = `${r.check.check_id}\u0000${below}\u0000${r.reason}`;
    bySkip.set(key, [...(bySkip.get(key) ?? []), r]);
  }
  for (const [key, rows] of [...bySkip.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [check, below, reason] = key.split('\u0000');
    w(`| ${check} (${cell(rows[0].check.check_name)}) | \`${below}\` | ${rows.length} | ${cell(reason)} |`);
  }
  w();
  w(`Remaining on library resources: ${ckOwnFailed.length === 0 ? 'none.' : ''}`);
  for (const r of ckOwnFailed) {
    w(`- ${r.app?.name}: ${r.check.check_id} ${r.where?.path}: ${cell(r.check.check_name)}`);
  }
  w();

  w('## Outside the library constructs: the example apps\' own resources (not judged)');
  w();
  w('These belong to the examples (their VPC, load balancer, services and functions), not to the library; they are listed so nothing is hidden.');
  w();
  w('| example app | cdk-nag findings (acknowledged by the app / open), by pack | checkov failed checks |');
  w('|---|---|---|');
  for (const app of synth.apps) {
    const nag = app.nag.map((n) => `${n.pack} ${n.acknowledged.filter((a) => !a.inPipeline).length}/${n.remaining.filter((f) => !f.inPipeline).length}`).join(', ');
    const appFailed = failedRows.filter((r) => r.app === app && r.where && r.where.pipeline === undefined);
    const byCheck = new Map<string, number>();
    for (const r of appFailed) {
      byCheck.set(r.check.check_id, (byCheck.get(r.check.check_id) ?? 0) + 1);
    }
    w(`| \`${app.name}\` | ${nag} | ${appFailed.length}${byCheck.size ? ` (${[...byCheck.entries()].sort().map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''} |`);
  }
  w();

  fs.mkdirSync(path.dirname(docFile), { recursive: true });
  fs.writeFileSync(docFile, `${doc.join('\n').replace(/\n{3,}/g, '\n\n')}\n`);
  console.log(`\nwrote ${path.relative(ROOT, docFile)}`);
  console.log(`security: ${checks.passed} passed, ${checks.failed} failed`);
  process.exitCode = checks.failed > 0 ? 1 : 0;
}

main();
