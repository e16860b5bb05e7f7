#!/usr/bin/env bash
# CTest `docs_event_loop`: runs docs/event-loop/loop_send_receive.c against
# famqp-broker on a free 127.0.0.1 port under both drivers (famqp_loop, and
# the application's own poll loop): COUNT messages must be sent, accepted
# and received back in order.  Also checks that docs/event-loop.md shows
# the program's source exactly.  The broker is stopped by PID whatever
# happens.
#   usage: run_event_loop.sh FAMQP_BROKER LOOP_SEND_RECEIVE COUNT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2 count=$3
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/loop_send_receive.c" "$here/../event-loop.md"

want="sent $count, accepted $count, received $count in order"
for driver in "" --own-loop; do
    # one queue for both: the second run also shows the first left nothing behind
    out=$(timeout 90 "$program" $driver "amqp://$address" event-loop "$count")
    echo "${driver:-famqp_loop}: $out"
    [ "$out" = "$want" ] || { echo "FAILED: ${driver:-famqp_loop}: expected '$want'" >&2; exit 1; }
done
echo "docs_event_loop: ok"
