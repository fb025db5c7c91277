import { IResource } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { passTaskRolesStatement } from './service-info';
import { grantArtifactRead } from '../core/artifact-grant';

/** What every least-privilege ECS deploy action has. @internal */
export interface ScopedDeployActionProps {
  readonly actionName: string;
  readonly runOrder: number;
  /** The CodePipeline provider, e.g. `ECS` or `CodeDeployToECS`. */
  readonly provider: string;
  readonly inputs: codepipeline.Artifact[];
  readonly maxInputs: number;
  /**
   * The resource the action deploys to (lets aws-cdk-lib tell its account and region: for
   * another account it creates the action role in the resource's stack, and the pipeline role
   * may only assume it).
   */
  readonly resource: IResource;
  /** The task and execution roles the new task definition passes to ECS. */
  readonly passRoles: iam.IRole[];
}

/**
 * A CodePipeline ECS deploy action whose role gets exactly `statements()`, the pass of the task
 * definition's own roles to ECS tasks, and read access to the artifact bucket — instead of the
 * `*` grants of aws-cdk-lib's actions. The rolling (ECS) and blue/green (CodeDeployToECS) actions
 * differ only in their statements and configuration. @internal
 */
export abstract class ScopedDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly scoped: ScopedDeployActionProps) {
    super();
    this.providedActionProperties = {
      actionName: scoped.actionName,
      runOrder: scoped.runOrder,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: scoped.provider,
      artifactBounds: { minInputs: 1, maxInputs: scoped.maxInputs, minOutputs: 0, maxOutputs: 0 },
      inputs: scoped.inputs,
      resource: scoped.resource,
    };
  }

  protected bound(scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const role = options.role;
    for (const statement of this.statements(scope)) {
      role.addToPrincipalPolicy(statement);
    }
    const passRole = passTaskRolesStatement(this.scoped.passRoles);
    if (passRole) {
      role.addToPrincipalPolicy(passRole);
    }
    // The artifact bucket, or the replication bucket of the action's region; across accounts
    // the bucket and key policies name this role (and nothing in its account but that bucket).
    grantArtifactRead(scope, role, options.bucket);
    return { configuration: this.configuration() };
  }

  /** The action's own statements, each on the one resource it needs. */
  protected abstract statements(scope: Construct): iam.PolicyStatement[];

  /** The action's configuration. */
  protected abstract configuration(): Record<string, unknown>;
}
