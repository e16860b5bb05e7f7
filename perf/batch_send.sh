#!/usr/bin/env bash
# Event Hubs batches against single sends: famqp-send --count COUNT of
# 100-byte messages into a famqp-broker queue on 127.0.0.1, REPS rounds,
# each round one run single and one with --batch BATCH (alternating, so
# both see the same machine); the broker is drained (restarted) per run.
# Prints every run's events/s (famqp-send's msg/s line: messages, not
# transfers) per mode, sorted, then the medians and their ratio.
# usage: batch_send.sh BUILD_EXAMPLES_DIR COUNT REPS [BATCH]
set -u
bin=$1; count=$2; reps=$3; batch=${4:-100}
single=(); batched=()
run_one() { # extra famqp-send args...; prints msg/s
  local tmp bp port v
  tmp=$(mktemp -d)
  "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 >"$tmp/b.out" 2>"$tmp/b.err" & bp=$!
  for _ in $(seq 50); do grep -q listening "$tmp/b.out" && break; sleep 0.1; done
  port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\).*/\1/p' "$tmp/b.out")
  timeout 120 "$bin/famqp-send/famqp-send" "amqp://127.0.0.1:$port" q --count "$count" --size 100 "$@" >"$tmp/s.out"
  kill -TERM $bp; wait $bp
  v=$(sed -n 's/.*: \([0-9.]*\) msg\/s.*/\1/p' "$tmp/s.out" | head -1)
  rm -rf "$tmp"
  echo "${v:-0}"
}
for _ in $(seq "$reps"); do
  single+=("$(run_one)")
  batched+=("$(run_one --batch "$batch")")
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($#+1)/2 ))p"; }
echo "single:   $(printf '%s\n' "${single[@]}" | sort -n | tr '\n' ' ')"
echo "batch $batch: $(printf '%s\n' "${batched[@]}" | sort -n | tr '\n' ' ')"
ms=$(med "${single[@]}"); mb=$(med "${batched[@]}")
echo "median events/s: single $ms, batch $batch $mb, ratio $(awk -v a="$mb" -v b="$ms" 'BEGIN{ if (b > 0) printf "%.1f", a/b; else print "n/a" }')"
