#!/usr/bin/env bash
# Local transactions of Qpid Proton's Python client (Debian
# python3-qpid-proton, container.declare_transaction) against famqp-broker
# (proton_txn.py runs each scenario and checks it): sends and
# acknowledgements, commit and rollback, two queues in one transaction, an
# unknown txn-id, a connection closed with its transaction open; then the
# crash cells: the client killed (SIGKILL) in the middle of a transaction
# (its held sends never appear, the messages it had acquired come back),
# and famqp-broker killed in the middle of one (the client sees the
# connection lost; the restarted broker, which keeps nothing on disk,
# shows nothing of it).
# Usage: proton_txn_broker.sh BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
py=(/usr/bin/python3 "$here/proton_txn.py")

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker)

for s in sends-commit sends-abort acks-commit acks-abort mixed-commit drop unknown; do
    echo "== $s"
    run "$s" "${py[@]}" "$s" "$url" "$s"
done

# wait_held NAME: the client NAME printed "held" (its transaction is open).
wait_held() {
    for _ in $(seq 200); do
        grep -q '^held' "$interop_tmp/$1.out" && return 0
        kill -0 "$last_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAILED: $1 did not reach its open transaction" >&2
    cat "$interop_tmp/$1.out" "$interop_tmp/$1.err" >&2
    exit 1
}

# expect_count NAME QUEUE N: the queue holds N messages.
expect_count() {
    run "$1" "${py[@]}" count "$url" crash --queue "$2"
    if ! grep -qx "count $3" "$interop_tmp/$1.out"; then
        echo "FAILED: $2 should hold $3 messages" >&2
        exit 1
    fi
}

echo "== client killed with sends held in its transaction: none appears"
start hold "${py[@]}" hold "$url" crash
holder=$last_pid
wait_held hold
kill -KILL "$holder"
wait "$holder" 2>/dev/null || true
expect_count count1 q1 0

echo "== client killed with acknowledgements in its transaction: all 4 come back"
start hold2 "${py[@]}" hold-acks "$url" crash
holder=$last_pid
wait_held hold2
kill -KILL "$holder"
wait "$holder" 2>/dev/null || true
expect_count count2 q3 4

echo "== famqp-broker killed in the middle of a transaction"
start hold3 "${py[@]}" hold "$url" crash2 --timeout 30
holder=$last_pid
wait_held hold3
kill -KILL "$broker"
wait "$broker" 2>/dev/null || true
rc=0
wait "$holder" || rc=$?
cat "$interop_tmp/hold3.out"
if [[ $rc -eq 0 ]] || ! grep -q "connection error\|FAILED" "$interop_tmp/hold3.out"; then
    echo "FAILED: the client did not report the lost connection (exit $rc)" >&2
    exit 1
fi
start broker2 "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker2)
run count3 "${py[@]}" count "$url" crash2 --queue q1
grep -qx "count 0" "$interop_tmp/count3.out" || { echo "FAILED: the restarted broker shows held sends" >&2; exit 1; }
stop_broker "$broker"
echo "ok"
