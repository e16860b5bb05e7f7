#!/usr/bin/env bash
# The RabbitMQ column of the interop matrix (issue 4) against one private
# RabbitMQ 3.10 started by rabbitmq.sh: famqp-send/famqp-recv and the
# client API (rabbitmq-cells).  Every cell prints one "PASS name" or
# "FAIL name" line; the script exits non-zero when any cell failed.
# Usage: rabbitmq_matrix.sh BIN_DIR RABBITMQ_CELLS [CELL_NAME_REGEX]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/rabbitmq.sh"
bin=$1
cells=$2
only=${3:-.}
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
count=10000
large=$((4 * 1024 * 1024))
idle_ms=2000

# RabbitMQ's default heartbeat (60 s) first: with a short one the
# broker's heartbeats would wake clients that wrongly wait for input
# (see tools_at_most_once).  The idle cell runs last, after a restart
# with heartbeat = 2 s.
rmq_start
url=$rmq_url

# famqp-send/recv refuse SASL PLAIN in clear text unless told.  (The help
# is read whole first: `--help | grep -q` under pipefail fails whenever
# grep exits before famqp-send has written the rest, SIGPIPE; seen in an
# ASan run once --help had grown.)
plain_flag=()
send_help=$("$send" --help)
if [[ $send_help == *--allow-plain-insecure* ]]; then
    plain_flag=(--allow-plain-insecure)
fi

failed=()
passed=0
t_all=$SECONDS

# cell NAME CMD...: runs one cell (a shell function or a program) and
# prints its result line; the output goes to the log either way.
cell() {
    local name=$1 rc=0 t0=$SECONDS
    shift
    [[ $name =~ $only ]] || return 0
    echo "---- $name"
    "$@" || rc=$?
    if [[ $rc -eq 0 ]]; then
        echo "PASS $name ($((SECONDS - t0)) s)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (exit $rc, $((SECONDS - t0)) s)"
        failed+=("$name")
    fi
}

# run_bg NAME CMD...: a client in the background (lib.sh's start: killed
# at exit); wait_ok PID NAME prints its output and fails unless it exited 0.
run_bg() {
    start "$@"
}
wait_ok() {
    local rc=0
    wait "$1" || rc=$?
    cat "$interop_tmp/$2.out" "$interop_tmp/$2.err"
    [[ $rc -eq 0 ]] || { echo "$2 exited $rc" >&2; return 1; }
}

# Sender and receiver at the same time; the receiver checks 0..N-1 once
# each, in order.  The sender must finish promptly: waiting out its
# --timeout (30 s) before exiting is a failure.
tools_roundtrip() { # QUEUE SEND_FLAGS...
    local q=$1 secs
    shift
    run_bg "recv-${q##*/}" "$recv" "$url" "$q" --count "$count" --check-sequence --timeout 30
    local r=$last_pid
    run_bg "send-${q##*/}" "$send" "$url" "$q" --count "$count" --size 100 "$@"
    local s=$last_pid
    if ! wait_ok "$s" "send-${q##*/}"; then
        kill "$r" 2>/dev/null || true
        wait "$r" 2>/dev/null || true
        return 1
    fi
    wait_ok "$r" "recv-${q##*/}" || return 1
    secs=$(sed -n 's/^sent [0-9]* messages in \([0-9]*\)\..*/\1/p' "$interop_tmp/send-${q##*/}.out")
    if [[ -z $secs || $secs -ge 10 ]]; then
        echo "famqp-send took ${secs:-?} s for $count messages (should be well under 10 s)" >&2
        return 1
    fi
}

tools_large() {
    "$send" "$url" /queue/tools-large --count 1 --size "$large" &&
        "$recv" "$url" /queue/tools-large --count 1 --check-sequence --timeout 10
}

tools_plain_right() {
    "$send" "amqp://guest:guest@127.0.0.1:$rmq_port" /queue/tools-sasl --count 3 "${plain_flag[@]}" &&
        "$recv" "amqp://guest:guest@127.0.0.1:$rmq_port" /queue/tools-sasl --count 3 "${plain_flag[@]}"
}

tools_plain_wrong() {
    local rc=0 err=$interop_tmp/plain-wrong.err
    timeout 20 "$send" "amqp://guest:wrong@127.0.0.1:$rmq_port" /queue/tools-sasl --count 1 "${plain_flag[@]}" \
        2>"$err" || rc=$?
    cat "$err"
    if [[ $rc -eq 0 || $rc -eq 124 ]]; then
        echo "wrong password: famqp-send exited $rc (0 = accepted, 124 = hung)" >&2
        return 1
    fi
    grep -qi "authentication failed" "$err" || { echo "no clear authentication error" >&2; return 1; }
}

tools_anonymous() {
    "$send" "$url" /queue/tools-anon --count 3 && "$recv" "$url" /queue/tools-anon --count 3 --check-sequence
}

api_drain_classic() {
    # RabbitMQ 3.10.8 crashes the consumer's channel on drain from a
    # classic queue (rabbitmq-server #7119, fixed by #7141 in later
    # 3.10.x): the session ends with amqp:internal-error naming
    # send_drained.  Accept a correct drain, or exactly that broker error
    # reported through our API, never a hang or another failure.
    local rc=0 out=$interop_tmp/drain-classic.err
    "$cells" "$url" drain /queue/api-drain-classic 2>"$out" || rc=$?
    cat "$out"
    [[ $rc -eq 0 ]] && return 0
    if grep -q "the peer ended the session: amqp:internal-error.*send_drained" "$out"; then
        echo "known RabbitMQ 3.10.8 bug #7119 (drain on a classic queue), reported cleanly by flatamqp"
        return 0
    fi
    return 1
}

api_drain_quorum() {
    rmq_declare_queue api-drain-quorum quorum && "$cells" "$url" drain /amq/queue/api-drain-quorum
}

cell tools_at_least_once tools_roundtrip /queue/tools-alo
cell tools_at_most_once tools_roundtrip /queue/tools-amo --settled
cell tools_large_4MiB tools_large
cell api_at_least_once "$cells" "$url" roundtrip /queue/api-alo "$count" unsettled
cell api_at_most_once "$cells" "$url" roundtrip /queue/api-amo "$count" settled
cell api_large_4MiB "$cells" "$url" large /queue/api-large "$large"
cell api_outcomes "$cells" "$url" outcomes /queue/api-outcomes
cell api_drain_quorum_queue api_drain_quorum
cell api_drain_classic_queue api_drain_classic
cell api_properties "$cells" "$url" properties /queue/api-props
cell sasl_plain_right_tools tools_plain_right
cell sasl_plain_right_api "$cells" "amqp://guest:guest@127.0.0.1:$rmq_port" connect plain
cell sasl_plain_wrong_tools tools_plain_wrong
cell sasl_plain_wrong_api "$cells" "amqp://guest:wrong@127.0.0.1:$rmq_port" auth-fails
cell sasl_anonymous_tools tools_anonymous
cell sasl_anonymous_api "$cells" "$url" connect anonymous

# Idle timeout both ways: the broker advertises idle-time-out 2000 ms (so
# we must send heartbeats) and we ask for 2000 ms (so it must).  Also
# checks rmq_restart: the queue declared before must still exist.
idle_restart() {
    echo "heartbeat = 2" >>"$rmq_dir/rabbitmq.conf"
    rmq_restart
    local out
    out=$("$cells" "$url" idle /amq/queue/api-drain-quorum "$idle_ms") || return 1
    echo "$out"
    [[ $out == *"broker's 2000 ms"* ]] ||
        { echo "the broker did not advertise idle-time-out 2000 ms after the restart" >&2; return 1; }
}
cell refused_receiver_missing_queue "$cells" "$url" refused-receiver /amq/queue/doesnotexist
cell refused_sender_missing_exchange "$cells" "$url" refused-sender /exchange/doesnotexist
cell refused_receiver_settle_second "$cells" "$url" refused-receiver-second /queue/api-second
cell idle_timeout_both_ways_after_restart idle_restart

echo "==== RabbitMQ column: $passed passed, ${#failed[@]} failed in $((SECONDS - t_all)) s (broker start excluded)"
if ((${#failed[@]})); then
    echo "failed cells: ${failed[*]}"
    echo "broker log: $rmq_dir/log/$rmq_node.log (last lines)"
    tail -n 30 "$rmq_dir/log/$rmq_node.log" || true
    exit 1
fi
