#!/usr/bin/env bash
# flatamqp's own tools against famqp-broker as a Service Bus emulator
# (servicebus.json next to this script): famqp-send --connection-string
# fills a queue, famqp-recv --peek-lock with each --settle empties it, and
# what each settlement means is checked by what is left: complete leaves
# nothing, dead-letter moves the messages to <queue>/$deadletterqueue,
# defer hides them from receivers, abandon redelivers them until
# MaxDeliveryCount (2 on short-lock) dead-letters them; receive-and-delete
# (famqp-recv without --peek-lock) consumes; --session and --next-session
# on the session queue; a message over 256 KiB refused; --max-depth
# bounding a queue.  usage: recv_tools.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: recv_tools.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/../../tools/lib.sh"

start_broker b --config "$(dirname "$0")/servicebus.json"
cs="Endpoint=sb://127.0.0.1:$port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true"

# run NAME TOOL ARGS...: the tool with the connection string (bounded);
# its output in NAME.out/err, its exit code in NAME.rc
run() {
    local name=$1 tool=$2 rc=0
    shift 2
    timeout 60 "$tool" --connection-string "$cs" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    echo "$rc" >"$tmp/$name.rc"
}
ok() { [[ $(cat "$tmp/$1.rc") == 0 ]] || { fail "$1 exited $(cat "$tmp/$1.rc")"; cat "$tmp/$1.err" >&2; }; }
# empty NAME ADDRESS: nothing to receive from ADDRESS
empty() {
    run "$1" "$recv" "$2" --timeout 1 --peek-lock
    [[ $(cat "$tmp/$1.rc") == 1 ]] || fail "$2 is not empty ($1 exited $(cat "$tmp/$1.rc")): $(cat "$tmp/$1.out")"
}

run send1 "$send" orders --count 4 && ok send1
run complete "$recv" orders --count 4 --peek-lock --settle complete --timeout 10 && ok complete
expect "$tmp/complete.out" '^received 4 messages' "--settle complete"
empty after-complete orders

run send2 "$send" orders --count 3 && ok send2
run deadletter "$recv" orders --count 3 --peek-lock --settle dead-letter --timeout 10 && ok deadletter
empty after-deadletter orders
run dlq "$recv" 'orders/$deadletterqueue' --count 3 --peek-lock --timeout 10 && ok dlq
expect "$tmp/dlq.out" '^received 3 messages' "the dead-letter queue"

run send3 "$send" orders --count 2 && ok send3
run defer "$recv" orders --count 2 --peek-lock --settle defer --timeout 10 && ok defer
empty after-defer orders

# An abandoned message is the first available again: one receiver with
# --count 2 gets it twice, its second abandon reaching MaxDeliveryCount.
run send4 "$send" short-lock --count 1 && ok send4
run abandon "$recv" short-lock --count 2 --credit 1 --peek-lock --settle abandon --timeout 10 && ok abandon
empty after-abandon short-lock
run dlq2 "$recv" 'short-lock/$deadletterqueue' --count 1 --timeout 10 && ok dlq2
expect "$tmp/dlq2.out" '^received 1 messages' "MaxDeliveryCount dead-lettered"

run send5 "$send" orders --count 5 && ok send5
run delete "$recv" orders --count 5 --timeout 10 && ok delete
empty after-delete orders

run nosession "$send" carts --count 1
[[ $(cat "$tmp/nosession.rc") != 0 ]] || fail "a message without a session id went to the session queue carts"
run session-none "$recv" carts --next-session --timeout 3
[[ $(cat "$tmp/session-none.rc") != 0 ]] || fail "--next-session on an empty session queue succeeded"
run session-named "$recv" carts --session s-1 --timeout 1
expect "$tmp/session-named.err" '^famqp-recv: session s-1$' "--session"

# a message over the 256 KiB the sender link advertises is refused
run toobig "$send" orders --count 1 --size 300000
[[ $(cat "$tmp/toobig.rc") != 0 ]] || fail "a 300,000-byte message went to orders"
expect "$tmp/toobig.err" "max-message-size" "the size refusal (famqp-send, by the link's max-message-size)"

# --max-depth bounds a Service Bus queue: the 4th message is refused
start_broker small --max-depth 3 --sb-queue tiny
cs="Endpoint=sb://127.0.0.1:$port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true"
run full "$send" tiny --count 5 --timeout 5
[[ $(cat "$tmp/full.rc") != 0 ]] || fail "5 messages went to a queue of --max-depth 3"
expect "$tmp/full.err" "quota exceeded: 'tiny' holds 3 messages" "the refusal"
run drain "$recv" tiny --count 3 --timeout 10 && ok drain
empty after-drain tiny
finish
