/**
 * Gate: every role a pipeline's actions run as (and every service role the pipelines hand to
 * AWS services) allows what the AWS documentation lists for that action, on the resources the
 * action uses. Needs and their sources: ./action-needs.ts; evaluator: ./iam-eval.ts.
 */
import { CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentControllerType } from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ACTION_NEEDS,
  ACTION_ROLE_DOC,
  CODEBUILD_SERVICE_ROLE_DOC,
  CODEDEPLOY_ECS_DOC,
  CODEDEPLOY_HOOK_DOC,
  configResource,
  CROSS_REGION_ARTIFACTS_DOC,
  ecsServiceId,
  ECR_PULL_DOC,
  INSPECTOR_ECR_DOC,
  Need,
  PipelineAction,
  taskRolesOf,
  viaS3,
} from './action-needs';
import { AppModel, identityMay, policiesAttachedTo, roleMay, TemplateModel, trustAllows } from './iam-eval';
import { AWS_MANAGED_POLICIES } from './managed-policies';
import { actionName, ExampleStack, exampleStacks, logicalIdOf, pipelineActions } from './support';
import { EcsContainerPipeline, EcsDeployment, PipelineSource } from '../../src';
import { fargateService, githubSource } from '../helpers';
import { newGateStack } from '../security/support';

const stacks = exampleStacks();
const all: Array<{ s: ExampleStack; a: PipelineAction }> = stacks.flatMap((s) => pipelineActions(s).map((a) => ({ s, a })));

/**
 * Each need the role (of template `m`) does not get, as a message (none: all granted), with the
 * resource policies of every template of `app` (default: `m` alone), across accounts as AWS
 * evaluates them.
 */
function missing(m: TemplateModel, roleId: string, needs: Need[], app?: AppModel): string[] {
  return needs.flatMap((need) => {
    const d = roleMay(m, roleId, need, app);
    return d.decision === 'allow' ? [] : [`${roleId} lacks ${need.action} on ${need.resource}${need.context ? ` ${JSON.stringify(need.context)}` : ''} (${d.decision}): ${need.why}`];
  });
}

/** The action, judged in `m` (a modified copy of its role's template) in place of its template. */
const withModel = (a: PipelineAction, m: TemplateModel): PipelineAction =>
  ({ ...a, m, pipelineM: a.pipelineM === a.m ? m : a.pipelineM, app: a.app.with(m) });

const providerOf = (a: PipelineAction) => `${a.declaration.ActionTypeId.Category}/${a.declaration.ActionTypeId.Provider}`;
const entryFor = (a: PipelineAction) => ACTION_NEEDS.find((e) => `${e.category}/${e.provider}` === providerOf(a));

describe('the action needs table', () => {
  test('every example has a library pipeline with actions', () => {
    for (const name of new Set(stacks.map((s) => s.example.example.name))) {
      expect(all.filter(({ s }) => s.example.example.name === name).length).toBeGreaterThan(0);
    }
  });

  test('every action provider the examples use has documented needs', () => {
    const unknown = [...new Set(all.map(({ a }) => providerOf(a)).filter((p) => !ACTION_NEEDS.some((e) => `${e.category}/${e.provider}` === p)))];
    expect(unknown).toEqual([]);
  });

  test('every entry cites an AWS page and quotes a permission list', () => {
    for (const entry of ACTION_NEEDS) {
      expect(entry.docs.length).toBeGreaterThan(0);
      for (const doc of entry.docs) {
        expect(doc.url).toMatch(/^https:\/\//);
        expect(doc.quote.length).toBeGreaterThan(20);
      }
    }
  });
});

describe.each(all.map(({ s, a }) => [actionName(s, a), s, a] as const))('%s', (_name, _s, a) => {
  test('its role holds what the action reference lists, on the resources it uses', () => {
    const entry = entryFor(a);
    expect(entry).toBeDefined();
    const needs = entry!.needs(a);
    expect(needs.length).toBeGreaterThan(0);
    expect(missing(a.m, a.roleId, needs, a.app)).toEqual([]);
  });

  if (a.declaration.RoleArn !== undefined) {
    test(`the pipeline role may assume the action role (${ACTION_ROLE_DOC.url})`, () => {
      const pm = a.pipelineM;
      const pipelineRole = pm.logicalIdOf(pm.resource(a.pipelineId).Properties.RoleArn)!;
      // The action role's ARN as its own template gives it (a literal when it is another account's).
      const assume: Need = { action: 'sts:AssumeRole', resource: a.m.arnOf(a.roleId), why: 'assume the action role' };
      // The pipeline role's policy allows it by itself (whatever the trust policy says)...
      expect(identityMay(pm, pipelineRole, assume).decision).toBe('allow');
      // ...the action role's trust policy admits the pipeline role (conditions on aws:PrincipalArn included)...
      expect(trustAllows(a.m, a.roleId, { arn: pm.arnOf(pipelineRole), account: pm.account }).decision).toBe('allow');
      // ...and the two together, as AWS evaluates them (across accounts: both needed).
      expect(missing(pm, pipelineRole, [assume], a.app)).toEqual([]);
    });
  }
});

/** Each artifact store of a pipeline in another region than the pipeline's, with the actions that run there. */
const replicated = stacks.flatMap((s) => s.m.idsOfType('AWS::CodePipeline::Pipeline').filter((id) => s.libraryIds.has(id)).flatMap((pipelineId) => {
  const ofPipeline = all.map(({ a }) => a).filter((a) => a.pipelineM === s.m && a.pipelineId === pipelineId);
  return [...new Set(ofPipeline.filter((a) => a.region !== s.m.region).map((a) => a.region))]
    .map((region) => ({ s, pipelineId, region, actions: ofPipeline.filter((a) => a.region === region) }));
}));

describe.each(replicated.map((r) => [`${r.s.example.example.name} ${r.pipelineId.replace(/[0-9A-F]{8}$/, '')}: the artifact store of ${r.region}`, r] as const))('%s', (_name, r) => {
  test(`the pipeline role may copy the artifacts there (${CROSS_REGION_ARTIFACTS_DOC.page})`, () => {
    const m = r.s.m;
    const pipelineRole = m.logicalIdOf(m.resource(r.pipelineId).Properties.RoleArn)!;
    const a = r.actions[0];
    const needs: Need[] = [{ action: 's3:PutObject', resource: `${a.bucketArn}/*`, why: `copy the input artifacts to ${r.region}` }];
    if (a.keyArn !== undefined) {
      needs.push({ action: 'kms:GenerateDataKey', resource: a.keyArn, context: viaS3(a), why: `encrypt the copies with the key of ${r.region}` });
    }
    if (r.actions.some((x) => (x.declaration.OutputArtifacts ?? []).length > 0)) {
      needs.push({ action: 's3:GetObject', resource: `${a.bucketArn}/*`, why: `copy the output artifacts back from ${r.region}` });
      if (a.keyArn !== undefined) {
        needs.push({ action: 'kms:Decrypt', resource: a.keyArn, context: viaS3(a), why: `decrypt the output artifacts of ${r.region}` });
      }
    }
    expect(missing(m, pipelineRole, needs, r.s.app)).toEqual([]);
  });
});

/** The CodeBuild projects the pipelines start, with the action that starts them. */
const builds = all.filter(({ a }) => a.declaration.ActionTypeId.Provider === 'CodeBuild');

describe.each(builds.map(({ s, a }) => [actionName(s, a), a] as const))('%s: the project service role', (_name, a) => {
  test(`holds what a build needs (${CODEBUILD_SERVICE_ROLE_DOC.url})`, () => {
    // The project is in the action's template (another account's for a deploy there), so are its
    // role and logs; the artifacts are in the store of its region.
    const m = a.m;
    const projectId = configResource(a, 'ProjectName', 'AWS::CodeBuild::Project');
    const project = m.resource(projectId).Properties;
    const roleId = m.logicalIdOf(project.ServiceRole);
    expect(roleId).toBeDefined();
    const needs: Need[] = [
      { action: 's3:GetBucketAcl', resource: a.bucketArn, why: 'check the artifact bucket' },
      { action: 's3:GetBucketLocation', resource: a.bucketArn, why: 'check the artifact bucket' },
    ];
    const group = project.LogsConfig?.CloudWatchLogs;
    if (group?.Status !== 'DISABLED') {
      const name = group?.GroupName !== undefined ? m.canon(group.GroupName) : `/aws/codebuild/${m.nameOf(projectId)}`;
      const streams = `arn:${m.partition}:logs:${m.region}:${m.account}:log-group:${name}:log-stream:*`;
      needs.push(
        { action: 'logs:CreateLogStream', resource: streams, why: `write the build log to ${name}` },
        { action: 'logs:PutLogEvents', resource: streams, why: `write the build log to ${name}` },
      );
    }
    if ((a.declaration.InputArtifacts ?? []).length > 0) {
      needs.push({ action: 's3:GetObject', resource: `${a.bucketArn}/*`, why: 'download the input artifact' });
      if (a.keyArn !== undefined && project.EncryptionKey !== undefined) {
        // The input artifact is encrypted with the store's key whatever the project's own key is.
        needs.push({ action: 'kms:Decrypt', resource: a.keyArn, context: viaS3(a), why: 'decrypt the input artifact (the artifact store\'s key, through S3)' });
      }
    }
    if ((a.declaration.OutputArtifacts ?? []).length > 0) {
      needs.push({ action: 's3:PutObject', resource: `${a.bucketArn}/*`, why: 'upload the output artifact' });
    }
    const key = project.EncryptionKey ?? (a.keyArn !== undefined ? { plain: a.keyArn } : undefined);
    if (key !== undefined) {
      const keyId = key.plain === undefined ? m.logicalIdOf(key) : undefined;
      const keyArn = key.plain ?? (keyId ? m.arnOf(keyId) : m.canon(key));
      needs.push(
        { action: 'kms:Decrypt', resource: keyArn, why: 'decrypt the input artifact' },
        { action: 'kms:GenerateDataKey', resource: keyArn, why: 'encrypt the output artifact' },
      );
    }
    expect(missing(m, roleId!, needs, a.app)).toEqual([]);
  });
});

/** Every ECS service a library pipeline deploys, with the pipeline that deploys it. */
interface DeployedService {
  readonly name: string;
  readonly s: ExampleStack;
  readonly a: PipelineAction;
  readonly serviceId: string;
}

function deployedServices(): DeployedService[] {
  const out: DeployedService[] = [];
  for (const { s, a } of all) {
    const m = a.m;
    const c = a.declaration.Configuration ?? {};
    if (a.declaration.ActionTypeId.Provider === 'ECS') {
      const serviceId = ecsServiceId(m, c.ClusterName, c.ServiceName);
      out.push({ name: `${actionName(s, a)} ${serviceId}`, s, a, serviceId });
    }
    if (a.declaration.ActionTypeId.Provider === 'CodeDeployToECS') {
      const group = m.resource(configResource(a, 'DeploymentGroupName', 'AWS::CodeDeploy::DeploymentGroup')).Properties;
      for (const svc of group.ECSServices ?? []) {
        const serviceId = ecsServiceId(m, svc.ClusterName, svc.ServiceName);
        out.push({ name: `${actionName(s, a)} ${serviceId}`, s, a, serviceId });
      }
    }
  }
  return out;
}

/** The release repository of the library pipeline whose template resource is `pipelineId`. */
function repositoryOf(s: ExampleStack, pipelineId: string): string | undefined {
  const owner = s.example.pipelines.find((p) => logicalIdOf(p.pipeline) === pipelineId);
  if (!(owner instanceof EcsContainerPipeline)) {
    return undefined;
  }
  const id = logicalIdOf(owner.repository);
  return id && s.m.has(id) ? id : undefined;
}

describe.each(deployedServices().map((d) => [d.name, d] as const))('%s', (_name, d) => {
  test(`the task execution role can pull the pipeline's image (${ECR_PULL_DOC.url})`, () => {
    const m = d.a.m;
    const repositoryId = repositoryOf(d.s, d.a.pipelineId);
    expect(repositoryId).toBeDefined();
    const { executionRoleId } = taskRolesOf(m, d.serviceId);
    // Without an execution role the agent has no credentials to pull a private image.
    expect(executionRoleId).toBeDefined();
    // The repository is the pipeline's (its template's ARN); the service may be another account's.
    const repo = d.s.m.arnOf(repositoryId!);
    expect(missing(m, executionRoleId!, [
      { action: 'ecr:BatchGetImage', resource: repo, why: 'pull the image manifest the deploy file names' },
      { action: 'ecr:GetDownloadUrlForLayer', resource: repo, why: 'pull the image layers' },
      { action: 'ecr:GetAuthorizationToken', resource: '*', why: 'log in to the registry (no resource type)' },
    ], d.a.app)).toEqual([]);
  });
});

/** The CodeDeploy ECS deployment groups the pipelines deploy through. */
const groups = all.filter(({ a }) => a.declaration.ActionTypeId.Provider === 'CodeDeployToECS')
  .map(({ s, a }) => ({ s, a, groupId: configResource(a, 'DeploymentGroupName', 'AWS::CodeDeploy::DeploymentGroup') }));

/** What a blue/green deployment of one group asks of its service role, from AWSCodeDeployRoleForECS. */
function blueGreenNeeds(m: TemplateModel, groupId: string): Need[] {
  const g = m.resource(groupId).Properties;
  const needs: Need[] = [];
  for (const svc of g.ECSServices ?? []) {
    const serviceId = ecsServiceId(m, svc.ClusterName, svc.ServiceName);
    const serviceArn = m.arnOf(serviceId);
    const cluster = m.clusterNameOf(serviceId);
    const clusterArn = `arn:${m.partition}:ecs:${m.region}:${m.account}:cluster/${cluster}`;
    const taskSet = `arn:${m.partition}:ecs:${m.region}:${m.account}:task-set/${cluster}/${m.nameOf(serviceId)}/ecs-svc/1234567890123456789`;
    const context = { 'ecs:service': serviceArn, 'ecs:cluster': clusterArn };
    needs.push({ action: 'ecs:DescribeServices', resource: serviceArn, context: { 'ecs:cluster': clusterArn }, why: 'read the service' });
    for (const action of ['ecs:CreateTaskSet', 'ecs:DeleteTaskSet', 'ecs:UpdateServicePrimaryTaskSet']) {
      needs.push({ action, resource: taskSet, context, why: 'run the green task set and swap' });
    }
    const roles = taskRolesOf(m, serviceId);
    for (const roleId of [roles.executionRoleId, roles.taskRoleId].filter((r): r is string => r !== undefined)) {
      needs.push({ action: 'iam:PassRole', resource: m.arnOf(roleId), context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, why: 'start the green tasks with the task roles' });
    }
  }
  for (const action of ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules']) {
    needs.push({ action, resource: '*', why: 'read the load balancer (no resource type)' });
  }
  for (const pair of g.LoadBalancerInfo?.TargetGroupPairInfoList ?? []) {
    for (const route of [pair.ProdTrafficRoute, pair.TestTrafficRoute].filter((r) => r !== undefined)) {
      for (const listener of route.ListenerArns ?? []) {
        const arn = m.canon(listener);
        needs.push({ action: 'elasticloadbalancing:ModifyListener', resource: arn, why: 'shift the listener' });
        needs.push({ action: 'elasticloadbalancing:ModifyRule', resource: `${arn.replace(':listener/', ':listener-rule/')}/rule-1`, why: 'shift the listener rules' });
      }
    }
  }
  if (g.AlarmConfiguration?.Enabled) {
    for (const alarm of g.AlarmConfiguration.Alarms ?? []) {
      needs.push({ action: 'cloudwatch:DescribeAlarms', resource: `arn:${m.partition}:cloudwatch:${m.region}:${m.account}:alarm:${m.canon(alarm.Name)}`, why: 'watch the rollback alarm' });
    }
  }
  return needs;
}

describe.each(groups.map(({ s, a, groupId }) => [`${actionName(s, a)} ${groupId}`, a, groupId] as const))('%s', (_name, a, groupId) => {
  const m = a.m;
  const serviceRole = () => m.logicalIdOf(m.resource(groupId).Properties.ServiceRoleArn)!;

  test(`the deployment group's service role holds what blue/green uses of AWSCodeDeployRoleForECS (${CODEDEPLOY_ECS_DOC.url})`, () => {
    expect(missing(m, serviceRole(), blueGreenNeeds(m, groupId), a.app)).toEqual([]);
  });

  test('ecs:CreateTaskSet is granted whether authorization names the task set or "*" (older Service Authorization data)', () => {
    const g = m.resource(groupId).Properties;
    const needs = (g.ECSServices ?? []).map((svc: any) => {
      const serviceId = ecsServiceId(m, svc.ClusterName, svc.ServiceName);
      return {
        action: 'ecs:CreateTaskSet',
        resource: '*',
        context: { 'ecs:service': m.arnOf(serviceId), 'ecs:cluster': `arn:${m.partition}:ecs:${m.region}:${m.account}:cluster/${m.clusterNameOf(serviceId)}` },
        why: 'CreateTaskSet authorized on "*"',
      };
    });
    expect(missing(m, serviceRole(), needs, a.app)).toEqual([]);
  });
});

describe('the needs pin the documented policies', () => {
  // The needs must not ask more than AWS's own policies grant: each documented policy, taken as
  // the role's only policy, satisfies the needs computed for the examples.
  const withPolicy = (statements: any[], fn: (m: TemplateModel, roleId: string) => void) => {
    for (const s of stacks) {
      const template = JSON.parse(JSON.stringify(s.m.template));
      template.Resources.DocumentedRole = { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: statements } }] } };
      fn(s.m.withTemplate(template), 'DocumentedRole');
    }
  };
  /** The template with one more role, DocumentedRole, whose only policy is `statements`. */
  const documented = (model: TemplateModel, statements: any[]) => {
    const template = JSON.parse(JSON.stringify(model.template));
    template.Resources.DocumentedRole = { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: statements } }] } };
    return model.withTemplate(template);
  };
  /**
   * The needs the role does not get. A resource of another account also needs its own resource
   * policy to name the role (the library's grant, judged above), which no documented policy
   * can: for those, the role's identity policy alone is judged.
   */
  const allowsAll = (m: TemplateModel, roleId: string, needs: Need[], app?: AppModel) => needs.filter((n) => {
    const apps = app?.with(m) ?? new AppModel([m]);
    const crossAccount = apps.accountOf(apps.resolveKey(n.resource), m.account) !== m.account;
    return crossAccount ? identityMay(m, roleId, { ...n, resource: apps.resolveKey(n.resource) }).decision !== 'allow' : roleMay(m, roleId, n, apps).decision !== 'allow';
  });

  test('AWSCodeDeployRoleForECS covers the blue/green needs', () => {
    // The quoted document and the evaluator's copy are the same policy.
    const policy = JSON.parse(`[${CODEDEPLOY_ECS_DOC.quote}]`);
    expect(policy).toEqual(AWS_MANAGED_POLICIES.AWSCodeDeployRoleForECS.statements);
    expect(groups.length).toBeGreaterThan(0);
    for (const { a, groupId } of groups) {
      const m = documented(a.m, policy);
      expect(allowsAll(m, 'DocumentedRole', blueGreenNeeds(m, groupId), a.app)).toEqual([]);
    }
  });

  test('AmazonECSTaskExecutionRolePolicy (as the ECR page names it) covers the pull needs', () => {
    const policy = [...AWS_MANAGED_POLICIES['service-role/AmazonECSTaskExecutionRolePolicy'].statements];
    withPolicy(policy, (m, roleId) => {
      const repo = `arn:aws:ecr:${m.region}:${m.account}:repository/shop`;
      expect(allowsAll(m, roleId, [
        { action: 'ecr:BatchGetImage', resource: repo, why: '' },
        { action: 'ecr:GetDownloadUrlForLayer', resource: repo, why: '' },
        { action: 'ecr:GetAuthorizationToken', resource: '*', why: '' },
      ])).toEqual([]);
    });
  });

  test('the published CodePipeline service role statements (plus artifact store access) cover the ECS, CodeBuild and CodeDeploy action needs', () => {
    // how-to-custom-role.md's statements; the last two stand for the artifact store (the published
    // policy grants s3:* and uses the AWS managed S3 key, the library a customer managed key).
    const published = [
      { Action: ['iam:PassRole'], Resource: '*', Effect: 'Allow', Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['cloudformation.amazonaws.com', 'elasticbeanstalk.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] } } },
      { Action: ['codedeploy:CreateDeployment', 'codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision'], Resource: '*', Effect: 'Allow' },
      { Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'], Resource: '*', Effect: 'Allow' },
      { Action: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:UpdateService'], Resource: '*', Effect: 'Allow' },
      { Action: ['s3:GetObject', 's3:PutObject'], Resource: '*', Effect: 'Allow' },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', Effect: 'Allow' },
    ];
    let checked = 0;
    for (const { a } of all.filter(({ a: x }) => ['ECS', 'CodeBuild', 'CodeDeployToECS'].includes(x.declaration.ActionTypeId.Provider))) {
      const m = documented(a.m, published);
      expect(allowsAll(m, 'DocumentedRole', entryFor(a)!.needs(withModel(a, m)), a.app)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('a codestar-connections grant does not cover a codeconnections connection, and the matching prefix does', () => {
    // A connection of the role's own account (one of another account would need its resource policy too).
    const arnIn = (m: TemplateModel) => `arn:aws:codeconnections:${m.region}:${m.account}:connection/00000000-0000-0000-0000-000000000000`;
    const need = (m: TemplateModel): Need => ({ action: 'codeconnections:UseConnection', resource: arnIn(m), why: '' });
    for (const [action, decision] of [['codestar-connections:UseConnection', 'implicit-deny'], ['codeconnections:UseConnection', 'allow']]) {
      for (const s of stacks) {
        const m = documented(s.m, [{ Effect: 'Allow', Action: action, Resource: arnIn(s.m) }]);
        expect(roleMay(m, 'DocumentedRole', need(m)).decision).toBe(decision);
      }
    }
  });
});

describe('an ECS blue/green pipeline with lifecycle hooks (no example has one)', () => {
  const stack = newGateStack();
  const service = fargateService(stack, 'Production', { deploymentController: DeploymentControllerType.CODE_DEPLOY, circuitBreaker: false });
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
  const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
  const testListener = lb.addListener('Test', { port: 8080, defaultTargetGroups: [green] });
  service.attachToApplicationTargetGroup(blue);
  const hook = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{
      name: 'Production',
      deployment: EcsDeployment.blueGreen({
        service,
        listener,
        testListener,
        blueTargetGroup: blue,
        greenTargetGroup: green,
        hooks: { preTraffic: hook('BeforeHook'), postTraffic: hook('AfterHook') },
      }),
    }],
  });
  const template = Template.fromStack(stack).toJSON();
  const m = new TemplateModel(template, { account: stack.account, region: stack.region });
  /** The functions CodeDeploy may invoke as hooks (the deployment group role's lambda:InvokeFunction). */
  const hookFunctions = m.idsOfType('AWS::IAM::Policy')
    .flatMap((id) => m.resource(id).Properties.PolicyDocument.Statement as any[])
    .filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'))
    .flatMap((st) => [st.Resource].flat().map((r: any) => m.logicalIdOf(r)))
    .filter((id): id is string => id !== undefined && m.resource(id).Type === 'AWS::Lambda::Function');

  test(`each hook function's role may report the hook's result (${CODEDEPLOY_HOOK_DOC.url})`, () => {
    expect(hookFunctions.sort()).toEqual([expect.stringMatching(/^AfterHook/), expect.stringMatching(/^BeforeHook/)]);
    for (const fn of hookFunctions) {
      const role = m.logicalIdOf(m.resource(fn).Properties.Role)!;
      expect(missing(m, role, [
        { action: 'codedeploy:PutLifecycleEventHookExecutionStatus', resource: '*', why: 'report Succeeded or Failed (no resource type)' },
      ])).toEqual([]);
    }
  });
});

describe('an ECS pipeline with the vulnerability gate (no example has one)', () => {
  // Built here with the gates' context: the examples do not switch the gate on.
  const stack = newGateStack();
  const service = fargateService(stack, 'Staging');
  new EcsContainerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    vulnerabilityGate: {},
  });
  const template = Template.fromStack(stack).toJSON();
  const m = new TemplateModel(template, { account: stack.account, region: stack.region });
  const gate = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::CodeBuild::Project' &&
    /Vulnerability gate/.test(String(template.Resources[id].Properties.Description)));
  const repository = m.idsOfType('AWS::ECR::Repository').find((id) => !/Cache/.test(id));

  const gateStack: ExampleStack = {
    example: { example: { name: 'gate-pipeline' } } as any,
    stackName: stack.stackName,
    m,
    libraryIds: new Set(Object.keys(template.Resources)),
  };
  const inspectorActions = pipelineActions(gateStack).filter((a) => a.declaration.ActionTypeId.Provider === 'InspectorScan');

  test('the gate is a CodeBuild project of the library, or CodePipeline\'s InspectorScan action with documented needs', () => {
    expect(repository).toBeDefined();
    if (gate === undefined) {
      // aws-cdk-lib's InspectorEcrImageScanAction: add its action reference's permissions to ACTION_NEEDS.
      expect(inspectorActions.length).toBeGreaterThan(0);
      for (const a of inspectorActions) {
        expect(entryFor(a)).toBeDefined();
      }
    }
  });

  if (gate !== undefined) {
    test(`the gate's role can read the scan of the image, basic and Amazon Inspector enhanced (${INSPECTOR_ECR_DOC.url})`, () => {
      const role = m.logicalIdOf(m.resource(gate).Properties.ServiceRole)!;
      expect(missing(m, role, [
        { action: 'ecr:DescribeImageScanFindings', resource: m.arnOf(repository!), why: 'wait for the scan and read its findings' },
        // Enhanced scanning: ECR's findings come from Amazon Inspector, read with these actions (no resource types).
        { action: 'inspector2:ListFindings', resource: '*', why: 'read the enhanced scan findings' },
        { action: 'inspector2:ListCoverage', resource: '*', why: 'read the enhanced scan status' },
      ])).toEqual([]);
    });
  }

  describe.each(pipelineActions(gateStack).filter((a) => entryFor(a) !== undefined).map((a) => [actionName(gateStack, a), a] as const))('%s', (_name, a) => {
    test('its role holds what the action reference lists, on the resources it uses', () => {
      expect(missing(a.m, a.roleId, entryFor(a)!.needs(a), a.app)).toEqual([]);
    });
  });
});

describe('the gate can fail', () => {
  test('removing the ECS deploy role\'s service statement makes the ECS action needs fail', () => {
    const ecs = all.find(({ a }) => a.declaration.ActionTypeId.Provider === 'ECS')!.a;
    const template = JSON.parse(JSON.stringify(ecs.m.template));
    for (const id of policiesAttachedTo(ecs.m, ecs.roleId)) {
      const doc = template.Resources[id].Properties.PolicyDocument;
      doc.Statement = doc.Statement.filter((st: any) => ![st.Action].flat().includes('ecs:UpdateService'));
    }
    const m = ecs.m.withTemplate(template);
    expect(missing(m, ecs.roleId, entryFor(ecs)!.needs(withModel(ecs, m)), ecs.app.with(m))).toEqual([
      expect.stringContaining('lacks ecs:DescribeServices'),
      expect.stringContaining('lacks ecs:UpdateService'),
    ]);
  });
});

describe('the gate can fail across accounts', () => {
  // The first ECS deploy of an example that runs as a role of another account's template.
  const found = all.find(({ a }) => a.declaration.ActionTypeId.Provider === 'ECS' && a.m.account !== a.pipelineM.account);
  const a = found!.a;
  const roleArn = () => a.m.arnOf(a.roleId);
  /** The pipeline's template without the resource-policy statements that name the action's role. */
  const withoutGrants = () => {
    const template = JSON.parse(JSON.stringify(a.pipelineM.template));
    for (const r of Object.values<any>(template.Resources)) {
      const doc = r.Type === 'AWS::KMS::Key' ? r.Properties.KeyPolicy : r.Type === 'AWS::S3::BucketPolicy' ? r.Properties.PolicyDocument : undefined;
      if (doc) {
        doc.Statement = doc.Statement.filter((st: any) => ![st.Principal?.AWS].flat().includes(roleArn()));
      }
    }
    return a.pipelineM.withTemplate(template);
  };

  test('an example deploys to another account', () => {
    expect(found).toBeDefined();
    expect(a.keyArn).toBeDefined();
  });

  test('without the artifact bucket and key policy grants, the other account\'s role may not read the artifacts, though its own policy allows it', () => {
    const needs = entryFor(a)!.needs(a).filter((n) => /^(s3|kms):/.test(n.action));
    expect(needs.map((n) => n.action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
    expect(needs.filter((n) => identityMay(a.m, a.roleId, n).decision !== 'allow')).toEqual([]);
    expect(missing(a.m, a.roleId, needs, a.app)).toEqual([]);
    expect(missing(a.m, a.roleId, needs, a.app.with(withoutGrants()))).toEqual([
      expect.stringContaining('lacks s3:GetObject'),
      expect.stringContaining('lacks kms:Decrypt'),
    ]);
  });

  test('a trust policy that admits another role of the pipeline account does not let the pipeline role assume the action role', () => {
    const template = JSON.parse(JSON.stringify(a.m.template));
    for (const st of template.Resources[a.roleId].Properties.AssumeRolePolicyDocument.Statement) {
      st.Condition = { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${a.pipelineM.account}:role/someone-else` } };
    }
    const m = a.m.withTemplate(template);
    const pm = a.pipelineM;
    const pipelineRole = pm.logicalIdOf(pm.resource(a.pipelineId).Properties.RoleArn)!;
    expect(trustAllows(m, a.roleId, { arn: pm.arnOf(pipelineRole), account: pm.account }).decision).toBe('implicit-deny');
    expect(missing(pm, pipelineRole, [{ action: 'sts:AssumeRole', resource: roleArn(), why: '' }], a.app.with(m))).toEqual([
      expect.stringContaining('lacks sts:AssumeRole'),
    ]);
  });
});

describe.each([
  ['a legacy codestar-connections ARN', 'arn:aws:codestar-connections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555'],
  ['a connection ARN known only at deploy time (a parameter)', undefined],
])('a pipeline whose source connection is %s', (_name, connectionArn) => {
  const stack = newGateStack();
  const arn = connectionArn ?? new CfnParameter(stack, 'ConnectionArn').valueAsString;
  const service = fargateService(stack, 'Staging');
  new EcsContainerPipeline(stack, 'Pipeline', {
    source: PipelineSource.connection({ connectionArn: arn, owner: 'acme', repo: 'shop', branch: 'main' }),
    environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
  });
  const template = Template.fromStack(stack).toJSON();
  const m = new TemplateModel(template, { account: stack.account, region: stack.region });
  const s: ExampleStack = { example: { example: { name: 'connection' } } as any, stackName: stack.stackName, m, libraryIds: new Set(Object.keys(template.Resources)) };
  const source = pipelineActions(s).find((a) => a.declaration.ActionTypeId.Provider === 'CodeStarSourceConnection')!;

  test('the source action role may use the connection with the prefix(es) its ARN can carry', () => {
    const needs = entryFor(source)!.needs(source);
    expect(needs.filter((n) => /UseConnection$/.test(n.action)).length).toBe(connectionArn ? 1 : 2);
    expect(missing(m, source.roleId, needs)).toEqual([]);
  });
});
