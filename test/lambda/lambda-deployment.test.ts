import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DeliveryPipelineErrors, LambdaDeployment, LambdaPipeline, LambdaTrafficShiftOptions } from '../../src';
import { githubSource, newStack } from '../helpers';
import { lambdaAlias } from './support';

/** GIVEN a one-environment pipeline WHEN it deploys with `deployment` THEN this is its DeployStrategy. */
function deployStrategyOf(make: (alias: ReturnType<typeof lambdaAlias>) => LambdaDeployment): string {
  const stack = newStack();
  new LambdaPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Production', deployment: make(lambdaAlias(stack, 'Fn')) }] });
  const [pipeline] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
  const stage = pipeline.Properties.Stages.find((s: any) => s.Name === 'Production');
  return stage.Actions.find((a: any) => a.Name === 'Deploy').Configuration.DeployStrategy;
}

/** WHEN a one-environment pipeline is built with the deployment `make` returns. */
function pipelineWith(make: (alias: ReturnType<typeof lambdaAlias>, stack: Stack) => LambdaDeployment): () => LambdaPipeline {
  return () => {
    const stack = newStack();
    return new LambdaPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: make(lambdaAlias(stack, 'Fn'), stack) }],
    });
  };
}

describe('LambdaDeployment', () => {
  describe('deploy strategies', () => {
    test.each<[string, (alias: any) => LambdaDeployment, string]>([
      ['allAtOnce', (a) => LambdaDeployment.allAtOnce(a), 'AllAtOnce'],
      ['canary 10% / 5 min', (a) => LambdaDeployment.canary(a, { percentage: 10, interval: Duration.minutes(5) }), 'Canary10Percent5Minutes'],
      ['canary 25% / 1 min', (a) => LambdaDeployment.canary(a, { percentage: 25, interval: Duration.minutes(1) }), 'Canary25Percent1Minute'],
      ['canary 5% / 1 h', (a) => LambdaDeployment.canary(a, { percentage: 5, interval: Duration.hours(1) }), 'Canary5Percent60Minutes'],
      ['linear 10% / 1 min', (a) => LambdaDeployment.linear(a, { percentage: 10, interval: Duration.minutes(1) }), 'Linear10PercentEvery1Minute'],
      ['linear 20% / 3 min', (a) => LambdaDeployment.linear(a, { percentage: 20, interval: Duration.minutes(3) }), 'Linear20PercentEvery3Minutes'],
      ['linear 99% / 120 s', (a) => LambdaDeployment.linear(a, { percentage: 99, interval: Duration.seconds(120) }), 'Linear99PercentEvery2Minutes'],
    ])('GIVEN %s THEN the action\'s DeployStrategy is %s', (_name, make, expected) => {
      expect(deployStrategyOf(make)).toBe(expected);
    });

    test('GIVEN the largest waits the action allows (2 days) THEN they are accepted', () => {
      expect(deployStrategyOf((a) => LambdaDeployment.canary(a, { percentage: 1, interval: Duration.days(2) }))).toBe('Canary1Percent2880Minutes');
      // 1% every 29 minutes: 99 waits of 29 minutes = 2871 minutes.
      expect(deployStrategyOf((a) => LambdaDeployment.linear(a, { percentage: 1, interval: Duration.minutes(29) }))).toBe('Linear1PercentEvery29Minutes');
      // 50% every 2 days: one wait.
      expect(deployStrategyOf((a) => LambdaDeployment.linear(a, { percentage: 50, interval: Duration.days(2) }))).toBe('Linear50PercentEvery2880Minutes');
    });

    test('GIVEN a deployment THEN its alias and strategy are readable', () => {
      const stack = newStack();
      const alias = lambdaAlias(stack, 'Fn');
      const deployment = LambdaDeployment.linear(alias, { percentage: 10, interval: Duration.minutes(1) });
      expect(deployment.alias).toBe(alias);
      expect(deployment.deployStrategy).toBe('Linear10PercentEvery1Minute');
    });

    test('GIVEN a token percentage THEN it is not judged and reaches the strategy as a token', () => {
      const percentage = Token.asNumber({ Ref: 'CanaryPercentage' });
      const strategy = deployStrategyOf((a) => LambdaDeployment.canary(a, { percentage, interval: Duration.minutes(5) }));
      expect(strategy).toEqual({ 'Fn::Join': ['', ['Canary', { Ref: 'CanaryPercentage' }, 'Percent5Minutes']] });
    });
  });

  describe('rejects', () => {
    const shift = (options: Partial<LambdaTrafficShiftOptions>): LambdaTrafficShiftOptions =>
      ({ percentage: 10, interval: Duration.minutes(5), ...options }) as LambdaTrafficShiftOptions;

    test.each([0, 100, 2.5, -10])('a canary percentage of %p', (percentage) => {
      expect(pipelineWith((a) => LambdaDeployment.canary(a, shift({ percentage }))))
        .toThrow(new RegExp('^TestStack/Pipeline: environments\\[0\\]\\.deployment\\.percentage must be a whole number between 1 and 99, ' +
          `got ${percentage}\\. Fix: set environments\\[0\\]\\.deployment\\.percentage to a value from 1 to 99$`));
    });

    test.each([0, 100])('a linear percentage of %p', (percentage) => {
      expect(pipelineWith((a) => LambdaDeployment.linear(a, shift({ percentage }))))
        .toThrow(/environments\[0\]\.deployment\.percentage must be a whole number between 1 and 99/);
    });

    test.each([
      [Duration.seconds(30), '30 seconds'],
      [Duration.seconds(90), '1 minute 30 seconds'],
      [Duration.minutes(0), '0 minutes'],
    ])('an interval of %p', (interval, shown) => {
      expect(pipelineWith((a) => LambdaDeployment.canary(a, shift({ interval }))))
        .toThrow(new RegExp(`^TestStack/Pipeline: environments\\[0\\]\\.deployment\\.interval must be a whole number of minutes, at least 1, got ${shown}\\. Fix: pass e\\.g\\. Duration\\.minutes\\(5\\)$`));
    });

    test('a canary that waits longer than 2 days', () => {
      expect(pipelineWith((a) => LambdaDeployment.canary(a, shift({ interval: Duration.minutes(2881) }))))
        .toThrow(/^TestStack\/Pipeline: environments\[0\]\.deployment\.interval makes the traffic shift wait 2881 minutes in total \(1 × 2881 minutes\), more than the 2880 minutes \(2 days\) the Lambda deploy action allows\. Fix: use an interval of at most 2 days$/);
    });

    test('a linear shift whose waits add up to more than 2 days', () => {
      // 1% every 30 minutes: 99 waits, 2970 minutes.
      expect(pipelineWith((a) => LambdaDeployment.linear(a, shift({ percentage: 1, interval: Duration.minutes(30) }))))
        .toThrow(/environments\[0\]\.deployment\.interval makes the traffic shift wait 2970 minutes in total \(99 × 30 minutes\), more than the 2880 minutes \(2 days\) .*Fix: shorten the interval or raise the percentage$/);
    });

    test('a missing percentage or interval (from languages without type checks)', () => {
      expect(pipelineWith((a) => LambdaDeployment.canary(a, { interval: Duration.minutes(5) } as any)))
        .toThrow(/environments\[0\]\.deployment\.percentage is required but was not given\. Fix:/);
      expect(pipelineWith((a) => LambdaDeployment.linear(a, { percentage: 10 } as any)))
        .toThrow(/environments\[0\]\.deployment\.interval is required but was not given\. Fix:/);
      expect(pipelineWith((a) => LambdaDeployment.linear(a, undefined as any)))
        .toThrow(/environments\[0\]\.deployment\.percentage is required but was not given\. Fix:/);
    });

    test('a missing alias', () => {
      expect(pipelineWith(() => LambdaDeployment.allAtOnce(undefined as any)))
        .toThrow(/^TestStack\/Pipeline: environments\[0\]\.deployment\.alias is required but was not given\. Fix: pass the lambda\.IAlias/);
    });

    test('more than 10 alarms, counting the default alarms', () => {
      const alarms = (stack: Stack, n: number) => Array.from({ length: n }, (_, i) =>
        cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:111111111111:alarm:a${i}`));
      expect(pipelineWith((a, s) => LambdaDeployment.canary(a, shift({ alarms: alarms(s, 11) }))))
        .toThrow(/^TestStack\/Pipeline: environments\[0\]\.deployment\.alarms holds 11 alarms, more than the 10 the Lambda deploy action monitors\. Fix: pass at most 10 alarms/);
      expect(pipelineWith((a, s) => LambdaDeployment.allAtOnce(a, { alarms: alarms(s, 9), defaultAlarms: true })))
        .toThrow(/environments\[0\]\.deployment\.alarms holds 11 alarms with the 2 default alarms, more than the 10 .*, or set defaultAlarms: false$/);
      expect(pipelineWith((a, s) => LambdaDeployment.allAtOnce(a, { alarms: alarms(s, 10) }))).not.toThrow();
    });

    test('an empty alarm entry', () => {
      expect(pipelineWith((a) => LambdaDeployment.allAtOnce(a, { alarms: [undefined as any] })))
        .toThrow(/environments\[0\]\.deployment\.alarms\[0\] is required but was not given\. Fix: remove the empty entry/);
    });

    test('every error is the library\'s error', () => {
      let error: unknown;
      try {
        pipelineWith((a) => LambdaDeployment.canary(a, shift({ percentage: 0 })))();
      } catch (e) {
        error = e;
      }
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(error)).toBe(true);
    });
  });
});
