import { AppSpec } from './appspec';
import { BuildSpecExtras } from '../core/buildspec';
import { OutputDirectory } from '../core/output-directory';
import { shellQuote } from '../core/shell';

/** The AppSpec file CodeDeploy reads at the root of an EC2/on-premises revision. */
export const APPSPEC_FILE = 'appspec.yml';
/** The file of the bundle that names the commit it was built from. */
export const REVISION_FILE = 'REVISION';

/**
 * The build steps that turn the build output into the revision bundle: the AppSpec file
 * (generated, or the repository's, checked), the lifecycle scripts checked and made executable,
 * the commit in `REVISION`; the bundle is the build output, deployed unchanged everywhere. @internal
 */
export function revisionBundleSteps(output: OutputDirectory, appSpec: AppSpec | undefined): BuildSpecExtras {
  const dir = output.path;
  const inBundle = (file: string) => shellQuote(`${dir}/${file}`);
  const failWith = (message: string) => `{ echo ${shellQuote(message)} >&2; exit 1; }`;
  const appSpecSteps = appSpec
    ? [
      `[ ! -e ${inBundle(APPSPEC_FILE)} ] || ${failWith(`The build output ${dir} already holds an ${APPSPEC_FILE}, and the pipeline generates one from appSpec: remove it from the output, or set repositoryAppSpec: true (and no appSpec) to deploy yours (ServerPipeline)`)}`,
      `printf '%s\\n' ${appSpec.lines.map(shellQuote).join(' ')} > ${inBundle(APPSPEC_FILE)}`,
      ...[...new Set(appSpec.scripts)].flatMap((script) => [
        `[ -f ${inBundle(script)} ] || ${failWith(`The lifecycle script ${script} of appSpec.hooks is not in the build output ${dir}: the build commands must leave it there (ServerPipeline)`)}`,
        // The agent runs each script as a program.
        `chmod +x ${inBundle(script)}`,
      ]),
    ]
    : [
      `[ -f ${inBundle(APPSPEC_FILE)} ] || ${failWith(`The build output ${dir} holds no ${APPSPEC_FILE} (repositoryAppSpec is true): the build commands must leave the repository's ${APPSPEC_FILE} at its root (ServerPipeline)`)}`,
      `grep -Eq '^version: *0\\.0 *$' ${inBundle(APPSPEC_FILE)} && grep -Eq '^os: *(linux|windows) *$' ${inBundle(APPSPEC_FILE)} || ` +
        failWith(`${dir}/${APPSPEC_FILE} is not an EC2/on-premises AppSpec file: it needs "version: 0.0" and "os: linux" (or windows) (ServerPipeline)`),
    ];
  return {
    build: [
      ...(output.buildSpecExtras.build ?? []),
      ...appSpecSteps,
      'REVISION="$SOURCE_REVISION"',
      `test -n "$REVISION" || ${failWith('No source revision to name the revision bundle with')}`,
      `printf '%s\\n' "$REVISION" > ${inBundle(REVISION_FILE)}`,
    ],
    artifactFiles: output.buildSpecExtras.artifactFiles,
    artifactBaseDirectory: output.buildSpecExtras.artifactBaseDirectory,
    exportedVariables: ['REVISION'],
  };
}
