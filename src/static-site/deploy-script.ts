import { shellQuote } from '../core/shell';

/**
 * Names of the environment variables the deploy script reads. The deploy project sets the
 * environment's configuration, the deploy action the values of each execution. @internal
 */
export const DEPLOY_VARIABLES = {
  siteBucket: 'SITE_BUCKET',
  distributionId: 'DISTRIBUTION_ID',
  releaseBucket: 'RELEASE_BUCKET',
  releasePrefix: 'RELEASE_PREFIX',
  releasesKept: 'RELEASES_KEPT',
  cacheControlHtml: 'CACHE_CONTROL_HTML',
  cacheControlFingerprinted: 'CACHE_CONTROL_FINGERPRINTED',
  cacheControlOther: 'CACHE_CONTROL_OTHER',
  fingerprintedPaths: 'FINGERPRINTED_PATHS',
  checkUrls: 'CHECK_URLS',
  checkExpectedStatus: 'CHECK_EXPECTED_STATUS',
  checkAttempts: 'CHECK_ATTEMPTS',
  checkIntervalSeconds: 'CHECK_INTERVAL_SECONDS',
  checkMaxTimeSeconds: 'CHECK_MAX_TIME_SECONDS',
  invalidationTimeoutSeconds: 'INVALIDATION_TIMEOUT_SECONDS',
  invalidationPollSeconds: 'INVALIDATION_POLL_SECONDS',
  releaseId: 'RELEASE_ID',
  sourceRevision: 'SOURCE_REVISION',
} as const;

/**
 * The deploy step of one environment, as one bash program. It is static: every value comes from
 * an environment variable (`DEPLOY_VARIABLES`), so no user value is ever spliced into shell
 * code. It runs in the directory that holds the built site (the build output artifact).
 *
 * 0. Read the `last-good` pointer: missing means no release passed yet; any other error stops
 *    the step before anything changes (it must not pass for "nothing to roll back to").
 * 1. Archive the release (zip of the site) as `<RELEASE_PREFIX><RELEASE_ID>.zip`.
 * 2. Upload fingerprinted assets, then every other file but HTML, then HTML, each with its
 *    Cache-Control; then delete what the release no longer has (`sync --delete`), except the
 *    fingerprinted files of the release that was live before (the `last-good` one): a visitor
 *    whose browser still runs the previous HTML can load its bundles until the next release.
 * 3. Invalidate the distribution (`/*`) and poll the invalidation (`get-invalidation`) until it
 *    completes, at most INVALIDATION_TIMEOUT_SECONDS. A slow invalidation is not a failed
 *    release: the files are in the bucket and CloudFront finishes the invalidation on its own,
 *    so the step logs a WARNING and goes on (no rollback). The CLI's `wait invalidation-completed`
 *    gives up after 30 × 20 s, which made a slow invalidation roll a good release back.
 * 4. GET every check URL over HTTPS until it answers the expected status (or attempts run out).
 * 5. Success: the pointer `<RELEASE_PREFIX>last-good` names this release; old archives are pruned.
 *    Any failure from 2 on: the release the pointer names is downloaded and uploaded the same
 *    way, the distribution invalidated again, the check run again for the log, and the step
 *    fails so the pipeline stops red.
 *
 * @internal
 */
export const DEPLOY_SCRIPT = `set -euo pipefail
# Deploys the static site in the current directory (see cdk-delivery-pipelines StaticSitePipeline).
# Tools: bash, the AWS CLI, python3 (archives: the CodeBuild Lambda compute images have no zip), curl.
SITE_DIR="$PWD"
WORK="$(mktemp -d)"
: "\${SITE_BUCKET:?}" "\${RELEASE_BUCKET:?}" "\${RELEASE_PREFIX:?}" "\${RELEASE_ID:?}"
RELEASE_KEY="\${RELEASE_PREFIX}\${RELEASE_ID}.zip"
POINTER_KEY="\${RELEASE_PREFIX}last-good"
DEPLOYING=0

log() { printf '[deploy-site] %s\\n' "$*"; }

# Upload one release directory: fingerprinted assets first, then every other file but HTML,
# HTML last, so no page goes live before the files it references; then delete what the
# release no longer has (sizes match after the uploads, so --size-only uploads nothing), except
# the files listed in the optional keep file.
upload() {
  local dir="$1" keep="\${2:-}" pattern file
  local fingerprinted=() others=() kept=()
  while IFS= read -r pattern; do
    [ -n "$pattern" ] || continue
    fingerprinted+=(--include "$pattern")
    others+=(--exclude "$pattern")
  done <<< "\${FINGERPRINTED_PATHS:-}"
  if [ "\${#fingerprinted[@]}" -gt 0 ]; then
    log "1/4 fingerprinted assets, Cache-Control: $CACHE_CONTROL_FINGERPRINTED"
    aws s3 cp "$dir" "s3://$SITE_BUCKET/" --recursive --only-show-errors --exclude '*' "\${fingerprinted[@]}" --exclude '*.html' \\
      --cache-control "$CACHE_CONTROL_FINGERPRINTED" || return 1
  fi
  log "2/4 other files, Cache-Control: $CACHE_CONTROL_OTHER"
  aws s3 cp "$dir" "s3://$SITE_BUCKET/" --recursive --only-show-errors "\${others[@]}" --exclude '*.html' \\
    --cache-control "$CACHE_CONTROL_OTHER" || return 1
  log "3/4 HTML, Cache-Control: $CACHE_CONTROL_HTML"
  aws s3 cp "$dir" "s3://$SITE_BUCKET/" --recursive --only-show-errors --exclude '*' --include '*.html' \\
    --cache-control "$CACHE_CONTROL_HTML" || return 1
  if [ -n "$keep" ] && [ -s "$keep" ]; then
    while IFS= read -r file; do
      [ -n "$file" ] && kept+=(--exclude "$file")
    done < "$keep"
    log "4/4 deleting files this release no longer has, except the previous release's $(( \${#kept[@]} / 2 )) fingerprinted files"
  else
    log "4/4 deleting files this release no longer has"
  fi
  aws s3 sync "$dir" "s3://$SITE_BUCKET/" --delete --size-only --only-show-errors "\${kept[@]}" || return 1
}

# Download an archived release and unpack it into a directory.
fetch_release() {
  local key="$1" dir="$2"
  mkdir -p "$dir"
  aws s3 cp "s3://$RELEASE_BUCKET/$key" "$dir.zip" --only-show-errors || return 1
  python3 -m zipfile -e "$dir.zip" "$dir" || return 1
}

# The fingerprinted files (HTML excepted) of an archived release, one path per line.
release_assets() {
  local key="$1" dir="$WORK/live" file pattern
  fetch_release "$key" "$dir" || return 1
  (cd "$dir" && find . -type f | sed 's|^\./||' | sort) | while IFS= read -r file; do
    [[ "$file" == *.html ]] && continue
    while IFS= read -r pattern; do
      # Unquoted on purpose: a glob, where * also matches /, as in the aws CLI's filters.
      if [ -n "$pattern" ] && [[ "$file" == $pattern ]]; then
        printf '%s\n' "$file"
        break
      fi
    done <<< "\${FINGERPRINTED_PATHS:-}"
  done
}

invalidate() {
  if [ -z "\${DISTRIBUTION_ID:-}" ]; then
    log "no distribution to invalidate"
    return 0
  fi
  local id
  id="$(aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" --paths '/*' --query Invalidation.Id --output text)" || return 1
  local timeout="\${INVALIDATION_TIMEOUT_SECONDS:-900}" poll="\${INVALIDATION_POLL_SECONDS:-20}" status deadline
  deadline=$(( SECONDS + timeout ))
  log "invalidating distribution $DISTRIBUTION_ID ($id), waiting up to $timeout s for it to complete"
  while true; do
    status="$(aws cloudfront get-invalidation --distribution-id "$DISTRIBUTION_ID" --id "$id" --query Invalidation.Status --output text)" || return 1
    if [ "$status" = "Completed" ]; then
      log "invalidation $id completed"
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "WARNING: invalidation $id is still $status after $timeout s; the files are uploaded and CloudFront completes it on its own (edge caches may serve the previous files until then): not rolling back"
      return 0
    fi
    sleep "$poll"
  done
}

check() {
  if [ -z "\${CHECK_URLS:-}" ]; then
    log "no post-deploy check"
    return 0
  fi
  local url status attempt failed=0
  while IFS= read -r url; do
    [ -n "$url" ] || continue
    status=""
    for attempt in $(seq 1 "$CHECK_ATTEMPTS"); do
      status="$(curl --silent --output /dev/null --write-out '%{http_code}' --proto '=https' --max-time "\${CHECK_MAX_TIME_SECONDS:-30}" "$url" || true)"
      if [ "$status" = "$CHECK_EXPECTED_STATUS" ]; then break; fi
      if [ "$attempt" -lt "$CHECK_ATTEMPTS" ]; then sleep "$CHECK_INTERVAL_SECONDS"; fi
    done
    if [ "$status" = "$CHECK_EXPECTED_STATUS" ]; then
      log "check passed: GET $url answered $status"
    else
      log "check FAILED: GET $url answered \${status:-nothing}, expected $CHECK_EXPECTED_STATUS"
      failed=1
    fi
  done <<< "$CHECK_URLS"
  return "$failed"
}

# The release the pointer names; nothing when there is no pointer yet (no release passed its
# check in this environment). Any other error (access, KMS) fails with the AWS message: it must
# not pass for "no earlier release". Listing first tells the two apart: the role may list only
# this environment's prefix, so S3 answers a read of a missing key with 403, not 404.
read_pointer() {
  local found
  found="$(aws s3api list-objects-v2 --bucket "$RELEASE_BUCKET" --prefix "$POINTER_KEY" \\
    --query "Contents[?Key=='$POINTER_KEY'].Key" --output text)" || return 1
  if [ -z "$found" ] || [ "$found" = "None" ]; then
    return 0
  fi
  aws s3 cp "s3://$RELEASE_BUCKET/$POINTER_KEY" - || return 1
}

rollback() {
  local previous
  if ! previous="$(read_pointer)"; then
    log "ROLLBACK impossible: could not read s3://$RELEASE_BUCKET/$POINTER_KEY (see the error above)"
    return 1
  fi
  if [ -z "$previous" ]; then
    log "ROLLBACK impossible: no earlier release passed its check in this environment (no s3://$RELEASE_BUCKET/$POINTER_KEY)"
    return 1
  fi
  log "ROLLBACK: restoring s3://$RELEASE_BUCKET/$previous"
  fetch_release "$previous" "$WORK/previous" || return 1
  upload "$WORK/previous" || return 1
  invalidate || return 1
  if check; then
    log "ROLLBACK done: $previous is live again"
  else
    log "ROLLBACK done, but the restored release $previous fails the check too"
  fi
}

prune() {
  local keys key drop
  keys="$(aws s3api list-objects-v2 --bucket "$RELEASE_BUCKET" --prefix "$RELEASE_PREFIX" \\
    --query 'sort_by(Contents[?ends_with(Key, \`.zip\`)], &LastModified)[].Key' --output text)" || return 1
  [ -n "$keys" ] && [ "$keys" != "None" ] || return 0
  drop=$(( $(printf '%s\\n' $keys | wc -l) - RELEASES_KEPT ))
  [ "$drop" -gt 0 ] || return 0
  for key in $(printf '%s\\n' $keys | head -n "$drop"); do
    if [ "$key" != "$RELEASE_KEY" ]; then
      aws s3 rm "s3://$RELEASE_BUCKET/$key" --only-show-errors || return 1
    fi
  done
}

on_exit() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ] && [ "$DEPLOYING" = 1 ]; then
    DEPLOYING=0
    log "release $RELEASE_ID failed (exit status $status): rolling back"
    rollback || log "ROLLBACK FAILED: the site may be partly updated; restore it by hand from s3://$RELEASE_BUCKET/$RELEASE_PREFIX"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap on_exit EXIT

if [ -z "$(ls -A "$SITE_DIR")" ]; then
  log "the build output is empty: refusing to deploy (the sync would delete the whole site)"
  exit 1
fi
# Keep the live release's bundles for one more release (deleted by the next one).
KEEP="$WORK/keep"
: > "$KEEP"
if ! LIVE="$(read_pointer)"; then
  log "could not read the last good release s3://$RELEASE_BUCKET/$POINTER_KEY (see the error above): refusing to deploy without a rollback target"
  exit 1
fi
if [ -n "$LIVE" ] && ! release_assets "$LIVE" > "$KEEP"; then
  log "could not read the live release $LIVE: its fingerprinted files are not kept"
  : > "$KEEP"
fi
log "archiving release $RELEASE_ID as s3://$RELEASE_BUCKET/$RELEASE_KEY"
(cd "$SITE_DIR" && python3 -m zipfile -c "$WORK/release.zip" .)
aws s3 cp "$WORK/release.zip" "s3://$RELEASE_BUCKET/$RELEASE_KEY" --only-show-errors --metadata "source-revision=\${SOURCE_REVISION:-unknown}"
DEPLOYING=1
upload "$SITE_DIR" "$KEEP"
invalidate
if ! check; then
  log "post-deploy check failed"
  exit 1
fi
DEPLOYING=0
printf '%s' "$RELEASE_KEY" | aws s3 cp - "s3://$RELEASE_BUCKET/$POINTER_KEY" --only-show-errors
log "release $RELEASE_ID is live and recorded as the last good release"
prune || log "pruning old release archives failed (ignored)"
`;

/** The buildspec command that runs the deploy script in its own bash process. @internal */
export function deployCommand(): string {
  return `bash -c ${shellQuote(DEPLOY_SCRIPT)} deploy-site`;
}
