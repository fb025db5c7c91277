import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaDeployment, workloadResource } from './lambda-deployment';
import { grantArtifactRead } from '../core/artifact-grant';
import { registerRollbackAlarms } from '../core/bake';
import { allow } from '../core/statement';
import { TargetEnvironment } from '../core/target-environment';
import { fail, show } from '../core/validation';

/**
 * Properties of a `LambdaDeployAction`.
 */
export interface LambdaDeployActionProps extends codepipeline.CommonAwsActionProps {
  /**
   * The artifact that holds the function's code: its files are the root of the deployment
   * package (e.g. the build output of a `LambdaPipeline`). Required unless
   * `publishedTargetVersion` is given; must be omitted when it is.
   *
   * @default - none; then `publishedTargetVersion` is required
   */
  readonly input?: codepipeline.Artifact;
  /**
   * An already published version of the function to move the alias to (the action's
   * `PublishedTargetVersion`), typically a pipeline variable such as
   * `#{ProductionPublish.FUNCTION_VERSION}`. The action then takes no input artifact and
   * neither updates the function's code nor publishes a version: it only shifts the alias.
   *
   * @default - the action deploys the code in `input` and publishes a new version
   */
  readonly publishedTargetVersion?: string;
  /**
   * What is deployed and how: the alias, the traffic shift and the rollback alarms, e.g.
   * `LambdaDeployment.canary(alias, { percentage: 10, interval: Duration.minutes(5) })`.
   * The default rollback alarms, when on, are created in the action's scope.
   */
  readonly deployment: LambdaDeployment;
}

/**
 * The variables a `LambdaDeployAction` emits.
 */
export interface LambdaDeployActionVariables {
  /** The function version the action published and moved the alias to. */
  readonly functionVersion: string;
}

/**
 * CodePipeline's Lambda deploy action (category Deploy, provider Lambda; V2 pipelines only)
 * with a least-privilege action role.
 *
 * The action updates the function's code from the input artifact, publishes a new version and
 * moves the alias to it with the deployment's strategy; with `publishedTargetVersion` it only
 * moves the alias to that already published version. When the action fails, or one of the
 * rollback alarms goes into ALARM during the shift, the alias returns to the version it pointed
 * at when the action started.
 *
 * The action role may update and publish only this function, read and move only its aliases
 * and versions, describe only the rollback alarms, read the artifact bucket, and write only to
 * the pipeline's own action log group (`/<region>/codepipeline/<pipeline name>`). It has no
 * `Resource: "*"` statement.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html
 */
export class LambdaDeployAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;
  private readonly props: LambdaDeployActionProps;

  constructor(props: LambdaDeployActionProps) {
    super();
    this.props = props;
    this.providedActionProperties = {
      actionName: props.actionName,
      runOrder: props.runOrder,
      role: props.role,
      variablesNamespace: props.variablesNamespace,
      category: codepipeline.ActionCategory.DEPLOY,
      provider: 'Lambda',
      artifactBounds: props.publishedTargetVersion !== undefined
        ? { minInputs: 0, maxInputs: 0, minOutputs: 0, maxOutputs: 0 }
        : { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
      inputs: props.input && props.publishedTargetVersion === undefined ? [props.input] : [],
      // Lets the pipeline tell when the function is in another account or region: then
      // aws-cdk-lib creates the action role in the function's stack (another account) and
      // replicates the artifacts to its region.
      resource: workloadResource(props.deployment?.alias),
    };
  }

  /** The variables this action emits, for the configuration of later actions. */
  public get variables(): LambdaDeployActionVariables {
    return { functionVersion: this.variableExpression('FunctionVersion') };
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const deployment = this.props.deployment;
    if (!(deployment instanceof LambdaDeployment)) {
      fail(scope, 'deployment', `must be created by a LambdaDeployment factory, got ${show(deployment)}`,
        'use LambdaDeployment.allAtOnce(alias), .canary(alias, { ... }) or .linear(alias, { ... })');
    }
    const bound = deployment._bind(scope, 'deployment');
    const target = this.props.publishedTargetVersion;
    if (target !== undefined && this.props.input !== undefined) {
      fail(scope, 'input', `must be omitted when publishedTargetVersion is given (${show(target)}), got artifact ${show(this.props.input.artifactName)}`,
        'deploy either the code in an artifact (input) or an already published version (publishedTargetVersion), not both');
    }
    if (target === undefined && this.props.input === undefined) {
      fail(scope, 'input', 'is required when publishedTargetVersion is not given',
        'pass the artifact that holds the function\'s code, e.g. input: pipeline.buildOutput, or publishedTargetVersion: "#{Publish.FUNCTION_VERSION}"');
    }
    if (target !== undefined && (typeof target !== 'string' || target.trim() === '')) {
      fail(scope, 'publishedTargetVersion', `must be a version number or a pipeline variable, got ${show(target)}`,
        'pass e.g. "#{ProductionPublish.FUNCTION_VERSION}"');
    }
    const { alias, fn } = bound;
    const alarms = bound.createAlarms(scope);
    // A bake without alarms of its own watches these (the stage is the environment's).
    if (stage.pipeline.node.scope) {
      registerRollbackAlarms(stage.pipeline.node.scope, stage.stageName, alarms);
    }
    const role = options.role;

    if (target === undefined) {
      // UpdateFunctionCode and PublishVersion act on the unqualified function ($LATEST).
      role.addToPrincipalPolicy(allow('UpdateAndPublishTheFunction', ['lambda:UpdateFunctionCode', 'lambda:PublishVersion'], [fn.functionArn]));
    }
    // The alias and the versions it moves between are qualified ARNs (function:name:qualifier).
    role.addToPrincipalPolicy(allow('ShiftTheAliasBetweenVersions', ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig'],
      [fn.functionArn, qualifiedArns(scope, fn)]));
    if (alarms.length > 0) {
      role.addToPrincipalPolicy(allow('ReadTheRollbackAlarms', ['cloudwatch:DescribeAlarms'], alarms.map((alarm) => alarm.alarmArn)));
    }
    // The action writes its execution log to /<region>/codepipeline/<pipeline name>, with its
    // role: in the account and region the action runs in (the function's).
    const logGroup = actionLogGroupArn(stage.pipeline, bound.target, role);
    role.addToPrincipalPolicy(allow('CreateTheActionLogGroup', ['logs:CreateLogGroup'], [logGroup, `${logGroup}:*`]));
    role.addToPrincipalPolicy(allow('WriteTheActionLog', ['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logGroup}:log-stream:*`]));
    if (target === undefined) {
      // The artifact bucket of the action's region (the pipeline's, or its replication bucket there).
      grantArtifactRead(scope, role, options.bucket);
    }

    return {
      configuration: {
        FunctionName: fn.functionName,
        FunctionAlias: alias.aliasName,
        PublishedTargetVersion: target,
        DeployStrategy: bound.deployStrategy,
        Alarms: alarms.length > 0 ? alarms.map((alarm) => alarm.alarmName).join(',') : undefined,
      },
    };
  }
}

/** `arn:...:function:<name>:*`: every version and alias of the function, and nothing else. */
function qualifiedArns(scope: Construct, fn: lambda.IFunction): string {
  return Arn.format({
    service: 'lambda',
    resource: 'function',
    resourceName: `${fn.functionName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    account: fn.env.account,
    region: fn.env.region,
  }, Stack.of(scope));
}

/**
 * The log group the Lambda deploy action writes to: `/<region>/codepipeline/<pipeline name>`,
 * in the account and region the action runs in. CloudWatch Logs writes to the caller's own
 * account, and the action calls with its role: in the function's account when that is another
 * (aws-cdk-lib creates the role there), and in the function's region, where the action runs.
 */
function actionLogGroupArn(pipeline: codepipeline.IPipeline, target: TargetEnvironment, role: iam.IRole): string {
  const stack = Stack.of(pipeline);
  if (!target.crossAccount && !target.crossRegion) {
    return stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/${stack.region}/codepipeline/${pipeline.pipelineName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
  return Arn.format({
    service: 'logs',
    account: target.account,
    region: target.region,
    resource: 'log-group',
    // In another account the pipeline's name is its physical name (generated at synthesis when
    // not given): no reference crosses an account.
    resourceName: `/${target.region}/codepipeline/${pipeline.pipelineName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }, Stack.of(role));
}
