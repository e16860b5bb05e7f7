#!/usr/bin/env bash
# CTest `exported_symbols_selftest`: check_exports.py fails on a fixture
# library (selftest/) and names each planted mistake, and passes on the
# fixture's one correct symbol alone.  So the exported_symbols check cannot
# pass by seeing nothing.
#   usage: expect_failures.sh CC RUNTIME_INCLUDE_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cc=$1 runtime_include=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/famqp"
cp "$here/selftest/include/famqp/fixture.h" "$runtime_include/famqp/export.h" "$tmp/include/famqp/"
"$cc" -std=c11 -shared -fPIC -fvisibility=hidden -I"$tmp/include" "$here/selftest/fixture.c" \
    -o "$tmp/libfixture.so" || { echo "FAILED: cannot build the fixture library"; exit 1; }
: >"$tmp/empty_list.txt"
out=$(python3 "$here/check_exports.py" "$tmp/libfixture.so" "$cc" "$tmp/empty_list.txt" "$tmp/include" 2>&1)
rc=$?
echo "$out"
[[ $rc -ne 0 ]] || { echo "FAILED: the checker passed a library with planted mistakes"; exit 1; }
status=0
for expect in "famqp_fixture_unmarked: declared in a public header without FAMQP_API" \
              "famqp__fixture_unlisted: internal famqp__ name declared FAMQP_API but not in" \
              "famqp_fixture_undefined: declared FAMQP_API but the library does not define it" \
              "fixture_unprefixed: public name without the famqp_ prefix" \
              "famqp_fixture_leak: exported by the library but declared in no public header"; do
    grep -qF "$expect" <<<"$out" || { echo "FAILED: not reported: $expect"; status=1; }
done
[[ $(grep -c '^FAILED' <<<"$out") -eq 5 ]] || { echo "FAILED: expected exactly 5 problems"; status=1; }
[[ $status -eq 0 ]] && echo "exported_symbols_selftest: ok (all 5 planted mistakes named)"
exit $status
