#!/usr/bin/env bash
# famqp-send -> famqp-broker -> famqp-recv over 127.0.0.1: COUNT messages
# at-least-once and at-most-once, sender and receiver running at the same
# time; famqp-recv --check-sequence fails on any loss, duplicate or
# reordering.  Usage: famqp_through_broker.sh BIN_DIR [COUNT]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
count=${2:-100000}

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0
broker=$last_pid
port=$(wait_port broker)
url=amqp://127.0.0.1:$port

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
stop_broker "$broker"
echo "ok"
