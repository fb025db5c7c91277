import { ArnFormat, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { createAgentAssociations, validateAgentTargets } from './agent';
import { blueGreenGroupName, blueGreenStatements, createBlueGreenGroup, DEFAULT_ROLLBACK_WINDOW, launchTemplateOf, validateRollbackWindow } from './blue-green';
import { ScopedCodeDeployServerAction } from './codedeploy-server-action';
import { ServerLoadBalancer, ServerLoadBalancerBinding } from './load-balancer';
import type { BlueGreenServerDeploymentOptions, InPlaceDeploymentOptions, ServerDeployActionContext, ServerDeploymentBinding } from './server-deployment';
import { registerRollbackAlarms } from '../core/bake';
import { allow, mergeWithoutWidening } from '../core/statement';
import { differs, resolveTarget, TargetEnvironment, targetScope } from '../core/target-environment';
import { fail, show, validateBoolean, validateList, validateRequired, warn } from '../core/validation';

/** What an in-place deployment deploys to. @internal */
export type ServerTargetKind = 'autoScalingGroup' | 'ec2Instances' | 'onPremisesInstances';

/** "You can associate up to 10 CloudWatch alarms with a deployment group" (CodeDeploy quotas). */
const MAX_ALARMS = 10;

/**
 * A CodeDeploy deployment to an Auto Scaling group (in place or blue/green), tagged EC2 instances
 * or tagged on-premises instances (in place): validated once in the constructor; `createAction()`
 * creates the application, deployment group, its least-privilege role, the default alarms and the
 * agent association, and returns the deploy action. @internal
 */
export class CodeDeployServerDeployment implements ServerDeploymentBinding {
  public readonly workload: IConstruct;
  public readonly identity: string;
  public readonly target: TargetEnvironment;
  public readonly hasLoadBalancer: boolean;
  private readonly loadBalancer?: ServerLoadBalancerBinding;
  private readonly description: string;
  /** The launch template of a blue/green group (its copy launches from it). */
  private readonly launchTemplate?: { id: string };

  constructor(
    scope: Construct,
    private readonly prop: string,
    private readonly kind: ServerTargetKind,
    private readonly group: autoscaling.IAutoScalingGroup | undefined,
    private readonly tags: codedeploy.InstanceTagSet | undefined,
    private readonly options: InPlaceDeploymentOptions | BlueGreenServerDeploymentOptions,
    private readonly blueGreen = false,
  ) {
    const o = options;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      fail(scope, prop, `options must be an InPlaceDeploymentOptions object, got ${show(o)}`, 'pass e.g. { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) }');
    }
    if (kind === 'autoScalingGroup') {
      const asg = validateRequired(scope, `${prop}.group`, group, 'pass the Auto Scaling group: ServerDeployment.autoScalingGroup(group)');
      if (typeof (asg as autoscaling.IAutoScalingGroup).autoScalingGroupName !== 'string') {
        fail(scope, `${prop}.group`, `must be an autoscaling.IAutoScalingGroup, got ${show(asg)}`,
          'pass the group (new autoscaling.AutoScalingGroup(...) or autoscaling.AutoScalingGroup.fromAutoScalingGroupName(...))');
      }
      this.workload = asg;
      this.identity = asg.autoScalingGroupName;
      this.target = resolveTarget(scope, `${prop}.group`, asg);
      this.description = `the instances of ${asg.node.path}`;
    } else {
      this.validateTags(scope, `${prop}.tags`, tags);
      const rendered = JSON.stringify(tags!.instanceTagGroups);
      // Tags name no construct: an empty one stands for them, and the rule compares the tag sets.
      this.workload = new Construct(scope, `${prop}.tags`);
      this.identity = `${kind}:${rendered}`;
      // CodeDeploy finds tagged instances in its own account and region: the pipeline's.
      const stack = Stack.of(scope);
      this.target = { account: stack.account, region: stack.region, crossAccount: false, crossRegion: false, stack };
      this.description = `the ${kind === 'ec2Instances' ? 'EC2' : 'on-premises'} instances tagged ${rendered}`;
    }
    if (o.deploymentConfig !== undefined && o.minimumHealthyHosts !== undefined) {
      fail(scope, `${prop}.minimumHealthyHosts`, 'is given together with deploymentConfig', 'give one: a predefined deploymentConfig, or minimumHealthyHosts for a configuration the pipeline creates');
    }
    if (o.deploymentConfig !== undefined && (o.deploymentConfig === null || typeof (o.deploymentConfig as codedeploy.IServerDeploymentConfig).deploymentConfigName !== 'string')) {
      fail(scope, `${prop}.deploymentConfig`, `must be a codedeploy.IServerDeploymentConfig, got ${show(o.deploymentConfig)}`, 'use e.g. codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME');
    }
    if (o.minimumHealthyHosts !== undefined && !(o.minimumHealthyHosts instanceof codedeploy.MinimumHealthyHosts)) {
      fail(scope, `${prop}.minimumHealthyHosts`, `must be a codedeploy.MinimumHealthyHosts, got ${show(o.minimumHealthyHosts)}`, 'use e.g. codedeploy.MinimumHealthyHosts.percentage(75)');
    }
    if (o.loadBalancer !== undefined) {
      if (!(o.loadBalancer instanceof ServerLoadBalancer)) {
        fail(scope, `${prop}.loadBalancer`, `must be created by a ServerLoadBalancer factory, got ${show(o.loadBalancer)}`,
          'use ServerLoadBalancer.applicationTargetGroup(targetGroup), .networkTargetGroup(targetGroup) or .classic(loadBalancer)');
      }
      this.loadBalancer = o.loadBalancer._bind(scope, `${prop}.loadBalancer`);
      this.validateInTarget(scope, `${prop}.loadBalancer`, this.loadBalancer.resource);
    }
    this.hasLoadBalancer = this.loadBalancer !== undefined;
    validateBoolean(scope, `${prop}.defaultAlarms`, o.defaultAlarms);
    validateBoolean(scope, `${prop}.installAgent`, o.installAgent);
    if (o.defaultAlarms === true && !this.loadBalancer) {
      fail(scope, `${prop}.defaultAlarms`, 'is true, but the default alarms watch the load balancer and none is given',
        'give loadBalancer (ServerLoadBalancer.applicationTargetGroup(targetGroup), ...), or pass alarms of your own and leave defaultAlarms unset');
    }
    if (this.defaultAlarmsOn() && this.loadBalancer && !this.loadBalancer.watchable) {
      fail(scope, `${prop}.loadBalancer`, 'is a target group that is not attached to a load balancer (a listener or an imported group without loadBalancerArns), so the default alarms cannot name its metrics',
        'attach the target group to a listener (listener.addTargetGroups(...)), import it with loadBalancerArns, or pass alarms of your own and set defaultAlarms: false');
    }
    const alarms = o.alarms ?? [];
    validateList(scope, `${prop}.alarms`, alarms, 'pass a list of cloudwatch.IAlarm, e.g. alarms: [errorAlarm]');
    alarms.forEach((alarm, i) => {
      validateRequired(scope, `${prop}.alarms[${i}]`, alarm, 'remove the empty entry');
      if (typeof (alarm as cloudwatch.IAlarm).alarmArn !== 'string') {
        fail(scope, `${prop}.alarms[${i}]`, `must be a cloudwatch.IAlarm, got ${show(alarm)}`, 'pass an alarm construct, or cloudwatch.Alarm.fromAlarmArn(...)');
      }
      this.validateInTarget(scope, `${prop}.alarms[${i}]`, alarm);
    });
    const total = alarms.length + (this.defaultAlarmsOn() ? (this.loadBalancer ? 2 : 0) : 0);
    if (total > MAX_ALARMS) {
      fail(scope, `${prop}.alarms`, `holds ${total} alarms (with the default alarms), more than the ${MAX_ALARMS} CodeDeploy watches per deployment group`,
        'pass at most 10 (combine several in one metric-math alarm), or set defaultAlarms: false');
    }
    const instanceRoles = o.instanceRoles ?? [];
    validateList(scope, `${prop}.instanceRoles`, instanceRoles, 'pass a list of iam.IRole, e.g. instanceRoles: [instanceRole]');
    instanceRoles.forEach((role, i) => {
      if (role === null || typeof role !== 'object' || typeof (role as iam.IRole).roleArn !== 'string') {
        fail(scope, `${prop}.instanceRoles[${i}]`, `must be an iam.IRole, got ${show(role)}`, 'pass the instance profile\'s role, e.g. iam.Role.fromRoleName(this, "InstanceRole", "web-instance")');
      }
      this.validateInTarget(scope, `${prop}.instanceRoles[${i}]`, role);
    });
    if (o.role !== undefined && (o.role === null || typeof (o.role as iam.IRole).roleArn !== 'string')) {
      fail(scope, `${prop}.role`, `must be an iam.IRole, got ${show(o.role)}`, 'pass a role CodeDeploy can assume, or leave role unset for the least-privilege role');
    }
    if (o.installAgent) {
      validateAgentTargets(scope, `${prop}.installAgent`, kind, tags);
    }
    if (blueGreen) {
      this.launchTemplate = this.validateBlueGreen(scope, prop);
    }
    this.warn(scope);
  }

  private validateBlueGreen(scope: Construct, prop: string): { id: string } {
    const o = this.options as BlueGreenServerDeploymentOptions;
    if (!this.loadBalancer) {
      fail(scope, `${prop}.loadBalancer`, 'is required for a blue/green deployment: CodeDeploy moves the traffic from the original instances to the copy\'s at the load balancer',
        'give loadBalancer (e.g. ServerLoadBalancer.applicationTargetGroup(targetGroup)), or use ServerDeployment.autoScalingGroup for an in-place deployment');
    }
    if (o.installAgent) {
      fail(scope, `${prop}.installAgent`, 'is true for a blue/green deployment, whose copies of the group have names of their own that an association by group name cannot target',
        'install the CodeDeploy agent in the launch template\'s AMI (or user data) and remove installAgent');
    }
    validateRollbackWindow(scope, `${prop}.rollbackWindow`, o.rollbackWindow);
    const launchTemplate = launchTemplateOf(scope, `${prop}.group`, this.group!);
    if (this.instanceRoles().length === 0) {
      fail(scope, `${prop}.instanceRoles`, `is empty, and the role of ${this.group!.node.path}'s instances cannot be read (a launch template of your own)`,
        'pass the launch template\'s instance role as instanceRoles: CodeDeploy passes it to the copy of the group, and the instances download the revision with it');
    }
    warn(scope, 'ServerBlueGreenReplacesGroup',
      `${prop}: after the first blue/green deployment the instances serve from CodeDeploy's copy of ${this.group!.node.path} (CodeDeploy_<group>_<deployment>), ` +
      'and the original group is deleted after the rollback window: changes to the group in your stack (size, launch template) no longer reach the serving group, ' +
      'and a stack update that replaces the deployment group resets it to the original group\'s name');
    return launchTemplate;
  }

  public createAction(scope: Construct, context: ServerDeployActionContext): codepipeline.IAction {
    const groupScope = this.groupScope(scope, context.environmentName);
    // A bake without alarms of its own watches the deployment group's rollback alarms.
    const group = this.createDeploymentGroup(groupScope, (alarms) => registerRollbackAlarms(scope, context.environmentName, alarms));
    if (this.options.installAgent) {
      createAgentAssociations(groupScope, this.kind, this.group, this.tags);
    }
    return new ScopedCodeDeployServerAction({
      actionName: context.actionName,
      runOrder: context.runOrder,
      deploymentGroup: group,
      input: context.input,
      instanceRoles: this.instanceRoles(),
    });
  }

  /**
   * Where the application, group, role, alarms and agent association are created: below the
   * pipeline when the targets are in its account and region, else in the targets' (a deployment
   * group names alarms of its own account and region only).
   */
  private groupScope(scope: Construct, environmentName: string): Construct {
    const id = `${environmentName}Deployment`;
    const there = targetScope(scope, this.target, id);
    return there === scope ? new Construct(scope, id) : there;
  }

  private createDeploymentGroup(scope: Construct, rollbackAlarms: (alarms: cloudwatch.IAlarm[]) => void): codedeploy.IServerDeploymentGroup {
    const o = this.options;
    const crossEnvironment = this.target.crossAccount || this.target.crossRegion;
    const alarms = [...(o.alarms ?? [])];
    if (this.defaultAlarmsOn() && this.loadBalancer) {
      alarms.push(...this.loadBalancer.createDefaultAlarms(scope, this.description));
    }
    rollbackAlarms(alarms);
    const deploymentGroupName = this.blueGreen ? blueGreenGroupName(scope) : undefined;
    const role = o.role ?? this.createCodeDeployRole(scope, alarms, deploymentGroupName);
    const deploymentConfig = o.minimumHealthyHosts
      ? new codedeploy.ServerDeploymentConfig(scope, 'DeploymentConfig', {
        minimumHealthyHosts: o.minimumHealthyHosts,
        deploymentConfigName: crossEnvironment ? PhysicalName.GENERATE_IF_NEEDED : undefined,
      })
      : o.deploymentConfig ?? codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME;
    // The pipeline's action names the application and group: across accounts or regions by
    // their (generated) physical names, the only way to name them from the pipeline's stack.
    const application = new codedeploy.ServerApplication(scope, 'Application', { applicationName: crossEnvironment ? PhysicalName.GENERATE_IF_NEEDED : undefined });
    const policy = o.role ? undefined : role.node.tryFindChild('DefaultPolicy');
    if (deploymentGroupName) {
      const blueGreen = createBlueGreenGroup(scope, {
        application,
        group: this.group!,
        deploymentConfig,
        loadBalancer: this.loadBalancer!,
        alarms,
        role,
        rollbackWindow: (o as BlueGreenServerDeploymentOptions).rollbackWindow ?? DEFAULT_ROLLBACK_WINDOW,
        deploymentGroupName,
      });
      if (policy) {
        scope.node.findChild('DeploymentGroup').node.addDependency(policy);
      }
      return blueGreen;
    }
    const group = new codedeploy.ServerDeploymentGroup(scope, 'DeploymentGroup', {
      application,
      deploymentGroupName: crossEnvironment ? PhysicalName.GENERATE_IF_NEEDED : undefined,
      // Immutable view: aws-cdk-lib would attach AWSCodeDeployRole (every Auto Scaling group,
      // instance and load balancer of the account); the role's own policy names only these targets.
      role: o.role ?? (role as iam.Role).withoutPolicyUpdates(),
      deploymentConfig,
      autoScalingGroups: this.group ? [this.group] : undefined,
      ec2InstanceTags: this.kind === 'ec2Instances' ? this.tags : undefined,
      onPremiseInstanceTags: this.kind === 'onPremisesInstances' ? this.tags : undefined,
      // The agent comes from the association (installAgent) or the AMI, never from user data
      // that aws-cdk-lib would add to the user's group.
      installAgent: false,
      loadBalancers: this.loadBalancer ? [this.loadBalancer.loadBalancer] : undefined,
      alarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
    });
    // CodeDeploy checks the role's permissions when the group is created (it adds the lifecycle
    // hook to an Auto Scaling group then): the group waits for the role's only policy.
    if (policy) {
      group.node.addDependency(policy);
    }
    return group;
  }

  /**
   * The deployment group's service role, scoped from AWSCodeDeployRole to exactly these targets,
   * this load balancer and these alarms. Each statement says why CodeDeploy needs it.
   */
  private createCodeDeployRole(scope: Construct, alarms: cloudwatch.IAlarm[], blueGreenName?: string): iam.Role {
    const role = new iam.Role(scope, 'CodeDeployRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: `CodeDeploy ${blueGreenName ? 'blue/green' : 'in-place'} role for ${this.description}`.slice(0, 1000),
    });
    const statements: iam.PolicyStatement[] = [];
    if (this.group) {
      const stack = Stack.of(scope);
      const groupArn = stack.formatArn({
        service: 'autoscaling',
        resource: 'autoScalingGroup',
        // The group's id (a UUID) is assigned by Auto Scaling: the name is what the policy knows.
        resourceName: `*:autoScalingGroupName/${this.group.autoScalingGroupName}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      // CodeDeploy adds a lifecycle hook to the group so that every instance it launches gets the
      // current revision before it enters service, answers the hook for each launched instance,
      // and removes it when the deployment group is deleted.
      statements.push(allow('ManageTheGroupLaunchHook', [
        'autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook',
        'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat',
      ], [groupArn]));
      // It reads the group, its hooks and its instances to know what to deploy to: reads that
      // have no resource type in the Service Authorization Reference.
      statements.push(allow('ReadTheGroupAndItsInstances', [
        'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks',
        'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus',
      ], ['*']));
    } else if (this.kind === 'ec2Instances') {
      // CodeDeploy resolves the tag groups to instances with the tagging API and EC2's own
      // reads, which have no resource type.
      statements.push(allow('FindTheTaggedInstances', ['tag:GetResources', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], ['*']));
    }
    if (blueGreenName) {
      statements.push(...blueGreenStatements(scope, this.group!, blueGreenName, this.launchTemplate!.id, this.instanceRoles()));
    }
    // On-premises instances are CodeDeploy's own records: finding them takes no permission.
    if (this.loadBalancer) {
      statements.push(...this.loadBalancer.statements());
    }
    if (alarms.length > 0) {
      // CodeDeploy polls the group's alarms while it deploys; DescribeAlarms accepts the alarm
      // resource type, so it may read exactly these.
      statements.push(allow('WatchTheRollbackAlarms', ['cloudwatch:DescribeAlarms'], alarms.map((a) => a.alarmArn)));
    }
    // The reads without a resource type (the group's, the target group's) become one statement.
    for (const statement of mergeWithoutWidening(statements)) {
      role.addToPolicy(statement);
    }
    return role;
  }

  /** The roles the agent downloads the revision with: the group's and the user's. */
  private instanceRoles(): iam.IRole[] {
    const roles = [...(this.options.instanceRoles ?? [])];
    const groupRole = this.group ? autoScalingGroupRole(this.group) : undefined;
    if (groupRole && !roles.includes(groupRole)) {
      roles.unshift(groupRole);
    }
    return roles;
  }

  private defaultAlarmsOn(): boolean {
    return this.options.defaultAlarms ?? this.loadBalancer !== undefined;
  }

  private warn(scope: Construct): void {
    const o = this.options;
    if ((o.alarms ?? []).length === 0 && !(this.defaultAlarmsOn() && this.loadBalancer)) {
      warn(scope, 'ServerNoRollbackAlarms',
        `${this.prop}: no alarms roll the deployment to ${this.description} back (${this.loadBalancer ? 'defaultAlarms is false' : 'no load balancer to watch'} and no alarms are given); ` +
        'CodeDeploy rolls back only when a lifecycle script fails (give a ValidateService hook that checks the application) or the deployment is stopped');
    }
    if (this.instanceRoles().length === 0) {
      warn(scope, 'ServerInstanceRoleUnknown',
        `${this.prop}: the pipeline cannot see the instance role of ${this.description}, so it cannot let the CodeDeploy agent download the revision. ` +
        'Pass instanceRoles, or grant the role s3:GetObject and s3:GetObjectVersion on the artifact bucket\'s objects and kms:Decrypt on its key (pipeline.artifactBucket, pipeline.encryptionKey), ' +
        'or every deployment fails in its DownloadBundle event.');
    }
  }

  private validateTags(scope: Construct, prop: string, tags: codedeploy.InstanceTagSet | undefined): void {
    validateRequired(scope, prop, tags, 'pass the instances\' tags: new codedeploy.InstanceTagSet({ app: ["orders"] })');
    if (!(tags instanceof codedeploy.InstanceTagSet)) {
      fail(scope, prop, `must be a codedeploy.InstanceTagSet, got ${show(tags)}`, 'pass new codedeploy.InstanceTagSet({ app: ["orders"] })');
    }
    const groups = tags.instanceTagGroups;
    if (groups.length === 0 || groups.every((g) => Object.keys(g).length === 0)) {
      fail(scope, prop, 'holds no tags, so CodeDeploy would deploy to no instance', 'give at least one tag, e.g. new codedeploy.InstanceTagSet({ app: ["orders"] })');
    }
  }

  /** A resource the deployment group uses must be in the group's account and region. */
  private validateInTarget(scope: Construct, prop: string, resource: IConstruct & { env?: { account: string; region: string } }): void {
    const env = resource.env;
    if (!env) {
      return;
    }
    for (const [what, theirs, ours] of [['account', env.account, this.target.account], ['region', env.region, this.target.region]] as const) {
      if (differs(theirs, ours) && !Token.isUnresolved(theirs)) {
        fail(scope, prop, `is in ${what} ${theirs} (${resource.node.path}), but the deployment group of ${this.description} is in ${what} ${ours}; CodeDeploy uses it from there`,
          'use one of the targets\' account and region (e.g. define it in their stack)');
      }
    }
  }
}

/** The instance role of a group defined in the app, when it can be read. */
function autoScalingGroupRole(group: autoscaling.IAutoScalingGroup): iam.IRole | undefined {
  if (!(group instanceof autoscaling.AutoScalingGroup)) {
    return undefined;
  }
  try {
    return group.role;
  } catch {
    // A group with a launch template exposes no role.
    return undefined;
  }
}
