#!/usr/bin/env bash
# One scenario of a Python SDK script (eventhub_sdk.py: Microsoft's
# azure-eventhub; servicebus_sdk.py: azure-servicebus; pyamqp inside both)
# against famqp-broker on a free loopback port, started with BROKER_ARGS
# (the entities); the broker is stopped by PID whatever happens.
# usage: python_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCRIPT SCENARIO [BROKER_ARGS...]
usage="usage: python_sdk.sh BUILD_EXAMPLES_DIR VENV_PYTHON SCRIPT SCENARIO [BROKER_ARGS...]"
BIN=${1:?$usage}
python=${2:?$usage}
script=${3:?$usage}
scenario=${4:?$usage}
shift 4
here=$(dirname "$0")
. "$here/../../tools/lib.sh"

start_broker b "$@"
rc=0
timeout 90 "$python" "$here/$script" "$port" "$scenario" >"$tmp/sdk.out" 2>"$tmp/sdk.err" || rc=$?
[[ $rc == 0 ]] || { fail "$script $scenario exited $rc:"; cat "$tmp/sdk.out" "$tmp/sdk.err" >&2; }
expect "$tmp/sdk.out" "^ok $scenario:" "$script $scenario"
cat "$tmp/sdk.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; tail -20 "$tmp/b.err" >&2; }
finish
