import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ContainerRepositoryOptions, createCacheRepository, createContainerRepository, validateGivenRepository, validateRepositoryOptions } from './container-repository';
import { EcsDeployActionContext, EcsDeployment, EcsDeploymentBinding } from './ecs-deployment';
import { dockerBuildCommand, ImageBuildOptions, validateImageArchitecture, validateImageBuild } from './image-build';
import { ECS_WILDCARD_REVIEWS } from './nag-reasons';
import { grantExecutionRolePull, validateNamedAcrossEnvironments } from './service-info';
import { createVulnerabilityGate, validateVulnerabilityGate, VulnerabilityGateOptions } from './vulnerability-gate';
import { createHardenedProject } from '../core/build-project';
import { reserveBuildVariables, setByThePipeline } from '../core/build-variables';
import { BuildSpecExtras } from '../core/buildspec';
import { DeliveryPipeline, DeliveryPipelineProps } from '../core/delivery-pipeline';
import { bindEnvironments, BoundEnvironment, boundEnvironment, EnvironmentOptions } from '../core/environment';
import { callHook } from '../core/hooks';
import { createPostDeployTestAction, postDeployTestTimeout } from '../core/post-deploy-tests';
import { shellQuote } from '../core/shell';
import { resolveTarget, TargetEnvironment } from '../core/target-environment';
import { show, warn } from '../core/validation';
import { addWildcardReviews, claimLibraryConstructs } from '../core/wildcard-review';

/** The build variables the image build steps read, which the pipeline sets on the build action. */
const IMAGE_BUILD_VARIABLES = setByThePipeline(['REPOSITORY_URI', 'REPOSITORY_NAME', 'CACHE_REPOSITORY_URI']);

/** Why two environments must not deploy one service. */
const SHARED_SERVICE = 'environments that share a service deploy each other\'s image, and the approval between them guards nothing';

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

  private readonly imageBuild: ImageBuildOptions;
  /** The environments with their bound deployments and image definitions files. */
  private readonly environments: BoundEnvironment<EcsEnvironment, BoundEcsDeployment>[];
  private readonly vulnerabilityGate?: VulnerabilityGateOptions;
  private _sbomOutput?: codepipeline.Artifact;

  constructor(scope: Construct, id: string, props: EcsContainerPipelineProps) {
    super(scope, id, props);
    addWildcardReviews(this, ECS_WILDCARD_REVIEWS);
    reserveBuildVariables(this, this.buildOptions, IMAGE_BUILD_VARIABLES);
    // Rolling and ECS-native deployments read an image definitions file: one per distinct
    // container name (the usual case is one: imagedefinitions.json).
    const imageDefinitionFiles = new Map<string, string>();
    this.environments = bindEnvironments(this, props.environments, {
      field: 'deployment',
      type: EcsDeployment,
      factories: 'EcsDeployment.rolling(service)',
      bind: (deployment: EcsDeployment, prop: string): BoundEcsDeployment => {
        const binding = deployment._bind(this, prop);
        // A service of another account or region is deployed there: the action roles, the
        // CodeDeploy group and its alarms are created in its account and region.
        const target = resolveTarget(this, `${prop}.service`, binding.service);
        validateNamedAcrossEnvironments(this, `${prop}.service`, binding.info, target);
        let imageDefinitionsFile: string | undefined;
        if (binding.usesImageDefinitions) {
          imageDefinitionsFile = imageDefinitionFiles.get(binding.containerName) ??
            (imageDefinitionFiles.size === 0 ? 'imagedefinitions.json' : `imagedefinitions-${imageDefinitionFiles.size}.json`);
          imageDefinitionFiles.set(binding.containerName, imageDefinitionsFile);
        }
        return { deployment: binding, imageDefinitionsFile, target };
      },
      oneWorkloadEach: { prop: 'deployment.service', what: 'service', resource: (b) => b.deployment.service, identity: (s: ecs.IBaseService) => s.serviceArn, fix: SHARED_SERVICE },
    });
    this.imageBuild = props.imageBuild ?? {};
    validateImageBuild(this, this.imageBuild);
    validateImageArchitecture(this, this.imageBuild.platform, this.buildOptions.buildImage,
      this.environments.map(({ environment, binding }) => ({ environment, info: binding.deployment.info })));

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
    for (const { prop, binding } of this.environments) {
      if (binding.deployment.usesImageDefinitions) {
        warnImageResetByCdkDeploy(this, `${prop}.deployment`, binding.deployment, this.repository);
      }
    }

    if (this.imageBuild.registryCache ?? true) {
      this.cacheRepository = createCacheRepository(this, 'BuildCacheRepository');
    }

    if (props.vulnerabilityGate) {
      validateVulnerabilityGate(this, props.vulnerabilityGate);
    }
    this.vulnerabilityGate = props.vulnerabilityGate;
    // Everything so far is the library's; what a subclass's constructor adds next is its user's.
    claimLibraryConstructs(this);
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
    for (const { environment, prop, binding } of this.environments) {
      grantExecutionRolePull(this, `${environment.name}ExecutionRolePull`, `${prop}.deployment`, binding.deployment.info, this.repository, binding.target);
    }

    if (this.vulnerabilityGate) {
      const gate = createVulnerabilityGate(this, this.vulnerabilityGate, {
        repository: this.repository,
        artifactBucket: this.artifactBucket,
        encryptionKey: this.encryptionKey,
        input: this.buildOutput,
        imageDigest: this.imageDigest,
        imageTag: this.buildVariable('IMAGE_TAG'),
      });
      this.buildStage.addAction(gate.action);
      this._sbomOutput = gate.output;
    }

    for (const bound of this.environments) {
      const deploy = callHook(this, 'createDeployAction', () => this.createDeployAction(bound.environment));
      const context = this.deployContext(bound);
      // CodeDeploy blue/green captures the service's task definition right before it deploys.
      const before = bound.binding.deployment.preDeployActions(this, context);
      this.addEnvironmentStage(bound.environment, [...before, deploy, ...this.testsBeforeTraffic(bound, context, deploy)]);
    }
  }

  /** The image digest the build pushed, as a pipeline variable: every environment deploys it. */
  public get imageDigest(): string {
    return this.buildVariable('IMAGE_DIGEST');
  }

  /**
   * Hook: create the deploy action of one environment. The default deploys
   * `environment.deployment` with a least-privilege action role, reading the image the build
   * pushed (rolling and ECS-native deployments: the environment's image definitions file,
   * `imageDefinitionsFile(environment)`). Override to deploy differently; return an action with
   * `runOrder` 2 or more.
   *
   * @param environment the environment
   */
  protected createDeployAction(environment: EcsEnvironment): codepipeline.IAction {
    const bound = boundEnvironment(this, 'createDeployAction()', this.environments, environment);
    return bound.binding.deployment.createAction(this, this.deployContext(bound));
  }

  /**
   * The file of the build output that names the image for the environment's container: the
   * `imagedefinitions.json` the ECS deploy action reads. Undefined for CodeDeploy blue/green,
   * which reads `imageDetail.json` and the environment's appspec instead.
   *
   * @param environment the environment
   */
  protected imageDefinitionsFile(environment: EcsEnvironment): string | undefined {
    return boundEnvironment(this, 'imageDefinitionsFile()', this.environments, environment).binding.imageDefinitionsFile;
  }

  /**
   * A CodeDeploy blue/green deployment with a test listener waits for the environment's
   * post-deploy tests before production traffic shifts: the tests run beside the deploy action
   * (same run order) and release or stop it. Then the spine adds no test action after it.
   */
  private testsBeforeTraffic(
    bound: BoundEnvironment<EcsEnvironment, BoundEcsDeployment>, context: EcsDeployActionContext, deploy: codepipeline.IAction,
  ): codepipeline.IAction[] {
    const gate = bound.binding.deployment.deploymentGate?.(this, context);
    if (!gate) {
      return [];
    }
    const tests = createPostDeployTestAction(this, bound.environment.name, deploy.actionProperties.runOrder ?? 1, {
      source: this.sourceOutput,
      buildOutput: this.buildOutput,
      encryptionKey: this.encryptionKey,
      sourceRevision: this.sourceRevision,
      gate,
    });
    return tests ? [tests] : [];
  }

  private deployContext(bound: BoundEnvironment<EcsEnvironment, BoundEcsDeployment>): EcsDeployActionContext {
    return {
      actionName: 'Deploy',
      environmentName: bound.environment.name,
      input: this.buildOutput,
      imageDefinitionsFile: bound.binding.imageDefinitionsFile,
      runOrder: 2,
      encryptionKey: this.encryptionKey,
      target: bound.binding.target,
      testTimeout: postDeployTestTimeout(this, bound.environment.name),
    };
  }

  /**
   * The buildspec: the user's install and test commands, then `docker build` tagged with the
   * commit SHA (never `latest`), push, and what each environment's deploy action reads — all
   * naming the image by its digest, so every environment runs the very image built here.
   * @internal
   */
  protected _buildSpecExtras(): BuildSpecExtras {
    const steps = this.environments.map(({ environment, binding }) => binding.deployment.buildSteps(environment.name));
    const imageDefinitionFiles = new Map(this.environments
      .filter(({ binding }) => binding.imageDefinitionsFile !== undefined)
      .map(({ binding }) => [binding.imageDefinitionsFile!, binding.deployment.containerName]));
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
          `else ${dockerBuildCommand(this.imageBuild, this.cacheRepository !== undefined)}; fi`,
        'IMAGE_DIGEST="$(aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query \'imageDetails[0].imageDigest\' --output text)"',
        'IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"',
        ...[...imageDefinitionFiles.entries()].map(([file, container]) =>
          `printf '[{"name":"%s","imageUri":"%s"}]' ${shellQuote(container)} "$IMAGE_URI" > ${file}`),
        'printf \'{"ImageURI":"%s"}\' "$IMAGE_URI" > imageDetail.json',
        ...steps.flatMap((s) => s.commands),
      ],
      artifactFiles: [...imageDefinitionFiles.keys(), 'imageDetail.json', ...steps.flatMap((s) => s.files)],
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

}

/**
 * The ECS deploy action registers revisions outside CloudFormation; the service's TaskDefinition
 * stays a Ref to the revision CDK rendered. A `cdk deploy` that changes the task definition puts
 * the service back on the image written in the app, until the next pipeline run.
 */
function warnImageResetByCdkDeploy(scope: Construct, prop: string, deployment: EcsDeploymentBinding, repository: ecr.IRepository): void {
  const { service, containerName } = deployment;
  if (deployment.info.imageIsFrom(containerName, repository) !== false) {
    return;
  }
  warn(scope, 'EcsImageResetByCdkDeploy',
    `${prop}: container ${show(containerName)} of ${service.node.path} runs an image that is not from the pipeline's repository in the app, ` +
    'so a cdk deploy that changes its task definition puts the service back on that image until the next pipeline run. ' +
    'Name the running image in the app (ecs.ContainerImage.fromEcrRepository(repository, tag) with the deployed tag from context or SSM), ' +
    'or start the pipeline after such a deploy (README: "Day 2").');
}

/** An environment's bound deployment and the image definitions file its deploy action reads. */
interface BoundEcsDeployment {
  readonly deployment: EcsDeploymentBinding;
  readonly imageDefinitionsFile?: string;
  /** Where the service lives. */
  readonly target: TargetEnvironment;
}
