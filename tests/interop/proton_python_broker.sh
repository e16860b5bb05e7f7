#!/usr/bin/env bash
# Qpid Proton's Python client (Debian python3-qpid-proton, run with the
# Debian /usr/bin/python3) through famqp-broker: both settle modes, large
# messages, redelivery of unsettled messages after a consumer leaves,
# round-robin between two consumers, and PLAIN authentication.
# Usage: proton_python_broker.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
py=(/usr/bin/python3 "$here/proton_client.py")

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker)

run() { # NAME ARGS...: runs a proton client to completion
    local name=$1
    shift
    start "$name" "${py[@]}" "$@"
    finish "$last_pid" "$name"
}

echo "== at-least-once"
run send1 send "$url" unsettled 2000 --size 200
run recv1 recv "$url" unsettled 2000 --size 200
echo "== at-most-once"
run send2 send "$url" settled 2000 --size 200 --settled
run recv2 recv "$url" settled 2000 --size 200 --settled
echo "== large messages (multi-frame)"
run send3 send "$url" large 3 --size 3000000
run recv3 recv "$url" large 3 --size 3000000
echo "== unsettled messages are delivered again after their consumer leaves"
run send4 send "$url" redeliver 300
run recv4a recv "$url" redeliver 150 --no-accept
run recv4b recv "$url" redeliver 300
echo "== two consumers served round-robin"
run send5 send "$url" shared 1000
start recv5a "${py[@]}" recv "$url" shared 500 --unordered --dump "$interop_tmp/a.txt"
a=$last_pid
start recv5b "${py[@]}" recv "$url" shared 500 --unordered --dump "$interop_tmp/b.txt"
b=$last_pid
finish "$a" recv5a
finish "$b" recv5b
got=$(sort -n "$interop_tmp/a.txt" "$interop_tmp/b.txt" | uniq | wc -l)
dups=$(sort -n "$interop_tmp/a.txt" "$interop_tmp/b.txt" | uniq -d | wc -l)
if [[ $got -ne 1000 || $dups -ne 0 ]]; then
    echo "FAILED: round-robin: $got distinct of 1000, $dups duplicates" >&2
    exit 1
fi
stop_broker "$broker"

echo "== PLAIN required when the broker has credentials"
start auth-broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --user alice --password 's3cret!'
broker=$last_pid
port=$(wait_port auth-broker)
run send6 send "amqp://alice:s3cret%21@127.0.0.1:$port" auth 10
run recv6 recv "amqp://alice:s3cret%21@127.0.0.1:$port" auth 10
start bad "${py[@]}" send "amqp://alice:wrong@127.0.0.1:$port" auth 1 --timeout 10
rc=0
wait "$last_pid" || rc=$?
if [[ $rc -eq 0 ]]; then
    echo "FAILED: a wrong password was accepted" >&2
    exit 1
fi
start anon "${py[@]}" send "amqp://127.0.0.1:$port" auth 1 --timeout 10
rc=0
wait "$last_pid" || rc=$?
if [[ $rc -eq 0 ]]; then
    echo "FAILED: an unauthenticated client was accepted" >&2
    exit 1
fi
stop_broker "$broker"
echo "ok"
