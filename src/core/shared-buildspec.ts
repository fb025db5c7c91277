import { createHash } from 'crypto';
import { CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * A buildspec that several projects of a stack run unchanged (the static site's deploy script,
 * one project per environment) is carried once per stack: its rendered JSON is a value of one
 * `CfnMapping` and each project's `Source.BuildSpec` is an `Fn::FindInMap` to it. Inlined, an
 * ~9 KiB script per environment fills the template by bytes long before it runs out of resources.
 * CodeBuild receives the same text as before (the mapping holds exactly what
 * `BuildSpec.fromObject(spec)` renders). @internal
 */
export const SHARED_BUILDSPEC = {
  /** The mapping's top-level key; the second-level key names the text (`V` + a hash of it). */
  key: 'BuildSpec',
  /** Hex digits of the text's SHA-256 in its key: another text never overwrites one in use. */
  hashLength: 12,
} as const;

/**
 * Make `project` read `spec` from the mapping `mappingId` of its own stack (created on first use,
 * so a project in a target account's stack finds it there). A buildspec with tokens (which
 * render per project) stays inline. Returns whether the project now reads the mapping. @internal
 */
export function shareBuildSpec(project: codebuild.Project, spec: { [key: string]: any }, mappingId: string): boolean {
  const stack = Stack.of(project);
  const text: unknown = stack.resolve(codebuild.BuildSpec.fromObject(spec).toBuildSpec(project));
  if (typeof text !== 'string' || Token.isUnresolved(text)) {
    return false;
  }
  const name = `V${createHash('sha256').update(text).digest('hex').slice(0, SHARED_BUILDSPEC.hashLength)}`;
  // Not lazy: a lazy mapping would inline the value again wherever its keys are known.
  const mapping = (stack.node.tryFindChild(mappingId) as CfnMapping | undefined) ?? new CfnMapping(stack, mappingId, { lazy: false });
  mapping.setValue(SHARED_BUILDSPEC.key, name, text);
  (project.node.defaultChild as codebuild.CfnProject).addPropertyOverride('Source.BuildSpec', mapping.findInMap(SHARED_BUILDSPEC.key, name));
  return true;
}

/** A template's `Mappings` section, as far as `inlineBuildSpec` reads it. @internal */
export type TemplateMappings = Record<string, Record<string, Record<string, unknown>>>;

/**
 * The text of a project's synthesized `Source.BuildSpec`: the value itself, or the value an
 * `Fn::FindInMap` names in the template's `Mappings` (a shared buildspec). Anything else (a
 * buildspec with references, `Fn::Join`) is returned as it is. For readers of templates: tests,
 * the demo. @internal
 */
export function inlineBuildSpec(value: unknown, mappings: TemplateMappings | undefined): unknown {
  const find = (value as any)?.['Fn::FindInMap'];
  if (!Array.isArray(find)) {
    return value;
  }
  const [map, key1, key2] = find;
  const found = mappings?.[map]?.[key1]?.[key2];
  if (found === undefined) {
    throw new Error(`Fn::FindInMap ${JSON.stringify(find)}: no such value in the template's Mappings`);
  }
  return found;
}
