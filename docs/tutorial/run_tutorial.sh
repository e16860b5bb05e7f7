#!/usr/bin/env bash
# CTest `docs_tutorial`: runs the tutorial's program against famqp-broker on
# a free 127.0.0.1 port and checks it sent and received the three messages.
# The broker is stopped by PID whatever happens.
# First it checks that docs/tutorial.md shows the program's source exactly
# (its first ```c block), so the page cannot drift from what is tested.
#   usage: run_tutorial.sh FAMQP_BROKER SEND_RECEIVE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
broker=$1
program=$2
if ! diff -u "$here/send_receive.c" <(awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on' "$here/../tutorial.md"); then
    echo "FAILED: docs/tutorial.md does not show docs/tutorial/send_receive.c as it is (diff above)" >&2
    exit 1
fi
tmp=$(mktemp -d)
broker_pid=
cleanup() {
    [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT

"$broker" --listen 127.0.0.1:0 >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$tmp/broker.out" && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$tmp/broker.err" >&2; exit 1; }
    sleep 0.05
done
address=$(sed -n 's/^listening on //p' "$tmp/broker.out")
[ -n "$address" ] || { echo "famqp-broker did not start" >&2; exit 1; }

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
