import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An Allow statement named for what it allows (every statement of the library has a Sid, so a
 * reviewer can read a policy by its names). @internal
 */
export function allow(sid: string, actions: string[], resources: string[], conditions?: { [operator: string]: any }): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources, conditions });
}
