#!/usr/bin/env bash
# Self-test of check_api_docs.sh: on a copy of the public headers it must
# pass, then fail (naming the function) once one public function's doc
# comment is removed, and fail (naming the header) on a header without an
# @file block, so the API reference check cannot pass by checking nothing.
#   expect_undocumented.sh DOXYGEN DOXYFILE HEADER_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
doxygen=$1 doxyfile=$2 headers=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

copy() {
    rm -rf "$tmp/include"
    mkdir -p "$tmp/include/famqp"
    cp "$headers"/*.h "$tmp/include/famqp/"
}
check() { "$here/check_api_docs.sh" "$doxygen" "$doxyfile" "$tmp/include/famqp" "$tmp/out" 2>&1; }

# 1. The unchanged copy passes (so the failures below come from the change).
copy
out=$(check) || { echo "$out"; echo "FAIL: the unchanged headers do not pass"; fail=1; }

# 2. famqp_version() without its doc comment.
copy
perl -0pi -e 's{/\*\*(?:(?!\*/).)*\*/\s*(FAMQP_API\s+const\s+char\s*\*\s*famqp_version\s*\(void\);)}{$1}s' \
    "$tmp/include/famqp/version.h"
if cmp -s "$headers/version.h" "$tmp/include/famqp/version.h"; then
    echo "FAIL: could not remove famqp_version's doc comment from version.h"; fail=1
else
    out=$(check); rc=$?
    echo "$out"
    [ "$rc" != 0 ] || { echo "FAIL: undocumented famqp_version passed"; fail=1; }
    grep -q 'version\.h:[0-9]*: .*famqp_version.*not documented' <<<"$out" ||
        { echo "FAIL: no warning names famqp_version"; fail=1; }
fi

# 3. A header without @file (its members would otherwise go unchecked).
copy
printf '%s\n' '#ifndef FAMQP_EXTRA_H' '#define FAMQP_EXTRA_H' \
    '/** Documented, but its header is not. */' 'int famqp_extra(void);' '#endif' \
    >"$tmp/include/famqp/extra.h"
out=$(check); rc=$?
echo "$out"
[ "$rc" != 0 ] || { echo "FAIL: a header without @file passed"; fail=1; }
grep -q 'extra\.h:1: error: no @file block' <<<"$out" || { echo "FAIL: extra.h not named"; fail=1; }

[ "$fail" = 0 ] && echo "expect_undocumented: the unchanged headers pass, a removed doc comment and a missing @file fail"
exit "$fail"
