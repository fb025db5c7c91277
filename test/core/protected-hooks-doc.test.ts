import * as fs from 'fs';
import * as path from 'path';
import { renderProtectedHooks } from '../../projenrc/protected-hooks';

const ROOT = path.join(__dirname, '..', '..');

describe('API.md: the protected hooks section (projenrc/protected-hooks.ts, run by the docgen task)', () => {
  const assembly = {
    name: 'lib',
    types: {
      'lib.Zeta': { fqn: 'lib.Zeta', name: 'Zeta', kind: 'class', methods: [{ name: 'visible' }] },
      'lib.Opts': { fqn: 'lib.Opts', name: 'Opts', kind: 'interface', datatype: true },
      'lib.Base': {
        fqn: 'lib.Base',
        name: 'Base',
        kind: 'class',
        methods: [
          { name: 'makeThing', protected: true, docs: { summary: 'Hook: make the thing.' }, parameters: [{ name: 'opts', type: { fqn: 'lib.Opts' }, optional: true }], returns: { type: { primitive: 'string' } } },
          { name: 'addAll', protected: true, abstract: true },
          { name: 'render', docs: { summary: 'public: not listed' } },
        ],
      },
    },
  };

  test('GIVEN an assembly THEN only classes with protected members are listed, members sorted, with signatures and language names', () => {
    const section = renderProtectedHooks(assembly as any);
    expect(section).toMatch(/^## Protected hooks \(subclassing API\)/);
    expect(section).not.toContain('Zeta');
    expect(section).not.toContain('render');
    expect(section.indexOf('`addAll`')).toBeLessThan(section.indexOf('`makeThing`'));
    expect(section).toContain('protected abstract addAll(): void');
    expect(section).toContain('protected makeThing(opts?: lib.Opts): string');
    expect(section).toContain('Python: `_make_thing`; Java: `makeThing()`; in Python the struct `opts` is passed as keyword arguments.');
    expect(section).toContain('- *Type:* [Opts](#lib.Opts)');
    expect(renderProtectedHooks(assembly as any)).toBe(section);
  });

  test('GIVEN the committed API.md THEN it lists every hook of the subclassing API with its signature', () => {
    const api = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf-8');
    const section = api.slice(api.indexOf('## Protected hooks (subclassing API)'));
    for (const signature of [
      'protected renderBuildSpec(): aws-cdk-lib.aws_codebuild.BuildSpec',
      'protected renderBuildSpecObject(): {[ key: string ]: any}',
      'protected createBuildProject(buildSpec: aws-cdk-lib.aws_codebuild.BuildSpec): aws-cdk-lib.aws_codebuild.IProject',
      'protected abstract addStages(): void',
      'protected createDeployAction(environment: cdk-delivery-pipelines.LambdaEnvironment): aws-cdk-lib.aws_codepipeline.IAction',
      'protected createDeployAction(environment: cdk-delivery-pipelines.StaticSiteEnvironment): aws-cdk-lib.aws_codepipeline.IAction',
      'protected createDeployAction(environment: cdk-delivery-pipelines.ServerEnvironment): aws-cdk-lib.aws_codepipeline.IAction',
    ]) {
      expect(section).toContain(signature);
    }
    expect(section).toContain('protected createDeployAction(environment: cdk-delivery-pipelines.EcsEnvironment');
  });
});
