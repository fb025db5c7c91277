import { Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { DeploymentGate } from '../core/post-deploy-tests';
import { shellQuote } from '../core/shell';
import { allow } from '../core/statement';
import { targetScope, TargetEnvironment } from '../core/target-environment';

/**
 * How long the deployment waits for the tests once the new tasks serve the test listener: the
 * tests' build timeout (the build started with the deployment, so it ends before), plus time for
 * the build to be queued and provisioned. Past it, CodeDeploy stops the deployment and rolls back.
 */
const PROVISIONING = Duration.minutes(5);

/** The deployment's wait for its tests, in whole minutes, as CodeDeploy takes it. @internal */
export function gateWaitTime(testTimeout: Duration): Duration {
  const minutes = testTimeout.isUnresolved() ? 8 * 60 : Math.ceil(testTimeout.toMinutes({ integral: false }));
  return Duration.minutes(minutes + PROVISIONING.toMinutes());
}

/** The gate's script, written by the tests' first command; one command per mode. */
const SCRIPT = '"$GATE_DIR/gate.sh"';

/**
 * The script the tests' build runs around the user's commands (bash). It calls CodeDeploy in the
 * deployment group's region, and in another account through the gate role.
 * - wait: until a deployment of the group is Ready (the new tasks serve the test listener, and
 *   the group's DeploymentReadyOption holds production traffic), failing when the deployment
 *   ends first or none is ready within the wait time;
 * - abort: stop the deployment (with rollback) when the build is failing (install's `finally`);
 * - release: continue the deployment (production traffic shifts) when the tests passed, else stop it.
 * Only ListDeployments is called to find the deployment: it is authorized on the deployment group,
 * while GetDeployment names only a deployment id.
 */
function gateScript(): string[] {
  return [
    'set -eu',
    '[ -z "${GATE_REGION:-}" ] || export AWS_REGION="$GATE_REGION" AWS_DEFAULT_REGION="$GATE_REGION"',
    'if [ -n "${GATE_ROLE_ARN:-}" ]; then',
    '  set -- "$1" $(aws sts assume-role --role-arn "$GATE_ROLE_ARN" --role-session-name PostDeployTestsGate --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text)',
    '  export AWS_ACCESS_KEY_ID="$2" AWS_SECRET_ACCESS_KEY="$3" AWS_SESSION_TOKEN="$4"',
    'fi',
    'list() { aws deploy list-deployments --application-name "$GATE_APPLICATION" --deployment-group-name "$GATE_DEPLOYMENT_GROUP" --include-only-statuses "$@" --query "deployments[0]" --output text; }',
    'case "$1" in',
    'wait)',
    '  deadline=$(( $(date +%s) + GATE_WAIT_SECONDS )); seen=""',
    '  while :; do',
    '    ready="$(list Ready)"',
    '    if [ -n "$ready" ] && [ "$ready" != None ]; then echo "$ready" > "$GATE_DIR/deployment"; echo "Deployment $ready is ready: the new tasks serve the test listener, production traffic waits for the tests"; exit 0; fi',
    '    active="$(list Created Queued InProgress)"',
    '    if [ -n "$active" ] && [ "$active" != None ]; then seen="$active";',
    '    elif [ -n "$seen" ]; then echo "Deployment $seen ended before it was ready to be tested" >&2; exit 1; fi',
    '    [ "$(date +%s)" -lt "$deadline" ] || { echo "No deployment of $GATE_APPLICATION/$GATE_DEPLOYMENT_GROUP became ready to be tested" >&2; exit 1; }',
    '    sleep 10',
    '  done;;',
    'abort)',
    '  if [ "${CODEBUILD_BUILD_SUCCEEDING:-0}" != 1 ] && [ -s "$GATE_DIR/deployment" ]; then',
    '    aws deploy stop-deployment --deployment-id "$(cat "$GATE_DIR/deployment")" --auto-rollback-enabled',
    '    echo "The tests could not run: the deployment is stopped and rolled back, production traffic never moved" >&2',
    '  fi;;',
    'release)',
    '  [ -s "$GATE_DIR/deployment" ] || { echo "No deployment waits for the tests"; exit 0; }',
    '  id="$(cat "$GATE_DIR/deployment")"',
    '  if [ "${CODEBUILD_BUILD_SUCCEEDING:-0}" = 1 ]; then',
    '    aws deploy continue-deployment --deployment-id "$id" --deployment-wait-type READY_WAIT',
    '    echo "Tests passed: deployment $id shifts production traffic"',
    '  else',
    '    aws deploy stop-deployment --deployment-id "$id" --auto-rollback-enabled',
    '    echo "Tests failed: deployment $id is stopped and rolled back, production traffic never moved" >&2',
    '  fi;;',
    'esac',
  ];
}

/** What the gate needs to know of the deployment. @internal */
export interface DeploymentGateProps {
  readonly group: codedeploy.IEcsDeploymentGroup;
  readonly target: TargetEnvironment;
  /** The deployment group's wait for the tests (its DeploymentReadyOption). */
  readonly waitTime: Duration;
  /** The pipeline: what the gate creates in the target's stack is named after it. */
  readonly owner: Construct;
  readonly environmentName: string;
}

/**
 * The gate of a CodeDeploy blue/green deployment that waits for the environment's tests before
 * production traffic shifts ("After provisioning the green ECS task set and re-routing test
 * traffic, CodeDeploy can wait for approval before continuing the deployment and re-routing
 * production traffic ... To approve the deployment, validation steps use the CodeDeploy
 * ContinueDeployment API", aws-cdk-lib EcsBlueGreenDeploymentConfig.deploymentApprovalWaitTime,
 * DeploymentReadyOption STOP_DEPLOYMENT). @internal
 */
export function createDeploymentGate(props: DeploymentGateProps): DeploymentGate {
  const { group, target } = props;
  const environmentVariables: { [name: string]: string } = {
    GATE_APPLICATION: group.application.applicationName,
    GATE_DEPLOYMENT_GROUP: group.deploymentGroupName,
    GATE_WAIT_SECONDS: `${props.waitTime.toSeconds()}`,
    ...(target.crossRegion ? { GATE_REGION: target.region } : {}),
  };
  let gateRole: iam.Role | undefined;
  return {
    waitCommands: [
      'export GATE_DIR="$(mktemp -d)"',
      `printf '%s\\n' ${gateScript().map(shellQuote).join(' ')} > ${SCRIPT}`,
      `bash ${SCRIPT} wait`,
    ],
    abortCommands: [`if [ -n "\${GATE_DIR:-}" ] && [ -f ${SCRIPT} ]; then bash ${SCRIPT} abort; fi`],
    releaseCommands: [`bash ${SCRIPT} release`],
    get environmentVariables() {
      return { ...environmentVariables, ...(gateRole ? { GATE_ROLE_ARN: gateRole.roleArn } : {}) };
    },
    grant(project: codebuild.IProject) {
      const statements = gateStatements(group);
      if (!target.crossAccount) {
        statements.forEach((s) => project.addToRolePolicy(s));
        return;
      }
      // CodeDeploy of another account is called through a role there that trusts only the tests.
      gateRole = new iam.Role(targetScope(props.owner, target, 'DeploymentGate'), `${props.environmentName}GateRole`, {
        roleName: PhysicalName.GENERATE_IF_NEEDED,
        assumedBy: new iam.AccountPrincipal(Stack.of(props.owner).account).withConditions({ ArnEquals: { 'aws:PrincipalArn': project.role!.roleArn } }),
        description: `Lets the post-deploy tests of ${props.environmentName} in ${props.owner.node.path} hold and release its blue/green deployment`,
      });
      statements.forEach((s) => gateRole!.addToPrincipalPolicy(s));
      project.addToRolePolicy(allow('AssumeTheDeploymentGateRole', ['sts:AssumeRole'], [gateRole.roleArn]));
    },
  };
}

/**
 * ListDeployments takes the deployment group's ARN. ContinueDeployment and StopDeployment have
 * no resource type in the Service Authorization Reference, so only "*" matches them (reviewed in
 * nag-reasons.ts); the script calls them with the id ListDeployments gave for this group only.
 */
function gateStatements(group: codedeploy.IEcsDeploymentGroup): iam.PolicyStatement[] {
  return [
    allow('FindTheDeploymentToTest', ['codedeploy:ListDeployments'], [group.deploymentGroupArn]),
    allow('HoldOrReleaseTheDeployment', ['codedeploy:ContinueDeployment', 'codedeploy:StopDeployment'], ['*']),
  ];
}
