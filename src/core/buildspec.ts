import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { BuildOptions } from './build-options';

/** Extra, workload-specific parts of a generated buildspec. @internal */
export interface BuildSpecExtras {
  readonly preBuild?: string[];
  readonly build?: string[];
  readonly postBuild?: string[];
  readonly artifactFiles?: string[];
  readonly artifactBaseDirectory?: string;
  /** Shell variables the build exports as pipeline variables (`#{<namespace>.NAME}`). */
  readonly exportedVariables?: string[];
}

/**
 * Render the buildspec from the user's commands plus the workload's own steps. @internal
 */
export function generateBuildSpec(build: BuildOptions, extras: BuildSpecExtras = {}, reportGroupKey?: string): codebuild.BuildSpec {
  if (build.repositoryBuildSpec) {
    return codebuild.BuildSpec.fromSourceFilename(build.repositoryBuildSpec);
  }
  return codebuild.BuildSpec.fromObject(generateBuildSpecObject(build, extras, reportGroupKey));
}

/**
 * The generated buildspec as a fresh plain object (no list is shared with `build`), for
 * `BuildSpec.fromObject` or a subclass that extends it. Ignores `repositoryBuildSpec`. @internal
 */
export function generateBuildSpecObject(build: BuildOptions, extras: BuildSpecExtras = {}, reportGroupKey?: string): { [key: string]: any } {
  const phase = (commands: string[]) => (commands.length > 0 ? { commands } : undefined);
  const install: Record<string, unknown> = {};
  if (build.runtimeVersions && Object.keys(build.runtimeVersions).length > 0) {
    install['runtime-versions'] = build.runtimeVersions;
  }
  if ((build.installCommands ?? []).length > 0) {
    install.commands = build.installCommands;
  }
  const spec: Record<string, any> = {
    version: '0.2',
    env: prune({ 'shell': 'bash', 'exported-variables': extras.exportedVariables?.length ? extras.exportedVariables : undefined }),
    phases: prune({
      install: Object.keys(install).length > 0 ? install : undefined,
      pre_build: phase([...(build.testCommands ?? []), ...(extras.preBuild ?? [])]),
      build: phase([...(build.commands ?? []), ...(extras.build ?? [])]),
      post_build: phase([...(extras.postBuild ?? []), ...(build.postBuildCommands ?? [])]),
    }),
  };
  if (extras.artifactFiles && extras.artifactFiles.length > 0) {
    spec.artifacts = prune({ 'files': extras.artifactFiles, 'base-directory': extras.artifactBaseDirectory });
  }
  if (build.testReportDirectory && reportGroupKey) {
    spec.reports = {
      [reportGroupKey]: { 'files': ['**/*.xml'], 'base-directory': build.testReportDirectory, 'file-format': 'JUNITXML' },
    };
  }
  if (build.cachePaths && build.cachePaths.length > 0) {
    spec.cache = { paths: build.cachePaths };
  }
  return plainCopy(spec);
}

/** A deep copy of plain objects and arrays. */
function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(plainCopy) as unknown as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)])) as T;
  }
  return value;
}

/** Drop undefined fields so the rendered buildspec has no empty keys. */
function prune<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
