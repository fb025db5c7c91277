/**
 * Assertions the integration tests (test/integ.*.ts) share. Each asks AWS, after the test's
 * stack is deployed, what a pipeline of this library promises: integ-tests-alpha runs the
 * calls from a Lambda function in the test's assertion stack and fails the test on a mismatch.
 */
import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipeline } from '../src';

/** One stage as `GetPipeline` returns it: its name and its actions' names, in order. */
export interface ExpectedStage {
  readonly name: string;
  readonly actions: string[];
}

/**
 * A custom resource may return at most 4 KB to CloudFormation, and integ-tests-alpha returns
 * the whole response of a call checked with `expect` ("Response object is too long",
 * aws/aws-cdk#24490): GetPipeline, GetPipelineState, DescribeServices and
 * GetDistributionConfig answer with more. So each value checked in such a response is a call
 * of its own that returns only that leaf (`assertAtPath`, a flattened path such as
 * `pipeline.stages.0.name`), compared in the provider with its raw type.
 */
export function expectLeaves(integ: IntegTest, service: string, api: string, parameters: object, leaves: Record<string, unknown>): IApiCall[] {
  return Object.entries(leaves).map(([path, value]) => integ.assertions.awsApiCall(service, api, parameters)
    .assertAtPath(path, value instanceof ExpectedResult ? value : ExpectedResult.exact(value)));
}

/**
 * The pipeline exists, is a V2 pipeline with a KMS-encrypted artifact store, and has these
 * stages with these actions in this order (what the spine promises: nothing before the
 * approval, nothing beside it).
 */
export function expectPipeline(integ: IntegTest, pipeline: DeliveryPipeline, stages: ExpectedStage[]): void {
  const leaves: Record<string, unknown> = {
    'pipeline.pipelineType': 'V2',
    'pipeline.artifactStore.type': 'S3',
    'pipeline.artifactStore.encryptionKey.type': 'KMS',
  };
  stages.forEach((stage, i) => {
    leaves[`pipeline.stages.${i}.name`] = stage.name;
    stage.actions.forEach((action, j) => {
      leaves[`pipeline.stages.${i}.actions.${j}.name`] = action;
    });
  });
  expectLeaves(integ, 'CodePipeline', 'getPipeline', { name: pipeline.pipeline.pipelineName }, leaves);
}

/** The pipeline's artifact bucket blocks every kind of public access and encrypts with KMS. */
export function expectArtifactBucketPrivate(integ: IntegTest, pipeline: DeliveryPipeline): void {
  expectBucketPrivate(integ, pipeline.artifactBucket, 'aws:kms');
}

/**
 * `bucket` blocks every kind of public access and encrypts by default with `algorithm`
 * ('aws:kms' or 'AES256').
 */
export function expectBucketPrivate(integ: IntegTest, bucket: s3.IBucket, algorithm: string): void {
  // The IAM actions are not the SDK calls' names, which is what the provider would grant.
  const publicAccess = integ.assertions.awsApiCall('S3', 'getPublicAccessBlock', { Bucket: bucket.bucketName });
  publicAccess.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:GetBucketPublicAccessBlock'], Resource: [bucket.bucketArn] });
  publicAccess.expect(ExpectedResult.objectLike({
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }));

  const encryption = integ.assertions.awsApiCall('S3', 'getBucketEncryption', { Bucket: bucket.bucketName });
  encryption.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:GetEncryptionConfiguration'], Resource: [bucket.bucketArn] });
  encryption.expect(ExpectedResult.objectLike({
    ServerSideEncryptionConfiguration: {
      Rules: Match.arrayWith([Match.objectLike({ ApplyServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: algorithm }) })]),
    },
  }));
}

/**
 * IAM's policy simulator allows `role` every one of `actions` on `resource` (with the role's
 * identity policies, as a deployed pipeline or task would call). This is what the template
 * cannot show: that the ARN's service prefix matches the action's, that nothing is missing.
 */
export function expectRoleAllowed(integ: IntegTest, role: iam.IRole, actions: string[], resource: string): void {
  const leaves: Record<string, unknown> = {};
  actions.forEach((action, i) => {
    leaves[`EvaluationResults.${i}.EvalActionName`] = action;
    leaves[`EvaluationResults.${i}.EvalDecision`] = 'allowed';
  });
  const [call] = expectLeaves(integ, 'IAM', 'simulatePrincipalPolicy', { PolicySourceArn: role.roleArn, ActionNames: actions, ResourceArns: [resource] }, leaves);
  // One provider serves every call of the assertion stack: scope its grant to the role simulated.
  call.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy'], Resource: [role.roleArn] });
}

/**
 * The Source action's role may use the connection: `UseConnection` under the service prefix
 * of the connection's ARN (`codeconnections` for connections created since 2024,
 * `codestar-connections` before), which is the only one IAM accepts for that resource.
 */
export function expectSourceCanUseConnection(integ: IntegTest, pipeline: DeliveryPipeline, connectionArn: string): void {
  const prefix = connectionArn.split(':')[2];
  expectRoleAllowed(integ, sourceActionRole(pipeline), [`${prefix}:UseConnection`], connectionArn);
}

/** The Source action's role: the one it was given, else the one aws-cdk-lib created for it. */
function sourceActionRole(pipeline: DeliveryPipeline): iam.IRole {
  const [action] = pipeline.pipeline.stage('Source').actions;
  const role = action?.actionProperties.role
    ?? pipeline.pipeline.node.tryFindChild('Source')?.node.tryFindChild(action?.actionProperties.actionName ?? '')?.node.tryFindChild('CodePipelineActionRole');
  if (role === undefined) {
    throw new Error(`${pipeline.node.path}: cannot find the role of the Source action; update test/integ-assertions.ts sourceActionRole`);
  }
  return role as iam.IRole;
}

/**
 * A run can be started, and the pipeline takes it up: within ten minutes the Source stage's
 * latest execution is the one started here, whatever its outcome (with the default
 * placeholder connection it fails at Source; with a real connection and repository it runs on).
 */
export function startPipeline(integ: IntegTest, pipeline: DeliveryPipeline): void {
  const name = pipeline.pipeline.pipelineName;
  const start = integ.assertions.awsApiCall('CodePipeline', 'startPipelineExecution', { name })
    .assertAtPath('pipelineExecutionId', ExpectedResult.stringLikeRegexp('.+'));
  const sourceState = integ.assertions.awsApiCall('CodePipeline', 'getPipelineState', { name })
    .assertAtPath('stageStates.0.latestExecution.pipelineExecutionId', ExpectedResult.exact(start.getAttString('pipelineExecutionId')));
  start.next(sourceState.waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(20) }));
}
