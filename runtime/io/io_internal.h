/* Private state of the socket driver (io.h), shared by io_*.c. */
#ifndef FAMQP_IO_INTERNAL_H
#define FAMQP_IO_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netdb.h>
#include <openssl/ssl.h>

#include "famqp/io.h"
#include "io_http.h"

/* Socket reads go through one buffer of this size per io (also reused for
 * TLS plaintext once the ciphertext is handed to OpenSSL). */
#define IO_READ_BUF 65536u
/* Reads per io per pump round, so one busy peer cannot starve others. */
#define IO_READS_PER_ROUND 16
/* TLS: engine output encrypted per SSL_write, and ciphertext we let pile
 * up unsent before we stop encrypting (back pressure). */
#define IO_TLS_WRITE_CHUNK 65536u
#define IO_TLS_OUT_HIGH 262144u

struct famqp_io {
    int fd;
    famqp_connection *conn;
    famqp_io_status state;
    bool eof;             /* peer closed its side */
    bool server;
    char error[512];
    char peer[300];
    void *ctx;
    uint64_t deadline;    /* the engine's next tick deadline, 0 = none */
    short revents;        /* from the last poll */
    uint8_t *rbuf;        /* IO_READ_BUF bytes */
    /* Bytes read before a connection was bound (the protocol header). */
    uint8_t hdr[8];
    size_t hdr_len;
    /* TLS: memory BIOs so we do the socket I/O ourselves (non-blocking,
     * MSG_NOSIGNAL); tbuf holds ciphertext not yet sent. */
    SSL *ssl;
    BIO *rbio, *wbio;
    bool handshake_done;
    uint8_t *tbuf;
    size_t tlen, toff, tcap;
    /* famqp_io_connect_start: a TCP connect still in progress (io_connect.c) */
    struct io_connecting *connecting;
    /* famqp_io_connect_start: the connect deadline, which also bounds the
     * proxy's CONNECT, TLS and the WebSocket upgrade; 0 = none, or done */
    uint64_t hs_deadline;
    /* HTTP CONNECT through a proxy, until the tunnel stands (io_proxy.c) */
    struct io_proxy *proxy;
    /* ws[s]: the upgrade, then WebSocket framing of the AMQP bytes (io_ws.c) */
    struct io_ws *ws;
};

/* One HTTP exchange before AMQP (the proxy's CONNECT, the WebSocket
 * upgrade): our request, then the reply head as it arrives. */
struct io_http_exchange {
    char req[2048];
    size_t req_len, req_off;
    uint8_t reply[IO_HTTP_HEAD_MAX];
    size_t reply_len;
};
/* Appends n bytes of reply; the head's length once complete (the bytes
 * after it are the caller's: p + (returned - earlier reply_len)), 0 when
 * incomplete, -1 with why when malformed. */
long io_http_exchange_input(struct io_http_exchange *x, const uint8_t *p, size_t n, io_http_head *head, char *why,
                            size_t cap);

/* Connecting without blocking: the addresses left to try and the deadline. */
struct io_connecting {
    struct addrinfo *addrs, *next; /* next: the one after the current try */
    char host[256];                /* as in the URL, for the labels */
    char what[400];                /* "host (address)" of the current try */
    uint64_t deadline;             /* 0: none */
};

/* Connects (io_socket.c): resolution (getaddrinfo, which may block for
 * names), a "host (address)" label, a non-blocking connect started (fd, or
 * -1 with err; *pending while in progress) and its result (TCP_NODELAY set;
 * false with err). */
int io_resolve(const famqp_url *url, struct addrinfo **res, famqp_io_error *err);
void io_addr_label(const char *host, const struct addrinfo *ai, char *what, size_t cap);
int io_connect_begin(const struct addrinfo *ai, const char *what, bool *pending, famqp_io_error *err);
bool io_connect_finish(int fd, const char *what, famqp_io_error *err);
/* io_connect.c: advances a pending connect (false while still pending or
 * once failed: io->state says which), and frees its state. */
bool io_connect_progress(famqp_io *io);
void io_connect_free(famqp_io *io);
/* io_connect.c: fails the io once hs_deadline passed with a handshake
 * still under way (the stage named); forgets the deadline once none is. */
void io_handshake_check(famqp_io *io);
/* "waiting for the proxy", "in the WebSocket upgrade", ...: for errors. */
const char *io_handshake_stage(const famqp_io *io);
/* famqp_io_connect through a proxy or over WebSockets: connect_start and
 * process until the handshakes are done, within the timeout. */
famqp_io *io_connect_staged(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                            famqp_io_error *err);

struct famqp_listener {
    int fd;
    uint16_t port;
    bool ready;
    SSL_CTX *tls; /* NULL: plain TCP */
    bool websocket;        /* accepted ios answer a WebSocket upgrade first */
    char ws_path[1024];
    size_t ws_max_frame;
};

/* Formatting helpers (always NUL-terminate). */
/* Sets err (may be NULL): status FAMQP_IO_ERR_FAILED and the message. */
void io_errf(famqp_io_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with FAMQP_IO_ERR_NOMEM, for a failed allocation. */
void io_nomem(famqp_io_error *err, const char *what);
/* Marks err (may be NULL) as FAMQP_IO_ERR_ARG: the caller's input was bad. */
void io_argerr(famqp_io_error *err);
void io_fail(famqp_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A new io around a connected non-blocking socket (takes the fd). */
famqp_io *io_new(int fd, bool server, famqp_io_error *err);
void io_describe_peer(famqp_io *io);

/* io_tls.c */
bool io_tls_client_setup(famqp_io *io, const famqp_url *url, const famqp_io_options *o, famqp_io_error *err);
SSL_CTX *io_tls_server_ctx(const char *cert, const char *key, famqp_io_error *err);
bool io_tls_server_setup(famqp_io *io, SSL_CTX *ctx, famqp_io_error *err);
/* One handshake step: 1 done, 0 in progress, -1 failed (io_fail called). */
int io_tls_handshake(famqp_io *io);
/* Sends pending ciphertext; false on a socket error (io_fail called). */
bool io_tls_send_pending(famqp_io *io);
/* Ciphertext arrived. */
void io_tls_input(famqp_io *io, const uint8_t *p, size_t n);
/* Decrypts what OpenSSL holds and feeds it on. */
void io_tls_read_plain(famqp_io *io);
/* Encrypts engine output and sends. */
void io_tls_write(famqp_io *io);
bool io_tls_wants_write(const famqp_io *io);
void io_tls_free(famqp_io *io);
/* OpenSSL's reason for the last failure plus the verify result. */
void io_tls_reason(SSL *ssl, char *buf, size_t cap);

/* io_proxy.c: the CONNECT exchange on the raw socket, before TLS. */
bool io_proxy_url_parse(const char *text, famqp_url *out, famqp_io_error *err); /* io_url.c */
bool io_proxy_setup(famqp_io *io, const famqp_url *proxy, const famqp_url *target, famqp_io_error *err);
void io_proxy_write(famqp_io *io);
bool io_proxy_wants_write(const famqp_io *io);
void io_proxy_input(famqp_io *io, const uint8_t *p, size_t n);
void io_proxy_free(famqp_io *io);

/* io_ws.c: the upgrade and the framing, between the plaintext and the
 * engine. */
bool io_ws_setup(famqp_io *io, const famqp_url *url, const famqp_io_options *o, famqp_io_error *err);
const uint8_t *io_ws_output(famqp_io *io, size_t *len);
void io_ws_consume(famqp_io *io, size_t n);
bool io_ws_wants_write(const famqp_io *io);
bool io_ws_upgrading(const famqp_io *io);
void io_ws_input(famqp_io *io, const uint8_t *p, size_t n);
void io_ws_free(famqp_io *io);
/* io_ws_server.c: an accepted io answers a WebSocket upgrade for path
 * first (false with err; the caller frees the io); how many plaintext
 * bytes the upgrade takes now (false: not upgrading, the usual rules);
 * and the frames that came behind the request, fed on as the io takes
 * AMQP bytes (after a connection is bound). */
bool io_ws_server_setup(famqp_io *io, const char *path, size_t max_frame, famqp_io_error *err);
bool io_ws_room(const famqp_io *io, size_t *room);
void io_ws_drain(famqp_io *io);

/* io_pump.c: raw bytes from the socket (to the proxy exchange, TLS or
 * io_deliver). */
void io_raw_input(famqp_io *io, const uint8_t *p, size_t n);
/* io_pump.c: plaintext arrived (from the socket or from TLS), for the
 * WebSocket layer or the engine. */
void io_deliver(famqp_io *io, const uint8_t *p, size_t n);
/* AMQP bytes for the engine (or the header buffer while unbound). */
void io_deliver_amqp(famqp_io *io, const uint8_t *p, size_t n);
/* The plaintext to send next (the WebSocket layer's or the engine's
 * output) and how much of it was sent. */
const uint8_t *io_out(famqp_io *io, size_t *len);
void io_out_consume(famqp_io *io, size_t n);
/* How many plaintext bytes io_deliver will take now. */
size_t io_plain_room(const famqp_io *io);
void io_set_eof(famqp_io *io);

#endif
