/**
 * Integration test of examples/server-app.ts: deploys the example (a VPC, a staging and a
 * production Auto Scaling group, the production one behind a load balancer, and the
 * ServerPipeline that deploys them with CodeDeploy) and asks AWS what it created.
 *
 * CI runs it in snapshot mode (`npx projen integ:snapshot`, no AWS account); someone with an
 * account deploys it (README, "Integration tests"). Parameters: test/integ-setup.ts.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { expectArtifactBucketPrivate, expectPipeline, expectSourceCanUseConnection, startPipeline } from './integ-assertions';
import { integApp, integConnectionArn, integEnv, integSource, integTest } from './integ-setup';
import { buildServerApp } from '../examples/server-app';

// GIVEN the example, deployed into the account of whoever runs the test
const app = integApp();
const { stack, pipeline } = buildServerApp(app, { env: integEnv(), source: integSource(app, 'orders-service') });
const integ = integTest(app, 'ServerAppInteg', stack);

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

// THEN production's deployment group controls traffic at the load balancer and rolls back on failure, stop and alarm
const production = pipeline.node.findChild('ProductionDeployment').node.findChild('DeploymentGroup') as codedeploy.ServerDeploymentGroup;
integ.assertions.awsApiCall('CodeDeploy', 'getDeploymentGroup', {
  applicationName: production.application.applicationName,
  deploymentGroupName: production.deploymentGroupName,
}).expect(ExpectedResult.objectLike({
  deploymentGroupInfo: {
    deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL', deploymentType: 'IN_PLACE' },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
  },
}));

// THEN a run starts and reaches the Source stage
startPipeline(integ, pipeline);
