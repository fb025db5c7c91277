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

/**
 * Merge identity statements that list the same actions (their resources join) or the same
 * resources (their actions join) under the same effect and conditions: the result grants exactly
 * what the statements did, in fewer bytes. aws-cdk-lib's `minimizePolicies` never merges a
 * statement with a Sid; the merged Sid joins the names ("…And…"). Statements with principals or
 * `Not*` elements are kept as they are. @internal
 */
export function mergeWithoutWidening(statements: iam.PolicyStatement[]): iam.PolicyStatement[] {
  const key = (values: string[]) => JSON.stringify([...new Set(values)].sort());
  const mergeable = (s: iam.PolicyStatement) => s.principals.length === 0 && s.notActions.length === 0 && s.notResources.length === 0;
  const out = [...statements];
  // Until a pass merges nothing: a merged statement may now match one already passed over.
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i];
        const b = out[j];
        if (!mergeable(a) || !mergeable(b) || a.effect !== b.effect || JSON.stringify(a.conditions) !== JSON.stringify(b.conditions)) {
          continue;
        }
        const sameActions = key(a.actions) === key(b.actions);
        if (!sameActions && key(a.resources) !== key(b.resources)) {
          continue;
        }
        out[i] = a.copy({
          sid: a.sid && b.sid ? `${a.sid}And${b.sid}` : a.sid ?? b.sid,
          actions: sameActions ? a.actions : [...new Set([...a.actions, ...b.actions])],
          resources: sameActions ? [...new Set([...a.resources, ...b.resources])] : a.resources,
        });
        out.splice(j, 1);
        j--;
        merged = true;
      }
    }
  }
  return out;
}
