#!/usr/bin/env bash
# AMQP over WebSockets against a server we did not write: rhea's broker
# (tests/interop/rhea/broker.js) behind the `ws` package (ws_broker.js),
# sending its AMQP bytes in WebSocket frames of at most 512 bytes while
# famqp-send/famqp-recv send frames of at most 512 (--ws-max-frame).
# 100,000 messages and one 4 MiB message through ws://, 20,000 and one of
# 4 MiB through an HTTP CONNECT proxy (connect_proxy.js, test support), with and without
# Basic authentication, amqp:// and wss:// through the proxy, wss://
# directly (tests/io/make_certs.sh), and the clear errors: a wrong proxy
# password (407), no credentials (407), a server that is not a WebSocket
# server; the async client (famqp_io_connect_start, the non-blocking
# path: docs/async-client's program) over ws://; our close frames (1000)
# as the ws package saw them.  Usage: ws_rhea.sh BIN_DIR ASYNC_PROGRAM
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bin=$1
async=$2
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
for m in "$here/node_modules/ws/package.json" "$here/../rhea/node_modules/rhea/package.json"; do
    if [[ ! -f $m ]]; then
        echo "FAILED: $m is missing: run scripts/install-deps.sh" >&2
        exit 1
    fi
done
certs=$interop_tmp/certs
"$here/../../io/make_certs.sh" "$certs" >/dev/null

run() { # NAME CMD...: must exit 0
    start "$1" "${@:2}"
    finish "$last_pid" "$1"
}

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero and say PATTERN.
expect_fail() {
    local name=$1 pattern=$2 rc=0
    start "$name" "${@:3}"
    wait "$last_pid" || rc=$?
    cat "$interop_tmp/$name.out" "$interop_tmp/$name.err"
    if [[ $rc -eq 0 ]] || ! grep -q -- "$pattern" "$interop_tmp/$name.err"; then
        echo "FAILED: $name: expected a failure saying '$pattern' (exit $rc)" >&2
        exit 1
    fi
}

# expect_count NAME N: NAME's output says N messages went through.
expect_count() {
    if ! grep -Eq "^(sent|received) $2 messages" "$interop_tmp/$1.out"; then
        echo "FAILED: $1 did not move $2 messages" >&2
        exit 1
    fi
}

start broker node "$here/ws_broker.js" --ws-listen 127.0.0.1:0 --wss-listen 127.0.0.1:0 --chunk 512 \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
broker_pid=$last_pid
ws=$(port_of broker "ws listening")
wss=$(port_of broker "wss listening")
tcp=$(port_of broker listening)
start proxy node "$here/connect_proxy.js"
proxy=$(port_of proxy "proxy listening")
start authproxy node "$here/connect_proxy.js" --user 'tester:s3cr%t'
authproxy=$(port_of authproxy "proxy listening")
small=(--ws-max-frame 512 --timeout 60)

echo "--- ws://: 100000 messages and one of 4 MiB, 512-byte frames both ways"
run send_ws timeout 300 "$send" "ws://127.0.0.1:$ws" ws1 --count 100000 "${small[@]}"
run recv_ws timeout 300 "$recv" "ws://127.0.0.1:$ws" ws1 --count 100000 "${small[@]}"
expect_count send_ws 100000
expect_count recv_ws 100000
# The close handshake: the ws package saw our close frame with 1000 on both
# connections, whichever side closed first (1006 would mean the socket
# closed without one, 1005 a close frame without a code).
if [[ $(grep -c "^ws close 1000$" "$interop_tmp/broker.err") -ne 2 ]]; then
    echo "FAILED: the server did not see two close frames with 1000:" >&2
    grep "^ws close" "$interop_tmp/broker.err" >&2
    exit 1
fi
run send_big timeout 180 "$send" "ws://127.0.0.1:$ws" big1 --size 4194304 "${small[@]}"
run recv_big timeout 180 "$recv" "ws://127.0.0.1:$ws" big1 --count 1 "${small[@]}"
expect_count recv_big 1

echo "--- ws:// through a CONNECT proxy: 20000 messages and one of 4 MiB"
via=(--proxy "http://127.0.0.1:$proxy")
run send_px timeout 300 "$send" "ws://127.0.0.1:$ws" px1 --count 20000 "${small[@]}" "${via[@]}"
run recv_px timeout 300 "$recv" "ws://127.0.0.1:$ws" px1 --count 20000 "${small[@]}" "${via[@]}"
expect_count recv_px 20000
run send_pxbig timeout 180 "$send" "ws://127.0.0.1:$ws" pxbig --size 4194304 "${small[@]}" "${via[@]}"
run recv_pxbig timeout 180 "$recv" "ws://127.0.0.1:$ws" pxbig --count 1 "${small[@]}" "${via[@]}"
expect_count recv_pxbig 1
if ! grep -q "^tunnels 4$" "$interop_tmp/proxy.err"; then
    echo "FAILED: the proxy did not tunnel the four connections" >&2
    cat "$interop_tmp/proxy.err" >&2
    exit 1
fi

echo "--- Basic authentication: right, wrong and missing credentials"
run send_auth timeout 60 "$send" "ws://127.0.0.1:$ws" auth1 --count 1000 "${small[@]}" \
    --proxy "http://tester:s3cr%25t@127.0.0.1:$authproxy"
run recv_auth timeout 60 "$recv" "ws://127.0.0.1:$ws" auth1 --count 1000 "${small[@]}" \
    --proxy "http://tester:s3cr%25t@127.0.0.1:$authproxy"
expect_count recv_auth 1000
expect_fail wrong_pw "proxy 127.0.0.1:$authproxy refused the credentials: 407" \
    timeout 30 "$send" "ws://127.0.0.1:$ws" auth1 --timeout 10 --proxy "http://tester:wrong@127.0.0.1:$authproxy"
expect_fail no_pw "proxy 127.0.0.1:$authproxy requires authentication (407" \
    timeout 30 "$send" "ws://127.0.0.1:$ws" auth1 --timeout 10 --proxy "http://127.0.0.1:$authproxy"

echo "--- amqp:// and wss:// through the proxy, wss:// directly"
run send_tcp_px timeout 60 "$send" "amqp://127.0.0.1:$tcp" tcp1 --count 1000 --timeout 30 "${via[@]}"
run recv_tcp_px timeout 60 "$recv" "amqp://127.0.0.1:$tcp" tcp1 --count 1000 --timeout 30 "${via[@]}"
expect_count recv_tcp_px 1000
run send_wss timeout 60 "$send" "wss://localhost:$wss" wss1 --count 1000 "${small[@]}" --ca "$certs/ca.pem"
run recv_wss_px timeout 60 "$recv" "wss://localhost:$wss" wss1 --count 1000 "${small[@]}" --ca "$certs/ca.pem" \
    "${via[@]}"
expect_count recv_wss_px 1000

echo "--- the async client (non-blocking connect) over ws://"
run async_ws timeout 60 "$async" "ws://127.0.0.1:$ws" as1 2000
if ! grep -q "received 2000 in order" "$interop_tmp/async_ws.out"; then
    echo "FAILED: the async client did not receive its 2000 messages in order" >&2
    exit 1
fi

echo "--- not a WebSocket server: a clear handshake error"
expect_fail not_ws "WebSocket handshake: " timeout 30 "$send" "ws://127.0.0.1:$proxy" x --timeout 10
echo "ws_rhea: all passed"
