import { App } from 'aws-cdk-lib';
import type { FixtureModule } from '../types';
import { workloadPipeline } from './workload-pipeline';

/** The hand-written ecs pipeline's job with CDK Pipelines: build and test; the stages deploy the services' stacks. */
export function pipeline(app: App, index: number, fixtures: FixtureModule): void {
  workloadPipeline(app, index, { fixtures, repo: `shop-${index}`, commands: ['npm ci', 'npm test'] });
}
