#!/usr/bin/env bash
# One scenario of eventhub_sdk.py (Microsoft's azure-eventhub, pyamqp inside)
# against famqp-broker serving tests/broker/emulator/eventhubs.json on a free
# loopback port; the broker is stopped by PID whatever happens.
# usage: eventhub_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCENARIO [BROKER_ARGS...]
BIN=${1:?usage: eventhub_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCENARIO [BROKER_ARGS...]}
python=${2:?usage: eventhub_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCENARIO [BROKER_ARGS...]}
scenario=${3:?usage: eventhub_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCENARIO [BROKER_ARGS...]}
shift 3
here=$(dirname "$0")
. "$here/../../tools/lib.sh"

start_broker b --config "$here/../../broker/emulator/eventhubs.json" "$@"
rc=0
timeout 90 "$python" "$here/eventhub_sdk.py" "$port" "$scenario" >"$tmp/sdk.out" 2>"$tmp/sdk.err" || rc=$?
[[ $rc == 0 ]] || { fail "eventhub_sdk.py $scenario exited $rc:"; cat "$tmp/sdk.out" "$tmp/sdk.err" >&2; }
expect "$tmp/sdk.out" "^ok $scenario:" "eventhub_sdk.py $scenario"
cat "$tmp/sdk.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; tail -20 "$tmp/b.err" >&2; }
finish
