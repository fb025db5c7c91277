import { App, Environment, IPolicyValidationContext, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
// cdk-nag is a devDependency on purpose: only the examples and tests use it, the library does not.
// eslint-disable-next-line import/no-extraneous-dependencies
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PipelineSource } from '../src';

/** Fixed example environment: no lookups, no credentials needed to synthesize. */
export const EXAMPLE_ENV = { account: '111111111111', region: 'us-east-1' };

/** A syntactically valid CodeConnections ARN; synthesis never calls AWS. */
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000';

/**
 * What an example can be built with besides its app. The examples use none of these; the
 * integration tests (test/integ.*.ts) pass the account someone deploys into and their own
 * repository connection, so the example's stack can really be deployed.
 */
export interface ExampleOptions {
  /**
   * Where the example's stack deploys. With a concrete account and region, lookups it needs
   * (the ECS example's availability zones) come from the cloud assembly context.
   * @default EXAMPLE_ENV (fixed, no lookups, no credentials needed)
   */
  readonly env?: Environment;
  /**
   * Pipeline source.
   * @default a CodeConnections source on CONNECTION_ARN for the example's `acme/<repo>` repository, branch `main`
   */
  readonly source?: PipelineSource;
}

/**
 * A new app with the currently recommended feature flags (as `cdk init` writes them into
 * cdk.json) and the cdk-nag AwsSolutions checks on every synth: findings nobody acknowledged
 * end up in the cloud assembly's validation report, and `npm run demo` fails on them.
 */
export function exampleApp(): App {
  const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } });
  Validations.of(app).addPlugins(withAppConstruct(app, new AwsSolutionsChecks(app)));
  return app;
}

/**
 * cdk-nag 3 walks the construct tree it finds in `context.appConstruct`, which aws-cdk-lib passes
 * to validation plugins only from 2.258.0 on; with the library's minimum, 2.257.0, every synth
 * would fail with "NagPack requires a construct tree". Hand the pack the app when the context lacks it.
 */
function withAppConstruct(app: App, pack: NagPack): IPolicyValidationPlugin {
  return {
    name: pack.name,
    version: pack.version,
    ruleIds: pack.ruleIds,
    // The context's own tree wins where aws-cdk-lib passes one (2.258.0 on, where it is typed).
    validate: (context: IPolicyValidationContext) =>
      pack.validate({ ...context, appConstruct: (context as { appConstruct?: unknown }).appConstruct ?? app } as IPolicyValidationContext),
  };
}

/**
 * Newer aws-cdk-lib validates templates and warns about literal availability zones (W3010),
 * which `cdk synth --strict` fails on. The examples name their zones on purpose: they synthesize
 * without an AWS account or a zone lookup.
 */
export function acknowledgeExplicitZones(vpc: IConstruct): void {
  Validations.of(vpc).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'Example app: explicit zones, so it synthesizes without an AWS account or a zone lookup' });
}
