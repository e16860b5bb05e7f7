#!/usr/bin/env bash
# famqp-send -> famqp-broker -> famqp-recv over 127.0.0.1, as the interop
# test famqp_through_broker.sh does it, against a broker given extra
# arguments (e.g. --threads 2, which puts sender and receiver on different
# threads): COUNT messages at-least-once, then at-most-once, sender and
# receiver running at the same time; famqp-recv --check-sequence fails on
# any loss, duplicate or reordering.
# usage: through.sh BUILD_EXAMPLES_DIR COUNT [BROKER_ARGS...]
BIN=${1:?usage: through.sh BUILD_EXAMPLES_DIR COUNT [BROKER_ARGS...]}
count=${2:?usage: through.sh BUILD_EXAMPLES_DIR COUNT [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

start_broker b "$@"
url=amqp://127.0.0.1:$port
for mode in at-least-once at-most-once; do
    flags=()
    [[ $mode == at-most-once ]] && flags=(--settled)
    "$recv" "$url/q-$mode" --count "$count" --check-sequence --timeout 60 >"$tmp/r-$mode.out" 2>"$tmp/r-$mode.err" &
    rpid=$! && rc_pids+=($!)
    "$send" "$url/q-$mode" --count "$count" --size 100 --timeout 60 "${flags[@]}" >"$tmp/s-$mode.out" 2>"$tmp/s-$mode.err" &
    spid=$! && rc_pids+=($!)
    for pid in "$spid" "$rpid"; do
        rc=0
        wait "$pid" || rc=$?
        [[ $rc == 0 ]] || { fail "$mode: a sender or receiver (pid $pid) exited $rc:"; cat "$tmp"/*-"$mode".err >&2; }
    done
    expect "$tmp/r-$mode.out" "^received $count messages" "$mode: receiver"
done
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
