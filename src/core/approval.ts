import { Duration, Token } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { topicWithEmails, validateTopicAndEmails } from './topic';
import { fail, show, validateDuration, validateList, validateOptionsObject, validateShape, validateWholeMinutes } from './validation';

/**
 * How a manual approval before an environment is announced and who may give it.
 */
export interface ApprovalOptions {
  /**
   * Topic that is notified when the approval is pending.
   *
   * @default - a KMS-encrypted, SSL-only topic is created when `emails` is given;
   * otherwise no notification
   */
  readonly topic?: sns.ITopic;
  /**
   * E-mail addresses notified when the approval is pending (subscribed to the topic, the given
   * one or the created one).
   *
   * @default - none
   */
  readonly emails?: string[];
  /**
   * URL the reviewer should look at before approving, e.g. the staging site.
   *
   * @default - none
   */
  readonly reviewUrl?: string;
  /**
   * Text shown to the reviewer.
   *
   * @default - 'Approve deployment to <environment>'
   */
  readonly comment?: string;
  /**
   * How long the approval waits before it fails, in whole minutes between 5 minutes and 7 days.
   *
   * @default Duration.days(7)
   */
  readonly timeout?: Duration;
  /**
   * Principals that may approve or reject: they get `codepipeline:PutApprovalResult` on this
   * one approval action and nothing else.
   *
   * @default - none (grant approval rights through your own IAM policies)
   */
  readonly approvers?: iam.IGrantable[];
}

/** @internal */
export interface ApprovalContext {
  readonly environmentName: string;
  readonly encryptionKey: kms.IKey;
  readonly runOrder: number;
}

/** Validate approval options. @internal */
export function validateApproval(scope: Construct, prop: string, approval: ApprovalOptions | undefined): void {
  if (!approval) {
    return;
  }
  validateOptionsObject(scope, prop, approval, 'pass e.g. approval: { emails: ["ops@example.com"] }');
  validateDuration(scope, `${prop}.timeout`, approval.timeout, DEFAULTS.approvalTimeoutMin, DEFAULTS.approvalTimeoutMax);
  validateWholeMinutes(scope, `${prop}.timeout`, approval.timeout);
  validateTopicAndEmails(scope, prop, approval, ['grantPublish']);
  validateList(scope, `${prop}.approvers`, approval.approvers, 'pass a list of principals, e.g. approvers: [opsRole]');
  (approval.approvers ?? []).forEach((approver, i) => {
    validateShape(scope, `${prop}.approvers[${i}]`, approver ?? null, ['grantPrincipal'], 'an iam.IGrantable (a role, user or group)',
      'pass the principal construct, e.g. iam.Role.fromRoleArn(this, "Ops", arn)');
  });
  if (approval.reviewUrl !== undefined && !Token.isUnresolved(approval.reviewUrl) && !/^https?:\/\/\S+$/.test(approval.reviewUrl)) {
    fail(scope, `${prop}.reviewUrl`, `must be an http(s) URL, got ${show(approval.reviewUrl)}`, 'give the full URL, e.g. "https://staging.example.com"');
  }
}

/**
 * Create the manual approval action for an environment (and its encrypted topic when only
 * e-mails are given). @internal
 */
export function createApprovalAction(scope: Construct, options: ApprovalOptions, context: ApprovalContext): actions.ManualApprovalAction {
  const topic = topicWithEmails(scope, 'ApprovalTopic', options, {
    displayName: `Approval needed: ${context.environmentName}`,
    masterKey: () => context.encryptionKey,
  });
  return new actions.ManualApprovalAction({
    actionName: 'Approve',
    runOrder: context.runOrder,
    notificationTopic: topic,
    externalEntityLink: options.reviewUrl,
    additionalInformation: options.comment ?? `Approve deployment to ${context.environmentName}`,
    timeout: options.timeout,
  });
}
