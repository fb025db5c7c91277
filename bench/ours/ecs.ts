import { Stack } from 'aws-cdk-lib';
import { EcsContainerPipeline, EcsDeployment, IArtifactStore, PipelineSource } from '../../src';
import type { EcsFixture } from '../fixtures/ecs';
import { CONNECTION_ARN } from '../support';

/**
 * The library's ECS pipeline doing the hand-written pipeline's job: build, test, push, rolling
 * deploys with an approval before Production. Only the library's defaults are added; its opt-ins
 * (test reports, cache paths, notifications, approval e-mails) stay off, as the hand-written
 * pipeline has none of them.
 */
export function pipeline(stack: Stack, index: number, fixture: EcsFixture, artifactStore?: IArtifactStore): void {
  new EcsContainerPipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `shop-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
    },
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(fixture.staging) },
      { name: 'Production', deployment: EcsDeployment.rolling(fixture.production) },
    ],
    artifactStore,
  });
}
