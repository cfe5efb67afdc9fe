#!/usr/bin/env bash
# Peak RSS of a Python and a Node process uploading a file of SIZE_MB (default 200) to an
# emulator running in another process (the `serve` example, data in a SQLite file), one fresh
# process per kind of source, so each figure is that source's own peak. Needs the Python
# package installed in python/.venv and the Node addon built (scripts/test python / node).
# Usage: scripts/bench/bindings-upload-rss.sh [SIZE_MB]
set -euo pipefail
size_mb="${1:-200}"
source "$(dirname "$0")/serve-big-file.sh"
export WXCLOUD_BASE_URL="$base"
export WXCLOUD_APPID=wxemulator WXCLOUD_SECRET=emulator-secret WXCLOUD_ENV=test2-4a89da
export BIG="$work/big.bin"

for source in path file bytes; do
  SOURCE="$source" "$root/python/.venv/bin/python" - <<'EOF'
import os, resource, time
import wxcloud

client = wxcloud.Client(timeout=600)
big, source = os.environ["BIG"], os.environ["SOURCE"]
start = time.perf_counter()
if source == "path":
    client.upload_file("bench/py-path.bin", big)
elif source == "file":
    with open(big, "rb") as f:
        client.upload_file("bench/py-file.bin", f)
else:
    with open(big, "rb") as f:
        data = f.read()
    client.upload_file("bench/py-bytes.bin", data)
took = time.perf_counter() - start
print(f"python {source:5}: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB, {took:.1f} s")
EOF
done

for source in path readable buffer; do
  SOURCE="$source" node -e '
const fs = require("node:fs")
const { Client } = require(process.argv[1])
;(async () => {
  const client = new Client({ timeoutMs: 600000 })
  const big = process.env.BIG
  const source = process.env.SOURCE
  const start = performance.now()
  const from = source === "path" ? big : source === "readable" ? fs.createReadStream(big) : fs.readFileSync(big)
  await client.uploadFile(`bench/node-${source}.bin`, from)
  const took = (performance.now() - start) / 1000
  console.log(`node   ${source.padEnd(8)}: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB, ${took.toFixed(1)} s`)
})()' "$root/node"
done
