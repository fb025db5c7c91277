/**
 * Integration test of examples/static-site-app.ts: deploys the example (a staging and a
 * production site, each a private bucket behind its own CloudFront distribution, and the
 * StaticSitePipeline that ships the single-page app to them) and asks AWS what it created.
 *
 * CI runs it in snapshot mode (`npx projen integ:snapshot`, no AWS account); someone with an
 * account deploys it (README, "Integration tests"). Parameters: test/integ-setup.ts.
 */
import {
  expectArtifactBucketPrivate, expectBucketPrivate, expectLeaves, expectPipeline, expectSourceCanUseConnection, startPipeline,
} from './integ-assertions';
import { integApp, integConnectionArn, integEnv, integSource, integTest } from './integ-setup';
import { buildStaticSiteApp } from '../examples/static-site-app';
import { StaticSiteHosting } from '../src';

// GIVEN the example, deployed into the account of whoever runs the test
const app = integApp();
const { stack, pipeline } = buildStaticSiteApp(app, { env: integEnv(), source: integSource(app, 'web') });
const integ = integTest(app, 'StaticSiteAppInteg', stack);

// THEN the pipeline is V2: Source → Build → Staging (deploy, then the smoke tests) → Production (approval, then the deploy)
expectPipeline(integ, pipeline, [
  { name: 'Source', actions: ['Source'] },
  { name: 'Build', actions: ['BuildAndTest'] },
  { name: 'Staging', actions: ['Deploy', 'PostDeployTests'] },
  { name: 'Production', actions: ['Approve', 'Deploy'] },
]);

// THEN its artifacts are private and KMS-encrypted
expectArtifactBucketPrivate(integ, pipeline);

// THEN each site's bucket is private (CloudFront reads it through Origin Access Control) and
// its distribution serves index.html over HTTPS only
for (const id of ['StagingSite', 'ProductionSite']) {
  const site = stack.node.findChild(id) as StaticSiteHosting;
  expectBucketPrivate(integ, site.bucket, 'AES256');
  expectLeaves(integ, 'CloudFront', 'getDistributionConfig', { Id: site.distribution.distributionId }, {
    'DistributionConfig.Enabled': true,
    'DistributionConfig.DefaultRootObject': 'index.html',
    'DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy': 'redirect-to-https',
  });
}

// THEN the Source action may use the connection (service prefix of the ARN included)
expectSourceCanUseConnection(integ, pipeline, integConnectionArn(app));

// THEN a run starts and reaches the Source stage
startPipeline(integ, pipeline);
