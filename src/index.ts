// DeliveryPipelineError itself is not exported: jsii cannot model subclasses of Error.
// The public API: exactly the types jsii publishes to every language. Helper functions and
// constants of these modules stay internal (a free function would exist in TypeScript only).
export { type DeliveryPipelineErrorInfo, DeliveryPipelineErrors } from './core/errors';
export { ArtifactStore, type ArtifactStoreProps, type IArtifactStore } from './core/artifact-store';
export { type ConnectionSourceOptions, PipelineSource } from './core/source';
export { type CodeBuildDefaults } from './core/codebuild-defaults';
export { type BuildOptions } from './core/build-options';
export { BuildSecret } from './core/build-secret';
export { type ApprovalOptions } from './core/approval';
export { type NotificationOptions } from './core/notifications';
export { ChatChannel, type MicrosoftTeamsChannelOptions, type SlackChannelOptions } from './core/chat-channel';
export { type EnvironmentOptions } from './core/environment';
export { type BakeOptions } from './core/bake';
export { type PostDeployTestOptions } from './core/post-deploy-tests';
export { DeliveryPipeline, type DeliveryPipelineProps, type EnvironmentStageOptions } from './core/delivery-pipeline';
export { type ContainerRepositoryOptions } from './ecs/container-repository';
export { type BlueGreenDeploymentOptions, type BlueGreenHooks, EcsDeployment, type RollingDeploymentOptions } from './ecs/ecs-deployment';
export { EcsContainerPipeline, type EcsContainerPipelineProps, type EcsEnvironment } from './ecs/ecs-container-pipeline';
export { type ImageBuildOptions } from './ecs/image-build';
export { LambdaDeployment, type LambdaRollbackOptions, type LambdaTrafficHooks, type LambdaTrafficShiftOptions } from './lambda/lambda-deployment';
export { LambdaDeployAction, type LambdaDeployActionProps, type LambdaDeployActionVariables } from './lambda/lambda-deploy-action';
export { type LambdaEnvironment, LambdaPipeline, type LambdaPipelineProps } from './lambda/lambda-pipeline';
export { ScanSeverity, type VulnerabilityGateOptions } from './ecs/vulnerability-gate';
export { type CacheControlOptions } from './static-site/cache-control';
export { type PostDeployCheckOptions } from './static-site/post-deploy-check';
export { type IStaticSiteHosting, StaticSiteTarget, type StaticSiteTargetOptions } from './static-site/static-site-target';
export { StaticSiteHosting, type StaticSiteHostingProps } from './static-site/static-site-hosting';
export { type StaticSiteEnvironment, StaticSitePipeline, type StaticSitePipelineProps } from './static-site/static-site-pipeline';
export { type AppSpecFile, type AppSpecOptions, FileExistsBehavior, type LifecycleHooks, type LifecycleScript, ServerOperatingSystem } from './server/appspec';
export { ServerLoadBalancer } from './server/load-balancer';
export { type BlueGreenServerDeploymentOptions, type InPlaceDeploymentOptions, ServerDeployment } from './server/server-deployment';
export { type ServerEnvironment, ServerPipeline, type ServerPipelineProps } from './server/server-pipeline';
