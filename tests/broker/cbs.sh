#!/usr/bin/env bash
# famqp-broker --sas-key: claims-based security seen from flatamqp's client
# (cbs_check.c: tokens put and checked, refusals with their reasons, a link
# detached when its token expires), then famqp-send and famqp-recv with
# --sas-key-name/--sas-key through it and without a token refused.
# usage: cbs.sh BUILD_EXAMPLES_DIR CBS_CHECK [BROKER_ARGS...]
BIN=${1:?usage: cbs.sh BUILD_EXAMPLES_DIR CBS_CHECK [BROKER_ARGS...]}
check=${2:?usage: cbs.sh BUILD_EXAMPLES_DIR CBS_CHECK [BROKER_ARGS...]}
shift 2
. "$(dirname "$0")/../tools/lib.sh"

key_name=RootManageSharedAccessKey key=SAS_KEY_VALUE
start_broker b --sas-key "other=x" --sas-key "$key_name=$key" "$@"
url=amqp://127.0.0.1:$port
rc=0
timeout 60 "$check" "$url" "$key_name" "$key" >"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
[[ $rc == 0 ]] || { fail "cbs_check exited $rc:"; cat "$tmp/check.out" "$tmp/check.err" >&2; }
for n in 1 2 3 4 5 6 7; do expect "$tmp/check.out" "^ok $n:" "cbs_check step $n"; done

sas=(--sas-key-name "$key_name" --sas-key "$key")
rc=0
timeout 60 "$send" "$url/q" --count 100 "${sas[@]}" >"$tmp/s.out" 2>"$tmp/s.err" || rc=$?
[[ $rc == 0 ]] || { fail "famqp-send exited $rc:"; cat "$tmp/s.err" >&2; }
rc=0
timeout 60 "$recv" "$url/q" --count 100 --check-sequence "${sas[@]}" >"$tmp/r.out" 2>"$tmp/r.err" || rc=$?
[[ $rc == 0 ]] || { fail "famqp-recv exited $rc:"; cat "$tmp/r.err" >&2; }
expect "$tmp/r.out" "^received 100 messages" "famqp-recv with a token"
rc=0
timeout 60 "$send" "$url/q" --count 1 >"$tmp/n.out" 2>"$tmp/n.err" || rc=$?
[[ $rc != 0 ]] || fail "famqp-send without a token was let through"
expect "$tmp/n.err" "amqp:unauthorized-access: no valid token for 'q'" "famqp-send without a token"
expect "$tmp/b.err" "put a token for 'sb://127.0.0.1/q' \\(key '$key_name'" "the broker's log (--verbose)"

rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
