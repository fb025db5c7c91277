/**
 * Shared by the verification gates: every registered example, synthesized once, with a
 * TemplateModel per stack (all of an example's stacks in one AppModel) and every action of every
 * library pipeline located: in its pipeline's template, and the role that performs it in
 * whichever template of the example defines it (an action of another account runs as a role of
 * that account's stack, named in the pipeline by its literal ARN).
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PipelineAction } from './action-needs';
import { AppModel, TemplateModel } from './iam-eval';
import { SynthesizedExample, synthesizedExamples, templateResources } from '../security/support';

/** One stack of one example. */
export interface ExampleStack {
  readonly example: SynthesizedExample;
  readonly stackName: string;
  readonly m: TemplateModel;
  /** Logical ids of the resources that belong to the library's constructs. */
  readonly libraryIds: Set<string>;
  /** Every template of the example (default: this one alone). */
  readonly app?: AppModel;
}

/** Every stack of every registered example. */
export function exampleStacks(): ExampleStack[] {
  return synthesizedExamples().flatMap((example) => {
    const resources = templateResources(example);
    const models = example.assembly.stacks.map((artifact) => new TemplateModel(artifact.template, {
      account: artifact.environment.account,
      region: artifact.environment.region,
      // Tokens name their template only when the example has several.
      scope: example.assembly.stacks.length > 1 ? artifact.stackName : undefined,
    }));
    const app = new AppModel(models);
    return example.assembly.stacks.map((artifact, i) => ({
      example,
      stackName: artifact.stackName,
      m: models[i],
      libraryIds: new Set(resources.filter((r) => r.stack === artifact.stackName && r.inPipeline).map((r) => r.logicalId)),
      app,
    }));
  });
}

/** The logical id of a construct's CloudFormation resource, when it has one in a stack of the app. */
export function logicalIdOf(construct: IConstruct): string | undefined {
  const cfn = construct.node.defaultChild ?? construct;
  return CfnElement.isCfnElement(cfn) ? Stack.of(cfn).resolve((cfn as CfnElement).logicalId) : undefined;
}

/** The artifact store of a pipeline (Properties) for a region: its bucket's and key's canonical ARNs. */
function storeOf(m: TemplateModel, p: any, region: string, where: string): { bucketArn: string; keyArn?: string } {
  const store = p.ArtifactStore !== undefined
    ? (region === m.region ? p.ArtifactStore : undefined)
    : (p.ArtifactStores ?? []).find((x: any) => m.canon(x.Region) === region)?.ArtifactStore;
  if (store === undefined) {
    throw new Error(`${where}: the pipeline has no artifact store in ${region}`);
  }
  const keyId = store.EncryptionKey ? m.logicalIdOf(store.EncryptionKey.Id) : undefined;
  return {
    bucketArn: `arn:${m.partition}:s3:::${m.canon(store.Location)}`,
    keyArn: store.EncryptionKey ? (keyId ? m.arnOf(keyId) : m.canon(store.EncryptionKey.Id)) : undefined,
  };
}

/** Every action of every AWS::CodePipeline::Pipeline of the library's constructs in a stack. */
export function pipelineActions(s: ExampleStack): PipelineAction[] {
  const pm = s.m;
  const app = s.app ?? new AppModel([pm]);
  return pm.idsOfType('AWS::CodePipeline::Pipeline').filter((id) => s.libraryIds.has(id)).flatMap((pipelineId) => {
    const p = pm.resource(pipelineId).Properties;
    return (p.Stages as any[]).flatMap((stage) => (stage.Actions as any[]).map((declaration) => {
      const where = `${s.example.example.name}/${stage.Name}/${declaration.Name}`;
      const region = declaration.Region !== undefined ? pm.canon(declaration.Region) : pm.region;
      const roleValue = declaration.RoleArn ?? p.RoleArn;
      const localId = pm.logicalIdOf(roleValue);
      const role = localId !== undefined ? { m: pm, roleId: localId } : app.roleByArn(pm.canon(roleValue));
      if (!role) {
        throw new Error(`${where}: its role ${pm.canon(roleValue)} is not a role of any template of the example`);
      }
      if (role.m.region !== region) {
        // The needs name the action's resources in its role's template: not modelled otherwise.
        throw new Error(`${where}: it runs in ${region} as a role of a template of ${role.m.region}; the needs model expects them to agree`);
      }
      const store = storeOf(pm, p, region, where);
      return { app, m: role.m, pipelineM: pm, pipelineId, stage: stage.Name, declaration, roleId: role.roleId, region, ...store };
    }));
  });
}

/** A short name of an action, for test names and messages (where it runs, when its role is of another template). */
export function actionName(s: ExampleStack, a: PipelineAction): string {
  const t = a.declaration.ActionTypeId;
  const elsewhere = a.m !== a.pipelineM ? ` in ${a.m.scope ?? 'another template'} (${a.m.account}/${a.m.region})` : '';
  // Which pipeline, when the stack has several (its logical id without the hash).
  const pipelines = a.pipelineM.idsOfType('AWS::CodePipeline::Pipeline').filter((id) => s.libraryIds.has(id));
  const pipeline = pipelines.length > 1 ? ` ${a.pipelineId.replace(/[0-9A-F]{8}$/, '')}` : '';
  return `${s.example.example.name}${pipeline} ${a.stage}/${a.declaration.Name} (${t.Category}/${t.Provider})${elsewhere}`;
}
