#!/usr/bin/env bash
# Packages: builds every artefact users install (scripts/package) and installs each one as a
# user would (scripts/package-check). Release builds with zig take most of it, so this suite
# runs only when WXCLOUD_PACKAGE=1 (the workflow lint always runs); docs/packaging.md has its measured time and why CI skips it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# The release workflow is linted on every run: it takes seconds.
"$root/scripts/lint-workflows"
if [ "${WXCLOUD_PACKAGE:-0}" != 1 ]; then
  echo "package suite: skipped (set WXCLOUD_PACKAGE=1 to build and check every artefact)"
  exit 0
fi
exec "$root/scripts/package" --check
