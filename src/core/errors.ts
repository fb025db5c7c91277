import { IConstruct } from 'constructs';

// A global symbol rather than `instanceof`, so the check survives several copies of this
// library in one node_modules tree (and jsii's proxies for Python/Java callers).
const ERROR_SYMBOL = Symbol.for('cdk-delivery-pipelines.DeliveryPipelineError');

/** How many messages the registry remembers (the oldest are forgotten first). */
const REGISTRY_SIZE = 1000;

/**
 * The messages of the library's errors thrown in this process, newest last. A Python or Java
 * program sees an error only as its message (the jsii runtime passes the text, not the object),
 * so the check looks the text up here. Global (`Symbol.for`) like the error symbol, so several
 * copies of the library share it.
 */
function registry(): Map<string, DeliveryPipelineErrorInfo> {
  const key = Symbol.for('cdk-delivery-pipelines.errorMessages');
  const holder = globalThis as unknown as { [key: symbol]: Map<string, DeliveryPipelineErrorInfo> | undefined };
  return (holder[key] ??= new Map());
}

function remember(message: string, info: DeliveryPipelineErrorInfo): void {
  const messages = registry();
  messages.delete(message);
  messages.set(message, info);
  while (messages.size > REGISTRY_SIZE) {
    messages.delete(messages.keys().next().value!);
  }
}

/**
 * What an error of cdk-delivery-pipelines says, field by field.
 */
export interface DeliveryPipelineErrorInfo {
  /** Construct path of the construct that rejected the input, e.g. `MyStack/Pipeline`. */
  readonly constructPath: string;
  /** The prop that holds the bad value, e.g. `environments[0].name`. */
  readonly prop: string;
  /** What is wrong with the value, e.g. `must not be "Source" (a stage the pipeline adds itself), got "Source"`. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * The whole message: `<constructPath>: <prop> <problem>. Fix: <fix>`, prefixed with
   * `<construct path>: <hook>() (...) failed: ` when a protected hook that a subclass
   * overrides threw it.
   */
  readonly message: string;
}

/**
 * The one error type the library throws for bad input.
 *
 * The message always names the construct path, the prop, the bad value and the fix:
 * `<constructPath>: <prop> <problem>. Fix: <fix>`. Its `name` is `DeliveryPipelineError`, so
 * the text a Python or Java program receives (`str(e)`, `e.getMessage()`) reads
 * `DeliveryPipelineError: <message>`.
 * Not exported through jsii (jsii cannot model subclasses of `Error`); use
 * `DeliveryPipelineErrors.isDeliveryPipelineError` to recognise it from any language.
 *
 * @internal
 */
export class DeliveryPipelineError extends Error {
  /** Construct path of the construct that rejected the input. */
  public readonly constructPath: string;
  /** The prop that holds the bad value. */
  public readonly prop: string;
  /** The fields of the message. */
  public readonly info: DeliveryPipelineErrorInfo;

  constructor(scope: IConstruct, prop: string, problem: string, fix: string) {
    super(`${scope.node.path}: ${prop} ${problem}. Fix: ${fix}`);
    Object.setPrototypeOf(this, DeliveryPipelineError.prototype);
    Object.defineProperty(this, ERROR_SYMBOL, { value: true });
    this.name = 'DeliveryPipelineError';
    this.constructPath = scope.node.path;
    this.prop = prop;
    this.info = { constructPath: this.constructPath, prop, problem, fix, message: this.message };
    remember(this.message, this.info);
  }
}

/**
 * Give a library error a new message (a hook's name in front of it) that the check still
 * recognises. @internal
 */
export function rememberRewrittenMessage(error: Error, original: string): void {
  const info = registry().get(original);
  if (info) {
    remember(error.message, { ...info, message: error.message });
  }
}

/** The text of `x`: a string as it is, an error's (or any object's) `message`. */
function textOf(x: any): string | undefined {
  if (typeof x === 'string') {
    return x;
  }
  if (x !== null && typeof x === 'object' && typeof x.message === 'string') {
    return x.message;
  }
  return undefined;
}

/**
 * Helpers to recognise the library's errors, from every language.
 *
 * A TypeScript/JavaScript program passes the caught error itself. A Python or Java program
 * passes the error's message (`str(e)` in Python, `e.getMessage()` in Java): the jsii runtime
 * raises the library's error there as a `RuntimeError` / `JsiiException` whose message is
 * `DeliveryPipelineError: <constructPath>: <prop> <problem>. Fix: <fix>`, and a Python
 * exception object cannot be passed to the library.
 */
export class DeliveryPipelineErrors {
  /**
   * True when `x` is an error thrown by cdk-delivery-pipelines for bad input, or the message of
   * one: the error object (TypeScript/JavaScript), or its message as a string (`str(e)` in
   * Python, `e.getMessage()` in Java). A string is recognised when it contains the message of
   * an error the library threw in this program (so a message with a prefix, e.g. the jsii
   * runtime's `DeliveryPipelineError: ` or a hook's `... failed: `, is recognised too).
   *
   * @param x the caught error (TypeScript/JavaScript) or its message (any language)
   */
  public static isDeliveryPipelineError(x: any): boolean {
    if (x !== null && typeof x === 'object' && ERROR_SYMBOL in x) {
      return true;
    }
    return DeliveryPipelineErrors.parse(x) !== undefined;
  }

  /**
   * The fields of a library error (construct path, prop, problem, fix), from the error object
   * or its message (`str(e)` in Python, `e.getMessage()` in Java); see `isDeliveryPipelineError`.
   *
   * @param x the caught error (TypeScript/JavaScript) or its message (any language)
   * @returns the fields, or `undefined` when `x` is not (the message of) a library error
   */
  public static parse(x: any): DeliveryPipelineErrorInfo | undefined {
    const text = textOf(x);
    if (text === undefined || text.length === 0) {
      return undefined;
    }
    const messages = registry();
    const exact = messages.get(text);
    if (exact) {
      return exact;
    }
    // The longest remembered message the text contains: a hook's rewritten message rather than
    // the original inside it.
    let found: DeliveryPipelineErrorInfo | undefined;
    for (const [message, info] of messages) {
      if (text.includes(message) && (!found || message.length > found.message.length)) {
        found = info;
      }
    }
    if (!found && x !== null && typeof x === 'object' && ERROR_SYMBOL in x && typeof x.info === 'object') {
      // An error of the library that the registry has forgotten (more than REGISTRY_SIZE later).
      return x.info;
    }
    return found;
  }

  private constructor() {}
}
