import { IResource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail } from './validation';

/**
 * Fail with the library's error when `resource` is known to live in another account or region
 * than the pipeline's stack. aws-cdk-lib would otherwise fail deep inside an action's bind
 * ("Cannot use resource ... in a cross-environment fashion") or, worse, synthesize a template
 * whose action cannot reach the resource. Unresolved environments (environment-agnostic
 * stacks, imported resources without an account) are not judged.
 *
 * @internal
 */
export function validateSameEnvironment(
  scope: IConstruct,
  prop: string,
  resource: IResource | undefined,
  fix: string,
): void {
  if (!resource || typeof resource !== 'object' || !resource.env) {
    return;
  }
  const pipeline = Stack.of(scope);
  for (const [what, theirs, ours] of [
    ['account', resource.env.account, pipeline.account],
    ['region', resource.env.region, pipeline.region],
  ] as const) {
    if (Token.compareStrings(theirs, ours) === TokenComparison.DIFFERENT) {
      fail(scope, prop, `is in ${what} ${theirs} (${resource.node.path}), but the pipeline's stack is in ${what} ${ours}`, fix);
    }
  }
}
