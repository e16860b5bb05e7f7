#!/usr/bin/env bash
# The man pages (examples/man/*.1) render without groff warnings, and each
# names every option its program's --help names, and every range ("1 to
# 65536") --help states, and no option --help does not know.  No network.
# usage: man.sh BUILD_EXAMPLES_DIR MAN_DIR
BIN=${1:?usage: man.sh BUILD_EXAMPLES_DIR MAN_DIR}
mandir=${2:?usage: man.sh BUILD_EXAMPLES_DIR MAN_DIR}
. "$(dirname "$0")/lib.sh"
command -v groff >/dev/null || { echo "FAILED: groff is needed" >&2; exit 1; }

for prog in famqp-send famqp-recv famqp-broker; do
    page=$mandir/$prog.1
    [[ -f $page ]] || { fail "$page missing"; continue; }
    if ! groff -man -Tutf8 -ww -z "$page" 2>"$tmp/warn" || [[ -s $tmp/warn ]]; then
        fail "$prog.1: groff warnings:"
        cat "$tmp/warn" >&2
    fi
    "$BIN/$prog/$prog" --help >"$tmp/help"
    sed 's/\\-/-/g' "$page" >"$tmp/page"
    grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u >"$tmp/help.opts"
    grep -o -- '--[a-z][a-z-]*' "$tmp/page" | sort -u >"$tmp/page.opts"
    if ! diff "$tmp/help.opts" "$tmp/page.opts" >"$tmp/diff"; then
        fail "$prog: options in --help (<) and the man page (>) differ:"
        cat "$tmp/diff" >&2
    fi
    grep -o '[0-9][0-9]* to [0-9][0-9]*' "$tmp/help" | sort -u | while read -r range; do
        grep -q "$range" "$tmp/page" || echo "$range"
    done >"$tmp/missing"
    [[ ! -s $tmp/missing ]] || { fail "$prog.1 lacks the ranges of --help:"; cat "$tmp/missing" >&2; }
done
finish
