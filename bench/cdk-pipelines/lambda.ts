import { App } from 'aws-cdk-lib';
import type { FixtureModule } from '../types';
import { workloadPipeline } from './workload-pipeline';

/** The hand-written lambda pipeline's job with CDK Pipelines: package and test; the stages deploy the functions' stacks. */
export function pipeline(app: App, index: number, fixtures: FixtureModule): void {
  workloadPipeline(app, index, { fixtures, repo: `orders-${index}`, commands: ['npm ci', 'npm test', 'npm run build'] });
}
