/**
 * The constructs the benchmark measures: one line each. For a line with module `m` the
 * benchmark loads `fixtures/m.ts` (the workload one pipeline deploys, the same for every
 * side), `ours/m.ts` (the library's construct), `hand-written/m.ts` (the same job wired
 * by hand from aws-cdk-lib L2 constructs) and `cdk-pipelines/m.ts` (the same job with CDK Pipelines).
 */
export interface BenchConstruct {
  /** Module name under fixtures/, ours/, hand-written/ and cdk-pipelines/. */
  readonly module: string;
  /** The construct's class name. */
  readonly construct: string;
  /** The job every side's pipeline does, for the report. */
  readonly job: string;
}

export const CONSTRUCTS: readonly BenchConstruct[] = [
  { module: 'ecs', construct: 'EcsContainerPipeline', job: 'docker build + push to ECR, rolling deploy to Staging, approval, rolling deploy to Production' },
  { module: 'lambda', construct: 'LambdaPipeline', job: 'package the function, deploy Staging, approval, deploy Production (both all at once)' },
  { module: 'server', construct: 'ServerPipeline', job: 'build the revision bundle, deploy Staging in place (CodeDeploy), approval, deploy Production in place behind its load balancer' },
  { module: 'static-site', construct: 'StaticSitePipeline', job: 'build the site, upload to the Staging bucket and invalidate, approval, the same for Production' },
];
