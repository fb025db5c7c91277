import { Template } from 'aws-cdk-lib/assertions';
import { EcsContainerPipeline, EcsDeployment, StaticSiteHosting } from '../../src';
import { fargateService, githubSource, newStack } from '../helpers';

/** The checkov skips of a template's resources, by logical id. */
function skipsOf(template: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, any>)) {
    const skip = resource.Metadata?.checkov?.skip;
    if (skip) {
      out[id] = skip.map((s: any) => `${s.id}: ${s.comment.length >= 30 ? 'reason' : 'NO REASON'}`);
    }
  }
  return out;
}

test('the library writes its checkov skips, with reasons, in the template on its own resources only', () => {
  const stack = newStack();
  new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(fargateService(stack, 'Web')) }] });
  const skips = skipsOf(Template.fromStack(stack));
  expect(Object.values(skips).sort()).toEqual([
    ['CKV_AWS_18: reason'],
    ['CKV_AWS_51: reason', 'CKV_AWS_163: reason'],
  ].sort());
  // The app's own resources (its VPC, cluster, service) carry none.
  expect(Object.keys(skips).every((id) => /^Pipeline/.test(id))).toBe(true);
});

test('StaticSiteHosting skips CKV_AWS_174 and CKV_AWS_68 only while no certificate and no web ACL are given', () => {
  const stack = newStack();
  new StaticSiteHosting(stack, 'Site');
  const distribution = Object.entries(skipsOf(Template.fromStack(stack))).find(([id]) => /Distribution/.test(id));
  expect(distribution?.[1]).toEqual(['CKV_AWS_174: reason', 'CKV_AWS_68: reason']);

  const withAcl = newStack();
  new StaticSiteHosting(withAcl, 'Site', { webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/site/abc' });
  const after = Object.entries(skipsOf(Template.fromStack(withAcl))).find(([id]) => /Distribution/.test(id));
  expect(after?.[1]).toEqual(['CKV_AWS_174: reason']);
});
