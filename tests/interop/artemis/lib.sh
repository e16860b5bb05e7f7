# One private ActiveMQ Artemis broker on 127.0.0.1 (the `apache-artemis`
# bin distribution, pinned, unpacked by scripts/install-deps.sh into the
# cache), everything of it in one directory of the build tree: sourced by
# artemis.sh (which creates, starts and stops it) and by the tests that use
# it (CTest fixture "artemis").
#
#   source tests/interop/artemis/lib.sh; art_load DIR   # a broker artemis.sh started
#   art_url [USER [PASS]]   amqp://USER:PASS@127.0.0.1:PORT (default: the
#                       broker's user); art_tls_port, art_port, art_user,
#                       art_password, art_ca (the test CA's certificate)
#   art_pid             the broker's JVM ('' when it is not running)
#   art_boot            start it (again): same instance, ports and data
#   art_await SECS      wait until it logs that it is active
#   art_stop            SIGTERM (Artemis shuts down cleanly), SIGKILL after 30 s
#   art_cli ARGS...     the instance's `artemis` command (queue stat, ...)
#
# Layout of DIR: artemis.env (ports, user, home), instance/ (made by
# `artemis create`: etc/, data/, log/), certs/, broker.pid, watchdog.pid,
# broker.out.  Every process started for it carries FAMQP_ARTEMIS_DIR=DIR in
# its environment so that a PID read from a file is signalled only while it
# is still ours (PIDs are reused).
art_dir=

# alive PID (running, not a zombie)
source "$(dirname "${BASH_SOURCE[0]}")/../../common/procs.sh"

# art_ours PID: alive and started for this broker.
art_ours() {
    alive "$1" && { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "FAMQP_ARTEMIS_DIR=$art_dir"
}

art_load() {
    art_dir=$1
    if [[ ! -f $art_dir/artemis.env ]]; then
        echo "artemis: no broker in $art_dir (the fixture artemis_start did not run or failed)" >&2
        return 1
    fi
    # shellcheck disable=SC1091
    source "$art_dir/artemis.env"
}

art_url() { echo "amqp://${1:-$art_user}:${2:-$art_password}@127.0.0.1:$art_port"; }

art_pid() {
    local pid
    pid=$(cat "$art_dir/broker.pid" 2>/dev/null) || true
    if [[ -n $pid ]] && art_ours "$pid"; then echo "$pid"; fi
}

# art_boot: `artemis run` execs the JVM, so the PID we record is the JVM's.
# Its own session: it outlives the shell that started it (a fixture shared
# by several tests); the watchdog stops it when CTest is gone.
art_boot() {
    echo "---- $(date -u +%T) start" >>"$art_dir/broker.out"
    setsid env FAMQP_ARTEMIS_DIR="$art_dir" JAVA_ARGS="$art_java_args" \
        "$art_dir/instance/bin/artemis" run </dev/null >>"$art_dir/broker.out" 2>&1 &
    echo $! >"$art_dir/broker.pid"
}

# art_await SECS: returns once the broker logged AMQ221007 (server active)
# for the current start and its AMQP port answers; fails with the log.
art_await() {
    local deadline=$((SECONDS + $1)) pid
    pid=$(cat "$art_dir/broker.pid")
    while ((SECONDS < deadline)) && alive "$pid"; do
        if sed -n '/^---- .* start$/h; /^---- .* start$/!H; ${x;p}' "$art_dir/broker.out" | grep -q AMQ221007 &&
            (exec 3<>"/dev/tcp/127.0.0.1/$art_port") 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "artemis: not active after $1 s (alive: $(alive "$pid" && echo yes || echo no)); log:" >&2
    tail -n 40 "$art_dir/broker.out" >&2
    return 1
}

# art_stop: SIGTERM runs Artemis' shutdown hook (a clean stop, the journal
# closed); SIGKILL after 30 s.  Waits until the JVM is gone.
art_stop() {
    local pid
    pid=$(art_pid)
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do alive "$pid" || return 0; sleep 0.1; done
    echo "artemis: still running 30 s after SIGTERM: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || return 0; sleep 0.1; done
}

art_cli() {
    env FAMQP_ARTEMIS_DIR="$art_dir" JAVA_ARGS="-Xmx64m" timeout 60 "$art_dir/instance/bin/artemis" "$@"
}

# art_queue_depth QUEUE: its message count (the CLI over the core acceptor).
art_queue_depth() {
    art_cli queue stat --url "tcp://127.0.0.1:$art_core_port" --user "$art_user" --password "$art_password" \
        --queueName "$1" --silent 2>/dev/null |
        awk -F'|' -v q="$1" '{ gsub(/ /, "", $2) } $2 == q { gsub(/ /, "", $5); print $5; exit }'
}

# art_restart: a clean stop, then the same instance again (its journal:
# durable queues and durable messages survive).
art_restart() {
    art_stop
    art_boot
    art_await 120
}
