// famqp-broker as an Event Hubs emulator, driven by Microsoft's own SDK
// (@azure/event-hubs, pinned by package-lock.json) with the connection
// string the emulator documentation gives (UseDevelopmentEmulator=true).
// The broker serves tests/broker/emulator/eventhubs.json: hub 'telemetry',
// 4 partitions, consumer groups $default, analytics, archive.
// usage: node eventhubs_sdk.js PORT SCENARIO
//   properties       getEventHubProperties / getPartitionProperties (both
//                    clients), before and after events; a receiver's
//                    lastEnqueuedEventProperties (trackLastEnqueuedEventProperties)
//   send_receive     10,000 events: 8,000 in batches to the 4 partitions,
//                    2,000 in batches by 10 partition keys; each partition
//                    read from the earliest event: bodies, properties and
//                    order intact, sequence numbers 0..n-1, offsets rising
//                    by each event's size, keyed events where the SDK's own
//                    key-to-partition mapping puts them
//   positions        from a sequence number (> and >=), an offset (> and
//                    >=), an enqueued time, earliest and latest
//   consumer_groups  two groups read the same events independently; an
//                    unknown group is refused with our description
//   epoch            a receiver with ownerLevel 2 takes a partition from
//                    the one with ownerLevel 1 (ReceiverDisconnectedError)
//   wrong_key        a wrong SharedAccessKey: UnauthorizedError
//   ws_send_receive  over WebSockets (the SDK's webSocketOptions with the
//                    `ws` package: wss://HOST:PORT/$servicebus/websocket,
//                    subprotocol AMQPWSB10; PORT is famqp-broker's
//                    --ws-listen with TLS, the CA in NODE_EXTRA_CA_CERTS):
//                    hub properties, 2,000 events in batches to partition 0
//                    and 500 by a key, read back intact and in order
//   famqp_batches N  the N events famqp-send --batch 100 sent to partition
//                    1 (message-id n and a 100-byte body holding n
//                    big-endian in its first 8 bytes, zeros after): each
//                    one, in order, body and properties intact
// Prints "ok SCENARIO: ..." and exits 0, or "FAILED: ..." and exits 1.
"use strict";
const path = require("path");
const modules = path.join(__dirname, "node_modules");
const eh = require(path.join(modules, "@azure", "event-hubs"));
// The SDK's own partition-key mapping (what its buffered producer uses).
const { mapPartitionKeyToId } = require(
    path.join(modules, "@azure", "event-hubs", "dist", "commonjs", "impl", "partitionKeyToIdMapper.js"));

const [port, scenario, scenarioArg] = process.argv.slice(2);
const hub = "telemetry";
const noRetry = { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } };

function cs(key = "SAS_KEY_VALUE") {
    return `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
        `SharedAccessKey=${key};EntityPath=${hub};UseDevelopmentEmulator=true`;
}

function check(cond, what) {
    if (!cond) throw new Error(what);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Sends events (EventData[]) in as many batches as the link's size allows.
async function sendAll(producer, events, batchOptions) {
    let batch = await producer.createBatch(batchOptions);
    let batches = 0;
    for (const e of events) {
        if (!batch.tryAdd(e)) {
            await producer.sendBatch(batch);
            batches++;
            batch = await producer.createBatch(batchOptions);
            check(batch.tryAdd(e), "an event does not fit an empty batch");
        }
    }
    if (batch.count) {
        await producer.sendBatch(batch);
        batches++;
    }
    return batches;
}

// Reads count events from a partition (and waits 300 ms for any more,
// which fail the read), through subscribe.
function readPartition(consumer, partitionId, startPosition, count, options = {}) {
    return new Promise((resolve, reject) => {
        const got = [];
        let done = false;
        const timer = setTimeout(() => finish(new Error(
            `partition ${partitionId}: ${got.length} of ${count} events after 30 s`)), 30000);
        const finish = (err) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            sub.close().then(() => (err ? reject(err) : resolve(got)), reject);
        };
        const sub = consumer.subscribe(partitionId, {
            processEvents: async (events, context) => {
                if (options.onBatch) options.onBatch(events, context);
                got.push(...events);
                if (got.length > count)
                    finish(new Error(`partition ${partitionId}: ${got.length} events, expected ${count}`));
                else if (got.length === count)
                    setTimeout(() => finish(), 300);
            },
            processError: async (err) => {
                if (options.onError) options.onError(err);
                else finish(err);
            },
        }, { startPosition, maxBatchSize: 1000, maxWaitTimeInSeconds: 1, ...options.subscribe });
    });
}

function checkLog(events, what) {
    let offset = 0;
    for (let i = 0; i < events.length; i++) {
        const e = events[i];
        check(e.sequenceNumber === i, `${what}: event ${i} has sequence number ${e.sequenceNumber}`);
        check(typeof e.offset === "string" && /^[0-9]+$/.test(e.offset),
            `${what}: event ${i} has offset ${JSON.stringify(e.offset)}`);
        check(Number(e.offset) >= offset && (i === 0 ? e.offset === "0" : Number(e.offset) > offset),
            `${what}: event ${i}: offset ${e.offset} after ${offset}`);
        offset = Number(e.offset);
        check(e.enqueuedTimeUtc instanceof Date && (i === 0 || e.enqueuedTimeUtc >= events[i - 1].enqueuedTimeUtc),
            `${what}: event ${i}: enqueued time ${e.enqueuedTimeUtc}`);
    }
}

function event(p, i, extra = {}) {
    return {
        body: { p, i, text: `event ${i} of ${p}` },
        properties: { p, i, kind: "test" },
        messageId: `${p}-${i}`,
        contentType: "application/json",
        ...extra,
    };
}

function checkEvent(e, p, i, what) {
    check(e.body && e.body.p === p && e.body.i === i && e.body.text === `event ${i} of ${p}`,
        `${what}: body ${JSON.stringify(e.body)}, expected event ${i} of ${p}`);
    check(e.properties && e.properties.p === p && e.properties.i === i && e.properties.kind === "test",
        `${what}: properties ${JSON.stringify(e.properties)}`);
    check(e.messageId === `${p}-${i}` && e.contentType === "application/json",
        `${what}: messageId ${e.messageId}, contentType ${e.contentType}`);
}

const scenarios = {
    async properties() {
        const producer = new eh.EventHubProducerClient(cs());
        const consumer = new eh.EventHubConsumerClient("$Default", cs());
        const props = await producer.getEventHubProperties();
        check(props.name === hub, `name ${props.name}`);
        check(JSON.stringify(props.partitionIds) === '["0","1","2","3"]', `partitionIds ${props.partitionIds}`);
        check(props.createdOn instanceof Date && props.createdOn <= new Date(), `createdOn ${props.createdOn}`);
        check(JSON.stringify(await consumer.getPartitionIds()) === '["0","1","2","3"]', "consumer's partition ids");
        let pp = await consumer.getPartitionProperties("3");
        check(pp.isEmpty === true && pp.lastEnqueuedSequenceNumber === -1 && pp.partitionId === "3" &&
              pp.eventHubName === hub, `empty partition: ${JSON.stringify(pp)}`);
        await sendAll(producer, [0, 1, 2].map((i) => event("3", i)), { partitionId: "3" });
        const events = await readPartition(consumer, "3", eh.earliestEventPosition, 3);
        pp = await producer.getPartitionProperties("3");
        check(pp.isEmpty === false && pp.beginningSequenceNumber === 0 && pp.lastEnqueuedSequenceNumber === 2,
            `after 3 events: ${JSON.stringify(pp)}`);
        check(pp.lastEnqueuedOffset === events[2].offset, `lastEnqueuedOffset ${pp.lastEnqueuedOffset}, ` +
            `event 2's offset ${events[2].offset}`);
        check(pp.lastEnqueuedOnUtc.getTime() === events[2].enqueuedTimeUtc.getTime(),
            `lastEnqueuedOnUtc ${pp.lastEnqueuedOnUtc.toISOString()}`);
        // trackLastEnqueuedEventProperties: the runtime metric with each event
        let last;
        await readPartition(consumer, "3", { sequenceNumber: 0 }, 2, {
            subscribe: { trackLastEnqueuedEventProperties: true },
            onBatch: (evs, context) => { last = { ...context.lastEnqueuedEventProperties }; },
        });
        check(last && last.sequenceNumber === 2 && last.offset === events[2].offset &&
              last.enqueuedOn instanceof Date && last.enqueuedOn.getTime() === events[2].enqueuedTimeUtc.getTime() &&
              last.retrievedOn instanceof Date && Math.abs(last.retrievedOn - Date.now()) < 60000,
            `lastEnqueuedEventProperties ${JSON.stringify(last)}`);
        await producer.close();
        await consumer.close();
        return `hub ${props.name} partitions ${props.partitionIds.join(",")}; partition 3 ` +
            `${pp.beginningSequenceNumber}..${pp.lastEnqueuedSequenceNumber}, last offset ${pp.lastEnqueuedOffset}`;
    },

    async send_receive() {
        const producer = new eh.EventHubProducerClient(cs());
        const consumer = new eh.EventHubConsumerClient("$Default", cs());
        const perPartition = 2000, keys = 10, perKey = 200;
        let batches = 0;
        for (let p = 0; p < 4; p++) {
            const events = [];
            for (let i = 0; i < perPartition; i++) events.push(event(String(p), i));
            batches += await sendAll(producer, events, { partitionId: String(p) });
        }
        const expectKeyed = [[], [], [], []];
        for (let k = 0; k < keys; k++) {
            const key = `key-${k}`;
            const events = [];
            for (let i = 0; i < perKey; i++) events.push(event(key, i));
            batches += await sendAll(producer, events, { partitionKey: key });
            expectKeyed[mapPartitionKeyToId(key, 4)].push(key);
        }
        let total = 0;
        for (let p = 0; p < 4; p++) {
            const want = perPartition + expectKeyed[p].length * perKey;
            const events = await readPartition(consumer, String(p), eh.earliestEventPosition, want);
            checkLog(events, `partition ${p}`);
            const next = {};
            for (const e of events) {
                const owner = e.body && e.body.p;
                if (owner === String(p)) {
                    check(e.partitionKey === undefined, `partition ${p}: a keyless event has key ${e.partitionKey}`);
                } else {
                    check(expectKeyed[p].includes(owner),
                        `partition ${p}: event of ${owner}, which the SDK maps to partition ` +
                        `${mapPartitionKeyToId(String(owner), 4)}`);
                    check(e.partitionKey === owner, `partition ${p}: key ${e.partitionKey} on an event of ${owner}`);
                }
                const i = next[owner] || 0;
                checkEvent(e, owner, i, `partition ${p}`);
                next[owner] = i + 1;
            }
            total += events.length;
        }
        check(total === 4 * perPartition + keys * perKey, `${total} events in all`);
        await producer.close();
        await consumer.close();
        return `${total} events in ${batches} batches (to partitions and by ${keys} keys) read back from earliest ` +
            `in order, sequence numbers and offsets consistent, keys where the SDK maps them`;
    },

    async positions() {
        const producer = new eh.EventHubProducerClient(cs());
        const consumer = new eh.EventHubConsumerClient("$Default", cs());
        for (let b = 0; b < 3; b++) {
            const events = [];
            for (let i = 100 * b; i < 100 * (b + 1); i++) events.push(event("0", i));
            await sendAll(producer, events, { partitionId: "0" });
            await sleep(20); // each batch a later enqueued time
        }
        const all = await readPartition(consumer, "0", eh.earliestEventPosition, 300);
        checkLog(all, "partition 0");
        const first = async (position, want, what) => {
            const events = await readPartition(consumer, "0", position, 300 - want);
            check(events[0].sequenceNumber === want, `${what}: first ${events[0].sequenceNumber}, expected ${want}`);
            checkEvent(events[0], "0", want, what);
        };
        await first({ sequenceNumber: 100 }, 101, "sequence number > 100");
        await first({ sequenceNumber: 100, isInclusive: true }, 100, "sequence number >= 100");
        await first({ offset: all[50].offset }, 51, `offset > ${all[50].offset}`);
        await first({ offset: all[50].offset, isInclusive: true }, 50, `offset >= ${all[50].offset}`);
        await first({ enqueuedOn: all[199].enqueuedTimeUtc }, 200, "enqueued after event 199");
        await first({ enqueuedOn: all[199].enqueuedTimeUtc.getTime() }, 200, "enqueued after (ms)");
        await first(eh.earliestEventPosition, 0, "earliest");
        // latest: only what is sent after the receiver is there
        const latest = readPartition(consumer, "0", eh.latestEventPosition, 1);
        await sleep(1500);
        await sendAll(producer, [event("0", 300)], { partitionId: "0" });
        const [late] = await latest;
        check(late.sequenceNumber === 300, `latest: ${late.sequenceNumber}`);
        await producer.close();
        await consumer.close();
        return "from sequence number 100 (> and >=), offset " + all[50].offset +
            " (> and >=), enqueued time, earliest and latest";
    },

    async consumer_groups() {
        const producer = new eh.EventHubProducerClient(cs());
        const events = [];
        for (let i = 0; i < 500; i++) events.push(event("1", i));
        await sendAll(producer, events, { partitionId: "1" });
        const a = new eh.EventHubConsumerClient("$Default", cs());
        const b = new eh.EventHubConsumerClient("analytics", cs());
        const [ea, eb] = await Promise.all([
            readPartition(a, "1", eh.earliestEventPosition, 500),
            readPartition(b, "1", eh.earliestEventPosition, 500),
        ]);
        checkLog(ea, "$Default");
        checkLog(eb, "analytics");
        for (let i = 0; i < 500; i++) {
            checkEvent(ea[i], "1", i, "$Default");
            checkEvent(eb[i], "1", i, "analytics");
            check(ea[i].offset === eb[i].offset, `event ${i}: offsets ${ea[i].offset} / ${eb[i].offset}`);
        }
        // $Default again: its first read consumed nothing.
        const again = await readPartition(a, "1", eh.earliestEventPosition, 500);
        check(again[0].sequenceNumber === 0, "$Default read again from 0");
        const c = new eh.EventHubConsumerClient("nosuch", cs());
        let refused;
        await new Promise((resolve) => {
            const sub = c.subscribe("1", {
                processEvents: async () => {},
                processError: async (err) => {
                    refused = err;
                    sub.close().then(resolve, resolve);
                },
            }, { startPosition: eh.earliestEventPosition, maxWaitTimeInSeconds: 1 });
        });
        check(refused && /consumer group 'nosuch' does not exist in event hub 'telemetry'/.test(refused.message),
            `unknown group: ${refused && refused.code}: ${refused && refused.message}`);
        await Promise.all([producer.close(), a.close(), b.close(), c.close()]);
        return `$Default and analytics each read 500 events from 0; unknown group: ${refused.code}: ${refused.message}`;
    },

    async epoch() {
        const producer = new eh.EventHubProducerClient(cs());
        const one = new eh.EventHubConsumerClient("$Default", cs());
        const two = new eh.EventHubConsumerClient("$Default", cs());
        let lost;
        const first = readPartition(one, "2", eh.earliestEventPosition, 1000000, {
            subscribe: { ownerLevel: 1 },
            onError: (err) => { lost = lost || err; },
        }).catch(() => {});
        await sendAll(producer, [event("2", 0)], { partitionId: "2" });
        await sleep(1500); // ownerLevel 1 is attached and has read event 0
        const second = await readPartition(two, "2", eh.earliestEventPosition, 1, { subscribe: { ownerLevel: 2 } });
        for (let i = 0; i < 100 && !lost; i++) await sleep(50);
        check(lost && lost.code === "ReceiverDisconnectedError",
            `ownerLevel 1 after ownerLevel 2: ${lost ? lost.code + ": " + lost.message : "no error"}`);
        check(second[0].sequenceNumber === 0, "ownerLevel 2 read event 0");
        await Promise.all([producer.close(), one.close(), two.close()]);
        void first;
        return `ownerLevel 2 took partition 2; ownerLevel 1 got ${lost.code}: ${lost.message}`;
    },

    async ws_send_receive() {
        const WebSocket = require(path.join(modules, "ws"));
        const opts = { webSocketOptions: { webSocket: WebSocket } };
        const producer = new eh.EventHubProducerClient(cs(), opts);
        const consumer = new eh.EventHubConsumerClient("$Default", cs(), opts);
        const props = await producer.getEventHubProperties();
        check(props.name === hub && props.partitionIds.length === 4, `hub properties ${JSON.stringify(props)}`);
        const events = [];
        for (let i = 0; i < 2000; i++) events.push(event("0", i));
        const batches = await sendAll(producer, events, { partitionId: "0" });
        const key = "key-ws";
        const keyed = [];
        for (let i = 0; i < 500; i++) keyed.push(event(key, i));
        await sendAll(producer, keyed, { partitionKey: key });
        const kp = mapPartitionKeyToId(key, 4);
        const got = await readPartition(consumer, "0", eh.earliestEventPosition, kp === 0 ? 2500 : 2000);
        checkLog(got, "partition 0");
        const next = {};
        for (const e of got) {
            const owner = e.body && e.body.p;
            const i = next[owner] || 0;
            checkEvent(e, owner, i, "partition 0");
            next[owner] = i + 1;
        }
        check(next["0"] === 2000, `${next["0"]} of partition 0's 2000 events`);
        if (kp !== 0) {
            const k = await readPartition(consumer, String(kp), eh.earliestEventPosition, 500);
            k.forEach((e, i) => checkEvent(e, key, i, `partition ${kp}`));
        }
        await Promise.all([producer.close(), consumer.close()]);
        return `over wss:// (AMQPWSB10): 2000 events in ${batches} batches to partition 0 and 500 by key to ` +
            `partition ${kp}, read back intact in order`;
    },

    async famqp_batches() {
        const n = Number(scenarioArg);
        check(n > 0, "famqp_batches needs the event count");
        const consumer = new eh.EventHubConsumerClient("$Default", cs());
        const got = await readPartition(consumer, "1", eh.earliestEventPosition, n,
            { subscribe: { skipParsingBodyAsJson: true } });
        checkLog(got, "partition 1");
        got.forEach((e, i) => {
            const body = e.body;
            check(Buffer.isBuffer(body) && body.length === 100, `event ${i}: body ${typeof body} of ${body && body.length}`);
            check(body.readBigUInt64BE(0) === BigInt(i), `event ${i}: body holds ${body.readBigUInt64BE(0)}`);
            check(body.subarray(8).every((b) => b === 0), `event ${i}: body bytes 8..99 are not zero`);
            check(Number(e.messageId) === i, `event ${i}: message-id ${e.messageId}`);
            check(e.properties === undefined || Object.keys(e.properties).length === 0,
                `event ${i}: application properties ${JSON.stringify(e.properties)}`);
        });
        await consumer.close();
        return `${n} events of famqp-send's batches read from partition 1: bodies, message-ids and order intact`;
    },

    async wrong_key() {
        const producer = new eh.EventHubProducerClient(cs("not-the-key"), noRetry);
        let err;
        try {
            await producer.getEventHubProperties(noRetry);
        } catch (e) {
            err = e;
        }
        check(err && err.code === "UnauthorizedError", `getEventHubProperties: ${err ? err.code : "succeeded"}`);
        let sendErr;
        try {
            await producer.sendBatch([{ body: "x" }], { partitionId: "0" });
        } catch (e) {
            sendErr = e;
        }
        check(sendErr && sendErr.code === "UnauthorizedError", `sendBatch: ${sendErr ? sendErr.code : "succeeded"}`);
        await producer.close();
        return `${err.code}: ${err.message}`;
    },
};

const run = scenarios[scenario];
if (!run) {
    console.error(`FAILED: unknown scenario ${scenario} (${Object.keys(scenarios).join(", ")})`);
    process.exit(2);
}
run().then((what) => {
    console.log(`ok ${scenario}: ${what}`);
    process.exit(0);
}, (err) => {
    console.error(`FAILED: ${scenario}: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
});
