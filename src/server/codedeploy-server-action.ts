import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantArtifactRead } from '../core/artifact-grant';
import { allow } from '../core/statement';
import { differs } from '../core/target-environment';

/** Props of the least-privilege CodeDeploy (EC2/on-premises) deploy action. @internal */
export interface ScopedCodeDeployServerActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  readonly deploymentGroup: codedeploy.IServerDeploymentGroup;
  /** The revision bundle. */
  readonly input: codepipeline.Artifact;
  /** The instance roles the CodeDeploy agent downloads the revision with. */
  readonly instanceRoles: iam.IRole[];
}

/** What the agent reads of a revision: the object (by version) in the artifact bucket. */
const REVISION_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

/**
 * CodePipeline's "CodeDeploy" action with a least-privilege role, and read access to the revision
 * for the instance roles. Unlike aws-cdk-lib's `CodeDeployServerDeployAction` it grants the
 * instance roles in a policy of the pipeline's own stack (a grant on the user's role would make
 * the user's stack refer to the pipeline's, which already refers to it), and across accounts
 * through the bucket and key policies. @internal
 */
export class ScopedCodeDeployServerAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: ScopedCodeDeployServerActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'CodeDeploy',
      artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: [props.input],
      // Lets aws-cdk-lib tell the action's account and region (the action role is created there).
      resource: props.deploymentGroup,
    };
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const group = this.props.deploymentGroup;
    const role = options.role;
    // Registers the bundle as a revision of the application, then deploys it with the group
    // (the CodeDeploy action reference's permissions, each on its one resource).
    role.addToPrincipalPolicy(allow('RegisterTheRevision', ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'], [group.application.applicationArn]));
    role.addToPrincipalPolicy(allow('DeployWithTheGroup', ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'], [group.deploymentGroupArn]));
    role.addToPrincipalPolicy(allow('ReadTheDeploymentConfig', ['codedeploy:GetDeploymentConfig'], [group.deploymentConfig.deploymentConfigArn]));
    grantArtifactRead(scope, role, options.bucket);
    this.props.instanceRoles.forEach((instanceRole, i) => grantRevisionRead(scope, `InstanceRole${i + 1}ReadsRevisions`, instanceRole, options.bucket));
    return {
      configuration: {
        ApplicationName: group.application.applicationName,
        DeploymentGroupName: group.deploymentGroupName,
      },
    };
  }
}

/**
 * Let an instance role download revisions from `bucket` (the artifact bucket, or the replication
 * bucket of the targets' region) and decrypt them. In the bucket's account and region: a policy
 * of the pipeline's stack attached to the role (named, so no reference points from the role's
 * stack to the pipeline's). Elsewhere: the role's own policy and the bucket and key policies.
 */
function grantRevisionRead(scope: Construct, id: string, role: iam.IRole, bucket: s3.IBucket): void {
  const [roleStack, bucketStack] = [Stack.of(role), Stack.of(bucket)];
  if (differs(roleStack.account, bucketStack.account) || differs(roleStack.region, bucketStack.region)) {
    grantArtifactRead(scope, role, bucket);
    return;
  }
  new iam.Policy(scope, id, {
    roles: [role],
    statements: [
      allow('DownloadRevisions', REVISION_READ_ACTIONS, [bucket.arnForObjects('*')]),
      ...(bucket.encryptionKey ? [allow('DecryptRevisions', ['kms:Decrypt'], [bucket.encryptionKey.keyArn])] : []),
    ],
  });
}
