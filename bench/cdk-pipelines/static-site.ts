import { App } from 'aws-cdk-lib';
import type { FixtureModule } from '../types';
import { workloadPipeline } from './workload-pipeline';

/** The hand-written static-site pipeline's job with CDK Pipelines: build and test the site; the stages deploy the buckets' and distributions' stacks. */
export function pipeline(app: App, index: number, fixtures: FixtureModule): void {
  workloadPipeline(app, index, { fixtures, repo: `site-${index}`, commands: ['npm ci', 'npm test', 'npm run build'] });
}
