import { Stack } from 'aws-cdk-lib';
import { EcsContainerPipeline, EcsDeployment, IArtifactStore, PipelineSource } from '../../src';
import type { EcsFixture } from '../fixtures/ecs';
import { CONNECTION_ARN } from '../support';

/** The library's ECS pipeline, configured like examples/ecs-app.ts but rolling in both environments. */
export function pipeline(stack: Stack, index: number, fixture: EcsFixture, artifactStore?: IArtifactStore): void {
  new EcsContainerPipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `shop-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(fixture.staging) },
      { name: 'Production', deployment: EcsDeployment.rolling(fixture.production), approval: { notifyEmails: ['ops@acme.example'] } },
    ],
    notifications: { emails: ['team@acme.example'] },
    artifactStore,
  });
}
