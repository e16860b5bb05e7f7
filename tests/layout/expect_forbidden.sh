#!/usr/bin/env bash
# Self-test of check_include_rules.sh: on the fixture tree forbidden/ it must
# fail and name exactly the forbidden includes planted there (and pass the
# allowed ones), so the real check cannot pass by checking nothing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$("$here/check_include_rules.sh" "$here/forbidden" 2>&1)
rc=$?
echo "$out"
expected=(
    'runtime/codec/read.c:3: error: #include "famqp_spec.h": layer '"'"'codec'"'"' may not use layer '"'"'generated'"'"''
    'runtime/engine/engine_link.c:3: error: #include "famqp/client.h": layer '"'"'engine'"'"' may not use layer '"'"'client'"'"''
    'runtime/engine/engine_link.c:4: error: #include "message_internal.h": internal header of runtime/message/'
    'runtime/client/client_sender.c:5: error: #include "famqp/unknown.h": no layer knows this header'
    'runtime/async/async_conn.c:3: error: #include "famqp/client.h": layer '"'"'async'"'"' may not use layer '"'"'client'"'"''
)
fail=0
[ "$rc" = 1 ] || { echo "FAIL: expected exit 1, got $rc"; fail=1; }
for e in "${expected[@]}"; do
    grep -qF -- "$e" <<<"$out" || { echo "FAIL: missing: $e"; fail=1; }
done
n=$(grep -c ': error: ' <<<"$out")
[ "$n" = ${#expected[@]} ] || { echo "FAIL: $n errors reported, ${#expected[@]} planted"; fail=1; }
[ "$fail" = 0 ] && echo "expect_forbidden: all ${#expected[@]} planted violations reported"
exit "$fail"
