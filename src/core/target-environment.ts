import { IResource, Names, Stack, Stage, Token, TokenComparison } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { fail } from './validation';
import { addReviewedScope } from './wildcard-review';

/**
 * Where one environment's workload lives, as seen from the pipeline: its account and region,
 * whether they differ from the pipeline's, and the stack in that account and region that holds
 * what the library creates there (alarms, CodeDeploy groups, deploy projects). @internal
 */
export interface TargetEnvironment {
  /** The workload's account (the pipeline's when it cannot be told apart). */
  readonly account: string;
  /** The workload's region (the pipeline's when it cannot be told apart). */
  readonly region: string;
  /** The workload is known to be in another account than the pipeline. */
  readonly crossAccount: boolean;
  /** The workload is known to be in another region than the pipeline. */
  readonly crossRegion: boolean;
  /**
   * The stack in the workload's account and region: the workload's own stack when it is there,
   * else a support stack the library adds to the pipeline's app or stage (an imported workload).
   */
  readonly stack: Stack;
}

/** Whether two environment values are known to differ (tokens are not judged). */
export function differs(a: string, b: string): boolean {
  return Token.compareStrings(a, b) === TokenComparison.DIFFERENT;
}

/**
 * The target of `resource` (a workload of environment `prop`). A workload in another account or
 * region is accepted when the pipeline can tell which: its stack states `env`, or it is imported
 * by ARN or attributes that name them. One that is named only by tokens (an environment-agnostic
 * stack, an ARN from a parameter) while the pipeline's stack has a concrete account gets the
 * library's error: CodePipeline must know the account to create the action role there.
 *
 * @internal
 */
export function resolveTarget(pipeline: IConstruct, prop: string, resource: IResource): TargetEnvironment {
  const pipelineStack = Stack.of(pipeline);
  const resourceStack = Stack.of(resource);
  const account = resource.env?.account ?? resourceStack.account;
  const region = resource.env?.region ?? resourceStack.region;
  const crossStack = resourceStack !== pipelineStack;
  for (const [what, theirs, ours] of [['account', account, pipelineStack.account], ['region', region, pipelineStack.region]] as const) {
    // A token of the pipeline's own stack is its own environment: only another stack's is unknown.
    if (crossStack && Token.isUnresolved(theirs) && !Token.isUnresolved(ours)) {
      fail(pipeline, prop, `is in an ${what} the pipeline cannot tell (${resource.node.path} is in stack ${resourceStack.node.path}, which has no concrete ${what}), ` +
        `but CodePipeline must know the ${what} of every action to create its role and artifact store there`,
      `give the workload's stack env: { account, region }, or import it with an ARN or attributes that state its ${what} as literals`);
    }
    if (!Token.isUnresolved(theirs) && Token.isUnresolved(ours)) {
      fail(pipeline, prop, `is in ${what} ${theirs} (${resource.node.path}), but the pipeline's stack ${pipelineStack.node.path} has no concrete ${what}, ` +
        'so CodePipeline cannot tell whether the action crosses accounts or regions',
      'give the pipeline\'s stack env: { account: \'...\', region: \'...\' } (a pipeline that deploys to other accounts or regions must know its own)');
    }
  }
  const crossAccount = differs(account, pipelineStack.account);
  const crossRegion = differs(region, pipelineStack.region);
  return {
    account: crossAccount ? account : pipelineStack.account,
    region: crossRegion ? region : pipelineStack.region,
    crossAccount,
    crossRegion,
    stack: crossAccount || crossRegion ? targetStack(pipeline, resourceStack, account, region) : pipelineStack,
  };
}

/**
 * The stack for what the library creates in `account`/`region`: the workload's own stack when it
 * is in that environment, else one support stack per pipeline stack, account and region (as
 * aws-cdk-lib adds for cross-account action roles), deployed before the pipeline's stack.
 */
function targetStack(pipeline: IConstruct, resourceStack: Stack, account: string, region: string): Stack {
  if (!differs(resourceStack.account, account) && !differs(resourceStack.region, region)
    && !Token.isUnresolved(resourceStack.account) && !Token.isUnresolved(resourceStack.region)) {
    return resourceStack;
  }
  const pipelineStack = Stack.of(pipeline);
  const scope = Stage.of(pipeline) ?? pipeline.node.root;
  const id = `${pipelineStack.stackName}-support-${account}-${region}`;
  const existing = scope.node.tryFindChild(id);
  if (existing) {
    return existing as Stack;
  }
  const stack = new Stack(scope as Construct, id, {
    env: { account, region },
    description: `Resources the delivery pipelines of ${pipelineStack.stackName} need in account ${account}, region ${region} (cdk-delivery-pipelines)`,
  });
  dependOn(pipelineStack, stack, 'the pipeline deploys to resources this support stack creates');
  return stack;
}

/**
 * A construct in the target's stack for what `owner` (a pipeline or its part) creates there for
 * one environment: the owner itself when the target is the pipeline's stack, else a construct
 * named after the owner's path (unique in the app) in the target's stack. The pipeline's stack
 * is made to deploy after it, so the pipeline never names a resource that does not exist yet.
 *
 * @internal
 */
export function targetScope(owner: Construct, target: TargetEnvironment, id: string): Construct {
  const ownerStack = Stack.of(owner);
  if (target.stack === ownerStack) {
    return owner;
  }
  const name = `${Names.uniqueId(owner)}${id}`;
  const existing = target.stack.node.tryFindChild(name);
  if (existing) {
    return existing as Construct;
  }
  dependOn(ownerStack, target.stack, 'the pipeline deploys to resources it creates in this stack');
  const scope = new Construct(target.stack, name);
  // The library's own resources there: reviewed and acknowledged as those below the pipeline.
  addReviewedScope(owner, scope);
  return scope;
}

/**
 * `stack` deploys after `target`. Newer aws-cdk-lib deprecates Stack.addDependency for
 * addStackDependency, which the peer floor (2.257.0) lacks: the one that exists.
 */
function dependOn(stack: Stack, target: Stack, reason: string): void {
  const withNew = stack as Stack & { addStackDependency?: (target: Stack, reason?: string) => void };
  if (typeof withNew.addStackDependency === 'function') {
    withNew.addStackDependency(target, reason);
  } else {
    stack.addDependency(target, reason);
  }
}
