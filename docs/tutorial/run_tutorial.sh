#!/usr/bin/env bash
# CTest `docs_tutorial`: runs the tutorial's program against famqp-broker on
# a free 127.0.0.1 port and checks it sent and received the three messages.
# The broker is stopped by PID whatever happens.
# First it checks that docs/tutorial.md shows the program's source exactly
# (its first ```c block), so the page cannot drift from what is tested.
#   usage: run_tutorial.sh FAMQP_BROKER SEND_RECEIVE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/send_receive.c" "$here/../tutorial.md"

timeout 30 "$program" "amqp://$address" tutorial | tee "$tmp/out"
expected='sent: hello 1
sent: hello 2
sent: hello 3
received: hello 1
received: hello 2
received: hello 3'
if [ "$(cat "$tmp/out")" != "$expected" ]; then
    echo "FAILED: the tutorial program's output differs from the tutorial's" >&2
    exit 1
fi
echo "docs_tutorial: ok"
