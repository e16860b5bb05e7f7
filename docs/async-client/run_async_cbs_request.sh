#!/usr/bin/env bash
# CTest `docs_async_cbs_request`: runs docs/async-client/async_cbs_request.c
# against famqp-broker --sas-key on a free 127.0.0.1 port: one token put
# for the queue before its links attach, the two hand-made put-tokens
# answered 200 and 401, COUNT messages round in order.  Also checks that
# docs/async-client.md shows the program's source exactly (its second C
# block).  The broker is stopped by PID whatever happens.
#   usage: run_async_cbs_request.sh FAMQP_BROKER ASYNC_CBS_REQUEST COUNT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2 count=$3
key_name=RootManageSharedAccessKey key=SAS_KEY_VALUE
broker_args=(--sas-key "$key_name=$key")
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/async_cbs_request.c" "$here/../async-client.md" 2
want="tokens put 1, by hand 200 401, sent $count, received $count, $count in order"
out=$(timeout 90 "$program" "amqp://$address" "$key_name" "$key" cbs-docs "$count")
echo "$out"
[ "$out" = "$want" ] || { echo "FAILED: expected '$want'" >&2; exit 1; }
echo "docs_async_cbs_request: ok"
