#!/usr/bin/env bash
# Node: installs the npm packages, builds the addon (dev profile, into the shared
# CARGO_TARGET_DIR), fails if the generated index.d.ts / native.js drift from the committed ones,
# runs node's built-in test runner, and type-checks the TypeScript example with tsc.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/node"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are required (Node.js 20 or newer)" >&2
  exit 1
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

npm run --silent build:debug
# napi-rs always passes --target, so cargo builds the addon's dependencies a second time under
# target/<triple>/; the tests only need the .node file copied next to this script. On CI, where
# disk is limited, drop that second tree (about 0.7 GB) once the addon is in place.
if [ -n "${CI:-}" ]; then
  triple="$(rustc -vV | sed -n 's/^host: //p')"
  rm -rf "${CARGO_TARGET_DIR:-$root/target}/$triple"
fi

# The generated files are committed; a build that changes them means they were not regenerated.
if ! git diff --exit-code -- index.d.ts native.js; then
  echo "node/index.d.ts or node/native.js is out of date: run 'npm run build:debug' in node/ and commit" >&2
  exit 1
fi
if [ -n "$(git status --porcelain -- index.d.ts native.js)" ]; then
  echo "node/index.d.ts or node/native.js is not committed" >&2
  exit 1
fi

# The official SDK's recorder, which test/database.test.js asks what the SDK sends for a chain.
(cd "$root/tests/oracle/cloudbase" && npm ci --no-audit --no-fund --loglevel=error)

npx tsc --noEmit -p examples/tsconfig.json
node --test test/*.test.js
