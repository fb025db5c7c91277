import { Duration, Token } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { acknowledgeInPacks, EMAIL_SUBSCRIPTION_REASON, NagPackPrefix } from './nag';
import { fail, show, validateDuration, validateList, validateOptionsObject, validateShape, validateWholeMinutes } from './validation';

/**
 * How a manual approval before an environment is announced and who may give it.
 */
export interface ApprovalOptions {
  /**
   * Topic that is notified when the approval is pending.
   *
   * @default - a KMS-encrypted, SSL-only topic is created when `notifyEmails` is given;
   * otherwise no notification
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * E-mail addresses notified when the approval is pending (subscribed to the topic).
   *
   * @default - none
   */
  readonly notifyEmails?: string[];
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
  validateOptionsObject(scope, prop, approval, 'pass e.g. approval: { notifyEmails: ["ops@example.com"] }');
  validateDuration(scope, `${prop}.timeout`, approval.timeout, DEFAULTS.approvalTimeoutMin, DEFAULTS.approvalTimeoutMax);
  validateWholeMinutes(scope, `${prop}.timeout`, approval.timeout);
  validateList(scope, `${prop}.notifyEmails`, approval.notifyEmails, 'pass a list of addresses, e.g. notifyEmails: ["ops@example.com"]');
  validateShape(scope, `${prop}.notificationTopic`, approval.notificationTopic, ['topicArn', 'addSubscription', 'grantPublish'], 'an sns.ITopic',
    'pass the topic construct, e.g. sns.Topic.fromTopicArn(this, "Approvals", arn)');
  validateList(scope, `${prop}.approvers`, approval.approvers, 'pass a list of principals, e.g. approvers: [opsRole]');
  (approval.approvers ?? []).forEach((approver, i) => {
    validateShape(scope, `${prop}.approvers[${i}]`, approver ?? null, ['grantPrincipal'], 'an iam.IGrantable (a role, user or group)',
      'pass the principal construct, e.g. iam.Role.fromRoleArn(this, "Ops", arn)');
  });
  (approval.notifyEmails ?? []).forEach((email, i) => {
    if (typeof email !== 'string' || (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
      fail(scope, `${prop}.notifyEmails[${i}]`, `is not an e-mail address, got ${show(email)}`, 'give addresses like "ops@example.com"');
    }
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
  let topic = options.notificationTopic;
  if (!topic && options.notifyEmails && options.notifyEmails.length > 0) {
    const created = new sns.Topic(scope, 'ApprovalTopic', {
      displayName: `Approval needed: ${context.environmentName}`,
      masterKey: context.encryptionKey,
      enforceSSL: true,
    });
    for (const email of options.notifyEmails) {
      acknowledgeInPacks(created.addSubscription(new subscriptions.EmailSubscription(email)), 'SNSRedrivePolicy', [NagPackPrefix.SERVERLESS], EMAIL_SUBSCRIPTION_REASON);
    }
    topic = created;
  } else if (topic) {
    // The addresses are subscribed to a given topic too, as the option promises.
    for (const email of options.notifyEmails ?? []) {
      acknowledgeInPacks(topic.addSubscription(new subscriptions.EmailSubscription(email)), 'SNSRedrivePolicy', [NagPackPrefix.SERVERLESS], EMAIL_SUBSCRIPTION_REASON);
    }
  }
  const action = new actions.ManualApprovalAction({
    actionName: 'Approve',
    runOrder: context.runOrder,
    notificationTopic: topic,
    externalEntityLink: options.reviewUrl,
    additionalInformation: options.comment ?? `Approve deployment to ${context.environmentName}`,
    timeout: options.timeout,
  });
  return action;
}
