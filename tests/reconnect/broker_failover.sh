#!/usr/bin/env bash
# famqp-send and famqp-recv with --failover through two famqp-brokers, A
# and B, at-least-once: both start on A; in the middle of the run A is
# killed (SIGKILL, by PID), both go on on B; A is started again on its
# port and later B is killed, so both wrap around to A.  The brokers run
# with --accept-when-consumed (a message is accepted only once a consumer
# took it), so whatever a dying broker held is something the sender was
# never told was safe, and must resend.  Hence every number 0..COUNT-1
# arrives (lost = 0), duplicates are counted, both clients reconnected at
# each kill, their summary lines name the URLs used, and their stderr
# says where each reconnect went.  Also: --failover's argument errors.
#
# usage: broker_failover.sh BUILD_EXAMPLES_DIR [COUNT] [SEND_RATE] [RECV_RATE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
count=${2:-40000}
send_rate=${3:-12000} # msg/s
rate=${4:-8000}       # msg/s: the run lasts about count/rate seconds
broker=$bin/famqp-broker/famqp-broker
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
fail=0

# ---- argument errors name the argument and the limit (no network) ----
expect_usage() { # NAME WANT... -- CMD...
    local name=$1 rc=0
    shift
    local want=()
    while [[ $1 != -- ]]; do want+=("$1"); shift; done
    shift
    "$@" >"$rc_tmp/$name.out" 2>"$rc_tmp/$name.err" || rc=$?
    [[ $rc == 2 ]] || { echo "FAILED: $name exited $rc, expected 2" >&2; cat "$rc_tmp/$name.err" >&2; fail=1; }
    for w in "${want[@]}"; do
        grep -qF -- "$w" "$rc_tmp/$name.err" ||
            { echo "FAILED: $name: stderr lacks '$w':" >&2; cat "$rc_tmp/$name.err" >&2; fail=1; }
    done
}
many=()
for i in $(seq 17); do many+=(--failover "amqp://127.0.0.1:$((1000 + i))"); done
expect_usage too_many "--failover" "1 to 16" -- "$send" amqp://127.0.0.1:1 q "${many[@]}"
expect_usage too_many_recv "--failover" "1 to 16" -- "$recv" amqp://127.0.0.1:1 q "${many[@]}"
expect_usage missing "--failover needs a URL" "1 to 16" -- "$send" amqp://127.0.0.1:1 q --failover
expect_usage bad_scheme "--failover" "scheme must be amqp://, amqps://, ws:// or wss://" -- \
    "$send" amqp://127.0.0.1:1 q --failover http://u:s3cret@127.0.0.1:2
grep -q s3cret "$rc_tmp/bad_scheme.err" && { echo "FAILED: the password was printed" >&2; fail=1; }
expect_usage other_address "names address 'other'" -- "$recv" amqp://127.0.0.1:1 q --failover amqp://127.0.0.1:2/other
expect_usage with_listen "with --listen only" -- "$recv" --listen 127.0.0.1:0 q --failover amqp://127.0.0.1:2
[[ $fail == 0 ]] || exit 1

# ---- the run ----
start brokerA "$broker" --listen 127.0.0.1:0 --accept-when-consumed
a_pid=$last_pid
a_port=$(wait_port brokerA)
start brokerB "$broker" --listen 127.0.0.1:0 --accept-when-consumed
b_pid=$last_pid
b_port=$(wait_port brokerB)
ua=amqp://127.0.0.1:$a_port
ub=amqp://127.0.0.1:$b_port

start recv "$recv" "$ua" fo-q --failover "$ub" --count "$count" --check-sequence --rate "$rate" --timeout 30
recv_pid=$last_pid
start send "$send" "$ua/fo-q" --failover "$ub" --count "$count" --rate "$send_rate" --timeout 30
send_pid=$last_pid

# Kill A about 25% into the run (both go to B), start A again half a
# second later, kill B about 55% into the run (both wrap around to A).
duration=$(awk -v c="$count" -v r="$rate" 'BEGIN { print c / r }')
kill_one() { # PID: SIGKILL and reap, while the sender still runs
    if ! alive "$send_pid"; then
        echo "FAILED: the sender finished before a broker was killed; raise COUNT or lower RATE" >&2
        cat "$rc_tmp/send.out" "$rc_tmp/send.err" >&2
        exit 1
    fi
    kill -9 "$1"
    wait "$1" 2>/dev/null || true
    if alive "$1"; then
        echo "FAILED: broker $1 still running after SIGKILL" >&2
        exit 1
    fi
}
sleep "$(awk -v d="$duration" 'BEGIN { printf "%.2f", d * 0.25 }')"
kill_one "$a_pid"
sleep 0.5
start brokerA2 "$broker" --listen "127.0.0.1:$a_port" --accept-when-consumed
a_pid=$last_pid
wait_port brokerA2 >/dev/null
sleep "$(awk -v d="$duration" 'BEGIN { printf "%.2f", d * 0.30 - 0.5 }')"
kill_one "$b_pid"

finish "$send_pid" send
finish "$recv_pid" recv
stop_pid "$a_pid"
cat "$rc_tmp/send.out" "$rc_tmp/recv.out" "$rc_tmp/send.err" "$rc_tmp/recv.err"

read_summaries
echo "famqp-broker A killed, then B: sent $sent, received $received, duplicates $duplicates, lost $lost," \
    "reconnects $send_reconnects (sender) $recv_reconnects (receiver), resent $resent"
[[ $sent == "$count" ]] || { echo "FAILED: sent $sent, expected $count" >&2; fail=1; }
[[ $distinct == "$count" && $lost == 0 ]] || { echo "FAILED: $lost of $count messages lost" >&2; fail=1; }
[[ $received -eq $((distinct + duplicates)) ]] || { echo "FAILED: received != distinct + duplicates" >&2; fail=1; }
[[ $send_reconnects -ge 2 && $recv_reconnects -ge 2 ]] ||
    { echo "FAILED: the clients did not reconnect after each of the 2 kills" >&2; fail=1; }
[[ $resent -ge 1 ]] || { echo "FAILED: nothing was unsettled at a kill: the resend was not tested" >&2; fail=1; }
for who in send recv; do
    grep -qF "urls used 2: $ua $ub" "$rc_tmp/$who.out" ||
        { echo "FAILED: $who's summary does not name both URLs (urls used 2: $ua $ub)" >&2; fail=1; }
    grep -qF "connection to $ua lost" "$rc_tmp/$who.err" && grep -qF "reconnected to $ub" "$rc_tmp/$who.err" ||
        { echo "FAILED: $who did not report the failover from A to B on stderr" >&2; fail=1; }
    grep -qF "connection to $ub lost" "$rc_tmp/$who.err" && grep -qF "reconnected to $ua" "$rc_tmp/$who.err" ||
        { echo "FAILED: $who did not report wrapping from B back to A on stderr" >&2; fail=1; }
done
exit $fail
