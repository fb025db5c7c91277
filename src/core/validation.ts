import { Annotations, Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeliveryPipelineError } from './errors';

/** Prefix of every warning id the library emits, so users can acknowledge them by name. */
export const WARNING_PREFIX = 'cdk-delivery-pipelines';

/** Throw the library's error. */
export function fail(scope: IConstruct, prop: string, problem: string, fix: string): never {
  throw new DeliveryPipelineError(scope, prop, problem, fix);
}

/** Warn through Annotations with a stable id (acknowledgeable with `Annotations.acknowledgeWarning`). */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`${WARNING_PREFIX}:${id}`, message);
}

/** Render a value for an error message without exposing token internals. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value instanceof Duration) {
    return value.toHumanString();
  }
  return String(value);
}

/** An integer between min and max inclusive; tokens are not judged. */
export function validateRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, prop, `must be a whole number between ${min} and ${max}, got ${show(value)}`, `set ${prop} to a value from ${min} to ${max}`);
  }
}

/** Whether a value is a Duration (duck-typed: a second copy of aws-cdk-lib has its own class). */
function isDuration(value: unknown): value is Duration {
  const d = value as Partial<Duration> | null | undefined;
  return d !== null && typeof d === 'object' && typeof d.toSeconds === 'function' && typeof d.isUnresolved === 'function' && typeof d.toHumanString === 'function';
}

/** A Duration, not a number or a string (callers in JavaScript or through jsii can pass anything). */
export function validateIsDuration(scope: IConstruct, prop: string, value: unknown): void {
  if (value !== undefined && !isDuration(value)) {
    fail(scope, prop, `must be a Duration, got ${show(value)}`, `pass a Duration, e.g. ${prop.split('.').pop()}: Duration.minutes(30)`);
  }
}

/** A duration between min and max inclusive (in whole minutes unless `unit` is given); tokens are not judged. */
export function validateDuration(
  scope: IConstruct,
  prop: string,
  value: Duration | undefined,
  min: Duration,
  max: Duration,
): void {
  validateIsDuration(scope, prop, value);
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  const seconds = value.toSeconds();
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    fail(
      scope,
      prop,
      `must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`,
      `set ${prop} to a duration in that range`,
    );
  }
}

/** A duration that CodeBuild and CodePipeline can express: whole minutes. */
export function validateWholeMinutes(scope: IConstruct, prop: string, value: Duration | undefined): void {
  validateIsDuration(scope, prop, value);
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  if (!Number.isInteger(value.toMinutes({ integral: false }))) {
    fail(scope, prop, `must be a whole number of minutes, got ${value.toHumanString()}`, 'use Duration.minutes(n); the service counts in minutes');
  }
}

/** A duration that S3/ECR lifecycle rules can express: whole days. */
export function validateWholeDays(scope: IConstruct, prop: string, value: Duration | undefined): void {
  validateIsDuration(scope, prop, value);
  if (value === undefined || value.isUnresolved()) {
    return;
  }
  if (!Number.isInteger(value.toDays({ integral: false }))) {
    fail(scope, prop, `must be a whole number of days, got ${value.toHumanString()}`, 'use Duration.days(n); lifecycle rules count in days');
  }
}

/** A list that must hold at least one element. */
export function validateNotEmpty(scope: IConstruct, prop: string, value: readonly unknown[] | undefined, fix: string): void {
  if (value === undefined || value === null || !Array.isArray(value) || value.length === 0) {
    fail(scope, prop, `must not be empty, got ${value === undefined ? 'undefined' : JSON.stringify(value)}`, fix);
  }
}

/** A required value (guards callers from Python/Java, where the type system does not). */
export function validateRequired<T>(scope: IConstruct, prop: string, value: T | undefined | null, fix: string): T {
  if (value === undefined || value === null) {
    fail(scope, prop, 'is required but was not given', fix);
  }
  return value;
}

/** Names that must be unique within a list (case-sensitive, like CodePipeline stage names). */
export function validateUnique(scope: IConstruct, prop: string, names: string[], fix: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (Token.isUnresolved(name)) {
      continue;
    }
    if (seen.has(name)) {
      fail(scope, prop, `must be unique, got ${show(name)} twice`, fix);
    }
    seen.add(name);
  }
}

/** CodePipeline stage and action names: 1-100 of [A-Za-z0-9.@_-]. */
export function validatePipelineName(scope: IConstruct, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (typeof name !== 'string' || !/^[A-Za-z0-9.@_-]{1,100}$/.test(name)) {
    fail(scope, prop, `must be 1-100 characters of A-Z, a-z, 0-9, '.', '@', '_' or '-', got ${show(name)}`, 'rename it, e.g. "Staging"');
  }
}

/** A git branch name as git check-ref-format accepts it. */
export function validateBranchName(scope: IConstruct, prop: string, branch: string | undefined): void {
  if (branch === undefined || Token.isUnresolved(branch)) {
    return;
  }
  const bad =
    typeof branch !== 'string' ||
    branch.length === 0 ||
    branch.length > 255 ||
    /[\s~^:?*[\\\x00-\x1f\x7f]/.test(branch) ||
    branch.includes('..') ||
    branch.includes('@{') ||
    branch.includes('//') ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch === '@';
  if (bad) {
    fail(scope, prop, `is not a valid git branch name, got ${show(branch)}`, 'use a branch name such as "main" or "release/1.x"');
  }
  // A full ref is a valid ref name but not a branch name: CodePipeline would watch the branch
  // "refs/heads/main" (refs/heads/refs/heads/main), which never gets a push.
  const ref = /^refs\/(heads\/)?(.*)$/.exec(branch);
  if (ref) {
    fail(scope, prop, `must be a branch name, not a git ref, got ${show(branch)}`,
      `drop the "refs/${ref[1] ?? ''}" prefix, e.g. ${show(ref[1] ? ref[2] : 'main')}`);
  }
}

/** A list of shell commands: strings, none empty. */
export function validateCommands(scope: IConstruct, prop: string, commands: string[] | undefined): void {
  if (commands === undefined) {
    return;
  }
  if (!Array.isArray(commands)) {
    fail(scope, prop, `must be a list of shell commands, got ${show(commands)}`, 'pass e.g. ["npm ci", "npm test"]');
  }
  commands.forEach((command, i) => {
    if (typeof command !== 'string' || (!Token.isUnresolved(command) && command.trim().length === 0)) {
      fail(scope, `${prop}[${i}]`, `must be a non-empty shell command, got ${show(command)}`, 'remove the entry or give the command');
    }
  });
}

/** A relative path inside the source checkout (no absolute paths, no `..` escaping the source). */
export function validateRelativePath(scope: IConstruct, prop: string, path: string | undefined): void {
  if (path === undefined || Token.isUnresolved(path)) {
    return;
  }
  const parts = typeof path === 'string' ? path.split('/') : [];
  let depth = 0;
  let escapes = false;
  for (const part of parts) {
    if (part === '..') {
      depth -= 1;
    } else if (part !== '.' && part !== '') {
      depth += 1;
    }
    if (depth < 0) {
      escapes = true;
    }
  }
  if (typeof path !== 'string' || path.length === 0 || path.startsWith('/') || /^[A-Za-z]:/.test(path) || escapes) {
    fail(scope, prop, `must be a relative path inside the source, got ${show(path)}`, 'give a path relative to the repository root, e.g. "app/Dockerfile"');
  }
}

/** A list (not a single string or a map), when given. */
export function validateList(scope: IConstruct, prop: string, value: unknown, fix: string): void {
  if (value !== undefined && !Array.isArray(value)) {
    fail(scope, prop, `must be a list, got ${show(value)}`, fix);
  }
}

/** A list of non-empty strings, when given (paths, patterns). */
export function validateStringList(scope: IConstruct, prop: string, value: unknown, fix: string): void {
  validateList(scope, prop, value, fix);
  ((value as unknown[] | undefined) ?? []).forEach((item, i) => {
    if (typeof item !== 'string' || (!Token.isUnresolved(item) && item.trim().length === 0)) {
      fail(scope, `${prop}[${i}]`, `must be a non-empty string, got ${show(item)}`, fix);
    }
  });
}

/** A map of names to strings (not a list or a single string), when given. */
export function validateStringMap(scope: IConstruct, prop: string, value: unknown, fix: string): void {
  if (value === undefined) {
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Token.isUnresolved(value)) {
    fail(scope, prop, `must be a map of names to values, got ${show(value)}`, fix);
  }
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string') {
      fail(scope, `${prop}.${name}`, `must be a string, got ${show(item)}`, 'pass the value as a string');
    }
  }
}

/** An options object (not a string or a list), when given. */
export function validateOptionsObject(scope: IConstruct, prop: string, value: unknown, fix: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    fail(scope, prop, `must be an options object, got ${show(value)}`, fix);
  }
}

/** A boolean (not "yes" or "false"), when given. */
export function validateBoolean(scope: IConstruct, prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(scope, prop, `must be true or false, got ${show(value)}`, `pass ${prop.split('.').pop()}: true or false`);
  }
}

/** One of the values of an enum, when given; tokens are not judged. */
export function validateOneOf(scope: IConstruct, prop: string, value: unknown, allowed: readonly unknown[], fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!allowed.includes(value)) {
    fail(scope, prop, `must be one of ${allowed.map(show).join(', ')}, got ${show(value)}`, fix);
  }
}

/**
 * An object that has the given members, when given: a construct interface (`sns.ITopic`,
 * `ecr.IRepository`) passed as a name or an ARN string by a caller without type checks.
 */
export function validateShape(scope: IConstruct, prop: string, value: unknown, members: string[], what: string, fix: string): void {
  if (value === undefined) {
    return;
  }
  const obj = value as Record<string, unknown> | null;
  if (obj === null || typeof obj !== 'object' || members.some((m) => obj[m] === undefined)) {
    fail(scope, prop, `must be ${what}, got ${show(value)}`, fix);
  }
}
