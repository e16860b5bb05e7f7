#!/usr/bin/env bash
# CTest `configure_without_test_dependencies`: a user's configure needs only
# the library's build dependencies.  On this machine (which has them all),
# the test-only finders are pointed at nothing (Qpid Proton's pkg-config
# module renamed to one that does not exist), then:
#   - with -DFAMQP_BUILD_TESTS=OFF the configure succeeds and says what it
#     left out;
#   - with FAMQP_REQUIRE_ALL_TESTS=ON (what CI sets) the same configure fails
#     and names the missing dependency.
#   usage: check_without_test_dependencies.sh SOURCE_DIR SCRATCH_DIR C_COMPILER
set -uo pipefail
src=$1 scratch=$2 cc=$3
rm -rf "$scratch"
mkdir -p "$scratch"
missing=(-DFAMQP_PROTON_PKG=famqp-no-such-module)
fail=0

if cmake -S "$src" -B "$scratch/tests-off" -DCMAKE_C_COMPILER="$cc" -DFAMQP_BUILD_TESTS=OFF "${missing[@]}" \
    >"$scratch/tests-off.log" 2>&1; then
    if grep -q "skipped: needs Qpid Proton-C" "$scratch/tests-off.log"; then
        echo "ok: tests off, no Proton: configured, perf/ skipped with a warning"
    else
        echo "FAILED: the configure did not say what it left out"; cat "$scratch/tests-off.log"; fail=1
    fi
else
    echo "FAILED: configure with tests off failed without a test-only dependency:"; cat "$scratch/tests-off.log"; fail=1
fi

if cmake -S "$src" -B "$scratch/require-all" -DCMAKE_C_COMPILER="$cc" -DFAMQP_REQUIRE_ALL_TESTS=ON "${missing[@]}" \
    >"$scratch/require-all.log" 2>&1; then
    echo "FAILED: FAMQP_REQUIRE_ALL_TESTS=ON accepted a missing dependency"; fail=1
elif grep -q "needs Qpid Proton-C" "$scratch/require-all.log"; then
    echo "ok: FAMQP_REQUIRE_ALL_TESTS=ON refuses the configure and names Qpid Proton-C"
else
    echo "FAILED: FAMQP_REQUIRE_ALL_TESTS=ON failed for another reason:"; cat "$scratch/require-all.log"; fail=1
fi
rm -rf "$scratch"
exit "$fail"
