#!/bin/sh
# CTest styles_<case>: the flat and table builds of one spec must behave
# identically.  Checks that famqp_spec.h exists once (the flat directory's;
# the table output, generated with --no-header, uses it), runs the trace
# program built against each style, and compares the two traces byte for
# byte; on a difference it shows the first differing line of each.
#
# usage: compare_styles.sh FLAT_PROG TABLE_PROG FLAT_DIR TABLE_DIR OUT_PREFIX SEEDS MUTATIONS
#   FLAT_DIR, TABLE_DIR: the famqp-gen output each program was built from
#   OUT_PREFIX: the traces are written to OUT_PREFIX.flat.trace / .table.trace
#     and removed when they match
set -u
if [ $# -ne 7 ]; then
    echo "usage: $0 FLAT_PROG TABLE_PROG FLAT_DIR TABLE_DIR OUT_PREFIX SEEDS MUTATIONS" >&2
    exit 2
fi
flat_prog=$1 table_prog=$2 flat_dir=$3 table_dir=$4 prefix=$5 seeds=$6 mutations=$7

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for f in "$flat_prog" "$table_prog" "$flat_dir/famqp_spec.h" "$table_dir/famqp_spec_table.h"; do
    [ -f "$f" ] || fail "$f is missing: build the famqp_style_trace_* targets first"
done

# Both styles share one public header: a second copy could drift.
[ ! -e "$table_dir/famqp_spec.h" ] ||
    fail "$table_dir/famqp_spec.h exists: the table style must use the flat style's famqp_spec.h"

for style in flat table; do
    if [ $style = flat ]; then prog=$flat_prog; else prog=$table_prog; fi
    "$prog" "$seeds" "$mutations" > "$prefix.$style.trace" ||
        fail "the $style trace program exited with status $? (trace: $prefix.$style.trace)"
done

# A trace is only complete with its closing count line; an empty or cut
# short trace must not pass by matching another one.
for style in flat table; do
    last=$(tail -n 1 "$prefix.$style.trace")
    case $last in
        "traced "*" values, "*) ;;
        *) fail "the $style trace has no closing count line: $prefix.$style.trace" ;;
    esac
done

if ! where=$(cmp "$prefix.flat.trace" "$prefix.table.trace"); then
    echo "$where"
    line=$(echo "$where" | sed -n 's/.*line \([0-9]*\).*/\1/p')
    if [ -n "$line" ]; then
        echo "flat : $(sed -n "${line}p" "$prefix.flat.trace" | cut -c 1-600)"
        echo "table: $(sed -n "${line}p" "$prefix.table.trace" | cut -c 1-600)"
    fi
    echo "lines differing: $(diff "$prefix.flat.trace" "$prefix.table.trace" | grep -c '^<')"
    fail "the flat and table styles behave differently (traces: $prefix.flat.trace, $prefix.table.trace)"
fi
echo "identical traces, $(wc -l < "$prefix.flat.trace") lines, $(wc -c < "$prefix.flat.trace") bytes: $last"
# tens of MB each, in three builds in CI: kept only when they differ
rm -f "$prefix.flat.trace" "$prefix.table.trace"
