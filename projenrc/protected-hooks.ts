/**
 * Append the "Protected hooks (subclassing API)" section to API.md, from the jsii assembly.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json projenrc/protected-hooks.ts [.jsii] [API.md]
 *
 * jsii-docgen lists public members only (it drops every member with `protected: true`), so the
 * hooks a subclass overrides in TypeScript, Python or Java (`renderBuildSpecObject`,
 * `createDeployAction`, ...) would be missing from API.md. The projen task `docgen` runs this
 * right after jsii-docgen. The output depends on the assembly only (classes and members sorted
 * by name), and a section already in API.md is replaced, so running it twice changes nothing.
 */
import * as fs from 'fs';

const HEADING = '## Protected hooks (subclassing API)';

interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef };
  readonly union?: { readonly types: TypeRef[] };
}

interface Docs {
  readonly summary?: string;
  readonly remarks?: string;
  readonly returns?: string;
  readonly default?: string;
}

interface Parameter {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional?: boolean;
  readonly variadic?: boolean;
  readonly docs?: Docs;
}

interface Member {
  readonly name: string;
  readonly protected?: boolean;
  readonly static?: boolean;
  readonly abstract?: boolean;
  readonly overrides?: string;
  readonly docs?: Docs;
  // methods
  readonly parameters?: Parameter[];
  readonly returns?: { readonly type: TypeRef; readonly optional?: boolean };
  // properties
  readonly type?: TypeRef;
  readonly optional?: boolean;
  readonly immutable?: boolean;
}

interface JsiiType {
  readonly fqn: string;
  readonly name: string;
  readonly kind: string;
  readonly datatype?: boolean;
  readonly methods?: Member[];
  readonly properties?: Member[];
}

interface Assembly {
  readonly name: string;
  readonly types: { [fqn: string]: JsiiType };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function renderType(assembly: Assembly, ref: TypeRef, link: boolean): string {
  if (ref.primitive) {
    return ref.primitive === 'json' ? '{[ key: string ]: any}' : ref.primitive;
  }
  if (ref.fqn) {
    const local = ref.fqn.startsWith(`${assembly.name}.`);
    return link && local ? `[${ref.fqn.slice(assembly.name.length + 1)}](#${ref.fqn})` : ref.fqn;
  }
  if (ref.collection) {
    const element = renderType(assembly, ref.collection.elementtype, link);
    return ref.collection.kind === 'array' ? `${element}[]` : `{[ key: string ]: ${element}}`;
  }
  if (ref.union) {
    return ref.union.types.map((t) => renderType(assembly, t, link)).join(' | ');
  }
  return 'any';
}

/** jsii's Python name of a protected member: a leading underscore, snake_case. */
function pythonName(name: string): string {
  return `_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s*\n\s*/g, ' ').trim();
}

function signature(assembly: Assembly, m: Member): string {
  const modifiers = `protected ${m.static ? 'static ' : ''}${m.abstract ? 'abstract ' : ''}`;
  if (m.type) {
    return `${modifiers}${m.immutable ? 'readonly ' : ''}${m.name}${m.optional ? '?' : ''}: ${renderType(assembly, m.type, false)}`;
  }
  const params = (m.parameters ?? []).map((p) => `${p.variadic ? '...' : ''}${p.name}${p.optional ? '?' : ''}: ${renderType(assembly, p.type, false)}`);
  const returns = m.returns ? `${renderType(assembly, m.returns.type, false)}${m.returns.optional ? ' | undefined' : ''}` : 'void';
  return `${modifiers}${m.name}(${params.join(', ')}): ${returns}`;
}

function renderMember(assembly: Assembly, type: JsiiType, m: Member): string[] {
  const id = `${type.fqn}.protected.${m.name}`;
  const out = [`#### \`${m.name}\`${m.type ? ' (property)' : ''} <a name="${m.name}" id="${id}"></a>`, '', '```typescript', signature(assembly, m), '```', ''];
  if (m.docs?.summary) {
    out.push(m.docs.summary, '');
  }
  if (m.docs?.remarks) {
    out.push(m.docs.remarks, '');
  }
  const names = [`Python: \`${pythonName(m.name)}\``, `Java: \`${m.type ? `get${m.name[0].toUpperCase()}${m.name.slice(1)}()` : `${m.name}()`}\``];
  const last = m.parameters?.[m.parameters.length - 1];
  if (last?.type.fqn && assembly.types[last.type.fqn]?.datatype) {
    names.push(`in Python the struct \`${last.name}\` is passed as keyword arguments`);
  }
  out.push(`${names.join('; ')}.`, '');
  if (m.overrides) {
    const local = m.overrides.startsWith(`${assembly.name}.`);
    const name = `${m.overrides.slice(m.overrides.lastIndexOf('.') + 1)}.${m.name}`;
    out.push(`Overrides ${local ? `[\`${name}\`](#${m.overrides}.protected.${m.name})` : `\`${m.overrides}.${m.name}\``}.`, '');
  }
  for (const p of m.parameters ?? []) {
    out.push(`##### \`${p.name}\`<sup>${p.optional ? 'Optional' : 'Required'}</sup>`, '', `- *Type:* ${renderType(assembly, p.type, true)}`, '');
    const docs = [p.docs?.summary, p.docs?.remarks].filter((d) => d).join(' ');
    if (docs) {
      out.push(docs, '');
    }
  }
  if (m.returns) {
    out.push(`**Returns:** ${renderType(assembly, m.returns.type, true)}${m.returns.optional ? ' (or undefined)' : ''}${m.docs?.returns ? ` — ${oneLine(m.docs.returns)}` : ''}`, '');
  } else if (m.type) {
    out.push(`- *Type:* ${renderType(assembly, m.type, true)}`, '');
  }
  out.push('---', '');
  return out;
}

/** The section, from the assembly. */
export function renderProtectedHooks(assembly: Assembly): string {
  const out = [
    `${HEADING} <a name="Protected hooks" id="protected-hooks"></a>`,
    '',
    'The protected members of each class: the hooks a subclass overrides (in TypeScript, Python, Java, ...) and the',
    'helpers it calls. Generated from the jsii assembly after jsii-docgen, which lists public members only.',
    '',
  ];
  const classes = Object.values(assembly.types)
    .filter((t) => t.kind === 'class')
    .map((t) => ({ type: t, members: [...(t.methods ?? []), ...(t.properties ?? [])].filter((m) => m.protected).sort(byName) }))
    .filter((c) => c.members.length > 0)
    .sort((a, b) => byName(a.type, b.type));
  for (const { type, members } of classes) {
    out.push(`### ${type.name} <a name="${type.name}.protected" id="${type.fqn}.protected"></a>`, '');
    out.push(`Protected members of [${type.name}](#${type.fqn}).`, '');
    out.push('| **Name** | **Description** |', '| --- | --- |');
    for (const m of members) {
      out.push(`| [\`${m.name}\`](#${type.fqn}.protected.${m.name}) | ${oneLine(m.docs?.summary).replace(/\|/g, '\\|')} |`);
    }
    out.push('', '---', '');
    for (const m of members) {
      out.push(...renderMember(assembly, type, m));
    }
  }
  return out.join('\n');
}

function main(): void {
  const [assemblyFile = '.jsii', apiFile = 'API.md'] = process.argv.slice(2);
  const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf-8')) as Assembly;
  const api = fs.readFileSync(apiFile, 'utf-8');
  const at = api.indexOf(`\n${HEADING}`);
  const before = (at < 0 ? api : api.slice(0, at)).replace(/\s*$/, '\n');
  fs.writeFileSync(apiFile, `${before}\n${renderProtectedHooks(assembly)}`);
}

if (require.main === module) {
  main();
}
