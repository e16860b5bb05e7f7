/* Connections and listeners on the loop: a client and a server on one loop
 * moving 10,000 messages at-least-once and closing cleanly; two loops on two
 * threads with sends posted from a third (famqp_loop_post +
 * famqp_loop_conn_flush); heartbeats kept by the tick timers alone across
 * an idle spell longer than the peer's idle timeout; a peer that drops the
 * socket ends in on_done, without a spin. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop_test.h"
#include "test_peer.h"

#define QUEUE "loop-q"

/* ---- a minimal server: accepts everything, accepts every message ------ */

typedef struct server {
    famqp_loop *loop;
    famqp_loop_listener *listener;
    uint32_t idle_timeout_ms;
    size_t received;
    size_t done;
    famqp_io_status last_state;
    famqp_loop_conn *last; /* the most recent connection */
} server;

static void server_event(famqp_loop_conn *conn, const famqp_event *e, void *arg)
{
    (void)conn;
    test_peer_serve(e, &((server *)arg)->received);
}

static void server_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    server *s = arg;
    s->done++;
    s->last_state = state;
    if (s->last == lc)
        s->last = NULL;
    famqp_loop_conn_free(lc);
}

static void server_accept(famqp_loop_listener *l, famqp_io *io, void *arg)
{
    (void)l;
    server *s = arg;
    famqp_connection_options o;
    test_peer_server_options(&o, s->idle_timeout_ms);
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    famqp_loop_conn_handler h = {server_event, server_done, s};
    ck_assert_int_eq(famqp_loop_conn_new(s->loop, io, c, &h, &s->last), FAMQP_LOOP_OK);
}

static uint16_t server_start(server *s, famqp_loop *loop)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert_msg(l != NULL, "listen: %s", err.message);
    ck_assert_int_eq(famqp_loop_listener_new(loop, l, server_accept, s, &s->listener), FAMQP_LOOP_OK);
    return famqp_listener_port(l);
}

/* ---- a client sending `total` messages, closing when all are accepted - */

typedef struct client {
    famqp_loop_conn *lc;
    famqp_link *sender;
    size_t total;    /* to send in all */
    size_t allowed;  /* sends released so far (posts raise it) */
    size_t sent, accepted;
    bool closing, done;
    famqp_io_status state;
    uint32_t idle_timeout_ms;
    bool keep; /* on_done leaves the famqp_loop_conn to the test */
    const char *host;   /* NULL: 127.0.0.1 */
    size_t body_size;   /* 0: "message N" */
    int sndbuf;         /* > 0: the socket's send buffer, bytes */
    bool connect_start; /* famqp_io_connect_start: the connect runs on the loop */
} client;

static void client_send(client *c)
{
    test_peer_send(c->sender, &c->sent, c->allowed, c->body_size);
}

static void client_event(famqp_loop_conn *lc, const famqp_event *e, void *arg)
{
    client *c = arg;
    switch (e->type) {
    case FAMQP_EVENT_LINK_CREDIT: client_send(c); break;
    case FAMQP_EVENT_DELIVERY_UPDATED:
        test_peer_outcome(e, &c->accepted);
        if (c->accepted == c->total && !c->closing) {
            c->closing = true;
            famqp_connection_close(famqp_loop_conn_connection(lc), NULL, NULL);
        }
        break;
    default: break;
    }
}

static void client_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    client *c = arg;
    c->done = true;
    c->state = state;
    if (c->keep)
        return;
    famqp_loop_conn_free(lc);
    c->lc = NULL;
}

static void client_start(client *c, famqp_loop *loop, uint16_t port, size_t total, size_t allowed)
{
    c->total = total;
    c->allowed = allowed;
    famqp_connection *conn;
    c->sender = test_peer_client(QUEUE, c->idle_timeout_ms, &conn);
    famqp_url url;
    famqp_io_error err;
    char text[64];
    snprintf(text, sizeof text, "amqp://%s:%u", c->host ? c->host : "127.0.0.1", port);
    ck_assert(famqp_url_parse(text, &url, &err));
    famqp_io *io = c->connect_start ? famqp_io_connect_start(&url, NULL, conn, &err)
                                    : famqp_io_connect(&url, NULL, conn, &err);
    ck_assert_msg(io != NULL, "connect: %s", err.message);
    if (c->sndbuf > 0) /* partial writes: the loop must wait for writability */
        ck_assert_int_eq(setsockopt(famqp_io_fd(io), SOL_SOCKET, SO_SNDBUF, &c->sndbuf, sizeof c->sndbuf), 0);
    famqp_loop_conn_handler h = {client_event, client_done, c};
    ck_assert_int_eq(famqp_loop_conn_new(loop, io, conn, &h, &c->lc), FAMQP_LOOP_OK);
}

/* Runs wake-ups until *flag or 30 s (bounded); returns the wake-ups run. */
static size_t run_until(famqp_loop *loop, const bool *flag)
{
    uint64_t give_up = famqp_loop_now_ms(loop) + 30000;
    size_t wakes = 0;
    while (!*flag && famqp_loop_now_ms(loop) < give_up) {
        ck_assert_int_eq(famqp_loop_run_once(loop, 100, NULL), FAMQP_LOOP_OK);
        wakes++;
    }
    return wakes;
}

START_TEST(a_client_and_a_server_on_one_loop)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    server s;
    uint16_t port = server_start(&s, loop);
    client c = {0};
    client_start(&c, loop, port, 10000, 10000);
    run_until(loop, &c.done);
    ck_assert(c.done);
    ck_assert_uint_eq(c.sent, 10000);
    ck_assert_uint_eq(c.accepted, 10000);
    ck_assert_uint_eq(s.received, 10000);
    ck_assert_int_eq(c.state, FAMQP_IO_OK); /* closed cleanly, all written */
    /* the server's side ends too (the client's socket closed) */
    for (int i = 0; i < 100 && s.done == 0; i++)
        famqp_loop_run_once(loop, 100, NULL);
    ck_assert_uint_eq(s.done, 1);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(loop);
}
END_TEST

/* A 4 KiB send buffer: first 500 messages of 10 KB, then one of 4 MiB,
 * during which the peer sends nothing back (it answers a delivery once it
 * is complete), so only the loop seeing the socket writable again resumes
 * the partial writes. */
START_TEST(partial_writes_through_a_small_socket_buffer)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    server s;
    uint16_t port = server_start(&s, loop);
    client c = {0};
    c.body_size = 10000;
    c.sndbuf = 4096;
    client_start(&c, loop, port, 501, 500);
    for (int i = 0; i < 3000 && c.accepted < 500; i++)
        famqp_loop_run_once(loop, 100, NULL);
    ck_assert_uint_eq(c.accepted, 500);
    c.body_size = 4u << 20;
    c.allowed = 501;
    client_send(&c);
    famqp_loop_conn_flush(c.lc);
    run_until(loop, &c.done);
    ck_assert(c.done);
    ck_assert_uint_eq(c.accepted, 501);
    ck_assert_uint_eq(s.received, 501);
    ck_assert_int_eq(c.state, FAMQP_IO_OK);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(loop);
}
END_TEST

/* The connect itself runs on the loop (famqp_io_connect_start); "localhost"
 * may resolve to ::1 first, refused by the 127.0.0.1 listener, so the io
 * moves to its next address and socket under the loop's watch. */
START_TEST(a_nonblocking_connect_on_the_loop)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    server s;
    uint16_t port = server_start(&s, loop);
    client c = {0};
    c.connect_start = true;
    c.host = "localhost";
    client_start(&c, loop, port, 1000, 1000);
    ck_assert(famqp_io_connecting(famqp_loop_conn_io(c.lc)) || famqp_io_state(famqp_loop_conn_io(c.lc)) == FAMQP_IO_OK);
    run_until(loop, &c.done);
    ck_assert(c.done);
    ck_assert_uint_eq(c.accepted, 1000);
    ck_assert_uint_eq(s.received, 1000);
    ck_assert_int_eq(c.state, FAMQP_IO_OK);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(loop);
}
END_TEST

/* A refused non-blocking connect fails the io (at once, or on the loop),
 * naming the address, without spinning. */
START_TEST(a_refused_nonblocking_connect)
{
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert(l != NULL);
    char text[64];
    snprintf(text, sizeof text, "amqp://127.0.0.1:%u", (unsigned)famqp_listener_port(l));
    famqp_listener_close(l); /* a port that was just free */
    famqp_url url;
    ck_assert(famqp_url_parse(text, &url, &err));
    famqp_connection_options o;
    famqp_connection_options_init(&o);
    famqp_connection *conn;
    ck_assert_int_eq(famqp_connection_new(&o, &conn), FAMQP_ENGINE_OK);
    famqp_connection_open(conn);
    famqp_io *io = famqp_io_connect_start(&url, NULL, conn, &err);
    if (!io) { /* refused before connect() could return EINPROGRESS */
        ck_assert_msg(strstr(err.message, "connect to 127.0.0.1:") && strstr(err.message, "refused"), "%s",
                      err.message);
        famqp_connection_free(conn);
        return;
    }
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    client c = {0};
    c.keep = true;
    famqp_loop_conn_handler h = {client_event, client_done, &c};
    ck_assert_int_eq(famqp_loop_conn_new(loop, io, conn, &h, &c.lc), FAMQP_LOOP_OK);
    size_t wakes = run_until(loop, &c.done);
    ck_assert(c.done);
    ck_assert_int_eq(c.state, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(famqp_io_error_message(io), "refused"), "%s", famqp_io_error_message(io));
    ck_assert_uint_lt(wakes, 50);
    famqp_loop_free(loop);
}
END_TEST

/* ---- two loops, two threads, sends posted from a third --------------- */

static void *run_thread(void *arg)
{
    famqp_loop_run(arg);
    return NULL;
}

static void stop_post(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    (void)arg;
    if (st == FAMQP_LOOP_OK)
        famqp_loop_stop(loop);
}

/* Runs on the client's loop: releases 100 more messages and writes them. */
static void release_batch(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    (void)loop;
    client *c = arg;
    if (st != FAMQP_LOOP_OK || !c->lc)
        return;
    c->allowed += 100;
    client_send(c);
    famqp_loop_conn_flush(c->lc);
}

static void start_client_post(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    void **a = arg;
    if (st == FAMQP_LOOP_OK)
        client_start(a[0], loop, *(uint16_t *)a[1], 10000, 0);
}

static void start_server_post(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    void **a = arg;
    if (st == FAMQP_LOOP_OK)
        __atomic_store_n((uint16_t *)a[1], server_start(a[0], loop), __ATOMIC_RELEASE);
}

static void read_state(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    (void)loop;
    /* copies the client's counters on its own thread */
    void **a = arg;
    if (st == FAMQP_LOOP_OK)
        *(client *)a[1] = *(client *)a[0];
    __atomic_store_n((int *)a[2], 1, __ATOMIC_RELEASE); /* publishes the copy */
}

START_TEST(two_loops_on_two_threads_with_posted_sends)
{
    famqp_loop *sl, *cl;
    ck_assert_int_eq(famqp_loop_new(NULL, &sl), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_new(NULL, &cl), FAMQP_LOOP_OK);
    static server s;
    static client c;
    memset(&c, 0, sizeof c);
    uint16_t port = 0;
    /* everything of a loop is made on its own thread, through posts */
    void *sargs[2] = {&s, &port};
    pthread_t st, ct;
    ck_assert_int_eq(famqp_loop_post(sl, start_server_post, sargs), FAMQP_LOOP_OK);
    ck_assert_int_eq(pthread_create(&st, NULL, run_thread, sl), 0);
    /* the port is known once the server's loop ran the post: wait for it
     * through a post that answers on the main thread's terms */
    for (int i = 0; i < 1000 && __atomic_load_n(&port, __ATOMIC_ACQUIRE) == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    ck_assert_uint_ne(__atomic_load_n(&port, __ATOMIC_ACQUIRE), 0);
    uint16_t p = port;
    void *cargs[2] = {&c, &p};
    ck_assert_int_eq(famqp_loop_post(cl, start_client_post, cargs), FAMQP_LOOP_OK);
    ck_assert_int_eq(pthread_create(&ct, NULL, run_thread, cl), 0);
    for (int i = 0; i < 100; i++) /* far below max_posts: never FULL */
        ck_assert_int_eq(famqp_loop_post(cl, release_batch, &c), FAMQP_LOOP_OK);
    /* wait (bounded) until the client is done, asking its loop */
    client seen = {0};
    for (int i = 0; i < 3000 && !seen.done; i++) {
        int answered = 0;
        void *rargs[3] = {&c, &seen, &answered};
        ck_assert_int_eq(famqp_loop_post(cl, read_state, rargs), FAMQP_LOOP_OK);
        while (!__atomic_load_n(&answered, __ATOMIC_ACQUIRE)) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        if (!seen.done) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
    }
    ck_assert_int_eq(famqp_loop_post(cl, stop_post, NULL), FAMQP_LOOP_OK);
    ck_assert_int_eq(pthread_join(ct, NULL), 0);
    ck_assert_int_eq(famqp_loop_post(sl, stop_post, NULL), FAMQP_LOOP_OK);
    ck_assert_int_eq(pthread_join(st, NULL), 0);
    ck_assert(seen.done);
    ck_assert_uint_eq(seen.accepted, 10000);
    ck_assert_uint_eq(s.received, 10000);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(cl);
    famqp_loop_free(sl); /* frees the server's connection if still there */
}
END_TEST

/* ---- heartbeats from the tick timers ---------------------------------- */

static void set_flag(famqp_loop_timer *t, void *arg)
{
    (void)t;
    *(bool *)arg = true;
}

/* Services the server's connection every 50 ms whatever its own timers do,
 * so its idle check runs even if tick timers were broken: the test then
 * stands on the client's heartbeats alone. */
static void poke_server(famqp_loop_timer *t, void *arg)
{
    server *s = arg;
    if (s->last)
        famqp_loop_conn_flush(s->last);
    famqp_loop_timer_start(t, 50);
}

START_TEST(tick_timers_keep_an_idle_connection_alive)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    server s;
    uint16_t port = server_start(&s, loop);
    s.idle_timeout_ms = 300; /* the server expires a silent client after 300 ms */
    client c = {0};
    client_start(&c, loop, port, 1, 0); /* sends nothing: only heartbeats keep it */
    bool later = false;
    famqp_loop_timer *t, *poke;
    ck_assert_int_eq(famqp_loop_timer_new(loop, set_flag, &later, &t), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(t, 1500), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_new(loop, poke_server, &s, &poke), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(poke, 50), FAMQP_LOOP_OK);
    run_until(loop, &later);
    ck_assert(later);
    ck_assert(!c.done);
    ck_assert_uint_eq(s.done, 0);
    ck_assert(!famqp_connection_failed(famqp_loop_conn_connection(c.lc)));
    ck_assert_ptr_nonnull(s.last);
    ck_assert(!famqp_connection_failed(famqp_loop_conn_connection(s.last)));
    famqp_loop_timer_free(t);
    famqp_loop_timer_free(poke);
    famqp_loop_conn_free(c.lc);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(loop);
}
END_TEST

/* ---- a dropped socket ------------------------------------------------- */

START_TEST(a_dropped_socket_ends_in_on_done_without_spinning)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    server s;
    uint16_t port = server_start(&s, loop);
    client c = {0};
    c.keep = true; /* a done connection left alive must not keep the loop busy */
    client_start(&c, loop, port, 1, 0);
    for (int i = 0; i < 1000 && !s.last; i++)
        famqp_loop_run_once(loop, 10, NULL);
    ck_assert_ptr_nonnull(s.last);
    famqp_loop_conn_free(s.last); /* no AMQP close: the socket just closes */
    s.last = NULL;
    size_t wakes = run_until(loop, &c.done);
    ck_assert(c.done);
    ck_assert_int_ne(c.state, FAMQP_IO_OK);
    ck_assert_uint_lt(wakes, 50); /* a handful of wake-ups, not a spin */
    /* nothing left to wake the loop: a wait lasts its timeout */
    size_t ran = 99;
    ck_assert_int_eq(famqp_loop_run_once(loop, 50, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 0);
    famqp_loop_conn_free(c.lc);
    famqp_loop_listener_free(s.listener);
    famqp_loop_free(loop);
}
END_TEST

Suite *loop_conn_suite(void)
{
    Suite *s = suite_create("loop_conn");
    TCase *tc = tcase_create("conn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_client_and_a_server_on_one_loop);
    tcase_add_test(tc, a_nonblocking_connect_on_the_loop);
    tcase_add_test(tc, partial_writes_through_a_small_socket_buffer);
    tcase_add_test(tc, a_refused_nonblocking_connect);
    tcase_add_test(tc, two_loops_on_two_threads_with_posted_sends);
    tcase_add_test(tc, tick_timers_keep_an_idle_connection_alive);
    tcase_add_test(tc, a_dropped_socket_ends_in_on_done_without_spinning);
    suite_add_tcase(s, tc);
    return s;
}
