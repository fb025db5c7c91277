import { Construct } from 'constructs';
import { ApprovalOptions, validateApproval } from './approval';
import { fail, show, validateBoolean, validateNotEmpty, validatePipelineName, validateRequired, validateUnique } from './validation';

/** Stages every pipeline has before its environments. */
const RESERVED_STAGE_NAMES = ['Source', 'Build'];

/**
 * What every environment of every pipeline has: a name (its stage) and its approval.
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
  });
  validateUnique(scope, 'environments[].name', environments!.map((e) => e.name), 'give every environment its own name');
}

/**
 * The first pair of environments `[i, j]` (j < i) that `same` says deploy the same workload
 * resource, for the "one service / function / bucket per environment" checks. @internal
 */
export function findSharedWorkload<E>(environments: readonly E[], same: (a: E, b: E) => boolean): [number, number] | undefined {
  for (let i = 1; i < environments.length; i++) {
    for (let j = 0; j < i; j++) {
      if (same(environments[i], environments[j])) {
        return [i, j];
      }
    }
  }
  return undefined;
}

/** Whether an environment gets a manual approval. @internal */
export function needsApproval(environment: EnvironmentOptions, index: number): boolean {
  return environment.requireApproval ?? index > 0;
}
