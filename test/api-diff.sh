#!/usr/bin/env bash
# Breaking-change check: jsii-diff between the jsii assembly of an earlier revision and the
# current one. The base is the last release (the newest `v<semver>` tag reachable from HEAD),
# built from git; before the first release, the last commit before the issue-13 API consolidation.
#
#   npx projen api:diff [REV]        list the breaking changes against REV (default: as above)
#   npx projen api:diff --release    the release check (the last step of `npx projen release`):
#                                    fail when the API breaks and no commit since the last release
#                                    says so (`feat!:`, `fix!:` or a `BREAKING CHANGE:` footer),
#                                    so the version bump and the changelog always tell users
set -euo pipefail
cd "$(dirname "$0")/.."
mode=list
base_rev=""
for arg in "$@"; do
  case "$arg" in
    --release) mode=release ;;
    *) base_rev="$arg" ;;
  esac
done
last_release="$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null || true)"
if [ -z "$base_rev" ]; then
  if [ -n "$last_release" ]; then
    base_rev="$last_release"
  elif [ "$mode" = release ]; then
    echo "api:diff: no earlier release (no v* tag): the first release has nothing to break"
    exit 0
  else
    base_rev=943e850
    echo "api:diff: no release yet; comparing with $base_rev (before the issue-13 consolidation)"
  fi
fi
echo "api:diff: base $base_rev ($(git rev-parse --short "$base_rev"))"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base_rev" >/dev/null
(cd "$work/base" && npm ci --no-audit --no-fund >/dev/null && npx jsii --silence-warnings=reserved-word >/dev/null)
[ -f .jsii ] || npx projen compile >/dev/null
# jsii-diff exits non-zero when it finds breaking changes (`err`; `warn` for this experimental API,
# counted too); its `!!` lines are the Node banner.
report="$(npx jsii-diff "$work/base" . --keys 2>&1 | grep -v '^!!' || true)"
printf '%s\n' "$report"
breaking="$(printf '%s\n' "$report" | grep -cE '^(err|warn) - ' || true)"
echo "api:diff: $breaking breaking change(s) against $base_rev"
if [ "$mode" = release ] && [ "$breaking" -gt 0 ]; then
  # Read the whole log first: under pipefail, `git log | grep -q` fails when grep stops early and
  # git log dies of SIGPIPE, which would hide a declared break.
  messages="$(git log --format='%B%n--' "$base_rev..HEAD")"
  if printf '%s\n' "$messages" | grep -E '^[a-z]+(\([^)]*\))?!:|^BREAKING[ -]CHANGE:' >/dev/null; then
    echo "api:diff: a commit since $base_rev declares a breaking change: the bump and the changelog say so"
  else
    echo "api:diff: the API breaks, but no commit since $base_rev says so (feat!: / fix!: / BREAKING CHANGE:); declare it, or keep the API" >&2
    exit 1
  fi
fi
