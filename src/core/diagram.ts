import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/**
 * Render a pipeline's stages and actions as a Mermaid flowchart (left to right): one subgraph
 * per stage, one node per action (its name and provider; approvals as hexagons, sources as
 * stadiums), and edges in execution order. Actions of a stage run in `runOrder` groups: every
 * action of a group leads to every action of the next group, and the last group of a stage
 * leads to the first group of the next stage. Actions that share a run order (parallel) have
 * no edge between them. `stageNotes` adds a few words to a stage's title (e.g. its bake).
 * @internal
 */
export function renderMermaid(stages: readonly codepipeline.IStage[], stageNotes: Readonly<Record<string, string>> = {}): string {
  const lines = ['flowchart LR'];
  const groupsByStage: string[][][] = [];
  stages.forEach((stage, s) => {
    const stageId = `stage${s}`;
    const note = stageNotes[stage.stageName];
    lines.push(`  subgraph ${stageId}["${escape(stage.stageName)}${note ? ` · ${escape(note)}` : ''}"]`);
    const actions = stage.actions.map((action, a) => ({ id: `${stageId}_action${a}`, props: action.actionProperties }));
    // A stage of a real pipeline knows its stack; a stage described by hand (IStage) may not.
    const home = stage.pipeline ? Stack.of(stage.pipeline) : undefined;
    const runOrders = [...new Set(actions.map((x) => x.props.runOrder ?? 1))].sort((x, y) => x - y);
    for (const { id, props } of actions) {
      const runOrder = runOrders.length > 1 ? ` · run order ${props.runOrder ?? 1}` : '';
      const where = elsewhere(props, home);
      lines.push(`    ${id}${shape(props.category, `${escape(props.actionName)}<br/>${escape(describe(props))}${runOrder}${where ? `<br/>${escape(where)}` : ''}`)}`);
    }
    lines.push('  end');
    groupsByStage.push(runOrders.map((order) => actions.filter((x) => (x.props.runOrder ?? 1) === order).map((x) => x.id)));
  });
  // Every run order group in execution order, across stages.
  const groups = groupsByStage.flat().filter((g) => g.length > 0);
  for (let i = 1; i < groups.length; i++) {
    for (const from of groups[i - 1]) {
      for (const to of groups[i]) {
        lines.push(`  ${from} --> ${to}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where an action runs when that is not the pipeline's account and region (as aws-cdk-lib tells
 * it: the role's account, else the resource's, else the action's `account`/`region`), e.g.
 * `in 222222222222 · eu-west-1`; empty when it runs at home or cannot be told (tokens).
 */
function elsewhere(props: codepipeline.ActionProperties, home: Stack | undefined): string {
  if (!home) {
    return '';
  }
  const account = props.role?.env.account ?? props.resource?.env.account ?? props.account;
  const region = props.resource?.env.region ?? props.region;
  const known = (value: string | undefined, ours: string) =>
    value !== undefined && !Token.isUnresolved(value) && !Token.isUnresolved(ours) && value !== ours;
  const parts = [known(account, home.account) ? account : undefined, known(region, home.region) ? region : undefined].filter((p) => p !== undefined);
  return parts.length > 0 ? `in ${parts.join(' · ')}` : '';
}

/** What an action does, in a few words. */
function describe(props: codepipeline.ActionProperties): string {
  switch (props.category) {
    case codepipeline.ActionCategory.APPROVAL:
      return 'manual approval';
    case codepipeline.ActionCategory.SOURCE:
      return `source: ${props.provider}`;
    default:
      return props.provider;
  }
}

/** The node shape of an action category, around its label. */
function shape(category: codepipeline.ActionCategory, label: string): string {
  switch (category) {
    case codepipeline.ActionCategory.APPROVAL:
      return `{{"${label}"}}`;
    case codepipeline.ActionCategory.SOURCE:
      return `(["${label}"])`;
    default:
      return `["${label}"]`;
  }
}

/** Text safe inside a quoted Mermaid label. */
function escape(text: string): string {
  return text
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[\r\n]+/g, ' ');
}
