#!/usr/bin/env bash
# famqp-broker --user/--password against password guessing (issue 18,
# item 6), with raw SASL from hostile_peer.py: the right login works; a
# PLAIN authzid naming another identity is refused (SASL outcome 1, said
# in the log) unless --allow-authzid, while one naming the user itself is
# fine; failed logins from one address make its next connections wait
# longer and longer (the broker's --verbose log names each step: 100, 200,
# 400, 800 ms), and a good login resets that; --max-auth-rate 3 refuses the
# 4th check of a second unchecked, even with the right password.
# usage: auth.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: auth.sh BUILD_EXAMPLES_DIR}
shift
. "$(dirname "$0")/../tools/lib.sh"
peer() { timeout 60 python3 "$(dirname "$0")/hostile_peer.py" "$@"; }

start_broker b --user u --password secret
got=$(peer login "$port" u secret)
[[ $got == "outcome 0" ]] || fail "right login: $got"
got=$(peer login "$port" u secret admin)
[[ $got == "outcome 1" ]] || fail "authzid 'admin' for user u: $got, expected the refusal outcome 1"
expect "$tmp/b.err" "PLAIN authzid \\(5 bytes\\) names another identity than the user" "authzid refusal logged"
got=$(peer login "$port" u secret u)
[[ $got == "outcome 0" ]] || fail "authzid naming the user itself: $got"
for i in 1 2 3 4 5; do
    got=$(peer login "$port" u "wrong$i")
    [[ $got == "outcome 1" ]] || fail "wrong password $i: $got"
done
for step in 100 200 400 800; do
    expect "$tmp/b.err" "handshake waits [0-9]* ms \\(then $step ms per attempt\\)" "a wait of $step ms per attempt"
done
got=$(peer login "$port" u secret)
[[ $got == "outcome 0" ]] || fail "right login after the failures: $got"
peer login "$port" u wrong6 >/dev/null
peer login "$port" u wrong7 >/dev/null
n=$(grep -c ": 1 failed logins: " "$tmp/b.err" || true)
[[ $n == 2 ]] || fail "a good login did not reset the address's failures (a wait after 1 failure logged $n times, expected 2)"
stop_pid "$broker_pid"

start_broker b2 --user u --password secret --allow-authzid --max-auth-rate 3
got=$(peer login "$port" u secret admin)
[[ $got == "outcome 0" ]] || fail "--allow-authzid: authzid 'admin' for user u: $got"
# Within one second (the cap counts per second: retried across a boundary).
for try in 1 2 3; do
    outs=$(for _ in 1 2 3 4 5; do peer login "$port" u secret; done)
    grep -q "outcome 1" <<<"$outs" && break
done
grep -q "outcome 1" <<<"$outs" || fail "--max-auth-rate 3: five right logins in a row all passed"
expect "$tmp/b2.err" "login refused unchecked: more than 3 attempts this second" "rate cap logged"
finish
