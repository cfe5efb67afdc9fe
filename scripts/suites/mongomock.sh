#!/usr/bin/env bash
# Differential suite: the emulator's engine against mongomock (PyPI).
# Creates a venv under target/ (gitignored), installs mongomock (and pymongo for bson.json_util),
# generates the seeded cases with their mongomock results, then runs the Rust differential test.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
venv="$root/target/mongomock-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "mongomock==4.3.0" "pymongo>=4.6,<5"
cases_dir="$root/target/mongomock"
mkdir -p "$cases_dir"
"$venv/bin/python" tests/mongomock/generate.py "$cases_dir/cases.jsonl"
WXCLOUD_MONGOMOCK_CASES="$cases_dir/cases.jsonl" \
  cargo test -p wxcloud-emulator --test mongomock_diff --locked -- --nocapture
