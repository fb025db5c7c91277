import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DEFAULTS, RESERVED_BUILD_VARIABLES, SECRET_NAME_PATTERN } from './defaults';
import { acknowledge, acknowledgeInPacks, NagPackPrefix } from './nag';
import {
  fail, show, validateCommands, validateDuration, validateOneOf, validateOptionsObject, validateRelativePath, validateShape,
  validateStringList, validateStringMap, validateWholeMinutes, warn,
} from './validation';

/**
 * A secret given to the build as an environment variable, resolved by CodeBuild at build time
 * so the value never appears in the template or the console. Use the static factories.
 */
export abstract class BuildSecret {
  /**
   * A Secrets Manager secret (optionally one JSON field of it).
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, jsonField?: string): BuildSecret {
    return new SecretsManagerBuildSecret(secret, jsonField);
  }

  /**
   * An SSM Parameter Store parameter (String or SecureString).
   */
  public static fromSsmParameter(parameter: ssm.IParameter): BuildSecret {
    return new SsmBuildSecret(parameter);
  }

  /** @internal */
  public abstract _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable;

  /** Throw the library's error when the factory was given nothing to read. @internal */
  public abstract _validate(scope: Construct, prop: string): void;
}

class SecretsManagerBuildSecret extends BuildSecret {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField?: string) {
    super();
  }
  public _validate(scope: Construct, prop: string): void {
    validateShape(scope, prop, this.secret ?? null, ['secretArn', 'grantRead'], 'a Secrets Manager secret (BuildSecret.fromSecretsManager(secret))',
      'pass the secret construct, e.g. BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, "Db", "db"))');
  }
  public _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable {
    this.secret.grantRead(grantee);
    return {
      type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
      value: this.jsonField ? `${this.secret.secretArn}:${this.jsonField}` : this.secret.secretArn,
    };
  }
}

class SsmBuildSecret extends BuildSecret {
  constructor(private readonly parameter: ssm.IParameter) {
    super();
  }
  public _validate(scope: Construct, prop: string): void {
    validateShape(scope, prop, this.parameter ?? null, ['parameterName', 'grantRead'], 'an SSM parameter (BuildSecret.fromSsmParameter(parameter))',
      'pass the parameter construct, e.g. BuildSecret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, "Token", { parameterName }))');
  }
  public _bind(grantee: iam.IGrantable): codebuild.BuildEnvironmentVariable {
    this.parameter.grantRead(grantee);
    return { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: this.parameter.parameterName };
  }
}

/**
 * What the build stage runs and on what. Commands run in this order: install, tests
 * (pre_build), build, post-build. The buildspec is generated from them inline, so a pushed
 * `buildspec.yml` cannot change what runs under the pipeline's role.
 */
export interface BuildOptions {
  /**
   * Commands of the install phase, e.g. `npm ci`.
   *
   * @default - none
   */
  readonly installCommands?: string[];
  /**
   * Test commands; they run before the build commands, so a failing test stops the pipeline
   * before anything is built or pushed.
   *
   * @default - none
   */
  readonly testCommands?: string[];
  /**
   * Build commands, e.g. `npm run build`.
   *
   * @default - none (container pipelines still build and push the image)
   */
  readonly commands?: string[];
  /**
   * Commands of the post_build phase.
   *
   * @default - none
   */
  readonly postBuildCommands?: string[];
  /**
   * Runtime versions for the install phase, e.g. `{ nodejs: '22' }` (the default image,
   * `standard:8.0`, offers Node.js 22 and 24; see CodeBuild's "Available runtimes"). Pin the
   * version your build targets: an image's default version changes when it reaches end of life.
   *
   * @default - the image's defaults (Node.js 24 on the default image)
   */
  readonly runtimeVersions?: { [runtime: string]: string };
  /**
   * Plaintext environment variables. A name that looks like a secret (PASSWORD, TOKEN,
   * SECRET, API_KEY, ...) is rejected: pass it through `secrets` instead.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };
  /**
   * Secrets from Secrets Manager or Parameter Store, resolved by CodeBuild at build time.
   * The build role may read exactly these.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: BuildSecret };
  /**
   * Build image.
   *
   * @default codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0') (Ubuntu 24.04, Node.js 24)
   */
  readonly buildImage?: codebuild.IBuildImage;
  /**
   * Compute size. Container compute only: Lambda compute (`LAMBDA_*`) has no build timeout,
   * no local cache and no Docker, and is rejected.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;
  /**
   * Build timeout, between 5 minutes (CodeBuild's minimum) and 8 hours.
   *
   * @default Duration.minutes(20)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the build log group.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Dependency directories to cache between builds on the same host, e.g.
   * `node_modules/**\/*` or `/root/.m2/**\/*`.
   *
   * @default - none (the source cache is always on)
   */
  readonly cachePaths?: string[];
  /**
   * Directory, relative to the source root, where the tests write JUnit XML reports. When
   * set, the reports are sent to a CodeBuild report group.
   *
   * @default - no test reports
   */
  readonly testReportDirectory?: string;
  /**
   * Use this buildspec file from the repository instead of generating one from the
   * commands. Opt-in: anyone who can push to the branch then decides what runs under the
   * build role.
   *
   * @default - the buildspec is generated from the commands
   */
  readonly repositoryBuildSpec?: string;
}

/** Extra, workload-specific parts of a generated buildspec. @internal */
export interface BuildSpecExtras {
  readonly preBuild?: string[];
  readonly build?: string[];
  readonly postBuild?: string[];
  readonly artifactFiles?: string[];
  readonly artifactBaseDirectory?: string;
  /** Shell variables the build exports as pipeline variables (`#{<namespace>.NAME}`). */
  readonly exportedVariables?: string[];
}

/**
 * CodeBuild Lambda compute has no build timeout, no local cache and no privileged mode (Docker),
 * which every build project of the pipeline sets; aws-cdk-lib would reject the project with its
 * own error ("Cannot specify timeout / cache for Lambda compute"), so fail first, naming the prop.
 */
function rejectLambdaCompute(scope: Construct, build: BuildOptions): void {
  const why = 'CodeBuild Lambda compute has no build timeout, no local cache and no Docker (privileged mode), which the pipeline\'s build relies on';
  const computeType: unknown = build.computeType;
  if (typeof computeType === 'string' && !Token.isUnresolved(computeType) && computeType.startsWith('BUILD_LAMBDA_')) {
    fail(scope, 'buildOptions.computeType', `is Lambda compute, got ${show(computeType)}: ${why}`,
      'use a container compute type, e.g. codebuild.ComputeType.SMALL or MEDIUM, with a container image (the default, aws/codebuild/standard:8.0, when buildImage is not set)');
  }
  const imageType: unknown = build.buildImage?.type;
  if (typeof imageType === 'string' && imageType.endsWith('_LAMBDA_CONTAINER')) {
    fail(scope, 'buildOptions.buildImage', `is a Lambda compute image (${show(build.buildImage?.imageId)}, type ${imageType}): ${why}`,
      'leave buildImage unset (aws/codebuild/standard:8.0) or use a container image, e.g. codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5');
  }
}

/**
 * Fail when `buildOptions.environmentVariables` or `buildOptions.secrets` sets `name`, a build
 * variable the pipeline sets itself (the spine's, or a workload pipeline's own).
 */
export function rejectPipelineVariable(scope: Construct, build: BuildOptions, name: string, problem: string, fix: string): void {
  for (const bag of ['environmentVariables', 'secrets'] as const) {
    if (Object.keys(build[bag] ?? {}).includes(name)) {
      fail(scope, `buildOptions.${bag}.${name}`, problem, fix);
    }
  }
}

/** Validate build options; throws the library's error. @internal */
export function validateBuildOptions(scope: Construct, build: BuildOptions): void {
  validateOptionsObject(scope, 'buildOptions', build, 'pass e.g. buildOptions: { testCommands: ["npm test"] }');
  validateStringMap(scope, 'buildOptions.environmentVariables', build.environmentVariables, 'pass e.g. environmentVariables: { STAGE: "prod" }');
  validateStringMap(scope, 'buildOptions.runtimeVersions', build.runtimeVersions, 'pass e.g. runtimeVersions: { nodejs: "22" }');
  validateStringList(scope, 'buildOptions.cachePaths', build.cachePaths, 'pass a list of paths, e.g. cachePaths: ["/root/.npm/**/*"]');
  validateOneOf(scope, 'buildOptions.logRetention', build.logRetention, Object.values(logs.RetentionDays).filter((v) => typeof v === 'number'),
    'use a logs.RetentionDays value, e.g. logs.RetentionDays.THREE_MONTHS');
  validateOneOf(scope, 'buildOptions.computeType', build.computeType, Object.values(codebuild.ComputeType), 'use a codebuild.ComputeType value, e.g. codebuild.ComputeType.SMALL');
  validateShape(scope, 'buildOptions.buildImage', build.buildImage, ['imageId', 'validate'], 'a codebuild.IBuildImage',
    'use e.g. codebuild.LinuxBuildImage.fromCodeBuildImageId("aws/codebuild/standard:8.0") or codebuild.LinuxBuildImage.fromDockerRegistry(image)');
  rejectLambdaCompute(scope, build);
  if (build.secrets !== undefined && (build.secrets === null || typeof build.secrets !== 'object' || Array.isArray(build.secrets))) {
    fail(scope, 'buildOptions.secrets', `must be a map of names to BuildSecrets, got ${show(build.secrets)}`, 'pass e.g. secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) }');
  }
  validateCommands(scope, 'buildOptions.installCommands', build.installCommands);
  validateCommands(scope, 'buildOptions.testCommands', build.testCommands);
  validateCommands(scope, 'buildOptions.commands', build.commands);
  validateCommands(scope, 'buildOptions.postBuildCommands', build.postBuildCommands);
  validateDuration(scope, 'buildOptions.timeout', build.timeout, DEFAULTS.buildTimeoutMin, DEFAULTS.buildTimeoutMax);
  validateWholeMinutes(scope, 'buildOptions.timeout', build.timeout);
  validateRelativePath(scope, 'buildOptions.testReportDirectory', build.testReportDirectory);
  validateRelativePath(scope, 'buildOptions.repositoryBuildSpec', build.repositoryBuildSpec);
  const ignoredByRepositoryBuildSpec = (['installCommands', 'testCommands', 'commands', 'postBuildCommands', 'runtimeVersions', 'cachePaths'] as const)
    .filter((k) => build[k] !== undefined);
  if (build.repositoryBuildSpec && ignoredByRepositoryBuildSpec.length > 0) {
    warn(scope, 'BuildCommandsIgnored',
      `buildOptions.${ignoredByRepositoryBuildSpec.join(', buildOptions.')} ignored: buildOptions.repositoryBuildSpec (${build.repositoryBuildSpec}) decides what the build runs`);
  }
  for (const name of RESERVED_BUILD_VARIABLES) {
    rejectPipelineVariable(scope, build, name, `is a variable the pipeline sets itself (${RESERVED_BUILD_VARIABLES.join(', ')})`,
      'choose another variable name');
  }
  for (const [name, value] of Object.entries(build.environmentVariables ?? {})) {
    if (SECRET_NAME_PATTERN.test(name)) {
      fail(scope, `buildOptions.environmentVariables.${name}`, 'looks like a secret but is a plaintext value (it would be visible in the template and the CodeBuild console)',
        `remove it from buildOptions.environmentVariables and pass it as buildOptions.secrets: { ${name}: BuildSecret.fromSecretsManager(secret) } or BuildSecret.fromSsmParameter(parameter)`);
    }
    if (typeof value !== 'string') {
      fail(scope, `buildOptions.environmentVariables.${name}`, `must be a string, got ${show(value)}`, 'pass the value as a string');
    }
  }
  for (const [name, secret] of Object.entries(build.secrets ?? {})) {
    if (!(secret instanceof BuildSecret)) {
      fail(scope, `buildOptions.secrets.${name}`, `must be a BuildSecret, got ${show(secret)}`, 'use BuildSecret.fromSecretsManager(...) or BuildSecret.fromSsmParameter(...)');
    }
    secret._validate(scope, `buildOptions.secrets.${name}`);
  }
  for (const [name] of Object.entries(build.environmentVariables ?? {})) {
    if (build.secrets && name in build.secrets) {
      fail(scope, `buildOptions.environmentVariables.${name}`, 'is also given in buildOptions.secrets', 'give each variable once');
    }
  }
}

/**
 * Render the buildspec from the user's commands plus the workload's own steps. @internal
 */
export function generateBuildSpec(build: BuildOptions, extras: BuildSpecExtras = {}, reportGroupKey?: string): codebuild.BuildSpec {
  if (build.repositoryBuildSpec) {
    return codebuild.BuildSpec.fromSourceFilename(build.repositoryBuildSpec);
  }
  const phase = (commands: string[]) => (commands.length > 0 ? { commands } : undefined);
  const install: Record<string, unknown> = {};
  if (build.runtimeVersions && Object.keys(build.runtimeVersions).length > 0) {
    install['runtime-versions'] = build.runtimeVersions;
  }
  if ((build.installCommands ?? []).length > 0) {
    install.commands = build.installCommands;
  }
  const spec: Record<string, any> = {
    version: '0.2',
    env: prune({ 'shell': 'bash', 'exported-variables': extras.exportedVariables?.length ? extras.exportedVariables : undefined }),
    phases: prune({
      install: Object.keys(install).length > 0 ? install : undefined,
      pre_build: phase([...(build.testCommands ?? []), ...(extras.preBuild ?? [])]),
      build: phase([...(build.commands ?? []), ...(extras.build ?? [])]),
      post_build: phase([...(extras.postBuild ?? []), ...(build.postBuildCommands ?? [])]),
    }),
  };
  if (extras.artifactFiles && extras.artifactFiles.length > 0) {
    spec.artifacts = prune({ 'files': extras.artifactFiles, 'base-directory': extras.artifactBaseDirectory });
  }
  if (build.testReportDirectory && reportGroupKey) {
    spec.reports = {
      [reportGroupKey]: { 'files': ['**/*.xml'], 'base-directory': build.testReportDirectory, 'file-format': 'JUNITXML' },
    };
  }
  if (build.cachePaths && build.cachePaths.length > 0) {
    spec.cache = { paths: build.cachePaths };
  }
  return codebuild.BuildSpec.fromObject(spec);
}

/** Everything `createHardenedProject` needs. @internal */
export interface HardenedProjectProps {
  readonly buildSpec: codebuild.BuildSpec;
  readonly encryptionKey: kms.IKey;
  readonly build: BuildOptions;
  /** Docker needs privileged mode; nothing else gets it. */
  readonly privileged?: boolean;
  readonly reportGroup?: codebuild.IReportGroup;
  readonly description?: string;
  /**
   * Run on CodeBuild's Lambda compute (Python image, 1 GB): starts in seconds instead of an EC2
   * container's 20-60, for short AWS CLI steps. It has no timeout setting and no cache; `build`'s
   * image, compute type, timeout and caches do not apply.
   */
  readonly lambdaCompute?: boolean;
}

/**
 * The one hardened CodeBuild project every pipeline uses: customer KMS key, managed image,
 * SMALL compute, 20 minute timeout, own log group with retention, local caches, secrets only
 * through Secrets Manager / Parameter Store. @internal
 */
export function createHardenedProject(scope: Construct, id: string, props: HardenedProjectProps): codebuild.PipelineProject {
  const build = props.build;
  // Build logs are encrypted with the pipeline key, which CloudWatch Logs may use only for log
  // groups of this account and region. A key whose policy cannot be amended (imported) is not
  // used: the log group would fail to create.
  const stack = Stack.of(scope);
  const logsMayUseKey = props.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogsEncryptsBuildLogs',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }), true).statementAdded;
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: build.logRetention ?? DEFAULTS.buildLogRetention,
    encryptionKey: logsMayUseKey ? props.encryptionKey : undefined,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (!logsMayUseKey) {
    acknowledgeInPacks(logGroup, 'CloudWatchLogGroupEncrypted', [NagPackPrefix.NIST_800_53_R5, NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321],
      'The artifact store\'s KMS key is imported, so the pipeline cannot let CloudWatch Logs use it; the build logs are encrypted at rest with CloudWatch Logs\' own keys');
  }
  // The role exists before the project so each secret grant names it and nothing else.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: `Build role of ${scope.node.path}`,
  });
  const environmentVariables: { [name: string]: codebuild.BuildEnvironmentVariable } = {};
  for (const [name, value] of Object.entries(build.environmentVariables ?? {})) {
    environmentVariables[name] = { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value };
  }
  for (const [name, secret] of Object.entries(build.secrets ?? {})) {
    environmentVariables[name] = secret._bind(role);
  }
  const project = new codebuild.PipelineProject(scope, id, {
    description: props.description,
    role,
    buildSpec: props.buildSpec,
    encryptionKey: props.encryptionKey,
    environment: props.lambdaCompute ? {
      buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_PYTHON_3_12,
      computeType: codebuild.ComputeType.LAMBDA_1GB,
    } : {
      buildImage: build.buildImage ?? DEFAULTS.buildImage,
      computeType: build.computeType ?? DEFAULTS.buildComputeType,
      privileged: props.privileged ?? false,
    },
    // Lambda compute has a fixed limit and no cache (aws-cdk-lib rejects both).
    timeout: props.lambdaCompute ? undefined : build.timeout ?? DEFAULTS.buildTimeout,
    logging: { cloudWatch: { logGroup } },
    cache: props.lambdaCompute ? undefined : codebuild.Cache.local(
      codebuild.LocalCacheMode.SOURCE,
      codebuild.LocalCacheMode.CUSTOM,
      ...(props.privileged ? [codebuild.LocalCacheMode.DOCKER_LAYER] : []),
    ),
    environmentVariables,
  });
  if (props.reportGroup) {
    props.reportGroup.grantWrite(project);
  }
  acknowledgeInPacks(project, 'CodeBuildProjectSourceRepoUrl', [NagPackPrefix.HIPAA_SECURITY, NagPackPrefix.PCI_DSS_321],
    'The project\'s source is the pipeline\'s source artifact (source type CODEPIPELINE): the pipeline\'s source action reaches the repository, ' +
    'so the project holds no repository URL and no credentials');
  if (props.privileged) {
    acknowledge(project, {
      ruleId: 'AwsSolutions-CB3',
      reason: 'Privileged mode is on only for the container image build: the Docker daemon needs it to build and push the image',
    });
  }
  return project;
}

/** Drop undefined fields so the rendered buildspec has no empty keys. */
function prune<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
