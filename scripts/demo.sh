#!/usr/bin/env bash
# Main job: regenerates the codecs from the AMQP 1.0 XML (+ spec/), builds
# flatamqp, starts famqp-broker on a free loopback port, sends COUNT
# (default 100,000) messages of SIZE (default 100) bytes through it with
# famqp-send while famqp-recv receives them (checking sequence numbers),
# prints both result lines and stops the broker by PID whatever happens.
# Run as root on a fresh Debian 12 machine it first installs the packages
# it needs: the [main] set of scripts/debian-packages, nothing test-only
# (the tests are off in this build; scripts/test.sh turns them on again).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
count=${1:-100000}
size=${2:-100}

"$root/scripts/install-deps.sh" --main
cmake -S "$root" -B "$build" -DFAMQP_BUILD_TESTS=OFF -DFAMQP_BUILD_BENCHMARKS=OFF
cmake --build "$build" --target regen -j2
cmake --build "$build" -j2

bin=$build/examples
tmp=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker=$!
pids+=("$broker")
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/broker.out")
    [[ -n $port ]] && break
    kill -0 "$broker" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "demo: famqp-broker did not start:" >&2
    cat "$tmp/broker.err" >&2
    exit 1
fi
url=amqp://127.0.0.1:$port
echo "famqp-broker listening on 127.0.0.1:$port; moving $count messages of $size bytes"

"$bin/famqp-recv/famqp-recv" "$url" demo --count "$count" --check-sequence >"$tmp/recv.out" &
recv=$!
pids+=("$recv")
rc=0
"$bin/famqp-send/famqp-send" "$url" demo --count "$count" --size "$size" || rc=$?
wait "$recv" || rc=$?
cat "$tmp/recv.out"

kill -TERM "$broker"
wait "$broker" || { echo "demo: famqp-broker did not stop cleanly" >&2; rc=1; }
pids=()
if [[ $rc -ne 0 ]]; then
    echo "demo: FAILED (see the messages above)" >&2
    cat "$tmp/broker.err" >&2
fi
exit $rc
