import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ScopedDeployAction } from './scoped-deploy-action';
import { allow } from '../core/statement';

/** Props of the least-privilege CodeDeploy ECS (blue/green) deploy action. @internal */
export interface ScopedCodeDeployEcsActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;
  /** The build output: the appspec and imageDetail.json. */
  readonly input: codepipeline.Artifact;
  /** The artifact that holds the task definition file (captured when the environment deploys). */
  readonly taskDefinitionInput: codepipeline.Artifact;
  readonly taskDefinitionFile: string;
  readonly appSpecFile: string;
  /** The task and execution roles the new task definition passes to ECS. */
  readonly passRoles: iam.IRole[];
}

/** Placeholder in taskdef.json that CodePipeline replaces with the image of imageDetail.json. @internal */
export const IMAGE_PLACEHOLDER = 'IMAGE1_NAME';

/**
 * The CodePipeline "CodeDeployToECS" action with a least-privilege role: aws-cdk-lib's
 * `CodeDeployEcsDeployAction` passes any role (`iam:PassRole` on `*`); this one passes only
 * the service's task and execution roles, to ECS tasks only. @internal
 */
export class ScopedCodeDeployEcsAction extends ScopedDeployAction {
  constructor(private readonly props: ScopedCodeDeployEcsActionProps) {
    super({
      actionName: props.actionName,
      runOrder: props.runOrder,
      provider: 'CodeDeployToECS',
      inputs: [props.input, props.taskDefinitionInput],
      maxInputs: 5,
      resource: props.deploymentGroup,
      passRoles: props.passRoles,
    });
  }

  protected statements(): iam.PolicyStatement[] {
    const group = this.props.deploymentGroup;
    return [
      allow('RegisterRevision', ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'], [group.application.applicationArn]),
      allow('StartDeployment', ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'], [group.deploymentGroupArn]),
      allow('ReadDeploymentConfig', ['codedeploy:GetDeploymentConfig'], [group.deploymentConfig.deploymentConfigArn]),
      allow('RegisterTaskDefinitionRevision', ['ecs:RegisterTaskDefinition'], ['*']),
    ];
  }

  protected configuration(): Record<string, unknown> {
    const group = this.props.deploymentGroup;
    const artifact = this.props.input.artifactName;
    return {
      ApplicationName: group.application.applicationName,
      DeploymentGroupName: group.deploymentGroupName,
      TaskDefinitionTemplateArtifact: this.props.taskDefinitionInput.artifactName,
      TaskDefinitionTemplatePath: this.props.taskDefinitionFile,
      AppSpecTemplateArtifact: artifact,
      AppSpecTemplatePath: this.props.appSpecFile,
      Image1ArtifactName: artifact,
      Image1ContainerName: IMAGE_PLACEHOLDER,
    };
  }
}
