#!/usr/bin/env bash
# First-run simulation (`npx projen test:simulation`): each pipeline of the example apps
# (examples/registry.ts) and of the coverage app (coverage-app.ts)
# run once in stage order as CodePipeline would, its scripts executed with the real AWS CLI against
# a local moto server (127.0.0.1, a free port, started and stopped by the runner), every call
# authorized against the calling role's synthesized policies (see simulation/sim_plugin.py).
#
#   1. venv   a Python venv with the pinned awscli, moto[server], policy_sentry
#             (simulation/requirements.txt + constraints.txt), created once in the cache directory
#             and reused while the pins and the Python version are unchanged
#   2. synth  every example app and the coverage app into $OUT/synth/<app>/ (simulation/synth.ts),
#             and the self-tests' cross-account fixture (simulation/cross-account-fixture.ts)
#   3. run    the self-tests (the negative ones, and the cross-account fixture: it must pass, and
#             fail for each cross-account grant taken out), then every pipeline, each stack in its
#             account and region (simulation/sim/main.py); a per-pipeline
#             summary, `simulation: N passed, N failed`, and $OUT/run/summary.json + calls.jsonl
#
# Exits non-zero on any denied call, unmapped call or failed script, or when a step cannot run.
# Bounded in time: SIMULATION_TIMEOUT seconds for step 3 (default 1800).
#
# Environment:
#   SIMULATION_CACHE    cache directory (default ~/.cache/cdk-delivery-pipelines); the venv is
#                       $SIMULATION_CACHE/simulation-venv
#   SIMULATION_OUT      output directory (default cdk.out/simulation)
#   SIMULATION_PYTHON   the Python that creates the venv (default python3)
#   SIMULATION_TIMEOUT  seconds for the whole run (default 1800)
# Arguments: example names to run (default: all).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIM="$HERE/simulation"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CACHE="${SIMULATION_CACHE:-$HOME/.cache/cdk-delivery-pipelines}"
VENV="$CACHE/simulation-venv"
OUT="${SIMULATION_OUT:-$ROOT/cdk.out/simulation}"
PYTHON="${SIMULATION_PYTHON:-python3}"
LIMIT="${SIMULATION_TIMEOUT:-1800}"

banner() { printf '\n=== simulation: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

# --- 1. venv ------------------------------------------------------------------------------
banner venv
# shellcheck source=../python-venv.sh
source "$ROOT/test/python-venv.sh"
ensure_venv "$VENV" "$PYTHON" "$SIM/requirements.txt" "$SIM/constraints.txt" aws moto_server
"$VENV/bin/aws" --version

# --- 2. synth -----------------------------------------------------------------------------
banner synth
rm -rf "$OUT"
mkdir -p "$OUT"
TS_NODE_TRANSPILE_ONLY=true npx --no-install ts-node --project tsconfig.dev.json "$SIM/synth.ts" "$OUT/synth" "$@"

# --- 3. run -------------------------------------------------------------------------------
banner run
set +e
(cd "$SIM" && PYTHONDONTWRITEBYTECODE=1 timeout --kill-after=30 "$LIMIT" "$VENV/bin/python" -m sim.main "$OUT/synth" "$OUT/run" "$@")
rc=$?
set -e
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "simulation timed out after $LIMIT s" >&2
  echo 'simulation: 0 passed, 1 failed'
fi
exit "$rc"
