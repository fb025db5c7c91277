import { Arn, ArnFormat, Duration, IResource, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { allow } from './statement';
import { resolveTarget, TargetEnvironment, targetScope } from './target-environment';
import { fail, show, validateBoolean, validateIsDuration, validateList, validateOptionsObject, validateRequired, validateShape, warn } from './validation';

/**
 * How long an environment bakes after its deployment, and which alarms stop the promotion.
 *
 * The environment's stage gets an On Success condition with one CloudWatchAlarm rule per alarm:
 * after every action of the stage has succeeded, CodePipeline watches the alarms for `duration`
 * before the stage succeeds and the next environment (or its approval) starts. When an alarm is
 * in ALARM, the condition fails and the stage is rolled back (or fails, with `rollback: false`);
 * a failed stage fires the pipeline's failure notifications.
 */
export interface BakeOptions {
  /**
   * How long to watch the alarms after the deployment (the rule's `WaitTime`, in whole minutes).
   */
  readonly duration: Duration;
  /**
   * The alarms to watch (1 to 5: one rule each, and a condition holds at most 5 rules). Use
   * metric alarms: CloudWatch describes a composite alarm only to a caller allowed
   * `cloudwatch:DescribeAlarms` on every alarm, and the rule may describe only these.
   *
   * @default - the rollback alarms of the environment's deployment (yours and the library's
   *   default alarms), for the deployments that have them: `EcsDeployment.blueGreen` with the
   *   deployment group the library creates, every `LambdaDeployment`, and every `ServerDeployment`
   *   with alarms (its own, or the default ones of its load balancer). Required for the others
   *   (ECS rolling and ECS-native blue/green, static sites, your own deployment group): the
   *   library's error says so.
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * Whether an alarm rolls the stage back (the condition's result `ROLLBACK`: CodePipeline runs
   * the stage again with the source revisions of its last successful execution) rather than
   * only failing it (`FAIL`). There is nothing to roll back to before the stage has succeeded
   * once; the stage then fails.
   *
   * @default true
   */
  readonly rollback?: boolean;
}

/**
 * The documented limits of the CloudWatchAlarm rule and of a condition.
 * - Condition.rules: "Minimum number of 1 item. Maximum number of 5 items."
 *   https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_Condition.html
 * - CloudWatchAlarm rule: AlarmName (one alarm's name, required), AlarmStates (ALARM, OK,
 *   INSUFFICIENT_DATA), WaitTime ("the wait time in minutes to allow for a state change before
 *   running the rule result").
 *   https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html
 * - On Success conditions take the results ROLLBACK or FAIL.
 *   https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works-conditions.html
 * No upper bound of WaitTime is documented, so none is imposed here.
 */
const BAKE = { maxAlarms: 5, minMinutes: 1 } as const;

/** Validate `environments[i].bake`, when given. @internal */
export function validateBake(scope: Construct, prop: string, bake: BakeOptions | undefined): void {
  if (bake === undefined) {
    return;
  }
  validateOptionsObject(scope, prop, bake, 'pass e.g. bake: { duration: Duration.minutes(10), alarms: [errorAlarm] }');
  validateRequired(scope, `${prop}.duration`, bake.duration, 'pass how long to watch the alarms, e.g. duration: Duration.minutes(10)');
  validateIsDuration(scope, `${prop}.duration`, bake.duration);
  if (!bake.duration.isUnresolved()) {
    const minutes = bake.duration.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < BAKE.minMinutes) {
      fail(scope, `${prop}.duration`, `must be a whole number of minutes, at least ${BAKE.minMinutes}, got ${show(bake.duration)}`,
        'use Duration.minutes(n) with n >= 1: the CloudWatchAlarm rule waits in whole minutes');
    }
  }
  validateBoolean(scope, `${prop}.rollback`, bake.rollback);
  if (bake.alarms === undefined) {
    return;
  }
  validateList(scope, `${prop}.alarms`, bake.alarms, 'pass a list of cloudwatch.IAlarm, e.g. alarms: [errorAlarm]');
  const alarms = bake.alarms;
  validateAlarmCount(scope, `${prop}.alarms`, alarms.length, 'pass at least one alarm to watch, or leave alarms unset to watch the deployment\'s rollback alarms');
  alarms.forEach((alarm, i) => {
    validateShape(scope, `${prop}.alarms[${i}]`, alarm, ['alarmArn', 'alarmName'], 'a cloudwatch.IAlarm', 'pass an alarm construct, e.g. cloudwatch.Alarm.fromAlarmArn(this, "Errors", arn)');
    if (alarms.indexOf(alarm) !== i) {
      fail(scope, `${prop}.alarms[${i}]`, `is ${prop}.alarms[${alarms.indexOf(alarm)}] again, got ${alarm.node.path}`, 'pass each alarm once');
    }
    if (alarm instanceof cloudwatch.CompositeAlarm) {
      warn(scope, 'BakeCompositeAlarm',
        `${prop}.alarms[${i}]: ${alarm.node.path} is a composite alarm; CloudWatch describes composite alarms only to callers allowed ` +
        'cloudwatch:DescribeAlarms on every alarm, and the bake may describe only its own alarms, so it may not see this one. Use metric alarms.');
    }
  });
}

function validateAlarmCount(scope: Construct, prop: string, count: number, fixNone: string): void {
  if (count === 0 || count > BAKE.maxAlarms) {
    fail(scope, prop, `must hold 1 to ${BAKE.maxAlarms} alarms (one CloudWatchAlarm rule each; a condition holds at most ${BAKE.maxAlarms} rules), got ${count}`,
      count === 0 ? fixNone : `combine alarms in a metric-math alarm so that at most ${BAKE.maxAlarms} remain, and pass them as bake.alarms`);
  }
}

/**
 * The rollback alarms of each environment's deployment, as the workloads create them: the bake's
 * default. Keyed by the pipeline (the DeliveryPipeline construct) and the environment's name.
 */
const ROLLBACK_ALARMS = new WeakMap<IConstruct, Map<string, cloudwatch.IAlarm[]>>();

/** Record the alarms that roll an environment's deployment back (a bake without alarms watches them). @internal */
export function registerRollbackAlarms(pipeline: IConstruct, environmentName: string, alarms: cloudwatch.IAlarm[]): void {
  const of = ROLLBACK_ALARMS.get(pipeline) ?? new Map<string, cloudwatch.IAlarm[]>();
  ROLLBACK_ALARMS.set(pipeline, of);
  of.set(environmentName, [...(of.get(environmentName) ?? []), ...alarms]);
}

/**
 * The alarms an environment's bake watches: its own, else its deployment's rollback alarms
 * (known once the stage's actions are bound). @internal
 */
export function bakeAlarms(pipeline: Construct, prop: string, environmentName: string, bake: BakeOptions): cloudwatch.IAlarm[] {
  if (bake.alarms !== undefined) {
    return bake.alarms;
  }
  const alarms = ROLLBACK_ALARMS.get(pipeline)?.get(environmentName) ?? [];
  if (alarms.length === 0) {
    fail(pipeline, `${prop}.alarms`, `is required: the deployment of "${environmentName}" has no rollback alarms for the bake to watch`,
      'pass the alarms to watch, e.g. bake: { duration: Duration.minutes(10), alarms: [errorAlarm] }');
  }
  validateAlarmCount(pipeline, `${prop}.alarms`, alarms.length, '');
  return alarms;
}

/**
 * Warn when an environment after the first is promoted to without an approval and without
 * verification of the environment before it (post-deploy tests, a bake, or the static site's
 * post-deploy check): automatic promotion is explicit (a verified previous environment, then
 * `requireApproval: false`). @internal
 */
export function warnUnverifiedPromotion(
  scope: Construct, environments: readonly { name: string; requireApproval?: boolean; bake?: BakeOptions; postDeployTests?: unknown }[],
): void {
  for (let i = 1; i < environments.length; i++) {
    const previous = environments[i - 1] as { bake?: unknown; postDeployTests?: unknown; postDeployCheck?: unknown; name: string };
    const verified = previous.bake !== undefined || previous.postDeployTests !== undefined || previous.postDeployCheck !== undefined;
    if (environments[i].requireApproval === false && !verified) {
      warn(scope, 'PromotedUnverified',
        `environments[${i}] ("${environments[i].name}"): requireApproval is false, so every change that passes "${previous.name}" is promoted at once, ` +
        `but nothing verifies "${previous.name}"; give environments[${i - 1}] postDeployTests or a bake (duration and alarms) to promote automatically ` +
        'only what passed its tests and stayed healthy there, or require an approval');
    }
  }
}

/**
 * The On Success conditions of an environment's stage for its bake: one CloudWatchAlarm rule per
 * alarm, all in one condition (it fails when any rule fails), result ROLLBACK or FAIL.
 *
 * Who reads the alarms: a rule without `roleArn` runs with the pipeline's service role; a rule's
 * `roleArn` "is assumed through the roleArn for the pipeline" (API RuleExecutionInput.roleArn,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RuleExecutionInput.html), as an
 * action's role is. So an alarm in the pipeline's account is read by the pipeline role
 * (`cloudwatch:DescribeAlarms`, which takes the alarm resource type, on those alarms only); an
 * alarm in another account by a role in that account which the pipeline role may assume, as
 * aws-cdk-lib does for actions in other accounts. An alarm in another region gets the rule's
 * `region` (RuleDeclaration.region: "The Region for the condition associated with the rule").
 *
 * @internal
 */
export function createBakeConditions(bake: BakeOptions | undefined): codepipeline.Conditions | undefined {
  if (bake === undefined) {
    return undefined;
  }
  // Filled by fillBakeConditions once the stage's actions (and their alarms) exist; aws-cdk-lib
  // renders a stage's conditions at synthesis.
  return { conditions: [{ rules: [], result: bake.rollback === false ? codepipeline.Result.FAIL : codepipeline.Result.ROLLBACK }] };
}

/** Add the rules of an environment's bake to its conditions (from createBakeConditions). @internal */
export function fillBakeConditions(
  pipeline: Construct, pipelineRole: iam.IRole, prop: string, environmentName: string, bake: BakeOptions, conditions: codepipeline.Conditions,
): cloudwatch.IAlarm[] {
  const alarms = bakeAlarms(pipeline, prop, environmentName, bake);
  (conditions.conditions![0].rules as codepipeline.Rule[]).push(...bakeRules(pipeline, pipelineRole, prop, environmentName, bake, alarms));
  return alarms;
}

function bakeRules(
  pipeline: Construct, pipelineRole: iam.IRole, prop: string, environmentName: string, bake: BakeOptions, alarms: cloudwatch.IAlarm[],
): codepipeline.Rule[] {
  const minutes = bake.duration.toMinutes();
  const sidName = environmentName.replace(/[^A-Za-z0-9]/g, '');
  const sameAccount: string[] = [];
  const roles = new Map<Stack, { role: iam.Role; alarms: string[] }>();
  const rules = alarms.map((alarm, i) => {
    const target = resolveTarget(pipeline, `${prop}.alarms[${i}]`, alarmResource(alarm));
    const unnamed = (alarm as unknown as { _allowCrossEnvironment?: boolean })._allowCrossEnvironment === false;
    if ((target.crossAccount || target.crossRegion) && Token.isUnresolved(alarm.alarmArn) && unnamed) {
      // The rule names the alarm, and aws-cdk-lib can name a resource of another account or
      // region only when it has a physical name (its own error, without the prop, otherwise).
      fail(pipeline, `${prop}.alarms[${i}]`, `is in account ${target.account}, region ${target.region}, other than the pipeline's, and has no name the pipeline's stack can refer to (${alarm.node.path})`,
        'give the alarm an alarmName (or PhysicalName.GENERATE_IF_NEEDED), or import it with cloudwatch.Alarm.fromAlarmArn');
    }
    let role: iam.Role | undefined;
    if (target.crossAccount) {
      const reader = roles.get(target.stack) ?? { role: bakeRole(pipeline, pipelineRole, target, environmentName, roles.size), alarms: [] };
      roles.set(target.stack, reader);
      reader.alarms.push(alarm.alarmArn);
      role = reader.role;
    } else {
      sameAccount.push(alarm.alarmArn);
    }
    const suffix = `-Bake${i + 1}`;
    return new codepipeline.Rule({
      name: `${environmentName.slice(0, 100 - suffix.length)}${suffix}`,
      provider: 'CloudWatchAlarm',
      version: '1',
      configuration: {
        AlarmName: alarm.alarmName,
        // ALARM only: a new or quiet alarm (INSUFFICIENT_DATA) does not stop the promotion.
        AlarmStates: 'ALARM',
        WaitTime: `${minutes}`,
      },
      region: target.crossRegion ? target.region : undefined,
      role,
    });
  });
  for (const reader of roles.values()) {
    reader.role.addToPrincipalPolicy(allow('WatchTheBakeAlarms', ['cloudwatch:DescribeAlarms'], reader.alarms));
  }
  if (sameAccount.length > 0) {
    pipelineRole.addToPrincipalPolicy(allow(`WatchTheBakeAlarmsOf${sidName}`, ['cloudwatch:DescribeAlarms'], sameAccount));
  }
  return rules;
}

/**
 * The alarm as a resource whose environment is known: an alarm imported by ARN
 * (`Alarm.fromAlarmArn`) is in the account and region its ARN names, not its stack's.
 */
function alarmResource(alarm: cloudwatch.IAlarm): IResource {
  if (Token.isUnresolved(alarm.alarmArn)) {
    return alarm;
  }
  const { account, region } = Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME);
  const env = { account: account ?? alarm.env.account, region: region ?? alarm.env.region };
  return { node: alarm.node, stack: alarm.stack, env } as unknown as IResource;
}

/** The role that reads an environment's alarms in another account (one per account and region). */
function bakeRole(pipeline: Construct, pipelineRole: iam.IRole, target: TargetEnvironment, environmentName: string, n: number): iam.Role {
  const pipelineStack = Stack.of(pipeline);
  const role = new iam.Role(targetScope(pipeline, target, 'Bake'), `${environmentName}BakeRole`, {
    // Named: the pipeline's role (another account) names it in its policy.
    roleName: PhysicalName.GENERATE_IF_NEEDED,
    // As aws-cdk-lib's action roles in other accounts: the pipeline's account, and only its
    // pipeline role (a condition: the role is created later, and IAM refuses a principal that
    // does not exist yet).
    assumedBy: new iam.AccountPrincipal(pipelineStack.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': pipelineRole.roleArn } }),
    description: `Lets the pipeline ${pipeline.node.path} watch the bake alarms of ${environmentName}`,
  });
  const sid = `AssumeTheBakeRoleOf${environmentName.replace(/[^A-Za-z0-9]/g, '')}${n > 0 ? n + 1 : ''}`;
  pipelineRole.addToPrincipalPolicy(allow(sid, ['sts:AssumeRole'], [role.roleArn]));
  return role;
}
