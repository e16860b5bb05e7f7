#!/usr/bin/env bash
# famqp-broker --ws-listen: famqp-send and famqp-recv over ws:// and wss://
# through the broker's own WebSocket listener, both sides sending frames
# of at most 512 bytes (--ws-max-frame on the clients and the broker): 100,000 messages in order
# (--check-sequence) and one 4 MiB message over each; a message sent over
# ws:// received over plain amqp:// (one broker, two listeners); the
# listener's refusals as a client and the broker's log see them (a wrong
# path: 404; amqp:// to the ws port: an AMQP header, 400).  The certificate
# is tests/io/make_certs.sh's.  Arguments after BIN_DIR go to both brokers
# (--threads 2: the listener's connections handed to another loop).
# Usage: ws.sh BIN_DIR [BROKER_ARGS...]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../interop/lib.sh"
bin=$1
shift
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
broker=$bin/famqp-broker/famqp-broker
certs=$interop_tmp/certs
"$here/../io/make_certs.sh" "$certs" >/dev/null

expect_count() { # NAME N: NAME's output says N messages went through
    if ! grep -Eq "^(sent|received) $2 messages" "$interop_tmp/$1.out"; then
        echo "FAILED: $1 did not move $2 messages" >&2
        exit 1
    fi
}

start broker "$broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 --ws-max-frame 512 "$@"
broker_pid=$last_pid
ws=$(port_of broker "ws listening")
tcp=$(port_of broker listening)
start tls_broker "$broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 --ws-max-frame 512 \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" "$@"
tls_broker_pid=$last_pid
wss=$(port_of tls_broker "ws listening")
grep -q "^ws listening on 127.0.0.1:$wss (wss)$" "$interop_tmp/tls_broker.out" ||
    { echo "FAILED: the TLS broker's WebSocket listener is not wss" >&2; exit 1; }
small=(--ws-max-frame 512 --timeout 120)

for scheme in ws wss; do
    if [[ $scheme == ws ]]; then url=ws://127.0.0.1:$ws tls=(); else url=wss://localhost:$wss tls=(--ca "$certs/ca.pem"); fi
    echo "--- $scheme://: 100000 messages in order and one of 4 MiB, 512-byte frames"
    start "recv_$scheme" timeout 300 "$recv" "$url" "many_$scheme" --count 100000 --check-sequence "${small[@]}" "${tls[@]}"
    recv_pid=$last_pid
    run "send_$scheme" timeout 300 "$send" "$url" "many_$scheme" --count 100000 --size 100 "${small[@]}" "${tls[@]}"
    finish "$recv_pid" "recv_$scheme"
    expect_count "send_$scheme" 100000
    expect_count "recv_$scheme" 100000
    run "send_big_$scheme" timeout 180 "$send" "$url" "big_$scheme" --size 4194304 "${small[@]}" "${tls[@]}"
    run "recv_big_$scheme" timeout 180 "$recv" "$url" "big_$scheme" --count 1 "${small[@]}" "${tls[@]}"
    expect_count "recv_big_$scheme" 1
done

echo "--- ws:// in, amqp:// out: one broker, both listeners"
run send_cross timeout 60 "$send" "ws://127.0.0.1:$ws" cross --count 1000 --timeout 30
run recv_cross timeout 60 "$recv" "amqp://127.0.0.1:$tcp" cross --count 1000 --check-sequence --timeout 30
expect_count recv_cross 1000

echo "--- refusals"
rc=0
timeout 30 "$send" "ws://127.0.0.1:$ws/wrong" q --timeout 10 >"$interop_tmp/wrong.out" 2>"$interop_tmp/wrong.err" || rc=$?
cat "$interop_tmp/wrong.err"
[[ $rc -ne 0 ]] && grep -q "the server answered 404 Not Found" "$interop_tmp/wrong.err" ||
    { echo "FAILED: a wrong path was not refused with 404 (exit $rc)" >&2; exit 1; }
rc=0
timeout 30 "$send" "amqp://127.0.0.1:$ws" q --timeout 10 >"$interop_tmp/plain.out" 2>"$interop_tmp/plain.err" || rc=$?
[[ $rc -ne 0 ]] || { echo "FAILED: amqp:// to the ws port succeeded" >&2; exit 1; }
for pattern in "refused with 404: path '/wrong' is not this listener's '/\$servicebus/websocket'" \
    "refused with 400: an AMQP protocol header, not an HTTP request"; do
    for _ in $(seq 50); do grep -qF -- "$pattern" "$interop_tmp/broker.err" && break; sleep 0.1; done
    grep -qF -- "$pattern" "$interop_tmp/broker.err" ||
        { echo "FAILED: the broker did not log '$pattern':" >&2; cat "$interop_tmp/broker.err" >&2; exit 1; }
done

stop_broker "$broker_pid"
stop_broker "$tls_broker_pid"
echo "PASSED"
