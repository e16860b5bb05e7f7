#!/usr/bin/env bash
# One thread with CONNS asynchronous connections (perf/async_clients.c,
# famqp/async.h), each sending COUNT 100-byte messages at-least-once
# through famqp-broker, against the blocking client (famqp-send, one
# connection) sending the same total, in the same run: REPS repetitions of
# each on a fresh broker (127.0.0.1, a free port, stopped by PID); prints
# every run's msg/s, sorted, and the median of each.
# usage: async_clients.sh BUILD_DIR [CONNS [COUNT [REPS]]]   (defaults 100 10000 3)
set -euo pipefail
build=${1:?usage: async_clients.sh BUILD_DIR [CONNS [COUNT [REPS]]]}
conns=${2:-100} count=${3:-10000} reps=${4:-3}
broker=$build/examples/famqp-broker/famqp-broker
send=$build/examples/famqp-send/famqp-send
async=$build/perf/async-clients
tmp=$(mktemp -d)
bp=
cleanup() {
    [ -z "$bp" ] || { kill "$bp" 2>/dev/null || true; wait "$bp" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT

start_broker() {
    : >"$tmp/b.out" # there before the loop below reads it
    "$broker" --listen 127.0.0.1:0 >"$tmp/b.out" 2>"$tmp/b.err" &
    bp=$!
    for _ in $(seq 100); do grep -q '^listening on ' "$tmp/b.out" && break; sleep 0.05; done
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/b.out")
    [ -n "$port" ] || { echo "famqp-broker did not start" >&2; cat "$tmp/b.err" >&2; exit 1; }
}
stop_broker() { kill -TERM "$bp"; wait "$bp" || true; bp=; }
rate() { sed -n 's/.*: \([0-9.]*\) msg\/s.*/\1/p' "$1" | head -1; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

total=$((conns * count))
a=() s=()
for _ in $(seq "$reps"); do
    start_broker
    timeout 600 "$async" "amqp://127.0.0.1:$port" "$conns" "$count" 100 >"$tmp/a.out"
    a+=("$(rate "$tmp/a.out")")
    stop_broker
    start_broker
    timeout 600 "$send" "amqp://127.0.0.1:$port" q --count "$total" --size 100 >"$tmp/s.out"
    s+=("$(rate "$tmp/s.out")")
    stop_broker
done
echo "async, $conns connections x $count: $(printf '%s\n' "${a[@]}" | sort -n | tr '\n' ' ')"
echo "famqp-send, 1 connection x $total: $(printf '%s\n' "${s[@]}" | sort -n | tr '\n' ' ')"
echo "median msg/s: async $(median "${a[@]}"), famqp-send $(median "${s[@]}")"
