// DeliveryPipelineError itself is not exported: jsii cannot model subclasses of Error.
export { DeliveryPipelineErrors } from './core/errors';
export * from './core/artifact-store';
export * from './core/source';
export * from './core/build';
export * from './core/approval';
export * from './core/notifications';
export * from './core/environment';
export * from './core/delivery-pipeline';
export * from './ecs/container-repository';
export * from './ecs/ecs-deployment';
export * from './ecs/ecs-container-pipeline';
export * from './lambda/lambda-deployment';
export * from './lambda/lambda-deploy-action';
export * from './lambda/lambda-pipeline';
export * from './ecs/vulnerability-gate';
