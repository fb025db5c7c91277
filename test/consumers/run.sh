#!/usr/bin/env bash
# Consumer tests: real Python and Java CDK programs use the packages `npx projen package-all`
# builds (dist/python wheel, dist/java Maven repository), and their templates must equal the
# TypeScript reference's (reference.ts, same construct ids and props, built from src/). Every
# construct of the library joins the programs: ECS, Lambda, static site and server pipelines, the
# static site hosting, and a subclass per language overriding a protected hook of the ECS
# pipeline (renderBuildSpec), of the Lambda pipeline (createDeployAction) and of the server
# pipeline (createDeployAction, through the library's).
#
#   bash test/consumers/run.sh
#
# Steps (each timed): dist (reused when newer than src/, else jsii compile + package-all),
# python venv, python app, java app (Maven), dependency floors, go module, comparison. Five tests
# are counted: the python app, the java app, the floors (the POM, the wheel and the Go module ask
# for aws-cdk-lib from the npm peer floor), the go module (`go build` of dist/go) and the
# comparison; the last line is `consumers: N passed, N failed`.
#
# Environment:
#   CONSUMER_CACHE    cache directory for the Python venv (default ~/.cache/cdk-delivery-pipelines)
#   CONSUMER_REBUILD  1: always rebuild dist/; 0: never (use dist/ as it is); default: when stale
#   CONSUMER_M2_REPO  Maven local repository (default ~/.m2/repository, Maven's own)
#   PIP_CACHE_DIR     pip's download cache (pip's default when unset)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CACHE="${CONSUMER_CACHE:-$HOME/.cache/cdk-delivery-pipelines}"
VENV="$CACHE/venv"
OUT="$HERE/out"
M2_REPO="${CONSUMER_M2_REPO:-$HOME/.m2/repository}"
JAVA_DIST="dist/java/io/github/cdk-delivery-pipelines/cdk-delivery-pipelines/0.0.0"

# The jsii runtime prints a large banner on every start when Node is past its end of life
# (Node 20 since 2026-10-30); the first line of output names the Node version instead.
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-$NODE_MAJOR}"

passed=0
failed=0
timings=()
now() { date +%s; }
banner() { printf '\n=== consumers: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
record() { # name, start, status
  local seconds=$(( $(now) - $2 ))
  timings+=("$(printf '%-12s %4d s  %s' "$1" "$seconds" "$3")")
  printf -- '--- %s: %s in %d s\n' "$1" "$3" "$seconds"
}
# A counted test: runs "$@", records pass or fail, never stops the script. (`set -e` does not
# apply inside a function called from `if`, so the step functions return their failures.)
check() {
  local name="$1" start
  shift
  banner "$name"
  start=$(now)
  if "$@"; then
    passed=$((passed + 1))
    record "$name" "$start" ok
  else
    failed=$((failed + 1))
    record "$name" "$start" FAIL
  fi
}
finish() {
  printf '\n=== consumers: timings\n'
  printf '  %s\n' "${timings[@]}"
  echo
  echo "consumers: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

echo "consumers: node $(node -v), $(python3 --version), $(java -version 2>&1 | head -n1), $(mvn -v 2>/dev/null | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"

# --- dist ------------------------------------------------------------------------------------
# Reuse dist/ when it was built from the current src/; a stale one would compare yesterday's
# package with today's reference.
newer_than() { # file, paths...: is any of the paths newer than file (or file missing)?
  local file="$1"
  shift
  [ ! -e "$file" ] || [ -n "$(find "$@" -newer "$file" -print -quit 2>/dev/null)" ]
}
build_dist() {
  local rebuild="${CONSUMER_REBUILD:-auto}" wheel jar="$JAVA_DIST/cdk-delivery-pipelines-0.0.0.jar"
  wheel="$(ls dist/python/*.whl 2>/dev/null | head -n1 || true)"
  if [ "$rebuild" = 0 ]; then
    [ -n "$wheel" ] && [ -e "$jar" ] || { echo "CONSUMER_REBUILD=0 but dist/ has no wheel or jar" >&2; return 1; }
    echo "CONSUMER_REBUILD=0: using dist/ as it is"
    return 0
  fi
  if [ "$rebuild" = 1 ] || newer_than .jsii src package.json; then
    echo "jsii compile (.jsii is missing or older than src/)"
    npx projen compile || return 1
  fi
  if [ "$rebuild" = 1 ] || [ -z "$wheel" ] || newer_than "$wheel" .jsii || newer_than "$jar" .jsii; then
    echo "package-all (dist/ is missing or older than .jsii)"
    rm -rf dist/python dist/java
    npx projen package-all || return 1
  else
    echo "reusing dist/ (newer than .jsii and src/)"
  fi
  ls dist/python/*.whl >/dev/null && [ -e "$jar" ]
}
# The reference is built from src/ when the comparison runs, the packages from src/ as it was
# when dist/ was built: note the sources now, to tell an edit made during the run from a bug.
src_hash() { find src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1; }
SRC_HASH="$(src_hash)"
banner dist
start=$(now)
if build_dist; then
  record dist "$start" ok
else
  record dist "$start" FAIL
  echo "consumers: cannot build the packages; nothing to test" >&2
  failed=5
  finish
fi
WHEEL="$(ls "$ROOT"/dist/python/*.whl | head -n1)"

# --- python ----------------------------------------------------------------------------------
setup_venv() {
  if ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    echo "creating $VENV"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV" || return 1
  else
    echo "reusing $VENV"
  fi
  # Same version number (0.0.0) every build: first replace what an earlier run installed, then
  # install the pinned requirements and whatever the new wheel's metadata requires.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEEL" || return 1
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/python/requirements.txt" "$WHEEL" || return 1
  "$VENV/bin/pip" check
}
python_app() {
  rm -rf "$OUT/python" || return 1
  CONSUMER_OUTDIR="$OUT/python" "$VENV/bin/python" "$HERE/python/app.py"
}
banner 'python venv'
start=$(now)
if setup_venv; then
  record 'python venv' "$start" ok
  check 'python app' python_app
else
  record 'python venv' "$start" FAIL
  failed=$((failed + 1))
fi

# --- java ------------------------------------------------------------------------------------
java_app() {
  # Same version number (0.0.0) every build: make Maven read the artifact from dist/java again.
  rm -rf "$M2_REPO/io/github/cdk-delivery-pipelines" "$OUT/java" || return 1
  # (Debian's Maven 3.8 writes ANSI resets even in batch mode: strip them. pipefail keeps
  # Maven's exit status.)
  (
    cd "$HERE/java"
    CONSUMER_OUTDIR="$OUT/java" mvn -B -q "-Dmaven.repo.local=$M2_REPO" clean compile exec:java 2>&1
  ) | sed -u 's/\x1b\[[0-9;]*m//g' || return 1
  # The program ran the jar of this dist/, not an older one.
  cmp "$ROOT/$JAVA_DIST/cdk-delivery-pipelines-0.0.0.jar" \
    "$M2_REPO/io/github/cdk-delivery-pipelines/cdk-delivery-pipelines/0.0.0/cdk-delivery-pipelines-0.0.0.jar"
}
check 'java app' java_app

# --- dependency floors ------------------------------------------------------------------------
# The packages ask for aws-cdk-lib as the npm peer dependency does (its floor, not the version
# installed on the day of packaging): the POM as a Maven range, the wheel as a pip specifier.
floors() {
  local peer pom wheel_req
  peer="$(node -p "require('./package.json').peerDependencies['aws-cdk-lib']")"
  pom="$(grep -A1 '<artifactId>aws-cdk-lib</artifactId>' "$ROOT/$JAVA_DIST/cdk-delivery-pipelines-0.0.0.pom" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p')"
  wheel_req="$(unzip -p "$WHEEL" '*.dist-info/METADATA' | sed -n 's/^Requires-Dist: aws-cdk-lib //p')"
  echo "npm peer aws-cdk-lib $peer; POM $pom; wheel $wheel_req"
  [ "$pom" = "[${peer#^},3.0.0)" ] || { echo "the POM does not ask for the peer floor: $pom" >&2; return 1; }
  case "$wheel_req" in *">=${peer#^}"*) ;; *) echo "the wheel does not ask for the peer floor: $wheel_req" >&2; return 1 ;; esac
}
check 'floors' floors

# --- go module --------------------------------------------------------------------------------
# The Go module jsii-pacmak generated (dist/go, at the peer floor: projenrc/go-module.ts) builds
# with the Go toolchain. Built in a copy: `go mod tidy` writes go.sum, which the package leaves out.
go_module() {
  local module peer work
  module="$(ls -d "$ROOT"/dist/go/*/ 2>/dev/null | head -n1)"
  [ -n "$module" ] && [ -f "$module/go.mod" ] || { echo "no Go module under dist/go" >&2; return 1; }
  peer="$(node -p "require('./package.json').peerDependencies['aws-cdk-lib']")"
  grep -Eq "^\s+github.com/aws/aws-cdk-go/awscdk/v2 v${peer#^}\s*$" "$module/go.mod" \
    || { echo "the Go module does not ask for aws-cdk-go at the peer floor v${peer#^}:" >&2; cat "$module/go.mod" >&2; return 1; }
  work="$OUT/go-module"
  rm -rf "$work" && mkdir -p "$work" && cp -r "$module" "$work/" || return 1
  (cd "$work/$(basename "$module")" && go mod tidy && go build ./... && echo "go build: $(go list -m) builds with $(go version | cut -d' ' -f3)")
}
check 'go module' go_module

# --- comparison ------------------------------------------------------------------------------
compare() {
  npx ts-node --project tsconfig.dev.json "$HERE/compare.ts" "$OUT"
}
check comparison compare
if [ "$(src_hash)" != "$SRC_HASH" ]; then
  echo "consumers: WARNING: src/ changed during this run, after dist/ was built: a difference may be that edit, not the packages; run again" >&2
fi

finish
