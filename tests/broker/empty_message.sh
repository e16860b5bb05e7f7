#!/usr/bin/env bash
# A message with an empty payload (a transfer with no bytes after its
# performative) through famqp-broker (issue 18, item 7): accepted, and
# delivered back with an empty payload; the broker logs no sanitizer
# report and exits 0 on SIGTERM.  Under the ASan+UBSan build (CI's
# sanitizer step) memcpy(dst, NULL, 0) in the broker aborted it.
# usage: empty_message.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: empty_message.sh BUILD_EXAMPLES_DIR}
shift
. "$(dirname "$0")/../tools/lib.sh"

start_broker b
got=$(timeout 60 python3 "$(dirname "$0")/hostile_peer.py" empty "$port" 2>&1) || true
[[ $got == "sent: accepted, received: 0 payload bytes" ]] || fail "empty message: $got"
kill -TERM "$broker_pid" 2>/dev/null || fail "famqp-broker died: $(head -3 "$tmp/b.err")"
rc=0
wait "$broker_pid" || rc=$?
[[ $rc == 0 ]] || fail "famqp-broker exit $rc after SIGTERM, expected 0"
grep -q "runtime error\|Sanitizer" "$tmp/b.err" && fail "sanitizer report: $(grep -m3 'runtime error\|Sanitizer' "$tmp/b.err")"
finish
