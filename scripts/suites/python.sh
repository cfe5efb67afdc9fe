#!/usr/bin/env bash
# Python: builds the wxcloud package into python/.venv the way a user installs it
# (`pip install ./python`, maturin as the build backend), then runs pytest and mypy.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/python"

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
venv="$root/python/.venv/bin"
"$venv/python" -m pip install --quiet --upgrade pip
"$venv/python" -m pip install --quiet "maturin>=1.16,<2" -r "$root/python/tests/requirements.txt"

# Reuse the Rust suite's compiled dependencies (scripts/test exports CARGO_TARGET_DIR) and build
# with the dev profile: CI should not pay for a release build. Users get the release profile.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export MATURIN_PEP517_ARGS="${MATURIN_PEP517_ARGS:---profile dev}"
"$venv/python" -m pip install --quiet --force-reinstall --no-deps "$root/python"

# Run from the tests folder so `import wxcloud` finds the installed package, not the source tree.
cd "$root/python/tests"
status=0
"$venv/python" -m pytest -q -p no:cacheprovider . || status=$?
if [ "$status" -eq 5 ]; then
  echo "python suite: pytest collected no tests — that is a failure" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

# The stubs, the tests and (through test_examples.py) the docs' examples type-check.
cd "$root/python"
"$venv/python" -m mypy --strict --cache-dir /dev/null wxcloud tests
