#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, build-fuzz/) and runs one of them,
# or all of them one after the other, for a given time.
#   scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]
# Targets: value types roundtrip engine connection_string batch ws_reply proxy_reply sas_verify emulator_config eventhub management_reply broker sb_management ws_request (tests/fuzz/fuzz_TARGET.c).
# The run starts from the checked-in seeds (tests/fuzz/corpus/TARGET, read
# only) and keeps what it finds in build-fuzz/corpus/TARGET; a crashing
# input is written to build-fuzz/artifacts/TARGET/ (copy it into
# tests/fuzz/crashes/TARGET/ to keep it as a regression case).  Prints the
# executions per target; exits non-zero when a target found something.
# FAMQP_FUZZ_BUILD overrides the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
all_targets=(value types roundtrip engine connection_string batch ws_reply proxy_reply sas_verify emulator_config eventhub management_reply broker sb_management ws_request)

if [[ $# -lt 2 || ! $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 TARGET|all SECONDS [libFuzzer options...]  (targets: ${all_targets[*]})" >&2
    exit 2
fi
what=$1
seconds=$2
shift 2
if [[ $what = all ]]; then
    targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " = *" $what "* ]]; then
    targets=("$what")
else
    echo "unknown target '$what' (targets: ${all_targets[*]})" >&2
    exit 2
fi

build=${FAMQP_FUZZ_BUILD:-$root/build-fuzz}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DFAMQP_FUZZ=ON -DFAMQP_WERROR=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

status=0
summary=()
for t in "${targets[@]}"; do
    work=$build/corpus/$t
    artifacts=$build/artifacts/$t
    mkdir -p "$work" "$artifacts"
    log=$build/fuzz-$t.log
    echo "::: fuzz_$t for ${seconds}s (log: $log)"
    rc=0
    # -timeout: one input running 10 s counts as a hang; -rss_limit_mb: as a
    # leak of memory.  The wall-clock bound is -max_total_time.
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
        "$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1 || true)
    line="fuzz_$t: ${execs:-?} executions in ${seconds}s, ${cov:-no coverage line}, corpus $(find "$work" -type f | wc -l) files"
    if [[ $rc -ne 0 ]]; then
        line+=", FAILED (exit $rc): $(grep -m1 -E 'ERROR|check failed|SUMMARY' "$log" || true)"
        line+=" artifacts: $(ls "$artifacts" | tr '\n' ' ')"
        tail -n 40 "$log" >&2
        status=1
    fi
    echo "$line"
    summary+=("$line")
done
echo "::: fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$status"
