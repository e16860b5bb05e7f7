#!/usr/bin/env bash
# famqp-broker --sas-key against the asynchronous client's CBS
# (famqp_async_options.cbs; async_cbs_client.c from tests/interop/rhea):
# send/receive with the token put before the links attach, a wrong key
# refused with the broker's 401 (no link attached), and 3 s tokens
# refreshed while sending for 8 s (the broker detaches a link whose token
# expired, so a missed refresh fails the sends).
# usage: async_cbs.sh BUILD_EXAMPLES_DIR ASYNC_CBS_CLIENT [BROKER_ARGS...]
BIN=${1:?usage: async_cbs.sh BUILD_EXAMPLES_DIR ASYNC_CBS_CLIENT [BROKER_ARGS...]}
client=${2:?usage: async_cbs.sh BUILD_EXAMPLES_DIR ASYNC_CBS_CLIENT [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

key_name=RootManageSharedAccessKey key=SAS_KEY_VALUE
start_broker b --sas-key "$key_name=$key" "$@"
url=amqp://127.0.0.1:$port

# run NAME MODE ADDRESS [N]: the client, bounded, its exit status kept.
run() {
    local name=$1 rc=0
    shift
    timeout 60 "$client" "$url" "$key_name" "$key" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    [[ $rc == 0 ]] || { fail "async_cbs_client $* exited $rc:"; cat "$tmp/$name.out" "$tmp/$name.err" >&2; }
}

run sendrecv sendrecv q 100
expect "$tmp/sendrecv.out" "^puts 1 reconnects 0$" "one put-token for the sender and the receiver"
expect "$tmp/b.err" "put a token for 'sb://127.0.0.1/q' \\(key '$key_name'" "the broker's log (--verbose)"

timeout 60 "$client" "$url" "$key_name" "not-the-key" wrongkey q >"$tmp/wrong.out" 2>"$tmp/wrong.err" ||
    fail "async_cbs_client wrongkey: $(cat "$tmp/wrong.err")"
expect "$tmp/wrong.out" "^status CBS_REFUSED code 401 description .*signature" "a wrong key refused with 401"

run refresh refresh r 8
n=$(sed -n 's/^puts \([0-9]*\) .*/\1/p' "$tmp/refresh.out")
[[ ${n:-0} -ge 4 ]] || fail "$n put-tokens in 8 s of 3 s tokens: no refresh"

rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
