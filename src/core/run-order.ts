import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/**
 * Order an environment's deploy actions after its approval (run order 1), whatever run orders
 * a hook gave them: an action with run order 1 (the default) would otherwise run in parallel
 * with the approval, so nothing would wait for it. When the earliest action runs before 2,
 * every action moves by the same amount, which keeps their relative order; otherwise the
 * actions are returned as they are.
 *
 * @internal
 */
export function orderAfterApproval(deployActions: codepipeline.IAction[]): codepipeline.IAction[] {
  const runOrders = deployActions.map((a) => a.actionProperties.runOrder ?? 1);
  const shift = runOrders.length > 0 ? 2 - Math.min(...runOrders) : 0;
  if (shift <= 0) {
    return deployActions;
  }
  return deployActions.map((a, i) => new RunOrderAction(a, runOrders[i] + shift));
}

/** An action that is `inner` in every respect but its run order. */
class RunOrderAction implements codepipeline.IAction {
  public readonly actionProperties: codepipeline.ActionProperties;

  constructor(private readonly inner: codepipeline.IAction, runOrder: number) {
    this.actionProperties = { ...inner.actionProperties, runOrder };
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return this.inner.bind(scope, stage, options);
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }
}
