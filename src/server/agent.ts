import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ServerTargetKind } from './codedeploy-deployment';
import { fail } from '../core/validation';

/**
 * The agent's Distributor package and how it is installed (CodeDeploy user guide, "Install the
 * CodeDeploy agent using AWS Systems Manager"): the `AWS-ConfigureAWSPackage` document installs
 * the `AWSCodeDeployAgent` package; a schedule keeps it current.
 */
const AGENT_ASSOCIATION = {
  document: 'AWS-ConfigureAWSPackage',
  parameters: { action: ['Install'], installationType: ['Uninstall and reinstall'], name: ['AWSCodeDeployAgent'] },
  schedule: 'rate(14 days)',
} as const;

/**
 * An association targets instances by tags that must all match, each tag by any of its values;
 * a CodeDeploy tag group matches an instance with any of its tags. One group of tags maps to one
 * association per tag (their union); several groups (which must all match) do not map. @internal
 */
export function validateAgentTargets(scope: Construct, prop: string, kind: ServerTargetKind, tags: codedeploy.InstanceTagSet | undefined): void {
  if (kind === 'onPremisesInstances') {
    fail(scope, prop, 'is true for on-premises instances, whose CodeDeploy tags Systems Manager cannot target',
      'install the agent on the servers (CodeDeploy user guide: "Install the CodeDeploy agent"), or register them with Systems Manager and associate AWSCodeDeployAgent yourself; then remove installAgent');
  }
  if (kind === 'ec2Instances') {
    const groups = tags!.instanceTagGroups.filter((g) => Object.keys(g).length > 0);
    if (groups.length > 1 || Object.keys(groups[0]).some((key) => key === '')) {
      fail(scope, prop, `is true for instances matched by ${groups.length > 1 ? `${groups.length} tag groups (an instance must match each)` : 'a tag value in any key'}, which a Systems Manager association cannot target`,
        'target the instances with one tag group of named keys, or install the agent in the AMI and remove installAgent');
    }
  }
}

/** The associations that install and update the agent on the deployment's targets. @internal */
export function createAgentAssociations(
  scope: Construct, kind: ServerTargetKind, group: autoscaling.IAutoScalingGroup | undefined, tags: codedeploy.InstanceTagSet | undefined,
): void {
  const targets: ssm.CfnAssociation.TargetProperty[] = kind === 'autoScalingGroup'
    // Auto Scaling tags every instance it launches with its group's name.
    ? [{ key: 'tag:aws:autoscaling:groupName', values: [group!.autoScalingGroupName] }]
    : Object.entries(tags!.instanceTagGroups[0]).map(([key, values]) =>
      (values.length === 0 ? { key: 'tag-key', values: [key] } : { key: `tag:${key}`, values }));
  targets.forEach((target, i) => {
    new ssm.CfnAssociation(scope, i === 0 ? 'CodeDeployAgent' : `CodeDeployAgent${i + 1}`, {
      name: AGENT_ASSOCIATION.document,
      parameters: AGENT_ASSOCIATION.parameters as unknown as Record<string, string[]>,
      targets: [target],
      scheduleExpression: AGENT_ASSOCIATION.schedule,
    });
  });
}
