#!/usr/bin/env node
// tests/interop/rhea/broker.js (rhea's queue broker, unchanged) with a
// WebSocket listener in front of the same container: rhea's
// websocket_accept over the `ws` package, as a foreign AMQP-over-WebSocket
// server for flatamqp's tests.
//
//   node ws_broker.js [--ws-listen HOST:PORT] [--wss-listen HOST:PORT --tls-cert F --tls-key F]
//                     [--chunk BYTES] [--program FILE] [broker.js options...]
//
// --program FILE puts another rhea program of ../rhea in place of
// broker.js (e.g. cbs_peer.js); the options ws_broker.js does not know go
// to it (--tls-cert and --tls-key then only to the wss listener).  Every
// upgrade's request path is printed on stderr: "ws path PATH".
// The subprotocol chosen is AMQPWSB10 when offered, else amqp (what
// Microsoft's services accept); a client offering neither is refused.
// --chunk BYTES splits every AMQP write into WebSocket frames of at most
// BYTES payload (one fragmented binary message: a first frame and
// continuations), so small frames reach the client.  Prints
// "ws listening on HOST:PORT" (and "wss listening on HOST:PORT") after
// broker.js's own "listening on" line, and "ws close CODE" on stderr when
// a WebSocket connection ends.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { WebSocketServer } = require('ws');

const brokerDir = path.join(__dirname, '..', 'rhea');
const rhea = require(require.resolve('rhea', { paths: [brokerDir] }));

const ours = { ws: null, wss: null, cert: null, key: null, chunk: 0 };
const rest = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ws-listen') ours.ws = argv[++i];
    else if (a === '--wss-listen') ours.wss = argv[++i];
    else if (a === '--chunk') ours.chunk = Number(argv[++i]);
    else if (a === '--program') ours.program = path.resolve(argv[++i]);
    else {
        if (a === '--tls-cert') ours.cert = argv[i + 1];
        if (a === '--tls-key') ours.key = argv[i + 1];
        rest.push(a);
    }
}
if (!ours.ws && !ours.wss) ours.ws = '127.0.0.1:0';

// broker.js makes its container with rhea.create_container: keep it.
let container = null;
const create = rhea.create_container;
rhea.create_container = function (o) {
    container = create.call(rhea, o);
    return container;
};
const program = ours.program || path.join(brokerDir, 'broker.js');
const programArgs = ours.program ? rest.filter((a, i) => !/^--tls-(cert|key)$/.test(a) && !/^--tls-(cert|key)$/.test(rest[i - 1])) : rest;
process.argv = [process.argv[0], program].concat(programArgs);
require(program);

// A ws socket whose sends are split into frames of at most chunk bytes.
function chunked(ws, chunk) {
    if (!chunk) return ws;
    return new Proxy(ws, {
        get(target, prop) {
            if (prop === 'send') {
                return (data, opts) => {
                    const buf = Buffer.from(data.buffer ? data.buffer : data, data.byteOffset || 0, data.byteLength);
                    for (let off = 0; off < buf.length; off += chunk) {
                        const end = Math.min(off + chunk, buf.length);
                        target.send(buf.subarray(off, end), Object.assign({}, opts, { binary: true, fin: end === buf.length }));
                    }
                };
            }
            const v = target[prop];
            return typeof v === 'function' ? v.bind(target) : v;
        },
        set(target, prop, value) {
            target[prop] = value;
            return true;
        },
    });
}

function protocol(offered) {
    if (offered.has('AMQPWSB10')) return 'AMQPWSB10';
    if (offered.has('amqp')) return 'amqp';
    return false;
}

function listen(hostport, tls) {
    const i = hostport.lastIndexOf(':');
    const host = hostport.slice(0, i).replace(/^\[|\]$/g, ''), port = Number(hostport.slice(i + 1));
    const server = tls ? https.createServer({ cert: fs.readFileSync(ours.cert), key: fs.readFileSync(ours.key) })
        : http.createServer();
    const wss = new WebSocketServer({ server, handleProtocols: protocol, perMessageDeflate: false });
    wss.on('connection', (ws, req) => {
        process.stderr.write('ws path ' + req.url + '\n');
        // The close code the client's close frame carried (1005: none;
        // 1006: the socket closed without a close frame), for the tests.
        ws.on('close', (code) => process.stderr.write('ws close ' + code + '\n'));
        container.websocket_accept(chunked(ws, ours.chunk), {});
    });
    return new Promise((resolve) => server.listen(port, host, () => {
        const a = server.address();
        resolve((tls ? 'wss' : 'ws') + ' listening on ' + a.address + ':' + a.port + '\n');
    }));
}

// After broker.js printed its line (its listeners come first).
setImmediate(() => {
    const ready = [];
    if (ours.ws) ready.push(listen(ours.ws, false));
    if (ours.wss) ready.push(listen(ours.wss, true));
    Promise.all(ready).then((lines) => process.stdout.write(lines.join('')));
});
