/**
 * The library's acknowledgements never silence a finding on a resource its user added: in a
 * subclass's constructor, in the pipeline's scope from app code, or beside the pipeline (issue 18).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GATE_CONTEXT, NAG_PACKS, runNagPack } from './support';
import { EcsContainerPipeline, EcsContainerPipelineProps, EcsDeployment } from '../../src';
import { fargateService, githubSource } from '../helpers';

/** GIVEN a subclass whose constructor adds a bucket, a role with wildcard grants and a project. */
class TeamPipeline extends EcsContainerPipeline {
  constructor(scope: Construct, id: string, props: EcsContainerPipelineProps) {
    super(scope, id, props);
    const bucket = new s3.Bucket(this, 'TeamBucket');
    const role = new iam.Role(this, 'TeamRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bucket.grantReadWrite(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    new codebuild.Project(this, 'TeamProject', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
  }
}

test('no acknowledgement of the library lands on a resource of its user', () => {
  const app = new App({ context: GATE_CONTEXT });
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'us-east-1' } });
  const pipeline = new TeamPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Web')) }],
  });
  // App code adds to the pipeline's scope, and beside it.
  const added = new iam.Role(pipeline, 'AddedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  pipeline.artifactBucket.grantRead(added);
  const beside = new iam.Role(stack, 'BesideRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  pipeline.artifactBucket.grantRead(beside);
  app.synth();
  const users = ['Shop/Pipeline/Team', 'Shop/Pipeline/AddedRole', 'Shop/BesideRole'];
  const acked = NAG_PACKS.flatMap(({ name, create }) => runNagPack(create(), name, stack, []).acknowledged
    .filter((a) => users.some((u) => a.path.startsWith(u))).map((a) => `${name} ${a.ruleId} ${a.path}`));
  expect(acked).toEqual([]);
  // The findings are there to see: the user's policies have wildcards, unacknowledged.
  const remaining = runNagPack(NAG_PACKS[0].create(), NAG_PACKS[0].name, stack, []).remaining.map((f) => f.path);
  expect(remaining).toEqual(expect.arrayContaining(['Shop/Pipeline/TeamRole/DefaultPolicy/Resource', 'Shop/Pipeline/AddedRole/DefaultPolicy/Resource']));
  // The library's own resources keep theirs.
  const own = runNagPack(NAG_PACKS[0].create(), NAG_PACKS[0].name, stack, []).acknowledged.filter((a) => a.path.startsWith('Shop/Pipeline/Build'));
  expect(own.length).toBeGreaterThan(0);
});
