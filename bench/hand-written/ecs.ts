import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EcsFixture } from '../fixtures/ecs';
import { CONNECTION_ARN } from '../support';

/** Props of the hand-written ECS pipeline. */
export interface HandWrittenEcsPipelineProps {
  readonly staging: ecs.IBaseService;
  readonly production: ecs.IBaseService;
  readonly connectionArn: string;
  readonly repo: string;
  /**
   * The services' task execution roles, granted pull on the repository: without it the tasks
   * cannot pull the pushed image (CannotPullContainerError) and the first run fails. The
   * tutorials' ecsTaskExecutionRole carries this grant; the benchmark passes the fixture's roles.
   */
  readonly executionRoles?: iam.IRole[];
}

/**
 * The ECS pipeline teams wire by hand from aws-cdk-lib L2 building blocks, as the tutorials
 * show it (also the baseline of test/security/baseline.test.ts): connection source,
 * `docker build` + push, rolling deploy to staging, approval, rolling deploy to production.
 * aws-cdk-lib's own defaults only: no KMS key of its own, no access logs, no lifecycle
 * rules, no reports, no notifications, no cache repository.
 */
export class HandWrittenEcsPipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: HandWrittenEcsPipelineProps) {
    super(scope, id);
    const repository = new ecr.Repository(this, 'Repository');
    const project = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
      environmentVariables: { REPOSITORY_URI: { value: repository.repositoryUri } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: ['npm ci'] },
          pre_build: { commands: ['aws ecr get-login-password | docker login --username AWS --password-stdin $REPOSITORY_URI', 'npm test'] },
          build: { commands: ['docker build -t $REPOSITORY_URI:latest .', 'docker push $REPOSITORY_URI:latest'] },
          post_build: { commands: ['printf \'[{"name":"web","imageUri":"%s"}]\' $REPOSITORY_URI:latest > imagedefinitions.json'] },
        },
        artifacts: { files: ['imagedefinitions.json'] },
      }),
    });
    repository.grantPullPush(project);
    for (const role of props.executionRoles ?? []) {
      repository.grantPull(role);
    }

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
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [built] })] },
        { stageName: 'Staging', actions: [new actions.EcsDeployAction({ actionName: 'Deploy', service: props.staging, input: built })] },
        {
          stageName: 'Production',
          actions: [
            new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }),
            new actions.EcsDeployAction({ actionName: 'Deploy', service: props.production, input: built, runOrder: 2 }),
          ],
        },
      ],
    });
  }
}

export function pipeline(stack: Stack, index: number, fixture: EcsFixture): void {
  new HandWrittenEcsPipeline(stack, `Pipeline${index}`, {
    staging: fixture.staging,
    production: fixture.production,
    connectionArn: CONNECTION_ARN,
    repo: `shop-${index}`,
    executionRoles: [fixture.staging, fixture.production].map((s) => s.taskDefinition.obtainExecutionRole()),
  });
}
