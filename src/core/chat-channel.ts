import { Names, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fail, show, validateOptionsObject, validateShape } from './validation';

/**
 * A Slack channel for the pipeline's notifications.
 */
export interface SlackChannelOptions {
  /**
   * The Slack workspace's id, as the AWS Chatbot console shows it once the workspace is
   * authorized there (a one-time OAuth step in the console that no template can do), e.g. `T0123ABCD`.
   */
  readonly workspaceId: string;
  /**
   * The channel's id (channel details in Slack), e.g. `C0123ABCD`. Invite `@Amazon Q` to a private channel.
   */
  readonly channelId: string;
}

/**
 * A Microsoft Teams channel for the pipeline's notifications.
 */
export interface MicrosoftTeamsChannelOptions {
  /** The Microsoft Entra tenant id of the team, as the AWS Chatbot console shows it once the team is authorized there. */
  readonly tenantId: string;
  /** The team's id. */
  readonly teamId: string;
  /** The channel's id, e.g. `19:abc...@thread.tacv2`. */
  readonly channelId: string;
}

/** The deny-all AWS managed policy: the channel's guardrail, so no one runs commands from the chat. */
const DENY_ALL = 'AWSDenyAll';

/**
 * A chat channel that receives the pipeline's notifications through AWS Chatbot (Amazon Q
 * Developer in chat applications). Use the static factories.
 *
 * The channel configurations the library creates may do nothing but post: their role has no
 * permissions (posting a notification needs none) and their guardrail is the `AWSDenyAll`
 * managed policy, so no one can run AWS commands from the channel.
 */
export abstract class ChatChannel {
  /**
   * A Slack channel. The library creates its channel configuration.
   *
   * @param options the workspace and channel
   */
  public static slack(options: SlackChannelOptions): ChatChannel {
    return new SlackChannel(options);
  }

  /**
   * A Microsoft Teams channel. The library creates its channel configuration.
   *
   * @param options the tenant, team and channel
   */
  public static microsoftTeams(options: MicrosoftTeamsChannelOptions): ChatChannel {
    return new TeamsChannel(options);
  }

  /**
   * A Slack channel configuration of your own (its role and guardrails are yours).
   *
   * @param configuration the channel configuration
   */
  public static fromSlackChannelConfiguration(configuration: chatbot.ISlackChannelConfiguration): ChatChannel {
    return new OwnSlackChannel(configuration);
  }

  /** The notification rule's target, created in `scope`. @internal */
  public abstract _bind(scope: Construct, id: string, prop: string): notifications.INotificationRuleTarget;
}

/** A configuration name: up to 128 of [A-Za-z0-9-_], unique in the account. */
function configurationName(scope: Construct, id: string): string {
  return Names.uniqueResourceName(new Construct(scope, `${id}Name`), { maxLength: 128, allowedSpecialCharacters: '-_' });
}

function validateId(scope: Construct, prop: string, value: unknown, pattern: RegExp, example: string): void {
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && !pattern.test(value))) {
    fail(scope, prop, `must be an id like ${example}, got ${show(value)}`, `pass the id the AWS Chatbot console shows, e.g. ${example}`);
  }
}

/** A role that may do nothing: AWS Chatbot needs one to exist; posting notifications needs no permissions. */
function postOnlyRole(scope: Construct): iam.Role {
  return new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
    description: `AWS Chatbot channel of ${scope.node.path}: posts notifications only (no permissions)`,
  });
}

class SlackChannel extends ChatChannel {
  constructor(private readonly options: SlackChannelOptions) {
    super();
  }

  public _bind(scope: Construct, id: string, prop: string): notifications.INotificationRuleTarget {
    validateOptionsObject(scope, prop, this.options, 'pass e.g. ChatChannel.slack({ workspaceId: "T0123ABCD", channelId: "C0123ABCD" })');
    validateId(scope, `${prop}.workspaceId`, this.options.workspaceId, /^[0-9A-Z]{1,255}$/, 'T0123ABCD');
    validateId(scope, `${prop}.channelId`, this.options.channelId, /^[A-Za-z0-9]{1,255}$/, 'C0123ABCD');
    const holder = new Construct(scope, id);
    return new chatbot.SlackChannelConfiguration(holder, 'Configuration', {
      slackChannelConfigurationName: configurationName(holder, 'Configuration'),
      slackWorkspaceId: this.options.workspaceId,
      slackChannelId: this.options.channelId,
      role: postOnlyRole(holder),
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(DENY_ALL)],
    });
  }
}

class TeamsChannel extends ChatChannel {
  constructor(private readonly options: MicrosoftTeamsChannelOptions) {
    super();
  }

  public _bind(scope: Construct, id: string, prop: string): notifications.INotificationRuleTarget {
    validateOptionsObject(scope, prop, this.options, 'pass e.g. ChatChannel.microsoftTeams({ tenantId, teamId, channelId })');
    const uuid = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
    validateId(scope, `${prop}.tenantId`, this.options.tenantId, uuid, '00000000-0000-0000-0000-000000000000');
    validateId(scope, `${prop}.teamId`, this.options.teamId, uuid, '00000000-0000-0000-0000-000000000000');
    validateId(scope, `${prop}.channelId`, this.options.channelId, /^\S{1,255}$/, '19:abc@thread.tacv2');
    const holder = new Construct(scope, id);
    const role = postOnlyRole(holder);
    const configuration = new chatbot.CfnMicrosoftTeamsChannelConfiguration(holder, 'Configuration', {
      configurationName: configurationName(holder, 'Configuration'),
      iamRoleArn: role.roleArn,
      teamsTenantId: this.options.tenantId,
      teamId: this.options.teamId,
      teamsChannelId: this.options.channelId,
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(DENY_ALL).managedPolicyArn],
    });
    return {
      // CodeStar Notifications target type of a Teams channel configuration (AWS::CodeStarNotifications::NotificationRule Target).
      bindAsNotificationRuleTarget: () => ({ targetType: 'AWSChatbotMicrosoftTeams', targetAddress: configuration.attrArn }),
    };
  }
}

class OwnSlackChannel extends ChatChannel {
  constructor(private readonly configuration: chatbot.ISlackChannelConfiguration) {
    super();
  }

  public _bind(scope: Construct, _id: string, prop: string): notifications.INotificationRuleTarget {
    validateShape(scope, prop, this.configuration, ['slackChannelConfigurationArn', 'bindAsNotificationRuleTarget'], 'a chatbot.ISlackChannelConfiguration',
      'pass e.g. chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(this, "Chat", arn)');
    return this.configuration;
  }
}
