#!/usr/bin/env bash
# Peak memory of `wxcloud storage upload` and `storage download` moving one large file through
# an emulator running in another process (docs/benchmarks.md, "Storage transfers").
#
#   nice -n 10 scripts/bench/cli-storage-rss.sh [MEGABYTES]    # default 200
#
# Builds the release binary (unless WXCLOUD_BIN names one), starts `wxcloud emulator` on a data file in a temporary folder,
# uploads a random file of MEGABYTES MiB, downloads it again to a file, checks both sha256 sums
# are the same, and prints each command's "Maximum resident set size" from /usr/bin/time -v.
set -euo pipefail

mb="${1:-200}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# WXCLOUD_BIN=path measures an already built binary instead of building one.
bin="${WXCLOUD_BIN:-}"
if [[ -z "$bin" ]]; then
  cargo build --release --locked -p wxcloud-cli >&2
  bin="$root/target/release/wxcloud"
fi

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" emulator --port 0 --data "$work/emulator.sqlite3" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/emulator.out" 2>/dev/null && break
  sleep 0.1
done
base_url="$(sed -n 's/^listening on //p' "$work/emulator.out" | head -1)"
[[ -n "$base_url" ]] || { echo "the emulator did not start" >&2; cat "$work/emulator.err" >&2; exit 1; }

export WXCLOUD_BASE_URL="$base_url" WXCLOUD_APPID=wxemulator WXCLOUD_SECRET=emulator-secret WXCLOUD_ENV=local
head -c "$((mb * 1024 * 1024))" /dev/urandom >"$work/in.bin"

rss() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }

/usr/bin/time -v "$bin" storage upload "$work/in.bin" bench/in.bin >"$work/upload.json" 2>"$work/upload.time"
file_id="$(sed -n 's/.*"file_id":"\([^"]*\)".*/\1/p' "$work/upload.json")"
/usr/bin/time -v "$bin" storage download "$file_id" -o "$work/out.bin" >/dev/null 2>"$work/download.time"

in_sum="$(sha256sum <"$work/in.bin" | cut -d' ' -f1)"
out_sum="$(sha256sum <"$work/out.bin" | cut -d' ' -f1)"
[[ "$in_sum" == "$out_sum" ]] || { echo "sha256 differs: $in_sum vs $out_sum" >&2; exit 1; }

echo "file: ${mb} MiB, sha256 ${in_sum} (same after the round trip)"
echo "upload:   peak RSS $(rss "$work/upload.time") KiB, $(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/upload.time") wall"
echo "download: peak RSS $(rss "$work/download.time") KiB, $(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/download.time") wall"
