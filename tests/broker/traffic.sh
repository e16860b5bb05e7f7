#!/usr/bin/env bash
# Concurrent traffic through one famqp-broker: PAIRS queues, each with its
# own famqp-send and famqp-recv connection (--check-sequence: every message
# once, in order), at-least-once and, on half the queues, pre-settled; all
# running at the same time, with a small --credit and --max-depth so credit
# is topped up and queues fill and drain many times.  Then a consumer that
# leaves with messages in flight: the rest are requeued and a second
# consumer gets all the remaining ones.  Last, --accept-when-consumed on a
# second broker: each sender's messages are settled only with its
# consumer's outcome (with --threads, by another thread than the consumer's).
# usage: traffic.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]
BIN=${1:?usage: traffic.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]}
shift
. "$(dirname "$0")/../tools/lib.sh"

pairs=6
count=20000
start_broker b --credit 50 --max-depth 300 "$@"
url=amqp://127.0.0.1:$port

pids=()
for i in $(seq "$pairs"); do
    flags=()
    ((i % 2)) && flags=(--settled)
    "$recv" "$url/q$i" --count "$count" --check-sequence --credit 100 --timeout 30 >"$tmp/r$i.out" 2>"$tmp/r$i.err" &
    pids+=($!) && rc_pids+=($!)
    "$send" "$url/q$i" --count "$count" --size 100 --timeout 30 "${flags[@]}" >"$tmp/s$i.out" 2>"$tmp/s$i.err" &
    pids+=($!) && rc_pids+=($!)
done
for pid in "${pids[@]}"; do
    rc=0
    wait "$pid" || rc=$?
    [[ $rc == 0 ]] || fail "a sender or receiver (pid $pid) exited $rc"
done
for i in $(seq "$pairs"); do
    expect "$tmp/r$i.out" "^received $count messages" "receiver of q$i"
    [[ -s $tmp/r$i.err ]] && { fail "receiver of q$i complained:"; cat "$tmp/r$i.err" >&2; }
done

# Requeue: 250 queued; a consumer takes 100 with all 250 in flight to it
# and leaves; the next one gets the 150 left (and no more).
"$send" "$url/rq" --count 250 --size 100 >"$tmp/rq-send.out" 2>"$tmp/rq-send.err" || fail "requeue: send"
"$recv" "$url/rq" --count 100 --credit 1000 >"$tmp/rq-r1.out" 2>"$tmp/rq-r1.err" || fail "requeue: first consumer"
"$recv" "$url/rq" --count 150 --timeout 5 >"$tmp/rq-r2.out" 2>"$tmp/rq-r2.err" || fail "requeue: second consumer"
expect "$tmp/rq-r2.out" "^received 150 messages" "requeued messages to the second consumer"
rc=0
"$recv" "$url/rq" --count 1 --timeout 1 >"$tmp/rq-r3.out" 2>"$tmp/rq-r3.err" || rc=$?
[[ $rc == 1 ]] || fail "requeue: a third consumer got a message (exit $rc): duplicated?"
if grep -q "failed" "$tmp/b.err"; then
    fail "the broker saw a connection fail:"
    cat "$tmp/b.err" >&2
fi
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }

start_broker bw --accept-when-consumed --credit 50 "$@"
url=amqp://127.0.0.1:$port
pids=()
for i in 1 2 3; do
    "$recv" "$url/w$i" --count 2000 --check-sequence --credit 100 --timeout 30 >"$tmp/w-r$i.out" 2>"$tmp/w-r$i.err" &
    pids+=($!) && rc_pids+=($!)
    "$send" "$url/w$i" --count 2000 --size 100 --timeout 30 >"$tmp/w-s$i.out" 2>"$tmp/w-s$i.err" &
    pids+=($!) && rc_pids+=($!)
done
for pid in "${pids[@]}"; do
    rc=0
    wait "$pid" || rc=$?
    [[ $rc == 0 ]] || fail "--accept-when-consumed: a sender or receiver (pid $pid) exited $rc"
done
for i in 1 2 3; do
    expect "$tmp/w-r$i.out" "^received 2000 messages" "--accept-when-consumed: receiver of w$i"
    expect "$tmp/w-s$i.out" "^sent 2000 messages" "--accept-when-consumed: sender of w$i"
done
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker --accept-when-consumed exit $rc after SIGTERM:"; cat "$tmp/bw.err" >&2; }
finish
