/**
 * Integration test of examples/lambda-app.ts: deploys the example (two functions with their
 * `live` aliases and the LambdaPipeline that deploys them) and asks AWS what it created.
 *
 * CI runs it in snapshot mode (`npx projen integ:snapshot`, no AWS account); someone with an
 * account deploys it (README, "Integration tests"). Parameters: test/integ-setup.ts.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { expectArtifactBucketPrivate, expectPipeline, expectSourceCanUseConnection, startPipeline } from './integ-assertions';
import { integApp, integConnectionArn, integEnv, integSource, integTest } from './integ-setup';
import { buildLambdaApp } from '../examples/lambda-app';

// GIVEN the example, deployed into the account of whoever runs the test
const app = integApp();
const { stack, pipeline } = buildLambdaApp(app, { env: integEnv(), source: integSource(app, 'orders-api') });
const integ = integTest(app, 'LambdaAppInteg', stack);

// THEN the pipeline is V2: Source → Build → Staging (deploy, then the smoke tests) → Production (approval, then the deploy)
expectPipeline(integ, pipeline, [
  { name: 'Source', actions: ['Source'] },
  { name: 'Build', actions: ['BuildAndTest'] },
  { name: 'Staging', actions: ['Deploy', 'PostDeployTests'] },
  { name: 'Production', actions: ['Approve', 'Deploy'] },
]);

// THEN its artifacts are private and KMS-encrypted
expectArtifactBucketPrivate(integ, pipeline);

// THEN the Source action may use the connection (service prefix of the ARN included)
expectSourceCanUseConnection(integ, pipeline, integConnectionArn(app));

// THEN the production alias the pipeline shifts traffic on exists
const production = stack.node.findChild('ProductionOrdersLive') as lambda.Alias;
integ.assertions.awsApiCall('Lambda', 'getAlias', {
  FunctionName: production.version.lambda.functionName,
  Name: production.aliasName,
}).expect(ExpectedResult.objectLike({ Name: 'live' }));

// THEN a run starts and reaches the Source stage
startPipeline(integ, pipeline);
