#!/usr/bin/env bash
# The Service Bus proof against Microsoft's SDK: sb_peer.js (rhea) records
# what a client sends for peek-lock receiving, complete, abandon,
# dead-letter, defer and renew-lock; it is driven once by @azure/service-bus
# (sdk_client.js) and once by flatamqp (famqp-sb-client, the same sequence
# through famqp/servicebus.h), and the two records and the two outputs
# (lock tokens read from the same tags, the renewed lock's expiry) must be
# the same.  Usage: servicebus.sh FAMQP_SB_CLIENT NODE
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
client=${1:?usage: servicebus.sh FAMQP_SB_CLIENT NODE}
node=${2:?usage: servicebus.sh FAMQP_SB_CLIENT NODE}
if [[ ! -f $here/node_modules/@azure/service-bus/package.json ]]; then
    echo "FAILED: @azure/service-bus is not installed in $here/node_modules: run scripts/install-deps.sh" >&2
    exit 1
fi

# run NAME CMD...: a fresh peer, CMD PORT against it; its record in NAME.jsonl
run() {
    local name=$1 peer
    shift
    : >"$interop_tmp/$name.jsonl"
    start "$name-peer" "$node" "$here/sb_peer.js" --listen 127.0.0.1:0 --log "$interop_tmp/$name.jsonl"
    peer=$last_pid
    local port
    port=$(wait_port "$name-peer")
    start "$name" timeout 60 "$@" "$port"
    finish "$last_pid" "$name" >/dev/null
    kill -TERM "$peer"
    wait "$peer" || true
}
run sdk "$node" "$here/sdk_client.js"
run famqp "$client"

ok=true
for what in attach disposition request; do
    n=$(grep -c "\"event\":\"$what\"" "$interop_tmp/sdk.jsonl" || true)
    [[ $n -gt 0 ]] || { echo "FAILED: the SDK's run recorded no $what" >&2; ok=false; }
done
if ! diff -u "$interop_tmp/sdk.jsonl" "$interop_tmp/famqp.jsonl" >"$interop_tmp/diff"; then
    echo "FAILED: flatamqp sent something else than @azure/service-bus (- SDK, + flatamqp):" >&2
    cat "$interop_tmp/diff" >&2
    ok=false
fi
if ! diff -u "$interop_tmp/sdk.out" "$interop_tmp/famqp.out" >"$interop_tmp/diff-out"; then
    echo "FAILED: the clients read different lock tokens or expiries (- SDK, + flatamqp):" >&2
    cat "$interop_tmp/diff-out" >&2
    ok=false
fi
$ok || exit 1
cat "$interop_tmp/famqp.jsonl"
cat "$interop_tmp/famqp.out"
echo "PASS: flatamqp's attach, dispositions and renew-lock request equal @azure/service-bus's"
