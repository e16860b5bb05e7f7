#!/usr/bin/env bash
# go-amqp (famqp-go-check, main.go) as a client of famqp-broker, one cell a
# run; famqp-broker is started on 127.0.0.1 and stopped by PID.
# Usage: goamqp_cells.sh BIN_DIR GO_CHECK CELL
#   at_least_once   10,000 messages, every outcome awaited (send receipts)
#   at_most_once    10,000 sent settled, delivered settled
#   large_4MiB      one 4 MiB message both ways
#   sasl_plain      famqp-broker --user/--password: right password works
#                   (1,000 messages), a wrong one is refused
#   outcomes        release, reject, modified(delivery-failed) (see CMakeLists.txt)
#   settle_modes    senders setting snd-settle-mode explicitly (see CMakeLists.txt)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
[[ $# == 3 ]] || { echo "usage: goamqp_cells.sh BIN_DIR GO_CHECK CELL" >&2; exit 2; }
bin=$1
go_check=$2
cell=$3
broker_args=()
[[ $cell == sasl_plain ]] && broker_args=(--user gopher --password 's3cret!')
start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 "${broker_args[@]}"
broker=$last_pid
port=$(wait_port broker)
url=amqp://127.0.0.1:$port

case $cell in
at_least_once) run alo "$go_check" "$url" q-alo roundtrip 10000 at-least-once ;;
at_most_once) run amo "$go_check" "$url" q-amo roundtrip 10000 at-most-once ;;
large_4MiB) run large "$go_check" "$url" q-large large $((4 * 1024 * 1024)) ;;
sasl_plain)
    run right "$go_check" "amqp://gopher:s3cret%21@127.0.0.1:$port" q-sasl roundtrip 1000 at-least-once
    expect_fail wrong "connect to" "$go_check" "amqp://gopher:wrong@127.0.0.1:$port" q-sasl roundtrip 1 at-least-once
    ;;
outcomes) run outcomes "$go_check" "$url" q-outcomes outcomes ;;
settle_modes) run settle "$go_check" "$url" q-settle settle-modes ;;
*)
    echo "goamqp_cells.sh: unknown cell $cell" >&2
    exit 2
    ;;
esac
stop_broker "$broker"
