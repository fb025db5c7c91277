#!/usr/bin/env bash
# BeforeInstall: what the new revision needs on the instance before its files are copied.
set -euo pipefail
echo "preparing $APPLICATION_NAME/$DEPLOYMENT_GROUP_NAME for deployment $DEPLOYMENT_ID"
