import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeliveryPipelineErrors, PipelineSource } from '../../src';
import { CONNECTION_ARN, githubSource, newStack } from '../helpers';
import { ecsPipeline, flatten, onlyResource, stageOf, thrown } from './support';

/** The SOURCE_REVISION value the build action passes to CodeBuild. */
function sourceRevisionOf(template: Template): string {
  const action = stageOf(template, 'Build').Actions[0];
  const variables = JSON.parse(flatten(action.Configuration.EnvironmentVariables)) as Array<{ name: string; value: string }>;
  return variables.find((v) => v.name === 'SOURCE_REVISION')!.value;
}

describe('PipelineSource', () => {
  describe('GIVEN a connection source with defaults', () => {
    let template: Template;

    beforeAll(() => {
      const stack = newStack();
      ecsPipeline(stack, { source: githubSource('main') });
      template = Template.fromStack(stack);
    });

    test('THEN the source action is a CodeStarSourceConnection on owner/repo and the branch, without its own change detection', () => {
      const action = stageOf(template, 'Source').Actions[0];
      expect(action.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }));
      expect(action.Configuration).toEqual(expect.objectContaining({
        ConnectionArn: CONNECTION_ARN,
        FullRepositoryId: 'acme/shop',
        BranchName: 'main',
        DetectChanges: false,
      }));
    });

    test('THEN a V2 trigger starts the pipeline on pushes to that branch only', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Triggers: [{
          ProviderType: 'CodeStarSourceConnection',
          GitConfiguration: {
            SourceActionName: 'Source',
            Push: [{ Branches: { Includes: ['main'] } }],
          },
        }],
      });
    });

    test('THEN the build gets the commit id as SOURCE_REVISION', () => {
      expect(sourceRevisionOf(template)).toMatch(/^#\{[A-Za-z0-9_]+\.CommitId\}$/);
    });
  });

  test('GIVEN another branch WHEN synthesized THEN the action and the trigger use it', () => {
    const stack = newStack();
    ecsPipeline(stack, { source: githubSource('release/1.x') });
    const template = Template.fromStack(stack);
    expect(stageOf(template, 'Source').Actions[0].Configuration.BranchName).toBe('release/1.x');
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{ GitConfiguration: { Push: [{ Branches: { Includes: ['release/1.x'] } }] } }],
    });
  });

  test('GIVEN filePaths and tags WHEN synthesized THEN the trigger filters on the file paths and also starts on the tags', () => {
    const stack = newStack();
    ecsPipeline(stack, {
      source: PipelineSource.connection({
        connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'mono', branch: 'main', filePaths: ['services/api/**'], tags: ['v*'],
      }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{
        GitConfiguration: {
          Push: [
            { Branches: { Includes: ['main'] }, FilePaths: { Includes: ['services/api/**'] } },
            { Tags: { Includes: ['v*'] } },
          ],
        },
      }],
    });
  });

  test('GIVEN no filePaths WHEN synthesized THEN the push filter has no FilePaths', () => {
    const stack = newStack();
    ecsPipeline(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{ GitConfiguration: { Push: [{ Branches: { Includes: ['main'] }, FilePaths: Match.absent(), Tags: Match.absent() }] } }],
    });
  });

  test('GIVEN a token connectionArn (a CfnParameter) WHEN synthesized THEN it is not judged and is passed through', () => {
    const stack = newStack();
    const connectionArn = new CfnParameter(stack, 'ConnectionArn').valueAsString;
    ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn, owner: 'acme', repo: 'shop' }) });
    expect(stageOf(Template.fromStack(stack), 'Source').Actions[0].Configuration.ConnectionArn).toEqual({ Ref: 'ConnectionArn' });
  });

  test('GIVEN a legacy codestar-connections ARN WHEN synthesized THEN it is accepted', () => {
    const stack = newStack();
    expect(() => ecsPipeline(stack, {
      source: PipelineSource.connection({
        connectionArn: 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc', owner: 'acme', repo: 'shop',
      }),
    })).not.toThrow();
  });

  describe('UseConnection is granted under the service prefix of the connection ARN (IAM matches prefixes)', () => {
    /** The actions of every statement of the source action's role that name the connection. */
    function connectionGrants(template: Template): Array<{ actions: string[]; resource: unknown }> {
      const source = stageOf(template, 'Source').Actions[0];
      const roleId = source.RoleArn['Fn::GetAtt'][0];
      const policies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
      return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement)
        .filter((st: any) => [st.Action].flat().some((a: string) => a.endsWith(':UseConnection')))
        .map((st: any) => ({ actions: [st.Action].flat().sort(), resource: st.Resource }));
    }

    function synth(connectionArn: string | ((stack: Stack) => string)): Template {
      const stack = newStack();
      const arn = typeof connectionArn === 'string' ? connectionArn : connectionArn(stack);
      ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn: arn, owner: 'acme', repo: 'shop' }) });
      return Template.fromStack(stack);
    }

    test('GIVEN a codeconnections ARN (created since July 2024) THEN only codeconnections:UseConnection is granted on it', () => {
      expect(connectionGrants(synth(CONNECTION_ARN))).toEqual([{ actions: ['codeconnections:UseConnection'], resource: CONNECTION_ARN }]);
    });

    test('GIVEN a codestar-connections ARN THEN only codestar-connections:UseConnection is granted on it', () => {
      const arn = 'arn:aws:codestar-connections:eu-west-1:111111111111:connection/abc';
      expect(connectionGrants(synth(arn))).toEqual([{ actions: ['codestar-connections:UseConnection'], resource: arn }]);
    });

    test('GIVEN an unresolved ARN (a CfnParameter) THEN both prefixes are granted on it', () => {
      const template = synth((stack) => new CfnParameter(stack, 'ConnectionArn').valueAsString);
      expect(connectionGrants(template)).toEqual([{
        actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'], resource: { Ref: 'ConnectionArn' },
      }]);
    });

    test('THEN the role keeps what the action reference lists for the artifact: put object (and ACL) in the artifact bucket, and the bucket key', () => {
      const template = synth(CONNECTION_ARN);
      const roleId = stageOf(template, 'Source').Actions[0].RoleArn['Fn::GetAtt'][0];
      const statements = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      const granted = statements.flatMap((st: any) => [st.Action].flat());
      expect(granted).toEqual(expect.arrayContaining(['s3:PutObject', 's3:PutObjectAcl', 'kms:Encrypt', 'kms:GenerateDataKey*']));
    });

    test('THEN the pipeline role may assume the source action role', () => {
      const template = synth(CONNECTION_ARN);
      const roleId = stageOf(template, 'Source').Actions[0].RoleArn['Fn::GetAtt'][0];
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } })]) },
      });
    });
  });

  describe('GIVEN a CodeCommit source', () => {
    let stack: Stack;
    let template: Template;

    beforeAll(() => {
      stack = newStack();
      const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'shop' });
      ecsPipeline(stack, { source: PipelineSource.codeCommit(repo, 'trunk') });
      template = Template.fromStack(stack);
    });

    test('THEN the source action is CodeCommit on the branch, without polling', () => {
      const action = stageOf(template, 'Source').Actions[0];
      expect(action.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Source', Provider: 'CodeCommit' }));
      expect(action.Configuration).toEqual(expect.objectContaining({ BranchName: 'trunk', PollForSourceChanges: false }));
    });

    test('THEN an EventBridge rule on pushes to the branch starts the pipeline', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          'source': ['aws.codecommit'],
          'detail-type': ['CodeCommit Repository State Change'],
          'detail': Match.objectLike({ referenceName: ['trunk'] }),
        }),
        Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
      });
    });

    test('THEN the build gets the commit id as SOURCE_REVISION', () => {
      expect(sourceRevisionOf(template)).toMatch(/\.CommitId\}$/);
    });
  });

  test('GIVEN codeCommit without a branch WHEN synthesized THEN it builds main', () => {
    const stack = newStack();
    const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'shop' });
    ecsPipeline(stack, { source: PipelineSource.codeCommit(repo) });
    expect(stageOf(Template.fromStack(stack), 'Source').Actions[0].Configuration.BranchName).toBe('main');
  });

  describe('GIVEN an S3 source on a versioned bucket', () => {
    let template: Template;
    let bucketId: string;

    beforeAll(() => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'SourceBucket', { versioned: true });
      bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
      ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'source/app.zip') });
      template = Template.fromStack(stack);
    });

    test('THEN the source action reads the key from the bucket, without polling', () => {
      const action = stageOf(template, 'Source').Actions[0];
      expect(action.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Source', Provider: 'S3' }));
      expect(action.Configuration).toEqual({ S3Bucket: { Ref: bucketId }, S3ObjectKey: 'source/app.zip', PollForSourceChanges: false });
    });

    test('THEN an EventBridge rule on the bucket\'s "Object Created" events of the key starts the pipeline', () => {
      const pipelineId = onlyResource(template, 'AWS::CodePipeline::Pipeline').id;
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.s3'],
          'detail-type': ['Object Created'],
          'detail': { bucket: { name: [{ Ref: bucketId }] }, object: { key: ['source/app.zip'] } },
        },
        Targets: [Match.objectLike({ Arn: Match.anyValue(), RoleArn: Match.anyValue() })],
      });
      const rule = onlyResource(template, 'AWS::Events::Rule').resource;
      expect(flatten(rule.Properties.Targets[0].Arn)).toContain(`<${pipelineId}>`);
    });

    test('THEN no rule waits for CloudTrail events (no trail records them)', () => {
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      expect(rules.filter((r: any) => JSON.stringify(r.Properties.EventPattern).includes('CloudTrail'))).toEqual([]);
    });

    test('THEN the bucket sends its events to EventBridge, set in the template (no notifications custom resource)', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
    });

    test('THEN the build gets the object version as SOURCE_REVISION', () => {
      expect(sourceRevisionOf(template)).toMatch(/^#\{[A-Za-z0-9_]+\.VersionId\}$/);
    });
  });

  test('GIVEN an imported bucket (versioning unknown) WHEN used as S3 source THEN it is accepted', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'acme-sources');
    expect(() => ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') })).not.toThrow();
  });

  test('GIVEN an imported S3 source bucket WHEN synthesized THEN a warning with an id says to turn on its EventBridge notifications', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'acme-sources');
    ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
      Match.stringLikeRegexp('source\\.bucket TestStack/Imported is imported.*EventBridge.*ack: cdk-delivery-pipelines:S3SourceEventBridge'));
  });

  test('GIVEN an S3 source bucket whose notifications aws-cdk-lib manages WHEN synthesized THEN EventBridge is turned on in that resource', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'SourceBucket', { versioned: true });
    ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') });
    // Added after the pipeline: the custom resource overwrites the whole notification configuration.
    bucket.addObjectCreatedNotification(new s3n.SnsDestination(new sns.Topic(stack, 'Uploads')));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: Match.objectLike({ EventBridgeConfiguration: {} }),
    });
  });

  describe('GIVEN bad input', () => {
    test('WHEN the S3 source bucket is not versioned THEN it throws saying it must be versioned', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Unversioned');
      expect(() => ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'source/app.zip') }))
        .toThrow(/TestStack\/Pipeline: source\.bucket must be versioned.*Fix: .*versioned: true/);
    });

    test('WHEN the S3 source bucket is in another region THEN the library\'s error names source.bucket', () => {
      const app = new App();
      const bucket = new s3.Bucket(new Stack(app, 'Sources', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Bucket', { versioned: true });
      const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
      const err = thrown(() => ecsPipeline(stack, { source: PipelineSource.s3(bucket, 'app.zip') }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^TestStack\/Pipeline: source\.bucket is in region eu-west-1 \(Sources\/Bucket\), but the pipeline's stack is in region us-east-1\. Fix:/);
    });

    test('WHEN the CodeCommit repository is in another account THEN the library\'s error names source.repository', () => {
      const app = new App();
      const repo = new codecommit.Repository(new Stack(app, 'Repos', { env: { account: '222222222222', region: 'us-east-1' } }), 'Repo', { repositoryName: 'shop' });
      const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'us-east-1' } });
      const err = thrown(() => ecsPipeline(stack, { source: PipelineSource.codeCommit(repo) }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/^TestStack\/Pipeline: source\.repository is in account 222222222222 \(Repos\/Repo\).*Fix:/);
    });

    test('WHEN the S3 source key escapes the bucket root THEN it throws', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Versioned', { versioned: true });
      expect(() => ecsPipeline(stack, { source: PipelineSource.s3(bucket, '/abs/app.zip') }))
        .toThrow(/TestStack\/Pipeline: source\.key must be a relative path.*Fix:/);
    });

    test.each(['feature..x', 'bad branch', '-x', 'x.lock', 'ends/', 'a:b', 'wild*', 'x@{1}', ''])(
      'WHEN the connection branch is %j THEN it throws naming source.branch',
      (branch) => {
        const stack = newStack();
        expect(() => ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch }) }))
          .toThrow(/TestStack\/Pipeline: source\.branch is not a valid git branch name.*Fix:/);
      },
    );

    test('WHEN the repo holds its owner ("acme/shop", which would become acme/acme/shop) THEN it throws saying to pass them separately', () => {
      const stack = newStack();
      expect(() => ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'acme/shop' }) }))
        .toThrow(/TestStack\/Pipeline: source\.repo must be the repository name without its owner, got "acme\/shop"\. Fix: pass owner and repo separately, e\.g\. owner: "acme", repo: "shop"/);
    });

    test('GIVEN a GitLab subgroup owner ("group/subgroup") WHEN synthesized THEN it is accepted and FullRepositoryId joins them once', () => {
      const stack = newStack();
      ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme/platform', repo: 'shop' }) });
      expect(stageOf(Template.fromStack(stack), 'Source').Actions[0].Configuration.FullRepositoryId).toBe('acme/platform/shop');
    });

    test.each([
      ['refs/heads/main', 'main'],
      ['refs/heads/release/1.x', 'release/1.x'],
    ])('WHEN the branch is the full ref %j THEN it throws saying to use %j', (branch, fix) => {
      const stack = newStack();
      expect(() => ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', branch }) }))
        .toThrow(new RegExp(`TestStack/Pipeline: source\\.branch must be a branch name, not a git ref, got "${branch}"\\. Fix: drop the "refs/heads/" prefix, e\\.g\\. "${fix.replace('.', '\\.')}"`));
    });

    test('WHEN a CodeCommit branch is a full ref THEN it throws too', () => {
      const stack = newStack();
      const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'shop' });
      expect(() => ecsPipeline(stack, { source: PipelineSource.codeCommit(repo, 'refs/heads/main') }))
        .toThrow(/source\.branch must be a branch name, not a git ref/);
    });

    test('WHEN the CodeCommit branch is invalid THEN it throws naming source.branch', () => {
      const stack = newStack();
      const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'shop' });
      expect(() => ecsPipeline(stack, { source: PipelineSource.codeCommit(repo, 'feature..x') }))
        .toThrow(/TestStack\/Pipeline: source\.branch is not a valid git branch name, got "feature\.\.x"\. Fix:/);
    });

    test.each([
      'arn:aws:s3:::my-bucket',
      'arn:aws:codeconnections:us-east-1:1111:connection/abc',
      'not-an-arn',
    ])('WHEN the connection ARN is %j THEN it throws naming source.connectionArn', (connectionArn) => {
      const stack = newStack();
      expect(() => ecsPipeline(stack, { source: PipelineSource.connection({ connectionArn, owner: 'acme', repo: 'shop' }) }))
        .toThrow(/TestStack\/Pipeline: source\.connectionArn is not a CodeConnections connection ARN.*Fix:/);
    });

    test('WHEN a filePaths entry is empty THEN it throws naming the entry', () => {
      const stack = newStack();
      expect(() => ecsPipeline(stack, {
        source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', filePaths: ['src/**', ' '] }),
      })).toThrow(/TestStack\/Pipeline: source\.filePaths\[1\] must be a glob pattern.*Fix:/);
    });

    test('WHEN a tags entry is empty THEN it throws naming the entry', () => {
      const stack = newStack();
      expect(() => ecsPipeline(stack, {
        source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repo: 'shop', tags: [''] }),
      })).toThrow(/TestStack\/Pipeline: source\.tags\[0\] must be a glob pattern.*Fix:/);
    });

    test('WHEN the source is not made by a PipelineSource factory THEN it throws', () => {
      const stack = newStack();
      const err = thrown(() => ecsPipeline(stack, { source: { description: 'fake' } as unknown as PipelineSource }));
      expect(DeliveryPipelineErrors.isDeliveryPipelineError(err)).toBe(true);
      expect(err.message).toMatch(/TestStack\/Pipeline: source must be created by a PipelineSource factory.*Fix:/);
    });
  });
});
