import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactStore, StaticSiteEnvironment, StaticSiteHosting, StaticSitePipeline, StaticSitePipelineProps, StaticSiteTarget } from '../../src';
import { DEPLOY_SCRIPT } from '../../src/static-site/deploy-script';
import { LAMBDA_DEPLOY_BUDGET, lambdaDeployWorstCaseSeconds } from '../../src/static-site/site-deploy-step';
import { githubSource, nagFindings, newStack, WITH_CDK_NAG_METADATA } from '../helpers';
import { buildStageSpec, deployCommandOf, deployProjectOf, deployRoleStatements, deployVariablesOf, sitePipeline, stageOf } from './support';

/** A pipeline with one environment on the given bucket (and distribution). */
function single(
  stack: Stack,
  target: StaticSiteTarget,
  extra: Partial<StaticSitePipelineProps> = {},
  environment: Partial<StaticSiteEnvironment> = {},
): StaticSitePipeline {
  return new StaticSitePipeline(stack, 'Pipeline', { source: githubSource(), environments: [{ name: 'Staging', target, ...environment }], ...extra });
}

function hosting(stack: Stack, id = 'Site'): StaticSiteHosting {
  return new StaticSiteHosting(stack, id);
}

/** Escape a literal for a RegExp. */
function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('StaticSitePipeline', () => {
  describe('build stage', () => {
    test('WHEN defaults THEN the build output is the contents of dist, checked to be non-empty, and dist reaches the build as OUTPUT_DIRECTORY', () => {
      const { template, pipeline } = sitePipeline(newStack(), { buildOptions: { installCommands: ['npm ci'], testCommands: ['npm test'], commands: ['npm run build'] } });
      expect(pipeline.outputDirectory).toBe('dist');
      const spec = buildStageSpec(template);
      expect(spec.phases.install.commands).toEqual(['npm ci']);
      expect(spec.phases.pre_build.commands).toEqual(['npm test']);
      expect(spec.phases.build.commands[0]).toBe('npm run build');
      expect(spec.phases.build.commands[1]).toMatch(/^\[ -n "\$\(ls -A 'dist' 2>\/dev\/null\)" \] \|\| \{ echo .*is missing or empty.* >&2; exit 1; \}$/);
      expect(spec.artifacts).toEqual({ 'files': ['**/*'], 'base-directory': 'dist' });
      expect(JSON.parse(stageOf(template, 'Build').Actions[0].Configuration.EnvironmentVariables)).toEqual(expect.arrayContaining([
        { name: 'OUTPUT_DIRECTORY', type: 'PLAINTEXT', value: 'dist' },
      ]));
    });

    test('WHEN outputDirectory is given THEN the site comes from it', () => {
      const { template, pipeline } = sitePipeline(newStack(), { outputDirectory: 'web/build' });
      expect(pipeline.outputDirectory).toBe('web/build');
      const spec = buildStageSpec(template);
      expect(spec.artifacts['base-directory']).toBe('web/build');
      expect(spec.phases.build.commands[0]).toContain("ls -A 'web/build'");
    });

    test('WHEN dependency caching and test reports are configured THEN the buildspec caches and reports, through the spine', () => {
      const { template } = sitePipeline(newStack(), { buildOptions: { cachePaths: ['node_modules/**/*'], testReportDirectory: 'reports', testCommands: ['npm test'] } });
      const spec = buildStageSpec(template);
      expect(spec.cache).toEqual({ paths: ['node_modules/**/*'] });
      expect(spec.reports.REF).toEqual({ 'files': ['**/*.xml'], 'base-directory': 'reports', 'file-format': 'JUNITXML' });
      template.resourceCountIs('AWS::CodeBuild::ReportGroup', 1);
    });

    test.each([
      ['/var/www', '"/var/www"'],
      ['../site', '"../site"'],
      ['dist/../../outside', '"dist/../../outside"'],
      ['', '""'],
    ])('WHEN outputDirectory is %p (outside the source) THEN it is rejected', (outputDirectory, shown) => {
      expect(() => sitePipeline(newStack(), { outputDirectory })).toThrow(new RegExp(
        `^TestStack/Pipeline: outputDirectory must be a relative path inside the source, got ${re(shown)}\\. Fix: `));
    });

    test('WHEN the user sets OUTPUT_DIRECTORY THEN it is rejected (the pipeline sets it from outputDirectory)', () => {
      expect(() => sitePipeline(newStack(), { buildOptions: { environmentVariables: { OUTPUT_DIRECTORY: 'out' } } })).toThrow(
        /^TestStack\/Pipeline: buildOptions\.environmentVariables\.OUTPUT_DIRECTORY is set by the pipeline itself \(from outputDirectory\)\. Fix: set outputDirectory instead/);
    });

    test('WHEN a repository buildspec is used THEN an explicit outputDirectory is ignored with a warning', () => {
      const { stack } = sitePipeline(newStack(), { outputDirectory: 'out', buildOptions: { repositoryBuildSpec: 'buildspec.yml' } });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
        Match.stringLikeRegexp('^outputDirectory is ignored because buildOptions.repositoryBuildSpec is given.*\\[ack: cdk-delivery-pipelines:OutputDirectoryIgnored\\]$'));
    });

    test('WHEN the execution mode is PARALLEL THEN the pipeline warns that deploys may overlap', () => {
      const { stack } = sitePipeline(newStack(), { executionMode: codepipeline.ExecutionMode.PARALLEL });
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('^executionMode is PARALLEL.*StaticSiteParallelExecutions'));
    });

    test('WHEN the defaults are used THEN no warning is emitted but the one about checks behind the SPA fallback', () => {
      const { stack } = sitePipeline(newStack());
      // The fixture's hosting is a single-page app with checks that expect 200 (see the describe at the end).
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-delivery-pipelines'))
        .filter((w) => !String(w.entry.data).includes('PostDeployCheckBlindToMissingPages'));
      expect(warnings).toEqual([]);
    });
  });

  describe('environments', () => {
    test('THEN each environment deploys the build output with its own CodeBuild project, after its approval', () => {
      const { template } = sitePipeline(newStack());
      expect(stageOf(template, 'Staging').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([['Deploy', 'CodeBuild', 2]]);
      expect(stageOf(template, 'Production').Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder]))
        .toEqual([['Approve', 'Manual', 1], ['Deploy', 'CodeBuild', 2]]);
      for (const env of ['Staging', 'Production']) {
        const action = stageOf(template, env).Actions.find((a: any) => a.Name === 'Deploy');
        expect(action.InputArtifacts).toEqual([{ Name: 'Build' }]);
        expect(action.OutputArtifacts).toBeUndefined();
        expect(action.Configuration.ProjectName).toEqual({ Ref: deployProjectOf(template, env).id });
        expect(JSON.parse(action.Configuration.EnvironmentVariables)).toEqual([
          { name: 'RELEASE_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
          { name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source_Source_NS.CommitId}' },
        ]);
      }
    });

    test('GIVEN a region with CodeBuild Lambda compute THEN the deploy project runs there, its worst case (rollback included) within the 15 minutes', () => {
      const { template } = sitePipeline(newStack());
      for (const environment of ['Staging', 'Production']) {
        const project = deployProjectOf(template, environment).resource.Properties;
        expect(project).toEqual(expect.objectContaining({
          Environment: expect.objectContaining({ ComputeType: 'BUILD_LAMBDA_1GB', Type: 'LINUX_LAMBDA_CONTAINER', Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.12' }),
          EncryptionKey: expect.anything(),
          Cache: { Type: 'NO_CACHE' },
          LogsConfig: expect.objectContaining({ CloudWatchLogs: expect.objectContaining({ Status: 'ENABLED' }) }),
        }));
        expect(project.TimeoutInMinutes).toBeUndefined();
        // Shorter waits that fit: 2 minutes for the invalidation (a slow one only warns), 10 s per check attempt.
        expect(deployVariablesOf(template, environment)).toEqual(expect.objectContaining({ INVALIDATION_TIMEOUT_SECONDS: '120', CHECK_MAX_TIME_SECONDS: '10' }));
      }
      // The worst case: 1 min fixed, then twice (release, rollback) 2 min upload + 2 min invalidation + every check attempt failing.
      expect(lambdaDeployWorstCaseSeconds(true, { urls: ['a', 'b'], attempts: 3, expectedStatus: 200 })).toBe(60 + 2 * (120 + 120 + 2 * (3 * 10 + 2 * 10)));
      expect(lambdaDeployWorstCaseSeconds(true, { urls: ['a', 'b'], attempts: 3, expectedStatus: 200 })).toBeLessThanOrEqual(LAMBDA_DEPLOY_BUDGET.limit.toSeconds());
    });

    test('GIVEN a check whose worst case exceeds Lambda compute\'s 15 minutes, or a region without it THEN the hardened, unprivileged EC2 project, with a timeout that covers a rollback and the reason', () => {
      const tooLong = () => {
        const stack = newStack();
        const site = new StaticSiteHosting(stack, 'Site', { singlePageApp: true });
        const urls = Array.from({ length: 10 }, (_, i) => `https://www.example.com/${i}`);
        return sitePipeline(stack, {}, [{ name: 'Production', target: StaticSiteTarget.fromHosting(site), postDeployCheck: { urls, attempts: 10 } }]);
      };
      const app = new App();
      const noLambda = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'eu-north-1' } });
      for (const [template, reason] of [
        [tooLong().template, Match.stringLikeRegexp("EC2 container: its worst case, \\d+ min with the rollback, exceeds Lambda compute's 15")],
        [sitePipeline(noLambda).template, Match.not(Match.stringLikeRegexp('EC2 container'))],
      ] as const) {
        const project = deployProjectOf(template, 'Production').resource.Properties;
        expect(project).toEqual(expect.objectContaining({
          Environment: expect.objectContaining({ PrivilegedMode: false, ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:8.0' }),
          EncryptionKey: expect.anything(),
          TimeoutInMinutes: 45,
          LogsConfig: expect.objectContaining({ CloudWatchLogs: expect.objectContaining({ Status: 'ENABLED' }) }),
        }));
        Template.fromJSON({ Resources: { P: { Type: 'X', Properties: { Description: project.Description } } } }).hasResourceProperties('X', { Description: reason });
        expect(deployVariablesOf(template, 'Production').INVALIDATION_TIMEOUT_SECONDS).toBe('900');
        expect(deployVariablesOf(template, 'Production').CHECK_MAX_TIME_SECONDS).toBeUndefined();
      }
    });

    test('THEN the deploy command is the static deploy script, with nothing of the user\'s in it', () => {
      const { template } = sitePipeline(newStack(), { cacheControl: { html: 'no-cache' }, outputDirectory: 'out' });
      const command = deployCommandOf(template, 'Production');
      expect(command).toBe(`bash -c '${DEPLOY_SCRIPT.replace(/'/g, "'\\''")}' deploy-site`);
      expect(deployCommandOf(template, 'Staging')).toBe(command);
    });

    test('THEN the project tells the script where the site, the distribution and the releases are, and what to check', () => {
      const { template } = sitePipeline(newStack());
      expect(deployVariablesOf(template, 'Production')).toEqual({
        SITE_BUCKET: { Ref: expect.stringMatching(/^ProductionSiteBucket[0-9A-F]{8}$/) },
        DISTRIBUTION_ID: { Ref: expect.stringMatching(/^ProductionSiteDistribution[0-9A-F]{8}$/) },
        INVALIDATION_TIMEOUT_SECONDS: '120',
        INVALIDATION_POLL_SECONDS: '20',
        RELEASE_BUCKET: { Ref: expect.stringMatching(/^PipelineArtifactStoreBucket[0-9A-F]{8}$/) },
        RELEASE_PREFIX: expect.stringMatching(/^releases\/TestStackPipeline[0-9A-F]{8}\/Production\/$/),
        RELEASES_KEPT: '10',
        CACHE_CONTROL_HTML: 'no-cache, must-revalidate',
        CACHE_CONTROL_FINGERPRINTED: 'public, max-age=31536000, immutable',
        CACHE_CONTROL_OTHER: 'public, max-age=0, must-revalidate',
        FINGERPRINTED_PATHS: 'assets/*\nstatic/js/*\nstatic/css/*\nstatic/media/*\n_next/static/*',
        CHECK_URLS: 'https://www.example.com/\nhttps://www.example.com/app/settings',
        CHECK_EXPECTED_STATUS: '200',
        CHECK_ATTEMPTS: '3',
        CHECK_INTERVAL_SECONDS: '10',
        CHECK_MAX_TIME_SECONDS: '10',
      });
      // The staging check names the hosting's own address.
      expect(deployVariablesOf(template, 'Staging').CHECK_URLS).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^StagingSiteDistribution/), 'DomainName'] }]],
      });
    });

    test('WHEN the cache headers and the check are configured THEN the project carries them', () => {
      const stack = newStack();
      single(stack, StaticSiteTarget.fromHosting(hosting(stack)), {
        cacheControl: { html: 'public, max-age=60', fingerprintedAssets: 'public, max-age=604800, immutable', fingerprintedPaths: ['build/_app/immutable/*'], otherFiles: 'public, max-age=300' },
      }, { postDeployCheck: { urls: ['https://example.com/health.json'], expectedStatus: 204, attempts: 5 } });
      expect(deployVariablesOf(Template.fromStack(stack), 'Staging')).toEqual(expect.objectContaining({
        CACHE_CONTROL_HTML: 'public, max-age=60',
        CACHE_CONTROL_FINGERPRINTED: 'public, max-age=604800, immutable',
        CACHE_CONTROL_OTHER: 'public, max-age=300',
        FINGERPRINTED_PATHS: 'build/_app/immutable/*',
        CHECK_URLS: 'https://example.com/health.json',
        CHECK_EXPECTED_STATUS: '204',
        CHECK_ATTEMPTS: '5',
      }));
    });

    test('WHEN fingerprintedPaths is empty THEN no file is immutable, and a given fingerprintedAssets header is ignored with a warning', () => {
      const stack = newStack();
      single(stack, StaticSiteTarget.fromHosting(hosting(stack)), { cacheControl: { fingerprintedPaths: [], fingerprintedAssets: 'public, max-age=600' } });
      expect(deployVariablesOf(Template.fromStack(stack), 'Staging').FINGERPRINTED_PATHS).toBeUndefined();
      Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp(
        '^cacheControl\\.fingerprintedAssets \\("public, max-age=600"\\) is ignored because cacheControl\\.fingerprintedPaths is empty.*FingerprintedCacheControlIgnored'));
    });

    test('WHEN a target is a bucket without a distribution and there is no check THEN the project gets neither', () => {
      const stack = newStack();
      single(stack, StaticSiteTarget.fromBucket(new s3.Bucket(stack, 'Bucket')));
      const vars = deployVariablesOf(Template.fromStack(stack), 'Staging');
      expect(Object.keys(vars).filter((k) => k.startsWith('CHECK_') || k === 'DISTRIBUTION_ID')).toEqual([]);
      expect(deployRoleStatements(Template.fromStack(stack), 'Staging').filter((s) => JSON.stringify(s.Action).includes('cloudfront'))).toEqual([]);
    });
  });

  describe('least privilege', () => {
    const { template } = sitePipeline(newStack());
    const statements = deployRoleStatements(template, 'Production');
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

    test('THEN the deploy role writes and deletes only in its own site bucket', () => {
      expect(bySid('ListTheSiteBucket')).toEqual({
        Sid: 'ListTheSiteBucket',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProductionSiteBucket[0-9A-F]{8}$/), 'Arn'] },
      });
      expect(bySid('WriteAndDeleteSiteFiles')).toEqual({
        Sid: 'WriteAndDeleteSiteFiles',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ProductionSiteBucket[0-9A-F]{8}$/), 'Arn'] }, '/*']] },
      });
      const writes = statements.filter((s) => [].concat(s.Action).some((a: string) => /^s3:(Put|Delete)/.test(a)));
      expect(writes.map((s) => s.Sid)).toEqual(['WriteAndDeleteSiteFiles', 'KeepTheEnvironmentReleases']);
    });

    test('THEN it invalidates only its own distribution', () => {
      expect(bySid('InvalidateTheDistribution')).toEqual({
        Sid: 'InvalidateTheDistribution',
        Effect: 'Allow',
        Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/', { Ref: expect.stringMatching(/^ProductionSiteDistribution/) }]] },
      });
      expect(statements.filter((s) => JSON.stringify(s.Action).includes('cloudfront:'))).toHaveLength(1);
    });

    test('THEN it keeps releases only under releases/<pipeline id>/<environment>/ of the artifact bucket', () => {
      const prefix = deployVariablesOf(template, 'Production').RELEASE_PREFIX;
      expect(prefix).toMatch(/^releases\/TestStackPipeline[0-9A-F]{8}\/Production\/$/);
      expect(bySid('KeepTheEnvironmentReleases')).toEqual({
        Sid: 'KeepTheEnvironmentReleases',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PipelineArtifactStoreBucket/), 'Arn'] }, `/${prefix}*`]] },
      });
      expect(bySid('ListTheEnvironmentReleases')).toEqual(expect.objectContaining({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }));
    });

    test('WHEN two site pipelines share an artifact store and environment names THEN their releases never mix', () => {
      const stack = newStack();
      const store = new ArtifactStore(stack, 'Shared');
      const make = (id: string) => new StaticSitePipeline(stack, id, {
        source: githubSource(),
        artifactStore: store,
        environments: [{ name: 'Production', target: StaticSiteTarget.fromHosting(hosting(stack, `${id}Site`)) }],
      });
      const [shop, blog] = [make('Shop'), make('Blog')];
      const shared = Template.fromStack(stack);
      const prefixes = Object.values(shared.findResources('AWS::CodeBuild::Project'))
        .map((p: any) => (p.Properties.Environment.EnvironmentVariables ?? []).find((v: any) => v.Name === 'RELEASE_PREFIX')?.Value)
        .filter((v: unknown) => v !== undefined)
        .sort();
      expect(prefixes).toEqual([
        expect.stringMatching(/^releases\/TestStackBlog[0-9A-F]{8}\/Production\/$/),
        expect.stringMatching(/^releases\/TestStackShop[0-9A-F]{8}\/Production\/$/),
      ]);
      const shopRole = JSON.stringify(Object.entries(shared.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ShopProductionDeployProjectRole'))![1]);
      expect(shopRole).toContain(prefixes[1]);
      expect(shopRole).not.toContain('TestStackBlog');
      expect([...nagFindings(shop), ...nagFindings(blog)]).toEqual([]);
    });

    test('THEN it has no Resource "*", no service-wide action, nothing of the other environment, and no way to pass roles', () => {
      expect(statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))).toEqual([]);
      expect(JSON.stringify(statements)).not.toMatch(/"Action":"\*"|"s3:\*"|"cloudfront:\*"|"kms:\*"|iam:PassRole/);
      expect(JSON.stringify(statements)).not.toMatch(/StagingSite|\/Staging\//);
      // The pipeline's action role may only start and watch the deploy projects.
      const actionRole = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('PipelineStagingDeployCodePipelineActionRole'))!;
      expect(actionRole[1].Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
        Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'],
        Resource: { 'Fn::GetAtt': [deployProjectOf(template, 'Staging').id, 'Arn'] },
      })]);
    });

    test('WHEN the site bucket is KMS-encrypted THEN the role may use exactly that key to upload', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'SiteKey', { enableKeyRotation: true });
      const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
      single(stack, StaticSiteTarget.fromBucket(bucket));
      const kmsStatements = deployRoleStatements(Template.fromStack(stack), 'Staging')
        .filter((s) => JSON.stringify(s.Resource).includes('SiteKey'));
      expect(kmsStatements).toEqual([expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SiteKey/), 'Arn'] } })]);
    });

    test('WHEN the bucket and distribution are imported THEN the role names them, and only the object wildcard of the imported bucket is left to the team', () => {
      const stack = newStack(WITH_CDK_NAG_METADATA);
      const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'acme-www-site');
      const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'E2EXAMPLE', domainName: 'd111.cloudfront.net' });
      const pipeline = single(stack, StaticSiteTarget.fromBucket(bucket, { distribution }));
      const site = deployRoleStatements(Template.fromStack(stack), 'Staging');
      expect(site.find((s) => s.Sid === 'WriteAndDeleteSiteFiles').Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-www-site/*']] });
      expect(site.find((s) => s.Sid === 'InvalidateTheDistribution').Resource)
        .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/E2EXAMPLE']] });
      // The library reviews object wildcards only for buckets of the stack: whether a bucket
      // imported by name holds nothing but the site is the team's to say (and acknowledge).
      expect(nagFindings(pipeline)).toEqual([
        { rule: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::acme-www-site/*]', path: 'TestStack/Pipeline/StagingDeploy/ProjectRole/DefaultPolicy/Resource' },
      ]);
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
        .find((p: any) => JSON.stringify(p.Properties.Roles).includes('PipelineStagingDeployProjectRole')) as any;
      const acknowledged = policy.Metadata.cdk_nag.rules_to_suppress.filter((r: any) => r.applies_to).map((r: any) => [r.applies_to[0], r.reason]);
      expect(acknowledged.map(([finding]: string[]) => finding)).not.toContain('Resource::arn:<AWS::Partition>:s3:::acme-www-site/*');
      expect(acknowledged).toEqual(expect.arrayContaining([
        [expect.stringMatching(/^Resource::<PipelineArtifactStoreBucket[0-9A-F]{8}\.Arn>\/releases\/TestStackPipeline[0-9A-F]{8}\/Staging\/\*$/),
          expect.stringMatching(/release archives and last-good pointer of one environment of one static-site pipeline/)],
      ]));
    });
  });

  describe('rejects', () => {
    test.each([
      ['html', 'max-age=abc', /has "max-age=abc" in "max-age=abc", but max-age takes a whole number of seconds\. Fix: write e\.g\. max-age=3600/],
      ['html', 'no-cache; must-revalidate', /has a malformed Cache-Control directive "no-cache; must-revalidate" in "no-cache; must-revalidate"\. Fix: separate directives with commas/],
      ['fingerprintedAssets', 'public, max_age=31536000', /has the unknown Cache-Control directive "max_age" in "public, max_age=31536000"\. Fix: use the response directives/],
      ['otherFiles', 'public, private', /combines public with private in "public, private", which contradict each other\. Fix:/],
      ['otherFiles', 'immutable=yes', /has "immutable=yes" in "immutable=yes", but immutable takes no value\. Fix: write just immutable/],
      ['html', 'no-cache,, must-revalidate', /has a malformed Cache-Control directive "" in "no-cache,, must-revalidate"/],
      ['html', '', /cacheControl\.html must be a Cache-Control header value, got ""\. Fix:/],
      ['html', 'no-cache\nX-Injected: 1', /is not a valid Cache-Control header value \(control characters/],
      ['fingerprintedAssets', 'max-age=60, max-age=120', /gives max-age twice in "max-age=60, max-age=120"\. Fix: give each directive once/],
    ])('a malformed cacheControl.%s (%p)', (prop, value, message) => {
      expect(() => sitePipeline(newStack(), { cacheControl: { [prop]: value } })).toThrow(new RegExp(`^TestStack/Pipeline: cacheControl\\.${prop} `));
      expect(() => sitePipeline(newStack(), { cacheControl: { [prop]: value } })).toThrow(message);
    });

    test.each([
      ['/assets/*'],
      ['../outside/*'],
      [''],
    ])('a fingerprinted path outside the site (%p)', (pattern) => {
      expect(() => sitePipeline(newStack(), { cacheControl: { fingerprintedPaths: ['assets/*', pattern] } })).toThrow(new RegExp(
        `^TestStack/Pipeline: cacheControl\\.fingerprintedPaths\\[1\\] must be a path pattern relative to the site root, got ${re(JSON.stringify(pattern))}\\. Fix:`));
    });

    test('a Cache-Control value that is a token is not judged', () => {
      const stack = newStack();
      const { CfnParameter } = jest.requireActual('aws-cdk-lib');
      const param = new CfnParameter(stack, 'HtmlCache', { default: 'no-cache' });
      expect(() => single(stack, StaticSiteTarget.fromHosting(hosting(stack)), { cacheControl: { html: param.valueAsString } })).not.toThrow();
    });

    test.each([
      ['http://staging.example.com/', 'must be an https:// URL, got "http://staging.example.com/"'],
      ['staging.example.com', 'must be an https:// URL, got "staging.example.com"'],
      ['https://', 'must be an https:// URL, got "https://"'],
      ['https://exa mple.com/', 'must be an https:// URL, got "https://exa mple.com/"'],
    ])('a check URL that is not https (%p)', (url, message) => {
      const stack = newStack();
      expect(() => single(stack, StaticSiteTarget.fromHosting(hosting(stack)), {}, { postDeployCheck: { urls: ['https://ok.example.com/', url] } }))
        .toThrow(new RegExp(`^TestStack/Pipeline: environments\\[0\\]\\.postDeployCheck\\.urls\\[1\\] ${re(message)}\\. Fix: give an https:// URL`));
    });

    test('a check URL built from a token is judged by its literal start', () => {
      const stack = newStack();
      const site = hosting(stack);
      expect(() => single(stack, StaticSiteTarget.fromHosting(site), {}, { postDeployCheck: { urls: [`http://${site.distribution.distributionDomainName}/`] } }))
        .toThrow(/environments\[0\]\.postDeployCheck\.urls\[0\] must be an https:\/\/ URL, got one that starts with "http:\/\/"\. Fix:/);
      expect(() => new StaticSitePipeline(stack, 'Other', {
        source: githubSource(),
        environments: [{ name: 'Staging', target: StaticSiteTarget.fromHosting(site), postDeployCheck: { urls: [`https://${site.distribution.distributionDomainName}/index.html`, site.url] } }],
      })).not.toThrow();
    });

    test.each([
      [{ urls: [] }, /postDeployCheck\.urls must hold 1 to 20 URLs, got 0\. Fix:/],
      [{ urls: undefined }, /postDeployCheck\.urls is required but was not given\. Fix:/],
      [{ urls: ['https://a.example/'], expectedStatus: 99 }, /postDeployCheck\.expectedStatus must be a whole number between 100 and 599, got 99\. Fix:/],
      [{ urls: ['https://a.example/'], attempts: 0 }, /postDeployCheck\.attempts must be a whole number between 1 and 10, got 0\. Fix:/],
    ])('a malformed post-deploy check %#', (postDeployCheck, message) => {
      const stack = newStack();
      expect(() => single(stack, StaticSiteTarget.fromHosting(hosting(stack)), {}, { postDeployCheck: postDeployCheck as any })).toThrow(message);
    });

    test('a target that is not from StaticSiteTarget', () => {
      const stack = newStack();
      const site = hosting(stack);
      expect(() => single(stack, { bucket: site.bucket, distribution: site.distribution } as any)).toThrow(
        /^TestStack\/Pipeline: environments\[0\]\.target must be created by a StaticSiteTarget factory, got \[object Object\]\. Fix: use StaticSiteTarget\.fromHosting\(hosting\) or StaticSiteTarget\.fromBucket\(bucket, \{ distribution \}\)/);
    });

    test('a hosting without a distribution', () => {
      const stack = newStack();
      expect(() => single(stack, StaticSiteTarget.fromHosting({ bucket: new s3.Bucket(stack, 'B') } as any))).toThrow(
        /^TestStack\/Pipeline: environments\[0\]\.target\.distribution is required but was not given\. Fix: pass a StaticSiteHosting/);
    });

    test('two environments on the same bucket', () => {
      const stack = newStack();
      const site = hosting(stack);
      expect(() => new StaticSitePipeline(stack, 'Pipeline', {
        source: githubSource(),
        environments: [
          { name: 'Staging', target: StaticSiteTarget.fromHosting(site) },
          { name: 'Production', target: StaticSiteTarget.fromBucket(site.bucket, { distribution: site.distribution }) },
        ],
      })).toThrow(/^TestStack\/Pipeline: environments\[1\]\.target\.bucket is the bucket of environments\[0\] \("Staging"\) as well, got TestStack\/Site\/Bucket\. Fix: give each environment its own bucket/);
    });

    test('a bucket imported from another region is accepted: its deploy project is in a support stack of that region (test/static-site/cross-environment.test.ts)', () => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'eu-site', region: 'eu-west-1' });
      single(stack, StaticSiteTarget.fromBucket(bucket));
      const support = (stack.node.root as App).synth().getStackByName('TestStack-support-111111111111-eu-west-1');
      expect(Object.values<any>(support.template.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project')).toHaveLength(1);
    });

    describe('a public bucket', () => {
      const fix = 'Fix: keep the bucket private \\(blockPublicAccess: s3\\.BlockPublicAccess\\.BLOCK_ALL';
      test('with a website configuration', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Web', { websiteIndexDocument: 'index.html' });
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(new RegExp(
          `^TestStack/Pipeline: environments\\[0\\]\\.target\\.bucket is configured for public website hosting \\(TestStack/Web has a WebsiteConfiguration\\)\\. ${fix}`));
      });

      test('with a website configuration set on the L1', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Web');
        (bucket.node.defaultChild as s3.CfnBucket).websiteConfiguration = { indexDocument: 'index.html' };
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(new RegExp(
          `environments\\[0\\]\\.target\\.bucket is configured for public website hosting \\(TestStack/Web has a WebsiteConfiguration\\)\\. ${fix}`));
      });

      test('imported as a website bucket', () => {
        const stack = newStack();
        const bucket = s3.Bucket.fromBucketAttributes(stack, 'Web', { bucketName: 'www', isWebsite: true });
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(/environments\[0\]\.target\.bucket is configured for public website hosting \(TestStack\/Web, isWebsite: true\)/);
      });

      test('with public access blocks turned off', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS });
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(new RegExp(
          `environments\\[0\\]\\.target\\.bucket has public access blocks turned off \\(TestStack/Open: blockPublicPolicy is false, restrictPublicBuckets is false\\)\\. ${fix}`));
      });

      test('with public read access', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Open', {
          publicReadAccess: true,
          blockPublicAccess: new s3.BlockPublicAccess({
            blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false,
          }),
        });
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(/environments\[0\]\.target\.bucket has public access blocks turned off/);
      });

      test('with a bucket policy that lets anyone read', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Open');
        bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(new RegExp(
          `environments\\[0\\]\\.target\\.bucket grants public reads \\(TestStack/Open has a bucket policy statement that allows Principal "\\*" s3:GetObject\\)\\. ${fix}`));
      });

      test('with a public-read ACL', () => {
        const stack = newStack();
        const bucket = new s3.Bucket(stack, 'Open', { accessControl: s3.BucketAccessControl.PUBLIC_READ, objectOwnership: s3.ObjectOwnership.OBJECT_WRITER });
        expect(() => single(stack, StaticSiteTarget.fromBucket(bucket))).toThrow(/environments\[0\]\.target\.bucket grants public reads \(TestStack\/Open has the "PublicRead" access control\)/);
      });

      test('but not a private bucket whose policy lets only CloudFront read (OAC), or anyone under a condition', () => {
        const stack = newStack();
        const site = hosting(stack);
        site.bucket.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject'],
          resources: [site.bucket.arnForObjects('*')],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
        }));
        expect(() => single(stack, StaticSiteTarget.fromHosting(site))).not.toThrow();
      });
    });

    test('empty environments', () => {
      expect(() => new StaticSitePipeline(newStack(), 'Pipeline', { source: githubSource(), environments: [] })).toThrow(/environments must not be empty/);
    });
  });

  describe('security checks', () => {
    test('cdk-nag AwsSolutions reports nothing unacknowledged on a pipeline with approvals, checks, reports and notifications', () => {
      const { pipeline } = sitePipeline(newStack(), {
        buildOptions: { testCommands: ['npm test'], testReportDirectory: 'reports', cachePaths: ['node_modules/**/*'] },
        notifications: { emails: ['team@example.com'] },
      });
      expect(nagFindings(pipeline)).toEqual([]);
    });

    test('cdk-nag is also clean with a shared artifact store and an env-agnostic stack', () => {
      const stack = new Stack(new App(), 'Agnostic');
      const store = new ArtifactStore(stack, 'Store');
      const site = new StaticSiteHosting(stack, 'Site');
      const pipeline = new StaticSitePipeline(stack, 'Pipeline', { source: githubSource(), artifactStore: store, environments: [{ name: 'Live', target: StaticSiteTarget.fromHosting(site) }] });
      expect(nagFindings(pipeline)).toEqual([]);
      expect(nagFindings(site)).toEqual([]);
    });
  });
});

// With the SPA fallback, 403/404 answer 200 /index.html: a 200 check cannot see a missing page
// (first-run audit, finding 11).
describe('post-deploy check behind a fallback that answers 200', () => {
  const WARNING = 'PostDeployCheckBlindToMissingPages';

  test('GIVEN singlePageApp hosting WHEN a check expects 200 THEN a warning with an id says the check cannot see a missing page', () => {
    const stack = newStack();
    single(stack, StaticSiteTarget.fromHosting(new StaticSiteHosting(stack, 'Site', { singlePageApp: true })), {}, { postDeployCheck: { urls: ['https://example.com/settings'] } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline',
      Match.stringLikeRegexp(`environments\\[0\\]\\.postDeployCheck: the distribution answers 403 and 404 with status 200.*not a missing page.*${WARNING}`));
  });

  test('GIVEN hosting without the fallback, or a check that expects another status, or no check THEN no such warning', () => {
    const stack = newStack();
    single(stack, StaticSiteTarget.fromHosting(hosting(stack)), {}, { postDeployCheck: { urls: ['https://example.com/'] } });
    const spa = newStack();
    single(spa, StaticSiteTarget.fromHosting(new StaticSiteHosting(spa, 'Site', { singlePageApp: true })), {}, { postDeployCheck: { urls: ['https://example.com/'], expectedStatus: 204 } });
    const unchecked = newStack();
    single(unchecked, StaticSiteTarget.fromHosting(new StaticSiteHosting(unchecked, 'Site', { singlePageApp: true })));
    for (const s of [stack, spa, unchecked]) {
      Annotations.fromStack(s).hasNoWarning('*', Match.stringLikeRegexp(WARNING));
    }
  });
});
