import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeliveryPipeline, DeliveryPipelineProps, EcsContainerPipeline, EcsContainerPipelineProps, EcsDeployment, EnvironmentOptions } from '../../src';
import { validateEnvironments } from '../../src/core/environment';
import { fargateService, githubSource } from '../helpers';

/** Props of the smallest possible workload pipeline: the spine and nothing of its own. */
export interface SpinePipelineProps extends DeliveryPipelineProps {
  readonly environments: EnvironmentOptions[];
}

/**
 * A minimal workload subclass of DeliveryPipeline, used to test the spine without any
 * workload-specific extras (no privileged build, no docker steps in the buildspec). Each
 * environment deploys the build output to an imported bucket named after it.
 */
export class SpinePipeline extends DeliveryPipeline {
  private readonly environments: EnvironmentOptions[];

  constructor(scope: Construct, id: string, props: SpinePipelineProps) {
    super(scope, id, props);
    validateEnvironments(this, props.environments);
    this.environments = props.environments;
  }

  protected addStages(): void {
    this.addBuildStage();
    for (const env of this.environments) {
      const bucket = s3.Bucket.fromBucketName(this, `${env.name}Target`, `acme-${env.name.toLowerCase()}`);
      this.addEnvironmentStage(env, [
        new actions.S3DeployAction({ actionName: 'Deploy', bucket, input: this.buildOutput, runOrder: 2 }),
      ]);
    }
  }
}

/**
 * Render a CloudFormation value to a string the way cdk-nag names references: literal parts
 * as they are, `{ Ref: X }` as `<X>`, `{ 'Fn::GetAtt': [X, Y] }` as `<X.Y>`, joins joined.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  const obj = value as Record<string, any>;
  if (obj && obj['Fn::Join']) {
    const [delimiter, parts] = obj['Fn::Join'];
    return (parts as unknown[]).map(flatten).join(delimiter);
  }
  if (obj && obj['Fn::GetAtt']) {
    return `<${obj['Fn::GetAtt'][0]}.${obj['Fn::GetAtt'][1]}>`;
  }
  if (obj && obj.Ref) {
    return `<${obj.Ref}>`;
  }
  return `<${obj ? Object.keys(obj)[0] : String(value)}>`;
}

/** The single resource of `type` in the template (fails when there is not exactly one). */
export function onlyResource(template: Template, type: string, props: any = {}): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  }
  return { id: found[0][0], resource: found[0][1] };
}

/** The parsed buildspec of the only CodeBuild project in the template (tokens flattened to `<Ref>`). */
export function buildSpecOf(template: Template): any {
  const { resource } = onlyResource(template, 'AWS::CodeBuild::Project');
  return JSON.parse(flatten(resource.Properties.Source.BuildSpec));
}

/** The stages of the only pipeline in the template. */
export function stagesOf(template: Template): any[] {
  return onlyResource(template, 'AWS::CodePipeline::Pipeline').resource.Properties.Stages;
}

/** One stage of the only pipeline, by name. */
export function stageOf(template: Template, name: string): any {
  const stage = stagesOf(template).find((s) => s.Name === name);
  if (!stage) {
    throw new Error(`no stage named ${name}`);
  }
  return stage;
}

/** The statements of every IAM policy in the template attached to the role with logical id `roleId`. */
export function statementsOfRole(template: Template, roleId: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** Actions of a statement as a list. */
export function actionsOf(statement: any): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Resources of a statement as a list. */
export function resourcesOf(statement: any): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Run `fn`, expect it to throw, and return the error. */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw, but it returned');
}

/**
 * An EcsContainerPipeline with a GitHub source and, unless `environments` is given, one
 * Staging environment whose service is named after the pipeline.
 */
export function ecsPipeline(stack: Stack, props: Partial<EcsContainerPipelineProps> = {}, id = 'Pipeline'): EcsContainerPipeline {
  return new EcsContainerPipeline(stack, id, {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, `${id}StagingService`)) }],
    ...props,
  });
}

/** Staging then Production, each with its own Fargate service. */
export function twoEnvironments(stack: Stack, production: Partial<EnvironmentOptions> = {}, staging: Partial<EnvironmentOptions> = {}) {
  return [
    { name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'StagingService')), ...staging },
    { name: 'Production', deployment: EcsDeployment.rolling(fargateService(stack, 'ProductionService')), ...production },
  ];
}
