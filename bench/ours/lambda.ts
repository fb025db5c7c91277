import { Stack } from 'aws-cdk-lib';
import { IArtifactStore, LambdaDeployment, LambdaPipeline, PipelineSource } from '../../src';
import type { LambdaFixture } from '../fixtures/lambda';
import { CONNECTION_ARN } from '../support';

/**
 * The library's Lambda pipeline doing the hand-written pipeline's job: package, deploy Staging,
 * approval, deploy Production, each all at once. Only the library's defaults are added (e.g.
 * the rollback alarms); its opt-ins (test reports, cache paths, notifications, approval e-mails)
 * stay off, as the hand-written pipeline has none of them.
 */
export function pipeline(stack: Stack, index: number, fixture: LambdaFixture, artifactStore?: IArtifactStore): void {
  new LambdaPipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `orders-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules "$OUTPUT_DIRECTORY/"'],
    },
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(fixture.staging) },
      { name: 'Production', deployment: LambdaDeployment.allAtOnce(fixture.production) },
    ],
    artifactStore,
  });
}
