#!/usr/bin/env node
// Test support: a small HTTP CONNECT proxy (Node's net and http only) for
// flatamqp's proxy tests.  Tunnels CONNECT host:port to 127.0.0.1 targets
// only; with --user NAME:PASSWORD it wants Basic credentials and answers
// 407 (with Proxy-Authenticate) to a request without or with wrong ones.
//
//   node connect_proxy.js [--listen HOST:PORT] [--user NAME:PASSWORD]
//
// Prints "proxy listening on HOST:PORT" and, on stderr, "connect TARGET"
// for every CONNECT request and "tunnels N" for every tunnel opened (so a
// test can tell the proxy was really used, and where to).
'use strict';

const http = require('http');
const net = require('net');

let listen = '127.0.0.1:0', user = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--listen') listen = argv[++i];
    else if (argv[i] === '--user') user = argv[++i];
    else {
        process.stderr.write('usage: connect_proxy.js [--listen HOST:PORT] [--user NAME:PASSWORD]\n');
        process.exit(2);
    }
}
const want = user ? 'Basic ' + Buffer.from(user).toString('base64') : null;
let tunnels = 0;

const server = http.createServer((req, res) => {
    res.writeHead(405, { 'Content-Type': 'text/plain' });
    res.end('CONNECT only\n');
});
server.on('connect', (req, socket, head) => {
    process.stderr.write('connect ' + req.url + '\n');
    if (want && req.headers['proxy-authorization'] !== want) {
        socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n' +
            'Content-Length: 0\r\n\r\n');
        return;
    }
    const m = /^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(req.url);
    if (!m) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
    }
    const up = net.connect(Number(m[1]), '127.0.0.1', () => {
        process.stderr.write('tunnels ' + ++tunnels + '\n');
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
    });
    up.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    socket.on('error', () => up.destroy());
});
const i = listen.lastIndexOf(':');
server.listen(Number(listen.slice(i + 1)), listen.slice(0, i), () => {
    const a = server.address();
    process.stdout.write('proxy listening on ' + a.address + ':' + a.port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
