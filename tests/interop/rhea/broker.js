#!/usr/bin/env node
// A small in-memory AMQP 1.0 queue broker on rhea's container.listen, used
// as a foreign peer by flatamqp's interop tests.
//
//   node broker.js [--listen HOST:PORT] [--tls-listen HOST:PORT --tls-cert F --tls-key F]
//                  [--user NAME:PASSWORD]... [--allow-anonymous] [--idle-timeout MS]
//                  [--refuse PREFIX] [--verbose]
//
// Queues are created by address on first attach (a sender's target, a
// receiver's source).  Messages from unsettled senders are accepted once
// queued (at-least-once); a consumer gets messages only within the credit
// it granted, round-robin between the consumers of a queue.  Outcomes from
// consumers: accepted (or settled without one) removes the message,
// rejected drops it, released and modified queue it again at the front, and
// whatever is unsettled when its consumer detaches or disconnects is queued
// again.  A consumer that asks for snd-settle-mode settled gets pre-settled
// messages (at-most-once).  A drain request is answered by sending what is
// queued and giving the rest of the credit back.
//
// --user (repeatable) requires SASL PLAIN with one of those users (plus
// ANONYMOUS with --allow-anonymous); without it SASL ANONYMOUS or bare AMQP
// are accepted.  --refuse PREFIX refuses attaches to addresses starting with
// PREFIX (amqp:not-found).  --idle-timeout MS is advertised in open.
// Prints "listening on HOST:PORT" (and "tls listening on HOST:PORT") once
// ready; SIGTERM or SIGINT closes the listeners and connections and exits 0.
'use strict';

const fs = require('fs');
const rhea = require('rhea');
const rheaMessage = require('rhea/lib/message.js');

// rhea hands receivers only the decoded message.  A broker must forward
// what it got byte for byte (decoding and re-encoding in JS loses AMQP types
// such as ulong message-ids or ubyte properties), so keep each message's
// encoded bytes next to its decoded form.
const decode = rheaMessage.decode;
rheaMessage.decode = function (buffer) {
    const m = decode(buffer);
    Object.defineProperty(m, 'encoded', { value: Buffer.from(buffer), enumerable: false });
    return m;
};

function usage(out) {
    out.write('usage: broker.js [--listen HOST:PORT] [--tls-listen HOST:PORT --tls-cert FILE --tls-key FILE]\n' +
        '                 [--user NAME:PASSWORD]... [--allow-anonymous] [--idle-timeout MS]\n' +
        '                 [--refuse PREFIX] [--verbose]\n');
}

function parseArgs(argv) {
    const o = { listen: '127.0.0.1:0', users: new Map(), anonymous: false, idle: 0, refuse: null, verbose: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) throw new Error(a + ' needs a value');
            return argv[++i];
        };
        if (a === '--help' || a === '-h') { usage(process.stdout); process.exit(0); }
        else if (a === '--listen') o.listen = value();
        else if (a === '--tls-listen') o.tlsListen = value();
        else if (a === '--tls-cert') o.tlsCert = value();
        else if (a === '--tls-key') o.tlsKey = value();
        else if (a === '--user') {
            const v = value();
            const colon = v.indexOf(':');
            if (colon <= 0) throw new Error('--user needs NAME:PASSWORD');
            o.users.set(v.slice(0, colon), v.slice(colon + 1));
        } else if (a === '--allow-anonymous') o.anonymous = true;
        else if (a === '--idle-timeout') o.idle = Number(value());
        else if (a === '--refuse') o.refuse = value();
        else if (a === '--verbose' || a === '-v') o.verbose = true;
        else throw new Error('unknown argument ' + a);
    }
    if (o.tlsListen && !(o.tlsCert && o.tlsKey)) throw new Error('--tls-listen needs --tls-cert and --tls-key');
    if (!Number.isInteger(o.idle) || o.idle < 0) throw new Error('--idle-timeout needs milliseconds');
    return o;
}

function splitHostPort(s) {
    const colon = s.lastIndexOf(':');
    if (colon < 0) throw new Error('expected HOST:PORT, got ' + s);
    return { host: s.slice(0, colon) || '127.0.0.1', port: Number(s.slice(colon + 1)) };
}

let opts;
try {
    opts = parseArgs(process.argv.slice(2));
} catch (e) {
    process.stderr.write('broker.js: ' + e.message + '\n');
    usage(process.stderr);
    process.exit(2);
}
const log = opts.verbose ? (...a) => process.stderr.write('broker.js: ' + a.join(' ') + '\n') : () => {};

// ---- queues ---------------------------------------------------------------

class Queue {
    constructor(name) {
        this.name = name;
        this.messages = [];   // encoded messages waiting, oldest first
        this.consumers = [];  // rhea senders attached to this queue
        this.next = 0;        // round-robin position
    }
}
const queues = new Map();
function queue(name) {
    let q = queues.get(name);
    if (!q) { q = new Queue(name); queues.set(name, q); }
    return q;
}

// Per consumer link: the queue and the unsettled deliveries (delivery -> bytes).
const consumerState = new WeakMap();

// The credit a consumer has left.  rhea's sender.credit (and sendable())
// only drop when its session writes a transfer, not on send(), so subtract
// the deliveries queued on this link and not yet written.
function creditLeft(sender) {
    if (!sender.sendable()) return 0;
    const out = sender.session.outgoing;
    let unwritten = 0;
    for (let id = out.next_pending_delivery; id < out.next_delivery_id; id++) {
        const d = out.deliveries.by_id(id);
        if (d && d.link === sender) unwritten++;
    }
    return Math.max(0, sender.credit - unwritten);
}

// Sends what the queue holds to its consumers within their credit, then
// answers pending drains.
function pump(q) {
    const credit = new Map(q.consumers.map((s) => [s, creditLeft(s)]));
    let progress = true;
    while (q.messages.length && progress) {
        progress = false;
        for (let k = 0; k < q.consumers.length && q.messages.length; k++) {
            const sender = q.consumers[(q.next + k) % q.consumers.length];
            if (credit.get(sender) <= 0) continue;
            credit.set(sender, credit.get(sender) - 1);
            const bytes = q.messages.shift();
            const d = sender.send(bytes, undefined, 0);
            if (!d.settled) consumerState.get(sender).unsettled.set(d, bytes);
            q.next = (q.next + k + 1) % q.consumers.length;
            progress = true;
            break;
        }
    }
    for (const sender of q.consumers) {
        if (sender._draining && sender.credit > 0 && !q.messages.length) {
            // set_drained only marks the flow as due; nothing writes it
            // until the connection is registered for output.
            sender.set_drained(true);
            sender.connection._register();
        }
    }
}

// rhea writes a session's transfers before the attach of a link opened in
// the same pass, so a transfer sent from the 'sendable' that follows a
// consumer's attach+flow would name a handle the peer has not seen.  Pump
// on the next turn of the event loop, after rhea has written the attach.
const pumpSoon = new Set();
function schedulePump(q) {
    if (pumpSoon.size === 0) {
        setImmediate(() => {
            const qs = Array.from(pumpSoon);
            pumpSoon.clear();
            qs.forEach(pump);
        });
    }
    pumpSoon.add(q);
}

function requeue(q, bytes) {
    q.messages.unshift(bytes);
}

function dropConsumer(sender) {
    const st = consumerState.get(sender);
    if (!st || st.gone) return;
    st.gone = true;
    const q = st.queue;
    q.consumers = q.consumers.filter((s) => s !== sender);
    // Unsettled deliveries go back to the front in their original order.
    const back = Array.from(st.unsettled.values());
    st.unsettled.clear();
    q.messages.unshift(...back);
    log('consumer', sender.name, 'of', q.name, 'left;', back.length, 'queued again');
    schedulePump(q);
}

function settleOutcome(context, requeueIt) {
    const sender = context.sender;
    const st = consumerState.get(sender);
    if (!st) return;
    const bytes = st.unsettled.get(context.delivery);
    if (bytes === undefined) return;
    st.unsettled.delete(context.delivery);
    if (requeueIt) requeue(st.queue, bytes);
    schedulePump(st.queue);
}

// ---- container ----------------------------------------------------------------

const container = rhea.create_container({ id: 'rhea-test-broker' });
if (opts.users.size) {
    container.sasl_server_mechanisms.enable_plain((user, password) => opts.users.get(user) === password);
    if (opts.anonymous) container.sasl_server_mechanisms.enable_anonymous();
}

function refused(address) {
    return opts.refuse !== null && typeof address === 'string' && address.startsWith(opts.refuse);
}

container.on('connection_open', (context) => log('connection from', context.connection.container_id));

// A peer's receiver: we send from a queue.
container.on('sender_open', (context) => {
    const sender = context.sender;
    const source = sender.remote.attach.source || {};
    const address = source.address;
    sender.local.attach.snd_settle_mode = sender.remote.attach.snd_settle_mode === 1 ? 1 : 0;
    if (!address || refused(address)) {
        // Refusal: attach with no source, then detach with the reason.
        sender.close({ condition: 'amqp:not-found', description: 'no node "' + (address || '') + '" on this broker' });
        return;
    }
    // rhea answers with an empty terminus unless told: echo the peer's.
    sender.set_source({ address: address });
    sender.set_target(sender.remote.attach.target ? { address: sender.remote.attach.target.address } : {});
    const q = queue(address);
    consumerState.set(sender, { queue: q, unsettled: new Map(), gone: false });
    q.consumers.push(sender);
    log('consumer', sender.name, 'on', address, sender.local.attach.snd_settle_mode === 1 ? '(pre-settled)' : '');
});
container.on('sendable', (context) => {
    const st = consumerState.get(context.sender);
    if (st) schedulePump(st.queue);
});
container.on('sender_draining', (context) => {
    const st = consumerState.get(context.sender);
    if (st) schedulePump(st.queue);
});
container.on('accepted', (context) => settleOutcome(context, false));
container.on('rejected', (context) => settleOutcome(context, false));
container.on('released', (context) => settleOutcome(context, true));
container.on('modified', (context) => settleOutcome(context, true));
// Settled without an outcome: the consumer is done with it.
container.on('settled', (context) => {
    if (context.sender) settleOutcome(context, false);
});
container.on('sender_close', (context) => dropConsumer(context.sender));

// A peer's sender: we queue what it sends.
container.on('receiver_open', (context) => {
    const receiver = context.receiver;
    const target = receiver.remote.attach.target || {};
    const address = target.address;
    if (!address || refused(address)) {
        receiver.close({ condition: 'amqp:not-found', description: 'no node "' + (address || '') + '" on this broker' });
        return;
    }
    receiver.set_source(receiver.remote.attach.source ? { address: receiver.remote.attach.source.address } : {});
    receiver.set_target({ address: address });
    queue(address);
    log('producer', receiver.name, 'on', address);
});
container.on('message', (context) => {
    // Accepted automatically (rhea's autoaccept) once this returns.
    const q = queue(context.receiver.remote.attach.target.address);
    q.messages.push(context.message.encoded);
    schedulePump(q);
});

function forgetConnection(connection) {
    for (const q of queues.values()) {
        for (const sender of q.consumers.slice()) {
            if (sender.connection === connection) dropConsumer(sender);
        }
    }
}
container.on('connection_close', (context) => forgetConnection(context.connection));
container.on('disconnected', (context) => forgetConnection(context.connection));
container.on('connection_error', (context) => log('connection error', JSON.stringify(context.connection.error)));
container.on('error', (e) => log('error', e));

// ---- listeners -------------------------------------------------------------

const listenOptions = { idle_time_out: opts.idle || undefined, require_sasl: opts.users.size > 0 && !opts.anonymous };
const servers = [];
const connections = new Set();

function listen(hostport, tls) {
    const hp = splitHostPort(hostport);
    const o = Object.assign({}, listenOptions, { host: hp.host, port: hp.port });
    if (tls) {
        Object.assign(o, { transport: 'tls', cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) });
    }
    const server = container.listen(o);
    servers.push(server);
    server.on('connection', (socket) => {
        connections.add(socket);
        socket.on('close', () => connections.delete(socket));
    });
    server.on('error', (e) => {
        process.stderr.write('broker.js: cannot listen on ' + hostport + ': ' + e.message + '\n');
        process.exit(1);
    });
    return new Promise((resolve) => server.on('listening', () => {
        const a = server.address();
        resolve((tls ? 'tls ' : '') + 'listening on ' + a.address + ':' + a.port + '\n');
    }));
}

const ready = [listen(opts.listen, false)];
if (opts.tlsListen) ready.push(listen(opts.tlsListen, true));
Promise.all(ready).then((lines) => process.stdout.write(lines.join('')));

function stop(sig) {
    log('stopping on', sig);
    for (const server of servers) server.close();
    for (const socket of connections) socket.destroy();
    process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
