#!/usr/bin/env bash
# Qpid Proton's Python client (../proton_client.py) against famqp-broker on
# 127.0.0.1 at the matrix's sizes: 10,000 messages at-least-once and
# at-most-once (receiver running while the sender sends), two 4 MiB
# messages, and Proton -> famqp-recv.  (../proton_python_broker.sh covers
# redelivery, round-robin and PLAIN with the same client.)
# Usage: proton_client_famqp_broker.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
bin=$1
count=10000
py=(/usr/bin/python3 "$here/../proton_client.py")

run() { # NAME CMD...
    local name=$1
    shift
    start "$name" "$@"
    finish "$last_pid" "$name"
}

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker)

echo "== Proton at-least-once, $count messages"
start recv-alo "${py[@]}" recv "$url" q-alo $count --size 100
r=$last_pid
run send-alo "${py[@]}" send "$url" q-alo $count --size 100
finish "$r" recv-alo

echo "== Proton at-most-once, $count messages (pre-settled both ways)"
start recv-amo "${py[@]}" recv "$url" q-amo $count --size 100 --settled
r=$last_pid
run send-amo "${py[@]}" send "$url" q-amo $count --size 100 --settled
finish "$r" recv-amo

echo "== Proton large messages: 2 x 4 MiB"
run send-big "${py[@]}" send "$url" q-big 2 --size 4194304
run recv-big "${py[@]}" recv "$url" q-big 2 --size 4194304
stop_broker "$broker"
echo "ok"
