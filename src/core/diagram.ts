import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/**
 * Render a pipeline's stages and actions as a Mermaid flowchart (left to right): one subgraph
 * per stage, one node per action (its name and provider; approvals as hexagons, sources as
 * stadiums), and edges in execution order. Actions of a stage run in `runOrder` groups: every
 * action of a group leads to every action of the next group, and the last group of a stage
 * leads to the first group of the next stage. Actions that share a run order (parallel) have
 * no edge between them. @internal
 */
export function renderMermaid(stages: readonly codepipeline.IStage[]): string {
  const lines = ['flowchart LR'];
  const groupsByStage: string[][][] = [];
  stages.forEach((stage, s) => {
    const stageId = `stage${s}`;
    lines.push(`  subgraph ${stageId}["${escape(stage.stageName)}"]`);
    const actions = stage.actions.map((action, a) => ({ id: `${stageId}_action${a}`, props: action.actionProperties }));
    const runOrders = [...new Set(actions.map((x) => x.props.runOrder ?? 1))].sort((x, y) => x - y);
    for (const { id, props } of actions) {
      const runOrder = runOrders.length > 1 ? ` · run order ${props.runOrder ?? 1}` : '';
      lines.push(`    ${id}${shape(props.category, `${escape(props.actionName)}<br/>${escape(describe(props))}${runOrder}`)}`);
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
