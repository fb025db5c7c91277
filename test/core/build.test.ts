import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { BuildOptions, BuildSecret, DeliveryPipelineErrors } from '../../src';
import { githubSource, newStack } from '../helpers';
import {
  actionsOf, buildSpecOf, ecsPipeline, flatten, onlyResource, resourcesOf, SpinePipeline, stageOf, statementsOfRole, thrown,
} from './support';

/** A spine-only pipeline (no workload build steps) with the given build options. */
function spine(buildOptions?: BuildOptions): { stack: Stack; pipeline: SpinePipeline; template: Template } {
  const stack = newStack();
  const pipeline = new SpinePipeline(stack, 'Pipeline', {
    source: githubSource(),
    buildOptions,
    environments: [{ name: 'Staging' }],
  });
  return { stack, pipeline, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

describe('Build stage', () => {
  describe('GIVEN no build options', () => {
    let stack: Stack;
    let pipeline: SpinePipeline;
    let template: Template;
    let project: any;

    beforeAll(() => {
      ({ stack, pipeline, template } = spine());
      project = onlyResource(template, 'AWS::CodeBuild::Project').resource;
    });

    test('THEN the project encrypts with the pipeline key', () => {
      expect(project.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [logicalId(stack, pipeline.encryptionKey), 'Arn'] });
    });

    // standard:7.0 runs Node.js 18 (end of life) unless runtime-versions says otherwise (first-run audit, finding 10).
    test('THEN it uses the standard 8.0 image (Node.js 24 by default) on SMALL compute, unprivileged', () => {
      expect(project.Properties.Environment).toEqual(expect.objectContaining({
        Image: 'aws/codebuild/standard:8.0',
        ImagePullCredentialsType: 'CODEBUILD',
        ComputeType: 'BUILD_GENERAL1_SMALL',
        PrivilegedMode: false,
      }));
    });

    test('THEN it times out after 20 minutes', () => {
      expect(project.Properties.TimeoutInMinutes).toBe(20);
    });

    test('THEN it logs to its own log group, kept 90 days and retained', () => {
      const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
      expect(logGroup.resource.Properties.RetentionInDays).toBe(90);
      expect(logGroup.resource.DeletionPolicy).toBe('Retain');
      expect(project.Properties.LogsConfig).toEqual({
        CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: logGroup.id } },
      });
    });

    test('THEN the source and custom local caches are on (no Docker layer cache without Docker)', () => {
      expect(project.Properties.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_SOURCE_CACHE', 'LOCAL_CUSTOM_CACHE'] });
    });

    test('THEN the buildspec is inline, with no phases of its own', () => {
      const spec = buildSpecOf(template);
      expect(spec.version).toBe('0.2');
      expect(spec.phases).toEqual({});
      expect(spec.reports).toBeUndefined();
      expect(spec.cache).toBeUndefined();
    });

    test('THEN the build action passes the source commit id as SOURCE_REVISION', () => {
      const action = stageOf(template, 'Build').Actions[0];
      expect(action.Name).toBe('BuildAndTest');
      const variables = JSON.parse(flatten(action.Configuration.EnvironmentVariables));
      expect(variables).toEqual([{ name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: expect.stringMatching(/^#\{[A-Za-z0-9_]+\.CommitId\}$/) }]);
      // the variable names the namespace of the source action
      const namespace = stageOf(template, 'Source').Actions[0].Namespace;
      expect(variables[0].value).toBe(`#{${namespace}.CommitId}`);
      // the public sourceRevision is that same variable, for the user's own actions
      expect(stack.resolve(pipeline.sourceRevision)).toBe(variables[0].value);
    });

    test('THEN no report group is created', () => {
      template.resourceCountIs('AWS::CodeBuild::ReportGroup', 0);
    });
  });

  describe('GIVEN an EcsContainerPipeline with defaults', () => {
    let stack: Stack;
    let keyId: string;
    let template: Template;
    let project: any;

    beforeAll(() => {
      stack = newStack();
      const pipeline = ecsPipeline(stack);
      keyId = logicalId(stack, pipeline.encryptionKey);
      template = Template.fromStack(stack);
      project = onlyResource(template, 'AWS::CodeBuild::Project').resource;
    });

    test('THEN the hardened defaults hold and the container build adds the Docker layer cache', () => {
      expect(project.Properties).toEqual(expect.objectContaining({
        EncryptionKey: { 'Fn::GetAtt': [keyId, 'Arn'] },
        TimeoutInMinutes: 20,
        Environment: expect.objectContaining({ Image: 'aws/codebuild/standard:8.0', ComputeType: 'BUILD_GENERAL1_SMALL' }),
        Cache: { Type: 'LOCAL', Modes: expect.arrayContaining(['LOCAL_SOURCE_CACHE', 'LOCAL_CUSTOM_CACHE']) },
      }));
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    test('THEN the build action passes SOURCE_REVISION with the commit id', () => {
      const variables = JSON.parse(flatten(stageOf(template, 'Build').Actions[0].Configuration.EnvironmentVariables));
      expect(variables).toEqual(expect.arrayContaining([
        { name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: expect.stringMatching(/^#\{[A-Za-z0-9_]+\.CommitId\}$/) },
      ]));
    });
  });

  test('GIVEN overrides for timeout, compute type, image and log retention WHEN synthesized THEN they are used', () => {
    const { template } = spine({
      timeout: Duration.minutes(45),
      computeType: codebuild.ComputeType.LARGE,
      buildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 45,
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  describe('GIVEN install, runtime, test, build and post-build commands', () => {
    const options: BuildOptions = {
      runtimeVersions: { nodejs: '20' },
      installCommands: ['npm ci'],
      testCommands: ['npm test', 'npm run lint'],
      commands: ['npm run build'],
      postBuildCommands: ['echo done'],
    };

    test('THEN the spine renders them into their phases, in order', () => {
      const spec = buildSpecOf(spine(options).template);
      expect(spec.phases).toEqual({
        install: { 'runtime-versions': { nodejs: '20' }, 'commands': ['npm ci'] },
        pre_build: { commands: ['npm test', 'npm run lint'] },
        build: { commands: ['npm run build'] },
        post_build: { commands: ['echo done'] },
      });
      expect(Object.keys(spec.phases)).toEqual(['install', 'pre_build', 'build', 'post_build']);
    });

    test('THEN in a container pipeline the tests run before the image is built and pushed', () => {
      const stack = newStack();
      ecsPipeline(stack, { buildOptions: options });
      const spec = buildSpecOf(Template.fromStack(stack));
      expect(spec.phases.install).toEqual({ 'runtime-versions': { nodejs: '20' }, 'commands': ['npm ci'] });
      expect(spec.phases.pre_build.commands.slice(0, 2)).toEqual(['npm test', 'npm run lint']);
      expect(spec.phases.pre_build.commands.length).toBeGreaterThan(2);
      // the user's build commands first, then the workload's image build
      expect(spec.phases.build.commands[0]).toBe('npm run build');
      expect(spec.phases.build.commands.slice(1).join('\n')).toMatch(/docker/);
      expect(spec.phases.post_build.commands).toEqual(['echo done']);
    });
  });

  test('GIVEN repositoryBuildSpec WHEN synthesized THEN the project reads that file from the source (opt-in)', () => {
    const { template } = spine({ repositoryBuildSpec: 'ci/buildspec.yml' });
    template.hasResourceProperties('AWS::CodeBuild::Project', { Source: Match.objectLike({ BuildSpec: 'ci/buildspec.yml' }) });
  });

  describe('GIVEN testReportDirectory', () => {
    let template: Template;
    let reportGroupId: string;

    beforeAll(() => {
      ({ template } = spine({ testReportDirectory: 'build/test-results' }));
      reportGroupId = onlyResource(template, 'AWS::CodeBuild::ReportGroup').id;
    });

    test('THEN a retained TEST report group is created', () => {
      template.hasResource('AWS::CodeBuild::ReportGroup', { Properties: Match.objectLike({ Type: 'TEST' }), DeletionPolicy: 'Retain' });
    });

    test('THEN the buildspec sends JUnit reports from the directory to that group', () => {
      expect(buildSpecOf(template).reports).toEqual({
        [`<${reportGroupId}.Arn>`]: { 'files': ['**/*.xml'], 'base-directory': 'build/test-results', 'file-format': 'JUNITXML' },
      });
    });

    test('THEN the build role may write test cases to that group', () => {
      const project = onlyResource(template, 'AWS::CodeBuild::Project').resource;
      const roleId = project.Properties.ServiceRole['Fn::GetAtt'][0];
      const statements = statementsOfRole(template, roleId)
        .filter((s) => resourcesOf(s).some((r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [reportGroupId, 'Arn'] })));
      expect(statements.flatMap(actionsOf)).toEqual(expect.arrayContaining([
        'codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases',
      ]));
    });
  });

  test('GIVEN cachePaths WHEN synthesized THEN the buildspec caches them', () => {
    const spec = buildSpecOf(spine({ cachePaths: ['node_modules/**/*', '/root/.npm/**/*'] }).template);
    expect(spec.cache).toEqual({ paths: ['node_modules/**/*', '/root/.npm/**/*'] });
  });

  describe('GIVEN secrets and plaintext variables', () => {
    let stack: Stack;
    let template: Template;
    let secretId: string;
    let parameterId: string;
    let statements: any[];
    let variables: any[];

    beforeAll(() => {
      stack = newStack();
      const secret = new secretsmanager.Secret(stack, 'DbSecret');
      // Other secrets and parameters in the app that the build must not be able to read.
      new secretsmanager.Secret(stack, 'OtherSecret');
      const parameter = new ssm.StringParameter(stack, 'NpmToken', { parameterName: 'npm-token', stringValue: 'x' });
      new ssm.StringParameter(stack, 'OtherParameter', { parameterName: 'other', stringValue: 'y' });
      new SpinePipeline(stack, 'Pipeline', {
        source: githubSource(),
        buildOptions: {
          environmentVariables: { STAGE: 'ci' },
          secrets: {
            DB_PASSWORD: BuildSecret.fromSecretsManager(secret),
            NPM_TOKEN: BuildSecret.fromSsmParameter(parameter),
          },
        },
        environments: [{ name: 'Staging' }],
      });
      template = Template.fromStack(stack);
      secretId = logicalId(stack, secret);
      parameterId = logicalId(stack, parameter);
      const project = onlyResource(template, 'AWS::CodeBuild::Project').resource;
      variables = project.Properties.Environment.EnvironmentVariables;
      statements = statementsOfRole(template, project.Properties.ServiceRole['Fn::GetAtt'][0]);
    });

    test('THEN the Secrets Manager secret is a SECRETS_MANAGER variable holding the secret ARN', () => {
      expect(variables).toEqual(expect.arrayContaining([{ Name: 'DB_PASSWORD', Type: 'SECRETS_MANAGER', Value: { Ref: secretId } }]));
    });

    test('THEN the parameter is a PARAMETER_STORE variable holding the parameter name', () => {
      expect(variables).toEqual(expect.arrayContaining([{ Name: 'NPM_TOKEN', Type: 'PARAMETER_STORE', Value: { Ref: parameterId } }]));
    });

    test('THEN the plaintext variable is PLAINTEXT', () => {
      expect(variables).toEqual(expect.arrayContaining([{ Name: 'STAGE', Type: 'PLAINTEXT', Value: 'ci' }]));
    });

    test('THEN the build role may read that secret, and only that secret', () => {
      const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
      for (const statement of secretStatements) {
        expect(resourcesOf(statement)).toEqual([{ Ref: secretId }]);
      }
    });

    test('THEN the build role may read that parameter, and only that parameter', () => {
      const ssmStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
      expect(ssmStatements.flatMap(actionsOf)).toContain('ssm:GetParameters');
      for (const statement of ssmStatements) {
        for (const resource of resourcesOf(statement)) {
          expect(flatten(resource)).toMatch(new RegExp(`:parameter/?<${parameterId}>$`));
        }
      }
    });
  });

  test('GIVEN a secret JSON field WHEN synthesized THEN the variable names the field after the secret ARN', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'DbSecret');
    new SpinePipeline(stack, 'Pipeline', {
      source: githubSource(),
      buildOptions: { secrets: { DB_PASSWORD: BuildSecret.fromSecretsManager(secret, 'password') } },
      environments: [{ name: 'Staging' }],
    });
    const variables = onlyResource(Template.fromStack(stack), 'AWS::CodeBuild::Project').resource.Properties.Environment.EnvironmentVariables;
    expect(variables.map((v: any) => ({ ...v, Value: flatten(v.Value) })))
      .toEqual([{ Name: 'DB_PASSWORD', Type: 'SECRETS_MANAGER', Value: `<${logicalId(stack, secret)}>:password` }]);
  });

  describe('GIVEN bad input', () => {
    function build(buildOptions: BuildOptions) {
      return () => new SpinePipeline(newStack(), 'Pipeline', { source: githubSource(), buildOptions, environments: [{ name: 'Staging' }] });
    }

    test.each(['DB_PASSWORD', 'GITHUB_TOKEN', 'API_KEY', 'MY_SECRET', 'aws_secret_access_key', 'PRIVATE_KEY'])(
      'WHEN the plaintext variable %s looks like a secret THEN it throws naming the prop and BuildSecret',
      (name) => {
        const err = thrown(build({ environmentVariables: { [name]: 'hunter2' } }));
        expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
        expect(err.message).toContain(`TestStack/Pipeline: buildOptions.environmentVariables.${name} looks like a secret`);
        expect(err.message).toMatch(/Fix: .*BuildSecret/);
        // the secret value itself is never echoed
        expect(err.message).not.toContain('hunter2');
      },
    );

    test.each([
      ['4 minutes', Duration.minutes(4)],
      ['481 minutes', Duration.minutes(481)],
      ['9 hours', Duration.hours(9)],
    ])('WHEN the timeout is %s THEN it throws naming buildOptions.timeout', (_name, timeout) => {
      expect(build({ timeout })).toThrow(/TestStack\/Pipeline: buildOptions\.timeout must be between 5 minutes and 8 hours.*Fix:/);
    });

    test.each([Duration.minutes(5), Duration.minutes(480)])('WHEN the timeout is the bound %s THEN it is accepted', (timeout) => {
      expect(build({ timeout })).not.toThrow();
    });

    test.each([
      ['testCommands', { testCommands: ['npm test', ''] }, 'buildOptions.testCommands\\[1\\]'],
      ['installCommands', { installCommands: ['   '] }, 'buildOptions.installCommands\\[0\\]'],
      ['commands', { commands: [''] }, 'buildOptions.commands\\[0\\]'],
      ['postBuildCommands', { postBuildCommands: [''] }, 'buildOptions.postBuildCommands\\[0\\]'],
    ])('WHEN %s holds an empty command THEN it throws naming the entry', (_name, options, prop) => {
      expect(build(options as BuildOptions)).toThrow(new RegExp(`TestStack/Pipeline: ${prop} must be a non-empty shell command.*Fix:`));
    });

    test.each(['/abs', '../up', 'reports/../../up', 'C:/reports'])('WHEN testReportDirectory is %j THEN it throws', (dir) => {
      expect(build({ testReportDirectory: dir }))
        .toThrow(/TestStack\/Pipeline: buildOptions\.testReportDirectory must be a relative path inside the source.*Fix:/);
    });

    test('WHEN repositoryBuildSpec escapes the source THEN it throws', () => {
      expect(build({ repositoryBuildSpec: '../buildspec.yml' }))
        .toThrow(/TestStack\/Pipeline: buildOptions\.repositoryBuildSpec must be a relative path.*Fix:/);
    });

    test('WHEN a variable is given both as plaintext and as a secret THEN it throws', () => {
      const stack = newStack();
      const secret = new secretsmanager.Secret(stack, 'Secret');
      expect(() => new SpinePipeline(stack, 'Pipeline', {
        source: githubSource(),
        buildOptions: { environmentVariables: { DATABASE_URL: 'x' }, secrets: { DATABASE_URL: BuildSecret.fromSecretsManager(secret) } },
        environments: [{ name: 'Staging' }],
      })).toThrow(/TestStack\/Pipeline: buildOptions\.environmentVariables\.DATABASE_URL is also given in buildOptions\.secrets.*Fix:/);
    });

    test('WHEN a secret is not a BuildSecret THEN it throws', () => {
      expect(build({ secrets: { DB_PASSWORD: 'plain' as unknown as BuildSecret } }))
        .toThrow(/TestStack\/Pipeline: buildOptions\.secrets\.DB_PASSWORD must be a BuildSecret.*Fix:/);
    });
  });
});
