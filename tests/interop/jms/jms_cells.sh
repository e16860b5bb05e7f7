#!/usr/bin/env bash
# Qpid JMS (JmsCheck.java) as a client of famqp-broker, one cell a run;
# famqp-broker is started on 127.0.0.1 and stopped by PID.
# Usage: jms_cells.sh BIN_DIR CLASSES_DIR LIB_DIR CELL
#   queue        1,000 persistent text messages through a queue, in order
#   types        text, bytes, map, stream and empty messages
#   properties   typed JMS properties and the JMS header fields
#   sasl_plain   famqp-broker --user/--password: right password works, a
#                wrong one is refused (JMSSecurityException)
#   selector     famqp-broker has no selectors: it attaches the consumer
#                without the filter (its attach's source carries none, which
#                in AMQP means "not applied"), and Qpid JMS does not check
#                that: the consumer gets a message its selector excludes.
#                The cell expects exactly that (README: the matrix).
#   transacted   a transacted session against famqp-broker's coordinator
#                (docs/transactions.md): a send committed works.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
[[ $# == 4 ]] || { echo "usage: jms_cells.sh BIN_DIR CLASSES_DIR LIB_DIR CELL" >&2; exit 2; }
bin=$1
jms=(java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$2:$3/*" JmsCheck)
cell=$4
broker_args=()
[[ $cell == sasl_plain ]] && broker_args=(--user duke --password 's3cret!')
start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 "${broker_args[@]}"
broker=$last_pid
port=$(wait_port broker)
uri=amqp://127.0.0.1:$port

# expect_line NAME PATTERN CMD...: CMD exits 0 and prints PATTERN.
expect_line() {
    local name=$1 pattern=$2
    shift 2
    run "$name" "$@"
    grep -q -- "$pattern" "$interop_tmp/$name.out" ||
        { echo "FAILED: $name did not print '$pattern'" >&2; exit 1; }
}

case $cell in
queue) run queue "${jms[@]}" "$uri" jms-queue queue 1000 ;;
types) run types "${jms[@]}" "$uri" jms-types types ;;
properties) run props "${jms[@]}" "$uri" jms-props properties ;;
sasl_plain)
    run right "${jms[@]}" "$uri?jms.username=duke&jms.password=s3cret!" jms-sasl queue 10
    expect_fail wrong "JMSSecuritySaslException: Client failed to authenticate using SASL: PLAIN" "${jms[@]}" "$uri?jms.username=duke&jms.password=wrong" jms-sasl queue 1
    ;;
selector) expect_line selector "^selector: ignored" "${jms[@]}" "$uri" jms-selector selector ;;
transacted) expect_line transacted "^transacted: works (a send committed)" \
    "${jms[@]}" "$uri" jms-tx transacted ;;
*)
    echo "jms_cells.sh: unknown cell $cell" >&2
    exit 2
    ;;
esac
stop_broker "$broker"
