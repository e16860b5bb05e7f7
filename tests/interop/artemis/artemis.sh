#!/usr/bin/env bash
# Creates, starts or stops a private ActiveMQ Artemis broker on 127.0.0.1
# for tests (the CTest fixture "artemis"; lib.sh says what is where).
#
#   artemis.sh start DIR ARTEMIS_HOME   creates an instance in DIR (removing
#                          a previous one left there) with `artemis create`:
#                          SASL PLAIN required (user famqp), an AMQP acceptor,
#                          an AMQP+TLS acceptor (certificate from the test CA
#                          of tests/io/make_certs.sh) and a core acceptor (for
#                          the CLI), each on a free port; starts it and
#                          returns once it is active
#   artemis.sh stop DIR    stops it by PID and removes DIR
#
# The broker outlives `start` (tests share it) but not the process that ran
# `start` (CTest; or ARTEMIS_OWNER_PID): a watchdog stops it when that
# process is gone, or after
# ARTEMIS_LIFETIME seconds (default 1200) whatever happens.  A failing
# `start` stops what it started and prints the broker's log.  The JVM is
# kept small (-Xms64m -Xmx256m).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

usage() { echo "usage: artemis.sh start DIR ARTEMIS_HOME | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1
art_dir=$(mkdir -p "$2" && cd "$2" && pwd)

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_all() {
    local pid
    art_stop
    pid=$(cat "$art_dir/watchdog.pid" 2>/dev/null) || true
    if [[ -n $pid ]] && art_ours "$pid"; then kill "$pid" 2>/dev/null || true; fi
}

watchdog() { # OWNER_PID LIFETIME_S
    local owner=$1 end=$((SECONDS + $2))
    trap - EXIT
    while alive "$owner" && ((SECONDS < end)); do sleep 1; done
    echo "watchdog: $(date -u +%T) owner $owner gone or lifetime over: stopping Artemis"
    art_stop
}

# The acceptors: ours replace those `artemis create` wrote (it has no
# option for free ports or for TLS with a PKCS#12 key store).
acceptors() {
    local common="tcpSendBufferSize=1048576;tcpReceiveBufferSize=1048576;useEpoll=true"
    local amqp="protocols=AMQP;anycastPrefix=/queue/;multicastPrefix=/topic/;amqpCredits=1000;amqpLowCredits=300;amqpMinLargeMessageSize=102400"
    cat <<XML
      <acceptors>
         <acceptor name="amqp">tcp://127.0.0.1:$art_port?$common;$amqp</acceptor>
         <acceptor name="amqps">tcp://127.0.0.1:$art_tls_port?$common;$amqp;sslEnabled=true;keyStorePath=$art_dir/certs/server.p12;keyStorePassword=famqp-test;keyStoreType=PKCS12</acceptor>
         <acceptor name="core">tcp://127.0.0.1:$art_core_port?$common;protocols=CORE</acceptor>
      </acceptors>
XML
}

create() {
    local home=$1
    if [[ ! -x $home/bin/artemis ]]; then
        echo "artemis: $home/bin/artemis is missing (scripts/install-deps.sh unpacks the pinned Artemis into the cache)" >&2
        exit 1
    fi
    {
        echo "art_home='$home'"
        echo "art_port=$(free_port)"
        echo "art_tls_port=$(free_port)"
        echo "art_core_port=$(free_port)"
        echo "art_user=famqp"
        echo "art_password=famqp-secret"
        echo "art_ca='$art_dir/certs/ca.pem'"
        echo "art_java_args='-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true'"
    } >"$art_dir/artemis.env"
    art_load "$art_dir"
    "$here/../../io/make_certs.sh" "$art_dir/certs" >/dev/null
    openssl pkcs12 -export -in "$art_dir/certs/server.pem" -inkey "$art_dir/certs/server.key" \
        -out "$art_dir/certs/server.p12" -passout pass:famqp-test -name server
    # --no-fsync, nio: a test broker on a shared CI disk; messages still go
    # to the journal (durable messages survive a restart, which a test checks).
    env FAMQP_ARTEMIS_DIR="$art_dir" JAVA_ARGS="-Xmx128m" timeout 120 "$home/bin/artemis" create "$art_dir/instance" \
        --silent --force --user "$art_user" --password "$art_password" --require-login \
        --host 127.0.0.1 --name famqp-test --no-web --nio --no-fsync --no-autotune \
        --no-hornetq-acceptor --no-mqtt-acceptor --no-stomp-acceptor >"$art_dir/create.out" 2>&1 ||
        { echo "artemis: create failed:" >&2; cat "$art_dir/create.out" >&2; exit 1; }
    local xml=$art_dir/instance/etc/broker.xml new
    new=$(acceptors)
    ACCEPTORS=$new /usr/bin/python3 - "$xml" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
text, n = re.subn(r"[ \t]*<acceptors>.*?</acceptors>\n", os.environ["ACCEPTORS"], text, count=1, flags=re.S)
if n != 1:
    sys.exit("artemis: no <acceptors> block in " + path)
# Redeliveries for the outcome tests: at most 3 attempts, then the DLQ.
text, n = re.subn(r"<max-delivery-attempts>-?\d+</max-delivery-attempts>", "", text)
text = text.replace('<address-setting match="#">', '<address-setting match="#">\n            <max-delivery-attempts>3</max-delivery-attempts>', 1)
# Addresses under famqp-nocreate. are never auto-created: attaching to one
# is refused (the refusal cells).
text = text.replace('<address-settings>', """<address-settings>
         <address-setting match="famqp-nocreate.#">
            <auto-create-queues>false</auto-create-queues>
            <auto-create-addresses>false</auto-create-addresses>
         </address-setting>""", 1)
open(path, "w").write(text)
PY
}

start() {
    local t0=$SECONDS
    [[ $# == 1 ]] || usage
    if [[ -f $art_dir/artemis.env ]]; then
        art_load "$art_dir"
        stop_all
    fi
    find "$art_dir" -mindepth 1 -delete
    ready=
    trap '[[ -n $ready ]] || { echo "artemis: start failed; stopping what it started" >&2; stop_all; }' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    create "$1"
    # The watchdog watches the caller of this script (CTest).
    setsid env FAMQP_ARTEMIS_DIR="$art_dir" bash -c 'source "$1/lib.sh"; art_load "$2"; '"$(declare -f watchdog)"'; watchdog "$3" "$4"' \
        watchdog "$here" "$art_dir" "${ARTEMIS_OWNER_PID:-$PPID}" "${ARTEMIS_LIFETIME:-1200}" </dev/null >>"$art_dir/watchdog.out" 2>&1 &
    echo $! >"$art_dir/watchdog.pid"
    art_boot
    art_await 120
    ready=1
    echo "artemis: $(sed -n 's/.*\(Apache ActiveMQ Artemis Message Broker version [^ ]*\).*/\1/p' "$art_dir/broker.out" | head -1)" \
        "active in $((SECONDS - t0)) s: amqp://127.0.0.1:$art_port, amqps://localhost:$art_tls_port," \
        "core tcp://127.0.0.1:$art_core_port, user $art_user (dir $art_dir)"
}

case $cmd in
start)
    shift 2
    start "$@"
    ;;
stop)
    if [[ -f $art_dir/artemis.env ]]; then
        art_load "$art_dir"
        stop_all
        echo "artemis: stopped"
    fi
    rm -rf "$art_dir"
    ;;
*) usage ;;
esac
