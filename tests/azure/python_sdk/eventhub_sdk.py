"""famqp-broker as an Event Hubs emulator, driven by Microsoft's Python SDK
(azure-eventhub, pinned in python/requirements-test.txt; its AMQP stack is
pyamqp) with the connection string the emulator documentation gives
(UseDevelopmentEmulator=true): the scenarios of
tests/azure/eventhubs_sdk/eventhubs_sdk.js, through the asyncio clients.
The broker serves tests/broker/emulator/eventhubs.json: hub 'telemetry',
4 partitions, consumer groups $default, analytics, archive.

usage: python eventhub_sdk.py PORT SCENARIO
  properties       get_eventhub_properties / get_partition_properties (both
                   clients), before and after events; a receiver's
                   last_enqueued_event_properties (track_last_enqueued_event_properties)
  send_receive     10,000 events: 8,000 in batches to the 4 partitions,
                   2,000 in batches by 10 partition keys; each partition read
                   from the earliest event: bodies, properties and order
                   intact, sequence numbers 0..n-1, offsets rising, keyed
                   events where the SDK's own key-to-partition mapping puts them
  positions        from a sequence number (> and >=), an offset (> and >=),
                   an enqueued time, earliest and latest
  consumer_groups  two groups read the same events independently; an unknown
                   group is refused with our description
  epoch            a receiver with owner_level 2 takes a partition from the
                   one with owner_level 1
  wrong_key        a wrong SharedAccessKey: the SDK's authentication error
Prints "ok SCENARIO: ..." and exits 0, or "FAILED: ..." and exits 1.
"""
import asyncio
import datetime
import json
import math
import sys

from azure.eventhub import EventData
from azure.eventhub import exceptions as eh_errors
from azure.eventhub._buffered_producer._partition_resolver import generate_hash_code
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient

PORT, SCENARIO = sys.argv[1], sys.argv[2]
HUB = "telemetry"
EARLIEST = "-1"
LATEST = "@latest"


def cs(key="SAS_KEY_VALUE"):
    return (f"Endpoint=sb://127.0.0.1:{PORT};SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={key};EntityPath={HUB};UseDevelopmentEmulator=true")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def key_partition(key, count=4):
    """The partition of a key: the SDK's own hash code (its buffered
    producer's), reduced as the service and the JS and .NET SDKs do,
    abs(hash % count) with a remainder that keeps the sign.  The Python
    SDK's buffered producer reduces it with Python's floor modulo instead
    (abs(-12361 % 4) = 3, not 1), so for keys with a negative hash code it
    picks another partition than the service would."""
    h = generate_hash_code(key)
    return abs(int(math.fmod(h, count)))


def event(p, i):
    e = EventData(json.dumps({"p": p, "i": i, "text": f"event {i} of {p}"}))
    e.properties = {"p": p, "i": i, "kind": "test"}
    e.message_id = f"{p}-{i}"
    e.content_type = "application/json"
    return e


def prop(e, name):
    """An application property: the SDK gives received keys as bytes."""
    props = e.properties or {}
    v = props.get(name.encode(), props.get(name))
    return v.decode() if isinstance(v, bytes) else v


def check_event(e, p, i, what):
    body = e.body_as_json()
    check(body == {"p": p, "i": i, "text": f"event {i} of {p}"}, f"{what}: body {body}, expected event {i} of {p}")
    check(prop(e, "p") == p and prop(e, "i") == i and prop(e, "kind") == "test",
          f"{what}: properties {e.properties}")
    mid = e.message_id.decode() if isinstance(e.message_id, bytes) else e.message_id
    ct = e.content_type.decode() if isinstance(e.content_type, bytes) else e.content_type
    check(mid == f"{p}-{i}" and ct == "application/json", f"{what}: message_id {mid}, content_type {ct}")


def check_log(events, what):
    offset = 0
    for i, e in enumerate(events):
        check(e.sequence_number == i, f"{what}: event {i} has sequence number {e.sequence_number}")
        check(isinstance(e.offset, str) and e.offset.isdigit(), f"{what}: event {i} has offset {e.offset!r}")
        check(e.offset == "0" if i == 0 else int(e.offset) > offset, f"{what}: event {i}: offset {e.offset} after {offset}")
        offset = int(e.offset)
        check(isinstance(e.enqueued_time, datetime.datetime) and
              (i == 0 or e.enqueued_time >= events[i - 1].enqueued_time),
              f"{what}: event {i}: enqueued time {e.enqueued_time}")


async def send_all(producer, events, **batch_options):
    """Sends the events in as many batches as the link's size allows."""
    batch = await producer.create_batch(**batch_options)
    batches = 0
    for e in events:
        try:
            batch.add(e)
        except ValueError:
            await producer.send_batch(batch)
            batches += 1
            batch = await producer.create_batch(**batch_options)
            batch.add(e)
    if len(batch):
        await producer.send_batch(batch)
        batches += 1
    return batches


async def read_partition(group, partition, position, count, inclusive=False, on_batch=None, on_error=None,
                         until_error=False, **receive_options):
    """Reads count events from a partition (and waits 300 ms for any more,
    which fail the read), through receive_batch of a consumer client of its
    own in consumer group `group`; with until_error, until the first error
    (given to on_error)."""
    consumer = EventHubConsumerClient.from_connection_string(cs(), consumer_group=group)
    got = []
    done = asyncio.get_running_loop().create_future()
    failure = []

    async def on_event_batch(context, events):
        if on_batch:
            on_batch(events, context)
        got.extend(events)
        if len(got) > count:
            failure.append(AssertionError(f"partition {partition}: {len(got)} events, expected {count}"))
            done.done() or done.set_result(None)
        elif len(got) == count and not done.done():
            asyncio.get_running_loop().call_later(0.3, lambda: done.done() or done.set_result(None))

    async def on_err(context, err):
        if on_error:
            on_error(err)
            if until_error:
                done.done() or done.set_result(None)
        else:
            failure.append(err)
            done.done() or done.set_result(None)

    task = asyncio.ensure_future(consumer.receive_batch(
        on_event_batch, partition_id=partition, starting_position=position,
        starting_position_inclusive=inclusive, max_batch_size=1000, max_wait_time=1, on_error=on_err,
        **receive_options))
    try:
        await asyncio.wait_for(asyncio.shield(done), 30)
    except asyncio.TimeoutError:
        failure.append(AssertionError(f"partition {partition}: {len(got)} of {count} events after 30 s"))
    await consumer.close()
    # receive_batch does not always return after close (its load-balancing
    # sleep): cancelled, bounded
    task.cancel()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
    if failure:
        raise failure[0]
    return got


async def properties():
    producer = EventHubProducerClient.from_connection_string(cs())
    consumer = EventHubConsumerClient.from_connection_string(cs(), consumer_group="$Default")
    props = await producer.get_eventhub_properties()
    check(props["eventhub_name"] == HUB, f"name {props}")
    check(props["partition_ids"] == ["0", "1", "2", "3"], f"partition ids {props['partition_ids']}")
    check(isinstance(props["created_at"], datetime.datetime) and
          props["created_at"] <= datetime.datetime.now(datetime.timezone.utc), f"created_at {props['created_at']}")
    check(await consumer.get_partition_ids() == ["0", "1", "2", "3"], "consumer's partition ids")
    pp = await consumer.get_partition_properties("3")
    check(pp["is_empty"] is True and pp["last_enqueued_sequence_number"] == -1 and pp["id"] == "3" and
          pp["eventhub_name"] == HUB, f"empty partition: {pp}")
    await send_all(producer, [event("3", i) for i in range(3)], partition_id="3")
    events = await read_partition("$Default", "3", EARLIEST, 3)
    pp = await producer.get_partition_properties("3")
    check(pp["is_empty"] is False and pp["beginning_sequence_number"] == 0 and
          pp["last_enqueued_sequence_number"] == 2, f"after 3 events: {pp}")
    check(pp["last_enqueued_offset"] == events[2].offset,
          f"last_enqueued_offset {pp['last_enqueued_offset']}, event 2's offset {events[2].offset}")
    check(pp["last_enqueued_time_utc"] == events[2].enqueued_time,
          f"last_enqueued_time_utc {pp['last_enqueued_time_utc']}, event 2's {events[2].enqueued_time}")
    last = {}

    def remember(evs, context):
        last.update(context.last_enqueued_event_properties or {})

    await read_partition("$Default", "3", 0, 2, on_batch=remember, track_last_enqueued_event_properties=True)
    check(last.get("sequence_number") == 2 and last.get("offset") == events[2].offset and
          last.get("enqueued_time") == events[2].enqueued_time and
          isinstance(last.get("retrieval_time"), datetime.datetime), f"last_enqueued_event_properties {last}")
    await producer.close()
    await consumer.close()
    return (f"hub {props['eventhub_name']} partitions {','.join(props['partition_ids'])}; partition 3 "
            f"{pp['beginning_sequence_number']}..{pp['last_enqueued_sequence_number']}, "
            f"last offset {pp['last_enqueued_offset']}")


async def send_receive():
    producer = EventHubProducerClient.from_connection_string(cs())
    per_partition, keys, per_key = 2000, 10, 200
    batches = 0
    for p in range(4):
        batches += await send_all(producer, [event(str(p), i) for i in range(per_partition)], partition_id=str(p))
    expect_keyed = [[], [], [], []]
    for k in range(keys):
        key = f"key-{k}"
        batches += await send_all(producer, [event(key, i) for i in range(per_key)], partition_key=key)
        expect_keyed[key_partition(key)].append(key)
    total = 0
    for p in range(4):
        want = per_partition + len(expect_keyed[p]) * per_key
        events = await read_partition("$Default", str(p), EARLIEST, want)
        check_log(events, f"partition {p}")
        nxt = {}
        for e in events:
            owner = e.body_as_json()["p"]
            pk = e.partition_key.decode() if isinstance(e.partition_key, bytes) else e.partition_key
            if owner == str(p):
                check(pk is None, f"partition {p}: a keyless event has key {pk}")
            else:
                check(owner in expect_keyed[p],
                      f"partition {p}: event of {owner}, which maps to partition {key_partition(owner)}")
                check(pk == owner, f"partition {p}: key {pk} on an event of {owner}")
            i = nxt.get(owner, 0)
            check_event(e, owner, i, f"partition {p}")
            nxt[owner] = i + 1
        total += len(events)
    check(total == 4 * per_partition + keys * per_key, f"{total} events in all")
    await producer.close()
    return (f"{total} events in {batches} batches (to partitions and by {keys} keys) read back from earliest in "
            "order, sequence numbers and offsets consistent, keys where the service maps them")


async def positions():
    producer = EventHubProducerClient.from_connection_string(cs())
    for b in range(3):
        await send_all(producer, [event("0", i) for i in range(100 * b, 100 * (b + 1))], partition_id="0")
        await asyncio.sleep(0.02)  # each batch a later enqueued time
    every = await read_partition("$Default", "0", EARLIEST, 300)
    check_log(every, "partition 0")

    async def first(position, inclusive, want, what):
        events = await read_partition("$Default", "0", position, 300 - want, inclusive=inclusive)
        check(events[0].sequence_number == want, f"{what}: first {events[0].sequence_number}, expected {want}")
        check_event(events[0], "0", want, what)

    await first(100, False, 101, "sequence number > 100")
    await first(100, True, 100, "sequence number >= 100")
    await first(every[50].offset, False, 51, f"offset > {every[50].offset}")
    await first(every[50].offset, True, 50, f"offset >= {every[50].offset}")
    await first(every[199].enqueued_time, False, 200, "enqueued after event 199")
    await first(EARLIEST, False, 0, "earliest")
    # latest: only what is sent after the receiver is there
    latest = asyncio.ensure_future(read_partition("$Default", "0", LATEST, 1))
    await asyncio.sleep(1.5)
    await send_all(producer, [event("0", 300)], partition_id="0")
    late = (await latest)[0]
    check(late.sequence_number == 300, f"latest: {late.sequence_number}")
    await producer.close()
    return f"from sequence number 100 (> and >=), offset {every[50].offset} (> and >=), enqueued time, earliest and latest"


async def consumer_groups():
    producer = EventHubProducerClient.from_connection_string(cs())
    await send_all(producer, [event("1", i) for i in range(500)], partition_id="1")
    ea, eb = await asyncio.gather(read_partition("$Default", "1", EARLIEST, 500), read_partition("analytics", "1", EARLIEST, 500))
    check_log(ea, "$Default")
    check_log(eb, "analytics")
    for i in range(500):
        check_event(ea[i], "1", i, "$Default")
        check_event(eb[i], "1", i, "analytics")
        check(ea[i].offset == eb[i].offset, f"event {i}: offsets {ea[i].offset} / {eb[i].offset}")
    again = await read_partition("$Default", "1", EARLIEST, 500)
    check(again[0].sequence_number == 0, "$Default read again from 0")
    refused = []
    await read_partition("nosuch", "1", EARLIEST, 1, on_error=refused.append, until_error=True)
    check(refused and "consumer group 'nosuch' does not exist in event hub 'telemetry'" in str(refused[0]),
          f"unknown group: {refused[0]!r}" if refused else "unknown group: no error")
    await producer.close()
    return f"$Default and analytics each read 500 events from 0; unknown group: {type(refused[0]).__name__}: {refused[0]}"


async def epoch():
    producer = EventHubProducerClient.from_connection_string(cs())
    lost = []
    first = asyncio.ensure_future(read_partition("$Default", "2", EARLIEST, 1000000, on_error=lost.append, owner_level=1))
    await send_all(producer, [event("2", 0)], partition_id="2")
    await asyncio.sleep(1.5)  # owner_level 1 is attached and has read event 0
    second = await read_partition("$Default", "2", EARLIEST, 1, owner_level=2)
    for _ in range(100):
        if lost:
            break
        await asyncio.sleep(0.05)
    check(lost, "owner_level 1 after owner_level 2: no error")
    check(isinstance(lost[0], eh_errors.EventHubError) and "epoch" in str(lost[0]).lower(),
          f"owner_level 1 after owner_level 2: {type(lost[0]).__name__}: {lost[0]}")
    check(second[0].sequence_number == 0, "owner_level 2 read event 0")
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await producer.close()
    return f"owner_level 2 took partition 2; owner_level 1 got {type(lost[0]).__name__}: {lost[0]}"


async def wrong_key():
    producer = EventHubProducerClient.from_connection_string(cs("not-the-key"), retry_total=0)
    errors = []
    try:
        await producer.get_eventhub_properties()
    except eh_errors.EventHubError as e:
        errors.append(e)
    check(errors and isinstance(errors[0], eh_errors.AuthenticationError),
          f"get_eventhub_properties: {type(errors[0]).__name__ if errors else 'succeeded'}: {errors[:1]}")
    try:
        await producer.send_batch([EventData("x")], partition_id="0")
    except eh_errors.EventHubError as e:
        errors.append(e)
    check(len(errors) == 2 and isinstance(errors[1], eh_errors.AuthenticationError),
          f"send_batch: {type(errors[-1]).__name__ if len(errors) == 2 else 'succeeded'}: {errors[-1]}")
    await producer.close()
    return f"{type(errors[0]).__name__}: {errors[0]}"


SCENARIOS = {f.__name__: f for f in (properties, send_receive, positions, consumer_groups, epoch, wrong_key)}


def main():
    run = SCENARIOS.get(SCENARIO)
    if not run:
        print(f"FAILED: unknown scenario {SCENARIO} ({', '.join(SCENARIOS)})", file=sys.stderr)
        return 2
    try:
        what = asyncio.run(run())
    except Exception as e:  # noqa: BLE001 - any failure is the test's
        import traceback
        traceback.print_exc()
        print(f"FAILED: {SCENARIO}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"ok {SCENARIO}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
