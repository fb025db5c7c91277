import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { ScopedEcsDeployAction } from './ecs-deploy-action';
import type { EcsBuildSteps, EcsDeployActionContext, EcsDeploymentBinding, RollingDeploymentOptions } from './ecs-deployment';
import { ServiceInfo } from './service-info';
import { fail, show, validateDuration, validateRequired, validateWholeMinutes, warn } from '../core/validation';

/**
 * Deploys through the CodePipeline ECS action: a rolling update, or ECS-native blue/green
 * when the service's deployment strategy says so. @internal
 */
export class RollingEcsDeployment implements EcsDeploymentBinding {
  public readonly usesImageDefinitions = true;
  public readonly info: ServiceInfo;
  public readonly containerName: string;

  constructor(
    scope: Construct,
    prop: string,
    public readonly service: ecs.IBaseService,
    private readonly options: RollingDeploymentOptions,
    private readonly nativeBlueGreen: boolean,
  ) {
    this.info = new ServiceInfo(service);
    this.validate(scope, prop);
    this.containerName = this.info.containerName(scope, prop, this.options.containerName);
  }

  private validate(scope: Construct, prop: string): void {
    validateRequired(scope, `${prop}.service`, this.service, 'pass the ecs service, e.g. EcsDeployment.rolling(service)');
    validateDuration(scope, `${prop}.deploymentTimeout`, this.options.deploymentTimeout, DEFAULTS.ecsDeploymentTimeoutMin, DEFAULTS.ecsDeploymentTimeoutMax);
    validateWholeMinutes(scope, `${prop}.deploymentTimeout`, this.options.deploymentTimeout);
    if (!this.info.cfn) {
      if (!this.options.passRoles) {
        fail(scope, `${prop}.passRoles`, `is required for an imported service (${this.service.node.path}), whose task definition roles cannot be read`,
          'pass passRoles: [taskRole, executionRole] (an empty list when the task definition has no roles)');
      }
      warn(scope, 'EcsRollbackUnknown',
        `${prop}: the service ${this.service.node.path} is imported, so the pipeline cannot check how it rolls back failed deployments`);
      return;
    }
    if (this.options.passRoles) {
      warn(scope, 'EcsPassRolesIgnored', `${prop}.passRoles is ignored: the roles are read from the task definition of ${this.service.node.path}`);
    }
    const controller = this.info.deploymentController;
    if (controller !== 'ECS') {
      fail(scope, `${prop}.service`, `uses the ${show(controller)} deployment controller, which the ECS deploy action cannot update`,
        'use EcsDeployment.blueGreen({ service, ... }) for CODE_DEPLOY services, or the default ECS deployment controller');
    }
    const config = this.info.deploymentConfiguration;
    const strategy = config.strategy ?? 'ROLLING';
    if (this.nativeBlueGreen && strategy !== 'BLUE_GREEN') {
      fail(scope, `${prop}.service`, `has deployment strategy ${show(strategy)}, but ecsBlueGreen() needs BLUE_GREEN`,
        'set deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN on the service, or use EcsDeployment.rolling(service)');
    }
    if (strategy === 'ROLLING') {
      const breaker = config.deploymentCircuitBreaker;
      if (!breaker || breaker.enable !== true || breaker.rollback !== true) {
        warn(scope, 'EcsRollingNoCircuitBreaker',
          `${prop}: the service ${this.service.node.path} has no deployment circuit breaker with rollback, so a failed rolling deployment would not roll back. ` +
          'Set circuitBreaker: { enable: true, rollback: true } on the service.');
      }
    } else {
      // ECS-managed strategies (BLUE_GREEN, LINEAR, CANARY) roll back on deployment alarms.
      const alarms = config.alarms;
      if (!alarms || alarms.enable !== true || alarms.rollback !== true || (alarms.alarmNames ?? []).length === 0) {
        warn(scope, 'EcsBlueGreenNoAlarms',
          `${prop}: the service ${this.service.node.path} uses the ${strategy} deployment strategy but has no deployment alarms with rollback, ` +
          'so ECS would roll back only on failed tasks, never on errors. Set deploymentAlarms: { alarmNames: [...], behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM }.');
      }
    }
  }

  public buildSteps(): EcsBuildSteps {
    // The image definitions file the pipeline writes is all the deploy action reads.
    return { commands: [], files: [] };
  }

  public preDeployActions(): codepipeline.IAction[] {
    return [];
  }

  public createAction(_scope: Construct, context: EcsDeployActionContext): codepipeline.IAction {
    return new ScopedEcsDeployAction({
      actionName: context.actionName,
      runOrder: context.runOrder,
      service: this.service,
      input: context.input,
      imageDefinitionsFile: context.imageDefinitionsFile!,
      taskDefinitionFamily: this.info.taskDefinition?.family,
      passRoles: this.info.taskRoles(this.options.passRoles),
      deploymentTimeout: this.options.deploymentTimeout,
      account: context.target.crossAccount ? context.target.account : undefined,
      region: context.target.crossRegion ? context.target.region : undefined,
    });
  }
}
