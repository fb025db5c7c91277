#!/usr/bin/env bash
# ApplicationStop: stop the running service (CodeDeploy runs the previous revision's copy).
set -euo pipefail
echo "stopping orders (deployment $DEPLOYMENT_ID, $LIFECYCLE_EVENT)"
