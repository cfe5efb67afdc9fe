#!/usr/bin/env bash
# Redis: the shared token cache against real Redis deployments, all from Debian's packages
# (redis-server, redis-sentinel, redis-tools; installed through apt when missing), on free
# loopback ports in a temp dir without persistence, and always stopped afterwards:
#   - one plain server                       WXCLOUD_TEST_REDIS_URL
#   - a cluster of 3 primaries + 3 replicas  WXCLOUD_TEST_REDIS_CLUSTER_URLS (comma-separated)
#   - a primary, a replica and 3 sentinels   WXCLOUD_TEST_REDIS_SENTINEL_URL (redis+sentinel://)
#   - a TLS-only server with a password      WXCLOUD_TEST_REDIS_TLS_URL, its CA in
#     WXCLOUD_TEST_REDIS_CA_FILE and an unrelated CA in WXCLOUD_TEST_REDIS_WRONG_CA_FILE
#     (a throwaway CA made here with openssl)
# WXCLOUD_TEST_REDIS_SERVER / WXCLOUD_TEST_REDIS_CLI name the binaries for tests that start,
# inspect or kill servers. WXCLOUD_REDIS_REQUIRED=1 makes a missing URL a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

if ! command -v redis-server >/dev/null || ! command -v redis-sentinel >/dev/null \
    || ! command -v redis-cli >/dev/null || ! command -v openssl >/dev/null; then
    echo "redis suite: installing redis-server redis-sentinel redis-tools openssl"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-sentinel redis-tools openssl >/dev/null
fi
REDIS_SERVER="$(command -v redis-server)"
REDIS_SENTINEL="$(command -v redis-sentinel)"
REDIS_CLI="$(command -v redis-cli)"

dir="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

# Ports the OS hands out, released again (all at once, so they are distinct).
free_ports() {
    python3 -c 'import socket,sys
socks=[socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

wait_port() {
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "redis suite: nothing listens on port $1" >&2
    tail -n 5 "$dir"/*.log >&2 || true
    return 1
}

# start NAME PORT [redis-server options...]: a server without persistence, logging to NAME.log.
start() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$dir/$name"
    "$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --dir "$dir/$name" --save "" \
        --appendonly no --daemonize no --logfile "$dir/$name.log" "$@" &
    pids+=($!)
}

# until_ok DESCRIPTION COMMAND...: retries COMMAND (its output must be non-empty) for 20 s.
until_ok() {
    local what=$1
    shift
    for _ in $(seq 1 400); do
        if [ -n "$("$@" 2>/dev/null)" ]; then return 0; fi
        sleep 0.05
    done
    echo "redis suite: timed out waiting for $what" >&2
    tail -n 20 "$dir"/*.log >&2 || true
    return 1
}

read -r single c1 c2 c3 c4 c5 c6 b1 b2 b3 b4 b5 b6 primary replica s1 s2 s3 tls <<<"$(free_ports 19)"

# One plain server.
start single "$single"

# A cluster: 6 nodes, then 3 primaries with a replica each. A short node timeout makes a killed
# primary's replica take over within about two seconds; partial coverage keeps the other
# slots serving meanwhile. Bus ports are given (the default, port + 10000, may not exist).
cluster_ports=("$c1" "$c2" "$c3" "$c4" "$c5" "$c6")
bus_ports=("$b1" "$b2" "$b3" "$b4" "$b5" "$b6")
for i in "${!cluster_ports[@]}"; do
    p=${cluster_ports[$i]}
    start "cluster-$p" "$p" --cluster-enabled yes --cluster-port "${bus_ports[$i]}" \
        --cluster-config-file "$dir/cluster-$p/nodes.conf" \
        --cluster-node-timeout 1000 --cluster-require-full-coverage no
done

# A primary, its replica, and 3 sentinels (quorum 2) that fail it over 500 ms after it dies.
start primary "$primary"
start replica "$replica" --replicaof 127.0.0.1 "$primary"
for s in "$s1" "$s2" "$s3"; do
    mkdir -p "$dir/sentinel-$s"
    cat >"$dir/sentinel-$s/sentinel.conf" <<EOF
bind 127.0.0.1
port $s
dir $dir/sentinel-$s
logfile $dir/sentinel-$s.log
sentinel monitor wxmaster 127.0.0.1 $primary 2
sentinel down-after-milliseconds wxmaster 500
sentinel failover-timeout wxmaster 5000
sentinel parallel-syncs wxmaster 1
EOF
    "$REDIS_SENTINEL" "$dir/sentinel-$s/sentinel.conf" &
    pids+=($!)
done

# A throwaway CA, a server certificate it signs (for 127.0.0.1 and localhost), and an
# unrelated CA for the "wrong CA" test; then a server that speaks TLS only (--port 0).
pki="$dir/pki"
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=wxcloud test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=an unrelated CA" \
    -keyout "$pki/wrong-ca.key" -out "$pki/wrong-ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$pki/ext.cnf"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 1 -extfile "$pki/ext.cnf" -out "$pki/server.pem" 2>/dev/null
tls_password="tls-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
start tls 0 --tls-port "$tls" --tls-cert-file "$pki/server.pem" --tls-key-file "$pki/server.key" \
    --tls-ca-cert-file "$pki/ca.pem" --tls-auth-clients no --requirepass "$tls_password"

for p in "$single" "${cluster_ports[@]}" "$primary" "$replica" "$s1" "$s2" "$s3" "$tls"; do
    wait_port "$p"
done

cli() { "$REDIS_CLI" -h 127.0.0.1 "$@"; }
cluster_nodes=()
for p in "${cluster_ports[@]}"; do cluster_nodes+=("127.0.0.1:$p"); done
cli --cluster create "${cluster_nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/cluster-create.log"
for p in "${cluster_ports[@]}"; do
    until_ok "cluster_state:ok on $p" sh -c "'$REDIS_CLI' -h 127.0.0.1 -p $p cluster info | grep -q 'cluster_state:ok' && echo ok"
done
for p in "${cluster_ports[@]}"; do
    until_ok "node $p in sync" sh -c "'$REDIS_CLI' -h 127.0.0.1 -p $p info replication | grep -Eq 'role:master|master_link_status:up' && echo ok"
done
until_ok "the Sentinel replica in sync" sh -c "'$REDIS_CLI' -h 127.0.0.1 -p $replica info replication | grep -q master_link_status:up && echo ok"
for s in "$s1" "$s2" "$s3"; do
    until_ok "sentinel $s knowing the replica and the other sentinels" sh -c \
        "'$REDIS_CLI' -h 127.0.0.1 -p $s sentinel master wxmaster | tr '\n' ' ' | grep -Eq 'num-slaves 1 .*num-other-sentinels 2 ' && echo ok"
done

cluster_urls=""
for p in "${cluster_ports[@]}"; do cluster_urls+="${cluster_urls:+,}redis://127.0.0.1:$p"; done
export WXCLOUD_TEST_REDIS_URL="redis://127.0.0.1:$single/0"
export WXCLOUD_TEST_REDIS_CLUSTER_URLS="$cluster_urls"
export WXCLOUD_TEST_REDIS_SENTINEL_URL="redis+sentinel://127.0.0.1:$s1,127.0.0.1:$s2,127.0.0.1:$s3/wxmaster"
export WXCLOUD_TEST_REDIS_TLS_URL="rediss://:$tls_password@127.0.0.1:$tls/0"
export WXCLOUD_TEST_REDIS_CA_FILE="$pki/ca.pem"
export WXCLOUD_TEST_REDIS_WRONG_CA_FILE="$pki/wrong-ca.pem"
export WXCLOUD_TEST_REDIS_SERVER="$REDIS_SERVER"
export WXCLOUD_TEST_REDIS_CLI="$REDIS_CLI"
export WXCLOUD_REDIS_REQUIRED=1
echo "redis suite: servers up after $((SECONDS - started)) s: single $WXCLOUD_TEST_REDIS_URL," \
    "cluster $cluster_urls, sentinel $WXCLOUD_TEST_REDIS_SENTINEL_URL, TLS on port $tls"

cargo test --locked -p wxcloud --features redis --lib token::
cargo test --locked -p wxcloud --features redis --doc token
cargo test --locked -p wxcloud --features redis --test 'redis_*'
# The fleet tests spawn this worker; it is built only with the feature (required-features).
cargo build --locked -p wxcloud --features redis --example token_burst
cargo test --locked -p wxcloud-emulator --features wxcloud/redis --test 'redis_*'
echo "redis suite: $((SECONDS - started)) s in all"
