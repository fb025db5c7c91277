"""The synthesized template with concrete values: the simulation's view of a stack.

Resolution is test/verification/cfn.py's, shared with the authorization check (account
111111111111, physical names derived from logical ids, Ref / Fn::GetAtt in the formats AWS
returns). This module adds what the simulation needs on top: values the emulator chose (a
CloudFront distribution id) replacing the template's, and the roles' policies by role.
"""
import os
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, '..', '..')))

import cfn  # noqa: E402  test/verification/cfn.py

ACCOUNT = cfn.DEFAULT_ACCOUNT
REGION = cfn.DEFAULT_REGION


class Stack:
    """One stack of a cloud assembly, resolved."""

    def __init__(self, stack: 'cfn.Stack'):
        self.cfn = stack
        self.name = stack.name
        self.template = stack.template
        self.resources = stack.resources
        self.account = stack.account
        self.region = stack.region
        self._overrides: Dict[str, Dict[str, str]] = {}
        ref, get_att = stack.ref, stack.get_att
        # The resolver calls its own ref / get_att: an instance attribute routes them through the overrides.
        stack.ref = lambda lid: self._overrides.get(lid, {}).get('Ref', None) or ref(lid)  # type: ignore[method-assign]
        stack.get_att = lambda lid, att: self._overrides.get(lid, {}).get(att, None) or get_att(lid, att)  # type: ignore[method-assign]

    def resolve(self, value: Any) -> Any:
        return self.cfn.resolve(value)

    def physical_name(self, lid: str) -> str:
        return self._overrides.get(lid, {}).get('Ref') or self.cfn.physical_name(lid)

    def override(self, lid: str, **attributes: str) -> None:
        """Use a value the emulator chose (e.g. a distribution id) for a resource's Ref / attributes."""
        self._overrides.setdefault(lid, {}).update(attributes)

    def of_type(self, t: str) -> Dict[str, Dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r['Type'] == t}


def load_stacks(assembly_dir: str) -> List[Stack]:
    return [Stack(s) for s in cfn.Assembly.load(assembly_dir)]


def role_policies(stack: Stack) -> Dict[str, Dict[str, Any]]:
    """Per role logical id: its ARN and every identity policy attached to it in the template, resolved."""
    roles: Dict[str, Dict[str, Any]] = {}
    for lid, r in stack.of_type('AWS::IAM::Role').items():
        p = r.get('Properties', {})
        roles[lid] = {'arn': stack.resolve({'Fn::GetAtt': [lid, 'Arn']}), 'policies': [],
                      'managed': stack.resolve(p.get('ManagedPolicyArns', []))}
    for policy in cfn.policies(stack.cfn):
        if policy.kind == 'identity' and policy.principal_kind == 'role' and policy.principal in roles:
            roles[policy.principal]['policies'].append(policy.document)
        elif policy.kind == 'trust' and policy.principal in roles:
            roles[policy.principal]['trust'] = policy.document
    return roles


def resource_policies(stack: Stack) -> Dict[str, List[Dict[str, Any]]]:
    """Resource policies (S3 bucket, ECR repository, SNS topic, KMS key, ...), keyed by the resource's ARN."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    for policy in cfn.policies(stack.cfn):
        if policy.kind != 'resource' or policy.resource not in stack.resources:
            continue
        rtype = stack.resources[policy.resource]['Type']
        if rtype == 'AWS::S3::Bucket':
            arn = f'arn:aws:s3:::{stack.physical_name(policy.resource)}'
        elif rtype == 'AWS::SNS::Topic':
            arn = stack.resolve({'Ref': policy.resource})
        else:
            arn = stack.resolve({'Fn::GetAtt': [policy.resource, 'Arn']})
        out.setdefault(arn, []).append(policy.document)
    return out


def bucket_keys(stack: Stack) -> Dict[str, str]:
    """Buckets whose default encryption is SSE-KMS with a key of the stack: bucket name -> key ARN."""
    out = {}
    for lid, r in stack.of_type('AWS::S3::Bucket').items():
        enc = stack.resolve(r.get('Properties', {}).get('BucketEncryption', {}))
        for rule in enc.get('ServerSideEncryptionConfiguration', []):
            d = rule.get('ServerSideEncryptionByDefault', {})
            if d.get('SSEAlgorithm') == 'aws:kms' and d.get('KMSMasterKeyID'):
                out[stack.physical_name(lid)] = d['KMSMasterKeyID']
    return out


def key_aliases(stack: Stack) -> Dict[str, str]:
    """KMS aliases of the stack: alias ARN -> the ARN of the key it names (KMS authorizes on the key)."""
    out = {}
    for lid, r in stack.of_type('AWS::KMS::Alias').items():
        target = stack.resolve(r.get('Properties', {}).get('TargetKeyId'))
        if not isinstance(target, str) or cfn.is_unresolved(target):
            continue
        key = target if target.startswith('arn:') else stack.cfn.arn('kms', f'key/{target}')
        out[stack.resolve({'Fn::GetAtt': [lid, 'Arn']})] = key
    return out


def resource_arns(stack: Stack) -> List[str]:
    """The ARN of every resource of the stack that has one (what the app defines: its resource
    policies are known, or known to be absent)."""
    out = []
    for lid, r in stack.resources.items():
        if r.get('Type', '').startswith(('Custom::', 'AWS::CloudFormation::', 'AWS::CDK::')):
            continue
        try:
            arn = stack.resolve({'Fn::GetAtt': [lid, 'Arn']})
        except Exception:  # noqa: BLE001 - a type the resolver does not model has no ARN here
            continue
        if isinstance(arn, str) and arn.startswith('arn:') and not cfn.is_unresolved(arn):
            out.append(arn[:-2] if arn.endswith(':*') else arn)
    return out
