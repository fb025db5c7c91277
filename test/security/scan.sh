#!/usr/bin/env bash
# Security gates with independent scanners (`npm run test:security`):
#
#   1. venv     a Python venv with the pinned cfn-lint and checkov (requirements.txt +
#               constraints.txt), created once in the cache directory and reused while the
#               pins and the Python version are unchanged
#   2. synth    every example app of examples/registry.ts into $OUT/<app>/, and the cdk-nag
#               packs over it (synth.ts; the same code as the jest gate test/security/nag-packs.test.ts)
#   3. cfn-lint over every template                     -> $OUT/cfn-lint.json
#   4. checkov  over every template                     -> $OUT/checkov.json
#   5. report   judge the results against the reviewed cfn-lint exceptions (cfn-lint-ignores.json)
#               and the checkov skips in the templates, write docs/security.md, print `security: N passed, N failed`
#
# Exits non-zero when a check fails or a step cannot run. Needs node (npm ci done) and python3
# (3.9+; 3.11 is what the pins were made with); pip reaches PyPI only to create the venv.
#
# Environment:
#   SECURITY_CACHE   cache directory (default ~/.cache/cdk-delivery-pipelines); the venv is
#                    $SECURITY_CACHE/security-venv
#   SECURITY_OUT     output directory (default cdk.out/security)
#   SECURITY_PYTHON  the Python that creates the venv (default python3)
#   SECURITY_DOC     the generated document (default docs/security.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CACHE="${SECURITY_CACHE:-$HOME/.cache/cdk-delivery-pipelines}"
VENV="$CACHE/security-venv"
OUT="${SECURITY_OUT:-$ROOT/cdk.out/security}"
PYTHON="${SECURITY_PYTHON:-python3}"
DOC="${SECURITY_DOC:-$ROOT/docs/security.md}"

timings=()
now() { date +%s; }
banner() { printf '\n=== security: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
record() { # step, start
  local seconds=$(( $(now) - $2 ))
  timings+=("$(printf '%-9s %4d s' "$1" "$seconds")")
}
started=$(now)

# --- 1. venv ------------------------------------------------------------------------------
banner venv
step=$(now)
# shellcheck source=../python-venv.sh
source "$ROOT/test/python-venv.sh"
ensure_venv "$VENV" "$PYTHON" "$HERE/requirements.txt" "$HERE/constraints.txt" cfn-lint checkov
CFN_LINT_VERSION="$("$VENV/bin/cfn-lint" --version | awk '{print $NF}')"
CHECKOV_VERSION="$("$VENV/bin/checkov" --version | tail -n 1)"
echo "cfn-lint $CFN_LINT_VERSION, checkov $CHECKOV_VERSION"
record venv "$step"

# --- 2. synth + cdk-nag -------------------------------------------------------------------
banner 'synth + cdk-nag'
step=$(now)
# Type checking belongs to tsc (npm test); transpiling only keeps this step fast.
TS_NODE_TRANSPILE_ONLY=true npx --no-install ts-node --project tsconfig.dev.json "$HERE/synth.ts" "$OUT"
printf '{"cfn-lint": "%s", "checkov": "%s"}\n' "$CFN_LINT_VERSION" "$CHECKOV_VERSION" > "$OUT/tools.json"
# Template files, relative to $OUT, from synth.json (one per stack of every example app).
templates=()
while IFS= read -r t; do templates+=("$t"); done < <(node -e '
  const r = require(process.argv[1]);
  for (const a of r.apps) for (const t of a.templates) console.log(t.file);
' "$OUT/synth.json")
if [ "${#templates[@]}" -eq 0 ]; then
  echo "no templates synthesized" >&2
  exit 1
fi
echo "${#templates[@]} template(s): ${templates[*]}"
record synth "$step"

# --- 3. cfn-lint --------------------------------------------------------------------------
banner cfn-lint
step=$(now)
# Exit codes are a bit mask (2 errors, 4 warnings, 8 informational); the report judges the
# findings. Anything else (1: cfn-lint itself failed) stops the scan.
set +e
(cd "$OUT" && "$VENV/bin/cfn-lint" --format json --regions us-east-1 -- "${templates[@]}") > "$OUT/cfn-lint.json"
rc=$?
set -e
if [ $(( rc & 1 )) -ne 0 ] || ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$OUT/cfn-lint.json"; then
  echo "cfn-lint failed to run (exit code $rc)" >&2
  exit 1
fi
echo "cfn-lint exit code $rc ($(node -p 'require(process.argv[1]).length' "$OUT/cfn-lint.json") finding(s))"
record cfn-lint "$step"

# --- 4. checkov ---------------------------------------------------------------------------
banner checkov
step=$(now)
files=()
for t in "${templates[@]}"; do files+=(--file "$t"); done
# --skip-download: no platform guidelines or policies fetched (offline); --soft-fail: the report
# judges the results, with the reviewed skips scoped to the pipelines' resources.
(cd "$OUT" && "$VENV/bin/checkov" --framework cloudformation "${files[@]}" --output json \
  --skip-download --soft-fail --compact --no-fail-on-crash 2> "$OUT/checkov.log") > "$OUT/checkov.json" || {
  echo "checkov failed to run; see $OUT/checkov.log" >&2
  tail -n 20 "$OUT/checkov.log" >&2
  exit 1
}
node -e '
  const r = [].concat(require(process.argv[1])).find((x) => x.summary);
  if (!r) { console.error("checkov wrote no results"); process.exit(1); }
  console.log(`checkov: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.resource_count} resources`);
' "$OUT/checkov.json"
record checkov "$step"

# --- 5. report ----------------------------------------------------------------------------
banner report
step=$(now)
set +e
TS_NODE_TRANSPILE_ONLY=true npx --no-install ts-node --project tsconfig.dev.json "$HERE/report.ts" "$OUT" "$DOC" > "$OUT/report.log" 2>&1
rc=$?
set -e
record report "$step"
# The summary line last, alone: the plain closing line CI reads.
grep -v '^security: ' "$OUT/report.log" || true
printf '\n=== security: timings\n'
printf '%s\n' "${timings[@]}"
printf '%-9s %4d s\n' total "$(( $(now) - started ))"
echo
grep '^security: ' "$OUT/report.log" || echo 'security: 0 passed, 1 failed'
exit "$rc"
