#!/usr/bin/env bash
# Claims-based security against a foreign peer: flatamqp's client
# (cbs_client, or async_cbs_client for the asynchronous one: the same
# command line) with the built-in SAS provider against the rhea CBS peer
# (cbs_peer.js), which checks each SAS signature with Node's crypto and
# refuses links without a valid token.  Usage: cbs.sh CBS_CLIENT CASE
# [BIN_DIR], CASE one of sendrecv wrongkey refresh reconnect mssbcbs tools
# (famqp-send and famqp-recv from BIN_DIR with --sas-key-name/--sas-key).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
client=$1
case_=$2
if [[ ! -f $here/node_modules/rhea/package.json ]]; then
    echo "FAILED: rhea is not installed in $here/node_modules: run scripts/install-deps.sh" >&2
    exit 1
fi
log=$interop_tmp/puts.jsonl
: >"$log"
key_name=test-policy
key='c2VjcmV0LWtleS1mb3ItY2JzLXRlc3Q='
peer_args=(--key-name "$key_name" --key "$key" --log "$log")
[[ $case_ == mssbcbs ]] && peer_args+=(--mssbcbs)

start peer node "$here/cbs_peer.js" --listen 127.0.0.1:0 "${peer_args[@]}"
peer=$last_pid
port=$(wait_port peer)
url=amqp://127.0.0.1:$port
count() { grep -c -- "$1" "$log" || true; }

case $case_ in
sendrecv | mssbcbs)
    start client timeout 60 "$client" "$url" "$key_name" "$key" "$case_" queue-a 20
    finish "$last_pid" client
    # one put for the audience, shared by the sender and the receiver
    n=$(count '"event":"put","audience":"sb://127.0.0.1/queue-a","type":"servicebus.windows.net:sastoken","expiration":[0-9]*,"status":200')
    [[ $n -eq 1 ]] || { echo "FAILED: $n accepted put-tokens for queue-a, expected 1" >&2; cat "$log" >&2; exit 1; }
    if [[ $case_ == mssbcbs ]]; then
        grep -q '"mechanism":"MSSBCBS","response_len":0' "$log" ||
            { echo "FAILED: the peer saw no MSSBCBS sasl-init with an empty response" >&2; cat "$log" >&2; exit 1; }
    fi
    ;;
wrongkey)
    start client timeout 60 "$client" "$url" "$key_name" "not-the-key" wrongkey queue-a
    finish "$last_pid" client
    # ERR_AUTH from the blocking client, the CBS_REFUSED event from the async one
    grep -Eq 'status (ERR_AUTH|CBS_REFUSED code 401) description InvalidSignature: the token signature is invalid' \
        "$interop_tmp/client.out" || { echo "FAILED: no ERR_AUTH / CBS_REFUSED with the 401 description" >&2; exit 1; }
    [[ $(count '"status":401') -eq 1 ]] || { echo "FAILED: the peer did not answer 401" >&2; cat "$log" >&2; exit 1; }
    [[ $(count '"event":"refused"') -eq 0 ]] || { echo "FAILED: the client attached without a token" >&2; exit 1; }
    ;;
refresh)
    # 3 s tokens refreshed 2 s before expiry while sending for 8 s: the
    # peer rejects any message sent on an expired token.
    start client timeout 60 "$client" "$url" "$key_name" "$key" refresh queue-r 8
    finish "$last_pid" client
    n=$(count '"audience":"sb://127.0.0.1/queue-r".*"status":200')
    [[ $n -ge 4 ]] || { echo "FAILED: $n puts for queue-r in 8 s of 3 s tokens, expected refreshes" >&2; cat "$log" >&2; exit 1; }
    [[ $(count '"event":"rejected"') -eq 0 ]] || { echo "FAILED: messages sent on an expired token" >&2; exit 1; }
    [[ $(count '"event":"msg"') -eq 40 ]] || { echo "FAILED: the peer did not get 40 messages" >&2; exit 1; }
    ;;
reconnect)
    start client timeout 90 "$client" "$url" "$key_name" "$key" reconnect queue-x 60
    cl=$last_pid
    for _ in $(seq 100); do [[ $(count '"event":"msg"') -ge 10 ]] && break; sleep 0.1; done
    kill -9 "$peer"
    wait "$peer" 2>/dev/null || true
    sleep 0.5
    start peer2 node "$here/cbs_peer.js" --listen "127.0.0.1:$port" "${peer_args[@]}"
    wait_port peer2 >/dev/null
    finish "$cl" client
    grep -q 'reconnects [1-9]' "$interop_tmp/client.out" || { echo "FAILED: the client did not reconnect" >&2; exit 1; }
    n=$(count '"audience":"sb://127.0.0.1/queue-x".*"status":200')
    [[ $n -ge 2 ]] || { echo "FAILED: $n puts for queue-x, expected a re-put after the reconnect" >&2; cat "$log" >&2; exit 1; }
    [[ $(count '"event":"refused"') -eq 0 ]] || { echo "FAILED: a link was reattached before its token" >&2; cat "$log" >&2; exit 1; }
    for i in $(seq 0 59); do
        grep -q "\"body\":\"m$i\"" "$log" || { echo "FAILED: message m$i lost" >&2; exit 1; }
    done
    ;;
tools)
    bin=$3
    start send timeout 60 "$bin/famqp-send/famqp-send" "$url" queue-t --count 50 --sas-key-name "$key_name" --sas-key "$key"
    finish "$last_pid" send
    start recv timeout 60 "$bin/famqp-recv/famqp-recv" "$url" queue-t --count 50 --sas-key-name "$key_name" --sas-key "$key"
    finish "$last_pid" recv
    grep -q 'received 50 messages' "$interop_tmp/recv.out" || { echo "FAILED: famqp-recv did not get 50" >&2; exit 1; }
    [[ $(count '"audience":"sb://127.0.0.1/queue-t".*"status":200') -eq 2 ]] ||
        { echo "FAILED: expected one put-token from each tool" >&2; cat "$log" >&2; exit 1; }
    ;;
*)
    echo "usage: cbs.sh CBS_CLIENT sendrecv|wrongkey|refresh|reconnect|mssbcbs" >&2
    exit 2
    ;;
esac
echo "cbs $case_: OK"
