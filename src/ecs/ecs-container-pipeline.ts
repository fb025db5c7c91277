import { Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ContainerRepositoryOptions, createCacheRepository, createContainerRepository, validateGivenRepository, validateRepositoryOptions } from './container-repository';
import { EcsDeployment } from './ecs-deployment';
import { ServiceInfo } from './service-info';
import { createVulnerabilityGate, validateVulnerabilityGate, VulnerabilityGateOptions } from './vulnerability-gate';
import { BuildSpecExtras, createHardenedProject } from '../core/build';
import { DEFAULTS, SECRET_NAME_PATTERN } from '../core/defaults';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { EnvironmentOptions, findSharedWorkload, validateEnvironments } from '../core/environment';
import { callHook } from '../core/hooks';
import { validateSameEnvironment } from '../core/same-environment';
import { shellQuote } from '../core/shell';
import { fail, show, validateRelativePath, warn } from '../core/validation';

/**
 * One environment of an `EcsContainerPipeline`.
 */
export interface EcsEnvironment extends EnvironmentOptions {
  /**
   * How the environment's service is deployed, e.g. `EcsDeployment.rolling(service)`.
   */
  readonly deployment: EcsDeployment;
}

/**
 * How the container image is built.
 */
export interface ImageBuildOptions {
  /**
   * Path of the Dockerfile, relative to the repository root.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
  /**
   * Build context directory, relative to the repository root.
   *
   * @default '.'
   */
  readonly context?: string;
  /**
   * `--build-arg` values. They are stored in the image history: never pass secrets here.
   *
   * @default - none
   */
  readonly buildArgs?: { [name: string]: string };
  /**
   * Target platform, e.g. `linux/arm64`. Must match the CPU architecture of the tasks
   * (`runtimePlatform.cpuArchitecture`, X86_64 on Fargate when unset): a mismatch fails at
   * synth time. Build on a matching build image rather than across architectures: a platform
   * other than the build host's needs QEMU emulation for every `RUN` step (warning).
   *
   * @default - the build host's platform (linux/amd64 with the default build image, linux/arm64 with an ARM image)
   */
  readonly platform?: string;
  /**
   * Keep Docker's layer cache in a separate ECR cache repository (BuildKit registry cache),
   * so every build host starts warm. The release repository keeps IMMUTABLE tags: only the
   * cache repository's single `buildcache` tag is overwritten.
   *
   * @default true
   */
  readonly registryCache?: boolean;
}

/**
 * Properties of an `EcsContainerPipeline`.
 */
export interface EcsContainerPipelineProps extends DeliveryPipelineProps {
  /**
   * The environments, in deployment order; one stage each.
   */
  readonly environments: EcsEnvironment[];
  /**
   * Repository the image is pushed to. Bring your own only if it already exists; the
   * pipeline cannot harden a repository it does not create.
   *
   * @default - a hardened repository is created (IMMUTABLE tags, scan on push, KMS, lifecycle rules, retained)
   */
  readonly repository?: ecr.IRepository;
  /**
   * Options of the repository the pipeline creates. Ignored (with a warning) when
   * `repository` is given.
   *
   * @default - keep 100 images, expire untagged images after 7 days
   */
  readonly repositoryOptions?: ContainerRepositoryOptions;
  /**
   * How the image is built.
   *
   * @default - `docker build` of `Dockerfile` in the repository root
   */
  readonly imageBuild?: ImageBuildOptions;
  /**
   * Scan the pushed image and stop the pipeline before any deployment when it has findings
   * at or above a severity; keep the findings and the SBOM as the `Sbom` artifact.
   *
   * @default - no gate (images are still scanned on push)
   */
  readonly vulnerabilityGate?: VulnerabilityGateOptions;
}

/**
 * A complete delivery pipeline for a container service on ECS:
 * Source → Build & test (image tagged with the commit SHA, pushed to ECR) → per environment:
 * approval? → deploy.
 */
export class EcsContainerPipeline extends DeliveryPipeline {
  /** The ECR repository the image is pushed to (escape hatch). */
  public readonly repository: ecr.IRepository;
  /** The ECR repository that holds the Docker layer cache, when `imageBuild.registryCache` is on. */
  public readonly cacheRepository?: ecr.IRepository;

  /** Image definitions file for each container name the environments deploy. */
  private readonly imageDefinitionFiles: Map<string, string>;
  private readonly imageBuild: ImageBuildOptions;
  private readonly containerNames: string[];
  private readonly environments: EcsEnvironment[];
  private readonly vulnerabilityGate?: VulnerabilityGateOptions;
  private _sbomOutput?: codepipeline.Artifact;

  constructor(scope: Construct, id: string, props: EcsContainerPipelineProps) {
    super(scope, id, props);
    validateEnvironments(this, props.environments);
    props.environments.forEach((env, i) => {
      if (!(env.deployment instanceof EcsDeployment)) {
        fail(this, `environments[${i}].deployment`, `must be created by an EcsDeployment factory, got ${show(env.deployment)}`,
          'use EcsDeployment.rolling(service)');
      }
      env.deployment._validate(this, `environments[${i}].deployment`);
      validateSameEnvironment(this, `environments[${i}].deployment.service`, env.deployment.service);
    });
    validateOneServicePerEnvironment(this, props.environments);
    this.imageBuild = props.imageBuild ?? {};
    validateImageBuild(this, this.imageBuild);
    validateImageArchitecture(this, this.imageBuild.platform, this.buildOptions.buildImage, props.environments);

    validateGivenRepository(this, props.repository);
    if (props.repository) {
      if (props.repositoryOptions) {
        warn(this, 'RepositoryOptionsIgnored', 'repositoryOptions is ignored because repository is given: configure lifecycle rules on your repository');
      }
      this.repository = props.repository;
    } else {
      const options = props.repositoryOptions ?? {};
      validateRepositoryOptions(this, options);
      this.repository = createContainerRepository(this, 'Repository', options);
    }

    // Rolling and ECS-native deployments read an image definitions file: one per distinct
    // container name (the usual case is one: imagedefinitions.json).
    this.containerNames = props.environments.map((env, i) => env.deployment._containerName(this, `environments[${i}].deployment`));
    this.imageDefinitionFiles = new Map();
    props.environments.forEach((env, i) => {
      const name = this.containerNames[i];
      if (env.deployment._usesImageDefinitions() && !this.imageDefinitionFiles.has(name)) {
        this.imageDefinitionFiles.set(name, this.imageDefinitionFiles.size === 0 ? 'imagedefinitions.json' : `imagedefinitions-${this.imageDefinitionFiles.size}.json`);
      }
    });
    this.environments = props.environments;
    props.environments.forEach((env, i) => {
      if (env.deployment._usesImageDefinitions()) {
        warnImageResetByCdkDeploy(this, `environments[${i}].deployment`, env.deployment.service, this.containerNames[i], this.repository);
      }
    });

    if (this.imageBuild.registryCache ?? true) {
      this.cacheRepository = createCacheRepository(this, 'BuildCacheRepository');
    }

    if (props.vulnerabilityGate) {
      validateVulnerabilityGate(this, props.vulnerabilityGate);
    }
    this.vulnerabilityGate = props.vulnerabilityGate;
  }

  /** The scan findings and SBOM artifact, when the vulnerability gate is on. */
  public get sbomOutput(): codepipeline.Artifact | undefined {
    this.ensureStages();
    return this._sbomOutput;
  }

  /**
   * The Build stage (tests, image build and push, optional vulnerability gate) and one stage
   * per environment.
   */
  protected addStages(): void {
    this.addBuildStage({
      REPOSITORY_URI: { value: this.repository.repositoryUri },
      REPOSITORY_NAME: { value: this.repository.repositoryName },
      ...(this.cacheRepository ? { CACHE_REPOSITORY_URI: { value: this.cacheRepository.repositoryUri } } : {}),
    });
    this.repository.grantPullPush(this.buildProject);
    this.cacheRepository?.grantPullPush(this.buildProject);
    // Reads the pushed image's digest, and lets a retry of the same commit reuse the image.
    this.repository.grant(this.buildProject, 'ecr:DescribeImages');
    this.environments.forEach((env, i) => {
      env.deployment._grantBuild(this.buildProject);
      env.deployment._grantPull(this, `${env.name}ExecutionRolePull`, `environments[${i}].deployment`, this.repository);
    });

    if (this.vulnerabilityGate) {
      const gate = createVulnerabilityGate(this, this.vulnerabilityGate, {
        repository: this.repository,
        artifactBucket: this.artifactBucket,
        encryptionKey: this.encryptionKey,
        input: this.buildOutput,
        imageDigest: this.imageDigest,
        imageTag: this.buildVariable('IMAGE_TAG'),
      });
      this.pipeline.stages.find((st) => st.stageName === 'Build')!.addAction(gate.action);
      this._sbomOutput = gate.output;
    }

    this.environments.forEach((env, i) => {
      const deploy = callHook(this, 'createDeployAction', () => this.createDeployAction(env, this.imageDefinitionFiles.get(this.containerNames[i]) ?? ''));
      // CodeDeploy blue/green captures the service's task definition right before it deploys.
      this.addEnvironmentStage(env, [...env.deployment._preDeployActions(), deploy]);
    });
  }

  /** The image digest the build pushed, as a pipeline variable: every environment deploys it. */
  public get imageDigest(): string {
    return this.buildVariable('IMAGE_DIGEST');
  }

  /**
   * Hook: create the deploy action of one environment. The default deploys
   * `environment.deployment` with a least-privilege action role. Override to deploy differently.
   *
   * @param environment the environment
   * @param imageDefinitionsFile file in the build output naming the image for the environment's
   * container (rolling and ECS-native deployments; empty for CodeDeploy blue/green)
   */
  protected createDeployAction(environment: EcsEnvironment, imageDefinitionsFile: string): codepipeline.IAction {
    return environment.deployment._createAction(this, {
      actionName: 'Deploy',
      environmentName: environment.name,
      input: this.buildOutput,
      imageDefinitionsFile,
      runOrder: 2,
      encryptionKey: this.encryptionKey,
    });
  }

  /**
   * The buildspec: the user's install and test commands, then `docker build` tagged with the
   * commit SHA (never `latest`), push, and what each environment's deploy action reads — all
   * naming the image by its digest, so every environment runs the very image built here.
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    const steps = this.environments.map((env, i) => env.deployment._buildSteps(this, env.name, this.containerNames[i]));
    return {
      preBuild: [
        'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
        // Docker tags allow [A-Za-z0-9_.-] up to 128 characters; commit SHAs always fit.
        'IMAGE_TAG="$(printf \'%s\' "$SOURCE_REVISION" | tr -c \'A-Za-z0-9_.-\' \'-\' | cut -c1-128)"',
        'test -n "$IMAGE_TAG" || { echo "No source revision to tag the image with" >&2; exit 1; }',
      ],
      build: [
        // Tags are immutable: a retry of the same commit reuses the image it already pushed.
        'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" >/dev/null 2>&1; then ' +
          'echo "Image $IMAGE_TAG already pushed, reusing it"; ' +
          `else ${this.dockerBuildCommand()}; fi`,
        'IMAGE_DIGEST="$(aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query \'imageDetails[0].imageDigest\' --output text)"',
        'IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"',
        ...[...this.imageDefinitionFiles.entries()].map(([container, file]) =>
          `printf '[{"name":"%s","imageUri":"%s"}]' ${shellQuote(container)} "$IMAGE_URI" > ${file}`),
        'printf \'{"ImageURI":"%s"}\' "$IMAGE_URI" > imageDetail.json',
        ...steps.flatMap((s) => s.commands),
      ],
      artifactFiles: [...this.imageDefinitionFiles.values(), 'imageDetail.json', ...steps.flatMap((s) => s.files)],
      exportedVariables: ['IMAGE_TAG', 'IMAGE_DIGEST', 'IMAGE_URI'],
    };
  }

  /** The hardened project, privileged because the Docker daemon needs it. */
  protected createBuildProject(buildSpec: codebuild.BuildSpec): codebuild.IProject {
    return createHardenedProject(this, 'Build', {
      buildSpec,
      encryptionKey: this.encryptionKey,
      build: this.buildOptions,
      privileged: true,
      reportGroup: this.testReportGroup,
      description: `Test, build and push the container image of ${this.node.path}`,
    });
  }

  /**
   * `docker build` + push; with the registry cache, the build imports the cache from, and
   * pushes the image with its inline cache to, the cache repository's `buildcache` tag.
   *
   * The build runs on the Docker daemon's own BuildKit (the `docker` driver), not a
   * `docker buildx create --driver docker-container` builder: that one pulls `moby/buildkit`
   * from Docker Hub on every fresh build host, anonymously, from CodeBuild's shared IP addresses
   * (Docker Hub's pull rate limit), and no copy on ECR Public is published by Docker or AWS that
   * the build could pull instead (the copies there are third parties', and the builder runs
   * privileged with the registry login). With the daemon's driver, `--cache-to` exporters
   * (even type=inline) need the containerd image store (Docker docs, "Cache storage backends"),
   * which CodeBuild's Docker does not enable; the `BUILDKIT_INLINE_CACHE=1` build argument and
   * `--cache-from <image>` are the daemon BuildKit's own inline cache (Docker docs, "Inline
   * cache"), with no exporter: the final image's layers are cached, not intermediate stages.
   */
  private dockerBuildCommand(): string {
    const b = this.imageBuild;
    const options = [
      `--file ${shellQuote(b.dockerfile ?? DEFAULTS.dockerfile)}`,
      ...(b.platform ? [`--platform ${shellQuote(b.platform)}`] : []),
      ...Object.entries(b.buildArgs ?? {}).map(([k, v]) => `--build-arg ${shellQuote(`${k}=${v}`)}`),
      '--tag "$REPOSITORY_URI:$IMAGE_TAG"',
    ];
    const context = shellQuote(b.context ?? DEFAULTS.dockerContext);
    const push = 'docker push "$REPOSITORY_URI:$IMAGE_TAG"';
    if (!this.cacheRepository) {
      return `docker build ${options.join(' ')} ${context} && ${push}`;
    }
    const cache = '"$CACHE_REPOSITORY_URI:buildcache"';
    return [
      // A missing cache image (the first build) is a warning, not an error, for BuildKit.
      `DOCKER_BUILDKIT=1 docker build ${options.join(' ')} --cache-from ${cache} --build-arg BUILDKIT_INLINE_CACHE=1 ${context}`,
      `&& ${push}`,
      // The cache is best effort: a failed cache push must not fail a release that is pushed.
      `&& { docker tag "$REPOSITORY_URI:$IMAGE_TAG" ${cache} && docker push ${cache} || echo "Warning: the layer cache was not pushed" >&2; }`,
    ].join(' ');
  }
}

function validateImageBuild(scope: Construct, b: ImageBuildOptions): void {
  validateRelativePath(scope, 'imageBuild.dockerfile', b.dockerfile);
  validateRelativePath(scope, 'imageBuild.context', b.context);
  if (b.platform !== undefined && !Token.isUnresolved(b.platform) && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(b.platform)) {
    fail(scope, 'imageBuild.platform', `is not a platform, got ${show(b.platform)}`, 'use os/arch[/variant], e.g. "linux/arm64"');
  }
  for (const [name, value] of Object.entries(b.buildArgs ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      fail(scope, `imageBuild.buildArgs.${name}`, 'is not a valid build argument name', 'use letters, digits and underscores');
    }
    if (SECRET_NAME_PATTERN.test(name)) {
      fail(scope, `imageBuild.buildArgs.${name}`, 'looks like a secret; build arguments are stored in the image history',
        'pass the secret to the build through buildOptions.secrets and a Docker build secret (--secret), not a build argument');
    }
    if (typeof value !== 'string') {
      fail(scope, `imageBuild.buildArgs.${name}`, `must be a string, got ${show(value)}`, 'pass the value as a string');
    }
  }
}

/**
 * The ECS deploy action registers revisions outside CloudFormation; the service's TaskDefinition
 * stays a Ref to the revision CDK rendered. A `cdk deploy` that changes the task definition puts
 * the service back on the image written in the app, until the next pipeline run.
 */
function warnImageResetByCdkDeploy(
  scope: Construct, prop: string, service: ecs.IBaseService, containerName: string, repository: ecr.IRepository,
): void {
  if (new ServiceInfo(service).imageIsFrom(containerName, repository) !== false) {
    return;
  }
  warn(scope, 'EcsImageResetByCdkDeploy',
    `${prop}: container ${show(containerName)} of ${service.node.path} runs an image that is not from the pipeline's repository in the app, ` +
    'so a cdk deploy that changes its task definition puts the service back on that image until the next pipeline run. ' +
    'Name the running image in the app (ecs.ContainerImage.fromEcrRepository(repository, tag) with the deployed tag from context or SSM), ' +
    'or start the pipeline after such a deploy (README: "Day 2").');
}

/** Docker platform architecture → ECS cpuArchitecture. */
const ECS_ARCHITECTURES: Record<string, string> = { amd64: 'X86_64', arm64: 'ARM64' };

/**
 * The image must run on the tasks' CPU architecture, or every task stops with "exec format
 * error" and the deployment rolls back. Without `platform`, Docker builds for the build host:
 * amd64 on the default image, arm64 on an ARM image. Tokens and tasks whose architecture is
 * unknowable (imported services, EC2 tasks without a runtime platform) are not judged.
 */
function validateImageArchitecture(
  scope: Construct, platform: string | undefined, buildImage: codebuild.IBuildImage | undefined, environments: EcsEnvironment[],
): void {
  if (platform !== undefined && Token.isUnresolved(platform)) {
    return;
  }
  const hostArch = buildHostArchitecture(buildImage);
  const builtArch = platform !== undefined ? ECS_ARCHITECTURES[platform.split('/')[1]] ?? platform : hostArch;
  environments.forEach((env, i) => {
    const taskArch = new ServiceInfo(env.deployment.service).cpuArchitecture;
    if (taskArch === undefined || taskArch === builtArch) {
      return;
    }
    const wanted = `linux/${Object.keys(ECS_ARCHITECTURES).find((k) => ECS_ARCHITECTURES[k] === taskArch) ?? taskArch.toLowerCase()}`;
    const built = platform !== undefined ? `builds ${show(platform)} images` : `is not set, so the image is built for the build host (${hostArch})`;
    fail(scope, 'imageBuild.platform',
      `${built}, but the tasks of environments[${i}] ("${env.name}", ${env.deployment.service.node.path}) run on ${taskArch} ` +
      '(the task definition\'s runtimePlatform.cpuArchitecture, X86_64 on Fargate when unset): every task would stop with "exec format error"',
      `set imageBuild.platform to '${wanted}' (and build on a matching build image, e.g. buildOptions.buildImage: ` +
      `${taskArch === 'ARM64' ? 'codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0' : 'the default (aws/codebuild/standard:8.0, x86_64)'}, so no emulation is needed), ` +
      'or set the task definition\'s runtimePlatform.cpuArchitecture to the architecture the image is built for');
  });
  if (platform !== undefined && builtArch !== hostArch) {
    // The daemon's BuildKit (the docker driver) runs a foreign-architecture RUN step only through
    // QEMU registered in binfmt_misc on the host, which CodeBuild's images do not promise.
    warn(scope, 'ImageBuildEmulated',
      `imageBuild.platform ${show(platform)} differs from the build host's architecture (${hostArch}): every RUN step of the Dockerfile ` +
      'needs QEMU emulation on the build host and fails with "exec format error" without it. Build on a matching image instead ' +
      '(buildOptions.buildImage, e.g. codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 for linux/arm64).');
  }
}

/** The build host's architecture: ARM for the ARM (and ARM Lambda) CodeBuild environments. */
function buildHostArchitecture(buildImage: codebuild.IBuildImage | undefined): string {
  return /ARM/.test(buildImage?.type ?? '') ? 'ARM64' : 'X86_64';
}

/**
 * Two environments must not deploy one service: the second would redeploy what the first just
 * deployed, so the approval between them would guard nothing.
 */
function validateOneServicePerEnvironment(scope: Construct, environments: EcsEnvironment[]): void {
  const shared = findSharedWorkload(environments, (a, b) => sameService(a.deployment.service, b.deployment.service));
  if (shared) {
    const [env, other] = [environments[shared[0]], environments[shared[1]]];
    fail(scope, `environments[${shared[0]}].deployment.service`,
      `is the service of environments[${shared[1]}] ("${other.name}") as well, got ${env.deployment.service.node.path}`,
      'give each environment its own service: environments that share a service deploy each other\'s image, and the approval between them guards nothing');
  }
}

/** Whether two services are the same, as far as synth can tell (same construct, or the same resolved ARN). */
function sameService(a: ecs.IBaseService, b: ecs.IBaseService): boolean {
  if (a === b || a.node === b.node) {
    return true;
  }
  const stack = Stack.of(a);
  return Stack.of(b) === stack && JSON.stringify(stack.resolve(a.serviceArn)) === JSON.stringify(stack.resolve(b.serviceArn));
}
