import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { LambdaFixture } from '../fixtures/lambda';
import { CONNECTION_ARN } from '../support';

/** Props of the hand-written Lambda pipeline. */
export interface HandWrittenLambdaPipelineProps {
  readonly staging: lambda.IAlias;
  readonly production: lambda.IAlias;
  readonly connectionArn: string;
  readonly repo: string;
}

/**
 * The Lambda pipeline teams wire by hand from aws-cdk-lib L2 building blocks: aws-cdk-lib has
 * no action for CodePipeline's Lambda deploy, so the tutorials deploy with a CodeBuild project
 * that runs the AWS CLI (update the code, publish a version, move the alias). Connection
 * source, package, deploy Staging, approval, deploy Production. aws-cdk-lib's defaults only:
 * no KMS key of its own, no access logs, no reports, no notifications, no rollback alarms.
 */
export class HandWrittenLambdaPipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: HandWrittenLambdaPipelineProps) {
    super(scope, id);
    const build = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: ['npm ci'] },
          pre_build: { commands: ['npm test'] },
          build: { commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules dist/'] },
        },
        artifacts: { 'files': ['**/*'], 'base-directory': 'dist' },
      }),
    });
    // One deploy project for both environments; each action names its function and alias.
    const deploy = new codebuild.PipelineProject(this, 'Deploy', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          build: {
            commands: [
              'zip -qr /tmp/package.zip .',
              'aws lambda update-function-code --function-name "$FUNCTION_NAME" --zip-file fileb:///tmp/package.zip',
              'aws lambda wait function-updated --function-name "$FUNCTION_NAME"',
              'VERSION="$(aws lambda publish-version --function-name "$FUNCTION_NAME" --query Version --output text)"',
              'aws lambda update-alias --function-name "$FUNCTION_NAME" --name "$ALIAS_NAME" --function-version "$VERSION"',
            ],
          },
        },
      }),
    });
    for (const alias of [props.staging, props.production]) {
      const fn = alias.version.lambda;
      deploy.addToRolePolicy(new iam.PolicyStatement({
        actions: ['lambda:UpdateFunctionCode', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:PublishVersion', 'lambda:UpdateAlias'],
        resources: [fn.functionArn, `${fn.functionArn}:*`],
      }));
    }
    const deployAction = (alias: lambda.IAlias, input: codepipeline.Artifact, runOrder?: number) => new actions.CodeBuildAction({
      actionName: 'Deploy',
      project: deploy,
      input,
      runOrder,
      environmentVariables: {
        FUNCTION_NAME: { value: alias.version.lambda.functionName },
        ALIAS_NAME: { value: alias.aliasName },
      },
    });

    const source = new codepipeline.Artifact();
    const built = new codepipeline.Artifact();
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.CodeStarConnectionsSourceAction({
            actionName: 'Source', connectionArn: props.connectionArn, owner: 'acme', repo: props.repo, branch: 'main', output: source,
          })],
        },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project: build, input: source, outputs: [built] })] },
        { stageName: 'Staging', actions: [deployAction(props.staging, built)] },
        {
          stageName: 'Production',
          actions: [
            new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }),
            deployAction(props.production, built, 2),
          ],
        },
      ],
    });
  }
}

export function pipeline(stack: Stack, index: number, fixture: LambdaFixture): void {
  new HandWrittenLambdaPipeline(stack, `Pipeline${index}`, {
    staging: fixture.staging,
    production: fixture.production,
    connectionArn: CONNECTION_ARN,
    repo: `orders-${index}`,
  });
}
