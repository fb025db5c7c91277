"""The synthesized template with concrete values: the simulation's view of a stack.

Uses test/verification/cfn.py (the shared resolver of the verification checks) when it is
there: Assembly.load(dir), stack.resources, stack.resolve(value), stack.physical_name(id).
Until then, `_MiniStack` below resolves the intrinsics the examples use in the same way
(account 111111111111, physical names derived from logical ids); it is a stop-gap, to be
removed once cfn.py is merged.
"""
import hashlib
import json
import os
import sys
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, '..', '..')))

ACCOUNT = '111111111111'
REGION = 'us-east-1'

try:  # the shared resolver, when merged
    import cfn as _cfn  # type: ignore  # noqa: F401
except ImportError:  # pragma: no cover - until cfn.py lands
    _cfn = None


def _h(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


class _MiniStack:
    """Resolves a CloudFormation template into deterministic concrete values."""

    def __init__(self, name: str, template: Dict[str, Any], region: str = REGION, account: str = ACCOUNT):
        self.name = name
        self.template = template
        self.resources: Dict[str, Dict[str, Any]] = template.get('Resources', {})
        self.region = region
        self.account = account
        self.overrides: Dict[str, Dict[str, str]] = {}

    # -- physical names and attributes ----------------------------------------------------
    def physical_name(self, lid: str) -> str:
        if lid in self.overrides and 'Ref' in self.overrides[lid]:
            return self.overrides[lid]['Ref']
        r = self.resources[lid]
        t, p = r['Type'], r.get('Properties', {})
        explicit = {
            'AWS::S3::Bucket': 'BucketName', 'AWS::IAM::Role': 'RoleName', 'AWS::ECR::Repository': 'RepositoryName',
            'AWS::ECS::Cluster': 'ClusterName', 'AWS::ECS::Service': 'ServiceName', 'AWS::Lambda::Function': 'FunctionName',
            'AWS::CodeBuild::Project': 'Name', 'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::SNS::Topic': 'TopicName',
            'AWS::CloudWatch::Alarm': 'AlarmName', 'AWS::CodeDeploy::Application': 'ApplicationName',
            'AWS::CodeDeploy::DeploymentGroup': 'DeploymentGroupName', 'AWS::SSM::Parameter': 'Name',
            'AWS::SecretsManager::Secret': 'Name', 'AWS::IAM::Policy': 'PolicyName',
        }.get(t)
        if explicit and explicit in p:
            return self.resolve(p[explicit])
        base = f'{self.name}-{lid}'
        if t in ('AWS::S3::Bucket', 'AWS::ECR::Repository'):
            return base.lower()[:63]
        if t == 'AWS::CloudFront::Distribution':
            return 'E' + _h(lid, 13).upper()
        if t == 'AWS::KMS::Key':
            d = _h(lid, 32)
            return f'{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}'
        return base[:64]

    def ref(self, lid: str) -> str:
        if lid in self.overrides and 'Ref' in self.overrides[lid]:
            return self.overrides[lid]['Ref']
        r = self.resources[lid]
        t, p = r['Type'], r.get('Properties', {})
        name = self.physical_name(lid)
        if t == 'AWS::SNS::Topic':
            return f'arn:aws:sns:{self.region}:{self.account}:{name}'
        if t == 'AWS::ECS::TaskDefinition':
            family = self.resolve(p.get('Family', name))
            return f'arn:aws:ecs:{self.region}:{self.account}:task-definition/{family}:1'
        if t == 'AWS::ECS::Service':
            return self.get_att(lid, 'ServiceArn')
        if t == 'AWS::Lambda::Version':
            return f'{self.resolve(p["FunctionName"])}:1' if self.resolve(p['FunctionName']).startswith('arn:') \
                else f'arn:aws:lambda:{self.region}:{self.account}:function:{self.resolve(p["FunctionName"])}:1'
        if t == 'AWS::Lambda::Alias':
            fn = self.resolve(p['FunctionName'])
            fn = fn if fn.startswith('arn:') else f'arn:aws:lambda:{self.region}:{self.account}:function:{fn}'
            return f'{fn}:{self.resolve(p["Name"])}'
        if t == 'AWS::CodeBuild::ReportGroup':
            return self.get_att(lid, 'Arn')
        if t == 'AWS::ElasticLoadBalancingV2::TargetGroup' or t == 'AWS::ElasticLoadBalancingV2::LoadBalancer' \
                or t == 'AWS::ElasticLoadBalancingV2::Listener':
            kind = {'TargetGroup': 'targetgroup', 'LoadBalancer': 'loadbalancer/app', 'Listener': 'listener/app'}[t.split('::')[-1]]
            return f'arn:aws:elasticloadbalancing:{self.region}:{self.account}:{kind}/{name[:32]}/{_h(lid, 16)}'
        return name

    def get_att(self, lid: str, att: str) -> str:
        if lid in self.overrides and att in self.overrides[lid]:
            return self.overrides[lid][att]
        r = self.resources[lid]
        t, p = r['Type'], r.get('Properties', {})
        name = self.physical_name(lid)
        a, rg = self.account, self.region
        if att == 'Arn' or att.endswith('Arn'):
            arn = {
                'AWS::IAM::Role': f'arn:aws:iam::{a}:role/{name}',
                'AWS::S3::Bucket': f'arn:aws:s3:::{name}',
                'AWS::KMS::Key': f'arn:aws:kms:{rg}:{a}:key/{name}',
                'AWS::ECR::Repository': f'arn:aws:ecr:{rg}:{a}:repository/{name}',
                'AWS::ECS::Cluster': f'arn:aws:ecs:{rg}:{a}:cluster/{name}',
                'AWS::Lambda::Function': f'arn:aws:lambda:{rg}:{a}:function:{name}',
                'AWS::CodeBuild::Project': f'arn:aws:codebuild:{rg}:{a}:project/{name}',
                'AWS::CodeBuild::ReportGroup': f'arn:aws:codebuild:{rg}:{a}:report-group/{name}',
                'AWS::Logs::LogGroup': f'arn:aws:logs:{rg}:{a}:log-group:{name}:*',
                'AWS::SNS::Topic': f'arn:aws:sns:{rg}:{a}:{name}',
                'AWS::CloudWatch::Alarm': f'arn:aws:cloudwatch:{rg}:{a}:alarm:{name}',
                'AWS::CloudFront::Distribution': f'arn:aws:cloudfront::{a}:distribution/{name}',
                'AWS::CodePipeline::Pipeline': f'arn:aws:codepipeline:{rg}:{a}:{name}',
            }.get(t)
            if t == 'AWS::ECS::Service':
                cluster = self.resolve(p.get('Cluster', 'default')).rsplit('/', 1)[-1]
                return f'arn:aws:ecs:{rg}:{a}:service/{cluster}/{self.get_att(lid, "Name")}'
            if arn:
                return arn
        if att == 'Name':
            return name
        if t == 'AWS::CloudFront::Distribution' and att == 'DomainName':
            return f'd{_h(lid, 13)}.cloudfront.net'
        if t == 'AWS::S3::Bucket' and att in ('RegionalDomainName', 'DomainName'):
            return f'{name}.s3.{rg}.amazonaws.com'
        if t == 'AWS::ECR::Repository' and att == 'RepositoryUri':
            return f'{a}.dkr.ecr.{rg}.amazonaws.com/{name}'
        if t == 'AWS::Lambda::Version' and att == 'Version':
            return '1'
        if t == 'AWS::IAM::Role' and att == 'RoleId':
            return 'AROA' + _h(lid, 16).upper()
        return f'{name}.{att}'

    # -- intrinsics --------------------------------------------------------------------------
    def resolve(self, v: Any) -> Any:
        if isinstance(v, list):
            return [self.resolve(x) for x in v]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, arg), = v.items()
            if k == 'Ref':
                return {
                    'AWS::AccountId': self.account, 'AWS::Region': self.region, 'AWS::Partition': 'aws',
                    'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': self.name, 'AWS::NoValue': None,
                    'AWS::StackId': f'arn:aws:cloudformation:{self.region}:{self.account}:stack/{self.name}/{_h(self.name)}',
                }.get(arg) if arg.startswith('AWS::') else (self.ref(arg) if arg in self.resources else
                                                           self._parameter(arg))
            if k == 'Fn::GetAtt':
                lid, att = (arg.split('.', 1) if isinstance(arg, str) else arg)
                return self.get_att(lid, att)
            if k == 'Fn::Join':
                return str(arg[0]).join(str(self.resolve(x)) for x in self.resolve(arg[1]))
            if k == 'Fn::Select':
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if k == 'Fn::Split':
                return str(self.resolve(arg[1])).split(arg[0])
            if k == 'Fn::Sub':
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._sub(text, {n: self.resolve(x) for n, x in variables.items()})
            if k == 'Fn::If':
                return self.resolve(arg[1] if self._condition(arg[0]) else arg[2])
            if k == 'Fn::Base64':
                return self.resolve(arg)
            if k == 'Fn::GetAZs':
                return [f'{self.region}a', f'{self.region}b']
        resolved = {k: self.resolve(x) for k, x in v.items()}
        return {k: x for k, x in resolved.items() if x is not None}

    def _parameter(self, name: str) -> Any:
        p = self.template.get('Parameters', {}).get(name, {})
        if 'Default' in p:
            d = p['Default']
            if str(p.get('Type', '')).startswith('AWS::SSM::Parameter::Value'):
                return f'ssm-value-of-{d}'
            return d
        return f'parameter-{name}'

    def _condition(self, name: str) -> bool:
        c = self.template.get('Conditions', {}).get(name)
        return self._cond(c)

    def _cond(self, c: Any) -> bool:
        if isinstance(c, dict) and len(c) == 1:
            (k, arg), = c.items()
            if k == 'Fn::Equals':
                return self.resolve(arg[0]) == self.resolve(arg[1])
            if k == 'Fn::Not':
                return not self._cond(arg[0])
            if k == 'Fn::And':
                return all(self._cond(x) for x in arg)
            if k == 'Fn::Or':
                return any(self._cond(x) for x in arg)
            if k == 'Condition':
                return self._condition(arg)
        return bool(c)

    def _sub(self, text: str, variables: Dict[str, Any]) -> str:
        out, i = '', 0
        while i < len(text):
            j = text.find('${', i)
            if j < 0:
                out += text[i:]
                break
            out += text[i:j]
            k = text.find('}', j)
            name = text[j + 2:k]
            if name.startswith('!'):
                out += '${' + name[1:] + '}'
            elif name in variables:
                out += str(variables[name])
            elif '.' in name and name.split('.', 1)[0] in self.resources:
                out += str(self.get_att(*name.split('.', 1)))
            else:
                out += str(self.resolve({'Ref': name}))
            i = k + 1
        return out


class Stack:
    """One stack of a cloud assembly, resolved."""

    def __init__(self, name: str, template: Dict[str, Any]):
        self.name = name
        self.template = template
        self._impl = _MiniStack(name, template)
        self.resources = self._impl.resources
        self.account = ACCOUNT
        self.region = REGION

    def resolve(self, value: Any) -> Any:
        return self._impl.resolve(value)

    def physical_name(self, lid: str) -> str:
        return self._impl.physical_name(lid)

    def override(self, lid: str, **attributes: str) -> None:
        """Use a value the emulator chose (e.g. a distribution id) for a resource's Ref / attributes."""
        self._impl.overrides.setdefault(lid, {}).update(attributes)

    def of_type(self, t: str) -> Dict[str, Dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r['Type'] == t}


def load_stacks(assembly_dir: str) -> List[Stack]:
    with open(os.path.join(assembly_dir, 'manifest.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    stacks = []
    for name, art in manifest.get('artifacts', {}).items():
        if art.get('type') == 'aws:cloudformation:stack':
            with open(os.path.join(assembly_dir, art['properties']['templateFile']), encoding='utf-8') as f:
                stacks.append(Stack(name, json.load(f)))
    return stacks


def role_policies(stack: Stack) -> Dict[str, Dict[str, Any]]:
    """Per role logical id: its ARN and every identity policy attached to it in the template, resolved."""
    roles: Dict[str, Dict[str, Any]] = {}
    for lid, r in stack.of_type('AWS::IAM::Role').items():
        p = r.get('Properties', {})
        policies = [stack.resolve(x['PolicyDocument']) for x in p.get('Policies', [])]
        roles[lid] = {'arn': stack.resolve({'Fn::GetAtt': [lid, 'Arn']}), 'policies': policies,
                      'managed': stack.resolve(p.get('ManagedPolicyArns', [])),
                      'trust': stack.resolve(p.get('AssumeRolePolicyDocument', {}))}
    for t in ('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'):
        for lid, r in stack.of_type(t).items():
            p = r.get('Properties', {})
            for role_ref in p.get('Roles', []):
                role_lid = role_ref.get('Ref') if isinstance(role_ref, dict) else None
                if role_lid in roles:
                    roles[role_lid]['policies'].append(stack.resolve(p['PolicyDocument']))
    return roles


def resource_policies(stack: Stack) -> Dict[str, List[Dict[str, Any]]]:
    """Bucket policies and repository policies, keyed by the resource's ARN."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    for r in stack.of_type('AWS::S3::BucketPolicy').values():
        p = stack.resolve(r['Properties'])
        out.setdefault(f'arn:aws:s3:::{p["Bucket"]}', []).append(p['PolicyDocument'])
    for lid, r in stack.of_type('AWS::ECR::Repository').items():
        doc = r.get('Properties', {}).get('RepositoryPolicyText')
        if doc:
            out.setdefault(stack.resolve({'Fn::GetAtt': [lid, 'Arn']}), []).append(stack.resolve(doc))
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
