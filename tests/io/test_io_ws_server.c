/* The server side of AMQP over WebSockets (famqp_listener_options
 * websocket), driven from one thread: the test is the client on a plain
 * blocking socket (writes are small, so they sit in the kernel's buffer
 * while the server io is pumped with famqp_io_wait):
 * - upgrade requests that must be refused, each with its status line and
 *   the io failing with the same reason;
 * - a good upgrade with the AMQP header and an open frame sent in one
 *   masked frame right behind the request (before the 101 came back):
 *   the header is peeked, the open reaches the bound engine, the
 *   server's answer comes in unmasked binary frames of at most
 *   ws_max_frame bytes, subprotocol AMQPWSB10 chosen over amqp;
 * - an unmasked frame from the client: close 1002 and a failed io. */
#define _GNU_SOURCE /* memmem */

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "famqp/io.h"

typedef struct ws_pair {
    famqp_listener *l;
    famqp_io *srv;
    int fd; /* the test's client socket */
} ws_pair;

static void pair_open(ws_pair *p, size_t max_frame)
{
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    lo.websocket = true;
    lo.ws_max_frame = max_frame;
    famqp_io_error err;
    p->l = famqp_listener_open("127.0.0.1", 0, &lo, &err);
    ck_assert_msg(p->l, "%s", err.message);
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons(famqp_listener_port(p->l))};
    ck_assert_int_eq(connect(p->fd, (struct sockaddr *)&a, sizeof a), 0);
    p->srv = NULL;
    for (int i = 0; i < 100 && !p->srv; i++) {
        famqp_io_wait(NULL, 0, &p->l, 1, 50);
        famqp_listener_accept(p->l, &p->srv, &err);
    }
    ck_assert_ptr_nonnull(p->srv);
}

static void pair_close(ws_pair *p)
{
    famqp_io_free(p->srv);
    famqp_listener_close(p->l);
    close(p->fd);
}

static void send_all(int fd, const void *buf, size_t n)
{
    ck_assert_int_eq(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Pumps the server io a few rounds. */
static void serve(ws_pair *p, int rounds)
{
    for (int i = 0; i < rounds && famqp_io_state(p->srv) == FAMQP_IO_OK; i++)
        famqp_io_wait(&p->srv, 1, NULL, 0, 20);
}

/* Reads what the server sent within a short while (until EOF or quiet). */
static size_t read_reply(ws_pair *p, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    for (int i = 0; i < 50 && len < cap; i++) {
        serve(p, 1);
        struct pollfd pf = {.fd = p->fd, .events = POLLIN};
        if (poll(&pf, 1, 20) <= 0) {
            if (len && !famqp_io_wants_write(p->srv))
                break; /* all the server had to say */
            continue;
        }
        ssize_t n = recv(p->fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    return len;
}

static const char good_key[] = "dGhlIHNhbXBsZSBub25jZQ==";

static const struct {
    const char *request;
    const char *status;
    const char *reason;
} refusals[] = {
    {"GET /other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
     "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: amqp\r\n\r\n",
     "HTTP/1.1 404 Not Found", "path '/other' is not this listener's '/$servicebus/websocket'"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 426 Upgrade Required",
     "not a WebSocket upgrade"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Protocol: amqp\r\n\r\n",
     "HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version '8', not 13"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt, "
     "AMQP\r\n\r\n",
     "HTTP/1.1 400 Bad Request", "no AMQP subprotocol offered (Sec-WebSocket-Protocol 'mqtt, AMQP')"},
    {"POST /$servicebus/websocket HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request", "method POST, not GET"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: amqp\r\n\r\n",
     "HTTP/1.1 400 Bad Request", "Sec-WebSocket-Key 'short' is not 16 bytes in base64"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
     "HTTP/1.1 400 Bad Request", "no Host header"},
    {"GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "HTTP/1.1 400 Bad Request",
     "header Host given twice"},
    {"GET /$servicebus/websocket HTTP/1.0\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request",
     "the request line does not end with HTTP/1.1"},
    {"AMQP\0\1\0\0", "HTTP/1.1 400 Bad Request", "an AMQP protocol header, not an HTTP request"},
    {"\x16\x03\x01\x02\x00\x01\x00\x01", "HTTP/1.1 400 Bad Request", "a TLS ClientHello, not an HTTP request"},
};

START_TEST(refused)
{
    ws_pair p;
    pair_open(&p, 0);
    const char *req = refusals[_i].request;
    send_all(p.fd, req, req[0] == 'A' || req[0] == 0x16 ? 8 : strlen(req));
    uint8_t buf[4096];
    size_t len = read_reply(&p, buf, sizeof buf - 1);
    buf[len] = 0;
    ck_assert_msg(strncmp((char *)buf, refusals[_i].status, strlen(refusals[_i].status)) == 0, "reply '%s'", buf);
    ck_assert_msg(strstr((char *)buf, refusals[_i].reason), "reply '%s'", buf);
    ck_assert_int_eq(famqp_io_state(p.srv), FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(famqp_io_error_message(p.srv), refusals[_i].reason), "io: '%s'",
                  famqp_io_error_message(p.srv));
    pair_close(&p);
}
END_TEST

/* A request head over 8192 bytes is refused once the limit is reached. */
START_TEST(head_too_long)
{
    ws_pair p;
    pair_open(&p, 0);
    char req[9000];
    int n = snprintf(req, sizeof req, "GET /$servicebus/websocket HTTP/1.1\r\nHost: x\r\n");
    while ((size_t)n + 40 < sizeof req)
        n += snprintf(req + n, sizeof req - (size_t)n, "X-Padding: %030d\r\n", n);
    send_all(p.fd, req, (size_t)n);
    uint8_t buf[4096];
    size_t len = read_reply(&p, buf, sizeof buf - 1);
    buf[len] = 0;
    ck_assert_msg(strstr((char *)buf, "400 Bad Request") && strstr((char *)buf, "more than 8192 bytes"), "reply '%s'",
                  buf);
    ck_assert_int_eq(famqp_io_state(p.srv), FAMQP_IO_ERR_FAILED);
    pair_close(&p);
}
END_TEST

/* One client frame: FIN + binary, masked with mask (NULL: unmasked). */
static size_t client_frame(uint8_t *out, const uint8_t *payload, size_t n, const uint8_t *mask)
{
    size_t h = 0;
    out[h++] = 0x82;
    if (n < 126) {
        out[h++] = (uint8_t)((mask ? 0x80 : 0) | n);
    } else {
        out[h++] = (uint8_t)((mask ? 0x80 : 0) | 126);
        out[h++] = (uint8_t)(n >> 8);
        out[h++] = (uint8_t)n;
    }
    if (mask) {
        memcpy(out + h, mask, 4);
        h += 4;
    }
    for (size_t i = 0; i < n; i++)
        out[h + i] = (uint8_t)(payload[i] ^ (mask ? mask[i % 4] : 0));
    return h + n;
}

/* A client engine's first bytes (AMQP header and open, no SASL). */
static size_t client_hello(uint8_t *out, size_t cap)
{
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.container_id = "ws-test-client";
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    famqp_connection_open(c);
    size_t n;
    const uint8_t *bytes = famqp_connection_output(c, &n);
    ck_assert_uint_le(n, cap);
    memcpy(out, bytes, n);
    famqp_connection_free(c);
    return n;
}

START_TEST(upgrade_then_early_frames)
{
    ws_pair p;
    pair_open(&p, 16); /* the server's output in frames of at most 16 bytes */
    uint8_t msg[4096];
    int n = snprintf((char *)msg, sizeof msg,
                     "GET /$servicebus/websocket?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: WebSocket\r\n"
                     "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: amqp\r\nSec-WebSocket-Protocol: AMQPWSB10\r\n\r\n",
                     good_key);
    uint8_t hello[512];
    size_t hn = client_hello(hello, sizeof hello);
    ck_assert_uint_gt(hn, 8);
    static const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t len = (size_t)n + client_frame(msg + n, hello, hn, mask);
    send_all(p.fd, msg, len); /* request and frame in one write */
    uint8_t hdr[8];
    for (int i = 0; i < 50 && !famqp_io_peek_header(p.srv, hdr); i++)
        serve(&p, 1);
    ck_assert(famqp_io_peek_header(p.srv, hdr));
    ck_assert_mem_eq(hdr, hello, 8);
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.role = FAMQP_CONNECTION_SERVER;
    o.container_id = "ws-test-server";
    famqp_connection *conn;
    ck_assert_int_eq(famqp_connection_new(&o, &conn), FAMQP_ENGINE_OK);
    famqp_io_set_connection(p.srv, conn);
    bool opened = false;
    for (int i = 0; i < 50 && !opened; i++) {
        serve(&p, 1);
        const famqp_event *e;
        while ((e = famqp_connection_next_event(conn)))
            if (e->type == FAMQP_EVENT_CONNECTION_REMOTE_OPEN)
                opened = true;
    }
    ck_assert_msg(opened, "the open behind the upgrade request was lost");
    famqp_connection_open(conn);
    uint8_t buf[8192];
    size_t got = read_reply(&p, buf, sizeof buf - 1);
    buf[got] = 0;
    uint8_t *end = memmem(buf, got, "\r\n\r\n", 4);
    ck_assert_ptr_nonnull(end);
    *end = 0;
    ck_assert_msg(strstr((char *)buf, "HTTP/1.1 101 Switching Protocols\r\n"), "reply '%s'", buf);
    ck_assert_msg(strstr((char *)buf, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), "reply '%s'",
                  buf);
    ck_assert_msg(strstr((char *)buf, "\r\nSec-WebSocket-Protocol: AMQPWSB10"), "reply '%s'", buf);
    /* Then unmasked binary frames of at most 16 bytes carrying the
     * server's AMQP header and open. */
    uint8_t *f = end + 4, *stop = buf + got;
    uint8_t amqp[4096];
    size_t alen = 0;
    unsigned frames = 0;
    while (f + 2 <= stop) {
        ck_assert_uint_eq(f[0], 0x82);
        ck_assert_msg(!(f[1] & 0x80), "a masked frame from the server");
        size_t plen = f[1] & 0x7f;
        ck_assert_uint_le(plen, 16);
        ck_assert(f + 2 + plen <= stop);
        memcpy(amqp + alen, f + 2, plen);
        alen += plen;
        f += 2 + plen;
        frames++;
    }
    ck_assert_uint_gt(frames, 2);
    ck_assert_uint_gt(alen, 8);
    ck_assert_mem_eq(amqp, "AMQP\0\1\0\0", 8);
    famqp_io_free(p.srv);
    p.srv = NULL;
    famqp_connection_free(conn);
    pair_close(&p);
}
END_TEST

START_TEST(unmasked_frame)
{
    ws_pair p;
    pair_open(&p, 0);
    uint8_t msg[1024];
    int n = snprintf((char *)msg, sizeof msg,
                     "GET /$servicebus/websocket HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: amqp\r\n\r\n",
                     good_key);
    size_t len = (size_t)n + client_frame(msg + n, (const uint8_t *)"AMQP\0\1\0\0", 8, NULL);
    send_all(p.fd, msg, len);
    uint8_t buf[4096];
    size_t got = read_reply(&p, buf, sizeof buf);
    uint8_t *end = memmem(buf, got, "\r\n\r\n", 4);
    ck_assert_ptr_nonnull(end);
    uint8_t *f = end + 4;
    ck_assert(f + 4 <= buf + got);
    ck_assert_uint_eq(f[0], 0x88); /* close */
    ck_assert_uint_eq((unsigned)f[2] << 8 | f[3], 1002);
    ck_assert_int_eq(famqp_io_state(p.srv), FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(famqp_io_error_message(p.srv), "unmasked frame"), "io: '%s'", famqp_io_error_message(p.srv));
    pair_close(&p);
}
END_TEST

START_TEST(bad_path_option)
{
    famqp_listener_options lo;
    famqp_listener_options_init(&lo);
    lo.websocket = true;
    lo.ws_path = "no-slash";
    famqp_io_error err;
    ck_assert_ptr_null(famqp_listener_open("127.0.0.1", 0, &lo, &err));
    ck_assert_int_eq(err.status, FAMQP_IO_ERR_ARG);
    ck_assert_msg(strstr(err.message, "WebSocket path 'no-slash' must start with '/'"), "%s", err.message);
}
END_TEST

TCase *io_ws_server_tcase(void)
{
    TCase *tc = tcase_create("ws_server");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, refused, 0, (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, head_too_long);
    tcase_add_test(tc, upgrade_then_early_frames);
    tcase_add_test(tc, unmasked_frame);
    tcase_add_test(tc, bad_path_option);
    return tc;
}
