# Shared by perf/broker_bench.sh and perf/broker_connections.sh (sourced,
# bash, after $me, $tmp, $proton and the pids array are set): Proton's
# broker.c built with a thread-count argument, and starting and stopping
# the broker under test.

# Builds $tmp/pn-broker: Proton's example broker.c with its fixed
# `b.threads = 4;` taken from a third argument instead (checked), so both
# brokers run the same thread count.
build_proton_broker() {
    local examples=/usr/share/proton/examples/c
    [ -f $examples/broker.c ] ||
        { echo "$me: $examples missing (apt-get install libqpid-proton11-dev-examples)" >&2; exit 2; }
    sed 's/^  b\.threads = 4;$/  b.threads = argc > 3 ? (size_t)atoi(argv[3]) : 4;/' $examples/broker.c >"$tmp/pn-broker.c"
    grep -q 'b.threads = argc > 3' "$tmp/pn-broker.c" ||
        { echo "$me: broker.c has no 'b.threads = 4;' line to make a thread count of" >&2; exit 2; }
    cc -O2 -w -I$examples -o "$tmp/pn-broker" "$tmp/pn-broker.c" -lqpid-proton -lpthread ||
        { echo "$me: cannot build Proton's broker.c" >&2; exit 2; }
}

# start_broker COMMAND...: runs it (bounded by 600 s; --foreground: see
# perf/e2e's start_server) and sets $bpid (timeout's; the broker is its
# child) and $port once it prints "listening on [HOST:]PORT".
start_broker() {
    : >"$tmp/b.out" # there before the loop below reads it (the child opens it later)
    timeout --foreground 600 "$@" >"$tmp/b.out" 2>"$tmp/b.err" &
    bpid=$!
    pids+=("$bpid")
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on \(.*:\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$tmp/b.out" | head -n1)
        [ -n "$port" ] && return 0
        kill -0 "$bpid" 2>/dev/null || break
        sleep 0.05
    done
    echo "$me: broker did not start: $*" >&2
    cat "$tmp/b.out" "$tmp/b.err" >&2
    return 1
}

# Proton's broker dies of the signal: its status is not looked at; one
# that does not stop within 30 s is reported with its stacks and killed.
stop_broker() {
    term_wait "$bpid" 30 broker || true
}
