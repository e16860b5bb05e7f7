# Counting checks for the test scripts (sourced; bash): fail records a
# failure and goes on, expect looks for a pattern in a file.  The script
# ends by testing $failures.

failures=0

# fail WHAT...: prints "FAILED: WHAT" on stderr and counts it.
fail() {
    echo "FAILED: $*" >&2
    failures=$((failures + 1))
}

# expect FILE PATTERN WHAT: FILE must contain the (grep -E) pattern.
expect() {
    grep -Eq -- "$2" "$1" || { fail "$3: no '$2' in:"; sed 's/^/    /' "$1" >&2; }
}
