"""Microsoft's Python SDK (azure-eventhub, pyamqp; the Python tests' venv)
through famqp-broker's emulated event hub: COUNT events of SIZE bytes sent
to partition 0 in batches of BATCH (send_batch, awaited in turn), then read
back from the earliest event (receive_batch, batches of up to 1000).
Prints "sdk in: N events in S s: R events/s" and "sdk out: ...".
usage: python eventhub_sdk_bench.py PORT HUB COUNT SIZE BATCH"""
import asyncio
import sys
import time

from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient

port, hub = sys.argv[1], sys.argv[2]
count, size, batch_size = (int(v) for v in sys.argv[3:6])
CS = (f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
      f"SharedAccessKey=SAS_KEY_VALUE;EntityPath={hub};UseDevelopmentEmulator=true")


def line(what, n, s):
    print(f"sdk {what}: {n} events in {s:.2f} s: {round(n / s)} events/s", flush=True)


async def main():
    producer = EventHubProducerClient.from_connection_string(CS)
    body = b"a" * size
    await producer.get_partition_ids()  # connected before the clock starts
    t0 = time.monotonic()
    sent = 0
    while sent < count:
        batch = await producer.create_batch(partition_id="0")
        for _ in range(min(batch_size, count - sent)):
            batch.add(EventData(body))
            sent += 1
        await producer.send_batch(batch)
    line("in", count, time.monotonic() - t0)
    await producer.close()
    consumer = EventHubConsumerClient.from_connection_string(CS, consumer_group="$Default")
    await consumer.get_partition_ids()
    done = asyncio.get_running_loop().create_future()
    got = 0

    async def on_batch(context, events):
        nonlocal got
        got += len(events)
        if got >= count and not done.done():
            done.set_result(None)

    t0 = time.monotonic()
    task = asyncio.ensure_future(consumer.receive_batch(on_batch, partition_id="0", starting_position="-1",
                                                        max_batch_size=1000, max_wait_time=1))
    await asyncio.wait_for(done, 300)
    line("out", got, time.monotonic() - t0)
    await consumer.close()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


asyncio.run(main())
