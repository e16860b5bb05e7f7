#!/usr/bin/env bash
# Properties and capabilities through famqp-broker with Qpid Proton's Python
# client (Debian python3-qpid-proton, run with the Debian /usr/bin/python3):
# Proton reads the broker's open.properties and terminus capabilities
# (props_broker_client.py), and the broker (--verbose) shows the connection
# and link properties and capabilities the Proton client sent.
# Usage: props_proton_broker.sh BIN_DIR VERSION
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$1 version=$2

start broker "$bin/famqp-broker/famqp-broker" --listen 127.0.0.1:0 --verbose
broker=$last_pid
url=amqp://127.0.0.1:$(wait_port broker)
start client /usr/bin/python3 "$here/props_broker_client.py" "$url" "$version" --timeout 30
finish "$last_pid" client
stop_broker "$broker"
log=$interop_tmp/broker.err
fail=0
for want in 'connection properties {:client-product="proton-props-check"} capabilities [client-cap]' \
            'link properties {:client-link="receiver"}' \
            'link properties {:client-link="sender"}'; do
    grep -qF -- "$want" "$log" || { echo "FAILED: famqp-broker did not show: $want" >&2; fail=1; }
done
if [[ $fail -ne 0 ]]; then
    cat "$log" >&2
    exit 1
fi
echo "ok"
