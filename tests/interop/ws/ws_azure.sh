#!/usr/bin/env bash
# famqp-send / famqp-recv --connection-string --websocket against a server
# we did not write: rhea's CBS peer (../rhea/cbs_peer.js: $cbs, SAS tokens
# checked with Node's crypto, links refused without one) behind the `ws`
# package (ws_broker.js --program), as Microsoft's SDKs' WebSocket option
# connects: an emulator string (ws:// on the Endpoint's port) and a plain
# one (wss:// with TLS), 512-byte WebSocket frames both ways, the upgrade
# path /$servicebus/websocket, the put-token's audience
# sb://HOST:PORT/ENTITY, the same through an HTTP CONNECT proxy
# (connect_proxy.js, test support), a wrong key (exit 1, the 401), and
# where each form of connection string connects (the proxy's log of
# CONNECT targets: port 443 for wss unless the Endpoint names one, 5671
# for amqps, 5672 for the emulator).
# Usage: ws_azure.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bin=${1:?usage: ws_azure.sh BIN_DIR}
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
for m in "$here/node_modules/ws/package.json" "$here/../rhea/node_modules/rhea/package.json"; do
    [[ -f $m ]] || { echo "FAILED: $m is missing: run scripts/install-deps.sh" >&2; exit 1; }
done
certs=$interop_tmp/certs
"$here/../../io/make_certs.sh" "$certs" >/dev/null
kn=RootManageSharedAccessKey key=SAS_KEY_VALUE
keys="SharedAccessKeyName=$kn;SharedAccessKey=$key"

# fail, expect and $failures
source "$here/../../common/checks.sh"
t=$interop_tmp
# runs NAME WANT CMD...: CMD (bounded) must exit WANT.
runs() {
    local name=$1 want=$2 rc=0
    shift 2
    start "$name" timeout 120 "$@"
    wait "$last_pid" || rc=$?
    [[ $rc == "$want" ]] || { fail "$name: exit $rc, expected $want:"; sed 's/^/    /' "$interop_tmp/$name.err" >&2; }
}

# The audience names the Endpoint's port, and the peer checks it: its
# WebSocket port is chosen here (a free one, asked of the kernel).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# peer NAME ws|wss HOST: the CBS peer behind a SCHEME listener on a free
# port, accepting tokens for sb://HOST:PORT/...; sets $pport.
peer() {
    local name=$1 scheme=$2 host=$3
    pport=$(free_port)
    start "$name" node "$here/ws_broker.js" --program "$here/../rhea/cbs_peer.js" --chunk 512 \
        "--$scheme-listen" "127.0.0.1:$pport" --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" \
        --listen 127.0.0.1:0 --key-name "$kn" --key "$key" --log "$interop_tmp/$name.log" \
        --audience-prefix "sb://$host:$pport/"
    port_of "$name" "$scheme listening" >/dev/null
}
start proxy node "$here/connect_proxy.js"
proxy=$(port_of proxy "proxy listening")
small=(--ws-max-frame 512 --timeout 60)

echo "--- the emulator's string: ws:// on the Endpoint's port"
peer wsp ws 127.0.0.1
cs="Endpoint=sb://127.0.0.1:$pport;$keys;UseDevelopmentEmulator=true"
runs send_ws 0 "$send" --connection-string "$cs;EntityPath=hub" --websocket --count 2000 "${small[@]}"
runs recv_ws 0 "$recv" --connection-string "$cs;EntityPath=hub" --websocket --count 2000 --check-sequence "${small[@]}"
expect "$t/recv_ws.out" "^received 2000 messages" "famqp-recv over ws://"
[[ $(grep -c '^ws path /\$servicebus/websocket$' "$interop_tmp/wsp.err") == 2 ]] ||
    fail "not two upgrades to /\$servicebus/websocket: $(grep '^ws path' "$interop_tmp/wsp.err")"
expect "$t/wsp.log" "\"event\":\"put\",\"audience\":\"sb://127.0.0.1:$pport/hub\",.*\"status\":200" "the put-token"
echo "--- the same through a CONNECT proxy"
runs send_px 0 "$send" --connection-string "$cs" hub2 --websocket --count 500 "${small[@]}" --proxy "http://127.0.0.1:$proxy"
runs recv_px 0 "$recv" --connection-string "$cs" hub2 --websocket --count 500 --check-sequence "${small[@]}" \
    --proxy "http://127.0.0.1:$proxy"
expect "$t/recv_px.out" "^received 500 messages" "famqp-recv over ws:// through the proxy"
[[ $(grep -c "^connect 127.0.0.1:$pport$" "$interop_tmp/proxy.err") == 2 ]] || fail "the proxy did not tunnel both to :$pport"
echo "--- a wrong key: the put-token is refused (401), exit 1"
runs send_wrong 1 "$send" --connection-string "${cs/SharedAccessKey=$key/SharedAccessKey=wrong};EntityPath=hub" \
    --websocket --timeout 10
expect "$t/send_wrong.err" "put-token for 'sb://127.0.0.1:$pport/hub' refused: status 401" "a wrong key"

echo "--- a plain string: wss:// on the Endpoint's port, TLS verified"
peer wssp wss localhost
cs="Endpoint=sb://localhost:$pport/;$keys;EntityPath=hub"
runs send_wss 0 "$send" --connection-string "$cs" --websocket --count 1000 --ca "$certs/ca.pem" "${small[@]}"
runs recv_wss 0 "$recv" --connection-string "$cs" --websocket --count 1000 --check-sequence --ca "$certs/ca.pem" \
    "${small[@]}"
expect "$t/recv_wss.out" "^received 1000 messages" "famqp-recv over wss://"
expect "$t/wssp.log" "\"event\":\"put\",\"audience\":\"sb://localhost:$pport/hub\",.*\"status\":200" "the put-token over wss"
expect "$t/wssp.err" '^ws path /\$servicebus/websocket$' "the upgrade path over wss"

echo "--- where each string connects (the proxy refuses hosts that are not local)"
n=0
# ENDPOINT|--websocket or nothing|the port connected to
for c in "sb://ns.invalid/|--websocket|443" "sb://ns.invalid:8443/|--websocket|8443" "sb://ns.invalid/||5671" \
    "sb://ns.invalid:7000||7000" "sb://ns.invalid/;UseDevelopmentEmulator=true||5672" \
    "sb://ns.invalid/;UseDevelopmentEmulator=true|--websocket|5672" \
    "sb://ns.invalid:7001;UseDevelopmentEmulator=true|--websocket|7001"; do
    n=$((n + 1))
    IFS='|' read -r endpoint flag want <<<"$c"
    ws=()
    [[ -n $flag ]] && ws=("$flag")
    runs where$n 1 "$send" --connection-string "Endpoint=$endpoint;$keys" q "${ws[@]}" --timeout 10 \
        --proxy "http://127.0.0.1:$proxy"
    [[ $(tail -1 "$interop_tmp/proxy.err") == "connect ns.invalid:$want" ]] ||
        fail "Endpoint=$endpoint ${ws[*]}: CONNECT $(tail -1 "$interop_tmp/proxy.err"), expected ns.invalid:$want"
done

if ((failures)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "ws_azure: all passed"
