import { Duration, Fn, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ScopedCodeDeployEcsAction } from './codedeploy-ecs-action';
import { DEFAULTS } from './defaults';
import type { BlueGreenDeploymentOptions, EcsBuildSteps, EcsDeployActionContext, EcsDeploymentBinding } from './ecs-deployment';
import { hasNoPhysicalName, passTaskRolesStatement, ServiceInfo } from './service-info';
import { createTaskDefinitionCapture, TASK_DEFINITION_FILE } from './task-definition-capture';
import { createDeploymentGate, gateWaitTime } from './traffic-gate';
import { registerRollbackAlarms } from '../core/bake';
import { acknowledgeInPacks, NagPackPrefix } from '../core/nag-acknowledge';
import { ROLLBACK_ALARM_REASON } from '../core/nag-reasons';
import type { DeploymentGate } from '../core/post-deploy-tests';
import { isSameResource } from '../core/same-resource';
import { shellQuote } from '../core/shell';
import { allow } from '../core/statement';
import { targetScope, TargetEnvironment } from '../core/target-environment';
import { fail, show, validateDuration, validateRequired, warn } from '../core/validation';

/**
 * Blue/green through CodeDeploy (CodePipeline's CodeDeployToECS action). @internal
 */
export class BlueGreenEcsDeployment implements EcsDeploymentBinding {
  public readonly usesImageDefinitions = false;
  public readonly service: ecs.IBaseService;
  public readonly info: ServiceInfo;
  public readonly containerName: string;
  /** The container port the load balancer sends traffic to (the appspec's). */
  private readonly containerPort: number;
  private readonly taskDefinitions = new Map<string, codepipeline.Artifact>();
  /** The deployment groups the library created that wait for their environment's tests. */
  private readonly gatedGroups = new Map<string, codedeploy.IEcsDeploymentGroup>();

  constructor(scope: Construct, private readonly prop: string, private readonly options: BlueGreenDeploymentOptions) {
    this.service = options?.service;
    this.info = new ServiceInfo(this.service);
    this.validate(scope, prop);
    this.containerName = this.info.containerName(scope, prop, this.options.containerName);
    if (!this.info.taskDefinition && this.options.containerPort === undefined) {
      fail(scope, `${prop}.containerPort`, 'is required for an imported service', 'pass containerPort, the port the load balancer sends traffic to');
    }
    this.containerPort = this.info.containerPort(scope, prop, this.containerName, this.options.containerPort);
  }

  private validate(scope: Construct, prop: string): void {
    const o = validateRequired(scope, prop, this.options, 'pass EcsDeployment.blueGreen({ service, listener, blueTargetGroup, greenTargetGroup })');
    validateRequired(scope, `${prop}.service`, o.service, 'pass the ECS service whose deployment controller is CODE_DEPLOY');
    const controller = this.info.deploymentController;
    if (controller !== undefined && controller !== 'CODE_DEPLOY') {
      fail(scope, `${prop}.service`, `uses the ${show(controller)} deployment controller, but CodeDeploy blue/green needs CODE_DEPLOY`,
        'set deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } on the service, or use EcsDeployment.rolling / ecsBlueGreen');
    }
    if (!this.info.cfn && !o.passRoles) {
      fail(scope, `${prop}.passRoles`, `is required for an imported service (${o.service.node.path}), whose task definition roles cannot be read`,
        'pass passRoles: [taskRole, executionRole]');
    }
    if (o.deploymentGroup) {
      const ignored = (['listener', 'testListener', 'blueTargetGroup', 'greenTargetGroup', 'deploymentConfig', 'alarms', 'defaultAlarms', 'rollbackWindow'] as const)
        .filter((k) => o[k] !== undefined);
      if (ignored.length > 0) {
        warn(scope, 'BlueGreenOptionsIgnored', `${prop}: ${ignored.join(', ')} ignored because deploymentGroup is given (the group's own settings apply)`);
      }
      return;
    }
    validateRequired(scope, `${prop}.listener`, o.listener, 'pass the production listener, or an existing deploymentGroup');
    validateRequired(scope, `${prop}.blueTargetGroup`, o.blueTargetGroup, 'pass the target group attached to the service');
    validateRequired(scope, `${prop}.greenTargetGroup`, o.greenTargetGroup, 'pass a second target group for the new tasks');
    if (isSameResource(o.blueTargetGroup!, o.greenTargetGroup!, (tg) => tg.targetGroupArn)) {
      fail(scope, `${prop}.greenTargetGroup`, `must differ from blueTargetGroup, got the same target group (${o.greenTargetGroup!.node.path}) twice`,
        'create a second target group for the green tasks: blueGreen needs two distinct target groups');
    }
    validateDuration(scope, `${prop}.rollbackWindow`, o.rollbackWindow, Duration.minutes(0), DEFAULTS.blueGreenRollbackWindowMax);
    if (o.rollbackWindow && !o.rollbackWindow.isUnresolved() && !Number.isInteger(o.rollbackWindow.toMinutes({ integral: false }))) {
      fail(scope, `${prop}.rollbackWindow`, `must be whole minutes, got ${o.rollbackWindow.toHumanString()}`, 'use Duration.minutes(n)');
    }
    if (o.listener && o.testListener && o.listener === o.testListener) {
      fail(scope, `${prop}.testListener`, 'must differ from listener', 'use a listener on another port for test traffic, or leave testListener out');
    }
    for (const [key, listener] of [['listener', o.listener], ['testListener', o.testListener]] as const) {
      if (listener && !listenerRoutesTo(listener, [o.blueTargetGroup!, o.greenTargetGroup!])) {
        fail(scope, `${prop}.${key}`, `(${listener.node.path}) does not forward to the blue or green target group, so it is not on the service's load balancer path`,
          'pass the listener whose default action forwards to blueTargetGroup');
      }
    }
    if ((o.defaultAlarms ?? true) && !(hasAlbMetrics(o.blueTargetGroup!) && hasAlbMetrics(o.greenTargetGroup!))) {
      fail(scope, `${prop}.defaultAlarms`, 'need application (ALB) blue and green target groups to watch their 5xx responses and unhealthy hosts',
        'pass alarms for your load balancer and set defaultAlarms: false');
    }
    if (o.defaultAlarms === false && (o.alarms ?? []).length === 0) {
      warn(scope, 'BlueGreenNoAlarms', `${prop}: no alarms, so CodeDeploy rolls back only on failed or stopped deployments, never on errors`);
    }
  }

  /**
   * The appspec is known at synth time and written by the build. The task definition is not: it
   * is captured in the environment's own stage, right before the deployment (see
   * task-definition-capture.ts).
   */
  public buildSteps(environmentName: string): EcsBuildSteps {
    const appspec = `appspec-${environmentName}.yaml`;
    const hooks = this.options.hooks ?? {};
    const hookLines = ([['AfterAllowTestTraffic', hooks.postTestTraffic], ['BeforeAllowTraffic', hooks.preTraffic], ['AfterAllowTraffic', hooks.postTraffic]] as const)
      .filter(([, fn]) => fn !== undefined)
      .map(([name, fn]) => `  - ${name}: "${fn!.functionArn}"`);
    // YAML written line by line: "version: 0.0" must stay 0.0, which JSON would turn into 0.
    const appSpecLines = [
      'version: 0.0',
      'Resources:',
      '  - TargetService:',
      '      Type: AWS::ECS::Service',
      '      Properties:',
      '        TaskDefinition: <TASK_DEFINITION>',
      '        LoadBalancerInfo:',
      `          ContainerName: ${JSON.stringify(this.containerName)}`,
      `          ContainerPort: ${this.containerPort}`,
      ...(hookLines.length > 0 ? ['Hooks:', ...hookLines] : []),
    ];
    return {
      commands: [`printf '%s\\n' ${appSpecLines.map(shellQuote).join(' ')} > ${appspec}`],
      files: [appspec],
    };
  }

  /**
   * The capture of the service's task definition: it runs first in the stage (after the
   * approval), right before the deployment, and writes the artifact the deploy action reads.
   */
  public preDeployActions(scope: Construct, context: EcsDeployActionContext): codepipeline.IAction[] {
    return [createTaskDefinitionCapture(new Construct(scope, `${context.environmentName}TaskDefinition`), {
      service: this.service,
      containerName: this.containerName,
      encryptionKey: context.encryptionKey,
      input: context.input,
      output: this.taskDefinitionArtifact(context.environmentName),
      runOrder: context.runOrder,
      target: context.target,
      owner: scope,
    })];
  }

  public createAction(scope: Construct, context: EcsDeployActionContext): codepipeline.IAction {
    this.validateHooksAcrossEnvironments(scope, context);
    const waitTime = this.testsBeforeTraffic(context) ? gateWaitTime(context.testTimeout!) : undefined;
    const group = this.options.deploymentGroup ?? this.createDeploymentGroup(this.groupScope(scope, context), context.target, waitTime,
      (alarms) => registerRollbackAlarms(scope, context.environmentName, alarms));
    if (waitTime) {
      this.gatedGroups.set(context.environmentName, group);
    }
    this.grantHooksReport(scope, context.environmentName);
    return new ScopedCodeDeployEcsAction({
      actionName: context.actionName,
      runOrder: context.runOrder + 1,
      deploymentGroup: group,
      input: context.input,
      taskDefinitionInput: this.taskDefinitionArtifact(context.environmentName),
      taskDefinitionFile: TASK_DEFINITION_FILE,
      appSpecFile: `appspec-${context.environmentName}.yaml`,
      passRoles: this.info.taskRoles(this.options.passRoles),
    });
  }

  /**
   * The environment's post-deploy tests run before production traffic shifts when the library
   * creates the deployment group and it has a test listener (the tests reach the new tasks
   * there); otherwise after the deploy action, when all traffic has shifted.
   */
  private testsBeforeTraffic(context: EcsDeployActionContext): boolean {
    return context.testTimeout !== undefined && this.options.deploymentGroup === undefined && this.options.testListener !== undefined;
  }

  public deploymentGate(scope: Construct, context: EcsDeployActionContext): DeploymentGate | undefined {
    const group = this.gatedGroups.get(context.environmentName);
    if (!group) {
      return undefined;
    }
    return createDeploymentGate({
      group, target: context.target, waitTime: gateWaitTime(context.testTimeout!), owner: scope, environmentName: context.environmentName,
    });
  }

  /**
   * Where the CodeDeploy application, deployment group, its role and the default alarms are
   * created: below the pipeline when the service is in the pipeline's account and region (as
   * ever), else in the service's account and region, where CodeDeploy runs the deployment and
   * reads the alarms (a deployment group names alarms of its own account and region only).
   */
  private groupScope(scope: Construct, context: EcsDeployActionContext): Construct {
    const id = `${context.environmentName}BlueGreen`;
    const there = targetScope(scope, context.target, id);
    return there === scope ? new Construct(scope, id) : there;
  }

  /**
   * The appspec the build writes (in the pipeline's stack) names the hook functions by ARN:
   * across accounts or regions only a function with a physical name can be named there.
   */
  private validateHooksAcrossEnvironments(scope: Construct, context: EcsDeployActionContext): void {
    if (!context.target.crossAccount && !context.target.crossRegion) {
      return;
    }
    const hooks = this.options.hooks ?? {};
    for (const [name, fn] of Object.entries(hooks)) {
      if (fn && hasNoPhysicalName(fn)) {
        fail(scope, `${this.prop}.hooks.${name}`, `(${fn!.node.path}) is in another account or region than the pipeline and has no functionName, so the appspec the pipeline writes cannot name it`,
          'give the hook function a functionName (or PhysicalName.GENERATE_IF_NEEDED)');
      }
    }
  }

  /** The artifact of the environment's captured task definition: the capture writes it, the deploy action reads it. */
  private taskDefinitionArtifact(environmentName: string): codepipeline.Artifact {
    let artifact = this.taskDefinitions.get(environmentName);
    if (!artifact) {
      artifact = new codepipeline.Artifact(`${environmentName.replace(/[^A-Za-z0-9_-]/g, '_')}TaskDefinition`);
      this.taskDefinitions.set(environmentName, artifact);
    }
    return artifact;
  }

  /**
   * A hook reports its result with codedeploy:PutLifecycleEventHookExecutionStatus; without
   * it CodeDeploy waits an hour for the report, then fails and rolls back every deployment. The
   * Service Authorization Reference lists the action with no resource type, so only "*" matches
   * (aws-cdk-lib's Lambda deployment group names the group's ARN, which IAM cannot match).
   * An imported function (or immutable role) cannot be granted: warn with what to grant.
   */
  private grantHooksReport(scope: Construct, environmentName: string): void {
    const hooks = this.options.hooks ?? {};
    const functions = [hooks.postTestTraffic, hooks.preTraffic, hooks.postTraffic]
      .filter((f, i, all): f is lambda.IFunction => f !== undefined && all.indexOf(f) === i);
    for (const fn of functions) {
      const granted = fn.role?.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
        resources: ['*'],
      })).statementAdded ?? false;
      if (!granted) {
        warn(scope, 'BlueGreenHookNotGranted',
          `${environmentName}: the hook function ${fn.node.path} has no role the pipeline can change, so it cannot be granted ` +
          'codedeploy:PutLifecycleEventHookExecutionStatus. Grant its execution role that action on "*" (it has no resource type), ' +
          'or CodeDeploy waits one hour for the hook\'s report and then fails and rolls back every deployment.');
      }
    }
  }

  private createDeploymentGroup(
    scope: Construct, target: TargetEnvironment, testsWaitTime: Duration | undefined, rollbackAlarms: (alarms: cloudwatch.IAlarm[]) => void,
  ): codedeploy.IEcsDeploymentGroup {
    const o = this.options;
    // The pipeline's action names the application and group: across accounts or regions by
    // their (generated) physical names, the only way to name them from the pipeline's stack.
    const crossEnvironment = target.crossAccount || target.crossRegion;
    const alarms = [...(o.alarms ?? [])];
    if (o.defaultAlarms ?? true) {
      alarms.push(...defaultAlarms(scope, [o.blueTargetGroup, o.greenTargetGroup] as elbv2.IApplicationTargetGroup[]));
    }
    rollbackAlarms(alarms);
    const role = this.createCodeDeployRole(scope, alarms);
    const group = new codedeploy.EcsDeploymentGroup(scope, 'DeploymentGroup', {
      ...(crossEnvironment ? {
        application: new codedeploy.EcsApplication(scope, 'Application', { applicationName: PhysicalName.GENERATE_IF_NEEDED }),
        deploymentGroupName: PhysicalName.GENERATE_IF_NEEDED,
      } : {}),
      service: this.service,
      // Immutable view: aws-cdk-lib would attach AWSCodeDeployRoleForECS (every service,
      // every function); the role's own inline policy names only this service's resources.
      role: role.withoutPolicyUpdates(),
      deploymentConfig: o.deploymentConfig ?? codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      blueGreenDeploymentConfig: {
        listener: o.listener!,
        testListener: o.testListener,
        blueTargetGroup: o.blueTargetGroup!,
        greenTargetGroup: o.greenTargetGroup!,
        terminationWaitTime: o.rollbackWindow ?? DEFAULTS.blueGreenRollbackWindow,
        // Production traffic waits for the environment's tests (ContinueDeployment); past the
        // wait, CodeDeploy stops the deployment (STOP_DEPLOYMENT) and rolls back.
        deploymentApprovalWaitTime: testsWaitTime,
      },
      alarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
    });
    // CodeDeploy checks the role's permissions when the group is created; the group is handed an
    // immutable view of the role, so aws-cdk-lib does not order it after the role's only policy.
    group.node.addDependency(role.node.findChild('DefaultPolicy'));
    return group;
  }

  /** The CodeDeploy service role, scoped from AWSCodeDeployRoleForECSLimited to this service. */
  private createCodeDeployRole(scope: Construct, alarms: cloudwatch.IAlarm[]): iam.Role {
    const o = this.options;
    const stack = Stack.of(scope);
    const listeners = [o.listener!, ...(o.testListener ? [o.testListener] : [])];
    const role = new iam.Role(scope, 'CodeDeployRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: `CodeDeploy blue/green role for ${this.service.node.path}`,
    });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ManageTheServiceTaskSets',
      actions: ['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:DeleteTaskSet'],
      resources: [
        this.service.serviceArn,
        stack.formatArn({ service: 'ecs', resource: 'task-set', resourceName: `${this.service.cluster.clusterName}/${this.service.serviceName}/*` }),
      ],
    }));
    // The Service Authorization Reference lists CreateTaskSet on the task-set resource type, older
    // authorization data (and AWSCodeDeployRoleForECS) on "*" only: "*" conditioned on the
    // ecs:service key (which CreateTaskSet supports) is allowed under both and names this service only.
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'CreateTaskSetsOfTheServiceOnly',
      actions: ['ecs:CreateTaskSet'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:service': this.service.serviceArn } },
    }));
    role.addToPolicy(allow('ReadLoadBalancing', ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'],
      ['*']));
    role.addToPolicy(allow('ShiftTheListeners', ['elasticloadbalancing:ModifyListener'], listeners.map((l) => l.listenerArn)));
    role.addToPolicy(allow('ShiftTheListenerRules', ['elasticloadbalancing:ModifyRule'], listeners.map((l) => listenerRuleArns(l.listenerArn))));
    if (alarms.length > 0) {
      // DescribeAlarms accepts the alarm resource type: CodeDeploy reads only the group's alarms.
      role.addToPolicy(allow('WatchTheAlarms', ['cloudwatch:DescribeAlarms'], alarms.map((a) => a.alarmArn)));
    }
    const hooks = [o.hooks?.postTestTraffic, o.hooks?.preTraffic, o.hooks?.postTraffic].filter((f) => f !== undefined);
    if (hooks.length > 0) {
      role.addToPolicy(allow('RunTheHooks', ['lambda:InvokeFunction'], hooks.map((f) => f!.functionArn)));
    }
    const passRoles = this.info.taskRoles(o.passRoles);
    const passRole = passTaskRolesStatement(passRoles);
    if (passRole) {
      role.addToPolicy(passRole);
    }
    return role;
  }
}

/** Rules of a listener: `...:listener/app/lb/id/lid` → `...:listener-rule/app/lb/id/lid/*`. */
function listenerRuleArns(listenerArn: string): string {
  if (!Token.isUnresolved(listenerArn)) {
    return `${listenerArn.replace(':listener/', ':listener-rule/')}/*`;
  }
  const [prefix, suffix] = Fn.split(':listener/', listenerArn, 2);
  return Fn.join('', [prefix, ':listener-rule/', suffix, '/*']);
}

/**
 * The default rollback alarms: 5xx responses and unhealthy hosts of the new tasks. CodeDeploy
 * swaps the roles of the target groups on every deployment ("the target group associated with
 * the current deployment's original task set is associated with the next deployment's
 * replacement task set"), so an alarm on one group would watch the old tasks every second time.
 * Each alarm watches both groups through metric math: the new tasks are always in one of them.
 * The original tasks served production without errors until the deployment, and receive no
 * traffic once it has shifted, so their share is what production already had.
 */
function defaultAlarms(scope: Construct, targetGroups: elbv2.IApplicationTargetGroup[]): cloudwatch.IAlarm[] {
  const period = Duration.minutes(1);
  const using = (metric: (tg: elbv2.IApplicationTargetGroup) => cloudwatch.IMetric) =>
    Object.fromEntries(targetGroups.map((tg, i) => [`tg${i}`, metric(tg)]));
  const ids = targetGroups.map((_, i) => `FILL(tg${i}, 0)`);
  const alarms = [
    new cloudwatch.Alarm(scope, 'TargetGroups5xxAlarm', {
      alarmDescription: 'Rolls back the blue/green deployment: the tasks behind the blue or green target group answer with 5xx errors',
      metric: new cloudwatch.MathExpression({
        expression: ids.join(' + '),
        usingMetrics: using((tg) => tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' })),
        label: 'Target 5xx responses, both target groups',
        period,
      }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, 'TargetGroupsUnhealthyHostsAlarm', {
      alarmDescription: 'Rolls back the blue/green deployment: tasks behind the blue or green target group fail their health checks',
      metric: new cloudwatch.MathExpression({
        expression: `MAX([${ids.join(', ')}])`,
        usingMetrics: using((tg) => tg.metrics.unhealthyHostCount({ period, statistic: 'Maximum' })),
        label: 'Unhealthy hosts, either target group',
        period,
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  for (const alarm of alarms) {
    acknowledgeInPacks(alarm, 'CloudWatchAlarmAction', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY], ROLLBACK_ALARM_REASON);
  }
  return alarms;
}


function hasAlbMetrics(targetGroup: elbv2.ITargetGroup): boolean {
  try {
    // Network target groups have no 5xx metric (and throw until attached to a load balancer).
    const metrics = (targetGroup as Partial<elbv2.IApplicationTargetGroup>).metrics;
    return metrics !== undefined && typeof metrics.httpCodeTarget === 'function';
  } catch {
    return false;
  }
}

/**
 * Whether a listener defined in the app forwards to one of the target groups (default
 * action or a rule). Unknowable listeners (imported) pass.
 */
function listenerRoutesTo(listener: elbv2.IListener, targetGroups: elbv2.ITargetGroup[]): boolean {
  const cfn = listener.node.defaultChild;
  if (!(cfn instanceof elbv2.CfnListener)) {
    return true;
  }
  const stack = Stack.of(cfn);
  const rules = listener.node.findAll().filter((c): c is elbv2.CfnListenerRule => c instanceof elbv2.CfnListenerRule);
  const rendered = JSON.stringify(stack.resolve([cfn.defaultActions, ...rules.map((r) => r.actions)]));
  return targetGroups.some((tg) => rendered.includes(JSON.stringify(stack.resolve(tg.targetGroupArn))));
}
