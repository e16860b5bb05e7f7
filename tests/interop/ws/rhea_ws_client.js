// rhea as a foreign AMQP-over-WebSockets client of famqp-broker's
// --ws-listen: rhea's websocket_connect over the `ws` package (subprotocol
// AMQPWSB10, as Microsoft's SDKs offer it), COUNT messages sent to a
// queue and received back on a second connection, bodies and order
// checked.  usage: node rhea_ws_client.js URL COUNT
//   URL ws://HOST:PORT/$servicebus/websocket (wss:// with NODE_EXTRA_CA_CERTS)
// Prints "ok: ..." and exits 0, or "FAILED: ..." and exits 1.
"use strict";
const path = require("path");
const WebSocket = require(path.join(__dirname, "node_modules", "ws"));
const rhea = require(require.resolve("rhea", { paths: [path.join(__dirname, "..", "rhea")] }));

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const address = "rhea-ws";
const fail = (what) => {
    console.error(`FAILED: ${what}`);
    process.exit(1);
};
setTimeout(() => fail("timed out after 60 s"), 60000).unref();

function connect(container) {
    const ws = container.websocket_connect(WebSocket);
    return container.connect({
        connection_details: ws(url, ["AMQPWSB10"], {}),
        reconnect: false,
        container_id: "rhea-ws-client",
    });
}

const sender = rhea.create_container();
let accepted = 0;
sender.on("sendable", (ctx) => {
    while (ctx.sender.sendable() && ctx.sender.sent < count) {
        ctx.sender.send({ message_id: ctx.sender.sent, body: `message ${ctx.sender.sent}` });
        ctx.sender.sent++;
    }
});
sender.on("accepted", (ctx) => {
    if (++accepted === count) {
        ctx.connection.close();
        receive();
    }
});
sender.on("error", (ctx) => fail(`sender: ${ctx.error || ctx.connection.error}`));
sender.on("disconnected", (ctx) => {
    if (accepted < count) fail(`sender disconnected after ${accepted} accepted: ${ctx.error}`);
});
const sc = connect(sender);
const link = sc.open_sender(address);
link.sent = 0;

function receive() {
    const receiver = rhea.create_container();
    let next = 0;
    receiver.on("message", (ctx) => {
        const m = ctx.message;
        if (m.message_id !== next || m.body !== `message ${next}`)
            fail(`message ${next}: id ${m.message_id}, body ${JSON.stringify(m.body)}`);
        if (++next === count) {
            console.log(`ok: rhea sent ${count} messages over ${url.split(":")[0]}:// (AMQPWSB10) and received them ` +
                "back in order");
            ctx.connection.close();
        }
    });
    receiver.on("connection_close", () => process.exit(next === count ? 0 : 1));
    receiver.on("error", (ctx) => fail(`receiver: ${ctx.error || ctx.connection.error}`));
    receiver.on("disconnected", (ctx) => {
        if (next < count) fail(`receiver disconnected after ${next}: ${ctx.error}`);
    });
    connect(receiver).open_receiver(address);
}
