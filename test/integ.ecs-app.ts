/**
 * Integration test of examples/ecs-app.ts: deploys the example (VPC, cluster, a rolling staging
 * service, a blue/green production service behind a load balancer, and the EcsContainerPipeline
 * that deploys them) and asks AWS what it created.
 *
 * CI runs it in snapshot mode (`npx projen integ:snapshot`, no AWS account); someone with an
 * account deploys it (README, "Integration tests"). Parameters: test/integ-setup.ts.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  expectArtifactBucketPrivate, expectLeaves, expectPipeline, expectRoleAllowed, expectSourceCanUseConnection, startPipeline,
} from './integ-assertions';
import { integApp, integConnectionArn, integEnv, integSource, integTest } from './integ-setup';
import { buildEcsApp } from '../examples/ecs-app';

// GIVEN the example, deployed into the account of whoever runs the test (its VPC in the first
// two availability zones of that account's region: a lookup, hence enableLookups)
const app = integApp();
const { stack, pipeline } = buildEcsApp(app, { env: integEnv(), source: integSource(app, 'shop') });
const integ = integTest(app, 'EcsAppInteg', stack, true);

// THEN the pipeline is V2: Source → Build → Staging (rolling, then the smoke tests) → Production (approval, then blue/green)
expectPipeline(integ, pipeline, [
  { name: 'Source', actions: ['Source'] },
  { name: 'Build', actions: ['BuildAndTest'] },
  { name: 'Staging', actions: ['Deploy', 'PostDeployTests'] },
  { name: 'Production', actions: ['Approve', 'Deploy'] },
]);

// THEN its artifacts are private and KMS-encrypted
expectArtifactBucketPrivate(integ, pipeline);

// THEN the release repository has immutable tags, scans on push and encrypts with KMS
integ.assertions.awsApiCall('ECR', 'describeRepositories', { repositoryNames: [pipeline.repository.repositoryName] })
  .expect(ExpectedResult.objectLike({
    repositories: [{
      repositoryName: pipeline.repository.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
    }],
  }));

// THEN the Source action may use the connection (service prefix of the ARN included)
expectSourceCanUseConnection(integ, pipeline, integConnectionArn(app));

// THEN every service the pipeline deploys can start tasks from the image it deploys: the task
// execution role may pull from the pipeline's repository (else CannotPullContainerError)
for (const name of ['Staging', 'Production']) {
  const executionRole = (stack.node.findChild(`${name}Task`) as ecs.FargateTaskDefinition).executionRole!;
  expectRoleAllowed(integ, executionRole, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], pipeline.repository.repositoryArn);
  expectRoleAllowed(integ, executionRole, ['ecr:GetAuthorizationToken'], '*');
}

// THEN both services run: staging under the ECS controller, production under CodeDeploy
for (const [name, controller] of [['Staging', 'ECS'], ['Production', 'CODE_DEPLOY']]) {
  const service = stack.node.findChild(`${name}Service`) as ecs.FargateService;
  expectLeaves(integ, 'ECS', 'describeServices', { cluster: service.cluster.clusterArn, services: [service.serviceArn] }, {
    'services.0.serviceName': service.serviceName,
    'services.0.status': 'ACTIVE',
    'services.0.deploymentController.type': controller,
  });
}

// THEN a run starts and reaches the Source stage
startPipeline(integ, pipeline);
