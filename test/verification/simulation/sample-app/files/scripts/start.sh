#!/usr/bin/env bash
# ApplicationStart: start the service from the revision's files.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
test -f "$here/index.html" || { echo "the revision has no index.html" >&2; exit 1; }
echo "started orders $(cat "$here/REVISION")"
