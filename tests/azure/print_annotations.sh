#!/usr/bin/env bash
# famqp-recv --print-annotations on an event another stack encoded: Qpid
# Proton's Python binding (annotated_send.py) sends a message with Event
# Hubs' x-opt-* annotations (long, string, timestamp, string) and one that
# is not x-opt-* through famqp-broker; famqp-recv prints exactly the four,
# each with its type's rendering.
# usage: print_annotations.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: print_annotations.sh BUILD_EXAMPLES_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tools/lib.sh"
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
    echo "FAILED: python3-qpid-proton is missing (scripts/install-deps.sh)" >&2
    exit 1
fi

start_broker b
rc=0
timeout 60 /usr/bin/python3 "$here/annotated_send.py" "amqp://127.0.0.1:$port" ev >"$tmp/s.out" 2>"$tmp/s.err" || rc=$?
[[ $rc == 0 ]] || { fail "annotated_send.py exited $rc:"; cat "$tmp/s.err" >&2; }
rc=0
timeout 60 "$recv" "amqp://127.0.0.1:$port" ev --print-annotations >"$tmp/r.out" 2>"$tmp/r.err" || rc=$?
[[ $rc == 0 ]] || { fail "famqp-recv exited $rc:"; cat "$tmp/r.err" >&2; }
want='annotations 0: x-opt-sequence-number=41 x-opt-offset="4096" x-opt-enqueued-time=2023-11-14T22:13:20.000Z x-opt-partition-key="device-42"'
got=$(grep '^annotations' "$tmp/r.out" || true)
[[ $got == "$want" ]] || fail "--print-annotations printed '$got', expected '$want'"
finish
