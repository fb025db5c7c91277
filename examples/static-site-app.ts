import { Annotations, App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { PipelineSource, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../src';
import { CONNECTION_ARN, EXAMPLE_ENV, ExampleOptions, exampleApp } from './support';

/** What `buildStaticSiteApp` returns, so tests and the demo can reach every part. */
export interface StaticSiteExample {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: StaticSitePipeline;
}

/**
 * The example app: a staging and a production site, each a private bucket behind its own
 * CloudFront distribution, and the pipeline that ships the single-page app to them
 * (Source → Build & test → Staging → approval → Production). Each deploy uploads assets
 * before HTML with cache headers for a single-page app, invalidates the distribution and
 * checks the site over HTTPS; when the check fails, the previous release is put back.
 *
 * @param app the app to build into; by default a new one with the currently recommended
 *   feature flags and the cdk-nag checks (see `exampleApp`)
 * @param options another environment or source (the integration test's)
 */
export function buildStaticSiteApp(app: App = exampleApp(), options: ExampleOptions = {}): StaticSiteExample {
  const stack = new Stack(app, 'StaticSiteWebDelivery', {
    env: options.env ?? EXAMPLE_ENV,
    description: 'Example: single-page web app on S3 and CloudFront with its cdk-delivery-pipelines delivery pipeline',
  });

  // No custom domain here, so the sites answer on their *.cloudfront.net names. With one, pass
  // domainNames and an ACM certificate from us-east-1 (viewers then need TLS 1.2 or later).
  const staging = new StaticSiteHosting(stack, 'StagingSite', { singlePageApp: true });
  const production = new StaticSiteHosting(stack, 'ProductionSite', { singlePageApp: true });

  const pipeline = new StaticSitePipeline(stack, 'Pipeline', {
    source: options.source ?? PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'web', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      // Vite writes the site to dist/, its content-hashed bundles to dist/assets/.
      commands: ['npm run build'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    outputDirectory: 'dist',
    environments: [
      {
        name: 'Staging',
        target: StaticSiteTarget.fromHosting(staging),
        postDeployCheck: { urls: [`${staging.url}/`, `${staging.url}/settings`] },
        // Smoke tests against the live staging site (its CloudFront URL); a failure stops the
        // release before production and puts the previous staging release back.
        // Smoke tests over HTTPS fit CodeBuild Lambda compute (15 minutes, no Docker): they start in
        // seconds, so the build is the only EC2 container of an execution.
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22 },
        environmentVariables: { BASE_URL: staging.url },
      },
      {
        name: 'Production',
        target: StaticSiteTarget.fromHosting(production),
        approval: { emails: ['ops@acme.example'], reviewUrl: staging.url, comment: 'Staging is green: release the web app to production?' },
        postDeployCheck: { urls: [`${production.url}/`] },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });

  // A single-page app answers every path with index.html, so the check proves that the
  // distribution serves the new release (what this example asks of it), not that a page exists.
  Annotations.of(pipeline).acknowledgeWarning('cdk-delivery-pipelines:PostDeployCheckBlindToMissingPages',
    'single-page app: the check verifies the distribution serves the new index.html over HTTPS');

  return { app, stack, pipeline };
}

if (require.main === module) {
  buildStaticSiteApp().app.synth();
}
