#!/usr/bin/env bash
# One cell of the ActiveMQ Artemis column of the interop matrix (issue 15)
# against the broker artemis.sh started (CTest fixture "artemis"):
# famqp-send/famqp-recv and the client API (CHECK: rabbitmq-cells, whose
# cells are broker-neutral but for their expectations, which are passed in).
# Usage: artemis_cells.sh ARTEMIS_DIR BIN_DIR CHECK CELL
# Prints what the cell checked; exits 0 when it passed.
#
# Addresses: the acceptors map /queue/NAME to the anycast address NAME and
# /topic/NAME to the multicast address NAME (anycastPrefix/multicastPrefix);
# a plain NAME gets the routing type the link's capabilities ask for (cell
# capabilities) or, without any, the broker's default (multicast).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/lib.sh"
[[ $# == 4 ]] || { echo "usage: artemis_cells.sh ARTEMIS_DIR BIN_DIR CHECK CELL" >&2; exit 2; }
art_load "$1"
bin=$2
check=$3
cell=$4
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
url=$(art_url)
count=10000
plain=(--allow-plain-insecure) # SASL PLAIN on loopback without TLS

if [[ -z $(art_pid) ]]; then
    echo "FAILED: Artemis is not running (dir $art_dir): see $art_dir/broker.out" >&2
    exit 1
fi

# wait_ok PID NAME: prints a client's output; fails unless it exited 0.
wait_ok() {
    local rc=0
    wait "$1" || rc=$?
    cat "$interop_tmp/$2.out" "$interop_tmp/$2.err"
    [[ $rc -eq 0 ]] || { echo "FAILED: $2 exited $rc" >&2; return 1; }
}

# Sender and receiver at the same time; the receiver checks 0..N-1 once
# each, in order.
tools_roundtrip() { # QUEUE SEND_FLAGS...
    local q=$1
    shift
    start recv "$recv" "$url" "$q" --count "$count" --check-sequence --timeout 30 "${plain[@]}"
    local r=$last_pid
    start send "$send" "$url" "$q" --count "$count" --size 100 --timeout 30 "${plain[@]}" "$@"
    wait_ok "$last_pid" send && wait_ok "$r" recv
}

case $cell in
tools_at_least_once) tools_roundtrip /queue/tools-alo ;;
*)
    echo "artemis_cells.sh: unknown cell $cell" >&2
    exit 2
    ;;
esac
