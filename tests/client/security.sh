#!/usr/bin/env bash
# Security defaults of the programs (issue 6 part 5), each case a run of
# famqp-send / famqp-recv against famqp-broker on 127.0.0.1:
#   - PLAIN over amqp:// is refused before connecting unless
#     --allow-plain-insecure is given; with it, right and wrong passwords;
#   - famqp-broker with --user/--password refuses ANONYMOUS;
#   - amqps:// to famqp-broker's TLS listener with --ca works; an unknown CA,
#     the system store and a certificate for another host name are refused
#     by default with a clear error;
#   - no password ever appears in any output (errors, FAMQP_TRACE=1).
#
# usage: security.sh BUILD_EXAMPLES_DIR CERT_DIR (from tests/io/make_certs.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../reconnect/lib.sh" # start / stop by PID, wait_port
bin=$1
certs=$2
broker=$bin/famqp-broker/famqp-broker
send=$bin/famqp-send/famqp-send
recv=$bin/famqp-recv/famqp-recv
secret='s3cret-Pw'
failures=0

# run NAME CMD...: runs CMD to completion (bounded by its --timeout);
# sets $status, output in $rc_tmp/NAME.{out,err}.
run() {
    local name=$1
    shift
    status=0
    "$@" >"$rc_tmp/$name.out" 2>"$rc_tmp/$name.err" || status=$?
    if grep -q -- "$secret" "$rc_tmp/$name.out" "$rc_tmp/$name.err"; then
        echo "FAILED: $name printed the password" >&2
        failures=$((failures + 1))
    fi
}

expect_ok() {
    local name=$1
    run "$@"
    if [[ $status -ne 0 ]]; then
        echo "FAILED: $name exited $status:" >&2
        cat "$rc_tmp/$name.err" >&2
        failures=$((failures + 1))
    else
        echo "ok: $name"
    fi
}

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero with PATTERN
# (grep -E) in its stderr.
expect_fail() {
    local name=$1 pattern=$2
    shift 2
    run "$name" "$@"
    if [[ $status -eq 0 ]]; then
        echo "FAILED: $name succeeded but should have been refused" >&2
        failures=$((failures + 1))
    elif ! grep -Eq -- "$pattern" "$rc_tmp/$name.err"; then
        echo "FAILED: $name: stderr does not say /$pattern/:" >&2
        cat "$rc_tmp/$name.err" >&2
        failures=$((failures + 1))
    else
        echo "ok: $name refused: $(head -1 "$rc_tmp/$name.err")"
    fi
}

# ---- PLAIN and ANONYMOUS against a broker that requires PLAIN -------------
start auth-broker "$broker" --listen 127.0.0.1:0 --user alice --password "$secret" --verbose
auth_pid=$last_pid
port=$(wait_port auth-broker)
plain_url="amqp://alice:$secret@127.0.0.1:$port"

expect_fail plain-without-flag 'refusing SASL PLAIN over unencrypted amqp://.*--allow-plain-insecure' \
    "$send" "$plain_url" q --count 1 --timeout 10
expect_fail plain-without-flag-recv 'refusing SASL PLAIN over unencrypted amqp://' \
    "$recv" "$plain_url" q --count 1 --timeout 10
sleep 0.2
if grep -q "connection from" "$rc_tmp/auth-broker.err"; then
    echo "FAILED: a refused PLAIN client still connected to the broker" >&2
    failures=$((failures + 1))
fi
expect_ok plain-allowed-send "$send" "$plain_url" q --count 10 --allow-plain-insecure --timeout 10
expect_ok plain-allowed-recv "$recv" "$plain_url" q --count 10 --check-sequence --allow-plain-insecure --timeout 10
expect_fail plain-wrong-password 'authentication failed' \
    "$send" "amqp://alice:wrong-$secret@127.0.0.1:$port" q --count 1 --allow-plain-insecure --timeout 10
expect_fail anonymous-refused 'authentication failed' "$send" "amqp://127.0.0.1:$port" q --count 1 --timeout 10
# A client that skips SASL (bare AMQP header) gets the SASL header back
# and the connection closed.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'AMQP\x00\x01\x00\x00' >&3
answer=$(timeout 10 cat <&3 | od -An -c | tr -s ' ' | head -1 || true)
exec 3>&-
if [[ $answer != " A M Q P 003 001 \0 \0" ]]; then
    echo "FAILED: bare AMQP header to a PLAIN-only broker answered '$answer'" >&2
    failures=$((failures + 1))
else
    echo "ok: no-sasl refused: answered with the SASL header and closed"
fi
sleep 0.2
if ! grep -q "client skipped SASL authentication" "$rc_tmp/auth-broker.err"; then
    echo "FAILED: famqp-broker did not report the client that skipped SASL" >&2
    failures=$((failures + 1))
fi
# The trace masks the PLAIN response (run() checks the password is absent).
expect_ok plain-traced env FAMQP_TRACE=1 "$send" "$plain_url" q --count 1 --allow-plain-insecure --timeout 10
if ! grep -q "sasl-init" "$rc_tmp/plain-traced.err"; then
    echo "FAILED: FAMQP_TRACE=1 printed no sasl-init frame" >&2
    failures=$((failures + 1))
fi
# A malformed URL is shown with the password masked.
expect_fail bad-url-masked 'alice:\*\*\*@' "$send" "amqp://alice:$secret@127.0.0.1:99999" q --timeout 10
stop_pid "$auth_pid"

# ---- TLS listener ---------------------------------------------------------
start tls-broker "$broker" --listen 127.0.0.1:0 --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" \
    --user alice --password "$secret"
tls_pid=$last_pid
port=$(wait_port tls-broker)
tls_url="amqps://alice:$secret@localhost:$port"
# PLAIN inside TLS needs no flag.
expect_ok tls-send "$send" "$tls_url" q --count 100 --ca "$certs/ca.pem" --timeout 10
expect_ok tls-recv "$recv" "$tls_url" q --count 100 --check-sequence --ca "$certs/ca.pem" --timeout 10
expect_ok tls-ip-name "$send" "amqps://alice:$secret@127.0.0.1:$port" q --count 1 --ca "$certs/ca.pem" --timeout 10
expect_fail tls-unknown-ca 'certificate verify failed.*(local issuer|self.signed)' \
    "$send" "$tls_url" q --count 1 --ca "$certs/other-ca.pem" --timeout 10
expect_fail tls-system-store 'certificate verify failed' "$send" "$tls_url" q --count 1 --timeout 10
expect_fail tls-plain-to-tls-port '.' "$send" "amqp://127.0.0.1:$port" q --count 1 --timeout 5
stop_pid "$tls_pid"

start wrong-name-broker "$broker" --listen 127.0.0.1:0 --tls-cert "$certs/wrong-name.pem" \
    --tls-key "$certs/wrong-name.key"
wrong_pid=$last_pid
port=$(wait_port wrong-name-broker)
expect_fail tls-wrong-host 'certificate verify failed.*(hostname|IP address) mismatch' \
    "$send" "amqps://localhost:$port" q --count 1 --ca "$certs/ca.pem" --timeout 10
expect_fail tls-wrong-ip 'certificate verify failed.*mismatch' \
    "$send" "amqps://127.0.0.1:$port" q --count 1 --ca "$certs/ca.pem" --timeout 10
stop_pid "$wrong_pid"

if [[ $failures -ne 0 ]]; then
    echo "$failures security check(s) failed" >&2
    exit 1
fi
echo "all security checks passed"
