import { Aspects, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DEFAULTS } from './defaults';
import { validateSameEnvironment } from './same-environment';
import { fail, show, validateBranchName, validateList, validateRelativePath, validateRequired, warn } from './validation';

/**
 * A repository reached through an AWS CodeConnections connection (GitHub, GitHub Enterprise
 * Server, GitLab, Bitbucket).
 */
export interface ConnectionSourceOptions {
  /** ARN of the CodeConnections (formerly CodeStar Connections) connection. */
  readonly connectionArn: string;
  /** Owner (user or organisation) of the repository. */
  readonly owner: string;
  /** Name of the repository. */
  readonly repo: string;
  /**
   * Branch whose pushes start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Only pushes that change a file matching one of these glob patterns start the pipeline
   * (monorepos). CodePipeline V2 trigger filter.
   *
   * @default - every push to the branch starts the pipeline
   */
  readonly filePaths?: string[];
  /**
   * Also start the pipeline when a git tag matching one of these glob patterns is pushed
   * (e.g. `v*`).
   *
   * @default - tags do not start the pipeline
   */
  readonly tags?: string[];
}

/** What a bound `PipelineSource` gives the pipeline. @internal */
export interface SourceBinding {
  readonly action: codepipeline.IAction;
  /** The source artifact the action writes. */
  readonly output: codepipeline.Artifact;
  /** Pipeline variable holding the revision (commit id, object version) the run builds. */
  readonly revision: string;
  /** V2 trigger, for sources that support one. */
  readonly trigger?: codepipeline.TriggerProps;
}

/**
 * Where the pipeline's source comes from. Use the static factories.
 */
export abstract class PipelineSource {
  /**
   * A repository through AWS CodeConnections: GitHub, GitHub Enterprise Server, GitLab,
   * Bitbucket. The pipeline starts on pushes to the branch (V2 trigger, no polling),
   * optionally filtered by file paths, and optionally on tags.
   */
  public static connection(options: ConnectionSourceOptions): PipelineSource {
    return new ConnectionSource(options);
  }

  /**
   * An AWS CodeCommit repository; the pipeline starts on pushes to the branch (EventBridge).
   *
   * @param repository the repository
   * @param branch the branch, default 'main'
   */
  public static codeCommit(repository: codecommit.IRepository, branch?: string): PipelineSource {
    return new CodeCommitSource(repository, branch ?? DEFAULTS.defaultBranch);
  }

  /**
   * A zip file in an S3 bucket; the pipeline starts when a new version of the object is written
   * (the bucket's "Object Created" EventBridge events; no CloudTrail trail needed). The bucket
   * must be versioned. The pipeline turns on the EventBridge notifications of a bucket defined in
   * the app; for an imported bucket, turn them on yourself (warning `S3SourceEventBridge`).
   *
   * @param bucket the bucket
   * @param key the object key of the zip file
   */
  public static s3(bucket: s3.IBucket, key: string): PipelineSource {
    return new S3Source(bucket, key);
  }

  /** A one-line description of the source, e.g. `acme/shop@main`. */
  public abstract readonly description: string;

  /**
   * Validate against the pipeline (throwing the library's error under `prop`) and create the
   * source action. Called once, by the pipeline's constructor. @internal
   */
  public abstract _bind(scope: Construct, prop: string): SourceBinding;
}

class ConnectionSource extends PipelineSource {
  public readonly description: string;
  constructor(private readonly options: ConnectionSourceOptions) {
    super();
    this.description = `${options?.owner}/${options?.repo}@${options?.branch ?? DEFAULTS.defaultBranch}`;
  }

  public _bind(scope: Construct, prop: string): SourceBinding {
    const output = new codepipeline.Artifact('Source');
    const o = validateRequired(scope, prop, this.options, 'pass PipelineSource.connection({ connectionArn, owner, repo })');
    validateRequired(scope, `${prop}.connectionArn`, o.connectionArn, 'pass the ARN of your CodeConnections connection');
    if (!Token.isUnresolved(o.connectionArn) && !/^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/.+$/.test(o.connectionArn)) {
      fail(scope, `${prop}.connectionArn`, `is not a CodeConnections connection ARN, got ${show(o.connectionArn)}`,
        'copy the ARN from the console (Developer Tools > Settings > Connections), e.g. arn:aws:codeconnections:us-east-1:111111111111:connection/abc');
    }
    validateRequired(scope, `${prop}.owner`, o.owner, 'pass the repository owner, e.g. "acme"');
    validateRequired(scope, `${prop}.repo`, o.repo, 'pass the repository name, e.g. "shop"');
    // CodePipeline's FullRepositoryId is `${owner}/${repo}`: a repo of "acme/shop" would become
    // "acme/acme/shop". (The owner may hold a "/": GitLab groups have subgroups.)
    if (typeof o.repo === 'string' && !Token.isUnresolved(o.repo) && o.repo.includes('/')) {
      const cut = o.repo.lastIndexOf('/');
      fail(scope, `${prop}.repo`, `must be the repository name without its owner, got ${show(o.repo)}`,
        `pass owner and repo separately, e.g. owner: ${show(o.repo.slice(0, cut) || 'acme')}, repo: ${show(o.repo.slice(cut + 1) || 'shop')}`);
    }
    const branch = o.branch ?? DEFAULTS.defaultBranch;
    validateBranchName(scope, `${prop}.branch`, branch);
    validateList(scope, `${prop}.filePaths`, o.filePaths, 'pass a list of glob patterns, e.g. ["services/api/**"]');
    validateList(scope, `${prop}.tags`, o.tags, 'pass a list of tag patterns, e.g. ["v*"]');
    (o.filePaths ?? []).forEach((p, i) => validateGlob(scope, `${prop}.filePaths[${i}]`, p));
    (o.tags ?? []).forEach((t, i) => validateGlob(scope, `${prop}.tags[${i}]`, t));

    const action = new ConnectionSourceAction({
      actionName: 'Source',
      connectionArn: o.connectionArn,
      owner: o.owner,
      repo: o.repo,
      branch,
      output,
      // The V2 trigger below starts the pipeline; the action's own push detection would
      // start it a second time for every push.
      triggerOnPush: false,
    });
    const pushFilter: codepipeline.GitPushFilter[] = [
      { branchesIncludes: [branch], filePathsIncludes: o.filePaths && o.filePaths.length > 0 ? o.filePaths : undefined },
    ];
    if (o.tags && o.tags.length > 0) {
      pushFilter.push({ tagsIncludes: o.tags });
    }
    return {
      action,
      output,
      revision: action.variables.commitId,
      trigger: {
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: { sourceAction: action, pushFilter },
      },
    };
  }
}

/**
 * aws-cdk-lib's CodeStarConnectionsSourceAction grants only `codestar-connections:UseConnection`,
 * but IAM needs the action's service prefix to match the resource ARN's (AWS "Connections
 * rename" page), and connections created since July 2024 have `arn:aws:codeconnections:...`
 * ARNs: their Source action would fail. This action grants the prefix of the ARN (both for an
 * unresolved ARN) plus what the aws-cdk-lib action grants on the artifact bucket (read/write,
 * PutObjectAcl, and the bucket key), and renders the same configuration.
 */
class ConnectionSourceAction extends actions.CodeStarConnectionsSourceAction {
  constructor(private readonly connectionProps: actions.CodeStarConnectionsSourceActionProps) {
    super(connectionProps);
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const p = this.connectionProps;
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: useConnectionActions(p.connectionArn),
      resources: [p.connectionArn],
    }));
    options.bucket.grantReadWrite(options.role);
    options.bucket.grantPutAcl(options.role);
    return {
      configuration: {
        ConnectionArn: p.connectionArn,
        FullRepositoryId: `${p.owner}/${p.repo}`,
        BranchName: p.branch,
        DetectChanges: p.triggerOnPush,
      },
    };
  }
}

/** The UseConnection action(s) whose service prefix matches the connection ARN. */
function useConnectionActions(connectionArn: string): string[] {
  const both = ['codeconnections:UseConnection', 'codestar-connections:UseConnection'];
  // A token ARN may still spell its service literally (e.g. `arn:${Partition}:codeconnections:...`).
  const service = connectionArn.split(':')[2];
  const matching = both.filter((a) => a.split(':')[0] === service);
  return matching.length > 0 ? matching : both;
}

class CodeCommitSource extends PipelineSource {
  public readonly description: string;
  constructor(private readonly repository: codecommit.IRepository, private readonly branch: string) {
    super();
    this.description = `codecommit:${Token.isUnresolved(repository?.repositoryName) ? '(repository)' : repository?.repositoryName}@${branch}`;
  }

  public _bind(scope: Construct, prop: string): SourceBinding {
    const output = new codepipeline.Artifact('Source');
    validateRequired(scope, `${prop}.repository`, this.repository, 'pass the codecommit.IRepository to build from');
    validateBranchName(scope, `${prop}.branch`, this.branch);
    validateSameEnvironment(scope, `${prop}.repository`, this.repository,
      'define the pipeline in the repository\'s account and region');
    const action = new actions.CodeCommitSourceAction({
      actionName: 'Source',
      repository: this.repository,
      branch: this.branch,
      output,
      trigger: actions.CodeCommitTrigger.EVENTS,
    });
    return { action, output, revision: action.variables.commitId };
  }
}

class S3Source extends PipelineSource {
  public readonly description: string;
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
    this.description = `s3:${key}`;
  }

  public _bind(scope: Construct, prop: string): SourceBinding {
    const output = new codepipeline.Artifact('Source');
    validateRequired(scope, `${prop}.bucket`, this.bucket, 'pass the versioned s3.IBucket that holds the source zip');
    validateRequired(scope, `${prop}.key`, this.key, 'pass the object key of the source zip, e.g. "source/app.zip"');
    validateRelativePath(scope, `${prop}.key`, this.key);
    // The source action runs in the pipeline's region, and the bucket's events reach only the
    // event bus of its own account and region.
    validateSameEnvironment(scope, `${prop}.bucket`, this.bucket,
      'keep the source bucket in the pipeline\'s account and region (replicate it there with S3 replication if needed)');
    if (isKnownUnversioned(this.bucket)) {
      fail(scope, `${prop}.bucket`, `must be versioned, got an unversioned bucket (${this.bucket.node.path})`,
        'set versioned: true on the bucket; CodePipeline S3 sources read object versions');
    }
    const action = new S3ObjectCreatedSourceAction({
      actionName: 'Source',
      bucket: this.bucket,
      bucketKey: this.key,
      output,
      // S3Trigger.EVENTS matches CloudTrail data events, which no trail records unless the
      // account has one; the action below starts the pipeline on the bucket's own events.
      trigger: actions.S3Trigger.NONE,
    });
    enableEventBridge(scope, `${prop}.bucket`, this.bucket);
    return { action, output, revision: action.variables.versionId };
  }
}

/**
 * An S3 source started by the bucket's EventBridge notifications ("Object Created" events of
 * the key), the change detection CodePipeline documents for a bucket with EventBridge enabled
 * ("Migrate polling pipelines with an S3 source enabled for events"); it needs no CloudTrail
 * trail.
 */
class S3ObjectCreatedSourceAction extends actions.S3SourceAction {
  constructor(private readonly s3Props: actions.S3SourceActionProps) {
    super(s3Props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    new events.Rule(scope, 'ObjectCreatedRule', {
      description: `Start ${stage.pipeline.node.path} when ${this.s3Props.bucketKey} is written`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.s3Props.bucket.bucketName] },
          object: { key: [this.s3Props.bucketKey] },
        },
      },
      targets: [new targets.CodePipeline(stage.pipeline)],
    });
    return config;
  }
}

/**
 * Turn on the bucket's EventBridge notifications. For a bucket of the app without notification
 * resource this is a template property (no custom resource); a bucket whose notifications
 * aws-cdk-lib manages with its custom resource gets it there (that resource overwrites the
 * bucket's whole notification configuration). The decision waits for synthesis (an aspect),
 * since notifications may be added after the pipeline. An imported bucket cannot be changed:
 * warn with what to enable.
 */
function enableEventBridge(scope: Construct, prop: string, bucket: s3.IBucket): void {
  const cfn = bucket.node.defaultChild;
  if (!(bucket instanceof s3.Bucket) || !(cfn instanceof s3.CfnBucket)) {
    warn(scope, 'S3SourceEventBridge',
      `${prop} ${bucket.node.path} is imported, so the pipeline cannot turn on its Amazon EventBridge notifications; ` +
      'the pipeline starts on its "Object Created" events only once you enable them ' +
      '(S3 console > bucket > Properties > Amazon EventBridge: On, or `aws s3api put-bucket-notification-configuration` ' +
      'with "EventBridgeConfiguration": {} added to the bucket\'s current configuration)');
    return;
  }
  Aspects.of(bucket).add({
    visit: (node: IConstruct) => {
      if (node !== bucket) {
        return;
      }
      if (bucket.node.tryFindChild('Notifications')) {
        bucket.enableEventBridgeNotification();
      } else {
        cfn.addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
      }
    },
  });
}

/** True only when the bucket is defined in this app and its versioning is known to be off. */
function isKnownUnversioned(bucket: s3.IBucket): boolean {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) {
    return false;
  }
  const versioning = cfn.versioningConfiguration as s3.CfnBucket.VersioningConfigurationProperty | undefined;
  if (versioning === undefined) {
    return true;
  }
  return !Token.isUnresolved(versioning) && !Token.isUnresolved(versioning.status) && versioning.status !== 'Enabled';
}

function validateGlob(scope: Construct, prop: string, pattern: string): void {
  if (typeof pattern !== 'string' || (!Token.isUnresolved(pattern) && (pattern.trim() === '' || pattern.length > 255))) {
    fail(scope, prop, `must be a glob pattern of 1-255 characters, got ${show(pattern)}`, 'use e.g. "services/api/**" or "v*"');
  }
}
