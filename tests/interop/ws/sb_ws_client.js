// Microsoft's @azure/service-bus (pinned in ../servicebus) with its
// WebSocket option (the `ws` package, pinned here) against famqp-broker's
// --ws-listen with TLS: the SDK connects wss://HOST:PORT/$servicebus/websocket
// offering only AMQPWSB10 (the test CA in NODE_EXTRA_CA_CERTS).  Sends 200
// messages to queue QUEUE, receives them in receiveAndDelete
// mode (bodies, application properties and order intact), then one more
// in peekLock mode and completes it; the queue is empty after.
// usage: node sb_ws_client.js PORT QUEUE
// Prints "ok: ..." and exits 0, or "FAILED: ..." and exits 1.
"use strict";
const path = require("path");
const WebSocket = require(path.join(__dirname, "node_modules", "ws"));
const { ServiceBusClient } = require(require.resolve("@azure/service-bus",
    { paths: [path.join(__dirname, "..", "servicebus")] }));

const [port, queue] = process.argv.slice(2);
const cs = `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;` +
    "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true";
const check = (cond, what) => {
    if (!cond) throw new Error(what);
};

async function main() {
    const client = new ServiceBusClient(cs, { webSocketOptions: { webSocket: WebSocket } });
    const sender = client.createSender(queue);
    const n = 200;
    // One message a send: the SDK sends a batch (or an array) as one
    // message of format 0x80013700, which famqp-broker's Service Bus
    // queues do not split yet.
    for (let i = 0; i < n; i++)
        await sender.sendMessages({ body: `message ${i}`, applicationProperties: { i }, messageId: `m-${i}` });
    const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
    const got = [];
    for (let tries = 0; got.length < n && tries < 20; tries++)
        got.push(...(await receiver.receiveMessages(n - got.length, { maxWaitTimeInMs: 2000 })));
    check(got.length === n, `received ${got.length} of ${n}`);
    got.forEach((m, i) => check(m.body === `message ${i}` && m.applicationProperties.i === i && m.messageId === `m-${i}`,
        `message ${i}: ${JSON.stringify({ body: m.body, props: m.applicationProperties, id: m.messageId })}`));
    await receiver.close();
    await sender.sendMessages({ body: "locked" });
    const locker = client.createReceiver(queue, { receiveMode: "peekLock", maxAutoLockRenewalDurationInMs: 0 });
    const [one] = await locker.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    check(one && one.body === "locked", `peekLock: ${one && one.body}`);
    await locker.completeMessage(one);
    const rest = await locker.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    check(rest.length === 0, `${rest.length} message(s) left after complete`);
    await locker.close();
    await client.close();
    return `over wss:// (AMQPWSB10): ${n} messages sent and received in order (receiveAndDelete); ` +
        "one received in peekLock and completed";
}

main().then((what) => {
    console.log(`ok: ${what}`);
    process.exit(0);
}, (err) => {
    console.error(`FAILED: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
});
