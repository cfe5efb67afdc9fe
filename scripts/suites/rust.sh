#!/usr/bin/env bash
# Rust: builds the workspace once (dev profile) and runs every crate's tests and doc tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --workspace --all-targets --locked
cargo test --workspace --locked --no-fail-fast
