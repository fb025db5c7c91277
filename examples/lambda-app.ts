import { App, Duration, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LambdaDeployment, LambdaPipeline, PipelineSource } from '../src';
import { CONNECTION_ARN, EXAMPLE_ENV, ExampleOptions, exampleApp } from './support';

/** What `buildLambdaApp` returns, so tests and the demo can reach every part. */
export interface LambdaExample {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: LambdaPipeline;
}

/**
 * The example app: a staging and a production function, each with a `live` alias, and the
 * pipeline that deploys them (Source → Build & test → Staging, baked for 10 minutes on its
 * errors alarm → approval → Production, where production shifts 10% of its traffic first and the
 * rest five minutes later unless an alarm fires).
 *
 * @param app the app to build into; by default a new one with the currently recommended
 *   feature flags and the cdk-nag checks (see `exampleApp`)
 * @param options another environment or source (the integration test's)
 */
export function buildLambdaApp(app: App = exampleApp(), options: ExampleOptions = {}): LambdaExample {
  const stack = new Stack(app, 'LambdaOrdersDelivery', {
    env: options.env ?? EXAMPLE_ENV,
    description: 'Example: orders API on AWS Lambda with its cdk-delivery-pipelines delivery pipeline',
  });

  const staging = ordersFunction(stack, 'Staging');
  const production = ordersFunction(stack, 'Production');
  // Staging's errors, watched for 10 minutes after each deployment before production's approval is
  // asked: an error there rolls Staging back and stops the release.
  const stagingErrors = new cloudwatch.Alarm(stack, 'StagingOrdersErrors', {
    alarmDescription: 'The staging orders API returned errors',
    metric: staging.metricErrors({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  const pipeline = new LambdaPipeline(stack, 'Pipeline', {
    source: options.source ?? PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'orders-api', branch: 'main' }),
    buildOptions: {
      installCommands: ['npm ci'],
      testCommands: ['npm test'],
      // The package: the compiled handler plus production dependencies only.
      commands: ['npm run build', 'npm prune --omit=dev', 'cp -r node_modules "$OUTPUT_DIRECTORY/"'],
      testReportDirectory: 'reports',
      cachePaths: ['/root/.npm/**/*'],
    },
    outputDirectory: 'dist',
    environments: [
      {
        name: 'Staging',
        deployment: LambdaDeployment.allAtOnce(staging),
        // Smoke tests invoke the staging alias once it points at the new version; a failure
        // stops the release before production and moves staging back to the previous code.
        // Smoke tests that invoke the function fit CodeBuild Lambda compute: they start in seconds.
        postDeployTests: { installCommands: ['npm ci'], commands: ['npm run smoke'], buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22 },
        environmentVariables: { FUNCTION_ARN: staging.functionArn },
        // Then ten quiet minutes on the errors alarm before production may be approved.
        bake: { duration: Duration.minutes(10), alarms: [stagingErrors] },
      },
      {
        name: 'Production',
        deployment: LambdaDeployment.canary(production, { percentage: 10, interval: Duration.minutes(5) }),
        approval: { emails: ['ops@acme.example'], comment: 'Staging is green: release the orders API to production?' },
      },
    ],
    notifications: { emails: ['team@acme.example'] },
  });
  // The smoke tests call the function: they may invoke the staging alias, nothing else.
  staging.grantInvoke(pipeline.postDeployTestProject('Staging')!);

  return { app, stack, pipeline };
}

/**
 * One environment's function and its `live` alias. The code here is a placeholder that only
 * exists so the function and its first version can be created: the pipeline deploys the real
 * code. Its role may write only to the function's own log group (no managed policy).
 */
export function ordersFunction(scope: Construct, name: string, named = false): lambda.Alias {
  const logGroup = new logs.LogGroup(scope, `${name}OrdersLogs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${name}OrdersRole`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the ${name.toLowerCase()} orders function: writes its own logs, nothing else`,
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, `${name}Orders`, {
    // A pipeline in another account names the function: a name, generated when needed.
    functionName: named ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    description: `Orders API (${name.toLowerCase()}); code deployed by the delivery pipeline`,
    // AwsSolutions-L1: the latest Node.js runtime aws-cdk-lib knows.
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 503, body: "not deployed yet" });'),
    role,
    logGroup,
    memorySize: 256,
    timeout: Duration.seconds(10),
  });
  return new lambda.Alias(scope, `${name}OrdersLive`, { aliasName: 'live', version: fn.currentVersion });
}

if (require.main === module) {
  buildLambdaApp().app.synth();
}
