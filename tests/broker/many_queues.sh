#!/usr/bin/env bash
# Queues in a hash table, auto-deleted, at most --max-queues (issue 18,
# item 3).  many_queues attaches and detaches a sender to each of 100,000
# distinct 256-byte addresses on one connection; the broker (--verbose)
# reports at exit how many names its lookups compared, which must stay
# below two per lookup (a list compared thousands); with
# --auto-delete-after 2000 every queue is deleted once unused and the
# broker's RSS goes back to within 8 MiB of what it was before (all kept,
# 100,000 such queues hold about 40 MB).  Then --max-queues 5: the sixth
# address is refused with amqp:resource-limit-exceeded naming the option,
# and once the five are deleted, five new ones fit.
# FAMQP_TEST_NO_RSS=1 (sanitizer builds, set by CMake) skips the RSS bound.
# usage: many_queues.sh BUILD_EXAMPLES_DIR MANY_QUEUES [BROKER_ARGS...]
BIN=${1:?usage: many_queues.sh BUILD_EXAMPLES_DIR MANY_QUEUES [BROKER_ARGS...]}
mq=${2:?usage: many_queues.sh BUILD_EXAMPLES_DIR MANY_QUEUES [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"
[[ -x $mq ]] || { echo "FAILED: $mq not built" >&2; exit 1; }

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/"$1"/status; }
# wait_log FILE PATTERN SECONDS
wait_log() {
    for _ in $(seq $(($3 * 10))); do
        grep -qE "$2" "$1" && return 0
        sleep 0.1
    done
    return 1
}

n=100000
start_broker b --auto-delete-after 2000 "$@"
url=amqp://127.0.0.1:$port
base=$(rss_kb "$broker_pid")
# A first connection of 5 (with --threads, the big one then runs on
# another worker than the one that deletes queues).
timeout 60 "$mq" "$url" 5 16 >"$tmp/mq0.out" 2>&1 || fail "5 queues first: $(cat "$tmp/mq0.out")"
timeout 150 "$mq" "$url" "$n" 256 --timeout 120 >"$tmp/mq.out" 2>"$tmp/mq.err" ||
    fail "many_queues: $(cat "$tmp/mq.out" "$tmp/mq.err")"
cat "$tmp/mq.out"
peak=$(rss_kb "$broker_pid")
wait_log "$tmp/b.err" 'deleted [0-9]+ unused queues \(0 left\)' 30 || fail "the unused queues were not all deleted"
after=$(rss_kb "$broker_pid")
echo "broker RSS: $base kB at start, $peak kB after the $n addresses, $after kB once their queues were deleted"
if [[ ${FAMQP_TEST_NO_RSS:-} == 1 ]]; then
    echo "(RSS not checked: a sanitizer build, whose shadow memory and quarantine it counts)"
else
    ((after <= base + 8192)) || fail "the broker's RSS is $after kB once the queues were deleted, $base kB at start"
fi
kill "$broker_pid"
wait "$broker_pid" || fail "famqp-broker exited $? on SIGTERM"
stats=$(grep -m1 'queue table:' "$tmp/b.err" || true)
echo "${stats#famqp-broker: }"
if [[ $stats =~ ([0-9]+)\ lookups\ compared\ ([0-9]+)\ names ]]; then
    lookups=${BASH_REMATCH[1]} compared=${BASH_REMATCH[2]}
    ((lookups >= n + 5)) || fail "only $lookups queue lookups counted for $((n + 5)) addresses"
    ((compared <= 2 * lookups)) || fail "$lookups lookups compared $compared names: not a hash table's few"
else
    fail "famqp-broker --verbose did not report its queue table at exit"
fi

# --max-queues 5: the sixth address is refused, naming the option.
start_broker m --max-queues 5 --auto-delete-after 0 "$@"
url=amqp://127.0.0.1:$port
rc=0
timeout 60 "$mq" "$url" 6 16 >"$tmp/m.out" 2>"$tmp/m.err" || rc=$?
[[ $rc == 1 ]] || fail "many_queues to 6 addresses with --max-queues 5 exited $rc"
expect "$tmp/m.out" '^refused address 5: amqp:resource-limit-exceeded: .*--max-queues' "the sixth queue"
stop_pid "$broker_pid"
# ... and deleted queues make room: 5, then 5 others once those are gone.
start_broker m2 --max-queues 5 --auto-delete-after 200 "$@"
url=amqp://127.0.0.1:$port
timeout 60 "$mq" "$url" 5 16 >"$tmp/m2.out" 2>&1 || fail "5 queues: $(cat "$tmp/m2.out")"
wait_log "$tmp/m2.err" '\(0 left\)' 10 || fail "the 5 queues were not deleted"
timeout 60 "$mq" "$url" 5 20 >"$tmp/m3.out" 2>&1 || fail "5 new queues after the first 5 were deleted: $(cat "$tmp/m3.out")"
stop_pid "$broker_pid"
finish
