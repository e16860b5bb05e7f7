#!/usr/bin/env bash
# famqp-send -> Qpid Proton's C example broker -> famqp-recv over
# 127.0.0.1 (the broker grants senders only 5 credits and delivers
# pre-settled).  Usage: famqp_through_proton_broker.sh BIN_DIR PROTON_BROKER [COUNT]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
proton_broker=$2
count=${3:-20000}

# Its TLS setup looks for example certificates and only warns without them.
start proton-broker "$proton_broker" 127.0.0.1 0
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port proton-broker)

for mode in at-least-once at-most-once; do
    flags=()
    [[ $mode == at-most-once ]] && flags=(--settled)
    echo "== $mode, $count messages"
    start recv-$mode "$bin/famqp-recv/famqp-recv" "$url" "q-$mode" --count "$count" --check-sequence
    r=$last_pid
    start send-$mode "$bin/famqp-send/famqp-send" "$url" "q-$mode" --count "$count" --size 100 "${flags[@]}"
    s=$last_pid
    finish "$s" send-$mode
    finish "$r" recv-$mode
done
echo "ok"
