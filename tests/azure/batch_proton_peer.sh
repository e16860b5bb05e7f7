#!/usr/bin/env bash
# Batches our client sends (famqp/batch.h, message-format 0x80013700),
# split into their events by a Qpid Proton receiver that decodes the data
# sections itself (batch_peer.py, Debian python3-qpid-proton with the
# Debian /usr/bin/python3).
# Usage: batch_proton_peer.sh BATCH_SEND COUNT LIMIT [PARTITION_KEY]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../interop/lib.sh"
send=$1 count=$2 limit=$3
key=("${@:4}")
if ! /usr/bin/python3 -c 'import proton' 2>/dev/null; then
    echo "FAILED: python3-qpid-proton is missing (scripts/install-deps.sh)" >&2
    exit 1
fi
peer_args=(--events "$count" --limit "$limit" --timeout 60)
[[ ${#key[@]} -gt 0 ]] && peer_args+=(--partition-key "${key[0]}")
start peer /usr/bin/python3 "$here/batch_peer.py" "${peer_args[@]}"
peer=$last_pid
port=$(wait_port peer)
start sender timeout 60 "$send" "amqp://127.0.0.1:$port" "$count" "$limit" "${key[@]}"
finish "$last_pid" sender
finish "$peer" peer
echo "ok"
