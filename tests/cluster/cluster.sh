#!/usr/bin/env bash
# Starts or stops a three-node RabbitMQ cluster on 127.0.0.1 for tests
# (the CTest fixture "rabbitmq_cluster"; lib.sh says what is where).
#
#   cluster.sh start DIR   creates DIR (removing a previous cluster left
#                          there), starts epmd and nodes famqp1..3@localhost,
#                          joins famqp2 and famqp3 to famqp1 (join_cluster)
#                          and returns once all three run as one cluster
#   cluster.sh stop DIR    stops every process of the cluster by PID and
#                          removes DIR
#
# The cluster outlives `start` (tests share it) but not the process that
# ran `start` (CTest): a watchdog stops it when that process is gone, or
# after CLUSTER_LIFETIME seconds (default 900) whatever happens, so a
# killed or timed-out CTest leaves nothing running.  A failing `start`
# stops what it started (EXIT trap) and prints the nodes' logs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

usage() { echo "usage: cluster.sh start|stop DIR" >&2; exit 2; }
[[ $# == 2 ]] || usage
cmd=$1
cl_dir=$(mkdir -p "$2" && cd "$2" && pwd)

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops what a previous run left in DIR (its env file names its ports).
stop_previous() {
    if [[ -f $cl_dir/cluster.env ]]; then
        cl_load "$cl_dir"
        cl_stop_all
    fi
    find "$cl_dir" -mindepth 1 -delete
}

prepare() {
    local n
    mkdir -p "$cl_dir/home"
    {
        echo "cl_epmd_port=$(free_port)"
        for n in $(seq "$cl_nodes"); do
            echo "cl_port_$n=$(free_port)"
            echo "cl_dist_$n=$(free_port)"
        done
    } >"$cl_dir/cluster.env"
    cl_load "$cl_dir"
    # One cookie for every node and rabbitmqctl; Erlang refuses a cookie
    # that others may read.
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$cl_dir/home/.erlang.cookie")
    echo '[rabbitmq_amqp1_0].' >"$cl_dir/enabled_plugins"
    for n in $(seq "$cl_nodes"); do
        mkdir -p "$cl_dir/node$n/mnesia" "$cl_dir/node$n/log"
        : >"$cl_dir/node$n/rabbitmq-env.conf"
        echo '[].' >"$cl_dir/node$n/advanced.config"
        cat >"$cl_dir/node$n/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$(cl_port "$n")
log.file.level = info
log.console = false
loopback_users.guest = true
# SASL ANONYMOUS on AMQP 1.0 logs in as this user.
amqp1_0.default_user = guest
# Do not refuse publishers when the CI disk or memory is tight.
disk_free_limit.absolute = 1MB
vm_memory_high_watermark.relative = 0.8
CONF
    done
}

watchdog() { # OWNER_PID LIFETIME_S
    local owner=$1 end=$((SECONDS + $2))
    trap - EXIT
    while cl_alive "$owner" && ((SECONDS < end)); do sleep 1; done
    echo "watchdog: $(date -u +%T) owner $owner gone or lifetime over: stopping the cluster"
    cl_stop_all
}

# Ports are picked free, then bound by the nodes seconds later: another
# process may take one meanwhile (seen in CI: a node's listener failed with
# eaddrinuse).  Such a start is undone and tried again with fresh ports.
start() {
    local attempt rc
    for attempt in 1 2 3; do
        rc=0
        (start_once) || rc=$?
        [[ $rc == 0 ]] && return 0
        grep -qs eaddrinuse "$cl_dir"/node*/log/server.out "$cl_dir"/node*/log/server.err "$cl_dir/epmd.out" ||
            exit "$rc"
        echo "cluster: a port was taken between picking and binding (eaddrinuse): again with fresh ports" \
            "(attempt $attempt of 3 failed)" >&2
    done
    exit 1
}

start_once() {
    local t0=$SECONDS n
    stop_previous
    prepare
    ready=
    trap '[[ -n $ready ]] || { echo "cluster: start failed; stopping what it started" >&2; cl_stop_all; }' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # epmd in the foreground (we hold its PID), private port, loopback.
    setsid env FAMQP_CLUSTER_DIR="$cl_dir" ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$cl_epmd_port" \
        </dev/null >>"$cl_dir/epmd.out" 2>&1 &
    echo $! >"$cl_dir/epmd.pid"
    # The watchdog watches the caller of this script (CTest).
    setsid env FAMQP_CLUSTER_DIR="$cl_dir" bash -c 'source "$1/lib.sh"; cl_load "$2"; '"$(declare -f watchdog)"'; watchdog "$3" "$4"' \
        watchdog "$here" "$cl_dir" "$PPID" "${CLUSTER_LIFETIME:-900}" </dev/null >>"$cl_dir/watchdog.out" 2>&1 &
    echo $! >"$cl_dir/watchdog.pid"
    for n in $(seq "$cl_nodes"); do cl_boot "$n"; done
    for n in $(seq "$cl_nodes"); do cl_await "$n" 120; done
    echo "cluster: 3 nodes booted in $((SECONDS - t0)) s"
    # A fresh node joins: stop its app, join the first, start again (a fresh
    # node has nothing to reset).
    for n in $(seq 2 "$cl_nodes"); do
        { cl_ctl "$n" stop_app && cl_ctl "$n" join_cluster "$(cl_node 1)" &&
            cl_ctl "$n" start_app; } >>"$cl_dir/node$n/log/ctl.out" 2>&1 ||
            { echo "cluster: $(cl_node "$n") could not join $(cl_node 1):" >&2; tail -n 20 "$cl_dir/node$n/log/ctl.out" >&2; exit 1; }
        cl_await "$n" 60
        echo "cluster: $(cl_node "$n") joined $(cl_node 1) after $((SECONDS - t0)) s"
    done
    local running
    running=$(cl_ctl 1 eval 'length(rabbit_nodes:all_running()).' 2>&1) || true
    if [[ $running != "$cl_nodes" ]]; then
        echo "cluster: $running nodes running, expected $cl_nodes:" >&2
        cl_ctl 1 cluster_status >&2 || true
        exit 1
    fi
    ready=1
    echo "cluster: $cl_nodes nodes running as one cluster in $((SECONDS - t0)) s:" \
        "$(for n in $(seq "$cl_nodes"); do printf '%s=%s ' "$(cl_node "$n")" "$(cl_url "$n")"; done)(dir $cl_dir)"
}

case $cmd in
start) start ;;
stop)
    if [[ -f $cl_dir/cluster.env ]]; then
        cl_load "$cl_dir"
        cl_stop_all
        echo "cluster: stopped"
    fi
    rm -rf "$cl_dir"
    ;;
*) usage ;;
esac
