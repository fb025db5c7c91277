import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { IConstruct } from 'constructs';
import { fail, show, validateRange, validateRequired, warn } from '../core/validation';

/**
 * What the deploy step checks once the new release is live (and the distribution invalidated).
 * When any URL does not answer the expected status, the previous release is put back and the
 * pipeline stops.
 */
export interface PostDeployCheckOptions {
  /**
   * HTTPS URLs to GET, e.g. `['https://staging.example.com/', 'https://staging.example.com/app/settings']`
   * or a `StaticSiteHosting`'s `url`. Redirects are not followed. At most 20. Behind a
   * single-page-app fallback (`singlePageApp: true`: 403/404 answer 200 `/index.html`) every
   * path answers 200 while `index.html` exists, so a missing page or asset goes unnoticed
   * (warning `PostDeployCheckBlindToMissingPages`).
   */
  readonly urls: string[];
  /**
   * The HTTP status every URL must answer.
   *
   * @default 200
   */
  readonly expectedStatus?: number;
  /**
   * How many times each URL is tried (10 seconds apart) before the check fails: a fresh
   * invalidation may take a moment to reach every edge location. Between 1 and 10.
   *
   * @default 3
   */
  readonly attempts?: number;
}

/** Defaults and limits of the check (private). @internal */
export const CHECK_DEFAULTS = {
  expectedStatus: 200,
  attempts: 3,
  attemptsMax: 10,
  intervalSeconds: 10,
  urlsMax: 20,
} as const;

/** The check with its defaults applied. @internal */
export interface ResolvedPostDeployCheck {
  readonly urls: string[];
  readonly expectedStatus: number;
  readonly attempts: number;
}

/** Validate a post-deploy check and apply its defaults; throws the library's error. @internal */
export function resolvePostDeployCheck(
  scope: IConstruct,
  prop: string,
  check: PostDeployCheckOptions | undefined,
): ResolvedPostDeployCheck | undefined {
  if (check === undefined || check === null) {
    return undefined;
  }
  if (typeof check !== 'object' || Array.isArray(check)) {
    fail(scope, prop, `must be an object with the URLs to check, got ${show(check)}`, 'pass e.g. { urls: ["https://staging.example.com/"] }');
  }
  const urls = validateRequired(scope, `${prop}.urls`, check.urls, 'give the HTTPS URLs to check, e.g. urls: ["https://staging.example.com/"]');
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > CHECK_DEFAULTS.urlsMax) {
    fail(scope, `${prop}.urls`, `must hold 1 to ${CHECK_DEFAULTS.urlsMax} URLs, got ${Array.isArray(urls) ? `${urls.length}` : show(urls)}`,
      'give the HTTPS URLs to check, e.g. urls: ["https://staging.example.com/"], or leave postDeployCheck out');
  }
  urls.forEach((url, i) => validateHttpsUrl(scope, `${prop}.urls[${i}]`, url));
  validateRange(scope, `${prop}.expectedStatus`, check.expectedStatus, 100, 599);
  validateRange(scope, `${prop}.attempts`, check.attempts, 1, CHECK_DEFAULTS.attemptsMax);
  return {
    urls,
    expectedStatus: check.expectedStatus ?? CHECK_DEFAULTS.expectedStatus,
    attempts: check.attempts ?? CHECK_DEFAULTS.attempts,
  };
}

/**
 * A distribution that answers 403/404 with a 200 page (`singlePageApp`, or the same custom error
 * responses on a distribution of the app) answers 200 for any path while `index.html` exists:
 * a check that expects 200 cannot see a missing page or asset. Warn, so nobody relies on it. @internal
 */
export function warnIfMissingPagesAnswer200(scope: IConstruct, prop: string, check: PostDeployCheckOptions | undefined,
  distribution: cloudfront.IDistribution | undefined): void {
  const expected = check?.expectedStatus ?? CHECK_DEFAULTS.expectedStatus;
  const cfn = distribution?.node.defaultChild;
  if (!check || expected !== 200 || !(cfn instanceof cloudfront.CfnDistribution)) {
    return;
  }
  const config = Stack.of(cfn).resolve(cfn.distributionConfig) ?? {};
  const rewritten = ((config.customErrorResponses ?? []) as Array<{ errorCode?: unknown; responseCode?: unknown }>)
    .filter((r) => [403, 404].includes(Number(r.errorCode)) && Number(r.responseCode) === 200)
    .map((r) => Number(r.errorCode));
  if (rewritten.length > 0) {
    warn(scope, 'PostDeployCheckBlindToMissingPages',
      `${prop}: the distribution answers ${rewritten.join(' and ')} with status 200 (singlePageApp or custom error responses), so every URL answers 200 while ` +
      'index.html exists: the check detects an unreachable distribution or a missing index.html, not a missing page or asset. Check a URL ' +
      'whose status the fallback cannot hide (e.g. an API health endpoint behind the same distribution), or acknowledge this warning');
  }
}

/**
 * An `https://` URL. A URL with tokens (e.g. `https://${distribution.distributionDomainName}/`)
 * is judged by its literal beginning; one that starts with a token is not judged.
 */
function validateHttpsUrl(scope: IConstruct, prop: string, url: string): void {
  const fix = 'give an https:// URL, e.g. "https://staging.example.com/" (the check runs over HTTPS only)';
  if (typeof url !== 'string') {
    fail(scope, prop, `must be an https:// URL, got ${show(url)}`, fix);
  }
  if (Token.isUnresolved(url)) {
    const first = Tokenization.reverseString(url).firstValue;
    const prefix = typeof first === 'string' ? first : '';
    const looksHttps = prefix.length >= 'https://'.length ? prefix.toLowerCase().startsWith('https://') : 'https://'.startsWith(prefix.toLowerCase());
    if (prefix.length > 0 && !looksHttps) {
      fail(scope, prop, `must be an https:// URL, got one that starts with ${show(prefix)}`, fix);
    }
    if (/\s/.test(prefix)) {
      fail(scope, prop, `must not contain white space, got one that starts with ${show(prefix)}`, fix);
    }
    return;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== 'https:' || parsed.hostname.length === 0 || /\s/.test(url)) {
    fail(scope, prop, `must be an https:// URL, got ${show(url)}`, fix);
  }
}
