import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { NotificationOptions } from '../../src';
import { githubSource, newStack } from '../helpers';
import { onlyResource, SpinePipeline } from './support';

/** A spine pipeline with one environment and the given notifications. */
function pipelineWith(stack: Stack, notifications: NotificationOptions): SpinePipeline {
  return new SpinePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging' }], notifications });
}

/** The DependsOn of the only notification rule. */
function ruleDependsOn(template: Template): string[] {
  return onlyResource(template, 'AWS::CodeStarNotifications::NotificationRule').resource.DependsOn ?? [];
}

// CreateNotificationRule checks the topic's access policy (aws/aws-cdk#29484): the rule must be
// created after every policy of its topic.
describe('Notification rule creation order', () => {
  test('GIVEN e-mails (the library creates the topic) WHEN synthesized THEN the rule depends on the topic policy', () => {
    const stack = newStack();
    pipelineWith(stack, { emails: ['ops@acme.example'] });
    const template = Template.fromStack(stack);
    const policyId = onlyResource(template, 'AWS::SNS::TopicPolicy').id;
    expect(ruleDependsOn(template)).toContain(policyId);
  });

  test('GIVEN the user\'s topic in the app WHEN synthesized THEN the rule depends on that topic\'s policy', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    pipelineWith(stack, { topic });
    const template = Template.fromStack(stack);
    const policyId = onlyResource(template, 'AWS::SNS::TopicPolicy').id;
    expect(ruleDependsOn(template)).toContain(policyId);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('NotificationTopicPolicy'));
  });

  test('GIVEN a separate TopicPolicy the user adds after the pipeline WHEN synthesized THEN the rule depends on it too', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:us-east-1:111111111111:ops');
    pipelineWith(stack, { topic });
    const own = new sns.TopicPolicy(stack, 'OpsPolicy', { topics: [topic] });
    own.document.addStatements(new iam.PolicyStatement({
      actions: ['sns:Publish'], resources: [topic.topicArn], principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
    }));
    const template = Template.fromStack(stack);
    expect(ruleDependsOn(template)).toContain(stack.getLogicalId(own.node.defaultChild as sns.CfnTopicPolicy));
  });

  test('GIVEN an imported topic without a policy in the app WHEN synthesized THEN a warning with an id says what the user must allow', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:us-east-1:111111111111:ops');
    pipelineWith(stack, { topic });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
      Match.stringLikeRegexp('codestar-notifications\\.amazonaws\\.com to sns:Publish.*ack: cdk-delivery-pipelines:NotificationTopicPolicy'));
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
      Match.stringLikeRegexp('arn:aws:sns:us-east-1:111111111111:ops.*kms:GenerateDataKey\\* and kms:Decrypt'));
  });
});

// CodeStar Notifications needs kms:GenerateDataKey*/kms:Decrypt on the topic's key; an imported
// key's policy cannot be amended by the app (first-run audit, finding 5).
describe('Notification topic key', () => {
  function keyStatementsFor(template: Template, keyId: string): any[] {
    const key = template.findResources('AWS::KMS::Key')[keyId];
    return key.Properties.KeyPolicy.Statement.filter((s: any) =>
      JSON.stringify(s.Principal ?? {}).includes('codestar-notifications.amazonaws.com'));
  }

  test('GIVEN the library\'s artifact store WHEN e-mails are given THEN the topic uses the artifact key and its policy lets CodeStar Notifications use it', () => {
    const stack = newStack();
    pipelineWith(stack, { emails: ['ops@acme.example'] });
    const template = Template.fromStack(stack);
    const keyId = onlyResource(template, 'AWS::KMS::Key').id;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(keyStatementsFor(template, keyId)).not.toHaveLength(0);
  });

  test('GIVEN an imported artifact-store key WHEN e-mails are given THEN the topic gets its own rotating key whose policy lets CodeStar Notifications use it', () => {
    const stack = newStack();
    const artifactStore = {
      bucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'acme-artifacts'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'ArtifactKey', 'arn:aws:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012'),
    };
    new SpinePipeline(stack, 'Pipeline', {
      source: githubSource(), environments: [{ name: 'Staging' }], artifactStore, notifications: { emails: ['ops@acme.example'] },
    });
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] } });
    const [statement] = keyStatementsFor(template, key.id);
    expect(statement.Action).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
  });
});

describe('The user\'s topic with a KMS key the app cannot amend', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012';

  test('GIVEN a topic of the app encrypted with an imported key WHEN synthesized THEN a warning with an id names the key statement to add', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OpsTopic', { masterKey: kms.Key.fromKeyArn(stack, 'OpsKey', KEY_ARN) });
    pipelineWith(stack, { topic });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
      `encrypted with KMS key ${KEY_ARN.replace(/[/-]/g, '.')}.*codestar-notifications\\.amazonaws\\.com kms:GenerateDataKey\\* and kms:Decrypt.*NotificationTopicKeyPolicy`));
  });

  test('GIVEN a topic encrypted with a key of the app, or unencrypted WHEN synthesized THEN no such warning', () => {
    const owned = newStack();
    pipelineWith(owned, { topic: new sns.Topic(owned, 'OpsTopic', { masterKey: new kms.Key(owned, 'OpsKey') }) });
    const plain = newStack();
    pipelineWith(plain, { topic: new sns.Topic(plain, 'OpsTopic') });
    for (const s of [owned, plain]) {
      Annotations.fromStack(s).hasNoWarning('*', Match.stringLikeRegexp('NotificationTopicKeyPolicy'));
    }
  });
});
