#!/usr/bin/env bash
# famqp-broker's handshake deadline and idle timeout (issue 18, item 5),
# with raw sockets from hostile_peer.py: 20 slowloris connections (the
# protocol header one byte a second) are all closed soon after
# --handshake-timeout 1000 (before the header no AMQP frame can be sent:
# just closed); one that sent a bare AMQP header and no open gets open and
# close with amqp:resource-limit-exceeded; one that opened and then went
# silent is closed by --idle-timeout 1500 with amqp:resource-limit-exceeded;
# meanwhile a famqp-send/famqp-recv pair works.
# usage: deadlines.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: deadlines.sh BUILD_EXAMPLES_DIR}
shift
. "$(dirname "$0")/../tools/lib.sh"
peer() { timeout 60 python3 "$(dirname "$0")/hostile_peer.py" "$@"; }

start_broker b --handshake-timeout 1000 --idle-timeout 1500
peer slowloris "$port" 20 10 >"$tmp/slow.out" &
slow_pid=$!
rc_pids+=("$slow_pid")
url=amqp://127.0.0.1:$port/q
timeout 60 "$send" "$url" --count 10 --timeout 30 >"$tmp/s.out" 2>&1 || fail "famqp-send beside slowloris: $(cat "$tmp/s.out")"
timeout 60 "$recv" "$url" --count 10 --timeout 30 >"$tmp/r.out" 2>&1 || fail "famqp-recv beside slowloris: $(cat "$tmp/r.out")"
wait "$slow_pid" || fail "hostile_peer.py slowloris failed"
read -r _ closed _ _ _ secs _ <"$tmp/slow.out" || true
[[ $closed == 20 ]] || fail "slowloris: $(cat "$tmp/slow.out") (expected all 20 closed)"
# Closed within a few seconds (the peer looks once a second), not at the
# end of its 8-byte header.
[[ ${secs%.*} -le 6 ]] || fail "slowloris connections closed only after $secs s"
expect "$tmp/b.err" "handshake not finished within 1000 ms \\(--handshake-timeout\\): closed" "deadline logged"

got=$(peer noopen "$port" 10)
[[ $got == closed* && $got == *amqp:resource-limit-exceeded* ]] ||
    fail "header without open: expected a close with amqp:resource-limit-exceeded, got: $got"
got=$(peer quiet "$port" 10)
[[ $got == closed* && $got == *amqp:resource-limit-exceeded* && $got == *idle* ]] ||
    fail "silent after open: expected the idle timeout's close, got: $got"
finish
