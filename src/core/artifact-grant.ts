import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { allow, sidFor } from './statement';
import { differs } from './target-environment';
import { fail } from './validation';
import { reviewBucketObjectsByName } from './wildcard-review';

/** What reading an input artifact takes (S3 GetObject of the artifact, by version). */
const ARTIFACT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation'];

/** How `grantArtifactRead` grants. @internal */
export interface ArtifactReadOptions {
  /**
   * The role is a CodeBuild project's service role (it also reads the bucket's ACL).
   * @default false
   */
  readonly codeBuildProject?: boolean;
}

/**
 * Let `role` read the pipeline's input artifacts from `bucket` (the artifact bucket, or the
 * replication bucket of the action's region).
 *
 * In the bucket's own account this is aws-cdk-lib's `grantRead`. Across accounts both sides must
 * allow it (S3 and KMS check the bucket and key policies and the caller's identity policy), and
 * aws-cdk-lib would give the role `kms:Decrypt` on `*`, which opens every key of the role's own
 * account whose policy trusts IAM. Here the role may decrypt only keys of the bucket's account
 * and region, and only through S3 (`kms:ViaService`); the key policy names this role alone.
 *
 * @internal
 */
export function grantArtifactRead(scope: IConstruct, role: iam.IRole, bucket: s3.IBucket, options: ArtifactReadOptions = {}): void {
  // CodeBuild checks the bucket's owner before it downloads a CODEPIPELINE source (the service
  // role policy of the CodeBuild user guide: "S3BucketIdentity", s3:GetBucketAcl).
  const actions = options.codeBuildProject ? [...ARTIFACT_READ_ACTIONS, 's3:GetBucketAcl'] : ARTIFACT_READ_ACTIONS;
  const bucketStack = Stack.of(bucket);
  const roleStack = Stack.of(role);
  const crossAccount = differs(roleStack.account, bucketStack.account);
  if (!crossAccount && !differs(roleStack.region, bucketStack.region)) {
    bucket.grantRead(role);
    return;
  }
  const objects = bucket.arnForObjects('*');
  const key = bucket.encryptionKey;
  // In the bucket's own account (a replication bucket of another region) its identity policy
  // suffices: the bucket and key policies delegate to the account, and aws-cdk-lib's grantRead
  // would give kms:Decrypt on "*".
  if (crossAccount) {
    const added = bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: sidFor('ReadArtifacts', role),
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions,
      resources: [bucket.bucketArn, objects],
    })).statementAdded;
    const keyAdded = key?.addToResourcePolicy(new iam.PolicyStatement({
      sid: sidFor('DecryptArtifacts', role),
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${bucketStack.region}.amazonaws.com` } },
    })).statementAdded;
    if (!added || (key && !keyAdded)) {
      fail(scope, 'artifactStore', `cannot let ${role.node.path} in account ${roleStack.account} read the artifacts: the ${!added ? 'bucket' : 'key'} is imported, so its policy cannot be amended`,
        'use an ArtifactStore created in the pipeline\'s stack (new ArtifactStore(...)), or the pipeline\'s own store');
    }
  }
  role.addToPrincipalPolicy(allow('ReadPipelineArtifacts', actions, [bucket.bucketArn, objects]));
  // Across environments the bucket is named by its (generated) physical name, not a reference.
  reviewBucketObjectsByName(scope, roleStack, bucket,
    'objects inside the pipeline\'s artifact bucket (artifact keys are generated per execution)', actions);
  if (key) {
    role.addToPrincipalPolicy(allow('DecryptPipelineArtifacts', ['kms:Decrypt'],
      // The key's id is assigned when the pipeline's stack deploys, after this role's stack: no
      // reference can cross the account boundary. The key policy admits this role to that key only.
      [bucketStack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
      { StringEquals: { 'kms:ViaService': `s3.${bucketStack.region}.amazonaws.com` } }));
  }
}
