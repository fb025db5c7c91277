import { IConstruct } from 'constructs';
import { rememberRewrittenMessage } from './errors';

/** Set on an error once a hook's note is in its message, so an outer hook adds none. */
const NAMED_SYMBOL = Symbol.for('cdk-delivery-pipelines.hookNamed');

/** Marks the prototype of the class that declares the hooks (DeliveryPipeline). */
const SPINE_SYMBOL = Symbol.for('cdk-delivery-pipelines.hookSpine');

/**
 * Mark the class that declares the hooks (DeliveryPipeline; it calls this once, so this module
 * need not import it). @internal
 */
export function markHookSpine(spine: Function): void {
  Object.defineProperty(spine.prototype, SPINE_SYMBOL, { value: true });
}

/** A class, as the prototype chain holds it. */
interface ClassPrototype {
  readonly constructor: { readonly name: string };
}

/**
 * Who implements `hook` for `scope`: the library (`undefined`), or the subclass that overrides
 * it (its class name, or a description when the subclass is not a JavaScript class).
 *
 * The library's own implementation is the one its workload class has: the class in the chain
 * that extends the spine (DeliveryPipeline) directly (EcsContainerPipeline, LambdaPipeline,
 * StaticSitePipeline, or a user's direct subclass of the spine, whose hooks are its own). A
 * Python, Java, ... subclass's override is an own property of the object (jsii puts it there),
 * and its class name is not known on the JavaScript side.
 */
function overrider(scope: IConstruct, hook: string): { declaredBy: string; overriddenBy?: string } | undefined {
  const chain: object[] = [];
  for (let p: object | null = scope; p !== null; p = Object.getPrototypeOf(p)) {
    chain.push(p);
  }
  const spineIndex = chain.findIndex((p) => Object.prototype.hasOwnProperty.call(p, SPINE_SYMBOL));
  if (spineIndex < 1) {
    return undefined;
  }
  const spine = chain[spineIndex] as ClassPrototype;
  const workload = chain[spineIndex - 1] as ClassPrototype;
  const declaredBy = (Object.prototype.hasOwnProperty.call(spine, hook) ? spine : workload).constructor.name;
  const implementation = (scope as unknown as Record<string, unknown>)[hook];
  if (implementation === (workload as unknown as Record<string, unknown>)[hook]) {
    return { declaredBy };
  }
  const owner = chain.find((p) => Object.prototype.hasOwnProperty.call(p, hook));
  const overriddenBy = owner === scope || owner === undefined
    ? 'a subclass in another jsii language'
    : (owner as ClassPrototype).constructor.name || 'an anonymous subclass';
  return { declaredBy, overriddenBy };
}

/**
 * Call a protected hook of a delivery pipeline. When a subclass overrides the hook and it
 * throws, the error that reaches the user names the hook in front of its message:
 *
 *   `<construct path>: <hook>() (a protected hook of EcsContainerPipeline, overridden by MyPipeline) failed: <original message>`
 *
 * The error itself is rethrown, with only its message changed: its type stays (a library
 * error stays one, and `DeliveryPipelineErrors.isDeliveryPipelineError` still recognises
 * its message). Only the innermost hook adds its note. The library's own implementations are
 * not noted: their errors already name the construct path and the prop.
 *
 * @param scope the pipeline whose hook is called
 * @param hook the hook's name, e.g. `createDeployAction`
 * @param call calls the hook
 * @internal
 */
export function callHook<T>(scope: IConstruct, hook: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    const who = overrider(scope, hook);
    if (!(e instanceof Error) || !who?.overriddenBy || NAMED_SYMBOL in e) {
      throw e;
    }
    const original = e.message;
    // Read first: V8 renders the stack (with the message) on first access.
    const stack = e.stack;
    const note = `${scope.node.path}: ${hook}() (a protected hook of ${who.declaredBy}, overridden by ${who.overriddenBy}) failed: `;
    try {
      e.message = note + original;
      Object.defineProperty(e, NAMED_SYMBOL, { value: true });
    } catch {
      throw e; // a frozen error: rethrown as it is
    }
    if (typeof stack === 'string' && stack.includes(original)) {
      e.stack = stack.replace(original, e.message);
    }
    rememberRewrittenMessage(e, original);
    throw e;
  }
}
