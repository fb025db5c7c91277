import { Stack } from 'aws-cdk-lib';
import { IArtifactStore, PipelineSource, StaticSitePipeline, StaticSiteTarget } from '../../src';
import type { StaticSiteFixture } from '../fixtures/static-site';
import { CONNECTION_ARN } from '../support';

/**
 * The library's static-site pipeline doing the hand-written pipeline's job: build, then per
 * environment upload and invalidate, with an approval before Production. Only the library's
 * defaults are added; its opt-ins (test reports, cache paths, post-deploy checks, notifications,
 * approval e-mails) stay off, as the hand-written pipeline has none of them.
 */
export function pipeline(stack: Stack, index: number, fixture: StaticSiteFixture, artifactStore?: IArtifactStore): void {
  new StaticSitePipeline(stack, `Pipeline${index}`, {
    source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: `site-${index}`, branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      commands: ['npm run build'],
    },
    environments: [
      {
        name: 'Staging',
        target: StaticSiteTarget.fromBucket(fixture.staging.bucket, { distribution: fixture.staging.distribution }),
      },
      {
        name: 'Production',
        target: StaticSiteTarget.fromBucket(fixture.production.bucket, { distribution: fixture.production.distribution }),
      },
    ],
    artifactStore,
  });
}
