import { Construct } from 'constructs';
import { BuildSecret } from './build-secret';
import { reserveBuildVariables, SPINE_BUILD_VARIABLES } from './build-variables';
import { CodeBuildDefaults, validateCodeBuildDefaults } from './codebuild-defaults';
import { SECRET_NAME_PATTERN } from './defaults';
import {
  fail, show, validateCommands, validateOptionsObject, validateRelativePath, validateStringList, validateStringMap, warn,
} from './validation';

/**
 * What the build stage runs and on what. Commands run in this order: install, tests
 * (pre_build), build, post-build. The buildspec is generated from them inline, so a pushed
 * `buildspec.yml` cannot change what runs under the pipeline's role. The image, compute type,
 * timeout and log retention given here apply to the build project only, over the pipeline's
 * `codeBuildDefaults`.
 */
export interface BuildOptions extends CodeBuildDefaults {
  /**
   * Commands of the install phase, e.g. `npm ci`.
   *
   * @default - none
   */
  readonly installCommands?: string[];
  /**
   * Test commands; they run before the build commands, so a failing test stops the pipeline
   * before anything is built or pushed.
   *
   * @default - none
   */
  readonly testCommands?: string[];
  /**
   * Build commands, e.g. `npm run build`.
   *
   * @default - none (container pipelines still build and push the image)
   */
  readonly commands?: string[];
  /**
   * Commands of the post_build phase.
   *
   * @default - none
   */
  readonly postBuildCommands?: string[];
  /**
   * Runtime versions for the install phase, e.g. `{ nodejs: '22' }` (the default image,
   * `standard:8.0`, offers Node.js 22 and 24; see CodeBuild's "Available runtimes"). Pin the
   * version your build targets: an image's default version changes when it reaches end of life.
   *
   * @default - the image's defaults (Node.js 24 on the default image)
   */
  readonly runtimeVersions?: { [runtime: string]: string };
  /**
   * Plaintext environment variables. A name that looks like a secret (PASSWORD, TOKEN,
   * SECRET, API_KEY, ...) is rejected: pass it through `secrets` instead.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };
  /**
   * Secrets from Secrets Manager or Parameter Store, resolved by CodeBuild at build time.
   * The build role may read exactly these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: BuildSecret };
  /**
   * Dependency directories to cache between builds on the same host, e.g.
   * `node_modules/**\/*` or `/root/.m2/**\/*`.
   *
   * @default - none (the source cache is always on)
   */
  readonly cachePaths?: string[];
  /**
   * Directory, relative to the source root, where the tests write JUnit XML reports. When
   * set, the reports are sent to a CodeBuild report group.
   *
   * @default - no test reports
   */
  readonly testReportDirectory?: string;
  /**
   * Use this buildspec file from the repository instead of generating one from the
   * commands. Opt-in: anyone who can push to the branch then decides what runs under the
   * build role.
   *
   * @default - the buildspec is generated from the commands
   */
  readonly repositoryBuildSpec?: string;
}

/** Validate build options; throws the library's error. @internal */
export function validateBuildOptions(scope: Construct, build: BuildOptions): void {
  validateOptionsObject(scope, 'buildOptions', build, 'pass e.g. buildOptions: { testCommands: ["npm test"] }');
  validateStringMap(scope, 'buildOptions.environmentVariables', build.environmentVariables, 'pass e.g. environmentVariables: { STAGE: "prod" }');
  validateStringMap(scope, 'buildOptions.runtimeVersions', build.runtimeVersions, 'pass e.g. runtimeVersions: { nodejs: "22" }');
  validateStringList(scope, 'buildOptions.cachePaths', build.cachePaths, 'pass a list of paths, e.g. cachePaths: ["/root/.npm/**/*"]');
  validateCodeBuildDefaults(scope, 'buildOptions', build);
  if (build.secrets !== undefined && (build.secrets === null || typeof build.secrets !== 'object' || Array.isArray(build.secrets))) {
    fail(scope, 'buildOptions.secrets', `must be a map of names to BuildSecrets, got ${show(build.secrets)}`, 'pass e.g. secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) }');
  }
  validateCommands(scope, 'buildOptions.installCommands', build.installCommands);
  validateCommands(scope, 'buildOptions.testCommands', build.testCommands);
  validateCommands(scope, 'buildOptions.commands', build.commands);
  validateCommands(scope, 'buildOptions.postBuildCommands', build.postBuildCommands);
  validateRelativePath(scope, 'buildOptions.testReportDirectory', build.testReportDirectory);
  validateRelativePath(scope, 'buildOptions.repositoryBuildSpec', build.repositoryBuildSpec);
  const ignoredByRepositoryBuildSpec = (['installCommands', 'testCommands', 'commands', 'postBuildCommands', 'runtimeVersions', 'cachePaths'] as const)
    .filter((k) => build[k] !== undefined);
  if (build.repositoryBuildSpec && ignoredByRepositoryBuildSpec.length > 0) {
    warn(scope, 'BuildCommandsIgnored',
      `buildOptions.${ignoredByRepositoryBuildSpec.join(', buildOptions.')} ignored: buildOptions.repositoryBuildSpec (${build.repositoryBuildSpec}) decides what the build runs`);
  }
  reserveBuildVariables(scope, build, SPINE_BUILD_VARIABLES);
  validateVariablesAndSecrets(scope, 'buildOptions.environmentVariables', 'buildOptions.secrets', build.environmentVariables, build.secrets);
}

/**
 * Plaintext variables and secrets of one CodeBuild step (the build's `buildOptions`, or an
 * environment's `variables` and `secrets`): a plaintext name that looks like a secret is rejected,
 * values are strings, secrets are `BuildSecret`s (bound once, under `secretsProp`), no name is in
 * both. @internal
 */
export function validateVariablesAndSecrets(
  scope: Construct, variablesProp: string, secretsProp: string,
  variables: { [name: string]: string } | undefined, secrets: { [name: string]: BuildSecret } | undefined,
): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (SECRET_NAME_PATTERN.test(name)) {
      fail(scope, `${variablesProp}.${name}`, 'looks like a secret but is a plaintext value (it would be visible in the template and the CodeBuild console)',
        `remove it from ${variablesProp} and pass it as ${secretsProp}: { ${name}: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromSsmParameter(parameter)`);
    }
    if (typeof value !== 'string') {
      fail(scope, `${variablesProp}.${name}`, `must be a string, got ${show(value)}`, 'pass the value as a string');
    }
  }
  for (const [name, secret] of Object.entries(secrets ?? {})) {
    if (!(secret instanceof BuildSecret)) {
      fail(scope, `${secretsProp}.${name}`, `must be a BuildSecret, got ${show(secret)}`, 'use BuildSecret.fromSecretsManager(...) or BuildSecret.fromSsmParameter(...)');
    }
    secret._bind(scope, `${secretsProp}.${name}`);
  }
  for (const [name] of Object.entries(variables ?? {})) {
    if (secrets && name in secrets) {
      fail(scope, `${variablesProp}.${name}`, `is also given in ${secretsProp}`, 'give each variable once');
    }
  }
}
