#!/usr/bin/env bash
# One scenario of servicebus_sdk.js (Microsoft's @azure/service-bus) against
# famqp-broker serving servicebus.json (next to this script) on a free
# loopback port; the broker is stopped by PID whatever happens.
# usage: servicebus_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]
BIN=${1:?usage: servicebus_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
node=${2:?usage: servicebus_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
scenario=${3:?usage: servicebus_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
shift 3
here=$(dirname "$0")
. "$here/../../tools/lib.sh"

start_broker b --config "$here/servicebus.json" "$@"
rc=0
timeout 90 "$node" "$here/servicebus_sdk.js" "$port" "$scenario" >"$tmp/sdk.out" 2>"$tmp/sdk.err" || rc=$?
[[ $rc == 0 ]] || { fail "servicebus_sdk.js $scenario exited $rc:"; cat "$tmp/sdk.out" "$tmp/sdk.err" >&2; tail -30 "$tmp/b.err" >&2; }
expect "$tmp/sdk.out" "^ok $scenario:" "servicebus_sdk.js $scenario"
cat "$tmp/sdk.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; tail -20 "$tmp/b.err" >&2; }
finish
