/**
 * Run-time overhead per pipeline execution, counted from a synthesized pipeline (issue 17): the
 * CodeBuild builds one execution runs, which of them start an EC2 container and which run on
 * CodeBuild Lambda compute, and the sequential steps an execution passes before production's
 * deployment. The counts are exact (read from the template); the seconds are an estimate from
 * the figures below, each with its source.
 *
 * `npx ts-node --project tsconfig.dev.json bench/overhead.ts` prints the table for the example
 * apps (examples/registry.ts) and the benchmark's pipelines (ours and hand-written, N = 1);
 * `npm run bench` prints it too and writes it into docs/benchmarks.md; the demo prints one line
 * per pipeline (`overheadLine`).
 */

/** One CloudFormation resource, as far as the count reads it. */
interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, any>;
}

/** Where a CodeBuild action runs. */
export type Compute = 'EC2' | 'Lambda';

/** One CodeBuild action of an execution. */
export interface BuildStep {
  readonly stage: string;
  readonly action: string;
  readonly compute: Compute;
  /** The user's own commands (the build, post-deploy tests), or the pipeline machinery. */
  readonly owner: 'user' | 'machinery';
}

/** What one execution of one pipeline runs. */
export interface PipelineOverhead {
  /** The construct path of the pipeline's owner (or of the pipeline). */
  readonly pipeline: string;
  readonly builds: BuildStep[];
  /** Sequential action groups (stage × runOrder) up to and including production's deployment. */
  readonly stepsToProduction: number;
  /** Of those, the groups that are machinery only (no deployment, approval or user's command). */
  readonly machinerySteps: number;
  /** Container start-up of every build in the execution, in seconds (low, high). */
  readonly startupSeconds: readonly [number, number];
  /** Of that, the machinery's builds (every build but the user's). */
  readonly machineryStartupSeconds: readonly [number, number];
}

/**
 * The figures the estimate uses, with their sources. CodeBuild documents no start-up time for
 * either compute mode: it says Lambda compute "offers optimized start-up speeds" and "supports
 * faster builds due to a lower start-up latency" (CodeBuild User Guide, "Build environment
 * compute modes and types" and "Run builds on AWS Lambda compute",
 * https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html).
 */
export const STARTUP_FIGURES = {
  /**
   * EC2 container: PROVISIONING + DOWNLOAD_SOURCE of an on-demand SMALL container, 20-60 s
   * (issue 17's figure for this project's builds), 180-190 s in a bad case
   * (aws/aws-codebuild-docker-images#793: "Provisioning takes ~180-190 seconds").
   */
  ec2: [20, 60] as const,
  ec2Bad: 190,
  /**
   * Lambda compute: no documented figure beyond "lower start-up latency"; assumed 2-10 s (a Lambda
   * cold start of a container image plus the source download), to be replaced by a measured one.
   */
  lambda: [2, 10] as const,
  /**
   * CDK Pipelines doing the same job: self-mutation, asset publishing and change sets add about
   * 3-5 minutes per push (aws/aws-cdk#14158); its synth, self-mutation and each asset-publishing
   * project are EC2 CodeBuild builds (aws-cdk-lib/pipelines `CodePipeline` defaults).
   */
  cdkPipelines: { extraSeconds: [180, 300] as const, ec2Builds: 3, source: 'aws/aws-cdk#14158' },
} as const;

/** Project environment types of CodeBuild Lambda compute. */
function isLambda(project: CfnResource | undefined): boolean {
  return /_LAMBDA_CONTAINER$/.test(String(project?.Properties?.Environment?.Type ?? ''));
}

/** The user's own commands: the build stage's build, and post-deploy tests. */
function ownerOf(stage: string, action: string): 'user' | 'machinery' {
  return (stage === 'Build' && /^(Build|BuildAndTest)$/.test(action)) || action === 'PostDeployTests' ? 'user' : 'machinery';
}

/**
 * Count one pipeline. `own` are the resources of the pipeline's stack (a `Ref` names one of
 * them); `all` every resource of the app (a project in another account's stack is named by its
 * physical name).
 */
export function countPipeline(pipeline: CfnResource, own: Record<string, CfnResource>, all: CfnResource[], fallbackName = 'pipeline'): PipelineOverhead {
  const stages: any[] = pipeline.Properties?.Stages ?? [];
  const projectOf = (name: unknown): CfnResource | undefined => {
    if (typeof name === 'string') {
      return all.find((r) => r.Type === 'AWS::CodeBuild::Project' && r.Properties?.Name === name);
    }
    const ref = (name as any)?.Ref;
    return ref ? own[ref] : undefined;
  };
  const builds: BuildStep[] = [];
  let stepsToProduction = 0;
  let machinerySteps = 0;
  stages.forEach((stage, index) => {
    const last = index === stages.length - 1;
    const groups = new Map<number, any[]>();
    for (const action of stage.Actions ?? []) {
      const order = action.RunOrder ?? 1;
      groups.set(order, [...(groups.get(order) ?? []), action]);
    }
    let deployed = false;
    for (const order of [...groups.keys()].sort((a, b) => a - b)) {
      const actions = groups.get(order)!;
      for (const action of actions) {
        if (action.ActionTypeId?.Provider === 'CodeBuild') {
          builds.push({
            stage: stage.Name,
            action: action.Name,
            compute: isLambda(projectOf(action.Configuration?.ProjectName)) ? 'Lambda' : 'EC2',
            owner: ownerOf(stage.Name, action.Name),
          });
        }
      }
      if (!last || !deployed) {
        stepsToProduction++;
        const machinery = actions.every((a) => a.ActionTypeId?.Category !== 'Approval' && a.ActionTypeId?.Category !== 'Source' &&
          a.Name !== 'Deploy' && !(a.ActionTypeId?.Provider === 'CodeBuild' && ownerOf(stage.Name, a.Name) === 'user'));
        if (machinery) {
          machinerySteps++;
        }
      }
      deployed = deployed || actions.some((a) => a.Name === 'Deploy' || a.ActionTypeId?.Category === 'Deploy');
    }
  });
  const sum = (steps: BuildStep[], i: 0 | 1) => steps.reduce((s, b) => s + STARTUP_FIGURES[b.compute === 'EC2' ? 'ec2' : 'lambda'][i], 0);
  const machinery = builds.filter((b) => b.owner === 'machinery');
  const path: string = pipeline.Metadata?.['aws:cdk:path'] ?? '';
  return {
    pipeline: path ? path.replace(/\/Pipeline\/Resource$/, '').replace(/\/Resource$/, '') : fallbackName,
    builds,
    stepsToProduction,
    machinerySteps,
    startupSeconds: [sum(builds, 0), sum(builds, 1)],
    machineryStartupSeconds: [sum(machinery, 0), sum(machinery, 1)],
  };
}

/** A stack's template and name. */
export interface NamedTemplate {
  readonly stackName: string;
  readonly template: { Resources?: Record<string, CfnResource> };
}

/** Count every pipeline of an app, given each stack's template. */
export function countApp(stacks: NamedTemplate[]): PipelineOverhead[] {
  const all = stacks.flatMap((s) => Object.values(s.template.Resources ?? {}));
  return stacks.flatMap((s) => Object.entries(s.template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline')
    .map(([id, p]) => countPipeline(p, s.template.Resources ?? {}, all, `${s.stackName}/${id}`)));
}

/** The EC2 container starts of one execution. */
export function ec2Starts(o: PipelineOverhead): number {
  return o.builds.filter((b) => b.compute === 'EC2').length;
}

/** One short line: builds, EC2 vs Lambda starts, steps to production, estimated start-up. */
export function overheadLine(o: PipelineOverhead): string {
  const lambda = o.builds.length - ec2Starts(o);
  const machinery = o.builds.filter((b) => b.owner === 'machinery');
  const onEc2 = machinery.filter((b) => b.compute === 'EC2').map((b) => `${b.stage}.${b.action}`);
  return `${o.builds.length} builds/execution: ${ec2Starts(o)} EC2, ${lambda} Lambda compute; ${o.stepsToProduction} steps to production; ` +
    `start-up ~${o.startupSeconds[0]}-${o.startupSeconds[1]} s (machinery ~${o.machineryStartupSeconds[0]}-${o.machineryStartupSeconds[1]} s)` +
    (onEc2.length > 0 ? `; machinery on EC2: ${onEc2.join(', ')}` : '');
}

/** Where each build runs, for the report: `Stage.Action (EC2|Lambda, user|machinery)`. */
export function describeBuilds(o: PipelineOverhead): string {
  return o.builds.map((b) => `${b.stage}.${b.action} ${b.compute}${b.owner === 'user' ? ' (user)' : ''}`).join(', ');
}

/** One row of the overhead table. */
export interface OverheadRow {
  readonly label: string;
  readonly overhead: PipelineOverhead;
}

/** The Markdown section of docs/benchmarks.md. */
export function overheadMarkdown(rows: OverheadRow[]): string {
  const f = STARTUP_FIGURES;
  const lines = [
    '## Run-time overhead per execution',
    '',
    'Counted from the synthesized pipelines (`bench/overhead.ts`): the CodeBuild builds one execution runs, which start an',
    'EC2 container (project `Environment.Type` not `*_LAMBDA_CONTAINER`) and which run on CodeBuild Lambda compute, and the',
    'sequential steps (stage × runOrder groups) up to production\'s deployment. The start-up estimate uses',
    `${f.ec2[0]}-${f.ec2[1]} s per EC2 container (issue 17; ${f.ec2Bad} s in a bad case, aws/aws-codebuild-docker-images#793) and an`,
    `assumed ${f.lambda[0]}-${f.lambda[1]} s per Lambda compute build (CodeBuild documents only "lower start-up latency", no figure).`,
    'Approvals, rollouts and bake times are the user\'s, not counted.',
    '',
    '| pipeline | builds | EC2 starts | Lambda compute | steps to production (machinery only) | start-up, all builds | of it machinery | where each build runs |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(({ label, overhead: o }) => `| ${label} | ${o.builds.length} | ${ec2Starts(o)} | ${o.builds.length - ec2Starts(o)} | ` +
      `${o.stepsToProduction} (${o.machinerySteps}) | ${o.startupSeconds[0]}-${o.startupSeconds[1]} s | ` +
      `${o.machineryStartupSeconds[0]}-${o.machineryStartupSeconds[1]} s | ${describeBuilds(o)} |`),
    `| CDK Pipelines, same job (from its structure and ${f.cdkPipelines.source}) | ≥ ${f.cdkPipelines.ec2Builds + 1} | ≥ ${f.cdkPipelines.ec2Builds + 1} | 0 | ` +
      `+ self-mutation, assets, change sets | — | + ${f.cdkPipelines.extraSeconds[0] / 60}-${f.cdkPipelines.extraSeconds[1] / 60} min per push | ` +
      'synth, self-mutation, asset publishing (EC2), CloudFormation change set create + execute per stack |',
    '',
  ];
  return lines.join('\n');
}

/** Synthesize the example apps and the benchmark's N = 1 pipelines, and count them (the CLI). */
export function measureOverhead(): OverheadRow[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { EXAMPLES } = require('../examples/registry');
  const { App, Stack } = require('aws-cdk-lib');
  const { CONSTRUCTS } = require('./constructs');
  const { BENCH_ENV } = require('./support');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const rows: OverheadRow[] = [];
  for (const example of EXAMPLES) {
    const { app } = example.build();
    const assembly = app.synth();
    const templates = assembly.stacks.map((s: any) => ({ stackName: s.stackName, template: s.template }));
    for (const o of countApp(templates)) {
      rows.push({ label: `example ${example.name}: ${o.pipeline}`, overhead: o });
    }
  }
  for (const c of CONSTRUCTS) {
    for (const variant of ['ours', 'hand-written'] as const) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fixture = require(`./fixtures/${c.module}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const side = require(`./${variant}/${c.module}`);
      const app = new App();
      const stack = new Stack(app, 'Bench', { env: BENCH_ENV });
      side.pipeline(stack, 0, fixture.fixture(stack, 0));
      const templates = app.synth().stacks.map((s: any) => ({ stackName: s.stackName, template: s.template }));
      for (const o of countApp(templates)) {
        rows.push({ label: `bench ${c.construct} (${variant === 'ours' ? 'ours' : 'hand-written L2'})`, overhead: o });
      }
    }
  }
  return rows;
}

if (require.main === module) {
  const rows = measureOverhead();
  for (const { label, overhead } of rows) {
    console.log(`${label}\n  ${overheadLine(overhead)}`);
  }
  if (process.argv.includes('--markdown')) {
    console.log(`\n${overheadMarkdown(rows)}`);
  }
}
