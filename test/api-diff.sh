#!/usr/bin/env bash
# Breaking-change check: jsii-diff between the jsii assembly of a git revision (default: the
# last commit before the issue-13 API consolidation) and the current one. Until the first
# release there is no published assembly to compare with, so the base is built from git.
# Usage: npx projen api:diff [REV]
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev="${1:-943e850}"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base_rev" >/dev/null
(cd "$work/base" && npm ci --no-audit --no-fund >/dev/null && npx jsii --silence-warnings=reserved-word >/dev/null)
[ -f .jsii ] || npx projen compile >/dev/null
# jsii-diff exits non-zero when it finds breaking changes: report them, do not fail.
npx jsii-diff "$work/base" . --keys 2>&1 | grep -v '^!!' || true
