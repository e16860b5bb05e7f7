#!/usr/bin/env bash
# famqp-send / famqp-recv --connection-string (and FAMQP_CONNECTION_STRING)
# through famqp-broker's claims-based security (--sas-key): an emulator
# string (UseDevelopmentEmulator=true: plain AMQP on the Endpoint's port)
# sends and receives with the address from EntityPath or from ADDRESS, over
# SASL ANONYMOUS with a token put to $cbs for sb://HOST:PORT/ADDRESS; a
# SharedAccessSignature string works too; a wrong key fails cleanly (exit
# 1, the 401 named); every bad string or combination is one line naming
# the key or option, exit 2.
# usage: connection_string.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: connection_string.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"

key_name=RootManageSharedAccessKey key=SAS_KEY_VALUE
start_broker b --sas-key "$key_name=$key"
cs="Endpoint=sb://127.0.0.1:$port/;SharedAccessKeyName=$key_name;SharedAccessKey=$key;UseDevelopmentEmulator=true"

# runs NAME WANT CMD...: CMD (bounded) must exit WANT; output in $tmp/NAME.{out,err}.
runs() {
    local name=$1 want=$2 rc=0
    shift 2
    timeout 60 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    [[ $rc == "$want" ]] || { fail "$name: exit $rc, expected $want:"; sed 's/^/    /' "$tmp/$name.err" >&2; }
}

# EntityPath is the address; SASL ANONYMOUS; the token's audience is the
# Endpoint + the address, as Microsoft's SDKs form it.
FAMQP_TRACE=1 runs send_ep 0 "$send" --connection-string "$cs;EntityPath=hub" --count 100
expect "$tmp/send_ep.out" "^sent 100 messages" "famqp-send, EntityPath"
expect "$tmp/send_ep.err" "sasl-init\(65\) \[mechanism=:ANONYMOUS" "famqp-send, SASL ANONYMOUS"
expect "$tmp/send_ep.err" 'attach\(18\) .*role=false.*target=@target\(41\) \[address="hub"\]' "famqp-send, the attach"
expect "$tmp/b.err" "put a token for 'sb://127.0.0.1:$port/hub' \(key '$key_name'" "the broker saw the put-token"
# ADDRESS wins over EntityPath.
runs recv_addr 0 "$recv" --connection-string "$cs;EntityPath=other" hub --count 100 --check-sequence
expect "$tmp/recv_addr.out" "^received 100 messages" "famqp-recv, ADDRESS"
# The environment's string, when no URL is given; a URL wins over it.
FAMQP_CONNECTION_STRING="$cs;EntityPath=q2" runs send_env 0 "$send" --count 10
FAMQP_CONNECTION_STRING="$cs" runs recv_env 0 "$recv" q2 --count 10 --check-sequence
expect "$tmp/recv_env.out" "^received 10 messages" "famqp-recv, FAMQP_CONNECTION_STRING"
FAMQP_CONNECTION_STRING="Endpoint=sb://nonexistent.invalid/;SharedAccessKeyName=a;SharedAccessKey=b" \
    runs send_url 0 "$send" "amqp://127.0.0.1:$port/q3" --sas-key-name "$key_name" --sas-key "$key"

# SharedAccessSignature: a token for the namespace, made here.
token=$(python3 - "sb://127.0.0.1:$port/" "$key_name" "$key" <<'PY'
import base64, hashlib, hmac, sys, time, urllib.parse
uri, name, key = sys.argv[1:]
q = lambda s: urllib.parse.quote(s, safe='')
se = str(int(time.time()) + 3600)
sig = base64.b64encode(hmac.new(key.encode(), (q(uri) + '\n' + se).encode(), hashlib.sha256).digest()).decode()
print('SharedAccessSignature sr=%s&sig=%s&se=%s&skn=%s' % (q(uri), q(sig), se, q(name)))
PY
)
sig_cs="Endpoint=sb://127.0.0.1:$port;SharedAccessSignature=$token;UseDevelopmentEmulator=true;EntityPath=sig"
runs send_sig 0 "$send" --connection-string "$sig_cs" --count 5
runs recv_sig 0 "$recv" --connection-string "$sig_cs" --count 5 --check-sequence
expect "$tmp/recv_sig.out" "^received 5 messages" "famqp-recv, SharedAccessSignature"

# A wrong key: the put-token is refused, the run fails (exit 1) saying so.
wrong="${cs/SharedAccessKey=$key/SharedAccessKey=wrong};EntityPath=hub"
runs send_wrong 1 "$send" --connection-string "$wrong" --timeout 10
expect "$tmp/send_wrong.err" "put-token for 'sb://127.0.0.1:$port/hub' refused: status 401" "famqp-send, wrong key"
runs recv_wrong 1 "$recv" --connection-string "$wrong" --timeout 10
expect "$tmp/recv_wrong.err" "put-token for 'sb://127.0.0.1:$port/hub' refused: status 401" "famqp-recv, wrong key"

# bad NAME PATTERN ARGS...: famqp-send and famqp-recv ARGS exit 2 with
# PATTERN (one line) on stderr.
bad() {
    local name=$1 pattern=$2 prog
    shift 2
    for prog in "$send" "$recv"; do
        runs "bad_$name" 2 "$prog" "$@"
        expect "$tmp/bad_$name.err" "^${prog##*/}: $pattern" "${prog##*/}, $name"
        [[ $(wc -l <"$tmp/bad_$name.err") == 1 ]] || fail "${prog##*/}, $name: more than one line"
    done
}
ok_key="SharedAccessKeyName=a;SharedAccessKey=b"
bad no_endpoint "--connection-string: connection string: key 'Endpoint' is missing" --connection-string "$ok_key"
bad scheme "--connection-string: connection string: key 'Endpoint': unknown scheme 'https'" \
    --connection-string "Endpoint=https://ns/;$ok_key" q
bad path "--connection-string: connection string: key 'Endpoint': unexpected 'hub' after the host" \
    --connection-string "Endpoint=sb://ns/hub;$ok_key" q
bad port "--connection-string: connection string: key 'Endpoint': port '0' is not a number from 1 to 65535" \
    --connection-string "Endpoint=sb://ns:0/;$ok_key" q
bad half_key "--connection-string: connection string: key 'SharedAccessKeyName' is given without 'SharedAccessKey'" \
    --connection-string "Endpoint=sb://ns/;SharedAccessKeyName=a" q
bad no_key "--connection-string: connection string: no credentials" --connection-string "Endpoint=sb://ns/" q
bad twice "--connection-string: connection string: key 'Endpoint' is given twice" \
    --connection-string "Endpoint=sb://ns/;Endpoint=sb://ns/;$ok_key" q
bad garbage "--connection-string: connection string: entry 'Garbage' is not Key=Value" \
    --connection-string "Endpoint=sb://ns/;$ok_key;Garbage" q
bad emulator "--connection-string: connection string: key 'UseDevelopmentEmulator' must be true or false, not 'yes'" \
    --connection-string "Endpoint=sb://ns/;$ok_key;UseDevelopmentEmulator=yes" q
FAMQP_CONNECTION_STRING="Endpoint=sb://ns/;SharedAccessKey=b" \
    bad env "FAMQP_CONNECTION_STRING: connection string: key 'SharedAccessKey' is given without 'SharedAccessKeyName'" q
bad no_address "no address: the connection string has no EntityPath; give ADDRESS" --connection-string "Endpoint=sb://ns/;$ok_key"
bad both "give URL or --connection-string, not both" --connection-string "Endpoint=sb://ns/;$ok_key" amqp://ns/q
bad extra "unexpected argument b \(with a connection string, the one argument is ADDRESS\)" \
    --connection-string "Endpoint=sb://ns/;$ok_key" a b
bad two_keys "--sas-key-name/--sas-key and a connection string both give a key: give it once" \
    --connection-string "Endpoint=sb://ns/;$ok_key" q --sas-key-name a --sas-key b
bad ws_url "--websocket goes with --connection-string" amqp://ns/q --websocket
bad empty "--connection-string needs a value" q --connection-string ""
# Never the key's value in a message.
runs bad_secret 2 "$send" --connection-string "Endpoint=sb://ns/;SharedAccessKeyName=a;SharedAccessKey=TOPSECRET;SharedAccessKey=TOPSECRET" q
if grep -q TOPSECRET "$tmp/bad_secret.err"; then fail "the key's value was printed: $(cat "$tmp/bad_secret.err")"; fi
runs listen 2 "$recv" --listen 127.0.0.1:0 q --connection-string "$cs"
expect "$tmp/listen.err" "with --listen only" "famqp-recv --listen with a connection string"

finish
