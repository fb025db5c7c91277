import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AppSpecOptions, FileExistsBehavior, ServerDeployment, ServerOperatingSystem, ServerPipeline } from '../../src';
import { githubSource, newStack } from '../helpers';
import { webServers } from './support';

/** GIVEN a pipeline with one Auto Scaling group environment and this appSpec. */
function withAppSpec(appSpec: AppSpecOptions): Stack {
  const stack = newStack();
  new ServerPipeline(stack, 'Pipeline', {
    source: githubSource(),
    appSpec,
    environments: [{ name: 'Staging', deployment: ServerDeployment.autoScalingGroup(webServers(stack, 'Web')) }],
  });
  return stack;
}

/** The appspec.yml the build writes, as its lines. */
function appSpecLines(stack: Stack): string[] {
  const [project] = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
  const write: string = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands.find((c: string) => c.startsWith("printf '%s\\n' 'version: 0.0'"));
  return [...write.matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => m[1].replace(/'\\''/g, "'")).slice(1, -1);
}

describe('appSpec (the generated appspec.yml)', () => {
  test('WHEN every lifecycle event has a script THEN they are written in the order CodeDeploy runs them, with their timeouts and users', () => {
    const script = (name: string) => [{ location: `scripts/${name}.sh`, timeout: Duration.seconds(60) }];
    const stack = withAppSpec({
      files: [{ source: 'app', destination: '/opt/app' }, { source: 'config/app.conf', destination: '/etc/app' }],
      fileExistsBehavior: FileExistsBehavior.OVERWRITE,
      hooks: {
        validateService: script('validate'),
        applicationStart: [{ location: 'scripts/start.sh', runAs: 'app' }],
        afterInstall: script('after'),
        beforeInstall: script('before'),
        applicationStop: script('stop'),
      },
    });
    expect(appSpecLines(stack)).toEqual([
      'version: 0.0', 'os: linux',
      'files:', '  - source: "app"', '    destination: "/opt/app"', '  - source: "config/app.conf"', '    destination: "/etc/app"',
      'file_exists_behavior: OVERWRITE',
      'hooks:',
      '  ApplicationStop:', '    - location: "scripts/stop.sh"', '      timeout: 60',
      '  BeforeInstall:', '    - location: "scripts/before.sh"', '      timeout: 60',
      '  AfterInstall:', '    - location: "scripts/after.sh"', '      timeout: 60',
      '  ApplicationStart:', '    - location: "scripts/start.sh"', '      runas: app',
      '  ValidateService:', '    - location: "scripts/validate.sh"', '      timeout: 60',
    ]);
  });

  test('WHEN the instances run Windows THEN os is windows and destinations are drive paths', () => {
    const stack = withAppSpec({ os: ServerOperatingSystem.WINDOWS, files: [{ source: '/', destination: 'C:\\app' }] });
    expect(appSpecLines(stack).slice(0, 5)).toEqual(['version: 0.0', 'os: windows', 'files:', '  - source: "/"', '    destination: "C:\\\\app"']);
  });

  test('WHEN traffic hooks are given and no environment has a load balancer THEN the pipeline warns that they never run', () => {
    const stack = withAppSpec({ files: [{ source: '/', destination: '/opt/app' }], hooks: { beforeAllowTraffic: [{ location: 'scripts/warm.sh' }] } });
    Annotations.fromStack(stack).hasWarning('/TestStack/Pipeline', Match.stringLikeRegexp('ServerTrafficHooksIgnored|run only in a deployment group with a load balancer'));
  });

  test.each<[string, AppSpecOptions, RegExp]>([
    ['nothing to do', {}, /^TestStack\/Pipeline: appSpec copies no files and runs no scripts.*\. Fix: give files/],
    ['an absolute source', { files: [{ source: '/opt/x', destination: '/opt/app' }] }, /appSpec\.files\[0\]\.source must be "\/" \(the whole bundle\) or a path relative to the bundle root, got "\/opt\/x"/],
    ['a source outside the bundle', { files: [{ source: '../secrets', destination: '/opt/app' }] }, /appSpec\.files\[0\]\.source must be a relative path inside the source, got "\.\.\/secrets"/],
    ['a relative destination', { files: [{ source: '/', destination: 'opt/app' }] }, /appSpec\.files\[0\]\.destination must be an absolute path on a linux instance, got "opt\/app"/],
    ['a Linux destination on Windows', { os: ServerOperatingSystem.WINDOWS, files: [{ source: '/', destination: '/opt/app' }] }, /destination must be an absolute path on a windows instance/],
    ['files not a list', { files: { source: '/', destination: '/opt/app' } as any }, /appSpec\.files must be a list/],
    ['an unknown os', { os: 'macos' as any, files: [{ source: '/', destination: '/opt/app' }] }, /appSpec\.os must be one of "linux", "windows", got "macos"/],
    ['an unknown fileExistsBehavior', { fileExistsBehavior: 'REPLACE' as any, files: [{ source: '/', destination: '/opt/app' }] }, /appSpec\.fileExistsBehavior must be one of/],
    ['a script without a location', { hooks: { applicationStart: [{} as any] } }, /appSpec\.hooks\.applicationStart\[0\]\.location must be the script's path in the bundle, got undefined/],
    ['an absolute script location', { hooks: { applicationStart: [{ location: '/usr/bin/start' }] } }, /appSpec\.hooks\.applicationStart\[0\]\.location must be a relative path inside the source, got "\/usr\/bin\/start"/],
    ['a hook that is not a list', { hooks: { validateService: { location: 'scripts/v.sh' } as any } }, /appSpec\.hooks\.validateService must be a list/],
    ['a timeout over an hour', { hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.hours(2) }] } }, /appSpec\.hooks\.afterInstall\[0\]\.timeout must be whole seconds from 1 to 3600 \(one hour\), got 2 hours/],
    ['a timeout in milliseconds', { hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.millis(1500) }] } }, /timeout must be whole seconds from 1 to 3600/],
    ['a timeout as a number', { hooks: { afterInstall: [{ location: 'a.sh', timeout: 300 as any }] } }, /appSpec\.hooks\.afterInstall\[0\]\.timeout must be a Duration, got 300/],
    ['scripts of one event over an hour', {
      hooks: { beforeInstall: [{ location: 'a.sh', timeout: Duration.minutes(40) }, { location: 'b.sh', timeout: Duration.minutes(30) }] },
    }, /appSpec\.hooks\.beforeInstall gives its 2 scripts 4200 seconds together .*more than the 3600 seconds/],
    ['two scripts without a timeout', { hooks: { beforeInstall: [{ location: 'a.sh' }, { location: 'b.sh' }] } }, /gives its 2 scripts 7200 seconds together \(a script without a timeout has 3600\)/],
    ['runAs on Windows', { os: ServerOperatingSystem.WINDOWS, hooks: { applicationStart: [{ location: 'start.ps1', runAs: 'app' }] } }, /appSpec\.hooks\.applicationStart\[0\]\.runAs is given \("app"\), but CodeDeploy runs scripts as a user of its own choice only on Linux instances/],
    ['runAs not a user name', { hooks: { applicationStart: [{ location: 'start.sh', runAs: 'app; rm -rf /' }] } }, /runAs must be a Linux user name, got "app; rm -rf \/"/],
  ])('WHEN %s THEN the library says so', (_name, appSpec, error) => {
    expect(() => withAppSpec(appSpec)).toThrow(error);
  });
});
