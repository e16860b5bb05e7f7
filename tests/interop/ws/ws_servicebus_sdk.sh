#!/usr/bin/env bash
# Microsoft's @azure/service-bus over WebSockets against famqp-broker
# (sb_ws_client.js): the broker serves --sb-queue jobs on its TLS WebSocket
# listener (tests/io/make_certs.sh's certificate, the CA handed to Node in
# NODE_EXTRA_CA_CERTS); the SDK's WebSocket option connects with wss://
# and AMQPWSB10.  Usage: ws_servicebus_sdk.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
broker=$1/famqp-broker/famqp-broker
certs=$interop_tmp/certs
"$here/../../io/make_certs.sh" "$certs" >/dev/null

start broker "$broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 --sb-queue jobs \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
broker_pid=$last_pid
wss=$(port_of broker "ws listening")
NODE_EXTRA_CA_CERTS=$certs/ca.pem run sdk timeout 90 node "$here/sb_ws_client.js" "$wss" jobs
grep -q "^ok: " "$interop_tmp/sdk.out" || { echo "FAILED: sb_ws_client.js did not report ok" >&2; exit 1; }
stop_broker "$broker_pid"
echo "PASSED"
