#!/usr/bin/env bash
# famqp-recv --listen (issue 3 part 4, issue 5 part 4): famqp-send connects
# straight to a listening famqp-recv on 127.0.0.1, no broker between.
#   - 100,000 messages at-most-once (--settled) and at-least-once: both
#     programs exit 0, and famqp-recv --check-sequence proves that 0..N-1
#     arrived once each, in order (nothing lost, nothing duplicated);
#   - a peer that does not speak AMQP gets the protocol header and is cut off;
#   - a sender attaching to another address and a receiver attaching at all
#     are refused with amqp:not-found, and the listening famqp-recv, stopped
#     by PID with SIGTERM, exits 1 saying how many messages it had;
#   - a sender that stops before N: famqp-recv exits 1 after its --timeout
#     with "after M of N messages";
#   - a port already in use: a clear error.
# Every process runs under `timeout` and is stopped by PID when the script
# exits, whatever happens.
#
# usage: recv_listen.sh BUILD_EXAMPLES_DIR [COUNT]
set -euo pipefail
bin=${1:?usage: recv_listen.sh BUILD_EXAMPLES_DIR [COUNT]}
count=${2:-100000}
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
for b in "$send" "$recv"; do
    [[ -x $b ]] || { echo "FAILED: $b not built" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=()
failures=0

# alive, term_wait
source "$(dirname "$0")/../common/procs.sh"
stop_pid() {
    local pid=$1
    if alive "$pid"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local pid
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAILED: $*" >&2
    failures=$((failures + 1))
}

# listen NAME ARGS...: starts famqp-recv --listen 127.0.0.1:0 ARGS (bounded
# by 120 s); sets $recv_pid and $port once it printed "listening on".
listen() {
    local name=$1
    shift
    # --foreground: see perf/e2e's start_server (timeout's SIGCONT to the
    # group can hang an ASan build's leak check at exit).
    : >"$tmp/$name.out" # there before the loop below reads it (the child opens it later)
    timeout --foreground 120 "$recv" --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    recv_pid=$!
    pids+=("$recv_pid")
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/$name.out" | head -1)
        [[ -n $port ]] && return 0
        alive "$recv_pid" || break
        sleep 0.1
    done
    echo "FAILED: famqp-recv --listen ($name) did not report its port:" >&2
    cat "$tmp/$name.err" >&2
    exit 1
}

# reap_recv: waits for the receiver $recv_pid (bounded by its timeout);
# sets $r_rc to its exit status.
reap_recv() {
    r_rc=0
    wait "$recv_pid" || r_rc=$?
}

# ---- N messages each way: none lost, none duplicated ------------------------
for mode in at-most-once at-least-once; do
    flag=()
    [[ $mode == at-most-once ]] && flag=(--settled)
    listen "$mode" q --count "$count" --check-sequence --timeout 30
    s_rc=0
    timeout 120 "$send" "amqp://127.0.0.1:$port" q --count "$count" --size 100 "${flag[@]}" --timeout 30 \
        >"$tmp/$mode.send" 2>&1 || s_rc=$?
    reap_recv
    if [[ $s_rc -ne 0 || $r_rc -ne 0 ]]; then
        fail "$mode: famqp-send exit $s_rc, famqp-recv exit $r_rc"
        cat "$tmp/$mode.send" "$tmp/$mode.err" >&2
    elif ! grep -q "^received $count messages in [0-9.]* s: [0-9]* msg/s$" "$tmp/$mode.out" ||
        ! grep -q "^sent $count messages in " "$tmp/$mode.send"; then
        fail "$mode: unexpected final lines:"
        cat "$tmp/$mode.out" "$tmp/$mode.send" >&2
    elif [[ -s $tmp/$mode.err ]]; then
        fail "$mode: famqp-recv complained:"
        cat "$tmp/$mode.err" >&2
    else
        echo "ok: $mode: $(tail -n1 "$tmp/$mode.send") / $(tail -n1 "$tmp/$mode.out")"
    fi
done

# ---- refusals, then stop by PID ---------------------------------------------
listen refuse q --count 10 --timeout 60
# Not AMQP at all: that connection gets the AMQP header back and is closed;
# the listener carries on (the refusals below still get answers).
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    printf 'GET / HTTP/1.0\r\n\r\n' >&3
    reply=$(timeout 5 head -c 8 <&3 | od -An -c | tr -d ' \n')
    exec 3<&-
    [[ $reply == 'AMQP\0001\0\0' ]] || fail "a non-AMQP peer got '$reply', not the AMQP protocol header"
else
    fail "cannot connect to famqp-recv --listen on port $port"
fi
s_rc=0
timeout 30 "$send" "amqp://127.0.0.1:$port" other --count 1 --timeout 10 >"$tmp/refused.send" 2>&1 || s_rc=$?
if [[ $s_rc -eq 0 ]] || ! grep -q "amqp:not-found.*receives only at 'q', not at 'other'" "$tmp/refused.send"; then
    fail "a sender to another address was not refused with amqp:not-found (exit $s_rc):"
    cat "$tmp/refused.send" >&2
else
    echo "ok: other address refused: $(head -n1 "$tmp/refused.send")"
fi
r_rc=0
timeout 30 "$recv" "amqp://127.0.0.1:$port" q --count 1 --timeout 10 >"$tmp/refused.recv" 2>&1 || r_rc=$?
if [[ $r_rc -eq 0 ]] || ! grep -q "amqp:not-found.*only receives" "$tmp/refused.recv"; then
    fail "a receiver attaching to famqp-recv --listen was not refused with amqp:not-found (exit $r_rc):"
    cat "$tmp/refused.recv" >&2
else
    echo "ok: receiver refused: $(head -n1 "$tmp/refused.recv")"
fi
r_rc=0
term_wait "$recv_pid" 30 famqp-recv || r_rc=$?
if [[ $r_rc -ne 1 ]] || ! grep -q "SIGTERM after 0 of 10 messages" "$tmp/refuse.err" ||
    ! grep -q "failed: amqp:connection:framing-error: bad protocol header" "$tmp/refuse.err" ||
    ! grep -q "^received 0 messages" "$tmp/refuse.out"; then
    fail "famqp-recv --listen stopped by SIGTERM: exit $r_rc (want 1):"
    cat "$tmp/refuse.out" "$tmp/refuse.err" >&2
else
    echo "ok: stopped by PID: $(grep SIGTERM "$tmp/refuse.err")"
fi

# ---- a sender that stops short ------------------------------------------------
listen short q --count 100 --check-sequence --timeout 2
timeout 30 "$send" "amqp://127.0.0.1:$port" q --count 60 --timeout 10 >"$tmp/short.send" 2>&1 ||
    fail "famqp-send of 60 messages failed: $(cat "$tmp/short.send")"
reap_recv
if [[ $r_rc -eq 0 ]] || ! grep -q "after 60 of 100 messages" "$tmp/short.err" ||
    ! grep -q "^received 60 messages" "$tmp/short.out"; then
    fail "famqp-recv --listen with 60 of 100 messages: exit $r_rc:"
    cat "$tmp/short.out" "$tmp/short.err" >&2
else
    echo "ok: short sender: $(head -n1 "$tmp/short.err")"
fi

# ---- port in use ----------------------------------------------------------------
listen busy q --count 1 --timeout 30
b_rc=0
timeout 30 "$recv" --listen "127.0.0.1:$port" q --count 1 >"$tmp/busy2.out" 2>&1 || b_rc=$?
if [[ $b_rc -eq 0 ]] || ! grep -qi "in use" "$tmp/busy2.out"; then
    fail "a second famqp-recv --listen on port $port: exit $b_rc:"
    cat "$tmp/busy2.out" >&2
else
    echo "ok: port in use: $(head -n1 "$tmp/busy2.out")"
fi
stop_pid "$recv_pid"

if [[ $failures -ne 0 ]]; then
    echo "recv_listen: $failures failure(s)" >&2
    exit 1
fi
echo "recv_listen: all passed"
