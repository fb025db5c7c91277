/**
 * The one list of example apps. The demo (`npm run demo`), the security gates (test/security:
 * cdk-nag packs, least privilege, nothing lost, `test:security`'s cfn-lint and checkov) and the
 * docs iterate over it, so an example registered here is checked by all of them.
 *
 * A new example app (`examples/<name>-app.ts`) must be added here: test/security/registry.test.ts
 * fails for an `examples/*-app.ts` file that is not listed, and for a pipeline construct exported
 * from src/ that no example uses.
 */
import { App } from 'aws-cdk-lib';
import { buildEcsApp } from './ecs-app';
import { buildLambdaApp } from './lambda-app';
import { buildMultiAccountApp } from './multi-account-app';
import { buildServerApp } from './server-app';
import { buildStaticSiteApp } from './static-site-app';

/** What every example builder returns: at least the app it built into. */
export interface BuiltExample {
  readonly app: App;
}

/** One example app. */
export interface ExampleApp {
  /** Name of the output directory under cdk.out/ (and cdk.out/security/). */
  readonly name: string;
  /** Entry file, relative to the repository root; `npx ts-node <entry>` synthesizes the app. */
  readonly entry: string;
  /** One line on what the example deploys. */
  readonly title: string;
  /**
   * Build the example into `app` (by default a new app with the currently recommended feature
   * flags and the cdk-nag AwsSolutions plugin, see `exampleApp`). Builds, does not synthesize.
   */
  readonly build: (app?: App) => BuiltExample;
}

export const EXAMPLES: readonly ExampleApp[] = [
  {
    name: 'ecs-app',
    entry: 'examples/ecs-app.ts',
    title: 'ECS Fargate service: rolling staging, CodeDeploy blue/green production',
    build: buildEcsApp,
  },
  {
    name: 'lambda-app',
    entry: 'examples/lambda-app.ts',
    title: 'Lambda function, canary traffic shifting with alarm rollback',
    build: buildLambdaApp,
  },
  {
    name: 'static-site-app',
    entry: 'examples/static-site-app.ts',
    title: 'Single-page app on S3 + CloudFront: cache headers, invalidation, post-deploy check, rollback',
    build: buildStaticSiteApp,
  },
  {
    name: 'server-app',
    entry: 'examples/server-app.ts',
    title: 'Orders service on EC2 Auto Scaling groups: CodeDeploy in place, agent by SSM, load balancer alarms roll back',
    build: buildServerApp,
  },
  {
    name: 'multi-account-app',
    entry: 'examples/multi-account-app.ts',
    title: 'Three accounts, two regions: a tools account\'s ECS, Lambda and static-site pipelines deploy to staging and production accounts',
    build: buildMultiAccountApp,
  },
];
