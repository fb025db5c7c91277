import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeliveryPipelineErrors, EcsContainerPipeline, EcsDeployment, EcsEnvironment } from '../../src';
import { fargateService, newStack } from '../helpers';
import { actionsOf, ecsPipeline, flatten, onlyResource, resourcesOf, stageOf, stagesOf, thrown, twoEnvironments } from './support';

function keyArnOf(stack: Stack, pipeline: EcsContainerPipeline) {
  return { 'Fn::GetAtt': [stack.getLogicalId(pipeline.encryptionKey.node.defaultChild as any), 'Arn'] };
}

/**
 * The pipeline's warnings but one id. The fixture's services run a placeholder image, which a
 * cdk deploy would restore (warning EcsImageResetByCdkDeploy, expected here).
 */
function warningsBut(stack: Stack, id: string) {
  return Annotations.fromStack(stack).findWarning('/TestStack/Pipeline', Match.anyValue())
    .filter((w) => !String(w.entry.data).includes(`cdk-delivery-pipelines:${id}`));
}

function actionNames(stage: any): Array<[string, string, number]> {
  return stage.Actions.map((a: any) => [a.Name, a.ActionTypeId.Category, a.RunOrder]);
}

const EXECUTION_FAILED = 'codepipeline-pipeline-pipeline-execution-failed';
const APPROVAL_NEEDED = 'codepipeline-pipeline-manual-approval-needed';
const EXECUTION_SUCCEEDED = 'codepipeline-pipeline-pipeline-execution-succeeded';

describe('DeliveryPipeline', () => {
  describe('GIVEN Staging and Production with defaults', () => {
    let stack: Stack;
    let pipeline: EcsContainerPipeline;
    let template: Template;

    beforeAll(() => {
      stack = newStack();
      pipeline = ecsPipeline(stack, { environments: twoEnvironments(stack) });
      template = Template.fromStack(stack);
    });

    test('THEN the pipeline is V2, QUEUED, and does not restart itself on update', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        PipelineType: 'V2',
        ExecutionMode: 'QUEUED',
        RestartExecutionOnUpdate: false,
        Name: Match.absent(),
      });
    });

    test('THEN the stages are Source, Build, Staging, Production', () => {
      expect(stagesOf(template).map((s) => s.Name)).toEqual(['Source', 'Build', 'Staging', 'Production']);
    });

    test('THEN the first environment deploys without approval', () => {
      expect(actionNames(stageOf(template, 'Staging'))).toEqual([['Deploy', 'Deploy', 2]]);
    });

    test('THEN the second environment is approved manually (runOrder 1) before it deploys (runOrder 2)', () => {
      expect(actionNames(stageOf(template, 'Production'))).toEqual([['Approve', 'Approval', 1], ['Deploy', 'Deploy', 2]]);
      const approval = stageOf(template, 'Production').Actions[0];
      expect(approval.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Approval', Provider: 'Manual' }));
      expect(approval.Configuration).toEqual({ CustomData: 'Approve deployment to Production' });
    });

    test('THEN no topic and no notification rule are created', () => {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
      expect(pipeline.notificationTopic).toBeUndefined();
    });

    test('THEN the pipeline encrypts artifacts with the store key', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        ArtifactStore: Match.objectLike({ EncryptionKey: { Type: 'KMS', Id: keyArnOf(stack, pipeline) } }),
      });
    });

    test('THEN there are no warnings from the pipeline (but the placeholder image\'s Day-2 note)', () => {
      expect(warningsBut(stack, 'EcsImageResetByCdkDeploy')).toEqual([]);
    });
  });

  test('GIVEN three environments THEN every environment after the first is approved', () => {
    const stack = newStack();
    const environments: EcsEnvironment[] = ['Dev', 'Staging', 'Production'].map((name) => ({
      name, deployment: EcsDeployment.rolling(fargateService(stack, `${name}Service`)),
    }));
    ecsPipeline(stack, { environments });
    const template = Template.fromStack(stack);
    expect(stagesOf(template).map((s) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Source']],
      ['Build', ['BuildAndTest']],
      ['Dev', ['Deploy']],
      ['Staging', ['Approve', 'Deploy']],
      ['Production', ['Approve', 'Deploy']],
    ]);
  });

  test('GIVEN executionMode PARALLEL and a pipelineName WHEN synthesized THEN both are used', () => {
    const stack = newStack();
    ecsPipeline(stack, { executionMode: codepipeline.ExecutionMode.PARALLEL, pipelineName: 'shop-delivery' });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ExecutionMode: 'PARALLEL',
      Name: 'shop-delivery',
      PipelineType: 'V2',
    });
  });

  test('GIVEN requireApproval: false on the second environment THEN it deploys without approval', () => {
    const stack = newStack();
    ecsPipeline(stack, { environments: twoEnvironments(stack, { requireApproval: false }) });
    const template = Template.fromStack(stack);
    expect(actionNames(stageOf(template, 'Production'))).toEqual([['Deploy', 'Deploy', 2]]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ApprovalIgnored'))).toEqual([]);
  });

  test('GIVEN requireApproval: true on the first environment THEN it is approved before it deploys', () => {
    const stack = newStack();
    ecsPipeline(stack, { environments: twoEnvironments(stack, {}, { requireApproval: true }) });
    const template = Template.fromStack(stack);
    expect(actionNames(stageOf(template, 'Staging'))).toEqual([['Approve', 'Approval', 1], ['Deploy', 'Deploy', 2]]);
    expect(actionNames(stageOf(template, 'Production'))).toEqual([['Approve', 'Approval', 1], ['Deploy', 'Deploy', 2]]);
  });

  describe('GIVEN approval options on Production', () => {
    let stack: Stack;
    let pipeline: EcsContainerPipeline;
    let template: Template;
    let approverId: string;

    beforeAll(() => {
      stack = newStack();
      const approver = new iam.Role(stack, 'Approver', { assumedBy: new iam.AccountRootPrincipal() });
      approverId = stack.getLogicalId(approver.node.defaultChild as iam.CfnRole);
      // Another principal in the app that is not an approver.
      new iam.Role(stack, 'Bystander', { assumedBy: new iam.AccountRootPrincipal() });
      pipeline = ecsPipeline(stack, {
        environments: twoEnvironments(stack, {
          approval: {
            emails: ['ops@acme.example', 'lead@acme.example'],
            reviewUrl: 'https://staging.acme.example',
            comment: 'Check the staging site first',
            timeout: Duration.hours(4),
            approvers: [approver],
          },
        }),
      });
      template = Template.fromStack(stack);
    });

    test('THEN an approval topic encrypted with the pipeline key is created', () => {
      const topic = onlyResource(template, 'AWS::SNS::Topic');
      expect(topic.resource.Properties.KmsMasterKeyId).toEqual(keyArnOf(stack, pipeline));
    });

    test('THEN the topic policy denies publishing without SSL', () => {
      const topic = onlyResource(template, 'AWS::SNS::Topic');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic.id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('THEN each address is subscribed to the topic by e-mail', () => {
      const topic = onlyResource(template, 'AWS::SNS::Topic');
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      for (const email of ['ops@acme.example', 'lead@acme.example']) {
        template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: topic.id } });
      }
    });

    test('THEN the approval action notifies the topic, links the review URL, shows the comment and times out', () => {
      const topic = onlyResource(template, 'AWS::SNS::Topic');
      const approval = stageOf(template, 'Production').Actions[0];
      expect(approval.Configuration).toEqual({
        NotificationArn: { Ref: topic.id },
        ExternalEntityLink: 'https://staging.acme.example',
        CustomData: 'Check the staging site first',
      });
      expect(approval.TimeoutInMinutes).toBe(240);
    });

    test('THEN the approver may put the approval result on exactly this approval action', () => {
      const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
      const grants = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => ({ roles: p.Properties.Roles, s })))
        .filter(({ s }) => actionsOf(s).includes('codepipeline:PutApprovalResult'));
      expect(grants).toHaveLength(1);
      expect(grants[0].roles).toEqual([{ Ref: approverId }]);
      expect(grants[0].s.Effect).toBe('Allow');
      expect(actionsOf(grants[0].s)).toEqual(['codepipeline:PutApprovalResult']);
      const pipelineId = onlyResource(template, 'AWS::CodePipeline::Pipeline').id;
      expect(resourcesOf(grants[0].s).map(flatten))
        .toEqual([`arn:<AWS::Partition>:codepipeline:us-east-1:111111111111:<${pipelineId}>/Production/Approve`]);
    });

    test('THEN nothing is warned (but the placeholder image\'s Day-2 note)', () => {
      expect(warningsBut(stack, 'EcsImageResetByCdkDeploy')).toEqual([]);
    });
  });

  test('GIVEN an existing approval topic WHEN synthesized THEN the approval notifies it and no topic is created', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { topic: topic } }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(stageOf(template, 'Production').Actions[0].Configuration.NotificationArn)
      .toEqual({ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) });
  });

  // Approvals and notifications share one topic/e-mail helper (src/core/topic.ts): the
  // addresses are subscribed to a given topic too, as ApprovalOptions.emails promises.
  test('GIVEN an existing approval topic and emails WHEN synthesized THEN the addresses are subscribed to that topic', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { topic, emails: ['ops@acme.example'] } }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.example',
      TopicArn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) },
    });
  });

  describe('GIVEN approval options where no approval runs', () => {
    test('WHEN they are on the first environment THEN a warning says they are ignored and how to add one', () => {
      const stack = newStack();
      ecsPipeline(stack, { environments: twoEnvironments(stack, {}, { approval: { reviewUrl: 'https://dev.acme.example' } }) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('environments "Staging": approval options are ignored .*set requireApproval: true.*cdk-delivery-pipelines:ApprovalIgnored'));
      expect(actionNames(stageOf(Template.fromStack(stack), 'Staging'))).toEqual([['Deploy', 'Deploy', 2]]);
    });

    test('WHEN requireApproval is false THEN a warning says they are ignored and no topic is created', () => {
      const stack = newStack();
      ecsPipeline(stack, { environments: twoEnvironments(stack, { requireApproval: false, approval: { emails: ['ops@acme.example'] } }) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('environments "Production": approval options are ignored because requireApproval is false'));
      Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 0);
    });
  });

  describe('GIVEN notifications to e-mail addresses', () => {
    let stack: Stack;
    let pipeline: EcsContainerPipeline;
    let template: Template;
    let rule: any;
    let topicId: string;

    beforeAll(() => {
      stack = newStack();
      pipeline = ecsPipeline(stack, { notifications: { emails: ['ops@acme.example'] } });
      template = Template.fromStack(stack);
      rule = onlyResource(template, 'AWS::CodeStarNotifications::NotificationRule').resource;
      topicId = onlyResource(template, 'AWS::SNS::Topic').id;
    });

    test('THEN an SSL-only topic encrypted with the pipeline key is created and exposed', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArnOf(stack, pipeline) });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      expect(pipeline.notificationTopic).toBeDefined();
    });

    test('THEN the address is subscribed', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.example', TopicArn: { Ref: topicId } });
    });

    test('THEN a notification rule on the pipeline announces failures and pending approvals to the topic', () => {
      const pipelineId = onlyResource(template, 'AWS::CodePipeline::Pipeline').id;
      expect(rule.Properties.EventTypeIds).toEqual(expect.arrayContaining([EXECUTION_FAILED, APPROVAL_NEEDED]));
      expect(rule.Properties.EventTypeIds).not.toContain(EXECUTION_SUCCEEDED);
      expect(rule.Properties.Targets).toEqual([{ TargetType: 'SNS', TargetAddress: { Ref: topicId } }]);
      expect(flatten(rule.Properties.Resource)).toBe(`arn:<AWS::Partition>:codepipeline:us-east-1:111111111111:<${pipelineId}>`);
    });

    test('THEN CodeStar Notifications may publish to the topic and use the key', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'codestar-notifications.amazonaws.com' },
          })]),
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'codestar-notifications.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt']),
          })]),
        },
      });
    });
  });

  test('GIVEN notifyOnSuccess WHEN synthesized THEN successful executions are announced too', () => {
    const stack = newStack();
    ecsPipeline(stack, { notifications: { emails: ['ops@acme.example'], notifyOnSuccess: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith([EXECUTION_FAILED, APPROVAL_NEEDED, EXECUTION_SUCCEEDED]),
    });
  });

  test('GIVEN an existing notification topic WHEN synthesized THEN the rule targets it and no topic is created', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OpsTopic');
    const pipeline = ecsPipeline(stack, { notifications: { topic } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } }],
    });
    expect(pipeline.notificationTopic).toBe(topic);
  });

  test('GIVEN notifications without topic or e-mails WHEN synthesized THEN no rule is created', () => {
    const stack = newStack();
    ecsPipeline(stack, { notifications: { emails: [] } });
    Template.fromStack(stack).resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
  });

  describe('GIVEN bad input', () => {
    const PATH = 'TestStack/Pipeline: ';

    function expectError(fn: () => unknown, prop: string, problem: RegExp) {
      const err = thrown(fn);
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message.startsWith(`${PATH}${prop} `)).toBe(true);
      expect(err.message).toMatch(problem);
      expect(err.message).toMatch(/\. Fix: \S/);
      expect(err.constructPath).toBe('TestStack/Pipeline');
      expect(err.prop).toBe(prop);
    }

    test('WHEN environments is empty THEN it throws', () => {
      expect(() => ecsPipeline(newStack(), { environments: [] }))
        .toThrow(/^TestStack\/Pipeline: environments must not be empty.*Fix: /);
    });

    test('WHEN it throws THEN the error is recognised as the library\'s own', () => {
      const err = thrown(() => ecsPipeline(newStack(), { environments: [] }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(new Error('other'))).toBe(false);
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(undefined)).toBe(false);
    });

    test('WHEN two environments share a name THEN it throws naming the duplicate', () => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { name: 'Staging' }) }),
        'environments[].name', /must be unique, got "Staging" twice/);
    });

    test.each(['Build', 'Source'])('WHEN an environment is named %s THEN it throws (the pipeline\'s own stage)', (name) => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { name }) }),
        'environments[1].name', new RegExp(`is the name of one of the pipeline's own stages, got "${name}".*Source and Build are taken`));
    });

    test.each(['has space', 'slash/name', '', 'x'.repeat(101)])('WHEN an environment name is %j THEN it throws', (name) => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, {}, { name }) }),
        'environments[0].name', /must be 1-100 characters of A-Z/);
    });

    test('WHEN the approval timeout is over 7 days THEN it throws', () => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { timeout: Duration.days(8) } }) }),
        'environments[1].approval.timeout', /must be between 5 minutes and 7 days, got 8 days/);
    });

    test('WHEN the approval timeout is under 5 minutes THEN it throws', () => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { timeout: Duration.seconds(30) } }) }),
        'environments[1].approval.timeout', /must be between 5 minutes and 7 days/);
    });

    test.each(['ops', 'ops@', 'ops at acme.example', '@acme.example'])('WHEN an approval e-mail is %j THEN it throws', (email) => {
      const stack = newStack();
      expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { emails: ['ok@acme.example', email] } }) }),
        'environments[1].approval.emails[1]', /is not an e-mail address/);
    });

    test.each(['staging.acme.example', 'ftp://staging.acme.example', 'https://', 'javascript:alert(1)'])(
      'WHEN the reviewUrl is %j THEN it throws',
      (reviewUrl) => {
        const stack = newStack();
        expectError(() => ecsPipeline(stack, { environments: twoEnvironments(stack, { approval: { reviewUrl } }) }),
          'environments[1].approval.reviewUrl', /must be an http\(s\) URL/);
      },
    );

    test('WHEN a notification e-mail is bad THEN it throws', () => {
      expectError(() => ecsPipeline(newStack(), { notifications: { emails: ['not-an-address'] } }),
        'notifications.emails[0]', /is not an e-mail address, got "not-an-address"/);
    });

    test.each(['my pipeline', 'shop/delivery', 'x'.repeat(101)])('WHEN the pipelineName is %j THEN it throws', (pipelineName) => {
      expectError(() => ecsPipeline(newStack(), { pipelineName }), 'pipelineName', /must be 1-100 characters/);
    });
  });
});
