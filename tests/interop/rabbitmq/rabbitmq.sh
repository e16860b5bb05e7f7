# A private RabbitMQ 3.10 with the AMQP 1.0 plugin on 127.0.0.1, for
# tests (sourced by bash scripts running under `set -euo pipefail`).
#
#   source tests/interop/rabbitmq/rabbitmq.sh
#   rmq_start                 # start; returns once the node is ready (bounded)
#   ... "$rmq_url" ...        # amqp://127.0.0.1:PORT; guest/guest or ANONYMOUS
#   rmq_declare_queue NAME [classic|quorum]   # a durable queue (idempotent);
#                             # address it as /amq/queue/NAME
#   rmq_queue_depth NAME      # messages ready in it
#   rmq_restart               # stop and start again, same node, ports and
#                             # data: durable queues and their persistent
#                             # messages survive (queues created by an
#                             # attach to /queue/NAME do NOT: not durable)
#   rmq_stop                  # stop (also done on EXIT, whatever happens)
#   rmq_ctl ARGS...           # rabbitmqctl against this node (at most 60 s)
#
# After rmq_start: $rmq_port (AMQP), $rmq_url, $rmq_node (NAME@localhost),
# $rmq_pid (rabbitmq-server, a shell whose child is the Erlang VM;
# rmq_vm_pid prints the VM's PID), $rmq_dir (config, data and logs:
# $rmq_dir/log/$rmq_node.log).  Knobs, set before rmq_start:
# RMQ_START_TIMEOUT (seconds, default 60), RMQ_HEARTBEAT (seconds: the
# broker's heartbeat, which it also advertises as its AMQP 1.0
# idle-time-out; default RabbitMQ's 60), RMQ_DIR (a directory to use
# instead of a fresh temporary one; kept at exit).
#
# Nothing on the host is used or changed: no /etc/rabbitmq, no
# /var/lib/rabbitmq, no systemd, not the host name.  The scripts under
# /usr/lib/rabbitmq/bin are run directly (the /usr/sbin wrappers switch to
# the rabbitmq user), with HOME set to our own directory so the Erlang
# cookie is private.  Everything the node needs is passed as RABBITMQ_*
# variables.  The node gets its own epmd on a private port (ERL_EPMD_PORT,
# bound to 127.0.0.1), started by us in the foreground so that it is
# stopped by PID and never confused with another node's epmd; several
# brokers (parallel CTest runs) can therefore run side by side.
#
# Stopping: `rabbitmqctl shutdown` (which, unlike `stop`, waits for the VM
# to exit), then wait for the PID (kill -9 after a bound), then the epmd by
# PID.  A watchdog process does the same if the sourcing shell disappears
# without running its EXIT trap (e.g. SIGKILL).
#
# An EXIT trap set before sourcing this file (e.g. lib.sh's
# interop_cleanup) still runs, after the broker is stopped.  Set no EXIT
# trap after sourcing (it would replace this one); TERM, INT and HUP exit
# the shell so that the EXIT trap runs.

rmq_bin=/usr/lib/rabbitmq/bin
rmq_pid=
rmq_epmd_pid=
rmq_watchdog_pid=
rmq_port=
rmq_url=
rmq_node=
rmq_dir=
rmq_own_dir=

if [[ ! -x $rmq_bin/rabbitmq-server ]]; then
    echo "rabbitmq.sh: $rmq_bin/rabbitmq-server is missing (apt-get install rabbitmq-server)" >&2
    exit 1
fi

# A TCP port free on 127.0.0.1 right now (the kernel picks it).
rmq_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Alive and not a zombie (kill -0 succeeds on zombies).
rmq_alive() {
    local pid=$1 state
    [[ -n $pid && -r /proc/$pid/status ]] || return 1
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
    [[ -n $state && $state != Z && $state != X ]]
}

# The environment every rabbitmq-* script and the node itself get (an
# array, so that `env "${rmq_env_vars[@]}" CMD &` gives $! = CMD's PID).
rmq_set_env() {
    rmq_env_vars=(
        HOME="$rmq_dir/home"
        RABBITMQ_CONF_ENV_FILE="$rmq_dir/rabbitmq-env.conf"
        RABBITMQ_NODENAME="$rmq_node"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$rmq_port"
        RABBITMQ_DIST_PORT="$rmq_dist_port"
        RABBITMQ_CONFIG_FILE="$rmq_dir/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$rmq_dir/advanced.config"
        RABBITMQ_MNESIA_BASE="$rmq_dir/mnesia"
        RABBITMQ_LOG_BASE="$rmq_dir/log"
        RABBITMQ_PID_FILE="$rmq_dir/rabbit.pid"
        RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_dir/enabled_plugins"
        RABBITMQ_PLUGINS_EXPAND_DIR="$rmq_dir/plugins-expand"
        RABBITMQ_FEATURE_FLAGS_FILE="$rmq_dir/feature_flags"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_EPMD_PORT="$rmq_epmd_port"
    )
}

# rmq_ctl ARGS...: rabbitmqctl against our node, at most 60 s.
rmq_ctl() {
    env "${rmq_env_vars[@]}" timeout 60 "$rmq_bin/rabbitmqctl" -n "$rmq_node" "$@"
}

# Creates the directory, configuration and ports (first start only).
rmq_prepare() {
    if [[ -n ${RMQ_DIR:-} ]]; then
        rmq_dir=$RMQ_DIR
        mkdir -p "$rmq_dir"
    else
        rmq_dir=$(mktemp -d "${TMPDIR:-/tmp}/famqp-rabbitmq.XXXXXX")
        rmq_own_dir=1
    fi
    mkdir -p "$rmq_dir/home" "$rmq_dir/mnesia" "$rmq_dir/log"
    rmq_port=$(rmq_free_port)
    rmq_dist_port=$(rmq_free_port)
    rmq_epmd_port=$(rmq_free_port)
    rmq_node="famqp-$$-$rmq_port@localhost"
    rmq_url="amqp://127.0.0.1:$rmq_port"
    rmq_set_env
    # The cookie must be private to its owner or Erlang refuses it.
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$rmq_dir/home/.erlang.cookie")
    : >"$rmq_dir/rabbitmq-env.conf"
    echo '[rabbitmq_amqp1_0].' >"$rmq_dir/enabled_plugins"
    echo '[].' >"$rmq_dir/advanced.config"
    cat >"$rmq_dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$rmq_port
log.file.level = info
log.console = false
# guest may log in only from loopback (the default); keep it explicit.
loopback_users.guest = true
# SASL ANONYMOUS on AMQP 1.0 logs in as this user (the default, explicit).
amqp1_0.default_user = guest
# Do not refuse publishers when the CI disk or memory is tight.
disk_free_limit.absolute = 1MB
vm_memory_high_watermark.relative = 0.8
EOF
    if [[ -n ${RMQ_HEARTBEAT:-} ]]; then
        echo "heartbeat = $RMQ_HEARTBEAT" >>"$rmq_dir/rabbitmq.conf"
    fi
}

# Starts epmd and the node, waits until the node is ready.
rmq_boot() {
    local timeout=${RMQ_START_TIMEOUT:-60} rc=0
    # Our own epmd, foreground, so we hold its PID.
    ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$rmq_epmd_port" >>"$rmq_dir/log/epmd.out" 2>&1 &
    rmq_epmd_pid=$!
    env "${rmq_env_vars[@]}" "$rmq_bin/rabbitmq-server" >>"$rmq_dir/log/server.out" 2>>"$rmq_dir/log/server.err" &
    rmq_pid=$!
    rmq_start_watchdog
    # The port opens before the AMQP 1.0 plugin is ready: await_startup
    # waits for the whole boot.
    # It fails at once while the node is not yet registered with epmd, so
    # it is retried until the deadline.
    local deadline=$((SECONDS + timeout))
    while :; do
        rc=0
        rmq_ctl await_startup --timeout $((deadline - SECONDS + 1)) >>"$rmq_dir/log/ctl.out" 2>&1 || rc=$?
        [[ $rc -ne 0 && $SECONDS -lt $deadline ]] && rmq_alive "$rmq_pid" || break
        sleep 0.5
    done
    if [[ $rc -ne 0 ]] || ! rmq_alive "$rmq_pid"; then
        echo "rabbitmq.sh: node $rmq_node did not start within $timeout s (rc $rc); its output:" >&2
        tail -n 40 "$rmq_dir/log/server.out" "$rmq_dir/log/server.err" "$rmq_dir/log/ctl.out" >&2 || true
        tail -n 40 "$rmq_dir/log/$rmq_node.log" >&2 2>/dev/null || true
        return 1
    fi
}

# The Erlang VM's PID (the node writes it once booted; rabbitmq-server,
# whose PID is $rmq_pid, is a shell that runs the VM as its child and
# forwards SIGTERM to it).
rmq_vm_pid() {
    cat "$rmq_dir/rabbit.pid" 2>/dev/null || true
}

# Kills the node and epmd if the shell that sourced this file is gone
# without stopping them.  Polls once a second; ends with the node.
rmq_start_watchdog() {
    local owner=$$ node_pid=$rmq_pid epmd_pid=$rmq_epmd_pid
    (
        trap - EXIT HUP INT TERM
        while rmq_alive "$node_pid"; do
            if ! rmq_alive "$owner"; then
                kill -9 "$(rmq_vm_pid)" "$node_pid" "$epmd_pid" 2>/dev/null
                break
            fi
            sleep 1
        done
    ) >/dev/null 2>&1 </dev/null &
    rmq_watchdog_pid=$!
}

rmq_start() {
    [[ -z $rmq_pid ]] || { echo "rabbitmq.sh: already started" >&2; return 1; }
    [[ -n $rmq_dir ]] || rmq_prepare
    local t0=$SECONDS
    rmq_boot
    echo "rabbitmq: node $rmq_node ready on $rmq_url in $((SECONDS - t0)) s (dir $rmq_dir)"
}

# waits at most $2 seconds for PID $1 to exit (it is our child).
rmq_wait_pid() {
    local pid=$1 n=$(($2 * 10))
    for ((i = 0; i < n; i++)); do
        rmq_alive "$pid" || break
        sleep 0.1
    done
    if rmq_alive "$pid"; then
        echo "rabbitmq.sh: PID $pid still running; killing it" >&2
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

rmq_stop() {
    if [[ -n $rmq_pid ]]; then
        if rmq_alive "$rmq_pid"; then
            rmq_ctl shutdown >>"$rmq_dir/log/ctl.out" 2>&1 || kill -TERM "$rmq_pid" 2>/dev/null || true
        fi
        local vm
        vm=$(rmq_vm_pid)
        rmq_wait_pid "$rmq_pid" 30
        if [[ -n $vm ]] && rmq_alive "$vm"; then
            echo "rabbitmq.sh: Erlang VM $vm outlived rabbitmq-server; killing it" >&2
            kill -9 "$vm" 2>/dev/null || true
        fi
        rm -f "$rmq_dir/rabbit.pid"
        rmq_pid=
    fi
    if [[ -n $rmq_epmd_pid ]]; then
        kill -TERM "$rmq_epmd_pid" 2>/dev/null || true
        rmq_wait_pid "$rmq_epmd_pid" 5
        rmq_epmd_pid=
    fi
    if [[ -n $rmq_watchdog_pid ]]; then
        # It ends by itself within a second of the node (no orphaned sleep).
        wait "$rmq_watchdog_pid" 2>/dev/null || true
        rmq_watchdog_pid=
    fi
}

# Stop and start again with the same node name, ports and data.
rmq_restart() {
    local t0=$SECONDS
    rmq_stop
    rmq_boot
    echo "rabbitmq: node $rmq_node restarted in $((SECONDS - t0)) s"
}

# rmq_declare_queue NAME [classic|quorum]: a durable queue in vhost "/"
# (no-op when it exists with the same type).  rabbitmqadmin needs the
# management plugin and is not in the Debian package, and an AMQP 1.0
# attach to /queue/NAME can only create a classic queue, so this asks the
# node directly with `rabbitmqctl eval`.
rmq_declare_queue() {
    local name=$1 type=${2:-classic} out args='[]'
    [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "rabbitmq.sh: queue name '$name': use [A-Za-z0-9._-]" >&2; return 1; }
    [[ $type == quorum ]] && args='[{<<"x-queue-type">>, longstr, <<"quorum">>}]'
    out=$(rmq_ctl eval "
        case rabbit_amqqueue:declare(rabbit_misc:r(<<\"/\">>, queue, <<\"$name\">>),
                                     true, false, $args, none, <<\"guest\">>) of
            {new, _} -> created;
            {existing, _} -> existing;
            Other -> Other
        end." 2>&1) || true
    case $out in
    created | existing) ;;
    *)
        echo "rabbitmq.sh: declaring $type queue $name failed: $out" >&2
        return 1
        ;;
    esac
}

# Messages ready in queue NAME (0 when it does not exist).
rmq_queue_depth() {
    rmq_ctl list_queues -q --no-table-headers name messages_ready 2>/dev/null |
        awk -v q="$1" '$1 == q { print $2; found = 1 } END { if (!found) print 0 }'
}

rmq_cleanup() {
    rmq_stop
    if [[ -n $rmq_own_dir && -n $rmq_dir ]]; then
        rm -rf "$rmq_dir"
    fi
}

rmq_prev_exit_trap=$(trap -p EXIT | sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p")
trap 'rmq_cleanup; eval "$rmq_prev_exit_trap"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
