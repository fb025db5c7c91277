/**
 * Gate: the same five compliance packs in cdk-nag 2, which most apps still run as aspects
 * (`Aspects.of(app).add(new AwsSolutionsChecks())`). cdk-nag 2 reads acknowledgements from the
 * `cdk_nag` template metadata while the aspects run, so the library writes that metadata at the
 * start of the aspect pass, and only when a cdk-nag 2 pack is applied (see src/core/nag-acknowledge.ts).
 */
import { App, Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
// eslint-disable-next-line import/no-extraneous-dependencies
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag-v2';
import { Construct, IConstruct } from 'constructs';
import { GATE_CONTEXT, inPipeline, isLibraryConstruct } from './support';
import { EXAMPLES } from '../../examples/registry';
import { PipelineSource, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { DeliveryPipeline } from '../../src/core/delivery-pipeline';
import { CDK_NAG_METADATA_CONTEXT } from '../../src/core/nag-acknowledge';

const PACKS: ReadonlyArray<() => IAspect> = [
  () => new AwsSolutionsChecks({ logIgnores: true }),
  () => new NIST80053R5Checks({ logIgnores: true }),
  () => new HIPAASecurityChecks({ logIgnores: true }),
  () => new PCIDSS321Checks({ logIgnores: true }),
  () => new ServerlessChecks({ logIgnores: true }),
];

interface Nag2Result {
  /** `<rule id> <path>` of every finding cdk-nag 2 reported (error or warning) on a library construct. */
  readonly remaining: string[];
  /** `<rule id> <path>` of every finding it reported as suppressed (acknowledged) on a library construct. */
  readonly acknowledged: string[];
  readonly app: App;
}

/** Synthesize `build` into an app with the five cdk-nag 2 packs applied to `target(app)`. */
function runNag2(build: (app: App) => void, target: (app: App) => IConstruct = (app) => app): Nag2Result {
  // Findings stay annotations on the constructs (read below), not a console report.
  const app = new App({ context: { ...GATE_CONTEXT, [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: false } });
  build(app);
  for (const pack of PACKS) {
    Aspects.of(target(app)).add(pack());
  }
  app.synth();
  const libraryPaths = app.node.findAll().filter(isLibraryConstruct).map((c) => c.node.path);
  const remaining: string[] = [];
  const acknowledged: string[] = [];
  for (const node of app.node.findAll()) {
    if (!inPipeline(node.node.path, libraryPaths)) {
      continue;
    }
    for (const entry of node.node.metadata) {
      const text = String(entry.data);
      // cdk-nag 2's messages: `<rule id>[<finding>]: ...` for a finding (CdkNagValidationFailure
      // when a rule could not evaluate), `CdkNagSuppression[<finding>]: <rule id> was triggered but
      // suppressed.` for an acknowledged one (logIgnores; without `[<finding>]` for rules that have none).
      const finding = /^((?:[A-Za-z0-9.]+-[A-Za-z0-9]+|CdkNagValidationFailure)(?:\[[^\]]*\])?):/.exec(text);
      const suppressed = /^CdkNagSuppression(?:\[([^\]]*)\])?: (\S+) was triggered but suppressed/.exec(text);
      if ((entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') && finding) {
        remaining.push(`${finding[1]} ${node.node.path}`);
      } else if (entry.type === 'aws:cdk:info' && suppressed) {
        acknowledged.push(`${suppressed[2]}${suppressed[1] ? `[${suppressed[1]}]` : ''} ${node.node.path}`);
      }
    }
  }
  return { remaining, acknowledged, app };
}

describe.each(EXAMPLES.map((ex) => [ex.name, ex] as const))('GIVEN the example %s with the cdk-nag 2 packs as aspects', (_name, example) => {
  let result: Nag2Result;
  beforeAll(() => {
    result = runNag2((app) => example.build(app));
  });

  test('THEN no pack reports an unacknowledged finding on the library constructs\' resources', () => {
    expect(result.remaining).toEqual([]);
  });

  test('THEN the packs see the library\'s acknowledgements, including the reviewed IAM wildcards found at synthesis', () => {
    expect(result.acknowledged.filter((a) => a.startsWith('AwsSolutions-IAM5[')).length).toBeGreaterThan(0);
    expect(result.acknowledged.filter((a) => /IAMNoInlinePolicy/.test(a)).length).toBeGreaterThan(0);
  });
});

describe('cdk_nag template metadata', () => {
  const pipelineApp = (app: App) => EXAMPLES[0].build(app);
  const nagMetadataCount = (app: App) => app.node.findAll()
    .filter((c) => CfnResource.isCfnResource(c) && c.getMetadata('cdk_nag') !== undefined).length;

  test('GIVEN no cdk-nag 2 pack THEN no resource carries cdk_nag metadata (templates stay small)', () => {
    const app = new App({ context: GATE_CONTEXT });
    pipelineApp(app);
    app.synth();
    expect(nagMetadataCount(app)).toBe(0);
  });

  test('GIVEN a cdk-nag 2 pack applied to a stack, not the app THEN the metadata is written', () => {
    const pipelineStack = (app: App) => app.node.findAll()
      .find((c) => Stack.isStack(c) && c.node.findAll().some((x) => x instanceof DeliveryPipeline))!;
    const result = runNag2(pipelineApp, pipelineStack);
    expect(nagMetadataCount(result.app)).toBeGreaterThan(0);
    expect(result.remaining).toEqual([]);
  });

  test('GIVEN the context key cdk-delivery-pipelines:cdkNagMetadata=true and no pack THEN the metadata is written', () => {
    const app = new App({ context: { ...GATE_CONTEXT, [CDK_NAG_METADATA_CONTEXT]: true } });
    pipelineApp(app);
    app.synth();
    expect(nagMetadataCount(app)).toBeGreaterThan(0);
  });

  /** Every cdk_nag entry of the app's resources, with the resource's path. */
  const nagEntries = (app: App) => app.node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.getMetadata('cdk_nag') !== undefined)
    .flatMap((c) => (c.getMetadata('cdk_nag').rules_to_suppress as any[]).map((e) => ({ path: c.node.path, ...e })));
  const packOf = (id: string) => id.slice(0, id.lastIndexOf('-'));

  test('GIVEN only the AwsSolutions pack applied THEN the metadata holds AwsSolutions rules only, and the pack reports nothing', () => {
    const app = new App({ context: { ...GATE_CONTEXT, [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: false } });
    pipelineApp(app);
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const packs = new Set(nagEntries(app).map((e) => packOf(e.id)));
    expect([...packs]).toEqual(['AwsSolutions']);
    const errors = app.node.findAll().filter(isLibraryConstruct)
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:error' && /^AwsSolutions-/.test(String(m.data))));
    expect(errors).toEqual([]);
  });

  test('GIVEN the context key true and no pack THEN the metadata holds the rules of all five packs', () => {
    const app = new App({ context: { ...GATE_CONTEXT, [CDK_NAG_METADATA_CONTEXT]: true } });
    pipelineApp(app);
    app.synth();
    const packs = new Set(nagEntries(app).map((e) => packOf(e.id)));
    expect(packs).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']));
  });

  test('GIVEN the five packs THEN each resource has one entry per rule and reason (findings with one reason share an applies_to)', () => {
    const result = runNag2(pipelineApp);
    const keys = nagEntries(result.app).map((e) => `${e.path} ${e.id} ${e.applies_to ? 'findings' : 'rule'} ${e.reason}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect(nagEntries(result.app).some((e) => (e.applies_to ?? []).length > 1)).toBe(true);
  });

  test('GIVEN a pipeline inside a Stage and a cdk-nag 2 pack applied to the app THEN the metadata is written in the stage', () => {
    const app = new App({ context: { ...GATE_CONTEXT, [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: false } });
    const stack = new Stack(new Stage(app, 'Delivery'), 'Site', { env: { account: '111111111111', region: 'us-east-1' } });
    new StaticSitePipeline(stack, 'Pipeline', {
      source: PipelineSource.connection({ connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/abc', owner: 'acme', repo: 'site', branch: 'main' }),
      buildOptions: { commands: ['npm run build'] },
      environments: [{ name: 'Production', target: StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'Site')) }],
    });
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    expect(nagEntries(app).filter((e) => e.path.startsWith('Delivery/')).length).toBeGreaterThan(0);
  });

  test('GIVEN the context key set to false and a cdk-nag 2 pack THEN no metadata is written, and the pack reports the findings', () => {
    const result = runNag2((app) => {
      app.node.setContext(CDK_NAG_METADATA_CONTEXT, false);
      pipelineApp(app);
    });
    expect(nagMetadataCount(result.app)).toBe(0);
    expect(result.remaining.length).toBeGreaterThan(0);
  });

  test('GIVEN the context key set to something else than a boolean THEN synthesis fails naming the key, the value and the fix', () => {
    const app = new App({ context: { ...GATE_CONTEXT, [CDK_NAG_METADATA_CONTEXT]: 'yes' } });
    pipelineApp(app);
    expect(() => app.synth()).toThrow(/context cdk-delivery-pipelines:cdkNagMetadata is "yes", not a boolean\. Fix: set it to true .*false .*unset/);
  });

  test('GIVEN an unacknowledged finding below a pipeline path THEN the cdk-nag 2 gate reports it (it can fail)', () => {
    const result = runNag2((app) => {
      const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
      new logs.LogGroup(new Construct(stack, 'Pipeline'), 'Logs');
    });
    const all = result.app.node.findAll().flatMap((c) => c.node.metadata.map((m) => String(m.data)));
    expect(all.some((m) => m.startsWith('NIST.800.53.R5-CloudWatchLogGroupEncrypted'))).toBe(true);
  });
});
