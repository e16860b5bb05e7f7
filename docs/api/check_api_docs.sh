#!/usr/bin/env bash
# Builds the API reference and fails on any Doxygen warning.
#   check_api_docs.sh DOXYGEN DOXYFILE HEADER_DIR OUTPUT_DIR
# DOXYFILE is the configured docs/api/Doxyfile; its INPUT's headers are
# replaced by HEADER_DIR/*.h (so the self-test can run it on a changed copy)
# and the HTML goes to OUTPUT_DIR.
#
# Doxygen reports undocumented functions of a header only when the header
# itself is documented (@file), so a header without one would hide all of
# them: every header must have an @file block.
set -uo pipefail
doxygen=$1 doxyfile=$2 headers=$3 out=$4

fail=0
shopt -s nullglob
files=("$headers"/*.h)
if [ ${#files[@]} = 0 ]; then
    echo "$headers: no headers to document"
    exit 1
fi
for h in "${files[@]}"; do
    grep -qE '^[[:space:]/*]*[@\\]file\b' "$h" ||
        { echo "$h:1: error: no @file block: its functions would go unchecked"; fail=1; }
done

mainpage=$(sed -n 's/^USE_MDFILE_AS_MAINPAGE *= *//p' "$doxyfile")
mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
{
    cat "$doxyfile"
    echo "INPUT = $mainpage $headers"
    echo "STRIP_FROM_PATH = $(dirname "$headers") $(dirname "$mainpage")"
    echo "STRIP_FROM_INC_PATH = $(dirname "$headers")"
    echo "OUTPUT_DIRECTORY = $out"
} | "$doxygen" - >"$log" 2>&1
rc=$?
cat "$log"
# Any output at all is a warning (QUIET = YES), whatever the exit code.
if [ "$rc" != 0 ] || [ -s "$log" ]; then
    echo "doxygen: exit $rc, $(grep -c . "$log") line(s) of warnings"
    fail=1
fi
[ -f "$out/html/index.html" ] || { echo "no $out/html/index.html"; fail=1; }
[ "$fail" = 0 ] && echo "API reference: ${#files[@]} headers, no warnings ($out/html/index.html)"
exit "$fail"
