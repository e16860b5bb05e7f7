#!/usr/bin/env bash
# TLS-vs-plain mismatches are named as such, against famqp-broker on
# 127.0.0.1 (certificates from tests/io/make_certs.sh):
#   - amqps:// to a plain port: famqp-send says the server did not answer in
#     TLS (a plain AMQP port); famqp-broker says it got a TLS ClientHello;
#   - amqp:// to an amqps port: famqp-send says the server hung up on the
#     AMQP header and to use amqps://; famqp-broker says the client did not
#     speak TLS.
# usage: tls_mismatch.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: tls_mismatch.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"
"$(dirname "$0")/../io/make_certs.sh" "$tmp/certs" >/dev/null

start_broker plain
rc=0
timeout 30 "$send" "amqps://127.0.0.1:$port/q" --ca "$tmp/certs/ca.pem" --timeout 5 \
    >"$tmp/tls-to-plain.out" 2>"$tmp/tls-to-plain.err" || rc=$?
[[ $rc == 1 ]] || fail "amqps to a plain port: exit $rc, expected 1"
expect "$tmp/tls-to-plain.err" "did not answer in TLS: it looks like a plain AMQP port; use amqp://" \
    "famqp-send amqps:// to a plain port"
sleep 0.2
expect "$tmp/plain.err" "sent a TLS ClientHello to this plain AMQP port: the client uses amqps://" \
    "famqp-broker plain port gets TLS"
if grep -q "bad protocol header" "$tmp/plain.err"; then fail "famqp-broker still calls TLS a bad protocol header"; fi

start_broker tls --tls-cert "$tmp/certs/server.pem" --tls-key "$tmp/certs/server.key"
rc=0
timeout 30 "$send" "amqp://127.0.0.1:$port/q" --timeout 5 >"$tmp/plain-to-tls.out" 2>"$tmp/plain-to-tls.err" || rc=$?
[[ $rc == 1 ]] || fail "amqp to an amqps port: exit $rc, expected 1"
expect "$tmp/plain-to-tls.err" "if it serves TLS \(amqps\), use amqps://|answered in TLS: it is an amqps port" \
    "famqp-send amqp:// to an amqps port"
sleep 0.2
expect "$tmp/tls.err" "the client did not speak TLS: plain amqp:// to this amqps port" "famqp-broker amqps port gets plain"
finish
