#!/usr/bin/env bash
# An idle famqp-broker sleeps in the event loop until there is work: over
# 3 s with one idle client connected it wakes (voluntary context switches,
# summed over all its threads) at most twice, where a loop polling a stop
# flag every second wakes at least three times.  SIGTERM and SIGINT (a signalfd the loop watches) stop
# it within a second, exit 0, with "SIGTERM: shutting down" and the
# client's connection closed with amqp:connection:forced.
# usage: idle.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]
BIN=${1:?usage: idle.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]}
shift
. "$(dirname "$0")/../tools/lib.sh"

# The main thread's and every loop thread's ("famqp-broker/N", with
# --threads N: each must sleep); not a sanitizer's helper thread.
switches() {
    local n=0 v t
    for t in /proc/"$1"/task/*; do
        [[ ${t##*/} == "$1" ]] || grep -q '^famqp-broker/' "$t/comm" 2>/dev/null || continue
        v=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "$t/status" 2>/dev/null) || v=0
        n=$((n + ${v:-0}))
    done
    echo "$n"
}

for sig in TERM INT; do
    start_broker "b-$sig" "$@"
    # A connected receiver waiting for a message that never comes.
    "$recv" "amqp://127.0.0.1:$port/idle" --count 1 --timeout 60 >"$tmp/r-$sig.out" 2>"$tmp/r-$sig.err" &
    rpid=$!
    rc_pids+=("$rpid")
    for _ in $(seq 100); do grep -q "attached consumer of 'idle'" "$tmp/b-$sig.err" && break; sleep 0.05; done
    sleep 0.5
    before=$(switches "$broker_pid")
    sleep 3
    after=$(switches "$broker_pid")
    woke=$((after - before))
    ((woke <= 2)) || fail "SIG$sig run: idle broker woke $woke times in 3 s (expected at most 2: no polling)"

    kill "-$sig" "$broker_pid"
    rc=0
    for _ in $(seq 10); do alive "$broker_pid" || break; sleep 0.1; done
    alive "$broker_pid" && { fail "famqp-broker still runs 1 s after SIG$sig; its threads:"; dump_stacks "$broker_pid" >&2; }
    wait "$broker_pid" || rc=$?
    [[ $rc == 0 ]] || fail "famqp-broker exit $rc after SIG$sig, expected 0"
    expect "$tmp/b-$sig.err" "famqp-broker: SIG$sig: shutting down" "SIG$sig shutdown message"
    rc=0
    wait "$rpid" || rc=$?
    [[ $rc == 1 ]] || fail "famqp-recv exit $rc when the broker shut down, expected 1"
    expect "$tmp/r-$sig.err" "amqp:connection:forced" "famqp-recv told of the forced close"
done
finish
