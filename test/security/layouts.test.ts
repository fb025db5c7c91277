/**
 * The promises hold in the layouts real apps use (issue 18): zero unacknowledged cdk-nag findings,
 * in all five packs, on the library's resources when the workloads live in another stack of the
 * same environment, when services, buckets, distributions and secrets are imported, with
 * approvers, and with the pipelines inside a `Stage`.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GATE_CONTEXT, isLibraryConstruct, NAG_PACKS, runNagPack } from './support';
import {
  BuildSecret, DeliveryPipeline, EcsContainerPipeline, EcsDeployment, LambdaDeployment, LambdaPipeline,
  PipelineSource, StaticSitePipeline, StaticSiteTarget,
} from '../../src';
import { ownedScopesOf } from '../../src/core/wildcard-review';

const env = { account: '111111111111', region: 'us-east-1' };
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/abc';
const source = () => PipelineSource.connection({ connectionArn: CONNECTION, owner: 'acme', repo: 'shop', branch: 'main' });

/** GIVEN workloads in one stack and the pipelines (with imported resources) in another. */
function layout(scope: Construct): void {
  const workloads = new Stack(scope, 'Workloads', { env });
  const vpc = new ec2.Vpc(workloads, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(workloads, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(workloads, 'Task');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1'), portMappings: [{ containerPort: 80 }], logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
  });
  const service = new ecs.FargateService(workloads, 'Web', { cluster, taskDefinition, circuitBreaker: { rollback: true }, minHealthyPercent: 100 });
  const fn = new lambda.Function(workloads, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
  const alias = new lambda.Alias(workloads, 'Live', { aliasName: 'live', version: fn.currentVersion });
  const siteBucket = new s3.Bucket(workloads, 'Site', { enforceSSL: true });
  const siteDistribution = new cloudfront.Distribution(workloads, 'SiteCdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(siteBucket) } });

  const delivery = new Stack(scope, 'Delivery', { env });
  const importedService = ecs.FargateService.fromFargateServiceAttributes(delivery, 'ImportedService', {
    serviceArn: 'arn:aws:ecs:us-east-1:111111111111:service/shop/api',
    cluster: ecs.Cluster.fromClusterAttributes(delivery, 'ImportedCluster', {
      clusterName: 'shop', vpc: ec2.Vpc.fromVpcAttributes(delivery, 'ImportedVpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }),
    }),
  });
  const secret = secretsmanager.Secret.fromSecretNameV2(delivery, 'NpmToken', 'npm-token');
  const approver = new iam.Role(delivery, 'Approver', { assumedBy: new iam.AccountRootPrincipal() });
  new EcsContainerPipeline(delivery, 'Shop', {
    source: source(),
    buildOptions: { secrets: { NPM_TOKEN: BuildSecret.fromSecretsManager(secret) } },
    environments: [
      { name: 'Staging', deployment: EcsDeployment.rolling(service) },
      {
        name: 'Production',
        deployment: EcsDeployment.rolling(importedService, {
          containerName: 'api',
          passRoles: [iam.Role.fromRoleName(delivery, 'ApiTaskRole', 'api-task'), iam.Role.fromRoleName(delivery, 'ApiExecutionRole', 'api-execution')],
        }),
        approval: { approvers: [approver] },
      },
    ],
  });
  new LambdaPipeline(delivery, 'Orders', { source: source(), environments: [{ name: 'Production', deployment: LambdaDeployment.allAtOnce(alias) }] });
  const importedBucket = s3.Bucket.fromBucketName(delivery, 'SiteBucket', 'acme-site');
  const importedDistribution = cloudfront.Distribution.fromDistributionAttributes(delivery, 'Cdn', { distributionId: 'E123', domainName: 'd1.cloudfront.net' });
  new StaticSitePipeline(delivery, 'Web', {
    source: source(),
    environments: [
      { name: 'Staging', target: StaticSiteTarget.fromBucket(siteBucket, { distribution: siteDistribution }) },
      { name: 'Production', target: StaticSiteTarget.fromBucket(importedBucket, { distribution: importedDistribution }) },
    ],
  });
}

function unacknowledged(app: App): string[] {
  app.synth();
  const all = app.node.findAll();
  const pipelines = all.filter((c): c is DeliveryPipeline => c instanceof DeliveryPipeline);
  const library = [...all.filter(isLibraryConstruct), ...pipelines.flatMap(ownedScopesOf)].map((c) => c.node.path);
  const stacks = all.filter((c): c is Stack => Stack.isStack(c));
  return NAG_PACKS.flatMap(({ name, create }) => stacks.flatMap((stack) => runNagPack(create(), name, stack, library).remaining
    .filter((f) => f.inPipeline).map((f) => `${name} ${f.ruleId} ${f.path}`)));
}

test('workloads in another stack, imported service, bucket, distribution and secret, approvers: no unacknowledged finding on library resources', () => {
  const app = new App({ context: GATE_CONTEXT });
  layout(app);
  expect(unacknowledged(app)).toEqual([]);
});

test('the same layout inside a Stage: no unacknowledged finding on library resources', () => {
  const app = new App({ context: GATE_CONTEXT });
  layout(new Stage(app, 'Prod', { env }));
  expect(unacknowledged(app)).toEqual([]);
});
