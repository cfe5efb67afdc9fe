#!/usr/bin/env bash
# Peak RSS (VmHWM) of an emulator process while a file of SIZE_MB (default 200) goes up through
# the COS upload form and comes back through a signed download URL, with curl as the client.
# Usage: scripts/bench/emulator-storage-rss.sh [SIZE_MB]     (Linux: reads /proc/PID/status)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
size_mb="${1:-200}"
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
hwm() { grep VmHWM "/proc/$serve_pid/status" | tr -s ' \t' ' '; }
field() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))$2)" "$1"; }
echo "started: $(hwm)"
curl -s "$base/cgi-bin/token?grant_type=client_credential&appid=wxemulator&secret=emulator-secret" > "$work/token.json"
token="$(field "$work/token.json" '["access_token"]')"
curl -s -X POST "$base/tcb/uploadfile?access_token=$token" -d '{"env":"test2-4a89da","path":"bench/big.bin"}' > "$work/grant.json"
g() { field "$work/grant.json" "[\"$1\"]"; }
start=$(date +%s.%N)
code=$(curl -s -o /dev/null -w "%{http_code}" --form-string "key=bench/big.bin" \
  --form-string "Signature=$(g authorization)" --form-string "x-cos-security-token=$(g token)" \
  --form-string "x-cos-meta-fileid=$(g cos_file_id)" -F "file=@$work/big.bin" "$(g url)")
echo "upload of $size_mb MB: HTTP $code in $(echo "$(date +%s.%N) - $start" | bc) s; $(hwm)"
curl -s -X POST "$base/tcb/batchdownloadfile?access_token=$token" \
  -d "{\"env\":\"test2-4a89da\",\"file_list\":[{\"fileid\":\"$(g file_id)\",\"max_age\":600}]}" > "$work/links.json"
start=$(date +%s.%N)
got="$(curl -s "$(field "$work/links.json" '["file_list"][0]["download_url"]')" | sha256sum | cut -c1-16)"
echo "download: in $(echo "$(date +%s.%N) - $start" | bc) s, sha256 $got (sent $(sha256sum "$work/big.bin" | cut -c1-16)); $(hwm)"
