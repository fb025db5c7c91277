"""Load a synthesized CDK cloud assembly and resolve its CloudFormation into concrete values.

The verification checks (authorization, first-run simulation) judge what a deployed stack would
hold, not what a template says it will compute: every Ref, Fn::GetAtt, Fn::Join, Fn::Sub, ... is
replaced by the value CloudFormation would give it, deterministically (the same assembly always
resolves to the same values), in the format AWS returns for that resource type.

API
---
``Assembly.load(directory) -> list[Stack]``
    Every stack of the cloud assembly in ``directory`` (a ``cdk.out`` with ``manifest.json``),
    including those of nested assemblies (Stages). Fn::ImportValue resolves across them.

``Stack``
    ``name``, ``account``, ``region``, ``partition``, ``url_suffix``: from the stack's environment
    (account 111111111111 and region us-east-1 where the stack is environment-agnostic).
    ``template`` (dict), ``template_file`` (path), ``assembly`` (the Assembly it belongs to).
    ``resources``: logical id -> the template's resource dict (unresolved).
    ``resolve(value)`` -> plain JSON: every intrinsic and pseudo parameter replaced; AWS::NoValue
    removed; Fn::If decided by the template's Conditions (parameters take their Default).
    ``physical_name(logical_id)``: the resource's name: its explicit name property when the template
    sets one, else one derived from the logical id (lower-case, valid for the type). S3 bucket
    names are global: where two stacks of the assembly would derive the same bucket name, each
    gets CloudFormation's form instead, ``<stack>-<logical id>-<unique suffix>`` (lower-case, cut
    to 63 characters), as CloudFormation's generated names are unique.
    ``ref(logical_id)``, ``get_att(logical_id, attribute)``: what Ref / Fn::GetAtt return.
    ``path_of(logical_id)``: the construct path (``aws:cdk:path`` metadata, without leading '/').
    ``logical_id_of_ref(value)``: the logical id when an unresolved value is ``{"Ref": id}``.

``policies(stack) -> Iterator[Policy]``
    Every IAM policy document of the stack, resolved. ``Policy`` is a named tuple
    ``(principal, resource, document, kind, path)`` with further fields ``principal_kind``,
    ``policy_logical_id`` and ``stack``:
      * identity policies (AWS::IAM::Policy, AWS::IAM::ManagedPolicy, a role's inline Policies):
        ``kind='identity'``, ``principal_kind`` 'role' / 'user' / 'group', ``principal`` the
        role's logical id (or its name when the policy attaches to an imported role), ``resource``
        the logical id of the policy resource;
      * resource policies (S3 bucket, SNS topic, SQS queue, KMS key, ECR repository, Logs, Secrets
        Manager, EventBridge bus, a Lambda permission as an equivalent statement):
        ``kind='resource'``, ``principal_kind='resource'``, ``principal=None``, ``resource`` the
        logical id of the resource the policy protects (or of the policy resource where it
        protects an imported one);
      * role trust policies (AssumeRolePolicyDocument): ``kind='trust'``, ``resource`` the role.
    ``path`` is the construct path of the resource that holds the document.

Values that cannot be resolved (an unknown import, an attribute this module does not model)
become the string ``UNRESOLVED(<what>)`` so a check can report them instead of guessing.

Run ``python3 cfn.py <cdk.out>`` to print every resolved policy (a debugging aid).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
from typing import Any, Dict, Iterator, List, NamedTuple, Optional

DEFAULT_ACCOUNT = '111111111111'
DEFAULT_REGION = 'us-east-1'
NO_VALUE = object()  # AWS::NoValue: removed from the enclosing object or list


def unresolved(what: str) -> str:
    return f'UNRESOLVED({what})'


def is_unresolved(value: Any) -> bool:
    return isinstance(value, str) and 'UNRESOLVED(' in value


def _digest(*parts: str) -> str:
    return hashlib.sha256('\0'.join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    h = _digest(*parts)
    return f'{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}'


def _upper_id(length: int, *parts: str) -> str:
    """An id of upper-case letters and digits (CloudFront E..., IAM AROA..., secret suffixes)."""
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    n = int(_digest(*parts), 16)
    out = ''
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out += alphabet[r]
    return out


# ---------------------------------------------------------------------------------------------
# Physical names
# ---------------------------------------------------------------------------------------------

# The property that sets a resource's name explicitly, per type (a path for nested ones).
NAME_PROPERTIES: Dict[str, str] = {
    'AWS::S3::Bucket': 'BucketName',
    'AWS::IAM::Role': 'RoleName',
    'AWS::IAM::User': 'UserName',
    'AWS::IAM::Group': 'GroupName',
    'AWS::IAM::Policy': 'PolicyName',
    'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
    'AWS::IAM::InstanceProfile': 'InstanceProfileName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::Lambda::Alias': 'Name',
    'AWS::Lambda::LayerVersion': 'LayerName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::ECR::Repository': 'RepositoryName',
    'AWS::CodeBuild::Project': 'Name',
    'AWS::CodeBuild::ReportGroup': 'Name',
    'AWS::CodePipeline::Pipeline': 'Name',
    'AWS::CodeDeploy::Application': 'ApplicationName',
    'AWS::CodeDeploy::DeploymentGroup': 'DeploymentGroupName',
    'AWS::CodeDeploy::DeploymentConfig': 'DeploymentConfigName',
    'AWS::CodeCommit::Repository': 'RepositoryName',
    'AWS::CodeStarConnections::Connection': 'ConnectionName',
    'AWS::CodeConnections::Connection': 'ConnectionName',
    'AWS::CodeStarNotifications::NotificationRule': 'Name',
    'AWS::ECS::Cluster': 'ClusterName',
    'AWS::ECS::Service': 'ServiceName',
    'AWS::ECS::TaskDefinition': 'Family',
    'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
    'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
    'AWS::CloudWatch::Dashboard': 'DashboardName',
    'AWS::Events::Rule': 'Name',
    'AWS::Events::EventBus': 'Name',
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::SSM::Parameter': 'Name',
    'AWS::CloudTrail::Trail': 'TrailName',
    'AWS::KMS::Alias': 'AliasName',
    'AWS::CloudFront::Function': 'Name',
    'AWS::CloudFront::OriginAccessControl': 'OriginAccessControlConfig.Name',
    'AWS::CloudFront::ResponseHeadersPolicy': 'ResponseHeadersPolicyConfig.Name',
    'AWS::CloudFront::CachePolicy': 'CachePolicyConfig.Name',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::EC2::SecurityGroup': 'GroupName',
}

# Longest name the type allows (generated names are cut to it).
NAME_LIMITS: Dict[str, int] = {
    'AWS::S3::Bucket': 63,
    'AWS::IAM::Role': 64,
    'AWS::IAM::User': 64,
    'AWS::IAM::Policy': 128,
    'AWS::Lambda::Function': 64,
    'AWS::SNS::Topic': 256,
    'AWS::SQS::Queue': 80,
    'AWS::ECR::Repository': 256,
    'AWS::CodeBuild::Project': 150,
    'AWS::CodePipeline::Pipeline': 100,
    'AWS::ECS::Cluster': 255,
    'AWS::ECS::Service': 255,
    'AWS::ElasticLoadBalancingV2::LoadBalancer': 32,
    'AWS::ElasticLoadBalancingV2::TargetGroup': 32,
    'AWS::CloudWatch::Alarm': 255,
    'AWS::CodeStarNotifications::NotificationRule': 64,
    'AWS::Events::Rule': 64,
    'AWS::CloudTrail::Trail': 128,
    'AWS::CodeCommit::Repository': 100,
}

# ARN patterns for GetAtt Arn of simple "name" resources: (service, regional, resource part).
SIMPLE_ARNS: Dict[str, tuple] = {
    'AWS::S3::Bucket': ('s3', False, False, '{name}'),
    'AWS::IAM::User': ('iam', False, True, 'user/{name}'),
    'AWS::IAM::Group': ('iam', False, True, 'group/{name}'),
    'AWS::IAM::InstanceProfile': ('iam', False, True, 'instance-profile/{name}'),
    'AWS::Lambda::Function': ('lambda', True, True, 'function:{name}'),
    'AWS::Logs::LogGroup': ('logs', True, True, 'log-group:{name}:*'),
    'AWS::SNS::Topic': ('sns', True, True, '{name}'),
    'AWS::SQS::Queue': ('sqs', True, True, '{name}'),
    'AWS::ECR::Repository': ('ecr', True, True, 'repository/{name}'),
    'AWS::CodeBuild::Project': ('codebuild', True, True, 'project/{name}'),
    'AWS::CodeBuild::ReportGroup': ('codebuild', True, True, 'report-group/{name}'),
    'AWS::CodePipeline::Pipeline': ('codepipeline', True, True, '{name}'),
    'AWS::CodeCommit::Repository': ('codecommit', True, True, '{name}'),
    'AWS::ECS::Cluster': ('ecs', True, True, 'cluster/{name}'),
    'AWS::CloudWatch::Alarm': ('cloudwatch', True, True, 'alarm:{name}'),
    'AWS::CloudWatch::CompositeAlarm': ('cloudwatch', True, True, 'alarm:{name}'),
    'AWS::Events::EventBus': ('events', True, True, 'event-bus/{name}'),
    'AWS::CloudTrail::Trail': ('cloudtrail', True, True, 'trail/{name}'),
    'AWS::StepFunctions::StateMachine': ('states', True, True, 'stateMachine:{name}'),
    'AWS::DynamoDB::Table': ('dynamodb', True, True, 'table/{name}'),
    'AWS::CloudFront::Function': ('cloudfront', False, True, 'function/{name}'),
    'AWS::CodeDeploy::Application': ('codedeploy', True, True, 'application:{name}'),
}

# Types whose Ref is an ARN (rather than a name or id).
REF_IS_ARN = {
    'AWS::SNS::Topic', 'AWS::IAM::ManagedPolicy', 'AWS::CodeBuild::ReportGroup',
    'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::Listener',
    'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::CodeStarNotifications::NotificationRule',
    'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::SecretsManager::Secret',
    'AWS::CodeStarConnections::Connection', 'AWS::CodeConnections::Connection',
    'AWS::StepFunctions::StateMachine', 'AWS::Lambda::LayerVersion',
}

# EC2-style ids: Ref is "<prefix>-<17 hex>".
EC2_ID_PREFIXES = {
    'AWS::EC2::VPC': 'vpc', 'AWS::EC2::Subnet': 'subnet', 'AWS::EC2::SecurityGroup': 'sg',
    'AWS::EC2::RouteTable': 'rtb', 'AWS::EC2::InternetGateway': 'igw', 'AWS::EC2::NatGateway': 'nat',
    'AWS::EC2::EIP': 'eipalloc', 'AWS::EC2::FlowLog': 'fl', 'AWS::EC2::VPCEndpoint': 'vpce',
    'AWS::EC2::NetworkAcl': 'acl', 'AWS::EC2::LaunchTemplate': 'lt', 'AWS::EC2::Instance': 'i',
    'AWS::EC2::SecurityGroupIngress': 'sgr', 'AWS::EC2::SecurityGroupEgress': 'sgr',
    'AWS::EC2::Route': 'r', 'AWS::EC2::SubnetRouteTableAssociation': 'rtbassoc',
    'AWS::EC2::VPCGatewayAttachment': 'igw-attach',
}


def _lower_name(logical_id: str, limit: int, s3: bool = False) -> str:
    name = logical_id.lower()
    name = re.sub(r'[^a-z0-9-]' if s3 else r'[^a-z0-9_-]', '', name)
    return name[:limit].rstrip('-') or 'resource'


class Policy(NamedTuple):
    """One resolved IAM policy document and who holds it (see the module documentation)."""
    principal: Optional[str]
    resource: str
    document: Dict[str, Any]
    kind: str  # 'identity' | 'resource' | 'trust'
    path: str
    principal_kind: str = 'role'
    policy_logical_id: str = ''
    stack: Optional['Stack'] = None


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------

class Assembly:
    def __init__(self, directory: str):
        self.directory = directory
        self.stacks: List[Stack] = []
        self._derived_buckets: Optional[Dict[str, int]] = None

    def bucket_name_collides(self, name: str) -> bool:
        """Whether more than one stack derives this bucket name from a logical id."""
        if self._derived_buckets is None:
            self._derived_buckets = {}
            for stack in self.stacks:
                names = {_lower_name(lid, NAME_LIMITS['AWS::S3::Bucket'], s3=True)
                         for lid, r in stack.resources.items()
                         if r.get('Type') == 'AWS::S3::Bucket' and not ((r.get('Properties') or {}).get('BucketName'))}
                for n in names:
                    self._derived_buckets[n] = self._derived_buckets.get(n, 0) + 1
        return self._derived_buckets.get(name, 0) > 1

    @staticmethod
    def load(directory: str) -> List['Stack']:
        assembly = Assembly(os.path.abspath(directory))
        assembly._load_dir(assembly.directory)
        return assembly.stacks

    def _load_dir(self, directory: str) -> None:
        with open(os.path.join(directory, 'manifest.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        for artifact_id, artifact in (manifest.get('artifacts') or {}).items():
            kind = artifact.get('type')
            props = artifact.get('properties') or {}
            if kind == 'aws:cloudformation:stack':
                template_file = os.path.join(directory, props['templateFile'])
                with open(template_file, encoding='utf-8') as f:
                    template = json.load(f)
                account, region = DEFAULT_ACCOUNT, DEFAULT_REGION
                env = artifact.get('environment', '')
                m = re.match(r'^aws://([^/]*)/(.*)$', env)
                if m:
                    if re.fullmatch(r'\d{12}', m.group(1)):
                        account = m.group(1)
                    if m.group(2) and not m.group(2).startswith('unknown'):
                        region = m.group(2)
                # displayName of a stack in a Stage is "Stage/Stack"; the deployed name is stackName.
                name = props.get('stackName') or artifact_id
                self.stacks.append(Stack(self, name, template, template_file, account, region,
                                         artifact.get('displayName', artifact_id)))
            elif kind == 'cdk:cloud-assembly':
                self._load_dir(os.path.join(directory, props['directoryName']))

    def find_export(self, name: str) -> Any:
        for stack in self.stacks:
            for output in (stack.template.get('Outputs') or {}).values():
                export = output.get('Export')
                if export and stack.resolve(export.get('Name')) == name:
                    return stack.resolve(output.get('Value'))
        return unresolved(f'ImportValue {name}')


# ---------------------------------------------------------------------------------------------
# Stack
# ---------------------------------------------------------------------------------------------

class Stack:
    def __init__(self, assembly: Assembly, name: str, template: dict, template_file: str,
                 account: str, region: str, display_name: str):
        self.assembly = assembly
        self.name = name
        self.display_name = display_name
        self.template = template
        self.template_file = template_file
        self.account = account
        self.region = region
        self.partition = 'aws-cn' if region.startswith('cn-') else (
            'aws-us-gov' if region.startswith('us-gov-') else 'aws')
        self.url_suffix = 'amazonaws.com.cn' if self.partition == 'aws-cn' else 'amazonaws.com'
        self.resources: Dict[str, dict] = template.get('Resources') or {}
        self._conditions: Dict[str, bool] = {}
        self._resolving: set = set()

    def __repr__(self) -> str:
        return f'Stack({self.name})'

    # -- helpers ---------------------------------------------------------------------------
    def arn(self, service: str, resource: str, regional: bool = True, with_account: bool = True) -> str:
        region = self.region if regional else ''
        account = self.account if with_account else ''
        return f'arn:{self.partition}:{service}:{region}:{account}:{resource}'

    def path_of(self, logical_id: str) -> str:
        res = self.resources.get(logical_id) or {}
        return str((res.get('Metadata') or {}).get('aws:cdk:path', '')).lstrip('/')

    def type_of(self, logical_id: str) -> str:
        return (self.resources.get(logical_id) or {}).get('Type', '')

    def prop(self, logical_id: str, dotted: str) -> Any:
        """A resolved property of a resource (dotted path), or None."""
        value: Any = (self.resources.get(logical_id) or {}).get('Properties') or {}
        for part in dotted.split('.'):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return self.resolve(value)

    @staticmethod
    def logical_id_of_ref(value: Any) -> Optional[str]:
        if isinstance(value, dict) and set(value) == {'Ref'} and isinstance(value['Ref'], str):
            return value['Ref']
        return None

    def _id(self, logical_id: str, length: int = 17) -> str:
        return _digest(self.account, self.region, self.name, logical_id)[:length]

    # -- names -----------------------------------------------------------------------------
    def physical_name(self, logical_id: str) -> str:
        if logical_id not in self.resources:
            return unresolved(f'no resource {logical_id}')
        rtype = self.type_of(logical_id)
        prop = NAME_PROPERTIES.get(rtype)
        if prop:
            explicit = self.prop(logical_id, prop)
            if isinstance(explicit, str) and explicit:
                return explicit
        limit = NAME_LIMITS.get(rtype, 128)
        if rtype == 'AWS::S3::Bucket':
            name = _lower_name(logical_id, limit, s3=True)
            if self.assembly is not None and self.assembly.bucket_name_collides(name):
                # CloudFormation's form: <stack>-<logical id>-<unique suffix>, cut to the limit.
                suffix = _digest(self.name, logical_id)[:12]
                return f'{_lower_name(f"{self.name}-{logical_id}", limit - len(suffix) - 1, s3=True)}-{suffix}'
            return name
        if rtype == 'AWS::SQS::Queue' and self.prop(logical_id, 'FifoQueue'):
            return _lower_name(logical_id, limit - 5) + '.fifo'
        if rtype == 'AWS::ElasticLoadBalancingV2::LoadBalancer' or rtype == 'AWS::ElasticLoadBalancingV2::TargetGroup':
            return _lower_name(logical_id, limit, s3=True)
        return _lower_name(logical_id, limit)

    # -- Ref -------------------------------------------------------------------------------
    def ref(self, logical_id: str) -> Any:
        pseudo = self._pseudo(logical_id)
        if pseudo is not None:
            return pseudo
        params = self.template.get('Parameters') or {}
        if logical_id in params:
            return self._parameter(logical_id, params[logical_id])
        if logical_id not in self.resources:
            return unresolved(f'Ref {logical_id}')
        rtype = self.type_of(logical_id)
        if rtype in REF_IS_ARN:
            return self._arn_of(logical_id)
        if rtype in EC2_ID_PREFIXES:
            return f'{EC2_ID_PREFIXES[rtype]}-{self._id(logical_id)}'
        if rtype == 'AWS::KMS::Key':
            return _uuid(self.account, self.region, self.name, logical_id)
        if rtype == 'AWS::CodeCommit::Repository':
            return _uuid(self.account, self.region, self.name, logical_id)
        if rtype == 'AWS::SQS::Queue':
            return f'https://sqs.{self.region}.{self.url_suffix}/{self.account}/{self.physical_name(logical_id)}'
        if rtype in ('AWS::CloudFront::Distribution', 'AWS::CloudFront::OriginAccessControl',
                     'AWS::CloudFront::ResponseHeadersPolicy', 'AWS::CloudFront::CachePolicy',
                     'AWS::CloudFront::CloudFrontOriginAccessIdentity'):
            return 'E' + _upper_id(13, self.account, self.name, logical_id)
        if rtype == 'AWS::Events::Rule':
            bus = self.prop(logical_id, 'EventBusName')
            name = self.physical_name(logical_id)
            return f'{bus}|{name}' if bus and bus != 'default' and not str(bus).startswith('arn:') else name
        if rtype == 'AWS::IAM::Policy':
            return _upper_id(21, self.account, self.name, logical_id)
        if rtype.startswith('Custom::') or rtype == 'AWS::CloudFormation::CustomResource':
            return f'{self.name}-{logical_id}-{self._id(logical_id, 12)}'
        return self.physical_name(logical_id)

    def _parameter(self, name: str, param: dict) -> Any:
        default = param.get('Default')
        ptype = param.get('Type', 'String')
        if ptype.startswith('AWS::SSM::Parameter::Value<'):
            # The value of the SSM parameter named by the default (e.g. the bootstrap version).
            return '99' if 'cdk-bootstrap' in str(default) else unresolved(f'SSM parameter {default}')
        if default is None:
            return unresolved(f'parameter {name} (no default)')
        if ptype.startswith('List<') or ptype == 'CommaDelimitedList':
            return str(default).split(',')
        return default

    def _pseudo(self, name: str) -> Any:
        return {
            'AWS::AccountId': self.account,
            'AWS::Region': self.region,
            'AWS::Partition': self.partition,
            'AWS::URLSuffix': self.url_suffix,
            'AWS::StackName': self.name,
            'AWS::StackId': f'arn:{self.partition}:cloudformation:{self.region}:{self.account}:stack/{self.name}/'
                            + _uuid(self.account, self.region, self.name),
            'AWS::NotificationARNs': [],
            'AWS::NoValue': NO_VALUE,
        }.get(name)

    # -- ARNs ------------------------------------------------------------------------------
    def _arn_of(self, logical_id: str) -> str:
        rtype = self.type_of(logical_id)
        name = self.physical_name(logical_id)
        if rtype in SIMPLE_ARNS:
            service, regional, with_account, pattern = SIMPLE_ARNS[rtype]
            return self.arn(service, pattern.format(name=name), regional, with_account)
        if rtype in ('AWS::IAM::Role', 'AWS::IAM::ManagedPolicy'):
            path = self.prop(logical_id, 'Path') or '/'
            kind = 'role' if rtype == 'AWS::IAM::Role' else 'policy'
            return self.arn('iam', f'{kind}{path}{name}', regional=False)
        if rtype == 'AWS::KMS::Key':
            return self.arn('kms', f'key/{self.ref(logical_id)}')
        if rtype == 'AWS::KMS::Alias':
            return self.arn('kms', name)
        if rtype == 'AWS::ECS::Service':
            cluster = self._name_from(self.prop(logical_id, 'Cluster'), 'cluster/') or 'default'
            return self.arn('ecs', f'service/{cluster}/{name}')
        if rtype == 'AWS::ECS::TaskDefinition':
            family = self.prop(logical_id, 'Family') or f'{self.name}{logical_id}'
            return self.arn('ecs', f'task-definition/{family}:1')
        if rtype == 'AWS::ElasticLoadBalancingV2::LoadBalancer':
            kind = {'network': 'net', 'gateway': 'gwy'}.get(self.prop(logical_id, 'Type') or 'application', 'app')
            return self.arn('elasticloadbalancing', f'loadbalancer/{kind}/{name}/{self._id(logical_id, 16)}')
        if rtype == 'AWS::ElasticLoadBalancingV2::TargetGroup':
            return self.arn('elasticloadbalancing', f'targetgroup/{name}/{self._id(logical_id, 16)}')
        if rtype == 'AWS::ElasticLoadBalancingV2::Listener':
            lb = str(self.prop(logical_id, 'LoadBalancerArn') or unresolved('listener load balancer'))
            lb_part = lb.split(':loadbalancer/', 1)[-1]
            return self.arn('elasticloadbalancing', f'listener/{lb_part}/{self._id(logical_id, 16)}')
        if rtype == 'AWS::ElasticLoadBalancingV2::ListenerRule':
            listener = str(self.prop(logical_id, 'ListenerArn') or unresolved('rule listener'))
            part = listener.split(':listener/', 1)[-1]
            return self.arn('elasticloadbalancing', f'listener-rule/{part}/{self._id(logical_id, 16)}')
        if rtype == 'AWS::CodeStarNotifications::NotificationRule':
            return self.arn('codestar-notifications', f'notificationrule/{self._id(logical_id, 40)}')
        if rtype == 'AWS::Lambda::Version':
            fn = self._name_from(self.prop(logical_id, 'FunctionName'), 'function:')
            return self.arn('lambda', f'function:{fn}:1')
        if rtype == 'AWS::Lambda::Alias':
            fn = self._name_from(self.prop(logical_id, 'FunctionName'), 'function:')
            return self.arn('lambda', f'function:{fn}:{name}')
        if rtype == 'AWS::Lambda::LayerVersion':
            return self.arn('lambda', f'layer:{name}:1')
        if rtype == 'AWS::SecretsManager::Secret':
            return self.arn('secretsmanager', f'secret:{name}-{_upper_id(6, self.name, logical_id)}')
        if rtype == 'AWS::SSM::Parameter':
            return self.arn('ssm', f'parameter/{name.lstrip("/")}')
        if rtype == 'AWS::CodeStarConnections::Connection':
            return self.arn('codestar-connections', f'connection/{_uuid(self.name, logical_id)}')
        if rtype == 'AWS::CodeConnections::Connection':
            return self.arn('codeconnections', f'connection/{_uuid(self.name, logical_id)}')
        if rtype == 'AWS::Events::Rule':
            bus = self.prop(logical_id, 'EventBusName')
            bus_name = self._name_from(bus, 'event-bus/') if bus else None
            prefix = f'rule/{bus_name}/' if bus_name and bus_name != 'default' else 'rule/'
            return self.arn('events', f'{prefix}{name}')
        if rtype == 'AWS::CodeDeploy::DeploymentGroup':
            app = self.prop(logical_id, 'ApplicationName')
            return self.arn('codedeploy', f'deploymentgroup:{app}/{name}')
        if rtype == 'AWS::CodeDeploy::DeploymentConfig':
            return self.arn('codedeploy', f'deploymentconfig:{name}')
        if rtype == 'AWS::CloudFront::Distribution':
            return self.arn('cloudfront', f'distribution/{self.ref(logical_id)}', regional=False)
        if rtype == 'AWS::CloudFront::OriginAccessControl':
            return self.arn('cloudfront', f'origin-access-control/{self.ref(logical_id)}', regional=False)
        if rtype == 'AWS::ECR::PullThroughCacheRule':
            return self.arn('ecr', f'repository/{self.prop(logical_id, "EcrRepositoryPrefix")}/*')
        service = rtype.split('::')[1].lower() if rtype.count('::') == 2 else 'unknown'
        return self.arn(service, f'{rtype.split("::")[-1].lower()}/{name}')

    @staticmethod
    def _name_from(value: Any, marker: str) -> Optional[str]:
        """The name in a value that is a name or an ARN (e.g. an ECS cluster: name or ARN)."""
        if value is None:
            return None
        value = str(value)
        if value.startswith('arn:') and marker in value:
            return value.split(marker, 1)[1]
        if value.startswith('arn:'):
            return value.rsplit(':', 1)[-1].rsplit('/', 1)[-1]
        return value

    # -- GetAtt ----------------------------------------------------------------------------
    def get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self.resources:
            return unresolved(f'GetAtt {logical_id}.{attribute}')
        rtype = self.type_of(logical_id)
        name = self.physical_name(logical_id)
        region, suffix = self.region, self.url_suffix
        if rtype.startswith('Custom::') or rtype == 'AWS::CloudFormation::CustomResource':
            return unresolved(f'custom resource {logical_id}.{attribute}')
        special: Dict[str, Dict[str, Any]] = {
            'AWS::S3::Bucket': {
                'DomainName': f'{name}.s3.{suffix}',
                'RegionalDomainName': f'{name}.s3.{region}.{suffix}',
                'DualStackDomainName': f'{name}.s3.dualstack.{region}.{suffix}',
                'WebsiteURL': f'http://{name}.s3-website-{region}.{suffix}',
            },
            'AWS::IAM::Role': {'RoleId': 'AROA' + _upper_id(17, self.name, logical_id)},
            'AWS::KMS::Key': {'KeyId': self.ref(logical_id)},
            'AWS::SNS::Topic': {'TopicName': name, 'TopicArn': self._arn_of(logical_id)},
            'AWS::SQS::Queue': {'QueueName': name, 'QueueUrl': self.ref(logical_id)},
            'AWS::ECR::Repository': {'RepositoryUri': f'{self.account}.dkr.ecr.{region}.{suffix}/{name}'},
            'AWS::CodePipeline::Pipeline': {'Version': '1'},
            'AWS::CodeCommit::Repository': {
                'Name': name,
                'CloneUrlHttp': f'https://git-codecommit.{region}.{suffix}/v1/repos/{name}',
                'CloneUrlSsh': f'ssh://git-codecommit.{region}.{suffix}/v1/repos/{name}',
            },
            'AWS::ECS::Service': {'Name': name, 'ServiceArn': self._arn_of(logical_id)},
            'AWS::ECS::TaskDefinition': {'TaskDefinitionArn': self._arn_of(logical_id)},
            'AWS::ElasticLoadBalancingV2::LoadBalancer': {
                'LoadBalancerName': name,
                'LoadBalancerFullName': self._arn_of(logical_id).split(':loadbalancer/', 1)[-1],
                'DNSName': f'{name}-{self._id(logical_id, 10)}.{region}.elb.{suffix}',
                'CanonicalHostedZoneID': 'Z35SXDOTRQ7X7K',
                'LoadBalancerArn': self._arn_of(logical_id),
                'SecurityGroups': self.prop(logical_id, 'SecurityGroups') or [],
            },
            'AWS::ElasticLoadBalancingV2::TargetGroup': {
                'TargetGroupName': name,
                'TargetGroupFullName': self._arn_of(logical_id).split(':', 5)[-1],
                'TargetGroupArn': self._arn_of(logical_id),
                'LoadBalancerArns': [],
            },
            'AWS::ElasticLoadBalancingV2::Listener': {'ListenerArn': self._arn_of(logical_id)},
            'AWS::ElasticLoadBalancingV2::ListenerRule': {'RuleArn': self._arn_of(logical_id)},
            'AWS::Lambda::Version': {'Version': '1', 'FunctionArn': self._arn_of(logical_id) if rtype == 'AWS::Lambda::Version' else ''},
            'AWS::Lambda::Alias': {'AliasArn': self._arn_of(logical_id) if rtype == 'AWS::Lambda::Alias' else ''},
            'AWS::CloudFront::Distribution': {
                'Id': self.ref(logical_id),
                'DomainName': f'd{_digest(self.name, logical_id)[:13]}.cloudfront.net',
            },
            'AWS::CloudFront::OriginAccessControl': {'Id': self.ref(logical_id)},
            'AWS::CloudFront::ResponseHeadersPolicy': {'Id': self.ref(logical_id)},
            'AWS::CloudFront::CachePolicy': {'Id': self.ref(logical_id)},
            'AWS::CloudFront::Function': {'FunctionARN': self._arn_of(logical_id) if rtype == 'AWS::CloudFront::Function' else '',
                                          'FunctionMetadata.FunctionARN': self._arn_of(logical_id) if rtype == 'AWS::CloudFront::Function' else ''},
            'AWS::EC2::SecurityGroup': {'GroupId': self.ref(logical_id), 'VpcId': self.prop(logical_id, 'VpcId')},
            'AWS::EC2::VPC': {
                'CidrBlock': self.prop(logical_id, 'CidrBlock'),
                'DefaultSecurityGroup': f'sg-{self._id(logical_id + "/default")}',
                'DefaultNetworkAcl': f'acl-{self._id(logical_id + "/default")}',
                'VpcId': self.ref(logical_id),
            },
            'AWS::EC2::Subnet': {'SubnetId': self.ref(logical_id),
                                 'AvailabilityZone': self.prop(logical_id, 'AvailabilityZone')},
            'AWS::EC2::EIP': {'AllocationId': f'eipalloc-{self._id(logical_id)}', 'PublicIp': '192.0.2.10'},
            'AWS::SecretsManager::Secret': {'Id': self._arn_of(logical_id) if rtype == 'AWS::SecretsManager::Secret' else ''},
            'AWS::SSM::Parameter': {'Type': self.prop(logical_id, 'Type'), 'Value': self.prop(logical_id, 'Value')},
            'AWS::Logs::LogGroup': {},
            'AWS::CodeStarConnections::Connection': {'ConnectionArn': self._arn_of(logical_id) if 'Connection' in rtype else ''},
            'AWS::CodeConnections::Connection': {'ConnectionArn': self._arn_of(logical_id) if 'Connection' in rtype else ''},
            'AWS::Lambda::Function': {},
            'AWS::CloudWatch::Alarm': {},
        }
        table = special.get(rtype, {})
        if attribute in table:
            return table[attribute]
        if attribute == 'Arn' or attribute.endswith('Arn') and attribute[:-3] in rtype:
            return self._arn_of(logical_id)
        if attribute == 'Name' or attribute == 'Id':
            return self.ref(logical_id)
        return unresolved(f'GetAtt {logical_id}.{attribute} ({rtype})')

    # -- conditions ------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            definition = (self.template.get('Conditions') or {}).get(name)
            if definition is None:
                raise KeyError(f'{self.name}: no condition {name}')
            self._conditions[name] = bool(self._eval_condition(definition))
        return self._conditions[name]

    def _eval_condition(self, expr: Any) -> Any:
        if isinstance(expr, dict) and len(expr) == 1:
            (key, arg), = expr.items()
            if key == 'Condition':
                return self.condition(arg)
            if key == 'Fn::Equals':
                a, b = (self._eval_condition(x) for x in arg)
                return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or str(a) == str(b)
            if key == 'Fn::Not':
                return not self._eval_condition(arg[0])
            if key == 'Fn::And':
                return all(self._eval_condition(x) for x in arg)
            if key == 'Fn::Or':
                return any(self._eval_condition(x) for x in arg)
        return self.resolve(expr)

    def resource_exists(self, logical_id: str) -> bool:
        cond = (self.resources.get(logical_id) or {}).get('Condition')
        return True if cond is None else self.condition(cond)

    # -- resolve ---------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        out = self._resolve(value)
        return None if out is NO_VALUE else out

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == 'Ref':
                return self.ref(arg)
            if key.startswith('Fn::') or key == 'Condition':
                return self._intrinsic(key, arg)
        out = {}
        for k, v in value.items():
            r = self._resolve(v)
            if r is not NO_VALUE:
                out[k] = r
        return out

    def _intrinsic(self, key: str, arg: Any) -> Any:
        if key == 'Fn::GetAtt':
            if isinstance(arg, str):
                logical_id, attribute = arg.split('.', 1)
            else:
                logical_id, attribute = arg[0], self._resolve(arg[1])
            return self.get_att(logical_id, attribute)
        if key == 'Fn::Join':
            sep, items = arg[0], self._resolve(arg[1])
            if not isinstance(items, list):
                return unresolved('Fn::Join of a non-list')
            return sep.join(self._to_str(i) for i in items)
        if key == 'Fn::Sub':
            if isinstance(arg, str):
                text, variables = arg, {}
            else:
                text, variables = arg[0], self._resolve(arg[1]) if len(arg) > 1 else {}
            return self._sub(text, variables)
        if key == 'Fn::Select':
            index, items = int(self._resolve(arg[0])), self._resolve(arg[1])
            if not isinstance(items, list) or index >= len(items):
                return unresolved(f'Fn::Select {index}')
            return items[index]
        if key == 'Fn::Split':
            sep, text = arg[0], self._resolve(arg[1])
            return self._to_str(text).split(sep)
        if key == 'Fn::If':
            name, yes, no = arg
            return self._resolve(yes if self.condition(name) else no)
        if key in ('Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition'):
            return self._eval_condition({key: arg})
        if key == 'Fn::ImportValue':
            return self.assembly.find_export(self._resolve(arg))
        if key == 'Fn::GetAZs':
            region = self._resolve(arg) or self.region
            return [f'{region}a', f'{region}b', f'{region}c']
        if key == 'Fn::Base64':
            return base64.b64encode(self._to_str(self._resolve(arg)).encode()).decode()
        if key == 'Fn::FindInMap':
            m, k1, k2 = (self._resolve(a) for a in arg[:3])
            try:
                return self.template['Mappings'][m][k1][k2]
            except (KeyError, TypeError):
                return self._resolve(arg[3]['DefaultValue']) if len(arg) > 3 else unresolved(f'FindInMap {m}')
        if key == 'Fn::Cidr':
            block, count = self._resolve(arg[0]), int(self._resolve(arg[1]))
            base = str(block).split('/')[0].split('.')
            return [f'{base[0]}.{base[1]}.{i}.0/24' for i in range(count)]
        if key == 'Fn::Length':
            items = self._resolve(arg)
            return len(items) if isinstance(items, list) else unresolved('Fn::Length')
        if key == 'Fn::ToJsonString':
            return json.dumps(self._resolve(arg), separators=(',', ':'))
        if key == 'Fn::Contains':
            items, item = self._resolve(arg[0]), self._resolve(arg[1])
            return item in items if isinstance(items, list) else False
        return unresolved(key)

    def _to_str(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return 'true' if value else 'false'
        if isinstance(value, (int, float)):
            return str(value)
        return unresolved(f'string of {json.dumps(value)[:60]}')

    def _sub(self, text: str, variables: Dict[str, Any]) -> str:
        def replace(m: 're.Match[str]') -> str:
            expr = m.group(1)
            if expr.startswith('!'):
                return '${' + expr[1:] + '}'
            if expr in variables:
                return self._to_str(variables[expr])
            if '.' in expr and not expr.startswith('AWS::'):
                logical_id, attribute = expr.split('.', 1)
                return self._to_str(self.get_att(logical_id, attribute))
            return self._to_str(self.ref(expr))
        return re.sub(r'\$\{([^}]*)\}', replace, text)


# ---------------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------------

def _principals(stack: Stack, values: Any, kind: str) -> List[tuple]:
    """(kind, logical id or name) for each entry of a policy's Roles/Users/Groups."""
    out = []
    for raw in values or []:
        lid = stack.logical_id_of_ref(raw)
        out.append((kind, lid if lid else str(stack.resolve(raw))))
    return out


def _as_document(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {'Statement': [], 'Unparsed': value}
    return value


# Resource policy types: (document property, property naming the protected resource(s)).
RESOURCE_POLICIES = {
    'AWS::S3::BucketPolicy': ('PolicyDocument', 'Bucket'),
    'AWS::SNS::TopicPolicy': ('PolicyDocument', 'Topics'),
    'AWS::SQS::QueuePolicy': ('PolicyDocument', 'Queues'),
    'AWS::Logs::ResourcePolicy': ('PolicyDocument', None),
    'AWS::SecretsManager::ResourcePolicy': ('ResourcePolicy', 'SecretId'),
    'AWS::Events::EventBusPolicy': ('Statement', 'EventBusName'),
    'AWS::ECR::RegistryPolicy': ('PolicyText', None),
    'AWS::CodeBuild::ResourcePolicy': ('Policy', 'ResourceArn'),
}
# Resources that carry their own resource policy: type -> property.
OWN_POLICIES = {
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::ECR::Repository': 'RepositoryPolicyText',
}


def policies(stack: Stack) -> Iterator[Policy]:
    """Every IAM policy document of the stack, resolved (see the module documentation)."""
    for lid, res in stack.resources.items():
        if not stack.resource_exists(lid):
            continue
        rtype = res.get('Type')
        props = res.get('Properties') or {}
        path = stack.path_of(lid)
        if rtype in ('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'):
            doc = _as_document(stack.resolve(props.get('PolicyDocument')))
            holders = (_principals(stack, props.get('Roles'), 'role')
                       + _principals(stack, props.get('Users'), 'user')
                       + _principals(stack, props.get('Groups'), 'group'))
            for kind, who in holders or [('none', None)]:
                yield Policy(who, lid, doc, 'identity', path, kind, lid, stack)
        elif rtype == 'AWS::IAM::Role':
            trust = props.get('AssumeRolePolicyDocument')
            if trust is not None:
                yield Policy(lid, lid, _as_document(stack.resolve(trust)), 'trust', path, 'role', lid, stack)
            for inline in props.get('Policies') or []:
                doc = _as_document(stack.resolve(inline.get('PolicyDocument')))
                yield Policy(lid, lid, doc, 'identity', path, 'role', lid, stack)
        elif rtype in RESOURCE_POLICIES:
            doc_prop, target_prop = RESOURCE_POLICIES[rtype]
            raw = props.get(doc_prop)
            if rtype == 'AWS::Events::EventBusPolicy':
                doc = {'Version': '2012-10-17', 'Statement': [stack.resolve(raw)]} if raw else {'Statement': []}
            else:
                doc = _as_document(stack.resolve(raw))
            targets = props.get(target_prop) if target_prop else None
            targets = targets if isinstance(targets, list) else [targets] if targets is not None else []
            target_ids = [stack.logical_id_of_ref(t) for t in targets]
            target = next((t for t in target_ids if t), lid)
            yield Policy(None, target, doc, 'resource', path, 'resource', lid, stack)
        elif rtype in OWN_POLICIES and props.get(OWN_POLICIES[rtype]) is not None:
            doc = _as_document(stack.resolve(props.get(OWN_POLICIES[rtype])))
            yield Policy(None, lid, doc, 'resource', path, 'resource', lid, stack)
        elif rtype == 'AWS::Lambda::Permission':
            yield Policy(None, stack.logical_id_of_ref(props.get('FunctionName')) or lid,
                         _lambda_permission_document(stack, props), 'resource', path, 'resource', lid, stack)


def _lambda_permission_document(stack: Stack, props: dict) -> dict:
    """The function policy statement CloudFormation's AddPermission call writes."""
    fn = stack.resolve(props.get('FunctionName'))
    if isinstance(fn, str) and not fn.startswith('arn:'):
        fn = stack.arn('lambda', f'function:{fn}')
    principal = stack.resolve(props.get('Principal'))
    principal_el = {'Service': principal} if isinstance(principal, str) and principal.endswith('.amazonaws.com') else {'AWS': principal}
    statement: Dict[str, Any] = {'Effect': 'Allow', 'Principal': principal_el,
                                 'Action': stack.resolve(props.get('Action')), 'Resource': fn}
    condition: Dict[str, Any] = {}
    if props.get('SourceArn') is not None:
        condition.setdefault('ArnLike', {})['AWS:SourceArn'] = stack.resolve(props['SourceArn'])
    if props.get('SourceAccount') is not None:
        condition.setdefault('StringEquals', {})['AWS:SourceAccount'] = stack.resolve(props['SourceAccount'])
    if props.get('PrincipalOrgID') is not None:
        condition.setdefault('StringEquals', {})['aws:PrincipalOrgID'] = stack.resolve(props['PrincipalOrgID'])
    if props.get('FunctionUrlAuthType') is not None:
        condition.setdefault('StringEquals', {})['lambda:FunctionUrlAuthType'] = stack.resolve(props['FunctionUrlAuthType'])
    if condition:
        statement['Condition'] = condition
    return {'Version': '2012-10-17', 'Statement': [statement]}


def statements(document: Any) -> List[dict]:
    """The statements of a policy document (a single statement object counts as a list of one)."""
    if not isinstance(document, dict):
        return []
    st = document.get('Statement') or []
    return st if isinstance(st, list) else [st]


def main(argv: List[str]) -> int:
    for stack in Assembly.load(argv[1] if len(argv) > 1 else 'cdk.out'):
        for p in policies(stack):
            print(json.dumps({'stack': stack.name, 'principal': p.principal, 'resource': p.resource,
                              'kind': p.kind, 'path': p.path, 'document': p.document}, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
