#!/usr/bin/env bash
# Builds flatamqp and runs every test suite under CTest.
#   scripts/test.sh [BUILD_DIR [extra cmake arguments...]]
# Default BUILD_DIR is build/; warnings are errors.  Run as root on a fresh
# Debian 12 machine it first installs the packages it needs: both sets of
# scripts/debian-packages.  Tests are turned on explicitly: scripts/demo.sh
# configures the same build/ with them off.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
[[ $build = /* ]] || build=$root/$build

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DFAMQP_WERROR=ON -DFAMQP_BUILD_TESTS=ON -DFAMQP_BUILD_BENCHMARKS=ON -DFAMQP_REQUIRE_ALL_TESTS=ON "$@"
cmake --build "$build" -j2
cd "$build"
ctest --output-on-failure --no-tests=error -j2
