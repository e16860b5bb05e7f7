#!/usr/bin/env bash
# famqp-broker's Azure emulator entities (--config, --event-hub, --sb-queue,
# --sb-topic; examples/famqp-broker/emulator_config.c):
#  - emulator/eventhubs.json and servicebus.json (the emulators' formats,
#    // and /* */ comments included) print as emulator/expected-check.txt
#    with --check-config;
#  - each file in emulator/bad/ is refused with exit 1 and exactly the line
#    in emulator/bad/expected.tsv (file, path in the document, problem);
#  - the quick flags, their refusals (exit 2), a second Event Hubs file;
#  - entities without --sas-key turn CBS on with the emulators' key.
# usage: emulator_config.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: emulator_config.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/../tools/lib.sh"
cd "$(dirname "$0")/emulator"

rc=0
"$broker" --config eventhubs.json --config servicebus.json --check-config >"$tmp/check.out" 2>&1 || rc=$?
[[ $rc == 0 ]] || fail "--check-config of the good files exited $rc"
diff -u expected-check.txt "$tmp/check.out" >&2 || fail "--check-config printed something else"

while IFS=$'\t' read -r file want; do
    rc=0
    "$broker" --config "$file" --check-config >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
    [[ $rc == 1 ]] || fail "$file: exit $rc, not 1"
    [[ "$(cat "$tmp/bad.err")" == "$want" ]] || fail "$file: said '$(cat "$tmp/bad.err")', not '$want'"
    [[ ! -s $tmp/bad.out ]] || fail "$file: printed entities anyway"
done <bad/expected.tsv

rc=0
"$broker" --config eventhubs.json --config eventhubs.json --check-config >/dev/null 2>"$tmp/twice.err" || rc=$?
[[ $rc == 1 ]] || fail "a second Event Hubs file: exit $rc"
expect "$tmp/twice.err" "^famqp-broker: eventhubs.json: error: UserConfig: an Event Hubs configuration was given already$" \
    "a second Event Hubs file"

"$broker" --event-hub hub:3 --event-hub other --sb-queue q1 --sb-topic t:a,b --check-config >"$tmp/flags.out"
expect "$tmp/flags.out" "^  event hub 'hub': 3 partitions; consumer groups \\\$default$" "--event-hub NAME:3"
expect "$tmp/flags.out" "^  event hub 'other': 2 partitions" "--event-hub NAME"
expect "$tmp/flags.out" "^  queue 'q1': ttl 3600 s, lock 60 s, max deliveries 3" "--sb-queue"
expect "$tmp/flags.out" "^    subscription 'b': " "--sb-topic"
for bad in "--event-hub h:0" "--event-hub h:33" "--event-hub h:x" "--event-hub -h" "--sb-queue q. " "--sb-topic t" \
    "--sb-topic t:a,a"; do
    rc=0
    # shellcheck disable=SC2086 # the option and its value
    "$broker" $bad --check-config >/dev/null 2>"$tmp/flag.err" || rc=$?
    [[ $rc == 2 ]] || fail "$bad: exit $rc, not 2"
    expect "$tmp/flag.err" "^famqp-broker: --" "$bad"
done
rc=0
"$broker" --sb-queue q --sb-queue Q --check-config >/dev/null 2>"$tmp/dup.err" || rc=$?
[[ $rc == 2 ]] || fail "a second queue Q: exit $rc"
expect "$tmp/dup.err" "a second queue or topic of that name" "a second queue Q"

# Entities and no --sas-key: CBS with RootManageSharedAccessKey=SAS_KEY_VALUE.
start_broker b --event-hub hub
rc=0
"$send" "amqp://127.0.0.1:$port/hub" --count 1 --timeout 20 >/dev/null 2>"$tmp/s1.err" || rc=$?
[[ $rc != 0 ]] || fail "a sender without a token was let in"
expect "$tmp/s1.err" "amqp:unauthorized-access" "a sender without a token"
"$send" "amqp://127.0.0.1:$port/hub" --count 5 --timeout 20 --sas-key-name RootManageSharedAccessKey \
    --sas-key SAS_KEY_VALUE >"$tmp/s2.out" 2>"$tmp/s2.err" || fail "a sender with the emulators' key: $(cat "$tmp/s2.err")"
expect "$tmp/b.err" "^  event hub 'hub': 2 partitions" "the entities in the broker's log"
rc=0
term_wait "$broker_pid" 30 famqp-broker || rc=$?
[[ $rc == 0 ]] || { fail "famqp-broker exit $rc after SIGTERM:"; cat "$tmp/b.err" >&2; }
finish
