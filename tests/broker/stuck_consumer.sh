#!/usr/bin/env bash
# No consumer can stall a queue (issue 18, item 2): a consumer that grants
# 1,000,000 credit and never settles (stuck_consumer.py, Qpid Proton's
# Python client) reaches the engine's max_unsettled_per_link (65,536
# deliveries held); a well-behaved famqp-recv on the same queue must then
# still receive every one of 20,000 more messages, and the stuck one gets
# none beyond its limit.  Once the stuck one settles what it holds, it
# receives again (without granting more credit).  Then --detach-stalled-after: a broker started
# with it detaches the stuck consumer (amqp:resource-limit-exceeded) once
# it has been stalled that long, and its messages go to the other consumer.
# usage: stuck_consumer.sh BUILD_EXAMPLES_DIR PYTHON [BROKER_ARGS...]
BIN=${1:?usage: stuck_consumer.sh BUILD_EXAMPLES_DIR PYTHON [BROKER_ARGS...]}
py=${2:?usage: stuck_consumer.sh BUILD_EXAMPLES_DIR PYTHON [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"
stuck_py=$(dirname "$0")/stuck_consumer.py
limit=65536

# wait_status FILE PATTERN SECONDS: FILE's line matches PATTERN in time.
wait_status() {
    for _ in $(seq $(($3 * 10))); do
        [[ -f $1 ]] && grep -qE "$2" "$1" && return 0
        sleep 0.1
    done
    return 1
}

start_broker b "$@"
url=amqp://127.0.0.1:$port
"$py" "$stuck_py" "$url" q 1000000 "$tmp/stuck.status" --timeout 200 >"$tmp/stuck.out" 2>"$tmp/stuck.err" &
stuck_pid=$!
rc_pids+=("$stuck_pid")
wait_status "$tmp/stuck.status" '^0 0$' 30 || { fail "the stuck consumer did not attach"; cat "$tmp/stuck.err" >&2; exit 1; }
timeout 120 "$send" "$url/q" --count $((limit + 100)) --size 16 --timeout 100 >"$tmp/s1.out" 2>"$tmp/s1.err" ||
    fail "famqp-send of the first $((limit + 100)): $(cat "$tmp/s1.err")"
wait_status "$tmp/stuck.status" "^$limit $limit\$" 60 || fail "the stuck consumer holds $(cat "$tmp/stuck.status"), not $limit"

count=20000
timeout 120 "$send" "$url/q" --count "$count" --size 16 --timeout 100 >"$tmp/s2.out" 2>"$tmp/s2.err" &
spid=$!
rc_pids+=("$spid")
timeout 120 "$recv" "$url/q" --count $((count + 100)) --timeout 60 >"$tmp/r.out" 2>"$tmp/r.err" ||
    fail "the well-behaved consumer beside a stuck one failed: $(cat "$tmp/r.out" "$tmp/r.err")"
wait "$spid" || fail "famqp-send of $count more: $(cat "$tmp/s2.err")"
expect "$tmp/r.out" "^received $((count + 100)) messages" "the well-behaved consumer"
sleep 1
grep -qx "$limit $limit" "$tmp/stuck.status" ||
    fail "the stuck consumer now has (received, unsettled) $(cat "$tmp/stuck.status"), not $limit $limit"
# It settles all it holds: the next 1,000 messages go to it.
touch "$tmp/stuck.status.settle"
wait_status "$tmp/stuck.status" "^$limit 0\$" 30 || fail "the stuck consumer did not settle: $(cat "$tmp/stuck.status")"
timeout 60 "$send" "$url/q" --count 1000 --size 16 --timeout 50 >"$tmp/s4.out" 2>"$tmp/s4.err" ||
    fail "famqp-send of 1000 after the settle: $(cat "$tmp/s4.err")"
wait_status "$tmp/stuck.status" "^$((limit + 1000)) 0\$" 30 ||
    fail "the consumer that settled did not receive again: (received, unsettled) $(cat "$tmp/stuck.status")"
stop_pid "$stuck_pid"
stop_pid "$broker_pid"

# --detach-stalled-after: a consumer stalled (its unsettled limit reached)
# for 2 s is detached; what it held goes to the next consumer.
start_broker d --detach-stalled-after 2000 "$@"
url=amqp://127.0.0.1:$port
rm -f "$tmp/stuck.status" "$tmp/stuck.status.settle"
"$py" "$stuck_py" "$url" q 1000000 "$tmp/stuck.status" --timeout 200 >"$tmp/stuck2.out" 2>"$tmp/stuck2.err" &
stuck_pid=$!
rc_pids+=("$stuck_pid")
wait_status "$tmp/stuck.status" '^0 0$' 30 || { fail "the stuck consumer did not attach"; exit 1; }
timeout 120 "$send" "$url/q" --count $((limit + 100)) --size 16 --timeout 100 >"$tmp/s3.out" 2>"$tmp/s3.err" ||
    fail "famqp-send to the second broker: $(cat "$tmp/s3.err")"
wait_status "$tmp/stuck.status" '^detached amqp:resource-limit-exceeded$' 60 ||
    fail "the stalled consumer was not detached with amqp:resource-limit-exceeded: $(cat "$tmp/stuck.status")"
grep -q "stalled" "$tmp/d.err" || fail "the broker did not log the stalled consumer's detach"
timeout 60 "$recv" "$url/q" --count $((limit + 100)) --timeout 50 >"$tmp/r2.out" 2>"$tmp/r2.err" ||
    fail "the consumer after the detach did not get all $((limit + 100)): $(cat "$tmp/r2.out" "$tmp/r2.err")"
stop_pid "$stuck_pid"
stop_pid "$broker_pid"
finish
