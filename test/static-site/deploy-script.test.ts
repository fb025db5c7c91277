import * as s3 from 'aws-cdk-lib/aws-s3';
import { StaticSiteTarget } from '../../src';
import { newStack } from '../helpers';
import { DeployRun, FakeEffect, FakeWorld } from './deploy-harness';
import { deployCommandOf, deployEnvironmentOf, sitePipeline } from './support';

/**
 * The deploy step runs for real here: the command from the synthesized buildspec, with the
 * environment the project and the action give it, against fake aws/curl/python3-zipfile tools and
 * a fake S3 (see deploy-harness.ts).
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const HTML = 'no-cache, must-revalidate';
const OTHER = 'public, max-age=0, must-revalidate';

const RELEASE_1 = {
  'index.html': '<script src="/assets/app-3f2a9c1b.js"></script> release 1',
  'about/index.html': 'about, release 1',
  'assets/app-3f2a9c1b.js': 'console.log(1)',
  'assets/app-3f2a9c1b.css': 'body{}',
  'static/js/main.0a1b2c3d.js': 'cra bundle 1',
  'favicon.ico': 'icon',
  'robots.txt': 'User-agent: *',
  'old-page.html': 'removed in release 2',
};

const RELEASE_2 = {
  'index.html': '<script src="/assets/app-77aa88bb.js"></script> release 2',
  'about/index.html': 'about, release 2',
  'assets/app-77aa88bb.js': 'console.log(2)',
  'assets/app-3f2a9c1b.css': 'body{}',
  'static/js/main.0a1b2c3d.js': 'cra bundle 1',
  'favicon.ico': 'icon',
  'robots.txt': 'User-agent: *',
  'new-page.html': 'new in release 2',
};

/** Release 2, but the home page answers 500 (the fake curl fails any file containing BROKEN). */
const BROKEN_RELEASE_2 = { ...RELEASE_2, 'index.html': 'BROKEN release 2' };

const SITE = 'production-site-bucket';
const ARTIFACTS = 'pipeline-artifacts';

describe('the deploy script', () => {
  // GIVEN the production deploy step of a synthesized pipeline
  const { template } = sitePipeline(newStack());
  const command = deployCommandOf(template, 'Production');
  const environment = (executionId: string): Record<string, string> => ({
    ...deployEnvironmentOf(template, 'Production',
      { SITE_BUCKET: SITE, DISTRIBUTION_ID: 'EPRODUCTION', RELEASE_BUCKET: ARTIFACTS },
      { RELEASE_ID: executionId, SOURCE_REVISION: `commit-${executionId}` }),
    // Keep the tests fast: no pause between check attempts.
    CHECK_INTERVAL_SECONDS: '0',
  });
  const fake = { FAKE_SITE_BUCKET: SITE, FAKE_SPA: '1' };
  /** Where the production releases go: releases/<pipeline id>/Production/. */
  const PREFIX = environment('x').RELEASE_PREFIX;

  let world: FakeWorld;
  beforeEach(() => {
    world = new FakeWorld();
  });
  afterEach(() => world.dispose());

  function deploy(executionId: string, site: Record<string, string>, extraFake: Record<string, string> = {}): DeployRun {
    world.reset();
    return world.run(command, environment(executionId), site, { ...fake, ...extraFake });
  }

  /** The site bucket as a map of key -> [body, Cache-Control]. */
  function siteBucket(): Record<string, [string, string | undefined]> {
    return Object.fromEntries(Object.entries(world.bucket(SITE)).map(([k, o]) => [k, [o.body, o.cacheControl]]));
  }

  function expected(site: Record<string, string>): Record<string, [string, string]> {
    return Object.fromEntries(Object.entries(site).map(([key, body]) => [key,
      [body, key.endsWith('.html') ? HTML : /^(assets|static\/js)\//.test(key) ? IMMUTABLE : OTHER]]));
  }

  const indexOf = (effects: FakeEffect[], predicate: (e: FakeEffect) => boolean) => effects.findIndex(predicate);
  const lastIndexOf = (effects: FakeEffect[], predicate: (e: FakeEffect) => boolean) => effects.map(predicate).lastIndexOf(true);

  describe('WHEN the first release passes its check', () => {
    let run: DeployRun;
    beforeEach(() => {
      run = deploy('exec-1', RELEASE_1);
    });

    test('THEN it succeeds and the bucket holds exactly the release, each file with its Cache-Control', () => {
      expect(run).toEqual(expect.objectContaining({ status: 0 }));
      expect(siteBucket()).toEqual(expected(RELEASE_1));
    });

    test('THEN fingerprinted assets are uploaded first, then the other files, HTML last', () => {
      const uploads = world.effects.filter((e) => e.op === 'upload');
      const group = (e: FakeEffect) => (e.cacheControl === IMMUTABLE ? 0 : e.cacheControl === OTHER ? 1 : 2);
      expect(uploads.map(group)).toEqual([...uploads.map(group)].sort());
      expect(uploads.map((e) => [e.key, e.cacheControl])).toEqual(expect.arrayContaining([
        ['assets/app-3f2a9c1b.js', IMMUTABLE],
        ['static/js/main.0a1b2c3d.js', IMMUTABLE],
        ['favicon.ico', OTHER],
        ['index.html', HTML],
        ['about/index.html', HTML],
      ]));
      // Nothing is uploaded without its Cache-Control (the final sync only deletes).
      expect(world.effects.filter((e) => e.op === 'sync-upload')).toEqual([]);
    });

    test('THEN the distribution is invalidated after every upload, and the check runs after the invalidation completed', () => {
      const effects = world.effects;
      const invalidation = indexOf(effects, (e) => e.op === 'invalidate');
      expect(effects[invalidation]).toEqual(expect.objectContaining({ distribution: 'EPRODUCTION', paths: '/*' }));
      expect(invalidation).toBeGreaterThan(lastIndexOf(effects, (e) => e.op === 'upload'));
      const wait = indexOf(effects, (e) => e.op === 'wait');
      expect(effects[wait]).toEqual(expect.objectContaining({ distribution: 'EPRODUCTION', id: effects[invalidation].id }));
      expect(wait).toBeGreaterThan(invalidation);
      expect(effects.slice(wait + 1).map((e) => [e.op, e.url, e.status, e.proto])).toEqual([
        ['check', 'https://www.example.com/', '200', '=https'],
        ['check', 'https://www.example.com/app/settings', '200', '=https'],
      ]);
    });

    test('THEN the release is archived, tagged with its commit, and recorded as the last good release', () => {
      const artifacts = world.bucket(ARTIFACTS);
      expect(Object.keys(artifacts).sort()).toEqual([`${PREFIX}exec-1.zip`, `${PREFIX}last-good`]);
      expect(artifacts[`${PREFIX}last-good`].body).toBe(`${PREFIX}exec-1.zip`);
      expect(JSON.parse(artifacts[`${PREFIX}exec-1.zip`].body)['index.html']).toBe(Buffer.from(RELEASE_1['index.html']).toString('base64'));
      const archive = world.calls.find((c) => c[0] === 'aws' && c[2] === 'cp' && c[4] === `s3://${ARTIFACTS}/${PREFIX}exec-1.zip`);
      expect(archive).toEqual(expect.arrayContaining(['--metadata', 'source-revision=commit-exec-1']));
    });
  });

  describe('WHEN a second release that drops a file passes its check', () => {
    let run: DeployRun;
    beforeEach(() => {
      deploy('exec-1', RELEASE_1);
      run = deploy('exec-2', RELEASE_2);
    });

    test('THEN the dropped page is deleted after the HTML is live and before the invalidation', () => {
      expect(run.status).toBe(0);
      const effects = world.effects;
      const deletion = indexOf(effects, (e) => e.op === 'delete');
      expect(effects.filter((e) => e.op === 'delete').map((e) => [e.bucket, e.key])).toEqual([[SITE, 'old-page.html']]);
      expect(deletion).toBeGreaterThan(lastIndexOf(effects, (e) => e.op === 'upload' && e.cacheControl === HTML));
      expect(deletion).toBeLessThan(indexOf(effects, (e) => e.op === 'invalidate'));
      expect(world.bucket(ARTIFACTS)[`${PREFIX}last-good`].body).toBe(`${PREFIX}exec-2.zip`);
    });

    test('THEN the replaced bundle of release 1 stays, so a browser still running release 1\'s HTML can load it', () => {
      expect(siteBucket()).toEqual({ ...expected(RELEASE_2), 'assets/app-3f2a9c1b.js': [RELEASE_1['assets/app-3f2a9c1b.js'], IMMUTABLE] });
      expect(run.output).toContain('except the previous release\'s 3 fingerprinted files');
    });

    test('WHEN a third release passes THEN release 1\'s bundle is deleted, and release 2\'s replaced bundle is kept in turn', () => {
      const RELEASE_3 = { ...RELEASE_2, 'index.html': '<script src="/assets/app-99cc00dd.js"></script> release 3', 'assets/app-99cc00dd.js': 'console.log(3)' };
      delete (RELEASE_3 as Record<string, string>)['assets/app-77aa88bb.js'];
      expect(deploy('exec-3', RELEASE_3).status).toBe(0);
      expect(world.effects.filter((e) => e.op === 'delete').map((e) => e.key)).toEqual(['assets/app-3f2a9c1b.js']);
      expect(siteBucket()).toEqual({ ...expected(RELEASE_3), 'assets/app-77aa88bb.js': [RELEASE_2['assets/app-77aa88bb.js'], IMMUTABLE] });
    });
  });

  describe('WHEN a release fails its post-deploy check', () => {
    let run: DeployRun;
    beforeEach(() => {
      deploy('exec-1', RELEASE_1);
      run = deploy('exec-2', BROKEN_RELEASE_2);
    });

    test('THEN the step fails, so the pipeline stops red', () => {
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/check FAILED: GET https:\/\/www\.example\.com\/ answered 500, expected 200/);
      expect(run.output).toContain(`ROLLBACK: restoring s3://pipeline-artifacts/${PREFIX}exec-1.zip`);
      expect(run.output).toContain(`ROLLBACK done: ${PREFIX}exec-1.zip is live again`);
    });

    test('THEN the previous release is back exactly: its files and headers, without the failed release\'s new files', () => {
      expect(siteBucket()).toEqual(expected(RELEASE_1));
    });

    test('THEN the restore uploads assets before HTML, deletes the failed release\'s files, invalidates again and checks again', () => {
      const effects = world.effects;
      const firstCheckFailure = indexOf(effects, (e) => e.op === 'check' && e.status === '500');
      const restore = effects.slice(firstCheckFailure + 1).filter((e) => e.op !== 'check' || e.status !== '500');
      expect(restore.map((e) => e.op)).toEqual([
        ...Array(restore.filter((e) => e.op === 'upload').length).fill('upload'),
        'delete',
        'delete',
        'invalidate',
        'wait',
        'check',
        'check',
      ]);
      const uploads = restore.filter((e) => e.op === 'upload');
      expect(uploads.map((e) => e.cacheControl)).toEqual([
        ...uploads.filter((e) => e.cacheControl === IMMUTABLE).map(() => IMMUTABLE),
        ...uploads.filter((e) => e.cacheControl === OTHER).map(() => OTHER),
        ...uploads.filter((e) => e.cacheControl === HTML).map(() => HTML),
      ]);
      expect(restore.filter((e) => e.op === 'delete').map((e) => e.key)).toEqual(['assets/app-77aa88bb.js', 'new-page.html']);
      expect(effects.filter((e) => e.op === 'invalidate')).toHaveLength(2);
    });

    test('THEN the last good release is still the previous one, and the failed release is kept for inspection', () => {
      const artifacts = world.bucket(ARTIFACTS);
      expect(artifacts[`${PREFIX}last-good`].body).toBe(`${PREFIX}exec-1.zip`);
      expect(artifacts[`${PREFIX}exec-2.zip`]).toBeDefined();
    });

    test('THEN the next good release deploys normally on top of the restored one, keeping the restored release\'s bundle', () => {
      expect(deploy('exec-3', RELEASE_2).status).toBe(0);
      expect(siteBucket()).toEqual({ ...expected(RELEASE_2), 'assets/app-3f2a9c1b.js': [RELEASE_1['assets/app-3f2a9c1b.js'], IMMUTABLE] });
      expect(world.bucket(ARTIFACTS)[`${PREFIX}last-good`].body).toBe(`${PREFIX}exec-3.zip`);
    });
  });

  test('WHEN the live release cannot be read THEN the new release deploys anyway, without keeping the old bundles, and says so', () => {
    deploy('exec-1', RELEASE_1);
    const run = deploy('exec-2', RELEASE_2, { FAKE_FAIL: 'live.zip' });
    expect(run.status).toBe(0);
    expect(run.output).toContain(`could not read the live release ${PREFIX}exec-1.zip: its fingerprinted files are not kept`);
    expect(siteBucket()).toEqual(expected(RELEASE_2));
  });

  // A failure to read the last good release (AccessDenied, KMS) must not pass for "no earlier
  // release": the deploy would go ahead with nothing to roll back to, and delete the live bundles.
  test.each([
    ['reading the pointer', '/last-good","-"'],
    ['listing the pointer', '"--query","Contents[?Key=='],
  ])('WHEN %s fails with an error other than not-found THEN the step fails before touching the site, with the AWS message', (_what, failing) => {
    deploy('exec-1', RELEASE_1);
    const run = deploy('exec-2', RELEASE_2, { FAKE_FAIL: failing });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/fake failure of aws s3/);
    expect(run.output).toContain(`could not read the last good release s3://${ARTIFACTS}/${PREFIX}last-good (see the error above): refusing to deploy without a rollback target`);
    expect(siteBucket()).toEqual(expected(RELEASE_1));
    expect(world.effects.filter((e) => e.op === 'upload' || e.op === 'sync-upload' || e.op === 'delete')).toEqual([]);
  });

  test('WHEN the pointer cannot be read during a rollback THEN the rollback says so instead of "no earlier release"', () => {
    deploy('exec-1', RELEASE_1);
    // The first read (before the deploy) succeeds, the second (the rollback's) fails.
    const run = deploy('exec-2', BROKEN_RELEASE_2, { FAKE_FAIL: '/last-good","-"', FAKE_FAIL_SKIP: '1' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`ROLLBACK impossible: could not read s3://${ARTIFACTS}/${PREFIX}last-good (see the error above)`);
    expect(run.output).not.toMatch(/no earlier release passed its check/);
  });

  test('WHEN the upload of the HTML fails midway THEN the previous release is restored and the step fails', () => {
    deploy('exec-1', RELEASE_1);
    const run = deploy('exec-2', RELEASE_2, { FAKE_FAIL: '"--include","*.html"' });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/release exec-2 failed \(exit status 1\): rolling back/);
    expect(siteBucket()).toEqual(expected(RELEASE_1));
  });

  test('WHEN the invalidation cannot be read THEN the previous release is restored and the step fails', () => {
    deploy('exec-1', RELEASE_1);
    const run = deploy('exec-2', RELEASE_2, { FAKE_FAIL: 'get-invalidation' });
    expect(run.status).not.toBe(0);
    expect(siteBucket()).toEqual(expected(RELEASE_1));
    expect(world.effects.filter((e) => e.op === 'invalidate')).toHaveLength(2);
  });

  // The CLI waiter gives up after 30 × 20 s (first-run audit, finding 8); a slow invalidation
  // must not roll back a release whose files are all uploaded.
  test('WHEN the invalidation is still in progress at the timeout THEN the step warns, keeps the release, records it and succeeds', () => {
    deploy('exec-1', RELEASE_1);
    world.reset();
    const run = world.run(command, { ...environment('exec-2'), INVALIDATION_TIMEOUT_SECONDS: '2', INVALIDATION_POLL_SECONDS: '1' },
      RELEASE_2, { ...fake, FAKE_INVALIDATION_STATUS: 'InProgress' });
    expect(run).toEqual(expect.objectContaining({ status: 0 }));
    expect(run.output).toMatch(/WARNING: invalidation I\d+ is still InProgress after 2 s.*not rolling back/);
    // Release 2 is live (release 1's replaced bundle is kept one more release, as always).
    expect(siteBucket()).toEqual(expect.objectContaining(expected(RELEASE_2)));
    expect(siteBucket()['old-page.html']).toBeUndefined();
    expect(world.bucket(ARTIFACTS)[`${PREFIX}last-good`].body).toBe(`${PREFIX}exec-2.zip`);
    // It polled more than once, then went on to the check.
    expect(world.effects.filter((e) => e.op === 'wait').length).toBeGreaterThan(1);
    expect(world.effects.filter((e) => e.op === 'invalidate')).toHaveLength(1);
    expect(world.calls.some((c) => c.includes('wait'))).toBe(false);
  });

  test('THEN the project (on Lambda compute in us-east-1) waits for an invalidation at most 2 minutes, polling every 20 s, and gives each check attempt 10 s', () => {
    const env = environment('x');
    expect([env.INVALIDATION_TIMEOUT_SECONDS, env.INVALIDATION_POLL_SECONDS, env.CHECK_MAX_TIME_SECONDS]).toEqual(['120', '20', '10']);
  });

  test('THEN each check attempt is cut off after CHECK_MAX_TIME_SECONDS (the project\'s 10 s on Lambda compute)', () => {
    deploy('exec-1', RELEASE_1);
    const checks = world.effects.filter((e) => e.op === 'check');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((e) => e.maxTime === '10')).toBe(true);
  });

  test('WHEN the very first release fails its check THEN there is nothing to restore: the step fails and says so', () => {
    const run = deploy('exec-1', BROKEN_RELEASE_2);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/ROLLBACK impossible: no earlier release passed its check in this environment/);
    expect(world.bucket(ARTIFACTS)[`${PREFIX}last-good`]).toBeUndefined();
  });

  test('WHEN a URL keeps failing THEN it is tried `attempts` times (default 3) before the check fails', () => {
    deploy('exec-1', RELEASE_1);
    deploy('exec-2', BROKEN_RELEASE_2);
    const failures = world.effects.filter((e) => e.op === 'check' && e.url === 'https://www.example.com/' && e.status === '500');
    expect(failures).toHaveLength(3);
  });

  test('WHEN the build output is empty THEN nothing is touched (a sync would delete the whole site)', () => {
    world.put(SITE, 'index.html', 'live site', HTML);
    const run = deploy('exec-1', {});
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/the build output is empty: refusing to deploy/);
    expect(world.calls).toEqual([]);
    expect(siteBucket()).toEqual({ 'index.html': ['live site', HTML] });
  });

  test('WHEN more than 10 releases are archived THEN the oldest are pruned and the new one is kept', () => {
    for (let i = 1; i <= 12; i++) {
      world.put(ARTIFACTS, `${PREFIX}old-${i}.zip`, '{}');
    }
    expect(deploy('exec-new', RELEASE_1).status).toBe(0);
    const archives = Object.keys(world.bucket(ARTIFACTS)).filter((k) => k.endsWith('.zip'));
    expect(archives).toHaveLength(10);
    expect(archives).toContain(`${PREFIX}exec-new.zip`);
    expect(archives).not.toContain(`${PREFIX}old-1.zip`);
    expect(world.effects.filter((e) => e.op === 'delete' && e.bucket === ARTIFACTS)).toHaveLength(3);
  });

  test('WHEN the target has no distribution and no check THEN nothing is invalidated or fetched, and the release is recorded', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    const preview = sitePipeline(stack, {}, [{ name: 'Preview', target: StaticSiteTarget.fromBucket(bucket) }]).template;
    const env = deployEnvironmentOf(preview, 'Preview', { SITE_BUCKET: 'preview', RELEASE_BUCKET: ARTIFACTS }, { RELEASE_ID: 'exec-1' });
    expect(env.DISTRIBUTION_ID).toBeUndefined();
    expect(env.CHECK_URLS).toBeUndefined();
    const run = world.run(deployCommandOf(preview, 'Preview'), env, RELEASE_1, { FAKE_SITE_BUCKET: 'preview' });
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/no distribution to invalidate/);
    expect(run.output).toMatch(/no post-deploy check/);
    expect(world.effects.filter((e) => ['invalidate', 'wait', 'check'].includes(e.op))).toEqual([]);
    expect(env.RELEASE_PREFIX).toMatch(/^releases\/TestStackPipeline[0-9A-F]{8}\/Preview\/$/);
    expect(world.bucket(ARTIFACTS)[`${env.RELEASE_PREFIX}last-good`].body).toBe(`${env.RELEASE_PREFIX}exec-1.zip`);
  });
});
