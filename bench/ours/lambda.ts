import { Duration, Stack } from 'aws-cdk-lib';
import { IArtifactStore, LambdaDeployment, LambdaPipeline, PipelineSource } from '../../src';
import type { LambdaFixture } from '../fixtures/lambda';
import { CONNECTION_ARN } from '../support';

/** The library's Lambda pipeline, configured like examples/lambda-app.ts. */
export function pipeline(stack: Stack, index: number, fixture: LambdaFixture, artifactStore?: IArtifactStore): void {
  new LambdaPipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `orders-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules "$PACKAGE_DIRECTORY/"'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(fixture.staging) },
      {
        name: 'Production',
        deployment: LambdaDeployment.canary(fixture.production, { percentage: 10, interval: Duration.minutes(5) }),
        approval: { notifyEmails: ['ops@acme.example'] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
    artifactStore,
  });
}
