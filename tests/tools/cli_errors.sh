#!/usr/bin/env bash
# Every argument error of famqp-send, famqp-recv and famqp-broker names
# the argument and its allowed range, exits 2, and the help text states
# the same range; an address in the URL path that contradicts ADDRESS, or
# no address at all, is refused clearly.  No network.
# usage: cli_errors.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: cli_errors.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"

# bad PROG "ARGS" PATTERN: PROG ARGS exits 2 with PATTERN on stderr.
bad() {
    local prog=$1 args=$2 pattern=$3 rc=0
    # shellcheck disable=SC2086
    timeout 10 "$prog" $args >"$tmp/out" 2>"$tmp/err" || rc=$?
    [[ $rc == 2 ]] || fail "${prog##*/} $args: exit $rc, expected 2"
    expect "$tmp/err" "$pattern" "${prog##*/} $args"
}
url=amqp://127.0.0.1:1
bad "$send" "$url q --window 0" "--window 0: must be a whole number from 1 to 65536"
bad "$send" "$url q --window 70000" "--window 70000: must be a whole number from 1 to 65536"
bad "$send" "$url q --timeout 0" "--timeout 0: must be a whole number from 1 to 86400"
bad "$send" "$url q --size 3" "--size 3: must be a whole number from 8 to 1073741824"
bad "$send" "$url q --count 0" "--count 0: must be a whole number from 1 to 1000000000000"
bad "$send" "$url q --count -5" "--count -5: must be a whole number from 1 to"
bad "$send" "$url q --rate x" "--rate x: must be a whole number from 1 to 1000000000"
bad "$send" "$url q --rate" "--rate needs a value: a whole number from 1 to 1000000000"
bad "$send" "$url/a b" "the URL names address 'a' and ADDRESS is 'b'"
bad "$send" "$url" "no address: give ADDRESS or put it in the URL"
bad "$recv" "$url q --credit 0" "--credit 0: must be a whole number from 1 to 65536"
bad "$recv" "$url q --timeout 0" "--timeout 0: must be a whole number from 1 to 86400"
bad "$recv" "$url q --count 0" "--count 0: must be a whole number from 1 to 1000000000000"
bad "$recv" "$url q --rate 0" "--rate 0: must be a whole number from 1 to 1000000000"
bad "$recv" "$url/a b" "the URL names address 'a' and ADDRESS is 'b'"
bad "$broker" "--credit 0" "--credit 0: must be a whole number from 1 to 4294967295"
bad "$broker" "--max-depth 5000000000" "--max-depth 5000000000: must be a whole number from 1 to 4294967295"
bad "$broker" "--bogus 1" "unknown option --bogus"

# The help text and the checks agree: each range above is in --help.
"$send" --help >"$tmp/send.help"
"$recv" --help >"$tmp/recv.help"
"$broker" --help >"$tmp/broker.help"
expect "$tmp/send.help" "--window W .*1 to 65536" "send --help: window range"
expect "$tmp/send.help" "--timeout S .*1 to 86400" "send --help: timeout range"
expect "$tmp/send.help" "--size B .*8 to 1073741824" "send --help: size range"
expect "$tmp/send.help" "--count N .*1 to 1000000000000" "send --help: count range"
expect "$tmp/send.help" "--rate R .*1 to 1000000000" "send --help: rate range"
expect "$tmp/recv.help" "--credit C .*1 to 65536" "recv --help: credit range"
expect "$tmp/recv.help" "--timeout S .*1 to 86400" "recv --help: timeout range"
expect "$tmp/broker.help" "--credit N .*1 to 4294967295" "broker --help: credit range"
expect "$tmp/broker.help" "1 to 4294967295 \(default 1000000\)" "broker --help: max-depth range"
finish
