import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { validateVariablesAndSecrets } from './build-options';
import { createHardenedProject } from './build-project';
import { BuildSecret } from './build-secret';
import { generateBuildSpecObject } from './buildspec';
import { choosesLambdaCompute, CodeBuildDefaults, codeBuildDefaultsOf, validateCodeBuildDefaults } from './codebuild-defaults';
import { DEFAULTS } from './defaults';
import { LAMBDA_COMPUTE_LIMIT, LAMBDA_COMPUTE_REGIONS, lambdaComputeAvailable } from './lambda-compute';
import {
  fail, show, validateCommands, validateNotEmpty, validateOptionsObject, validateRelativePath, validateStringMap, warn,
} from './validation';

/**
 * Tests that run against an environment after it is deployed (integration or smoke tests,
 * e.g. `npm run smoke` against the environment's URL), before the pipeline promotes the
 * release to the next environment. The commands run in a hardened CodeBuild project of the
 * pipeline's account and region (tests reach the environment over the network, or with AWS
 * APIs they are granted: `postDeployTestProject(name)`), on the pipeline's `codeBuildDefaults`
 * (image, compute type, timeout, log retention) unless set here.
 *
 * The project's primary input is the source artifact (the working directory, so the tests of
 * the very commit that was deployed run); the build output is a secondary input, in the
 * directory `$CODEBUILD_SRC_DIR_Build` (CodeBuild names a secondary input's directory
 * `CODEBUILD_SRC_DIR_<artifact name>`). `SOURCE_REVISION` (the revision deployed) and
 * `ENVIRONMENT_NAME` are set, and so are the environment's `environmentVariables` and `secrets`.
 *
 * A failing command fails the environment's stage: the next environment (and its approval)
 * never starts, and the stage rolls back (`onFailure: ROLLBACK`).
 *
 * Tests that fit CodeBuild Lambda compute (at most 15 minutes, no Docker, no root, no VPC, files
 * written only under /tmp) start in seconds rather than the 20-60 s of an EC2 container: opt in
 * with a Lambda image, e.g. `buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22`
 * (compute type: `LAMBDA_1GB` unless set; no `timeout`, no `runtimeVersions`). Tests that run
 * before production traffic shifts (ECS blue/green) stay in a container: their build also waits
 * for the deployment. In a region without Lambda compute they run in a container, with a warning.
 */
export interface PostDeployTestOptions extends CodeBuildDefaults {
  /**
   * The test commands, e.g. `npm run smoke`; they run in the build phase, in the source
   * checkout.
   */
  readonly commands: string[];
  /**
   * Commands of the install phase, e.g. `npm ci`.
   *
   * @default - none
   */
  readonly installCommands?: string[];
  /**
   * Runtime versions for the install phase, e.g. `{ nodejs: '22' }`, as `buildOptions.runtimeVersions`.
   *
   * @default - the image's defaults
   */
  readonly runtimeVersions?: { [runtime: string]: string };
  /**
   * Directory, relative to the source root, where the tests write JUnit XML reports. When
   * set, the reports are sent to a CodeBuild report group of the environment's own.
   *
   * @default - no test reports
   */
  readonly testReportDirectory?: string;
}

/** The variables the post-deploy test action sets itself. */
const SET_BY_THE_PIPELINE = ['SOURCE_REVISION', 'ENVIRONMENT_NAME'];

/**
 * CodeBuild reserves the prefix for its own variables ("Environment variables in build
 * environments", https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html:
 * "We strongly discourage the use of environment variables to store sensitive values ... do not
 * set any environment variable with a name that begins with CODEBUILD_").
 */
const CODEBUILD_PREFIX = 'CODEBUILD_';

/** The part of an environment this module reads (structural: environment.ts imports this file). @internal */
export interface EnvironmentConfigurationInput {
  readonly name: string;
  readonly postDeployTests?: PostDeployTestOptions;
  readonly environmentVariables?: { [name: string]: string };
  readonly secrets?: { [name: string]: BuildSecret };
}

/** One environment's validated configuration, kept for its stage. */
interface EnvironmentConfiguration {
  readonly prop: string;
  readonly tests?: PostDeployTestOptions;
  readonly variables: { [name: string]: string };
  readonly secrets: { [name: string]: BuildSecret };
  project?: codebuild.IProject;
}

const CONFIGURATIONS = new WeakMap<IConstruct, Map<string, EnvironmentConfiguration>>();

/**
 * Validate an environment's `postDeployTests`, `environmentVariables` and `secrets` under `prop`
 * (`environments[i]`) and keep the result for its stage. @internal
 */
export function validateEnvironmentConfiguration(scope: Construct, prop: string, env: EnvironmentConfigurationInput): void {
  const tests = env.postDeployTests;
  if (tests !== undefined) {
    validateOptionsObject(scope, `${prop}.postDeployTests`, tests, 'pass e.g. postDeployTests: { commands: ["npm run smoke"] }');
    validateNotEmpty(scope, `${prop}.postDeployTests.commands`, tests.commands, 'pass the test commands, e.g. commands: ["npm run smoke"]');
    validateCommands(scope, `${prop}.postDeployTests.commands`, tests.commands);
    validateCommands(scope, `${prop}.postDeployTests.installCommands`, tests.installCommands);
    validateStringMap(scope, `${prop}.postDeployTests.runtimeVersions`, tests.runtimeVersions, 'pass e.g. runtimeVersions: { nodejs: "22" }');
    validateRelativePath(scope, `${prop}.postDeployTests.testReportDirectory`, tests.testReportDirectory);
    validateCodeBuildDefaults(scope, `${prop}.postDeployTests`, tests, { lambdaComputeAllowed: true });
    if (choosesLambdaCompute(tests)) {
      validateTestsOnLambda(scope, `${prop}.postDeployTests`, tests);
    }
  }
  validateStringMap(scope, `${prop}.environmentVariables`, env.environmentVariables, 'pass e.g. environmentVariables: { BASE_URL: "https://staging.example.com" }');
  if (env.secrets !== undefined && (env.secrets === null || typeof env.secrets !== 'object' || Array.isArray(env.secrets))) {
    fail(scope, `${prop}.secrets`, `must be a map of names to BuildSecrets, got ${show(env.secrets)}`, 'pass e.g. secrets: { API_TOKEN: BuildSecret.fromSecretsManager(secret) }');
  }
  for (const bag of ['environmentVariables', 'secrets'] as const) {
    for (const name of Object.keys(env[bag] ?? {})) {
      if (SET_BY_THE_PIPELINE.includes(name)) {
        fail(scope, `${prop}.${bag}.${name}`, `is a variable the pipeline sets itself (${SET_BY_THE_PIPELINE.join(', ')})`, 'choose another variable name');
      }
      if (name.toUpperCase().startsWith(CODEBUILD_PREFIX)) {
        fail(scope, `${prop}.${bag}.${name}`, `starts with ${CODEBUILD_PREFIX}, which CodeBuild reserves for its own variables`, 'choose another variable name');
      }
    }
  }
  validateVariablesAndSecrets(scope, `${prop}.environmentVariables`, `${prop}.secrets`, env.environmentVariables, env.secrets);
  const given = (['environmentVariables', 'secrets'] as const).filter((bag) => Object.keys(env[bag] ?? {}).length > 0);
  if (!tests && given.length > 0) {
    warn(scope, 'EnvironmentConfigurationUnused',
      `environments "${env.name}": ${given.map((b) => `${prop}.${b}`).join(' and ')} reach only the environment's post-deploy tests, and it has none (set postDeployTests)`);
  }
  configurations(scope).set(env.name, { prop, tests, variables: env.environmentVariables ?? {}, secrets: env.secrets ?? {} });
}

/**
 * Tests on Lambda compute (an opt-in: their image is a Lambda image): the region must offer it,
 * and the buildspec may not ask for runtime versions, which Lambda compute cannot install ("custom
 * runtime environments", CodeBuild User Guide, "Limitations of AWS Lambda compute").
 */
function validateTestsOnLambda(scope: Construct, prop: string, tests: PostDeployTestOptions): void {
  if (tests.runtimeVersions !== undefined) {
    fail(scope, `${prop}.runtimeVersions`, `is set (${show(tests.runtimeVersions)}), but Lambda compute cannot install runtime versions`,
      'choose the Lambda image with that runtime instead, e.g. codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, and remove runtimeVersions');
  }
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    warn(scope, 'PostDeployTestsLambdaRegionUnknown',
      `${prop}: the tests run on Lambda compute, which CodeBuild offers only in ${LAMBDA_COMPUTE_REGIONS.join(', ')}; the stack's region is not known at synth time, so this is not checked`);
  } else if (!lambdaComputeAvailable(scope)) {
    // The same app deploys to any region (an integ test, a second region): there the tests run
    // where the library's own steps run, in a container, and the user is told.
    warn(scope, 'PostDeployTestsOnContainer',
      `${prop}.buildImage is a Lambda compute image, but CodeBuild offers Lambda compute only in ${LAMBDA_COMPUTE_REGIONS.join(', ')}, not in ${region}: ` +
      'the tests run in a container (the pipeline\'s codeBuildDefaults, else aws/codebuild/standard:8.0, SMALL) there');
  }
}

/** Whether an environment's tests run on Lambda compute: they chose it, and the region has it (or is not known). */
function testsOnLambda(scope: IConstruct, tests: PostDeployTestOptions): boolean {
  return choosesLambdaCompute(tests) && (Token.isUnresolved(Stack.of(scope).region) || lambdaComputeAvailable(scope));
}

/**
 * Validate an environment's configuration when its pipeline has not (a user's direct subclass
 * of DeliveryPipeline, which has no `validateEnvironments`); the spine calls it for every
 * environment it adds. @internal
 */
export function ensureEnvironmentConfiguration(scope: Construct, prop: string, env: EnvironmentConfigurationInput): void {
  if (!configurations(scope).has(env?.name)) {
    validateEnvironmentConfiguration(scope, prop, env);
  }
}

function configurations(scope: IConstruct): Map<string, EnvironmentConfiguration> {
  let found = CONFIGURATIONS.get(scope);
  if (!found) {
    found = new Map();
    CONFIGURATIONS.set(scope, found);
  }
  return found;
}

/** What the post-deploy test action needs from the pipeline. @internal */
export interface PostDeployTestContext {
  readonly source: codepipeline.Artifact;
  readonly buildOutput: codepipeline.Artifact;
  readonly encryptionKey: kms.IKey;
  readonly sourceRevision: string;
  /**
   * A deployment that waits for the tests (CodeDeploy blue/green with a test listener): the
   * tests then run beside the deploy action, and these commands hold and release it.
   */
  readonly gate?: DeploymentGate;
}

/**
 * What a deployment that waits for the environment's tests adds to their build: the first
 * install commands wait until the deployment is ready to be tested, the install phase's
 * `finally` stops it when the install failed, and the post_build commands release or stop it
 * (they run whether the tests passed or failed). @internal
 */
export interface DeploymentGate {
  readonly waitCommands: string[];
  readonly abortCommands: string[];
  readonly releaseCommands: string[];
  readonly environmentVariables: { [name: string]: string };
  /** Grant the test project what the gate's commands call. */
  grant(project: codebuild.IProject): void;
}

/**
 * The timeout of an environment's post-deploy tests (its own, the pipeline's codeBuildDefaults,
 * else the library's), or undefined when it has none. @internal
 */
export function postDeployTestTimeout(pipeline: IConstruct, environmentName: string): Duration | undefined {
  const tests = configurations(pipeline).get(environmentName)?.tests;
  if (!tests) {
    return undefined;
  }
  if (testsOnLambda(pipeline, tests)) {
    return LAMBDA_COMPUTE_LIMIT;
  }
  return tests.timeout ?? codeBuildDefaultsOf(pipeline).timeout ?? DEFAULTS.buildTimeout;
}

/**
 * The post-deploy test action of an environment (its project in the scope `<name>Tests`), or
 * undefined when the environment has no `postDeployTests`. @internal
 */
export function createPostDeployTestAction(
  pipeline: Construct, environmentName: string, runOrder: number, context: PostDeployTestContext,
): codepipeline.IAction | undefined {
  const config = configurations(pipeline).get(environmentName);
  const tests = config?.tests;
  // Created already: the environment's deployment runs them before it shifts traffic.
  if (!config || !tests || config.project) {
    return undefined;
  }
  const gate = context.gate;
  const onLambda = testsOnLambda(pipeline, tests);
  // Lambda compute asked for where the region lacks it: the pipeline's container settings instead (warned).
  const container = choosesLambdaCompute(tests) && !onLambda;
  if (gate && onLambda) {
    // The gate holds production traffic within the tests' build, for as long as the deployment waits.
    fail(pipeline, `${config.prop}.postDeployTests.buildImage`,
      `is a Lambda compute image, but ${environmentName}'s tests run before production traffic shifts, in a build that also waits for the deployment's green tasks; Lambda compute ends every build after 15 minutes`,
      'use a container image (leave buildImage and computeType unset) for tests before traffic');
  }
  const scope = new Construct(pipeline, `${environmentName}Tests`);
  let reportGroup: codebuild.ReportGroup | undefined;
  if (tests.testReportDirectory) {
    // As the build's: an explicit group, retained, the only one the test role may write to.
    reportGroup = new codebuild.ReportGroup(scope, 'Reports', {
      type: codebuild.ReportGroupType.TEST,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
  const spec = generateBuildSpecObject({
    installCommands: [...(gate?.waitCommands ?? []), ...(tests.installCommands ?? [])],
    runtimeVersions: tests.runtimeVersions,
    commands: tests.commands,
    testReportDirectory: tests.testReportDirectory,
  }, { postBuild: gate?.releaseCommands }, reportGroup?.reportGroupArn);
  if (gate) {
    // CodeBuild skips post_build when install fails; "finally" runs either way.
    spec.phases.install.finally = gate.abortCommands;
  }
  const buildSpec = codebuild.BuildSpec.fromObject(spec);
  const project = createHardenedProject(scope, 'Project', {
    buildSpec,
    encryptionKey: context.encryptionKey,
    build: {
      buildImage: container ? undefined : tests.buildImage,
      computeType: container ? undefined : tests.computeType,
      timeout: tests.timeout,
      logRetention: tests.logRetention,
      environmentVariables: config.variables,
      secrets: config.secrets,
    },
    description: `Post-deploy tests of ${environmentName} in ${pipeline.node.path}`,
    reportGroup,
  });
  config.project = project;
  gate?.grant(project);
  return new actions.CodeBuildAction({
    actionName: 'PostDeployTests',
    project,
    input: context.source,
    extraInputs: [context.buildOutput],
    runOrder,
    environmentVariables: {
      SOURCE_REVISION: { value: context.sourceRevision },
      ENVIRONMENT_NAME: { value: environmentName },
      ...Object.fromEntries(Object.entries(gate?.environmentVariables ?? {}).map(([k, value]) => [k, { value }])),
    },
  });
}

/** The project that runs an environment's post-deploy tests, once created. @internal */
export function postDeployTestProjectOf(pipeline: IConstruct, environmentName: string): codebuild.IProject | undefined {
  const config = configurations(pipeline).get(environmentName);
  if (!config) {
    fail(pipeline, 'postDeployTestProject() environmentName', `is not one of this pipeline's environments, got ${show(environmentName)}`,
      `pass one of ${[...configurations(pipeline).keys()].map((n) => show(n)).join(', ')}`);
  }
  return config.project;
}

/**
 * The run order of an environment's tests: after every deploy action. A test action a
 * `createTestAction()` override returns must keep it (or a later one). @internal
 */
export function validateTestRunOrder(scope: IConstruct, environmentName: string, action: codepipeline.IAction, after: number): void {
  const runOrder = action.actionProperties.runOrder ?? 1;
  if (runOrder <= after) {
    fail(scope, 'createTestAction()', `returned an action with run order ${runOrder} for "${environmentName}", which does not run after its deploy actions (run order ${after})`,
      `create the action with the runOrder the hook is given (${after + 1})`);
  }
}
