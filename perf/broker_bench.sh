#!/usr/bin/env bash
# perf/broker_bench.sh: famqp-broker beside Qpid Proton-C's multi-threaded
# example broker (broker.c), aggregate msg/s through each with the same
# clients (issue 12).
#
# usage: perf/broker_bench.sh BUILD_DIR [--count N] [--reps R] [--timeout S] [--no-proton]
#                                       [--clients async|tools]
#   BUILD_DIR   a build with famqp-broker, famqp-send, famqp-recv and
#               perf/async-pairs
#   --count N   messages per run, over all pairs (default 500000; each of
#               50 pairs moves N/50)
#   --reps R    runs per row, the median is reported (default 3, at least 3)
#   --timeout S a run is killed after S seconds and reported FAILED (default 120)
#   --no-proton only famqp-broker's rows
#   --clients   async (default): all pairs in one process, perf/async-pairs
#               (one async receiving and one sending connection per pair, one
#               loop thread); tools: one famqp-recv and one famqp-send
#               process per pair
# Exit 1 when a run failed, 2 on bad usage or a missing program.
#
# Rows: broker x threads (1, 2) x pairs (1, 50).  A pair is a receiver and
# a sender (100-byte messages, at-least-once) on a queue of its own; all
# pairs run at once and every receiver checks its sender's sequence (no
# loss, duplicate or reordering).  With --clients tools, msg/s = N / (time
# from the first famqp-send's start to the last famqp-recv's exit), the
# receivers having had 0.5 s to attach; with async, async-pairs times the
# first send to the last arrival, its receivers attached before.  Every
# process is bounded by --timeout and stopped by PID.
#
# Proton's broker.c runs a fixed 4 threads (b.threads = 4); this script
# builds a copy whose third argument sets the count (that one line changed,
# checked), so both brokers run with 1 and 2.  Proton grants its senders 5
# credits at a time (WINDOW) and delivers pre-settled: that is its design,
# measured as it is.
#
# The machine's cores are shared by the broker and all its clients: with 2
# cores the clients' CPU bounds what a second broker thread can show; the
# table has both sides' CPU (see perf/README.md).
set -euo pipefail
build=${1:?usage: perf/broker_bench.sh BUILD_DIR [--count N] [--reps R] [--timeout S] [--no-proton]}
shift
count=500000 reps=3 timeout_s=120 proton=1 clients=async
while [ $# -gt 0 ]; do
    case $1 in
    --count) count=${2:?}; shift ;;
    --reps) reps=${2:?}; shift ;;
    --timeout) timeout_s=${2:?}; shift ;;
    --no-proton) proton=0 ;;
    --clients)
        clients=${2:?}
        shift
        [[ $clients == async || $clients == tools ]] ||
            { echo "perf/broker_bench.sh: --clients takes async or tools" >&2; exit 2; }
        ;;
    *) echo "perf/broker_bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
for v in "$count" "$reps" "$timeout_s"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "perf/broker_bench.sh: --count, --reps and --timeout take positive numbers" >&2; exit 2; }
done
((reps >= 3)) || { echo "perf/broker_bench.sh: --reps must be at least 3 (medians)" >&2; exit 2; }
((count >= 50)) || { echo "perf/broker_bench.sh: --count must be at least 50 (one per pair)" >&2; exit 2; }

broker=$build/examples/famqp-broker/famqp-broker
send=$build/examples/famqp-send/famqp-send
recv=$build/examples/famqp-recv/famqp-recv
pairs_bin=$build/perf/async-pairs
for b in "$broker" "$send" "$recv" "$pairs_bin"; do
    [ -x "$b" ] || { echo "perf/broker_bench.sh: $b not built" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/famqp-broker-bench.XXXXXX")
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
me=perf/broker_bench.sh
# term_wait; build_proton_broker, start_broker, stop_broker
. "$(dirname "$0")/../tests/common/procs.sh"
. "$(dirname "$0")/broker_lib.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ "$proton" = 1 ] && build_proton_broker

now_ns() { date +%s%N; }


# Runs happen in subshells ($(...)): a failure shows as FAILED in the
# results, counted at the end.
# The broker's CPU time (all threads, user + system) in clock ticks.
cpu_ticks() {
    local pid
    pid=$(pgrep -P "$bpid" | head -n1) # the broker, timeout's child
    awk '{ print $14 + $15 }' "/proc/${pid:-$bpid}/stat"
}

# run_async PAIRS: as run, with all pairs in one async-pairs process; its
# CPU share is the process's user + system time over the time it reports.
run_async() {
    local p=$1 per=$(($count / $1)) rc=0 c0 c1 rate secs ct
    c0=$(cpu_ticks)
    {
        TIMEFORMAT='%U %S'
        time timeout "$timeout_s" "$pairs_bin" "amqp://127.0.0.1:$port" "$p" "$per" 100 1 \
            >"$tmp/a.out" 2>"$tmp/a.err"
    } 2>"$tmp/a.time" || rc=$?
    c1=$(cpu_ticks)
    if [ $rc -ne 0 ]; then
        echo "perf/broker_bench.sh: async-pairs exited $rc (124: timed out):" >&2
        head -5 "$tmp/a.err" >&2
        echo FAILED
        return
    fi
    # "moved N messages over P pairs in S s: R msg/s"
    read -r secs rate < <(sed -n 's/.* in \([0-9.]*\) s: \([0-9]*\) msg\/s$/\1 \2/p' "$tmp/a.out")
    ct=$(tail -n1 "$tmp/a.time")
    awk -v r="$rate" -v s="$secs" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v ct="$ct" \
        'BEGIN { split(ct, t, " "); printf "%s %.0f%% %.0f%%\n", r, 100 * c / hz / s, 100 * (t[1] + t[2]) / s }'
}

# run PAIRS: one run against the broker on $port; prints "MSG_PER_S CPU%
# CLIENTS_CPU%" (the broker's and the clients' CPU time over the run's
# wall time; the clients' "-" with --clients tools) or FAILED.
run() {
    [ "$clients" = async ] && { run_async "$1"; return; }
    local p=$1 per=$(($count / $1)) i rc=0 t0 t1 c0 c1
    local rp=() sp=()
    for i in $(seq "$p"); do
        timeout "$timeout_s" "$recv" "amqp://127.0.0.1:$port" "q$i" --count "$per" --check-sequence --timeout 60 \
            >"$tmp/r$i.out" 2>"$tmp/r$i.err" &
        rp+=($!)
    done
    pids+=("${rp[@]}")
    sleep 0.5
    c0=$(cpu_ticks)
    t0=$(now_ns)
    for i in $(seq "$p"); do
        timeout "$timeout_s" "$send" "amqp://127.0.0.1:$port" "q$i" --count "$per" --size 100 --timeout 60 \
            >"$tmp/s$i.out" 2>"$tmp/s$i.err" &
        sp+=($!)
    done
    pids+=("${sp[@]}")
    for i in "${rp[@]}" "${sp[@]}"; do wait "$i" || rc=$?; done
    t1=$(now_ns)
    c1=$(cpu_ticks)
    if [ $rc -ne 0 ]; then
        echo "perf/broker_bench.sh: a client exited $rc (124: timed out):" >&2
        cat "$tmp"/r*.err "$tmp"/s*.err | head -5 >&2
        echo FAILED
        return
    fi
    awk -v n=$((per * p)) -v ns=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f %.0f%% -\n", n / (ns / 1e9), 100 * c / hz / (ns / 1e9) }'
}

# median of the runs given ("MSG_PER_S CPU%", by msg/s; FAILED when any
# run failed).
median() {
    local v
    for v in "$@"; do [ "$v" = FAILED ] && { echo FAILED; return; }; done
    printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"
}

declare -A res runs cpu ccpu
# measure KEY PAIRS BROKER_COMMAND...: REPS runs, each on a fresh broker.
measure() {
    local key=$1 p=$2 r v=()
    shift 2
    for r in $(seq "$reps"); do
        start_broker "$@"
        v+=("$(run "$p")")
        stop_broker
    done
    local m
    m=$(median "${v[@]}")
    read -r res[$key] cpu[$key] ccpu[$key] <<<"$m"
    [ "${cpu[$key]}" ] || cpu[$key]=- ccpu[$key]=-
    runs[$key]=$(printf '%s ' "${v[@]%% *}")
    echo "perf/broker_bench.sh: $key: ${runs[$key]} -> ${res[$key]}" >&2
}

echo "perf/broker_bench.sh: $count messages of 100 bytes per run (at-least-once), $reps runs per row" >&2
for t in 1 2; do
    for p in 1 50; do
        measure "famqp/$t/$p" "$p" "$broker" --listen 127.0.0.1:0 --threads "$t"
        [ "$proton" = 1 ] && measure "proton/$t/$p" "$p" "$tmp/pn-broker" 127.0.0.1 0 "$t"
    done
done

ratio() {
    case "$1$2" in *FAILED* | *-*) echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;; esac
}
printf '\n%-8s %-6s %12s %6s %7s %13s %6s %7s %12s  %s\n' threads pairs "famqp msg/s" cpu clients \
    "Proton msg/s" cpu clients famqp/Proton "runs (famqp | Proton)"
for t in 1 2; do
    for p in 1 50; do
        f=${res[famqp/$t/$p]} pn=${res[proton/$t/$p]:--}
        printf '%-8s %-6s %12s %6s %7s %13s %6s %7s %12s  %s| %s\n' "$t" "$p" "$f" "${cpu[famqp/$t/$p]:--}" \
            "${ccpu[famqp/$t/$p]:--}" "$pn" "${cpu[proton/$t/$p]:--}" "${ccpu[proton/$t/$p]:--}" \
            "$(ratio "$f" "$pn")" "${runs[famqp/$t/$p]}" "${runs[proton/$t/$p]:--}"
    done
done
echo "(cpu: the broker's CPU time over the median run's wall time, all its threads; clients: the"
echo " clients' (--clients async: async-pairs'), 100% = one core; clients: $clients)"
printf '\n2 threads / 1 thread at 50 pairs: famqp-broker %s' "$(ratio "${res[famqp/2/50]}" "${res[famqp/1/50]}")"
[ "$proton" = 1 ] && printf ', Proton %s' "$(ratio "${res[proton/2/50]}" "${res[proton/1/50]}")"
printf '\n'
case "${runs[*]}" in *FAILED*) exit 1 ;; esac
exit 0
