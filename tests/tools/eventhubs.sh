#!/usr/bin/env bash
# famqp-send / famqp-recv's Event Hubs options, against famqp-broker
# --event-hub (CBS with the emulators' key): the attach each makes, read
# from the FAMQP_TRACE frame trace (--partition: hub/Partitions/N for
# senders, hub/ConsumerGroups/GROUP/Partitions/N for receivers, $Default
# unless --consumer-group; --from-offset / --from-sequence / --from-time
# [--inclusive]: the selector filter Microsoft's SDKs send); then through
# famqp-broker's Event Hubs data plane: events sent to a partition read
# back from a sequence number with their x-opt-* annotations
# (--print-annotations), a keyed batch split into events that all carry
# the key and land in one partition; --partition-key on single messages
# and on --batch transfers through a plain queue (the outer annotation);
# every option error exits 2 with one line.
# usage: eventhubs.sh BUILD_EXAMPLES_DIR
BIN=${1:?usage: eventhubs.sh BUILD_EXAMPLES_DIR}
. "$(dirname "$0")/lib.sh"

start_broker b --event-hub hub:2 --event-hub keyed:2
cs="Endpoint=sb://127.0.0.1:$port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE"
cs="$cs;UseDevelopmentEmulator=true;EntityPath=hub"

# runs NAME WANT CMD...: CMD (bounded) must exit WANT ("" for any);
# output in $tmp/NAME.{out,err}.
runs() {
    local name=$1 want=$2 rc=0
    shift 2
    timeout 60 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    [[ -z $want || $rc == "$want" ]] || { fail "$name: exit $rc, expected $want:"; sed 's/^/    /' "$tmp/$name.err" >&2; }
}
# attached NAME ROLE ADDRESS [FILTER]: NAME's trace has our attach of a
# sender (role=false: its target) or receiver (role=true: its source).
attached() {
    local name=$1 role=$2 address=$3 filter=${4:-}
    local terminus='target=@target\(41\) \[address="'$address'"'
    [[ $role == true ]] && terminus='source=@source\(40\) \[address="'$address'"'
    [[ -n $filter ]] && terminus+=', filter=\{:selector=@0x468c00000004 "'$filter'"\}'
    expect "$tmp/$name.err" "^\[[^]]*\]:0 -> @attach\(18\) \[.*role=$role.*$terminus" "$name: the attach"
}

FAMQP_TRACE=1 runs send_p 0 "$send" --connection-string "$cs" --partition 1 --count 3
attached send_p false 'hub/Partitions/1'
FAMQP_TRACE=1 runs recv_seq "" "$recv" --connection-string "$cs" --partition 1 --consumer-group cg1 \
    --from-sequence 041 --inclusive --timeout 1
attached recv_seq true 'hub/ConsumerGroups/cg1/Partitions/1' "amqp.annotation.x-opt-sequence-number >= '41'"
FAMQP_TRACE=1 runs recv_off "" "$recv" --connection-string "$cs" --partition 0 --from-offset -1 --timeout 1
attached recv_off true 'hub/ConsumerGroups/\$Default/Partitions/0' "amqp.annotation.x-opt-offset > '-1'"
FAMQP_TRACE=1 runs recv_time "" "$recv" "amqp://127.0.0.1:$port" hub/ConsumerGroups/cg2/Partitions/1 \
    --from-time 1700000000000 --sas-key-name RootManageSharedAccessKey --sas-key SAS_KEY_VALUE --timeout 1
attached recv_time true 'hub/ConsumerGroups/cg2/Partitions/1' "amqp.annotation.x-opt-enqueued-time > '1700000000000'"

# The data plane: the 3 events sent to partition 1 above, read back.
runs recv_p 0 "$recv" --connection-string "$cs" --partition 1 --from-sequence 0 --inclusive --count 3 \
    --check-sequence --print-annotations
expect "$tmp/recv_p.out" "^received 3 messages" "famqp-recv --partition 1"
for n in 0 1 2; do
    expect "$tmp/recv_p.out" "^annotations $n: x-opt-sequence-number=$n x-opt-offset=\"[0-9]+\" x-opt-enqueued-time=20[0-9-]+T[0-9:.]+Z$" \
        "--print-annotations, event $n"
done
runs recv_after 0 "$recv" --connection-string "$cs" --partition 1 --from-sequence 1 --count 1 --print-annotations
expect "$tmp/recv_after.out" "^annotations 0: x-opt-sequence-number=2 " "--from-sequence 1 (after 1)"
# A keyed batch: its 4 events, split by the hub, in one partition, each
# with the key.
runs send_keyed 0 "$send" --connection-string "$cs" keyed --partition-key dev-7 --count 4 --batch 2
for p in 0 1; do
    runs "keyed_$p" "" "$recv" --connection-string "$cs" keyed --partition "$p" --from-offset -1 --count 4 \
        --timeout 2 --check-sequence --print-annotations
done
[[ $(cat "$tmp/keyed_0.out" "$tmp/keyed_1.out" | grep -c '^received 4 messages') == 1 ]] ||
    fail "the keyed batch is not in exactly one partition: $(cat "$tmp/keyed_0.out" "$tmp/keyed_1.out")"
[[ $(cat "$tmp/keyed_0.out" "$tmp/keyed_1.out" | grep -Ec '^annotations [0-3]: x-opt-sequence-number=[0-3] .* x-opt-partition-key="dev-7"$') == 4 ]] ||
    fail "the keyed events lack their key: $(cat "$tmp/keyed_0.out" "$tmp/keyed_1.out")"

# The partition key through a plain queue: an annotation on every message,
# and on each batch's outer message.
runs send_key 0 "$send" --connection-string "$cs" pk --partition-key "k-é1" --count 2
runs send_batch 0 "$send" --connection-string "$cs" pk --partition-key k2 --count 4 --batch 2
runs send_plain 0 "$send" --connection-string "$cs" pk --count 1
runs recv_print 0 "$recv" --connection-string "$cs" pk --count 5 --print-annotations
printf '%s\n' 'annotations 0: x-opt-partition-key="k-é1"' 'annotations 1: x-opt-partition-key="k-é1"' \
    'annotations 2: x-opt-partition-key="k2"' 'annotations 3: x-opt-partition-key="k2"' 'annotations 4: none' \
    >"$tmp/want"
grep '^annotations' "$tmp/recv_print.out" >"$tmp/got" || true
diff "$tmp/want" "$tmp/got" >&2 || fail "--print-annotations: the lines differ (< expected, > printed)"
expect "$tmp/recv_print.out" "^received 5 messages" "famqp-recv --print-annotations"

# bad PROG NAME PATTERN ARGS...: exit 2, one line with PATTERN.
bad() {
    local prog=$1 name=$2 pattern=$3
    shift 3
    runs "bad_$name" 2 "$prog" --connection-string "$cs" "$@"
    expect "$tmp/bad_$name.err" "^${prog##*/}: $pattern" "${prog##*/}, $name"
    [[ $(wc -l <"$tmp/bad_$name.err") == 1 ]] || fail "${prog##*/}, $name: more than one line"
}
bad "$recv" group_alone "--consumer-group goes with --partition" --consumer-group cg
bad "$recv" inclusive_alone "--inclusive goes with --from-offset, --from-sequence or --from-time" --inclusive
bad "$recv" two_positions "--from-offset and --from-sequence exclude each other" --from-offset 5 --from-sequence 5
bad "$recv" partition_range "--partition 1024: must be a whole number from 0 to 1023" --partition 1024
bad "$send" partition_word "--partition x: must be a whole number from 0 to 1023" --partition x
bad "$recv" sequence_negative "--from-sequence -1: must be a whole number from 0 to 9223372036854775807" \
    --from-sequence -1
bad "$recv" time_missing "--from-time needs a value" --from-time
bad "$recv" offset_quote "--from-offset needs an offset .*without quotes" --from-offset "1'2"
bad "$recv" group_slash "--consumer-group needs a name \(without '/'\)" --partition 0 --consumer-group a/b
bad "$send" key_and_partition "--partition-key and --partition exclude each other" --partition 0 --partition-key k
bad "$send" key_empty "--partition-key needs a value: UTF-8 text of 1 to 512 bytes" --partition-key ""
bad "$send" key_long "--partition-key needs a value" --partition-key "$(printf 'k%.0s' $(seq 513))"
bad "$send" key_utf8 "--partition-key needs a value" --partition-key $'\xff'
bad "$send" send_group "unknown option --consumer-group" --consumer-group cg
bad "$recv" recv_key "unknown option --partition-key" --partition-key k
runs listen 2 "$recv" --listen 127.0.0.1:0 q --partition 0
expect "$tmp/listen.err" "with --listen only" "famqp-recv --listen --partition"

finish
