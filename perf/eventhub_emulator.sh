#!/usr/bin/env bash
# famqp-broker's emulated event hub: events/s in and out for flatamqp's
# tools and for Microsoft's JS SDK, same run, each client in its best mode
# (batches of BATCH).  Per round, one broker (--event-hub fam:1
# --event-hub js:1) on 127.0.0.1: famqp-send --batch BATCH --count COUNT of
# SIZE-byte events to fam/Partitions/0, then famqp-recv reads them back from
# fam/ConsumerGroups/$Default/Partitions/0; then the SDK does the same on
# js (perf/eventhub_sdk_bench.js), and Microsoft's Python SDK on py
# (perf/eventhub_sdk_bench.py, in the Python tests' venv: $FAMQP_SDK_PYTHON,
# default ~/.cache/flatamqp/python/venv/bin/python).  Also the broker's start-up time (from
# exec to its 'listening on' line, polled every 2 ms).  Prints each round,
# then the medians and the ratios; the broker is stopped by PID.
# usage: eventhub_emulator.sh BUILD_EXAMPLES_DIR [COUNT] [ROUNDS] [SIZE] [BATCH]
set -u
bin=$1; count=${2:-100000}; rounds=${3:-3}; size=${4:-100}; batch=${5:-100}
here=$(cd "$(dirname "$0")" && pwd)
sas=(--sas-key-name RootManageSharedAccessKey --sas-key SAS_KEY_VALUE)
rate() { sed -n "s/.*: \([0-9.]*\) $2\/s.*/\1/p" "$1" | head -1; }
py=${FAMQP_SDK_PYTHON:-${FAMQP_PY_CACHE:-$HOME/.cache/flatamqp/python}/venv/bin/python}
fin=(); fout=(); jin=(); jout=(); pin=(); pout=(); start=()
for r in $(seq "$rounds"); do
  tmp=$(mktemp -d)
  t0=$(date +%s%N)
  "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --event-hub fam:1 --event-hub js:1 --event-hub py:1 \
      >"$tmp/b.out" 2>"$tmp/b.err" & bp=$!
  for _ in $(seq 2500); do grep -q listening "$tmp/b.out" && break; sleep 0.002; done
  start+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/b.out")
  url=amqp://127.0.0.1:$port
  timeout 300 "$bin/famqp-send/famqp-send" "$url" fam/Partitions/0 --count "$count" --size "$size" \
      --batch "$batch" "${sas[@]}" >"$tmp/s.out" 2>"$tmp/s.err"
  timeout 300 "$bin/famqp-recv/famqp-recv" "$url" 'fam/ConsumerGroups/$Default/Partitions/0' --count "$count" \
      --credit 5000 "${sas[@]}" >"$tmp/r.out" 2>"$tmp/r.err"
  timeout 300 node "$here/eventhub_sdk_bench.js" "$port" js "$count" "$size" "$batch" >"$tmp/j.out" 2>"$tmp/j.err"
  timeout 600 "$py" "$here/eventhub_sdk_bench.py" "$port" py "$count" "$size" "$batch" >"$tmp/p.out" 2>"$tmp/p.err"
  kill -TERM "$bp"; wait "$bp" 2>/dev/null
  fin+=("$(rate "$tmp/s.out" msg)"); fout+=("$(rate "$tmp/r.out" msg)")
  jin+=("$(sed -n 's/^sdk in: .*: \([0-9]*\) events\/s/\1/p' "$tmp/j.out")")
  jout+=("$(sed -n 's/^sdk out: .*: \([0-9]*\) events\/s/\1/p' "$tmp/j.out")")
  pin+=("$(sed -n 's/^sdk in: .*: \([0-9]*\) events\/s/\1/p' "$tmp/p.out")")
  pout+=("$(sed -n 's/^sdk out: .*: \([0-9]*\) events\/s/\1/p' "$tmp/p.out")")
  echo "round $r: start-up ${start[-1]} ms; famqp in ${fin[-1]:-FAILED} out ${fout[-1]:-FAILED}, sdk in ${jin[-1]:-FAILED} out ${jout[-1]:-FAILED}, python sdk in ${pin[-1]:-FAILED} out ${pout[-1]:-FAILED} events/s"
  for f in s r j p; do [[ -s $tmp/$f.err ]] && sed "s/^/  $f: /" "$tmp/$f.err" | head -5; done
  rm -rf "$tmp"
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($#+1)/2 ))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1f", a/b; else print "n/a" }'; }
a=$(med "${fin[@]}"); b=$(med "${fout[@]}"); c=$(med "${jin[@]}"); d=$(med "${jout[@]}"); e=$(med "${start[@]}"); f=$(med "${pin[@]}"); g=$(med "${pout[@]}")
echo "median events/s ($count events of $size bytes, batches of $batch, $rounds rounds):"
echo "  in:  famqp-send $a, @azure/event-hubs $c, ratio $(ratio "$a" "$c"); azure-eventhub (Python) $f, ratio $(ratio "$a" "$f")"
echo "  famqp-broker start-up: $e ms (to 'listening on', 2 ms polling)"
echo "  out: famqp-recv $b, @azure/event-hubs $d, ratio $(ratio "$b" "$d"); azure-eventhub (Python) $g, ratio $(ratio "$b" "$g")"
