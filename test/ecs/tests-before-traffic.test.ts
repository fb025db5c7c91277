import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EcsContainerPipeline, EcsDeployment, EcsEnvironment } from '../../src';
import { fargateService, githubSource, nagFindings, newStack } from '../helpers';

/** GIVEN a CODE_DEPLOY service behind an ALB with blue and green target groups (and a test listener). */
function blueGreen(stack: Stack, { testListener = true }: { testListener?: boolean } = {}) {
  const service = fargateService(stack, 'Production', { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blueTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const greenTargetGroup = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  const test = testListener ? lb.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] }) : undefined;
  service.attachToApplicationTargetGroup(blueTargetGroup);
  // Without a test listener the green group is on no load balancer, so it has no metrics to alarm on.
  const alarms = testListener ? {} : { defaultAlarms: false, alarms: [new cloudwatch.Alarm(stack, 'Errors', { metric: blueTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT), threshold: 1, evaluationPeriods: 1 })] };
  return EcsDeployment.blueGreen({ service, listener, testListener: test, blueTargetGroup, greenTargetGroup, ...alarms });
}

function pipelineWith(stack: Stack, environment: Partial<EcsEnvironment>, deployment = blueGreen(stack)) {
  const pipeline = new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{
      name: 'Production',
      deployment,
      postDeployTests: { commands: ['npm run smoke'] },
      environmentVariables: { TEST_URL: 'http://test.example:8080' },
      ...environment,
    }],
  });
  return { pipeline, template: Template.fromStack(stack) };
}

function stageOf(template: Template, name: string): any {
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages.find((s: any) => s.Name === name);
}

function testProject(template: Template): any {
  const projects = Object.values(template.findResources('AWS::CodeBuild::Project'))
    .filter((p) => /^Post-deploy tests/.test(p.Properties.Description));
  expect(projects).toHaveLength(1);
  return projects[0];
}

function specOf(project: any): any {
  const spec = project.Properties.Source.BuildSpec;
  return JSON.parse(typeof spec === 'string' ? spec : (spec['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : '<REF>')).join(''));
}

describe('CodeDeploy blue/green with a test listener: post-deploy tests before production traffic', () => {
  test('the deployment group waits for the tests (STOP_DEPLOYMENT after the tests\' timeout + 5 minutes)', () => {
    const { template } = pipelineWith(newStack(), {});
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({
        DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 25 },
      }),
    });
  });

  test('the wait follows the tests\' own timeout', () => {
    const { template } = pipelineWith(newStack(), { postDeployTests: { commands: ['npm run smoke'], timeout: Duration.minutes(40) } });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 45 } }),
    });
  });

  test('the tests run beside the CodeDeploy action (same run order), and nothing runs after it', () => {
    const { template } = pipelineWith(newStack(), {});
    const stage = stageOf(template, 'Production');
    const deploy = stage.Actions.find((a: any) => a.ActionTypeId.Provider === 'CodeDeployToECS');
    const tests = stage.Actions.filter((a: any) => a.Name === 'PostDeployTests');
    expect(tests).toHaveLength(1);
    expect(tests[0].RunOrder).toBe(deploy.RunOrder);
    expect(Math.max(...stage.Actions.map((a: any) => a.RunOrder))).toBe(deploy.RunOrder);
    // CodeDeploy itself rolls back a deployment the tests stop: no stage rollback of a release
    // that never took production traffic.
    expect(stage.OnFailure).toBeUndefined();
  });

  test('the build waits for the deployment, runs the user\'s commands, then releases or stops it', () => {
    const { template } = pipelineWith(newStack(), { postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'] } });
    const spec = specOf(testProject(template));
    expect(spec.phases.install.commands.slice(-2)).toEqual(['bash "$GATE_DIR/gate.sh" wait', 'npm ci']);
    expect(spec.phases.install.finally).toEqual([expect.stringContaining('gate.sh" abort')]);
    expect(spec.phases.build.commands).toEqual(['npm run smoke']);
    expect(spec.phases.post_build.commands).toEqual(['bash "$GATE_DIR/gate.sh" release']);
    const stage = stageOf(template, 'Production');
    const action = stage.Actions.find((a: any) => a.Name === 'PostDeployTests');
    const variables = JSON.stringify(action.Configuration.EnvironmentVariables);
    for (const name of ['GATE_APPLICATION', 'GATE_DEPLOYMENT_GROUP', 'SOURCE_REVISION']) {
      expect(variables).toContain(name);
    }
    expect(variables).toContain('\\"name\\":\\"GATE_WAIT_SECONDS\\",\\"type\\":\\"PLAINTEXT\\",\\"value\\":\\"1500\\"');
    // Same account and region: no role to assume, no region to switch to.
    expect(variables).not.toContain('GATE_ROLE_ARN');
    expect(variables).not.toContain('GATE_REGION');
  });

  test('the test role finds the deployment of its group only, and may continue or stop it', () => {
    const { template } = pipelineWith(newStack(), {});
    const role = testProject(template).Properties.ServiceRole['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'FindTheDeploymentToTest', Action: 'codedeploy:ListDeployments', Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) }),
      expect.objectContaining({ Sid: 'HoldOrReleaseTheDeployment', Action: ['codedeploy:ContinueDeployment', 'codedeploy:StopDeployment'], Resource: '*' }),
    ]));
  });

  test('without a test listener the tests run after the traffic shift, and the group does not wait', () => {
    const stack = newStack();
    const { template } = pipelineWith(stack, {}, blueGreen(stack, { testListener: false }));
    const stage = stageOf(template, 'Production');
    const deploy = stage.Actions.find((a: any) => a.ActionTypeId.Provider === 'CodeDeployToECS');
    const tests = stage.Actions.find((a: any) => a.Name === 'PostDeployTests');
    expect(tests.RunOrder).toBe(deploy.RunOrder + 1);
    expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 } }),
    });
    expect(JSON.stringify(specOf(testProject(template)))).not.toContain('gate.sh');
  });

  test('without post-deploy tests the group does not wait', () => {
    const stack = newStack();
    new EcsContainerPipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Production', deployment: blueGreen(stack) }] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 } }),
    });
  });

  test('postDeployTestProject() gives the gated project', () => {
    const { pipeline, template } = pipelineWith(newStack(), {});
    expect(pipeline.postDeployTestProject('Production')).toBeDefined();
    expect(testProject(template)).toBeDefined();
  });

  test('no unacknowledged cdk-nag findings', () => {
    const { pipeline } = pipelineWith(newStack(), {});
    expect(nagFindings(pipeline)).toEqual([]);
  });

  test('a service in another account: a gate role there, trusting only the tests\' role', () => {
    const app = new App();
    const tools = new Stack(app, 'Tools', { env: { account: '111111111111', region: 'us-east-1' } });
    const prod = new Stack(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(prod, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    const cluster = new ecs.Cluster(prod, 'Cluster', { vpc, clusterName: 'shop', containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(prod, 'WebTask');
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });
    const service = new ecs.FargateService(prod, 'Web', {
      cluster, taskDefinition, serviceName: 'web', assignPublicIp: true, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });
    const lb = new elbv2.ApplicationLoadBalancer(prod, 'Lb', { vpc });
    const blueTargetGroup = new elbv2.ApplicationTargetGroup(prod, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const greenTargetGroup = new elbv2.ApplicationTargetGroup(prod, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
    const testListener = lb.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
    service.attachToApplicationTargetGroup(blueTargetGroup);
    new EcsContainerPipeline(tools, 'Pipeline', {
      source: githubSource(),
      environments: [{
        name: 'Production',
        deployment: EcsDeployment.blueGreen({ service, listener, testListener, blueTargetGroup, greenTargetGroup }),
        postDeployTests: { commands: ['npm run smoke'] },
      }],
    });
    const target = Template.fromStack(prod);
    target.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('hold and release its blue/green deployment'),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { AWS: Match.anyValue() },
          Condition: { ArnEquals: { 'aws:PrincipalArn': Match.anyValue() } },
        })],
      },
    });
    const toolsTemplate = Template.fromStack(tools);
    const stage = stageOf(toolsTemplate, 'Production');
    const action = stage.Actions.find((a: any) => a.Name === 'PostDeployTests');
    const variables = JSON.stringify(action.Configuration.EnvironmentVariables);
    expect(variables).toContain('GATE_ROLE_ARN');
    expect(variables).toContain('GATE_REGION');
    expect(variables).toContain('eu-west-1');
    toolsTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AssumeTheDeploymentGateRole', Action: 'sts:AssumeRole' })]) },
    });
    expect(nagFindings(tools)).toEqual([]);
    // The library's resources in the service's stack (the app's VPC, load balancer and service are the user's).
    const gateRole = prod.node.findAll().find((c) => c.node.id === 'ProductionGateRole')!;
    expect(gateRole).toBeDefined();
    expect(nagFindings(gateRole.node.scope!)).toEqual([]);
  });
});

/**
 * The gate's script, run in bash with a fake `aws` that answers as CodeDeploy would and records
 * each call: what the build does in each case.
 */
describe('the deployment gate script', () => {
  function gateScript(): string {
    const stack = newStack();
    const { template } = pipelineWith(stack, {});
    const spec = specOf(testProject(template));
    // The command that writes the script, as the build runs it.
    return spec.phases.install.commands[1];
  }
  const writer = gateScript();

  function run(mode: string, { ready = ['', 'd-1'], active = ['d-1'], succeeding = '1', deployment = 'd-1', waitSeconds = '600' } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    const calls = path.join(dir, 'calls');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // Each list-deployments answer is taken in turn from the files ready / active.
    fs.writeFileSync(path.join(dir, 'ready'), ready.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'active'), active.join('\n') + '\n');
    fs.writeFileSync(path.join(bin, 'aws'), [
      '#!/bin/bash',
      `echo "$*" >> ${calls}`,
      'next() { f="$1"; v="$(head -n1 "$f")"; tail -n +2 "$f" > "$f.t"; [ -s "$f.t" ] && mv "$f.t" "$f" || rm -f "$f.t"; [ -n "$v" ] && echo "$v" || echo None; }',
      'case "$*" in',
      `  *"--include-only-statuses Ready"*) next ${dir}/ready;;`,
      `  *"--include-only-statuses Created Queued InProgress"*) next ${dir}/active;;`,
      'esac',
    ].join('\n'), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n', { mode: 0o755 });
    const script = [
      'export GATE_DIR="$(mktemp -d)"',
      writer,
      deployment ? `echo ${deployment} > "$GATE_DIR/deployment"` : '',
      `bash "$GATE_DIR/gate.sh" ${mode}`,
    ].join('\n');
    const result = spawnSync('bash', ['-c', script], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GATE_APPLICATION: 'App',
        GATE_DEPLOYMENT_GROUP: 'Group',
        GATE_WAIT_SECONDS: waitSeconds,
        CODEBUILD_BUILD_SUCCEEDING: succeeding,
      },
      encoding: 'utf8',
    });
    const made = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: made };
  }

  test('wait: polls until the deployment is Ready', () => {
    const r = run('wait', { deployment: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Deployment d-1 is ready');
    expect(r.calls.filter((c) => c.includes('list-deployments'))).toHaveLength(3);
    expect(r.calls[0]).toContain('--application-name App --deployment-group-name Group');
  });

  test('wait: fails when the deployment ends before it is ready', () => {
    const r = run('wait', { ready: ['', '', ''], active: ['d-1', ''], deployment: '' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Deployment d-1 ended before it was ready to be tested');
  });

  test('wait: fails when no deployment becomes ready within the wait time', () => {
    const r = run('wait', { ready: [''], active: [''], deployment: '', waitSeconds: '0' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('No deployment of App/Group became ready to be tested');
  });

  test('release after passing tests: continues the deployment (production traffic shifts)', () => {
    const r = run('release');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['deploy continue-deployment --deployment-id d-1 --deployment-wait-type READY_WAIT']);
  });

  test('release after failing tests: stops the deployment with rollback', () => {
    const r = run('release', { succeeding: '0' });
    expect(r.calls).toEqual(['deploy stop-deployment --deployment-id d-1 --auto-rollback-enabled']);
  });

  test('abort: stops the deployment only when the build is failing', () => {
    expect(run('abort', { succeeding: '1' }).calls).toEqual([]);
    expect(run('abort', { succeeding: '0' }).calls).toEqual(['deploy stop-deployment --deployment-id d-1 --auto-rollback-enabled']);
  });
});

test('a bake without alarms watches the blue/green deployment\'s rollback alarms (5xx, unhealthy hosts)', () => {
  const { template } = pipelineWith(newStack(), { bake: { duration: Duration.minutes(10) } });
  const stage = stageOf(template, 'Production');
  const watched = stage.OnSuccess.Conditions[0].Rules.map((r: any) => r.Configuration.AlarmName.Ref);
  expect(watched).toEqual([expect.stringMatching(/TargetGroups5xxAlarm/), expect.stringMatching(/TargetGroupsUnhealthyHostsAlarm/)]);
});
