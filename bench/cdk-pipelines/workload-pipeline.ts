import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { CodePipeline, CodePipelineSource, ManualApprovalStep, ShellStep } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { BENCH_ENV, CONNECTION_ARN } from '../support';
import type { EnvironmentName, FixtureModule } from '../types';

/** What one CDK Pipelines benchmark pipeline builds and deploys. */
export interface WorkloadPipelineProps {
  readonly fixtures: FixtureModule;
  /** The repository the connection source reads. */
  readonly repo: string;
  /** The hand-written pipeline's build commands; `npx cdk synth` follows them. */
  readonly commands: string[];
}

/** One environment of the workload: a stage with one stack that the fixture's `environment` fills. */
class WorkloadStage extends Stage {
  constructor(scope: Construct, id: EnvironmentName, index: number, fixtures: FixtureModule, props: StageProps) {
    super(scope, id, props);
    fixtures.environment(new Stack(this, 'Workload'), index, id);
  }
}

/**
 * Pipeline number `index` as a CDK Pipelines user writes it: its own stack holding a
 * `CodePipeline` (connection source, ShellStep synth, self-mutation on as by default), a
 * Staging stage, then a Production stage behind a manual approval. Each stage holds one
 * environment's half of the fixture, so the workload is the one the other sides deploy (but in
 * a stack per stage, as CDK Pipelines deploys it).
 */
export function workloadPipeline(app: App, index: number, props: WorkloadPipelineProps): void {
  const stack = new Stack(app, `Pipeline${index}`, { env: BENCH_ENV });
  const pipeline = new CodePipeline(stack, 'Pipeline', {
    synth: new ShellStep('Synth', {
      input: CodePipelineSource.connection(`acme/${props.repo}`, 'main', { connectionArn: CONNECTION_ARN }),
      commands: [...props.commands, 'npx cdk synth'],
    }),
  });
  pipeline.addStage(new WorkloadStage(stack, 'Staging', index, props.fixtures, { env: BENCH_ENV }));
  pipeline.addStage(new WorkloadStage(stack, 'Production', index, props.fixtures, { env: BENCH_ENV }), {
    pre: [new ManualApprovalStep('Approve')],
  });
}
