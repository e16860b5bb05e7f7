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

/* The server's answer to a client's upgrade request r, for a listener at
 * path (the query, if any, is not compared): 101 Switching Protocols with
 * the accept value and the subprotocol chosen (AMQPWSB10 when offered,
 * else amqp), or a refusal that names the problem in its reason and
 * plain-text body and closes: 400 (not GET, no Host, a bad key, no AMQP
 * subprotocol offered), 404 (another path), 426 (no WebSocket upgrade
 * asked for, or a version other than 13; with the Upgrade and
 * Sec-WebSocket-Version headers RFC 6455 4.4 asks for).  The response
 * goes to out (its length in *out_len; IO_WS_ANSWER_MAX bytes are always
 * enough), the status is returned, and why holds a one-line reason for a
 * log ("" for 101). */
#define IO_WS_ANSWER_MAX 1024u
int io_ws_answer(const io_http_request *r, const char *path, char *out, size_t *out_len, char *why, size_t cap);
/* The same refusal for a request that did not parse (why from
 * io_http_request_parse): 400 with that reason. */
size_t io_ws_refusal(int status, const char *why, char *out);

#endif
