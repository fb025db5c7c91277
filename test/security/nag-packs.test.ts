/**
 * Gate: cdk-nag AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless
 * over every registered example app (examples/registry.ts). The library constructs' own resources
 * (LIBRARY_CONSTRUCTS in ./support: the pipelines and StaticSiteHosting) have no finding that the
 * library has not acknowledged with a written reason; the example apps' resources (VPC, services,
 * functions) are not the library's and are not judged here.
 */
import { Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { libraryPathsOf, NagPackResult, newGateStack, pipelinePathsOf, runNagPack, runNagPacks, synthesizedExamples } from './support';

describe.each(synthesizedExamples().map((ex) => [ex.example.name, ex] as const))('GIVEN the example %s, synthesized', (_name, ex) => {
  let results: NagPackResult[];

  beforeAll(() => {
    results = runNagPacks(ex);
  });

  test('THEN it contains at least one delivery pipeline', () => {
    expect(pipelinePathsOf(ex).length).toBeGreaterThan(0);
  });

  test.each(['AwsSolutions', 'NIST 800-53 R5', 'HIPAA Security', 'PCI DSS 3.2.1', 'Serverless'])(
    'THEN %s reports no unacknowledged finding on the library constructs\' resources (pipelines, site hosting)', (pack) => {
      const result = results.find((r) => r.pack === pack)!;
      expect(result.remaining.filter((f) => f.inPipeline).map((f) => `${f.ruleId} ${f.path}`)).toEqual([]);
    });

  test('THEN every finding on a library resource was acknowledged inside its library construct (by the library), with a reason', () => {
    const pipelines = libraryPathsOf(ex);
    const acks = results.flatMap((r) => r.acknowledged).filter((a) => a.inPipeline);
    const bad = acks.filter((a) =>
      !pipelines.some((p) => a.acknowledgedOn === p || a.acknowledgedOn.startsWith(`${p}/`)) || a.reason.trim().length < 30);
    expect(bad.map((a) => `${a.ruleId} ${a.path} (acknowledged on ${a.acknowledgedOn}: ${a.reason})`)).toEqual([]);
  });

  test('THEN the acknowledgements are seen (the gate would notice if cdk-nag stopped reporting them)', () => {
    // Every pipeline has reviewed IAM wildcards (e.g. kms:GenerateDataKey*), so AwsSolutions always acknowledges some.
    const aws = results.find((r) => r.pack === 'AwsSolutions')!;
    expect(aws.acknowledged.filter((a) => a.inPipeline && a.ruleId.startsWith('AwsSolutions-IAM5[')).length).toBeGreaterThan(0);
  });
});

test('GIVEN an unencrypted log group below a pipeline path THEN the gate reports it (it can fail)', () => {
  const stack: Stack = newGateStack();
  const pipeline = new Construct(stack, 'Pipeline');
  new logs.LogGroup(pipeline, 'Logs');
  (stack.node.root as any).synth();
  const result = runNagPack(new NIST80053R5Checks(), 'NIST 800-53 R5', stack, [pipeline.node.path]);
  expect(result.remaining.filter((f) => f.inPipeline).map((f) => f.ruleId)).toContain('NIST.800.53.R5-CloudWatchLogGroupEncrypted');
});
