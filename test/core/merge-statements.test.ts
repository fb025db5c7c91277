import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { allow, mergeWithoutWidening } from '../../src/core/statement';

const rendered = (statements: iam.PolicyStatement[]) => new Stack().resolve(statements.map((s) => s.toStatementJson()));

describe('mergeWithoutWidening', () => {
  test('GIVEN statements with the same actions THEN their resources join, and the Sids', () => {
    expect(rendered(mergeWithoutWidening([
      allow('ReadA', ['s3:GetObject'], ['arn:aws:s3:::a/*']),
      allow('ReadB', ['s3:GetObject'], ['arn:aws:s3:::b/*']),
    ]))).toEqual([{ Sid: 'ReadAAndReadB', Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] }]);
  });

  test('GIVEN statements on the same resources THEN their actions join, also when a merge makes a third one match', () => {
    expect(rendered(mergeWithoutWidening([
      allow('Describe', ['ec2:DescribeInstances'], ['*']),
      allow('Put', ['s3:PutObject'], ['arn:aws:s3:::a/*']),
      allow('Watch', ['elasticloadbalancing:DescribeTargetHealth'], ['*']),
    ]))).toEqual([
      { Sid: 'DescribeAndWatch', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'elasticloadbalancing:DescribeTargetHealth'], Resource: '*' },
      { Sid: 'Put', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::a/*' },
    ]);
    const chained = mergeWithoutWidening([
      allow('A', ['s3:GetObject'], ['arn:aws:s3:::a/*']),
      allow('B', ['s3:PutObject'], ['arn:aws:s3:::b/*']),
      allow('C', ['s3:GetObject'], ['arn:aws:s3:::b/*']),
      allow('D', ['s3:PutObject'], ['arn:aws:s3:::a/*']),
    ]);
    // A+C share the action, B+D too; then both list the same two buckets: one statement.
    expect(rendered(chained)).toEqual([
      { Sid: 'AAndCAndBAndD', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] },
    ]);
  });

  test('GIVEN statements that share neither, or differ in effect, conditions or principals THEN nothing merges (that would widen)', () => {
    const statements = [
      allow('Get', ['s3:GetObject'], ['arn:aws:s3:::a/*']),
      allow('Put', ['s3:PutObject'], ['arn:aws:s3:::b/*']),
      allow('GetSecure', ['s3:GetObject'], ['arn:aws:s3:::c/*'], { Bool: { 'aws:SecureTransport': 'true' } }),
      new iam.PolicyStatement({ sid: 'DenyGet', effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: ['arn:aws:s3:::d/*'] }),
      new iam.PolicyStatement({ sid: 'ForRoot', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::e/*'], principals: [new iam.AccountRootPrincipal()] }),
    ];
    expect(mergeWithoutWidening(statements).map((s) => s.sid)).toEqual(['Get', 'Put', 'GetSecure', 'DenyGet', 'ForRoot']);
  });
});
