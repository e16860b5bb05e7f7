#!/usr/bin/env bash
# flatamqp (famqp-send, famqp-recv and the client API through
# famqp-interop-check) against a foreign broker on 127.0.0.1: 10,000
# messages at-least-once and at-most-once, a 4 MiB message, the outcomes
# the broker supports, receiver drain, every properties field and typed
# application-properties, an attach the broker refuses, and an idle
# connection kept up 3x its idle-time-out.  The rhea broker also gets SASL
# PLAIN (right and wrong password) and ANONYMOUS.
# Usage: against_broker.sh rhea|proton-python|proton-c BIN_DIR CHECK [PROTON_C_BROKER]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
peer=$1
bin=$2
check=$3
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
count=10000

run() { # NAME CMD...: runs a client to completion, fails the test when it fails
    local name=$1
    shift
    start "$name" "$@"
    finish "$last_pid" "$name"
}

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero and say PATTERN.
expect_fail() {
    local name=$1 pattern=$2 rc=0
    shift 2
    start "$name" "$@"
    wait "$last_pid" || rc=$?
    cat "$interop_tmp/$name.out" "$interop_tmp/$name.err"
    if [[ $rc -eq 0 ]]; then
        echo "FAILED: $name succeeded, expected a failure saying '$pattern'" >&2
        exit 1
    fi
    if ! grep -qi -- "$pattern" "$interop_tmp/$name.out" "$interop_tmp/$name.err"; then
        echo "FAILED: $name failed without saying '$pattern'" >&2
        exit 1
    fi
}

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_connectable PORT: the Python broker prints nothing when ready.
wait_connectable() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "FAILED: nothing listens on 127.0.0.1:$1 after 10 s" >&2
    cat "$interop_tmp"/*broker*.err >&2
    exit 1
}

# What each broker does (see tests/interop/README.md):
#   presettled  what a consumer that asks for at-most-once gets (all|none)
#   redeliver   released/modified messages come back (yes), are dropped (no),
#               or deliveries are pre-settled anyway (presettled)
#   drain       the broker answers a drain (yes|no)
case $peer in
rhea)
    node_modules=$here/node_modules/rhea/package.json
    if [[ ! -f $node_modules ]]; then
        echo "FAILED: rhea is not installed in $here/node_modules: run scripts/install-deps.sh" >&2
        exit 1
    fi
    start rhea-broker node "$here/broker.js" --refuse missing/ --idle-timeout 1000
    broker=$last_pid
    port=$(wait_port rhea-broker)
    presettled=all redeliver=yes drain=yes
    ;;
proton-python)
    port=$(free_port)
    start proton-python-broker /usr/bin/python3 /usr/share/proton/examples/python/broker.py -a "127.0.0.1:$port"
    broker=$last_pid
    wait_connectable "$port"
    presettled=none redeliver=no drain=no
    ;;
proton-c)
    # Its TLS setup looks for example certificates and only warns without them.
    start proton-c-broker "$4" 127.0.0.1 0
    broker=$last_pid
    port=$(wait_port proton-c-broker)
    presettled=all redeliver=presettled drain=no
    ;;
*)
    echo "usage: against_broker.sh rhea|proton-python|proton-c BIN_DIR CHECK [PROTON_C_BROKER]" >&2
    exit 2
    ;;
esac
url=amqp://127.0.0.1:$port

echo "== $peer: at-least-once, $count messages (famqp-send -> famqp-recv, running together)"
start recv-alo "$recv" "$url" q-alo --count $count --check-sequence
r=$last_pid
run send-alo "$send" "$url" q-alo --count $count --size 100
finish "$r" recv-alo

echo "== $peer: at-most-once, $count messages (famqp-send --settled -> a receiver asking for pre-settled)"
run send-amo "$send" "$url" q-amo --count $count --size 100 --settled
run recv-amo "$check" recv "$url" q-amo --count $count --size 100 --settled --presettled $presettled

echo "== $peer: at-least-once, content checked by the client API"
run send-alo2 "$send" "$url" q-alo2 --count 2000 --size 300
run recv-alo2 "$check" recv "$url" q-alo2 --count 2000 --size 300

echo "== $peer: one 4 MiB message (multi-frame both ways)"
run send-big "$send" "$url" q-big --count 1 --size 4194304
run recv-big "$check" recv "$url" q-big --count 1 --size 4194304

echo "== $peer: outcomes"
run outcomes "$check" outcomes "$url" q-outcomes --redeliver $redeliver

echo "== $peer: receiver drain"
run drain "$check" drain "$url" q-drain --drain $drain

echo "== $peer: properties and application-properties round trip"
run props "$check" props "$url" q-props

case $peer in
rhea)
    echo "== rhea: attaches to an address the broker refuses"
    run refused-send "$check" refused "$url" missing/queue
    run refused-recv "$check" refused "$url" missing/queue --receiver
    for name in refused-send refused-recv; do
        if ! grep -q "condition 'amqp:not-found', description 'no node \"missing/queue\" on this broker'" \
            "$interop_tmp/$name.out"; then
            echo "FAILED: $name did not report the broker's condition and description" >&2
            exit 1
        fi
    done
    ;;
proton-python)
    # It refuses no address; an address-less receiver gets an attach with
    # no source and no detach: the attach must still end, not hang.
    echo "== proton-python: address-less receiver answered without a source"
    run refused-recv "$check" refused "$url" "" --receiver --condition no --timeout-ms 3000
    ;;
esac
# Last, so a failure here does not hide the cells above.
echo "== $peer: idle connection with idle-time-out 1000 ms stays up 3 s"
run idle "$check" idle "$url" --idle-ms 1000

if [[ $peer == rhea ]]; then
    stop_broker "$broker" # ours: SIGTERM must end it cleanly
else
    # Proton's examples die of SIGTERM (no handler): stop, reap, go on.
    kill -TERM "$broker"
    wait "$broker" || true
fi

if [[ $peer == rhea ]]; then
    echo "== rhea: SASL PLAIN required (users on the command line)"
    start rhea-auth-broker node "$here/broker.js" --user 'alice:s3cret!' --user bob:builder
    broker=$last_pid
    port=$(wait_port rhea-auth-broker)
    # PLAIN over amqp:// must be allowed explicitly (the password is sent in clear).
    expect_fail plain-clear "allow-plain-insecure" "$send" "amqp://alice:s3cret%21@127.0.0.1:$port" q-auth --count 1 --timeout 10
    insecure=--allow-plain-insecure
    run plain-send "$send" "amqp://alice:s3cret%21@127.0.0.1:$port" q-auth --count 100 --size 50 $insecure
    run plain-recv "$recv" "amqp://bob:builder@127.0.0.1:$port" q-auth --count 100 --check-sequence $insecure
    run plain-api "$check" connect "amqp://127.0.0.1:$port" --user alice --password 's3cret!' $insecure
    expect_fail wrong-send "authentication failed" "$send" "amqp://alice:wrong@127.0.0.1:$port" q-auth --count 1 --timeout 10 $insecure
    expect_fail wrong-recv "authentication failed" "$recv" "amqp://alice:wrong@127.0.0.1:$port" q-auth --count 1 --timeout 10 $insecure
    run wrong-api "$check" connect "amqp://127.0.0.1:$port" --user alice --password wrong $insecure --expect auth
    # PLAIN only: an anonymous client is refused.
    run anon-refused "$check" connect "amqp://127.0.0.1:$port" --anonymous --expect auth
    stop_broker "$broker"

    echo "== rhea: SASL ANONYMOUS"
    start rhea-anon-broker node "$here/broker.js" --user alice:pw --allow-anonymous
    broker=$last_pid
    port=$(wait_port rhea-anon-broker)
    run anon-api "$check" connect "amqp://127.0.0.1:$port" --anonymous
    run anon-send "$send" "amqp://127.0.0.1:$port" q-anon --count 10 --size 50
    run anon-recv "$recv" "amqp://127.0.0.1:$port" q-anon --count 10 --check-sequence
    stop_broker "$broker"
fi
echo "ok"
