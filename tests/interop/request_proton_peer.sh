#!/usr/bin/env bash
# Request/response (famqp/request.h) against a Qpid Proton management node
# (request_responder.py, Debian python3-qpid-proton run with the Debian
# /usr/bin/python3): famqp-request-check runs every case against it.
# Usage: request_proton_peer.sh REQUEST_CHECK
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
check=$1
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
    echo "FAILED: python3-qpid-proton is missing (scripts/install-deps.sh)" >&2
    exit 1
fi

start responder /usr/bin/python3 "$here/request_responder.py" --timeout 60
responder=$last_pid
port=$(wait_port responder)
start client "$check" "amqp://127.0.0.1:$port"
finish "$last_pid" client
finish "$responder" responder
echo "ok"
