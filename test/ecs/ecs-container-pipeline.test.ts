import { App, CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EcsContainerPipeline, EcsContainerPipelineProps, EcsDeployment } from '../../src';
import { fargateService, githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';

/** GIVEN a stack with staging and production services. */
function setup(extra: Partial<EcsContainerPipelineProps> = {}, serviceOptions = {}) {
  const stack = newStack(WITH_CDK_NAG_METADATA);
  const staging = fargateService(stack, 'Staging', serviceOptions);
  const production = fargateService(stack, 'Production', serviceOptions);
  const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
      { name: 'Production', deployment: EcsDeployment.rolling(production) },
    ],
    ...extra,
  });
  return { stack, staging, production, pipeline, template: Template.fromStack(stack) };
}

function buildSpecOf(template: Template): any {
  const projects = template.findResources('AWS::CodeBuild::Project');
  const [project] = Object.values(projects);
  return JSON.parse(project.Properties.Source.BuildSpec);
}

function releaseRepository(template: Template): any {
  const repos = Object.values(template.findResources('AWS::ECR::Repository', { Properties: { ImageTagMutability: 'IMMUTABLE' } }));
  expect(repos).toHaveLength(1);
  return repos[0];
}

function deployPolicyStatements(template: Template, stage: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) => id.startsWith(`Pipeline${stage}DeployCodePipelineActionRole`));
  if (!entry) {
    throw new Error(`no deploy policy for ${stage}`);
  }
  return entry[1].Properties.PolicyDocument.Statement;
}

describe('ECR repository', () => {
  test('is created hardened: immutable tags, scan on push, KMS, lifecycle rules, retained', () => {
    const { template } = setup();
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
        LifecyclePolicy: { LifecyclePolicyText: Match.anyValue() },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const repo = releaseRepository(template);
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7 }) }),
      expect.objectContaining({ rulePriority: 2, selection: expect.objectContaining({ tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 100 }) }),
    ]);
  });

  test('lifecycle is configurable', () => {
    const { template } = setup({
      repositoryOptions: { maxImageCount: 100, untaggedImageExpiration: Duration.days(2), removalPolicy: RemovalPolicy.DESTROY },
    });
    const repo = releaseRepository(template);
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.map((r: any) => r.selection.countNumber)).toEqual([2, 100]);
    expect(repo.DeletionPolicy).toBe('Delete');
  });

  test.each([0, 1001, 2.5])('maxImageCount %p is rejected', (maxImageCount) => {
    expect(() => setup({ repositoryOptions: { maxImageCount } }))
      .toThrow(/TestStack\/Pipeline: repositoryOptions.maxImageCount must be a whole number between 1 and 1000, got .*Fix:/);
  });

  test('GIVEN a token maxImageCount (a parameter) THEN the lifecycle policy text substitutes its value, not {"Ref": ...}', () => {
    const stack = newStack();
    const keep = new CfnParameter(stack, 'KeepImages', { type: 'Number', default: 50 });
    const service = fargateService(stack, 'Staging');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      repositoryOptions: { maxImageCount: keep.valueAsNumber },
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    });
    const text = releaseRepository(Template.fromStack(stack)).Properties.LifecyclePolicy.LifecyclePolicyText;
    // CloudFormation joins the parts: the parameter's value goes into the JSON as a number.
    expect(text['Fn::Join']).toBeDefined();
    const [delimiter, parts] = text['Fn::Join'];
    expect(parts.filter((p: unknown) => typeof p !== 'string')).toEqual([{ Ref: 'KeepImages' }]);
    const rendered = parts.map((p: unknown) => (typeof p === 'string' ? p : '50')).join(delimiter);
    expect(rendered).not.toContain('Ref');
    expect(JSON.parse(rendered).rules).toEqual([
      { rulePriority: 1, description: 'Expire untagged images', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'Keep the last release images (rollback horizon)', selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 50 }, action: { type: 'expire' } },
    ]);
  });

  test('GIVEN literal options THEN the token rendering is identical to aws-cdk-lib\'s', () => {
    const { template } = setup();
    const text = releaseRepository(template).Properties.LifecyclePolicy.LifecyclePolicyText;
    expect(JSON.parse(text).rules).toEqual([
      { rulePriority: 1, description: 'Expire untagged images', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'Keep the last release images (rollback horizon)', selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
    ]);
  });

  test('untagged expiration must be whole days', () => {
    expect(() => setup({ repositoryOptions: { untaggedImageExpiration: Duration.hours(36) } }))
      .toThrow(/repositoryOptions.untaggedImageExpiration must be a whole number of days/);
  });

  test.each([
    [5, true],
    [9, true],
    [10, false],
  ])('GIVEN maxImageCount %p THEN the pipeline warns that unpromoted builds count: %p', (maxImageCount, warns) => {
    const { stack } = setup({ repositoryOptions: { maxImageCount } });
    const found = Annotations.fromStack(stack).findWarning('/TestStack/Pipeline', Match.stringLikeRegexp('FewImagesKept'));
    expect(found.length > 0).toBe(warns);
  });

  test('an existing repository is used, and repositoryOptions then warn', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Existing');
    const service = fargateService(stack, 'Staging');
    const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      repository,
      repositoryOptions: { maxImageCount: 5 },
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    });
    expect(pipeline.repository).toBe(repository);
    // Only the cache repository is created.
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::ECR::Repository', { Properties: { ImageTagMutability: 'IMMUTABLE' } }))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('repositoryOptions is ignored'));
  });
});

describe('image build', () => {
  test('runs tests first, tags the image with the commit, never latest, and writes imagedefinitions.json', () => {
    const { template } = setup({ buildOptions: { testCommands: ['npm test'] } });
    const spec = buildSpecOf(template);
    expect(spec.phases.pre_build.commands[0]).toBe('npm test');
    const all = JSON.stringify(spec);
    expect(all).not.toMatch(/:latest/);
    expect(spec.phases.pre_build.commands.join('\n')).toMatch(/IMAGE_TAG=.*SOURCE_REVISION/);
    expect(spec.phases.build.commands[0]).toMatch(/docker build --file 'Dockerfile' --tag "\$REPOSITORY_URI:\$IMAGE_TAG" .* '\.' && docker push "\$REPOSITORY_URI:\$IMAGE_TAG"/);
    // Every environment deploys the pushed image by digest: built once, promoted unchanged.
    expect(spec.phases.build.commands).toContain(
      'printf \'[{"name":"%s","imageUri":"%s"}]\' \'web\' "$IMAGE_URI" > imagedefinitions.json');
    expect(spec.phases.build.commands).toContain('IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"');
    expect(spec.phases.build.commands.join('\n')).toMatch(/IMAGE_DIGEST="\$\(aws ecr describe-images .*imageDetails\[0\].imageDigest/);
    expect(spec.phases.build.commands).toContain('printf \'{"ImageURI":"%s"}\' "$IMAGE_URI" > imageDetail.json');
    expect(spec.artifacts.files).toEqual(['imagedefinitions.json', 'imageDetail.json']);
    expect(spec.env['exported-variables']).toEqual(['IMAGE_TAG', 'IMAGE_DIGEST', 'IMAGE_URI']);
  });

  test('the commit id reaches the build as SOURCE_REVISION, with the repository', () => {
    const { template } = setup();
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    const build = pipeline.Properties.Stages.find((st: any) => st.Name === 'Build').Actions[0];
    // The variables are a Fn::Join (the repository URI is a token); the literal parts show them.
    const rendered = JSON.stringify(build.Configuration.EnvironmentVariables);
    expect(rendered).toContain('{\\"name\\":\\"SOURCE_REVISION\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"#{Source_Source_NS.CommitId}\\"}');
    expect(rendered).toMatch(/REPOSITORY_URI/);
    expect(rendered).toMatch(/REPOSITORY_NAME/);
  });

  test('Dockerfile, context, build args and platform are used', () => {
    const { template } = setup({ imageBuild: { dockerfile: 'app/Dockerfile', context: 'app', buildArgs: { NODE_ENV: "prod'x" }, platform: 'linux/amd64' } });
    const build = buildSpecOf(template).phases.build.commands[0];
    expect(build).toContain("--file 'app/Dockerfile' --platform 'linux/amd64' --build-arg 'NODE_ENV=prod'\\''x'");
    expect(build).toContain(" 'app' && docker push \"$REPOSITORY_URI:$IMAGE_TAG\"");
  });

  test('the layer cache lives in its own mutable cache repository; release tags stay immutable', () => {
    const { template, pipeline } = setup();
    const build = buildSpecOf(template).phases.build.commands[0];
    expect(build).toContain('--cache-from "$CACHE_REPOSITORY_URI:buildcache" --build-arg BUILDKIT_INLINE_CACHE=1');
    expect(build).toContain('docker tag "$REPOSITORY_URI:$IMAGE_TAG" "$CACHE_REPOSITORY_URI:buildcache" && docker push "$CACHE_REPOSITORY_URI:buildcache" || echo');
    template.hasResource('AWS::ECR::Repository', {
      Properties: { ImageTagMutability: 'MUTABLE', EncryptionConfiguration: { EncryptionType: 'KMS' } },
      DeletionPolicy: 'Retain',
    });
    releaseRepository(template);
    expect(pipeline.cacheRepository).toBeDefined();
  });

  test('GIVEN a fresh build host THEN the image build pulls nothing from Docker Hub: the daemon\'s own BuildKit, no docker-container builder (moby/buildkit)', () => {
    for (const registryCache of [true, false]) {
      const all = JSON.stringify(buildSpecOf(setup({ imageBuild: { registryCache } }).template));
      expect(all).not.toMatch(/buildx create|docker-container|moby\/buildkit|--driver/);
      // Cache exporters need the containerd image store under the docker driver; the inline cache needs none.
      expect(all).not.toMatch(/--cache-to|type=registry|type=inline/);
    }
    expect(buildSpecOf(setup().template).phases.build.commands[0]).toContain('DOCKER_BUILDKIT=1 docker build');
  });

  test('without the registry cache: plain docker build and push, no cache repository', () => {
    const { template, pipeline } = setup({ imageBuild: { registryCache: false } });
    const build = buildSpecOf(template).phases.build.commands[0];
    expect(build).toMatch(/else docker build --file 'Dockerfile' --tag "\$REPOSITORY_URI:\$IMAGE_TAG" '\.' && docker push "\$REPOSITORY_URI:\$IMAGE_TAG"; fi$/);
    template.resourceCountIs('AWS::ECR::Repository', 1);
    expect(pipeline.cacheRepository).toBeUndefined();
  });

  test('the build is privileged (Docker), and that is acknowledged with a reason', () => {
    const { template } = setup();
    template.hasResource('AWS::CodeBuild::Project', {
      Properties: { Environment: Match.objectLike({ PrivilegedMode: true }) },
      Metadata: { cdk_nag: { rules_to_suppress: Match.arrayWith([Match.objectLike({ id: 'AwsSolutions-CB3', reason: Match.stringLikeRegexp('Docker') })]) } },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Cache: { Type: 'LOCAL', Modes: Match.arrayWith(['LOCAL_DOCKER_LAYER_CACHE']) },
    });
  });

  test('the build may push only to its repository', () => {
    const { template, stack } = setup();
    const policies = template.findResources('AWS::IAM::Policy');
    const buildPolicy = Object.entries(policies).find(([id]) => id.startsWith('PipelineBuildRoleDefaultPolicy'))![1];
    const statements = buildPolicy.Properties.PolicyDocument.Statement as any[];
    const push = statements.find((s) => ([] as string[]).concat(s.Action).includes('ecr:PutImage'));
    expect(stack.resolve(push.Resource)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineRepository/), 'Arn'] });
    const star = statements.filter((s) => s.Resource === '*');
    expect(star.flatMap((s) => ([] as string[]).concat(s.Action))).toEqual(['ecr:GetAuthorizationToken']);
  });

  test.each([
    [{ dockerfile: '/etc/Dockerfile' }, /imageBuild.dockerfile must be a relative path/],
    [{ context: '../outside' }, /imageBuild.context must be a relative path/],
    [{ platform: 'arm64' }, /imageBuild.platform is not a platform/],
    [{ buildArgs: { 'bad-name': 'x' } }, /imageBuild.buildArgs.bad-name is not a valid build argument name/],
    [{ buildArgs: { NPM_TOKEN: 'x' } }, /imageBuild.buildArgs.NPM_TOKEN looks like a secret/],
  ])('imageBuild %p is rejected', (imageBuild, message) => {
    expect(() => setup({ imageBuild })).toThrow(message);
  });
});

describe('image platform vs the tasks\' CPU architecture', () => {
  /** GIVEN a rolling Fargate service whose task definition runs on `cpuArchitecture`. */
  function pipelineFor(cpuArchitecture: ecs.CpuArchitecture | undefined, extra: Partial<EcsContainerPipelineProps> = {}) {
    const stack = newStack();
    fargateService(stack, 'Unused'); // the shared VPC and cluster
    const cluster = stack.node.findChild('Cluster') as ecs.Cluster;
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'ArmTask', {
      runtimePlatform: cpuArchitecture ? { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX } : undefined,
    });
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'), portMappings: [{ containerPort: 80 }] });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, assignPublicIp: true, circuitBreaker: { rollback: true } });
    const build = () => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service) }],
      ...extra,
    });
    return { stack, build };
  }

  test('GIVEN ARM64 tasks and no platform on the (amd64) default build image THEN synth fails with the fix', () => {
    const { build } = pipelineFor(ecs.CpuArchitecture.ARM64);
    expect(build).toThrow(/imageBuild.platform is not set, so the image is built for the build host \(X86_64\), but the tasks of environments\[0\] \("Production", TestStack\/Service\) run on ARM64.*set imageBuild.platform to 'linux\/arm64'/s);
  });

  test.each([
    ['an explicit X86_64 runtime platform', ecs.CpuArchitecture.X86_64],
    ['no runtime platform (Fargate runs X86_64)', undefined],
  ])('GIVEN %s THEN platform linux/arm64 fails', (_name, arch) => {
    const { build } = pipelineFor(arch, { imageBuild: { platform: 'linux/arm64' } });
    expect(build).toThrow(/imageBuild.platform builds "linux\/arm64" images, but .* run on X86_64.*set imageBuild.platform to 'linux\/amd64'/s);
  });

  test('GIVEN ARM64 tasks and platform linux/arm64 on the amd64 build image THEN synth passes and warns about emulation', () => {
    const { build, stack } = pipelineFor(ecs.CpuArchitecture.ARM64, { imageBuild: { platform: 'linux/arm64' } });
    build();
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('needs QEMU emulation.*ImageBuildEmulated'));
  });

  test('GIVEN ARM64 tasks and an ARM build image THEN no platform is needed and nothing is emulated', () => {
    const armHost = { buildOptions: { buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 } };
    const { build, stack } = pipelineFor(ecs.CpuArchitecture.ARM64, armHost);
    build();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('ImageBuildEmulated'));
  });

  test('GIVEN an ARM build image, X86_64 tasks and no platform THEN synth fails', () => {
    const { build } = pipelineFor(undefined, { buildOptions: { buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 } });
    expect(build).toThrow(/imageBuild.platform is not set, so the image is built for the build host \(ARM64\).*run on X86_64/s);
  });

  test('GIVEN a platform token, or EC2 tasks without a runtime platform THEN the architecture is not judged', () => {
    const { build } = pipelineFor(ecs.CpuArchitecture.X86_64, { imageBuild: { platform: Lazy.string({ produce: () => 'linux/arm64' }) } });
    expect(build).not.toThrow();
    const ec2Stack = newStack();
    const vpc = new ec2.Vpc(ec2Stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const cluster = new ecs.Cluster(ec2Stack, 'Cluster', { vpc });
    cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t4g.small'), machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.ARM) });
    const taskDefinition = new ecs.Ec2TaskDefinition(ec2Stack, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), memoryLimitMiB: 256 });
    const service = new ecs.Ec2Service(ec2Stack, 'Service', { cluster, taskDefinition, circuitBreaker: { rollback: true } });
    expect(() => new EcsContainerPipeline(ec2Stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service) }],
      imageBuild: { platform: 'linux/arm64' },
    })).not.toThrow();
  });
});

describe('cdk deploy resets a rolling service to the image in the app', () => {
  /** GIVEN a rolling service whose container image is `image`. */
  function rollingWith(image: (stack: Stack) => ecs.ContainerImage, extra: Partial<EcsContainerPipelineProps> = {}) {
    const stack = newStack();
    fargateService(stack, 'Unused');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image: image(stack), portMappings: [{ containerPort: 80 }] });
    const service = new ecs.FargateService(stack, 'Service', {
      cluster: stack.node.findChild('Cluster') as ecs.Cluster, taskDefinition, circuitBreaker: { rollback: true },
    });
    new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }], ...extra });
    return Annotations.fromStack(stack).findWarning('/TestStack/Pipeline', Match.stringLikeRegexp('EcsImageResetByCdkDeploy'));
  }

  test('GIVEN a placeholder image from a public registry THEN the pipeline warns (EcsImageResetByCdkDeploy)', () => {
    const found = rollingWith(() => ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'));
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(/environments\[0\].deployment: container "web" of TestStack\/Service .*cdk deploy that changes its task definition/);
  });

  test('GIVEN the image of the pipeline\'s named repository (by name, with the deployed tag) THEN no warning', () => {
    expect(rollingWith((s) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'Named', 'shop'), 'abc123'),
      { repositoryOptions: { repositoryName: 'shop' } })).toHaveLength(0);
  });

  test('GIVEN a given repository and an image from it THEN no warning; an image from another repository warns', () => {
    expect(rollingWith((s) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'Given', 'acme/shop'), 'abc123'),
      { repository: ecr.Repository.fromRepositoryName(newStack(), 'Own', 'acme/shop') })).toHaveLength(0);
    expect(rollingWith((s) => ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'Other', 'acme/other'), 'abc123'),
      { repository: ecr.Repository.fromRepositoryName(newStack(), 'Own', 'acme/shop') })).toHaveLength(1);
  });
});

describe('rolling deployment', () => {
  test('each environment deploys through the ECS action with its service and imagedefinitions.json', () => {
    const { template } = setup();
    for (const stage of ['Staging', 'Production']) {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Stages: Match.arrayWith([Match.objectLike({
          Name: stage,
          Actions: Match.arrayWith([Match.objectLike({
            ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'ECS', Version: '1' },
            Configuration: Match.objectLike({
              FileName: 'imagedefinitions.json',
              ServiceName: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${stage}Service`), 'Name'] },
            }),
            InputArtifacts: [{ Name: 'Build' }],
          })]),
        })]),
      });
    }
  });

  test('deploy role touches only its service and passes only its task roles, to ECS tasks', () => {
    const { template, stack } = setup();
    const statements = deployPolicyStatements(template, 'Staging');
    const byAction = (action: string) => statements.find((s) => ([] as string[]).concat(s.Action).includes(action));
    expect(stack.resolve(byAction('ecs:UpdateService').Resource)).toEqual({ Ref: expect.stringMatching(/^StagingService/) });
    const passRole = byAction('iam:PassRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const roles = JSON.stringify(passRole.Resource);
    expect(roles).toMatch(/StagingTaskTaskRole/);
    expect(roles).toMatch(/StagingTaskExecutionRole/);
    expect(roles).not.toMatch(/Production/);
    expect(JSON.stringify(byAction('ecs:TagResource'))).toMatch(/task-definition\/TestStackStagingTask[A-Z0-9]+:\*/);
    expect(byAction('ecs:ListTasks').Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] } } });
    // The only Resource "*" statements are the actions IAM cannot scope.
    const star = statements.filter((s) => s.Resource === '*').flatMap((s) => ([] as string[]).concat(s.Action)).sort();
    expect(star).toEqual(['ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition']);
    expect(JSON.stringify(statements)).not.toMatch(/"Action":"\*"|ecs:\*|iam:\*/);
  });

  test('warns when the service has no circuit breaker with rollback', () => {
    const { stack } = setup({}, { circuitBreaker: false });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('no deployment circuit breaker with rollback'));
  });

  test('does not warn when the circuit breaker rolls back', () => {
    const { stack } = setup();
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Pipeline', Match.stringLikeRegexp('circuit breaker'));
    expect(warnings).toHaveLength(0);
  });

  test('the essential container is found; a named container is used', () => {
    const stack = newStack();
    const service = fargateService(stack, 'Svc', { containers: [{ name: 'app' }, { name: 'sidecar', essential: false }] });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    });
    expect(buildSpecOf(Template.fromStack(stack)).phases.build.commands.join('\n')).toContain("'app' \"$IMAGE_URI\" > imagedefinitions.json");
  });

  test('environments with different container names get one file each', () => {
    const stack = newStack();
    const a = fargateService(stack, 'A', { containers: [{ name: 'web' }] });
    const b = fargateService(stack, 'B', { containers: [{ name: 'api' }] });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(a) },
        { name: 'Production', deployment: EcsDeployment.rolling(b) },
      ],
    });
    const template = Template.fromStack(stack);
    expect(buildSpecOf(template).artifacts.files).toEqual(['imagedefinitions.json', 'imagedefinitions-1.json', 'imageDetail.json']);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: Match.arrayWith([Match.objectLike({ Configuration: Match.objectLike({ FileName: 'imagedefinitions-1.json' }) })]),
      })]),
    });
  });

  test('an imported service needs containerName and passRoles, then deploys with exactly those roles', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'web' });
    const role = iam.Role.fromRoleArn(stack, 'TaskRole', 'arn:aws:iam::111111111111:role/web-task');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service, { containerName: 'web', passRoles: [role] }) }],
    });
    const statements = deployPolicyStatements(Template.fromStack(stack), 'Production');
    const passRole = statements.find((s) => ([] as string[]).concat(s.Action).includes('iam:PassRole'));
    expect(passRole.Resource).toBe('arn:aws:iam::111111111111:role/web-task');
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('is imported'));
  });

  test('deployment timeout is passed to the action', () => {
    const stack = newStack();
    const service = fargateService(stack, 'Svc');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service, { deploymentTimeout: Duration.minutes(30) }) }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Actions: Match.arrayWith([Match.objectLike({ Configuration: Match.objectLike({ DeploymentTimeout: 30 }) })]),
      })]),
    });
  });

  describe('rejects', () => {
    function single(stack: Stack, deployment: EcsDeployment) {
      return new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment }] });
    }

    test('a container name the task definition does not have', () => {
      const stack = newStack();
      const service = fargateService(stack, 'Svc');
      expect(() => single(stack, EcsDeployment.rolling(service, { containerName: 'nope' })))
        .toThrow(/environments\[0\].deployment.containerName names no container of the service's task definition, got "nope" \(containers: web\)/);
    });

    test('several essential containers without containerName', () => {
      const stack = newStack();
      const service = fargateService(stack, 'Svc', { containers: [{ name: 'app' }, { name: 'proxy' }] });
      expect(() => single(stack, EcsDeployment.rolling(service)))
        .toThrow(/containerName cannot be determined: the service's task definition has 2 essential containers \(app, proxy\).*Fix: pass containerName/);
    });

    test('an imported service without containerName', () => {
      const stack = newStack();
      const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
      const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'web' });
      expect(() => single(stack, EcsDeployment.rolling(service, { passRoles: [] }))).toThrow(/containerName is required: the service .* is imported/);
    });

    test('an imported service without passRoles', () => {
      const stack = newStack();
      const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
      const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'web' });
      expect(() => single(stack, EcsDeployment.rolling(service, { containerName: 'web' }))).toThrow(/passRoles is required for an imported service/);
    });

    test('a service with the CODE_DEPLOY deployment controller', () => {
      const stack = newStack();
      const service = fargateService(stack, 'Svc', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
      expect(() => single(stack, EcsDeployment.rolling(service))).toThrow(/uses the "CODE_DEPLOY" deployment controller/);
    });

    test('a deployment timeout above 60 minutes', () => {
      const stack = newStack();
      const service = fargateService(stack, 'Svc');
      expect(() => single(stack, EcsDeployment.rolling(service, { deploymentTimeout: Duration.minutes(61) })))
        .toThrow(/deploymentTimeout must be between 1 minute and 1 hour, got 1 hour 1 minute/);
    });

    test('a deployment that is not from EcsDeployment', () => {
      const stack = newStack();
      expect(() => single(stack, {} as any)).toThrow(/environments\[0\].deployment must be created by an EcsDeployment factory/);
    });
  });
});

describe('security checks', () => {
  test('cdk-nag AwsSolutions reports nothing unacknowledged on the pipeline', () => {
    const { pipeline } = setup({
      buildOptions: { testCommands: ['npm test'], testReportDirectory: 'reports' },
      notifications: { emails: ['team@example.com'] },
    });
    expect(nagFindings(pipeline)).toEqual([]);
  });

  test('an imported service pipeline is also clean', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Svc', { cluster, serviceName: 'web' });
    const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service, { containerName: 'web', passRoles: [] }) }],
    });
    expect(nagFindings(pipeline)).toEqual([]);
  });
});

describe('one service per environment, in the pipeline\'s account and region', () => {
  test('GIVEN one service in two environments THEN the pipeline is rejected', () => {
    const stack = newStack();
    const service = fargateService(stack, 'Shared');
    expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }, { name: 'Production', deployment: EcsDeployment.rolling(service) }],
    })).toThrow(/TestStack\/Pipeline: environments\[1\]\.deployment\.service is the service of environments\[0\] \("Staging"\) as well, got TestStack\/Shared.*Fix: give each environment its own service/);
  });

  test('GIVEN the same imported service twice (two imports of one name) THEN the pipeline is rejected', () => {
    const stack = newStack();
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod', vpc: undefined as any });
    const a = ecs.FargateService.fromFargateServiceAttributes(stack, 'A', { cluster, serviceName: 'web' });
    const b = ecs.FargateService.fromFargateServiceAttributes(stack, 'B', { cluster, serviceName: 'web' });
    expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(a, { containerName: 'web', passRoles: [] }) },
        { name: 'Production', deployment: EcsDeployment.rolling(b, { containerName: 'web', passRoles: [] }) },
      ],
    })).toThrow(/environments\[1\]\.deployment\.service is the service of environments\[0\]/);
  });

  test('GIVEN two distinct services THEN both are accepted', () => {
    const { template } = setup();
    template.resourceCountIs('AWS::ECS::Service', 2);
  });

  test('GIVEN an unnamed service in another region THEN the library\'s error asks for its name (the pipeline names it there)', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
    const other = new Stack(app, 'Ireland', { env: { account: '111111111111', region: 'eu-west-1' } });
    const service = fargateService(other, 'Web');
    expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service) }],
    })).toThrow(/TestStack\/Pipeline: environments\[0\]\.deployment\.service \(Ireland\/Web\) is in region eu-west-1, not the pipeline's, and has no serviceName/);
  });
});
