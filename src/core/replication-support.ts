import { Names, Stack, Stage } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { addReviewedScope } from './wildcard-review';

/**
 * Review the action roles aws-cdk-lib creates for `pipeline` in another account's stack with the
 * pipeline's own policies (their wildcards are acknowledged only when reviewed). The replication
 * buckets of other regions are the library's own already (`prepareReplicationBuckets`).
 *
 * Call once, after every stage is added. @internal
 */
export function adoptCrossEnvironmentSupport(owner: IConstruct, pipeline: codepipeline.Pipeline): void {
  // aws-cdk-lib names them `<pipeline unique id>-<stage>-<action>-ActionRole`, at a stack's root.
  const prefix = `${Names.uniqueId(pipeline)}-`;
  const scope = Stage.of(pipeline) ?? pipeline.node.root;
  for (const stack of scope.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c !== Stack.of(pipeline))) {
    for (const child of stack.node.children) {
      if (child instanceof iam.Role && child.node.id.startsWith(prefix) && child.node.id.endsWith('-ActionRole')) {
        addReviewedScope(owner, child);
      }
    }
  }
}
