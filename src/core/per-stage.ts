import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * One value per stage (the app, or a nested `Stage`) that `scope` is synthesized in, created on
 * first use: e.g. the one aspect that serves every library construct of the stage. Per stage,
 * not per app: aws-cdk-lib synthesizes a nested Stage on its own, and the app's aspects do not
 * reach into it.
 */
export function perStage<T>(scope: IConstruct, key: symbol, create: (stage: IConstruct) => T): T {
  const stage: IConstruct = Stage.of(scope) ?? scope.node.root;
  const holder = stage as unknown as Record<symbol, T | undefined>;
  if (holder[key] === undefined) {
    holder[key] = create(stage);
  }
  return holder[key]!;
}
