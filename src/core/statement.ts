import { Names } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * An Allow statement named for what it allows (every statement of the library has a Sid, so a
 * reviewer can read a policy by its names). @internal
 */
export function allow(sid: string, actions: string[], resources: string[], conditions?: { [operator: string]: any }): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources, conditions });
}

/**
 * A Sid for a resource-policy statement that admits one principal construct (e.g. a role of
 * another account): unique per principal, so statements for two roles of one account never share
 * a Sid (KMS and CloudFormation reject duplicates). @internal
 */
export function sidFor(prefix: string, principal: IConstruct): string {
  const id = Names.uniqueId(principal);
  // The unique id ends with a hash of the path: keep the end when it must be cut.
  return `${prefix}${id.slice(-Math.max(16, 100 - prefix.length))}`;
}
