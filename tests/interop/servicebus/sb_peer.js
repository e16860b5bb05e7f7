#!/usr/bin/env node
// Test support: a Service Bus stand-in on rhea (a foreign AMQP stack) for
// the Service Bus interop proof (servicebus.sh).  It serves the queue "q":
// four peek-lock messages (16-byte delivery tags, x-opt-* annotations,
// header delivery-count), each settlement answered with a settled
// accepted; "q/$management" answers com.microsoft:renew-lock with
// statusCode 200 and {"expirations": [...]} (and "sq/$management"
// com.microsoft:renew-session-lock with {"expiration": ...}); "sq" is the same queue with
// sessions (the session asked for is granted, "granted-7" for the next
// available one, with com.microsoft:locked-until-utc); "$cbs" accepts every
// put-token (202).  What the client sends is appended to LOG as JSON
// lines, with the AMQP type of every value (from the raw bytes), and with
// what differs by design between clients (link names, message ids,
// tracking ids, reply-to addresses) replaced by what it must be:
//   {"event":"attach", ...}        the receiver link on "q"
//   {"event":"disposition", ...}   each settlement of a message
//   {"event":"request", ...}       each $management request
//
//   node sb_peer.js --log FILE [--listen HOST:PORT]
//
// Prints "listening on HOST:PORT"; SIGTERM exits 0.
'use strict';

const fs = require('fs');
const rhea = require('rhea');

const o = { listen: '127.0.0.1:0' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--log') o.log = argv[++i];
    else if (argv[i] === '--listen') o.listen = argv[++i];
    else { process.stderr.write('sb_peer.js: unknown option ' + argv[i] + '\n'); process.exit(2); }
}
if (!o.log) { process.stderr.write('usage: sb_peer.js --log FILE [--listen HOST:PORT]\n'); process.exit(2); }

const MESSAGES = 4;
const LOCKED_UNTIL = 1700000000000;
const RENEWED = 1800000000000;
// The session lock's end granted: 2024-01-02T03:04:05.678Z in .NET ticks.
const SESSION_LOCKED_UNTIL_TICKS = Buffer.alloc(8);
SESSION_LOCKED_UNTIL_TICKS.writeBigInt64BE(638397614456780000n);

function record(r) { fs.appendFileSync(o.log, JSON.stringify(r) + '\n'); }

// The AMQP type of a format code, whatever width the encoder chose.
const TYPES = {
    0x40: 'null', 0x56: 'boolean', 0x41: 'boolean', 0x42: 'boolean', 0x50: 'ubyte', 0x60: 'ushort',
    0x70: 'uint', 0x52: 'uint', 0x43: 'uint', 0x80: 'ulong', 0x53: 'ulong', 0x44: 'ulong', 0x51: 'byte',
    0x61: 'short', 0x71: 'int', 0x54: 'int', 0x81: 'long', 0x55: 'long', 0x72: 'float', 0x82: 'double',
    0x73: 'char', 0x83: 'timestamp', 0x98: 'uuid', 0xa0: 'binary', 0xb0: 'binary', 0xa1: 'string',
    0xb1: 'string', 0xa3: 'symbol', 0xb3: 'symbol', 0x45: 'list', 0xc0: 'list', 0xd0: 'list', 0xc1: 'map',
    0xd1: 'map', 0xe0: 'array', 0xf0: 'array',
};

// A rhea typed value as {type: value}, recursively (null stays null).
function canon(t) {
    if (t === undefined || t === null) return null;
    if (!t.type || t.type.typecode === undefined) return { js: t };
    const type = TYPES[t.type.typecode] || ('0x' + t.type.typecode.toString(16));
    if (t.descriptor !== undefined) return { described: canon(t.descriptor), value: canon(Object.assign({}, t, { descriptor: undefined })) };
    let v = t.value;
    if (type === 'null') return null;
    if (type === 'map') {
        const pairs = [];
        for (let i = 0; i + 1 < v.length; i += 2) pairs.push([canon(v[i]), canon(v[i + 1])]);
        v = pairs;
    } else if (type === 'list' || type === 'array') {
        v = (v || []).map((e) => (e && e.type ? canon(e) : { js: Buffer.isBuffer(e) ? e.toString('hex') : e }));
    } else if (Buffer.isBuffer(v)) {
        v = v.toString('hex');
    } else if (v instanceof Date) {
        v = v.getTime();
    }
    const r = {};
    r[type] = v;
    return r;
}

// The message's sections as encoded: rhea's decoder, with the raw bytes kept.
let lastRaw = null;
const decode = rhea.message.decode;
rhea.message.decode = function (buf) { lastRaw = buf; return decode(buf); };
// A section's value without its descriptor.
function bare(section) { return Object.assign({}, section, { descriptor: undefined }); }
function rawSections(buf) {
    const out = {};
    const reader = new rhea.types.Reader(buf);
    while (reader.remaining() > 0) {
        const s = reader.read();
        out[Number(s.descriptor.value)] = s;
    }
    return out;
}

function tagOf(i) {
    const b = Buffer.alloc(16);
    b[0] = i;
    for (let k = 1; k < 16; k++) b[k] = 0x11 * k;
    return b;
}
// The lock token (as a uuid's bytes, hex) of message i: its tag as a .NET GUID.
function tokenOf(i) {
    const t = tagOf(i);
    return Buffer.from([t[3], t[2], t[1], t[0], t[5], t[4], t[7], t[6], ...t.subarray(8)]).toString('hex');
}

const container = rhea.create_container({ id: 'sb-peer' });
container.sasl_server_mechanisms = {};
container.sasl_server_mechanisms['ANONYMOUS'] = function () {
    return { start: function () { this.outcome = true; this.username = 'anonymous'; } };
};
// SDKs authenticate with SASL PLAIN-less MSSBCBS or ANONYMOUS; accept either.
container.sasl_server_mechanisms['MSSBCBS'] = container.sasl_server_mechanisms['ANONYMOUS'];

// {"com.microsoft:receiver-name": any string} becomes "<a string>" (each
// client names its receiver its own way), com.microsoft:timeout's value
// "<a uint>".
function replaceNames(pairs) {
    return pairs.map(([k, v]) => {
        const key = k && (k.symbol || k.string);
        if (key === 'com.microsoft:receiver-name' && v && typeof v.string === 'string') return [k, '<a string>'];
        // the SDK sends the time its operation has left: any uint
        if (key === 'com.microsoft:timeout' && v && typeof v.uint === 'number') return [k, '<a uint>'];
        return [k, v];
    });
}

container.on('sender_open', (ctx) => {
    const s = ctx.sender;
    const address = s.source && s.source.address;
    if (address === 'q' || address === 'sq') {
        const a = s.remote.attach;
        const raw = a.value || [];
        const props = raw[13] ? canon(raw[13]) : null;
        const source = raw[5] && raw[5].value; // the source's fields, as encoded
        const filter = source && source[7] ? canon(source[7]) : null;
        record({
            event: 'attach',
            address: address,
            snd_settle_mode: a.snd_settle_mode,
            rcv_settle_mode: a.rcv_settle_mode,
            properties: props && props.map ? replaceNames(props.map) : props,
            filter: filter,
        });
        ctx.connection.receiverName = s.name;
        if (address === 'sq') {
            // the session asked for, or (null) the next available one
            const asked = s.source.filter && s.source.filter['com.microsoft:session-filter'];
            s.sbSession = typeof asked === 'string' ? asked : 'granted-7';
            s.set_source({ address: address, filter: { 'com.microsoft:session-filter': s.sbSession } });
            s.local.attach.properties = { 'com.microsoft:locked-until-utc': rhea.types.wrap_long(SESSION_LOCKED_UNTIL_TICKS) };
        } else {
            s.set_source({ address: address });
        }
        s.set_target(s.target);
        s.open();
        s.next = 0;
        return;
    }
    s.set_source(s.source);
    s.set_target(s.target);
    s.open();
});
container.on('receiver_open', (ctx) => {
    ctx.receiver.set_target(ctx.receiver.target);
    ctx.receiver.set_source(ctx.receiver.source);
    ctx.receiver.open();
});
container.on('sendable', (ctx) => {
    const s = ctx.sender;
    if (!(s.source && (s.source.address === 'q' || s.source.address === 'sq'))) return;
    // rhea takes credit when it writes a transfer, not when send() queues
    // it: count what is queued, or a delivery waiting for credit would hold
    // up every later one of the session (replies included).
    while (s.next < MESSAGES && s.sendable() && s.credit - (s.next - s.delivery_count) > 0) {
        const i = s.next++;
        s.send({
            message_id: 'msg-' + i,
            group_id: s.sbSession,
            delivery_count: i,
            message_annotations: {
                'x-opt-locked-until': new Date(LOCKED_UNTIL + i),
                'x-opt-sequence-number': rhea.types.wrap_long(100 + i),
                'x-opt-enqueued-time': new Date(LOCKED_UNTIL - 60000),
            },
            body: 'message ' + i,
        }, tagOf(i));
    }
});

function onOutcome(ctx) {
    const d = ctx.delivery;
    if (!(d.link.source && (d.link.source.address === 'q' || d.link.source.address === 'sq'))) return;
    const st = d.remote_state;
    if (d.recorded) return; // rhea reports a modified outcome as released too
    d.recorded = true;
    // trailing nulls are absent fields
    const fields = (st.value || []).map((e) => canon(e));
    while (fields.length && fields[fields.length - 1] === null) fields.pop();
    record({
        event: 'disposition',
        message: d.tag[0],
        settled: !!d.remote_settled,
        outcome: st.constructor.composite_type,
        fields: fields,
    });
    if (!d.remote_settled) d.update(true, rhea.message.accepted().described());
}
for (const ev of ['accepted', 'rejected', 'released', 'modified']) container.on(ev, onOutcome);

container.on('message', (ctx) => {
    const address = ctx.receiver.target && ctx.receiver.target.address;
    const m = ctx.message;
    const raw = lastRaw ? rawSections(lastRaw) : {};
    ctx.delivery.accept();
    let ap = { 'status-code': 202, 'status-description': 'Accepted' };
    let body = null;
    if (address === 'q/$management' || address === 'sq/$management') {
        const props = raw[0x74] ? canon(bare(raw[0x74])) : null;
        const tokens = new Map();
        for (let i = 0; i < MESSAGES; i++) tokens.set(tokenOf(i), 'lock token of message ' + i);
        let value = raw[0x77] ? canon(bare(raw[0x77])) : null;
        // lock tokens named by message; ids that differ by design checked, then named
        const pairs = (props && props.map) || [];
        const named = pairs.map(([k, v]) => {
            const key = k && (k.string || k.symbol);
            if (key === 'com.microsoft:tracking-id') {
                const ok = v && typeof v.string === 'string' && /^[0-9a-f-]{36}$/i.test(v.string);
                return [k, ok ? '<a uuid as text>' : v];
            }
            if (key === 'associated-link-name')
                return [k, v && v.string === ctx.connection.receiverName ? '<the receiver link name>' : v];
            return [k, v];
        });
        const json = JSON.stringify(value).replace(/"uuid":"([0-9a-f]{32})"/g,
            (all, hex) => (tokens.has(hex) ? '"uuid":"' + tokens.get(hex) + '"' : all));
        value = JSON.parse(json);
        record({
            event: 'request',
            node: address,
            has_message_id: m.message_id !== undefined,
            has_reply_to: typeof m.reply_to === 'string',
            application_properties: named.sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))),
            body: value,
        });
        ap = { statusCode: 200 };
        if ((m.application_properties || {}).operation === 'com.microsoft:renew-session-lock') {
            body = { expiration: new Date(RENEWED) };
        } else {
            const n = m.body && m.body['lock-tokens'] ? m.body['lock-tokens'].length : 0;
            const exps = [];
            for (let i = 0; i < n; i++) exps.push(RENEWED + i);
            body = { expirations: rhea.types.wrap_array(exps, 0x83) };
        }
    }
    // The link back: the one whose target is reply-to, else the one from the same node.
    const reply = ctx.connection.find_sender((s) => s.target && s.target.address === m.reply_to) ||
        ctx.connection.find_sender((s) => s.source && s.source.address === address);
    if (!reply) return;
    reply.send({ correlation_id: m.message_id, application_properties: ap, body: body });
});
container.on('error', () => {});
container.on('connection_error', () => {});
container.on('protocol_error', () => {});

const [host, port] = [o.listen.slice(0, o.listen.lastIndexOf(':')), Number(o.listen.slice(o.listen.lastIndexOf(':') + 1))];
const server = container.listen({ host: host, port: port });
server.on('listening', () => {
    const a = server.address();
    process.stdout.write('listening on ' + a.address + ':' + a.port + '\n');
});
server.on('error', (e) => { process.stderr.write('sb_peer.js: ' + e.message + '\n'); process.exit(1); });
const stop = () => { server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
