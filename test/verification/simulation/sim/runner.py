"""First-run simulation of one example pipeline, stage by stage, as CodePipeline would run it.

For each action in stage and run order:
  Source (CodeStarSourceConnection)  the source action role uses the connection and puts the
                                     source zip into the artifact store
  CodeBuild                          the action role starts the build; the project's role reads the
                                     input artifact, and the buildspec's phases run in bash with
                                     the project's and the action's variables, `aws` being the real
                                     AWS CLI against the emulator as that role; exported variables
                                     are passed on; the output artifact is put into the store
  ECS / CodeDeployToECS / Lambda     the action role makes the calls the action reference page
                                     lists; each task execution role must pull the exact image the
                                     deploy file names
  Manual approval                    the action role publishes to the approval topic

Every AWS call is authorized against the calling role's synthesized policies (sim_plugin.py);
a denied call, an unmapped call, or a failing script fails the pipeline.

Accounts and regions: each stack of the app is seeded into the emulator in its own account and
region. An action runs in its `Region` (else the pipeline's) as its role, in the role's account
(the role may be one of another stack: aws-cdk-lib creates cross-account action roles in the
workload's stack); the pipeline role must be allowed to assume it by its identity policy and by
the role's trust policy. An action in another region reads its input artifacts from that region's
artifact store (`ArtifactStores`), into which CodePipeline copies them as the pipeline role. Every
call is made with the role's credentials in its account, to the action's region, and judged
across accounts as AWS does (sim/iam.py).
"""
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
import zipfile
from typing import Any, Dict, List, Optional, Tuple

from . import actions, template
from .emulator import Moto

HERE = os.path.dirname(os.path.abspath(__file__))
SIM_DIR = os.path.dirname(HERE)
STUBS = os.path.join(SIM_DIR, 'stubs')
SAMPLE_APP = os.path.join(SIM_DIR, 'sample-app')
COMMIT = '0123456789abcdef0123456789abcdef01234567'

# What each deploy action's role needs, as the CodePipeline action reference pages list it
# ("Service role permissions" of each page); checked with the concrete resources of the action.
ACTION_PAGES = {
    'ECS': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html',
    'CodeDeployToECS': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECSbluegreen.html',
    'CodeDeploy': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeDeploy.html',
    'Lambda': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html',
    'CodeBuild': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html',
    'CodeStarSourceConnection': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html',
    'Manual': 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-service-role-permissions.html',
}


class StepFailed(Exception):
    pass


class Simulation:
    """One app (a cloud assembly): every pipeline of every stack, one after the other, in one emulator."""

    def __init__(self, name: str, assembly_dir: str, out_dir: str, python_bin: str,
                 mutate_policies=None, command_timeout: int = 240, registry_scan_type: str = 'BASIC', mutate_bundle=None):
        self.name = name
        self.stacks = template.load_stacks(assembly_dir)
        self.stack = self.stacks[0]  # the stack of the pipeline being run
        self.pipeline_lid = ''
        # Where the current action runs: its region, and the account of its role (its target's).
        self.account, self.region = self.stack.account, self.stack.region
        self.bundle: Dict[str, Any] = {}
        self.out = out_dir
        self.app_out = out_dir
        self.bin = python_bin
        self.mutate = mutate_policies
        self.mutate_bundle = mutate_bundle  # a self-test's change to the policies of the whole app (bundle)
        self.timeout = command_timeout
        self.scan_type = registry_scan_type
        os.makedirs(out_dir, exist_ok=True)
        self._start_pipeline('')

    def _start_pipeline(self, label: str) -> None:
        self.out = os.path.join(self.app_out, re.sub(r'[^A-Za-z0-9]+', '-', label)) if label else self.app_out
        os.makedirs(self.out, exist_ok=True)
        self.log_path = os.path.join(self.out, 'calls.jsonl')
        open(self.log_path, 'w').close()
        self.steps: List[Dict[str, Any]] = []
        self.variables: Dict[str, str] = {
            'codepipeline.PipelineExecutionId': str(uuid.UUID(hashlib.md5(f'{self.name}{label}'.encode()).hexdigest())),
        }
        self.artifacts: Dict[str, Dict[str, Tuple[str, str]]] = {}  # name -> region -> (bucket, key)
        self.assume_denied: Dict[str, str] = {}  # step -> why the pipeline role cannot assume its role
        self.extra_env: Dict[str, str] = {}
        self.producers: Dict[str, str] = {}  # artifact name -> the role that stored it

    def pipelines(self) -> List[Tuple[Any, str]]:
        return [(st, lid) for st in self.stacks for lid in st.of_type('AWS::CodePipeline::Pipeline')]

    # -- set-up -------------------------------------------------------------------------
    def _bundle(self) -> Dict[str, Any]:
        roles: Dict[str, Any] = {}
        keys: Dict[str, str] = {}
        resource_policies: Dict[str, List[Any]] = {}
        buckets: Dict[str, Dict[str, str]] = {}
        aliases: Dict[str, str] = {}
        app_resources: List[str] = []
        for st in self.stacks:
            # Roles are named by stack and logical id: the template's names may repeat across stacks.
            roles.update({f'{st.name}/{lid}': dict(r, account=st.account) for lid, r in template.role_policies(st).items()})
            keys.update(template.bucket_keys(st))
            for arn, docs in template.resource_policies(st).items():
                resource_policies.setdefault(arn, []).extend(docs)
            buckets.update({st.physical_name(lid): {'account': st.account, 'region': st.region}
                            for lid in st.of_type('AWS::S3::Bucket')})
            aliases.update(template.key_aliases(st))
            app_resources.extend(template.resource_arns(st))
        if self.mutate:
            self.mutate(roles)
        for st, lid in self.pipelines():
            for _, store in self._stores(st, lid).items():
                if store.get('EncryptionKey'):
                    keys[store['Location']] = store['EncryptionKey']['Id']
        return {
            'account': self.stack.account, 'region': self.stack.region, 'roles': roles, 'registryScanType': self.scan_type,
            'buckets': buckets, 'keyAliases': aliases, 'appResources': sorted(set(app_resources)),
            'scanOnPush': {st.physical_name(lid): bool(st.resolve(r.get('Properties', {})).get('ImageScanningConfiguration', {}).get('ScanOnPush'))
                           for st in self.stacks for lid, r in st.of_type('AWS::ECR::Repository').items()},
            'resourcePolicies': resource_policies, 'bucketKeys': keys,
            'stubs': {
                # Operations the emulator does not serve: answered as AWS documents them.
                'codebuild:StartBuild': {'build': {'id': f'{self.name}:00000000-0000-0000-0000-000000000001'}},
                'codebuild:BatchGetBuilds': {'builds': [{'id': f'{self.name}:00000000-0000-0000-0000-000000000001', 'buildStatus': 'SUCCEEDED'}]},
                'inspector2:ListCoverage': {'coveredResources': []},
                'inspector2:ListFindings': {'findings': []},
                'codedeploy:CreateDeployment': {'deploymentId': 'd-SIMULATED1'},
                'codedeploy:GetDeployment': {'deploymentInfo': {'deploymentId': 'd-SIMULATED1', 'status': 'Succeeded'}},
                # A blue/green deployment that waits for its tests: Ready (test traffic on the new
                # tasks, production traffic held) when the tests look for it.
                'codedeploy:ListDeployments': {'deployments': ['d-SIMULATED1']},
                'codedeploy:ContinueDeployment': {},
                'codedeploy:StopDeployment': {},
                'inspector2:CreateSbomExport': {'reportId': 'simulated-sbom-report'},
                'inspector2:GetSbomExport': {'reportId': 'simulated-sbom-report', 'status': 'SUCCEEDED'},
                'codecommit:GetBranch': {'branch': {'branchName': 'main', 'commitId': COMMIT}},
            },
        }

    def pipeline(self) -> Tuple[str, Dict[str, Any]]:
        return self.pipeline_lid, self.stack.resources[self.pipeline_lid]['Properties']

    @staticmethod
    def _stores(st, lid) -> Dict[str, Dict[str, Any]]:
        """The artifact store of each region of a pipeline: `ArtifactStore`, or `ArtifactStores` by region."""
        props = st.resources[lid]['Properties']
        if 'ArtifactStores' in props:
            return {s['Region']: s['ArtifactStore'] for s in st.resolve(props['ArtifactStores'])}
        return {st.region: st.resolve(props.get('ArtifactStore', {}))}

    def find(self, rtype: str, name: str) -> Tuple[Any, str]:
        """The stack and logical id of the app's resource of a type with this physical name: the
        current action's account and region first (a name may repeat across stacks), then the
        pipeline's stack, then any."""
        ordered = sorted(self.stacks, key=lambda st: (not (st.account == self.account and st.region == self.region),
                                                      st is not self.stack))
        for st in ordered:
            for lid in st.of_type(rtype):
                if st.physical_name(lid) == name:
                    return st, lid
        raise StepFailed(f'no {rtype} named {name} in the app')

    def seed(self, moto: Moto) -> None:
        """Create in the emulator what the templates name, with the templates' names."""
        if self.scan_type != 'BASIC':
            for account, region in sorted({(st.account, st.region) for st in self.stacks}):
                moto.client('ecr', account, region).put_registry_scanning_configuration(scanType=self.scan_type, rules=[
                    {'scanFrequency': 'CONTINUOUS_SCAN', 'repositoryFilters': [{'filter': '*', 'filterType': 'WILDCARD'}]}])
        for st in self.stacks:
            self._seed_stack(moto, st)
        # An imported repository the pipeline builds into (the user's own) exists before the first run.
        for st, lid in self.pipelines():
            for stage in st.resources[lid]['Properties']['Stages']:
                for a in stage['Actions']:
                    raw = st.resolve(a.get('Configuration', {})).get('EnvironmentVariables')
                    for v in json.loads(raw) if isinstance(raw, str) else []:
                        if v['name'].endswith('REPOSITORY_NAME'):
                            _tolerate(moto.client('ecr', st.account, a.get('Region') or st.region).create_repository,
                                      repositoryName=v['value'])

    def _seed_stack(self, moto: Moto, st) -> None:
        """One stack's resources, in the stack's account and region."""
        def client(service):
            return moto.client(service, st.account, st.region)
        iam = client('iam')
        for lid, r in st.of_type('AWS::IAM::Role').items():
            _tolerate(iam.create_role, RoleName=st.physical_name(lid), AssumeRolePolicyDocument=json.dumps(
                st.resolve(r['Properties'].get('AssumeRolePolicyDocument', {}))))
        s3 = client('s3')
        where = {} if st.region == 'us-east-1' else {'CreateBucketConfiguration': {'LocationConstraint': st.region}}
        for lid in st.of_type('AWS::S3::Bucket'):
            _tolerate(s3.create_bucket, Bucket=st.physical_name(lid), **where)
        for lid, r in st.of_type('AWS::S3::Bucket').items():
            if r.get('Properties', {}).get('VersioningConfiguration', {}).get('Status') == 'Enabled':
                s3.put_bucket_versioning(Bucket=st.physical_name(lid), VersioningConfiguration={'Status': 'Enabled'})
        ecr = client('ecr')
        for lid in st.of_type('AWS::ECR::Repository'):
            _tolerate(ecr.create_repository, repositoryName=st.physical_name(lid))
        logs = client('logs')
        for lid in st.of_type('AWS::Logs::LogGroup'):
            _tolerate(logs.create_log_group, logGroupName=st.physical_name(lid))
        ecs = client('ecs')
        for lid in st.of_type('AWS::ECS::Cluster'):
            ecs.create_cluster(clusterName=st.physical_name(lid))
        for lid, r in st.of_type('AWS::ECS::TaskDefinition').items():
            ecs.register_task_definition(**_camel(st.resolve(r['Properties'])))
        for lid, r in st.of_type('AWS::ECS::Service').items():
            p = st.resolve(r['Properties'])
            ecs.create_service(cluster=p['Cluster'], serviceName=st.physical_name(lid), taskDefinition=p['TaskDefinition'],
                               desiredCount=p.get('DesiredCount', 1), launchType=p.get('LaunchType', 'FARGATE'),
                               deploymentController={'type': p.get('DeploymentController', {}).get('Type', 'ECS')})
        lam = client('lambda')
        code = _zip_bytes({'index.js': 'exports.handler = async () => ({ statusCode: 200 });\n'})
        for lid, r in st.of_type('AWS::Lambda::Function').items():
            p = st.resolve(r['Properties'])
            if 'ZipFile' not in p.get('Code', {}) and 'S3Bucket' not in p.get('Code', {}):
                continue
            _tolerate(lam.create_function, FunctionName=st.physical_name(lid), Runtime=p.get('Runtime', 'nodejs20.x'), Role=p['Role'],
                                Handler=p.get('Handler', 'index.handler'), Code={'ZipFile': code})
        versions: Dict[str, str] = {}
        for lid, r in st.of_type('AWS::Lambda::Version').items():
            fn = st.resolve(r['Properties']['FunctionName'])
            versions[lid] = lam.publish_version(FunctionName=fn)['Version']
        for lid, r in st.of_type('AWS::Lambda::Alias').items():
            p = st.resolve(r['Properties'])
            _tolerate(lam.create_alias, FunctionName=p['FunctionName'], Name=p['Name'], FunctionVersion=p.get('FunctionVersion', '1'))
        cf = client('cloudfront')
        for lid, r in st.of_type('AWS::CloudFront::Distribution').items():
            d = cf.create_distribution(DistributionConfig={
                'CallerReference': f'{st.name}/{lid}', 'Comment': lid, 'Enabled': True,
                'Origins': {'Quantity': 1, 'Items': [{'Id': 'site', 'DomainName': 'site.s3.us-east-1.amazonaws.com',
                                                      'S3OriginConfig': {'OriginAccessIdentity': ''}}]},
                'DefaultCacheBehavior': {'TargetOriginId': 'site', 'ViewerProtocolPolicy': 'redirect-to-https',
                                         'MinTTL': 0, 'ForwardedValues': {'QueryString': False, 'Cookies': {'Forward': 'none'}}},
            })['Distribution']
            # The emulator chooses distribution ids: the template's references follow it.
            st.override(lid, Ref=d['Id'], DomainName=d['DomainName'],
                        Arn=f'arn:aws:cloudfront::{st.account}:distribution/{d["Id"]}')
        sns = client('sns')
        for lid in st.of_type('AWS::SNS::Topic'):
            sns.create_topic(Name=st.physical_name(lid))

    # -- the AWS CLI as a role -------------------------------------------------------------
    def role_arn(self, role: str) -> str:
        return self.bundle['roles'][role]['arn']

    def role_account(self, role: str) -> str:
        return self.bundle['roles'][role]['account']

    def cli_env(self, moto: Moto, role: str, step: str, work: str, region: Optional[str] = None) -> Dict[str, str]:
        """The AWS CLI's environment as `role`: the role's credentials (assumed in its account) and
        the region of the current action (or `region`)."""
        region = region or self.region
        config = os.path.join(self.out, 'aws-config')
        with open(config, 'w', encoding='utf-8') as f:
            f.write('[default]\noutput = json\n\n[plugins]\nsim = sim_plugin\n')
        path = os.pathsep.join([STUBS, os.path.dirname(self.bin), '/usr/local/bin', '/usr/bin', '/bin'])
        creds = moto.credentials(self.role_arn(role))
        return {
            'PATH': path, 'HOME': os.path.join(work, 'home'), 'LANG': 'C.UTF-8',
            'AWS_CONFIG_FILE': config, 'AWS_SHARED_CREDENTIALS_FILE': os.path.join(self.out, 'no-credentials'),
            'AWS_ACCESS_KEY_ID': creds['aws_access_key_id'], 'AWS_SECRET_ACCESS_KEY': creds['aws_secret_access_key'],
            'AWS_SESSION_TOKEN': creds['aws_session_token'],
            'AWS_ENDPOINT_URL': moto.endpoint, 'AWS_DEFAULT_REGION': region, 'AWS_REGION': region, 'AWS_PAGER': '',
            'AWS_MAX_ATTEMPTS': '1', 'SIM_BUNDLE': self.bundle_path, 'SIM_ROLE': role, 'SIM_LOG': self.log_path,
            'SIM_ACCOUNT': self.role_account(role), 'SIM_REGION': region, 'SIM_ACCESS_KEY': creds['aws_access_key_id'],
            'PYTHONPATH': SIM_DIR, 'SIM_STEP': step, 'SIM_PYTHON': self.bin, 'SIM_DIR': SIM_DIR, 'SIM_ENDPOINT': moto.endpoint,
        }

    def aws(self, moto: Moto, role: str, step: str, args: List[str], stdin: Optional[bytes] = None,
            region: Optional[str] = None) -> subprocess.CompletedProcess:
        work = tempfile.mkdtemp(prefix='sim-cli-', dir=self.out)
        os.makedirs(os.path.join(work, 'home'), exist_ok=True)
        env = self.cli_env(moto, role, step, work, region)
        aws = os.path.join(os.path.dirname(self.bin), 'aws')
        proc = subprocess.run([aws] + args, env=env, input=stdin, capture_output=True, timeout=self.timeout)
        shutil.rmtree(work, ignore_errors=True)
        self.record(step, 'aws ' + ' '.join(args[:2]), proc.returncode == 0, proc.stderr.decode(errors='replace').strip()[-600:])
        return proc

    def check(self, role: str, step: str, action: str, resource: str, context: Optional[Dict[str, Any]] = None,
              what: str = '') -> bool:
        """A permission-only check (no API call to make, or one the emulator cannot serve)."""
        import sim_plugin  # noqa: E402 - same evaluation and log as the CLI's calls
        with open(self.bundle_path, encoding='utf-8') as f:
            bundle = json.load(f)
        ctx = {'aws:SecureTransport': 'true', 'aws:RequestedRegion': self.region}
        ctx.update(context or {})
        ok, results = sim_plugin.authorize(bundle, role, [actions.Request(action, resource, ctx)])
        not_judged = [r['notJudged'] for r in results if r.get('notJudged')]
        with open(self.log_path, 'a', encoding='utf-8') as f:
            f.write(json.dumps({'role': role, 'step': step, 'service': action.split(':')[0], 'operation': action.split(':')[1],
                                'account': bundle['roles'].get(role, {}).get('account'), 'region': self.region,
                                **({'warning': not_judged[0]} if not_judged else {}),
                                'permissionCheck': True, 'what': what, 'allowed': ok, 'requests': results,
                                'reason': results[0]['reason']}) + '\n')
        return ok

    def record(self, step: str, what: str, ok: bool, detail: str = '') -> None:
        self.steps.append({'step': step, 'what': what, 'ok': ok, 'detail': detail})

    # -- artifacts ---------------------------------------------------------------------------
    def store(self, region: Optional[str] = None) -> Tuple[str, str]:
        """The artifact store (bucket, key) of a region: the region's replication store, else the pipeline's."""
        stores = self._stores(self.stack, self.pipeline_lid)
        p = stores.get(region or self.region) or stores.get(self.stack.region) or next(iter(stores.values()))
        return p['Location'], p.get('EncryptionKey', {}).get('Id', '')

    def put_artifact(self, moto: Moto, role: str, step: str, name: str, data: bytes) -> None:
        """An action's output artifact, stored by its role in the store of the action's region."""
        bucket, _ = self.store()
        pipeline_name = self.stack.physical_name(self.pipeline()[0])
        key = f'{pipeline_name[:20]}/{name[:20]}/{uuid.uuid4().hex[:7]}'
        path = os.path.join(self.out, f'artifact-{name}.zip')
        with open(path, 'wb') as f:
            f.write(data)
        proc = self.aws(moto, role, step, ['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', path])
        if proc.returncode != 0:
            raise StepFailed(f'{step}: could not store artifact {name}: {proc.stderr.decode(errors="replace").strip()}')
        self.artifacts[name] = {self.region: (bucket, key)}
        self.producers[name] = role

    def replicate(self, moto: Moto, step: str, name: str) -> None:
        """CodePipeline copies an input artifact into the store of the action's region as the
        pipeline role (reading it where it was stored, writing it to that region's bucket, which
        may be in another account: the workload's stack)."""
        if self.region in self.artifacts[name]:
            return
        src_region, (src_bucket, src_key) = next(iter(self.artifacts[name].items()))
        bucket, _ = self.store()
        pipeline_role = self._role_of(self.pipeline()[1]['RoleArn'])
        what = f'{step} (CodePipeline replicates {name} to {self.region})'
        path = os.path.join(self.out, f'replicate-{uuid.uuid4().hex[:6]}.zip')
        got = self.aws(moto, pipeline_role, what, ['s3api', 'get-object', '--bucket', src_bucket, '--key', src_key, path],
                       region=src_region)
        if got.returncode != 0:
            raise StepFailed(f'{what}: the pipeline role cannot read {name}: {got.stderr.decode(errors="replace").strip()}')
        put = self.aws(moto, pipeline_role, what, ['s3api', 'put-object', '--bucket', bucket, '--key', src_key, '--body', path])
        os.remove(path)
        if put.returncode != 0:
            raise StepFailed(f'{what}: the pipeline role cannot write {name} to s3://{bucket}: '
                             f'{put.stderr.decode(errors="replace").strip()}')
        self.artifacts[name][self.region] = (bucket, src_key)

    def get_artifact(self, moto: Moto, role: str, step: str, name: str) -> bytes:
        """An input artifact, read by `role` from the store of the action's region."""
        self.replicate(moto, step, name)
        bucket, key = self.artifacts[name][self.region]
        path = os.path.join(self.out, f'download-{uuid.uuid4().hex[:6]}.zip')
        proc = self.aws(moto, role, step, ['s3api', 'get-object', '--bucket', bucket, '--key', key, path])
        if proc.returncode != 0:
            raise StepFailed(f'{step}: could not read artifact {name}: {proc.stderr.decode(errors="replace").strip()}')
        with open(path, 'rb') as f:
            data = f.read()
        os.remove(path)
        return data

    # -- pipeline walk -----------------------------------------------------------------------
    def run(self) -> List[Dict[str, Any]]:
        """Every pipeline of the app, one result each."""
        self.bundle_path = os.path.join(self.app_out, 'bundle.json')
        results = []
        with Moto(os.path.join(self.app_out, 'moto.log')) as moto:
            self.seed(moto)
            self.bundle = self._bundle()
            if self.mutate_bundle:
                self.mutate_bundle(self.bundle)
            with open(self.bundle_path, 'w', encoding='utf-8') as f:
                json.dump(self.bundle, f, indent=1)
            pipelines = self.pipelines()
            for st, lid in pipelines:
                label = '' if len(pipelines) == 1 else f'{st.name}/{lid}'
                self.stack, self.pipeline_lid = st, lid
                self._start_pipeline(label)
                results.append(self._run_pipeline(moto, f'{self.name}/{label}' if label else self.name))
        return results

    def _run_pipeline(self, moto: Moto, name: str) -> Dict[str, Any]:
        started = time.time()
        failure = None
        self.check_assume_roles()
        _, pipe = self.pipeline()
        for stage in pipe['Stages']:
            for order in sorted({a.get('RunOrder', 1) for a in stage['Actions']}):
                for action in [a for a in stage['Actions'] if a.get('RunOrder', 1) == order]:
                    step = f'{stage["Name"]}/{action["Name"]}'
                    # CodePipeline stops at the first failure; the simulation goes on with every later
                    # action whose inputs exist, so one run shows every finding of a first run.
                    missing = [i['Name'] for i in action.get('InputArtifacts', []) if i['Name'] not in self.artifacts]
                    if missing:
                        self.record(step, f'not run: input artifact {", ".join(missing)} was not produced', False)
                        continue
                    if step in self.assume_denied:
                        self.record(step, 'not run: the pipeline role cannot assume the action role', False,
                                    self.assume_denied[step])
                        failure = failure or f'{step}: {self.assume_denied[step]}'
                        continue
                    try:
                        self.run_action(moto, step, action)
                    except StepFailed as e:
                        self.record(step, 'action', False, str(e))
                        failure = failure or str(e)
                    except subprocess.TimeoutExpired as e:
                        self.record(step, 'action', False, f'timed out: {e}')
                        failure = failure or f'{step} timed out'
                    except Exception as e:  # noqa: BLE001 - the simulation's own error, reported with the action
                        self.record(step, 'action', False, f'simulation error: {type(e).__name__}: {e}')
                        failure = failure or f'{step}: simulation error: {type(e).__name__}: {e}'
            conditions_failure = self.stage_conditions(stage)
            failure = failure or conditions_failure
        if failure is None:
            self.site_rollback(moto)
            self.gated_tests_fail(moto)
        calls = [json.loads(line) for line in open(self.log_path, encoding='utf-8')]
        denied = [c for c in calls if not c.get('allowed')]
        warnings = [c for c in calls if c.get('warning')]
        return {'name': name, 'warnings': warnings, 'seconds': round(time.time() - started, 1), 'steps': self.steps, 'calls': len(calls),
                'denied': denied, 'failure': failure,
                'ok': failure is None and not denied and all(x['ok'] for x in self.steps)}

    def check_assume_roles(self) -> None:
        """The pipeline role assumes each action role: its identity policy must allow sts:AssumeRole
        on the role's ARN and the role's trust policy must allow the pipeline role (across accounts
        both; in one account the trust policy naming the pipeline role suffices, one naming the
        account root delegates to the identity policy). A role of another stack is that stack's."""
        _, pipe = self.pipeline()
        pipeline_role = self._role_of(pipe['RoleArn'])
        for stage in pipe['Stages']:
            for a in stage['Actions']:
                if 'RoleArn' not in a:
                    continue
                step = f'{stage["Name"]}/{a["Name"]}'
                arn = self.stack.resolve(a['RoleArn'])
                self.region = a.get('Region') or self.stack.region
                try:
                    role = self._role_of(arn)
                except StepFailed as e:
                    self.assume_denied[step] = str(e)
                    continue
                ok = self.check(pipeline_role, step, 'sts:AssumeRole', arn, what='pipeline role assumes the action role')
                where = f' in account {self.role_account(role)}' if self.role_account(role) != self.stack.account else ''
                self.record(step, f'the pipeline role assumes {arn}{where}', ok)
                if not ok:
                    self.assume_denied[step] = f'sts:AssumeRole on {arn} denied'
        self.region = self.stack.region

    def stage_conditions(self, stage: Dict[str, Any]) -> Optional[str]:
        """The stage's On Success conditions (bake time). A CloudWatchAlarm rule reads its alarm with
        the rule's role (assumed by the pipeline role) or, without one, the pipeline role, in the
        rule's region: a permission-only check of cloudwatch:DescribeAlarms on the alarm (the
        emulator has no alarm states to wait on; every alarm reads as OK, so the run goes on)."""
        failure = None
        _, pipe = self.pipeline()
        pipeline_role = self._role_of(pipe['RoleArn'])
        for condition in stage.get('OnSuccess', {}).get('Conditions', []):
            for rule in condition.get('Rules', []):
                step = f'{stage["Name"]}/OnSuccess/{rule.get("Name")}'
                provider = rule.get('RuleTypeId', {}).get('Provider')
                if provider != 'CloudWatchAlarm':
                    self.record(step, f'the simulation does not model {provider} rules', False)
                    failure = failure or f'{step}: the simulation does not model {provider} rules'
                    continue
                role = pipeline_role
                self.region = rule.get('Region') or self.stack.region
                if 'RoleArn' in rule:
                    arn = self.stack.resolve(rule['RoleArn'])
                    try:
                        role = self._role_of(arn)
                    except StepFailed as e:
                        self.record(step, 'rule role', False, str(e))
                        failure = failure or f'{step}: {e}'
                        continue
                    ok = self.check(pipeline_role, step, 'sts:AssumeRole', arn, what='pipeline role assumes the rule role')
                    self.record(step, f'the pipeline role assumes {arn}', ok)
                    if not ok:
                        failure = failure or f'{step}: sts:AssumeRole on {arn} denied'
                        continue
                self.account = self.role_account(role)
                name = self.stack.resolve(rule.get('Configuration', {}).get('AlarmName'))
                alarm = f'arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}'
                ok = self.check(role, step, 'cloudwatch:DescribeAlarms', alarm, what='the CloudWatchAlarm rule reads the bake alarm')
                self.record(step, f'the rule reads {alarm} (its state is not emulated: OK)', ok)
                if not ok:
                    failure = failure or f'{step}: cloudwatch:DescribeAlarms on {alarm} denied'
        self.region = self.stack.region
        self.account = self.stack.account
        return failure

    def _role_of(self, arn_value: Any) -> str:
        """The bundle's key of the role with this ARN: the current stack's first, then the app's others."""
        arn = self.stack.resolve(arn_value)
        for st in [self.stack] + [s for s in self.stacks if s is not self.stack]:
            for lid in st.of_type('AWS::IAM::Role'):
                if st.resolve({'Fn::GetAtt': [lid, 'Arn']}) == arn:
                    return f'{st.name}/{lid}'
        raise StepFailed(f'no role with ARN {arn} in the app (an imported role: its policies are unknown)')

    def run_action(self, moto: Moto, step: str, action: Dict[str, Any]) -> None:
        provider = action['ActionTypeId']['Provider']
        role = self._role_of(action['RoleArn']) if 'RoleArn' in action else self._role_of(self.pipeline()[1]['RoleArn'])
        # The action runs in its region, as its role, in the role's account (the target's).
        self.region = action.get('Region') or self.stack.region
        self.account = self.role_account(role)
        config = self.stack.resolve(action.get('Configuration', {}))
        handler = {
            'CodeStarSourceConnection': self.source_connection, 'CodeCommit': self.source_codecommit, 'S3': self.source_s3,
            'CodeBuild': self.codebuild, 'ECS': self.ecs_deploy, 'CodeDeployToECS': self.codedeploy_ecs, 'CodeDeploy': self.codedeploy_server,
            'Lambda': self.lambda_invoke if action['ActionTypeId']['Category'] == 'Invoke' else self.lambda_deploy,
            'Manual': self.approval,
        }.get(provider)
        if handler is None:
            raise StepFailed(f'{step}: the simulation does not model {provider} actions')
        handler(moto, step, role, config, action)

    def _subst(self, text: str) -> str:
        def repl(m):
            key = m.group(1)
            if key not in self.variables:
                raise StepFailed(f'pipeline variable #{{{key}}} has no value at this point of the run')
            return self.variables[key]
        return re.sub(r'#\{([^}]+)\}', repl, text)

    # -- Source --------------------------------------------------------------------------------
    def source_connection(self, moto, step, role, config, action):
        arn = config['ConnectionArn']
        # IAM needs the action's service prefix to match the connection ARN's (AWS "Connections rename").
        prefix = arn.split(':')[2]
        ok = self.check(role, step, f'{prefix}:UseConnection', arn, {f'{prefix}:FullRepositoryId': config['FullRepositoryId']},
                        what='source action uses the connection')
        # A denial is recorded (it fails the run); the run goes on so later stages are judged too.
        self.record(step, f'{prefix}:UseConnection on {arn}', ok)
        files = _tree(os.path.join(SAMPLE_APP, 'files'))
        self.put_artifact(moto, role, step, action['OutputArtifacts'][0]['Name'], _zip_bytes(files))
        ns = action.get('Namespace')
        if ns:
            self.variables.update({f'{ns}.CommitId': COMMIT, f'{ns}.BranchName': config.get('BranchName', 'main'),
                                   f'{ns}.FullRepositoryName': config['FullRepositoryId'], f'{ns}.ConnectionArn': arn,
                                   f'{ns}.CommitMessage': 'Simulated commit', f'{ns}.AuthorDate': '2026-01-01T00:00:00Z',
                                   f'{ns}.ProviderType': 'GitHub'})

    def _source_outputs(self, moto, step, role, action, variables):
        files = _tree(os.path.join(SAMPLE_APP, 'files'))
        self.put_artifact(moto, role, step, action['OutputArtifacts'][0]['Name'], _zip_bytes(files))
        ns = action.get('Namespace')
        if ns:
            self.variables.update({f'{ns}.{k}': v for k, v in variables.items()})

    def source_codecommit(self, moto, step, role, config, action):
        repo = config['RepositoryName']
        arn = f'arn:aws:codecommit:{self.region}:{self.account}:{repo}'
        # What the action role needs (action reference: CodeCommit source action).
        for act in ('codecommit:GetBranch', 'codecommit:GetCommit', 'codecommit:UploadArchive',
                    'codecommit:GetUploadArchiveStatus', 'codecommit:CancelUploadArchive'):
            self.record(step, f'{act} on {arn}', self.check(role, step, act, arn, what='CodeCommit source action'))
        self._source_outputs(moto, step, role, action, {
            'CommitId': COMMIT, 'BranchName': config.get('BranchName', 'main'), 'RepositoryName': repo,
            'CommitMessage': 'Simulated commit', 'AuthorDate': '2026-01-01T00:00:00Z', 'CommitterDate': '2026-01-01T00:00:00Z'})

    def source_s3(self, moto, step, role, config, action):
        bucket, key = config['S3Bucket'], config['S3ObjectKey']
        # The user uploads the source zip (not a pipeline role); the action then reads it.
        s3 = moto.client('s3', self.stack.account, self.stack.region)
        _tolerate(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={'Status': 'Enabled'})
        put = s3.put_object(Bucket=bucket, Key=key, Body=_zip_bytes(_tree(os.path.join(SAMPLE_APP, 'files'))))
        version = put.get('VersionId', 'null')
        for args in (['s3api', 'get-bucket-versioning', '--bucket', bucket],
                     ['s3api', 'get-object', '--bucket', bucket, '--key', key, '--version-id', version,
                      os.path.join(self.out, 'source-download.zip')]):
            if self.aws(moto, role, step, args).returncode != 0:
                raise StepFailed(f'{step}: the S3 source action role cannot {args[1]} on s3://{bucket}/{key}')
        self._source_outputs(moto, step, role, action, {'VersionId': version, 'ETag': put.get('ETag', '').strip('"'),
                                                        'S3ObjectKey': key})

    # -- CodeBuild -------------------------------------------------------------------------------
    def codebuild(self, moto, step, role, config, action):
        # The project may be in another stack (a cross-account action: the target account's).
        pst, project_lid = self.find('AWS::CodeBuild::Project', config['ProjectName'])
        project = pst.resources[project_lid]['Properties']
        project_arn = pst.resolve({'Fn::GetAtt': [project_lid, 'Arn']})
        # The action role starts the build and follows it (action reference: CodeBuild).
        for args in (['codebuild', 'start-build', '--project-name', config['ProjectName']],
                     ['codebuild', 'batch-get-builds', '--ids', f'{config["ProjectName"]}:00000000-0000-0000-0000-000000000001']):
            if self.aws(moto, role, step, args).returncode != 0:
                raise StepFailed(f'{step}: the action role cannot {args[1]} {project_arn}')
        # The build runs as the project's role, in the project's account.
        build_role = self._role_of(pst.resolve(project['ServiceRole']))
        # CodeBuild writes the build's log as the project role.
        logs_cfg = pst.resolve(project.get('LogsConfig', {})).get('CloudWatchLogs', {})
        if logs_cfg.get('Status') == 'ENABLED' and logs_cfg.get('GroupName'):
            group = logs_cfg['GroupName']
            stream = f'{uuid.uuid4()}'
            for args in (['logs', 'create-log-stream', '--log-group-name', group, '--log-stream-name', stream],
                         ['logs', 'put-log-events', '--log-group-name', group, '--log-stream-name', stream,
                          '--log-events', f'timestamp={int(time.time() * 1000)},message=build started']):
                if self.aws(moto, build_role, step, args).returncode != 0:
                    raise StepFailed(f'{step}: the project role cannot write its build log to {group}')
        work = tempfile.mkdtemp(prefix='build-', dir=self.out)
        src = os.path.join(work, 'src')
        os.makedirs(src)
        inputs = action.get('InputArtifacts', [])
        if inputs:
            data = self.get_artifact(moto, build_role, step, inputs[0]['Name'])
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                z.extractall(src)
        env = {}
        for v in pst.resolve(project.get('Environment', {})).get('EnvironmentVariables', []):
            env[v['Name']] = self._variable(build_role, step, v.get('Type', 'PLAINTEXT'), v['Value'])
        for v in json.loads(config.get('EnvironmentVariables', '[]')):
            env[v['name']] = self._variable(build_role, step, v.get('type', 'PLAINTEXT'), self._subst(v['value']))
        spec = json.loads(pst.resolve(project['Source']['BuildSpec']))
        exported = self.run_buildspec(moto, step, build_role, spec, env, src, work, pst.physical_name(project_lid))
        ns = action.get('Namespace')
        if ns:
            self.variables.update({f'{ns}.{k}': v for k, v in exported.items()})
        self.report_permissions(step, build_role, spec)
        for out in action.get('OutputArtifacts', []):
            self.put_artifact(moto, build_role, step, out['Name'], self.collect_artifacts(spec, src))
        shutil.rmtree(work, ignore_errors=True)

    def _variable(self, role, step, kind, value):
        if kind == 'PARAMETER_STORE':
            self.check(role, step, 'ssm:GetParameters', f'arn:aws:ssm:{self.region}:{self.account}:parameter/{value.lstrip("/")}',
                       what='CodeBuild reads a PARAMETER_STORE variable')
            return f'sample-value-of-{value}'
        if kind == 'SECRETS_MANAGER':
            secret = value.split(':')[0] if not value.startswith('arn:') else ':'.join(value.split(':')[:7])
            arn = secret if secret.startswith('arn:') else f'arn:aws:secretsmanager:{self.region}:{self.account}:secret:{secret}-AbCdEf'
            self.check(role, step, 'secretsmanager:GetSecretValue', arn, what='CodeBuild reads a SECRETS_MANAGER variable')
            return 'sample-secret'
        return value

    def run_buildspec(self, moto, step, role, spec, variables, src, work, project_name) -> Dict[str, str]:
        """The phases as CodeBuild runs them (User Guide, "Build phase transitions" and the buildspec
        reference): every command in one shell, in order; a failing command fails its phase; a
        phase's `finally` commands run whether its commands failed or not; a failed INSTALL or
        PRE_BUILD ends the build, a failed BUILD still runs POST_BUILD; CODEBUILD_BUILD_SUCCEEDING
        is 1 until something fails, then 0."""
        phases = spec.get('phases', {})
        # `exit` in a command ends that command, not the build (CodeBuild runs each in turn).
        lines = ['cd "$CODEBUILD_SRC_DIR"', 'exit() { return "${1:-$?}"; }', 'export CODEBUILD_BUILD_SUCCEEDING=1',
                 'failed=""; phase_failed=""; final=0']
        n = 0
        for phase in ('install', 'pre_build', 'build', 'post_build'):
            commands = phases.get(phase, {}).get('commands', [])
            finally_ = phases.get(phase, {}).get('finally', [])
            if not commands and not finally_:
                continue
            guard = '[ -z "$failed" ] || [ "$failed" = build ]' if phase == 'post_build' else '[ -z "$failed" ]'
            lines.append(f'if {guard}; then')
            for kind, block in (('', commands), (' finally', finally_)):
                for command in block:
                    n += 1
                    path = os.path.join(work, f'cmd-{n}.sh')
                    with open(path, 'w', encoding='utf-8') as f:
                        f.write(command + '\n')
                    run = (f'echo "[Container] Running command ({phase}{kind})"; . {path} || {{ final=$?; phase_failed=1; '
                           f'export CODEBUILD_BUILD_SUCCEEDING=0; '
                           f'echo "[Container] Command did not exit successfully (phase {phase}{kind}, exit status $final)" >&2; }}')
                    lines.append(f'  {run}' if kind else f'  if [ -z "$phase_failed" ]; then {run}; fi')
            lines.append(f'  if [ -n "$phase_failed" ]; then failed="${{failed:-{phase}}}"; phase_failed=""; fi')
            lines.append('fi')
        exported = spec.get('env', {}).get('exported-variables', [])
        out_vars = os.path.join(work, 'exported.json')
        lines.append('for v in ' + ' '.join(exported or ['_']) + '; do printf "%s=%s\\n" "$v" "${!v:-}"; done > ' + out_vars)
        lines.append('[ -z "$failed" ] || builtin exit "$(( final == 0 ? 1 : final ))"')
        script = os.path.join(work, 'build.sh')
        with open(script, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        env = self.cli_env(moto, role, step, work)
        os.makedirs(env['HOME'], exist_ok=True)
        env.update(variables)
        env.update(self.extra_env)
        env.update({'CODEBUILD_SRC_DIR': src, 'CODEBUILD_BUILD_ID': f'{project_name}:{uuid.uuid4()}',
                    'CODEBUILD_RESOLVED_SOURCE_VERSION': COMMIT, 'CODEBUILD_INITIATOR': 'codepipeline/simulation',
                    'SIM_WORK': work})
        log_path = os.path.join(self.out, re.sub(r'[^A-Za-z0-9]+', '-', step) + '.log')
        with open(log_path, 'wb') as log:
            proc = subprocess.run(['bash', script], env=env, cwd=src, stdout=log, stderr=subprocess.STDOUT, timeout=self.timeout)
        with open(log_path, encoding='utf-8', errors='replace') as f:
            tail = f.read()[-1500:]
        self.record(step, 'buildspec', proc.returncode == 0, tail if proc.returncode else '')
        if proc.returncode != 0:
            raise StepFailed(f'{step}: the buildspec failed (exit status {proc.returncode}); log {log_path}:\n{tail}')
        values = {}
        if os.path.exists(out_vars):
            for line in open(out_vars, encoding='utf-8'):
                k, _, v = line.rstrip('\n').partition('=')
                if k in exported:
                    values[k] = v
        return values

    def report_permissions(self, step, role, spec):
        for group in spec.get('reports', {}):
            arn = group if group.startswith('arn:') else f'arn:aws:codebuild:{self.region}:{self.account}:report-group/{group}'
            for act in ('codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'):
                self.check(role, step, act, arn, what='CodeBuild uploads the test report')

    def collect_artifacts(self, spec, src) -> bytes:
        art = spec.get('artifacts', {})
        base = os.path.join(src, art.get('base-directory', ''))
        files: Dict[str, bytes] = {}
        for pattern in art.get('files', []):
            for path in _glob(base, pattern):
                with open(os.path.join(base, path), 'rb') as f:
                    files[path] = f.read()
        if not files:
            raise StepFailed(f'the build produced none of the artifact files {art.get("files")}')
        return _zip_bytes(files)

    def gated_tests_fail(self, moto) -> None:
        """A CodeDeploy blue/green deployment that waits for its tests: when the tests fail, the
        build must stop the deployment with rollback (production traffic never moves) and fail."""
        _, pipe = self.pipeline()
        for stage in pipe['Stages']:
            for action in stage['Actions']:
                if action['ActionTypeId']['Provider'] != 'CodeBuild' or 'GATE_APPLICATION' not in json.dumps(action.get('Configuration', {})):
                    continue
                config = self.stack.resolve(action.get('Configuration', {}))
                self.region = action.get('Region') or self.stack.region
                self.account = self.role_account(self._role_of(action['RoleArn']))
                step = f'{stage["Name"]}/{action["Name"]} (the tests fail)'
                before = sum(1 for _ in open(self.log_path, encoding='utf-8'))
                self.extra_env = {'SIM_NPM_FAIL': 'smoke'}
                try:
                    self.codebuild(moto, step, self._role_of(action['RoleArn']), config, action)
                    self.record(step, 'the build failed with its failing tests', False, 'it succeeded')
                except StepFailed:
                    calls = [json.loads(line) for line in open(self.log_path, encoding='utf-8')][before:]
                    ops = [c['operation'] for c in calls if c.get('service') == 'codedeploy' and not c.get('permissionCheck')]
                    self.steps = [x for x in self.steps if not (x['step'] == step and x['what'] == 'buildspec')]
                    self.record(step, 'the failing tests stopped the deployment with rollback, and never continued it',
                                'StopDeployment' in ops and 'ContinueDeployment' not in ops, f'CodeDeploy calls: {ops}')
                finally:
                    self.extra_env = {}
                return  # one environment shows it

    def site_rollback(self, moto) -> None:
        """A static site's second release fails its post-deploy check: the deploy must put the first back."""
        _, pipe = self.pipeline()
        for stage in pipe['Stages']:
            for action in stage['Actions']:
                if action['ActionTypeId']['Provider'] != 'CodeBuild' or not action.get('InputArtifacts'):
                    continue
                config = self.stack.resolve(action.get('Configuration', {}))
                self.region = action.get('Region') or self.stack.region
                self.account = self.role_account(self._role_of(action['RoleArn']))
                try:
                    pst, project_lid = self.find('AWS::CodeBuild::Project', config['ProjectName'])
                except StepFailed:
                    continue
                project = pst.resources[project_lid]['Properties']
                env = {v['Name']: v['Value'] for v in pst.resolve(project.get('Environment', {})).get('EnvironmentVariables', [])}
                if 'SITE_BUCKET' not in env or not env.get('CHECK_URLS'):
                    continue
                step = f'{stage["Name"]}/{action["Name"]} (release 2 fails its check)'
                site = self.bundle['buckets'].get(env['SITE_BUCKET'], {})
                s3 = moto.client('s3', site.get('account', self.account), site.get('region', self.region))
                before = s3.get_object(Bucket=env['SITE_BUCKET'], Key='index.html')['Body'].read()
                files = _tree(os.path.join(SAMPLE_APP, 'files', 'app'))
                files['index.html'] = b'<!doctype html><html><body>release 2</body></html>\n'
                name = action['InputArtifacts'][0]['Name']
                self.put_artifact(moto, self.producers[name], step, name, _zip_bytes(files))
                self.variables['codepipeline.PipelineExecutionId'] = str(uuid.uuid5(uuid.NAMESPACE_URL, step))
                self.extra_env = {'SIM_CURL_STATUS': '500'}
                try:
                    self.codebuild(moto, step, self._role_of(action['RoleArn']), config, action)
                    self.record(step, 'the deploy failed on its failing check', False, 'it succeeded')
                except StepFailed as e:
                    rolled_back = 'ROLLBACK done' in str(e)
                    after = s3.get_object(Bucket=env['SITE_BUCKET'], Key='index.html')['Body'].read()
                    self.steps = [x for x in self.steps if not (x['step'] == step and x['what'] == 'buildspec')]
                    self.record(step, 'the failed release was rolled back to the last good one', rolled_back and after == before,
                                '' if after == before else f'index.html after the rollback: {after[:80]!r}')
                finally:
                    self.extra_env = {}
                return  # one environment shows it

    # -- deploy actions ------------------------------------------------------------------------
    def _artifact_files(self, moto, role, step, action) -> Dict[str, bytes]:
        files: Dict[str, bytes] = {}
        for inp in action.get('InputArtifacts', []):
            data = self.get_artifact(moto, role, step, inp['Name'])
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for n in z.namelist():
                    files[f'{inp["Name"]}::{n}'] = z.read(n)
        return files


    def _pass_roles(self, role, step, taskdef: Dict[str, Any]):
        for key in ('TaskRoleArn', 'ExecutionRoleArn', 'taskRoleArn', 'executionRoleArn'):
            if taskdef.get(key):
                self.check(role, step, 'iam:PassRole', taskdef[key], {'iam:PassedToService': 'ecs-tasks.amazonaws.com'},
                           what=f'pass the {key[0].lower() + key[1:]} to ECS')

    def image_pull(self, moto, step, taskdef: Dict[str, Any], image: str):
        """The task execution role can pull the exact image the deploy file names, and the image exists."""
        exec_arn = taskdef.get('ExecutionRoleArn') or taskdef.get('executionRoleArn')
        m = re.match(r'^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^@:]+)(?:@(sha256:[0-9a-f]+)|:(.+))?$', image)
        if not m:
            self.record(step, f'image {image}', True, 'not a private ECR image: nothing to grant')
            return
        if not exec_arn:
            raise StepFailed(f'{step}: the task definition has no execution role to pull {image}')
        role = self._role_of(exec_arn)
        account, region, repo, digest, tag = m.groups()
        repo_arn = f'arn:aws:ecr:{region}:{account}:repository/{repo}'
        ok = all([
            self.check(role, step, 'ecr:GetAuthorizationToken', '*', what='task execution role logs in to ECR'),
            self.check(role, step, 'ecr:BatchGetImage', repo_arn, what=f'task execution role pulls {image}'),
            self.check(role, step, 'ecr:GetDownloadUrlForLayer', repo_arn, what=f'task execution role pulls {image}'),
        ])
        ids = {'imageDigest': digest} if digest else {'imageTag': tag or 'latest'}
        try:
            moto.client('ecr', account, region).describe_images(repositoryName=repo, imageIds=[ids])
            exists = True
        except Exception:  # noqa: BLE001
            exists = False
        self.record(step, f'image {image} exists in the registry', exists)
        if not exists:
            raise StepFailed(f'{step}: the deploy file names {image}, which is not in the registry')
        # Recorded (it fails the run: the tasks would stop with CannotPullContainerError); the run goes on.
        self.record(step, f'task execution role {exec_arn} pulls {image}', ok,
                    '' if ok else 'tasks would stop with CannotPullContainerError')

    def ecs_deploy(self, moto, step, role, config, action):
        files = self._artifact_files(moto, role, step, action)
        name = f'{action["InputArtifacts"][0]["Name"]}::{config.get("FileName", "imagedefinitions.json")}'
        if name not in files:
            raise StepFailed(f'{step}: the input artifact has no {config.get("FileName")}')
        definitions = json.loads(files[name])
        cluster, service = config['ClusterName'], config['ServiceName']
        described = self.aws(moto, role, step, ['ecs', 'describe-services', '--cluster', cluster, '--services', service])
        imported_cluster = b'ClusterNotFoundException' in described.stderr
        if described.returncode != 0 and not imported_cluster:
            raise StepFailed(f'{step}: ecs:DescribeServices denied or failed')
        if imported_cluster:
            # Authorized (the plugin let it through); the emulator has no such cluster: an imported one.
            self.steps[-1]['ok'] = True
        services = [] if imported_cluster else json.loads(described.stdout).get('services', [])
        if not services:
            # An imported service: its task definition and execution role are not in the app.
            self.record(step, f'imported service {cluster}/{service}: its execution role is not judged '
                              '(the user must grant it pull on the repository)', True)
            return
        current = services[0]['taskDefinition']
        got = self.aws(moto, role, step, ['ecs', 'describe-task-definition', '--task-definition', current])
        if got.returncode != 0:
            raise StepFailed(f'{step}: ecs:DescribeTaskDefinition denied or failed')
        td = json.loads(got.stdout)['taskDefinition']
        for c in td['containerDefinitions']:
            for d in definitions:
                if d['name'] == c['name']:
                    c['image'] = d['imageUri']
        register = {k: td[k] for k in ('family', 'containerDefinitions', 'taskRoleArn', 'executionRoleArn', 'networkMode',
                                       'requiresCompatibilities', 'cpu', 'memory') if td.get(k)}
        self._pass_roles(role, step, register)
        reg = self.aws(moto, role, step, ['ecs', 'register-task-definition', '--cli-input-json', json.dumps(register)])
        if reg.returncode != 0:
            raise StepFailed(f'{step}: ecs:RegisterTaskDefinition denied or failed')
        new_arn = json.loads(reg.stdout)['taskDefinition']['taskDefinitionArn']
        for act in ('ecs:DescribeTasks', 'ecs:ListTasks'):
            self.check(role, step, act, '*' if act == 'ecs:ListTasks' else f'arn:aws:ecs:{self.region}:{self.account}:task/{cluster}/*',
                       {'ecs:cluster': f'arn:aws:ecs:{self.region}:{self.account}:cluster/{cluster}'}, what='action reference: ECS')
        upd = self.aws(moto, role, step, ['ecs', 'update-service', '--cluster', cluster, '--service', service,
                                          '--task-definition', new_arn])
        if upd.returncode != 0:
            raise StepFailed(f'{step}: ecs:UpdateService denied or failed')
        for d in definitions:
            self.image_pull(moto, step, register, d['imageUri'])
        self._log_permissions(step, register)

    def _log_permissions(self, step, taskdef):
        """The execution role writes the awslogs stream of each container."""
        exec_arn = taskdef.get('executionRoleArn') or taskdef.get('ExecutionRoleArn')
        if not exec_arn:
            return
        role = self._role_of(exec_arn)
        for c in taskdef.get('containerDefinitions', taskdef.get('ContainerDefinitions', [])):
            lc = c.get('logConfiguration') or c.get('LogConfiguration') or {}
            opts = lc.get('options') or lc.get('Options') or {}
            group = opts.get('awslogs-group')
            if group:
                stream = f'arn:aws:logs:{self.region}:{self.account}:log-group:{group}:log-stream:web/web/0'
                self.check(role, step, 'logs:CreateLogStream', stream, what='task execution role opens the container log')
                self.check(role, step, 'logs:PutLogEvents', stream, what='task execution role writes the container log')

    def codedeploy_ecs(self, moto, step, role, config, action):
        files = self._artifact_files(moto, role, step, action)
        taskdef_raw = files.get(f'{config["TaskDefinitionTemplateArtifact"]}::{config["TaskDefinitionTemplatePath"]}')
        appspec = files.get(f'{config["AppSpecTemplateArtifact"]}::{config["AppSpecTemplatePath"]}')
        if taskdef_raw is None or appspec is None:
            raise StepFailed(f'{step}: the input artifact lacks the task definition or AppSpec template')
        image_detail = json.loads(files[f'{config["Image1ArtifactName"]}::imageDetail.json'])
        placeholder = f'<{config["Image1ContainerName"]}>'
        text = taskdef_raw.decode()
        if placeholder not in text:
            raise StepFailed(f'{step}: {config["TaskDefinitionTemplatePath"]} has no {placeholder} placeholder')
        taskdef = json.loads(text.replace(placeholder, image_detail['ImageURI']))
        app, group = config['ApplicationName'], config['DeploymentGroupName']
        dg = f'arn:aws:codedeploy:{self.region}:{self.account}:deploymentgroup:{app}/{group}'
        # The deployment group is in the target's stack (its account and region) when the app defines it.
        try:
            dst, dg_lid = self.find('AWS::CodeDeploy::DeploymentGroup', group)
            dg_props = dst.resolve(dst.resources[dg_lid]['Properties'])
        except StepFailed:
            dg_props = {}
        config_name = dg_props.get('DeploymentConfigName', 'CodeDeployDefault.ECSAllAtOnce')
        for act, res in (('codedeploy:GetApplication', f'arn:aws:codedeploy:{self.region}:{self.account}:application:{app}'),
                         ('codedeploy:GetApplicationRevision', f'arn:aws:codedeploy:{self.region}:{self.account}:application:{app}'),
                         ('codedeploy:RegisterApplicationRevision', f'arn:aws:codedeploy:{self.region}:{self.account}:application:{app}'),
                         ('codedeploy:CreateDeployment', dg), ('codedeploy:GetDeployment', dg),
                         ('codedeploy:GetDeploymentConfig', f'arn:aws:codedeploy:{self.region}:{self.account}:deploymentconfig:{config_name}')):
            self.check(role, step, act, res, what='action reference: CodeDeployToECS')
        self._pass_roles(role, step, taskdef)
        register = {k: v for k, v in taskdef.items() if k in ('family', 'containerDefinitions', 'taskRoleArn', 'executionRoleArn',
                                                               'networkMode', 'requiresCompatibilities', 'cpu', 'memory')}
        reg = self.aws(moto, role, step, ['ecs', 'register-task-definition', '--cli-input-json', json.dumps(register)])
        if reg.returncode != 0:
            raise StepFailed(f'{step}: ecs:RegisterTaskDefinition denied or failed')
        if not dg_props:
            # An imported deployment group: its service role is not in the app.
            self.record(step, f'imported deployment group {app}/{group}: its service role is not judged', True)
            for c in taskdef.get('containerDefinitions', []):
                self.image_pull(moto, step, taskdef, c['image'])
            self._log_permissions(step, taskdef)
            return
        # CodeDeploy itself then shifts traffic as the deployment group's service role.
        cd_role = self._role_of(dg_props['ServiceRoleArn'])
        for svc in dg_props.get('ECSServices', []):
            service_arn = f'arn:aws:ecs:{self.region}:{self.account}:service/{svc["ClusterName"]}/{svc["ServiceName"]}'
            ctx = {'ecs:cluster': f'arn:aws:ecs:{self.region}:{self.account}:cluster/{svc["ClusterName"]}', 'ecs:service': service_arn}
            for act, res in (('ecs:DescribeServices', service_arn),
                             ('ecs:CreateTaskSet', f'arn:aws:ecs:{self.region}:{self.account}:task-set/{svc["ClusterName"]}/{svc["ServiceName"]}/*'),
                             ('ecs:UpdateServicePrimaryTaskSet', service_arn),
                             ('ecs:DeleteTaskSet', f'arn:aws:ecs:{self.region}:{self.account}:task-set/{svc["ClusterName"]}/{svc["ServiceName"]}/*')):
                self.check(cd_role, step, act, res, ctx, what='CodeDeploy blue/green (AWSCodeDeployRoleForECS)')
        for alarm in dg_props.get('AlarmConfiguration', {}).get('Alarms', []):
            self.check(cd_role, step, 'cloudwatch:DescribeAlarms', f'arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{alarm["Name"]}',
                       what='CodeDeploy reads the rollback alarms')
        lb = dg_props.get('BlueGreenDeploymentConfiguration') and dg_props.get('LoadBalancerInfo', {})
        for pair in (lb or {}).get('TargetGroupPairInfoList', []):
            for listener in pair.get('ProdTrafficRoute', {}).get('ListenerArns', []) + pair.get('TestTrafficRoute', {}).get('ListenerArns', []):
                self.check(cd_role, step, 'elasticloadbalancing:ModifyListener', listener, what='CodeDeploy shifts traffic')
            self.check(cd_role, step, 'elasticloadbalancing:DescribeListeners', '*', what='CodeDeploy shifts traffic')
            self.check(cd_role, step, 'elasticloadbalancing:DescribeTargetGroups', '*', what='CodeDeploy shifts traffic')
        self._pass_roles(cd_role, step, taskdef)
        # Lifecycle hooks of the AppSpec: CodeDeploy invokes each as its service role; each hook
        # reports its result to CodeDeploy as its own role.
        for event, fn_arn in re.findall(r'-\s*(\w+):\s*"?(arn:aws:lambda:[^"\s]+)"?', appspec.decode()):
            self.record(step, f'CodeDeploy invokes the {event} hook', self.check(
                cd_role, step, 'lambda:InvokeFunction', fn_arn, what=f'CodeDeploy invokes the {event} hook'))
            fn_lid = next(((st, lid) for st in self.stacks for lid in st.of_type('AWS::Lambda::Function')
                           if st.resolve({'Fn::GetAtt': [lid, 'Arn']}) == fn_arn), None)
            if fn_lid:
                st, lid = fn_lid
                hook_role = self._role_of(st.resolve(st.resources[lid]['Properties']['Role']))
                self.record(step, f'the {event} hook reports its status', self.check(
                    hook_role, step, 'codedeploy:PutLifecycleEventHookExecutionStatus', dg,
                    what=f'the {event} hook reports its status to CodeDeploy'))
        for c in taskdef.get('containerDefinitions', []):
            self.image_pull(moto, step, taskdef, c['image'])
        self._log_permissions(step, taskdef)

    def codedeploy_server(self, moto, step, role, config, action):
        """CodePipeline's CodeDeploy action (EC2/on-premises): the action role registers the bundle and
        starts the deployment; CodeDeploy, as the deployment group's service role, finds the instances,
        moves them through the load balancer, copies the group (blue/green) and watches the alarms; on
        each instance the agent downloads the bundle as the instance role, and the AppSpec's lifecycle
        scripts run, in CodeDeploy's order (appspec.py validates the file against the AppSpec reference)."""
        from . import appspec as appspec_ref
        name = action['InputArtifacts'][0]['Name']
        data = self.get_artifact(moto, role, step, name)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            bundle = {n: z.read(n) for n in z.namelist()}
        app, group = config['ApplicationName'], config['DeploymentGroupName']
        app_arn = f'arn:aws:codedeploy:{self.region}:{self.account}:application:{app}'
        dg = f'arn:aws:codedeploy:{self.region}:{self.account}:deploymentgroup:{app}/{group}'
        try:
            dst, dg_lid = self.find('AWS::CodeDeploy::DeploymentGroup', group)
            dg_props = dst.resolve(dst.resources[dg_lid]['Properties'])
        except StepFailed:
            dg_props = {}
        config_name = dg_props.get('DeploymentConfigName', 'CodeDeployDefault.OneAtATime')
        for act, res in (('codedeploy:GetApplication', app_arn), ('codedeploy:GetApplicationRevision', app_arn),
                         ('codedeploy:RegisterApplicationRevision', app_arn),
                         ('codedeploy:CreateDeployment', dg), ('codedeploy:GetDeployment', dg),
                         ('codedeploy:GetDeploymentConfig', f'arn:aws:codedeploy:{self.region}:{self.account}:deploymentconfig:{config_name}')):
            self.check(role, step, act, res, what='action reference: CodeDeploy')
        # The revision: appspec.yml at the root of the bundle, valid for EC2/on-premises.
        raw = bundle.get('appspec.yml')
        if raw is None:
            raise StepFailed(f'{step}: the revision bundle has no appspec.yml at its root')
        spec, problems = appspec_ref.validate(raw.decode(errors='replace'), set(bundle))
        self.record(step, 'appspec.yml against the AppSpec reference', not problems, '; '.join(problems))
        if problems:
            raise StepFailed(f'{step}: appspec.yml breaks the AppSpec reference: ' + '; '.join(problems))
        if not dg_props:
            self.record(step, f'imported deployment group {app}/{group}: its service role is not judged', True)
            return
        cd_role = self._role_of(dg_props['ServiceRoleArn'])
        asgs = dg_props.get('AutoScalingGroups', [])
        blue_green = dg_props.get('DeploymentStyle', {}).get('DeploymentType') == 'BLUE_GREEN'
        lb = dg_props.get('LoadBalancerInfo', {})
        self._codedeploy_server_role(step, cd_role, group, dg_props, asgs, blue_green, lb)
        # On each instance: the agent downloads the bundle with the instance's role, then runs the scripts.
        instance_roles = [r for asg in asgs for r in self._instance_roles(asg)]
        if not instance_roles:
            self.record(step, f'{group}: the instances are tagged ones (their role is the user\'s instanceRoles): the download is not judged', True)
        bucket, key = self.artifacts[name][self.region]
        for instance_role in instance_roles:
            path = os.path.join(self.out, f'revision-{uuid.uuid4().hex[:6]}.zip')
            got = self.aws(moto, instance_role, f'{step} (CodeDeploy agent, DownloadBundle)',
                           ['s3api', 'get-object', '--bucket', bucket, '--key', key, path])
            if os.path.exists(path):
                os.remove(path)
            if got.returncode != 0:
                raise StepFailed(f'{step}: the instance role {instance_role} cannot download the revision: {got.stderr.decode(errors="replace").strip()}')
        self._run_lifecycle(step, app, group, spec, bundle, traffic=bool(lb))

    def _codedeploy_server_role(self, step, cd_role, group, dg_props, asgs, blue_green, lb):
        """What CodeDeploy does as the deployment group's role (AWSCodeDeployRole's actions, on these resources)."""
        what = 'CodeDeploy (EC2/on-premises) as the deployment group role'
        uuid_part = '00000000-0000-0000-0000-000000000000'
        asg_arn = lambda n: f'arn:aws:autoscaling:{self.region}:{self.account}:autoScalingGroup:{uuid_part}:autoScalingGroupName/{n}'  # noqa: E731
        for asg in asgs:
            for act in ('autoscaling:PutLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat',
                        'autoscaling:DeleteLifecycleHook'):
                self.check(cd_role, step, act, asg_arn(asg), what=what)
            for act in ('autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'):
                self.check(cd_role, step, act, '*', what=what)
        if dg_props.get('Ec2TagSet') or dg_props.get('Ec2TagFilters'):
            for act in ('tag:GetResources', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'):
                self.check(cd_role, step, act, '*', what=what)
        for tg in lb.get('TargetGroupInfoList', []):
            st, lid = self.find('AWS::ElasticLoadBalancingV2::TargetGroup', tg['Name'])
            arn = st.resolve({'Ref': lid})
            for act in ('elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'):
                self.check(cd_role, step, act, arn, what=what)
            for act in ('elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'):
                self.check(cd_role, step, act, '*', what=what)
        for elb in lb.get('ElbInfoList', []):
            arn = f'arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/{elb["Name"]}'
            for act in ('elasticloadbalancing:DeregisterInstancesFromLoadBalancer', 'elasticloadbalancing:RegisterInstancesWithLoadBalancer'):
                self.check(cd_role, step, act, arn, what=what)
            for act in ('elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeInstanceHealth'):
                self.check(cd_role, step, act, '*', what=what)
        for alarm in dg_props.get('AlarmConfiguration', {}).get('Alarms', []):
            self.check(cd_role, step, 'cloudwatch:DescribeAlarms', f'arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{alarm["Name"]}',
                       what='CodeDeploy reads the rollback alarms')
        if not blue_green:
            return
        copy = f'CodeDeploy_{group}_d-SIMULATED1'
        for act in ('autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags',
                    'autoscaling:PutLifecycleHook', 'autoscaling:PutScalingPolicy', 'autoscaling:PutNotificationConfiguration',
                    'autoscaling:AttachLoadBalancerTargetGroups', 'autoscaling:DeleteAutoScalingGroup'):
            self.check(cd_role, step, act, asg_arn(copy), what=f'{what}: copy of the group (blue/green)')
        for asg in asgs:
            self.check(cd_role, step, 'autoscaling:DeleteAutoScalingGroup', asg_arn(asg), what=f'{what}: the original group, after the rollback window')
            self.check(cd_role, step, 'ec2:TerminateInstances', f'arn:aws:ec2:{self.region}:{self.account}:instance/i-0123456789abcdef0',
                       {'aws:ResourceTag/aws:autoscaling:groupName': asg}, what=f'{what}: the original instances')
            st, lid = self.find('AWS::AutoScaling::AutoScalingGroup', asg)
            spec = st.resources[lid]['Properties'].get('LaunchTemplate', {})
            lt = st.resolve(spec.get('LaunchTemplateId'))
            self.check(cd_role, step, 'ec2:RunInstances', f'arn:aws:ec2:{self.region}:{self.account}:instance/*',
                       {'ec2:LaunchTemplate': f'arn:aws:ec2:{self.region}:{self.account}:launch-template/{lt}'},
                       what=f'{what}: Auto Scaling checks the copy may launch from the launch template')
            for r in self._instance_roles(asg):
                self.check(cd_role, step, 'iam:PassRole', self.role_arn(r), {'iam:PassedToService': 'ec2.amazonaws.com'},
                           what=f'{what}: pass the instance role to the copy')

    def _instance_roles(self, group_name: str) -> List[str]:
        """The roles of an Auto Scaling group's instances: launch template (or configuration) → instance profile → roles."""
        try:
            st, lid = self.find('AWS::AutoScaling::AutoScalingGroup', group_name)
        except StepFailed:
            return []
        props = st.resources[lid]['Properties']
        spec = props.get('LaunchTemplate') or (props.get('MixedInstancesPolicy') or {}).get('LaunchTemplate', {}).get('LaunchTemplateSpecification')
        profile = None
        if spec and isinstance(spec.get('LaunchTemplateId'), dict) and 'Ref' in spec['LaunchTemplateId']:
            data = st.resources[spec['LaunchTemplateId']['Ref']]['Properties'].get('LaunchTemplateData', {})
            profile = (data.get('IamInstanceProfile') or {}).get('Arn')
        elif isinstance(props.get('LaunchConfigurationName'), dict):
            profile = st.resources[props['LaunchConfigurationName']['Ref']]['Properties'].get('IamInstanceProfile')
        profile_lid = (profile or {}).get('Fn::GetAtt', [None])[0] or (profile or {}).get('Ref')
        if not profile_lid:
            return []
        return [f'{st.name}/{r["Ref"]}' for r in st.resources[profile_lid]['Properties'].get('Roles', []) if isinstance(r, dict) and 'Ref' in r]

    def _run_lifecycle(self, step, app, group, spec, bundle, traffic: bool):
        """The lifecycle events of one instance's first deployment, in CodeDeploy's order: the
        ApplicationStop and block-traffic scripts are the previous revision's (none on a first
        deployment); then the new revision's scripts, with the agent's environment variables."""
        from . import appspec as appspec_ref
        work = tempfile.mkdtemp(prefix='sim-codedeploy-', dir=self.out)
        archive = os.path.join(work, 'deployment-archive')
        for path, content in bundle.items():
            if path.endswith('/'):
                continue
            target = os.path.join(archive, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, 'wb') as f:
                f.write(content)
        env = {'PATH': os.pathsep.join([STUBS, '/usr/local/bin', '/usr/bin', '/bin']), 'HOME': work, 'LANG': 'C.UTF-8',
               'LIFECYCLE_EVENT': '', 'DEPLOYMENT_ID': 'd-SIMULATED1', 'APPLICATION_NAME': app,
               'DEPLOYMENT_GROUP_NAME': group, 'DEPLOYMENT_GROUP_ID': '00000000-0000-0000-0000-000000000000', 'SIM_WORK': work}
        for event in appspec_ref.run_order(traffic):
            if event == 'Install':
                # The agent copies `files` to their destinations (under the simulation's root here).
                for entry in spec.get('files') or []:
                    src = os.path.join(archive, entry['source'].lstrip('/'))
                    dest = os.path.join(work, 'root', entry['destination'].lstrip('/'))
                    if os.path.isdir(src):
                        shutil.copytree(src, dest, dirs_exist_ok=True)
                    else:
                        os.makedirs(dest, exist_ok=True)
                        shutil.copy2(src, dest)
                self.record(step, 'Install: files copied to their destinations', True)
                continue
            for script in (spec.get('hooks') or {}).get(event) or []:
                env['LIFECYCLE_EVENT'] = event
                path = os.path.join(archive, script['location'])
                log_path = os.path.join(self.out, re.sub(r'[^A-Za-z0-9]+', '-', f'{step}-{event}') + '.log')
                with open(log_path, 'wb') as log:
                    try:
                        proc = subprocess.run(['bash', path], env=env, cwd=archive, stdout=log, stderr=subprocess.STDOUT,
                                              timeout=int(script.get('timeout', 3600)))
                        code = proc.returncode
                    except subprocess.TimeoutExpired:
                        code = 'timeout'
                with open(log_path, encoding='utf-8', errors='replace') as f:
                    tail = f.read()[-800:]
                ok = code == 0
                note = '' if 'runas' not in script else f' (runas {script["runas"]}: not switched in the simulation)'
                self.record(step, f'{event}: {script["location"]}{note}', ok, '' if ok else tail)
                if not ok:
                    raise StepFailed(f'{step}: the {event} script {script["location"]} failed ({code}); CodeDeploy would roll back. Log {log_path}:\n{tail}')
        shutil.rmtree(work, ignore_errors=True)

    def lambda_deploy(self, moto, step, role, config, action):
        files = self._artifact_files(moto, role, step, action) if action.get('InputArtifacts') else {}
        fn, alias = config['FunctionName'], config.get('FunctionAlias')
        code = os.path.join(self.out, 'lambda-package.zip')
        with open(code, 'wb') as f:
            f.write(_zip_bytes({k.split('::', 1)[1]: v for k, v in files.items()}))
        target = self._subst(config['PublishedTargetVersion']) if config.get('PublishedTargetVersion') else None
        calls = [['lambda', 'get-function-configuration', '--function-name', fn]]
        if alias:
            calls.append(['lambda', 'get-alias', '--function-name', fn, '--name', alias])
        if target is None:
            # With an input artifact the action uploads it and publishes a version; with a
            # PublishedTargetVersion it only moves the alias (action reference: Lambda deploy).
            calls.append(['lambda', 'update-function-code', '--function-name', fn, '--zip-file', f'fileb://{code}'])
            calls.append(['lambda', 'publish-version', '--function-name', fn])
        published = None
        for args in calls:
            proc = self.aws(moto, role, step, args)
            if proc.returncode != 0:
                raise StepFailed(f'{step}: lambda {args[1]} denied or failed')
            published = proc
        if alias:
            latest = target or json.loads(published.stdout)['Version']
            if self.aws(moto, role, step, ['lambda', 'update-alias', '--function-name', fn, '--name', alias,
                                           '--function-version', latest]).returncode != 0:
                raise StepFailed(f'{step}: lambda update-alias denied or failed')
        alarms = [a for a in str(config.get('Alarms', '')).split(',') if a]
        if alarms:
            if self.aws(moto, role, step, ['cloudwatch', 'describe-alarms', '--alarm-names'] + alarms).returncode != 0:
                raise StepFailed(f'{step}: cloudwatch describe-alarms denied or failed')

    def lambda_invoke(self, moto, step, role, config, action):
        """A Lambda invoke action: the action role invokes; the function reports back to CodePipeline."""
        fn = config['FunctionName']
        arn = fn if fn.startswith('arn:') else f'arn:aws:lambda:{self.region}:{self.account}:function:{fn}'
        self.record(step, f'lambda:InvokeFunction on {arn}', self.check(role, step, 'lambda:InvokeFunction', arn,
                                                                        what='Lambda invoke action'))
        found = next(((st, lid) for st in self.stacks for lid in st.of_type('AWS::Lambda::Function')
                      if st.resolve({'Fn::GetAtt': [lid, 'Arn']}) == arn), None)
        if found is None:
            self.record(step, f'function {fn} is not in the app: its role is not judged', True)
            return
        fst, fn_lid = found
        fn_role = self._role_of(fst.resolve(fst.resources[fn_lid]['Properties']['Role']))
        for act in ('codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'):
            self.record(step, f'{act} by the invoked function', self.check(fn_role, step, act, '*',
                                                                           what='the invoked function reports its result'))

    def approval(self, moto, step, role, config, action):
        topic = config.get('NotificationArn')
        if topic:
            if self.aws(moto, role, step, ['sns', 'publish', '--topic-arn', topic, '--message',
                                           config.get('CustomData', 'Approval needed')]).returncode != 0:
                raise StepFailed(f'{step}: the approval action role cannot publish to {topic}')
        self.record(step, 'approved (simulated reviewer)', True)


# -- helpers -------------------------------------------------------------------------------------

def _tolerate(call, **kwargs):
    """Create in the emulator, unless it exists (names derived from logical ids repeat across stacks)."""
    try:
        return call(**kwargs)
    except Exception as e:  # noqa: BLE001
        if ('Exist' in type(e).__name__ or 'AlreadyExists' in str(e) or 'AlreadyOwnedByYou' in str(e) or 'Conflict' in str(e)
                or 'already exists' in str(e)):
            return None
        raise

def _camel(v: Any) -> Any:
    """CloudFormation's PascalCase properties as the ECS API's camelCase parameters."""
    if isinstance(v, list):
        return [_camel(x) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k in ('Options', 'options'):
                out['options'] = x
                continue
            out[k[0].lower() + k[1:]] = _camel(x)
        return out
    return v


def _zip_bytes(files: Dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            z.writestr(name, data if isinstance(data, (bytes, str)) else json.dumps(data))
    return buf.getvalue()


def _tree(root: str) -> Dict[str, bytes]:
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def _glob(base: str, pattern: str) -> List[str]:
    """CodeBuild artifact globs: `**/*` is every file below base."""
    all_files = sorted(_tree(base)) if os.path.isdir(base) else []
    regex = '^' + re.escape(pattern).replace(r'\*\*/', '(?:.*/)?').replace(r'\*', '[^/]*') + '$'
    return [f for f in all_files if re.match(regex, f)]


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()
