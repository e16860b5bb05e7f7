#!/usr/bin/env bash
# TLS on 127.0.0.1 with certificates made at test time (tests/io/make_certs.sh:
# a test CA, a server certificate for localhost/127.0.0.1, an unrelated CA
# and a certificate for the wrong host name signed by the test CA):
# amqps:// from famqp-send/famqp-recv to the rhea broker's TLS listener and
# to famqp-broker's; the rhea client over amqps to famqp-broker; SASL PLAIN
# over amqps; an unknown CA and a wrong host name refused by default with a
# clear error.  Usage: tls.sh BIN_DIR CHECK rhea|famqp (which broker)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bin=$1
check=$2
which=${3:-}
if [[ $which != rhea && $which != famqp ]]; then
    echo "usage: tls.sh BIN_DIR CHECK rhea|famqp" >&2
    exit 2
fi
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
if [[ ! -f $here/node_modules/rhea/package.json ]]; then
    echo "FAILED: rhea is not installed in $here/node_modules: run scripts/install-deps.sh" >&2
    exit 1
fi

certs=$interop_tmp/certs
"$here/../../io/make_certs.sh" "$certs" >/dev/null
# The wrong-host certificate (wrong-name.*) comes from make_certs.sh too;
# made here only while that script does not make it.
if [[ ! -f $certs/wrong-name.pem ]]; then
    (
        cd "$certs"
        openssl req -newkey rsa:2048 -nodes -keyout wrong-name.key -out wrong-name.csr \
            -subj "/CN=wrong.example" 2>/dev/null
        printf 'subjectAltName=DNS:wrong.example\nbasicConstraints=CA:FALSE\n' >wrong-name.ext
        openssl x509 -req -in wrong-name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out wrong-name.pem \
            -days 30 -extfile wrong-name.ext 2>/dev/null
    )
fi

run() { # NAME CMD...
    local name=$1
    shift
    start "$name" "$@"
    finish "$last_pid" "$name"
}

# tls_port NAME: the port of "tls listening on HOST:PORT" (rhea broker).
tls_port() {
    local f=$interop_tmp/$1.out port
    for _ in $(seq 100); do
        port=$(sed -n 's/^tls listening on .*:\([0-9][0-9]*\)$/\1/p' "$f" 2>/dev/null | head -1)
        if [[ -n $port ]]; then
            echo "$port"
            return 0
        fi
        sleep 0.1
    done
    echo "$1 did not report a TLS port; stderr:" >&2
    cat "$interop_tmp/$1.err" >&2
    return 1
}

ca=(--ca "$certs/ca.pem")
cell() { # PEER_NAME TLS_PORT: the cells common to both brokers
    local peer=$1 port=$2
    echo "== $peer: amqps://localhost, 1000 messages each way through the TLS listener"
    start recv-$peer "$recv" "amqps://localhost:$port" q-tls --count 1000 --check-sequence "${ca[@]}"
    local r=$last_pid
    run send-$peer "$send" "amqps://localhost:$port" q-tls --count 1000 --size 200 "${ca[@]}"
    finish "$r" recv-$peer
    echo "== $peer: amqps://127.0.0.1 (IP address in the certificate), a 4 MiB message"
    run send-big-$peer "$send" "amqps://127.0.0.1:$port" q-big --count 1 --size 4194304 "${ca[@]}"
    run recv-big-$peer "$check" recv "amqps://127.0.0.1:$port" q-big --count 1 --size 4194304 "${ca[@]}"
    echo "== $peer: the system CA store does not know the test CA: refused by default"
    expect_fail sys-ca-$peer "certificate verify failed" "$send" "amqps://localhost:$port" q --count 1 --timeout 10
    echo "== $peer: an unrelated CA: refused"
    expect_fail other-ca-$peer "certificate verify failed" "$send" "amqps://localhost:$port" q --count 1 --timeout 10 \
        --ca "$certs/other-ca.pem"
    run other-ca-api-$peer "$check" connect "amqps://localhost:$port" --ca "$certs/other-ca.pem" --expect connect
}

if [[ $which == rhea ]]; then
    echo "### rhea broker with a TLS listener"
    start rhea-broker node "$here/broker.js" --tls-listen 127.0.0.1:0 --tls-cert "$certs/server.pem" \
        --tls-key "$certs/server.key" --user alice:tls-pass --allow-anonymous
    broker=$last_pid
    wait_port rhea-broker >/dev/null
    port=$(tls_port rhea-broker)
    cell rhea "$port"
    echo "== rhea: SASL PLAIN over amqps (no --allow-plain-insecure needed)"
    run plain-rhea "$send" "amqps://alice:tls-pass@localhost:$port" q-plain --count 10 --size 50 "${ca[@]}"
    run plain-api-rhea "$check" connect "amqps://localhost:$port" --user alice --password tls-pass "${ca[@]}"
    run plain-wrong-rhea "$check" connect "amqps://localhost:$port" --user alice --password nope "${ca[@]}" --expect auth
    stop_broker "$broker"

    echo "== rhea: a certificate for the wrong host name: refused"
    start rhea-wrong-broker node "$here/broker.js" --tls-listen 127.0.0.1:0 --tls-cert "$certs/wrong-name.pem" \
        --tls-key "$certs/wrong-name.key"
    broker=$last_pid
    wait_port rhea-wrong-broker >/dev/null
    port=$(tls_port rhea-wrong-broker)
    expect_fail wrong-host-rhea "certificate verify failed" "$send" "amqps://localhost:$port" q --count 1 --timeout 10 "${ca[@]}"
    run wrong-host-api-rhea "$check" connect "amqps://localhost:$port" "${ca[@]}" --expect connect
    stop_broker "$broker"
else
    echo "### famqp-broker with a TLS listener"
    start famqp-broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --tls-cert "$certs/server.pem" \
        --tls-key "$certs/server.key"
    broker=$last_pid
    port=$(wait_port famqp-broker)
    cell famqp-broker "$port"
    echo "== famqp-broker: the rhea client over amqps"
    run rhea-send "node" "$here/client.js" send "amqps://localhost:$port" q-rhea 1000 --size 100 "${ca[@]}"
    run rhea-recv "node" "$here/client.js" recv "amqps://localhost:$port" q-rhea 1000 --size 100 "${ca[@]}"
    expect_fail rhea-other-ca "unable to verify\|self.signed\|certificate" \
        node "$here/client.js" send "amqps://localhost:$port" q-rhea 1 --timeout 10 --ca "$certs/other-ca.pem"
    stop_broker "$broker"

    echo "== famqp-broker: a certificate for the wrong host name: refused"
    start famqp-wrong-broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --tls-cert "$certs/wrong-name.pem" \
        --tls-key "$certs/wrong-name.key"
    broker=$last_pid
    port=$(wait_port famqp-wrong-broker)
    expect_fail wrong-host-famqp "certificate verify failed" "$send" "amqps://localhost:$port" q --count 1 --timeout 10 "${ca[@]}"
    stop_broker "$broker"
fi
echo "ok"
