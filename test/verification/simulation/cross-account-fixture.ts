/**
 * The simulation's own cross-account app: a pipeline in a tools account (111111111111, us-east-1)
 * that deploys with CodeBuild projects in a staging account (222222222222, us-east-1) and a
 * production account in another region (333333333333, eu-west-1), written with aws-cdk-lib's
 * CodePipeline L2 alone, as aws-cdk-lib wires accounts and regions:
 *
 * - the staging and production deploy actions' roles are created by aws-cdk-lib in the project's
 *   stack with a generated physical name (production), or given (staging: trusted by the tools
 *   account's root only for the pipeline role, an `aws:PrincipalArn` ArnEquals condition);
 * - the staging project reads the artifact from the tools account's bucket (bucket policy and key
 *   policy grants by aws-cdk-lib, `crossAccountKeys`);
 * - the production action runs in eu-west-1: CodePipeline copies the artifact as the pipeline
 *   role into the replication bucket aws-cdk-lib creates in the production stack (account 333).
 *
 * The self-tests of the first-run simulation (sim/selftest.py) run it: it must pass as
 * synthesized, and fail with AccessDenied for the right reason when one grant is taken out. It
 * exists so the simulation's cross-account support is exercised whatever the library's
 * constructs support; the multi-account example app (examples/multi-account-app.ts) is run as
 * any other example.
 */
import { App, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

const TOOLS = { account: '111111111111', region: 'us-east-1' };
const STAGING = { account: '222222222222', region: 'us-east-1' };
const PRODUCTION = { account: '333333333333', region: 'eu-west-1' };
const CONNECTION_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555';

/** A deploy project in the target's stack: copies the site into the target's bucket. */
function deployProject(stack: Stack): codebuild.PipelineProject {
  const site = new s3.Bucket(stack, 'Site', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const project = new codebuild.PipelineProject(stack, 'Deploy', {
    projectName: PhysicalName.GENERATE_IF_NEEDED,
    environment: {
      buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      environmentVariables: { SITE_BUCKET: { value: site.bucketName } },
    },
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: {
        build: {
          commands: [
            'aws sts get-caller-identity',
            'aws s3 cp app/index.html "s3://$SITE_BUCKET/index.html"',
            'aws s3api head-object --bucket "$SITE_BUCKET" --key index.html',
          ],
        },
      },
    }),
  });
  site.grantReadWrite(project);
  return project;
}

/** The fixture app, built into `app`. */
export function buildCrossAccountFixture(app: App): App {
  const tools = new Stack(app, 'SimTools', { env: TOOLS });
  const staging = new Stack(app, 'SimStaging', { env: STAGING });
  const production = new Stack(app, 'SimProduction', { env: PRODUCTION });

  const pipelineRole = new iam.Role(tools, 'PipelineRole', {
    roleName: PhysicalName.GENERATE_IF_NEEDED,
    assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
  });
  const pipeline = new codepipeline.Pipeline(tools, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    crossAccountKeys: true,
    enableKeyRotation: true,
    role: pipelineRole,
  });
  const source = new codepipeline.Artifact('Source');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new actions.CodeStarConnectionsSourceAction({
      actionName: 'Source', connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'site', branch: 'main', output: source,
    })],
  });

  // Staging: the action role is the team's, trusted by the tools account only for the pipeline role.
  const stagingActionRole = new iam.Role(staging, 'DeployActionRole', {
    roleName: PhysicalName.GENERATE_IF_NEEDED,
    assumedBy: new iam.AccountPrincipal(TOOLS.account).withConditions({
      ArnEquals: { 'aws:PrincipalArn': pipelineRole.roleArn },
    }),
  });
  pipeline.addStage({
    stageName: 'Staging',
    actions: [new actions.CodeBuildAction({
      actionName: 'Deploy', project: deployProject(staging), input: source, role: stagingActionRole,
    })],
  });

  // Production: another account and region; aws-cdk-lib creates the action role and the
  // replication bucket in the production stack.
  pipeline.addStage({
    stageName: 'Production',
    actions: [new actions.CodeBuildAction({ actionName: 'Deploy', project: deployProject(production), input: source })],
  });
  return app;
}

if (require.main === module) {
  buildCrossAccountFixture(new App()).synth();
}
