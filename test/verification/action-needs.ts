/**
 * What each CodePipeline action, and each AWS service role a pipeline hands to a service, needs
 * at run time, as the AWS documentation states it. Each entry cites its page and quotes the
 * permission list; `needs` maps the quote onto the resources one concrete action uses (read from
 * the synthesized template), so test/verification/action-needs.test.ts can ask the IAM evaluator
 * whether the role that performs the action allows each of them.
 *
 * The quotes are from the stored copies the project's search tool holds (AWS docs pages, and the
 * awsdocs/aws-codepipeline-user-guide sources where the page text was cut off). When a page
 * changes, change the quote and the needs together.
 */
import { AppModel, AuthRequest, TemplateModel } from './iam-eval';

/** A documentation source: the page and the words that state the permissions. */
export interface DocQuote {
  /** Where the quote is from. */
  readonly url: string;
  readonly quote: string;
  /** The live page that holds the same list, when the quote is from its source or an older copy. */
  readonly page?: string;
}

/** One permission a role must hold, on a canonical resource, for a stated reason. */
export interface Need extends AuthRequest {
  /** Why (which doc entry, which resource). */
  readonly why: string;
}

/** One action of a pipeline, with what the needs are computed from. */
export interface PipelineAction {
  /** Every template of the app (resource policies are looked up in all of them). */
  readonly app: AppModel;
  /**
   * The template of the role that performs the action: the pipeline's, or (an action in another
   * account) the workload stack's. The action's resources (service, function, project) are
   * named in it, in its account and region.
   */
  readonly m: TemplateModel;
  /** The template of the pipeline (pipelineId). */
  readonly pipelineM: TemplateModel;
  readonly pipelineId: string;
  readonly stage: string;
  /** The action declaration of the AWS::CodePipeline::Pipeline. */
  readonly declaration: any;
  /** The role that performs it: the action's RoleArn, else the pipeline role (logical id in `m`). */
  readonly roleId: string;
  /** The region the action runs in (its `Region`, else the pipeline's). */
  readonly region: string;
  /** Canonical ARN of the artifact bucket of the action's region (the replication bucket in another region). */
  readonly bucketArn: string;
  /** Canonical ARN (or alias ARN) of that artifact store's KMS key, when the store names one. */
  readonly keyArn?: string;
}

/** What the documentation says one kind of action needs. */
export interface ActionNeeds {
  /** `ActionTypeId.Provider` (and category) of the actions this applies to. */
  readonly provider: string;
  readonly category: string;
  readonly docs: readonly DocQuote[];
  readonly needs: (a: PipelineAction) => Need[];
}

/** S3 and KMS: reading or writing an artifact of a KMS-encrypted store. */
export const S3_KMS_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-UsingKMSEncryption.html',
  quote: 'To upload or download an object encrypted with an AWS KMS key to or from Amazon S3, you need `kms:GenerateDataKey` and `kms:Decrypt` permissions on the key.',
};

/** The pipeline's artifact objects (every key CodePipeline writes under the bucket). */
export function artifactObjects(a: PipelineAction): string {
  return `${a.bucketArn}/*`;
}

/** S3 asks KMS for the artifact's data key on the caller's behalf: the request comes via S3 of the bucket's region. */
export const viaS3 = (a: PipelineAction) => ({ 'kms:ViaService': `s3.${a.region}.amazonaws.com` });

/** What reading the action's input artifacts needs from the action's role. */
export function readsArtifacts(a: PipelineAction): Need[] {
  if ((a.declaration.InputArtifacts ?? []).length === 0) {
    return [];
  }
  const out: Need[] = [{ action: 's3:GetObject', resource: artifactObjects(a), why: 'read the input artifact' }];
  if (a.keyArn) {
    out.push({ action: 'kms:Decrypt', resource: a.keyArn, context: viaS3(a), why: 'decrypt the input artifact (S3 + KMS)' });
  }
  return out;
}

/** What writing the action's output artifacts needs from the action's role. */
export function writesArtifacts(a: PipelineAction): Need[] {
  if ((a.declaration.OutputArtifacts ?? []).length === 0) {
    return [];
  }
  const out: Need[] = [{ action: 's3:PutObject', resource: artifactObjects(a), why: 'write the output artifact' }];
  if (a.keyArn) {
    out.push({ action: 'kms:GenerateDataKey', resource: a.keyArn, context: viaS3(a), why: 'encrypt the output artifact (S3 + KMS)' });
  }
  return out;
}

const config = (a: PipelineAction, key: string): any => {
  const v = a.declaration.Configuration?.[key];
  if (v === undefined) {
    throw new Error(`${a.stage}/${a.declaration.Name}: no Configuration.${key}`);
  }
  return v;
};

/**
 * The logical id, in the action's template (`a.m`), of the resource a configuration value names:
 * a Ref or GetAtt of the pipeline's own template, or (an action in another account or region,
 * whose resources the pipeline names by their physical names) the literal name of a resource of
 * the action's template.
 */
export function configResource(a: PipelineAction, key: string, type: string): string {
  const value = config(a, key);
  const local = a.m === a.pipelineM ? a.m.logicalIdOf(value) : undefined;
  const named = typeof value === 'string' ? a.m.idsOfType(type).filter((id) => a.m.nameOf(id) === value) : [];
  const id = local ?? (named.length === 1 ? named[0] : undefined);
  if (!id || a.m.resource(id).Type !== type) {
    throw new Error(`${a.stage}/${a.declaration.Name}: Configuration.${key} is not a ${type} of the template${a.m.scope ? ` ${a.m.scope}` : ''}: ${JSON.stringify(value)}`);
  }
  return id;
}

/** The ECS service named by a cluster + service name pair of the template. */
export function ecsServiceId(m: TemplateModel, cluster: any, serviceName: any): string {
  const clusterName = m.canon(cluster);
  const name = m.canon(serviceName);
  const found = m.idsOfType('AWS::ECS::Service').filter((id) => m.nameOf(id) === name && m.clusterNameOf(id) === clusterName.replace(/^.*:cluster\//, ''));
  if (found.length !== 1) {
    throw new Error(`no single ECS service ${name} in cluster ${clusterName} (found ${found.join(', ') || 'none'})`);
  }
  return found[0];
}

/** The execution and task roles of a service's task definition (logical ids). */
export function taskRolesOf(m: TemplateModel, serviceId: string): { taskDefinitionId: string; executionRoleId?: string; taskRoleId?: string } {
  const ref = m.resource(serviceId).Properties?.TaskDefinition;
  // A CODE_DEPLOY service names its task definition's family (a string), others reference it.
  const taskDefinitionId = m.logicalIdOf(ref) ?? (typeof ref === 'string'
    ? m.idsOfType('AWS::ECS::TaskDefinition').find((id) => m.nameOf(id) === ref.replace(/^.*:task-definition\//, '').replace(/:\d+$/, ''))
    : undefined);
  if (!taskDefinitionId) {
    throw new Error(`${serviceId}: its task definition is not a resource of the template`);
  }
  const p = m.resource(taskDefinitionId).Properties ?? {};
  return {
    taskDefinitionId,
    executionRoleId: p.ExecutionRoleArn !== undefined ? m.logicalIdOf(p.ExecutionRoleArn) : undefined,
    taskRoleId: p.TaskRoleArn !== undefined ? m.logicalIdOf(p.TaskRoleArn) : undefined,
  };
}

const passTaskRoles = (m: TemplateModel, serviceId: string, why: string): Need[] => {
  const roles = taskRolesOf(m, serviceId);
  return [roles.executionRoleId, roles.taskRoleId].filter((r): r is string => r !== undefined).map((roleId) => ({
    action: 'iam:PassRole',
    resource: m.arnOf(roleId),
    context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    why: `${why}: pass ${roleId} to the new task definition revision`,
  }));
};

/** CodePipeline's published service role permissions (CodePipeline user guide source). */
const CODEPIPELINE_SERVICE_ROLE_SOURCE = 'https://github.com/awsdocs/aws-codepipeline-user-guide/blob/main/doc_source/how-to-custom-role.md';

export const ACTION_NEEDS: readonly ActionNeeds[] = [
  {
    provider: 'CodeStarSourceConnection',
    category: 'Source',
    docs: [
      {
        url: 'https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html',
        quote: 'Creating a resource under the new service prefix will use codeconnections in the resource ARN. Actions and resources for the codestar-connections service prefix remain available. When specifying a resource in the IAM policy, the service prefix needs to match that of the resource.',
      },
      {
        url: 'https://docs.aws.amazon.com/dtconsole/latest/userguide/security_iam_id-based-policy-examples-connections.html',
        quote: '"codeconnections:CreateConnection", "codeconnections:DeleteConnection", "codeconnections:UseConnection", "codeconnections:GetConnection", ...',
      },
      S3_KMS_DOC,
    ],
    needs: (a) => {
      const arn = a.m.canon(config(a, 'ConnectionArn'));
      const prefix = /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];
      if (prefix !== undefined && prefix !== 'codeconnections' && prefix !== 'codestar-connections') {
        throw new Error(`${a.stage}/${a.declaration.Name}: ConnectionArn ${arn} is not a connection ARN`);
      }
      // A value known only at deploy time may carry either prefix: both must be granted.
      const prefixes = prefix !== undefined ? [prefix] : ['codestar-connections', 'codeconnections'];
      return [
        ...prefixes.map((p) => ({ action: `${p}:UseConnection`, resource: arn, why: `use the connection (${prefix ?? 'unresolved'} ARN: the action prefix must match the resource's)` })),
        ...writesArtifacts(a),
      ];
    },
  },
  {
    provider: 'CodeBuild',
    category: 'Build',
    docs: [
      {
        url: CODEPIPELINE_SERVICE_ROLE_SOURCE,
        page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html',
        quote: 'For AWS CodeBuild support, add the following to your policy statement: { "Action": [ "codebuild:BatchGetBuilds", "codebuild:StartBuild" ], ... }',
      },
    ],
    needs: (a) => {
      const project = a.m.arnOf(configResource(a, 'ProjectName', 'AWS::CodeBuild::Project'));
      return ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) => ({ action, resource: project, why: 'start the build and watch it' }));
    },
  },
  {
    provider: 'ECS',
    category: 'Deploy',
    docs: [
      {
        url: CODEPIPELINE_SERVICE_ROLE_SOURCE,
        page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html',
        quote: 'For Amazon ECS, the following are the minimum permissions needed to create pipelines with an Amazon ECS deploy action. { "Action": [ "ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:DescribeTasks", "ecs:ListTasks", "ecs:RegisterTaskDefinition", "ecs:UpdateService" ], "Resource": "*" } ... to limit permissions when calling DescribeTasks and ListTasks, you can replace the wildcard character (*) with a specific resource ARN',
      },
      {
        url: CODEPIPELINE_SERVICE_ROLE_SOURCE,
        quote: '{ "Action": [ "iam:PassRole" ], "Resource": "*", "Effect": "Allow", "Condition": { "StringEqualsIfExists": { "iam:PassedToService": [ ..., "ecs-tasks.amazonaws.com" ] } } }',
      },
      S3_KMS_DOC,
    ],
    needs: (a) => {
      const m = a.m;
      const cluster = configResource(a, 'ClusterName', 'AWS::ECS::Cluster');
      const service = ecsServiceId(m, config(a, 'ClusterName'), config(a, 'ServiceName'));
      const clusterArn = m.arnOf(cluster);
      return [
        { action: 'ecs:DescribeServices', resource: m.arnOf(service), context: { 'ecs:cluster': clusterArn }, why: 'read the service' },
        { action: 'ecs:UpdateService', resource: m.arnOf(service), context: { 'ecs:cluster': clusterArn }, why: 'point the service at the new revision' },
        // Neither has a resource type in IAM.
        { action: 'ecs:DescribeTaskDefinition', resource: '*', why: 'read the running task definition' },
        { action: 'ecs:RegisterTaskDefinition', resource: '*', why: 'register the new revision' },
        { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': clusterArn }, why: 'list the service tasks while the deployment runs' },
        {
          action: 'ecs:DescribeTasks',
          resource: `arn:${m.partition}:ecs:${m.region}:${m.account}:task/${m.nameOf(cluster)}/*`,
          context: { 'ecs:cluster': clusterArn },
          why: 'watch the service tasks',
        },
        ...passTaskRoles(m, service, 'ECS deploy'),
        ...readsArtifacts(a),
      ];
    },
  },
  {
    provider: 'CodeDeployToECS',
    category: 'Deploy',
    docs: [
      {
        url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECSbluegreen.html',
        quote: 'The completed pipeline detects changes to your images or task definition file and uses CodeDeploy to route and deploy traffic to an Amazon ECS cluster and load balancer.',
      },
      {
        url: CODEPIPELINE_SERVICE_ROLE_SOURCE,
        page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECSbluegreen.html',
        quote: '{ "Action": [ "codedeploy:CreateDeployment", "codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision" ], "Resource": "*", "Effect": "Allow" } ... "ecs:RegisterTaskDefinition" ... "iam:PassRole" ... "ecs-tasks.amazonaws.com"',
      },
      S3_KMS_DOC,
    ],
    needs: (a) => {
      const m = a.m;
      const app = configResource(a, 'ApplicationName', 'AWS::CodeDeploy::Application');
      const group = configResource(a, 'DeploymentGroupName', 'AWS::CodeDeploy::DeploymentGroup');
      const appArn = `arn:${m.partition}:codedeploy:${m.region}:${m.account}:application:${m.nameOf(app)}`;
      const groupArn = `arn:${m.partition}:codedeploy:${m.region}:${m.account}:deploymentgroup:${m.nameOf(app)}/${m.nameOf(group)}`;
      const gp = m.resource(group).Properties;
      const configName = gp.DeploymentConfigName !== undefined ? m.canon(gp.DeploymentConfigName) : 'CodeDeployDefault.ECSAllAtOnce';
      const out: Need[] = [
        ...['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'].map((action) => ({ action, resource: appArn, why: 'register the revision' })),
        ...['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'].map((action) => ({ action, resource: groupArn, why: 'start the deployment and watch it' })),
        {
          action: 'codedeploy:GetDeploymentConfig',
          resource: `arn:${m.partition}:codedeploy:${m.region}:${m.account}:deploymentconfig:${configName}`,
          why: 'read the deployment configuration',
        },
        { action: 'ecs:RegisterTaskDefinition', resource: '*', why: 'register the task definition from the artifact' },
        ...readsArtifacts(a),
      ];
      for (const svc of gp.ECSServices ?? []) {
        out.push(...passTaskRoles(m, ecsServiceId(m, svc.ClusterName, svc.ServiceName), 'CodeDeploy ECS deploy'));
      }
      return out;
    },
  },
  {
    provider: 'CodeDeploy',
    category: 'Deploy',
    docs: [
      {
        url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeDeploy.html',
        quote: 'You use an AWS CodeDeploy action to deploy application code to your deployment fleet. Your deployment fleet can consist of Amazon EC2 instances, on-premises instances, or both.',
      },
      {
        url: CODEPIPELINE_SERVICE_ROLE_SOURCE,
        page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeDeploy.html',
        quote: '{ "Action": [ "codedeploy:CreateDeployment", "codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision" ], "Resource": "*", "Effect": "Allow" }',
      },
      S3_KMS_DOC,
    ],
    needs: (a) => {
      const m = a.m;
      const app = configResource(a, 'ApplicationName', 'AWS::CodeDeploy::Application');
      const group = configResource(a, 'DeploymentGroupName', 'AWS::CodeDeploy::DeploymentGroup');
      const appArn = `arn:${m.partition}:codedeploy:${m.region}:${m.account}:application:${m.nameOf(app)}`;
      const groupArn = `arn:${m.partition}:codedeploy:${m.region}:${m.account}:deploymentgroup:${m.nameOf(app)}/${m.nameOf(group)}`;
      const gp = m.resource(group).Properties;
      const configName = gp.DeploymentConfigName !== undefined ? m.canon(gp.DeploymentConfigName) : 'CodeDeployDefault.OneAtATime';
      return [
        ...['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'].map((action) => ({ action, resource: appArn, why: 'register the revision bundle' })),
        ...['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'].map((action) => ({ action, resource: groupArn, why: 'start the deployment and watch it' })),
        {
          action: 'codedeploy:GetDeploymentConfig',
          resource: `arn:${m.partition}:codedeploy:${m.region}:${m.account}:deploymentconfig:${configName}`,
          why: 'read the deployment configuration',
        },
        ...readsArtifacts(a),
      ];
    },
  },
  {
    provider: 'Manual',
    category: 'Approval',
    docs: [
      {
        url: 'https://github.com/awsdocs/aws-codepipeline-user-guide/blob/main/doc_source/approvals-service-role-permissions.md',
        page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-service-role-permissions.html',
        quote: 'If you plan to use Amazon SNS to publish notifications to topics when approval actions require review, the service role you use in your AWS CodePipeline operations must be granted permission to access the Amazon SNS resources. ... { "Effect": "Allow", "Action": "sns:Publish", "Resource": "*" }',
      },
      {
        url: 'https://rules.sonarsource.com/python/RSPEC-6327',
        page: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
        quote: 'make sure that any publishers have the kms:GenerateDataKey* and kms:Decrypt permissions for the AWS KMS key.',
      },
    ],
    needs: (a) => {
      const arn = a.declaration.Configuration?.NotificationArn;
      if (arn === undefined) {
        return [];
      }
      const m = a.m;
      const topicArn = m.canon(arn);
      const out: Need[] = [{ action: 'sns:Publish', resource: topicArn, why: 'notify the reviewers' }];
      const topicId = m.logicalIdOf(arn);
      const key = topicId ? m.resource(topicId).Properties?.KmsMasterKeyId : undefined;
      if (key !== undefined && !/alias\/aws\/sns$/.test(m.canon(key))) {
        const keyId = m.logicalIdOf(key);
        const keyArn = keyId ? m.arnOf(keyId) : m.canon(key);
        out.push(
          { action: 'kms:GenerateDataKey', resource: keyArn, why: 'publish to the KMS-encrypted topic' },
          { action: 'kms:Decrypt', resource: keyArn, why: 'publish to the KMS-encrypted topic' },
        );
      }
      return out;
    },
  },
  {
    provider: 'Lambda',
    category: 'Deploy',
    docs: [
      {
        url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html',
        quote: 'FunctionAlias ... The alias must exist and has one version behind it when the action executions starts. (It will be the rollback target version.) If not provided, the action deploys the source artifact to $LATEST and creates a new version. (The stored copy lists the section "Service role policy permissions for the Lambda deploy action" without its body.)',
      },
      {
        url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambda.html',
        quote: '"cloudwatch:DescribeAlarms", "lambda:UpdateAlias", "lambda:GetAlias", "lambda:GetProvisionedConcurrencyConfig" (what shifting an alias between versions with alarm rollback takes)',
      },
      S3_KMS_DOC,
    ],
    needs: (a) => {
      const m = a.m;
      const fnArn = m.functionArnOf(config(a, 'FunctionName'));
      const out: Need[] = [];
      if ((a.declaration.InputArtifacts ?? []).length > 0) {
        out.push(
          { action: 'lambda:UpdateFunctionCode', resource: fnArn, why: 'deploy the artifact to $LATEST' },
          { action: 'lambda:PublishVersion', resource: fnArn, why: 'publish the new version' },
        );
      }
      const alias = a.declaration.Configuration?.FunctionAlias;
      if (alias !== undefined) {
        const aliasArn = `${fnArn}:${m.canon(alias)}`;
        out.push(
          { action: 'lambda:GetAlias', resource: aliasArn, why: 'read the alias (rollback target)' },
          { action: 'lambda:UpdateAlias', resource: aliasArn, why: 'shift the alias' },
          { action: 'lambda:GetProvisionedConcurrencyConfig', resource: aliasArn, why: 'shift the alias' },
        );
      }
      const alarms = a.declaration.Configuration?.Alarms;
      if (alarms !== undefined) {
        for (const name of m.canon(alarms).split(',')) {
          out.push({ action: 'cloudwatch:DescribeAlarms', resource: `arn:${m.partition}:cloudwatch:${m.region}:${m.account}:alarm:${name}`, why: 'watch the rollback alarm' });
        }
      }
      return [...out, ...readsArtifacts(a)];
    },
  },
];

/** The pipeline role assumes each action's role (the action declaration's RoleArn). */
export const ACTION_ROLE_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html',
  quote: 'roleArn: The ARN of the IAM service role that performs the declared action. This is assumed through the roleArn for the pipeline.',
};

/** Cross-region actions: the pipeline copies the artifacts into the store of the action's region (as the pipeline role). */
export const CROSS_REGION_ARTIFACTS_DOC: DocQuote = {
  url: 'https://github.com/ianthropos88/awscloud_web_app_Ch.3',
  page: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html',
  quote: 'When you create or edit a pipeline, you must have an artifact bucket in the pipeline Region and then you must have one artifact bucket per Region where you plan to execute an action. ... Note: CodePipeline handles the copying of artifacts from one AWS Region to the other Regions when performing cross-region actions.',
};

/** A CodeBuild project's service role: what a build started by the pipeline needs. */
export const CODEBUILD_SERVICE_ROLE_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
  quote: '"Sid": "CloudWatchLogsPolicy", "Action": [ "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents" ] ... "Sid": "S3GetObjectPolicy", "Action": [ "s3:GetObject", "s3:GetObjectVersion" ] ... "Sid": "S3PutObjectPolicy", "Action": [ "s3:PutObject" ] ... "Sid": "S3BucketIdentity", "Action": [ "s3:GetBucketAcl", "s3:GetBucketLocation" ]',
};

/** Pulling an image from a private ECR repository: the task execution role (Fargate). */
export const ECR_PULL_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html',
  quote: 'For this to work, the Amazon ECS, or Fargate, container agent must have permissions to make the ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, and ecr:GetAuthorizationToken APIs. ... Amazon ECS on Fargate: Use the task execution IAM role that you reference in your Amazon ECS task definition.',
};

/** What CodeDeploy does with the ECS blue/green deployment group's service role. */
export const CODEDEPLOY_ECS_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html',
  quote: '{ "Action" : [ "ecs:DescribeServices", "ecs:CreateTaskSet", "ecs:UpdateServicePrimaryTaskSet", "ecs:DeleteTaskSet", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:ModifyRule", "lambda:InvokeFunction", "cloudwatch:DescribeAlarms", "sns:Publish", "s3:GetObject", "s3:GetObjectVersion" ], "Resource" : "*", "Effect" : "Allow" }, { "Action" : [ "iam:PassRole" ], "Effect" : "Allow", "Resource" : "*", "Condition" : { "StringLike" : { "iam:PassedToService" : [ "ecs-tasks.amazonaws.com" ] } } }',
};

/** What an ECS blue/green lifecycle hook function must be allowed: reporting its result to CodeDeploy. */
export const CODEDEPLOY_HOOK_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html',
  quote: 'The deployment is considered to have failed if CodeDeploy is not notified by the Lambda validation function within one hour. ... codedeploy.putLifecycleEventHookExecutionStatus(params, ...)',
};

/** Where compute actions of a pipeline write their logs. */
export const ACTION_LOGS_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam-permissions-console-logs.html',
  quote: '"Resource": "arn:aws:logs:*:YOUR_AWS_ACCOUNT_ID:log-group:/aws/codepipeline/YOUR_PIPELINE_NAME:*"',
};

/** Reading enhanced (Amazon Inspector) scan findings of an ECR image. */
export const INSPECTOR_ECR_DOC: DocQuote = {
  url: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-iam.html',
  quote: 'The following IAM policy grants the required permissions for enabling and using enhanced scanning. ... { "Effect": "Allow", "Action": [ "inspector2:Enable", "inspector2:Disable", "inspector2:ListFindings", "inspector2:ListAccountPermissions", "inspector2:ListCoverage" ], "Resource": "*" }',
};
