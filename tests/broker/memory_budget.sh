#!/usr/bin/env bash
# --max-memory (issue 18, item 1): two, then ten famqp-send of 1 MB
# messages to one queue with no consumer.  The broker grants credit by
# bytes, so it stops them at its 32 MiB budget (logged, nothing dropped)
# and its peak RSS (VmHWM) stays under 32 MiB plus a fixed 40 MiB
# overhead (start-up, per-connection buffers, one message in reassembly
# per sender).  Without the budget two senders drove it past 200 MB.
# FAMQP_TEST_NO_RSS=1 (sanitizer builds, set by CMake) skips the RSS bound.
# usage: memory_budget.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]
BIN=${1:?usage: memory_budget.sh BUILD_EXAMPLES_DIR [BROKER_ARGS...]}
shift
. "$(dirname "$0")/../tools/lib.sh"
budget=$((32 << 20))
overhead_kb=$((40 << 10))
for senders in 2 10; do
    start_broker m$senders --max-memory "$budget" "$@"
    pids=()
    for k in $(seq "$senders"); do
        timeout 60 "$send" "amqp://127.0.0.1:$port/q" --count 100 --size 1000000 --timeout 3 \
            >"$tmp/s$senders.$k.out" 2>&1 &
        pids+=($!) && rc_pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$broker_pid"/status)
    echo "$senders senders of 1 MB messages: broker peak RSS $hwm kB (budget $((budget >> 10)) kB)"
    if [[ ${FAMQP_TEST_NO_RSS:-} == 1 ]]; then
        echo "  (RSS not checked: a sanitizer build, whose shadow memory and quarantine it counts)"
    else
        ((hwm <= (budget >> 10) + overhead_kb)) || fail "$senders senders: peak RSS $hwm kB above the budget plus $overhead_kb kB"
    fi
    expect "$tmp/m$senders.err" "max-memory [0-9]+\): no new credit to its senders" "the budget reached ($senders senders)"
    stop_pid "$broker_pid"
done
finish
