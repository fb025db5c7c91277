/**
 * StaticSitePipeline with sites in other accounts and regions (issue 14): a pipeline in the tools
 * account (111111111111, us-east-1) deploys staging (222222222222, us-east-1) and production
 * (333333333333, eu-west-1). Each environment's deploy project, its role and its release store are
 * in the site's account and region; the pipeline only assumes the action role aws-cdk-lib creates
 * there, which only starts the build.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipelineErrors, StaticSiteHosting, StaticSitePipeline, StaticSiteTarget } from '../../src';
import { flattenReference } from '../../src/core/wildcard-review';
import { githubSource } from '../helpers';
import { GATE_CONTEXT, NAG_PACKS, runNagPack } from '../security/support';

const TOOLS = { account: '111111111111', region: 'us-east-1' };
const STAGING = { account: '222222222222', region: 'us-east-1' };
const PRODUCTION = { account: '333333333333', region: 'eu-west-1' };

interface CrossApp {
  readonly app: App;
  readonly pipeline: StaticSitePipeline;
  readonly stacks: Stack[];
  readonly templates: Record<string, Template>;
}

/** Synthesize the app and keep every stack's template by stack name. */
function synthesize(app: App, pipeline: StaticSitePipeline): CrossApp {
  const assembly = app.synth();
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Template.fromJSON(s.template)]));
  return { app, pipeline, stacks, templates };
}

/** GIVEN the tools, staging and production stacks, each site a StaticSiteHosting of its own account. */
function hostingApp(): CrossApp {
  const app = new App({ context: GATE_CONTEXT });
  const tools = new Stack(app, 'Tools', { env: TOOLS });
  const staging = new StaticSiteHosting(new Stack(app, 'Staging', { env: STAGING }), 'Site', { singlePageApp: true });
  const production = new StaticSiteHosting(new Stack(app, 'Production', { env: PRODUCTION }), 'Site');
  const pipeline = new StaticSitePipeline(tools, 'Pipeline', {
    source: githubSource(),
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromHosting(staging), postDeployCheck: { urls: [staging.url], expectedStatus: 200 } },
      { name: 'Production', target: StaticSiteTarget.fromHosting(production), postDeployCheck: { urls: ['https://www.example.com/'] } },
    ],
  });
  return synthesize(app, pipeline);
}

/** GIVEN the production site imported into the tools stack: the bucket with its account and region, the distribution by id. */
function importedApp(): CrossApp {
  const app = new App({ context: GATE_CONTEXT });
  const tools = new Stack(app, 'Tools', { env: TOOLS });
  const bucket = s3.Bucket.fromBucketAttributes(tools, 'ProductionSite', { bucketName: 'prod-site', ...PRODUCTION });
  const distribution = cloudfront.Distribution.fromDistributionAttributes(tools, 'ProductionCdn', { distributionId: 'E2PROD', domainName: 'd2prod.cloudfront.net' });
  const pipeline = new StaticSitePipeline(tools, 'Pipeline', {
    source: githubSource(),
    environments: [{ name: 'Production', target: StaticSiteTarget.fromBucket(bucket, { distribution }) }],
  });
  return synthesize(app, pipeline);
}

/** The one resource of `type` whose logical id matches. */
function resource(template: Template, type: string, id: RegExp): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type)).filter(([logicalId]) => id.test(logicalId));
  expect(found.map(([logicalId]) => logicalId)).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
}

/**
 * A policy document's statements (or any value) with references flattened as cdk-nag does (e.g.
 * `<Bucket.Arn>/*`), the partition written as `aws` (the recommended flags make it a literal where
 * the region is known, a reference elsewhere).
 */
function flat<T = any[]>(value: unknown): T {
  return JSON.parse(JSON.stringify(value, (k, v) => {
    const out = v && typeof v === 'object' && (v['Fn::Join'] || v['Fn::GetAtt'] || v.Ref) ? flattenReference(v) : v;
    if (typeof out === 'string') {
      return out.replace(/^arn:<AWS::Partition>:/, 'arn:aws:');
    }
    // The recommended flags minimize policies: actions and resources sorted, statements merged.
    if ((k === 'Action' || k === 'Resource') && Array.isArray(out)) {
      return out.map((x) => flat<unknown>(x)).sort();
    }
    return out;
  }));
}

function deployProject(template: Template, environment: string) {
  return resource(template, 'AWS::CodeBuild::Project', new RegExp(`^ToolsPipeline${environment}Deploy[0-9A-F]{8}TargetProject[0-9A-F]{8}$`));
}

function deployRole(template: Template, environment: string) {
  return resource(template, 'AWS::IAM::Role', new RegExp(`^ToolsPipeline${environment}Deploy[0-9A-F]{8}TargetProjectRole[0-9A-F]{8}$`));
}

function deployRoleStatements(template: Template, environment: string): any[] {
  const policy = resource(template, 'AWS::IAM::Policy', new RegExp(`^ToolsPipeline${environment}Deploy[0-9A-F]{8}TargetProjectRoleDefaultPolicy[0-9A-F]{8}$`));
  return flat(policy.resource.Properties.PolicyDocument.Statement);
}

function actionRole(template: Template, environment: string) {
  return resource(template, 'AWS::IAM::Role', new RegExp(`^ToolsPipeline[0-9A-F]{8}${environment}DeployActionRole[0-9A-F]{8}$`));
}

function bySid(statements: any[], sid: string): any {
  const found = statements.filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
}

function envVariables(project: any): Record<string, unknown> {
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, flat(flattenReference(v.Value))]));
}

function stageAction(template: Template, stage: string, action: string): any {
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipeline.Properties.Stages.find((s: any) => s.Name === stage).Actions.find((a: any) => a.Name === action);
}

/** Every resource of the app is judged: the sites are StaticSiteHosting, the rest is the pipeline's. */
function unacknowledged(ex: CrossApp, pack: (typeof NAG_PACKS)[number]): string[] {
  return ex.stacks.flatMap((stack) => runNagPack(pack.create(), pack.name, stack, [stack.node.path]).remaining).map((f) => `${f.ruleId} ${f.path}`).sort();
}

function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('StaticSitePipeline: sites in other accounts and regions', () => {
  describe('GIVEN staging (another account) and production (another account and region) as StaticSiteHosting', () => {
    let ex: CrossApp;
    let tools: Template;
    let staging: Template;
    let production: Template;
    let stagingRoleName: string;
    beforeAll(() => {
      ex = hostingApp();
      tools = ex.templates.Tools;
      staging = ex.templates.Staging;
      production = ex.templates.Production;
      stagingRoleName = deployRole(staging, 'Staging').resource.Properties.RoleName;
    });

    test('THEN each deploy project is in its site\'s stack, none in the tools stack; a role named only where another account names it', () => {
      expect(Object.keys(tools.findResources('AWS::CodeBuild::Project'))).toEqual([expect.stringMatching(/^PipelineBuild[0-9A-F]{8}$/)]);
      for (const [template, environment] of [[staging, 'Staging'], [production, 'Production']] as const) {
        const project = deployProject(template, environment).resource;
        expect(typeof project.Properties.Name).toBe('string');
        expect(project.Properties.ServiceRole).toEqual({ 'Fn::GetAtt': [deployRole(template, environment).id, 'Arn'] });
        expect(project.Properties.Environment.PrivilegedMode).toBe(false);
        // Both regions offer CodeBuild Lambda compute: no timeout setting there (15 minutes).
        expect(project.Properties.Environment.Type).toBe('LINUX_LAMBDA_CONTAINER');
        expect(project.Properties.TimeoutInMinutes).toBeUndefined();
        expect(deployRole(template, environment).resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } },
        ]);
      }
      // The tools account's artifact bucket and key name the staging role; production reads its replica in its own account.
      expect(stagingRoleName).toMatch(/^[a-z0-9]+$/);
      expect(deployRole(production, 'Production').resource.Properties.RoleName).toBeUndefined();
    });

    test('THEN each project keeps its releases in a hardened store of its own account and region, whose key also encrypts the project and its logs', () => {
      for (const [template, environment] of [[staging, 'Staging'], [production, 'Production']] as const) {
        const key = resource(template, 'AWS::KMS::Key', /^ToolsPipeline[0-9A-F]{8}SiteReleasesStoreKey[0-9A-F]{8}$/);
        const bucket = resource(template, 'AWS::S3::Bucket', /^ToolsPipeline[0-9A-F]{8}SiteReleasesStoreBucket[0-9A-F]{8}$/);
        expect(key.resource.Properties.EnableKeyRotation).toBe(true);
        expect(bucket.resource.Properties).toMatchObject({
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] } } }] },
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          LoggingConfiguration: { LogFilePrefix: 'artifacts/' },
        });
        const project = deployProject(template, environment).resource;
        expect(project.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
        const logGroupId = project.Properties.LogsConfig.CloudWatchLogs.GroupName.Ref;
        expect(template.toJSON().Resources[logGroupId].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
        const region = environment === 'Staging' ? STAGING.region : PRODUCTION.region;
        expect(key.resource.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
          Sid: 'CloudWatchLogsEncryptsBuildLogs', Principal: { Service: `logs.${region}.amazonaws.com` },
        }));
        const variables = envVariables(project);
        expect(variables.RELEASE_BUCKET).toBe(`<${bucket.id}>`);
        expect(variables.RELEASE_PREFIX).toMatch(new RegExp(`^releases/ToolsPipeline[0-9A-F]{8}/${environment}/$`));
      }
    });

    test('THEN the deploy projects read the site\'s own bucket and distribution (references within the site\'s stack)', () => {
      const variables = envVariables(deployProject(staging, 'Staging').resource);
      expect(variables.SITE_BUCKET).toMatch(/^<SiteBucket[0-9A-F]{8}>$/);
      expect(variables.DISTRIBUTION_ID).toMatch(/^<SiteDistribution[0-9A-F]{8}>$/);
      expect(variables.CHECK_URLS).toMatch(/^https:\/\/<SiteDistribution[0-9A-F]{8}\.DomainName>$/);
      expect(envVariables(deployProject(production, 'Production').resource).CHECK_URLS).toBe('https://www.example.com/');
    });

    test('THEN the staging deploy role may do exactly its job, and read the artifacts of the tools account through S3 only', () => {
      const statements = deployRoleStatements(staging, 'Staging');
      expect(bySid(statements, 'ListTheSiteBucket')).toMatchObject({ Action: 's3:ListBucket', Resource: expect.stringMatching(/^<SiteBucket[0-9A-F]{8}\.Arn>$/) });
      expect(bySid(statements, 'WriteAndDeleteSiteFiles')).toMatchObject({
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], Resource: expect.stringMatching(/^<SiteBucket[0-9A-F]{8}\.Arn>\/\*$/),
      });
      expect(bySid(statements, 'InvalidateTheDistribution')).toMatchObject({
        Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        Resource: expect.stringMatching(/^arn:aws:cloudfront::222222222222:distribution\/<SiteDistribution[0-9A-F]{8}>$/),
      });
      expect(bySid(statements, 'KeepTheEnvironmentReleases')).toMatchObject({
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: expect.stringMatching(/^<ToolsPipeline[0-9A-F]{8}SiteReleasesStoreBucket[0-9A-F]{8}\.Arn>\/releases\/ToolsPipeline[0-9A-F]{8}\/Staging\/\*$/),
      });
      expect(bySid(statements, 'ListTheEnvironmentReleases').Condition).toEqual({ StringLike: { 's3:prefix': [expect.stringMatching(/^releases\/ToolsPipeline[0-9A-F]{8}\/Staging\/\*$/)] } });
      const artifactBucket = resource(tools, 'AWS::S3::Bucket', /^PipelineArtifactStoreBucket[0-9A-F]{8}$/).resource.Properties.BucketName;
      expect(typeof artifactBucket).toBe('string');
      expect(bySid(statements, 'ReadPipelineArtifacts')).toEqual({
        Sid: 'ReadPipelineArtifacts',
        Effect: 'Allow',
        // CodeBuild checks the bucket's owner before it downloads the source (s3:GetBucketAcl).
        Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion'],
        Resource: [`arn:aws:s3:::${artifactBucket}`, `arn:aws:s3:::${artifactBucket}/*`],
      });
      expect(bySid(statements, 'DecryptPipelineArtifacts')).toEqual({
        Sid: 'DecryptPipelineArtifacts',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: 'arn:aws:kms:us-east-1:111111111111:key/*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      });
      // No grant on "*", and no other key or bucket than the site's, the release store's and the artifacts'.
      expect(statements.filter((s) => [].concat(s.Resource).includes('*' as never))).toEqual([]);
      expect(statements.filter((s) => [].concat(s.Action).some((a: string) => a.startsWith('kms:')) && s.Sid !== 'DecryptPipelineArtifacts')
        .map((s) => s.Resource)).toEqual([expect.stringMatching(/^<ToolsPipeline[0-9A-F]{8}SiteReleasesStoreKey[0-9A-F]{8}\.Arn>$/)]);
    });

    test('THEN the production deploy role reads the artifacts from the replication bucket of its own region and account (same-account grants)', () => {
      const statements = deployRoleStatements(production, 'Production');
      const replication = resource(production, 'AWS::S3::Bucket', /^CrossRegionReplicationSupport.*euwest1CrossRegionCodePipelineReplicationBucket[0-9A-F]{8}$/);
      const replicationKey = resource(production, 'AWS::KMS::Key', /^CrossRegionReplicationSupport.*euwest1CrossRegionCodePipelineReplicationBucketEncryptionKey[0-9A-F]{8}$/);
      expect(statements).toContainEqual(expect.objectContaining({
        Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], Resource: [`<${replication.id}.Arn>`, `<${replication.id}.Arn>/*`],
      }));
      expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: `<${replicationKey.id}.Arn>` }));
      expect(statements.filter((s) => s.Sid === 'ReadPipelineArtifacts' || s.Sid === 'DecryptPipelineArtifacts')).toEqual([]);
      expect(bySid(statements, 'InvalidateTheDistribution').Resource).toMatch(/^arn:aws:cloudfront::333333333333:distribution\/<SiteDistribution[0-9A-F]{8}>$/);
      expect(statements.filter((s) => [].concat(s.Resource).includes('*' as never))).toEqual([]);
    });

    test('THEN the tools artifact bucket and key admit exactly the staging deploy role (production reads its replica), through S3', () => {
      const roleArn = `arn:aws:iam::222222222222:role/${stagingRoleName}`;
      const bucketPolicy = flat(resource(tools, 'AWS::S3::BucketPolicy', /^PipelineArtifactStoreBucketPolicy[0-9A-F]{8}$/).resource.Properties.PolicyDocument.Statement);
      const crossAccount = bucketPolicy.filter((s) => s.Effect === 'Allow');
      expect(crossAccount).toEqual([{
        Sid: expect.stringMatching(/^ReadArtifacts[A-Za-z0-9]+$/),
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        // CodeBuild checks the bucket's owner before it downloads the source (s3:GetBucketAcl).
        Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion'],
        Resource: [expect.stringMatching(/^<PipelineArtifactStoreBucket[0-9A-F]{8}\.Arn>$/), expect.stringMatching(/^<PipelineArtifactStoreBucket[0-9A-F]{8}\.Arn>\/\*$/)],
      }]);
      const keyPolicy = flat(resource(tools, 'AWS::KMS::Key', /^PipelineArtifactStoreKey[0-9A-F]{8}$/).resource.Properties.KeyPolicy.Statement);
      const others = keyPolicy.filter((s) => JSON.stringify(s.Principal).includes('222222222222') || JSON.stringify(s.Principal).includes('333333333333'));
      expect(others).toEqual([{
        Sid: expect.stringMatching(/^DecryptArtifacts[A-Za-z0-9]+$/),
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }]);
      // The only production role the tools stack names is the deploy action role the pipeline assumes.
      const productionRoles = JSON.stringify(flat(tools.toJSON())).match(/arn:aws:iam::333333333333:role\/[a-z0-9]+/g);
      expect(new Set(productionRoles)).toEqual(new Set([`arn:aws:iam::333333333333:role/${actionRole(production, 'Production').resource.Properties.RoleName}`]));
    });

    test('THEN each action role is in its site\'s account, trusts only the pipeline role, and may only run that project', () => {
      const pipelineRoleName = resource(tools, 'AWS::IAM::Role', /^PipelineRole[0-9A-F]{8}$/).resource.Properties.RoleName;
      expect(typeof pipelineRoleName).toBe('string');
      for (const [template, environment, env] of [[staging, 'Staging', STAGING], [production, 'Production', PRODUCTION]] as const) {
        const role = actionRole(template, environment);
        expect(flat(role.resource.Properties.AssumeRolePolicyDocument.Statement)).toEqual([{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::111111111111:role/${pipelineRoleName}` } },
        }]);
        const policy = resource(template, 'AWS::IAM::Policy', new RegExp(`^ToolsPipeline[0-9A-F]{8}${environment}DeployActionRoleDefaultPolicy[0-9A-F]{8}$`));
        const project = deployProject(template, environment);
        expect(flat(policy.resource.Properties.PolicyDocument.Statement)).toEqual([{
          Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'],
          Effect: 'Allow',
          Resource: `arn:aws:codebuild:${env.region}:${env.account}:project/<${project.id}>`,
        }]);
        expect(policy.resource.Properties.Roles).toEqual([{ Ref: role.id }]);
      }
    });

    test('THEN the pipeline runs each deploy action in its site\'s account (and region) with that action role, by the project\'s name', () => {
      const stagingAction = stageAction(tools, 'Staging', 'Deploy');
      expect(stagingAction.Region).toBeUndefined();
      expect(stagingAction.Configuration.ProjectName).toBe(deployProject(staging, 'Staging').resource.Properties.Name);
      expect(flat(flattenReference(stagingAction.RoleArn))).toBe(`arn:aws:iam::222222222222:role/${actionRole(staging, 'Staging').resource.Properties.RoleName}`);
      expect(stagingAction.OutputArtifacts).toBeUndefined();
      const productionAction = stageAction(tools, 'Production', 'Deploy');
      expect(productionAction.Region).toBe('eu-west-1');
      expect(productionAction.Configuration.ProjectName).toBe(deployProject(production, 'Production').resource.Properties.Name);
      expect(flat(flattenReference(productionAction.RoleArn))).toBe(`arn:aws:iam::333333333333:role/${actionRole(production, 'Production').resource.Properties.RoleName}`);
      expect(JSON.parse(productionAction.Configuration.EnvironmentVariables).map((v: any) => v.name)).toEqual(['RELEASE_ID', 'SOURCE_REVISION']);
      // The artifact store of the production region is the replication bucket.
      const [pipeline] = Object.values(tools.findResources('AWS::CodePipeline::Pipeline'));
      const stores = pipeline.Properties.ArtifactStores.map((s: any) => [s.Region, flattenReference(s.ArtifactStore.Location)]);
      const replicationName = resource(production, 'AWS::S3::Bucket', /^CrossRegionReplicationSupport.*ReplicationBucket[0-9A-F]{8}$/).resource.Properties.BucketName;
      expect(stores).toEqual(expect.arrayContaining([['eu-west-1', replicationName]]));
    });

    test('THEN the pipeline role may only assume the deploy action roles in the site accounts (no CodeBuild, no site permission)', () => {
      const statements = flat(resource(tools, 'AWS::IAM::Policy', /^PipelineRoleDefaultPolicy[0-9A-F]{8}$/).resource.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((s) => [].concat(s.Action) as string[]);
      expect(actions.filter((a) => /^(codebuild|cloudfront):/.test(a))).toEqual([]);
      const assumed = statements.filter((s) => s.Action === 'sts:AssumeRole').flatMap((s) => [].concat(s.Resource));
      expect(assumed).toEqual(expect.arrayContaining([
        `arn:aws:iam::222222222222:role/${actionRole(staging, 'Staging').resource.Properties.RoleName}`,
        `arn:aws:iam::333333333333:role/${actionRole(production, 'Production').resource.Properties.RoleName}`,
      ]));
      const crossAccountAssumed = assumed.filter((r: string) => /iam::(222222222222|333333333333):/.test(r));
      expect(crossAccountAssumed).toHaveLength(2);
      // It writes the production region's replica (aws-cdk-lib's cross-region support).
      const replicationName = resource(production, 'AWS::S3::Bucket', /^CrossRegionReplicationSupport.*ReplicationBucket[0-9A-F]{8}$/).resource.Properties.BucketName;
      const writes = statements.filter((s) => [].concat(s.Action).includes('s3:PutObject' as never));
      expect(writes.flatMap((s) => [].concat(s.Resource))).toEqual(expect.arrayContaining([`arn:aws:s3:::${replicationName}`, `arn:aws:s3:::${replicationName}/*`]));
    });

    test('THEN the replication bucket of the production region is hardened and admits the pipeline role', () => {
      const replication = resource(production, 'AWS::S3::Bucket', /^CrossRegionReplicationSupport.*ReplicationBucket[0-9A-F]{8}$/);
      expect(replication.resource.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { LogFilePrefix: 'replication/' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      });
      const policy = flat(resource(production, 'AWS::S3::BucketPolicy', /^CrossRegionReplicationSupport.*ReplicationBucketPolicy[0-9A-F]{8}$/).resource.Properties.PolicyDocument.Statement);
      const pipelineRoleName = resource(tools, 'AWS::IAM::Role', /^PipelineRole[0-9A-F]{8}$/).resource.Properties.RoleName;
      expect(policy.filter((s) => s.Effect === 'Allow').map((s) => s.Principal)).toEqual([{ AWS: `arn:aws:iam::111111111111:role/${pipelineRoleName}` }]);
    });

    test('THEN the stacks deploy in order: the site stacks before the tools stack', () => {
      const tool = ex.stacks.find((s) => s.stackName === 'Tools')!;
      expect(tool.dependencies.map((s) => s.stackName).sort()).toEqual(['Production', 'Staging']);
    });

    test.each(NAG_PACKS.map((p) => [p.name, p] as const))('THEN cdk-nag %s reports no unacknowledged finding on any stack', (_name, pack) => {
      expect(unacknowledged(ex, pack)).toEqual([]);
    });
  });

  describe('GIVEN the production bucket imported with its account and region and its distribution imported by id', () => {
    let ex: CrossApp;
    beforeAll(() => {
      ex = importedApp();
    });

    test('THEN the deploy project is in a support stack of the production account and region, naming the literal bucket and distribution', () => {
      expect(Object.keys(ex.templates)).toEqual(expect.arrayContaining(['Tools-support-333333333333-eu-west-1']));
      const support = ex.templates['Tools-support-333333333333-eu-west-1'];
      const stack = ex.stacks.find((s) => s.stackName === 'Tools-support-333333333333-eu-west-1')!;
      expect([stack.account, stack.region]).toEqual([PRODUCTION.account, PRODUCTION.region]);
      const project = deployProject(support, 'Production').resource;
      expect(envVariables(project)).toMatchObject({ SITE_BUCKET: 'prod-site', DISTRIBUTION_ID: 'E2PROD' });
      const statements = deployRoleStatements(support, 'Production');
      expect(bySid(statements, 'ListTheSiteBucket').Resource).toBe('arn:aws:s3:::prod-site');
      expect(bySid(statements, 'WriteAndDeleteSiteFiles').Resource).toBe('arn:aws:s3:::prod-site/*');
      // The distribution is taken to be in the bucket's account (an import states none).
      expect(bySid(statements, 'InvalidateTheDistribution').Resource).toBe('arn:aws:cloudfront::333333333333:distribution/E2PROD');
      expect(Object.keys(ex.templates.Tools.findResources('AWS::CodeBuild::Project'))).toHaveLength(1);
      expect(stageAction(ex.templates.Tools, 'Production', 'Deploy').Region).toBe('eu-west-1');
    });

    test.each(NAG_PACKS.map((p) => [p.name, p] as const))('THEN cdk-nag %s reports no unacknowledged finding on any stack', (_name, pack) => {
      // The object wildcard of a bucket imported by name is reviewed too: the deploy step writes
      // every file of the release and deletes the rest, whichever way the bucket is known.
      expect(unacknowledged(ex, pack)).toEqual([]);
    });
  });

  describe('errors', () => {
    test('GIVEN the site in a stack without an account WHEN synthesized THEN the library\'s error: the pipeline cannot tell the account', () => {
      const app = new App();
      const tools = new Stack(app, 'Tools', { env: TOOLS });
      const site = new StaticSiteHosting(new Stack(app, 'Anywhere'), 'Site');
      const err = thrownBy(() => new StaticSitePipeline(tools, 'Pipeline', {
        source: githubSource(), environments: [{ name: 'Staging', target: StaticSiteTarget.fromHosting(site) }],
      }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.target\.bucket is in an account the pipeline cannot tell \(Anywhere\/Site\/Bucket is in stack Anywhere, which has no concrete account\).*Fix: give the workload's stack env: \{ account, region \}/);
    });

    test('GIVEN the bucket in staging and its distribution in production WHEN synthesized THEN the library\'s error: one account for both', () => {
      const app = new App();
      const tools = new Stack(app, 'Tools', { env: TOOLS });
      const bucket = new s3.Bucket(new Stack(app, 'Staging', { env: STAGING }), 'Site');
      const cdn = new Stack(app, 'Production', { env: PRODUCTION });
      const distribution = new cloudfront.Distribution(cdn, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(new s3.Bucket(cdn, 'Origin')) } });
      const err = thrownBy(() => new StaticSitePipeline(tools, 'Pipeline', {
        source: githubSource(), environments: [{ name: 'Staging', target: StaticSiteTarget.fromBucket(bucket, { distribution }) }],
      }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.target\.distribution is in account 333333333333 \(Production\/Cdn\), but the bucket is in account 222222222222 \(Staging\/Site\): .*CloudFront lets a role invalidate only distributions of its own account.*Fix: keep the bucket and its distribution in one account/);
    });

    test('GIVEN the production site in a stack of a region the deploy step cannot reference WHEN synthesized THEN the library\'s error', () => {
      const app = new App();
      const tools = new Stack(app, 'Tools', { env: TOOLS });
      const bucket = new s3.Bucket(new Stack(app, 'Production', { env: PRODUCTION }), 'Site');
      const cdn = new Stack(app, 'ProductionCdn', { env: { account: PRODUCTION.account, region: 'us-east-1' } });
      const distribution = new cloudfront.Distribution(cdn, 'Cdn', { defaultBehavior: { origin: new origins.HttpOrigin('example.com') } });
      const err = thrownBy(() => new StaticSitePipeline(tools, 'Pipeline', {
        source: githubSource(), environments: [{ name: 'Production', target: StaticSiteTarget.fromBucket(bucket, { distribution }) }],
      }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^Tools\/Pipeline: environments\[0\]\.target\.distribution is in stack ProductionCdn of region us-east-1, .*runs in region eu-west-1.*Fix: import the distribution into the bucket's stack/);
    });
  });
});
