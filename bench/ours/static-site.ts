import { Stack } from 'aws-cdk-lib';
import { IArtifactStore, PipelineSource, StaticSitePipeline, StaticSiteTarget } from '../../src';
import type { StaticSiteFixture } from '../fixtures/static-site';
import { CONNECTION_ARN } from '../support';

/** The library's static-site pipeline: build, then per environment upload, invalidate and check. */
export function pipeline(stack: Stack, index: number, fixture: StaticSiteFixture, artifactStore?: IArtifactStore): void {
  new StaticSitePipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `site-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    environments: [
      {
        name: 'Staging',
        target: StaticSiteTarget.fromBucket(fixture.staging.bucket, { distribution: fixture.staging.distribution }),
        postDeployCheck: { urls: [`https://staging-${index}.example.com/`] },
      },
      {
        name: 'Production',
        target: StaticSiteTarget.fromBucket(fixture.production.bucket, { distribution: fixture.production.distribution }),
        postDeployCheck: { urls: [`https://www-${index}.example.com/`] },
        approval: { notifyEmails: ['ops@acme.example'] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
    artifactStore,
  });
}
