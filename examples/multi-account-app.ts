import { Annotations, App, Duration, Environment, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  ArtifactStore,
  EcsContainerPipeline,
  EcsDeployment,
  LambdaDeployment,
  LambdaPipeline,
  PipelineSource,
  StaticSiteHosting,
  StaticSitePipeline,
  StaticSiteTarget,
} from '../src';
import { ExampleStack, productionLoadBalancer, shopCluster, webService } from './ecs-app';
import { ordersFunction } from './lambda-app';
import { CONNECTION_ARN, exampleApp } from './support';

/** The tools account: the pipelines, their artifact store and image repository live here. */
export const TOOLS_ENV = { account: '111111111111', region: 'us-east-1' };
/** The staging account, in the tools account's region. */
export const STAGING_ENV = { account: '222222222222', region: 'us-east-1' };
/** The production account, in another region. */
export const PRODUCTION_ENV = { account: '333333333333', region: 'eu-west-1' };

/** Where the multi-account example deploys, and its sources (the integration test's). */
export interface MultiAccountOptions {
  /** @default TOOLS_ENV */
  readonly tools?: Environment;
  /** @default STAGING_ENV */
  readonly staging?: Environment;
  /** @default PRODUCTION_ENV */
  readonly production?: Environment;
  /**
   * The source of the pipeline that builds `repo` (`shop`, `orders-api` or `web`).
   * @default a CodeConnections source on CONNECTION_ARN for `acme/<repo>`, branch `main`
   */
  readonly source?: (repo: string) => PipelineSource;
}

/** What `buildMultiAccountApp` returns, so tests and the demo can reach every part. */
export interface MultiAccountExample {
  readonly app: App;
  readonly tools: Stack;
  readonly staging: Stack;
  readonly production: Stack;
  readonly artifactStore: ArtifactStore;
  readonly shop: EcsContainerPipeline;
  readonly orders: LambdaPipeline;
  readonly web: StaticSitePipeline;
}

/**
 * The example app of a team with three accounts: a tools account that runs the pipelines, a
 * staging account in the same region and a production account in another region. Each
 * account's workloads are in its own stack, as the team deploys them (`cdk deploy --all` with
 * credentials that may deploy to each account, after `cdk bootstrap` of each account with
 * `--trust` of the tools account; README "Deploying to other accounts and regions").
 *
 * Three pipelines in the tools stack share one artifact store: the shop on ECS (rolling in
 * staging, CodeDeploy blue/green in production), the orders API on Lambda (canary in
 * production) and the web app on S3 + CloudFront. What a pipeline needs in another account —
 * the deploy actions' roles, the CodeDeploy deployment group, the rollback alarms, the site's
 * deploy project — is created in that account's stack; artifacts for production are replicated
 * to eu-west-1 by CodePipeline.
 *
 * @param app the app to build into; by default a new one with the currently recommended
 *   feature flags and the cdk-nag checks (see `exampleApp`)
 * @param options other accounts and regions, or sources (the integration test's)
 */
export function buildMultiAccountApp(app: App = exampleApp(), options: MultiAccountOptions = {}): MultiAccountExample {
  const source = options.source
    ?? ((repo: string) => PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo, branch: 'main' }));
  const tools = new Stack(app, 'DeliveryTools', {
    env: options.tools ?? TOOLS_ENV,
    description: 'Example: the delivery pipelines of the shop, orders API and web app (tools account)',
  });
  const staging = new ExampleStack(app, 'ShopStaging', {
    env: options.staging ?? STAGING_ENV,
    description: 'Example: the staging workloads (staging account), deployed to by the pipelines of DeliveryTools',
  });
  const production = new ExampleStack(app, 'ShopProduction', {
    env: options.production ?? PRODUCTION_ENV,
    description: 'Example: the production workloads (production account, eu-west-1), deployed to by the pipelines of DeliveryTools',
  });
  // One store for the three pipelines: one key, one bucket, one grant per target role.
  const artifactStore = new ArtifactStore(tools, 'Artifacts');

  // The shop: a rolling service in staging, a blue/green one behind a load balancer in production.
  const stagingShop = webService(staging, 'Shop', shopCluster(staging, true).cluster, ecs.DeploymentControllerType.ECS, true);
  const productionNetwork = shopCluster(production, true);
  const productionShop = webService(production, 'Shop', productionNetwork.cluster, ecs.DeploymentControllerType.CODE_DEPLOY, true);
  const lb = productionLoadBalancer(production, productionNetwork.vpc, productionShop);
  const shop = new EcsContainerPipeline(tools, 'ShopPipeline', {
    source: source('shop'),
    artifactStore,
    buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'] },
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(stagingShop) },
      {
        name: 'Production',
        deployment: EcsDeployment.blueGreen({
          service: productionShop,
          listener: lb.listener,
          testListener: lb.testListener,
          blueTargetGroup: lb.blue,
          greenTargetGroup: lb.green,
        }),
        approval: { emails: ['ops@acme.example'] },
        // Smoke tests against the new tasks on the test listener, before production traffic
        // moves: they release the CodeDeploy deployment, or stop and roll it back.
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'] },
        environmentVariables: { BASE_URL: 'http://shop-test.acme.example:8080' },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
  Annotations.of(shop).acknowledgeWarning('cdk-delivery-pipelines:EcsImageResetByCdkDeploy',
    'placeholder image until the first pipeline run; the pipeline is re-run after task definition changes');

  // The orders API: all at once in staging, canary in production.
  const orders = new LambdaPipeline(tools, 'OrdersPipeline', {
    source: source('orders-api'),
    artifactStore,
    buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'], commands: ['npm run build'] },
    outputDirectory: 'dist',
    environments: [
      { name: 'Staging', deployment: LambdaDeployment.allAtOnce(ordersFunction(staging, 'Staging', true)) },
      {
        name: 'Production',
        deployment: LambdaDeployment.canary(ordersFunction(production, 'Production', true), { percentage: 10, interval: Duration.minutes(5) }),
        approval: { emails: ['ops@acme.example'] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });

  // The web app: a private bucket behind CloudFront in each account.
  const stagingSite = new StaticSiteHosting(staging, 'WebSite', { singlePageApp: true });
  const productionSite = new StaticSiteHosting(production, 'WebSite', { singlePageApp: true });
  const web = new StaticSitePipeline(tools, 'WebPipeline', {
    source: source('web'),
    artifactStore,
    buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'], commands: ['npm run build'] },
    outputDirectory: 'dist',
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(stagingSite), postDeployCheck: { urls: [`${stagingSite.url}/`] } },
      {
        name: 'Production',
        target: StaticSiteTarget.fromHosting(productionSite),
        approval: { emails: ['ops@acme.example'] },
        postDeployCheck: { urls: [`${productionSite.url}/`] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
  Annotations.of(web).acknowledgeWarning('cdk-delivery-pipelines:PostDeployCheckBlindToMissingPages',
    'single-page app: the check verifies the distribution serves the new index.html over HTTPS');

  return { app, tools, staging, production, artifactStore, shop, orders, web };
}

if (require.main === module) {
  buildMultiAccountApp().app.synth();
}
