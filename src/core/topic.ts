import { Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeInPacks, NagPackPrefix } from './nag-acknowledge';
import { EMAIL_SUBSCRIPTION_REASON } from './nag-reasons';
import { fail, show, validateList, validateShape } from './validation';

/** The `topic` / `emails` pair that approvals and notifications share. @internal */
export interface TopicAndEmails {
  readonly topic?: sns.ITopic;
  readonly emails?: string[];
}

/**
 * Validate a `topic` / `emails` pair under `prop` (e.g. `notifications`, `environments[1].approval`).
 * `topicMembers` are the members the topic's use needs beyond an ARN and subscriptions.
 * @internal
 */
export function validateTopicAndEmails(scope: Construct, prop: string, options: TopicAndEmails | undefined, topicMembers: string[]): void {
  validateList(scope, `${prop}.emails`, options?.emails, 'pass a list of addresses, e.g. emails: ["ops@example.com"]');
  validateShape(scope, `${prop}.topic`, options?.topic, ['topicArn', 'addSubscription', ...topicMembers], 'an sns.ITopic',
    'pass the topic construct, e.g. sns.Topic.fromTopicArn(this, "Ops", arn)');
  (options?.emails ?? []).forEach((email, i) => {
    if (typeof email !== 'string' || (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
      fail(scope, `${prop}.emails[${i}]`, `is not an e-mail address, got ${show(email)}`, 'give addresses like "ops@example.com"');
    }
  });
}

/** How the topic is created when only e-mails are given. @internal */
export interface CreatedTopicProps {
  readonly displayName: string;
  /** The key the created topic is encrypted with (asked only when a topic is created). */
  readonly masterKey: () => kms.IKey;
}

/**
 * The topic of a `topic` / `emails` pair: the given topic, or (when only e-mails are given) a
 * KMS-encrypted, SSL-only topic created as `scope/id`; the e-mails are subscribed to it either
 * way, as the options promise. Undefined when neither is given. @internal
 */
export function topicWithEmails(scope: Construct, id: string, options: TopicAndEmails, create: CreatedTopicProps): sns.ITopic | undefined {
  const emails = options.emails ?? [];
  if (!options.topic && emails.length === 0) {
    return undefined;
  }
  const topic = options.topic ?? new sns.Topic(scope, id, {
    displayName: create.displayName,
    masterKey: create.masterKey(),
    enforceSSL: true,
  });
  for (const email of emails) {
    acknowledgeInPacks(topic.addSubscription(new subscriptions.EmailSubscription(email)), 'SNSRedrivePolicy', [NagPackPrefix.SERVERLESS], EMAIL_SUBSCRIPTION_REASON);
  }
  return topic;
}
