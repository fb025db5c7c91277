"""AWS CLI v1 plugin of the first-run simulation: every call is authorized as IAM would.

Loaded through the AWS_CONFIG_FILE the runner writes (with this directory on PYTHONPATH; AWS CLI
v1 imports plugin modules by name):

    [plugins]
    sim = sim_plugin

For each API call, after the CLI validated the parameters against the service model, the call
is turned into IAM requests (sim/actions.py) and evaluated against the policies of the role named
by SIM_ROLE (sim/iam.py) in the bundle SIM_BUNDLE (written by the runner from the synthesized
template). A denied call answers 403 AccessDenied before anything is sent, as AWS would, so the
script sees the failure it would see on its first real run; an allowed call goes on to the
emulator, or is answered by a stub for an operation the emulator does not serve. Every call and
its decision is appended to SIM_LOG (JSON lines).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sim import actions, iam  # noqa: E402

_bundle = None


def _load():
    global _bundle
    if _bundle is None:
        with open(os.environ['SIM_BUNDLE'], encoding='utf-8') as f:
            _bundle = json.load(f)
    return _bundle


def _log(entry):
    path = os.environ.get('SIM_LOG')
    if path:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(json.dumps(entry, default=str) + '\n')


def _trim(params):
    out = {}
    for k, v in params.items():
        if hasattr(v, 'read') or isinstance(v, (bytes, bytearray)):
            out[k] = '<body>'
        else:
            out[k] = v
    return out


def resource_policies_for(bundle, resource):
    """The resource policies that govern a resource ARN (S3 bucket policies, ECR repository policies)."""
    found = []
    for arn, policies in bundle.get('resourcePolicies', {}).items():
        if resource == arn or resource.startswith(arn + '/'):
            found.extend(policies)
    return found


def account_of(bundle, arn):
    """The account that owns a resource: from its ARN, or (S3 ARNs have none) the app's bucket's
    stack; None when the ARN names no account the app knows of (`*`, an imported bucket)."""
    parts = str(arn).split(':', 5)
    if len(parts) != 6:
        return None
    if parts[2] == 's3' and not parts[4]:
        return bundle.get('buckets', {}).get(parts[5].split('/', 1)[0], {}).get('account')
    return parts[4] if re.fullmatch(r'\d{12}', parts[4]) else None


def in_app(bundle, arn):
    """Whether the resource is one of the app's (its resource policy is known, or known absent)."""
    return any(arn == a or arn.startswith(a + '/') or arn.startswith(a + ':') for a in bundle.get('appResources', []))


def _governing(bundle, action, resource):
    """(the resource's policies, whether one must allow): a role's trust policy for sts:AssumeRole
    and a KMS key's policy always decide; other resource policies only as IAM combines them."""
    if action.lower() == 'sts:assumerole':
        role = next((r for r in bundle['roles'].values() if r['arn'] == resource), None)
        return ([role['trust']] if role and role.get('trust') else []), role is not None
    if action.lower().startswith('kms:') and ':key/' in resource:
        return resource_policies_for(bundle, resource), in_app(bundle, resource)
    return resource_policies_for(bundle, resource), False


def authorize(bundle, role_id, requests):
    """Decisions for IAM requests made by one role; (all allowed, [per-request results]).

    The role's account is its ARN's; a resource in another account (its ARN's account, or its
    bucket's stack) is judged cross-account: the identity policy and the resource policy must
    both allow. A resource of another account that is not in the app (its policy unknown) is judged
    on the identity policy alone, and the result says so (`notJudged`).
    """
    role = bundle['roles'].get(role_id)
    results = []
    if role is None:
        return False, [{'action': r.action, 'resource': r.resource, 'allowed': False,
                        'reason': f'unknown role {role_id}'} for r in requests]
    account = role.get('account') or account_of(bundle, role['arn']) or bundle['account']
    for r in requests:
        ctx = dict(r.context)
        ctx.setdefault('aws:PrincipalArn', role['arn'])
        ctx.setdefault('aws:PrincipalAccount', account)
        owner = account_of(bundle, r.resource)
        policies, required = _governing(bundle, r.action, r.resource)
        not_judged = bool(owner and owner != account and not required and not in_app(bundle, r.resource))
        decision = iam.evaluate(role['policies'], r.action, r.resource, ctx, policies, role['arn'], account,
                                None if not_judged else owner, required)
        result = {'action': r.action, 'resource': r.resource, 'context': r.context,
                  'allowed': decision.allowed, 'reason': decision.reason, 'account': account}
        if owner and owner != account:
            result['resourceAccount'] = owner
        if not_judged:
            result['notJudged'] = (f'{r.resource} is in account {owner} but not in the app: '
                                   'its resource policy is not judged (identity policy only)')
        results.append(result)
    return all(x['allowed'] for x in results), results


def caller(bundle, role_id):
    """The role a call is made as: SIM_ROLE, whose credentials the runner gave, or the role whose
    credentials the script got from `aws sts assume-role` (the call was authorized as any other;
    the emulator issued them in that role's account) and exported: asked of the emulator's STS."""
    key = os.environ.get('AWS_ACCESS_KEY_ID', '')
    if not key or key == os.environ.get('SIM_ACCESS_KEY', key) or not os.environ.get('SIM_ENDPOINT'):
        return role_id
    import botocore.session  # a plain session: this plugin is not loaded into it
    sts = botocore.session.get_session().create_client(
        'sts', region_name='us-east-1', endpoint_url=os.environ['SIM_ENDPOINT'], aws_access_key_id=key,
        aws_secret_access_key=os.environ.get('AWS_SECRET_ACCESS_KEY', ''), aws_session_token=os.environ.get('AWS_SESSION_TOKEN'))
    arn = sts.get_caller_identity()['Arn']
    m = re.match(r'^arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([^/]+)/', arn)
    for rid, r in bundle['roles'].items():
        if m and r['arn'].split(':')[4] == m.group(1) and r['arn'].rsplit('/', 1)[-1] == m.group(2):
            return rid
    return f'(not a role of the app: {arn})'


class _Response:
    """Just enough of botocore's AWSResponse for a short-circuited call."""

    def __init__(self, status_code):
        self.status_code = status_code
        self.headers = {}
        self.content = b''
        self.raw = None
        self.url = ''


def _capture_params(params, model, context=None, **kwargs):
    if context is not None:
        context['sim_params'] = dict(params)


def _before_call(model, params, context=None, **kwargs):
    bundle = _load()
    runner_role = os.environ.get('SIM_ROLE', '')
    role_id = caller(bundle, runner_role)
    service = model.service_model
    signing = service.signing_name or service.endpoint_prefix
    op = model.name
    api_params = (context or {}).get('sim_params', {})
    # The call's account is the caller's (the runner's credentials are the role's, assumed in its
    # account); its region is the endpoint's (the action's region).
    role = bundle['roles'].get(role_id, {})
    account = role.get('account') or os.environ.get('SIM_ACCOUNT') or bundle['account']
    # The client's region (the action's, unless the script chose another, e.g. AWS_REGION=...).
    region = getattr(kwargs.get('request_signer'), 'region_name', None) or os.environ.get('SIM_REGION') or bundle['region']
    env = actions.Env(region, account, bundle.get('bucketKeys'), bundle.get('registryScanType', 'BASIC'),
                      bundle.get('buckets'), bundle.get('keyAliases'))
    entry = {'role': role_id, 'service': signing, 'operation': op, 'params': _trim(api_params),
             'step': os.environ.get('SIM_STEP', ''), 'account': account, 'region': region}
    if role_id != runner_role:
        entry['assumedBy'] = runner_role
    try:
        requests = actions.requests_for(signing, op, api_params, env)
    except actions.Unmapped as e:
        entry.update(allowed=False, unmapped=True, reason=str(e))
        _log(entry)
        return _Response(403), {'Error': {'Code': 'AccessDenied', 'Message': f'simulation cannot authorize this call: {e}'},
                                'ResponseMetadata': {'HTTPStatusCode': 403}}
    allowed, results = authorize(bundle, role_id, requests)
    entry.update(allowed=allowed, requests=results)
    not_judged = [r['notJudged'] for r in results if r.get('notJudged')]
    if not_judged:
        entry['warning'] = not_judged[0]
    role_arn = bundle['roles'].get(role_id, {}).get('arn', role_id)
    if not allowed:
        denied = next(r for r in results if not r['allowed'])
        session = 'arn:aws:sts::%s:assumed-role/%s/simulation' % (account, role_arn.rsplit('/', 1)[-1])
        entry['reason'] = denied['reason']
        _log(entry)
        message = (f'User: {session} is not authorized to perform: {denied["action"]} on resource: '
                   f'{denied["resource"]} because {denied["reason"]}')
        return _Response(403), {'Error': {'Code': 'AccessDenied', 'Message': message},
                                'ResponseMetadata': {'HTTPStatusCode': 403}}
    stub = bundle.get('stubs', {}).get(f'{signing}:{op}')
    entry['answeredBy'] = 'stub' if stub is not None else 'emulator'
    _log(entry)
    if stub is not None:
        return _Response(200), dict(stub, ResponseMetadata={'HTTPStatusCode': 200})
    return None


def _emulator_fidelity(parsed, **kwargs):
    """moto answers an invalidation's status as COMPLETED; CloudFront (and the CLI's waiter) say Completed."""
    inv = (parsed or {}).get('Invalidation')
    if isinstance(inv, dict) and inv.get('Status') == 'COMPLETED':
        inv['Status'] = 'Completed'


def awscli_initialize(cli):
    cli.register('before-parameter-build', _capture_params)
    cli.register('before-call', _before_call)
    cli.register('after-call.cloudfront', _emulator_fidelity)
