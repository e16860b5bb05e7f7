/* The WebSocket opening handshake (RFC 6455 section 4) of the AMQP
 * WebSocket Binding: the client's upgrade request and the check of the
 * server's reply.  The key/accept pair is computed here for either side,
 * so a server (famqp-broker's WebSocket listener) can reuse it. */
#ifndef FAMQP_IO_WS_HANDSHAKE_H
#define FAMQP_IO_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io_http.h"

/* Subprotocols we offer, in order: the binding's, then the one
 * Microsoft's SDKs (and rhea's examples) use. */
#define IO_WS_PROTOCOLS "AMQPWSB10, amqp"

/* A Sec-WebSocket-Key: 16 random bytes in base64 (24 characters + NUL).
 * False when the random generator failed. */
bool io_ws_key(char key[25]);
/* The Sec-WebSocket-Accept for key: base64(SHA-1(key GUID)), 28 + NUL. */
void io_ws_accept(const char *key, char accept[29]);

/* Writes the upgrade request for host:port and path to buf; its length, or
 * 0 when it does not fit. */
size_t io_ws_request(char *buf, size_t cap, const char *host, uint16_t port, bool tls, const char *path,
                     const char *key);

/* Checks the server's reply head against our key: 101, Upgrade:
 * websocket, Connection: upgrade, the right accept, one of our
 * subprotocols, no extensions.  False with why ("WebSocket handshake:
 * ..."). */
bool io_ws_check_reply(const io_http_head *h, const char *key, char *why, size_t cap);

#endif
