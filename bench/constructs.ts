/**
 * The constructs the benchmark measures: one line each. For a line with module `m` the
 * benchmark loads `fixtures/m.ts` (the workload one pipeline deploys, the same for both
 * sides), `ours/m.ts` (the library's construct) and `hand-written/m.ts` (the same job wired
 * by hand from aws-cdk-lib L2 constructs).
 */
export interface BenchConstruct {
  /** Module name under fixtures/, ours/ and hand-written/. */
  readonly module: string;
  /** The construct's class name. */
  readonly construct: string;
  /** The job both pipelines do, for the report. */
  readonly job: string;
}

export const CONSTRUCTS: readonly BenchConstruct[] = [
  { module: 'ecs', construct: 'EcsContainerPipeline', job: 'docker build + push to ECR, rolling deploy to Staging, approval, rolling deploy to Production' },
  { module: 'lambda', construct: 'LambdaPipeline', job: 'package the function, deploy Staging, approval, deploy Production (both all at once)' },
  { module: 'server', construct: 'ServerPipeline', job: 'build the revision bundle, deploy Staging in place (CodeDeploy), approval, deploy Production in place behind its load balancer' },
  { module: 'static-site', construct: 'StaticSitePipeline', job: 'build the site, upload to the Staging bucket and invalidate, approval, the same for Production' },
];
