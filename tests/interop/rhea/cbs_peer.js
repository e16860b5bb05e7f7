#!/usr/bin/env node
// Test support: a CBS peer on rhea (a foreign AMQP stack) for flatamqp's
// claims-based-security tests (cbs.sh).  It serves `$cbs`: a put-token's
// SAS token is checked with Node's crypto (HMAC-SHA256 of the URL-encoded
// audience + "\n" + expiry, with the test key) and answered 200 or 401;
// links to any other address are refused (amqp:unauthorized-access) unless
// the connection put a valid, unexpired token for audience PREFIX+address.
// Allowed links act as a queue per address (messages kept in memory).
//
//   node cbs_peer.js --listen HOST:PORT --key-name N --key K --log FILE
//                    [--audience-prefix P] [--mssbcbs] [--verbose]
//
// --mssbcbs offers SASL MSSBCBS only (else ANONYMOUS only).  Every
// put-token, refused link and received message is appended to FILE as a
// JSON line.  Prints "listening on HOST:PORT"; SIGTERM exits 0.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const rhea = require('rhea');

const o = { listen: '127.0.0.1:0', prefix: 'sb://127.0.0.1/', mssbcbs: false, verbose: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--listen') o.listen = v();
    else if (a === '--key-name') o.keyName = v();
    else if (a === '--key') o.key = v();
    else if (a === '--log') o.log = v();
    else if (a === '--audience-prefix') o.prefix = v();
    else if (a === '--mssbcbs') o.mssbcbs = true;
    else if (a === '--verbose') o.verbose = true;
    else { process.stderr.write('cbs_peer.js: unknown option ' + a + '\n'); process.exit(2); }
}
if (!o.keyName || !o.key || !o.log) {
    process.stderr.write('usage: cbs_peer.js --listen HOST:PORT --key-name N --key K --log FILE\n');
    process.exit(2);
}

function record(r) {
    r.t = Date.now() / 1000;
    fs.appendFileSync(o.log, JSON.stringify(r) + '\n');
    if (o.verbose) process.stderr.write(JSON.stringify(r) + '\n');
}

// "SharedAccessSignature sr=..&sig=..&se=..&skn=..": null when it is not
// valid for audience now, else its expiry.
function checkSas(token, audience) {
    const m = /^SharedAccessSignature (.*)$/.exec(typeof token === 'string' ? token : '');
    if (!m) return { ok: false, why: 'not a SAS token' };
    const f = {};
    for (const kv of m[1].split('&')) {
        const eq = kv.indexOf('=');
        if (eq > 0) f[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    if (!f.sr || !f.sig || !f.se || !f.skn) return { ok: false, why: 'SAS token misses a field' };
    if (decodeURIComponent(f.skn) !== o.keyName) return { ok: false, why: 'unknown key name' };
    if (decodeURIComponent(f.sr) !== audience) return { ok: false, why: 'token is for ' + decodeURIComponent(f.sr) };
    const se = Number(f.se);
    if (!(se > Date.now() / 1000)) return { ok: false, why: 'token expired' };
    const want = crypto.createHmac('sha256', Buffer.from(o.key, 'utf8')).update(f.sr + '\n' + f.se).digest('base64');
    if (decodeURIComponent(f.sig) !== want) return { ok: false, why: 'InvalidSignature: the token signature is invalid' };
    return { ok: true, expiry: se };
}

const queues = new Map(); // address -> { msgs: [], consumers: [] }
function queue(address) {
    if (!queues.has(address)) queues.set(address, { msgs: [], consumers: [] });
    return queues.get(address);
}
function pump(q) {
    for (const s of q.consumers) {
        while (q.msgs.length && s.sendable()) s.send(q.msgs.shift());
    }
}

const container = rhea.create_container({ id: 'cbs-peer' });
container.sasl_server_mechanisms = {};
if (o.mssbcbs) {
    container.sasl_server_mechanisms['MSSBCBS'] = function () {
        return { start: function (response) { this.outcome = true; this.username = 'cbs'; record({ event: 'sasl', mechanism: 'MSSBCBS', response_len: response ? response.length : 0 }); } };
    };
} else {
    container.sasl_server_mechanisms['ANONYMOUS'] = function () {
        return { start: function () { this.outcome = true; this.username = 'anonymous'; } };
    };
}

function tokensOf(conn) {
    if (!conn.cbsTokens) conn.cbsTokens = new Map();
    return conn.cbsTokens;
}
function allowed(conn, address) {
    const e = tokensOf(conn).get(o.prefix + address);
    return e !== undefined && e > Date.now() / 1000;
}
function refuse(link, address) {
    record({ event: 'refused', address: address });
    link.close({ condition: 'amqp:unauthorized-access', description: 'no valid token for ' + o.prefix + address });
}

container.on('sender_open', (ctx) => {
    const address = ctx.sender.source && ctx.sender.source.address;
    if (address === '$cbs') {
        ctx.sender.set_source({ address: '$cbs' });
        ctx.sender.set_target({ address: ctx.sender.target && ctx.sender.target.address });
        ctx.sender.open();
        return;
    }
    if (!allowed(ctx.connection, address)) return refuse(ctx.sender, address);
    ctx.sender.set_source({ address: address });
    ctx.sender.set_target(ctx.sender.target);
    ctx.sender.open();
    queue(address).consumers.push(ctx.sender);
});
container.on('receiver_open', (ctx) => {
    const address = ctx.receiver.target && ctx.receiver.target.address;
    if (address !== '$cbs' && !allowed(ctx.connection, address)) return refuse(ctx.receiver, address);
    ctx.receiver.set_target({ address: address });
    ctx.receiver.set_source(ctx.receiver.source);
    ctx.receiver.open();
});
container.on('sendable', (ctx) => {
    const a = ctx.sender.source && ctx.sender.source.address;
    if (a && a !== '$cbs') pump(queue(a));
});
function dropConsumer(link) {
    for (const q of queues.values()) q.consumers = q.consumers.filter((s) => s !== link);
}
container.on('sender_close', (ctx) => dropConsumer(ctx.sender));
container.on('disconnected', (ctx) => { for (const l of ctx.connection.find_all_senders ? ctx.connection.find_all_senders() : []) dropConsumer(l); });

container.on('message', (ctx) => {
    const address = ctx.receiver.target && ctx.receiver.target.address;
    const m = ctx.message;
    if (address !== '$cbs') {
        if (!allowed(ctx.connection, address)) {
            ctx.delivery.reject({ condition: 'amqp:unauthorized-access', description: 'token expired' });
            record({ event: 'rejected', address: address, body: String(m.body) });
            return;
        }
        record({ event: 'msg', address: address, body: typeof m.body === 'string' ? m.body : String(m.body) });
        const q = queue(address);
        q.msgs.push({ body: m.body, application_properties: m.application_properties });
        ctx.delivery.accept();
        pump(q);
        return;
    }
    const ap = m.application_properties || {};
    let status = 200, desc = 'OK';
    if (ap.operation !== 'put-token') {
        status = 400; desc = 'unknown operation ' + ap.operation;
    } else {
        const r = checkSas(m.body, ap.name);
        if (r.ok) tokensOf(ctx.connection).set(ap.name, r.expiry);
        else { status = 401; desc = r.why; }
    }
    record({ event: 'put', audience: ap.name, type: ap.type, expiration: ap.expiration, status: status, description: desc });
    ctx.delivery.accept();
    const reply = ctx.connection.find_sender((s) => s.target && s.target.address === m.reply_to);
    if (!reply) return;
    reply.send({
        correlation_id: rhea.types.wrap_ulong(m.message_id),
        to: m.reply_to,
        application_properties: { 'status-code': status, 'status-description': desc },
        body: null,
    });
});
container.on('error', (e) => { if (o.verbose) process.stderr.write('error: ' + e + '\n'); });
container.on('connection_error', () => {});
container.on('protocol_error', () => {});

const [host, port] = [o.listen.slice(0, o.listen.lastIndexOf(':')), Number(o.listen.slice(o.listen.lastIndexOf(':') + 1))];
const server = container.listen({ host: host, port: port });
server.on('listening', () => {
    const a = server.address();
    process.stdout.write('listening on ' + a.address + ':' + a.port + '\n');
});
server.on('error', (e) => { process.stderr.write('cbs_peer.js: ' + e.message + '\n'); process.exit(1); });
const stop = () => { server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
