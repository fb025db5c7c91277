import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { ServerFixture } from '../fixtures/server';
import { CONNECTION_ARN } from '../support';

/** Props of the hand-written server pipeline. */
export interface HandWrittenServerPipelineProps {
  readonly staging: autoscaling.IAutoScalingGroup;
  readonly production: autoscaling.IAutoScalingGroup;
  readonly productionTargets: elbv2.IApplicationTargetGroup;
  readonly connectionArn: string;
  readonly repo: string;
}

/**
 * The server pipeline of the CodePipeline tutorials, wired from aws-cdk-lib L2 building blocks:
 * connection source, a build that leaves the bundle with the repository's appspec.yml, one
 * CodeDeploy application with an in-place group per environment (aws-cdk-lib's defaults: the
 * AWSCodeDeployRole managed policy, the agent from user data, rollback on failure only), deploy
 * Staging, approval, deploy Production. No KMS key of its own, no alarms, no notifications.
 */
export class HandWrittenServerPipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: HandWrittenServerPipelineProps) {
    super(scope, id);
    const build = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { commands: ['npm ci'] },
          pre_build: { commands: ['npm test'] },
          build: { commands: ['npm run build', 'cp -r scripts appspec.yml dist/'] },
        },
        artifacts: { 'files': ['**/*'], 'base-directory': 'dist' },
      }),
    });
    const application = new codedeploy.ServerApplication(this, 'Application');
    const staging = new codedeploy.ServerDeploymentGroup(this, 'Staging', { application, autoScalingGroups: [props.staging] });
    const production = new codedeploy.ServerDeploymentGroup(this, 'Production', {
      application,
      autoScalingGroups: [props.production],
      loadBalancers: [codedeploy.LoadBalancer.application(props.productionTargets)],
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
        { stageName: 'Staging', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: built, deploymentGroup: staging })] },
        {
          stageName: 'Production',
          actions: [
            new actions.ManualApprovalAction({ actionName: 'Approve', runOrder: 1 }),
            new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: built, deploymentGroup: production, runOrder: 2 }),
          ],
        },
      ],
    });
  }
}

export function pipeline(stack: Stack, index: number, fixture: ServerFixture): void {
  new HandWrittenServerPipeline(stack, `Pipeline${index}`, {
    staging: fixture.staging,
    production: fixture.production,
    productionTargets: fixture.productionTargets,
    connectionArn: CONNECTION_ARN,
    repo: `orders-${index}`,
  });
}
