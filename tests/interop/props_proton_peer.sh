#!/usr/bin/env bash
# Properties, capabilities and filters both ways against Qpid Proton
# (Debian python3-qpid-proton, run with the Debian /usr/bin/python3):
# props_peer.py checks what our client sends on open and attach and
# answers with its own values, which famqp-props-check reads back.
# Usage: props_proton_peer.sh PROPS_CHECK
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
check=$1
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
    echo "FAILED: python3-qpid-proton is missing (scripts/install-deps.sh)" >&2
    exit 1
fi

start peer /usr/bin/python3 "$here/props_peer.py" --timeout 30
peer=$last_pid
port=$(wait_port peer)
start client "$check" "amqp://127.0.0.1:$port"
finish "$last_pid" client
finish "$peer" peer
echo "ok"
