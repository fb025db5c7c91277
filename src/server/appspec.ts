import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { fail, show, validateIsDuration, validateList, validateOneOf, validateOptionsObject, validateRelativePath, warn } from '../core/validation';

/**
 * The operating system of the instances a revision is deployed to (the AppSpec file's `os`).
 */
export enum ServerOperatingSystem {
  /** Amazon Linux, Ubuntu Server, RHEL. */
  LINUX = 'linux',
  /** Windows Server (no `runAs`; destinations such as `C:\app`). */
  WINDOWS = 'windows',
}

/**
 * What CodeDeploy does with a file in a destination that the previous successful deployment did
 * not put there (the AppSpec file's `file_exists_behavior`).
 */
export enum FileExistsBehavior {
  /** The deployment fails (CodeDeploy's default). */
  DISALLOW = 'DISALLOW',
  /** The file is replaced by the revision's. */
  OVERWRITE = 'OVERWRITE',
  /** The file is kept; the revision's is not copied. */
  RETAIN = 'RETAIN',
}

/**
 * Files of the revision bundle that CodeDeploy copies onto the instance in its `Install` event
 * (one entry of the AppSpec file's `files` section).
 */
export interface AppSpecFile {
  /**
   * What to copy, relative to the root of the revision bundle (the build's `outputDirectory`):
   * a file, a directory (with everything below it), or `/` for the whole bundle.
   */
  readonly source: string;
  /**
   * Where on the instance it goes: an absolute path (`/var/www/app`, or `C:\app` on Windows).
   */
  readonly destination: string;
}

/**
 * One script of a lifecycle event (an entry of an event in the AppSpec file's `hooks` section).
 */
export interface LifecycleScript {
  /**
   * The script, relative to the root of the revision bundle, e.g. `scripts/start.sh`. The
   * build fails when the bundle does not hold it (and makes it executable).
   */
  readonly location: string;
  /**
   * How long the script may run before it counts as failed: whole seconds, at most one hour.
   * The scripts of one event may take one hour together.
   *
   * @default - CodeDeploy's default: 3600 seconds
   */
  readonly timeout?: Duration;
  /**
   * The Linux user that runs the script (it must not need a password). Not on Windows.
   *
   * @default - the user the CodeDeploy agent runs as (root)
   */
  readonly runAs?: string;
}

/**
 * Scripts CodeDeploy runs at the lifecycle events of an in-place deployment, in this order:
 * (BeforeBlockTraffic, AfterBlockTraffic with a load balancer), ApplicationStop — these three
 * before the new revision is downloaded, so with the previous revision's scripts — then
 * BeforeInstall, (the files are copied), AfterInstall, ApplicationStart, ValidateService,
 * (BeforeAllowTraffic, AfterAllowTraffic with a load balancer). A failing script fails the
 * deployment to that instance, which rolls the deployment back (the previous revision is
 * deployed again).
 */
export interface LifecycleHooks {
  /**
   * Stops the running application before the new revision is downloaded. CodeDeploy runs the
   * scripts of the *previous* successful revision here (nothing on an instance's first deployment).
   *
   * @default - none
   */
  readonly applicationStop?: LifecycleScript[];
  /**
   * Before the instance is taken out of the load balancer (only with a load balancer; the
   * previous revision's scripts, nothing on an instance's first deployment).
   *
   * @default - none
   */
  readonly beforeBlockTraffic?: LifecycleScript[];
  /**
   * After the instance is taken out of the load balancer (only with a load balancer; the
   * previous revision's scripts, nothing on an instance's first deployment).
   *
   * @default - none
   */
  readonly afterBlockTraffic?: LifecycleScript[];
  /**
   * Before the files are copied, e.g. to install packages or back up the current version.
   *
   * @default - none
   */
  readonly beforeInstall?: LifecycleScript[];
  /**
   * After the files are copied, e.g. to configure the application or change permissions.
   *
   * @default - none
   */
  readonly afterInstall?: LifecycleScript[];
  /**
   * Starts the application (services stopped in `applicationStop`).
   *
   * @default - none
   */
  readonly applicationStart?: LifecycleScript[];
  /**
   * Checks that the deployment worked, e.g. a health check against localhost; a failure rolls
   * the deployment back. Without a load balancer and alarms, this is what judges a deployment.
   *
   * @default - none
   */
  readonly validateService?: LifecycleScript[];
  /**
   * Before the instance is put back in the load balancer (only with a load balancer).
   *
   * @default - none
   */
  readonly beforeAllowTraffic?: LifecycleScript[];
  /**
   * After the instance is back in the load balancer (only with a load balancer).
   *
   * @default - none
   */
  readonly afterAllowTraffic?: LifecycleScript[];
}

/**
 * The AppSpec file (`appspec.yml`) the build generates at the root of the revision bundle, for
 * EC2/on-premises deployments.
 */
export interface AppSpecOptions {
  /**
   * The instances' operating system.
   *
   * @default ServerOperatingSystem.LINUX
   */
  readonly os?: ServerOperatingSystem;
  /**
   * Files to copy onto the instances.
   *
   * @default - none (the lifecycle scripts install the application)
   */
  readonly files?: AppSpecFile[];
  /**
   * Scripts to run at the lifecycle events.
   *
   * @default - none
   */
  readonly hooks?: LifecycleHooks;
  /**
   * What CodeDeploy does with files in a destination that the previous deployment did not put
   * there (e.g. files of the AMI on an instance's first deployment).
   *
   * @default - CodeDeploy's default: FileExistsBehavior.DISALLOW (the deployment fails)
   */
  readonly fileExistsBehavior?: FileExistsBehavior;
}

/** The lifecycle events, in the order an in-place deployment runs them, with their AppSpec names. */
export const LIFECYCLE_EVENTS = [
  ['beforeBlockTraffic', 'BeforeBlockTraffic'],
  ['afterBlockTraffic', 'AfterBlockTraffic'],
  ['applicationStop', 'ApplicationStop'],
  ['beforeInstall', 'BeforeInstall'],
  ['afterInstall', 'AfterInstall'],
  ['applicationStart', 'ApplicationStart'],
  ['validateService', 'ValidateService'],
  ['beforeAllowTraffic', 'BeforeAllowTraffic'],
  ['afterAllowTraffic', 'AfterAllowTraffic'],
] as const;

/** The events that run only when the deployment group has a load balancer. */
const TRAFFIC_EVENTS: ReadonlyArray<keyof LifecycleHooks> = ['beforeBlockTraffic', 'afterBlockTraffic', 'beforeAllowTraffic', 'afterAllowTraffic'];

/**
 * The AppSpec reference's limits (reference-appspec-file-structure-hooks): "3600 seconds (1 hour)
 * is the maximum amount of time allowed for script execution for each deployment lifecycle event".
 */
const MAX_EVENT_SECONDS = 3600;

/** A Linux user name (useradd's rule, as the agent passes it to `su`). */
const LINUX_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;

/**
 * A validated AppSpec file: checked once against the AppSpec reference, with its YAML and the
 * scripts the build must find. @internal
 */
export class AppSpec {
  /** The file's lines (YAML, written line by line: `version: 0.0` must stay 0.0). */
  public readonly lines: string[];
  /** The scripts' locations, relative to the bundle root. */
  public readonly scripts: string[];
  /** Whether any script runs at a traffic event (only with a load balancer). */
  public readonly usesTrafficEvents: boolean;

  constructor(scope: Construct, private readonly prop: string, options: AppSpecOptions) {
    validateOptionsObject(scope, prop, options, 'pass e.g. appSpec: { files: [{ source: "/", destination: "/opt/app" }], hooks: { applicationStart: [{ location: "scripts/start.sh" }] } }');
    const os = options.os ?? ServerOperatingSystem.LINUX;
    validateOneOf(scope, `${prop}.os`, os, Object.values(ServerOperatingSystem), 'use ServerOperatingSystem.LINUX or ServerOperatingSystem.WINDOWS');
    validateOneOf(scope, `${prop}.fileExistsBehavior`, options.fileExistsBehavior, Object.values(FileExistsBehavior), 'use a FileExistsBehavior value, e.g. FileExistsBehavior.OVERWRITE');
    const files = options.files ?? [];
    validateList(scope, `${prop}.files`, files, 'pass a list, e.g. files: [{ source: "/", destination: "/opt/app" }]');
    files.forEach((file, i) => this.validateFile(scope, `${prop}.files[${i}]`, file, os));
    const hooks = options.hooks ?? {};
    validateOptionsObject(scope, `${prop}.hooks`, hooks, 'pass e.g. hooks: { applicationStart: [{ location: "scripts/start.sh" }] }');
    const scripts: string[] = [];
    const hookLines: string[] = [];
    let usesTrafficEvents = false;
    for (const [key, name] of LIFECYCLE_EVENTS) {
      const list = hooks[key];
      if (list === undefined) {
        continue;
      }
      const eventProp = `${prop}.hooks.${key}`;
      validateList(scope, eventProp, list, `pass a list, e.g. ${key}: [{ location: "scripts/${key}.sh" }]`);
      if (list.length === 0) {
        continue;
      }
      usesTrafficEvents ||= TRAFFIC_EVENTS.includes(key);
      let total = 0;
      hookLines.push(`  ${name}:`);
      list.forEach((script, i) => {
        const seconds = this.validateScript(scope, `${eventProp}[${i}]`, script, os);
        total += seconds ?? MAX_EVENT_SECONDS;
        scripts.push(script.location);
        hookLines.push(`    - location: ${JSON.stringify(script.location)}`);
        if (seconds !== undefined) {
          hookLines.push(`      timeout: ${seconds}`);
        }
        if (script.runAs !== undefined) {
          hookLines.push(`      runas: ${script.runAs}`);
        }
      });
      if (total > MAX_EVENT_SECONDS) {
        fail(scope, eventProp, `gives its ${list.length} scripts ${total} seconds together (a script without a timeout has 3600), more than the ${MAX_EVENT_SECONDS} seconds CodeDeploy allows the scripts of one lifecycle event`,
          'give each script a timeout so that together they take at most 3600 seconds');
      }
    }
    if (files.length === 0 && scripts.length === 0) {
      fail(scope, prop, 'copies no files and runs no scripts, so a deployment would change nothing on the instances',
        'give files (e.g. [{ source: "/", destination: "/opt/app" }]) or lifecycle hooks, or set repositoryAppSpec: true to use the appspec.yml of your build output');
    }
    this.scripts = scripts;
    this.usesTrafficEvents = usesTrafficEvents;
    this.lines = [
      'version: 0.0',
      `os: ${os}`,
      ...(files.length > 0 ? ['files:', ...files.flatMap((f) => [`  - source: ${JSON.stringify(f.source)}`, `    destination: ${JSON.stringify(f.destination)}`])] : []),
      ...(options.fileExistsBehavior ? [`file_exists_behavior: ${options.fileExistsBehavior}`] : []),
      ...(hookLines.length > 0 ? ['hooks:', ...hookLines] : []),
    ];
  }

  /** Warn when scripts run at traffic events that no environment has (no load balancer). */
  public warnTrafficEventsWithoutLoadBalancer(scope: Construct, anyLoadBalancer: boolean): void {
    if (this.usesTrafficEvents && !anyLoadBalancer) {
      warn(scope, 'ServerTrafficHooksIgnored',
        `${this.prop}.hooks: BeforeBlockTraffic, AfterBlockTraffic, BeforeAllowTraffic and AfterAllowTraffic run only in a deployment group with a load balancer, and no environment has one: those scripts never run`);
    }
  }

  private validateFile(scope: Construct, prop: string, file: AppSpecFile, os: ServerOperatingSystem): void {
    validateOptionsObject(scope, prop, file, 'pass { source, destination }, e.g. { source: "/", destination: "/opt/app" }');
    if (file === undefined) {
      fail(scope, prop, 'is empty', 'remove the empty entry');
    }
    if (typeof file.source !== 'string' || (file.source !== '/' && !Token.isUnresolved(file.source) && (file.source.startsWith('/') || file.source.length === 0))) {
      fail(scope, `${prop}.source`, `must be "/" (the whole bundle) or a path relative to the bundle root, got ${show(file.source)}`, 'give e.g. source: "/" or source: "config/app.conf"');
    }
    if (file.source !== '/') {
      validateRelativePath(scope, `${prop}.source`, file.source);
    }
    const destination = file.destination;
    const absolute = os === ServerOperatingSystem.WINDOWS ? /^[A-Za-z]:[\\/]/ : /^\//;
    if (typeof destination !== 'string' || (!Token.isUnresolved(destination) && !absolute.test(destination))) {
      fail(scope, `${prop}.destination`, `must be an absolute path on a ${os} instance, got ${show(destination)}`,
        os === ServerOperatingSystem.WINDOWS ? 'give e.g. destination: "C:\\\\app"' : 'give e.g. destination: "/opt/app"');
    }
  }

  /** Validates one script; returns its timeout in seconds when one is given. */
  private validateScript(scope: Construct, prop: string, script: LifecycleScript, os: ServerOperatingSystem): number | undefined {
    if (script === null || typeof script !== 'object') {
      fail(scope, prop, `must be a LifecycleScript, got ${show(script)}`, 'pass e.g. { location: "scripts/start.sh", timeout: Duration.minutes(5) }');
    }
    if (typeof script.location !== 'string') {
      fail(scope, `${prop}.location`, `must be the script's path in the bundle, got ${show(script.location)}`, 'give e.g. location: "scripts/start.sh"');
    }
    validateRelativePath(scope, `${prop}.location`, script.location);
    if (script.runAs !== undefined) {
      if (os === ServerOperatingSystem.WINDOWS) {
        fail(scope, `${prop}.runAs`, `is given (${show(script.runAs)}), but CodeDeploy runs scripts as a user of its own choice only on Linux instances`, 'remove runAs for Windows instances');
      }
      if (typeof script.runAs !== 'string' || !LINUX_USER.test(script.runAs)) {
        fail(scope, `${prop}.runAs`, `must be a Linux user name, got ${show(script.runAs)}`, 'give e.g. runAs: "app"');
      }
    }
    validateIsDuration(scope, `${prop}.timeout`, script.timeout);
    if (script.timeout === undefined || script.timeout.isUnresolved()) {
      return undefined;
    }
    const seconds = script.timeout.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EVENT_SECONDS) {
      fail(scope, `${prop}.timeout`, `must be whole seconds from 1 to ${MAX_EVENT_SECONDS} (one hour), got ${show(script.timeout)}`, 'give e.g. timeout: Duration.minutes(5)');
    }
    return seconds;
  }
}
