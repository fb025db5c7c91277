/**
 * Property: whatever names, branch names, durations, counts, paths and command lists a caller
 * passes, synthesis either yields a pipeline that passes the gates (cdk-nag AwsSolutions reports
 * nothing unacknowledged on the pipeline's resources, and the least-privilege rules hold) or
 * throws the library's own error. Never a TypeError, never a CDK error, never a template that
 * fails the gates.
 *
 * Runs are kept few so the suite stays fast: FC_NUM_RUNS raises them, FC_SEED picks another
 * sequence (the default seed is fixed, so CI is repeatable).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fc from 'fast-check';
import {
  DeliveryPipeline, DeliveryPipelineErrors, EcsContainerPipeline, EcsDeployment, LambdaDeployment, LambdaPipeline, PipelineSource,
} from '../../src';
import { CONNECTION_ARN, fargateService } from '../helpers';
import { leastPrivilegeViolations, newGateStack, resourcesOf, runNagPack, statementsOf } from './support';
import { lambdaAlias } from '../lambda/support';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 12);
const SEED = Number(process.env.FC_SEED ?? 20251126);
const PARAMS: fc.Parameters<unknown> = { numRuns: RUNS, seed: SEED, endOnFailure: true };

/** What one generated configuration led to. */
type Outcome = { kind: 'passed' } | { kind: 'rejected'; message: string };

/**
 * Build with `build` in a new stack. A library error is a fine outcome; otherwise synthesize
 * and apply the gates, and throw (failing the property) on anything else.
 */
function judge(build: (stack: Stack) => DeliveryPipeline): Outcome {
  const stack = newGateStack();
  let pipeline: DeliveryPipeline;
  let template: any;
  try {
    pipeline = build(stack);
    const assembly = (stack.node.root as any).synth();
    template = assembly.getStackArtifact(stack.artifactId).template;
  } catch (err) {
    if (DeliveryPipelineErrors.isDeliveryPipelineError(err)) {
      expect((err as Error).message).toMatch(/^TestStack\/\S+: \S.*\. Fix: \S/s);
      return { kind: 'rejected', message: (err as Error).message };
    }
    throw new Error(`not the library's error: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  }
  const path = pipeline.node.path;
  const nag = runNagPack(new AwsSolutionsChecks(), 'AwsSolutions', stack, [path]);
  const findings = nag.remaining.filter((f) => f.inPipeline).map((f) => `${f.ruleId} ${f.path}`);
  if (findings.length > 0) {
    throw new Error(`AwsSolutions findings on the pipeline: ${findings.join(', ')}`);
  }
  const resources = resourcesOf(stack.stackName, template, [path]);
  const roleIds = new Set(resources.filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.logicalId));
  const violations = leastPrivilegeViolations(statementsOf('property', resources), roleIds);
  if (violations.length > 0) {
    throw new Error(`least-privilege violations: ${violations.join('; ')}`);
  }
  return { kind: 'passed' };
}

// --- arbitraries: mostly plausible values (weight 9), sometimes the edges and the junk a
// caller may send (weight 1), so that runs reach both outcomes.

/** Mostly `valid`, sometimes `junk`. */
function mostly<T>(valid: fc.Arbitrary<T>, junk: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: junk, weight: 1 });
}

const stageName = mostly(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9._@-]{0,14}$/),
  fc.oneof(fc.constantFrom('Source', 'Build', '', ' ', 'Prod EU', 'a/b', 'x'.repeat(101)), fc.string({ maxLength: 12 })),
);

const branchName = mostly(
  fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}(\/[a-z0-9][a-z0-9._-]{0,8}[a-z0-9])?$/), fc.constantFrom('main', 'release/1.x', 'feature/x@y')),
  fc.oneof(fc.constantFrom('feature..x', 'a.lock', '-x', '@', 'a//b', 'trailing/', 'sp ace', 'tilde~1', ''), fc.string({ maxLength: 16 })),
);

/** Any duration in minutes, seconds or days (never negative: Duration itself rejects those). */
const anyDuration = fc.oneof(
  fc.integer({ min: 0, max: 600 }).map((m) => Duration.minutes(m)),
  fc.integer({ min: 0, max: 7200 }).map((s) => Duration.seconds(s)),
  fc.integer({ min: 0, max: 10 }).map((d) => Duration.days(d)),
);

/** Mostly whole minutes from `min` to `max`, sometimes any duration. */
function minutes(min: number, max: number): fc.Arbitrary<Duration | undefined> {
  return fc.option(mostly(fc.integer({ min, max }).map((m) => Duration.minutes(m)), anyDuration), { nil: undefined });
}

const count = mostly(fc.integer({ min: 1, max: 1000 }), fc.oneof(fc.integer({ min: -5, max: 1100 }), fc.double({ min: -1, max: 200, noNaN: true })));

const relativePath = mostly(
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}(\/[a-z0-9_.-]{1,8}){0,2}$/),
  fc.oneof(fc.constantFrom('./out', '../up', '/abs', 'a/../../b', 'C:/x', '', 'dist/', '.'), fc.string({ maxLength: 16 })),
);

const command = mostly(
  fc.oneof(fc.constantFrom('npm ci', 'npm test', 'make build', "echo 'quoted' && ls -la", 'printf "%s" "$HOME"'), fc.string({ minLength: 1, maxLength: 30 }).filter((c) => c.trim() !== '')),
  fc.constantFrom('', '   '),
);

const commands = fc.option(fc.array(command, { maxLength: 3 }), { nil: undefined });

const buildOptions = fc.record({
  installCommands: commands,
  testCommands: commands,
  commands,
  postBuildCommands: commands,
  timeout: minutes(5, 480),
  testReportDirectory: fc.option(relativePath, { nil: undefined }),
}, { requiredKeys: [] });

function source(branch: string): PipelineSource {
  return PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch });
}

describe('properties: synthesis passes the gates or throws the library\'s error', () => {
  test('EcsContainerPipeline over names, branches, build options, image counts, durations and paths', () => {
    const outcomes: Outcome[] = [];
    fc.assert(fc.property(
      fc.array(stageName, { minLength: 1, maxLength: 2 }), branchName, buildOptions, count, fc.option(relativePath, { nil: undefined }),
      minutes(1, 7 * 24 * 60), minutes(1, 60),
      (names, branch, build, maxImageCount, dockerfile, approvalTimeout, deploymentTimeout) => {
        outcomes.push(judge((stack) => new EcsContainerPipeline(stack, 'Pipeline', {
          source: source(branch),
          buildOptions: build,
          repositoryOptions: { maxImageCount },
          imageBuild: { dockerfile },
          environments: names.map((name, i) => ({
            name,
            deployment: EcsDeployment.rolling(fargateService(stack, `Service${i}`), { deploymentTimeout }),
            approval: i > 0 ? { timeout: approvalTimeout } : undefined,
          })),
        })));
      }), PARAMS);
    // Both outcomes occur: the generators reach valid and invalid input.
    expect(new Set(outcomes.map((o) => o.kind))).toEqual(new Set(['passed', 'rejected']));
  });

  test('LambdaPipeline over names, branches, build options, traffic percentages, intervals and package paths', () => {
    const outcomes: Outcome[] = [];
    fc.assert(fc.property(
      fc.array(stageName, { minLength: 1, maxLength: 2 }), branchName, buildOptions, mostly(fc.integer({ min: 1, max: 99 }), count),
      minutes(1, 120).map((d) => d ?? Duration.minutes(5)), fc.constantFrom('allAtOnce', 'canary', 'linear'), fc.option(relativePath, { nil: undefined }),
      (names, branch, build, percentage, interval, strategy, outputDirectory) => {
        outcomes.push(judge((stack) => new LambdaPipeline(stack, 'Pipeline', {
          source: source(branch),
          buildOptions: build,
          outputDirectory,
          environments: names.map((name, i) => {
            const alias = lambdaAlias(stack, `Fn${i}`);
            const deployment = strategy === 'allAtOnce' ? LambdaDeployment.allAtOnce(alias)
              : strategy === 'canary' ? LambdaDeployment.canary(alias, { percentage, interval })
                : LambdaDeployment.linear(alias, { percentage, interval });
            return { name, deployment };
          }),
        })));
      }), PARAMS);
    expect(new Set(outcomes.map((o) => o.kind))).toEqual(new Set(['passed', 'rejected']));
  });

  test('CodeDeploy blue/green over rollback windows and container ports', () => {
    const outcomes: Outcome[] = [];
    fc.assert(fc.property(
      minutes(0, 2 * 24 * 60), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      (rollbackWindow, containerPort) => {
        outcomes.push(judge((stack) => {
          const service = fargateService(stack, 'Production', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
          const { listener, blue, green } = loadBalancer(stack, service);
          return new EcsContainerPipeline(stack, 'Pipeline', {
            source: source('main'),
            environments: [{
              name: 'Production',
              deployment: EcsDeployment.blueGreen({
                service, listener, blueTargetGroup: blue, greenTargetGroup: green, rollbackWindow, containerPort,
              }),
            }],
          });
        }));
      }), { ...PARAMS, numRuns: Math.max(4, Math.ceil(RUNS / 2)) });
    expect(outcomes.some((o) => o.kind === 'passed')).toBe(true);
  });
});

/** An ALB with a production listener (blue) and a test listener (green), blue attached to the service. */
function loadBalancer(stack: Stack, service: ecs.FargateService) {
  // Imported lazily: only this property needs load balancing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2') as typeof import('aws-cdk-lib/aws-elasticloadbalancingv2');
  const vpc = service.cluster.vpc;
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
  // The green target group joins the load balancer through the test listener.
  lb.addListener('Test', { port: 8080, defaultTargetGroups: [green] });
  service.attachToApplicationTargetGroup(blue);
  return { listener, blue, green };
}
