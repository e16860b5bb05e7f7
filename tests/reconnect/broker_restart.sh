#!/usr/bin/env bash
# famqp-send --reconnect sends COUNT numbered messages at-least-once through
# famqp-broker while famqp-recv --reconnect receives them; in the middle of
# the run the broker is killed (SIGKILL, by PID) and a new one started on
# the same port, twice.  The broker runs with --accept-when-consumed: it accepts a
# sender's message only once a consumer accepted it, so every message it
# lost by dying is one the sender was never told was settled, and the
# sender must resend it.  Hence: every number 0..COUNT-1 arrives at least
# once (lost = 0), duplicates are counted and reported, and both clients
# must have reconnected (else the kill missed the run and the test fails).
#
# The receiver takes messages more slowly than the sender offers them, so
# at the kill the sender has a full window of unsettled messages (queued in
# the broker or held by the receiver), which it must resend.
#
# usage: broker_restart.sh BUILD_EXAMPLES_DIR [COUNT] [SEND_RATE] [RECV_RATE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
count=${2:-50000}
send_rate=${3:-12000} # msg/s
rate=${4:-8000}       # msg/s: the run lasts about count/rate seconds, the kill lands inside it
broker=$bin/famqp-broker/famqp-broker
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv

start broker1 "$broker" --listen 127.0.0.1:0 --accept-when-consumed
broker_pid=$last_pid
port=$(wait_port broker1)
url=amqp://127.0.0.1:$port

start recv "$recv" "$url" restart-q --count "$count" --check-sequence --reconnect --rate "$rate" \
    --timeout 30
recv_pid=$last_pid
start send "$send" "$url" restart-q --count "$count" --reconnect --rate "$send_rate" --timeout 30
send_pid=$last_pid

# Kill the broker about 25% and again about 55% into the run, each time
# restarting it on the same port half a second later.
duration=$(awk -v c="$count" -v r="$rate" 'BEGIN { print c / r }')
restarts=0
for at in 0.25 0.55; do
    sleep "$(awk -v d="$duration" -v a="$at" -v p="$restarts" 'BEGIN { printf "%.2f", d * a - (p ? d * 0.25 + 0.5 : 0) }')"
    if ! alive "$send_pid"; then
        echo "FAILED: the sender finished before the broker was killed; raise COUNT or lower RATE" >&2
        cat "$rc_tmp/send.out" "$rc_tmp/send.err" >&2
        exit 1
    fi
    kill -9 "$broker_pid"
    wait "$broker_pid" 2>/dev/null || true
    if alive "$broker_pid"; then
        echo "FAILED: broker $broker_pid still running after SIGKILL" >&2
        exit 1
    fi
    sleep 0.5
    restarts=$((restarts + 1))
    start "broker$((restarts + 1))" "$broker" --listen "127.0.0.1:$port" --accept-when-consumed
    broker_pid=$last_pid
    wait_port "broker$((restarts + 1))" >/dev/null
done

finish "$send_pid" send
finish "$recv_pid" recv
stop_pid "$broker_pid"
cat "$rc_tmp/send.out" "$rc_tmp/recv.out"

read_summaries
echo "famqp-broker killed and restarted $restarts times: sent $sent, received $received, duplicates $duplicates, lost $lost," \
    "reconnects $send_reconnects (sender) $recv_reconnects (receiver), resent $resent"
fail=0
[[ $sent == "$count" ]] || { echo "FAILED: sent $sent, expected $count" >&2; fail=1; }
[[ $distinct == "$count" && $lost == 0 ]] || { echo "FAILED: $lost of $count messages lost" >&2; fail=1; }
[[ $received -eq $((distinct + duplicates)) ]] || { echo "FAILED: received != distinct + duplicates" >&2; fail=1; }
[[ $send_reconnects -ge $restarts && $recv_reconnects -ge $restarts ]] ||
    { echo "FAILED: the clients did not reconnect after each of the $restarts restarts" >&2; fail=1; }
[[ $resent -ge 1 ]] || { echo "FAILED: nothing was unsettled at the kill: the resend was not tested" >&2; fail=1; }
exit $fail
