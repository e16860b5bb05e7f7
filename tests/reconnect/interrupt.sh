#!/usr/bin/env bash
# SIGTERM stops famqp-send and famqp-recv --reconnect while they are
# reconnecting: the broker is killed (SIGKILL) under both and not
# restarted, so each would retry for about a minute (60 attempts); a
# SIGTERM then must end each within 10 s (famqp_client_interrupt from the
# tools' signal handler) with exit 130 and its summary naming SIGTERM.
# usage: interrupt.sh BUILD_EXAMPLES_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1
broker=$bin/famqp-broker/famqp-broker
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv

start broker "$broker" --listen 127.0.0.1:0
broker_pid=$last_pid
port=$(wait_port broker)
url=amqp://127.0.0.1:$port
start recv "$recv" "$url" int-q --count 1000000 --reconnect --timeout 120
recv_pid=$last_pid
start send "$send" "$url" int-q --count 1000000 --reconnect --rate 2000 --timeout 120
send_pid=$last_pid
sleep 1
kill -9 "$broker_pid"
wait "$broker_pid" 2>/dev/null || true
sleep 2 # both are inside their reconnect by now (refused, backing off)
for who in send recv; do
    pid=$([[ $who == send ]] && echo "$send_pid" || echo "$recv_pid")
    alive "$pid" || { echo "FAILED: $who ended before the SIGTERM" >&2; cat "$rc_tmp/$who.err" >&2; exit 1; }
    t0=$(date +%s%N)
    kill -TERM "$pid"
    rc=0
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
        echo "FAILED: $who still reconnecting 10 s after SIGTERM" >&2
        exit 1
    fi
    wait "$pid" || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    [[ $rc == 130 ]] || { echo "FAILED: $who exited $rc, not 130" >&2; cat "$rc_tmp/$who.err" >&2; exit 1; }
    grep -q "SIGTERM" "$rc_tmp/$who.out" "$rc_tmp/$who.err" ||
        { echo "FAILED: $who did not report the SIGTERM" >&2; cat "$rc_tmp/$who.out" "$rc_tmp/$who.err" >&2; exit 1; }
    echo "$who: stopped $ms ms after SIGTERM, exit 130"
done
echo ok
