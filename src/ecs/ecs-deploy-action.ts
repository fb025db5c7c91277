import { Duration, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { passTaskRolesStatement } from './service-info';

/** Props of the least-privilege ECS deploy action. @internal */
export interface ScopedEcsDeployActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly service: ecs.IBaseService;
  readonly input: codepipeline.Artifact;
  readonly imageDefinitionsFile: string;
  /** Task definition family, when known; otherwise any family may be tagged at registration. */
  readonly taskDefinitionFamily?: string;
  /** The task and execution roles the new task definition revision passes to ECS. */
  readonly passRoles: iam.IRole[];
  readonly deploymentTimeout?: Duration;
}

/**
 * The CodePipeline ECS (rolling) deploy action with a least-privilege role.
 *
 * aws-cdk-lib's `EcsDeployAction` grants `ecs:*Service*` and `iam:PassRole` on `*`; this
 * action grants the same API calls scoped to the one service, its cluster, its task
 * definition family and its own roles. What stays on `*` is what IAM cannot scope
 * (RegisterTaskDefinition, DescribeTaskDefinition) or is scoped by condition (ListTasks).
 * @internal
 */
export class ScopedEcsDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: ScopedEcsDeployActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'ECS',
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      resource: props.service,
    };
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const { service } = this.props;
    const stack = Stack.of(scope);
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'UpdateTheService',
      actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
      resources: [service.serviceArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RegisterTaskDefinitionRevision',
      actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagNewRevisionOnly',
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({
        service: 'ecs',
        resource: 'task-definition',
        resourceName: this.props.taskDefinitionFamily ? `${this.props.taskDefinitionFamily}:*` : '*',
      })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WatchTheServiceTasks',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': service.cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DescribeTheClusterTasks',
      actions: ['ecs:DescribeTasks'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${service.cluster.clusterName}/*` })],
    }));
    const passRole = passTaskRolesStatement(this.props.passRoles);
    if (passRole) {
      role.addToPrincipalPolicy(passRole);
    }
    options.bucket.grantRead(role);
    return {
      configuration: {
        ClusterName: service.cluster.clusterName,
        ServiceName: service.serviceName,
        FileName: this.props.imageDefinitionsFile,
        DeploymentTimeout: this.props.deploymentTimeout?.toMinutes({ integral: true }),
      },
    };
  }
}
