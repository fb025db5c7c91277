import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import {
  DeliveryPipeline, DeliveryPipelineErrors, EcsContainerPipeline, LambdaDeployment, LambdaEnvironment, LambdaPipeline,
  StaticSiteEnvironment, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget,
} from '../../src';
import { githubSource, newStack } from '../helpers';
import { buildSpecOf, SpinePipeline, thrown, twoEnvironments } from './support';
import { lambdaAlias } from '../lambda/support';

const POST_BUILD_MARKER = 'echo extended-by-the-subclass';

/** Extends the generated buildspec: one more post-build command, one more artifact file. */
class ExtendedBuildSpecPipeline extends EcsContainerPipeline {
  protected renderBuildSpecObject(): { [key: string]: any } {
    const spec = super.renderBuildSpecObject();
    spec.phases.post_build ??= { commands: [] };
    spec.phases.post_build.commands.push(POST_BUILD_MARKER);
    spec.artifacts.files.push('extra.json');
    return spec;
  }
}

/** Its createDeployAction throws a plain Error. */
class BoomPipeline extends LambdaPipeline {
  protected createDeployAction(_environment: LambdaEnvironment): codepipeline.IAction {
    throw new Error('boom');
  }
}

/** Its createDeployAction hands the library's default an environment the library rejects. */
class NoUrlsPipeline extends StaticSitePipeline {
  protected createDeployAction(environment: StaticSiteEnvironment): codepipeline.IAction {
    // The library keeps what it validated per environment: another environment is rejected.
    return super.createDeployAction({ ...environment, name: 'Elsewhere' });
  }
}

function lambdaEnvironments(stack: ReturnType<typeof newStack>): LambdaEnvironment[] {
  return [{ name: 'Staging', deployment: LambdaDeployment.allAtOnce(lambdaAlias(stack, 'StagingFn')) }];
}

/** The error a pipeline named "Source" throws (a stage the pipeline adds itself). */
function sourceNameError(): any {
  const stack = newStack();
  return thrown(() => new SpinePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Source' }] }));
}

describe('DeliveryPipelineErrors (from every language)', () => {
  test('GIVEN a library error THEN the error, its message, and its message as Python and Java see it are recognised', () => {
    const err = sourceNameError();
    expect(err.message).toMatch(/^TestStack\/Pipeline: environments\[0\]\.name is the name of one of the pipeline's own stages, got "Source"\. Fix: /);
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err.message)).toBe(true);
    // The jsii runtime raises it in Python and Java with this message (the error's name, then its message).
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(String(err))).toBe(true);
    expect(String(err)).toBe(`DeliveryPipelineError: ${err.message}`);
  });

  test('GIVEN anything else THEN it is not recognised', () => {
    const err = sourceNameError();
    for (const other of [new Error('boom'), 'boom', `${err.message.slice(0, 20)}`, '', undefined, null, 42, {}, { message: 'boom' }]) {
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(other)).toBe(false);
      expect(DeliveryPipelineErrors.parse(other)).toBeUndefined();
    }
  });

  test('GIVEN a library error or its message WHEN parsed THEN the fields are those of the message', () => {
    const err = sourceNameError();
    const expected = {
      constructPath: 'TestStack/Pipeline',
      prop: 'environments[0].name',
      problem: 'is the name of one of the pipeline\'s own stages, got "Source"',
      fix: expect.any(String),
      message: err.message,
    };
    expect(DeliveryPipelineErrors.parse(err)).toEqual(expected);
    expect(DeliveryPipelineErrors.parse(`DeliveryPipelineError: ${err.message}`)).toEqual(expected);
    const info = DeliveryPipelineErrors.parse(err)!;
    expect(err.message).toBe(`${info.constructPath}: ${info.prop} ${info.problem}. Fix: ${info.fix}`);
  });
});

describe('renderBuildSpecObject', () => {
  test('GIVEN a subclass that extends the generated buildspec WHEN synthesized THEN the library\'s steps stay and the command is added', () => {
    const plain = newStack();
    new EcsContainerPipeline(plain, 'Pipeline', { source: githubSource(), environments: twoEnvironments(plain), buildOptions: { postBuildCommands: ['echo done'] } });
    const stack = newStack();
    new ExtendedBuildSpecPipeline(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack), buildOptions: { postBuildCommands: ['echo done'] } });

    const library = buildSpecOf(Template.fromStack(plain));
    const extended = buildSpecOf(Template.fromStack(stack));
    expect(extended.phases.post_build.commands).toEqual([...library.phases.post_build.commands, POST_BUILD_MARKER]);
    expect(extended.artifacts.files).toEqual([...library.artifacts.files, 'extra.json']);
    // everything else is the library's, docker build and push included
    expect({ ...extended, phases: { ...extended.phases, post_build: undefined }, artifacts: undefined })
      .toEqual({ ...library, phases: { ...library.phases, post_build: undefined }, artifacts: undefined });
    expect(JSON.stringify(extended.phases.build.commands)).toContain('docker');
  });

  test('GIVEN a subclass that changes the returned object THEN the user\'s buildOptions lists are unchanged', () => {
    const stack = newStack();
    const installCommands = ['npm ci'];
    class Mutating extends SpinePipeline {
      protected renderBuildSpecObject(): { [key: string]: any } {
        const spec = super.renderBuildSpecObject();
        spec.phases.install.commands.push('echo mutated');
        return spec;
      }
    }
    new Mutating(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }], buildOptions: { installCommands } });
    expect(buildSpecOf(Template.fromStack(stack)).phases.install.commands).toEqual(['npm ci', 'echo mutated']);
    expect(installCommands).toEqual(['npm ci']);
  });

  test('GIVEN buildOptions.repositoryBuildSpec THEN the repository\'s file is the buildspec and the object hook is not called', () => {
    const stack = newStack();
    const called: string[] = [];
    class Extending extends SpinePipeline {
      protected renderBuildSpecObject(): { [key: string]: any } {
        called.push('renderBuildSpecObject');
        return super.renderBuildSpecObject();
      }
    }
    new Extending(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }], buildOptions: { repositoryBuildSpec: 'ci/buildspec.yml' } });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { Source: { BuildSpec: 'ci/buildspec.yml' } });
    expect(called).toEqual([]);
  });

  test('GIVEN buildOptions.repositoryBuildSpec WHEN a subclass calls renderBuildSpecObject THEN it is told to extend the file', () => {
    const stack = newStack();
    class Calling extends SpinePipeline {
      protected renderBuildSpec(): codebuild.BuildSpec {
        return codebuild.BuildSpec.fromObject(this.renderBuildSpecObject());
      }
    }
    new Calling(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }], buildOptions: { repositoryBuildSpec: 'ci/buildspec.yml' } });
    const err = thrown(() => Template.fromStack(stack));
    expect(err.message).toMatch(/renderBuildSpecObject\(\) is called, but buildOptions\.repositoryBuildSpec \(ci\/buildspec\.yml\) is the buildspec\. Fix: extend the buildspec file/);
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
  });
});

describe('An error thrown inside a protected hook', () => {
  test('GIVEN a subclass whose createDeployAction throws Error("boom") WHEN synthesized THEN the error names the hook and keeps the message and type', () => {
    const stack = newStack();
    new BoomPipeline(stack, 'Pipeline', { source: githubSource(), environments: lambdaEnvironments(stack) });
    const err = thrown(() => Template.fromStack(stack));
    expect(err).toBeInstanceOf(Error);
    expect(err.constructor).toBe(Error);
    expect(err.message).toBe('TestStack/Pipeline: createDeployAction() (a protected hook of LambdaPipeline, overridden by BoomPipeline) failed: boom');
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(false);
  });

  test('GIVEN an override whose super call the library rejects THEN the error names the hook and is still the library\'s', () => {
    const stack = newStack();
    const site = new StaticSiteHosting(stack, 'Site');
    new NoUrlsPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', target: StaticSiteTarget.fromHosting(site) }] });
    const err = thrown(() => Template.fromStack(stack));
    expect(err.message).toBe('TestStack/Pipeline: createDeployAction() (a protected hook of StaticSitePipeline, overridden by NoUrlsPipeline) failed: ' +
      'TestStack/Pipeline: createDeployAction() environment is not one of this pipeline\'s environments, got "Elsewhere". ' +
      'Fix: pass one of "Staging"');
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(err.message)).toBe(true);
    expect(DeliveryPipelineErrors.isDeliveryPipelineError(String(err))).toBe(true);
    expect(DeliveryPipelineErrors.parse(err.message)?.message).toBe(err.message);
  });

  test.each([
    ['renderBuildSpec', 'DeliveryPipeline'],
    ['renderBuildSpecObject', 'DeliveryPipeline'],
    ['createBuildProject', 'DeliveryPipeline'],
    ['createTestAction', 'DeliveryPipeline'],
    ['addStages', 'EcsContainerPipeline'],
  ])('GIVEN an override of %s that throws THEN the error names it, once', (hook, declaredBy) => {
    const stack = newStack();
    class Failing extends EcsContainerPipeline {}
    Object.defineProperty(Failing.prototype, hook, { value: () => { throw new TypeError('broken'); } });
    new Failing(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
    const err = thrown(() => Template.fromStack(stack));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe(`TestStack/Pipeline: ${hook}() (a protected hook of ${declaredBy}, overridden by Failing) failed: broken`);
  });

  test('GIVEN a direct subclass of DeliveryPipeline WHEN its own addStages fails THEN the message is the library\'s, without a note', () => {
    class TwiceBuilt extends DeliveryPipeline {
      protected addStages(): void {
        this.addBuildStage();
        this.addBuildStage();
      }
    }
    const pipeline = new TwiceBuilt(newStack(), 'Pipeline', { source: githubSource() });
    expect(() => pipeline.pipeline).toThrow(/^TestStack\/Pipeline: addBuildStage\(\) was already called\. Fix: /);
  });
});
