# Helpers shared by the interop tests (sourced).  Every process a test
# starts is recorded and killed + waited for by PID when the test exits,
# whatever happens.
set -euo pipefail

interop_pids=()
interop_tmp=$(mktemp -d)

interop_cleanup() {
    local pid
    for pid in "${interop_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$interop_tmp"
}
trap interop_cleanup EXIT

# start NAME CMD...: runs CMD in the background, stdout/stderr to
# $interop_tmp/NAME.{out,err}; sets $last_pid.
start() {
    local name=$1
    shift
    : >"$interop_tmp/$name.out" # there before its reader looks (the child opens it later)
    "$@" >"$interop_tmp/$name.out" 2>"$interop_tmp/$name.err" &
    last_pid=$!
    interop_pids+=("$last_pid")
}

# port_of NAME [LINE]: waits (at most 10 s) for "LINE on [HOST:]PORT" (LINE
# "listening" when not given) on the stdout of NAME; prints PORT.
port_of() {
    local f=$interop_tmp/$1.out line=${2:-listening} port
    for _ in $(seq 100); do
        port=$(sed -n "s/^$line on \(.*:\)\{0,1\}\([0-9][0-9]*\).*/\2/p" "$f" 2>/dev/null | head -1)
        if [[ -n $port ]]; then
            echo "$port"
            return 0
        fi
        sleep 0.1
    done
    echo "$1 did not report '$line on HOST:PORT'; stderr:" >&2
    cat "$interop_tmp/$1.err" >&2
    return 1
}

# wait_port NAME: the port of NAME's "listening on ...PORT" line.
wait_port() { port_of "$1"; }

# finish PID NAME: waits for a started client and fails the test with its
# output when it did not exit 0.
finish() {
    local rc=0
    wait "$1" || rc=$?
    cat "$interop_tmp/$2.out"
    if [[ $rc -ne 0 ]]; then
        echo "FAILED: $2 exited $rc; stderr:" >&2
        cat "$interop_tmp/$2.err" >&2
        exit 1
    fi
}

# stop_broker PID: SIGTERM must end the broker cleanly (exit 0).
stop_broker() {
    local rc=0
    kill -TERM "$1"
    wait "$1" || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "FAILED: broker exited $rc after SIGTERM" >&2
        cat "$interop_tmp"/*broker*.err >&2
        exit 1
    fi
}
