import { Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import { ChatChannel, EcsContainerPipeline, EcsDeployment, NotificationOptions } from '../../src';
import { fargateService, githubSource, nagFindings, newStack } from '../helpers';

const TENANT = '11111111-2222-3333-4444-555555555555';
const TEAM = '66666666-7777-8888-9999-000000000000';

function pipelineWith(notifications: NotificationOptions) {
  const stack = newStack();
  const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Web')) }],
    notifications,
  });
  return { stack, pipeline, template: Template.fromStack(stack) };
}

describe('chat channels for notifications', () => {
  test('a Slack channel: a channel configuration that can only post (role without permissions, deny-all guardrail), a target of the rule', () => {
    const { template } = pipelineWith({ chatChannels: [ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' })] });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] }],
    });
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    expect(roles[roleId].Properties.Policies).toBeUndefined();
    expect(Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))).toEqual([]);
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Targets: [{ TargetType: 'AWSChatbotSlack', TargetAddress: { Ref: Match.stringLikeRegexp('ChatChannel1Configuration') } }],
    });
    // No topic without a topic or e-mails.
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('a Teams channel with e-mails: both targets, the Teams configuration on the L1 with a deny-all guardrail', () => {
    const { template } = pipelineWith({
      emails: ['team@acme.example'],
      chatChannels: [ChatChannel.microsoftTeams({ tenantId: TENANT, teamId: TEAM, channelId: '19:abc@thread.tacv2' })],
    });
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamsTenantId: TENANT,
      TeamId: TEAM,
      TeamsChannelId: '19:abc@thread.tacv2',
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] }],
    });
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Targets: Match.arrayWith([
        { TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('NotificationTopic') } },
        { TargetType: 'AWSChatbotMicrosoftTeams', TargetAddress: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatChannel1Configuration'), 'Arn'] } },
      ]),
    });
  });

  test('a Slack configuration of your own is used as it is', () => {
    const stack = newStack();
    const own = chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(stack, 'Chat', 'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/ops');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Web')) }],
      notifications: { chatChannels: [ChatChannel.fromSlackChannelConfiguration(own)] },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Targets: [{ TargetType: 'AWSChatbotSlack', TargetAddress: 'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/ops' }],
    });
  });

  test('no unacknowledged cdk-nag findings', () => {
    const { pipeline } = pipelineWith({ chatChannels: [ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }), ChatChannel.microsoftTeams({ tenantId: TENANT, teamId: TEAM, channelId: '19:abc@thread.tacv2' })] });
    expect(nagFindings(pipeline)).toEqual([]);
  });

  test.each<[string, any, RegExp]>([
    ['a workspace id in lower case', [ChatChannel.slack({ workspaceId: 't0123', channelId: 'C0123ABCD' })], /notifications\.chatChannels\[0\]\.workspaceId must be an id like T0123ABCD, got "t0123"/],
    ['a channel name instead of an id', [ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: '#ops' })], /notifications\.chatChannels\[0\]\.channelId must be an id like C0123ABCD, got "#ops"/],
    ['a tenant that is not a GUID', [ChatChannel.microsoftTeams({ tenantId: 'acme', teamId: TEAM, channelId: '19:a' })], /notifications\.chatChannels\[0\]\.tenantId must be an id like/],
    ['a plain object', [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }], /notifications\.chatChannels\[0\] must be created by a ChatChannel factory/],
    ['not a list', ChatChannel.slack({ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }), /notifications\.chatChannels must be a list/],
  ])('rejects %s', (_name, chatChannels, error) => {
    expect(() => pipelineWith({ chatChannels })).toThrow(error);
  });
});
