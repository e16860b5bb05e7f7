#!/usr/bin/env bash
# Failover proof against a real three-node RabbitMQ cluster (issue 12):
# famqp-send and famqp-recv, each with a --failover list of all three
# nodes, move COUNT numbered durable messages at-least-once through a
# quorum queue (a replica on every node; the cluster is the CTest fixture
# of cluster.sh).  Mid-stream the node the sender is connected to is
# killed (SIGKILL of its Erlang VM, by PID), started again and, once it is
# back in the cluster, the node the receiver is connected to is killed the
# same way (one node down at a time: the queue keeps its majority).  The
# node each tool is on is read from the tool's own stderr (its primary URL,
# then every "reconnected to URL" line).
#
# A quorum queue confirms a message only once a majority stored it, so
# every number 0..COUNT-1 must arrive: lost = 0 is asserted, and both
# tools must exit 0 and have reconnected.  Duplicates (redelivered, or
# resent because their outcome died with the connection) are counted and
# printed, and so is each failover time: from the SIGKILL to the first
# settlement (sender) or message (receiver) after the tool reconnected,
# read from the progress line the tool draws on a terminal every 250 ms
# (pty_stamp.py gives it one).  Times are printed, never asserted.
#
# usage: failover.sh BUILD_EXAMPLES_DIR CLUSTER_DIR [COUNT] [SEND_RATE] [RECV_RATE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../reconnect/lib.sh"
source "$here/lib.sh"
# Signals and a closed stdout (CTest gone) end the script through its
# EXIT trap, which stops the tools (lib.sh's rc_cleanup).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE
bin=$1
cl_load "$(cd "$2" && pwd)"
count=${3:-15000}
send_rate=${4:-1500} # msg/s: the sender is done after count/send_rate s
rate=${5:-300}       # msg/s: the receiver runs count/rate s, long enough for
                     # the first killed node to come back before the second kill
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
queue=famqp-cluster-$$
address=/amq/queue/$queue

now() { echo "$EPOCHREALTIME"; }

# A node a previous test killed runs again first (the queue needs 2 of 3).
for n in $(seq "$cl_nodes"); do
    if [[ -z $(cl_vm_pid "$n") ]]; then
        echo "starting $(cl_node "$n") again (a previous test left it down)"
        cl_boot "$n"
        cl_await "$n" 120
    fi
done
replicas=$(cl_declare_quorum "$queue")
[[ $replicas == "$cl_nodes" ]] ||
    { echo "FAILED: quorum queue $queue has $replicas replicas, expected $cl_nodes" >&2; exit 1; }
echo "quorum queue $queue: replicas on all $replicas nodes"

# start_ts NAME CMD...: as lib.sh's start, but CMD's stderr is a terminal
# (so it draws its progress line) and each of its lines, time-stamped,
# goes to $rc_tmp/NAME.err (pty_stamp.py): the failover times come from it.
start_ts() {
    local name=$1
    shift
    "$here/pty_stamp.py" "$rc_tmp/$name.err" "$@" >"$rc_tmp/$name.out" 2>"$rc_tmp/$name.pty" &
    last_pid=$!
    rc_pids+=("$last_pid")
}

# node_of URL: the node number whose AMQP port URL names.
node_of() {
    local n port=${1##*:}
    port=${port%%/*}
    for n in $(seq "$cl_nodes"); do
        [[ $port == "$(cl_port "$n")" ]] && { echo "$n"; return 0; }
    done
    echo "FAILED: $1 is no node of the cluster" >&2
    return 1
}
# node_now NAME PRIMARY_NODE: the node tool NAME is connected to now.
node_now() {
    local url
    url=$(sed -n 's/.* reconnected to \(amqp:[^ ]*\) after .*/\1/p' "$rc_tmp/$1.err" | tail -1)
    if [[ -n $url ]]; then node_of "$url"; else echo "$2"; fi
}

# The sender starts on node 1, the receiver on node 2; each lists the
# others so that its first attempt after a loss goes to a node that runs
# (attempt k goes to the k-th URL after the lost one).
start_ts recv "$recv" "$(cl_url 2)" "$address" --failover "$(cl_url 3)" --failover "$(cl_url 1)" \
    --count "$count" --check-sequence --rate "$rate" --timeout 60
recv_pid=$last_pid
start_ts send "$send" "$(cl_url 1)" "$address" --failover "$(cl_url 3)" --failover "$(cl_url 2)" \
    --count "$count" --durable --rate "$send_rate" --timeout 60
send_pid=$last_pid

# kill_node_of NAME PID PRIMARY: SIGKILL the node tool NAME is on, while
# it runs; prints the node killed.  Sets kill_t.
kill_node_of() {
    local n
    if ! alive "$2"; then
        echo "FAILED: $1 finished before its node was killed; raise COUNT or lower the rates" >&2
        cat "$rc_tmp/$1.out" "$rc_tmp/$1.err" >&2
        exit 1
    fi
    n=$(node_now "$1" "$3")
    kill_t=$(now)
    cl_kill "$n"
    echo "killed $(cl_node "$n") (SIGKILL), the node $1 was on, at $(date -u +%T.%N | cut -c1-12)" >&2
    killed=$n
}

# failover_time NAME PID SINCE: seconds from SINCE (the kill) to the first
# progress line of tool NAME, after its first "reconnected to" line, whose
# count moved (the sender's settled messages, the receiver's received
# ones): the first settlement or message after the failover, to within the
# 250 ms between progress lines.  Waits up to 60 s for it, or until the
# tool exits (run in $(...): the caller's set -e ends the test on failure).
failover_time() {
    local t running=1
    for _ in $(seq 600); do
        alive "$2" || running=
        t=$(awk -v s="$3" '
            $1 >= s && / reconnected to / { back = 1; next }
            $2 == "sent" && $4 == "of" && match($0, /, [0-9]+ settled/) {
                n = substr($0, RSTART + 2, RLENGTH - 10) + 0
            }
            $2 == "received" && $4 == "of" { n = $3 + 0 }
            n != "" { if (back && seen && n > last) { print $1; exit } last = n; seen = 1; n = "" }' \
            "$rc_tmp/$1.err")
        [[ -n $t || -z $running ]] && break
        sleep 0.1
    done
    if [[ -z $t ]]; then
        grep -q " reconnected to " "$rc_tmp/$1.err" || {
            echo "FAILED: $1 did not reconnect after the kill ($([[ -n $running ]] && echo "60 s" || echo "it exited")):" >&2
            grep -vE '^[0-9.]+ (sent|received) [0-9]+ of' "$rc_tmp/$1.err" >&2
            exit 1
        }
        echo "unmeasured"
        return
    fi
    awk -v a="$3" -v b="$t" 'BEGIN { printf "%.2f", b - a }'
}

# A quarter into the sender's run: its node.
sleep "$(awk -v c="$count" -v r="$send_rate" 'BEGIN { printf "%.2f", 0.25 * c / r }')"
kill_node_of send "$send_pid" 1 >&2
send_killed=$killed
send_kill_t=$kill_t
send_failover=$(failover_time send "$send_pid" "$send_kill_t")
send_to=$(node_now send 1)
echo "sender: $(cl_node "$send_killed") killed; on $(cl_node "$send_to"), first settlement after $send_failover s"
t0=$SECONDS
cl_boot "$send_killed"
cl_await "$send_killed" 120
echo "$(cl_node "$send_killed") is back in the cluster after $((SECONDS - t0)) s"

# Then the receiver's node (the restarted one holds its replica again).
kill_node_of recv "$recv_pid" 2 >&2
recv_killed=$killed
recv_kill_t=$kill_t
recv_failover=$(failover_time recv "$recv_pid" "$recv_kill_t")
recv_to=$(node_now recv 2)
echo "receiver: $(cl_node "$recv_killed") killed; on $(cl_node "$recv_to"), first message after $recv_failover s"

finish "$send_pid" send
finish "$recv_pid" recv
cat "$rc_tmp/send.out" "$rc_tmp/recv.out"
# Their stderr but the progress lines: the reconnects and any stall.
grep -hvE '^[0-9.]+ (sent|received) [0-9]+ of' "$rc_tmp/send.err" "$rc_tmp/recv.err" || true

read_summaries
echo "cluster failover: messages $count, sent $sent, received $received, duplicates $duplicates, lost $lost," \
    "resent $resent, reconnects $send_reconnects (sender) $recv_reconnects (receiver)," \
    "failover sender ${send_failover} s receiver ${recv_failover} s"
fail=0
[[ $sent == "$count" ]] || { echo "FAILED: sent $sent, expected $count" >&2; fail=1; }
[[ $distinct == "$count" && $lost == 0 ]] || { echo "FAILED: $lost of $count messages lost" >&2; fail=1; }
[[ $received -eq $((distinct + duplicates)) ]] || { echo "FAILED: received != distinct + duplicates" >&2; fail=1; }
[[ $send_reconnects -ge 1 && $recv_reconnects -ge 1 ]] ||
    { echo "FAILED: a tool did not reconnect: the kills missed the run" >&2; fail=1; }
exit $fail
