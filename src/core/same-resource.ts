import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Whether two resources are the same one, as far as synthesis can tell: the same construct, or
 * the same identity (an ARN or a name) — equal literals, or equal tokens of one stack (two
 * imports of one ARN or name). Resources whose identity cannot be compared count as different.
 * The one "same resource twice" check of the library (services, functions, buckets, target
 * groups). @internal
 */
export function isSameResource<T extends IConstruct>(a: T, b: T, identity: (resource: T) => string): boolean {
  if (a === b || a.node === b.node) {
    return true;
  }
  const [ia, ib] = [identity(a), identity(b)];
  if (typeof ia !== 'string' || typeof ib !== 'string') {
    return false;
  }
  const [ta, tb] = [Token.isUnresolved(ia), Token.isUnresolved(ib)];
  if (!ta && !tb) {
    return ia === ib;
  }
  const stack = Stack.of(a);
  return ta && tb && Stack.of(b) === stack && JSON.stringify(stack.resolve(ia)) === JSON.stringify(stack.resolve(ib));
}
