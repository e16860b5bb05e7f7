#!/usr/bin/env node
// rhea as a client, for flatamqp's interop tests (against famqp-broker).
//
//   node client.js send URL ADDRESS COUNT [--size N] [--settled] [--ca FILE] [--timeout S]
//   node client.js recv URL ADDRESS COUNT [--size N] [--settled] [--ca FILE] [--timeout S]
//
// send: message i has message-id i (ulong), application-properties
// {seq: i} and a binary (data) body of N bytes: i as 8 big-endian bytes,
// then byte k = (i + k) mod 251; exits 0 once all COUNT are sent and
// (unless --settled, which sends pre-settled) accepted.
// recv: exits 0 once COUNT messages arrived with seq 0..COUNT-1 in order,
// each body exactly as sent; --settled asks for pre-settled deliveries and
// checks they arrive settled.  URL is amqp[s]://[user:pass@]host:port;
// amqps verifies the server against --ca.  One summary line either way.
'use strict';

const fs = require('fs');
const rhea = require('rhea');

function usage() {
    process.stderr.write('usage: client.js send|recv URL ADDRESS COUNT [--size N] [--settled] [--ca FILE] [--timeout S]\n');
    process.exit(2);
}

const argv = process.argv.slice(2);
if (argv.length < 4) usage();
const [mode, urlText, address, countText] = argv;
const count = Number(countText);
const args = { size: 16, settled: false, ca: null, timeout: 40 };
for (let i = 4; i < argv.length; i++) {
    if (argv[i] === '--size') args.size = Number(argv[++i]);
    else if (argv[i] === '--settled') args.settled = true;
    else if (argv[i] === '--ca') args.ca = argv[++i];
    else if (argv[i] === '--timeout') args.timeout = Number(argv[++i]);
    else usage();
}
if (!['send', 'recv'].includes(mode) || !Number.isInteger(count) || count < 0 || args.size < 8) usage();

function body(seq, size) {
    const b = Buffer.alloc(size);
    b.writeBigUInt64BE(BigInt(seq), 0);
    for (let k = 8; k < size; k++) b[k] = (seq + k) % 251;
    return b;
}

const url = new URL(urlText);
const options = {
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'amqps:' ? 5671 : 5672),
    reconnect: false,
    container_id: 'rhea-test-client-' + process.pid,
};
if (url.username) {
    options.username = decodeURIComponent(url.username);
    options.password = decodeURIComponent(url.password);
}
if (url.protocol === 'amqps:') {
    options.transport = 'tls';
    options.servername = url.hostname;
    if (args.ca) options.ca = [fs.readFileSync(args.ca)];
}

let failed = null;
let done = false;
const container = rhea.create_container();
const timer = setTimeout(() => finish('timeout after ' + args.timeout + ' s (' + progress() + ')'), args.timeout * 1000);
let sent = 0, accepted = 0, received = 0;
function progress() {
    return mode === 'send' ? 'sent ' + sent + ', accepted ' + accepted : 'received ' + received;
}

function finish(error) {
    if (done) return;
    done = true;
    failed = error || null;
    clearTimeout(timer);
    if (connection && connection.is_open() && !error) {
        connection.close();
        connection.once('connection_close', report);
        setTimeout(report, 5000);
    } else {
        report();
    }
}
let reported = false;
function report() {
    if (reported) return;
    reported = true;
    if (failed) console.log('rhea ' + mode + ': FAILED: ' + failed);
    else console.log('rhea ' + mode + ': ' + count + ' messages of ' + args.size + ' bytes ok' + (args.settled ? ' (pre-settled)' : ''));
    process.exit(failed ? 1 : 0);
}

container.on('connection_error', (context) => {
    // SASL failures land in transport_error, not in connection.error.
    const e = context.connection.error || context.connection.transport_error || context.error;
    finish('connection error: ' + (e ? (e.condition || '') + ': ' + (e.description || e.message || e) : '?'));
});
container.on('disconnected', (context) => {
    if (!done) finish('disconnected: ' + (context.error ? context.error.message || context.error : 'connection lost'));
});
container.on('error', (e) => finish('error: ' + e));

// rhea's send() only queues: a pre-settled message is gone once written,
// and closing earlier drops whatever rhea still holds (it waits for credit
// and for the peer's session window).  Wait until its session has written
// every queued delivery (an internal field: rhea has no event for it).
function whenWritten(sender, then) {
    const out = sender.session.outgoing;
    const poll = setInterval(() => {
        if (out.next_pending_delivery >= out.next_delivery_id) {
            clearInterval(poll);
            then();
        }
    }, 10);
}

const connection = container.connect(options);
if (mode === 'send') {
    const sender = connection.open_sender({ target: { address: address }, snd_settle_mode: args.settled ? 1 : 0 });
    sender.on('sendable', (context) => {
        while (context.sender.sendable() && sent < count) {
            context.sender.send({
                message_id: rhea.types.wrap_ulong(sent),
                application_properties: { seq: sent },
                body: rhea.message.data_section(body(sent, args.size)),
            });
            sent++;
        }
        if (args.settled && sent === count) whenWritten(context.sender, () => finish());
        if (count === 0) finish();
    });
    sender.on('accepted', () => {
        if (++accepted === count && !args.settled) finish();
    });
    for (const outcome of ['rejected', 'released', 'modified']) {
        sender.on(outcome, (context) => finish('message ' + outcome + ': ' + JSON.stringify(context.delivery.remote_state)));
    }
    sender.on('sender_close', (context) => finish('sender detached: ' + JSON.stringify(context.sender.error)));
} else {
    const receiver = connection.open_receiver({
        source: { address: address },
        snd_settle_mode: args.settled ? 1 : 0,
        credit_window: 200,
    });
    receiver.on('message', (context) => {
        const m = context.message;
        const seq = m.application_properties ? m.application_properties.seq : undefined;
        if (seq !== received) return finish('expected seq ' + received + ', got ' + seq);
        if (Number(m.message_id) !== received) return finish('message ' + received + ': message-id ' + m.message_id);
        const b = m.body && m.body.content !== undefined ? m.body.content : m.body;
        if (!Buffer.isBuffer(b) || !b.equals(body(received, args.size)))
            return finish('message ' + received + ': body differs from what was sent');
        if (args.settled && !context.delivery.remote_settled)
            return finish('message ' + received + ' arrived unsettled, asked for pre-settled');
        if (++received === count) finish();
    });
    receiver.on('receiver_close', (context) => finish('receiver detached: ' + JSON.stringify(context.receiver.error)));
    if (count === 0) finish();
}
