"""Negative self-tests: the simulation must be able to fail.

`pipeline_without_action`: an example pipeline whose policies lose one action its deploy needs
must fail with that action denied (and nothing else newly denied).

`cross_account`: the cross-account fixture (../cross-account-fixture.ts: tools, staging and a
production account in another region) must pass as synthesized, with its calls made in the
target accounts and regions; and fail with AccessDenied for exactly the grant taken out: the
artifact key's key-policy statement for the staging project role (kms:Decrypt through S3 from
account 222 on the tools key: the identity policy still allows it, the key policy must too), the
replication bucket's statement for the pipeline role (s3:PutObject from account 111 into the
bucket of account 333), and the trust policy's `aws:PrincipalArn` condition of the staging action
role (sts:AssumeRole: the stage does not run).

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
from typing import List, Tuple

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
            creds = moto.credentials(bundle['roles'][role]['arn'])
            env = {'PATH': os.environ.get('PATH', ''), 'HOME': out_dir, 'AWS_CONFIG_FILE': config,
                   'AWS_SHARED_CREDENTIALS_FILE': os.path.join(out_dir, 'none'), 'AWS_ACCESS_KEY_ID': creds['aws_access_key_id'],
                   'AWS_SECRET_ACCESS_KEY': creds['aws_secret_access_key'], 'AWS_SESSION_TOKEN': creds['aws_session_token'],
                   'AWS_ENDPOINT_URL': moto.endpoint, 'AWS_DEFAULT_REGION': REGION,
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


# (AppSpec file, files of the bundle, the problem the check must report; None: valid)
APPSPEC_CASES = [
    ('version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/app\nhooks:\n  ApplicationStart:\n    - location: s.sh\n      timeout: 60\n',
     {'s.sh'}, None),
    ('version: 0.1\nos: linux\n', set(), 'version must be 0.0'),
    ('version: 0.0\nos: macos\n', set(), 'os must be linux or windows'),
    ('version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: s.sh\n', {'s.sh'}, 'hooks.Install is not scriptable'),
    ('version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: missing.sh\n', set(), 'is not in the bundle'),
    ('version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: a.sh\n      timeout: 3000\n    - location: b.sh\n      timeout: 1000\n',
     {'a.sh', 'b.sh'}, 'more than 3600'),
    ('version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: opt/app\n', set(), 'is not an absolute path'),
    ('version: 0.0\nos: windows\nhooks:\n  ApplicationStart:\n    - location: s.ps1\n      runas: app\n', {'s.ps1'}, 'runas applies to Linux instances only'),
]


def appspec_cases() -> Tuple[bool, str]:
    from . import appspec
    wrong = []
    for text, files, expected in APPSPEC_CASES:
        _, problems = appspec.validate(text, files)
        if expected is None and problems:
            wrong.append(f'valid file rejected: {problems}')
        elif expected is not None and not any(expected in p for p in problems):
            wrong.append(f'expected "{expected}", got {problems}')
    if wrong:
        return False, '; '.join(wrong)
    return True, f'{len(APPSPEC_CASES)} AppSpec files judged as the AppSpec reference does'


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


# Cross-account cases: (identity statements, resource policy statements, action, resource,
# principal account, resource account, resource policy required (KMS key / trust), expected).
_ROLE = 'arn:aws:iam::111111111111:role/caller'
_ROOT = 'arn:aws:iam::111111111111:root'
CROSS_ACCOUNT_CASES = [
    # Across accounts the identity policy and the resource policy must both allow.
    ([{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}], [], 's3:GetObject', 'arn:aws:s3:::b/k',
     '111111111111', '222222222222', False, False),
    ([], [{'Effect': 'Allow', 'Principal': {'AWS': _ROLE}, 'Action': 's3:GetObject', 'Resource': '*'}], 's3:GetObject',
     'arn:aws:s3:::b/k', '111111111111', '222222222222', False, False),
    ([{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': _ROOT}, 'Action': 's3:GetObject', 'Resource': '*'}], 's3:GetObject',
     'arn:aws:s3:::b/k', '111111111111', '222222222222', False, True),
    ([{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::111111111111:role/other'}, 'Action': 's3:GetObject', 'Resource': '*'}],
     's3:GetObject', 'arn:aws:s3:::b/k', '111111111111', '222222222222', False, False),
    # In one account either suffices (a bucket policy naming the role itself).
    ([], [{'Effect': 'Allow', 'Principal': {'AWS': _ROLE}, 'Action': 's3:GetObject', 'Resource': '*'}], 's3:GetObject',
     'arn:aws:s3:::b/k', '111111111111', '111111111111', False, True),
    # KMS: the key policy must allow, even in the key's account; the account root delegates to IAM.
    ([{'Effect': 'Allow', 'Action': 'kms:Decrypt', 'Resource': '*'}], [], 'kms:Decrypt',
     'arn:aws:kms:us-east-1:111111111111:key/k', '111111111111', '111111111111', True, False),
    ([{'Effect': 'Allow', 'Action': 'kms:Decrypt', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': _ROOT}, 'Action': 'kms:*', 'Resource': '*'}], 'kms:Decrypt',
     'arn:aws:kms:us-east-1:111111111111:key/k', '111111111111', '111111111111', True, True),
    ([], [{'Effect': 'Allow', 'Principal': {'AWS': _ROOT}, 'Action': 'kms:*', 'Resource': '*'}], 'kms:Decrypt',
     'arn:aws:kms:us-east-1:111111111111:key/k', '111111111111', '111111111111', True, False),
    # Across accounts a key policy naming the caller still needs the caller's identity policy;
    # with it, a kms:ViaService condition decides.
    ([], [{'Effect': 'Allow', 'Principal': {'AWS': _ROLE}, 'Action': 'kms:Decrypt', 'Resource': '*'}], 'kms:Decrypt',
     'arn:aws:kms:us-east-1:222222222222:key/k', '111111111111', '222222222222', True, False),
    ([{'Effect': 'Allow', 'Action': 'kms:Decrypt', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': _ROLE}, 'Action': 'kms:Decrypt', 'Resource': '*',
       'Condition': {'StringEquals': {'kms:ViaService': 's3.eu-west-1.amazonaws.com'}}}], 'kms:Decrypt',
     'arn:aws:kms:us-east-1:222222222222:key/k', '111111111111', '222222222222', True, False),
    # Trust policy: the account root with an aws:PrincipalArn condition admits that role only.
    ([{'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': _ROOT}, 'Action': 'sts:AssumeRole',
       'Condition': {'ArnEquals': {'aws:PrincipalArn': _ROLE}}}], 'sts:AssumeRole',
     'arn:aws:iam::222222222222:role/target', '111111111111', '222222222222', True, True),
    ([{'Effect': 'Allow', 'Action': 'sts:AssumeRole', 'Resource': '*'}],
     [{'Effect': 'Allow', 'Principal': {'AWS': _ROOT}, 'Action': 'sts:AssumeRole',
       'Condition': {'ArnEquals': {'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/other'}}}], 'sts:AssumeRole',
     'arn:aws:iam::222222222222:role/target', '111111111111', '222222222222', True, False),
]


def cross_account_evaluator() -> Tuple[bool, str]:
    """The evaluator combines identity and resource policies across accounts as IAM does."""
    from . import iam
    wrong = []
    for i, (ident, res, action, resource, account, owner, required, expected) in enumerate(CROSS_ACCOUNT_CASES):
        ctx = {'aws:PrincipalArn': _ROLE, 'aws:PrincipalAccount': account, 'kms:ViaService': 's3.us-east-1.amazonaws.com'}
        decision = iam.evaluate([{'Statement': ident}], action, resource, ctx, [{'Statement': res}], _ROLE, account, owner, required)
        if decision.allowed != expected:
            wrong.append(f'case {i + 1} ({action} on {resource} from {account}): {decision.reason}')
    if wrong:
        return False, '; '.join(wrong)
    return True, f'{len(CROSS_ACCOUNT_CASES)} cross-account, key policy and trust policy cases decided as IAM does'


def _principals_of(st) -> List[str]:
    p = st.get('Principal')
    if not isinstance(p, dict):
        return []
    aws = p.get('AWS', [])
    return [str(x) for x in (aws if isinstance(aws, list) else [aws])]


def _account(arn: str) -> str:
    return arn.split(':')[4] if arn.count(':') >= 5 else ''


def _denials(result) -> List[Tuple[str, str, str, str]]:
    out = set()
    for d in result['denied']:
        for r in d.get('requests', []):
            if not r.get('allowed'):
                out.add((d.get('role', ''), r['action'], r['resource'], r['reason']))
    return sorted(out)


def cross_account(assembly_dir: str, out_dir: str, python_bin: str) -> List[Tuple[str, bool, str]]:
    """The cross-account fixture: passes as synthesized; each grant taken out fails its call."""
    from .runner import Simulation
    checks: List[Tuple[str, bool, str]] = []

    # 1. As synthesized: passes, with the calls in the target accounts and regions.
    result = Simulation('selftest-cross-account', assembly_dir, os.path.join(out_dir, 'as-synthesized'), python_bin).run()[0]
    calls = [json.loads(line) for line in open(os.path.join(out_dir, 'as-synthesized', 'calls.jsonl'), encoding='utf-8')]
    where = {(c.get('account'), c.get('region')) for c in calls if not c.get('permissionCheck')}
    replicated = [c for c in calls if c.get('operation') == 'PutObject' and c.get('account') == '111111111111'
                  and c.get('region') == 'eu-west-1' and any(r.get('resourceAccount') == '333333333333' for r in c.get('requests', []))]
    problems = []
    if not result['ok']:
        problems.append(f'the run failed: {result["failure"] or _denials(result)}')
    for expected in (('222222222222', 'us-east-1'), ('333333333333', 'eu-west-1')):
        if expected not in where:
            problems.append(f'no CLI call was made in account {expected[0]}, region {expected[1]} (calls in {sorted(where)})')
    if not replicated:
        problems.append('the pipeline role did not copy the artifact into the replication bucket of account 333333333333 in eu-west-1')
    checks.append(('the cross-account fixture passes as synthesized, its calls made in accounts 222222222222 (us-east-1) and '
                   '333333333333 (eu-west-1)', not problems,
                   '; '.join(problems) or f'{result["calls"]} calls and checks, artifact replicated to eu-west-1 by the pipeline role'))

    # 2. The key policy's and the replication bucket policy's statements for the other account taken out.
    def drop_grants(bundle):
        for arn, docs in bundle['resourcePolicies'].items():
            for doc in docs:
                statements = doc.get('Statement', [])
                if ':kms:' in arn and _account(arn) == '111111111111':
                    # The artifact key: the statement for the staging account's project role.
                    doc['Statement'] = [st for st in statements if not any(_account(p) == '222222222222' for p in _principals_of(st))]
                elif arn.startswith('arn:aws:s3:::') and bundle['buckets'].get(arn[13:], {}).get('account') == '333333333333':
                    # The production replication bucket: the statement for the pipeline role.
                    doc['Statement'] = [st for st in statements if not any(_account(p) == '111111111111' for p in _principals_of(st))]

    result = Simulation('selftest-cross-account', assembly_dir, os.path.join(out_dir, 'without-grants'), python_bin,
                        mutate_bundle=drop_grants).run()[0]
    denied = _denials(result)
    kms = [d for d in denied if d[1] == 'kms:Decrypt' and d[0].startswith('SimStaging/') and ':111111111111:key/' in d[2]
           and 'key policy does not allow' in d[3]]
    put = [d for d in denied if d[1] == 's3:PutObject' and d[0].startswith('SimTools/') and 'bucket policy does not allow' in d[3]
           and 'account 111111111111 calls a resource of account 333333333333' in d[3]]
    other = [d for d in denied if d not in kms + put]
    ok = not result['ok'] and len(kms) == 1 and len(put) == 1 and not other
    checks.append(('without the key-policy grant for the staging role and the replication bucket\'s grant for the pipeline role, '
                   'the run fails with exactly those two AccessDenied', ok,
                   f'denied: {kms[0][1]} on {kms[0][2]} ({kms[0][3]}); {put[0][1]} on {put[0][2]} ({put[0][3]})' if ok else
                   f'run ok={result["ok"]}, denied: {denied}'))

    # 3. The trust policy's aws:PrincipalArn condition names another role: the stage cannot assume its role.
    def other_principal(bundle):
        for role in bundle['roles'].values():
            for st in (role.get('trust') or {}).get('Statement', []):
                arn_equals = st.get('Condition', {}).get('ArnEquals', {})
                if role['account'] == '222222222222' and 'aws:PrincipalArn' in arn_equals:
                    arn_equals['aws:PrincipalArn'] = 'arn:aws:iam::111111111111:role/someone-else'

    result = Simulation('selftest-cross-account', assembly_dir, os.path.join(out_dir, 'untrusted'), python_bin,
                        mutate_bundle=other_principal).run()[0]
    denied = _denials(result)
    trust = [d for d in denied if d[1] == 'sts:AssumeRole' and ':222222222222:role/' in d[2] and 'trust policy does not allow' in d[3]]
    not_run = [x for x in result['steps'] if x['step'] == 'Staging/Deploy' and x['what'].startswith('not run')]
    ok = not result['ok'] and len(trust) == 1 and len(denied) == 1 and bool(not_run)
    checks.append(('with the staging action role trusting another principal, sts:AssumeRole is denied and the stage does not run',
                   ok, f'denied: {trust[0][1]} on {trust[0][2]} ({trust[0][3]})' if ok else f'run ok={result["ok"]}, denied: {denied}'))
    return checks
