/**
 * Gate: every resource whose creation checks another resource's permissions is created after it
 * (DependsOn, or an implicit Ref/GetAtt/Sub dependency, transitively), in every stack of every
 * registered example. Rules and their sources: ./creation-order.ts.
 */
import { allPairs, createdAfter, dependencyGraph, ORDER_RULES, unorderedPairs } from './creation-order';
import { TemplateModel } from './iam-eval';
import { exampleStacks } from './support';

const stacks = exampleStacks();
const ENV = { account: '111111111111', region: 'us-east-1' };

describe('the creation-order rules', () => {
  test('every rule cites where the failure is described', () => {
    for (const rule of ORDER_RULES) {
      expect(rule.source).toMatch(/^https:\/\//);
      expect(rule.quote.length).toBeGreaterThan(20);
    }
  });

  test.each([
    'notification rule after the topic policy of its SNS target',
    'CodeDeploy deployment group after the policies of its service role',
    'pipeline after the policies of its role and of its Source actions\' roles (its first execution starts on creation)',
    'ECS service after the policies of its task execution role (its tasks start on creation)',
    'Lambda function after the policies of its execution role',
  ])('the examples have pairs for "%s" (the gate is not vacuous)', (name) => {
    expect(stacks.flatMap((s) => allPairs(s.m).filter((p) => p.rule === name)).length).toBeGreaterThan(0);
  });
});

describe.each(stacks.flatMap((s) => ORDER_RULES.map((rule) => [`${s.example.example.name}/${s.stackName}`, rule.name, s, rule] as const)))(
  '%s', (_stack, _rule, s, rule) => {
    test(`orders every pair: ${rule.name}`, () => {
      expect(unorderedPairs(s.m, [rule])).toEqual([]);
    });
  });

describe('the dependency graph (synthetic templates)', () => {
  const topicAndPolicy = {
    Topic: { Type: 'AWS::SNS::Topic' },
    TopicPolicy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Topic' }], PolicyDocument: { Statement: [] } } },
  };
  const rule = (extra: any = {}) => ({
    Type: 'AWS::CodeStarNotifications::NotificationRule',
    Properties: { Resource: 'arn:aws:codepipeline:us-east-1:111111111111:p', Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: 'Topic' } }] },
    ...extra,
  });
  const model = (resources: any) => new TemplateModel({ Resources: resources }, ENV);

  test('a notification rule that only references its topic is reported (aws/aws-cdk#29484)', () => {
    const problems = unorderedPairs(model({ ...topicAndPolicy, Rule: rule() }));
    expect(problems).toEqual([expect.stringContaining('Rule is not created after TopicPolicy')]);
  });

  test('DependsOn the topic policy orders it', () => {
    expect(unorderedPairs(model({ ...topicAndPolicy, Rule: rule({ DependsOn: 'TopicPolicy' }) }))).toEqual([]);
  });

  test('a transitive DependsOn orders it', () => {
    expect(unorderedPairs(model({
      ...topicAndPolicy,
      Middle: { Type: 'AWS::SQS::Queue', DependsOn: ['TopicPolicy'] },
      Rule: rule({ DependsOn: ['Middle'] }),
    }))).toEqual([]);
  });

  test('a Ref, Fn::GetAtt or Fn::Sub reference is a dependency; an unrelated resource is not', () => {
    const graph = dependencyGraph({
      Resources: {
        A: { Type: 'X', Properties: { P: { Ref: 'B' } } },
        B: { Type: 'X', Properties: { P: { 'Fn::GetAtt': ['C', 'Arn'] } } },
        C: { Type: 'X', Properties: { P: { 'Fn::Sub': 'arn:${AWS::Partition}:x:::${D.Name}' } } },
        D: { Type: 'X', Properties: { P: { 'Fn::Join': ['', ['x', { Ref: 'AWS::Region' }]] } } },
        E: { Type: 'X' },
      },
    });
    expect(createdAfter(graph, 'A', 'D')).toBe(true);
    expect(createdAfter(graph, 'A', 'E')).toBe(false);
    expect(createdAfter(graph, 'D', 'A')).toBe(false);
  });

  test('a deployment group is reported until it depends on its role policy', () => {
    const base = {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      RolePolicy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [] } } },
    };
    const group = (extra: any = {}) => ({ Type: 'AWS::CodeDeploy::DeploymentGroup', Properties: { ApplicationName: 'app', ServiceRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } }, ...extra });
    expect(unorderedPairs(model({ ...base, Group: group() }))).toEqual([expect.stringContaining('Group is not created after RolePolicy')]);
    expect(unorderedPairs(model({ ...base, Group: group({ DependsOn: ['RolePolicy'] }) }))).toEqual([]);
  });

  test('a pipeline is reported until it depends on the policy of its Source action role', () => {
    const base = {
      PipelineRole: { Type: 'AWS::IAM::Role', Properties: {} },
      PipelineRolePolicy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'PipelineRole' }], PolicyDocument: { Statement: [] } } },
      SourceRole: { Type: 'AWS::IAM::Role', Properties: {} },
      SourceRolePolicy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'SourceRole' }], PolicyDocument: { Statement: [] } } },
    };
    const pipeline = (dependsOn: string[]) => ({
      Type: 'AWS::CodePipeline::Pipeline',
      DependsOn: dependsOn,
      Properties: {
        RoleArn: { 'Fn::GetAtt': ['PipelineRole', 'Arn'] },
        Stages: [{ Name: 'Source', Actions: [{ Name: 'S', RoleArn: { 'Fn::GetAtt': ['SourceRole', 'Arn'] } }] }],
      },
    });
    expect(unorderedPairs(model({ ...base, P: pipeline(['PipelineRolePolicy']) }))).toEqual([expect.stringContaining('P is not created after SourceRolePolicy')]);
    expect(unorderedPairs(model({ ...base, P: pipeline(['PipelineRolePolicy', 'SourceRolePolicy']) }))).toEqual([]);
  });

  test('an ECS service behind a load balancer is reported until it depends on a listener forwarding to its target group', () => {
    const base = {
      Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {} },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }] } },
    };
    const service = (extra: any = {}) => ({ Type: 'AWS::ECS::Service', Properties: { LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' }, ContainerName: 'web', ContainerPort: 80 }] }, ...extra });
    expect(unorderedPairs(model({ ...base, Svc: service() }))).toEqual([expect.stringContaining('Svc is not created after Listener')]);
    expect(unorderedPairs(model({ ...base, Svc: service({ DependsOn: 'Listener' }) }))).toEqual([]);
  });
});
