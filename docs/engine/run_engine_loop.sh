#!/usr/bin/env bash
# CTest `docs_engine_loop`: runs docs/engine/engine_loop.c (the engine in an
# application's own poll loop) against famqp-broker on a free 127.0.0.1
# port: 1000 messages must be sent, accepted and received back.  Also checks
# that docs/embedding-the-engine.md shows the program's source exactly.
# The broker is stopped by PID whatever happens.
#   usage: run_engine_loop.sh FAMQP_BROKER ENGINE_LOOP
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
broker=$1
program=$2
if ! diff -u "$here/engine_loop.c" <(awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on' "$here/../embedding-the-engine.md"); then
    echo "FAILED: docs/embedding-the-engine.md does not show docs/engine/engine_loop.c as it is (diff above)" >&2
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

out=$(timeout 30 "$program" "${address%:*}" "${address##*:}" engine-loop 1000)
echo "$out"
[ "$out" = "sent 1000, accepted 1000, received 1000" ] || { echo "FAILED: unexpected result" >&2; exit 1; }
echo "docs_engine_loop: ok"
