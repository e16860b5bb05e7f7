#!/usr/bin/env bash
# famqp-broker's Event Hubs data plane from flatamqp's client
# (eventhub_check.c): partitions, batches, positions, partition keys,
# consumer groups, epochs; then retention with --eh-max-events 5.
# usage: eventhub.sh BUILD_EXAMPLES_DIR EVENTHUB_CHECK [BROKER_ARGS...]
BIN=${1:?usage: eventhub.sh BUILD_EXAMPLES_DIR EVENTHUB_CHECK [BROKER_ARGS...]}
check=${2:?usage: eventhub.sh BUILD_EXAMPLES_DIR EVENTHUB_CHECK [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

start_broker b --config "$(dirname "$0")/emulator/eventhubs.json" --event-hub rr:4 "$@"
rc=0
timeout 90 "$check" "amqp://127.0.0.1:$port" main >"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
[[ $rc == 0 ]] || { fail "eventhub_check main exited $rc:"; cat "$tmp/check.out" "$tmp/check.err" >&2; }
for n in 1 2 3 4 5 6 7 9; do expect "$tmp/check.out" "^ok $n:" "eventhub_check step $n"; done
cat "$tmp/check.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }

start_broker r --event-hub small:1 --eh-max-events 5 "$@"
rc=0
timeout 60 "$check" "amqp://127.0.0.1:$port" retention >"$tmp/ret.out" 2>"$tmp/ret.err" || rc=$?
[[ $rc == 0 ]] || { fail "eventhub_check retention exited $rc:"; cat "$tmp/ret.out" "$tmp/ret.err" >&2; }
expect "$tmp/ret.out" "^ok 8:" "eventhub_check step 8"
cat "$tmp/ret.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/r.err" >&2; }
finish
