import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { passTaskRolesStatement } from './service-info';

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
export class ScopedCodeDeployEcsAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: ScopedCodeDeployEcsActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'CodeDeployToECS',
      artifactBounds: { minInputs: 1, maxInputs: 5, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input, props.taskDefinitionInput],
      resource: props.deploymentGroup,
    };
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const group = this.props.deploymentGroup;
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RegisterRevision',
      actions: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
      resources: [group.application.applicationArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StartDeployment',
      actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
      resources: [group.deploymentGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadDeploymentConfig',
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [group.deploymentConfig.deploymentConfigArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RegisterTaskDefinitionRevision',
      actions: ['ecs:RegisterTaskDefinition'],
      resources: ['*'],
    }));
    const passRole = passTaskRolesStatement(this.props.passRoles);
    if (passRole) {
      role.addToPrincipalPolicy(passRole);
    }
    options.bucket.grantRead(role);
    const artifact = this.props.input.artifactName;
    return {
      configuration: {
        ApplicationName: group.application.applicationName,
        DeploymentGroupName: group.deploymentGroupName,
        TaskDefinitionTemplateArtifact: this.props.taskDefinitionInput.artifactName,
        TaskDefinitionTemplatePath: this.props.taskDefinitionFile,
        AppSpecTemplateArtifact: artifact,
        AppSpecTemplatePath: this.props.appSpecFile,
        Image1ArtifactName: artifact,
        Image1ContainerName: IMAGE_PLACEHOLDER,
      },
    };
  }
}
