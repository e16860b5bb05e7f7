#!/usr/bin/env bash
# famqp-broker's shutdown with 50 clients that stopped reading (issue 18,
# item 8): stall_clients opens 50 receivers with credit 100 on one queue
# and never reads; famqp-send puts 5,000 messages of 16 KiB there, so the
# broker's writes to every one of them block (80 MB to 50 sockets).
# SIGTERM then ends the broker within 5 s, exit 0 (generous: the closes
# are flushed in parallel within 1 s in all; one after the other at 200 ms
# each took 10 s).
# usage: shutdown_stalled.sh BUILD_EXAMPLES_DIR STALL_CLIENTS
BIN=${1:?usage: shutdown_stalled.sh BUILD_EXAMPLES_DIR STALL_CLIENTS}
stall=${2:?usage: shutdown_stalled.sh BUILD_EXAMPLES_DIR STALL_CLIENTS}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

start_broker b
url=amqp://127.0.0.1:$port
timeout 120 "$stall" "$url" q 50 100 >"$tmp/stall.out" 2>"$tmp/stall.err" &
stall_pid=$!
rc_pids+=("$stall_pid")
for _ in $(seq 600); do grep -q stalled "$tmp/stall.out" && break; alive "$stall_pid" || break; sleep 0.1; done
grep -q "stalled 50" "$tmp/stall.out" || { fail "stall_clients: $(cat "$tmp/stall.err")"; finish; }
timeout 60 "$send" "$url/q" --count 5000 --size 16384 --timeout 30 >"$tmp/s.out" 2>&1 ||
    fail "famqp-send: $(cat "$tmp/s.out")"
sleep 1
start=$(date +%s%N)
kill -TERM "$broker_pid"
for _ in $(seq 300); do alive "$broker_pid" || break; sleep 0.05; done
rc=0
alive "$broker_pid" && fail "famqp-broker still runs 15 s after SIGTERM"
wait "$broker_pid" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "exited $ms ms after SIGTERM"
((ms < 5000)) || fail "famqp-broker took $ms ms to exit after SIGTERM with 50 clients not reading (expected < 5000)"
[[ $rc == 0 ]] || fail "famqp-broker exit $rc after SIGTERM, expected 0"
finish
