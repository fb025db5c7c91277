/**
 * The IAM evaluator the verification gates rely on: canonicalization of CloudFormation values,
 * wildcard matching with opaque tokens, conditions, and the Allow/Deny/resource-policy logic.
 * Each case states the IAM behaviour it pins.
 */
import { authorize, conditionsHold, evaluate, matches, roleMay, roleStatements, TemplateModel, token } from './iam-eval';

const ENV = { account: '111111111111', region: 'us-east-1' };

/** A template with the resources the cases use. */
const TEMPLATE = {
  Resources: {
    Repo: { Type: 'AWS::ECR::Repository', Properties: {} },
    NamedRepo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'shop' } },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [] } } },
    Cluster: { Type: 'AWS::ECS::Cluster' },
    Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'web' } },
    Service: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'Task' } } },
    Topic: { Type: 'AWS::SNS::Topic' },
    Logs: { Type: 'AWS::Logs::LogGroup' },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    Alias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live' } },
    Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener' },
    Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic' } }] } }] } },
    RolePolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: { 'Fn::GetAtt': ['Repo', 'Arn'] } }] } },
    },
    OtherPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
    },
    Other: { Type: 'AWS::IAM::Role', Properties: {} },
  },
};
const m = new TemplateModel(TEMPLATE, ENV);

describe('canonicalization', () => {
  test.each([
    [{ 'Fn::GetAtt': ['Repo', 'Arn'] }, `arn:aws:ecr:us-east-1:111111111111:repository/${token('Repo')}`],
    [{ Ref: 'Repo' }, token('Repo')],
    [{ 'Fn::GetAtt': ['NamedRepo', 'Arn'] }, 'arn:aws:ecr:us-east-1:111111111111:repository/shop'],
    [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, `arn:aws:s3:::${token('Bucket')}`],
    [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }, `arn:aws:s3:::${token('Bucket')}/*`],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/x' }, `arn:aws:s3:::${token('Bucket')}/x`],
    [{ 'Fn::Sub': ['${A}/${Bucket.Arn}', { A: { Ref: 'AWS::AccountId' } }] }, `111111111111/arn:aws:s3:::${token('Bucket')}`],
    // Ref of an ECS service is its ARN (cluster and service name inside).
    [{ Ref: 'Service' }, `arn:aws:ecs:us-east-1:111111111111:service/${token('Cluster')}/${token('Service')}`],
    [{ 'Fn::GetAtt': ['Service', 'Name'] }, token('Service')],
    [{ Ref: 'Task' }, `arn:aws:ecs:us-east-1:111111111111:task-definition/web:${token('Task', 'Revision')}`],
    [{ Ref: 'Topic' }, `arn:aws:sns:us-east-1:111111111111:${token('Topic')}`],
    [{ 'Fn::GetAtt': ['Logs', 'Arn'] }, `arn:aws:logs:us-east-1:111111111111:log-group:${token('Logs')}:*`],
    [{ Ref: 'Alias' }, `arn:aws:lambda:us-east-1:111111111111:function:${token('Fn')}:live`],
    // The repository URI as aws-cdk-lib builds it: account and region split out of the ARN.
    [{ 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repo', 'Arn'] }] }] }, '111111111111'],
    [{ 'Fn::Join': ['', [{ 'Fn::Select': [0, { 'Fn::Split': [':listener/', { Ref: 'Listener' }] }] }, ':listener-rule/', { 'Fn::Select': [1, { 'Fn::Split': [':listener/', { Ref: 'Listener' }] }] }, '/*']] },
      `arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/${token('Listener')}/*`],
    [{ Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
  ])('%j is %s', (value, expected) => {
    expect(m.canon(value)).toBe(expected);
  });

  test('an unsupported intrinsic throws instead of being misjudged', () => {
    expect(() => m.canon({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(/unsupported intrinsic Fn::If/);
  });
});

describe('matching', () => {
  const repo = m.canon({ 'Fn::GetAtt': ['Repo', 'Arn'] });
  test.each([
    // [pattern, value, matches]
    [repo, repo, true],
    ['arn:aws:ecr:us-east-1:111111111111:repository/*', repo, true],
    ['arn:aws:ecr:*:*:repository/*', repo, true],
    ['*', repo, true],
    // Another resource's token is not this one.
    [`arn:aws:ecr:us-east-1:111111111111:repository/${token('NamedRepo')}`, repo, false],
    // A token's length is unknown: `?` never matches it, a literal prefix never matches into it.
    ['arn:aws:ecr:us-east-1:111111111111:repository/?', repo, false],
    ['arn:aws:ecr:us-east-1:111111111111:repository/a*', repo, false],
    // Another service prefix is another resource.
    ['arn:aws:codestar-connections:us-east-1:111111111111:connection/x', 'arn:aws:codeconnections:us-east-1:111111111111:connection/x', false],
    // A requested `*` ("every such resource") is covered only by a pattern `*`.
    [`arn:aws:s3:::${token('Bucket')}/*`, `arn:aws:s3:::${token('Bucket')}/*`, true],
    [`arn:aws:s3:::${token('Bucket')}/a*`, `arn:aws:s3:::${token('Bucket')}/*`, false],
    [`arn:aws:s3:::${token('Bucket')}`, `arn:aws:s3:::${token('Bucket')}/*`, false],
    ['arn:aws:s3:::b?cket', 'arn:aws:s3:::bucket', true],
    ['arn:aws:s3:::b?cket', 'arn:aws:s3:::b*cket', false],
  ])('%s covers %s: %s', (pattern, value, expected) => {
    expect(matches(pattern, value)).toBe(expected);
  });

  test('actions match case-insensitively, resources do not', () => {
    expect(matches('ECR:batchget*', 'ecr:BatchGetImage', true)).toBe(true);
    expect(matches('arn:aws:s3:::Bucket', 'arn:aws:s3:::bucket')).toBe(false);
  });
});

describe('conditions', () => {
  const holds = (condition: any, context: any) => conditionsHold(m, condition, context);
  test.each([
    [{ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, true],
    [{ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }, { 'iam:PassedToService': 'lambda.amazonaws.com' }, false],
    // Keys are case-insensitive; a missing key fails a positive operator.
    [{ StringEquals: { 'IAM:passedtoservice': 'x' } }, { 'iam:PassedToService': 'x' }, true],
    [{ StringEquals: { 'iam:PassedToService': 'x' } }, {}, false],
    // IfExists and negated operators hold when the key is missing.
    [{ StringEqualsIfExists: { 'iam:PassedToService': 'x' } }, {}, true],
    [{ StringNotEquals: { 'aws:SourceAccount': '222222222222' } }, {}, true],
    [{ StringLike: { 'iam:PassedToService': 'ecs-*' } }, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, true],
    // Values are canonicalized: a GetAtt in a condition compares with the canonical ARN.
    [{ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['Cluster', 'Arn'] } } }, { 'ecs:cluster': `arn:aws:ecs:us-east-1:111111111111:cluster/${token('Cluster')}` }, true],
    [{ ArnLike: { 'ecs:cluster': 'arn:aws:ecs:*:*:cluster/*' } }, { 'ecs:cluster': `arn:aws:ecs:us-east-1:111111111111:cluster/${token('Cluster')}` }, true],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' }, false],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }, true],
    [{ Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
    [{ Null: { 'aws:TokenIssueTime': 'false' } }, {}, false],
    // Several keys and operators: all must hold.
    [{ StringEquals: { a: '1', b: '2' } }, { a: '1', b: '3' }, false],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['x'] } }, { 'aws:TagKeys': ['y', 'x'] }, true],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['x'] } }, { 'aws:TagKeys': ['y', 'x'] }, false],
  ])('%j with %j: %s', (condition, context, expected) => {
    expect(holds(condition, context)).toBe(expected);
  });

  test('an unsupported operator throws', () => {
    expect(() => holds({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '1' })).toThrow(/unsupported condition operator/);
  });
});

describe('evaluation', () => {
  const repo = m.canon({ 'Fn::GetAtt': ['Repo', 'Arn'] });
  const allow = { Effect: 'Allow', Action: 'ecr:*', Resource: '*' };

  test('an explicit Deny wins over an Allow, whatever the order', () => {
    const deny = { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: repo };
    expect(evaluate(m, [allow, deny], { action: 'ecr:BatchGetImage', resource: repo }).decision).toBe('explicit-deny');
    expect(evaluate(m, [deny, allow], { action: 'ecr:BatchGetImage', resource: repo }).decision).toBe('explicit-deny');
  });

  test('nothing applies: implicit deny', () => {
    expect(evaluate(m, [allow], { action: 's3:GetObject', resource: '*' }).decision).toBe('implicit-deny');
  });

  test('NotAction and NotResource', () => {
    const notAction = { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' };
    expect(evaluate(m, [notAction], { action: 'ecr:BatchGetImage', resource: repo }).decision).toBe('allow');
    expect(evaluate(m, [notAction], { action: 'iam:PassRole', resource: repo }).decision).toBe('implicit-deny');
    const notResource = { Effect: 'Deny', Action: '*', NotResource: repo };
    expect(evaluate(m, [allow, notResource], { action: 'ecr:BatchGetImage', resource: repo }).decision).toBe('allow');
    expect(evaluate(m, [allow, notResource], { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:111111111111:repository/other' }).decision).toBe('explicit-deny');
  });

  test("a role's statements are its inline policies and the policies attached to it, not another role's", () => {
    expect(roleStatements(m, 'Role').map((s) => s.Action)).toEqual(['sns:Publish', 'ecr:BatchGetImage']);
    expect(roleMay(m, 'Role', { action: 'ecr:BatchGetImage', resource: repo }).decision).toBe('allow');
    expect(roleMay(m, 'Role', { action: 'ecr:GetDownloadUrlForLayer', resource: repo }).decision).toBe('implicit-deny');
  });

  test('a bucket policy Deny applies to a role (SSL only: the request is over TLS, so it does not)', () => {
    const who = { arn: m.arnOf('Role'), account: ENV.account };
    const bucketObjects = `arn:aws:s3:::${token('Bucket')}/*`;
    const denyInsecure = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: bucketObjects, Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const identity = [{ Effect: 'Allow', Action: 's3:GetObject', Resource: bucketObjects }];
    const request = (secure: string) => ({ action: 's3:GetObject', resource: bucketObjects, context: { 'aws:SecureTransport': secure } });
    expect(authorize(m, identity, [{ kind: 'other', statements: [denyInsecure] }], who, request('true')).decision).toBe('allow');
    expect(authorize(m, identity, [{ kind: 'other', statements: [denyInsecure] }], who, request('false')).decision).toBe('explicit-deny');
  });

  test('a KMS key needs its key policy to delegate to the account before IAM policies count', () => {
    const who = { arn: m.arnOf('Role'), account: ENV.account };
    const key = m.arnOf('Key');
    const identity = [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key }];
    const request = { action: 'kms:Decrypt', resource: key };
    const rootDelegation = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' };
    expect(authorize(m, identity, [{ kind: 'kms', statements: [] }], who, request).decision).toBe('implicit-deny');
    expect(authorize(m, identity, [{ kind: 'kms', statements: [rootDelegation] }], who, request).decision).toBe('allow');
    // A key policy naming the role allows it without an IAM policy.
    const direct = { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Action: 'kms:Decrypt', Resource: '*' };
    expect(authorize(m, [], [{ kind: 'kms', statements: [direct] }], who, request).decision).toBe('allow');
  });

  test('a published AWS managed policy attached to a role is evaluated', () => {
    const withManaged = new TemplateModel({
      Resources: {
        R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']] }] } },
      },
    }, ENV);
    expect(roleMay(withManaged, 'R', { action: 'ecr:BatchGetImage', resource: 'arn:aws:ecr:us-east-1:111111111111:repository/x' }).decision).toBe('allow');
    expect(roleMay(withManaged, 'R', { action: 'ecr:PutImage', resource: 'arn:aws:ecr:us-east-1:111111111111:repository/x' }).decision).toBe('implicit-deny');
  });

  test('a bucket policy naming the account delegates to IAM policies; it grants nothing by itself', () => {
    const who = { arn: m.arnOf('Role'), account: ENV.account };
    const objects = `arn:aws:s3:::${token('Bucket')}/*`;
    const accountGrant = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 's3:GetObject', Resource: objects };
    const roleGrant = { ...accountGrant, Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } } };
    const request = { action: 's3:GetObject', resource: objects };
    expect(authorize(m, [], [{ kind: 'other', statements: [accountGrant] }], who, request).decision).toBe('implicit-deny');
    expect(authorize(m, [], [{ kind: 'other', statements: [roleGrant] }], who, request).decision).toBe('allow');
  });

  test('an AWS managed policy attached to a role fails loudly (its statements are not in the template)', () => {
    const withManaged = new TemplateModel({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } } } }, ENV);
    expect(() => roleStatements(withManaged, 'R')).toThrow(/managed policy/);
  });
});
