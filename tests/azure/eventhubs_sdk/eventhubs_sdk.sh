#!/usr/bin/env bash
# One scenario of eventhubs_sdk.js (Microsoft's @azure/event-hubs) against
# famqp-broker serving tests/broker/emulator/eventhubs.json on a free
# loopback port; the broker is stopped by PID whatever happens.
# usage: eventhubs_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]
BIN=${1:?usage: eventhubs_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
node=${2:?usage: eventhubs_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
scenario=${3:?usage: eventhubs_sdk.sh BUILD_EXAMPLES_DIR NODE SCENARIO [BROKER_ARGS...]}
shift 3
here=$(dirname "$0")
. "$here/../../tools/lib.sh"

config=(--config "$here/../../broker/emulator/eventhubs.json")
arg=()
case $scenario in
ws_*) # the SDK's WebSocket option: wss:// to the endpoint's port, our CA
    "$here/../../io/make_certs.sh" "$tmp/certs" >/dev/null
    start_broker b "${config[@]}" --ws-listen 127.0.0.1:0 --tls-cert "$tmp/certs/server.pem" \
        --tls-key "$tmp/certs/server.key" "$@"
    port=$(sed -n 's/^ws listening on [0-9.]*:\([0-9]*\) (wss)$/\1/p' "$tmp/b.out")
    [[ -n $port ]] || { echo "FAILED: no wss listener:" >&2; cat "$tmp/b.out" "$tmp/b.err" >&2; exit 1; }
    export NODE_EXTRA_CA_CERTS=$tmp/certs/ca.pem
    ;;
famqp_batches) # famqp-send's Event Hubs batches first, then the SDK reads them
    start_broker b "${config[@]}" "$@"
    n=1000
    arg=("$n")
    rc=0
    timeout 60 "$BIN/famqp-send/famqp-send" --connection-string \
        "Endpoint=sb://127.0.0.1:$port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;EntityPath=telemetry;UseDevelopmentEmulator=true" \
        --batch 100 --count "$n" --size 100 --partition 1 >"$tmp/send.out" 2>"$tmp/send.err" || rc=$?
    [[ $rc == 0 ]] || { fail "famqp-send --batch 100 exited $rc:"; cat "$tmp/send.out" "$tmp/send.err" >&2; }
    expect "$tmp/send.out" "^sent $n messages" "famqp-send --batch 100"
    ;;
*)
    start_broker b "${config[@]}" "$@"
    ;;
esac
rc=0
timeout 90 "$node" "$here/eventhubs_sdk.js" "$port" "$scenario" "${arg[@]}" >"$tmp/sdk.out" 2>"$tmp/sdk.err" || rc=$?
[[ $rc == 0 ]] || { fail "eventhubs_sdk.js $scenario exited $rc:"; cat "$tmp/sdk.out" "$tmp/sdk.err" >&2; }
expect "$tmp/sdk.out" "^ok $scenario:" "eventhubs_sdk.js $scenario"
cat "$tmp/sdk.out"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; tail -20 "$tmp/b.err" >&2; }
finish
