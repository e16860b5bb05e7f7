#!/usr/bin/env bash
# famqp-send --reconnect sends COUNT numbered, durable messages
# at-least-once to a durable queue of a private RabbitMQ 3.10
# (tests/interop/rabbitmq/rabbitmq.sh; the queue is declared before use and
# addressed as /amq/queue/NAME) while famqp-recv --reconnect receives them.
# In the middle of the run RabbitMQ is stopped (rabbitmqctl shutdown) and
# started again with the same data.  RabbitMQ accepts a durable message only
# once it is stored, and stored messages survive the restart, so every
# number 0..COUNT-1 must arrive at least once (lost = 0); duplicates
# (messages redelivered, or resent because their outcome was lost with the
# connection) are counted and reported.  Both clients must have reconnected,
# else the restart missed the run and the test fails.
#
# usage: rabbitmq_restart.sh BUILD_EXAMPLES_DIR [COUNT] [SEND_RATE] [RECV_RATE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/../interop/rabbitmq/rabbitmq.sh" # keeps lib.sh's EXIT trap
bin=$1
count=${2:-50000}
# The sender must still be sending when RabbitMQ finally drops its
# connections, which on a loaded machine can take many seconds after the
# stop begins: 0.75 * COUNT / SEND_RATE (37 s at 50,000 and 1000/s) covers it.
send_rate=${3:-1000} # msg/s
rate=${4:-1000}      # msg/s: the run lasts about count/rate seconds plus the restart
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
queue=famqp-restart-q

rmq_start
rmq_declare_queue "$queue"
url=$rmq_url # SASL ANONYMOUS (RabbitMQ maps it to guest): no password to protect
address=/amq/queue/$queue

start recv "$recv" "$url" "$address" --count "$count" --check-sequence --reconnect --rate "$rate" --timeout 60
recv_pid=$last_pid
start send "$send" "$url" "$address" --count "$count" --durable --reconnect --rate "$send_rate" --timeout 60
send_pid=$last_pid

# Stop about a quarter into the run (stopping takes RabbitMQ a few seconds).
sleep "$(awk -v c="$count" -v r="$rate" 'BEGIN { printf "%.2f", 0.25 * c / r }')"
if ! alive "$send_pid"; then
    echo "FAILED: the sender finished before RabbitMQ was stopped; raise COUNT or lower the rates" >&2
    cat "$rc_tmp/send.out" "$rc_tmp/send.err" >&2
    exit 1
fi
echo "stopping RabbitMQ"
rmq_restart
echo "RabbitMQ is back: $(rmq_queue_depth "$queue") messages in $queue"

finish "$send_pid" send
finish "$recv_pid" recv
cat "$rc_tmp/send.out" "$rc_tmp/recv.out"

read_summaries
echo "RabbitMQ restart: sent $sent, received $received, duplicates $duplicates, lost $lost," \
    "reconnects $send_reconnects (sender) $recv_reconnects (receiver), resent $resent," \
    "left in queue $(rmq_queue_depth "$queue")"
fail=0
[[ $sent == "$count" ]] || { echo "FAILED: sent $sent, expected $count" >&2; fail=1; }
[[ $distinct == "$count" && $lost == 0 ]] || { echo "FAILED: $lost of $count messages lost" >&2; fail=1; }
[[ $received -eq $((distinct + duplicates)) ]] || { echo "FAILED: received != distinct + duplicates" >&2; fail=1; }
[[ $send_reconnects -ge 1 && $recv_reconnects -ge 1 ]] ||
    { echo "FAILED: a client did not reconnect: the restart was not tested" >&2; fail=1; }
exit $fail
