import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeliveryPipelineErrors, LambdaDeployment, LambdaPipeline } from '../../src';
import { githubSource, newStack } from '../helpers';
import { lambdaAlias } from './support';

const ENV = { account: '111111111111', region: 'us-east-1' };

function pipelineFor(stack: Stack, deployment: () => LambdaDeployment): unknown {
  try {
    new LambdaPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment: deployment() }] });
  } catch (e) {
    return e;
  }
  return undefined;
}

function aFunction(scope: Stack, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
}

describe('LambdaPipeline: what is passed as the alias', () => {
  test('GIVEN a Function where the alias belongs WHEN synthesized THEN the library\'s error names the prop and says to add an alias (no TypeError)', () => {
    const stack = newStack();
    const err: any = pipelineFor(stack, () => LambdaDeployment.canary(aFunction(stack, 'Fn') as unknown as lambda.IAlias, { percentage: 10, interval: Duration.minutes(5) }));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^TestStack\/Pipeline: environments\[0\]\.deployment\.alias is a lambda function \(TestStack\/Fn\), not an alias.*Fix: .*fn\.addAlias\("live"\).*new lambda\.Alias/);
  });

  test('GIVEN a Function to allAtOnce WHEN synthesized THEN the same library error', () => {
    const stack = newStack();
    const err: any = pipelineFor(stack, () => LambdaDeployment.allAtOnce(aFunction(stack, 'Fn') as unknown as lambda.IAlias));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/environments\[0\]\.deployment\.alias is a lambda function/);
  });

  test('GIVEN a Version where the alias belongs WHEN synthesized THEN the library\'s error says to put an alias on it', () => {
    const stack = newStack();
    const err: any = pipelineFor(stack, () => LambdaDeployment.allAtOnce(aFunction(stack, 'Fn').currentVersion as unknown as lambda.IAlias));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/environments\[0\]\.deployment\.alias is a lambda version \(TestStack\/Fn\/CurrentVersion\), not an alias.*Fix: .*new lambda\.Alias/);
  });

  test('GIVEN a string where the alias belongs WHEN synthesized THEN the library\'s error', () => {
    const stack = newStack();
    const err: any = pipelineFor(stack, () => LambdaDeployment.allAtOnce('live' as unknown as lambda.IAlias));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/environments\[0\]\.deployment\.alias must be a lambda\.IAlias, got "live"/);
  });
});

describe('LambdaPipeline: a function in another account or region', () => {
  test.each([
    ['account', { account: '222222222222', region: 'us-east-1' }],
    ['region', { account: '111111111111', region: 'eu-west-1' }],
  ])('GIVEN the alias in a stack of another %s, its function named WHEN synthesized THEN it is accepted', (_what, env) => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env });
    const fn = new lambda.Function(workload, 'Fn', {
      functionName: 'orders', runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    expect(pipelineFor(stack, () => LambdaDeployment.allAtOnce(fn.addAlias('live')))).toBeUndefined();
    expect(() => app.synth()).not.toThrow();
  });

  test.each([
    ['account', { account: '222222222222', region: 'us-east-1' }],
    ['region', { account: '111111111111', region: 'eu-west-1' }],
  ])('GIVEN the alias in a stack of another %s, its function unnamed WHEN synthesized THEN the library\'s error says to name it', (_what, env) => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env });
    const alias = lambdaAlias(workload, 'Fn');
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const err: any = pipelineFor(stack, () => LambdaDeployment.allAtOnce(alias));
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(err.message).toMatch(/^TestStack\/Pipeline: environments\[0\]\.deployment\.alias is Workload\/Fn in account \d+, region [a-z0-9-]+, whose name is assigned only when its stack deploys.*Fix: give it a literal functionName/);
  });

  test('GIVEN one deployment bound by a pipeline of its own stack WHEN a pipeline in another region reuses it THEN that pipeline is judged too', () => {
    const app = new App();
    const workload = new Stack(app, 'Workload', { env: ENV });
    const deployment = LambdaDeployment.allAtOnce(lambdaAlias(workload, 'Fn'));
    expect(pipelineFor(workload, () => deployment)).toBeUndefined();
    const far = new Stack(app, 'Far', { env: { account: '111111111111', region: 'eu-west-1' } });
    const err: any = pipelineFor(far, () => deployment);
    expect(err?.message).toMatch(/^Far\/Pipeline: environments\[0\]\.deployment\.alias is Workload\/Fn in account 111111111111, region us-east-1, whose name is assigned only when its stack deploys/);
  });
});
