import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BlueGreenDeploymentOptions, EcsContainerPipeline, EcsDeployment } from '../../src';
import { blueGreenFixture, fargateService, githubSource, nagFindings, newStack } from '../helpers';

function pipelineWith(stack: Stack, options: Partial<BlueGreenDeploymentOptions> = {}) {
  const f = blueGreenFixture(stack);
  const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{
      name: 'Production',
      deployment: EcsDeployment.blueGreen({
        service: f.service,
        listener: f.listener,
        testListener: f.testListener,
        blueTargetGroup: f.blueTargetGroup,
        greenTargetGroup: f.greenTargetGroup,
        ...options,
      }),
    }],
  });
  return { ...f, pipeline, template: Template.fromStack(stack) };
}

/** The buildspec, with the tokens of a Fn::Join (service names, hook ARNs) shown as <REF>. */
function buildSpecOf(template: Template, description = /^Test, build and push/): any {
  const projects = Object.values(template.findResources('AWS::CodeBuild::Project')).filter((p) => description.test(p.Properties.Description));
  expect(projects).toHaveLength(1);
  const spec = projects[0].Properties.Source.BuildSpec;
  const text = typeof spec === 'string' ? spec : (spec['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '<REF>')).join('');
  return JSON.parse(text);
}

describe('CodeDeploy blue/green', () => {
  test('creates an application and a deployment group with automatic rollback and a 15 minute rollback window', () => {
    const { template } = pipelineWith(newStack());
    template.resourceCountIs('AWS::CodeDeploy::Application', 1);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']) },
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [{ Name: { Ref: Match.stringLikeRegexp('TargetGroups5xxAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('TargetGroupsUnhealthyHostsAlarm') } }],
      },
      BlueGreenDeploymentConfiguration: Match.objectLike({
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 15 },
      }),
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [Match.objectLike({
          ProdTrafficRoute: { ListenerArns: [{ Ref: Match.stringLikeRegexp('^LbHttp') }] },
          TestTrafficRoute: { ListenerArns: [{ Ref: Match.stringLikeRegexp('^LbTest') }] },
        })],
      },
    });
  });

  test('GIVEN default alarms THEN each watches both target groups (CodeDeploy alternates which one holds the new tasks)', () => {
    const { template } = pipelineWith(newStack());
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const watched = (alarm: any, metricName: string) => {
      const metrics = (alarm.Metrics as any[]).filter((m) => m.MetricStat);
      expect(metrics.map((m) => m.MetricStat.Metric.MetricName)).toEqual([metricName, metricName]);
      return metrics.map((m) => JSON.stringify(m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'TargetGroup').Value)).sort();
    };
    const errors = alarms.find((a) => JSON.stringify(a).includes('HTTPCode_Target_5XX_Count'))!;
    const unhealthy = alarms.find((a) => JSON.stringify(a).includes('UnHealthyHostCount'))!;
    for (const [alarm, metricName] of [[errors, 'HTTPCode_Target_5XX_Count'], [unhealthy, 'UnHealthyHostCount']] as const) {
      const groups = watched(alarm, metricName);
      expect(groups).toHaveLength(2);
      expect(groups[0]).toMatch(/"Blue/);
      expect(groups[1]).toMatch(/"Green/);
    }
    expect(errors.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(tg0, 0) + FILL(tg1, 0)');
    expect(unhealthy.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([FILL(tg0, 0), FILL(tg1, 0)])');
  });

  test('given alarms are used; default alarms can be turned off by name', () => {
    const stack = newStack();
    const alarm = new cloudwatch.Alarm(stack, 'Latency', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Latency' }), threshold: 1, evaluationPeriods: 1 });
    const { template } = pipelineWith(stack, { alarms: [alarm], defaultAlarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('^Latency') } }] },
    });
  });

  test('traffic shifting and rollback window are configurable, 0 only when set explicitly', () => {
    const stack = newStack();
    const { template } = pipelineWith(stack, {
      deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
      rollbackWindow: Duration.minutes(0),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
      BlueGreenDeploymentConfiguration: Match.objectLike({ TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 0 } }),
    });
  });

  test('a custom deployment config works', () => {
    const stack = newStack();
    const config = new codedeploy.EcsDeploymentConfig(stack, 'Canary5', {
      trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({ interval: Duration.minutes(3), percentage: 5 }),
    });
    const { template } = pipelineWith(stack, { deploymentConfig: config });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: { Ref: Match.stringLikeRegexp('^Canary5') } });
  });

  test('the build writes the appspec (container, port, hooks) and imageDetail.json, never the task definition', () => {
    const stack = newStack();
    const hook = new lambda.Function(stack, 'Hook', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    const { template } = pipelineWith(stack, { hooks: { preTraffic: hook } });
    const spec = buildSpecOf(template);
    const commands = spec.phases.build.commands.join('\n');
    expect(commands).not.toMatch(/describe-services|describe-task-definition|taskdef/);
    expect(commands).toContain('> appspec-Production.yaml');
    expect(spec.artifacts.files).toEqual(['imageDetail.json', 'appspec-Production.yaml']);
    const appspec = spec.phases.build.commands.find((c: string) => c.endsWith('> appspec-Production.yaml'));
    expect(appspec).toBe("printf '%s\\n' 'version: 0.0' 'Resources:' '  - TargetService:' '      Type: AWS::ECS::Service' '      Properties:' " +
      "'        TaskDefinition: <TASK_DEFINITION>' '        LoadBalancerInfo:' '          ContainerName: \"web\"' '          ContainerPort: 80' " +
      "'Hooks:' '  - BeforeAllowTraffic: \"<REF>\"' > appspec-Production.yaml");
  });

  test('deploys with the CodeDeployToECS action and a least-privilege role', () => {
    const stack = newStack();
    const { template } = pipelineWith(stack);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: Match.arrayWith([Match.objectLike({
          ActionTypeId: Match.objectLike({ Provider: 'CodeDeployToECS' }),
          Configuration: Match.objectLike({
            TaskDefinitionTemplateArtifact: 'ProductionTaskDefinition',
            TaskDefinitionTemplatePath: 'taskdef.json',
            AppSpecTemplateArtifact: 'Build',
            AppSpecTemplatePath: 'appspec-Production.yaml',
            Image1ArtifactName: 'Build',
            Image1ContainerName: 'IMAGE1_NAME',
          }),
        })]),
      })]),
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const actionPolicy = Object.entries(policies).find(([id]) => id.startsWith('PipelineProductionDeployCodePipelineActionRole'))![1];
    const statements = actionPolicy.Properties.PolicyDocument.Statement as any[];
    const passRole = statements.find((s) => s.Action === 'iam:PassRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(JSON.stringify(stack.resolve(passRole.Resource))).toMatch(/ProductionTaskTaskRole/);
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual(['ecs:RegisterTaskDefinition']);
  });

  test('the CodeDeploy role has no managed policy and touches only this service and its listeners', () => {
    const { template } = pipelineWith(newStack());
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] } } });
    const [roleId, role] = Object.entries(roles)[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(roleId))!;
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const star = statements.filter((s) => s.Resource === '*').flatMap((s) => [].concat(s.Action)).sort();
    expect(star).toEqual([
      'ecs:CreateTaskSet',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
    const modify = statements.find((s) => s.Action === 'elasticloadbalancing:ModifyListener');
    expect(modify.Resource).toEqual([{ Ref: expect.stringMatching(/^LbHttp/) }, { Ref: expect.stringMatching(/^LbTest/) }]);
  });

  /** The statements of the CodeDeploy service role's policy. */
  function codeDeployRoleStatements(template: Template): any[] {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] } } });
    const [roleId] = Object.keys(roles);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(roleId))!;
    return policy.Properties.PolicyDocument.Statement;
  }

  test('GIVEN a blue/green service THEN ecs:CreateTaskSet is on "*" conditioned on ecs:service = the service (valid under old and new authorization data)', () => {
    const { template } = pipelineWith(newStack());
    const statements = codeDeployRoleStatements(template);
    const create = statements.filter((s) => [].concat(s.Action).includes('ecs:CreateTaskSet' as never));
    expect(create).toEqual([{
      Sid: 'CreateTaskSetsOfTheServiceOnly',
      Effect: 'Allow',
      Action: 'ecs:CreateTaskSet',
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:service': { Ref: expect.stringMatching(/^ProductionService/) } } },
    }]);
    const taskSets = statements.find((s) => s.Sid === 'ManageTheServiceTaskSets');
    expect(taskSets.Action).toEqual(['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:DeleteTaskSet']);
  });

  test('GIVEN the default alarms and one of the user\'s THEN cloudwatch:DescribeAlarms names exactly those alarms', () => {
    const stack = newStack();
    const own = cloudwatch.Alarm.fromAlarmArn(stack, 'Own', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop-latency');
    const { template } = pipelineWith(stack, { alarms: [own] });
    const describe = codeDeployRoleStatements(template).filter((s) => [].concat(s.Action).includes('cloudwatch:DescribeAlarms' as never));
    expect(describe).toHaveLength(1);
    expect(describe[0].Resource).toEqual([
      'arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop-latency',
      { 'Fn::GetAtt': [expect.stringMatching(/TargetGroups5xxAlarm/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/TargetGroupsUnhealthyHostsAlarm/), 'Arn'] },
    ]);
  });

  test('GIVEN no alarms at all THEN the CodeDeploy role cannot describe any alarm', () => {
    const { template } = pipelineWith(newStack(), { defaultAlarms: false });
    expect(JSON.stringify(codeDeployRoleStatements(template))).not.toContain('cloudwatch:DescribeAlarms');
  });

  test('GIVEN a created deployment group THEN it is created after its role\'s policy (CodeDeploy validates the role at creation)', () => {
    const { template } = pipelineWith(newStack());
    const [group] = Object.values(template.findResources('AWS::CodeDeploy::DeploymentGroup'));
    const policyIds = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => /BlueGreenCodeDeployRoleDefaultPolicy/.test(id));
    expect(policyIds).toHaveLength(1);
    expect(group.DependsOn).toEqual(expect.arrayContaining(policyIds));
  });

  test('an existing deployment group is used, and ignored options warn', () => {
    const stack = newStack();
    const f = blueGreenFixture(stack);
    const group = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Group', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'App', 'shop'),
      deploymentGroupName: 'shop-prod',
    });
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, deploymentGroup: group, rollbackWindow: Duration.minutes(30) }) }],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Actions: Match.arrayWith([Match.objectLike({ Configuration: Match.objectLike({ ApplicationName: 'shop', DeploymentGroupName: 'shop-prod' }) })]) })]),
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('rollbackWindow ignored because deploymentGroup is given'));
  });

  test('cdk-nag reports nothing unacknowledged', () => {
    const { pipeline } = pipelineWith(newStack());
    expect(nagFindings(pipeline)).toEqual([]);
  });

  describe('rejects', () => {
    test('a service whose deployment controller is not CODE_DEPLOY', () => {
      const stack = newStack();
      const f = blueGreenFixture(stack);
      const rolling = fargateService(stack, 'Rolling');
      expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: rolling, listener: f.listener, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.greenTargetGroup }) }],
      })).toThrow(/environments\[0\].deployment.service uses the "ECS" deployment controller, but CodeDeploy blue\/green needs CODE_DEPLOY.*Fix:/);
    });

    test('identical blue and green target groups', () => {
      const stack = newStack();
      const f = blueGreenFixture(stack);
      expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, listener: f.listener, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.blueTargetGroup }) }],
      })).toThrow(/greenTargetGroup must differ from blueTargetGroup.*blueGreen needs two distinct target groups/);
    });

    test.each([Duration.days(3), Duration.minutes(2881)])('a rollback window of %p', (rollbackWindow) => {
      expect(() => pipelineWith(newStack(), { rollbackWindow })).toThrow(/rollbackWindow must be between 0 minutes and 2 days/);
    });

    test('a listener not on the service\'s load balancer path', () => {
      const stack = newStack();
      const f = blueGreenFixture(stack);
      const other = new elbv2.ApplicationLoadBalancer(stack, 'Other', { vpc: f.vpc });
      const otherTarget = new elbv2.ApplicationTargetGroup(stack, 'OtherTg', { vpc: f.vpc, port: 80, targetType: elbv2.TargetType.IP });
      const foreign = other.addListener('Http', { port: 80, defaultTargetGroups: [otherTarget] });
      expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, listener: foreign, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.greenTargetGroup }) }],
      })).toThrow(/deployment.listener \(TestStack\/Other\/Http\) does not forward to the blue or green target group/);
    });

    test('a missing listener without deploymentGroup', () => {
      const stack = newStack();
      const f = blueGreenFixture(stack);
      expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.greenTargetGroup }) }],
      })).toThrow(/deployment.listener is required but was not given/);
    });

    test('default alarms with a network target group', () => {
      const stack = newStack();
      const f = blueGreenFixture(stack);
      const green = new elbv2.NetworkTargetGroup(stack, 'NlbGreen', { vpc: f.vpc, port: 80, targetType: elbv2.TargetType.IP });
      expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, listener: f.listener, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: green }) }],
      })).toThrow(/defaultAlarms need application \(ALB\) blue and green target groups/);
    });
  });

  describe('lifecycle hooks report their result', () => {
    const hookFn = (stack: Stack, id: string) => new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    /** The statements of the policies attached to a function's role. */
    function roleStatements(template: Template, fnId: string): any[] {
      const policies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(`${fnId}ServiceRole`));
      return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    }

    test('GIVEN hook functions THEN each may call codedeploy:PutLifecycleEventHookExecutionStatus (on "*": no resource type)', () => {
      const stack = newStack();
      const before = hookFn(stack, 'BeforeHook');
      const after = hookFn(stack, 'AfterHook');
      const { template } = pipelineWith(stack, { hooks: { postTestTraffic: before, preTraffic: before, postTraffic: after } });
      for (const id of ['BeforeHook', 'AfterHook']) {
        expect(roleStatements(template, id)).toEqual([{ Effect: 'Allow', Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: '*' }]);
      }
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('BlueGreenHookNotGranted'));
    });

    test('GIVEN a hook function with an existing deployment group THEN it is granted too (the appspec still names it)', () => {
      const stack = newStack();
      const hook = hookFn(stack, 'Hook');
      const f = blueGreenFixture(stack);
      const app = new codedeploy.EcsApplication(stack, 'App');
      const deploymentGroup = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Group', { application: app, deploymentGroupName: 'group' });
      new EcsContainerPipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [{ name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, deploymentGroup, hooks: { preTraffic: hook } }) }],
      });
      expect(roleStatements(Template.fromStack(stack), 'Hook')).toEqual([{ Effect: 'Allow', Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: '*' }]);
    });

    test('GIVEN an imported hook function THEN the pipeline warns what to grant', () => {
      const stack = newStack();
      const hook = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:hook');
      pipelineWith(stack, { hooks: { postTraffic: hook } });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('TestStack/Imported.*codedeploy:PutLifecycleEventHookExecutionStatus.*BlueGreenHookNotGranted'));
    });
  });
});

describe('ECS-native blue/green', () => {
  function nativeService(stack: Stack, withAlarms: boolean) {
    return fargateService(stack, 'Native', {
      circuitBreaker: false,
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      deploymentAlarms: withAlarms ? { alarmNames: ['shop-5xx'], behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } : undefined,
    });
  }

  test('deploys through the ECS action with the digest-pinned image definitions', () => {
    const stack = newStack();
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.ecsBlueGreen(nativeService(stack, true)) }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }) });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: Match.arrayWith([Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECS' }), Configuration: Match.objectLike({ FileName: 'imagedefinitions.json' }) })]),
      })]),
    });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Pipeline', Match.stringLikeRegexp('deployment alarms|circuit breaker'));
    expect(warnings).toHaveLength(0);
  });

  test('warns when the service has no deployment alarms', () => {
    const stack = newStack();
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.ecsBlueGreen(nativeService(stack, false)) }],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('uses the BLUE_GREEN deployment strategy but has no deployment alarms'));
  });

  test('rolling() of a BLUE_GREEN service also warns about missing alarms, not the circuit breaker', () => {
    const stack = newStack();
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.rolling(nativeService(stack, false)) }],
    });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('no deployment alarms'));
    expect(annotations.findWarning('/TestStack/Pipeline', Match.stringLikeRegexp('circuit breaker'))).toHaveLength(0);
  });

  test('rejects a service without the BLUE_GREEN strategy', () => {
    const stack = newStack();
    const rolling = fargateService(stack, 'Rolling');
    expect(() => new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [{ name: 'Production', deployment: EcsDeployment.ecsBlueGreen(rolling) }],
    })).toThrow(/has deployment strategy "ROLLING", but ecsBlueGreen\(\) needs BLUE_GREEN/);
  });
});

describe('build once, promote', () => {
  test('rolling staging and blue/green production deploy the same digest from one build', () => {
    const stack = newStack();
    const f = blueGreenFixture(stack);
    const staging = fargateService(stack, 'Staging');
    const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
        { name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, listener: f.listener, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.greenTargetGroup }) },
      ],
    });
    const template = Template.fromStack(stack);
    // The build, and Production's task definition capture.
    template.resourceCountIs('AWS::CodeBuild::Project', 2);
    const spec = buildSpecOf(template);
    // One push, by tag; both deploy files name the image by the digest of that push.
    expect(spec.phases.build.commands.join('\n').match(/docker push "\$REPOSITORY_URI:\$IMAGE_TAG"/g)).toHaveLength(1);
    expect(spec.phases.build.commands).toContain('printf \'[{"name":"%s","imageUri":"%s"}]\' \'web\' "$IMAGE_URI" > imagedefinitions.json');
    expect(spec.phases.build.commands).toContain('printf \'{"ImageURI":"%s"}\' "$IMAGE_URI" > imageDetail.json');
    expect(stack.resolve(pipeline.imageDigest)).toBe('#{Build_BuildAndTest_NS.IMAGE_DIGEST}');
  });
});

describe('CodeDeploy blue/green: the task definition is captured when the environment deploys', () => {
  function productionStage(template: Template): any {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
    return pipeline.Properties.Stages.find((st: any) => st.Name === 'Production');
  }

  /** Staging (rolling) → approval → Production (CodeDeploy blue/green). */
  function twoEnvironments(stack: Stack) {
    const f = blueGreenFixture(stack);
    const staging = fargateService(stack, 'Staging');
    new EcsContainerPipeline(stack, 'Pipeline', {
      source: githubSource(),
      environments: [
        { name: 'Staging', deployment: EcsDeployment.rolling(staging) },
        { name: 'Production', deployment: EcsDeployment.blueGreen({ service: f.service, listener: f.listener, blueTargetGroup: f.blueTargetGroup, greenTargetGroup: f.greenTargetGroup }) },
      ],
    });
    return Template.fromStack(stack);
  }

  test('GIVEN an approval before production THEN the capture runs after the approval and before the deployment, in the production stage', () => {
    const template = twoEnvironments(newStack());
    const stage = productionStage(template);
    expect(stage.Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([
      ['Approve', 'Manual', 1],
      ['CaptureTaskDefinition', 'CodeBuild', 2],
      ['Deploy', 'CodeDeployToECS', 3],
    ]);
    const [, capture, deploy] = stage.Actions;
    expect(capture.OutputArtifacts).toEqual([{ Name: 'ProductionTaskDefinition' }]);
    expect(deploy.InputArtifacts).toEqual([{ Name: 'Build' }, { Name: 'ProductionTaskDefinition' }]);
    expect(JSON.stringify(capture.Configuration.EnvironmentVariables)).toContain('{\\"name\\":\\"CONTAINER_NAME\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"web\\"}');
  });

  test('GIVEN a region with CodeBuild Lambda compute THEN the capture runs on Lambda compute; elsewhere on a small EC2 container', () => {
    const lambdaRegion = Template.fromStack((() => { const s = newStack(); pipelineWith(s); return s; })());
    lambdaRegion.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: Match.stringLikeRegexp('^Reads the current task definition'),
      Environment: Match.objectLike({ ComputeType: 'BUILD_LAMBDA_1GB', Type: 'LINUX_LAMBDA_CONTAINER' }),
    });
    const app = new App();
    const other = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'eu-north-1' } });
    pipelineWith(other);
    Template.fromStack(other).hasResourceProperties('AWS::CodeBuild::Project', {
      Description: Match.stringLikeRegexp('^Reads the current task definition'),
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL', Type: 'LINUX_CONTAINER' }),
    });
  });

  test('GIVEN the capture THEN its role describes only this service (DescribeTaskDefinition has no resource type) and the build reads no service', () => {
    const { template } = pipelineWith(newStack());
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const capture = policies.find(([id]) => id.startsWith('PipelineProductionTaskDefinitionProjectRole'))![1];
    const statements = capture.Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Sid === 'DescribeTheBlueGreenService').Resource).toEqual({ Ref: expect.stringMatching(/^ProductionService/) });
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual(['ecs:DescribeTaskDefinition']);
    const build = policies.find(([id]) => id.startsWith('PipelineBuildRole'))![1];
    expect(JSON.stringify(build.Properties.PolicyDocument)).not.toMatch(/ecs:Describe/);
  });

  test('GIVEN a newer revision of the service\'s family (a cdk deploy) WHEN the capture script runs THEN taskdef.json is that latest revision, with the image placeholder and without read-only fields', () => {
    const { template } = pipelineWith(newStack());
    const spec = buildSpecOf(template, /^Reads the current task definition/);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-'));
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    const latest = {
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/web:8',
      revision: 8,
      status: 'ACTIVE',
      requiresAttributes: [],
      compatibilities: ['FARGATE'],
      registeredAt: '2026-01-01T00:00:00Z',
      registeredBy: 'arn:aws:iam::111111111111:role/x',
      family: 'web',
      cpu: '256',
      memory: '1024',
      executionRoleArn: 'arn:aws:iam::111111111111:role/exec',
      environmentChangedMeanwhile: 'kept',
      containerDefinitions: [{ name: 'web', image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:old', essential: true }, { name: 'sidecar', image: 'public.ecr.aws/x/y:1' }],
    };
    fs.writeFileSync(path.join(bin, 'aws'), [
      '#!/bin/sh',
      'echo "$*" >> "$FAKE_ROOT/calls.log"',
      'case "$1 $2" in',
      '  "ecs describe-services") echo arn:aws:ecs:us-east-1:111111111111:task-definition/web:7;;',
      // The service runs revision 7; `--task-definition web` answers the family's latest ACTIVE revision.
      `  "ecs describe-task-definition") [ "$4" = web ] || { echo "not the family: $4" >&2; exit 2; }; cat <<'EOF'\n${JSON.stringify(latest)}\nEOF\n;;`,
      '  *) echo "unexpected: $*" >&2; exit 2;;',
      'esac',
    ].join('\n'), { mode: 0o755 });
    const script = spec.phases.build.commands.map((c: string) => `${c}\nrc=$?; [ "$rc" -eq 0 ] || exit "$rc"`).join('\n');
    const result = spawnSync('sh', ['-c', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: root, FAKE_ROOT: root, CLUSTER_NAME: 'prod', SERVICE_NAME: 'web', CONTAINER_NAME: 'web' },
    });
    const calls = fs.readFileSync(path.join(root, 'calls.log'), 'utf8');
    const written = result.status === 0 ? JSON.parse(fs.readFileSync(path.join(root, 'taskdef.json'), 'utf8')) : undefined;
    fs.rmSync(root, { recursive: true, force: true });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(calls).toContain('ecs describe-services --cluster prod --services web');
    expect(calls).toContain('ecs describe-task-definition --task-definition web --query taskDefinition');
    expect(written).toEqual({
      family: 'web',
      cpu: '256',
      memory: '1024',
      executionRoleArn: 'arn:aws:iam::111111111111:role/exec',
      environmentChangedMeanwhile: 'kept',
      containerDefinitions: [{ name: 'web', image: '<IMAGE1_NAME>', essential: true }, { name: 'sidecar', image: 'public.ecr.aws/x/y:1' }],
    });
    expect(spec.artifacts.files).toEqual(['taskdef.json']);
  });
});
