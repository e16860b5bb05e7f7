#!/usr/bin/env bash
# CTest uv_broker_100k: starts famqp-broker ($1) on a free 127.0.0.1 port,
# runs the libuv transfer program ($2) against it with COUNT ($3) messages,
# and stops the broker by PID whatever happens.
#   run_uv_broker.sh FAMQP_BROKER UV_BROKER_TRANSFER [COUNT]
set -euo pipefail
broker=$1 program=$2 count=${3:-100000}
tmp=$(mktemp -d)
broker_pid=
cleanup() {
    [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT

"$broker" --listen 127.0.0.1:0 >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$tmp/broker.out" && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$tmp/broker.err" >&2; exit 1; }
    sleep 0.05
done
address=$(sed -n 's/^listening on //p' "$tmp/broker.out")
[ -n "$address" ] || { echo "famqp-broker did not start" >&2; exit 1; }
echo "famqp-broker listening on $address"
"$program" "$address" "$count"
