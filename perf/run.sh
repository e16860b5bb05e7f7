#!/usr/bin/env bash
# Runs codec-bench twice, timed and under callgrind, and prints one TSV:
#   operation implementation ns_per_op instructions_per_op bytes branches_per_op
# ns_per_op: median of the timed run's repetitions (noisy on a shared host);
# instructions_per_op, branches_per_op: callgrind's instruction (Ir) and
# conditional branch (Bc, --branch-sim=yes) counts of each measured loop
# divided by its iterations (repeatable for the same binary and input).
#
# usage: perf/run.sh BUILD_DIR [codec-bench options: --ops, --impls, --reps, ...]
#   e.g. perf/run.sh build --ops transfer,message --impls flat,proton
#   FAMQP_BENCH_NO_TIMING=1 skips the timed run (ns_per_op is then "-").
set -euo pipefail
build=${1:?usage: perf/run.sh BUILD_DIR [codec-bench options]}
shift
bin="$build/perf/codec-bench"
[ -x "$bin" ] || { echo "run.sh: $bin not built" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "run.sh: valgrind not installed" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ -z "${FAMQP_BENCH_NO_TIMING:-}" ]; then
    "$bin" --tsv "$@" >"$out/timed.tsv" 2>"$out/timed.err" || { cat "$out/timed.err" >&2; exit 1; }
else
    printf 'operation\n' >"$out/timed.tsv"
fi

# --callgrind: the loops call CALLGRIND_TOGGLE_COLLECT / DUMP_STATS_AT, so
# collection starts off and every dump holds exactly one measured loop.
valgrind --tool=callgrind --collect-atstart=no --branch-sim=yes \
    --callgrind-out-file="$out/cg.%p" "$bin" --callgrind --tsv "$@" \
    >"$out/cg.tsv" 2>"$out/cg.err" || { cat "$out/cg.err" >&2; exit 1; }

# One line per dump: operation implementation instr/op branches/op.
for f in "$out"/cg.*.*; do
    awk '
        /^desc: Trigger: Client Request: / { split(substr($0, 32), d, " "); op = d[1]; impl = d[2]; iters = d[3] }
        /^events: / { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
        /^totals: / { for (i = 2; i <= NF; i++) tot[i - 1] = $i }
        END {
            if (op == "" || !("Ir" in col) || !("Bc" in col)) { print "run.sh: unreadable dump " FILENAME > "/dev/stderr"; exit 1 }
            printf "%s\t%s\t%.1f\t%.1f\n", op, impl, tot[col["Ir"]] / iters, tot[col["Bc"]] / iters
        }' "$f"
done >"$out/counts.tsv"

# Rows in the callgrind run's order; ns from the timed run (bytes are the
# same in both).
awk -F'\t' -v OFS='\t' '
    FILENAME == ARGV[1] { ir[$1 FS $2] = $3; bc[$1 FS $2] = $4; next }
    FILENAME == ARGV[2] { if (FNR > 1) ns[$1 FS $2] = $3; next }
    FNR == 1 { print "operation", "implementation", "ns_per_op", "instructions_per_op", "bytes", "branches_per_op"; next }
    {
        k = $1 FS $2
        print $1, $2, (k in ns ? ns[k] : "-"), (k in ir ? ir[k] : "-"), $5, (k in bc ? bc[k] : "-")
    }' "$out/counts.tsv" "$out/timed.tsv" "$out/cg.tsv"
