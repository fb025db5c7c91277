/**
 * Shared by the verification gates: every registered example, synthesized once, with a
 * TemplateModel per stack and every action of every library pipeline located in its template.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PipelineAction } from './action-needs';
import { TemplateModel } from './iam-eval';
import { SynthesizedExample, synthesizedExamples, templateResources } from '../security/support';

/** One stack of one example. */
export interface ExampleStack {
  readonly example: SynthesizedExample;
  readonly stackName: string;
  readonly m: TemplateModel;
  /** Logical ids of the resources that belong to the library's constructs. */
  readonly libraryIds: Set<string>;
}

/** Every stack of every registered example. */
export function exampleStacks(): ExampleStack[] {
  return synthesizedExamples().flatMap((example) => {
    const resources = templateResources(example);
    return example.assembly.stacks.map((artifact) => ({
      example,
      stackName: artifact.stackName,
      m: new TemplateModel(artifact.template, { account: artifact.environment.account, region: artifact.environment.region }),
      libraryIds: new Set(resources.filter((r) => r.stack === artifact.stackName && r.inPipeline).map((r) => r.logicalId)),
    }));
  });
}

/** The logical id of a construct's CloudFormation resource, when it has one in a stack of the app. */
export function logicalIdOf(construct: IConstruct): string | undefined {
  const cfn = construct.node.defaultChild ?? construct;
  return CfnElement.isCfnElement(cfn) ? Stack.of(cfn).resolve((cfn as CfnElement).logicalId) : undefined;
}

/** Every action of every AWS::CodePipeline::Pipeline of the library's constructs in a stack. */
export function pipelineActions(s: ExampleStack): PipelineAction[] {
  const m = s.m;
  return m.idsOfType('AWS::CodePipeline::Pipeline').filter((id) => s.libraryIds.has(id)).flatMap((pipelineId) => {
    const p = m.resource(pipelineId).Properties;
    const store = p.ArtifactStore ?? (p.ArtifactStores ?? []).find((x: any) => m.canon(x.Region) === m.region)?.ArtifactStore;
    const bucketArn = `arn:${m.partition}:s3:::${m.canon(store.Location)}`;
    const keyId = store.EncryptionKey ? m.logicalIdOf(store.EncryptionKey.Id) : undefined;
    const keyArn = store.EncryptionKey ? (keyId ? m.arnOf(keyId) : m.canon(store.EncryptionKey.Id)) : undefined;
    return (p.Stages as any[]).flatMap((stage) => (stage.Actions as any[]).map((declaration) => {
      const roleId = m.logicalIdOf(declaration.RoleArn ?? p.RoleArn);
      if (!roleId) {
        throw new Error(`${s.example.example.name}/${stage.Name}/${declaration.Name}: its role is not a role of the template`);
      }
      return { m, pipelineId, stage: stage.Name, declaration, roleId, bucketArn, keyArn };
    }));
  });
}

/** A short name of an action, for test names and messages. */
export function actionName(s: ExampleStack, a: PipelineAction): string {
  const t = a.declaration.ActionTypeId;
  return `${s.example.example.name} ${a.stage}/${a.declaration.Name} (${t.Category}/${t.Provider})`;
}
