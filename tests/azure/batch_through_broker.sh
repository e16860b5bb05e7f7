#!/usr/bin/env bash
# Event Hubs batches through famqp-broker: famqp-batch-send sends COUNT
# events in batches of at most LIMIT bytes (message-format 0x80013700) to
# the queue "hub", famqp-batch-recv takes them out and checks that each
# transfer kept its message-format and that the events split in order.
# usage: batch_through_broker.sh BUILD_EXAMPLES_DIR SEND RECV COUNT LIMIT [BROKER_ARGS...]
BIN=${1:?usage: batch_through_broker.sh BUILD_EXAMPLES_DIR SEND RECV COUNT LIMIT [BROKER_ARGS...]}
batch_send=$2 batch_recv=$3 count=$4 limit=$5
shift 5
. "$(dirname "$0")/../tools/lib.sh"

start_broker b "$@"
url=amqp://127.0.0.1:$port
rc=0
timeout 60 "$batch_send" "$url" "$count" "$limit" pk-1 >"$tmp/send.out" 2>"$tmp/send.err" || rc=$?
[[ $rc == 0 ]] || { fail "famqp-batch-send exited $rc:"; cat "$tmp/send.err" >&2; }
rc=0
timeout 60 "$batch_recv" "$url" hub "$count" >"$tmp/recv.out" 2>"$tmp/recv.err" || rc=$?
[[ $rc == 0 ]] || { fail "famqp-batch-recv exited $rc:"; cat "$tmp/recv.err" >&2; }
expect "$tmp/recv.out" "^received $count events in [0-9]+ batches, each with message-format 0x80013700" receiver
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
