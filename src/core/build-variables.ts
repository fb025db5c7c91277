import { Construct } from 'constructs';
import { BuildOptions } from './build-options';
import { fail } from './validation';

/** A build variable the pipeline sets itself, and what to tell a user who sets it too. @internal */
export interface ReservedBuildVariable {
  /** What is wrong, e.g. `is set by the pipeline itself (from packageDirectory)`. */
  readonly problem: string;
  /** What to do instead. */
  readonly fix: string;
}

/**
 * Variables the pipeline sets on the build action itself, all with the same text: a user value
 * would be overridden. @internal
 */
export function setByThePipeline(names: string[]): Record<string, ReservedBuildVariable> {
  const problem = `is a variable the pipeline sets itself (${names.join(', ')})`;
  return Object.fromEntries(names.map((name) => [name, { problem, fix: 'choose another variable name' }]));
}

/** The spine's own build variable: the source revision every build gets. @internal */
export const SPINE_BUILD_VARIABLES = setByThePipeline(['SOURCE_REVISION']);

/**
 * Fail when `buildOptions.environmentVariables` or `buildOptions.secrets` sets one of
 * `reserved`, the build variables the pipeline sets itself (the spine's, or a workload
 * pipeline's own: each workload reserves its own, with its own text). @internal
 */
export function reserveBuildVariables(scope: Construct, build: BuildOptions, reserved: Record<string, ReservedBuildVariable>): void {
  for (const [name, { problem, fix }] of Object.entries(reserved)) {
    for (const bag of ['environmentVariables', 'secrets'] as const) {
      if (Object.keys(build[bag] ?? {}).includes(name)) {
        fail(scope, `buildOptions.${bag}.${name}`, problem, fix);
      }
    }
  }
}
