#!/usr/bin/env bash
# ValidateService: the revision on this instance is the one the pipeline built, and it is complete.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
revision="$(cat "$here/REVISION")"
[ "${#revision}" -ge 7 ] || { echo "REVISION is not a commit id: $revision" >&2; exit 1; }
test -f "$here/appspec.yml"
echo "orders $revision is healthy"
