/**
 * Gate: nothing is lost by default, over every registered example app.
 *
 * - The artifact bucket, its KMS key, the ECR repositories, the log groups and test report
 *   groups of the pipelines are retained when the stack is deleted or the resource replaced
 *   (DeletionPolicy and UpdateReplacePolicy Retain). Also pinned per construct in
 *   test/core/artifact-store.test.ts, test/core/build.test.ts and test/ecs/ecs-container-pipeline.test.ts.
 * - ECR lifecycle rules keep exactly `maxImageCount` tagged (release) images, the rollback
 *   horizon, and expire only untagged images, by age.
 * - CodeDeploy blue/green keeps the blue tasks for a rollback window (15 minutes by default;
 *   see also test/ecs/blue-green.test.ts) and rolls back on failure, stop and alarm.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULTS } from '../../src/ecs/defaults';
import { ecsPipeline } from '../core/support';
import { newStack } from '../helpers';
import { synthesizedExamples, TemplateResource, templateResources } from './support';

/** Resource types that hold data or history: losing them loses artifacts, images, logs or reports. */
const STATEFUL_TYPES = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::ECR::Repository', 'AWS::Logs::LogGroup', 'AWS::CodeBuild::ReportGroup'];

const examples = synthesizedExamples().map((ex) => ({ ex, resources: templateResources(ex) }));
const all = examples.flatMap(({ resources }) => resources);
const ownStateful = all.filter((r) => r.inPipeline && STATEFUL_TYPES.includes(r.type));

function retention(r: TemplateResource) {
  return { path: r.path, deletion: r.resource.DeletionPolicy, replace: r.resource.UpdateReplacePolicy };
}

/**
 * The bucket and key of one artifact store: by reference in the pipeline's stack, else (another
 * region's replication bucket) by the bucket's physical name and the key alias's name.
 */
function storeResources(
  store: any, byId: Map<string, TemplateResource>, resources: TemplateResource[],
): { bucket: TemplateResource; key: TemplateResource } {
  if (store.Location.Ref) {
    return { bucket: byId.get(store.Location.Ref)!, key: byId.get(store.EncryptionKey.Id['Fn::GetAtt'][0])! };
  }
  const literal = (v: any): string => (typeof v === 'string' ? v : (v['Fn::Join'][1] as unknown[]).filter((p) => typeof p === 'string').join(''));
  const bucket = resources.find((r) => r.type === 'AWS::S3::Bucket' && r.resource.Properties?.BucketName === store.Location)!;
  const aliasName = literal(store.EncryptionKey.Id).replace(/^.*:alias\//, 'alias/');
  const alias = resources.find((r) => r.type === 'AWS::KMS::Alias' && r.resource.Properties?.AliasName === aliasName)!;
  const key = resources.find((r) => r.stack === alias.stack && r.logicalId === alias.resource.Properties.TargetKeyId['Fn::GetAtt'][0])!;
  return { bucket, key };
}

function lifecycleRules(repository: any): any[] {
  return JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
}

/** The release repositories (IMMUTABLE tags; the layer cache repository is MUTABLE). */
function releaseRepositories(resources: TemplateResource[]): TemplateResource[] {
  return resources.filter((r) => r.type === 'AWS::ECR::Repository' && r.resource.Properties.ImageTagMutability === 'IMMUTABLE');
}

/** What a lifecycle policy keeps: the horizon rule and the rules that expire by age. */
function judgeLifecycle(rules: any[]) {
  const byCount = rules.filter((r) => r.selection.countType === 'imageCountMoreThan');
  const others = rules.filter((r) => r.selection.countType !== 'imageCountMoreThan');
  return {
    horizonRules: byCount.map((r) => ({
      tagStatus: r.selection.tagStatus,
      tagPatternList: r.selection.tagPatternList,
      keep: r.selection.countNumber,
    })),
    // Everything else expires untagged images only, by age.
    othersExpireOnlyUntaggedByAge: others.every((r) => r.selection.tagStatus === 'untagged' && r.selection.countType === 'sinceImagePushed' && r.action.type === 'expire'),
    noRuleOnAnyImage: rules.every((r) => r.selection.tagStatus !== 'any'),
  };
}

describe('nothing lost by default', () => {
  test('GIVEN the examples THEN each pipeline has an artifact bucket, a key and a log group to judge', () => {
    for (const { ex, resources } of examples) {
      const own = resources.filter((r) => r.inPipeline).map((r) => r.type);
      expect({ example: ex.example.name, has: ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'].filter((t) => own.includes(t)) })
        .toEqual({ example: ex.example.name, has: ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'] });
    }
  });

  test.each(STATEFUL_TYPES)('THEN every %s of the pipelines is retained on deletion and on replacement', (type) => {
    const ofType = ownStateful.filter((r) => r.type === type);
    for (const r of ofType) {
      expect(retention(r)).toEqual({ path: r.path, deletion: 'Retain', replace: 'Retain' });
    }
  });

  test('THEN the artifact bucket each pipeline writes to, and the key that encrypts it, are retained', () => {
    for (const { resources } of examples) {
      const byId = new Map(resources.map((r) => [r.logicalId, r]));
      for (const pipeline of resources.filter((r) => r.type === 'AWS::CodePipeline::Pipeline' && r.inPipeline)) {
        const props = pipeline.resource.Properties;
        // One store, or one per region when an action runs in another region (the others are
        // replication buckets in other stacks, named by their physical names and key aliases).
        const stores: any[] = props.ArtifactStore ? [props.ArtifactStore] : props.ArtifactStores.map((s: any) => s.ArtifactStore);
        expect(stores.length).toBeGreaterThan(0);
        for (const store of stores) {
          const { bucket, key } = storeResources(store, byId, resources);
          expect([bucket.type, key.type]).toEqual(['AWS::S3::Bucket', 'AWS::KMS::Key']);
          expect([retention(bucket), retention(key)]).toEqual([
            { path: bucket.path, deletion: 'Retain', replace: 'Retain' },
            { path: key.path, deletion: 'Retain', replace: 'Retain' },
          ]);
        }
      }
    }
  });

  describe('ECR lifecycle: the rollback horizon', () => {
    test('GIVEN the examples THEN each release repository keeps exactly the default horizon of tagged images and expires only untagged ones, by age', () => {
      const repositories = examples.flatMap(({ resources }) => releaseRepositories(resources.filter((r) => r.inPipeline)));
      expect(repositories.length).toBeGreaterThan(0);
      for (const repo of repositories) {
        expect(judgeLifecycle(lifecycleRules(repo.resource))).toEqual({
          horizonRules: [{ tagStatus: 'tagged', tagPatternList: ['*'], keep: DEFAULTS.maxImageCount }],
          othersExpireOnlyUntaggedByAge: true,
          noRuleOnAnyImage: true,
        });
      }
    });

    test.each([1, 5, 30, 1000])('GIVEN maxImageCount %p THEN exactly that many tagged images are kept', (maxImageCount) => {
      const stack = newStack();
      ecsPipeline(stack, { repositoryOptions: { maxImageCount, untaggedImageExpiration: Duration.days(3) } });
      const [repo] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository', { Properties: { ImageTagMutability: 'IMMUTABLE' } }));
      const rules = lifecycleRules(repo);
      expect(judgeLifecycle(rules)).toEqual({
        horizonRules: [{ tagStatus: 'tagged', tagPatternList: ['*'], keep: maxImageCount }],
        othersExpireOnlyUntaggedByAge: true,
        noRuleOnAnyImage: true,
      });
      expect(rules.find((r: any) => r.selection.tagStatus === 'untagged').selection).toEqual(expect.objectContaining({ countUnit: 'days', countNumber: 3 }));
    });

    test('GIVEN the layer cache repository THEN its lifecycle never expires the tagged cache, only superseded (untagged) manifests', () => {
      const caches = all.filter((r) => r.inPipeline && r.type === 'AWS::ECR::Repository' && r.resource.Properties.ImageTagMutability === 'MUTABLE');
      for (const repo of caches) {
        expect(judgeLifecycle(lifecycleRules(repo.resource)))
          .toEqual({ horizonRules: [], othersExpireOnlyUntaggedByAge: true, noRuleOnAnyImage: true });
      }
    });
  });

  describe('blue/green rollback window', () => {
    const groups = all.filter((r) => r.inPipeline && r.type === 'AWS::CodeDeploy::DeploymentGroup' && r.resource.Properties.DeploymentStyle?.DeploymentType === 'BLUE_GREEN');

    test('THEN the examples have a CodeDeploy blue/green deployment to judge', () => {
      expect(groups.length).toBeGreaterThan(0);
    });

    test('THEN blue tasks are kept 15 minutes (the default rollback window) after a successful deployment', () => {
      expect(DEFAULTS.blueGreenRollbackWindow.toMinutes()).toBe(15);
      for (const group of groups) {
        expect(group.resource.Properties.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess)
          .toEqual({ Action: 'TERMINATE', TerminationWaitTimeInMinutes: 15 });
      }
    });

    test('THEN the deployment rolls back automatically on failure, on stop and on alarm', () => {
      for (const group of groups) {
        expect(group.resource.Properties.AutoRollbackConfiguration).toEqual({
          Enabled: true,
          Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
        });
        expect(group.resource.Properties.AlarmConfiguration).toEqual(expect.objectContaining({ Enabled: true }));
      }
    });
  });

  describe('in-place (server) rollback', () => {
    const groups = all.filter((r) => r.inPipeline && r.type === 'AWS::CodeDeploy::DeploymentGroup' && r.resource.Properties.DeploymentStyle?.DeploymentType !== 'BLUE_GREEN');

    test('THEN the examples have an in-place CodeDeploy deployment to judge', () => {
      expect(groups.length).toBeGreaterThan(0);
    });

    test('THEN every in-place deployment rolls back on failure and on stop, and one behind a load balancer also on its alarms', () => {
      for (const group of groups) {
        const props = group.resource.Properties;
        expect(props.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']) });
        if (props.LoadBalancerInfo) {
          expect(props.AutoRollbackConfiguration.Events).toContain('DEPLOYMENT_STOP_ON_ALARM');
          expect(props.AlarmConfiguration).toEqual(expect.objectContaining({ Enabled: true }));
        }
      }
    });
  });
});
