#!/usr/bin/env bash
# Performance as a CI check: measures instructions per operation of the
# generated codec's key operations under callgrind (repeatable for the same
# binary and input) and fails when any costs more than 3% above
# perf/baseline.tsv.
#
# usage: perf/check-baseline.sh BUILD_DIR [--update] [--tolerance PCT]
#   BUILD_DIR    a build with perf/codec-bench built (CI: build/, gcc
#                RelWithDebInfo, as scripts/test.sh makes it)
#   --update     rewrite perf/baseline.tsv from this build instead of
#                checking (raising a baseline is a deliberate commit that
#                says why; lowering it records an optimisation)
#   --tolerance  allowed increase in percent (default 3)
#
# The baseline is only comparable with a build by the same compiler and
# version and build type; a mismatch is an error, not a pass.  Branches per
# operation are printed beside instructions but are not checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
baseline=$here/baseline.tsv
build=${1:?usage: perf/check-baseline.sh BUILD_DIR [--update] [--tolerance PCT]}
shift
update=0
tolerance=3
while [ $# -gt 0 ]; do
    case $1 in
    --update) update=1 ;;
    --tolerance) tolerance=${2:?--tolerance needs a percentage}; shift ;;
    *) echo "check-baseline: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# The key operations: every operation except message-1mib.encode, whose
# count is valgrind's byte-loop memcpy of the body (perf/README.md).
ops=open,begin,attach,flow,transfer,disposition,message,message-1mib.decode,message-50props

# Which compiler and build type made the build (CMake's record of it).
cache=$build/CMakeCache.txt
compiler_file=$(ls "$build"/CMakeFiles/*/CMakeCCompiler.cmake 2>/dev/null | head -n1 || true)
[ -f "$cache" ] && [ -n "$compiler_file" ] || { echo "check-baseline: $build is not a configured CMake build" >&2; exit 2; }
compiler_id=$(sed -n 's/^set(CMAKE_C_COMPILER_ID "\(.*\)")$/\1/p' "$compiler_file")
compiler_version=$(sed -n 's/^set(CMAKE_C_COMPILER_VERSION "\(.*\)")$/\1/p' "$compiler_file")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
flavour="$compiler_id $compiler_version $build_type"

measured=$(mktemp)
trap 'rm -f "$measured"' EXIT
# Instruction counts only (no timed run); `famqp` selects the generated
# codec whatever its style's name.
FAMQP_BENCH_NO_TIMING=1 timeout 600 "$here/run.sh" "$build" --impls famqp --ops "$ops" >"$measured"

if [ "$update" = 1 ]; then
    {
        printf '# Instructions and conditional branches per operation of the generated codec\n'
        printf '# (callgrind, perf/run.sh), checked by perf/check-baseline.sh (fails above +3%%).\n'
        printf '# Regenerate: perf/check-baseline.sh BUILD --update (gcc RelWithDebInfo build).\n'
        printf '# build: %s\n' "$flavour"
        printf 'operation\timplementation\tinstructions_per_op\tbranches_per_op\n'
        awk -F'\t' -v OFS='\t' 'NR > 1 { print $1, $2, $4, $6 }' "$measured"
    } >"$baseline.tmp"
    mv "$baseline.tmp" "$baseline"
    echo "check-baseline: wrote $baseline ($(grep -v '^#' "$baseline" | tail -n +2 | wc -l) operations, build: $flavour)"
    exit 0
fi

[ -f "$baseline" ] || { echo "check-baseline: $baseline missing (make it with --update)" >&2; exit 2; }
recorded=$(sed -n 's/^# build: //p' "$baseline")
if [ "$recorded" != "$flavour" ]; then
    echo "check-baseline: the baseline was measured on a '$recorded' build, $build is '$flavour':" >&2
    echo "  instruction counts are only comparable for the same compiler and build type" >&2
    exit 2
fi

# Compare: every baseline operation must be measured, and none may cost
# more than tolerance% above its baseline.
awk -F'\t' -v tol="$tolerance" '
    FILENAME == ARGV[1] { if ($0 !~ /^#/ && $1 != "operation") { base[$1 FS $2] = $3; bbr[$1 FS $2] = $4; order[++n] = $1 FS $2 } next }
    FNR > 1 { ir[$1 FS $2] = $4; br[$1 FS $2] = $6 }
    END {
        bad = 0
        printf "%-26s %-8s %12s %12s %8s %10s %10s\n", "operation", "impl", "baseline", "measured", "change", "br base", "br now"
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, f, FS)
            if (!(k in ir)) { printf "%-26s %-8s %12s %12s   MISSING\n", f[1], f[2], base[k], "-"; bad = 1; continue }
            change = (ir[k] - base[k]) * 100.0 / base[k]
            verdict = change > tol ? "  ABOVE BASELINE" : ""
            if (change > tol) bad = 1
            printf "%-26s %-8s %12.1f %12.1f %+7.2f%% %10.1f %10.1f%s\n", f[1], f[2], base[k], ir[k], change, bbr[k], br[k], verdict
        }
        for (k in ir) if (!(k in base)) { split(k, f, FS); printf "%-26s %-8s %12s %12.1f   (not in the baseline)\n", f[1], f[2], "-", ir[k] }
        if (bad) { printf "check-baseline: FAILED: an operation costs more than %s%% above perf/baseline.tsv (or is missing)\n", tol; exit 1 }
        printf "check-baseline: every operation within +%s%% of perf/baseline.tsv\n", tol
    }' "$baseline" "$measured"
