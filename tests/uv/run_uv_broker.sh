#!/usr/bin/env bash
# CTest uv_broker_100k: starts famqp-broker ($1) on a free 127.0.0.1 port,
# runs the libuv transfer program ($2) against it with COUNT ($3) messages,
# and stops the broker by PID whatever happens (tests/interop/lib.sh).
#   run_uv_broker.sh FAMQP_BROKER UV_BROKER_TRANSFER [COUNT]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../interop/lib.sh"
broker=$1 program=$2 count=${3:-100000}
start broker "$broker" --listen 127.0.0.1:0
address=127.0.0.1:$(wait_port broker)
echo "famqp-broker listening on $address"
"$program" "$address" "$count"
