import { Construct, IConstruct } from 'constructs';
import { ApprovalOptions, validateApproval } from './approval';
import { BakeOptions, validateBake, warnUnverifiedPromotion } from './bake';
import { BuildSecret } from './build-secret';
import { PostDeployTestOptions, validateEnvironmentConfiguration } from './post-deploy-tests';
import { isSameResource } from './same-resource';
import { fail, show, validateBoolean, validateNotEmpty, validatePipelineName, validateRequired, validateUnique } from './validation';

/** Stages every pipeline has before its environments. */
const RESERVED_STAGE_NAMES = ['Source', 'Build'];

/**
 * What every environment of every pipeline has: a name (its stage), its approval and its bake time.
 * Workload constructs extend this with their own `deployment`.
 */
export interface EnvironmentOptions {
  /**
   * Name of the environment; also the name of its pipeline stage (e.g. `Staging`).
   */
  readonly name: string;
  /**
   * Whether a manual approval runs before the deployment to this environment.
   *
   * @default - true for every environment after the first, false for the first
   */
  readonly requireApproval?: boolean;
  /**
   * How the approval is announced and who may give it.
   *
   * @default - an approval without notifications (when one is required)
   */
  readonly approval?: ApprovalOptions;
  /**
   * Bake time after the deployment: alarms watched for a while before the next environment (or
   * its approval) starts; an alarm rolls the stage back (or fails it). An environment after this
   * one may then be promoted to automatically (`requireApproval: false`).
   *
   * @default - no bake: the next environment starts as soon as this one is deployed
   */
  readonly bake?: BakeOptions;
  /**
   * Tests that run against the environment once it is deployed (in a CodeBuild project of the
   * pipeline's account, after the deploy actions of the stage). A failure stops the promotion
   * and rolls the stage back (`onFailure: ROLLBACK`). See `PostDeployTestOptions`.
   *
   * @default - no post-deploy tests
   */
  readonly postDeployTests?: PostDeployTestOptions;
  /**
   * The environment's plaintext configuration, as environment variables of its post-deploy
   * tests (e.g. `BASE_URL`). A name that looks like a secret (PASSWORD, TOKEN, SECRET, API_KEY,
   * ...) is rejected, as in `buildOptions`: pass it through `secrets`. `SOURCE_REVISION`,
   * `ENVIRONMENT_NAME` and names starting with `CODEBUILD_` are reserved.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };
  /**
   * The environment's secrets from Secrets Manager or Parameter Store, as environment variables
   * of its post-deploy tests, resolved by CodeBuild when the tests run (never in the template).
   * The tests' role may read exactly these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: BuildSecret };
}

/** Validate the environment list: not empty, named, unique. @internal */
export function validateEnvironments(scope: Construct, environments: readonly EnvironmentOptions[] | undefined): void {
  validateNotEmpty(scope, 'environments', environments as unknown[] | undefined,
    'pass at least one environment, e.g. [{ name: "Staging", deployment: ... }]');
  environments!.forEach((env, i) => {
    validateRequired(scope, `environments[${i}]`, env, 'remove the empty entry');
    validateRequired(scope, `environments[${i}].name`, env.name, 'give each environment a name, e.g. "Staging"');
    validatePipelineName(scope, `environments[${i}].name`, env.name);
    if (RESERVED_STAGE_NAMES.includes(env.name)) {
      fail(scope, `environments[${i}].name`, `is the name of one of the pipeline's own stages, got ${show(env.name)}`,
        `name the environment after where it deploys, e.g. "Staging"; ${RESERVED_STAGE_NAMES.join(' and ')} are taken`);
    }
    validateBoolean(scope, `environments[${i}].requireApproval`, env.requireApproval);
    validateApproval(scope, `environments[${i}].approval`, env.approval);
    validateBake(scope, `environments[${i}].bake`, env.bake);
    validateEnvironmentConfiguration(scope, `environments[${i}]`, env);
  });
  warnUnverifiedPromotion(scope, environments!);
  validateUnique(scope, 'environments[].name', environments!.map((e) => e.name), 'give every environment its own name');
}

/** An environment with what its enum-like value (deployment, target) bound to, kept for the later steps. @internal */
export interface BoundEnvironment<E extends EnvironmentOptions, B> {
  readonly environment: E;
  /** The environment's prop path, e.g. `environments[1]`. */
  readonly prop: string;
  readonly binding: B;
}

/** How a workload pipeline binds its environments. @internal */
export interface EnvironmentBinder<E extends EnvironmentOptions, V, B> {
  /** The environment's field that holds the enum-like value, e.g. `deployment` or `target`. */
  readonly field: string;
  /** The enum-like class; a value from anywhere else is rejected. */
  readonly type: abstract new (...args: any[]) => V;
  /** The factories, for the fix, e.g. `EcsDeployment.rolling(service)`. */
  readonly factories: string;
  /** The one-workload-per-environment rule: two environments must not deploy one resource. */
  readonly oneWorkloadEach: OneWorkloadEach<B, any>;
  /** Validate and bind the value (once); throws the library's error under `prop`. */
  bind(value: V, prop: string, environment: E): B;
}

/** Two environments must not deploy one resource (service, function, bucket). @internal */
export interface OneWorkloadEach<B, R extends IConstruct = IConstruct> {
  /** The prop under the environment that names the shared resource, e.g. `deployment.service`. */
  readonly prop: string;
  /** What the resource is, e.g. `service`. */
  readonly what: string;
  /** Why sharing one breaks the pipeline, and what to do instead. */
  readonly fix: string;
  /** The environment's resource. */
  resource(binding: B): R;
  /** Its identity (ARN or name), compared when the constructs differ. */
  identity(resource: R): string;
}

/**
 * Validate the environments, then bind each one's enum-like value once (in order, each under its
 * own prop path) and check that no two deploy the same resource. The constructors of every
 * workload pipeline share this. @internal
 */
export function bindEnvironments<E extends EnvironmentOptions, V, B>(
  scope: Construct, environments: readonly E[], binder: EnvironmentBinder<E, V, B>,
): BoundEnvironment<E, B>[] {
  validateEnvironments(scope, environments);
  const bound = environments.map((environment, i) => {
    const prop = `environments[${i}]`;
    const value = (environment as unknown as Record<string, unknown>)[binder.field];
    if (!(value instanceof binder.type)) {
      fail(scope, `${prop}.${binder.field}`, `must be created by ${/^[AEIOU]/.test(binder.type.name) ? 'an' : 'a'} ${binder.type.name} factory, got ${show(value)}`, `use ${binder.factories}`);
    }
    return { environment, prop, binding: binder.bind(value as V, `${prop}.${binder.field}`, environment) };
  });
  const rule = binder.oneWorkloadEach;
  for (let i = 1; i < bound.length; i++) {
    for (let j = 0; j < i; j++) {
      const [mine, theirs] = [rule.resource(bound[i].binding), rule.resource(bound[j].binding)];
      if (isSameResource(mine, theirs, rule.identity)) {
        fail(scope, `${bound[i].prop}.${rule.prop}`,
          `is the ${rule.what} of ${bound[j].prop} ("${bound[j].environment.name}") as well, got ${mine.node.path}`, `give each environment its own ${rule.what}: ${rule.fix}`);
      }
    }
  }
  return bound;
}

/** The bound environment of that name; a hook may be called with a copy of the environment. @internal */
export function boundEnvironment<E extends EnvironmentOptions, B>(
  scope: Construct, hook: string, bound: readonly BoundEnvironment<E, B>[], environment: EnvironmentOptions,
): BoundEnvironment<E, B> {
  const found = bound.find((b) => b.environment.name === environment?.name);
  if (!found) {
    fail(scope, `${hook} environment`, `is not one of this pipeline's environments, got ${show(environment?.name)}`,
      `pass one of ${bound.map((b) => show(b.environment.name)).join(', ')}`);
  }
  return found;
}

/** Whether an environment gets a manual approval. @internal */
export function needsApproval(environment: EnvironmentOptions, index: number): boolean {
  return environment.requireApproval ?? index > 0;
}
