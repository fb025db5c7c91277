import { Duration, Stack } from 'aws-cdk-lib';
import { IArtifactStore, PipelineSource, ServerDeployment, ServerLoadBalancer, ServerPipeline } from '../../src';
import type { ServerFixture } from '../fixtures/server';
import { CONNECTION_ARN } from '../support';

/**
 * The library's server pipeline doing the hand-written pipeline's job: build the bundle, deploy
 * Staging in place, approval, deploy Production in place behind its load balancer. Only the
 * library's defaults are added (the generated appspec, the load balancer's rollback alarms).
 */
export function pipeline(stack: Stack, index: number, fixture: ServerFixture, artifactStore?: IArtifactStore): void {
  new ServerPipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `orders-${index}`, branch: 'main' }),
    buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'], commands: ['npm run build', 'cp -r scripts dist/'] },
    appSpec: {
      files: [{ source: '/', destination: '/opt/orders' }],
      hooks: { applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.minutes(2) }], validateService: [{ location: 'scripts/validate.sh', timeout: Duration.minutes(5) }] },
    },
    environments: [
      { name: 'Staging', deployment: ServerDeployment.autoScalingGroup(fixture.staging) },
      { name: 'Production', deployment: ServerDeployment.autoScalingGroup(fixture.production, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(fixture.productionTargets) }) },
    ],
    artifactStore,
  });
}
