/**
 * EcsContainerPipeline deploying to services of other accounts and regions (issue 14): the
 * pipeline in the tools account 111111111111/us-east-1, a rolling staging service in
 * 222222222222/us-east-1, a CodeDeploy blue/green production service behind an ALB in
 * 333333333333/eu-west-1. Every role and grant of every stack is asserted, and the cdk-nag packs
 * and the least-privilege rules run over every stack.
 */
import { App, Names, PhysicalName, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EcsContainerPipeline, EcsDeployment } from '../../src';
import { githubSource } from '../helpers';
import { GATE_CONTEXT, leastPrivilegeViolations, NAG_PACKS, resourcesOf, runNagPack, statementsOf } from '../security/support';

const TOOLS = { account: '111111111111', region: 'us-east-1' };
const STAGING = { account: '222222222222', region: 'us-east-1' };
const PRODUCTION = { account: '333333333333', region: 'eu-west-1' };

/** A literal ARN as aws-cdk-lib renders it across environments (the partition of a known region is literal). */
function literalArn(rest: string): string {
  return `arn:aws${rest}`;
}

/** A named cluster and Fargate service in `stack` (named: the pipeline's stack names it). */
function namedService(stack: Stack, codeDeploy = false) {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [`${stack.region}a`, `${stack.region}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, clusterName: 'shop', containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'WebTask');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
  });
  const service = new ecs.FargateService(stack, 'Web', {
    cluster,
    taskDefinition,
    serviceName: 'web',
    assignPublicIp: true,
    circuitBreaker: codeDeploy ? undefined : { enable: true, rollback: true },
    deploymentController: codeDeploy ? { type: ecs.DeploymentControllerType.CODE_DEPLOY } : undefined,
  });
  return { vpc, service };
}

interface CrossEnvironmentApp {
  readonly app: App;
  readonly tools: Stack;
  readonly staging: Stack;
  readonly production: Stack;
  readonly pipeline: EcsContainerPipeline;
  readonly templates: { tools: Template; staging: Template; production: Template };
}

function crossEnvironmentApp(): CrossEnvironmentApp {
  const app = new App({ context: GATE_CONTEXT });
  const staging = new Stack(app, 'ShopStaging', { env: STAGING });
  const production = new Stack(app, 'ShopProduction', { env: PRODUCTION });
  const tools = new Stack(app, 'ShopTools', { env: TOOLS });
  const stagingService = namedService(staging).service;
  const { vpc, service } = namedService(production, true);
  const lb = new elbv2.ApplicationLoadBalancer(production, 'Lb', { vpc, internetFacing: true });
  const blueTargetGroup = new elbv2.ApplicationTargetGroup(production, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const greenTargetGroup = new elbv2.ApplicationTargetGroup(production, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  const testListener = lb.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  const pipeline = new EcsContainerPipeline(tools, 'Delivery', {
    source: githubSource(),
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(stagingService) },
      { name: 'Production', deployment: EcsDeployment.blueGreen({ service, listener, testListener, blueTargetGroup, greenTargetGroup }) },
    ],
  });
  app.synth();
  return {
    app,
    tools,
    staging,
    production,
    pipeline,
    templates: { tools: Template.fromStack(tools), staging: Template.fromStack(staging), production: Template.fromStack(production) },
  };
}

/** A statement with its actions (and resources, principals) in one order, as aws-cdk-lib may reorder them. */
function canonical(statement: any): any {
  const sorted = (v: any) => (Array.isArray(v) ? [...v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v);
  return { ...statement, Action: sorted(statement.Action), ...(statement.Resource !== undefined ? { Resource: sorted(statement.Resource) } : {}) };
}

/** The statements (canonical) of the inline policies attached to the role `id` of a template. */
function roleStatements(template: Template, id: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === id))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .map(canonical);
}

/** `arn:aws...` + the references in between, as aws-cdk-lib joins an ARN formatted with a reference in it. */
function joined(...parts: any[]): any {
  return { 'Fn::Join': ['', parts] };
}

/** The one role of a template whose logical id matches. */
function roleId(template: Template, pattern: RegExp): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
}

function roleName(template: Template, id: string): string {
  return template.toJSON().Resources[id].Properties.RoleName;
}

/** The trust of a role aws-cdk-lib or the library made for the pipeline's account: its root, only for that principal. */
function expectTrustsOnly(template: Template, id: string, principalArn: any) {
  expect(template.toJSON().Resources[id].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${TOOLS.account}:root` },
    Condition: { ArnEquals: { 'aws:PrincipalArn': principalArn } },
  }]);
}

/** Paths of what the library (and aws-cdk-lib for its pipeline) created in the workload stacks. */
function libraryPaths(pipeline: EcsContainerPipeline, stacks: Stack[]): string[] {
  const prefixes = [Names.uniqueId(pipeline), `${Names.uniqueId(pipeline.pipeline)}-`, 'CrossRegionReplicationSupport-'];
  return [pipeline.node.path, ...stacks.flatMap((s) => s.node.children
    .filter((c: IConstruct) => prefixes.some((p) => c.node.id.startsWith(p)))
    .map((c) => c.node.path))];
}

describe('GIVEN staging in another account and production in another account and region', () => {
  let env: CrossEnvironmentApp;
  beforeAll(() => {
    env = crossEnvironmentApp();
  });

  test('THEN the pipeline\'s stack deploys after both workload stacks, which do not depend on it', () => {
    const assembly = env.app.synth();
    expect(assembly.getStackByName('ShopTools').dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets')).sort()).toEqual(['ShopProduction', 'ShopStaging']);
    expect(assembly.getStackByName('ShopStaging').dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'))).toEqual([]);
    expect(assembly.getStackByName('ShopProduction').dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'))).toEqual([]);
  });

  describe('staging (rolling, 222222222222/us-east-1)', () => {
    test('THEN the ECS deploy action\'s role is in the staging stack, trusting only the pipeline role', () => {
      const { staging, tools } = env.templates;
      const id = roleId(staging, /StagingDeployActionRole/);
      const pipelineRole = roleName(tools, roleId(tools, /^DeliveryPipelineRole/));
      expect(typeof pipelineRole).toBe('string');
      expectTrustsOnly(staging, id, literalArn(`:iam::${TOOLS.account}:role/${pipelineRole}`));
    });

    test('THEN its statements name the staging service and read the tools artifact bucket and key only through S3', () => {
      const { staging, tools } = env.templates;
      const statements = roleStatements(staging, roleId(staging, /StagingDeployActionRole/));
      const serviceId = Object.keys(staging.findResources('AWS::ECS::Service'))[0];
      const clusterId = Object.keys(staging.findResources('AWS::ECS::Cluster'))[0];
      const bucketName = tools.toJSON().Resources[Object.keys(tools.findResources('AWS::S3::Bucket')).find((k) => /ArtifactStoreBucket/.test(k))!].Properties.BucketName;
      expect(typeof bucketName).toBe('string');
      expect(statements).toEqual([
        { Sid: 'UpdateTheService', Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: { Ref: serviceId } },
        { Sid: 'RegisterTaskDefinitionRevision', Effect: 'Allow', Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], Resource: '*' },
        {
          Sid: 'TagNewRevisionOnly',
          Effect: 'Allow',
          Action: 'ecs:TagResource',
          Resource: literalArn(`:ecs:${STAGING.region}:${STAGING.account}:task-definition/${env.staging.resolve((env.staging.node.findChild('WebTask') as ecs.TaskDefinition).family)}:*`),
          Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
        },
        { Sid: 'WatchTheServiceTasks', Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [clusterId, 'Arn'] } } } },
        {
          Sid: 'DescribeTheClusterTasks',
          Effect: 'Allow',
          Action: 'ecs:DescribeTasks',
          Resource: joined(`arn:aws:ecs:${STAGING.region}:${STAGING.account}:task/`, { Ref: clusterId }, '/*'),
        },
        {
          Sid: 'PassOnlyTheTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          // The staging task definition's own roles, in its own stack.
          Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^WebTaskExecutionRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^WebTaskTaskRole/), 'Arn'] }],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        {
          Sid: 'ReadPipelineArtifacts',
          Effect: 'Allow',
          Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion'],
          Resource: [literalArn(`:s3:::${bucketName}`), literalArn(`:s3:::${bucketName}/*`)],
        },
        {
          Sid: 'DecryptPipelineArtifacts',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: literalArn(`:kms:${TOOLS.region}:${TOOLS.account}:key/*`),
          Condition: { StringEquals: { 'kms:ViaService': `s3.${TOOLS.region}.amazonaws.com` } },
        },
      ]);
    });

    test('THEN the execution role\'s pull policy is in the staging stack, on the tools repository by its ARN', () => {
      const { staging, tools } = env.templates;
      const repositoryName = tools.toJSON().Resources[Object.keys(tools.findResources('AWS::ECR::Repository')).find((k) => /DeliveryRepository/.test(k))!].Properties.RepositoryName;
      expect(typeof repositoryName).toBe('string');
      const policies = staging.findResources('AWS::IAM::Policy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'PullThePipelineImage' })]) } } });
      expect(Object.values(policies).map((p: any) => p.Properties)).toEqual([{
        PolicyName: expect.any(String),
        Roles: [{ Ref: expect.stringMatching(/^WebTaskExecutionRole/) }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'PullThePipelineImage', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: literalArn(`:ecr:${TOOLS.region}:${TOOLS.account}:repository/${repositoryName}`) },
            { Sid: 'LogInToTheRegistry', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          ],
        },
      }]);
    });
  });

  describe('production (CodeDeploy blue/green, 333333333333/eu-west-1)', () => {
    test('THEN the CodeDeploy application, group, role and default alarms are in the production stack', () => {
      const { production, tools } = env.templates;
      production.resourceCountIs('AWS::CodeDeploy::Application', 1);
      production.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
      production.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      tools.resourceCountIs('AWS::CodeDeploy::Application', 0);
      tools.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
      tools.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      const alarms = Object.keys(production.findResources('AWS::CloudWatch::Alarm'));
      const group = Object.values(production.findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any;
      expect(group.Properties.AlarmConfiguration).toEqual({ Enabled: true, Alarms: alarms.map((a) => ({ Name: { Ref: a } })) });
      expect(group.Properties.AutoRollbackConfiguration.Events).toEqual(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']);
      expect(typeof group.Properties.DeploymentGroupName).toBe('string');
      const codeDeployRole = group.Properties.ServiceRoleArn['Fn::GetAtt'][0];
      expect(production.toJSON().Resources[codeDeployRole].Properties.AssumeRolePolicyDocument.Statement)
        .toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codedeploy.amazonaws.com' } }]);
      const watch = roleStatements(production, codeDeployRole).find((s) => s.Sid === 'WatchTheAlarms');
      expect(watch.Resource).toEqual(alarms.map((a) => ({ 'Fn::GetAtt': [a, 'Arn'] })));
    });

    test('THEN the CodeDeployToECS action\'s role is in the production stack, trusting only the pipeline role, on the group of that stack', () => {
      const { production, tools } = env.templates;
      const id = roleId(production, /ProductionDeployActionRole/);
      const pipelineRole = roleName(tools, roleId(tools, /^DeliveryPipelineRole/));
      expectTrustsOnly(production, id, literalArn(`:iam::${TOOLS.account}:role/${pipelineRole}`));
      const app = Object.keys(production.findResources('AWS::CodeDeploy::Application'))[0];
      const group = Object.keys(production.findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
      const replicationBucket = Object.keys(production.findResources('AWS::S3::Bucket')).find((k) => /ReplicationBucket/.test(k))!;
      const replicationKey = Object.keys(production.findResources('AWS::KMS::Key'))[0];
      const prefix = `:codedeploy:${PRODUCTION.region}:${PRODUCTION.account}`;
      expect(roleStatements(production, id)).toEqual([
        {
          Sid: 'RegisterRevision',
          Effect: 'Allow',
          Action: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
          Resource: joined(`arn:aws${prefix}:application:`, { Ref: app }),
        },
        {
          Sid: 'StartDeployment',
          Effect: 'Allow',
          Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
          Resource: joined(`arn:aws${prefix}:deploymentgroup:`, { Ref: app }, '/', { Ref: group }),
        },
        // aws-cdk-lib formats the predefined config's ARN with the partition of the group's stack.
        {
          Sid: 'ReadDeploymentConfig',
          Effect: 'Allow',
          Action: 'codedeploy:GetDeploymentConfig',
          Resource: joined('arn:', { Ref: 'AWS::Partition' }, `${prefix}:deploymentconfig:CodeDeployDefault.ECSCanary10Percent5Minutes`),
        },
        { Sid: 'RegisterTaskDefinitionRevision', Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: '*' },
        {
          Sid: 'PassOnlyTheTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^WebTaskExecutionRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^WebTaskTaskRole/), 'Arn'] }],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        // The artifacts of eu-west-1 actions: the replication bucket of the production stack (same account: aws-cdk-lib's grantRead).
        {
          Effect: 'Allow',
          Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
          Resource: [{ 'Fn::GetAtt': [replicationBucket, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [replicationBucket, 'Arn'] }, '/*']] }],
        },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: { 'Fn::GetAtt': [replicationKey, 'Arn'] } },
      ]);
    });

    test('THEN the replication bucket of eu-west-1 is in the production stack, versioned, logged, with its own rotating key', () => {
      const { production, tools } = env.templates;
      expect(env.production.region).toBe('eu-west-1');
      const buckets = production.findResources('AWS::S3::Bucket');
      const replication = Object.entries(buckets).find(([k]) => /ReplicationBucket/.test(k))![1] as any;
      expect(replication.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(replication.Properties.LoggingConfiguration.LogFilePrefix).toBe('replication/');
      expect(replication.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      production.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const pipeline = Object.values(tools.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
      const stores = pipeline.Properties.ArtifactStores.map((s: any) => s.Region).sort();
      expect(stores).toEqual(['eu-west-1', 'us-east-1']);
    });

    test('THEN the task definition is captured in the tools account through a read-only role in the production account', () => {
      const { production, tools } = env.templates;
      const project = Object.entries(tools.findResources('AWS::CodeBuild::Project')).find(([, p]: any) => /Reads the current task definition/.test(p.Properties.Description))!;
      const projectRole = project[1].Properties.ServiceRole['Fn::GetAtt'][0];
      const projectRoleName = roleName(tools, projectRole);
      const readerId = roleId(production, /TaskDefinitionReader/);
      const readerName = roleName(production, readerId);
      expectTrustsOnly(production, readerId, literalArn(`:iam::${TOOLS.account}:role/${projectRoleName}`));
      const serviceId = Object.keys(production.findResources('AWS::ECS::Service'))[0];
      expect(roleStatements(production, readerId)).toEqual([
        { Sid: 'DescribeTheBlueGreenService', Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: { Ref: serviceId } },
        { Sid: 'DescribeItsTaskDefinition', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
      ]);
      const captureStatements = roleStatements(tools, projectRole);
      expect(captureStatements).toContainEqual({ Sid: 'ReadTheServiceInItsAccount', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: literalArn(`:iam::${PRODUCTION.account}:role/${readerName}`) });
      // The capture's own role reads nothing of ECS: only the reader role in the production account does.
      expect(JSON.stringify(captureStatements)).not.toContain('ecs:');
      const buildSpec = JSON.parse(project[1].Properties.Source.BuildSpec);
      expect(buildSpec.phases.build.commands.slice(0, 3)).toEqual([
        'export AWS_REGION="$SERVICE_REGION" AWS_DEFAULT_REGION="$SERVICE_REGION"',
        expect.stringContaining('aws sts assume-role --role-arn "$READER_ROLE_ARN"'),
        'set -- $CREDENTIALS; export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3"',
      ]);
    });
  });

  describe('the tools stack', () => {
    test('THEN the deploy actions run in their accounts and regions with the roles of the workload stacks', () => {
      const { tools, staging, production } = env.templates;
      const pipeline = Object.values(tools.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
      const action = (stage: string, name: string) => pipeline.Properties.Stages
        .find((s: any) => s.Name === stage).Actions.find((a: any) => a.Name === name);
      const stagingRole = roleName(staging, roleId(staging, /StagingDeployActionRole/));
      const productionRole = roleName(production, roleId(production, /ProductionDeployActionRole/));
      expect(action('Staging', 'Deploy')).toMatchObject({ ActionTypeId: { Provider: 'ECS' }, RoleArn: literalArn(`:iam::${STAGING.account}:role/${stagingRole}`), Configuration: { ClusterName: 'shop', ServiceName: 'web' } });
      expect(action('Staging', 'Deploy').Region).toBeUndefined();
      expect(action('Production', 'Deploy')).toMatchObject({
        ActionTypeId: { Provider: 'CodeDeployToECS' },
        Region: 'eu-west-1',
        RoleArn: literalArn(`:iam::${PRODUCTION.account}:role/${productionRole}`),
        InputArtifacts: [{ Name: 'Build' }, { Name: 'ProductionTaskDefinition' }],
      });
      // The capture runs in the tools account and region, and writes the task definition there.
      expect(action('Production', 'CaptureTaskDefinition').Region).toBeUndefined();
      expect(action('Production', 'CaptureTaskDefinition').RoleArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    });

    test('THEN the pipeline role may only assume the roles of the other accounts', () => {
      const { tools, staging, production } = env.templates;
      const statements = roleStatements(tools, roleId(tools, /^DeliveryPipelineRole/));
      // aws-cdk-lib merges the pipeline role's sts:AssumeRole statements into one.
      const assume = statements.filter((st) => JSON.stringify(st.Action) === '"sts:AssumeRole"').flatMap((st) => st.Resource);
      const otherAccounts = assume.filter((r: any) => typeof r === 'string');
      expect(otherAccounts.sort()).toEqual([
        literalArn(`:iam::${STAGING.account}:role/${roleName(staging, roleId(staging, /StagingDeployActionRole/))}`),
        literalArn(`:iam::${PRODUCTION.account}:role/${roleName(production, roleId(production, /ProductionDeployActionRole/))}`),
      ]);
      // Nothing else of the pipeline role names the other accounts' IAM or services.
      const rest = statements.filter((st) => JSON.stringify(st.Action) !== '"sts:AssumeRole"');
      expect(JSON.stringify(rest)).not.toMatch(/:iam::(222222222222|333333333333):/);
      expect(JSON.stringify(statements)).not.toMatch(/"(ecs|codedeploy|iam):/);
    });

    test('THEN the artifact bucket and key policies name exactly the staging action role (production reads its region\'s replica)', () => {
      const { tools, staging } = env.templates;
      const stagingRole = literalArn(`:iam::${STAGING.account}:role/${roleName(staging, roleId(staging, /StagingDeployActionRole/))}`);
      const bucketPolicy = Object.entries(tools.findResources('AWS::S3::BucketPolicy')).find(([k]) => /ArtifactStoreBucketPolicy/.test(k))![1] as any;
      const allows = bucketPolicy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow').map(canonical);
      expect(allows).toEqual([{
        Sid: expect.stringMatching(/^ReadArtifacts[A-Za-z0-9]+$/),
        Effect: 'Allow',
        Principal: { AWS: stagingRole },
        Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion'],
        Resource: expect.any(Array),
      }]);
      const key = Object.entries(tools.findResources('AWS::KMS::Key')).find(([k]) => /ArtifactStoreKey/.test(k))![1] as any;
      const crossAccount = key.Properties.KeyPolicy.Statement.filter((s: any) => /:iam::(222222222222|333333333333):/.test(JSON.stringify(s.Principal)));
      expect(crossAccount).toEqual([{
        Sid: expect.stringMatching(/^DecryptArtifacts[A-Za-z0-9]+$/),
        Effect: 'Allow',
        Principal: { AWS: stagingRole },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `s3.${TOOLS.region}.amazonaws.com` } },
      }]);
    });

    test('THEN the repository policy lets exactly the two execution roles pull, and the image stays in the tools registry', () => {
      const { tools, staging, production } = env.templates;
      const repository = Object.entries(tools.findResources('AWS::ECR::Repository')).find(([k]) => /DeliveryRepository/.test(k))![1] as any;
      const executionRole = (t: Template) => roleName(t, roleId(t, /^WebTaskExecutionRole/));
      expect(repository.Properties.RepositoryPolicyText.Statement).toEqual([
        { Sid: `PullByExecutionRole1Of${STAGING.account}`, Effect: 'Allow', Principal: { AWS: literalArn(`:iam::${STAGING.account}:role/${executionRole(staging)}`) }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
        { Sid: `PullByExecutionRole2Of${PRODUCTION.account}`, Effect: 'Allow', Principal: { AWS: literalArn(`:iam::${PRODUCTION.account}:role/${executionRole(production)}`) }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
      ]);
      // No replication: the digest every environment runs is the one the build pushed, in the tools registry.
      expect(JSON.stringify(env.app.synth().stacks.map((s) => s.template))).not.toContain('AWS::ECR::ReplicationConfiguration');
      // The vulnerability gate and the build stay in the tools account (the repository is there).
      tools.resourceCountIs('AWS::ECR::Repository', 2);
      staging.resourceCountIs('AWS::CodeBuild::Project', 0);
      production.resourceCountIs('AWS::CodeBuild::Project', 0);
    });
  });

  describe('security gates over every stack', () => {
    test.each(NAG_PACKS.map((p) => [p.name, p] as const))('THEN %s reports no unacknowledged finding on what the library created, in any stack', (_name, pack) => {
      const stacks = [env.tools, env.staging, env.production];
      const paths = libraryPaths(env.pipeline, [env.staging, env.production]);
      expect(paths.length).toBeGreaterThan(5);
      const remaining = stacks.flatMap((s) => runNagPack(pack.create(), pack.name, s, paths).remaining.filter((f) => f.inPipeline));
      expect(remaining.map((f) => `${f.ruleId} ${f.path}`)).toEqual([]);
    });

    test('THEN every statement of the library\'s resources in every stack is least privilege', () => {
      const paths = libraryPaths(env.pipeline, [env.staging, env.production]);
      const assembly = env.app.synth();
      const resources = assembly.stacks.flatMap((s) => resourcesOf(s.stackName, s.template, paths));
      const roleIds = new Set(resources.filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.logicalId));
      const violations = leastPrivilegeViolations(statementsOf('cross-environment', resources.filter((r) => r.inPipeline)), roleIds);
      expect(violations).toEqual([]);
    });
  });
});

describe('GIVEN a service imported by ARN in another account', () => {
  function imported() {
    const app = new App();
    const tools = new Stack(app, 'ShopTools', { env: TOOLS });
    const service = ecs.FargateService.fromServiceArnWithCluster(tools, 'StagingWeb', `arn:aws:ecs:${STAGING.region}:${STAGING.account}:service/shop/web`);
    const executionRole = iam.Role.fromRoleArn(tools, 'StagingExecution', `arn:aws:iam::${STAGING.account}:role/shop-web-execution`, { mutable: false });
    const pipeline = new EcsContainerPipeline(tools, 'Delivery', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service, { containerName: 'web', passRoles: [executionRole] }) }],
    });
    const assembly = app.synth();
    return { app, tools, pipeline, assembly };
  }

  test('THEN the action role is created in a stack of that account and the pipeline names the service by its ARN', () => {
    const { app, tools } = imported();
    const target = app.node.children.filter((c): c is Stack => Stack.isStack(c) && c.account === STAGING.account);
    const withRole = target.filter((s) => Object.keys(Template.fromStack(s).findResources('AWS::IAM::Role')).some((k) => /StagingDeployActionRole/.test(k)));
    expect(withRole).toHaveLength(1);
    const template = Template.fromStack(withRole[0]);
    const id = roleId(template, /StagingDeployActionRole/);
    const statements = roleStatements(template, id);
    expect(statements).toContainEqual({ Sid: 'UpdateTheService', Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: `arn:aws:ecs:${STAGING.region}:${STAGING.account}:service/shop/web` });
    expect(statements).toContainEqual({
      Sid: 'PassOnlyTheTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${STAGING.account}:role/shop-web-execution`,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    expect(statements.find((s) => s.Sid === 'TagNewRevisionOnly').Resource).toEqual(joined('arn:', { Ref: 'AWS::Partition' }, `:ecs:${STAGING.region}:${STAGING.account}:task-definition/*`));
    const pipeline = Object.values(Template.fromStack(tools).findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const deploy = pipeline.Properties.Stages.find((s: any) => s.Name === 'Staging').Actions.find((a: any) => a.Name === 'Deploy');
    expect(deploy.Configuration).toMatchObject({ ClusterName: 'shop', ServiceName: 'web' });
    expect(deploy.RoleArn['Fn::Join'][1][2]).toMatch(new RegExp(`^:iam::${STAGING.account}:role/`));
  });

  test('THEN the pipeline warns that the execution role needs pull access and a repository policy statement', () => {
    const { tools } = imported();
    const warnings = Annotations.fromStack(tools).findWarning('/ShopTools/Delivery', Match.stringLikeRegexp('is imported.*repository policy statement.*account 222222222222'));
    expect(warnings).toHaveLength(1);
  });
});

describe('GIVEN what cannot work across environments', () => {
  test('WHEN the service is in a stack without an account THEN the library\'s error says the pipeline cannot tell', () => {
    const app = new App();
    const tools = new Stack(app, 'ShopTools', { env: TOOLS });
    const agnostic = new Stack(app, 'ShopAnywhere');
    const { service } = namedService(agnostic);
    expect(() => new EcsContainerPipeline(tools, 'Delivery', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    })).toThrow(/^ShopTools\/Delivery: environments\[0\]\.deployment\.service is in an account the pipeline cannot tell \(ShopAnywhere\/Web is in stack ShopAnywhere, which has no concrete account\).*\. Fix: give the workload's stack env/);
  });

  test('WHEN a service of another account has no serviceName THEN the library\'s error asks for one', () => {
    const app = new App();
    const tools = new Stack(app, 'ShopTools', { env: TOOLS });
    const staging = new Stack(app, 'ShopStaging', { env: STAGING });
    const vpc = new ec2.Vpc(staging, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const cluster = new ecs.Cluster(staging, 'Cluster', { vpc, clusterName: 'shop' });
    const taskDefinition = new ecs.FargateTaskDefinition(staging, 'Task');
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(staging, 'Web', { cluster, taskDefinition, circuitBreaker: { rollback: true } });
    expect(() => new EcsContainerPipeline(tools, 'Delivery', {
      source: githubSource(),
      environments: [{ name: 'Staging', deployment: EcsDeployment.rolling(service) }],
    })).toThrow(/^ShopTools\/Delivery: environments\[0\]\.deployment\.service \(ShopStaging\/Web\) is in account 222222222222, not the pipeline's, and has no serviceName.*Fix: give the service a serviceName/);
  });
});

describe('GIVEN a service in another region of the pipeline\'s account', () => {
  function ireland(taskRoleName?: string) {
    const app = new App();
    const tools = new Stack(app, 'ShopTools', { env: TOOLS });
    const other = new Stack(app, 'ShopIreland', { env: { account: TOOLS.account, region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(other, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const cluster = new ecs.Cluster(other, 'Cluster', { vpc, clusterName: 'shop' });
    const taskRole = new iam.Role(other, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), roleName: taskRoleName });
    const taskDefinition = new ecs.FargateTaskDefinition(other, 'Task', { taskRole });
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
    const service = new ecs.FargateService(other, 'Web', { cluster, taskDefinition, serviceName: 'web', circuitBreaker: { rollback: true } });
    const pipeline = new EcsContainerPipeline(tools, 'Delivery', { source: githubSource(), environments: [{ name: 'Production', deployment: EcsDeployment.rolling(service) }] });
    return { app, tools, other, pipeline };
  }

  test('THEN the action runs in that region, reading its replication bucket through a scoped policy (no kms on "*")', () => {
    const { tools } = ireland(PhysicalName.GENERATE_IF_NEEDED);
    const template = Template.fromStack(tools);
    const id = roleId(template, /ProductionDeployCodePipelineActionRole/);
    const statements = roleStatements(template, id);
    expect(statements).toContainEqual({
      Sid: 'DecryptPipelineArtifacts',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: joined('arn:', { Ref: 'AWS::Partition' }, `:kms:eu-west-1:${TOOLS.account}:key/*`),
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(statements.filter((st) => JSON.stringify(st.Resource) === '"*"').map((st) => st.Sid)).toEqual(['RegisterTaskDefinitionRevision', 'WatchTheServiceTasks']);
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    expect(pipeline.Properties.Stages.find((st: any) => st.Name === 'Production').Actions[0].Region).toBe('eu-west-1');
  });

  test('WHEN the task role has no name THEN the library\'s error asks for one', () => {
    expect(() => ireland()).toThrow(/environments\[0\]\.deployment\.service \(ShopIreland\/Web\) is in region eu-west-1, not the pipeline's, and its task definition's role ShopIreland\/TaskRole has no roleName.*Fix: give the role roleName: PhysicalName.GENERATE_IF_NEEDED/);
  });
});
