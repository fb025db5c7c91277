import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeliveryPipeline, EcsContainerPipeline, EcsContainerPipelineProps, EcsEnvironment } from '../../src';
import { githubSource, newStack } from '../helpers';
import { actionsOf, buildSpecOf, flatten, onlyResource, resourcesOf, SpinePipeline, stageOf, stagesOf, twoEnvironments } from './support';

const MARKER = 'echo built-by-the-subclass';

/**
 * What the hooks were called with. The hooks run after construction (in `addStages()`, at
 * synthesis or on first use of an escape hatch), so an override can read the subclass's fields.
 */
const calls: { deploy: Array<[string, string]> } = { deploy: [] };

/** Overrides renderBuildSpec, createBuildProject and createDeployAction (replacing the buildspec). */
class CustomPipeline extends EcsContainerPipeline {
  constructor(scope: Construct, id: string, props: EcsContainerPipelineProps) {
    super(scope, id, props);
  }

  protected renderBuildSpec(): codebuild.BuildSpec {
    return codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: { build: { commands: [MARKER] } },
      artifacts: { files: ['imagedefinitions.json'] },
    });
  }

  protected createBuildProject(buildSpec: codebuild.BuildSpec): codebuild.IProject {
    return new codebuild.PipelineProject(this, 'CustomBuild', {
      description: 'custom project from the subclass',
      buildSpec,
      encryptionKey: this.encryptionKey,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
    });
  }

  protected createDeployAction(environment: EcsEnvironment): codepipeline.IAction {
    calls.deploy.push([environment.name, this.imageDefinitionsFile(environment) ?? '']);
    if (environment.name === 'Production') {
      return new actions.ManualApprovalAction({ actionName: 'ConfirmRelease', runOrder: 2, additionalInformation: 'deploy by hand' });
    }
    return super.createDeployAction(environment);
  }
}

/** Extends the library's project rather than replacing it. */
class ExtendedBuildPipeline extends EcsContainerPipeline {
  protected createBuildProject(buildSpec: codebuild.BuildSpec): codebuild.IProject {
    const project = super.createBuildProject(buildSpec);
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: ['arn:aws:s3:::acme-build-fixtures/fixtures.zip'],
    }));
    return project;
  }
}

describe('Subclassing', () => {
  describe('GIVEN a subclass that overrides renderBuildSpec, createBuildProject and createDeployAction', () => {
    let stack: Stack;
    let pipeline: CustomPipeline;
    let template: Template;

    beforeAll(() => {
      calls.deploy = [];
      stack = newStack();
      pipeline = new CustomPipeline(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
      template = Template.fromStack(stack);
    });

    test('THEN the build uses the subclass\'s project instead of the library\'s', () => {
      const project = onlyResource(template, 'AWS::CodeBuild::Project');
      expect(project.resource.Properties.Description).toBe('custom project from the subclass');
      expect(stack.getLogicalId(pipeline.buildProject.node.defaultChild as codebuild.CfnProject)).toBe(project.id);
      expect(stageOf(template, 'Build').Actions[0].Configuration.ProjectName).toEqual({ Ref: project.id });
      // the library's own build log group is not created either
      template.resourceCountIs('AWS::Logs::LogGroup', 2); // the two services' container log groups only
    });

    test('THEN the project runs the subclass\'s buildspec', () => {
      expect(buildSpecOf(template)).toEqual({
        version: '0.2',
        phases: { build: { commands: [MARKER] } },
        artifacts: { files: ['imagedefinitions.json'] },
      });
    });

    test('THEN each environment\'s deploy action comes from the subclass', () => {
      expect(calls.deploy).toEqual([['Staging', 'imagedefinitions.json'], ['Production', 'imagedefinitions.json']]);
      expect(stageOf(template, 'Staging').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider])).toEqual([['Deploy', 'ECS']]);
      expect(stageOf(template, 'Production').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([
        ['Approve', 'Manual', 1],
        ['ConfirmRelease', 'Manual', 2],
      ]);
      expect(stageOf(template, 'Production').Actions[1].Configuration).toEqual({ CustomData: 'deploy by hand' });
    });

    test('THEN the spine still wires SOURCE_REVISION into the subclass\'s project', () => {
      const variables = JSON.parse(flatten(stageOf(template, 'Build').Actions[0].Configuration.EnvironmentVariables));
      expect(variables.map((v: any) => v.name)).toEqual(expect.arrayContaining(['SOURCE_REVISION', 'REPOSITORY_URI']));
    });
  });

  test('GIVEN a subclass that extends the library\'s project WHEN synthesized THEN the project stays hardened and gets the extra grant', () => {
    const stack = newStack();
    new ExtendedBuildPipeline(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
    const template = Template.fromStack(stack);
    const project = onlyResource(template, 'AWS::CodeBuild::Project').resource;
    expect(project.Properties).toEqual(expect.objectContaining({
      Description: 'Test, build and push the container image of TestStack/Pipeline',
      TimeoutInMinutes: 20,
      EncryptionKey: expect.anything(),
    }));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: project.Properties.ServiceRole['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-build-fixtures/fixtures.zip' }]),
      },
    });
  });

  describe('GIVEN a default EcsContainerPipeline', () => {
    let stack: Stack;
    let pipeline: EcsContainerPipeline;
    let template: Template;
    let user: iam.Role;

    beforeAll(() => {
      stack = newStack();
      pipeline = new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
      user = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
      // WHEN the escape hatches are used after construction
      pipeline.pipeline.addStage({
        stageName: 'Verify',
        actions: [new actions.ManualApprovalAction({ actionName: 'SmokeTestsPassed' })],
      });
      pipeline.artifactBucket.grantRead(user);
      pipeline.encryptionKey.grantDecrypt(user);
      pipeline.repository.grantPull(user);
      pipeline.buildProject.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111111111111:parameter/acme/flag'] }));
      template = Template.fromStack(stack);
    });

    test('THEN pipeline.addStage appends a stage after the environments', () => {
      expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Staging', 'Production', 'Verify']);
    });

    test('THEN artifactBucket, encryptionKey and repository grant on the pipeline\'s own resources', () => {
      const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as any[])
        .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === stack.getLogicalId(user.node.defaultChild as iam.CfnRole)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const granted = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf).map(flatten);
      const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as any);
      expect(granted('s3:GetObject*')).toEqual(expect.arrayContaining([`<${id(pipeline.artifactBucket)}.Arn>/*`]));
      expect(granted('kms:Decrypt')).toEqual(expect.arrayContaining([`<${id(pipeline.encryptionKey)}.Arn>`]));
      expect(granted('ecr:BatchGetImage')).toEqual([`<${id(pipeline.repository)}.Arn>`]);
    });

    test('THEN buildProject is the project of the Build stage and takes extra grants', () => {
      const projectId = stack.getLogicalId(pipeline.buildProject.node.defaultChild as codebuild.CfnProject);
      expect(stageOf(template, 'Build').Actions[0].Configuration.ProjectName).toEqual({ Ref: projectId });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/acme/flag' })]),
        },
      });
    });

    test('THEN sourceOutput and buildOutput are the artifacts the stages pass on', () => {
      expect(pipeline.sourceOutput.artifactName).toBe('Source');
      expect(pipeline.buildOutput.artifactName).toBe('Build');
      expect(stageOf(template, 'Staging').Actions[0].InputArtifacts).toEqual([{ Name: 'Build' }]);
    });
  });

  describe('GIVEN a direct subclass of DeliveryPipeline', () => {
    class EarlyAccessPipeline extends DeliveryPipeline {
      protected addStages(): void {
        void this.buildProject;
      }
    }

    class TwiceBuiltPipeline extends DeliveryPipeline {
      protected addStages(): void {
        this.addBuildStage();
        this.addBuildStage();
      }
    }

    test('WHEN its addStages reads buildProject before addBuildStage THEN it is told to add the build stage first', () => {
      const pipeline = new EarlyAccessPipeline(newStack(), 'Pipeline', { source: githubSource() });
      expect(() => pipeline.buildProject)
        .toThrow(/TestStack\/Pipeline: buildProject is read before the build stage exists.*Fix:.*addBuildStage\(\)/);
    });

    test('WHEN it calls addBuildStage twice THEN it throws', () => {
      const pipeline = new TwiceBuiltPipeline(newStack(), 'Pipeline', { source: githubSource() });
      expect(() => pipeline.pipeline)
        .toThrow(/TestStack\/Pipeline: addBuildStage\(\) was already called.*Fix:/);
    });

    test('WHEN it adds its build and environment stages THEN the spine is complete', () => {
      const stack = newStack();
      new SpinePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }, { name: 'Production' }] });
      const template = Template.fromStack(stack);
      expect(stagesOf(template).map((s) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
        ['Source', ['Source']],
        ['Build', ['BuildAndTest']],
        ['Staging', ['Deploy']],
        ['Production', ['Approve', 'Deploy']],
      ]);
    });
  });
});

/** Adds an action to the Build stage, after the build, through the protected `buildStage`. */
class BuildStageExtension extends EcsContainerPipeline {
  protected addStages(): void {
    super.addStages();
    this.buildStage.addAction(new actions.ManualApprovalAction({ actionName: 'LicenceReview', runOrder: 3 }));
  }
}

describe('GIVEN a subclass that adds an action to the protected buildStage', () => {
  test('WHEN synthesized THEN the Build stage runs it after the build, and the environments are unchanged', () => {
    const stack = newStack();
    new BuildStageExtension(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
    const template = Template.fromStack(stack);
    expect(stageOf(template, 'Build').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['BuildAndTest', 1], ['LicenceReview', 3]]);
    expect(stagesOf(template).map((st: any) => st.Name)).toEqual(['Source', 'Build', 'Staging', 'Production']);
  });
});

describe('GIVEN a pipeline inside a nested Stage (as in a multi-stage app)', () => {
  test('WHEN the app is synthesized THEN the stage\'s template has the Build and environment stages', () => {
    // aws-cdk-lib synthesizes a nested Stage on its own: aspects of the app root do not reach it.
    const app = new App();
    const stage = new Stage(app, 'Prod');
    const stack = new Stack(stage, 'Delivery', { env: { account: '111111111111', region: 'us-east-1' } });
    new SpinePipeline(stack, 'Pipeline', { source: githubSource(), environments: twoEnvironments(stack) });
    const assembly = app.synth();
    const nested = assembly.getNestedAssembly(stage.artifactId);
    const template = nested.getStackByName(stack.stackName).template;
    const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(pipeline.Properties.Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'Staging', 'Production']);
  });
});
