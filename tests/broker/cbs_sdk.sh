#!/usr/bin/env bash
# famqp-broker --sas-key against Microsoft's CBS client (cbs_sdk.js, on
# @azure/core-amqp as installed for tests/auth).
# usage: cbs_sdk.sh BUILD_EXAMPLES_DIR NODE [BROKER_ARGS...]
BIN=${1:?usage: cbs_sdk.sh BUILD_EXAMPLES_DIR NODE [BROKER_ARGS...]}
node=${2:?usage: cbs_sdk.sh BUILD_EXAMPLES_DIR NODE [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

start_broker b --sas-key "RootManageSharedAccessKey=SAS_KEY_VALUE" "$@"
rc=0
timeout 90 "$node" "$(dirname "$0")/cbs_sdk.js" "$port" RootManageSharedAccessKey SAS_KEY_VALUE \
    >"$tmp/sdk.out" 2>"$tmp/sdk.err" || rc=$?
[[ $rc == 0 ]] || { fail "cbs_sdk.js exited $rc:"; cat "$tmp/sdk.out" "$tmp/sdk.err" >&2; }
for n in 1 2 3; do expect "$tmp/sdk.out" "^ok $n:" "cbs_sdk.js step $n"; done
cat "$tmp/sdk.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
