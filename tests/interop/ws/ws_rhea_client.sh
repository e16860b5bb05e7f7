#!/usr/bin/env bash
# rhea as a foreign client of famqp-broker's WebSocket listener
# (rhea_ws_client.js: rhea's websocket_connect over the `ws` package,
# subprotocol AMQPWSB10): 10,000 messages sent and received back in order
# over ws://, and 2,000 over wss:// (tests/io/make_certs.sh's certificate,
# its CA handed to Node in NODE_EXTRA_CA_CERTS).  Usage: ws_rhea_client.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
broker=$1/famqp-broker/famqp-broker
certs=$interop_tmp/certs
"$here/../../io/make_certs.sh" "$certs" >/dev/null

start broker "$broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0
broker_pid=$last_pid
ws=$(port_of broker "ws listening")
start tls_broker "$broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
tls_broker_pid=$last_pid
wss=$(port_of tls_broker "ws listening")

run rhea_ws timeout 90 node "$here/rhea_ws_client.js" "ws://127.0.0.1:$ws/\$servicebus/websocket" 10000
NODE_EXTRA_CA_CERTS=$certs/ca.pem run rhea_wss timeout 90 node "$here/rhea_ws_client.js" \
    "wss://localhost:$wss/\$servicebus/websocket" 2000
for name in rhea_ws rhea_wss; do
    grep -q "^ok: " "$interop_tmp/$name.out" || { echo "FAILED: $name did not report ok" >&2; exit 1; }
done
stop_broker "$broker_pid"
stop_broker "$tls_broker_pid"
echo "PASSED"
