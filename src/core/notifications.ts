import { Aspects, Resource, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { ChatChannel } from './chat-channel';
import { topicWithEmails, validateTopicAndEmails } from './topic';
import { fail, show, validateBoolean, validateList, validateOptionsObject, warn } from './validation';

/**
 * Where pipeline events are announced.
 */
export interface NotificationOptions {
  /**
   * Topic that receives the notifications.
   *
   * @default - a KMS-encrypted, SSL-only topic is created when `emails` is given
   */
  readonly topic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the topic.
   *
   * @default - none
   */
  readonly emails?: string[];
  /**
   * Chat channels that receive the same notifications through AWS Chatbot, e.g.
   * `ChatChannel.slack({ workspaceId, channelId })`, with or without a topic.
   *
   * @default - none
   */
  readonly chatChannels?: ChatChannel[];
  /**
   * Also notify when an execution succeeds.
   *
   * @default false (failures and pending approvals only)
   */
  readonly notifyOnSuccess?: boolean;
}

/** Validate notification options. @internal */
export function validateNotifications(scope: Construct, options: NotificationOptions | undefined): void {
  validateOptionsObject(scope, 'notifications', options, 'pass e.g. notifications: { emails: ["ops@example.com"] }');
  validateTopicAndEmails(scope, 'notifications', options, ['bindAsNotificationRuleTarget']);
  validateBoolean(scope, 'notifications.notifyOnSuccess', options?.notifyOnSuccess);
  validateList(scope, 'notifications.chatChannels', options?.chatChannels, 'pass e.g. chatChannels: [ChatChannel.slack({ workspaceId: "T0123ABCD", channelId: "C0123ABCD" })]');
  (options?.chatChannels ?? []).forEach((channel, i) => {
    if (!(channel instanceof ChatChannel)) {
      fail(scope, `notifications.chatChannels[${i}]`, `must be created by a ChatChannel factory, got ${show(channel)}`,
        'use ChatChannel.slack({ workspaceId, channelId }), ChatChannel.microsoftTeams({ tenantId, teamId, channelId }) or ChatChannel.fromSlackChannelConfiguration(configuration)');
    }
  });
}

/**
 * Notify failures and pending approvals of the pipeline through CodeStar Notifications → SNS.
 * Returns the topic, or undefined when nothing is configured. @internal
 */
export function addPipelineNotifications(
  scope: Construct,
  pipeline: codepipeline.IPipeline,
  encryptionKey: kms.IKey,
  options: NotificationOptions | undefined,
): sns.ITopic | undefined {
  if (!options) {
    return undefined;
  }
  if (options.topic) {
    warnIfKeyCannotBeAmended(scope, options.topic);
  }
  // aws-cdk-lib lets CodeStar Notifications use the key when the rule binds the encrypted topic.
  const topic = topicWithEmails(scope, 'NotificationTopic', options, {
    displayName: `Pipeline notifications: ${scope.node.path}`,
    masterKey: () => topicKey(scope, encryptionKey),
  });
  const chats = (options.chatChannels ?? []).map((channel, i) => channel._bind(scope, `ChatChannel${i + 1}`, `notifications.chatChannels[${i}]`));
  const [first, ...others] = [...(topic ? [topic] : []), ...chats];
  if (!first) {
    return undefined;
  }
  const events = [
    codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
    codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
    codepipeline.PipelineNotificationEvents.STAGE_EXECUTION_FAILED,
    codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
    codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_FAILED,
  ];
  if (options.notifyOnSuccess) {
    events.push(codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED);
  }
  const rule = pipeline.notifyOn('Notifications', first, { events });
  others.forEach((target) => rule.addTarget(target));
  if (topic) {
    orderAfterTopicPolicies(scope, rule, topic);
  }
  return topic;
}

/**
 * CodeStar Notifications publishes with its own service principal, so the topic's key policy
 * must allow it kms:GenerateDataKey* and kms:Decrypt. aws-cdk-lib adds that statement to a key
 * of this app when the rule binds the topic; an imported key's policy cannot be amended and the
 * grant would be dropped silently (no notification ever arrives), so the topic gets its own key.
 */
function topicKey(scope: Construct, artifactKey: kms.IKey): kms.IKey {
  if (Resource.isOwnedResource(artifactKey)) {
    return artifactKey;
  }
  return new kms.Key(scope, 'NotificationTopicKey', {
    description: `Notification topic of ${scope.node.path} (the artifact store's key is imported)`,
    enableKeyRotation: true,
  });
}

/** The same key need for the user's topic: warn when its key's policy is not in the app. */
function warnIfKeyCannotBeAmended(scope: Construct, topic: sns.ITopic): void {
  const key = topic.masterKey;
  if (key && !Resource.isOwnedResource(key)) {
    const named = Token.isUnresolved(key.keyArn) ? key.node.path : key.keyArn;
    warn(scope, 'NotificationTopicKeyPolicy',
      `notifications.topic ${topic.node.path} is encrypted with KMS key ${named}, whose key policy this app cannot amend: add a statement allowing ` +
      'principal codestar-notifications.amazonaws.com kms:GenerateDataKey* and kms:Decrypt to that key policy, or no notification ever arrives');
  }
}

/**
 * CreateNotificationRule checks that the topic's access policy lets CodeStar Notifications
 * publish, so a rule created before that policy fails (aws/aws-cdk#29484): the rule depends
 * on every policy of the topic in the app. They are looked up at synthesis (an aspect), so a
 * policy the user adds after the pipeline counts too. A topic whose policy is not in the app
 * gets a warning: the user must allow it.
 */
function orderAfterTopicPolicies(scope: Construct, rule: IConstruct, topic: sns.ITopic): void {
  Aspects.of(rule).add({
    visit: (node: IConstruct) => {
      if (node !== rule) {
        return;
      }
      const topicStack = Stack.of(topic);
      const arn = JSON.stringify(topicStack.resolve(topic.topicArn));
      const policies = topicStack.node.findAll().filter((c): c is sns.CfnTopicPolicy =>
        c instanceof sns.CfnTopicPolicy && (c.topics ?? []).some((t) => JSON.stringify(topicStack.resolve(t)) === arn));
      if (policies.length === 0) {
        const named = Token.isUnresolved(topic.topicArn) ? topic.node.path : `${topic.node.path} (${topic.topicArn})`;
        warn(scope, 'NotificationTopicPolicy',
          `notifications.topic ${named} has no topic policy in this app (e.g. it is imported): its access policy must allow ` +
          'codestar-notifications.amazonaws.com to sns:Publish (and, for an encrypted topic, its KMS key policy must allow ' +
          'the same principal kms:GenerateDataKey* and kms:Decrypt) before the stack is deployed, or creating the notification rule fails');
      }
      policies.forEach((p) => rule.node.addDependency(p));
    },
  });
}
