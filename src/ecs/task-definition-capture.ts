import { PhysicalName, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IMAGE_PLACEHOLDER } from './codedeploy-ecs-action';
import { createHardenedProject } from '../core/build-project';
import { libraryStepOnLambda } from '../core/lambda-compute';
import { allow } from '../core/statement';
import { targetScope, TargetEnvironment } from '../core/target-environment';

/** The file the CodeDeployToECS action reads from the capture's output artifact. @internal */
export const TASK_DEFINITION_FILE = 'taskdef.json';

/** What the capture needs. @internal */
export interface TaskDefinitionCaptureProps {
  readonly service: ecs.IBaseService;
  readonly containerName: string;
  readonly encryptionKey: kms.IKey;
  /** Any artifact of the pipeline: CodeBuild actions need an input; the capture reads nothing from it. */
  readonly input: codepipeline.Artifact;
  readonly output: codepipeline.Artifact;
  readonly runOrder: number;
  /** Where the service lives. */
  readonly target: TargetEnvironment;
  /** The pipeline (what it creates in the target's stack is named after it). */
  readonly owner: Construct;
}

/**
 * A small CodeBuild action that writes `taskdef.json` for the CodeDeployToECS action from the
 * latest ACTIVE revision of the service's task definition family *as it is when the environment
 * deploys* (after the approval), with the image replaced by the placeholder CodeDeploy fills in.
 * The latest revision is the one CloudFormation registered after a `cdk deploy` changed the task
 * definition, else the one the last deployment registered. Captured in the Build stage,
 * a change made to the environment's task definition meanwhile (by CloudFormation, or a
 * deployment to staging of another pipeline execution) would be silently reverted.
 *
 * The synthesized task definition is not used: it is full of tokens (role ARNs, log groups)
 * that only CloudFormation resolves.
 *
 * A service of another account or region is read from the pipeline's own account and region:
 * the project stays next to the pipeline, so its output is written with the pipeline's key to
 * the pipeline's bucket like any build output (a CodeBuild action of another account cannot
 * have outputs: CodeBuild writes them with its own account's key, aws/aws-cdk#4169, and
 * aws-cdk-lib refuses it). It calls ECS in the service's region, and in another account
 * through a read-only role created there (ecs:DescribeServices on the one service,
 * ecs:DescribeTaskDefinition), which trusts only this project's role. @internal
 */
export function createTaskDefinitionCapture(scope: Construct, props: TaskDefinitionCaptureProps): codepipeline.IAction {
  const { service } = props;
  // Python ships with both images (the Lambda images have no jq); read the file, replace the
  // container's image, drop what RegisterTaskDefinition does not accept.
  const rewrite = [
    'import json, sys',
    'td = json.load(open("current.json"))',
    'c = [x for x in td["containerDefinitions"] if x["name"] == sys.argv[1]]',
    'c or sys.exit("container %s is not in the task definition %s" % (sys.argv[1], td.get("taskDefinitionArn")))',
    `c[0]["image"] = "<${IMAGE_PLACEHOLDER}>"`,
    '[td.pop(k, None) for k in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt")]',
    `json.dump(td, open("${TASK_DEFINITION_FILE}", "w"), indent=2)`,
  ].join('; ');
  const { target } = props;
  // Only for a service elsewhere: the buildspec of one in the pipeline's environment is unchanged.
  const reachTheService = [
    ...(target.crossRegion ? ['export AWS_REGION="$SERVICE_REGION" AWS_DEFAULT_REGION="$SERVICE_REGION"'] : []),
    ...(target.crossAccount ? [
      'CREDENTIALS="$(aws sts assume-role --role-arn "$READER_ROLE_ARN" --role-session-name CaptureTaskDefinition --query \'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]\' --output text)"',
      'set -- $CREDENTIALS; export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3"',
    ] : []),
  ];
  const buildSpec = codebuild.BuildSpec.fromObject({
    version: '0.2',
    phases: {
      build: {
        commands: [
          ...reachTheService,
          'TASK_DEFINITION_ARN="$(aws ecs describe-services --cluster "$CLUSTER_NAME" --services "$SERVICE_NAME" --query \'services[0].taskDefinition\' --output text)"',
          '[ -n "$TASK_DEFINITION_ARN" ] && [ "$TASK_DEFINITION_ARN" != "None" ] || { echo "Service $SERVICE_NAME not found in cluster $CLUSTER_NAME" >&2; exit 1; }',
          // The family's latest ACTIVE revision, not the one the service runs: a `cdk deploy` that
          // changes the task definition registers a new revision that CloudFormation never puts on
          // a CODE_DEPLOY service; based on the running one, that change would never be deployed.
          'FAMILY="${TASK_DEFINITION_ARN##*/}"; FAMILY="${FAMILY%:*}"',
          'echo "Service runs $TASK_DEFINITION_ARN; deploying on top of the latest ACTIVE revision of $FAMILY"',
          'aws ecs describe-task-definition --task-definition "$FAMILY" --query taskDefinition --output json > current.json',
          `python3 -c '${rewrite}' "$CONTAINER_NAME"`,
        ],
      },
    },
    artifacts: { files: [TASK_DEFINITION_FILE] },
  });
  const project = createHardenedProject(scope, 'Project', {
    buildSpec,
    encryptionKey: props.encryptionKey,
    build: {},
    lambdaCompute: libraryStepOnLambda(scope),
    description: `Reads the current task definition of ${service.node.path} for its CodeDeploy blue/green deployment`,
  });
  let reader: iam.IRole | undefined;
  if (target.crossAccount) {
    const pipelineStack = Stack.of(scope);
    reader = new iam.Role(targetScope(props.owner, target, 'TaskDefinitionCapture'), `${scope.node.id}Reader`, {
      // Named: the capture's role in the pipeline's account names it.
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      // The capture's role is created after this one (the pipeline's stack deploys last): a
      // principal that does not exist yet is refused in a trust policy, a condition is not.
      assumedBy: new iam.AccountPrincipal(pipelineStack.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': project.role!.roleArn } }),
      description: `Lets the pipeline ${props.owner.node.path} read the task definition of ${service.node.path} before its blue/green deployment`,
    });
    reader.addToPrincipalPolicy(allow('DescribeTheBlueGreenService', ['ecs:DescribeServices'], [service.serviceArn]));
    reader.addToPrincipalPolicy(allow('DescribeItsTaskDefinition', ['ecs:DescribeTaskDefinition'], ['*']));
    project.addToRolePolicy(allow('ReadTheServiceInItsAccount', ['sts:AssumeRole'], [reader.roleArn]));
  } else {
    project.addToRolePolicy(allow('DescribeTheBlueGreenService', ['ecs:DescribeServices'], [service.serviceArn]));
    project.addToRolePolicy(allow('DescribeItsTaskDefinition', ['ecs:DescribeTaskDefinition'], ['*']));
  }
  return new actions.CodeBuildAction({
    actionName: 'CaptureTaskDefinition',
    project,
    input: props.input,
    outputs: [props.output],
    runOrder: props.runOrder,
    environmentVariables: {
      CLUSTER_NAME: { value: service.cluster.clusterName },
      SERVICE_NAME: { value: service.serviceName },
      CONTAINER_NAME: { value: props.containerName },
      ...(target.crossRegion ? { SERVICE_REGION: { value: target.region } } : {}),
      ...(reader ? { READER_ROLE_ARN: { value: reader.roleArn } } : {}),
    },
  });
}
