# Process helpers for the test and benchmark scripts (sourced; bash).
# Nothing here starts or traps anything.

# alive PID: true while PID runs (a zombie or a reaped PID counts as gone).
# One read of /proc: two could see a process that is reaped in between.
alive() {
    local state
    state=$(grep -m1 '^State:' "/proc/$1/status" 2>/dev/null) || return 1
    [[ ! $state =~ ^State:[[:space:]]*[ZX] ]]
}

# dump_stacks PID: the stacks of every thread of PID and of its children
# (PID may be a `timeout` wrapper), when gdb is installed; for the log of a
# process that did not stop, so a hang says where it is.
dump_stacks() {
    local p
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
        echo "--- pid $p: $({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null)"
        if command -v gdb >/dev/null; then
            timeout 60 gdb -q -batch -p "$p" -ex "thread apply all bt" 2>&1 | grep -E '^(Thread|#)' || true
        else
            echo "(gdb not installed: no stacks)"
        fi
    done
}

# term_wait PID SECONDS NAME: SIGTERM to PID (a child of this shell), then
# waits at most SECONDS for it to exit; returns its exit status.  If it is
# still running then, says so on stderr ("FAILED: NAME ... still running")
# with its threads' stacks, kills it and its children (SIGKILL) and
# returns 124, like timeout(1).
term_wait() {
    local pid=$1 secs=$2 name=$3 rc=0 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        if ! alive "$pid"; then
            wait "$pid" 2>/dev/null || rc=$?
            return "$rc"
        fi
        sleep 0.1
    done
    echo "FAILED: $name (pid $pid) still running ${secs} s after SIGTERM; its threads:" >&2
    dump_stacks "$pid" >&2
    kill -9 $(pgrep -P "$pid" 2>/dev/null) "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 124
}
