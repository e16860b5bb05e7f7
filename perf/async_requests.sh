#!/usr/bin/env bash
# Request/response throughput: COUNT put-token requests with IN_FLIGHT
# outstanding to famqp-broker's $cbs (--sas-key), through the asynchronous
# requester and the blocking one (perf/async_requests.c), REPS times on a
# fresh broker each (127.0.0.1, a free port, stopped by PID: broker_lib.sh);
# prints every run's req/s, sorted, and the median of each.
# usage: async_requests.sh BUILD_DIR [COUNT [IN_FLIGHT [REPS]]]   (defaults 20000 64 5)
set -euo pipefail
build=${1:?usage: async_requests.sh BUILD_DIR [COUNT [IN_FLIGHT [REPS]]]}
count=${2:-20000} in_flight=${3:-64} reps=${4:-5}
broker=$build/examples/famqp-broker/famqp-broker
prog=$build/perf/async-requests
me=perf/async_requests.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/famqp-async-requests.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
# term_wait; start_broker, stop_broker
. "$(dirname "$0")/../tests/common/procs.sh"
. "$(dirname "$0")/broker_lib.sh"
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

a=() b=()
for _ in $(seq "$reps"); do
    start_broker "$broker" --listen 127.0.0.1:0 --sas-key perf=perf-key
    timeout 600 "$prog" "amqp://127.0.0.1:$port" perf perf-key "$count" "$in_flight" >"$tmp/r.out"
    a+=("$(sed -n 's/^async: \([0-9]*\).*/\1/p' "$tmp/r.out")")
    b+=("$(sed -n 's/^blocking: \([0-9]*\).*/\1/p' "$tmp/r.out")")
    stop_broker
done
echo "async requester: $(printf '%s\n' "${a[@]}" | sort -n | tr '\n' ' ')"
echo "blocking requester: $(printf '%s\n' "${b[@]}" | sort -n | tr '\n' ' ')"
echo "median req/s ($count requests, $in_flight in flight): async $(median "${a[@]}"), blocking $(median "${b[@]}")"
