#!/usr/bin/env bash
# famqp-broker end to end: REPS runs of famqp-send -> BROKER -> famqp-recv
# (COUNT 100-byte messages at-least-once, --check-sequence) on 127.0.0.1;
# prints every run's msg/s (famqp-recv's line), sorted, then the median.
# usage: broker_e2e.sh BROKER BUILD_EXAMPLES_DIR COUNT REPS [BROKER_ARGS...]
set -u
broker=$1; bin=$2; count=$3; reps=$4; shift 4
out=()
for r in $(seq "$reps"); do
  tmp=$(mktemp -d)
  : >"$tmp/b.out" # there before the loop below reads it
  "$broker" --listen 127.0.0.1:0 "$@" >"$tmp/b.out" 2>"$tmp/b.err" & bp=$!
  for i in $(seq 50); do grep -q listening "$tmp/b.out" && break; sleep 0.1; done
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/b.out")
  "$bin/famqp-recv/famqp-recv" amqp://127.0.0.1:$port q --count "$count" --check-sequence >"$tmp/r.out" & rp=$!
  "$bin/famqp-send/famqp-send" amqp://127.0.0.1:$port q --count "$count" --size 100 >"$tmp/s.out"
  wait $rp
  kill -TERM $bp; wait $bp
  v=$(sed -n 's/.*: \([0-9.]*\) msg\/s.*/\1/p' "$tmp/r.out" | head -1)
  out+=("$v"); rm -rf "$tmp"
done
printf '%s\n' "${out[@]}" | sort -n | tr '\n' ' '; echo
printf '%s\n' "${out[@]}" | sort -n | sed -n "$(( (reps+1)/2 ))p"
