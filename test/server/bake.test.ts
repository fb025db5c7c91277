import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServerDeployment, ServerLoadBalancer, ServerPipeline } from '../../src';
import { githubSource, newStack } from '../helpers';
import { APP_SPEC, webServers, webTargetGroup } from './support';

/** The alarms the bake of the stage watches (its success condition's rules). */
function bakeRules(template: Template, stage: string): any[] {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === stage).OnSuccess.Conditions[0].Rules;
}

describe('ServerPipeline: a bake without alarms of its own', () => {
  test('GIVEN a load balancer THEN the bake watches the deployment group\'s rollback alarms (5xx, unhealthy hosts)', () => {
    const stack = newStack();
    const group = webServers(stack, 'Web');
    new ServerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      appSpec: APP_SPEC,
      environments: [{
        name: 'Staging',
        deployment: ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(webTargetGroup(stack, 'Tg', group)) }),
        bake: { duration: Duration.minutes(10) },
      }],
    });
    const watched = bakeRules(Template.fromStack(stack), 'Staging').map((r: any) => r.Configuration.AlarmName.Ref);
    expect(watched).toEqual([expect.stringMatching(/Target5xxAlarm/), expect.stringMatching(/UnhealthyHostsAlarm/)]);
  });

  test('GIVEN no alarm at all THEN the library says the bake needs alarms', () => {
    const stack = newStack();
    expect(() => {
      new ServerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        appSpec: APP_SPEC,
        environments: [{ name: 'Staging', deployment: ServerDeployment.autoScalingGroup(webServers(stack, 'Web')), bake: { duration: Duration.minutes(10) } }],
      });
      Template.fromStack(stack);
    }).toThrow(/environments\[0\]\.bake\.alarms is required: the deployment of "Staging" has no rollback alarms for the bake to watch/);
  });
});
