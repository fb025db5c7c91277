/**
 * `npm run demo`: synthesize every example app with the real cdk CLI (offline, no AWS
 * credentials) and print what each pipeline contains and what cdk-nag says about it.
 *
 * Exits non-zero when an app fails to synthesize, contains no pipeline, or has cdk-nag
 * findings nobody acknowledged.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
// The one list of example apps, shared with the security gates (add new apps there).
import { EXAMPLES, ExampleApp } from './registry';
import { fixedMonthlyCost, formatCost, underPath } from '../bench/cost';
import { countPipeline, overheadLine } from '../bench/overhead';
import { inlineBuildSpec, TemplateMappings } from '../src/core/shared-buildspec';

const ROOT = path.resolve(__dirname, '..');
// The script behind node_modules/.bin/cdk, run with this node: no shell, works on Windows too.
const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

interface Template {
  readonly Resources?: Record<string, CfnResource>;
  readonly Mappings?: TemplateMappings;
}

/** A plugin report from `policy-validation-report.json` (aws-cdk-lib) or `validation-report.json` (newer). */
interface PluginReport {
  readonly pluginName?: string;
  readonly conclusion?: string;
  readonly summary?: { pluginName?: string; status?: string; metadata?: Record<string, string> };
  readonly violations?: Array<{ ruleName: string; severity?: string; violatingResources?: Array<{ constructPath?: string }> }>;
}

type MetadataFile = Record<string, Array<{ type: string; data: unknown }>>;

function main(): void {
  const versions = ['aws-cdk', 'aws-cdk-lib', 'cdk-nag'].map((pkg) => `${pkg} ${packageVersion(pkg)}`).join(', ');
  console.log(`cdk-delivery-pipelines demo (${versions})`);
  const started = Date.now();
  let failed = 0;
  for (const example of EXAMPLES) {
    if (!demo(example)) {
      failed++;
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed > 0) {
    console.error(`\n${failed} of ${EXAMPLES.length} example app(s) failed (${seconds}s)`);
    process.exitCode = 1;
  } else {
    console.log(`\n${EXAMPLES.length} example app(s) synthesized and checked in ${seconds}s`);
  }
}

/** Synthesize one app and print its summary; false when it failed. */
function demo(example: ExampleApp): boolean {
  const outdir = path.join('cdk.out', example.name);
  console.log(`\n=== ${example.name}: ${example.title} (${example.entry})`);
  // Stale files from an earlier run must not be mistaken for this run's output.
  fs.rmSync(path.join(ROOT, outdir), { recursive: true, force: true });

  const started = Date.now();
  const result = spawnSync(process.execPath, [
    CDK_CLI,
    'synth',
    '--app', `npx ts-node --project tsconfig.dev.json ${example.entry}`,
    '--output', outdir,
    '--quiet',
    '--strict', // a warning fails the synth, as `cdk synth --strict` does in a user's CI
    '--no-notices', // no notices download
    '--no-version-reporting', // no CLI telemetry, no AWS::CDK::Metadata resource
    '--no-color',
  ], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: '1', // no npm registry query for a newer CLI
      AWS_EC2_METADATA_DISABLED: 'true', // do not probe the instance metadata service for credentials
      // Type checking belongs to `tsc`/`npm test`; it would triple the synth time here.
      TS_NODE_TRANSPILE_ONLY: process.env.TS_NODE_TRANSPILE_ONLY ?? 'true',
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.error || result.status !== 0) {
    console.log(`synth FAILED after ${seconds}s (${result.error?.message ?? `exit code ${result.status}`}):`);
    console.log(indent(`${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), '  | '));
    return false;
  }
  console.log(`synth ok in ${seconds}s -> ${outdir}`);

  const assembly = path.join(ROOT, outdir);
  const manifest = readJson(path.join(assembly, 'manifest.json'));
  // Each template read once: a resource of any stack is then the same object everywhere (MAPPINGS_OF).
  const templates = new Map<string, Template>(Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id, a]) => [id, readJson(path.join(assembly, a.properties.templateFile))]));
  ALL_RESOURCES = [...templates.values()].flatMap((t) => Object.values<CfnResource>(t.Resources ?? {}));
  MAPPINGS_OF = new Map([...templates.values()]
    .flatMap((t) => Object.values<CfnResource>(t.Resources ?? {}).map((r) => [r, t.Mappings ?? {}] as const)));
  const pipelines: string[] = [];
  const appAcks: string[] = [];
  const libraryAcks: Acknowledged[] = [];
  let ok = true;
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') {
      continue;
    }
    const template = templates.get(id)!;
    const metadata: MetadataFile = artifact.additionalMetadataFile
      ? readJson(path.join(assembly, artifact.additionalMetadataFile))
      : artifact.metadata ?? {};
    const resources = template.Resources ?? {};
    console.log(`stack ${artifact.displayName ?? id} (${artifact.environment}): ${Object.keys(resources).length} resources`);
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::CodePipeline::Pipeline') {
        pipelines.push(printPipeline(logicalId, resources, String(artifact.environment ?? '')));
      }
    }
    // What a pipeline created in this stack of another account or region is the library's too.
    const owned = Object.entries(metadata).filter(([, list]) => list.some((e) => e.type === 'cdk-delivery-pipelines:ownedBy'))
      .map(([p]) => p.replace(/^\//, ''));
    for (const [cdkPath, ids] of acknowledgedRules(metadata)) {
      const inPipeline = [...pipelines, ...owned].some((o) => cdkPath === o || cdkPath.startsWith(`${o}/`));
      for (const ruleId of ids) {
        if (inPipeline) {
          libraryAcks.push({ rule: ruleId.replace(/\[.*$/, ''), resource: cdkPath });
        } else {
          appAcks.push(`${ruleId} on ${cdkPath}`);
        }
      }
    }
    ok = printWarnings(metadata) && ok;
  }
  if (pipelines.length === 0) {
    console.log('ERROR: no AWS::CodePipeline::Pipeline in the synthesized templates');
    ok = false;
  }
  return printNag(assembly, libraryAcks, appAcks) && ok;
}

/** Stages and actions of one pipeline, then its key resources; returns the construct path that owns it. */
function printPipeline(logicalId: string, resources: Record<string, CfnResource>, environment: string): string {
  const props = resources[logicalId].Properties ?? {};
  const cdkPath = resourcePath(resources[logicalId]);
  // The L3 construct is the parent of its codepipeline.Pipeline (".../<L3>/Pipeline/Resource").
  const owner = cdkPath.split('/').slice(0, -2).join('/');
  const triggers = (props.Triggers ?? []).flatMap((t: any) => (t.GitConfiguration?.Push ?? []).flatMap((p: any) => [
    ...(p.Branches?.Includes ?? []).map((b: string) => `push to ${b}`),
    ...(p.Tags?.Includes ?? []).map((b: string) => `tag ${b}`),
  ]));
  console.log(`pipeline ${owner || cdkPath} (${props.PipelineType ?? 'V1'}, ${props.ExecutionMode ?? 'SUPERSEDED'}` +
    `${triggers.length > 0 ? `, starts on ${triggers.join(', ')}` : ''})`);

  const stages: any[] = props.Stages ?? [];
  const names = (stages.flatMap((s) => s.Actions ?? []) as any[]);
  const nameWidth = Math.max(...names.map((a) => a.Name.length));
  const providerWidth = Math.max(...names.map((a) => a.ActionTypeId.Provider.length));
  stages.forEach((stage, i) => {
    const lastStage = i === stages.length - 1;
    console.log(`  ${lastStage ? '└─' : '├─'} ${stage.Name}${describeConditions(stage, resources)}`);
    const actions: any[] = [...(stage.Actions ?? [])].sort((a, b) => (a.RunOrder ?? 1) - (b.RunOrder ?? 1));
    actions.forEach((action, j) => {
      const branch = `${lastStage ? '   ' : '│  '} ${j === actions.length - 1 ? '└─' : '├─'}`;
      const detail = describeAction(action, resources);
      console.log(`  ${branch} ${action.Name.padEnd(nameWidth)}  ${action.ActionTypeId.Provider.padEnd(providerWidth)}` +
        `  runOrder ${action.RunOrder ?? 1}${detail ? `  ${detail}` : ''}`);
    });
  });

  printPlacements(stages, resources, environment);
  // Run-time overhead per execution (issue 17), counted from the template (bench/overhead.ts).
  console.log(`  overhead  ${overheadLine(countPipeline(resources[logicalId], resources, ALL_RESOURCES, logicalId))}`);
  printHighlights(logicalId, resources, owner);
  if (owner.includes('/')) {
    const own = Object.values(resources).filter((r) => resourcePath(r).startsWith(`${owner}/`));
    const byType = countBy(own.map((r) => r.Type.replace(/^AWS::/, '')));
    console.log(`  resources owned by the pipeline: ${own.length} of ${Object.keys(resources).length}`);
    console.log(indent(wrap(byType.map(([type, n]) => `${type} ${n}`).join(', '), 92), '    '));
    console.log(`  fixed cost  ${formatCost(fixedMonthlyCost({ Resources: resources }, underPath(owner)))}`);
  }
  return owner;
}

/**
 * Which account and region each action runs in and which role it assumes: one line when all run
 * in the pipeline's own environment, else one per action (`aws://account/region` of the stack).
 */
function printPlacements(stages: any[], resources: Record<string, CfnResource>, environment: string): void {
  const [, ownAccount = '?', ownRegion = '?'] = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment) ?? [];
  const placements = stages.flatMap((stage) => (stage.Actions ?? []).map((action: any) => {
    const roleArn = action.RoleArn;
    // A role of another account is named by its literal ARN (a string, or joined with the partition).
    const literal = typeof roleArn === 'string' ? roleArn
      : roleArn?.['Fn::Join'] ? roleArn['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '')).join('') : undefined;
    const crossAccount = literal ? /:iam::(\d{12}):role\/(.+)$/.exec(literal) : null;
    const account = crossAccount?.[1] ?? ownAccount;
    const region = action.Region ?? ownRegion;
    const role = crossAccount ? `role ${crossAccount[2]} (in ${account})` : roleArn ? `role ${ref(roleArn, resources)}` : 'the pipeline role';
    return { name: `${stage.Name}.${action.Name}`, where: `${account}/${region}`, role };
  }));
  const own = `${ownAccount}/${ownRegion}`;
  if (placements.every((p) => p.where === own)) {
    console.log(`  every action runs in ${own}`);
    return;
  }
  const width = Math.max(...placements.map((p) => p.name.length));
  console.log('  where each action runs, and the role the pipeline assumes for it:');
  for (const p of placements) {
    console.log(`    ${p.name.padEnd(width)}  ${p.where.padEnd(24)}  ${p.role}`);
  }
}

/** Every resource of every stack of the app being shown (a deploy project may be in another account's stack). */
let ALL_RESOURCES: CfnResource[] = [];
/** The `Mappings` of each resource's template (a shared buildspec is read from there). */
let MAPPINGS_OF = new Map<CfnResource, TemplateMappings>();

/** The CodeBuild project of the app with this physical name. */
function projectNamed(name: string): CfnResource | undefined {
  return ALL_RESOURCES.find((r) => r.Type === 'AWS::CodeBuild::Project' && r.Properties?.Name === name);
}

/** One line each for the build project, image repository, artifact bucket and notifications. */
function printHighlights(pipelineId: string, resources: Record<string, CfnResource>, owner: string): void {
  const pipeline = resources[pipelineId].Properties ?? {};
  const actions: any[] = (pipeline.Stages ?? []).flatMap((s: any) => s.Actions ?? []);
  const line = (label: string, text: string) => console.log(`  ${label.padEnd(9)} ${text}`);

  for (const projectRef of unique(actions.filter((a) => a.ActionTypeId.Provider === 'CodeBuild').map((a) => a.Configuration?.ProjectName))) {
    // A project in another account's stack is named by its literal name.
    const projectResource = typeof projectRef === 'string' ? projectNamed(projectRef) : target(projectRef, resources);
    const project = projectResource?.Properties ?? {};
    const env = project.Environment ?? {};
    const lambdaCompute = /_LAMBDA_CONTAINER$/.test(String(env.Type ?? ''));
    line('build', `${ref(projectRef, resources)}: ${env.ComputeType}, ${env.Image}${env.PrivilegedMode ? ', privileged' : ''}` +
      `, ${lambdaCompute ? 'Lambda compute (15 min limit)' : `timeout ${project.TimeoutInMinutes ?? 60} min`}${project.EncryptionKey ? ', customer KMS key' : ''}`);
    const spec = buildSpec(inlineBuildSpec(project.Source?.BuildSpec, projectResource && MAPPINGS_OF.get(projectResource)));
    if (spec) {
      const phases = Object.entries<any>(spec.phases ?? {}).map(([phase, p]) => `${phase} ${(p.commands ?? []).length}`);
      const reports = Object.values<any>(spec.reports ?? {}).map((r) => `${r['base-directory'] ?? '.'}/`);
      line('', `buildspec: ${phases.join(', ')} commands` +
        `${reports.length ? `; test reports from ${reports.join(', ')}` : ''}` +
        `${spec.cache?.paths ? `; cache ${spec.cache.paths.join(', ')}` : ''}`);
    }
  }
  // The pipeline's own repositories (several pipelines may share a stack).
  const ownRepositories = Object.entries(resources).filter(([, x]) => x.Type === 'AWS::ECR::Repository' && (owner === '' || resourcePath(x).startsWith(`${owner}/`)));
  for (const [id, r] of ownRepositories) {
    const p = r.Properties ?? {};
    const rules = p.LifecyclePolicy?.LifecyclePolicyText ? JSON.parse(p.LifecyclePolicy.LifecyclePolicyText).rules?.length ?? 0 : 0;
    const mutable = (p.ImageTagMutability ?? 'MUTABLE') === 'MUTABLE';
    // The layer cache is the one mutable repository, on purpose: say why where it shows.
    const why = mutable && /BuildCacheRepository/.test(resourcePath(r)) ? ' (Docker layer cache: every build overwrites its one tag; never deployed)' : '';
    line('images', `${ref({ Ref: id }, resources)}: ${p.ImageTagMutability ?? 'MUTABLE'} tags${why}` +
      `${p.ImageScanningConfiguration?.ScanOnPush ? ', scan on push' : ''}, ${p.EncryptionConfiguration?.EncryptionType ?? 'AES256'}` +
      `, ${rules} lifecycle rule(s)`);
  }
  const bucketRef = pipeline.ArtifactStore?.Location;
  const bucket = target(bucketRef, resources)?.Properties;
  if (bucket) {
    const sse = bucket.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm ?? 'none';
    const logs = bucket.LoggingConfiguration?.DestinationBucketName;
    line('artifacts', `${ref(bucketRef, resources)}: ${sse}, versioning ${bucket.VersioningConfiguration?.Status ?? 'off'}` +
      `${logs ? `, access logs -> ${ref(logs, resources)}` : ''}`);
  }
  const rules = Object.values(resources).filter((r) => r.Type === 'AWS::CodeStarNotifications::NotificationRule' &&
    JSON.stringify(r.Properties?.Resource ?? '').includes(`"${pipelineId}"`));
  for (const rule of rules) {
    const events: string[] = (rule.Properties?.EventTypeIds ?? []).map((e: string) => e.replace(/^codepipeline-pipeline-/, ''));
    const topics = (rule.Properties?.Targets ?? []).map((t: any) => ref(t.TargetAddress, resources));
    line('notifies', `${topics.join(', ')} on ${events.join(', ')}`);
  }
}

/** The inline buildspec as an object (references replaced by "REF"), if it is one. */
function buildSpec(value: unknown): any {
  const join = (value as any)?.['Fn::Join'];
  const text = typeof value === 'string' ? value : join ? join[1].map((x: unknown) => (typeof x === 'string' ? x : 'REF')).join(join[0]) : undefined;
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined; // a buildspec file in the repository, or YAML
  }
}

/**
 * The stage's bake and rollback, e.g. ` (bake 10 min on StagingOrdersErrors, then ROLLBACK; on failure ROLLBACK)`:
 * its On Success CloudWatchAlarm rules and its On Failure result.
 */
function describeConditions(stage: any, resources: Record<string, CfnResource>): string {
  const rules: any[] = (stage.OnSuccess?.Conditions ?? []).flatMap((c: any) => (c.Rules ?? []).map((r: any) => ({ ...r, result: c.Result })));
  const alarms = rules.filter((r) => r.RuleTypeId?.Provider === 'CloudWatchAlarm');
  const parts: string[] = [];
  if (alarms.length > 0) {
    const names = alarms.map((r) => ref(r.Configuration?.AlarmName, resources));
    parts.push(`bake ${alarms[0].Configuration?.WaitTime} min on ${names.join(', ')}, then ${alarms[0].result}`);
  }
  if (stage.OnFailure?.Result) {
    parts.push(`on failure ${stage.OnFailure.Result}`);
  }
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** A short, human description of what an action works on. */
function describeAction(action: any, resources: Record<string, CfnResource>): string {
  const c = action.Configuration ?? {};
  switch (action.ActionTypeId.Provider) {
    case 'CodeStarSourceConnection':
      return `${c.FullRepositoryId}@${c.BranchName}`;
    case 'CodeCommit':
      return `${ref(c.RepositoryName, resources)}@${c.BranchName}`;
    case 'S3':
      return action.ActionTypeId.Category === 'Source' ? `s3://${ref(c.S3Bucket, resources)}/${c.S3ObjectKey}` : ref(c.BucketName, resources);
    case 'CodeBuild':
      return `project ${ref(c.ProjectName, resources)}`;
    case 'ECS':
      return `service ${ref(c.ServiceName, resources)} <- ${c.FileName ?? 'imagedefinitions.json'}`;
    case 'CodeDeployToECS':
      return `blue/green ${ref(c.DeploymentGroupName, resources)} <- ${c.TaskDefinitionTemplatePath}, ${c.AppSpecTemplatePath}, imageDetail.json`;
    case 'Lambda':
      return action.ActionTypeId.Category === 'Deploy' ? `${ref(c.FunctionName, resources)}:${c.FunctionAlias} ${c.DeployStrategy}` : '';
    case 'Manual':
      return [
        c.NotificationArn ? `notifies ${ref(c.NotificationArn, resources)}` : 'no notification',
        // A link built from references (e.g. https:// + a distribution's domain) shows them as <path>.
        ...(c.ExternalEntityLink ? [`review ${c.ExternalEntityLink['Fn::Join']
          ? c.ExternalEntityLink['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : `<${ref(p, resources)}>`)).join(c.ExternalEntityLink['Fn::Join'][0])
          : ref(c.ExternalEntityLink, resources)}`] : []),
      ].join(', ');
    default:
      return '';
  }
}

/** Construct path (without the stack) of the resource a Ref/GetAtt points to, or the literal. */
function ref(value: unknown, resources: Record<string, CfnResource>): string {
  if (typeof value === 'string') {
    return value;
  }
  const resource = target(value, resources);
  if (!resource) {
    return JSON.stringify(value);
  }
  // Show the L2 rather than its L1 child: "StagingService", not "StagingService/Service".
  return resourcePath(resource).split('/').slice(1, -1).join('/') || JSON.stringify(value);
}

/** The resource a Ref/GetAtt points to. */
function target(value: unknown, resources: Record<string, CfnResource>): CfnResource | undefined {
  const v = value as any;
  const logicalId: string | undefined = v?.Ref ?? v?.['Fn::GetAtt']?.[0];
  return logicalId ? resources[logicalId] : undefined;
}

/** Annotation warnings and errors of a stack (the CLI's own output is captured, not shown). */
function printWarnings(metadata: MetadataFile): boolean {
  const entries = Object.entries(metadata).flatMap(([p, list]) => list
    .filter((e) => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error')
    .map((e) => ({ path: p.replace(/^\//, ''), level: e.type.replace('aws:cdk:', ''), message: String(e.data) })));
  for (const e of entries.slice(0, 5)) {
    console.log(`  ${e.level.toUpperCase()} ${e.path}: ${e.message.split('\n')[0]}`);
  }
  if (entries.length > 5) {
    console.log(`  ... and ${entries.length - 5} more annotation(s)`);
  }
  return !entries.some((e) => e.level === 'error');
}

/**
 * The cdk-nag result: unacknowledged findings from the validation report the app wrote, and
 * acknowledged ones (one per finding id and construct) from the construct metadata.
 */
function printNag(assembly: string, acks: Acknowledged[], appAcks: string[]): boolean {
  const reportFile = ['validation-report.json', 'policy-validation-report.json']
    .map((f) => path.join(assembly, f)).find((f) => fs.existsSync(f));
  if (!reportFile) {
    console.log('cdk-nag: no validation report (no validation plugin registered in the app?)');
    return false;
  }
  // Only plugins that failed or reported something are listed; an empty report means all passed.
  const reports: PluginReport[] = readJson(reportFile).pluginReports ?? [];
  let ok = true;
  const findings: string[] = [];
  let unacknowledged = 0;
  for (const report of reports) {
    const name = report.pluginName ?? report.summary?.pluginName ?? 'plugin';
    const failed = (report.conclusion ?? report.summary?.status) === 'failure';
    ok = ok && !failed;
    const error = report.summary?.metadata?.error;
    if (error) {
      findings.push(`${name} did not run: ${error}`);
    }
    if (name === 'Construct Annotations') {
      continue; // warnings and errors, printed with the stack
    }
    for (const v of report.violations ?? []) {
      for (const r of v.violatingResources ?? [{}]) {
        unacknowledged++;
        findings.push(`${v.severity ?? 'error'} ${v.ruleName} ${r.constructPath ?? ''}`.trim());
      }
    }
  }

  // The most frequent rules only: the whole list is in the validation report.
  const byRule = countBy(acks.map((a) => a.rule));
  const top = byRule.slice(0, 4).map(([rule, n]) => `${rule.replace('AwsSolutions-', '')} x${n}`).join(', ');
  const more = byRule.length > 4 ? `, and ${byRule.length - 4} more rules` : '';
  console.log(`cdk-nag AwsSolutions: ${unacknowledged} unacknowledged violation(s)`);
  console.log(`  acknowledged by the library with a reason (all packs): ${acks.length} finding(s) on ${new Set(acks.map((a) => a.resource)).size} construct(s)` +
    `${top ? ` (${top}${more})` : ''}`);
  console.log(`  acknowledged outside the pipelines (by the app, or by the library's StaticSiteHosting and shared ArtifactStore): ${appAcks.length === 0 ? 'none' : appAcks.length}`);
  for (const a of appAcks.slice(0, 5)) {
    console.log(`    ${a}`);
  }
  if (appAcks.length > 5) {
    console.log(`    ... and ${appAcks.length - 5} more; see ${path.relative(ROOT, reportFile)}`);
  }
  for (const f of findings.slice(0, 15)) {
    console.log(`  ${f}`);
  }
  if (findings.length > 15) {
    console.log(`  ... and ${findings.length - 15} more; see ${path.relative(ROOT, reportFile)}`);
  }
  // The cdk CLI does not fail `cdk synth` on this report (it reads a newer file name), so we do.
  return ok;
}

/** One acknowledged finding: its rule (without the finding in brackets) and the construct path. */
interface Acknowledged {
  readonly rule: string;
  readonly resource: string;
}

/**
 * Rule ids acknowledged per construct path (`Validations.of(c).acknowledge`, which cdk-nag 3
 * reads), from the stack's construct metadata: the templates carry cdk-nag 2's `cdk_nag`
 * metadata only when a cdk-nag 2 pack runs.
 */
function acknowledgedRules(metadata: MetadataFile): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const [p, entries] of Object.entries(metadata)) {
    const cdkPath = p.replace(/^\//, '');
    for (const e of entries.filter((x) => x.type === 'aws:cdk:acknowledged-rules')) {
      // aws-cdk-lib records one entry per acknowledge() call, each with all ids so far: dedupe.
      for (const id of Object.keys(e.data as object)) {
        byPath.set(cdkPath, (byPath.get(cdkPath) ?? new Set()).add(id.replace(/^annotation::/i, '')));
      }
    }
  }
  return byPath;
}

/** Distinct values, in order (values compared as JSON, since references are objects). */
function unique<T>(values: T[]): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function resourcePath(resource: CfnResource): string {
  return resource.Metadata?.['aws:cdk:path'] ?? '';
}

/** [value, count] pairs, most frequent first. */
function countBy(values: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => `${prefix}${l}`).join('\n');
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function packageVersion(pkg: string): string {
  try {
    return readJson(path.join(ROOT, 'node_modules', pkg, 'package.json')).version;
  } catch {
    return '(not installed)';
  }
}

main();
