#!/usr/bin/env bash
# Differential tests against an official serializer nobody here wrote: npm @cloudbase/database,
# with its request class replaced by a recorder (tests/oracle/cloudbase/record.js), must read
# every statement the writer prints as the writer's input. Installs the npm packages first.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/tests/oracle/cloudbase"
command -v node >/dev/null || { echo "oracles: node is required (apt-get install nodejs npm)"; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
cd "$root"
WXCLOUD_ORACLE=required cargo test -p wxcloud --test statement_oracle -- --nocapture
