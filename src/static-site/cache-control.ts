import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail, show, warn } from '../core/validation';

/**
 * The `Cache-Control` headers the deploy step gives the site's files. Files fall in three
 * groups: HTML (`*.html`), fingerprinted assets (`fingerprintedPaths`, whose names change
 * whenever their content does) and every other file. The defaults suit single-page apps built
 * with Vite, Create React App or Next.js static export.
 */
export interface CacheControlOptions {
  /**
   * `Cache-Control` of HTML files (`*.html`, wherever they are). Browsers and CloudFront must
   * ask again on every visit, so a new release is seen at once.
   *
   * @default 'no-cache, must-revalidate'
   */
  readonly html?: string;
  /**
   * `Cache-Control` of the files `fingerprintedPaths` match (HTML excepted): cached for a year and
   * never revalidated, which is right only because a changed file gets a new name.
   *
   * @default 'public, max-age=31536000, immutable'
   */
  readonly fingerprintedAssets?: string;
  /**
   * Paths of fingerprinted files, as `aws s3` filter patterns relative to the site root (`*`
   * matches across `/`). Only list directories your bundler fills with content-hashed names:
   * an unhashed file cached as immutable stays stale in browsers for a year (e.g. Angular's
   * `assets/` folder is copied unhashed; Vite copies `public/` unhashed to the root). Pass an
   * empty list to treat no file as fingerprinted.
   *
   * A deploy keeps the matching files of the release that was live before it for one more
   * release (the next deploy deletes them), so a browser still running the previous HTML can
   * load its bundles; every other file the new release no longer has is deleted at once.
   *
   * @default ['assets/*', 'static/js/*', 'static/css/*', 'static/media/*', '_next/static/*'] (Vite, Create React App, Next.js)
   */
  readonly fingerprintedPaths?: string[];
  /**
   * `Cache-Control` of every other file (images and scripts with fixed names, `favicon.ico`,
   * `robots.txt`, a service worker, ...): cacheable, but revalidated on every use, so a
   * changed file is seen at once.
   *
   * @default 'public, max-age=0, must-revalidate'
   */
  readonly otherFiles?: string;
}

/** The defaults (private: users change them through `CacheControlOptions`). @internal */
export const CACHE_CONTROL_DEFAULTS = {
  html: 'no-cache, must-revalidate',
  fingerprintedAssets: 'public, max-age=31536000, immutable',
  fingerprintedPaths: ['assets/*', 'static/js/*', 'static/css/*', 'static/media/*', '_next/static/*'],
  otherFiles: 'public, max-age=0, must-revalidate',
} as const;

/** Cache-Control options with every default applied. @internal */
export interface ResolvedCacheControl {
  readonly html: string;
  readonly fingerprintedAssets: string;
  readonly fingerprintedPaths: string[];
  readonly otherFiles: string;
}

/** Response directives of RFC 9111 (5.2.2), RFC 8246 (immutable) and RFC 5861 (stale-*). */
const SECONDS_DIRECTIVES = ['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error'];
const FLAG_DIRECTIVES = ['must-revalidate', 'proxy-revalidate', 'must-understand', 'no-store', 'no-transform', 'public', 'immutable'];
/** May stand alone or name header fields: `no-cache="Set-Cookie"`. */
const FIELD_LIST_DIRECTIVES = ['no-cache', 'private'];

/** Validate the options and apply the defaults; throws the library's error. @internal */
export function resolveCacheControl(scope: IConstruct, prop: string, options: CacheControlOptions | undefined): ResolvedCacheControl {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    fail(scope, prop, `must be an object of Cache-Control values, got ${show(options)}`, `pass e.g. { html: "${CACHE_CONTROL_DEFAULTS.html}" }`);
  }
  const given = options ?? {};
  validateCacheControlValue(scope, `${prop}.html`, given.html);
  validateCacheControlValue(scope, `${prop}.fingerprintedAssets`, given.fingerprintedAssets);
  validateCacheControlValue(scope, `${prop}.otherFiles`, given.otherFiles);
  const paths = given.fingerprintedPaths ?? [...CACHE_CONTROL_DEFAULTS.fingerprintedPaths];
  if (!Array.isArray(paths)) {
    fail(scope, `${prop}.fingerprintedPaths`, `must be a list of path patterns, got ${show(paths)}`, 'pass e.g. ["assets/*"], or [] for none');
  }
  paths.forEach((pattern, i) => validateFilterPattern(scope, `${prop}.fingerprintedPaths[${i}]`, pattern));
  if (paths.length === 0 && given.fingerprintedAssets !== undefined) {
    warn(scope, 'FingerprintedCacheControlIgnored',
      `${prop}.fingerprintedAssets (${show(given.fingerprintedAssets)}) is ignored because ${prop}.fingerprintedPaths is empty: no file is treated as fingerprinted`);
  }
  return {
    html: given.html ?? CACHE_CONTROL_DEFAULTS.html,
    fingerprintedAssets: given.fingerprintedAssets ?? CACHE_CONTROL_DEFAULTS.fingerprintedAssets,
    fingerprintedPaths: paths,
    otherFiles: given.otherFiles ?? CACHE_CONTROL_DEFAULTS.otherFiles,
  };
}

/**
 * A `Cache-Control` response header value: comma-separated known directives, seconds where a
 * directive takes them, nothing contradictory. Tokens are not judged. @internal
 */
export function validateCacheControlValue(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const example = 'e.g. "public, max-age=31536000, immutable" or "no-cache, must-revalidate"';
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(scope, prop, `must be a Cache-Control header value, got ${show(value)}`, `give comma-separated directives, ${example}`);
  }
  if (/[\x00-\x1f\x7f]/.test(value) || value.length > 1024) {
    fail(scope, prop, `is not a valid Cache-Control header value (control characters or longer than 1024 characters), got ${show(value)}`,
      `give comma-separated directives on one line, ${example}`);
  }
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const directive = raw.trim();
    const match = /^([A-Za-z0-9_-]+)(?:=(.*))?$/.exec(directive);
    if (!match) {
      fail(scope, prop, `has a malformed Cache-Control directive ${show(directive)} in ${show(value)}`,
        `separate directives with commas and write each as name or name=value, ${example}`);
    }
    const name = match[1].toLowerCase();
    const argument = match[2];
    if (SECONDS_DIRECTIVES.includes(name)) {
      if (argument === undefined || !/^\d{1,10}$/.test(argument)) {
        fail(scope, prop, `has ${show(directive)} in ${show(value)}, but ${name} takes a whole number of seconds`, `write e.g. ${name}=3600`);
      }
    } else if (FLAG_DIRECTIVES.includes(name)) {
      if (argument !== undefined) {
        fail(scope, prop, `has ${show(directive)} in ${show(value)}, but ${name} takes no value`, `write just ${name}`);
      }
    } else if (FIELD_LIST_DIRECTIVES.includes(name)) {
      if (argument !== undefined && !/^"[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*"$/.test(argument)) {
        fail(scope, prop, `has ${show(directive)} in ${show(value)}, but ${name} takes no value or a quoted list of header names`, `write just ${name}`);
      }
    } else {
      fail(scope, prop, `has the unknown Cache-Control directive ${show(match[1])} in ${show(value)}`,
        `use the response directives ${[...SECONDS_DIRECTIVES, ...FLAG_DIRECTIVES, ...FIELD_LIST_DIRECTIVES].join(', ')}`);
    }
    if (seen.has(name)) {
      fail(scope, prop, `gives ${name} twice in ${show(value)}`, 'give each directive once');
    }
    seen.add(name);
  }
  for (const [a, b] of [['public', 'private'], ['no-store', 'immutable']]) {
    if (seen.has(a) && seen.has(b)) {
      fail(scope, prop, `combines ${a} with ${b} in ${show(value)}, which contradict each other`, `keep one of ${a} and ${b}`);
    }
  }
}

/** An `aws s3` filter pattern relative to the site root. */
function validateFilterPattern(scope: IConstruct, prop: string, pattern: string): void {
  if (typeof pattern === 'string' && Token.isUnresolved(pattern)) {
    return;
  }
  if (typeof pattern !== 'string' || pattern.trim().length === 0 || /[\x00-\x1f\x7f]/.test(pattern) ||
    pattern.startsWith('/') || pattern.split('/').includes('..')) {
    fail(scope, prop, `must be a path pattern relative to the site root, got ${show(pattern)}`, 'give e.g. "assets/*" (no leading "/", no "..")');
  }
}
