#!/usr/bin/env bash
# Differential tests against an official serializer nobody here wrote: npm @cloudbase/database,
# with its request class replaced by a recorder (tests/oracle/cloudbase/record.js). Installs the
# npm packages, then runs every test target named `*oracle*` under crates/*/tests with
# WXCLOUD_ORACLE=required (so a missing oracle fails instead of skipping). The statement
# writer's is crates/wxcloud/tests/statement_oracle.rs; another crate adds its own by name.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/tests/oracle/cloudbase"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "oracles: node and npm are required (apt-get install nodejs npm)"; exit 1
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
cd "$root"
export WXCLOUD_ORACLE=required
status=0
for test in crates/*/tests/*oracle*.rs; do
  [ -f "$test" ] || continue
  crate="$(basename "$(dirname "$(dirname "$test")")")"
  name="$(basename "$test" .rs)"
  echo "== oracle: $crate $name"
  cargo test -p "$crate" --test "$name" -- --nocapture || status=1
done
exit $status
