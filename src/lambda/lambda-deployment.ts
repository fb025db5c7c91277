import { Duration, IResource, PhysicalName, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeInPacks, NagPackPrefix } from '../core/nag-acknowledge';
import { ROLLBACK_ALARM_REASON } from '../core/nag-reasons';
import { isSameResource } from '../core/same-resource';
import { differs, resolveTarget, TargetEnvironment, targetScope } from '../core/target-environment';
import { fail, show, validateRange, validateRequired, warn } from '../core/validation';

/**
 * Limits of the CodePipeline Lambda deploy action (action-reference-LambdaDeploy) and the
 * library's default rollback alarms. Private: a user changes them through the named props.
 */
const LAMBDA_DEPLOY = {
  /** "Maximum total wait time is 2 days." */
  maxTotalWait: Duration.days(2),
  /** "A maximum of 10 alarms can be added." */
  maxAlarms: 10,
  percentageMin: 1,
  percentageMax: 99,
  /** The default alarms judge each minute of the deployment on its own. */
  defaultAlarmPeriod: Duration.minutes(1),
} as const;

/** The default rollback alarms: any error or throttle of the alias. */
const DEFAULT_ALARMS = [
  { id: 'ErrorsAlarm', metricName: 'Errors', description: 'has an error' },
  { id: 'ThrottlesAlarm', metricName: 'Throttles', description: 'is throttled' },
] as const;

/**
 * Functions that test a new version of an environment's function, before and after its alias
 * moves to it. CodePipeline invokes each with a Lambda invoke action whose user parameters
 * (JSON, in the job's `actionConfiguration.configuration.UserParameters`) are
 * `{ "functionName": ..., "alias": ..., "version": ... }`: the deployed function, its alias and
 * the newly published version. A hook reports its result with `codepipeline:PutJobSuccessResult`
 * or `codepipeline:PutJobFailureResult` (aws-cdk-lib grants both to a hook function's role;
 * grant them yourself to an imported function, whose role is unknown: warning
 * `LambdaHookRoleUnknown`). A hook must be in the deployed function's account and region (the
 * pipeline's, or the other account and region of the function, where the pipeline invokes it
 * with a role of that account); give it a literal `functionName` there.
 */
export interface LambdaTrafficHooks {
  /**
   * Runs after the new version is published and before any traffic moves to it: invoke the
   * version it is given (`functionName:version`) to test exactly the code about to go live.
   * When it fails, the alias has not moved and the stage fails.
   *
   * @default - none
   */
  readonly preTraffic?: lambda.IFunction;
  /**
   * Runs after all traffic has moved to the new version. When it fails, CodePipeline rolls the
   * environment's stage back to the revision of its last successful execution: it publishes
   * that code again and moves the alias back to it. On the first run after the pipeline is
   * created or changed there is no such execution: the stage fails and the alias stays on the
   * new version (warning `LambdaHooksFirstRunRollback`); move it back yourself.
   *
   * @default - none
   */
  readonly postTraffic?: lambda.IFunction;
}

/**
 * What rolls a Lambda deployment back.
 */
export interface LambdaRollbackOptions {
  /**
   * CloudWatch alarms that roll the deployment back: when one of them is in ALARM while the
   * deploy action runs, the action fails and the alias returns to the version it pointed at
   * before. At most 10, counting the default alarms. Use metric alarms: the action's role may
   * describe exactly these alarms, and CloudWatch shows composite alarms only to callers
   * allowed on every alarm.
   *
   * @default - none of your own; the default alarms are created
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Whether the pipeline creates its default rollback alarms on the alias: `Errors > 0` and
   * `Throttles > 0` in any one-minute period (Sum, one datapoint, missing data is OK).
   * Set it to `false` to deploy without them; with no `alarms` either, nothing rolls the
   * deployment back and the pipeline warns.
   *
   * @default - true when `alarms` is empty or not given, false when it is given
   */
  readonly defaultAlarms?: boolean;
  /**
   * Functions that test the new version before and after its alias moves to it. With hooks,
   * the environment's stage publishes the new version first (a CodeBuild action), runs the
   * pre-traffic hook against it, shifts the alias to that version with the deploy action, then
   * runs the post-traffic hook; a failing post-traffic hook rolls the stage back.
   *
   * @default - no hooks
   */
  readonly hooks?: LambdaTrafficHooks;
}

/**
 * How traffic shifts to the new version during a canary or linear deployment.
 */
export interface LambdaTrafficShiftOptions extends LambdaRollbackOptions {
  /**
   * Percentage of traffic (a whole number from 1 to 99) shifted to the new version in the
   * first increment (canary) or in each increment (linear).
   */
  readonly percentage: number;
  /**
   * Wait between increments, in whole minutes (at least 1). The whole shift may wait at most
   * 2 days: the interval for a canary, the interval times the number of increments after the
   * first for a linear deployment.
   */
  readonly interval: Duration;
}

/**
 * How an environment's Lambda function is deployed: the alias whose traffic moves to the newly
 * published version, how it moves, and which alarms roll it back. Use the static factories.
 *
 * Every strategy runs CodePipeline's own Lambda deploy action: it updates the function's code
 * from the build output, publishes a new version and moves the alias to it; when the action
 * fails or an alarm goes into ALARM, the alias returns to the version it pointed at before.
 * The action itself has no pre- or post-traffic hooks (CodeDeploy's `BeforeAllowTraffic` /
 * `AfterAllowTraffic`); give `hooks` for functions that test the new version before and after
 * the shift, and the pipeline publishes the version itself and runs them around the action.
 */
export abstract class LambdaDeployment {
  /**
   * Move all traffic to the new version at once. The rollback alarms are checked while the
   * action runs.
   *
   * @param alias the alias that serves the environment's traffic; it must point at a published version
   * @param options the rollback alarms
   */
  public static allAtOnce(alias: lambda.IAlias, options: LambdaRollbackOptions = {}): LambdaDeployment {
    return new TrafficShiftDeployment('AllAtOnce', alias, options ?? {});
  }

  /**
   * Shift `percentage` of the traffic to the new version, wait `interval`, then shift the rest
   * (e.g. `Canary10Percent5Minutes`). An alarm during the wait rolls the alias back.
   *
   * @param alias the alias that serves the environment's traffic; it must point at a published version
   * @param options the first increment, the wait and the rollback alarms
   */
  public static canary(alias: lambda.IAlias, options: LambdaTrafficShiftOptions): LambdaDeployment {
    return new TrafficShiftDeployment('Canary', alias, options ?? {});
  }

  /**
   * Shift `percentage` more of the traffic to the new version every `interval` until it has all
   * of it (e.g. `Linear10PercentEvery1Minute`). An alarm at any step rolls the alias back.
   *
   * @param alias the alias that serves the environment's traffic; it must point at a published version
   * @param options the increment, the wait between increments and the rollback alarms
   */
  public static linear(alias: lambda.IAlias, options: LambdaTrafficShiftOptions): LambdaDeployment {
    return new TrafficShiftDeployment('Linear', alias, options ?? {});
  }

  /** The alias whose traffic the deployment moves to the new version. */
  public abstract readonly alias: lambda.IAlias;

  /**
   * The deploy action's `DeployStrategy`, e.g. `AllAtOnce`, `Canary10Percent5Minutes` or
   * `Linear10PercentEvery1Minute`.
   */
  public abstract readonly deployStrategy: string;

  /** The functions that test the new version before and after the shift, if any. */
  public abstract readonly hooks?: LambdaTrafficHooks;

  /**
   * Validate (throwing the library's error under `prop`), warn, and return what the deploy
   * action needs. Done once: the pipeline binds each environment's deployment, and a
   * `LambdaDeployAction` of that deployment gets the kept result. @internal
   */
  public abstract _bind(scope: Construct, prop: string): LambdaDeploymentBinding;
}

/** What a bound `LambdaDeployment` gives the pipeline and its deploy action. @internal */
export interface LambdaDeploymentBinding {
  readonly alias: lambda.IAlias;
  /** The function the alias belongs to. */
  readonly fn: lambda.IFunction;
  readonly deployStrategy: string;
  readonly hooks?: LambdaTrafficHooks;
  /**
   * Where the function is, as seen from the pipeline's stack: its account and region, and the
   * stack for what the pipeline creates there (the default alarms, the publish step).
   */
  readonly target: TargetEnvironment;
  /**
   * The alarms that roll this deployment back: the user's, then the default alarms when they
   * are on, created for `scope` (the deploy action's) in the function's account and region.
   */
  createAlarms(scope: Construct): cloudwatch.IAlarm[];
}

/**
 * The resource that tells where an alias's deployment runs: the function. An alias created by
 * the app (`lambda.Alias`) is in its function's account and region (validated); an imported
 * alias (`Alias.fromAliasAttributes`) takes the environment of the stack that imports it, not
 * its function's, so only the function knows. Undefined for what is not an alias (the
 * validation of the deployment names it). @internal
 */
export function workloadResource(alias: lambda.IAlias | undefined): IResource | undefined {
  const fn = (alias as { version?: { lambda?: lambda.IFunction } } | undefined)?.version?.lambda;
  return fn !== null && typeof fn === 'object' && typeof (fn as { env?: unknown }).env === 'object' ? fn : undefined;
}

type Strategy = 'AllAtOnce' | 'Canary' | 'Linear';

class TrafficShiftDeployment extends LambdaDeployment {
  /**
   * The binding per stack: validation compares the function's environment with the stack's, so
   * a pipeline in another stack binds (and is judged) anew.
   */
  private readonly bound = new WeakMap<Stack, LambdaDeploymentBinding>();

  constructor(
    private readonly strategy: Strategy,
    public readonly alias: lambda.IAlias,
    private readonly options: LambdaRollbackOptions & Partial<Pick<LambdaTrafficShiftOptions, 'percentage' | 'interval'>>,
  ) {
    super();
  }

  public get hooks(): LambdaTrafficHooks | undefined {
    const hooks = this.options.hooks;
    return hooks && (hooks.preTraffic || hooks.postTraffic) ? hooks : undefined;
  }

  public get deployStrategy(): string {
    if (this.strategy === 'AllAtOnce') {
      return 'AllAtOnce';
    }
    const percentage = this.options.percentage;
    const minutes = this.intervalMinutes();
    const unit = minutes === 1 ? 'Minute' : 'Minutes';
    return this.strategy === 'Canary'
      ? `Canary${percentage}Percent${minutes}${unit}`
      : `Linear${percentage}PercentEvery${minutes}${unit}`;
  }

  public _bind(scope: Construct, prop: string): LambdaDeploymentBinding {
    const stack = Stack.of(scope);
    let bound = this.bound.get(stack);
    if (!bound) {
      const target = this.validate(scope, prop);
      this.warn(scope, prop);
      bound = {
        alias: this.alias,
        fn: this.alias.version.lambda,
        deployStrategy: this.deployStrategy,
        hooks: this.hooks,
        target,
        createAlarms: (alarmScope) => this.createAlarms(alarmScope, target),
      };
      this.bound.set(stack, bound);
    }
    return bound;
  }

  private validate(scope: Construct, prop: string): TargetEnvironment {
    const alias = validateRequired(scope, `${prop}.alias`, this.alias,
      'pass the lambda.IAlias that serves the environment, e.g. LambdaDeployment.canary(alias, { percentage: 10, interval: Duration.minutes(5) })');
    validateIsAlias(scope, `${prop}.alias`, alias);
    const version = alias.version?.version;
    if (version !== undefined && !Token.isUnresolved(version) && version === '$LATEST') {
      fail(scope, `${prop}.alias`, `points at $LATEST (${alias.node.path}), got version ${show(version)}; the deploy action shifts traffic between published versions and rolls back to the version the alias pointed at`,
        'point the alias at a published version, e.g. new lambda.Alias(this, "Live", { aliasName: "live", version: fn.currentVersion })');
    }
    const target = this.validateTarget(scope, `${prop}.alias`, alias);
    if (this.strategy !== 'AllAtOnce') {
      validateRequired(scope, `${prop}.percentage`, this.options.percentage, 'give the percentage of traffic each increment shifts, e.g. 10');
      validateRequired(scope, `${prop}.interval`, this.options.interval, 'give the wait between increments, e.g. Duration.minutes(5)');
      validateRange(scope, `${prop}.percentage`, this.options.percentage, LAMBDA_DEPLOY.percentageMin, LAMBDA_DEPLOY.percentageMax);
      this.validateInterval(scope, `${prop}.interval`);
    }
    const alarms = this.options.alarms ?? [];
    if (!Array.isArray(alarms)) {
      fail(scope, `${prop}.alarms`, `must be a list of cloudwatch.IAlarm, got ${show(alarms)}`, 'pass e.g. alarms: [errorAlarm]');
    }
    alarms.forEach((alarm, i) => {
      validateRequired(scope, `${prop}.alarms[${i}]`, alarm, 'remove the empty entry');
      validateInTarget(scope, `${prop}.alarms[${i}]`, alarm, target,
        'the deploy action watches its alarms with its role, in the function\'s account and region',
        'create the alarm in the function\'s stack (or import it with an ARN of that account and region)');
      validateLiteralName(scope, `${prop}.alarms[${i}]`, alarm, () => alarm.alarmName, target, 'alarmName');
    });
    this.validateHooks(scope, `${prop}.hooks`, alias, target);
    const total = alarms.length + (this.defaultAlarmsOn() ? DEFAULT_ALARMS.length : 0);
    if (total > LAMBDA_DEPLOY.maxAlarms) {
      fail(scope, `${prop}.alarms`, `holds ${total} alarms${this.defaultAlarmsOn() ? ` with the ${DEFAULT_ALARMS.length} default alarms` : ''}, more than the ${LAMBDA_DEPLOY.maxAlarms} the Lambda deploy action monitors`,
        `pass at most ${LAMBDA_DEPLOY.maxAlarms} alarms (combine several in one metric-math alarm)${this.defaultAlarmsOn() ? ', or set defaultAlarms: false' : ''}`);
    }
    return target;
  }

  /**
   * Where the deployment runs: the function's account and region. An alias the app creates must
   * be in its function's (CloudFormation creates it there); the pipeline in another account or
   * region names the function by its name, so that must be known at synthesis.
   */
  private validateTarget(scope: Construct, prop: string, alias: lambda.IAlias): TargetEnvironment {
    const fn = alias.version.lambda;
    if (alias instanceof lambda.Alias) {
      for (const [what, theirs, ours] of [['account', fn.env.account, alias.env.account], ['region', fn.env.region, alias.env.region]] as const) {
        if (differs(theirs, ours)) {
          fail(scope, prop, `is in ${what} ${ours} (${alias.node.path}), but its function ${fn.node.path} is in ${what} ${theirs}; an alias lives in its function's account and region`,
            'create the alias in the function\'s stack, e.g. fn.addAlias("live"), or import both with Alias.fromAliasAttributes');
        }
      }
    }
    const target = resolveTarget(scope, prop, fn);
    // An ARN of tokens (a parameter) in the pipeline's own stack: CodePipeline must know the
    // account of the action (aws-cdk-lib: "The 'account' property must be a concrete value").
    const pipelineStack = Stack.of(scope);
    for (const [what, theirs, ours] of [['account', fn.env.account, pipelineStack.account], ['region', fn.env.region, pipelineStack.region]] as const) {
      if (Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && Token.compareStrings(theirs, ours) !== TokenComparison.SAME) {
        fail(scope, prop, `is in an ${what} the pipeline cannot tell (${fn.node.path} is named by a token), ` +
          `but CodePipeline must know the ${what} of every action to create its role and artifact store there`,
        `import it with an ARN or attributes that state its ${what} as literals (e.g. lambda.Function.fromFunctionAttributes(this, "Fn", { functionArn: "arn:aws:lambda:<region>:<account>:function:<name>", sameEnvironment: false }))`);
      }
    }
    validateLiteralName(scope, prop, fn, () => fn.functionName, target, 'functionName');
    return target;
  }

  private warn(scope: Construct, prop: string): void {
    const alarms = this.options.alarms ?? [];
    if (alarms.length === 0 && !this.defaultAlarmsOn()) {
      warn(scope, 'LambdaNoRollbackAlarms',
        `${prop}: no alarms roll the deployment to ${this.alias.node.path} back (defaultAlarms is false and no alarms are given); ` +
        'only a failure of the deploy action itself returns the alias to the previous version');
    }
    for (const key of ['preTraffic', 'postTraffic'] as const) {
      const hook = this.hooks?.[key];
      if (hook && hook.role === undefined) {
        // aws-cdk-lib grants the result calls to the hook's role, which an imported function lacks.
        warn(scope, 'LambdaHookRoleUnknown',
          `${prop}.hooks.${key}: the role of ${hook.node.path} is unknown (an imported function), so the pipeline cannot let it report its result; ` +
          'grant its execution role codepipeline:PutJobSuccessResult and codepipeline:PutJobFailureResult (Resource "*": they have no resource type), ' +
          'or the hook action waits until it times out and fails');
      }
    }
    alarms.forEach((alarm, i) => {
      if (alarm instanceof cloudwatch.CompositeAlarm) {
        warn(scope, 'LambdaCompositeAlarm',
          `${prop}.alarms[${i}]: ${alarm.node.path} is a composite alarm; CloudWatch describes composite alarms only to callers allowed ` +
          'cloudwatch:DescribeAlarms on every alarm, and the deploy action\'s role may describe only its own alarms, so it may not see this one. Use metric alarms.');
      }
    });
  }

  private createAlarms(actionScope: Construct, target: TargetEnvironment): cloudwatch.IAlarm[] {
    const alarms = [...(this.options.alarms ?? [])];
    if (this.defaultAlarmsOn()) {
      const fn = this.alias.version.lambda;
      // The function's metrics are in its account and region, and so must its alarms be: the
      // deploy action describes them there. The pipeline names them in the action's
      // configuration, so across environments their names are generated at synthesis.
      const scope = targetScope(actionScope, target, 'RollbackAlarms');
      const elsewhere = scope !== actionScope;
      for (const spec of DEFAULT_ALARMS) {
        const alarm = new cloudwatch.Alarm(scope, spec.id, {
          alarmName: elsewhere ? PhysicalName.GENERATE_IF_NEEDED : undefined,
          alarmDescription: `Rolls back the deployment to ${this.alias.node.path} when the alias ${spec.description} in a one-minute period`,
          metric: new cloudwatch.Metric({
            namespace: 'AWS/Lambda',
            metricName: spec.metricName,
            // The alias's own metrics: every invocation through it, of the old and the new version.
            dimensionsMap: { FunctionName: fn.functionName, Resource: `${fn.functionName}:${this.alias.aliasName}` },
            statistic: cloudwatch.Stats.SUM,
            period: LAMBDA_DEPLOY.defaultAlarmPeriod,
          }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          // No invocations in a minute is not a failure.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        acknowledgeInPacks(alarm, 'CloudWatchAlarmAction', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY], ROLLBACK_ALARM_REASON);
        alarms.push(alarm);
      }
    }
    return alarms;
  }

  private validateHooks(scope: Construct, prop: string, alias: lambda.IAlias, target: TargetEnvironment): void {
    const hooks = this.options.hooks;
    if (hooks === undefined) {
      return;
    }
    if (hooks === null || typeof hooks !== 'object' || Array.isArray(hooks)) {
      fail(scope, prop, `must be a LambdaTrafficHooks object, got ${show(hooks)}`, 'pass e.g. hooks: { preTraffic: testFn, postTraffic: smokeFn }');
    }
    const fn = alias.version.lambda;
    for (const key of ['preTraffic', 'postTraffic'] as const) {
      const hook = hooks[key];
      if (hook === undefined) {
        continue;
      }
      if (hook === null || typeof hook !== 'object' || typeof (hook as lambda.IFunction).functionArn !== 'string') {
        fail(scope, `${prop}.${key}`, `must be a lambda.IFunction, got ${show(hook)}`, 'pass the function that tests the new version, e.g. new lambda.Function(...)');
      }
      if (isSameResource(hook, fn, (f) => f.functionArn)) {
        fail(scope, `${prop}.${key}`, `is the deployed function itself (${fn.node.path})`,
          'give a separate function that tests the deployed one: the hook receives the function name, alias and new version in its user parameters');
      }
      validateInTarget(scope, `${prop}.${key}`, hook, target,
        'a hook tests the deployed function, whose name, alias and version it is given: they resolve only in the function\'s account and region',
        target.crossAccount || target.crossRegion
          ? 'define the hook function in the deployed function\'s account and region (e.g. in its stack)'
          : 'use a hook function in the pipeline\'s account and region: the invoke action runs there');
      validateLiteralName(scope, `${prop}.${key}`, hook, () => hook.functionName, target, 'functionName');
    }
  }

  private defaultAlarmsOn(): boolean {
    return this.options.defaultAlarms ?? (this.options.alarms ?? []).length === 0;
  }

  /** Whole minutes of the interval (a token when the interval is one). */
  private intervalMinutes(): number {
    const interval = this.options.interval!;
    return interval.isUnresolved() ? interval.toMinutes() : interval.toSeconds() / 60;
  }

  private validateInterval(scope: Construct, prop: string): void {
    const interval = this.options.interval!;
    if (!(interval instanceof Duration)) {
      fail(scope, prop, `must be a Duration, got ${show(interval)}`, 'pass e.g. Duration.minutes(5)');
    }
    if (interval.isUnresolved()) {
      return;
    }
    const seconds = interval.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0) {
      fail(scope, prop, `must be a whole number of minutes, at least 1, got ${show(interval)}`, 'pass e.g. Duration.minutes(5)');
    }
    const percentage = this.options.percentage!;
    if (Token.isUnresolved(percentage)) {
      return;
    }
    const minutes = seconds / 60;
    // A canary waits once; a linear shift waits between each of its ceil(100 / percentage) increments.
    const waits = this.strategy === 'Canary' ? 1 : Math.ceil(100 / percentage) - 1;
    const total = minutes * waits;
    const max = LAMBDA_DEPLOY.maxTotalWait.toMinutes();
    if (total > max) {
      fail(scope, prop,
        `makes the traffic shift wait ${total} minutes in total (${waits} × ${minutes} minutes), ` +
        `more than the ${max} minutes (${LAMBDA_DEPLOY.maxTotalWait.toHumanString()}) the Lambda deploy action allows`,
        this.strategy === 'Canary' ? 'use an interval of at most 2 days' : 'shorten the interval or raise the percentage');
    }
  }
}

/**
 * The library's error when `resource` (an alarm or a hook of the deployment) is known to be in
 * another account or region than the deployed function.
 */
function validateInTarget(scope: Construct, prop: string, resource: IResource, target: TargetEnvironment, why: string, fix: string): void {
  const env = resource.env;
  if (!env) {
    return;
  }
  for (const [what, theirs, ours] of [['account', env.account, target.account], ['region', env.region, target.region]] as const) {
    if (differs(theirs, ours)) {
      const where = target.crossAccount || target.crossRegion ? 'the deployed function\'s' : 'the pipeline\'s stack and the deployed function\'s';
      fail(scope, prop, `is in ${what} ${theirs} (${resource.node.path}), but ${where} ${what} is ${ours}; ${why}`, fix);
    }
  }
}

/**
 * The library's error when the pipeline, in another account or region than the deployment,
 * cannot name `resource` (the function, an alarm or a hook) in its action configuration: its
 * name is assigned at deployment and no reference crosses an account or region (aws-cdk-lib
 * would fail with "Cannot use resource ... in a cross-environment fashion").
 */
function validateLiteralName(
  scope: Construct, prop: string, resource: IResource, name: () => string, target: TargetEnvironment, nameProp: string,
): void {
  if (!target.crossAccount && !target.crossRegion) {
    return;
  }
  let resolved: unknown;
  try {
    resolved = Stack.of(scope).resolve(name());
  } catch {
    resolved = undefined;
  }
  if (typeof resolved !== 'string') {
    fail(scope, prop, `is ${resource.node.path} in account ${target.account}, region ${target.region}, whose name is assigned only when its stack deploys; ` +
      'the pipeline in another account or region must name it in its action configuration',
    `give it a literal ${nameProp} (e.g. ${nameProp}: 'orders-production'), or import it by an ARN of that account and region`);
  }
}

/**
 * The library's error for something that is not a `lambda.IAlias` (it would otherwise end in a
 * TypeError): a function or a version passed where its alias belongs, or anything else.
 */
function validateIsAlias(scope: Construct, prop: string, alias: lambda.IAlias): void {
  const value = alias as unknown as Record<string, unknown> | null;
  const isObject = value !== null && typeof value === 'object';
  if (isObject && typeof value.aliasName === 'string' && typeof value.version === 'object' && value.version !== null) {
    return;
  }
  const path = isObject ? (alias as IConstruct).node?.path : undefined;
  if (isObject && typeof value.functionArn === 'string' && typeof value.version === 'string' && typeof value.lambda === 'object') {
    fail(scope, prop, `is a lambda version (${path}), not an alias`,
      'pass an alias that points at it: new lambda.Alias(this, "Live", { aliasName: "live", version })');
  }
  const fix = 'pass an alias of the function that points at a published version: fn.addAlias("live"), ' +
    'or new lambda.Alias(this, "Live", { aliasName: "live", version: fn.currentVersion })';
  if (isObject && typeof value.functionArn === 'string') {
    fail(scope, prop, `is a lambda function (${path}), not an alias; the deploy action moves an alias between published versions`, fix);
  }
  fail(scope, prop, `must be a lambda.IAlias, got ${show(alias)}`, fix);
}
