/**
 * Integration test of examples/multi-account-app.ts: deploys the tools stack (three pipelines
 * sharing one artifact store) and the staging and production workload stacks into the accounts
 * and regions of INTEG_STAGING_ENV and INTEG_PRODUCTION_ENV (`account/region`; bootstrap each
 * with `--trust` of the deploying account, README "Deploying to other accounts and regions"),
 * then asks AWS, from the tools account, what the pipelines look like.
 *
 * CI runs it in snapshot mode (`npx projen integ:snapshot`, no AWS account). Parameters:
 * test/integ-setup.ts.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Stack } from 'aws-cdk-lib';
import { expectArtifactBucketPrivate, expectLeaves, expectPipeline, startPipeline } from './integ-assertions';
import { INTEG_PARAMETERS, integApp, integEnv, integEnvParameter, integSource } from './integ-setup';
import { buildMultiAccountApp, PRODUCTION_ENV, STAGING_ENV } from '../examples/multi-account-app';

// GIVEN the example, its pipelines in the deployer's account, its workloads in the two others
const app = integApp();
const staging = integEnvParameter(app, INTEG_PARAMETERS.stagingEnv, STAGING_ENV);
const production = integEnvParameter(app, INTEG_PARAMETERS.productionEnv, PRODUCTION_ENV);
const example = buildMultiAccountApp(app, {
  tools: integEnv(),
  staging,
  production,
  source: (repo) => integSource(app, repo),
});
const integ = new IntegTest(app, 'MultiAccountAppInteg', {
  testCases: [example.staging, example.production, example.tools],
  assertionStack: new Stack(app, 'MultiAccountAppIntegAssertions', { env: integEnv() }),
  stackUpdateWorkflow: false,
});

// THEN each pipeline is V2 with its stages, and runs each deploy action in the workload's
// account (the action role there) and region
for (const pipeline of [example.shop, example.orders, example.web]) {
  // Blue/green production first captures the live task definition (from the production account).
  const productionActions = pipeline === example.shop ? ['Approve', 'CaptureTaskDefinition', 'Deploy'] : ['Approve', 'Deploy'];
  expectPipeline(integ, pipeline, [
    { name: 'Source', actions: ['Source'] },
    { name: 'Build', actions: ['BuildAndTest'] },
    { name: 'Staging', actions: ['Deploy'] },
    { name: 'Production', actions: productionActions },
  ]);
  expectArtifactBucketPrivate(integ, pipeline);
  expectLeaves(integ, 'CodePipeline', 'getPipeline', { name: pipeline.pipeline.pipelineName }, {
    ['pipeline.stages.2.actions.0.roleArn']: ExpectedResult.stringLikeRegexp(`^arn:aws[a-z-]*:iam::${staging.account}:role/`),
    [`pipeline.stages.3.actions.${productionActions.length - 1}.roleArn`]: ExpectedResult.stringLikeRegexp(`^arn:aws[a-z-]*:iam::${production.account}:role/`),
    [`pipeline.stages.3.actions.${productionActions.length - 1}.region`]: production.region,
  });
  startPipeline(integ, pipeline);
}
