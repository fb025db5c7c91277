import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ServerDeployment, ServerLoadBalancer, ServerPipeline, ServerPipelineProps } from '../../src';
import { githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';
import { APP_SPEC, vpcOf, webServers, webTargetGroup } from './support';

/** GIVEN a staging and a production Auto Scaling group, production behind an ALB. */
function setup(extra: Partial<ServerPipelineProps> = {}) {
  const stack = newStack(WITH_CDK_NAG_METADATA);
  const staging = webServers(stack, 'Staging');
  const production = webServers(stack, 'Production');
  const targetGroup = webTargetGroup(stack, 'Web', production);
  const pipeline = new ServerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    appSpec: APP_SPEC,
    environments: [
      { name: 'Staging', deployment: ServerDeployment.autoScalingGroup(staging) },
      { name: 'Production', deployment: ServerDeployment.autoScalingGroup(production, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(targetGroup) }) },
    ],
    ...extra,
  });
  return { stack, staging, production, targetGroup, pipeline, template: Template.fromStack(stack) };
}

/** One environment deployed with `deployment`. */
function single(stack: Stack, deployment: ServerDeployment, extra: Partial<ServerPipelineProps> = {}): ServerPipeline {
  return new ServerPipeline(stack, 'Pipeline', { source: githubSource(), appSpec: APP_SPEC, environments: [{ name: 'Staging', deployment }], ...extra });
}

function buildSpecOf(template: Template): any {
  const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
  return JSON.parse(project.Properties.Source.BuildSpec);
}

function stageOf(template: Template, name: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

function policyOf(template: Template, idPrefix: string): any[] {
  const entry = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(idPrefix));
  if (!entry) {
    throw new Error(`no policy ${idPrefix}`);
  }
  return entry[1].Properties.PolicyDocument.Statement;
}

const tags = () => new codedeploy.InstanceTagSet({ app: ['orders'], stage: ['staging'] });

describe('ServerPipeline', () => {
  describe('build stage: the revision bundle', () => {
    test('WHEN an appSpec is given THEN the build checks the output, writes appspec.yml, checks and marks each script, and writes REVISION', () => {
      const { template } = setup({ buildOptions: { commands: ['npm ci', 'npm run build'] } });
      const spec = buildSpecOf(template);
      const commands: string[] = spec.phases.build.commands;
      expect(commands.slice(0, 2)).toEqual(['npm ci', 'npm run build']);
      expect(commands[2]).toContain("ls -A 'dist'");
      expect(commands[3]).toMatch(/^\[ ! -e 'dist\/appspec\.yml' \] \|\| \{ echo .*already holds an appspec\.yml.* >&2; exit 1; \}$/);
      expect(commands[4]).toBe("printf '%s\\n' 'version: 0.0' 'os: linux' 'files:' '  - source: \"/\"' '    destination: \"/opt/app\"' 'hooks:' " +
        "'  ApplicationStop:' '    - location: \"scripts/stop.sh\"' '      timeout: 120' " +
        "'  ApplicationStart:' '    - location: \"scripts/start.sh\"' '      timeout: 300' '      runas: app' " +
        "'  ValidateService:' '    - location: \"scripts/validate.sh\"' '      timeout: 300' > 'dist/appspec.yml'");
      for (const script of ['scripts/stop.sh', 'scripts/start.sh', 'scripts/validate.sh']) {
        expect(commands).toContain(`chmod +x 'dist/${script}'`);
        expect(commands.some((c) => c.startsWith(`[ -f 'dist/${script}' ] || {`))).toBe(true);
      }
      expect(commands.slice(-3)).toEqual([
        'REVISION="$SOURCE_REVISION"',
        'test -n "$REVISION" || { echo \'No source revision to name the revision bundle with\' >&2; exit 1; }',
        "printf '%s\\n' \"$REVISION\" > 'dist/REVISION'",
      ]);
      expect(spec.artifacts).toEqual({ 'files': ['**/*'], 'base-directory': 'dist' });
      expect(spec.env['exported-variables']).toEqual(['REVISION']);
    });

    test('WHEN repositoryAppSpec is true THEN the build checks the repository\'s appspec.yml instead of writing one', () => {
      const stack = newStack();
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web')), { appSpec: undefined, repositoryAppSpec: true, outputDirectory: 'build/bundle' });
      const commands: string[] = buildSpecOf(Template.fromStack(stack)).phases.build.commands;
      expect(commands.some((c) => c.startsWith('printf') && c.includes('appspec.yml') && c.includes('version: 0.0'))).toBe(false);
      expect(commands).toContain("[ -f 'build/bundle/appspec.yml' ] || { echo 'The build output build/bundle holds no appspec.yml (repositoryAppSpec is true): " +
        "the build commands must leave the repository'\\''s appspec.yml at its root (ServerPipeline)' >&2; exit 1; }");
      expect(commands.some((c) => c.startsWith("grep -Eq '^version: *0\\.0 *$' 'build/bundle/appspec.yml'"))).toBe(true);
    });

    test('THEN every environment deploys the one build output: the bundle is built once and promoted unchanged', () => {
      const { template, pipeline } = setup();
      const build = stageOf(template, 'Build').Actions[0];
      expect(build.OutputArtifacts).toEqual([{ Name: 'Build' }]);
      for (const env of ['Staging', 'Production']) {
        const deploy = stageOf(template, env).Actions.find((a: any) => a.Name === 'Deploy');
        expect(deploy.ActionTypeId).toEqual({ Category: 'Deploy', Owner: 'AWS', Provider: 'CodeDeploy', Version: '1' });
        expect(deploy.InputArtifacts).toEqual([{ Name: 'Build' }]);
        expect(deploy.RunOrder).toBe(2);
      }
      expect(Stack.of(pipeline).resolve(pipeline.revision)).toBe('#{Build_BuildAndTest_NS.REVISION}');
    });

    test('WHEN the user sets REVISION THEN it is rejected (the bundle step sets it)', () => {
      expect(() => setup({ buildOptions: { environmentVariables: { REVISION: 'x' } } })).toThrow(
        /^TestStack\/Pipeline: buildOptions\.environmentVariables\.REVISION is a variable the pipeline sets itself \(REVISION\)\. Fix: /);
    });

    test('WHEN a repository buildspec is used THEN an appSpec is ignored with a warning', () => {
      const { stack } = setup({ buildOptions: { repositoryBuildSpec: 'buildspec.yml' } });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('appSpec is ignored because buildOptions.repositoryBuildSpec'));
    });

    test.each([
      ['neither appSpec nor repositoryAppSpec', { appSpec: undefined }, /^TestStack\/Pipeline: appSpec is missing, so the revision bundle would have no appspec\.yml\. Fix: give appSpec/],
      ['both appSpec and repositoryAppSpec', { repositoryAppSpec: true }, /^TestStack\/Pipeline: repositoryAppSpec is true, and appSpec is given too\. Fix: give one/],
      ['repositoryAppSpec a string', { appSpec: undefined, repositoryAppSpec: 'appspec.yml' as any }, /repositoryAppSpec must be true or false, got "appspec\.yml"/],
    ])('WHEN %s THEN the library says so', (_name, extra, error) => {
      expect(() => setup(extra as Partial<ServerPipelineProps>)).toThrow(error);
    });
  });

  describe('deployment group', () => {
    test('THEN each environment gets its own application and in-place group that rolls back on failure and stop, with CodeDeploy\'s agent never installed by user data', () => {
      const { template } = setup();
      template.resourceCountIs('AWS::CodeDeploy::Application', 2);
      template.hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'Server' });
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('^StagingASG') }],
        DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
        DeploymentStyle: Match.absent(),
        AlarmConfiguration: Match.absent(),
      });
      // aws-cdk-lib's installAgent would add user data to the user's group.
      expect(JSON.stringify(template.toJSON())).not.toMatch(/aws-codedeploy-|codedeploy-agent/);
    });

    test('WHEN a load balancer is given THEN the group controls traffic and rolls back on its default alarms (5xx, unhealthy hosts)', () => {
      const { template } = setup();
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('^ProductionASG') }],
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        LoadBalancerInfo: { TargetGroupInfoList: [{ Name: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Web[0-9A-F]{8}$'), 'TargetGroupName'] } }] },
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('Target5xxAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('UnhealthyHostsAlarm') } }] },
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'HTTPCode_Target_5XX_Count',
        Namespace: 'AWS/ApplicationELB',
        Period: 60,
        Statistic: 'Sum',
        Threshold: 5,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Threshold: 1, EvaluationPeriods: 2 });
    });

    test('WHEN a network target group is given THEN the default alarm watches its unhealthy hosts only', () => {
      const stack = newStack();
      const group = webServers(stack, 'Web');
      const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: vpcOf(stack) });
      const listener = nlb.addListener('Tcp', { port: 80 });
      const targetGroup = listener.addTargets('Web', { port: 80, targets: [group] });
      single(stack, ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.networkTargetGroup(targetGroup) }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Namespace: 'AWS/NetworkELB' });
    });

    test('WHEN a classic load balancer is given THEN the group names it, and its role may move instances of that load balancer only', () => {
      const stack = newStack();
      const group = webServers(stack, 'Web');
      const lb = new elb.LoadBalancer(stack, 'Classic', {
        vpc: vpcOf(stack),
        internetFacing: true,
        subnetSelection: { subnetType: ec2.SubnetType.PUBLIC },
        listeners: [{ externalPort: 80 }],
        targets: [group],
      });
      single(stack, ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.classic(lb) }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { LoadBalancerInfo: { ElbInfoList: [{ Name: { Ref: Match.stringLikeRegexp('^Classic') } }] } });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Backend_5XX', Namespace: 'AWS/ELB' });
      const statements = policyOf(template, 'PipelineStagingDeploymentCodeDeployRole');
      expect(statements.find((s) => s.Sid === 'MoveInstancesThroughTheLoadBalancer')).toEqual(expect.objectContaining({
        Action: ['elasticloadbalancing:DeregisterInstancesFromLoadBalancer', 'elasticloadbalancing:RegisterInstancesWithLoadBalancer'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:us-east-1:111111111111:loadbalancer/', { Ref: expect.stringMatching(/^Classic/) }]] },
      }));
    });

    test.each([
      ['half at a time', codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME, 'CodeDeployDefault.HalfAtATime'],
      ['all at once', codedeploy.ServerDeploymentConfig.ALL_AT_ONCE, 'CodeDeployDefault.AllAtOnce'],
    ])('WHEN the deployment config is %s THEN the group uses it', (_name, deploymentConfig, name) => {
      const stack = newStack();
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { deploymentConfig }));
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: name });
    });

    test('WHEN minimumHealthyHosts is given THEN a deployment config with it is created next to the group', () => {
      const stack = newStack();
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(2) }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { MinimumHealthyHosts: { Type: 'HOST_COUNT', Value: 2 } });
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: { Ref: Match.stringLikeRegexp('^PipelineStagingDeploymentDeploymentConfig') } });
    });

    test('WHEN alarms are given THEN they roll back, with the default alarms unless turned off', () => {
      const stack = newStack();
      const group = webServers(stack, 'Web');
      const alarm = new cloudwatch.Alarm(stack, 'Latency', { metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Latency' }), threshold: 1, evaluationPeriods: 1 });
      single(stack, ServerDeployment.autoScalingGroup(group, { alarms: [alarm] }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('^Latency') } }] },
        AutoRollbackConfiguration: { Events: Match.arrayWith(['DEPLOYMENT_STOP_ON_ALARM']) },
      });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ServerNoRollbackAlarms'))).toEqual([]);
    });

    test('WHEN nothing can roll back on alarm THEN the pipeline warns and says what does', () => {
      const stack = newStack();
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web')));
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
        'environments\\[0\\]\\.deployment: no alarms roll the deployment .*no load balancer to watch.*CodeDeploy rolls back only when a lifecycle script fails .*ValidateService.*stopped'));
    });

    test('WHEN EC2 instances by tag are the target THEN the group names the tag groups, and its role may find tagged instances', () => {
      const stack = newStack();
      const instanceRole = iam.Role.fromRoleName(stack, 'InstanceRole', 'orders-instance');
      single(stack, ServerDeployment.ec2Instances(tags(), { instanceRoles: [instanceRole] }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        Ec2TagSet: { Ec2TagSetList: [{ Ec2TagGroup: [{ Key: 'app', Type: 'KEY_AND_VALUE', Value: 'orders' }, { Key: 'stage', Type: 'KEY_AND_VALUE', Value: 'staging' }] }] },
      });
      expect(policyOf(template, 'PipelineStagingDeploymentCodeDeployRole')).toEqual([
        { Sid: 'FindTheTaggedInstances', Effect: 'Allow', Action: ['tag:GetResources', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], Resource: '*' },
      ]);
      template.hasResourceProperties('AWS::IAM::Policy', { Roles: ['orders-instance'], PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DownloadRevisions' })]) } });
    });

    test('WHEN on-premises instances by tag are the target THEN the group names them, and its role has no policy (CodeDeploy finds its own instances)', () => {
      const stack = newStack();
      single(stack, ServerDeployment.onPremisesInstances(tags()));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { OnPremisesTagSet: { OnPremisesTagSetList: [{ OnPremisesTagGroup: Match.arrayWith([{ Key: 'app', Type: 'KEY_AND_VALUE', Value: 'orders' }]) }] } });
      expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.includes('CodeDeployRole'))).toEqual([]);
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('ServerInstanceRoleUnknown|cannot see the instance role'));
    });

    test('WHEN a role is passed THEN the group uses it and the pipeline creates none', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Mine', {
        assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSCodeDeployRole')],
      });
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { role }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { ServiceRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } });
      expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes('CodeDeployRole'))).toEqual([]);
    });
  });

  describe('least privilege', () => {
    test('THEN the deployment group\'s role has no managed policy, and each statement names what it is for', () => {
      const { template } = setup();
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] },
        ManagedPolicyArns: Match.absent(),
      });
      const statements = policyOf(template, 'PipelineProductionDeploymentCodeDeployRole');
      expect(statements.map((s) => s.Sid)).toEqual([
        'ManageTheGroupLaunchHook', 'ReadTheGroupAndItsInstancesAndWatchTheTargetGroup', 'MoveInstancesThroughTheTargetGroup', 'WatchTheRollbackAlarms',
      ]);
      // The reads without a resource type, the group's and the target group's, in one statement.
      expect(statements[1]).toEqual(expect.objectContaining({
        Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus',
          'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        Resource: '*',
      }));
      expect(statements[0]).toEqual(expect.objectContaining({
        Action: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/', { Ref: expect.stringMatching(/^ProductionASG/) }]] },
      }));
      expect(statements[2].Resource).toEqual({ Ref: expect.stringMatching(/^Web[0-9A-F]{8}$/) });
      expect(statements[3].Resource).toHaveLength(2);
    });

    test('THEN the group is created after its role\'s policy (CodeDeploy checks it when the group is created)', () => {
      const { template } = setup();
      const groups = template.findResources('AWS::CodeDeploy::DeploymentGroup');
      for (const group of Object.values(groups)) {
        expect(group.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/CodeDeployRoleDefaultPolicy/)]));
      }
    });

    test('THEN the deploy action may register revisions of its application and deploy with its group only, and the group\'s instances may download the revision', () => {
      const { template } = setup();
      const statements = policyOf(template, 'PipelineStagingDeployCodePipelineActionRole');
      expect(statements.slice(0, 3).map((s) => [s.Sid, s.Action])).toEqual([
        ['RegisterTheRevision', ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision']],
        ['DeployWithTheGroup', ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment']],
        ['ReadTheDeploymentConfig', 'codedeploy:GetDeploymentConfig'],
      ]);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^StagingInstanceRole') }],
        PolicyDocument: {
          Statement: [
            { Sid: 'DownloadRevisions', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactStoreBucket'), 'Arn'] }, '/*']] } },
            { Sid: 'DecryptRevisions', Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactStoreKey'), 'Arn'] } },
          ],
        },
      });
    });

    test('THEN cdk-nag AwsSolutions finds nothing unacknowledged in the pipeline', () => {
      const { pipeline } = setup();
      expect(nagFindings(pipeline)).toEqual([]);
    });
  });

  describe('the agent', () => {
    test('WHEN installAgent is true for an Auto Scaling group THEN an association installs AWSCodeDeployAgent on the group\'s instances and keeps it current', () => {
      const stack = newStack();
      single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { installAgent: true }));
      Template.fromStack(stack).hasResourceProperties('AWS::SSM::Association', {
        Name: 'AWS-ConfigureAWSPackage',
        Parameters: { action: ['Install'], installationType: ['Uninstall and reinstall'], name: ['AWSCodeDeployAgent'] },
        Targets: [{ Key: 'tag:aws:autoscaling:groupName', Values: [{ Ref: Match.stringLikeRegexp('^WebASG') }] }],
        ScheduleExpression: 'rate(14 days)',
      });
    });

    test('WHEN installAgent is true for tagged EC2 instances THEN one association per tag targets them', () => {
      const stack = newStack();
      single(stack, ServerDeployment.ec2Instances(new codedeploy.InstanceTagSet({ app: ['orders', 'billing'], legacy: [] }), { installAgent: true }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SSM::Association', 2);
      template.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag:app', Values: ['orders', 'billing'] }] });
      template.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag-key', Values: ['legacy'] }] });
    });

    test('WHEN installAgent is false THEN no association is created', () => {
      const { template } = setup();
      template.resourceCountIs('AWS::SSM::Association', 0);
    });
  });

  describe('validation', () => {
    const s = () => newStack();
    test.each<[string, (stack: Stack) => unknown, RegExp]>([
      ['group missing', (stack) => single(stack, ServerDeployment.autoScalingGroup(undefined as any)), /environments\[0\]\.deployment\.group is required/],
      ['group a name', (stack) => single(stack, ServerDeployment.autoScalingGroup('web-asg' as any)), /environments\[0\]\.deployment\.group must be an autoscaling\.IAutoScalingGroup, got "web-asg"/],
      ['tags missing', (stack) => single(stack, ServerDeployment.ec2Instances(undefined as any)), /environments\[0\]\.deployment\.tags is required/],
      ['tags a plain object', (stack) => single(stack, ServerDeployment.ec2Instances({ app: ['orders'] } as any)), /environments\[0\]\.deployment\.tags must be a codedeploy\.InstanceTagSet/],
      ['tags empty', (stack) => single(stack, ServerDeployment.onPremisesInstances(new codedeploy.InstanceTagSet())), /tags holds no tags/],
      ['deploymentConfig and minimumHealthyHosts', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), {
        deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE, minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1),
      })), /minimumHealthyHosts is given together with deploymentConfig/],
      ['deploymentConfig a name', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { deploymentConfig: 'CodeDeployDefault.AllAtOnce' as any })),
        /deploymentConfig must be a codedeploy\.IServerDeploymentConfig, got "CodeDeployDefault\.AllAtOnce"/],
      ['minimumHealthyHosts a number', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { minimumHealthyHosts: 2 as any })),
        /minimumHealthyHosts must be a codedeploy\.MinimumHealthyHosts, got 2/],
      ['loadBalancer a target group', (stack) => {
        const group = webServers(stack, 'Web');
        return single(stack, ServerDeployment.autoScalingGroup(group, { loadBalancer: webTargetGroup(stack, 'Tg', group) as any }));
      }, /loadBalancer must be created by a ServerLoadBalancer factory/],
      ['a network target group given as application', (stack) => {
        const group = webServers(stack, 'Web');
        const tg = new elbv2.NetworkTargetGroup(stack, 'Tg', { vpc: vpcOf(stack), port: 80 });
        return single(stack, ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(tg as any) }));
      }, /loadBalancer is a network target group \(TestStack\/Tg\), given to ServerLoadBalancer\.applicationTargetGroup\. Fix: use ServerLoadBalancer\.networkTargetGroup/],
      ['a target group on no load balancer with default alarms', (stack) => {
        const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc: vpcOf(stack), port: 80 });
        return single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { loadBalancer: ServerLoadBalancer.applicationTargetGroup(tg) }));
      }, /loadBalancer is a target group that is not attached to a load balancer/],
      ['defaultAlarms without a load balancer', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { defaultAlarms: true })),
        /defaultAlarms is true, but the default alarms watch the load balancer and none is given/],
      ['alarms not a list', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { alarms: 'errors' as any })), /alarms must be a list, got "errors"/],
      ['an alarm ARN string', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { alarms: ['arn:aws:cloudwatch:us-east-1:111111111111:alarm:a'] as any })),
        /alarms\[0\] must be a cloudwatch\.IAlarm/],
      ['11 alarms', (stack) => single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), {
        alarms: Array.from({ length: 11 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:us-east-1:111111111111:alarm:a${i}`)),
      })), /alarms holds 11 alarms .*more than the 10 CodeDeploy watches/],
      ['an alarm in another region', (stack) => {
        const elsewhere = new Stack(stack.node.root, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' } });
        const alarm = new cloudwatch.Alarm(elsewhere, 'A', { metric: new cloudwatch.Metric({ namespace: 'Acme', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
        return single(stack, ServerDeployment.autoScalingGroup(webServers(stack, 'Web'), { alarms: [alarm] }));
      }, /alarms\[0\] is in region eu-west-1 .*CodeDeploy uses it from there/],
      ['instanceRoles a role name', (stack) => single(stack, ServerDeployment.ec2Instances(tags(), { instanceRoles: ['web'] as any })), /instanceRoles\[0\] must be an iam\.IRole, got "web"/],
      ['role an ARN', (stack) => single(stack, ServerDeployment.ec2Instances(tags(), { role: 'arn:aws:iam::111111111111:role/x' as any })), /deployment\.role must be an iam\.IRole/],
      ['installAgent for on-premises instances', (stack) => single(stack, ServerDeployment.onPremisesInstances(tags(), { installAgent: true })),
        /installAgent is true for on-premises instances, whose CodeDeploy tags Systems Manager cannot target/],
      ['installAgent for two tag groups', (stack) => single(stack, ServerDeployment.ec2Instances(new codedeploy.InstanceTagSet({ app: ['a'] }, { stage: ['b'] }), { installAgent: true })),
        /installAgent is true for instances matched by 2 tag groups/],
      ['installAgent "yes"', (stack) => single(stack, ServerDeployment.ec2Instances(tags(), { installAgent: 'yes' as any })), /installAgent must be true or false, got "yes"/],
      ['deployment a plain object', (stack) => single(stack, { group: webServers(stack, 'Web') } as any), /environments\[0\]\.deployment must be created by a ServerDeployment factory/],
      ['two environments on one group', (stack) => {
        const group = webServers(stack, 'Web');
        return new ServerPipeline(stack, 'Pipeline', {
          source: githubSource(),
          appSpec: APP_SPEC,
          environments: [{ name: 'Staging', deployment: ServerDeployment.autoScalingGroup(group) }, { name: 'Production', deployment: ServerDeployment.autoScalingGroup(group) }],
        });
      }, /environments\[1\]\.deployment is the instances of environments\[0\] \("Staging"\) as well/],
      ['two environments on the same tags', (stack) => new ServerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        appSpec: APP_SPEC,
        environments: [{ name: 'Staging', deployment: ServerDeployment.ec2Instances(tags()) }, { name: 'Production', deployment: ServerDeployment.ec2Instances(tags()) }],
      }), /environments\[1\]\.deployment is the instances of environments\[0\] \("Staging"\) as well/],
    ])('WHEN %s THEN the library says so', (_name, build, error) => {
      expect(() => {
        const stack = s();
        build(stack);
        Template.fromStack(stack);
      }).toThrow(error);
    });

    test('GIVEN an ASG in another account\'s stack THEN its group, role and alarms are created there', () => {
      const stack = newStack();
      const other = new Stack(stack.node.root, 'Prod', { env: { account: '222222222222', region: 'us-east-1' } });
      const group = webServers(other, 'Web');
      single(stack, ServerDeployment.autoScalingGroup(group, { loadBalancer: ServerLoadBalancer.applicationTargetGroup(webTargetGroup(other, 'Tg', group)) }));
      const there = Template.fromStack(other);
      there.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
      there.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      there.hasResourceProperties('AWS::CodeDeploy::Application', { ApplicationName: Match.stringLikeRegexp('.+') });
      Template.fromStack(stack).resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
    });
  });
});
