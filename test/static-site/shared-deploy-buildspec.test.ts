/**
 * The static-site deploy buildspec is carried once per stack (src/core/shared-buildspec.ts): one
 * `CfnMapping` value, and every deploy project's `Source.BuildSpec` an `Fn::FindInMap` to it, so
 * the ~9 KiB script does not repeat per environment. CodeBuild must receive the same text as the
 * inline buildspec had.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { inlineBuildSpec, shareBuildSpec } from '../../src/core/shared-buildspec';
import { deployCommand } from '../../src/static-site/deploy-script';
import { DEPLOY_STEP, deployBuildSpec } from '../../src/static-site/site-deploy-step';
import { githubSource } from '../helpers';
import { GATE_CONTEXT } from '../security/support';

const ENV = { account: '111111111111', region: 'us-east-1' };
const MAPPING = DEPLOY_STEP.buildSpecMapping;

/** The deploy projects of a template (their description names the deploy step). */
function deployProjects(template: any): any[] {
  return Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::CodeBuild::Project' && /^Deploys the static site to /.test(r.Properties.Description ?? ''));
}

/** How often `needle` occurs in `text`. */
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

/**
 * The script's longest line that reads the same at any level of JSON escaping (no quote,
 * backslash or tab): it stands for the script wherever a template carries it.
 */
const scriptInTemplate = () => deployCommand().split('\n').map((l) => l.trim())
  .filter((l) => !/["'\\\t]/.test(l)).sort((a, b) => b.length - a.length)[0];

describe('GIVEN a StaticSitePipeline with two environments in its stack', () => {
  const app = new App({ context: GATE_CONTEXT });
  const stack = new Stack(app, 'Web', { env: ENV });
  new StaticSitePipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'Staging')) },
      { name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'Production')) },
    ],
  });
  const template = app.synth().getStackByName('Web').template;

  test('THEN one mapping value holds the deploy buildspec and both deploy projects read it', () => {
    const values = Object.values<any>(template.Mappings?.[MAPPING] ?? {}).flatMap((byName) => Object.keys(byName));
    expect(values).toHaveLength(1);
    const projects = deployProjects(template);
    expect(projects).toHaveLength(2);
    for (const project of projects) {
      expect(project.Properties.Source.BuildSpec).toEqual({ 'Fn::FindInMap': [MAPPING, 'BuildSpec', values[0]] });
    }
  });

  test('THEN the buildspec CodeBuild receives is the one the inline form had, byte for byte', () => {
    const inline = new Stack(new App(), 'Inline').resolve(codebuild.BuildSpec.fromObject(deployBuildSpec()).toBuildSpec());
    for (const project of deployProjects(template)) {
      expect(inlineBuildSpec(project.Properties.Source.BuildSpec, template.Mappings)).toBe(inline);
    }
  });

  test('THEN the deploy script appears once in the template, not once per environment', () => {
    expect(occurrences(JSON.stringify(template), scriptInTemplate())).toBe(1);
  });
});

test('GIVEN sites in two other accounts THEN each target stack carries the mapping of its own deploy project, the tools stack none', () => {
  const app = new App({ context: GATE_CONTEXT });
  const tools = new Stack(app, 'Tools', { env: ENV });
  const staging = new StaticSiteHosting(new Stack(app, 'Staging', { env: { account: '222222222222', region: 'us-east-1' } }), 'Site');
  const production = new StaticSiteHosting(new Stack(app, 'Production', { env: { account: '333333333333', region: 'eu-west-1' } }), 'Site');
  new StaticSitePipeline(tools, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(staging) },
      { name: 'Production', target: StaticSiteTarget.fromHosting(production) },
    ],
  });
  const assembly = app.synth();
  const withMapping = assembly.stacks.filter((s) => s.template.Mappings?.[MAPPING]).map((s) => s.stackName).sort();
  expect(withMapping).toHaveLength(2);
  expect(withMapping.every((name) => name !== 'Tools')).toBe(true);
  for (const s of assembly.stacks.filter((x) => x.template.Mappings?.[MAPPING])) {
    const projects = deployProjects(s.template);
    expect(projects).toHaveLength(1);
    expect(projects[0].Properties.Source.BuildSpec['Fn::FindInMap'][0]).toBe(MAPPING);
    expect(occurrences(JSON.stringify(s.template), scriptInTemplate())).toBe(1);
  }
});

describe('shareBuildSpec', () => {
  test('GIVEN a buildspec with a token THEN it stays inline (it renders per project) and no mapping is created', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const project = new codebuild.PipelineProject(stack, 'P', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
    expect(shareBuildSpec(project, { version: '0.2', phases: { build: { commands: [`echo ${stack.account}-${project.projectName}`] } } }, 'M')).toBe(false);
    expect(stack.node.tryFindChild('M')).toBeUndefined();
  });

  test('GIVEN two different buildspecs under one mapping id THEN each keeps its own value (none overwrites the other)', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const a = new codebuild.PipelineProject(stack, 'A', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
    const b = new codebuild.PipelineProject(stack, 'B', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
    shareBuildSpec(a, { version: '0.2', phases: { build: { commands: ['echo a'] } } }, 'M');
    shareBuildSpec(b, { version: '0.2', phases: { build: { commands: ['echo b'] } } }, 'M');
    const template = (stack.node.root as App).synth().getStackByName('S').template;
    const resolved = ['A', 'B'].map((id) => {
      const project = Object.entries<any>(template.Resources).find(([logicalId, r]) => logicalId.startsWith(id) && r.Type === 'AWS::CodeBuild::Project')![1];
      return inlineBuildSpec(project.Properties.Source.BuildSpec, template.Mappings) as string;
    });
    expect(JSON.parse(resolved[0]).phases.build.commands).toEqual(['echo a']);
    expect(JSON.parse(resolved[1]).phases.build.commands).toEqual(['echo b']);
  });

  test('GIVEN a FindInMap to a value the template lacks THEN inlineBuildSpec says so', () => {
    expect(() => inlineBuildSpec({ 'Fn::FindInMap': ['M', 'BuildSpec', 'Vx'] }, {})).toThrow(/no such value in the template's Mappings/);
  });
});
