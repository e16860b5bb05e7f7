/* The libuv adapter (runtime/uv/, famqp/uv.h): a client and a server on one
 * uv loop moving 10,000 messages at-least-once and closing cleanly; sends
 * released from another thread through a uv_async_t (famqp_uv_conn_flush);
 * heartbeats kept by the tick timers alone across an idle spell longer than
 * the peer's idle timeout; a peer that drops the socket ends in on_done,
 * without a spin, leaving nothing active on the loop; freeing a connection
 * from its own event callback and a listener from its own on_accept; a
 * non-blocking connect (famqp_io_connect_start) that may change sockets,
 * and one refused.  Every
 * test ends with uv_loop_close answering 0: every handle was closed (and,
 * under ASan, every byte freed). */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "famqp/message.h"
#include "famqp/uv.h"
#include "test_peer.h"

#define QUEUE "uv-q"

/* ---- a minimal server: accepts everything, accepts every message ------ */

typedef struct server {
    uv_loop_t *loop;
    famqp_uv_listener *listener;
    uint32_t idle_timeout_ms;
    bool free_listener_on_accept;
    size_t accepted_sockets;
    size_t received;
    size_t done;
    famqp_io_status last_state;
    famqp_uv_conn *last; /* the most recent connection */
} server;

static void server_event(famqp_uv_conn *conn, const famqp_event *e, void *arg)
{
    (void)conn;
    test_peer_serve(e, &((server *)arg)->received);
}

static void server_done(famqp_uv_conn *uc, famqp_io_status state, void *arg)
{
    server *s = arg;
    s->done++;
    s->last_state = state;
    if (s->last == uc)
        s->last = NULL;
    famqp_uv_conn_free(uc);
}

static void server_accept(famqp_uv_listener *l, famqp_io *io, void *arg)
{
    server *s = arg;
    s->accepted_sockets++;
    famqp_connection_options o;
    test_peer_server_options(&o, s->idle_timeout_ms);
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    famqp_uv_conn_handler h = {server_event, server_done, s};
    ck_assert_int_eq(famqp_uv_conn_new(s->loop, io, c, &h, &s->last), FAMQP_UV_OK);
    if (s->free_listener_on_accept) {
        famqp_uv_listener_free(l); /* from its own callback */
        s->listener = NULL;
    }
}

static uint16_t server_start(server *s, uv_loop_t *loop)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
    famqp_io_error err;
    famqp_listener *l = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert_msg(l != NULL, "listen: %s", err.message);
    uint16_t port = famqp_listener_port(l);
    ck_assert_int_eq(famqp_uv_listener_new(loop, l, server_accept, s, &s->listener), FAMQP_UV_OK);
    return port;
}

/* ---- a client sending `total` messages, closing when all are accepted - */

typedef struct client {
    famqp_uv_conn *uc;
    famqp_link *sender;
    size_t total;   /* to send in all */
    size_t allowed; /* sends released so far */
    size_t sent, accepted;
    bool closing, done;
    famqp_io_status state;
    uint32_t idle_timeout_ms;
    const char *host;     /* NULL: 127.0.0.1 */
    bool connect_start;   /* famqp_io_connect_start: the connect runs on the loop */
    bool keep;            /* on_done leaves the famqp_uv_conn to the test */
    bool free_on_credit;  /* frees its conn from the first credit event */
    size_t events_after_free;
    bool freed;
} client;

static void client_send(client *c)
{
    test_peer_send(c->sender, &c->sent, c->allowed, 0);
}

static void client_event(famqp_uv_conn *uc, const famqp_event *e, void *arg)
{
    client *c = arg;
    if (c->freed) {
        c->events_after_free++;
        return;
    }
    switch (e->type) {
    case FAMQP_EVENT_LINK_CREDIT:
        if (c->free_on_credit) {
            famqp_uv_conn_free(uc); /* inside the event loop of the conn */
            c->freed = true;
            c->uc = NULL;
            return;
        }
        client_send(c);
        break;
    case FAMQP_EVENT_DELIVERY_UPDATED:
        test_peer_outcome(e, &c->accepted);
        if (c->accepted == c->total && !c->closing) {
            c->closing = true;
            famqp_connection_close(famqp_uv_conn_connection(uc), NULL, NULL);
        }
        break;
    default: break;
    }
}

static void client_done(famqp_uv_conn *uc, famqp_io_status state, void *arg)
{
    client *c = arg;
    c->done = true;
    c->state = state;
    if (c->keep)
        return;
    famqp_uv_conn_free(uc);
    c->uc = NULL;
}

static void client_start(client *c, uv_loop_t *loop, uint16_t port, size_t total, size_t allowed)
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
    famqp_uv_conn_handler h = {client_event, client_done, c};
    ck_assert_int_eq(famqp_uv_conn_new(loop, io, conn, &h, &c->uc), FAMQP_UV_OK);
}

/* ---- running the loop, bounded ---------------------------------------- */

static void on_guard(uv_timer_t *t)
{
    (void)t; /* only wakes the loop, so a wait never outlasts 100 ms */
}

/* Runs loop iterations until *flag or 30 s; returns the iterations run.  A
 * 100 ms guard timer bounds each wait, so an idle loop counts about ten
 * iterations a second and a spinning one thousands. */
static size_t run_until(uv_loop_t *loop, const bool *flag)
{
    uv_timer_t guard;
    uv_timer_init(loop, &guard);
    uv_timer_start(&guard, on_guard, 100, 100);
    uv_update_time(loop);
    uint64_t give_up = uv_now(loop) + 30000;
    size_t iterations = 0;
    while (!*flag && uv_now(loop) < give_up) {
        uv_run(loop, UV_RUN_ONCE);
        iterations++;
    }
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(loop, UV_RUN_NOWAIT); /* the guard's close */
    return iterations;
}

static void run_for(uv_loop_t *loop, uint64_t ms)
{
    uv_update_time(loop);
    uint64_t until = uv_now(loop) + ms;
    uv_timer_t guard;
    uv_timer_init(loop, &guard);
    uv_timer_start(&guard, on_guard, 10, 10);
    while (uv_now(loop) < until)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

/* Lets pending close callbacks run, then closes the loop: 0 only when every
 * handle of the adapter was closed. */
static void close_loop(uv_loop_t *loop)
{
    for (int i = 0; i < 10; i++)
        uv_run(loop, UV_RUN_NOWAIT);
    ck_assert_int_eq(uv_loop_close(loop), 0);
}

START_TEST(a_client_and_a_server_on_one_uv_loop)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    client c = {0};
    client_start(&c, &loop, port, 10000, 10000);
    run_until(&loop, &c.done);
    ck_assert(c.done);
    ck_assert_uint_eq(c.sent, 10000);
    ck_assert_uint_eq(c.accepted, 10000);
    ck_assert_uint_eq(s.received, 10000);
    ck_assert_int_eq(c.state, FAMQP_IO_OK); /* closed cleanly, all written */
    /* the server's side ends too (the client's socket closed) */
    for (int i = 0; i < 100 && s.done == 0; i++)
        run_for(&loop, 10);
    ck_assert_uint_eq(s.done, 1);
    famqp_uv_listener_free(s.listener);
    close_loop(&loop);
}
END_TEST

/* ---- sends released from another thread through a uv_async_t ---------- */

typedef struct releaser {
    uv_async_t async;
    pthread_mutex_t lock;
    size_t batches; /* posted by the thread, not yet taken by the loop */
    client *c;
} releaser;

/* On the loop's thread: takes the batches posted so far, sends, flushes. */
static void on_release(uv_async_t *a)
{
    releaser *r = a->data;
    pthread_mutex_lock(&r->lock);
    size_t n = r->batches;
    r->batches = 0;
    pthread_mutex_unlock(&r->lock);
    if (!r->c->uc)
        return;
    r->c->allowed += 100 * n;
    client_send(r->c);
    famqp_uv_conn_flush(r->c->uc); /* queued outside the conn's callbacks */
}

static void *release_thread(void *arg)
{
    releaser *r = arg;
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&r->lock);
        r->batches++;
        pthread_mutex_unlock(&r->lock);
        uv_async_send(&r->async); /* the one uv call another thread may make */
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

START_TEST(sends_released_from_another_thread_by_uv_async)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    client c = {0};
    client_start(&c, &loop, port, 10000, 0); /* nothing released yet */
    releaser r = {.c = &c};
    pthread_mutex_init(&r.lock, NULL);
    ck_assert_int_eq(uv_async_init(&loop, &r.async, on_release), 0);
    r.async.data = &r;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, release_thread, &r), 0);
    run_until(&loop, &c.done);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert(c.done);
    ck_assert_uint_eq(c.accepted, 10000);
    ck_assert_uint_eq(s.received, 10000);
    ck_assert_int_eq(c.state, FAMQP_IO_OK);
    uv_close((uv_handle_t *)&r.async, NULL);
    famqp_uv_listener_free(s.listener);
    close_loop(&loop);
    pthread_mutex_destroy(&r.lock);
}
END_TEST

/* ---- heartbeats from the tick timers ---------------------------------- */

static void set_flag(uv_timer_t *t)
{
    *(bool *)t->data = true;
}

/* Services the server's connection every 50 ms whatever its own timers do,
 * so its idle check runs even if tick timers were broken: the test then
 * stands on the client's heartbeats alone. */
static void poke_server(uv_timer_t *t)
{
    server *s = t->data;
    if (s->last)
        famqp_uv_conn_flush(s->last);
}

START_TEST(tick_timers_keep_an_idle_connection_alive)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    s.idle_timeout_ms = 300; /* the server expires a silent client after 300 ms */
    client c = {0};
    client_start(&c, &loop, port, 1, 0); /* sends nothing: only heartbeats keep it */
    bool later = false;
    uv_timer_t t, poke;
    uv_timer_init(&loop, &t);
    t.data = &later;
    uv_timer_start(&t, set_flag, 1500, 0);
    uv_timer_init(&loop, &poke);
    poke.data = &s;
    uv_timer_start(&poke, poke_server, 50, 50);
    run_until(&loop, &later);
    ck_assert(later);
    ck_assert(!c.done);
    ck_assert_uint_eq(s.done, 0);
    ck_assert(!famqp_connection_failed(famqp_uv_conn_connection(c.uc)));
    ck_assert_ptr_nonnull(s.last);
    ck_assert(!famqp_connection_failed(famqp_uv_conn_connection(s.last)));
    uv_close((uv_handle_t *)&t, NULL);
    uv_close((uv_handle_t *)&poke, NULL);
    famqp_uv_conn_free(c.uc);
    famqp_uv_conn_free(s.last);
    famqp_uv_listener_free(s.listener);
    close_loop(&loop);
}
END_TEST

/* ---- a dropped socket ------------------------------------------------- */

START_TEST(a_dropped_socket_ends_in_on_done_without_spinning)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    client c = {0};
    c.keep = true; /* a done connection left alive must not keep the loop busy */
    client_start(&c, &loop, port, 1, 0);
    for (int i = 0; i < 1000 && !s.last; i++)
        run_for(&loop, 10);
    ck_assert_ptr_nonnull(s.last);
    famqp_uv_conn_free(s.last); /* no AMQP close: the socket just closes */
    s.last = NULL;
    size_t iterations = run_until(&loop, &c.done);
    ck_assert(c.done);
    ck_assert_int_ne(c.state, FAMQP_IO_OK);
    ck_assert_uint_lt(iterations, 50); /* a handful of iterations, not a spin */
    /* with the listener gone, the done connection holds nothing active:
     * no poll on the hung-up socket, no timer */
    famqp_uv_listener_free(s.listener);
    for (int i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_int_eq(uv_loop_alive(&loop), 0);
    famqp_uv_conn_free(c.uc);
    close_loop(&loop);
}
END_TEST

/* ---- a connect that runs on the loop ----------------------------------- */

/* famqp_io_connect_start: "localhost" may resolve to ::1 first, refused by
 * the 127.0.0.1 listener, so the io moves to its next address and socket
 * while the adapter polls it (a new uv_poll_t for the new socket). */
START_TEST(a_nonblocking_connect_on_the_uv_loop)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    client c = {0};
    c.connect_start = true;
    c.host = "localhost";
    client_start(&c, &loop, port, 1000, 1000);
    run_until(&loop, &c.done);
    ck_assert(c.done);
    ck_assert_uint_eq(c.accepted, 1000);
    ck_assert_uint_eq(s.received, 1000);
    ck_assert_int_eq(c.state, FAMQP_IO_OK);
    famqp_uv_listener_free(s.listener);
    for (int i = 0; i < 100 && s.done == 0; i++)
        run_for(&loop, 10);
    close_loop(&loop);
}
END_TEST

/* A refused non-blocking connect ends in on_done, failed, without a spin. */
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
        famqp_connection_free(conn);
        return;
    }
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    client c = {0};
    c.keep = true;
    famqp_uv_conn_handler h = {client_event, client_done, &c};
    ck_assert_int_eq(famqp_uv_conn_new(&loop, io, conn, &h, &c.uc), FAMQP_UV_OK);
    size_t iterations = run_until(&loop, &c.done);
    ck_assert(c.done);
    ck_assert_int_eq(c.state, FAMQP_IO_ERR_FAILED);
    ck_assert_msg(strstr(famqp_io_error_message(io), "refused"), "%s", famqp_io_error_message(io));
    ck_assert_uint_lt(iterations, 50);
    famqp_uv_conn_free(c.uc);
    close_loop(&loop);
}
END_TEST

/* ---- freeing from callbacks ------------------------------------------- */

START_TEST(freeing_from_callbacks)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    server s;
    uint16_t port = server_start(&s, &loop);
    s.free_listener_on_accept = true; /* the listener frees itself in on_accept */
    client c = {0};
    c.free_on_credit = true; /* the client frees its conn in its first credit event */
    client_start(&c, &loop, port, 10, 10);
    run_until(&loop, &c.freed);
    ck_assert(c.freed);
    ck_assert_ptr_null(s.listener);
    ck_assert_uint_eq(c.events_after_free, 0); /* no event after the free */
    ck_assert(!c.done);                        /* nor on_done */
    /* the server sees the socket dropped and frees its conn in on_done */
    bool server_saw = false;
    for (int i = 0; i < 100 && !server_saw; i++) {
        run_for(&loop, 10);
        server_saw = s.done == 1;
    }
    ck_assert(server_saw);
    ck_assert_int_ne(s.last_state, FAMQP_IO_OK);
    ck_assert_uint_eq(s.accepted_sockets, 1);
    /* nothing of the adapter is left on the loop */
    for (int i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_int_eq(uv_loop_alive(&loop), 0);
    close_loop(&loop);
}
END_TEST

/* ---- arguments ---------------------------------------------------------- */

START_TEST(bad_arguments_are_refused)
{
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    famqp_uv_conn *uc = (famqp_uv_conn *)&loop;
    famqp_uv_conn_handler h = {0};
    ck_assert_int_eq(famqp_uv_conn_new(&loop, NULL, NULL, &h, &uc), FAMQP_UV_ERR_ARG);
    ck_assert_ptr_null(uc);
    ck_assert_int_eq(famqp_uv_conn_new(&loop, NULL, NULL, &h, NULL), FAMQP_UV_ERR_ARG);
    famqp_uv_listener *ul = (famqp_uv_listener *)&loop;
    ck_assert_int_eq(famqp_uv_listener_new(&loop, NULL, NULL, NULL, &ul), FAMQP_UV_ERR_ARG);
    ck_assert_ptr_null(ul);
    famqp_uv_conn_free(NULL);
    famqp_uv_conn_flush(NULL);
    famqp_uv_listener_free(NULL);
    ck_assert_str_eq(famqp_uv_status_name(FAMQP_UV_ERR_SYSTEM), "FAMQP_UV_ERR_SYSTEM");
    ck_assert_str_eq(famqp_uv_status_name((famqp_uv_status)99), "FAMQP_UV_(unknown)");
    close_loop(&loop);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uv");
    TCase *tc = tcase_create("conn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_client_and_a_server_on_one_uv_loop);
    tcase_add_test(tc, sends_released_from_another_thread_by_uv_async);
    tcase_add_test(tc, tick_timers_keep_an_idle_connection_alive);
    tcase_add_test(tc, a_dropped_socket_ends_in_on_done_without_spinning);
    tcase_add_test(tc, a_nonblocking_connect_on_the_uv_loop);
    tcase_add_test(tc, a_refused_nonblocking_connect);
    tcase_add_test(tc, freeing_from_callbacks);
    tcase_add_test(tc, bad_arguments_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
