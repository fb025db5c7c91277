/**
 * Gate: least privilege over every registered example app's synthesized templates.
 *
 * Identity policies (AWS::IAM::Policy, AWS::IAM::ManagedPolicy and inline role policies) are
 * judged as IAM judges them: `Resource: "*"` is allowed only for the actions on the reviewed
 * allow-list RESOURCE_STAR_REASONS (the core's and every workload's, test/wildcard-reviews.ts), which AWS does not scope by resource.
 *
 * Resource policies are handled on their own terms. In a KMS key policy (AWS::KMS::Key
 * KeyPolicy) `Resource: "*"` means "this key" and is the only value a key policy may hold, so it
 * is not a wildcard; what is judged there is the principal: the one `kms:*` statement allowed is
 * AWS's default that delegates the key to the account's IAM policies (principal: the account
 * root), and every other statement names a service and explicit actions. Bucket and topic
 * policies may deny anything (their wildcard Deny statements enforce TLS), but allow nothing to
 * everyone.
 */
import {
  asArray, covers, isAccountRootDelegation, isActionWildcard, isRoleArn, leastPrivilegeViolations, LocatedStatement,
  policyStatements, synthesizedExamples, templateResources, where,
} from './support';
import { RESOURCE_STAR_REASONS } from '../wildcard-reviews';

const examples = synthesizedExamples();
const statements: LocatedStatement[] = examples.flatMap((ex) => policyStatements(ex));
const allows = statements.filter((s) => s.statement.Effect === 'Allow');
const identityAllows = allows.filter((s) => s.kind === 'identity');
const pipelineAllows = allows.filter((s) => s.resource.inPipeline);

describe('least privilege across the example apps', () => {
  test('THEN the rules the property tests apply too (leastPrivilegeViolations) find nothing', () => {
    const roleIds = new Set(examples.flatMap((ex) => templateResources(ex).filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.logicalId)));
    expect(leastPrivilegeViolations(statements, roleIds)).toEqual([]);
  });

  test('GIVEN statements that break each rule THEN leastPrivilegeViolations names every one (the gate can fail)', () => {
    const resource = { stack: 'S', logicalId: 'P', type: 'AWS::IAM::Policy', path: 'S/Pipeline/Role/DefaultPolicy/Resource', inPipeline: true, resource: {} };
    const bad = [
      { Sid: 'Star', Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
      { Sid: 'ServiceStar', Effect: 'Allow', Action: 'ecs:*', Resource: 'arn:aws:ecs:us-east-1:111111111111:service/c/s' },
      { Sid: 'PassAny', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      { Sid: 'PassUnconditioned', Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111111111111:role/task' },
      { Sid: 'PassByWildcard', Effect: 'Allow', Action: 'iam:Pass*', Resource: 'arn:aws:iam::111111111111:role/task', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      { Sid: 'Not', Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b' },
    ].map((statement) => ({ example: 'synthetic', resource, kind: 'identity' as const, statement }));
    const found = leastPrivilegeViolations(bad, new Set()).join('\n');
    for (const sid of ['Star', 'ServiceStar', 'PassAny', 'PassUnconditioned', 'PassByWildcard', 'Not']) {
      expect(found).toContain(`#${sid}:`);
    }
    // The one reviewed exception passes: a reviewed action on "*".
    expect(leastPrivilegeViolations([{ ...bad[0], statement: { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' } }], new Set())).toEqual([]);
  });

  test('GIVEN the examples THEN the gate sees their policies (identity and resource)', () => {
    for (const ex of examples) {
      expect({ example: ex.example.name, identity: identityAllows.some((s) => s.example === ex.example.name && s.resource.inPipeline) })
        .toEqual({ example: ex.example.name, identity: true });
    }
    expect(statements.some((s) => s.resource.type === 'AWS::KMS::Key')).toBe(true);
  });

  describe('Resource "*" in identity policies', () => {
    const starStatements = identityAllows.filter((s) => asArray(s.statement.Resource).includes('*'));

    test('THEN every action on Resource "*" is on the reviewed allow-list (RESOURCE_STAR_REASONS)', () => {
      // The full list, so a review sees what is granted on "*" and where.
      const listed = starStatements.flatMap((s) => asArray<string>(s.statement.Action).map((action) => ({ action, where: where(s) })));
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.filter((l) => RESOURCE_STAR_REASONS[l.action] === undefined)).toEqual([]);
    });

    test('THEN every reviewed action has a written reason', () => {
      for (const [action, reason] of Object.entries(RESOURCE_STAR_REASONS)) {
        expect({ action, reasonLength: reason.trim().length >= 30 }).toEqual({ action, reasonLength: true });
      }
    });

    test('THEN ecs:ListTasks on "*" is limited to the service\'s cluster, as its reason says', () => {
      const listTasks = starStatements.filter((s) => asArray(s.statement.Action).includes('ecs:ListTasks'));
      for (const s of listTasks) {
        expect({ where: where(s), condition: s.statement.Condition?.ArnEquals?.['ecs:cluster'] !== undefined }).toEqual({ where: where(s), condition: true });
      }
    });

    test('THEN no statement on "*" hides its actions behind NotAction, or its resources behind NotResource', () => {
      expect(allows.filter((s) => s.statement.NotAction !== undefined || s.statement.NotResource !== undefined).map(where)).toEqual([]);
    });
  });

  describe('wildcard actions in the pipelines\' resources', () => {
    test('THEN no Allow statement grants Action "*" or "service:*" (except the KMS default key policy, below)', () => {
      const offending = pipelineAllows
        .filter((s) => !isAccountRootDelegation(s))
        .flatMap((s) => asArray<string>(s.statement.Action).filter(isActionWildcard).map((a) => `${where(s)} ${a}`));
      expect(offending).toEqual([]);
    });

    test('THEN wildcards in identity policies are limited to variants of one operation (e.g. kms:GenerateDataKey*, s3:GetObject*)', () => {
      const wildcards = identityAllows.filter((s) => s.resource.inPipeline)
        .flatMap((s) => asArray<string>(s.statement.Action).filter((a) => a.includes('*')));
      for (const action of wildcards) {
        // At least the verb is named: "<service>:<Verb>...*".
        expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+\*$/);
      }
    });
  });

  describe('KMS key policies (resource policies: "*" is the key itself)', () => {
    const keyStatements = allows.filter((s) => s.resource.type === 'AWS::KMS::Key' && s.resource.inPipeline);

    test('THEN each names only the key ("*"), never another resource', () => {
      expect(keyStatements.length).toBeGreaterThan(0);
      expect(keyStatements.filter((s) => s.statement.Resource !== '*').map(where)).toEqual([]);
    });

    test('THEN the only kms:* grant is the default delegation to the account\'s IAM policies', () => {
      const kmsStar = keyStatements.filter((s) => asArray<string>(s.statement.Action).some(isActionWildcard));
      expect(kmsStar.filter((s) => !isAccountRootDelegation(s)).map(where)).toEqual([]);
    });

    test('THEN every other statement allows a named AWS service, or one role of another account through S3 only, explicit actions, and nobody is "*"', () => {
      const others = keyStatements.filter((s) => !isAccountRootDelegation(s));
      for (const s of others) {
        const principal = s.statement.Principal ?? {};
        if (Object.keys(principal).includes('AWS')) {
          // A cross-account grant (artifact reads, the pipeline role's use of a replication key):
          // exactly one role, by its literal ARN, and only through S3 of the key's region.
          const roles = asArray(principal.AWS).map((p) => JSON.stringify(p));
          expect({ where: where(s), roles: roles.length, role: /:iam::\d{12}:role\//.test(roles[0] ?? ''), via: s.statement.Condition?.StringEquals?.['kms:ViaService'] })
            .toEqual({ where: where(s), roles: 1, role: true, via: expect.stringMatching(/^s3\.[a-z0-9-]+\.amazonaws\.com$/) });
          continue;
        }
        expect({ where: where(s), principal: Object.keys(principal) }).toEqual({ where: where(s), principal: ['Service'] });
      }
      expect(keyStatements.filter((s) => JSON.stringify(s.statement.Principal).includes('"*"')).map(where)).toEqual([]);
    });

    test('THEN CloudWatch Logs may use the key only for log groups of the key\'s own account and region', () => {
      const logs = keyStatements.filter((s) => JSON.stringify(s.statement.Principal).includes('logs.'));
      expect(logs.length).toBeGreaterThan(0);
      const environments = new Map(examples.flatMap((ex) => ex.assembly.stacks.map((st) => [st.stackName, st.environment] as const)));
      for (const s of logs) {
        const { account, region } = environments.get(s.resource.stack)!;
        expect(s.statement.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:*` } });
      }
    });
  });

  describe('other resource policies (buckets, topics)', () => {
    test('THEN they allow nothing to everyone ("*"); their wildcard statements only deny', () => {
      const open = pipelineAllows.filter((s) => s.kind === 'resource' && s.resource.type !== 'AWS::KMS::Key')
        .filter((s) => s.statement.Principal === '*' || JSON.stringify(s.statement.Principal?.AWS ?? '').includes('"*"'));
      expect(open.map(where)).toEqual([]);
    });
  });

  describe('iam:PassRole', () => {
    const passRole = allows.filter((s) => asArray<string>(s.statement.Action).some((a) => covers(a, 'iam:PassRole')));
    const roleIds = new Set(examples.flatMap((ex) => templateResources(ex).filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.logicalId)));

    test('THEN the pipelines pass roles (the gate has something to judge)', () => {
      expect(passRole.filter((s) => s.resource.inPipeline).length).toBeGreaterThan(0);
    });

    test('THEN iam:PassRole is named exactly, never matched by a wildcard', () => {
      expect(passRole.filter((s) => !asArray(s.statement.Action).includes('iam:PassRole')).map(where)).toEqual([]);
    });

    test('THEN it is scoped to role ARNs, never "*"', () => {
      for (const s of passRole) {
        const resources = asArray(s.statement.Resource);
        expect({ where: where(s), resources: resources.length > 0 && resources.every((r) => isRoleArn(r, roleIds)) })
          .toEqual({ where: where(s), resources: true });
      }
    });

    test('THEN it is conditioned on iam:PassedToService', () => {
      for (const s of passRole) {
        const condition = s.statement.Condition ?? {};
        const service = condition.StringEquals?.['iam:PassedToService'] ?? condition.StringLike?.['iam:PassedToService'];
        expect({ where: where(s), service: typeof service === 'string' || Array.isArray(service) }).toEqual({ where: where(s), service: true });
        expect(JSON.stringify(service)).not.toContain('*');
      }
    });
  });
});
