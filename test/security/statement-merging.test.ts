/**
 * Footprint without widening (issue 17): in the library's policies of every example app, no two
 * statements of one policy resource could be merged without granting more than before. Two Allow
 * (or two Deny) statements with the same conditions and principals merge losslessly when they list
 * the same actions (their resources join) or the same resources (their actions join); merging any
 * other pair would grant the cross product. aws-cdk-lib merges such pairs itself under
 * `@aws-cdk/aws-iam:minimizePolicies` (the examples' recommended flags), but never a statement
 * with a Sid: the library's named statements must be distinct on their own.
 */
import { asArray, LocatedStatement, policyStatements, synthesizedExamples, where } from './support';

const examples = synthesizedExamples();

/** A value as a canonical, order-free text (for comparing action, resource and principal lists). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return JSON.stringify(value.map((v) => canonical(v)).sort());
  }
  if (value && typeof value === 'object') {
    return JSON.stringify(Object.keys(value).sort().map((k) => [k, canonical((value as any)[k])]));
  }
  return JSON.stringify(value);
}

/** Pairs of statements of one policy resource that would merge without widening. */
export function losslessMerges(statements: LocatedStatement[]): string[] {
  const byPolicy = new Map<string, LocatedStatement[]>();
  for (const s of statements) {
    const key = `${s.example}/${s.resource.stack}/${s.resource.logicalId}`;
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), s]);
  }
  const found: string[] = [];
  for (const group of byPolicy.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i].statement;
        const b = group[j].statement;
        const same = (k: string) => canonical(asArray(a[k])) === canonical(asArray(b[k]));
        const comparable = a.Effect === b.Effect && canonical(a.Condition ?? null) === canonical(b.Condition ?? null)
          && same('Principal') && same('NotPrincipal') && same('NotAction') && same('NotResource');
        const actionsEqual = a.Action !== undefined && same('Action');
        const resourcesEqual = a.Resource !== undefined && same('Resource');
        if (comparable && (actionsEqual || resourcesEqual)) {
          found.push(`${where(group[i])} and #${b.Sid ?? '(no Sid)'}: same ${actionsEqual ? 'actions' : 'resources'}`);
        }
      }
    }
  }
  return found;
}

describe('policy statements: nothing left to merge without widening', () => {
  test('GIVEN every example app THEN no two statements of one library policy share their actions or their resources', () => {
    const library = examples.flatMap((ex) => policyStatements(ex)).filter((s) => s.resource.inPipeline);
    expect(library.length).toBeGreaterThan(100);
    expect(losslessMerges(library)).toEqual([]);
  });

  test('GIVEN statements that could merge THEN losslessMerges names them, and not the pairs that would widen', () => {
    const resource = { stack: 'S', logicalId: 'P', type: 'AWS::IAM::Policy', path: 'S/Pipeline/Role/DefaultPolicy/Resource', inPipeline: true, resource: {} };
    const at = (statement: any): LocatedStatement => ({ example: 'synthetic', resource, kind: 'identity', statement });
    const found = losslessMerges([
      at({ Sid: 'ReadA', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::a/*' }),
      at({ Sid: 'ReadB', Effect: 'Allow', Action: ['s3:GetObjectVersion', 's3:GetObject'], Resource: 'arn:aws:s3:::b/*' }),
      at({ Sid: 'WriteA', Effect: 'Allow', Action: 's3:PutObject', Resource: ['arn:aws:s3:::a/*'] }),
      // Same resource as WriteC but another condition: merging would drop or widen the condition.
      at({ Sid: 'WriteC', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::c/*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
      at({ Sid: 'DeleteC', Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::c/*' }),
    ]);
    expect(found).toEqual([
      expect.stringMatching(/#ReadA.* and #ReadB: same actions$/),
      expect.stringMatching(/#ReadA.* and #WriteA: same resources$/),
    ]);
  });
});
