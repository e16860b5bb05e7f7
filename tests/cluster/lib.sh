# A three-node RabbitMQ 3.10 cluster on 127.0.0.1 (Debian's
# rabbitmq-server and its AMQP 1.0 plugin), everything in one directory of
# the build tree: sourced by cluster.sh (which starts and stops it) and by
# the tests that use it (CTest fixture "rabbitmq_cluster").
#
#   source tests/cluster/lib.sh; cl_load DIR   # a cluster cluster.sh started
#   cl_url N          amqp://127.0.0.1:PORT of node N (1..3)
#   cl_node N         its Erlang node name, famqpN@localhost
#   cl_ctl N ARGS...  rabbitmqctl against node N (at most 60 s)
#   cl_vm_pid N       the PID of node N's Erlang VM ('' when not running)
#   cl_kill N         SIGKILL node N's VM and wait until it is gone
#   cl_boot N         start node N (again): same name, ports and data
#   cl_await N SECS   wait until node N has booted (rabbitmqctl await_startup)
#   cl_declare_quorum NAME   a durable quorum queue with a replica on every
#                     running node (address it as /amq/queue/NAME)
#
# Layout of DIR: cluster.env (ports), home/.erlang.cookie (shared: HOME of
# every node and every rabbitmqctl), enabled_plugins, nodeN/{rabbitmq.conf,
# mnesia,log,rabbit.pid,server.pid}, epmd.pid, watchdog.pid.  Every process
# started for the cluster carries FAMQP_CLUSTER_DIR=DIR in its environment
# so that a PID read from a file is only signalled while it is still ours
# (PIDs are reused).
#
# The nodes share one epmd, ours, on a private port bound to 127.0.0.1
# (ERL_EPMD_PORT): the nodes find each other through it and nothing of the
# host's (epmd on 4369, /etc/rabbitmq, /var/lib/rabbitmq, the host name,
# ~/.erlang.cookie) is used or changed.  The /usr/lib/rabbitmq/bin scripts
# are run directly (the /usr/sbin wrappers switch to the rabbitmq user).

cl_bin=/usr/lib/rabbitmq/bin
cl_nodes=3
cl_dir=

if [[ ! -x $cl_bin/rabbitmq-server ]]; then
    echo "cluster: $cl_bin/rabbitmq-server is missing (apt-get install rabbitmq-server)" >&2
    exit 1
fi

# cl_alive PID: running and not a zombie (kill -0 succeeds on zombies).
cl_alive() {
    local state
    [[ -n $1 && -r /proc/$1/status ]] || return 1
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# cl_ours PID: alive and started for this cluster (its environment names
# DIR), so a recycled PID is never signalled.
cl_ours() {
    cl_alive "$1" && { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "FAMQP_CLUSTER_DIR=$cl_dir"
}

cl_load() {
    cl_dir=$1
    # shellcheck disable=SC1091
    source "$cl_dir/cluster.env"
}

cl_node() { echo "famqp$1@localhost"; }
cl_port() { local v=cl_port_$1; echo "${!v}"; }
cl_url() { echo "amqp://127.0.0.1:$(cl_port "$1")"; }

# cl_env N: the environment of node N and of rabbitmqctl talking to it.
cl_env() {
    local n=$1 d=$cl_dir/node$1 dist=cl_dist_$1
    cl_env_vars=(
        FAMQP_CLUSTER_DIR="$cl_dir"
        HOME="$cl_dir/home"
        RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
        RABBITMQ_NODENAME="$(cl_node "$n")"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$(cl_port "$n")"
        RABBITMQ_DIST_PORT="${!dist}"
        RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
        RABBITMQ_MNESIA_BASE="$d/mnesia"
        RABBITMQ_LOG_BASE="$d/log"
        RABBITMQ_PID_FILE="$d/rabbit.pid"
        RABBITMQ_ENABLED_PLUGINS_FILE="$cl_dir/enabled_plugins"
        RABBITMQ_PLUGINS_EXPAND_DIR="$d/plugins-expand"
        RABBITMQ_FEATURE_FLAGS_FILE="$d/feature_flags"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_EPMD_PORT="$cl_epmd_port"
        # Never start an epmd of its own when ours is gone (it would be
        # a daemon nobody stops): fail instead.
        ERL_FLAGS="-start_epmd false"
    )
}

cl_ctl() {
    local n=$1
    shift
    cl_env "$n"
    env "${cl_env_vars[@]}" timeout 60 "$cl_bin/rabbitmqctl" -n "$(cl_node "$n")" "$@"
}

cl_vm_pid() {
    local pid
    pid=$(cat "$cl_dir/node$1/rabbit.pid" 2>/dev/null) || true
    if [[ -n $pid ]] && cl_ours "$pid"; then echo "$pid"; fi
}

# cl_boot N: starts node N in its own session (it outlives the shell that
# started it: the cluster is a fixture shared by several tests), output to
# its log directory.
cl_boot() {
    local n=$1
    cl_env "$n"
    rm -f "$cl_dir/node$n/rabbit.pid"
    setsid env "${cl_env_vars[@]}" "$cl_bin/rabbitmq-server" </dev/null \
        >>"$cl_dir/node$n/log/server.out" 2>>"$cl_dir/node$n/log/server.err" &
    echo $! >"$cl_dir/node$n/server.pid"
}

# cl_await N SECS: returns once node N has fully booted (the AMQP port
# opens before the AMQP 1.0 plugin is ready); fails with its log after
# SECS.  await_startup fails at once while the node is not yet registered
# with epmd, hence the retries.
cl_await() {
    local n=$1 deadline=$((SECONDS + $2)) rc server
    server=$(cat "$cl_dir/node$n/server.pid")
    # Each rabbitmqctl boots a VM of its own: first wait (cheaply) for the
    # node to register with epmd.
    while cl_alive "$server" && ((SECONDS < deadline)) &&
        ! ERL_EPMD_PORT=$cl_epmd_port epmd -names 2>/dev/null | grep -q "^name famqp$n at"; do
        sleep 0.2
    done
    while :; do
        rc=0
        cl_ctl "$n" await_startup --timeout $((deadline - SECONDS + 1)) >>"$cl_dir/node$n/log/ctl.out" 2>&1 || rc=$?
        [[ $rc -ne 0 && $SECONDS -lt $deadline ]] && cl_alive "$server" || break
        sleep 0.5
    done
    if [[ $rc -ne 0 ]]; then
        echo "cluster: node $(cl_node "$n") did not start within $2 s (rc $rc); its output:" >&2
        tail -n 30 "$cl_dir/node$n/log/server.out" "$cl_dir/node$n/log/server.err" \
            "$cl_dir/node$n/log/ctl.out" "$cl_dir/node$n/log/$(cl_node "$n").log" >&2 2>/dev/null || true
        return 1
    fi
}

# cl_wait_gone PID SECS: true once PID is gone (not necessarily our child).
cl_wait_gone() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        cl_alive "$1" || return 0
        sleep 0.1
    done
    ! cl_alive "$1"
}

cl_kill() {
    local vm
    vm=$(cl_vm_pid "$1")
    [[ -n $vm ]] || { echo "cluster: node $(cl_node "$1") is not running" >&2; return 1; }
    kill -9 "$vm"
    cl_wait_gone "$vm" 10 || { echo "cluster: VM $vm survived SIGKILL" >&2; return 1; }
}

cl_declare_quorum() {
    local name=$1 out
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "cluster: queue name '$name': use [A-Za-z0-9._-]" >&2; return 1; }
    # No HTTP API without the management plugin, and an AMQP 1.0 attach
    # can only create a classic queue: the node declares it itself, and
    # says on how many nodes it has a replica.
    out=$(cl_ctl 1 eval "
        case rabbit_amqqueue:declare(rabbit_misc:r(<<\"/\">>, queue, <<\"$name\">>), true, false,
                                     [{<<\"x-queue-type\">>, longstr, <<\"quorum\">>}], none, <<\"guest\">>) of
            {new, Q} -> length(maps:get(nodes, amqqueue:get_type_state(Q)));
            Other -> Other
        end." 2>&1) || true
    if [[ ! $out =~ ^[0-9]+$ ]]; then
        echo "cluster: declaring quorum queue $name failed: $out" >&2
        return 1
    fi
    echo "$out"
}

# cl_stop_all: stops every process of the cluster by PID (SIGTERM, then
# SIGKILL after a bound): the nodes' VMs and their rabbitmq-server shells,
# epmd, the watchdog (unless it is the caller).
cl_stop_all() {
    local n pid pids=() f
    for n in $(seq "$cl_nodes"); do
        pids+=("$(cl_vm_pid "$n")")
        pids+=("$(cat "$cl_dir/node$n/server.pid" 2>/dev/null || true)")
    done
    for pid in "${pids[@]}"; do
        [[ -n $pid ]] && cl_ours "$pid" && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        [[ -n $pid ]] || continue
        cl_wait_gone "$pid" 20 || { echo "cluster: PID $pid ignored SIGTERM; killing it" >&2; kill -9 "$pid" 2>/dev/null || true; }
    done
    for f in epmd watchdog; do
        pid=$(cat "$cl_dir/$f.pid" 2>/dev/null || true)
        [[ -n $pid && $pid != "${BASHPID}" ]] || continue
        if cl_ours "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            cl_wait_gone "$pid" 5 || kill -9 "$pid" 2>/dev/null || true
        fi
    done
    # Whatever else carries the cluster's mark (a rabbitmqctl still
    # running, a helper process of a VM): SIGKILL, but not this shell.
    local p
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [[ $pid != "$$" && $pid != "$BASHPID" ]] && cl_ours "$pid" && kill -9 "$pid" 2>/dev/null || true
    done
}
