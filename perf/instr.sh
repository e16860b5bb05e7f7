#!/usr/bin/env bash
# Instructions per operation of the codec's reference operations, counted by
# callgrind (stable across runs, unlike wall time on a shared machine).
# usage: perf/instr.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: perf/instr.sh BUILD_DIR}
bin="$build/perf/codec-instr"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
iters=100000
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.%p" \
    "$bin" --callgrind >"$out/stdout" 2>"$out/stderr"
printf '%-18s %14s\n' operation instr/op
# One dump per operation, in run order; each names its operation in "desc: Trigger".
for f in $(ls "$out"/cg.*.* | sort -t. -k3 -n); do
    name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
    total=$(sed -n 's/^totals: //p' "$f" | awk '{print $1}')
    awk -v n="$name" -v t="$total" -v i="$iters" 'BEGIN { printf "%-18s %14.1f\n", n, t / i }'
done
