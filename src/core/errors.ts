import { IConstruct } from 'constructs';

// A global symbol rather than `instanceof`, so the check survives several copies of this
// library in one node_modules tree (and jsii's proxies for Python/Java callers).
const ERROR_SYMBOL = Symbol.for('cdk-delivery-pipelines.DeliveryPipelineError');

/**
 * The one error type the library throws for bad input.
 *
 * The message always names the construct path, the prop, the bad value and the fix.
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

  constructor(scope: IConstruct, prop: string, problem: string, fix: string) {
    super(`${scope.node.path}: ${prop} ${problem}. Fix: ${fix}`);
    Object.setPrototypeOf(this, DeliveryPipelineError.prototype);
    Object.defineProperty(this, ERROR_SYMBOL, { value: true });
    this.name = 'DeliveryPipelineError';
    this.constructPath = scope.node.path;
    this.prop = prop;
  }
}

/**
 * Helpers to recognise the library's errors.
 */
export class DeliveryPipelineErrors {
  /**
   * True when `x` is an error thrown by cdk-delivery-pipelines for bad input.
   */
  public static isDeliveryPipelineError(x: any): boolean {
    return x !== null && typeof x === 'object' && ERROR_SYMBOL in x;
  }

  private constructor() {}
}
