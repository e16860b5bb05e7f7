# Helpers shared by the reconnect tests (sourced).  Every process a test
# starts is recorded and stopped by PID (TERM, then KILL) and waited for
# when the test exits, whatever happens.
set -euo pipefail

rc_pids=()
rc_tmp=$(mktemp -d)

# alive, dump_stacks, term_wait
source "$(dirname "${BASH_SOURCE[0]}")/../common/procs.sh"

stop_pid() {
    local pid=$1
    if alive "$pid"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

rc_cleanup() {
    local pid
    for pid in "${rc_pids[@]}"; do stop_pid "$pid"; done
    rm -rf "$rc_tmp"
}
trap rc_cleanup EXIT

# start NAME CMD...: runs CMD in the background, output in
# $rc_tmp/NAME.{out,err}; sets $last_pid.
start() {
    local name=$1
    shift
    : >"$rc_tmp/$name.out" # there before its reader looks (the child opens it later)
    "$@" >"$rc_tmp/$name.out" 2>"$rc_tmp/$name.err" &
    last_pid=$!
    rc_pids+=("$last_pid")
}

# wait_port NAME: waits (at most 10 s) for "listening on HOST:PORT" on
# NAME's stdout; prints PORT.
wait_port() {
    local port
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$rc_tmp/$1.out" 2>/dev/null | head -1)
        if [[ -n $port ]]; then
            echo "$port"
            return 0
        fi
        sleep 0.1
    done
    echo "FAILED: $1 did not report a listening port; stderr:" >&2
    cat "$rc_tmp/$1.err" >&2
    return 1
}

# finish PID NAME: waits for a client; fails the test with its output
# unless it exited 0.
finish() {
    local rc=0
    wait "$1" || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "FAILED: $2 exited $rc; stdout:" >&2
        cat "$rc_tmp/$2.out" >&2
        echo "stderr:" >&2
        cat "$rc_tmp/$2.err" >&2
        exit 1
    fi
}

# field NAME WORD: the number after WORD in NAME's stdout ("resent 12").
field() {
    sed -n "s/.*\\b$2 \\([0-9][0-9]*\\).*/\\1/p" "$rc_tmp/$1.out" | tail -1
}

# read_summaries: the summary lines of the tools started as "send" and
# "recv": sets sent, received, resent, send_reconnects, recv_reconnects,
# duplicates, lost and distinct.
read_summaries() {
    sent=$(sed -n 's/^sent \([0-9]*\) messages.*/\1/p' "$rc_tmp/send.out")
    received=$(sed -n 's/^received \([0-9]*\) messages.*/\1/p' "$rc_tmp/recv.out")
    resent=$(field send resent)
    send_reconnects=$(field send reconnects)
    recv_reconnects=$(field recv reconnects)
    duplicates=$(field recv duplicates)
    lost=$(field recv lost)
    distinct=$(field recv distinct)
}
