#!/usr/bin/env bash
# AMQP over WebSockets against plain TCP, same peer: famqp-send and
# famqp-recv (100-byte messages, batched: up to 1000 unsettled in flight)
# against PEER: famqp-broker (default), listening on TCP (--listen) and on
# WebSockets (--ws-listen) in the same process, or rhea's broker, which
# listens on TCP and, through the `ws` package, on WebSockets
# (tests/interop/ws/ws_broker.js).  Prints msg/s for each run, the median
# of RUNS runs per transport and direction, WebSockets as a share of TCP
# and the cost WebSockets add per message (1/ws - 1/tcp, in microseconds).
# FRAME (default 0: the defaults) makes the clients send WebSocket frames
# of at most FRAME payload bytes (--ws-max-frame; the broker too: famqp-broker's
# --ws-max-frame, rhea's --chunk).  BATCH > 0 (famqp peer) sends Event Hubs batches of BATCH
# messages (famqp-send --batch; the broker's plain queue keeps each batch
# as one message, so famqp-recv takes COUNT/BATCH) and reports events/s
# both ways.
#   perf/ws_bench.sh BUILD [COUNT (default 100000)] [RUNS (default 3)] [FRAME] [PEER: famqp|rhea] [BATCH]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: perf/ws_bench.sh BUILD [COUNT] [RUNS] [FRAME] [famqp|rhea]}" && pwd)
count=${2:-100000}
runs=${3:-3}
frame=${4:-0}
peer=${5:-famqp}
batch=${6:-0}
sbatch=()
per=1
if [[ $batch -gt 0 ]]; then sbatch=(--batch "$batch") per=$batch; fi
small=()
[[ $frame -gt 0 ]] && small=(--ws-max-frame "$frame")
send=$build/examples/famqp-send/famqp-send
recv=$build/examples/famqp-recv/famqp-recv
tmp=$(mktemp -d)
case $peer in
famqp) "$build/examples/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --ws-listen 127.0.0.1:0 "${small[@]}" \
    >"$tmp/broker.out" 2>"$tmp/broker.err" & ;;
rhea) node "$root/tests/interop/ws/ws_broker.js" --ws-listen 127.0.0.1:0 --chunk "$frame" \
    >"$tmp/broker.out" 2>"$tmp/broker.err" & ;;
*) echo "PEER is famqp or rhea, not '$peer'" >&2; exit 2 ;;
esac
broker=$!
trap 'kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
    grep -q "^ws listening" "$tmp/broker.out" && grep -q "^listening" "$tmp/broker.out" && break
    sleep 0.1
done
tcp=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$tmp/broker.out")
ws=$(sed -n 's/^ws listening on .*:\([0-9]*\)$/\1/p' "$tmp/broker.out")
[[ -n $tcp && -n $ws ]] || { echo "the broker did not start" >&2; cat "$tmp/broker.err" >&2; exit 1; }

rate() { sed -n 's/.*: \([0-9]*\) msg\/s$/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A med
for transport in tcp ws; do
    opts=()
    if [[ $transport == tcp ]]; then url=amqp://127.0.0.1:$tcp; else url=ws://127.0.0.1:$ws opts=("${small[@]}"); fi
    : >"$tmp/$transport.send"
    : >"$tmp/$transport.recv"
    for r in $(seq "$runs"); do
        s=$(timeout 300 "$send" "$url" "bench_${transport}_$r" --count "$count" --size 100 "${sbatch[@]}" "${opts[@]}" | rate)
        v=$(timeout 300 "$recv" "$url" "bench_${transport}_$r" --count $((count / per)) "${opts[@]}" | rate)
        v=$((v * per))
        echo "$transport run $r: send $s msg/s, receive $v msg/s"
        echo "$s" >>"$tmp/$transport.send"
        echo "$v" >>"$tmp/$transport.recv"
    done
    med[$transport.send]=$(median <"$tmp/$transport.send")
    med[$transport.recv]=$(median <"$tmp/$transport.recv")
done
for d in send recv; do
    echo "median $d: tcp ${med[tcp.$d]} msg/s, ws ${med[ws.$d]} msg/s," \
        "ws/tcp $(awk -v a="${med[ws.$d]}" -v b="${med[tcp.$d]}" 'BEGIN {printf "%.0f%%", 100 * a / b}')," \
        "ws adds $(awk -v a="${med[ws.$d]}" -v b="${med[tcp.$d]}" 'BEGIN {printf "%.2f", 1e6 / a - 1e6 / b}') us/msg"
done
