# Shared by the tools tests: binaries, a temp dir, famqp-broker on a free
# 127.0.0.1 port, and stopping everything started by PID on exit.
# usage (sourced): BIN=BUILD_EXAMPLES_DIR; . lib.sh
set -euo pipefail
send=$BIN/famqp-send/famqp-send
recv=$BIN/famqp-recv/famqp-recv
broker=$BIN/famqp-broker/famqp-broker
for b in "$send" "$recv" "$broker"; do
    [[ -x $b ]] || { echo "FAILED: $b not built" >&2; exit 1; }
done
# Process helpers shared with the other program-level tests: alive,
# stop_pid, and every PID in rc_pids stopped (and rc_tmp removed) on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../reconnect/lib.sh"
tmp=$rc_tmp
# fail, expect and $failures
source "$(dirname "${BASH_SOURCE[0]}")/../common/checks.sh"

# start_broker NAME ARGS...: famqp-broker on 127.0.0.1:0 (bounded by 120 s);
# sets $broker_pid and $port once it printed "listening on".
start_broker() {
    local name=$1
    shift
    : >"$tmp/$name.out" # there before the loop below reads it (the child opens it later)
    "$broker" --listen 127.0.0.1:0 --verbose "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    broker_pid=$!
    rc_pids+=("$broker_pid")
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/$name.out")
        [[ -n $port ]] && return 0
        alive "$broker_pid" || break
        sleep 0.05
    done
    echo "FAILED: famqp-broker did not start:" >&2
    cat "$tmp/$name.err" >&2
    exit 1
}

finish() {
    if ((failures)); then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
