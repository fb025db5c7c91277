"""Negative self-tests: the simulation must be able to fail.

`pipeline_without_action`: an example pipeline whose policies lose one action its deploy needs
must fail with that action denied (and nothing else newly denied).

`run`:
Against a fresh emulator, the real AWS CLI with the plugin puts an object into a bucket twice:
as a role whose policy allows s3:PutObject on the bucket (must succeed), and as a role whose policy
lacks it (must fail with AccessDenied, and the log must record the denial). A third role is
allowed by its policy but explicitly denied by the bucket policy (must fail too), and a fourth is
allowed only with a condition the request meets (must succeed).
"""
import json
import os
import subprocess
from typing import Tuple

from .emulator import ACCOUNT, REGION, Moto

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUCKET = 'selftest-bucket'


def _role(name, statements):
    return {'arn': f'arn:aws:iam::{ACCOUNT}:role/{name}', 'policies': [{'Version': '2012-10-17', 'Statement': statements}]}


def run(out_dir: str, python_bin: str) -> Tuple[bool, str]:
    os.makedirs(out_dir, exist_ok=True)
    put = {'Effect': 'Allow', 'Action': ['s3:PutObject', 's3:Abort*'], 'Resource': f'arn:aws:s3:::{BUCKET}/*'}
    bundle = {
        'account': ACCOUNT, 'region': REGION, 'bucketKeys': {}, 'stubs': {},
        'roles': {
            'Allowed': _role('Allowed', [put]),
            'Missing': _role('Missing', [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{BUCKET}/*'}]),
            'DeniedByBucket': _role('DeniedByBucket', [put]),
            'Conditional': _role('Conditional', [dict(put, Condition={'Bool': {'aws:SecureTransport': 'true'},
                                                                       'StringEquals': {'aws:RequestedRegion': REGION}})]),
        },
        'resourcePolicies': {f'arn:aws:s3:::{BUCKET}': [{'Statement': [{
            'Effect': 'Deny', 'Principal': {'AWS': f'arn:aws:iam::{ACCOUNT}:role/DeniedByBucket'}, 'Action': 's3:*',
            'Resource': [f'arn:aws:s3:::{BUCKET}', f'arn:aws:s3:::{BUCKET}/*']}]}]},
    }
    bundle_path = os.path.join(out_dir, 'bundle.json')
    log_path = os.path.join(out_dir, 'calls.jsonl')
    with open(bundle_path, 'w', encoding='utf-8') as f:
        json.dump(bundle, f)
    open(log_path, 'w').close()
    config = os.path.join(out_dir, 'aws-config')
    with open(config, 'w', encoding='utf-8') as f:
        f.write(f'[default]\nregion = {REGION}\n\n[plugins]\nsim = sim_plugin\n')
    body = os.path.join(out_dir, 'body.txt')
    with open(body, 'w', encoding='utf-8') as f:
        f.write('self-test\n')
    aws = os.path.join(os.path.dirname(python_bin), 'aws')
    expected = {'Allowed': True, 'Missing': False, 'DeniedByBucket': False, 'Conditional': True}
    problems = []
    with Moto(os.path.join(out_dir, 'moto.log')) as moto:
        moto.client('s3').create_bucket(Bucket=BUCKET)
        for role, should_pass in expected.items():
            env = {'PATH': os.environ.get('PATH', ''), 'HOME': out_dir, 'AWS_CONFIG_FILE': config,
                   'AWS_SHARED_CREDENTIALS_FILE': os.path.join(out_dir, 'none'), 'AWS_ACCESS_KEY_ID': 'ASIASELFTEST',
                   'AWS_SECRET_ACCESS_KEY': 'x', 'AWS_ENDPOINT_URL': moto.endpoint, 'AWS_DEFAULT_REGION': REGION,
                   'SIM_BUNDLE': bundle_path, 'SIM_ROLE': role, 'SIM_LOG': log_path, 'SIM_STEP': 'selftest', 'PYTHONPATH': SIM_DIR}
            proc = subprocess.run([aws, 's3api', 'put-object', '--bucket', BUCKET, '--key', f'{role}.txt', '--body', body],
                                  env=env, capture_output=True, text=True, timeout=120)
            passed = proc.returncode == 0
            if passed != should_pass:
                problems.append(f'{role}: expected {"success" if should_pass else "AccessDenied"}, got exit {proc.returncode} '
                                f'{proc.stderr.strip()[-300:]}')
            elif not should_pass and 'AccessDenied' not in proc.stderr:
                problems.append(f'{role}: failed, but not with AccessDenied: {proc.stderr.strip()[-300:]}')
        stored = {o['Key'] for o in moto.client('s3').list_objects_v2(Bucket=BUCKET).get('Contents', [])}
    if stored != {'Allowed.txt', 'Conditional.txt'}:
        problems.append(f'objects in the emulator: {sorted(stored)} (a denied call must not reach it)')
    calls = [json.loads(line) for line in open(log_path, encoding='utf-8')]
    denied = sorted(c['role'] for c in calls if not c['allowed'])
    if denied != ['DeniedByBucket', 'Missing']:
        problems.append(f'log records denials for {denied}')
    if problems:
        return False, '; '.join(problems)
    return True, 'allowed call reached the emulator; missing s3:PutObject and a bucket-policy Deny failed with AccessDenied'


def pipeline_without_action(assembly_dir: str, out_dir: str, python_bin: str, action: str) -> Tuple[bool, str]:
    from .runner import Simulation

    def drop(roles):
        for role in roles.values():
            for doc in role['policies']:
                for st in doc.get('Statement', []):
                    acts = st.get('Action')
                    if isinstance(acts, list):
                        st['Action'] = [a for a in acts if a != action]
                    elif acts == action:
                        st['Action'] = []

    result = Simulation('selftest-' + os.path.basename(assembly_dir), assembly_dir, out_dir, python_bin, mutate_policies=drop).run()[0]
    denied = {r['action'] for d in result['denied'] for r in d.get('requests', []) if not r.get('allowed')}
    if result['ok']:
        return False, f'the run passed although {action} was taken out of every policy'
    if action not in denied:
        return False, f'the run failed, but without denying {action} (denied: {sorted(denied)})'
    return True, f'the run failed with {action} denied ({result["failure"] or "denied calls"})'


# (policy statements, action, resource, request context, expected decision)
EVALUATOR_CASES = [
    ([{'Effect': 'Allow', 'Action': 'S3:Get*', 'Resource': '*'}], 's3:GetObject', 'arn:aws:s3:::b/k', {}, True),
    ([{'Effect': 'Allow', 'NotAction': 'iam:*', 'Resource': '*'}], 's3:GetObject', 'arn:aws:s3:::b/k', {}, True),
    ([{'Effect': 'Allow', 'NotAction': 'iam:*', 'Resource': '*'}], 'iam:PassRole', 'arn:aws:iam::1:role/r', {}, False),
    ([{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::b/*'}], 's3:GetObject', 'arn:aws:s3:::b/k/x', {}, True),
    ([{'Effect': 'Allow', 'Action': 's3:ListBucket', 'Resource': 'arn:aws:s3:::b/*'}], 's3:ListBucket', 'arn:aws:s3:::b', {}, False),
    ([{'Effect': 'Allow', 'Action': '*', 'NotResource': 'arn:aws:s3:::secret/*'}], 's3:GetObject', 'arn:aws:s3:::secret/k', {}, False),
    ([{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'},
      {'Effect': 'Deny', 'Action': 's3:DeleteObject', 'Resource': '*'}], 's3:DeleteObject', 'arn:aws:s3:::b/k', {}, False),
    ([{'Effect': 'Allow', 'Action': 'ecs:CreateTaskSet', 'Resource': '*',
       'Condition': {'ArnLike': {'ecs:service': 'arn:aws:ecs:*:1:service/c/*'}}}],
     'ecs:CreateTaskSet', 'arn:aws:ecs:us-east-1:1:task-set/c/s/x', {'ecs:service': 'arn:aws:ecs:us-east-1:1:service/c/s'}, True),
    ([{'Effect': 'Allow', 'Action': 'ecs:CreateTaskSet', 'Resource': '*',
       'Condition': {'ArnLike': {'ecs:service': 'arn:aws:ecs:*:1:service/c/*'}}}],
     'ecs:CreateTaskSet', 'arn:aws:ecs:us-east-1:1:task-set/c/s/x', {}, False),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': '*', 'Condition': {'StringEqualsIfExists': {'k:k': 'v'}}}], 'x:Y', '*', {}, True),
    ([{'Effect': 'Deny', 'Action': '*', 'Resource': '*', 'Condition': {'StringNotEquals': {'aws:RequestedRegion': 'us-east-1'}}},
      {'Effect': 'Allow', 'Action': '*', 'Resource': '*'}], 'x:Y', '*', {'aws:RequestedRegion': 'us-east-1'}, True),
    ([{'Effect': 'Deny', 'Action': '*', 'Resource': '*', 'Condition': {'Bool': {'aws:SecureTransport': 'false'}}},
      {'Effect': 'Allow', 'Action': '*', 'Resource': '*'}], 'x:Y', '*', {'aws:SecureTransport': 'true'}, True),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': '*', 'Condition': {'Null': {'k:k': 'false'}}}], 'x:Y', '*', {}, False),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': '*', 'Condition': {'ForAnyValue:StringLike': {'k:tags': ['a*']}}}],
     'x:Y', '*', {'k:tags': ['zz', 'ab']}, True),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': '*', 'Condition': {'ForAllValues:StringEquals': {'k:tags': ['a']}}}],
     'x:Y', '*', {'k:tags': ['a', 'b']}, False),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': '*', 'Condition': {'NumericLessThan': {'k:n': '10'}}}], 'x:Y', '*', {'k:n': '3'}, True),
    ([{'Effect': 'Allow', 'Action': 'x:Y', 'Resource': 'arn:aws:s3:::${aws:username}/*'}], 'x:Y', 'arn:aws:s3:::${aws:username}/k', {}, False),
    ([{'Effect': 'Allow', 'Action': 'codestar-connections:UseConnection', 'Resource': 'arn:aws:codestar-connections:*:1:connection/*'}],
     'codeconnections:UseConnection', 'arn:aws:codeconnections:us-east-1:1:connection/c', {}, False),
]


def evaluator() -> Tuple[bool, str]:
    """The IAM evaluator decides as IAM does on the cases above (wildcards, Not*, deny, conditions)."""
    from . import iam
    wrong = []
    for i, (statements, action, resource, context, expected) in enumerate(EVALUATOR_CASES):
        decision = iam.evaluate([{'Statement': statements}], action, resource, context)
        if decision.allowed != expected:
            wrong.append(f'case {i + 1} ({action} on {resource}): {decision.reason}')
    if wrong:
        return False, '; '.join(wrong)
    return True, f'{len(EVALUATOR_CASES)} evaluation cases decided as IAM does'
