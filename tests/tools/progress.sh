#!/usr/bin/env bash
# Output of a run, against famqp-broker on 127.0.0.1:
#   - on a terminal (script(1) gives one) famqp-send and famqp-recv draw
#     progress on stderr (count, rate, ETA), a few lines a second at most;
#     without a terminal, none;
#   - a one-message run prints a rate that is not 0;
#   - the address in the URL path is used (amqp://host:port/ADDRESS).
# usage: progress.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: progress.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "FAILED: script(1) (util-linux) is needed" >&2; exit 1; }

start_broker b
url=amqp://127.0.0.1:$port

# 2 s of paced sending on a terminal: 4 to 10 progress lines, each with the
# count of N, the rate and the time left.
timeout 30 script -qec "$send $url/tty --count 40 --rate 20" /dev/null >"$tmp/tty.out" </dev/null || true
tr '\r' '\n' <"$tmp/tty.out" >"$tmp/tty.lines"
expect "$tmp/tty.lines" "^sent [0-9]+ of 40 \([0-9]+%\), [0-9]+ settled, [0-9]+ msg/s, ETA [0-9]+ s" "send progress on a TTY"
lines=$(grep -c "ETA" "$tmp/tty.lines" || true)
((lines >= 4 && lines <= 10)) || fail "send progress: $lines lines in 2 s, expected 4..10"
expect "$tmp/tty.lines" "sent 40 messages in" "send final line on a TTY"
timeout 30 script -qec "$recv $url/tty --count 40 --rate 20" /dev/null >"$tmp/rtty.out" </dev/null || true
tr '\r' '\n' <"$tmp/rtty.out" >"$tmp/rtty.lines"
expect "$tmp/rtty.lines" "^received [0-9]+ of 40 \([0-9]+%\), [0-9]+ msg/s, ETA [0-9]+ s" "recv progress on a TTY"

# Not a terminal: no progress at all.
timeout 30 "$send" "$url/plain" --count 10 --rate 20 >"$tmp/plain.out" 2>"$tmp/plain.err"
[[ ! -s $tmp/plain.err ]] || { fail "progress without a terminal:"; cat -v "$tmp/plain.err" >&2; }

# One message, by the URL path: a rate above 0, and it is received from
# that address (ADDRESS given once, in the path).
timeout 30 "$send" "$url/by-path" >"$tmp/one.out" 2>&1 || fail "send to the URL path"
expect "$tmp/one.out" "^sent 1 messages in [0-9.]+ s: [1-9][0-9]* msg/s$" "one-message rate"
timeout 30 "$recv" "$url/by-path" --timeout 5 >"$tmp/one.recv" 2>&1 || fail "receive from the URL path"
expect "$tmp/one.recv" "^received 1 messages in [0-9.]+ s: [1-9][0-9]* msg/s$" "one-message receive"
expect "$tmp/b.err" "attached producer to 'by-path'" "broker: sender attached to the URL path"
expect "$tmp/b.err" "attached consumer of 'by-path'" "broker: receiver attached to the URL path"
finish
