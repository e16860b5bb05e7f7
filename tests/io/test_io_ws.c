/* WebSocket transport edges against peers written here, on 127.0.0.1:
 * - a silent listener (accepts TCP, never answers) behind ws:// and behind
 *   an HTTP CONNECT proxy: the blocking connect, the loop (famqp_io_connect_start
 *   under famqp_loop_conn) and the async client each fail with a timeout
 *   naming the stage, within the connect timeout;
 * - a scripted WebSocket server (a thread, blocking sockets) that answers
 *   the upgrade and then sends one chosen thing: a close 1000, a close 1011
 *   with a reason, a text frame, or a frame header claiming 2 GiB; it
 *   records the close frame our side sends back. */
#define _GNU_SOURCE /* memmem */

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "famqp/async.h"
#include "famqp/io.h"
#include "famqp/loop.h"

/* A listening socket on 127.0.0.1 that never accepts: the kernel completes
 * TCP handshakes into the backlog and nothing is ever answered. */
static int silent_listener(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 8), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* _i 0: ws:// to the silent listener; _i 1: amqp:// through it as a proxy. */
static void silent_target(int i, unsigned port, char *url, size_t cap, famqp_io_options *o, const char **stage)
{
    famqp_io_options_init(o);
    o->connect_timeout_ms = 300;
    if (i == 0) {
        snprintf(url, cap, "ws://127.0.0.1:%u", port);
        *stage = "timed out waiting for the WebSocket upgrade's reply";
    } else {
        static char proxy[64];
        snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", port);
        o->proxy = proxy;
        snprintf(url, cap, "amqp://127.0.0.1:9");
        *stage = "timed out waiting for the proxy's reply to CONNECT";
    }
}

START_TEST(silent_blocking)
{
    unsigned port;
    int lfd = silent_listener(&port);
    char text[128];
    famqp_io_options o;
    const char *stage;
    silent_target(_i, port, text, sizeof text, &o, &stage);
    famqp_url url;
    famqp_io_error err;
    ck_assert(famqp_url_parse(text, &url, &err));
    uint64_t t0 = famqp_io_now_ms();
    famqp_io *io = famqp_io_connect(&url, &o, NULL, &err);
    uint64_t took = famqp_io_now_ms() - t0;
    ck_assert_ptr_null(io);
    ck_assert_msg(strstr(err.message, stage), "got '%s'", err.message);
    ck_assert_msg(took >= 250 && took < 3000, "took %llu ms", (unsigned long long)took);
    close(lfd);
}
END_TEST

typedef struct loop_result {
    bool done;
    famqp_io_status state;
    char message[512];
    famqp_loop *loop;
} loop_result;

static void on_loop_event(famqp_loop_conn *conn, const famqp_event *e, void *arg)
{
    (void)conn;
    (void)e;
    (void)arg;
}

static void on_loop_done(famqp_loop_conn *conn, famqp_io_status state, void *arg)
{
    loop_result *r = arg;
    r->done = true;
    r->state = state;
    snprintf(r->message, sizeof r->message, "%s", famqp_io_error_message(famqp_loop_conn_io(conn)));
    famqp_loop_conn_free(conn);
}

/* famqp_loop_conn drives famqp_io_connect_start: before the io's handshake
 * deadline nothing timed the upgrade or the CONNECT, and this hung. */
START_TEST(silent_loop)
{
    unsigned port;
    int lfd = silent_listener(&port);
    char text[128];
    famqp_io_options o;
    const char *stage;
    silent_target(_i, port, text, sizeof text, &o, &stage);
    famqp_url url;
    famqp_io_error err;
    ck_assert(famqp_url_parse(text, &url, &err));
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    famqp_connection *conn;
    ck_assert_int_eq(famqp_connection_new(NULL, &conn), FAMQP_ENGINE_OK);
    famqp_io *io = famqp_io_connect_start(&url, &o, NULL, &err);
    ck_assert_msg(io != NULL, "%s", err.message);
    loop_result r = {0};
    famqp_loop_conn_handler h = {.on_event = on_loop_event, .on_done = on_loop_done, .arg = &r};
    famqp_loop_conn *lc;
    ck_assert_int_eq(famqp_loop_conn_new(loop, io, conn, &h, &lc), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_connection_open(conn), FAMQP_ENGINE_OK);
    famqp_loop_conn_flush(lc);
    uint64_t t0 = famqp_io_now_ms();
    while (!r.done && famqp_io_now_ms() - t0 < 3000)
        famqp_loop_run_once(loop, 100, NULL);
    uint64_t took = famqp_io_now_ms() - t0;
    ck_assert_msg(r.done, "no end after %llu ms", (unsigned long long)took);
    ck_assert_int_eq(r.state, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(r.message, stage), "got '%s'", r.message);
    famqp_loop_free(loop);
    close(lfd);
}
END_TEST

typedef struct async_result {
    bool closed;
    char message[1024];
} async_result;

static void on_async_event(famqp_async_conn *c, const famqp_async_event *e, void *arg)
{
    (void)c;
    async_result *r = arg;
    if (e->type == FAMQP_ASYNC_CLOSED) {
        r->closed = true;
        snprintf(r->message, sizeof r->message, "%s", e->message);
    }
}

/* The async client has its own open timer (connect_timeout_ms also covers
 * the AMQP open); the io's deadline comes first and names the stage. */
START_TEST(silent_async)
{
    unsigned port;
    int lfd = silent_listener(&port);
    char text[128];
    famqp_io_options io_o;
    const char *stage;
    silent_target(_i, port, text, sizeof text, &io_o, &stage);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    async_result r = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.io = io_o;
    o.connect_timeout_ms = io_o.connect_timeout_ms;
    o.sasl_mechanisms = FAMQP_ASYNC_NO_SASL;
    o.on_event = on_async_event;
    o.on_event_arg = &r;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, text, &o, &c), FAMQP_ASYNC_OK);
    uint64_t t0 = famqp_io_now_ms();
    while (!r.closed && famqp_io_now_ms() - t0 < 3000)
        famqp_loop_run_once(loop, 100, NULL);
    ck_assert_msg(r.closed, "no end after 3 s");
    ck_assert_msg(strstr(r.message, stage), "got '%s'", r.message);
    famqp_async_close(c, NULL, NULL);
    for (int k = 0; k < 20; k++)
        famqp_loop_run_once(loop, 10, NULL);
    famqp_loop_free(loop);
    close(lfd);
}
END_TEST

/* ---- a scripted WebSocket server ------------------------------------- */

enum ws_script { WS_CLOSE_1000, WS_CLOSE_1011, WS_TEXT, WS_HUGE, WS_BAD_LENGTH, WS_LONG_HEAD, WS_MANY_HEADERS };

typedef struct ws_server {
    int lfd;
    unsigned port;
    enum ws_script script;
    pthread_t thread;
    int close_code; /* of the close frame the client sent; -1 none, 0 no code */
    char close_reason[126];
} ws_server;

static bool read_some(int fd, uint8_t *buf, size_t cap, size_t *len, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0)
        return false;
    ssize_t n = recv(fd, buf + *len, cap - *len, 0);
    if (n <= 0)
        return false;
    *len += (size_t)n;
    return true;
}

static void send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        b += k;
        n -= (size_t)k;
    }
}

static void *ws_server_main(void *arg)
{
    ws_server *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    uint8_t buf[65536];
    size_t len = 0;
    while (!memmem(buf, len, "\r\n\r\n", 4))
        if (!read_some(fd, buf, sizeof buf - 1, &len, 3000))
            goto out;
    buf[len] = 0;
    if (s->script == WS_LONG_HEAD || s->script == WS_MANY_HEADERS) {
        /* A reply head past the parser's bounds (8 KiB, 64 lines), and
         * more after it: the client must stop reading at the bound. */
        send_all(fd, "HTTP/1.1 200 OK\r\n", 17);
        char line[64];
        if (s->script == WS_MANY_HEADERS) { /* 100 short lines, a complete head */
            for (int j = 0; j < 100; j++)
                send_all(fd, line, (size_t)snprintf(line, sizeof line, "X-%d: v\r\n", j));
            send_all(fd, "\r\n", 2);
        } else { /* one header line that never ends */
            memset(line, 'a', sizeof line);
            send_all(fd, "X-Long: ", 8);
            for (int j = 0; j < 2000; j++)
                if (send(fd, line, sizeof line, MSG_NOSIGNAL) <= 0)
                    break; /* the client gave up: it read at most the bound */
        }
        goto out;
    }
    const char *k = strstr((char *)buf, "Sec-WebSocket-Key: ");
    if (!k)
        goto out;
    char key[64];
    snprintf(key, sizeof key, "%.24s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", k + 19);
    uint8_t sha[SHA_DIGEST_LENGTH];
    SHA1((const uint8_t *)key, strlen(key), sha);
    char accept[40];
    EVP_EncodeBlock((uint8_t *)accept, sha, sizeof sha);
    char reply[300];
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: AMQPWSB10\r\n\r\n",
                     accept);
    send_all(fd, reply, (size_t)n);
    /* The client's first frame (its AMQP header) says its connect
     * returned: the script goes after it. */
    len = 0;
    if (!read_some(fd, buf, sizeof buf, &len, 3000))
        goto out;
    switch (s->script) {
    case WS_CLOSE_1000:
        send_all(fd, "\x88\x02\x03\xe8", 4);
        break;
    case WS_CLOSE_1011:
        send_all(fd, "\x88\x05\x03\xf3" "bye", 7);
        break;
    case WS_TEXT:
        send_all(fd, "\x81\x02hi", 4);
        break;
    case WS_HUGE: {
        /* A binary frame claiming 2 GiB, then an AMQP header and a frame
         * header saying 4 GiB - 1: streamed to the engine, which refuses
         * the frame size; nothing may be sized from either. */
        static const uint8_t h[] = {0x82, 0x7f, 0, 0, 0, 0, 0x80, 0, 0, 0, 'A', 'M', 'Q', 'P', 0, 1, 0, 0,
                                    0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0};
        send_all(fd, h, sizeof h);
        break;
    }
    case WS_BAD_LENGTH: /* a 64-bit length with its top bit set (RFC 6455 5.2) */
        send_all(fd, "\x82\x7f\x80\0\0\0\0\0\0\0", 10);
        break;
    default:
        break;
    }
    /* The client's frames (masked): find its close frame. */
    for (;;) {
        size_t off = 0;
        while (off + 6 <= len) {
            uint8_t op = buf[off] & 0x0f;
            uint64_t plen = buf[off + 1] & 0x7f;
            size_t hl = 2;
            if (plen == 126) {
                if (off + 4 > len)
                    break;
                plen = (uint64_t)buf[off + 2] << 8 | buf[off + 3];
                hl = 4;
            } else if (plen == 127) {
                if (off + 10 > len)
                    break;
                plen = 0;
                for (int j = 0; j < 8; j++)
                    plen = plen << 8 | buf[off + 2 + j];
                hl = 10;
            }
            if (off + hl + 4 + plen > len)
                break;
            const uint8_t *mask = buf + off + hl, *p = mask + 4;
            if (op == 0x8) {
                uint8_t pl[125];
                for (size_t j = 0; j < plen && j < sizeof pl; j++)
                    pl[j] = p[j] ^ mask[j % 4];
                s->close_code = plen >= 2 ? pl[0] << 8 | pl[1] : 0;
                if (plen > 2)
                    snprintf(s->close_reason, sizeof s->close_reason, "%.*s", (int)(plen - 2), (char *)pl + 2);
                goto out;
            }
            off += hl + 4 + plen;
        }
        if (off) {
            memmove(buf, buf + off, len - off);
            len -= off;
        }
        if (len == sizeof buf || !read_some(fd, buf, sizeof buf, &len, 3000))
            goto out;
    }
out:
    close(fd);
    return NULL;
}

static void ws_server_start(ws_server *s, enum ws_script script)
{
    s->lfd = silent_listener(&s->port);
    s->script = script;
    s->close_code = -1;
    s->close_reason[0] = 0;
    ck_assert_int_eq(pthread_create(&s->thread, NULL, ws_server_main, s), 0);
}

/* Connects (blocking upgrade), opens AMQP and pumps until the io ends
 * (or 3 s); returns its state, the message in why. */
static famqp_io_status ws_client_run(ws_server *s, char *why, size_t cap)
{
    char text[64];
    snprintf(text, sizeof text, "ws://127.0.0.1:%u", s->port);
    famqp_url url;
    famqp_io_error err;
    ck_assert(famqp_url_parse(text, &url, &err));
    famqp_connection *conn;
    ck_assert_int_eq(famqp_connection_new(NULL, &conn), FAMQP_ENGINE_OK);
    famqp_io *io = famqp_io_connect(&url, NULL, conn, &err);
    ck_assert_msg(io != NULL, "%s", err.message);
    ck_assert_int_eq(famqp_connection_open(conn), FAMQP_ENGINE_OK);
    uint64_t t0 = famqp_io_now_ms();
    famqp_io_status st = FAMQP_IO_OK;
    while (!famqp_io_done(io) && famqp_io_now_ms() - t0 < 3000)
        st = famqp_io_pump(io, 100);
    st = famqp_io_state(io);
    snprintf(why, cap, "%s", famqp_io_error_message(io));
    famqp_io_free(io);
    famqp_connection_free(conn);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    return st;
}

START_TEST(peer_close_1000)
{
    ws_server s;
    ws_server_start(&s, WS_CLOSE_1000);
    char why[512];
    famqp_io_status st = ws_client_run(&s, why, sizeof why);
    ck_assert_msg(st == FAMQP_IO_ERR_CLOSED, "state %d: %s", (int)st, why);
    ck_assert_int_eq(s.close_code, 1000); /* our answer */
}
END_TEST

START_TEST(peer_close_1011)
{
    ws_server s;
    ws_server_start(&s, WS_CLOSE_1011);
    char why[512];
    famqp_io_status st = ws_client_run(&s, why, sizeof why);
    ck_assert_int_eq(st, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(why, "closed the connection with 1011 bye"), "got '%s'", why);
    ck_assert_int_eq(s.close_code, 1011);
}
END_TEST

START_TEST(peer_text_frame)
{
    ws_server s;
    ws_server_start(&s, WS_TEXT);
    char why[512];
    famqp_io_status st = ws_client_run(&s, why, sizeof why);
    ck_assert_int_eq(st, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(why, "WebSocket: text frame"), "got '%s'", why);
    ck_assert_int_eq(s.close_code, 1003);
}
END_TEST

START_TEST(peer_huge_frame)
{
    ws_server s;
    ws_server_start(&s, WS_HUGE);
    char why[512];
    uint64_t t0 = famqp_io_now_ms();
    famqp_io_status st = ws_client_run(&s, why, sizeof why);
    ck_assert_msg(famqp_io_now_ms() - t0 < 2500, "no quick end: state %d '%s'", (int)st, why);
    /* The engine refused the AMQP frame; our close says why (1002). */
    ck_assert_int_eq(s.close_code, 1002);
}
END_TEST

START_TEST(peer_bad_length)
{
    ws_server s;
    ws_server_start(&s, WS_BAD_LENGTH);
    char why[512];
    famqp_io_status st = ws_client_run(&s, why, sizeof why);
    ck_assert_int_eq(st, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(why, "WebSocket: bad frame"), "got '%s'", why);
    ck_assert_int_eq(s.close_code, 1002);
}
END_TEST

/* Reply heads past the bounds, for the upgrade (_i 0, 1) and the proxy's
 * CONNECT (_i 2, 3): a clear error, whatever follows. */
START_TEST(reply_head_bounds)
{
    ws_server s;
    ws_server_start(&s, _i % 2 ? WS_MANY_HEADERS : WS_LONG_HEAD);
    char text[64], proxy[64];
    famqp_io_options o;
    famqp_io_options_init(&o);
    o.connect_timeout_ms = 3000;
    if (_i < 2) {
        snprintf(text, sizeof text, "ws://127.0.0.1:%u", s.port);
    } else {
        snprintf(text, sizeof text, "amqp://127.0.0.1:9");
        snprintf(proxy, sizeof proxy, "http://127.0.0.1:%u", s.port);
        o.proxy = proxy;
    }
    famqp_url url;
    famqp_io_error err;
    ck_assert(famqp_url_parse(text, &url, &err));
    famqp_io *io = famqp_io_connect(&url, &o, NULL, &err);
    ck_assert_ptr_null(io);
    ck_assert_msg(strstr(err.message, _i % 2 ? "more than 64 header lines" : "more than 8192 bytes of headers"),
                  "got '%s'", err.message);
    ck_assert_msg(_i < 2 ? strstr(err.message, "WebSocket handshake") != NULL
                         : strstr(err.message, "bad reply to CONNECT") != NULL,
                  "got '%s'", err.message);
    pthread_join(s.thread, NULL);
    close(s.lfd);
}
END_TEST

TCase *io_ws_tcase(void)
{
    TCase *tc = tcase_create("ws");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, silent_blocking, 0, 2);
    tcase_add_loop_test(tc, silent_loop, 0, 2);
    tcase_add_loop_test(tc, silent_async, 0, 2);
    tcase_add_test(tc, peer_close_1000);
    tcase_add_test(tc, peer_close_1011);
    tcase_add_test(tc, peer_text_frame);
    tcase_add_test(tc, peer_huge_frame);
    tcase_add_test(tc, peer_bad_length);
    tcase_add_loop_test(tc, reply_head_bounds, 0, 4);
    return tc;
}
