import { Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IMAGE_PLACEHOLDER } from './codedeploy-ecs-action';
import { createHardenedProject } from '../core/build-project';
import { allow } from '../core/statement';

/** The file the CodeDeployToECS action reads from the capture's output artifact. @internal */
export const TASK_DEFINITION_FILE = 'taskdef.json';

/**
 * Regions where CodeBuild supports Lambda compute (CodeBuild User Guide, "Run builds on AWS
 * Lambda compute", https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.regions).
 * Elsewhere, or when the region is unknown at synth time, the capture runs in a small EC2
 * container: a project with Lambda compute cannot be created in a region that lacks it.
 */
const LAMBDA_COMPUTE_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-1', 'sa-east-1',
];

/** What the capture needs. @internal */
export interface TaskDefinitionCaptureProps {
  readonly service: ecs.IBaseService;
  readonly containerName: string;
  readonly encryptionKey: kms.IKey;
  /** Any artifact of the pipeline: CodeBuild actions need an input; the capture reads nothing from it. */
  readonly input: codepipeline.Artifact;
  readonly output: codepipeline.Artifact;
  readonly runOrder: number;
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
 * that only CloudFormation resolves. @internal
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
  const buildSpec = codebuild.BuildSpec.fromObject({
    version: '0.2',
    phases: {
      build: {
        commands: [
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
  const region = Stack.of(scope).region;
  const project = createHardenedProject(scope, 'Project', {
    buildSpec,
    encryptionKey: props.encryptionKey,
    build: {},
    lambdaCompute: !Token.isUnresolved(region) && LAMBDA_COMPUTE_REGIONS.includes(region),
    description: `Reads the current task definition of ${service.node.path} for its CodeDeploy blue/green deployment`,
  });
  project.addToRolePolicy(allow('DescribeTheBlueGreenService', ['ecs:DescribeServices'], [service.serviceArn]));
  project.addToRolePolicy(allow('DescribeItsTaskDefinition', ['ecs:DescribeTaskDefinition'], ['*']));
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
    },
  });
}
