#!/usr/bin/env bash
# CTest `docs_async_client`: runs docs/async-client/async_send_receive.c
# against famqp-broker on a free 127.0.0.1 port: COUNT messages must be
# sent, accepted and received back in order.  Also checks that
# docs/async-client.md shows the program's source exactly.  The broker is
# stopped by PID whatever happens.
#   usage: run_async_client.sh FAMQP_BROKER ASYNC_SEND_RECEIVE COUNT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2 count=$3
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/async_send_receive.c" "$here/../async-client.md"
want="sent $count, accepted $count, received $count in order"
out=$(timeout 90 "$program" "amqp://$address" async-docs "$count")
echo "$out"
[ "$out" = "$want" ] || { echo "FAILED: expected '$want'" >&2; exit 1; }
echo "docs_async_client: ok"
