#!/usr/bin/env bash
# Redis: the shared token cache against a real redis-server (installed through apt when
# missing), started on a free loopback port in a temp dir without persistence, and always
# stopped afterwards. Tests read WXCLOUD_TEST_REDIS_URL (and WXCLOUD_TEST_REDIS_SERVER to start
# servers of their own); WXCLOUD_REDIS_REQUIRED=1 makes a missing URL a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis suite: installing redis-server"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
REDIS_SERVER="$(command -v redis-server)"

dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.05
done

export WXCLOUD_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
export WXCLOUD_TEST_REDIS_SERVER="$REDIS_SERVER"
export WXCLOUD_REDIS_REQUIRED=1
echo "redis suite: redis-server on $WXCLOUD_TEST_REDIS_URL"

cargo test --locked -p wxcloud --features redis --lib token::
cargo test --locked -p wxcloud --features redis --doc token
cargo test --locked -p wxcloud --features redis --test 'redis_*'
# The fleet tests spawn this worker; it is built only with the feature (required-features).
cargo build --locked -p wxcloud --features redis --example token_burst
cargo test --locked -p wxcloud-emulator --features wxcloud/redis --test 'redis_*'
