/**
 * What the integration tests (test/integ.*.ts) share: the app, the environment and the
 * pipeline source they deploy with, and the parameters someone with an AWS account sets.
 *
 * integ-runner hands the app no user context (it synthesizes with its own), so each parameter
 * is read from the app context first (`cdk deploy --app 'npx ts-node test/integ.x.ts' -c
 * connectionArn=...`) and then from an environment variable (`INTEG_CONNECTION_ARN=...
 * npx integ-runner ...`). Unset or empty, the documented default applies; the snapshot tasks
 * empty the variables, so snapshots never depend on the shell they run in.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Annotations, App, Environment, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CONNECTION_ARN } from '../examples/support';
import { PipelineSource } from '../src';

/** One parameter of the integration tests: its context key, environment variable and default. */
export interface IntegParameter {
  readonly context: string;
  readonly variable: string;
  readonly default: string;
}

/** Every parameter; the README's "Integration tests" section lists the same. */
export const INTEG_PARAMETERS = {
  /**
   * The CodeConnections (or CodeStar Connections) connection the pipelines' source uses; by
   * default a placeholder in the account and region deployed to (see `integConnectionArn`).
   */
  connectionArn: { context: 'connectionArn', variable: 'INTEG_CONNECTION_ARN', default: '' },
  /** `owner/name` of the repository; the default is the example's own (which does not exist). */
  repository: { context: 'repository', variable: 'INTEG_REPOSITORY', default: '' },
  /** The branch each pipeline builds. */
  branch: { context: 'branch', variable: 'INTEG_BRANCH', default: 'main' },
  /**
   * `account/region` of the multi-account test's staging workloads (integ.multi-account-app.ts);
   * required to deploy it. Snapshots use the example's.
   */
  stagingEnv: { context: 'stagingEnv', variable: 'INTEG_STAGING_ENV', default: '' },
  /** `account/region` of the multi-account test's production workloads; required to deploy it. */
  productionEnv: { context: 'productionEnv', variable: 'INTEG_PRODUCTION_ENV', default: '' },
} satisfies Record<string, IntegParameter>;

/** The value of one parameter in `app`: context, then environment variable, then default. */
export function integParameter(app: App, parameter: IntegParameter): string {
  const fromContext = app.node.tryGetContext(parameter.context);
  if (typeof fromContext === 'string' && fromContext !== '') {
    return fromContext;
  }
  const fromEnvironment = process.env[parameter.variable];
  return fromEnvironment !== undefined && fromEnvironment !== '' ? fromEnvironment : parameter.default;
}

/**
 * The connection of the tests: the parameter, else a connection that does not exist in the
 * account and region deployed to (a connection must be in the pipeline's own; a run then
 * fails at Source). integ-runner's snapshot account and region (12345678, test-region) are
 * no real ones, which the library rejects in an ARN: snapshots use the examples' placeholder.
 */
export function integConnectionArn(app: App): string {
  const { account, region } = integEnv();
  const deployed = account !== undefined && /^\d{12}$/.test(account) && region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region);
  const placeholder = deployed
    ? `arn:aws:codeconnections:${region}:${account}:connection/00000000-0000-0000-0000-000000000000`
    : CONNECTION_ARN;
  return integParameter(app, INTEG_PARAMETERS.connectionArn) || placeholder;
}

/**
 * The app an integration test builds into: the currently recommended feature flags, as the
 * examples have them, but no cdk-nag plugin: the assertion stack integ-tests-alpha adds (its
 * Lambda provider) is not ours to acknowledge, and the examples' own cdk-nag gate runs in
 * test/security.
 */
export function integApp(): App {
  return new App({
    // Creation stack traces name absolute paths of this checkout: snapshots must not (the cdk
    // CLI turns them off too; integ-runner's synthesis does not).
    context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
    stackTraces: false,
  });
}

/**
 * Where the stacks deploy. integ-runner synthesizes snapshots with CDK_INTEG_ACCOUNT=12345678
 * and CDK_INTEG_REGION=test-region (stable on every machine); when it deploys, the CLI sets
 * CDK_DEFAULT_ACCOUNT/REGION from the credentials in use.
 */
export function integEnv(): Environment {
  return {
    account: process.env.CDK_INTEG_ACCOUNT ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_INTEG_REGION ?? process.env.CDK_DEFAULT_REGION,
  };
}

/**
 * An `account/region` parameter of the multi-account test. Unset while integ-runner synthesizes
 * a snapshot (CDK_INTEG_ACCOUNT set), `snapshot` applies; unset when deploying, the test stops
 * with what to set: the staging and production accounts are the deployer's to choose.
 */
export function integEnvParameter(app: App, parameter: IntegParameter, snapshot: Environment): Environment {
  const value = integParameter(app, parameter);
  if (value === '') {
    if (process.env.CDK_INTEG_ACCOUNT !== undefined) {
      return snapshot;
    }
    throw new Error(`${parameter.variable} (context "${parameter.context}") must be set to "account/region" to deploy this test, e.g. 222222222222/us-east-1`);
  }
  const m = /^(\d{12})\/([a-z]{2}(-[a-z]+)+-\d+)$/.exec(value);
  if (!m) {
    throw new Error(`${parameter.variable} (context "${parameter.context}") must be "account/region", e.g. 222222222222/us-east-1, got "${value}"`);
  }
  return { account: m[1], region: m[2] };
}

/**
 * The pipeline source of an integration test: the connection, repository and branch from the
 * parameters, by default the example's repository `acme/<exampleRepository>` on the
 * placeholder connection (a run fails at Source).
 */
export function integSource(app: App, exampleRepository: string): PipelineSource {
  const repository = integParameter(app, INTEG_PARAMETERS.repository) || `acme/${exampleRepository}`;
  const [owner, ...rest] = repository.split('/');
  if (owner === '' || rest.length !== 1 || rest[0] === '') {
    throw new Error(`${INTEG_PARAMETERS.repository.variable} (context "${INTEG_PARAMETERS.repository.context}") must be "owner/name", got "${repository}"`);
  }
  return PipelineSource.connection({
    connectionArn: integConnectionArn(app),
    owner,
    repo: rest[0],
    branch: integParameter(app, INTEG_PARAMETERS.branch),
  });
}

/** The region integ-runner synthesizes snapshots for (CDK_INTEG_REGION, from `--parallel-regions`). */
const SNAPSHOT_REGION = 'test-region';

/**
 * The integration test `name` of `stack`. Its assertion stack deploys into the same
 * environment (an environment-agnostic one could not reference the stack's resources), and
 * each run deploys once: the update workflow (deploy the committed snapshot, then the app
 * over it) is for changes to an already deployed stack.
 *
 * @param enableLookups the stack reads context lookups (availability zones); integ-runner then
 *   synthesizes snapshots with its fixed lookup values
 */
export function integTest(app: App, name: string, stack: Stack, enableLookups = false): IntegTest {
  if (process.env.CDK_INTEG_REGION === SNAPSHOT_REGION) {
    // integ-runner's snapshot region is no AWS Region: post-deploy tests that opted in to Lambda
    // compute would warn that it lacks it (deployed, the warning stays: it is true there).
    Annotations.of(stack).acknowledgeWarning('cdk-delivery-pipelines:PostDeployTestsOnContainer',
      `snapshots are synthesized for ${SNAPSHOT_REGION}, which is no AWS Region`);
  }
  return new IntegTest(app, name, {
    testCases: [stack],
    assertionStack: new Stack(app, `${name}Assertions`, { env: integEnv() }),
    stackUpdateWorkflow: false,
    enableLookups,
  });
}
