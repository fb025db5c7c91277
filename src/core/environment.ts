import { Construct } from 'constructs';
import { ApprovalOptions, validateApproval } from './approval';
import { validateNotEmpty, validatePipelineName, validateRequired, validateUnique } from './validation';

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
    validateApproval(scope, `environments[${i}].approval`, env.approval);
  });
  validateUnique(scope, 'environments[].name', [...environments!.map((e) => e.name), 'Source', 'Build'],
    'give every environment its own name; "Source" and "Build" are the pipeline\'s own stages');
}

/** Whether an environment gets a manual approval. @internal */
export function needsApproval(environment: EnvironmentOptions, index: number): boolean {
  return environment.requireApproval ?? index > 0;
}
