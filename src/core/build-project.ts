import { ArnFormat, Duration, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BuildOptions } from './build-options';
import { codeBuildDefaultsOf, isLambdaImage, stepTimeout } from './codebuild-defaults';
import { DEFAULTS } from './defaults';
import { acknowledge, acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';

/** Everything `createHardenedProject` needs. @internal */
export interface HardenedProjectProps {
  readonly buildSpec: codebuild.BuildSpec;
  readonly encryptionKey: kms.IKey;
  /**
   * The project's own settings (the build project: `buildOptions`), over the pipeline's
   * `codeBuildDefaults`, over the library's defaults.
   */
  readonly build: BuildOptions;
  /**
   * The timeout a library step needs (it waits for something, e.g. an invalidation): a shorter
   * `codeBuildDefaults.timeout` does not apply to it (warning), a longer one does.
   */
  readonly neededTimeout?: Duration;
  /** Docker needs privileged mode; nothing else gets it. */
  readonly privileged?: boolean;
  readonly reportGroup?: codebuild.IReportGroup;
  readonly description?: string;
  /**
   * Run on CodeBuild's Lambda compute (Python image, 1 GB): starts in seconds instead of an EC2
   * container's 20-60, for short AWS CLI steps. It has no timeout setting and no cache; the
   * image, compute type, timeout and caches of `build` and `codeBuildDefaults` do not apply.
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
  // Layered: the project's own settings, then the pipeline's codeBuildDefaults, then the library's.
  const defaults = codeBuildDefaultsOf(scope);
  const timeout = props.neededTimeout
    ? stepTimeout(scope, props.neededTimeout, defaults)
    : build.timeout ?? defaults.timeout ?? DEFAULTS.buildTimeout;
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
    retention: build.logRetention ?? defaults.logRetention ?? DEFAULTS.buildLogRetention,
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
    // Named only when a policy of another account must name it (a deploy project there).
    roleName: PhysicalName.GENERATE_IF_NEEDED,
  });
  const environmentVariables: { [name: string]: codebuild.BuildEnvironmentVariable } = {};
  for (const [name, value] of Object.entries(build.environmentVariables ?? {})) {
    environmentVariables[name] = { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value };
  }
  for (const [name, secret] of Object.entries(build.secrets ?? {})) {
    // Bound (validated) with the build options; the kept binding names this role only.
    const bound = secret._bind(scope, `buildOptions.secrets.${name}`);
    bound.grantRead(role);
    environmentVariables[name] = bound.variable;
  }
  // The library's own steps on Lambda compute, or a project the user put there (post-deploy tests).
  const onLambda = props.lambdaCompute === true || isLambdaImage(build.buildImage);
  const project = new codebuild.PipelineProject(scope, id, {
    // Named only when the pipeline runs it in another account or region.
    projectName: PhysicalName.GENERATE_IF_NEEDED,
    description: props.description,
    role,
    buildSpec: props.buildSpec,
    encryptionKey: props.encryptionKey,
    environment: onLambda ? {
      buildImage: props.lambdaCompute ? codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_PYTHON_3_12 : build.buildImage,
      computeType: props.lambdaCompute ? codebuild.ComputeType.LAMBDA_1GB : build.computeType ?? codebuild.ComputeType.LAMBDA_1GB,
    } : {
      buildImage: build.buildImage ?? defaults.buildImage ?? DEFAULTS.buildImage,
      computeType: build.computeType ?? defaults.computeType ?? DEFAULTS.buildComputeType,
      privileged: props.privileged ?? false,
    },
    // Lambda compute has a fixed limit and no cache (aws-cdk-lib rejects both).
    timeout: onLambda ? undefined : timeout,
    logging: { cloudWatch: { logGroup } },
    cache: onLambda ? undefined : codebuild.Cache.local(
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
