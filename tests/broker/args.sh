#!/usr/bin/env bash
# famqp-broker --threads N: out of range, not a number or missing, it exits
# 2 at once with an error naming the option and its range (1 to 64); in
# range (1 and 64) it starts and stops on SIGTERM with exit 0.
# usage: args.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: args.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/../tools/lib.sh"

for v in 0 65 -1 x 4x ""; do
    args=(--threads "$v")
    [[ -z $v ]] && args=(--threads)
    rc=0
    timeout 10 "$broker" --listen 127.0.0.1:0 "${args[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [[ $rc == 2 ]] || fail "--threads '$v': exit $rc, expected 2"
    expect "$tmp/err" "--threads.*1 to 64" "--threads '$v' error names the option and the range"
done
for n in 1 64; do
    start_broker "b$n" --threads "$n"
    rc=0
    term_wait "$broker_pid" 30 famqp-broker || rc=$?
    [[ $rc == 0 ]] || { fail "--threads $n: exit $rc after SIGTERM:"; cat "$tmp/b$n.err" >&2; }
done
finish
