#!/usr/bin/env bash
# perf/python/e2e.sh BUILD [COUNT] [REPEAT]: end to end from Python through
# famqp-broker (BUILD/examples/famqp-broker, started on a free port of
# 127.0.0.1, stopped by PID whatever happens): COUNT events (default
# 100,000) sent and received by the flatamqp client and by
# python-qpid-proton (perf/python/e2e.py), REPEAT runs each (default 3),
# each run on a fresh queue; prints every run and the medians.  Uses the
# pinned venv of scripts/install-deps.sh (python3-qpid-proton through the
# system site packages), PYTHONPATH=BUILD/python.
set -euo pipefail
build=$(cd "${1:?usage: perf/python/e2e.sh BUILD [COUNT] [REPEAT]}" && pwd)
count=${2:-100000}
repeat=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
venv=${FAMQP_PY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flatamqp/python}/venv
[[ -x $venv/bin/python ]] || { echo "no venv at $venv: run scripts/install-deps.sh" >&2; exit 1; }
broker=$build/examples/famqp-broker/famqp-broker
[[ -x $broker ]] || { echo "no famqp-broker in $build" >&2; exit 1; }
tmp=$(mktemp -d)
bpid=
cleanup() {
    if [[ -n $bpid ]] && kill -0 "$bpid" 2>/dev/null; then
        kill "$bpid"
        for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$bpid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
"$broker" --listen 127.0.0.1:0 >"$tmp/broker.out" 2>&1 &
bpid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/broker.out" | head -n1)
    [[ -n $port ]] && break
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.05
done
[[ -n $port ]] || { echo "famqp-broker did not start:" >&2; cat "$tmp/broker.out" >&2; exit 1; }
echo "famqp-broker on 127.0.0.1:$port; $count events per run, $repeat runs each; $("$venv/bin/python" -V)"
for impl in flatamqp proton; do
    for r in $(seq "$repeat"); do
        PYTHONPATH=$build/python timeout 600 "$venv/bin/python" "$here/e2e.py" --url "amqp://127.0.0.1:$port" \
            --impl "$impl" --count "$count" --queue "e2e-$impl-$r" | tee -a "$tmp/runs.jsonl"
    done
done
"$venv/bin/python" - "$tmp/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'implementation':<12}{'sent/s (median)':>18}{'end to end/s (median)':>24}")
for impl in ("flatamqp", "proton"):
    rs = [r for r in runs if r["impl"] == impl]
    print(f"{impl:<12}{statistics.median(r['sent_per_s'] for r in rs):>18,.0f}"
          f"{statistics.median(r['e2e_per_s'] for r in rs):>24,.0f}")
PY
