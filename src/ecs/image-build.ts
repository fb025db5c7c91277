import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { ServiceInfo } from './service-info';
import { SECRET_NAME_PATTERN } from '../core/defaults';
import { EnvironmentOptions } from '../core/environment';
import { shellQuote } from '../core/shell';
import { fail, show, validateRelativePath, warn } from '../core/validation';

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
export function dockerBuildCommand(b: ImageBuildOptions, registryCache: boolean): string {
  const options = [
    `--file ${shellQuote(b.dockerfile ?? DEFAULTS.dockerfile)}`,
    ...(b.platform ? [`--platform ${shellQuote(b.platform)}`] : []),
    ...Object.entries(b.buildArgs ?? {}).map(([k, v]) => `--build-arg ${shellQuote(`${k}=${v}`)}`),
    '--tag "$REPOSITORY_URI:$IMAGE_TAG"',
  ];
  const context = shellQuote(b.context ?? DEFAULTS.dockerContext);
  const push = 'docker push "$REPOSITORY_URI:$IMAGE_TAG"';
  if (!registryCache) {
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

/** Validate the image build options; throws the library's error. */
export function validateImageBuild(scope: Construct, b: ImageBuildOptions): void {
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

/** Docker platform architecture → ECS cpuArchitecture. */
const ECS_ARCHITECTURES: Record<string, string> = { amd64: 'X86_64', arm64: 'ARM64' };

/**
 * The image must run on the tasks' CPU architecture, or every task stops with "exec format
 * error" and the deployment rolls back. Without `platform`, Docker builds for the build host:
 * amd64 on the default image, arm64 on an ARM image. Tokens and tasks whose architecture is
 * unknowable (imported services, EC2 tasks without a runtime platform) are not judged.
 */
export function validateImageArchitecture(
  scope: Construct, platform: string | undefined, buildImage: codebuild.IBuildImage | undefined,
  environments: ReadonlyArray<{ readonly environment: EnvironmentOptions; readonly info: ServiceInfo }>,
): void {
  if (platform !== undefined && Token.isUnresolved(platform)) {
    return;
  }
  const hostArch = buildHostArchitecture(buildImage);
  const builtArch = platform !== undefined ? ECS_ARCHITECTURES[platform.split('/')[1]] ?? platform : hostArch;
  environments.forEach(({ environment: env, info }, i) => {
    const taskArch = info.cpuArchitecture;
    if (taskArch === undefined || taskArch === builtArch) {
      return;
    }
    const wanted = `linux/${Object.keys(ECS_ARCHITECTURES).find((k) => ECS_ARCHITECTURES[k] === taskArch) ?? taskArch.toLowerCase()}`;
    const built = platform !== undefined ? `builds ${show(platform)} images` : `is not set, so the image is built for the build host (${hostArch})`;
    fail(scope, 'imageBuild.platform',
      `${built}, but the tasks of environments[${i}] ("${env.name}", ${info.service.node.path}) run on ${taskArch} ` +
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
