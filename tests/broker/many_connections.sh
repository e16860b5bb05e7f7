#!/usr/bin/env bash
# famqp-broker holding N idle connections (default 10,000; issue 12):
# hold_connections opens them (open, begin, attach a receiver, 200
# connecting at a time) and asks for an idle timeout (5 s, or $HOLD_IDLE_MS
# ms: CMake sets 10 s for sanitizer builds, whose starved holder can read a
# socket seconds late), so the broker must heartbeat every one of them while
# they are held for more than twice that; a new famqp-send/famqp-recv pair
# moves 20,000 messages through the broker meanwhile (in order, each once);
# the held connections all close cleanly (200 at a time), the broker's
# descriptors go back to what they were, it logged nothing (it runs without
# --verbose: any line is a complaint) and SIGTERM stops it, exit 0.
# usage: many_connections.sh BUILD_EXAMPLES_DIR HOLD_CONNECTIONS N [BROKER_ARGS...]
BIN=${1:?usage: many_connections.sh BUILD_EXAMPLES_DIR HOLD_CONNECTIONS N [BROKER_ARGS...]}
hold=${2:?usage: many_connections.sh BUILD_EXAMPLES_DIR HOLD_CONNECTIONS N [BROKER_ARGS...]}
n=${3:?usage: many_connections.sh BUILD_EXAMPLES_DIR HOLD_CONNECTIONS N [BROKER_ARGS...]}
shift 3
. "$(dirname "$0")/../tools/lib.sh"
[[ -x $hold ]] || { echo "FAILED: $hold not built" >&2; exit 1; }

# Both the broker and the holder need N descriptors and some to spare.
need=$((n + 256))
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && ((hard < need)); then
    echo "FAILED: the hard descriptor limit ($hard) is below $need: raise it to hold $n connections" >&2
    exit 1
fi
ulimit -n "$need"

# The broker's open descriptors: a glob, which cannot fail (find exits 1
# when a descriptor closes while it reads the directory, and set -e would
# end the test without a word).
fds() {
    local a=(/proc/"$1"/fd/*)
    echo "${#a[@]}"
}

"$broker" --listen 127.0.0.1:0 "$@" >"$tmp/b.out" 2>"$tmp/b.err" &
broker_pid=$!
rc_pids+=("$broker_pid")
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/b.out")
    [[ -n $port ]] && break
    alive "$broker_pid" || break
    sleep 0.1
done
[[ -n $port ]] || { echo "FAILED: famqp-broker did not start:" >&2; cat "$tmp/b.err" >&2; exit 1; }
url=amqp://127.0.0.1:$port
fds_before=$(fds "$broker_pid")

idle_ms=${HOLD_IDLE_MS:-5000}
timeout 300 "$hold" "$url/hold" --count "$n" --concurrency 200 --idle-timeout "$idle_ms" --timeout 120 \
    >"$tmp/h.out" 2>"$tmp/h.err" &
hold_pid=$!
rc_pids+=("$hold_pid")
opened=""
for _ in $(seq 1300); do
    opened=$(grep -m1 '^opened ' "$tmp/h.out" || true)
    [[ -n $opened ]] && break
    alive "$hold_pid" || break
    sleep 0.1
done
if [[ $opened != "opened $n of $n connections"* ]]; then
    fail "hold_connections did not open $n connections: ${opened:-no report}"
    cat "$tmp/h.err" "$tmp/b.err" >&2
    exit 1
fi
echo "$opened"
held=$(fds "$broker_pid")
((held >= fds_before + n)) || fail "the broker has $held descriptors open while holding $n connections (had $fds_before)"

# While they are open: a new pair through the broker.
count=20000
"$recv" "$url/q" --count "$count" --check-sequence --timeout 60 >"$tmp/r.out" 2>"$tmp/r.err" &
rpid=$!
rc_pids+=("$rpid")
timeout 120 "$send" "$url/q" --count "$count" --size 100 --timeout 60 >"$tmp/s.out" 2>"$tmp/s.err" ||
    fail "famqp-send with $n connections held: $(cat "$tmp/s.err")"
rc=0
wait "$rpid" || rc=$?
[[ $rc == 0 ]] || fail "famqp-recv exit $rc with $n connections held: $(cat "$tmp/r.err")"
expect "$tmp/r.out" "^received $count messages" "famqp-recv with $n connections held"

# Held for more than twice the idle timeout: only the broker's heartbeats
# keep them (a lost one is reported when they close).
sleep $((2 * idle_ms / 1000 + 1))
alive "$hold_pid" || fail "hold_connections ended while holding: $(cat "$tmp/h.out" "$tmp/h.err")"
kill -TERM "$hold_pid"
rc=0
wait "$hold_pid" || rc=$?
[[ $rc == 0 ]] || { fail "hold_connections exit $rc:"; cat "$tmp/h.out" "$tmp/h.err" >&2; }
expect "$tmp/h.out" "^closed $n of $n connections cleanly" "every held connection closed cleanly"
[[ -s $tmp/h.err ]] && { fail "hold_connections complained:"; head -20 "$tmp/h.err" >&2; }

# The broker let go of every one of them.
now=$(fds "$broker_pid")
for _ in $(seq 100); do
    ((now <= fds_before)) && break
    sleep 0.1
    now=$(fds "$broker_pid")
done
((now <= fds_before)) || fail "the broker still has $now descriptors open after the close (had $fds_before)"

kill -TERM "$broker_pid"
for _ in $(seq 100); do alive "$broker_pid" || break; sleep 0.1; done
alive "$broker_pid" && fail "famqp-broker still runs 10 s after SIGTERM"
rc=0
wait "$broker_pid" || rc=$?
[[ $rc == 0 ]] || fail "famqp-broker exit $rc after SIGTERM"
if grep -v '^famqp-broker: SIGTERM: shutting down$' "$tmp/b.err" | grep -q .; then
    fail "famqp-broker logged something while holding $n connections:"
    head -20 "$tmp/b.err" >&2
fi
expect "$tmp/b.err" "famqp-broker: SIGTERM: shutting down" "SIGTERM shutdown message"
finish
