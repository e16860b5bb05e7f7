#!/usr/bin/env bash
# CTest `docs_readme_client`: README.md's client example.  Checks that the
# README shows docs/readme/client.c exactly (its first ```c block), then
# runs the program against famqp-broker on a free 127.0.0.1 port: it must
# send "hello", receive it back and exit 0.  The broker is stopped by PID
# whatever happens.
#   usage: run_readme_client.sh FAMQP_BROKER README_CLIENT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
program=$2
source "$here/../run_with_broker.sh" "$1"
page_shows_source "$here/client.c" "$here/../../README.md"

timeout 30 "$program" "amqp://$address" | tee "$tmp/out"
if ! grep -q 'hello' "$tmp/out"; then
    echo "FAILED: the README's client example did not print the message it sent" >&2
    exit 1
fi
echo "docs_readme_client: ok"
