/**
 * The IAM evaluator the verification gates rely on: canonicalization of CloudFormation values,
 * wildcard matching with opaque tokens, conditions, and the Allow/Deny/resource-policy logic.
 * Each case states the IAM behaviour it pins.
 */
import { AppModel, authorize, conditionsHold, evaluate, identityMay, matches, roleMay, roleStatements, TemplateModel, token, trustAllows } from './iam-eval';

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

/**
 * Three templates of one app, as a multi-account app synthesizes them: a tools account with the
 * pipeline role and the artifact bucket and key, a staging account whose deploy role reads the
 * artifacts, and a production account in another region with a replication bucket whose key is
 * named by an alias. Cross-stack names across accounts are literals (physical names).
 */
describe('templates of several accounts (AppModel)', () => {
  const TOOLS = { account: '111111111111', region: 'us-east-1', scope: 'Tools' };
  const STAGING = { account: '222222222222', region: 'us-east-1', scope: 'Staging' };
  const PRODUCTION = { account: '333333333333', region: 'eu-west-1', scope: 'Production' };
  const pipelineRoleArn = 'arn:aws:iam::111111111111:role/pipeline-role';
  const deployRoleArn = 'arn:aws:iam::222222222222:role/staging-deploy';
  const objects = 'arn:aws:s3:::tools-artifacts/*';
  const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
  const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: objects };
  const decrypt = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/*', Condition: { StringEquals: viaS3 } };
  const root = (account: string) => ({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' });

  /** The app, with the tools bucket policy and key policy statements, and the staging role's identity statements. */
  const app = (o: { bucketPolicy?: any[]; keyPolicy?: any[]; identity?: any[]; trust?: any[] } = {}) => new AppModel([
    new TemplateModel({
      Resources: {
        PipelineRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'pipeline-role', Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: deployRoleArn }] } }] } },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'tools-artifacts' } },
        BucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: { Statement: o.bucketPolicy ?? [] } } },
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: o.keyPolicy ?? [root('111111111111')] } } },
        // The same logical id as a staging resource: scoped tokens keep them apart.
        Shared: { Type: 'AWS::SNS::Topic' },
      },
    }, TOOLS),
    new TemplateModel({
      Resources: {
        DeployRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'staging-deploy',
            AssumeRolePolicyDocument: {
              Statement: o.trust ?? [{
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Principal: { AWS: 'arn:aws:iam::111111111111:root' },
                Condition: { ArnEquals: { 'aws:PrincipalArn': pipelineRoleArn } },
              }],
            },
            Policies: [{ PolicyDocument: { Statement: o.identity ?? [read, decrypt, { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Shared' } }, { Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }] } }],
          },
        },
        Shared: { Type: 'AWS::SNS::Topic' },
      },
    }, STAGING),
    new TemplateModel({
      Resources: {
        ReplicationKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root('333333333333')] } } },
        ReplicationAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/replication', TargetKeyId: { 'Fn::GetAtt': ['ReplicationKey', 'Arn'] } } },
        ReplicationBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'production-replication' } },
      },
    }, PRODUCTION),
  ]);
  const staging = (a: AppModel) => a.models[1];
  const tools = (a: AppModel) => a.models[0];
  const keyOf = (a: AppModel) => tools(a).arnOf('Key');
  const readGrant = { Effect: 'Allow', Principal: { AWS: deployRoleArn }, Action: 's3:GetObject', Resource: objects };
  const keyGrant = { Effect: 'Allow', Principal: { AWS: deployRoleArn }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: viaS3 } };

  test('a role is found by its literal ARN in the template that defines it; a KMS alias stands for its key; a bucket belongs to its template\'s account', () => {
    const a = app();
    expect(a.roleByArn(deployRoleArn)).toEqual({ m: staging(a), roleId: 'DeployRole' });
    expect(a.roleByArn('arn:aws:iam::222222222222:role/nobody')).toBeUndefined();
    expect(a.resolveKey('arn:aws:kms:eu-west-1:333333333333:alias/replication')).toBe(a.models[2].arnOf('ReplicationKey'));
    // An alias of that name in another account or region is another alias.
    expect(a.resolveKey('arn:aws:kms:us-east-1:333333333333:alias/replication')).toBe('arn:aws:kms:us-east-1:333333333333:alias/replication');
    expect(a.accountOf(objects, 'x')).toBe('111111111111');
    expect(a.accountOf('arn:aws:s3:::production-replication', 'x')).toBe('333333333333');
    expect(a.accountOf('arn:aws:ecs:us-east-1:222222222222:service/c/s', 'x')).toBe('222222222222');
    expect(a.accountOf('*', 'x')).toBe('x');
  });

  test('tokens are scoped: a resource of one template is not the same-named resource of another', () => {
    const a = app();
    expect(tools(a).arnOf('Shared')).not.toBe(staging(a).arnOf('Shared'));
    expect(roleMay(staging(a), 'DeployRole', { action: 'sns:Publish', resource: staging(a).arnOf('Shared') }, a).decision).toBe('allow');
    expect(roleMay(staging(a), 'DeployRole', { action: 'sns:Publish', resource: tools(a).arnOf('Shared') }, a).decision).toBe('implicit-deny');
    expect(() => new AppModel([new TemplateModel({}, ENV), new TemplateModel({}, ENV)])).toThrow(/distinct scopes/);
  });

  test('across accounts an Allow is needed in both the identity policy and the resource policy', () => {
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::tools-artifacts/a.zip' };
    // Identity alone: the bucket policy does not name the role.
    expect(roleMay(staging(app()), 'DeployRole', request, app()).decision).toBe('implicit-deny');
    // Resource policy alone: the role's policy does not allow it.
    const noIdentity = app({ bucketPolicy: [readGrant], identity: [decrypt] });
    expect(roleMay(staging(noIdentity), 'DeployRole', request, noIdentity).decision).toBe('implicit-deny');
    // Both.
    const both = app({ bucketPolicy: [readGrant] });
    expect(roleMay(staging(both), 'DeployRole', request, both).decision).toBe('allow');
    // The bucket policy may name the role's account (which then delegates to its IAM policies).
    const account = app({ bucketPolicy: [{ ...readGrant, Principal: { AWS: 'arn:aws:iam::222222222222:root' } }] });
    expect(roleMay(staging(account), 'DeployRole', request, account).decision).toBe('allow');
    // A Deny in the other account's resource policy wins.
    const denied = app({ bucketPolicy: [readGrant, { ...readGrant, Effect: 'Deny', Principal: { AWS: '*' } }] });
    expect(roleMay(staging(denied), 'DeployRole', request, denied).decision).toBe('explicit-deny');
    // In its own account the identity policy suffices (authorize's same-account rule).
    const who = { arn: deployRoleArn, account: '222222222222' };
    expect(authorize(staging(both), [read], [], who, request).decision).toBe('allow');
    expect(authorize(staging(both), [read], [], who, request, '111111111111').decision).toBe('implicit-deny');
  });

  test('a resource of another account with no resource policy cannot be used from there, whatever the identity policy says', () => {
    const a = app();
    const request = { action: 'ecs:UpdateService', resource: 'arn:aws:ecs:us-east-1:111111111111:service/c/s' };
    expect(identityMay(staging(a), 'DeployRole', request).decision).toBe('allow');
    expect(roleMay(staging(a), 'DeployRole', request, a).decision).toBe('implicit-deny');
    // The same service in the role's own account: allowed.
    expect(roleMay(staging(a), 'DeployRole', { ...request, resource: 'arn:aws:ecs:us-east-1:222222222222:service/c/s' }, a).decision).toBe('allow');
  });

  test('a key of another account needs a key-policy statement for the role: delegation to its own account root does not reach other accounts', () => {
    const request = () => ({ action: 'kms:Decrypt', resource: keyOf(app()), context: viaS3 });
    // Only the key account's root: the staging role's IAM policy cannot reach it.
    expect(roleMay(staging(app()), 'DeployRole', request(), app()).decision).toBe('implicit-deny');
    const granted = app({ keyPolicy: [root('111111111111'), keyGrant] });
    expect(roleMay(staging(granted), 'DeployRole', request(), granted).decision).toBe('allow');
    // The key policy grant alone is not enough across accounts.
    const noIdentity = app({ keyPolicy: [root('111111111111'), keyGrant], identity: [read] });
    expect(roleMay(staging(noIdentity), 'DeployRole', request(), noIdentity).decision).toBe('implicit-deny');
    // A key the model does not see (no key policy): not usable from another account.
    expect(roleMay(staging(granted), 'DeployRole', { ...request(), resource: 'arn:aws:kms:us-east-1:111111111111:key/unknown' }, granted).decision).toBe('implicit-deny');
  });

  test('kms:ViaService conditions are honoured, in the identity policy and in the key policy', () => {
    const granted = app({ keyPolicy: [root('111111111111'), keyGrant] });
    const sm = staging(granted);
    const request = (context?: Record<string, string>) => ({ action: 'kms:Decrypt', resource: keyOf(granted), context });
    expect(roleMay(sm, 'DeployRole', request(viaS3), granted).decision).toBe('allow');
    // Called directly (not through S3), or through S3 of another region: neither condition holds.
    expect(roleMay(sm, 'DeployRole', request(), granted).decision).toBe('implicit-deny');
    expect(roleMay(sm, 'DeployRole', request({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }), granted).decision).toBe('implicit-deny');
    // The key policy's condition alone decides when the identity policy has none.
    const loose = app({ keyPolicy: [root('111111111111'), keyGrant], identity: [{ ...decrypt, Condition: undefined }] });
    expect(roleMay(staging(loose), 'DeployRole', request(viaS3), loose).decision).toBe('allow');
    expect(roleMay(staging(loose), 'DeployRole', request(), loose).decision).toBe('implicit-deny');
  });

  test('in its own account a key policy delegating to the account root lets the IAM policy decide', () => {
    const a = app();
    const production = a.models[2];
    const own = new AppModel([...a.models.slice(0, 2), production.withTemplate({
      Resources: {
        ...production.template.Resources,
        Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['ReplicationKey', 'Arn'] } }] } }] } },
      },
    })]);
    const p = own.models[2];
    // Named by its alias, as the pipeline names the replication key.
    expect(roleMay(p, 'Role', { action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:333333333333:alias/replication' }, own).decision).toBe('allow');
    expect(roleMay(p, 'Role', { action: 'kms:Encrypt', resource: 'arn:aws:kms:eu-west-1:333333333333:alias/replication' }, own).decision).toBe('implicit-deny');
  });

  test('assuming a role of another account needs the caller\'s sts:AssumeRole and the trust policy, whose conditions are evaluated', () => {
    const a = app();
    const t = tools(a);
    const assume = { action: 'sts:AssumeRole', resource: deployRoleArn };
    const pipeline = { arn: t.arnOf('PipelineRole'), account: t.account };
    expect(trustAllows(staging(a), 'DeployRole', pipeline).decision).toBe('allow');
    expect(roleMay(t, 'PipelineRole', assume, a).decision).toBe('allow');
    // Another role of the trusted account: the ArnEquals aws:PrincipalArn condition keeps it out.
    expect(trustAllows(staging(a), 'DeployRole', { arn: 'arn:aws:iam::111111111111:role/other', account: t.account }).decision).toBe('implicit-deny');
    // A trust policy that does not name the pipeline's account.
    const untrusted = app({ trust: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::999999999999:root' } }] });
    expect(trustAllows(staging(untrusted), 'DeployRole', pipeline).decision).toBe('implicit-deny');
    expect(roleMay(tools(untrusted), 'PipelineRole', assume, untrusted).decision).toBe('implicit-deny');
    // The trust policy alone is not enough: the caller's policy must allow sts:AssumeRole on the role.
    const noCall = { ...assume, resource: 'arn:aws:iam::222222222222:role/elsewhere' };
    expect(roleMay(t, 'PipelineRole', noCall, a).decision).toBe('implicit-deny');
  });
});
