import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StaticSiteEnvironment, StaticSiteHosting, StaticSitePipeline, StaticSitePipelineProps, StaticSiteTarget } from '../../src';
import { inlineBuildSpec } from '../../src/core/shared-buildspec';
import { githubSource } from '../helpers';

/** GIVEN a staging and a production hosting and the pipeline that deploys to them. */
export function sitePipeline(stack: Stack, extra: Partial<StaticSitePipelineProps> = {}, environments?: StaticSiteEnvironment[]) {
  const staging = new StaticSiteHosting(stack, 'StagingSite', { singlePageApp: true });
  const production = new StaticSiteHosting(stack, 'ProductionSite', { singlePageApp: true });
  const pipeline = new StaticSitePipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: environments ?? [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(staging), postDeployCheck: { urls: [staging.url] } },
      { name: 'Production', target: StaticSiteTarget.fromHosting(production), postDeployCheck: { urls: ['https://www.example.com/', 'https://www.example.com/app/settings'] } },
    ],
    ...extra,
  });
  return { stack, staging, production, pipeline, template: Template.fromStack(stack) };
}

/** The pipeline's stage `name`, as synthesized. */
export function stageOf(template: Template, name: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

/** The deploy project of one environment (`Pipeline/<env>Deploy/Project`). */
export function deployProjectOf(template: Template, environment: string): { id: string; resource: any } {
  const entry = Object.entries(template.findResources('AWS::CodeBuild::Project'))
    .find(([id]) => new RegExp(`^Pipeline${environment}DeployProject[0-9A-F]{8}$`).test(id));
  if (!entry) {
    throw new Error(`no deploy project for ${environment}`);
  }
  return { id: entry[0], resource: entry[1] };
}

/** The parsed buildspec of a project of `template` (a shared one read from its Mappings; references inside it read as REF). */
export function buildSpecOfProject(template: Template, project: any): any {
  const spec: any = inlineBuildSpec(project.Properties.Source.BuildSpec, template.toJSON().Mappings);
  return JSON.parse(typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'REF')).join(''));
}

/** The build stage's buildspec. */
export function buildStageSpec(template: Template): any {
  const entry = Object.entries(template.findResources('AWS::CodeBuild::Project')).find(([id]) => /^PipelineBuild[0-9A-F]{8}$/.test(id));
  return buildSpecOfProject(template, entry![1]);
}

/** The one command of a deploy project's buildspec. */
export function deployCommandOf(template: Template, environment: string): string {
  const spec = buildSpecOfProject(template, deployProjectOf(template, environment).resource);
  expect(spec.phases.build.commands).toHaveLength(1);
  return spec.phases.build.commands[0];
}

/** The project's environment variables by name (values as synthesized: strings or references). */
export function deployVariablesOf(template: Template, environment: string): Record<string, any> {
  const vars: any[] = deployProjectOf(template, environment).resource.Properties.Environment.EnvironmentVariables ?? [];
  for (const v of vars) {
    expect(v.Type).toBe('PLAINTEXT');
  }
  return Object.fromEntries(vars.map((v) => [v.Name, v.Value]));
}

/**
 * The environment the deploy script sees in CodeBuild: the project's variables (references
 * replaced by `refs`, by variable name) and the action's per-execution variables.
 */
export function deployEnvironmentOf(
  template: Template,
  environment: string,
  refs: Record<string, string>,
  execution: Record<string, string>,
): Record<string, string> {
  const vars = deployVariablesOf(template, environment);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value === 'string') {
      out[name] = value;
    } else if (refs[name] !== undefined) {
      out[name] = refs[name];
    } else {
      throw new Error(`${name} is a reference (${JSON.stringify(value)}): give its value in refs`);
    }
  }
  return { ...out, ...execution };
}

/** Statements of the deploy project's role policy. */
export function deployRoleStatements(template: Template, environment: string): any[] {
  const entry = Object.entries(template.findResources('AWS::IAM::Policy'))
    .find(([id]) => new RegExp(`^Pipeline${environment}DeployProjectRoleDefaultPolicy[0-9A-F]{8}$`).test(id));
  if (!entry) {
    throw new Error(`no deploy role policy for ${environment}`);
  }
  return entry[1].Properties.PolicyDocument.Statement;
}
