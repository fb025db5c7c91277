import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Skip a checkov check on one of the library's resources, with the reason, in the template
 * (`Metadata.checkov.skip`, which checkov reads on CloudFormation resources): a team that runs
 * checkov over its own app sees the library's reviewed exceptions as skipped, with their
 * reasons, as the library's own scan does. Only ever called on resources the library creates.
 * @internal
 */
export function skipCheckov(scope: IConstruct, id: string, reason: string): void {
  const cfn = CfnResource.isCfnResource(scope) ? scope : scope.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) {
    throw new Error(`skipCheckov: ${scope.node.path} has no CloudFormation resource`);
  }
  const checkov = (cfn.getMetadata('checkov') ?? {}) as { skip?: Array<{ id: string; comment: string }> };
  const skip = (checkov.skip ?? []).filter((s) => s.id !== id);
  cfn.addMetadata('checkov', { ...checkov, skip: [...skip, { id, comment: reason }] });
}
