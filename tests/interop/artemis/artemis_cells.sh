#!/usr/bin/env bash
# One cell of the ActiveMQ Artemis column of the interop matrix (issue 15)
# against the broker artemis.sh started (CTest fixture "artemis"):
# famqp-send/famqp-recv and the client API (CHECK: rabbitmq-cells, whose
# cells are broker-neutral but for their expectations, which are passed in).
# Usage: artemis_cells.sh ARTEMIS_DIR BIN_DIR CHECK ROUTING CELL
# (ROUTING: artemis-routing, artemis_routing.c)
# Prints what the cell checked; exits 0 when it passed.
#
# Addresses: the acceptors map /queue/NAME to the anycast address NAME and
# /topic/NAME to the multicast address NAME (anycastPrefix/multicastPrefix);
# a plain NAME gets the routing type the link's capabilities ask for (cell
# capabilities) or, without any, the broker's default (multicast).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/lib.sh"
[[ $# == 5 ]] || { echo "usage: artemis_cells.sh ARTEMIS_DIR BIN_DIR CHECK ROUTING CELL" >&2; exit 2; }
art_load "$1"
bin=$2
check=$3
routing=$4
cell=$5
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
url=$(art_url)
count=10000
plain=(--allow-plain-insecure) # SASL PLAIN on loopback without TLS

if [[ -z $(art_pid) ]]; then
    echo "FAILED: Artemis is not running (dir $art_dir): see $art_dir/broker.out" >&2
    exit 1
fi

# wait_ok PID NAME: prints a client's output; fails unless it exited 0.
wait_ok() {
    local rc=0
    wait "$1" || rc=$?
    cat "$interop_tmp/$2.out" "$interop_tmp/$2.err"
    [[ $rc -eq 0 ]] || { echo "FAILED: $2 exited $rc" >&2; return 1; }
}

# Sender and receiver at the same time; the receiver checks 0..N-1 once
# each, in order.
tools_roundtrip() { # QUEUE SEND_FLAGS...
    local q=$1
    shift
    start recv "$recv" "$url" "$q" --count "$count" --check-sequence --timeout 30 "${plain[@]}"
    local r=$last_pid
    start send "$send" "$url" "$q" --count "$count" --size 100 --timeout 30 "${plain[@]}" "$@"
    wait_ok "$last_pid" send && wait_ok "$r" recv
}

tools_large() {
    "$send" "$url" /queue/tools-large --count 1 --size $((4 * 1024 * 1024)) "${plain[@]}" &&
        "$recv" "$url" /queue/tools-large --count 1 --check-sequence --timeout 10 "${plain[@]}"
}

# Rejected messages go to Artemis' dead-letter queue (DLQ): exactly the one
# the outcomes cell rejected is there afterwards.
outcomes() {
    # Other cells may have dead-lettered messages (go-amqp's rejects): empty
    # the DLQ first (famqp-recv ends on its timeout, which is no failure here).
    "$recv" "$url" /queue/DLQ --count 100000 --timeout 1 "${plain[@]}" >/dev/null 2>&1 || true
    # rejected, released, modified (false,false) (true,false) (false,true) (true,true)
    "$check" "$url" outcomes /queue/api-outcomes "dropped,again:0,again:0,again:1,others,others" &&
        "$recv" "$url" /queue/DLQ --count 1 --timeout 5 "${plain[@]}" &&
        expect_fail dlq-empty "timed out" "$recv" "$url" /queue/DLQ --count 1 --timeout 1 "${plain[@]}"
}

# TLS: the amqps acceptor's certificate is from the test CA (names
# localhost and 127.0.0.1); SASL PLAIN over it needs no flag.
tls() {
    local tls_url=amqps://$art_user:$art_password@localhost:$art_tls_port
    "$send" "$tls_url" /queue/tls --count 1000 --ca "$art_ca" &&
        "$recv" "amqps://$art_user:$art_password@127.0.0.1:$art_tls_port" /queue/tls --count 1000 \
            --check-sequence --ca "$art_ca" --timeout 10 &&
        "$send" "$tls_url" /queue/tls-large --count 1 --size $((4 * 1024 * 1024)) --ca "$art_ca" &&
        "$recv" "$tls_url" /queue/tls-large --count 1 --check-sequence --ca "$art_ca" --timeout 10 &&
        expect_fail tls-other-ca "certificate verify failed" \
            "$send" "$tls_url" /queue/tls --count 1 --ca "$art_dir/certs/other-ca.pem" --timeout 5 &&
        expect_fail tls-system-ca "certificate verify failed" "$send" "$tls_url" /queue/tls --count 1 --timeout 5
}

# Artemis (--require-login) takes SASL ANONYMOUS at the SASL layer, then
# closes the connection: amqp:unauthorized-access, "AMQ229031: Unable to
# validate user".  Our API must report that condition, not a hang.
anonymous_refused() {
    expect_fail anonymous "amqp:unauthorized-access" "$check" "amqp://127.0.0.1:$art_port" connect anonymous &&
        expect_fail anonymous-tool "unauthorized-access" \
            "$send" "amqp://127.0.0.1:$art_port" /queue/anon --count 1 --timeout 10
}

# famqp-send --reconnect sends durable messages at-least-once to an
# auto-created (durable) anycast queue while famqp-recv --reconnect takes
# them; Artemis is stopped cleanly and started again in the middle.  Every
# number must arrive (lost = 0); duplicates are counted; both clients must
# have reconnected.  The sender keeps famqp-send's default window, so a
# send may be waiting for window room when Artemis closes the connection
# (recovered: reconnect_waiting_send).
restart() {
    local count=12000 rate=1000 f
    start recv "$recv" "$url" /queue/restart-q --count $count --check-sequence --reconnect --rate $rate \
        --timeout 90 "${plain[@]}"
    local r=$last_pid
    start send "$send" "$url" /queue/restart-q --count $count --durable --reconnect --rate $rate \
        --timeout 90 "${plain[@]}"
    local s=$last_pid
    sleep 3
    alive "$s" || { echo "FAILED: the sender finished before the restart" >&2; return 1; }
    echo "restarting Artemis"
    local t0=$SECONDS
    art_restart
    echo "Artemis is back after $((SECONDS - t0)) s"
    wait_ok "$s" send && wait_ok "$r" recv || return 1
    f() { sed -n "s/.*\\b$2 \\([0-9][0-9]*\\).*/\\1/p" "$interop_tmp/$1.out" | tail -1; }
    local sent distinct dup lost sr rr
    sent=$(sed -n 's/^sent \([0-9]*\) messages.*/\1/p' "$interop_tmp/send.out")
    distinct=$(f recv distinct) dup=$(f recv duplicates) lost=$(f recv lost)
    sr=$(f send reconnects) rr=$(f recv reconnects)
    echo "Artemis restart: sent $sent, distinct $distinct, duplicates $dup, lost $lost," \
        "reconnects $sr (sender) $rr (receiver), resent $(f send resent)"
    [[ $sent == "$count" && $distinct == "$count" && $lost == 0 ]] ||
        { echo "FAILED: $lost of $count lost (sent $sent, distinct $distinct)" >&2; return 1; }
    [[ ${sr:-0} -ge 1 && ${rr:-0} -ge 1 ]] ||
        { echo "FAILED: a client did not reconnect: the restart was not tested" >&2; return 1; }
}

case $cell in
tools_at_least_once) tools_roundtrip /queue/tools-alo ;;
tools_at_most_once) tools_roundtrip /queue/tools-amo --settled ;;
tools_large_4MiB) tools_large ;;
api_at_least_once) "$check" "$url" roundtrip /queue/api-alo $count unsettled ;;
api_at_most_once) "$check" "$url" roundtrip /queue/api-amo $count settled ;;
api_large_4MiB) "$check" "$url" large /queue/api-large $((4 * 1024 * 1024)) ;;
api_outcomes) outcomes ;;
api_drain) "$check" "$url" drain /queue/api-drain ;;
api_properties) "$check" "$url" properties /queue/api-props ;;
sasl_plain) "$check" "$url" connect plain && "$check" "$(art_url "$art_user" wrong)" auth-fails &&
    expect_fail plain-wrong-tool "authentication failed" \
        "$send" "$(art_url "$art_user" wrong)" /queue/x --count 1 --timeout 10 "${plain[@]}" ;;
sasl_anonymous_refused) anonymous_refused ;;
idle_timeout) "$check" "$url" idle /queue/api-idle 2000 ;;
refused) "$check" "$url" refused-receiver /queue/famqp-nocreate.r &&
    "$check" "$url" refused-sender /queue/famqp-nocreate.s ;;
tls) tls ;;
routing_capabilities) "$routing" "$url" "$$" ;;
reconnect_restart) restart ;;
*)
    echo "artemis_cells.sh: unknown cell $cell" >&2
    exit 2
    ;;
esac
