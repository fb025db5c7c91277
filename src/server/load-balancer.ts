import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeInPacks, NagPackPrefix } from '../core/nag-acknowledge';
import { ROLLBACK_ALARM_REASON } from '../core/nag-reasons';
import { allow } from '../core/statement';
import { fail, show } from '../core/validation';

/** The default alarms judge each minute of the deployment on its own. */
const ALARM_PERIOD = Duration.minutes(1);

/**
 * The load balancer in front of an environment's instances. CodeDeploy takes each instance out
 * of it before the instance is deployed and puts it back afterwards (in-place traffic control),
 * and the pipeline's default rollback alarms watch it. Use the static factories.
 */
export abstract class ServerLoadBalancer {
  /**
   * The target group of an Application Load Balancer that the instances are registered in. The
   * default alarms watch its target 5xx responses and unhealthy hosts.
   *
   * @param targetGroup the instances' target group
   */
  public static applicationTargetGroup(targetGroup: elbv2.IApplicationTargetGroup): ServerLoadBalancer {
    return new TargetGroupLoadBalancer(targetGroup, true);
  }

  /**
   * The target group of a Network Load Balancer that the instances are registered in. The
   * default alarm watches its unhealthy hosts (a network load balancer sees no HTTP errors).
   *
   * @param targetGroup the instances' target group
   */
  public static networkTargetGroup(targetGroup: elbv2.INetworkTargetGroup): ServerLoadBalancer {
    return new TargetGroupLoadBalancer(targetGroup, false);
  }

  /**
   * A Classic Load Balancer the instances are registered with. The default alarms watch its
   * backend 5xx responses and unhealthy hosts.
   *
   * @param loadBalancer the classic load balancer
   */
  public static classic(loadBalancer: elb.LoadBalancer): ServerLoadBalancer {
    return new ClassicLoadBalancer(loadBalancer);
  }

  /** Validate, then bind (what the deployment group and its role need). @internal */
  public abstract _bind(scope: Construct, prop: string): ServerLoadBalancerBinding;
}

/** What the deployment group needs of its load balancer. @internal */
export interface ServerLoadBalancerBinding {
  /** The load balancer resource (target group or classic load balancer). */
  readonly resource: IConstruct & { readonly env?: { readonly account: string; readonly region: string } };
  readonly loadBalancer: codedeploy.LoadBalancer;
  /** Whether synthesis can name its metrics (a target group must be attached to a load balancer). */
  readonly watchable: boolean;
  /** The CodeDeploy role's statements for in-place traffic control. */
  statements(): iam.PolicyStatement[];
  /** The default rollback alarms, created in `scope`. */
  createDefaultAlarms(scope: Construct, description: string): cloudwatch.IAlarm[];
}

class TargetGroupLoadBalancer extends ServerLoadBalancer {
  constructor(private readonly targetGroup: elbv2.ITargetGroup, private readonly application: boolean) {
    super();
  }

  public _bind(scope: Construct, prop: string): ServerLoadBalancerBinding {
    const tg = this.targetGroup;
    const factory = this.application ? 'applicationTargetGroup' : 'networkTargetGroup';
    if (tg === undefined || tg === null || typeof (tg as elbv2.ITargetGroup).targetGroupArn !== 'string') {
      fail(scope, prop, `must name a target group, got ${show(tg)}`, `pass ServerLoadBalancer.${factory}(targetGroup), the target group the instances are registered in`);
    }
    const known = tg instanceof elbv2.ApplicationTargetGroup || tg instanceof elbv2.NetworkTargetGroup;
    if (known && tg instanceof elbv2.ApplicationTargetGroup !== this.application) {
      fail(scope, prop, `is ${this.application ? 'a network' : 'an application'} target group (${tg.node.path}), given to ServerLoadBalancer.${factory}`,
        `use ServerLoadBalancer.${this.application ? 'networkTargetGroup' : 'applicationTargetGroup'}(targetGroup)`);
    }
    const application = this.application;
    return {
      resource: tg,
      watchable: hasMetrics(tg, application),
      loadBalancer: application
        ? codedeploy.LoadBalancer.application(tg as elbv2.IApplicationTargetGroup)
        : codedeploy.LoadBalancer.network(tg as elbv2.INetworkTargetGroup),
      statements: () => [
        // CodeDeploy deregisters each instance before it deploys it and registers it again after.
        allow('MoveInstancesThroughTheTargetGroup', ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'], [tg.targetGroupArn]),
        // It waits for the instance to drain and to become healthy again: reads without a resource type.
        allow('WatchTheTargetGroup', ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'], ['*']),
      ],
      createDefaultAlarms: (alarmScope, description) => {
        const alarms: cloudwatch.Alarm[] = [];
        if (application) {
          const metrics = (tg as elbv2.IApplicationTargetGroup).metrics;
          alarms.push(new cloudwatch.Alarm(alarmScope, 'Target5xxAlarm', {
            alarmDescription: `Rolls back the deployment to ${description}: its instances answer with 5xx errors (5 or more in a minute)`,
            metric: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ALARM_PERIOD, statistic: 'Sum' }),
            threshold: 5,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }));
        }
        const unhealthy = application
          ? (tg as elbv2.IApplicationTargetGroup).metrics.unhealthyHostCount({ period: ALARM_PERIOD, statistic: 'Maximum' })
          : (tg as elbv2.INetworkTargetGroup).metrics.unHealthyHostCount({ period: ALARM_PERIOD, statistic: 'Maximum' });
        alarms.push(unhealthyAlarm(alarmScope, description, unhealthy));
        return acknowledged(alarms);
      },
    };
  }
}

class ClassicLoadBalancer extends ServerLoadBalancer {
  constructor(private readonly lb: elb.LoadBalancer) {
    super();
  }

  public _bind(scope: Construct, prop: string): ServerLoadBalancerBinding {
    const lb = this.lb;
    if (!(lb instanceof elb.LoadBalancer)) {
      fail(scope, prop, `must be a classic load balancer (elb.LoadBalancer), got ${show(lb)}`, 'pass ServerLoadBalancer.classic(loadBalancer)');
    }
    const stack = Stack.of(lb);
    const arn = stack.formatArn({ service: 'elasticloadbalancing', resource: 'loadbalancer', resourceName: lb.loadBalancerName });
    const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/ELB', metricName, dimensionsMap: { LoadBalancerName: lb.loadBalancerName }, period: ALARM_PERIOD, statistic,
    });
    return {
      resource: lb,
      watchable: true,
      loadBalancer: codedeploy.LoadBalancer.classic(lb),
      statements: () => [
        allow('MoveInstancesThroughTheLoadBalancer', ['elasticloadbalancing:DeregisterInstancesFromLoadBalancer', 'elasticloadbalancing:RegisterInstancesWithLoadBalancer'], [arn]),
        allow('WatchTheLoadBalancer', ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeInstanceHealth'], ['*']),
      ],
      createDefaultAlarms: (alarmScope, description) => acknowledged([
        new cloudwatch.Alarm(alarmScope, 'Backend5xxAlarm', {
          alarmDescription: `Rolls back the deployment to ${description}: its instances answer with 5xx errors (5 or more in a minute)`,
          metric: metric('HTTPCode_Backend_5XX', 'Sum'),
          threshold: 5,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        unhealthyAlarm(alarmScope, description, metric('UnHealthyHostCount', 'Maximum')),
      ]),
    };
  }
}

/** Whether a target group's metrics can be named (they need its load balancer). */
function hasMetrics(targetGroup: elbv2.ITargetGroup, application: boolean): boolean {
  try {
    const metrics = (targetGroup as elbv2.IApplicationTargetGroup).metrics;
    return metrics !== undefined && typeof (application ? metrics.unhealthyHostCount : (metrics as unknown as elbv2.INetworkTargetGroupMetrics).unHealthyHostCount) === 'function';
  } catch {
    return false;
  }
}

/** An instance back in the load balancer that fails its health checks for two minutes. */
function unhealthyAlarm(scope: Construct, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'UnhealthyHostsAlarm', {
    alarmDescription: `Rolls back the deployment to ${description}: an instance fails the load balancer's health checks for two minutes`,
    metric,
    threshold: 1,
    evaluationPeriods: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

function acknowledged(alarms: cloudwatch.Alarm[]): cloudwatch.IAlarm[] {
  for (const alarm of alarms) {
    acknowledgeInPacks(alarm, 'CloudWatchAlarmAction', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY], ROLLBACK_ALARM_REASON);
  }
  return alarms;
}
