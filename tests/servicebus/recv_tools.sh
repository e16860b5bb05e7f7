#!/usr/bin/env bash
# famqp-recv's Service Bus options against the stand-in (famqp-sb-peer):
# --peek-lock with each --settle (the broker sees the disposition each
# means, and famqp-recv waits for its settlement), --session ID and
# --next-session (the granted session printed), receive-and-delete, and
# the usage errors.  usage: recv_tools.sh BUILD_EXAMPLES_DIR FAMQP_SB_PEER
BIN=${1:?usage: recv_tools.sh BUILD_EXAMPLES_DIR FAMQP_SB_PEER}
peer_bin=${2:?usage: recv_tools.sh BUILD_EXAMPLES_DIR FAMQP_SB_PEER}
. "$(dirname "$0")/../tools/lib.sh"

: >"$tmp/peer.out"
"$peer_bin" >"$tmp/peer.out" 2>"$tmp/peer.err" &
peer_pid=$!
rc_pids+=("$peer_pid")
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/peer.out")
    [[ -n $port ]] && break
    sleep 0.05
done
[[ -n $port ]] || { echo "FAILED: famqp-sb-peer did not start" >&2; cat "$tmp/peer.err" >&2; exit 1; }
url=amqp://127.0.0.1:$port

# run NAME ARGS...: famqp-recv URL ARGS (bounded); its output in NAME.out/err
run() {
    local name=$1 rc=0
    shift
    timeout 60 "$recv" "$url" "$@" --timeout 10 >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    echo "$rc" >"$tmp/$name.rc"
}
lines() { grep -c -- "$1" "$tmp/peer.out" || true; }

declare -A want=([complete]='disposition [0-3] accepted$' [abandon]='disposition [0-3] modified$'
    [dead-letter]='disposition [0-3] rejected com.microsoft:dead-letter$' [defer]='disposition [0-3] modified undeliverable-here$')
for how in complete abandon dead-letter defer; do
    before=$(lines "$(printf '%s' "${want[$how]}")")
    run "$how" q --count 4 --peek-lock --settle "$how" --credit 1
    [[ $(cat "$tmp/$how.rc") == 0 ]] || { fail "--settle $how exited $(cat "$tmp/$how.rc")"; cat "$tmp/$how.err" >&2; }
    expect "$tmp/$how.out" '^received 4 messages' "--settle $how"
    after=$(lines "$(printf '%s' "${want[$how]}")")
    [[ $((after - before)) -eq 4 ]] || { fail "--settle $how: the broker saw $((after - before)) of 4 '${want[$how]}'"; cat "$tmp/peer.out" >&2; }
done
expect "$tmp/peer.out" '^attach q snd-settle-mode 0 rcv-settle-mode 1 session -$' "--peek-lock attach"

run session sq --count 4 --peek-lock --session s-9
expect "$tmp/session.err" '^famqp-recv: session s-9$' "--session"
expect "$tmp/peer.out" '^attach sq snd-settle-mode 0 rcv-settle-mode 1 session s-9$' "--session attach"
run next sq --count 4 --next-session
expect "$tmp/next.err" '^famqp-recv: session granted-7$' "--next-session"
expect "$tmp/next.out" '^received 4 messages' "--next-session (receive-and-delete)"
expect "$tmp/peer.out" '^attach sq snd-settle-mode 1 rcv-settle-mode 0 session granted-7$' "receive-and-delete attach"
[[ $(cat "$tmp/next.rc") == 0 ]] || fail "--next-session exited $(cat "$tmp/next.rc")"

# usage errors: exit 2 with a reason
run bad1 q --settle complete
run bad2 q --peek-lock --settle later
run bad3 q --session a --next-session
for b in bad1 bad2 bad3; do
    [[ $(cat "$tmp/$b.rc") == 2 ]] || fail "$b exited $(cat "$tmp/$b.rc"), not 2"
done
expect "$tmp/bad1.err" 'needs --peek-lock' "--settle without --peek-lock"
expect "$tmp/bad2.err" 'not one of complete, abandon, dead-letter, defer' "--settle later"
expect "$tmp/bad3.err" 'exclude each other' "--session with --next-session"
finish
