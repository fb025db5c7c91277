import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { BuildOptions } from './build-options';
import { reserveBuildVariables } from './build-variables';
import { BuildSpecExtras } from './buildspec';
import { shellQuote } from './shell';
import { validateRelativePath, warn } from './validation';

/** Where the build leaves its output unless `outputDirectory` says otherwise. */
const DEFAULT_OUTPUT_DIRECTORY = 'dist';
/** The build variable that names the output directory. */
const OUTPUT_DIRECTORY_VARIABLE = 'OUTPUT_DIRECTORY';

/**
 * The `outputDirectory` of the pipelines whose build output is a directory of files (the
 * Lambda package, the site): validated once, with what the build needs of it. @internal
 */
export class OutputDirectory {
  /** The directory, relative to the repository root. */
  public readonly path: string;

  /**
   * @param what what the directory holds, for the build's error message, e.g. 'deployment package'
   * @param construct the pipeline class, for the build's error message
   */
  constructor(scope: Construct, build: BuildOptions, given: string | undefined, private readonly what: string, private readonly construct: string) {
    validateRelativePath(scope, 'outputDirectory', given);
    if (given !== undefined && build.repositoryBuildSpec) {
      warn(scope, 'OutputDirectoryIgnored',
        `outputDirectory is ignored because buildOptions.repositoryBuildSpec is given: ${build.repositoryBuildSpec} must declare the ${what} as its artifacts`);
    }
    reserveBuildVariables(scope, build, {
      [OUTPUT_DIRECTORY_VARIABLE]: { problem: 'is set by the pipeline itself (from outputDirectory)', fix: 'set outputDirectory instead, or choose another variable name' },
    });
    this.path = given ?? DEFAULT_OUTPUT_DIRECTORY;
  }

  /** The build action's variable that names the directory (`$OUTPUT_DIRECTORY`). */
  public get buildVariables(): { [name: string]: codebuild.BuildEnvironmentVariable } {
    return { [OUTPUT_DIRECTORY_VARIABLE]: { value: this.path } };
  }

  /**
   * The buildspec steps: fail when the directory is missing or empty, and make its files the
   * build output (the root of the output artifact is the root of the directory).
   */
  public get buildSpecExtras(): BuildSpecExtras {
    const dir = shellQuote(this.path);
    return {
      build: [
        `[ -n "$(ls -A ${dir} 2>/dev/null)" ] || { echo "The ${this.what} directory" ${dir} "is missing or empty:" ` +
          `"the build commands must write the ${this.what} there (${this.construct} outputDirectory)" >&2; exit 1; }`,
      ],
      artifactFiles: ['**/*'],
      artifactBaseDirectory: this.path,
    };
  }
}
