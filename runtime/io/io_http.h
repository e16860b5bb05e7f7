/* The head of an HTTP/1.1 response (status line and headers), as the
 * WebSocket upgrade (io_ws_handshake.c) and the proxy's CONNECT
 * (io_proxy.c) read it, and of a request, as a WebSocket listener reads
 * the client's upgrade (io_ws_server.c): strict, bounded, and without
 * allocation.  Pure functions over bytes, so the fuzz targets can use
 * them alone. */
#ifndef FAMQP_IO_HTTP_H
#define FAMQP_IO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes a response head may take (status line, headers and the
 * blank line); more is an error, never a bigger buffer. */
#define IO_HTTP_HEAD_MAX 8192u
/* The most header lines in a head. */
#define IO_HTTP_HEADERS_MAX 64u

/* What we look at in a response head; each value is trimmed. */
typedef struct io_http_head {
    int status;            /* 100..599 */
    char reason[128];
    char upgrade[64];      /* Upgrade */
    char connection[128];  /* Connection (repeated headers joined by ", ") */
    char ws_accept[64];    /* Sec-WebSocket-Accept */
    char ws_protocol[64];  /* Sec-WebSocket-Protocol */
    bool ws_extensions;    /* Sec-WebSocket-Extensions present */
    char proxy_auth[128];  /* Proxy-Authenticate (the first) */
} io_http_head;

/* Parses the response head at the start of buf[0..len).  Returns its
 * length (through the blank line; bytes after it belong to what follows),
 * 0 when more bytes are needed, or -1 with why ("status line is not
 * HTTP/1.x", "more than 8192 bytes of headers", ...) when malformed.  len
 * at or past IO_HTTP_HEAD_MAX without a complete head is an error. */
long io_http_reply_parse(const uint8_t *buf, size_t len, io_http_head *out, char *why, size_t cap);

/* What a WebSocket listener looks at in a request head; values trimmed,
 * repeated list headers (Connection, Sec-WebSocket-Protocol) joined by
 * ", ", the others refused when repeated. */
typedef struct io_http_request {
    char method[16];
    char target[1024];     /* the request target as sent, e.g. "/$servicebus/websocket" */
    char host[256];        /* Host */
    char upgrade[64];      /* Upgrade */
    char connection[128];  /* Connection */
    char ws_key[64];       /* Sec-WebSocket-Key */
    char ws_version[16];   /* Sec-WebSocket-Version */
    char ws_protocol[256]; /* Sec-WebSocket-Protocol */
} io_http_request;

/* Parses the request head at the start of buf[0..len): "METHOD TARGET
 * HTTP/1.1" and headers (the rules of io_http_reply_parse).  Returns its
 * length, 0 when more bytes are needed, or -1 with why; bytes that can
 * never start a request line (a TLS ClientHello, an AMQP protocol header)
 * are refused as soon as they arrive, named as such. */
long io_http_request_parse(const uint8_t *buf, size_t len, io_http_request *out, char *why, size_t cap);

/* True when the comma-separated list holds token (ASCII case-insensitive),
 * e.g. "keep-alive, Upgrade" holds "upgrade". */
bool io_http_list_has(const char *list, const char *token);
/* The same, case-sensitive (subprotocol names, RFC 6455 4.1). */
bool io_http_list_has_exact(const char *list, const char *token);

#endif
