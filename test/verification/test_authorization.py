"""Self-test of the authorization check and the CloudFormation resolver: synthetic cloud
assemblies with bad statements prove each rule can fail, and good ones that it stays quiet.

    python3 -m unittest discover -s test/verification -p 'test_*.py'

Needs the venv of authorization.sh (policy_sentry and parliament from requirements.txt).
"""

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authorization  # noqa: E402
import cfn  # noqa: E402

REFERENCE = authorization.Reference()
ACCOUNT, REGION = '111111111111', 'us-east-1'


def write_assembly(directory, stacks, nested=None):
    """A cloud assembly with one template per stack ({name: resources}) and optional nested ones."""
    os.makedirs(directory, exist_ok=True)
    artifacts = {}
    for name, template in stacks.items():
        if 'Resources' not in template:
            template = {'Resources': template}
        with open(os.path.join(directory, f'{name}.template.json'), 'w') as f:
            json.dump(template, f)
        artifacts[name] = {'type': 'aws:cloudformation:stack', 'environment': f'aws://{ACCOUNT}/{REGION}',
                           'properties': {'templateFile': f'{name}.template.json'}}
    for sub, sub_stacks in (nested or {}).items():
        write_assembly(os.path.join(directory, sub), sub_stacks)
        artifacts[sub] = {'type': 'cdk:cloud-assembly', 'properties': {'directoryName': sub}}
    with open(os.path.join(directory, 'manifest.json'), 'w') as f:
        json.dump({'version': '53.0.0', 'artifacts': artifacts}, f)


def role(extra=None):
    return {'Type': 'AWS::IAM::Role', 'Metadata': {'aws:cdk:path': 'App/Role/Resource'}, 'Properties': {
        'AssumeRolePolicyDocument': {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': {'Service': 'codebuild.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]},
        **(extra or {})}}


def identity(*statements):
    """A stack with a role and one identity policy holding `statements`."""
    return {
        'Role': role(),
        'Policy': {'Type': 'AWS::IAM::Policy', 'Metadata': {'aws:cdk:path': 'App/Role/DefaultPolicy/Resource'}, 'Properties': {
            'PolicyName': 'p', 'Roles': [{'Ref': 'Role'}],
            'PolicyDocument': {'Version': '2012-10-17', 'Statement': list(statements)}}},
    }


def allow(action, resource, **more):
    return {'Effect': 'Allow', 'Action': action, 'Resource': resource, **more}


class CheckCase(unittest.TestCase):
    def findings(self, resources, **stacks):
        with tempfile.TemporaryDirectory() as d:
            write_assembly(os.path.join(d, 'app'), stacks or {'Stack': resources})
            return authorization.check_apps([os.path.join(d, 'app')], REFERENCE).findings

    def rules(self, *statements):
        return sorted({f.rule for f in self.findings(identity(*statements))})


class ActionRules(CheckCase):
    def test_unknown_service_fails(self):
        self.assertEqual(self.rules(allow('nosuchservice:GetThing', '*')), ['unknown-service'])

    def test_unknown_action_fails(self):
        self.assertEqual(self.rules(allow('s3:GetObjekt', 'arn:aws:s3:::b/*')), ['unknown-action'])

    def test_wildcard_matching_no_action_fails(self):
        self.assertEqual(self.rules(allow('s3:Frobnicate*', 'arn:aws:s3:::b/*')), ['unknown-action'])

    def test_known_actions_and_wildcards_pass(self):
        self.assertEqual(self.rules(allow(['s3:GetObject*', 'S3:getbucketlocation'], ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'])), [])


class ResourceRules(CheckCase):
    def test_connection_with_the_other_service_prefix_fails(self):
        # GIVEN the old action on a connection created since the CodeConnections rename
        found = self.findings(identity(allow('codestar-connections:UseConnection',
                                             'arn:aws:codeconnections:us-east-1:111111111111:connection/abc')))
        # THEN it allows nothing: the action's prefix must match the resource's
        self.assertEqual(sorted({f.rule for f in found}), ['resource-mismatch', 'resource-unused'])
        mismatch = next(f for f in found if f.rule == 'resource-mismatch')
        self.assertEqual(mismatch.action, 'codestar-connections:UseConnection')
        self.assertEqual(mismatch.location.path, 'App/Role/DefaultPolicy/Resource')
        self.assertEqual(mismatch.location.principal, 'Role')

    def test_connection_with_matching_prefixes_passes(self):
        self.assertEqual(self.rules(
            allow('codeconnections:UseConnection', 'arn:aws:codeconnections:us-east-1:111111111111:connection/abc'),
            allow('codestar-connections:UseConnection', 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc')), [])

    def test_bucket_action_on_objects_only_fails(self):
        self.assertIn('resource-mismatch', self.rules(allow('s3:ListBucket', 'arn:aws:s3:::b/*')))

    def test_object_action_on_bucket_only_fails(self):
        self.assertIn('resource-mismatch', self.rules(allow('s3:GetObject', 'arn:aws:s3:::b')))

    def test_log_stream_actions_on_a_log_group_wildcard_pass(self):
        # log-group:name:* covers the group's streams (log-group:name:log-stream:...)
        self.assertEqual(self.rules(allow(['logs:CreateLogStream', 'logs:PutLogEvents'],
                                          'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codebuild/p:*')), [])

    def test_log_stream_actions_on_a_bare_log_group_fail(self):
        self.assertIn('resource-mismatch', self.rules(allow('logs:PutLogEvents', 'arn:aws:logs:us-east-1:111111111111:log-group:g')))

    def test_arn_on_an_action_without_resource_level_permissions_fails(self):
        self.assertIn('resource-level-unsupported', self.rules(
            allow('ecr:GetAuthorizationToken', 'arn:aws:ecr:us-east-1:111111111111:repository/r')))

    def test_star_passes_and_is_recorded_when_scopable(self):
        with tempfile.TemporaryDirectory() as d:
            write_assembly(os.path.join(d, 'app'), {'Stack': identity(
                allow('ecr:GetAuthorizationToken', '*'), allow('cloudwatch:DescribeAlarms', '*'))})
            result = authorization.check_apps([os.path.join(d, 'app')], REFERENCE)
        self.assertEqual(result.findings, [])
        self.assertEqual([s['action'] for s in result.star], ['cloudwatch:DescribeAlarms'])

    def test_unused_arn_fails(self):
        self.assertEqual(self.rules(allow('s3:GetObject', ['arn:aws:s3:::b/*', 'arn:aws:sns:us-east-1:111111111111:t'])),
                         ['resource-unused'])

    def test_malformed_resource_fails(self):
        self.assertIn('resource-malformed', self.rules(allow('s3:GetObject', 'my-bucket/*')))

    def test_arn_with_a_bad_account_or_region_fails(self):
        self.assertIn('resource-malformed', self.rules(allow('sns:Publish', 'arn:aws:sns:us-east-1:1111:t')))
        self.assertIn('resource-malformed', self.rules(allow('sns:Publish', 'arn:aws:sns:useast:111111111111:t')))
        self.assertEqual(self.rules(allow('sns:Publish', ['arn:aws:sns:*:111111111111:t', 'arn:aws:sns:eu-west-1:*:t'])), [])

    def test_unresolvable_resource_fails(self):
        self.assertIn('unresolved', self.rules(allow('s3:GetObject', {'Fn::ImportValue': 'NoSuchExport'})))

    def test_optional_resource_type_alone_fails(self):
        # GIVEN an action the reference gives a required and an optional resource type
        service, privilege, optional = self.action_with_optional_type()
        fmt = service['resources'][optional]['arn']
        arn = fmt.replace('${Partition}', 'aws').replace('${Region}', REGION).replace('${Account}', ACCOUNT)
        arn = __import__('re').sub(r'\$\{[^}]+\}', 'x', arn)
        action = f'{service["prefix"]}:{privilege["privilege"]}'
        # WHEN only the optional type is granted THEN the required one is missing
        self.assertIn('required-resource-missing', self.rules(allow(action, arn)))

    @staticmethod
    def action_with_optional_type():
        for prefix in ('ecs', 's3', 'lambda', 'codebuild', 'ec2'):
            service = REFERENCE.services[prefix]
            for privilege in service['privileges'].values():
                types = privilege['resource_types']
                required = [t for t, e in types.items() if t and e['required']]
                optional = [t for t, e in types.items() if t and not e['required'] and t in service['resources']]
                if required and optional:
                    return service, privilege, optional[0]
        raise AssertionError('the reference has no action with a required and an optional resource type')


class PreviousData(CheckCase):
    """A statement must still work under the previous authorization data."""

    @staticmethod
    def previous_with_star_only(prefix, action):
        """The current reference, but `action` takes only '*' (as ecs:CreateTaskSet did)."""
        definition = {k: json.loads(json.dumps(v)) for k, v in REFERENCE.services.items()}
        privilege = definition[prefix]['privileges'][action]
        privilege['resource_types'] = {'': {'resource_type': '', 'required': False, 'condition_keys': []}}
        return authorization.Reference(definition, global_keys=[], operators=[], name='previous')

    def test_statement_the_previous_data_rejects_fails(self):
        # GIVEN a task-set-scoped statement, valid under the current data
        st = allow('ecs:CreateTaskSet', 'arn:aws:ecs:us-east-1:111111111111:task-set/c/s/*')
        with tempfile.TemporaryDirectory() as d:
            write_assembly(os.path.join(d, 'app'), {'Stack': identity(st)})
            result = authorization.check_apps([os.path.join(d, 'app')], REFERENCE, self.previous_with_star_only('ecs', 'CreateTaskSet'))
        # THEN it fails under the previous data, which took only '*'
        self.assertEqual([f.id.split('|')[0] for f in result.findings], ['resource-level-unsupported@previous'])

    def test_star_conditioned_on_the_service_passes_under_both(self):
        st = allow('ecs:CreateTaskSet', '*', Condition={'ArnEquals': {'ecs:service': 'arn:aws:ecs:us-east-1:111111111111:service/c/s'}})
        with tempfile.TemporaryDirectory() as d:
            write_assembly(os.path.join(d, 'app'), {'Stack': identity(st)})
            result = authorization.check_apps([os.path.join(d, 'app')], REFERENCE, self.previous_with_star_only('ecs', 'CreateTaskSet'))
        self.assertEqual(result.findings, [])

    def test_parliament_data_loads_in_the_reference_shape(self):
        previous = authorization.Reference.previous()
        service, privileges = previous.expand('ecs:RunTask')
        self.assertEqual(len(privileges), 1)
        required = [rt for rt, req, _ in previous.resource_types(service, privileges[0]) if req]
        self.assertEqual(required, ['task-definition'])


class ConditionRules(CheckCase):
    def test_condition_key_of_another_service_fails(self):
        found = self.findings(identity(allow('s3:GetObject', 'arn:aws:s3:::b/*', Condition={'StringEquals': {'ecs:cluster': 'c'}})))
        self.assertEqual([(f.rule, f.subject) for f in found], [('condition-key-unknown', 'ecs:cluster')])

    def test_condition_key_valid_for_one_action_only_fails(self):
        st = allow(['ecs:CreateTaskSet', 's3:GetObject'], ['*'], Condition={'StringEquals': {'ecs:service': 's'}})
        found = self.findings(identity(st))
        self.assertEqual([(f.rule, f.action) for f in found], [('condition-key-unknown', 's3:GetObject')])

    def test_action_resource_and_global_keys_pass(self):
        self.assertEqual(self.rules(
            allow('ecs:CreateTaskSet', '*', Condition={'ArnEquals': {'ecs:service': 'arn:aws:ecs:us-east-1:111111111111:service/c/s'}}),
            allow('kms:Decrypt', 'arn:aws:kms:us-east-1:111111111111:key/k',
                  Condition={'StringEquals': {'kms:ViaService': 's3.us-east-1.amazonaws.com', 'aws:PrincipalOrgID': 'o-1'},
                             'Bool': {'aws:SecureTransport': 'true'}}),
            allow('s3:GetObject', 'arn:aws:s3:::b/*', Condition={'StringEquals': {'aws:ResourceTag/team': 'a'}}),
            allow('iam:PassRole', 'arn:aws:iam::111111111111:role/r', Condition={'StringEquals': {'iam:PassedToService': 'ecs-tasks.amazonaws.com'}}),
        ), [])

    def test_unknown_operator_fails(self):
        self.assertEqual(self.rules(allow('s3:GetObject', 'arn:aws:s3:::b/*', Condition={'StringEqualz': {'aws:SourceAccount': ACCOUNT}})),
                         ['condition-operator-unknown'])

    def test_set_operators_and_if_exists_pass(self):
        self.assertEqual(self.rules(allow('s3:GetObject', 'arn:aws:s3:::b/*', Condition={
            'ForAnyValue:StringLike': {'aws:PrincipalTag/team': 'a*'}, 'StringEqualsIfExists': {'aws:SourceVpc': 'vpc-1'}})), [])

    def test_resource_policy_judges_service_keys_and_resources(self):
        topic = {'Type': 'AWS::SNS::Topic', 'Properties': {}}
        policy = {'Type': 'AWS::SNS::TopicPolicy', 'Metadata': {'aws:cdk:path': 'App/Topic/Policy/Resource'}, 'Properties': {
            'Topics': [{'Ref': 'Topic'}],
            'PolicyDocument': {'Version': '2012-10-17', 'Statement': [
                {'Effect': 'Allow', 'Principal': {'Service': 'codestar-notifications.amazonaws.com'}, 'Action': 'sns:Publish',
                 'Resource': {'Ref': 'Topic'}, 'Condition': {'StringEquals': {'aws:SourceAccount': ACCOUNT}}},
                {'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'}, 'Action': 'sns:Publish',
                 'Resource': {'Fn::GetAtt': ['Topic', 'TopicName']}},
            ]}}}
        found = self.findings({'Topic': topic, 'TopicPolicy': policy})
        # THEN the first statement passes; the second names the topic, not its ARN
        self.assertEqual(sorted((f.rule, f.location.kind, f.location.sid) for f in found),
                         [('resource-malformed', 'resource', '#1'), ('resource-mismatch', 'resource', '#1')])

    def test_trust_policy_condition_keys(self):
        trust = role()
        trust['Properties']['AssumeRolePolicyDocument']['Statement'][0]['Condition'] = {
            'StringEquals': {'sts:ExternalId': 'x', 'codebuild:nosuchkey': 'y'}}
        found = self.findings({'Role': trust})
        self.assertEqual([(f.rule, f.subject, f.location.kind) for f in found], [('condition-key-unknown', 'codebuild:nosuchkey', 'trust')])


class Reviews(CheckCase):
    def run_main(self, stacks, reviews):
        with tempfile.TemporaryDirectory() as d:
            write_assembly(os.path.join(d, 'app'), stacks)
            path = os.path.join(d, 'reviewed.json')
            with open(path, 'w') as f:
                json.dump(reviews, f)
            out = io.StringIO()
            with redirect_stdout(out):
                code = authorization.main([os.path.join(d, 'app'), '--reviewed', path])
            return code, out.getvalue()

    BAD = {'Stack': identity(allow('s3:GetObjekt', 'arn:aws:s3:::b/*', Sid='Read'))}

    def test_unreviewed_finding_fails_with_its_location(self):
        code, out = self.run_main(self.BAD, [])
        self.assertEqual(code, 1)
        self.assertIn('FINDING unknown-action', out)
        self.assertIn('stack Stack, construct App/Role/DefaultPolicy/Resource', out)
        self.assertIn('Sid Read', out)
        # (the role's trust statement passes)
        self.assertTrue(out.rstrip().endswith('authorization: 1 passed, 1 failed'), out)

    def test_reviewed_finding_passes(self):
        code, out = self.run_main(self.BAD, [{'id': 'unknown-action|app/Stack|*|Read|s3:GetObjekt|*', 'reason': 'test'}])
        self.assertEqual(code, 0, out)
        self.assertIn('1 reviewed', out)

    def test_stale_review_is_reported(self):
        code, out = self.run_main({'Stack': identity(allow('s3:GetObject', 'arn:aws:s3:::b/*'))}, [{'id': 'nothing|*', 'reason': 'old'}])
        self.assertEqual(code, 0)
        self.assertIn('review matches no finding', out)

    def test_apps_without_statements_fail(self):
        code, out = self.run_main({'Stack': {'Bucket': {'Type': 'AWS::S3::Bucket'}}}, [])
        self.assertEqual(code, 1)
        self.assertTrue(out.rstrip().endswith('authorization: 0 passed, 1 failed'), out)

    def test_review_without_reason_is_rejected(self):
        with self.assertRaises(ValueError):
            self.run_main(self.BAD, [{'id': '*', 'reason': ' '}])


class Resolver(unittest.TestCase):
    def load(self, stacks, nested=None):
        d = tempfile.mkdtemp()
        self.addCleanup(__import__('shutil').rmtree, d)
        write_assembly(d, stacks, nested)
        return {s.name: s for s in cfn.Assembly.load(d)}

    def test_refs_and_attributes_have_the_formats_aws_returns(self):
        s = self.load({'S': {
            'Bucket': {'Type': 'AWS::S3::Bucket'},
            'Key': {'Type': 'AWS::KMS::Key'},
            'Repo': {'Type': 'AWS::ECR::Repository', 'Properties': {'RepositoryName': 'team/app'}},
            'Role': {'Type': 'AWS::IAM::Role', 'Properties': {'Path': '/service/'}},
            'Logs': {'Type': 'AWS::Logs::LogGroup'},
            'Topic': {'Type': 'AWS::SNS::Topic'},
            'Cluster': {'Type': 'AWS::ECS::Cluster'},
            'Service': {'Type': 'AWS::ECS::Service', 'Properties': {'Cluster': {'Ref': 'Cluster'}}},
            'Fn': {'Type': 'AWS::Lambda::Function'},
            'Alias': {'Type': 'AWS::Lambda::Alias', 'Properties': {'FunctionName': {'Ref': 'Fn'}, 'Name': 'live'}},
            'Alarm': {'Type': 'AWS::CloudWatch::Alarm'},
        }})['S']
        r = s.resolve
        self.assertEqual(r({'Ref': 'Bucket'}), 'bucket')
        self.assertEqual(r({'Fn::GetAtt': ['Bucket', 'Arn']}), 'arn:aws:s3:::bucket')
        self.assertRegex(r({'Ref': 'Key'}), r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$')
        self.assertEqual(r({'Fn::GetAtt': ['Key', 'Arn']}), f'arn:aws:kms:{REGION}:{ACCOUNT}:key/{r({"Ref": "Key"})}')
        self.assertEqual(r({'Fn::GetAtt': ['Repo', 'Arn']}), f'arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/app')
        self.assertEqual(r({'Fn::GetAtt': ['Repo', 'RepositoryUri']}), f'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/app')
        self.assertEqual(r({'Fn::GetAtt': ['Role', 'Arn']}), f'arn:aws:iam::{ACCOUNT}:role/service/role')
        self.assertEqual(r({'Fn::GetAtt': ['Logs', 'Arn']}), f'arn:aws:logs:{REGION}:{ACCOUNT}:log-group:logs:*')
        self.assertEqual(r({'Ref': 'Topic'}), f'arn:aws:sns:{REGION}:{ACCOUNT}:topic')
        self.assertEqual(r({'Ref': 'Service'}), f'arn:aws:ecs:{REGION}:{ACCOUNT}:service/cluster/service')
        self.assertEqual(r({'Ref': 'Alias'}), f'arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn:live')
        self.assertEqual(r({'Fn::GetAtt': ['Alarm', 'Arn']}), f'arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:alarm')

    def test_intrinsics(self):
        s = self.load({'S': {
            'Conditions': {'IsProd': {'Fn::Equals': [{'Ref': 'Stage'}, 'prod']}},
            'Parameters': {'Stage': {'Type': 'String', 'Default': 'prod'}},
            'Resources': {'Bucket': {'Type': 'AWS::S3::Bucket', 'Properties': {'BucketName': 'b'}}},
        }})['S']
        r = s.resolve
        self.assertEqual(r({'Fn::Join': ['', ['arn:', {'Ref': 'AWS::Partition'}, ':s3:::', {'Ref': 'Bucket'}, '/*']]}), 'arn:aws:s3:::b/*')
        self.assertEqual(r({'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}'}), 'arn:aws:s3:::b/${Literal}')
        self.assertEqual(r({'Fn::Sub': ['${X}-${Bucket.Arn}', {'X': {'Ref': 'AWS::Region'}}]}), 'us-east-1-arn:aws:s3:::b')
        self.assertEqual(r({'Fn::Select': [1, {'Fn::Split': [':', 'a:b:c']}]}), 'b')
        self.assertEqual(r({'Fn::If': ['IsProd', 'yes', 'no']}), 'yes')
        self.assertEqual(r([{'Fn::If': ['IsProd', {'Ref': 'AWS::NoValue'}, 'x']}, 'y']), ['y'])
        self.assertEqual(r({'Ref': 'AWS::URLSuffix'}), 'amazonaws.com')
        self.assertTrue(cfn.is_unresolved(r({'Fn::GetAtt': ['Bucket', 'NoSuchAttribute']})))

    def test_imports_across_stacks_and_nested_assemblies(self):
        stacks = self.load({'Producer': {
            'Resources': {'Bucket': {'Type': 'AWS::S3::Bucket'}},
            'Outputs': {'Out': {'Value': {'Fn::GetAtt': ['Bucket', 'Arn']}, 'Export': {'Name': {'Fn::Sub': '${AWS::StackName}:Arn'}}}},
        }}, nested={'assembly-Stage': {'Consumer': {'Q': {'Type': 'AWS::SQS::Queue'}}}})
        self.assertEqual(set(stacks), {'Producer', 'Consumer'})
        self.assertEqual(stacks['Consumer'].resolve({'Fn::ImportValue': 'Producer:Arn'}), 'arn:aws:s3:::bucket')
        self.assertTrue(cfn.is_unresolved(stacks['Consumer'].resolve({'Fn::ImportValue': 'Nope'})))

    def test_policies_lists_identity_resource_and_trust_documents(self):
        stacks = self.load({'S': {**identity(allow('s3:GetObject', 'arn:aws:s3:::b/*')),
                                  'Key': {'Type': 'AWS::KMS::Key', 'Metadata': {'aws:cdk:path': 'App/Key/Resource'},
                                          'Properties': {'KeyPolicy': {'Statement': []}}}}})
        kinds = sorted((p.kind, p.principal, p.resource, p.path) for p in cfn.policies(stacks['S']))
        self.assertEqual(kinds, [
            ('identity', 'Role', 'Policy', 'App/Role/DefaultPolicy/Resource'),
            ('resource', None, 'Key', 'App/Key/Resource'),
            ('trust', 'Role', 'Role', 'App/Role/Resource'),
        ])


if __name__ == '__main__':
    unittest.main()
