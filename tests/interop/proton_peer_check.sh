#!/usr/bin/env bash
# A check program of ours against a Qpid Proton peer written in Python
# (Debian python3-qpid-proton, run with the Debian /usr/bin/python3): the
# peer prints "listening on 127.0.0.1:PORT", the check connects to it, and
# both must exit 0.  props_peer.py (properties, capabilities, filters) and
# request_responder.py (request/response) are such peers.
# Usage: proton_peer_check.sh PEER.py CHECK
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
peer_py=$1 check=$2
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
    echo "FAILED: python3-qpid-proton is missing (scripts/install-deps.sh)" >&2
    exit 1
fi

start peer /usr/bin/python3 "$here/$peer_py" --timeout 60
peer=$last_pid
port=$(wait_port peer)
start client "$check" "amqp://127.0.0.1:$port"
finish "$last_pid" client
finish "$peer" peer
echo "ok"
