#!/usr/bin/env bash
# perf/broker_connections.sh: what idle connections cost famqp-broker and
# Qpid Proton-C's example broker (broker.c), and how fast each sets
# connections up and tears them down (issue 12).
#
# usage: perf/broker_connections.sh BUILD_DIR [--count N] [--setup N] [--setup-k K] [--reps R]
#                                   [--threads T] [--no-proton]
#   BUILD_DIR    a build with famqp-broker and tests/broker/hold_connections
#   --count N    idle connections held (default 10000)
#   --setup N    connections set up and closed for the rate (default 20000)
#   --setup-k K  ... K at a time (default 10: Proton's broker listens with a
#                backlog of 16)
#   --reps R     runs per figure, the median is reported (default 3, at least 3)
#   --threads T  both brokers' thread count (default 1)
#   --no-proton  only famqp-broker's figures
# Exit 1 when a run failed, 2 on bad usage or a missing program.
#
# Idle: a fresh broker; its VmRSS before; hold_connections opens N
# connections (open, begin, attach a receiver with no credit; 100
# connecting at a time); 1 s later its VmRSS again; RSS per connection =
# (after - before) / N.  Then they close (all must close cleanly).
# Set-up rate: hold_connections --setup-rate K on a fresh broker.
# Proton's broker.c runs a fixed 4 threads; it is built from a copy whose
# third argument sets the count (that one line changed, checked).
set -euo pipefail
build=${1:?usage: perf/broker_connections.sh BUILD_DIR [--count N] [--setup N] [--setup-k K] [--reps R] [--threads T] [--no-proton]}
shift
count=10000 setup=20000 setup_k=10 reps=3 threads=1 proton=1
while [ $# -gt 0 ]; do
    case $1 in
    --count) count=${2:?}; shift ;;
    --setup) setup=${2:?}; shift ;;
    --setup-k) setup_k=${2:?}; shift ;;
    --reps) reps=${2:?}; shift ;;
    --threads) threads=${2:?}; shift ;;
    --no-proton) proton=0 ;;
    *) echo "perf/broker_connections.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
for v in "$count" "$setup" "$setup_k" "$reps" "$threads"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "perf/broker_connections.sh: options take positive numbers" >&2; exit 2; }
done
((reps >= 3)) || { echo "perf/broker_connections.sh: --reps must be at least 3 (medians)" >&2; exit 2; }

broker=$build/examples/famqp-broker/famqp-broker
hold=$build/tests/broker/hold_connections
for b in "$broker" "$hold"; do
    [ -x "$b" ] || { echo "perf/broker_connections.sh: $b not built (tests on)" >&2; exit 2; }
done
need=$((count + 256))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    echo "perf/broker_connections.sh: the hard descriptor limit $hard is below $need" >&2
    exit 2
fi
ulimit -n "$need"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/famqp-broker-conns.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
me=perf/broker_connections.sh
# term_wait; build_proton_broker, start_broker, stop_broker
. "$(dirname "$0")/../tests/common/procs.sh"
. "$(dirname "$0")/broker_lib.sh"

[ "$proton" = 1 ] && build_proton_broker

# The broker's resident set in KiB (timeout runs it as a child: its
# process, not timeout's).
rss_kib() {
    local pid
    pid=$(pgrep -P "$bpid" | head -n1)
    sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/${pid:-$bpid}/status"
}

# Runs happen in subshells ($(...)): a failure shows as FAILED in the
# results, counted at the end.
# idle_run: prints "BEFORE_KIB AFTER_KIB" or FAILED.
idle_run() {
    local before after rc=0 hp
    sleep 0.5
    before=$(rss_kib)
    timeout 300 "$hold" "amqp://127.0.0.1:$port/hold" --count "$count" --concurrency 100 --timeout 240 \
        >"$tmp/h.out" 2>"$tmp/h.err" &
    hp=$!
    pids+=("$hp")
    for _ in $(seq 2400); do
        grep -q '^opened ' "$tmp/h.out" && break
        kill -0 "$hp" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q "^opened $count of $count" "$tmp/h.out"; then
        echo "perf/broker_connections.sh: hold_connections: $(cat "$tmp/h.out" "$tmp/h.err" | head -5)" >&2
        kill "$hp" 2>/dev/null || true
        wait "$hp" 2>/dev/null || true
        echo FAILED
        return
    fi
    sleep 1
    after=$(rss_kib)
    kill -TERM "$hp"
    wait "$hp" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "perf/broker_connections.sh: hold_connections exit $rc: $(cat "$tmp/h.out" "$tmp/h.err" | head -5)" >&2
        echo FAILED
        return
    fi
    echo "$before $after"
}
# setup_run: prints connections/s or FAILED.
setup_run() {
    local rc=0
    timeout 300 "$hold" "amqp://127.0.0.1:$port/hold" --setup-rate "$setup_k" --count "$setup" --timeout 240 \
        >"$tmp/h.out" 2>"$tmp/h.err" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "perf/broker_connections.sh: setup rate: exit $rc: $(cat "$tmp/h.out" "$tmp/h.err" | head -5)" >&2
        echo FAILED
        return
    fi
    sed -n 's/.*: \([0-9]*\) connections\/s.*/\1/p' "$tmp/h.out"
}
median() {
    local v
    for v in "$@"; do [ "$v" = FAILED ] && { echo FAILED; return; }; done
    printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"
}

declare -A before after perconn rate allper allrate
measure() {
    local key=$1 r out b a per=() rt=()
    shift
    for r in $(seq "$reps"); do
        start_broker "$@"
        out=$(idle_run)
        stop_broker
        if [ "$out" = FAILED ]; then
            per+=(FAILED)
        else
            read -r b a <<<"$out"
            before[$key]=$b after[$key]=$a
            per+=("$(awk -v b="$b" -v a="$a" -v n="$count" 'BEGIN { printf "%.2f", (a - b) / n }')")
        fi
        start_broker "$@"
        rt+=("$(setup_run)")
        stop_broker
    done
    perconn[$key]=$(median "${per[@]}")
    rate[$key]=$(median "${rt[@]}")
    allper[$key]="${per[*]}" allrate[$key]="${rt[*]}"
    echo "perf/broker_connections.sh: $key: KiB/connection ${allper[$key]}; connections/s ${allrate[$key]}" >&2
}

echo "perf/broker_connections.sh: $count idle connections; set-up rate over $setup, $setup_k at a time; $threads thread(s); $reps runs" >&2
measure famqp "$broker" --listen 127.0.0.1:0 --threads "$threads"
[ "$proton" = 1 ] && measure proton "$tmp/pn-broker" 127.0.0.1 0 "$threads"

printf '\n%-22s %12s %12s %14s %16s  %s\n' broker "RSS before" "RSS after" "KiB/connection" "connections/s" "runs (KiB/conn; conn/s)"
for k in famqp proton; do
    [ -n "${perconn[$k]:-}" ] || continue
    name=$([ $k = famqp ] && echo "famqp-broker" || echo "Proton broker.c")
    printf '%-22s %9s KiB %9s KiB %14s %16s  %s; %s\n' "$name" "${before[$k]:--}" "${after[$k]:--}" \
        "${perconn[$k]}" "${rate[$k]}" "${allper[$k]}" "${allrate[$k]}"
done
echo "(RSS before/after: the last run's; goal: at most 16 KiB per connection)"
case "${allper[*]} ${allrate[*]}" in *FAILED*) exit 1 ;; esac
exit 0
