#!/usr/bin/env bash
# famqp-broker out of descriptors (issue 18, item 4): started with
# `ulimit -n 256`, 400 connections attempted (hostile_peer.py hold: they
# send nothing, --handshake-timeout keeps them 60 s).  Over 3 s of that the
# broker's CPU time (utime + stime from /proc/PID/stat) stays under 1 s
# (generous: a spinning accept burns all 3), its stderr stays under 4 KiB
# and says once that it cannot accept (the listener pauses 100 ms doubling
# to 1 s); once the held connections close, famqp-send and famqp-recv get
# through within their 10 s timeouts.
# usage: emfile.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: emfile.sh BUILD_EXAMPLES_DIR}
shift
. "$(dirname "$0")/../tools/lib.sh"

cpu_ticks() {
    local f
    read -ra f <"/proc/$1/stat"
    # Fields 14 and 15 (utime, stime) counted from 1; comm has no spaces here.
    echo $((f[13] + f[14]))
}

# start_broker runs "$broker": a wrapper lowering the limit first.
printf '#!/bin/sh\nulimit -n 256 && exec "%s" "$@"\n' "$broker" >"$tmp/limited.sh"
chmod +x "$tmp/limited.sh"
broker=$tmp/limited.sh
start_broker b --handshake-timeout 60000

timeout 60 python3 "$(dirname "$0")/hostile_peer.py" hold "$port" 400 5 >"$tmp/hold.out" &
hold_pid=$!
rc_pids+=("$hold_pid")
for _ in $(seq 100); do grep -q held "$tmp/hold.out" && break; sleep 0.05; done
sleep 0.5
before=$(cpu_ticks "$broker_pid")
sleep 3
after=$(cpu_ticks "$broker_pid")
hz=$(getconf CLK_TCK)
used=$((after - before))
echo "$(cat "$tmp/hold.out"); broker CPU over 3 s: $used ticks of 1/$hz s"
((used < hz)) || fail "the broker used $used/$hz s of CPU in 3 s while out of descriptors (spinning?)"
expect "$tmp/b.err" "cannot accept connections \\(.*\\): pausing the listener" "the pause logged"
size=$(stat -c %s "$tmp/b.err")
((size < 4096)) || fail "stderr grew to $size bytes while out of descriptors"
wait "$hold_pid" || fail "hostile_peer.py hold failed"

url=amqp://127.0.0.1:$port/q
timeout 60 "$send" "$url" --count 5 --timeout 10 >"$tmp/s.out" 2>&1 || fail "famqp-send after the others closed: $(cat "$tmp/s.out")"
timeout 60 "$recv" "$url" --count 5 --timeout 10 >"$tmp/r.out" 2>&1 || fail "famqp-recv after the others closed: $(cat "$tmp/r.out")"
finish
