import { Duration, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ScopedDeployAction } from './scoped-deploy-action';
import { allow } from '../core/statement';

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
  /**
   * The account and region of the service, when they are not the pipeline's: the ARNs the role
   * names are formatted there.
   *
   * @default - the pipeline's
   */
  readonly account?: string;
  /** @default - the pipeline's */
  readonly region?: string;
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
export class ScopedEcsDeployAction extends ScopedDeployAction {
  constructor(private readonly props: ScopedEcsDeployActionProps) {
    super({
      actionName: props.actionName,
      runOrder: props.runOrder,
      provider: 'ECS',
      inputs: [props.input],
      maxInputs: 1,
      resource: props.service,
      passRoles: props.passRoles,
    });
  }

  protected statements(scope: Construct): iam.PolicyStatement[] {
    const { service, account, region } = this.props;
    const stack = Stack.of(scope);
    const formatArn = (components: { resource: string; resourceName: string }) => stack.formatArn({ service: 'ecs', account, region, ...components });
    return [
      allow('UpdateTheService', ['ecs:DescribeServices', 'ecs:UpdateService'], [service.serviceArn]),
      allow('RegisterTaskDefinitionRevision', ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], ['*']),
      new iam.PolicyStatement({
        sid: 'TagNewRevisionOnly',
        actions: ['ecs:TagResource'],
        resources: [formatArn({
          resource: 'task-definition',
          resourceName: this.props.taskDefinitionFamily ? `${this.props.taskDefinitionFamily}:*` : '*',
        })],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      }),
      new iam.PolicyStatement({
        sid: 'WatchTheServiceTasks',
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': service.cluster.clusterArn } },
      }),
      allow('DescribeTheClusterTasks', ['ecs:DescribeTasks'], [formatArn({ resource: 'task', resourceName: `${service.cluster.clusterName}/*` })]),
    ];
  }

  protected configuration(): Record<string, unknown> {
    const { service } = this.props;
    return {
      ClusterName: service.cluster.clusterName,
      ServiceName: service.serviceName,
      FileName: this.props.imageDefinitionsFile,
      DeploymentTimeout: this.props.deploymentTimeout?.toMinutes({ integral: true }),
    };
  }
}
