#!/usr/bin/env bash
# The rhea client (client.js) against famqp-broker on 127.0.0.1: 10,000
# messages at-least-once and at-most-once (rhea sender -> rhea receiver,
# bodies compared byte for byte), three 4 MiB messages, rhea -> famqp-recv
# (sequence checked), and SASL PLAIN (right and wrong password).
# Usage: rhea_client_famqp_broker.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bin=$1
count=10000
if [[ ! -f $here/node_modules/rhea/package.json ]]; then
    echo "FAILED: rhea is not installed in $here/node_modules: run scripts/install-deps.sh" >&2
    exit 1
fi
rhea=(node "$here/client.js")

run() { # NAME CMD...
    local name=$1
    shift
    start "$name" "$@"
    finish "$last_pid" "$name"
}

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker)

echo "== rhea at-least-once, $count messages (receiver running while the sender sends)"
start recv-alo "${rhea[@]}" recv "$url" q-alo $count --size 100
r=$last_pid
run send-alo "${rhea[@]}" send "$url" q-alo $count --size 100
finish "$r" recv-alo

echo "== rhea at-most-once, $count messages (pre-settled both ways)"
run send-amo "${rhea[@]}" send "$url" q-amo $count --size 100 --settled
run recv-amo "${rhea[@]}" recv "$url" q-amo $count --size 100 --settled

echo "== rhea large messages: 3 x 4 MiB (multi-frame)"
run send-big "${rhea[@]}" send "$url" q-big 3 --size 4194304
run recv-big "${rhea[@]}" recv "$url" q-big 3 --size 4194304

echo "== rhea sender -> famqp-recv (sequence checked)"
run send-x "${rhea[@]}" send "$url" q-x 1000 --size 64
run recv-x "$bin/famqp-recv/famqp-recv" "$url" q-x --count 1000 --check-sequence
stop_broker "$broker"

echo "== rhea client with SASL PLAIN against famqp-broker --user/--password"
start auth-broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --user alice --password 's3cret!'
broker=$last_pid
port=$(wait_port auth-broker)
run send-auth "${rhea[@]}" send "amqp://alice:s3cret%21@127.0.0.1:$port" q-auth 10
run recv-auth "${rhea[@]}" recv "amqp://alice:s3cret%21@127.0.0.1:$port" q-auth 10
start bad "${rhea[@]}" send "amqp://alice:wrong@127.0.0.1:$port" q-auth 1 --timeout 10
rc=0
wait "$last_pid" || rc=$?
cat "$interop_tmp/bad.out"
if [[ $rc -eq 0 ]]; then
    echo "FAILED: famqp-broker accepted a wrong password from rhea" >&2
    exit 1
fi
stop_broker "$broker"
echo "ok"
