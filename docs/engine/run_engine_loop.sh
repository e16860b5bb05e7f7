#!/usr/bin/env bash
# CTest `docs_engine_loop`: runs docs/engine/engine_loop.c (the engine in an
# application's own poll loop) against famqp-broker on a free 127.0.0.1
# port: 1000 messages must be sent, accepted and received back.  Also checks
# that docs/embedding-the-engine.md shows the program's source exactly.
# The broker is stopped by PID whatever happens.
#   usage: run_engine_loop.sh FAMQP_BROKER ENGINE_LOOP
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/engine_loop.c" "$here/../embedding-the-engine.md"

out=$(timeout 30 "$program" "${address%:*}" "${address##*:}" engine-loop 1000)
echo "$out"
[ "$out" = "sent 1000, accepted 1000, received 1000" ] || { echo "FAILED: unexpected result" >&2; exit 1; }
echo "docs_engine_loop: ok"
