#!/usr/bin/env bash
# The library against the newest aws-cdk-lib (`npx projen test:newest-cdk`, in CI): the peer
# floor (2.257.0) is what `npm test` runs against; teams install whatever is newest. In a fresh
# clone of HEAD (so the working tree is not touched): npm ci, then the newest aws-cdk-lib from
# the registry (not saved), then the type check, `npm run demo` (cdk synth --strict of every
# example: a new aws-cdk-lib warning fails it) and the example and cdk-nag tests.
#
# Environment: NEWEST_CDK_VERSION (default: latest), NEWEST_CDK_DIR (default: a temp directory).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${NEWEST_CDK_VERSION:-latest}"
DIR="${NEWEST_CDK_DIR:-$(mktemp -d)}"
trap 'rm -rf "$DIR"' EXIT
git clone -q "$ROOT" "$DIR/repo"
cd "$DIR/repo"
npm ci --no-audit --no-fund --loglevel=error
npm install --no-save --no-audit --no-fund --loglevel=error "aws-cdk-lib@$VERSION"
echo "aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version") (peer floor $(node -p "require('./package.json').peerDependencies['aws-cdk-lib']"))"
npx tsc --noEmit -p tsconfig.dev.json
npm run demo
npx jest --coverage=false --ci test/examples test/security/nag-packs.test.ts test/security/layouts.test.ts test/core/checkov-skip.test.ts
echo "newest aws-cdk-lib: passed"
