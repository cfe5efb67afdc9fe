# Sourced by the storage memory benchmarks: builds and starts the `serve` example (data in a
# SQLite file) in a temporary folder `$work` holding `$work/big.bin`, a file of random bytes of
# `$size_mb` MB. Sets `root`, `work`, `serve_pid` and `base` (the emulator's URL); the EXIT trap
# stops the emulator and removes the folder.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet -p wxcloud-emulator --example serve
work="$(mktemp -d)"
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
head -c "$((size_mb * 1000 * 1000))" /dev/urandom > "$work/big.bin"
"$CARGO_TARGET_DIR/debug/examples/serve" --data "$work/emu.db" > "$work/out.txt" &
serve_pid=$!
for _ in $(seq 100); do [ -s "$work/out.txt" ] && break; sleep 0.1; done
base="$(head -1 "$work/out.txt" | sed 's/listening on //')"
