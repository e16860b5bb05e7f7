// Microsoft's @azure/event-hubs (as tests/azure/eventhubs_sdk installs it)
// through famqp-broker's emulated event hub: COUNT events of SIZE bytes
// sent to partition 0 in batches of BATCH (sendBatch, awaited in turn), then
// read back from the earliest event (subscribe, batches of up to 1000).
// Prints "sdk in: N events in S s: R events/s" and "sdk out: ...".
// usage: node eventhub_sdk_bench.js PORT HUB COUNT SIZE BATCH
"use strict";
const path = require("path");
const eh = require(path.join(__dirname, "..", "tests", "azure", "eventhubs_sdk", "node_modules", "@azure", "event-hubs"));
const [port, hub, count, size, batchSize] = process.argv.slice(2).map((v, i) => (i < 2 ? v : Number(v)));
const cs = `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
    `SharedAccessKey=SAS_KEY_VALUE;EntityPath=${hub};UseDevelopmentEmulator=true`;

function line(what, n, ms) {
    console.log(`sdk ${what}: ${n} events in ${(ms / 1000).toFixed(2)} s: ${Math.round(n / (ms / 1000))} events/s`);
}

async function main() {
    const producer = new eh.EventHubProducerClient(cs);
    const body = Buffer.alloc(size, 0x61);
    await producer.getPartitionIds(); // connected before the clock starts
    let t0 = Date.now();
    for (let sent = 0; sent < count;) {
        const batch = await producer.createBatch({ partitionId: "0" });
        for (let i = 0; i < batchSize && sent < count; i++, sent++)
            if (!batch.tryAdd({ body })) throw new Error("an event does not fit");
        await producer.sendBatch(batch);
    }
    line("in", count, Date.now() - t0);
    await producer.close();
    const consumer = new eh.EventHubConsumerClient("$Default", cs);
    await consumer.getPartitionIds();
    t0 = Date.now();
    let got = 0;
    await new Promise((resolve, reject) => {
        const sub = consumer.subscribe("0", {
            processEvents: async (events) => {
                got += events.length;
                if (got >= count) sub.close().then(resolve, reject);
            },
            processError: async (err) => reject(err),
        }, { startPosition: eh.earliestEventPosition, maxBatchSize: 1000, maxWaitTimeInSeconds: 1 });
    });
    line("out", got, Date.now() - t0);
    await consumer.close();
}
main().catch((err) => { console.error("FAILED:", err); process.exit(1); });
