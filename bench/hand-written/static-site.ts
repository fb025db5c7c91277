import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import type { Site, StaticSiteFixture } from '../fixtures/static-site';
import { CONNECTION_ARN } from '../support';

/** Props of the hand-written static-site pipeline. */
export interface HandWrittenStaticSitePipelineProps {
  readonly staging: Site;
  readonly production: Site;
  readonly connectionArn: string;
  readonly repo: string;
}

/**
 * The static-site pipeline teams wire by hand from aws-cdk-lib L2 building blocks, as the
 * tutorials show it: connection source, build, then per environment the S3 deploy action
 * (extract into the bucket) and a CodeBuild project that invalidates the distribution.
 * aws-cdk-lib's defaults only: no cache headers per file type, no release archive, no
 * post-deploy check or rollback, no KMS key of its own, no reports, no notifications.
 */
export class HandWrittenStaticSitePipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: HandWrittenStaticSitePipelineProps) {
    super(scope, id);
    const build = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: ['npm ci'] },
          pre_build: { commands: ['npm test'] },
          build: { commands: ['npm run build'] },
        },
        artifacts: { 'files': ['**/*'], 'base-directory': 'dist' },
      }),
    });
    // One invalidation project for both environments; each action names its distribution.
    const invalidate = new codebuild.PipelineProject(this, 'Invalidate', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: { build: { commands: ['aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" --paths "/*"'] } },
      }),
    });
    for (const site of [props.staging, props.production]) {
      site.distribution.grantCreateInvalidation(invalidate);
    }

    const source = new codepipeline.Artifact();
    const built = new codepipeline.Artifact();
    const deploy = (site: Site, runOrder: number) => [
      new actions.S3DeployAction({ actionName: 'Deploy', bucket: site.bucket, input: built, extract: true, runOrder }),
      new actions.CodeBuildAction({
        actionName: 'Invalidate',
        project: invalidate,
        input: built,
        runOrder: runOrder + 1,
        environmentVariables: { DISTRIBUTION_ID: { value: site.distribution.distributionId } },
      }),
    ];
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
        { stageName: 'Staging', actions: deploy(props.staging, 1) },
        {
          stageName: 'Production',
          actions: [new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }), ...deploy(props.production, 2)],
        },
      ],
    });
  }
}

export function pipeline(stack: Stack, index: number, fixture: StaticSiteFixture): void {
  new HandWrittenStaticSitePipeline(stack, `Pipeline${index}`, {
    staging: fixture.staging,
    production: fixture.production,
    connectionArn: CONNECTION_ARN,
    repo: `site-${index}`,
  });
}
