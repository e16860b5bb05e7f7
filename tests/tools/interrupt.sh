#!/usr/bin/env bash
# Stalls and signals, against famqp-broker on 127.0.0.1:
#   - a sender whose queue is full (famqp-broker --max-depth) says within
#     a few seconds that it has no credit and names --max-depth; the
#     broker logs that the queue reached --max-depth; after --timeout the
#     final error says the same;
#   - SIGINT to a stalled famqp-send: "interrupted: sent X of N, Y settled",
#     exit 130, and a clean AMQP close (the broker sees no connection error);
#   - SIGTERM to a waiting famqp-recv: "interrupted: received X of N", 130,
#     clean close.
# usage: interrupt.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: interrupt.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"

start_broker b --credit 10 --max-depth 50
url=amqp://127.0.0.1:$port

# Credit stall until --timeout.
rc=0
timeout 30 "$send" "$url/full" --count 200 --timeout 4 >"$tmp/stall.out" 2>"$tmp/stall.err" || rc=$?
[[ $rc == 1 ]] || fail "stalled send: exit $rc, expected 1"
expect "$tmp/stall.err" "no credit for [0-9]+ s: the peer has granted no credit .*sent 50 of 200, 50 settled.*--max-depth" \
    "stall report"
expect "$tmp/stall.err" "sending message 50 failed: timed out waiting for credit .*after 4 s.*--max-depth" \
    "final stall error"
expect "$tmp/b.err" "queue 'full' holds 50 messages \(--max-depth 50\): no new credit" "broker max-depth log"

# interrupt NAME SIGNAL CMD...: runs CMD in the background, sends SIGNAL
# once it waits (1.5 s), and sets $rc; bounded by 20 s.
interrupt() {
    local name=$1 sig=$2
    shift 2
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    local pid=$!
    rc_pids+=("$pid")
    sleep 1.5
    kill "-$sig" "$pid"
    rc=0
    for _ in $(seq 200); do alive "$pid" || break; sleep 0.1; done
    wait "$pid" || rc=$?
}
# The queue is full: the broker grants no credit at attach (never more
# than the queue can take, --max-depth counted with its bytes budget).
interrupt send INT "$send" "$url/full" --count 1000 --timeout 30
[[ $rc == 130 ]] || fail "SIGINT to famqp-send: exit $rc, expected 130"
expect "$tmp/send.err" "^interrupted: sent 0 of 1000, 0 settled \(SIGINT\)$" "famqp-send SIGINT summary"

interrupt recv TERM "$recv" "$url/empty" --count 10 --timeout 30
[[ $rc == 130 ]] || fail "SIGTERM to famqp-recv: exit $rc, expected 130"
expect "$tmp/recv.err" "^interrupted: received 0 of 10 \(SIGTERM\)$" "famqp-recv SIGTERM summary"

# Both closed their connections with an AMQP close: the broker logged
# three connections that ended and no failure.
sleep 0.3
[[ $(grep -c "ended$" "$tmp/b.err") == 3 ]] || { fail "broker: not 3 connections ended"; cat "$tmp/b.err" >&2; }
if grep -q "failed" "$tmp/b.err"; then
    fail "broker saw a connection fail (no clean AMQP close):"
    cat "$tmp/b.err" >&2
fi
finish
