/* The blocking client against the in-process server (server.h) over
 * 127.0.0.1: send with every outcome, pipelined sends, receive, timeouts,
 * refused attach, authentication failure, connection refused and a
 * connection closed by the peer with an error. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "famqp/client.h"
#include "server.h"

Suite *client_suite(void);

static test_server srv;
static char url[128];

static void setup(void)
{
    test_server_start(&srv);
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", (unsigned)srv.port);
}

static void teardown(void) { test_server_stop(&srv); }

static famqp_client *connect_ok(void)
{
    famqp_client *c;
    famqp_client_error err;
    famqp_client_status st = famqp_client_connect(url, NULL, &c, &err);
    ck_assert_msg(st == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

START_TEST(send_outcomes)
{
    famqp_client *c = connect_ok();
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, "payload", 7);
    famqp_outcome o;

    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_send(s, &m, 5000, &o), FAMQP_CLIENT_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_ACCEPTED);
    ck_assert_int_eq(famqp_sender_close(s, 5000), FAMQP_CLIENT_OK);

    ck_assert_int_eq(famqp_sender_open(c, "reject", NULL, &s), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_send(s, &m, 5000, &o), FAMQP_CLIENT_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_REJECTED);
    ck_assert_str_eq(o.error.name, "amqp:precondition-failed");
    ck_assert_str_eq(o.error.description, "test server rejects everything");
    ck_assert_int_eq(famqp_sender_close(s, 5000), FAMQP_CLIENT_OK);

    ck_assert_int_eq(famqp_sender_open(c, "release", NULL, &s), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_send(s, &m, 5000, &o), FAMQP_CLIENT_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_RELEASED);
    ck_assert_int_eq(famqp_sender_close(s, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(atomic_load(&srv.accepted), 1);
}
END_TEST

START_TEST(pipelined_sends)
{
    famqp_client *c = connect_ok();
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.window = 16;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", &so, &s), FAMQP_CLIENT_OK);
    uint8_t body[100] = {0};
    for (int i = 0; i < 500; i++) {
        famqp_message m;
        famqp_message_init(&m);
        body[0] = (uint8_t)i;
        famqp_message_set_data(&m, body, sizeof body);
        ck_assert_int_eq(famqp_send_async(s, &m, 5000), FAMQP_CLIENT_OK);
        famqp_send_summary now;
        famqp_sender_summary(s, &now);
        ck_assert_uint_le(now.in_flight, 16);
    }
    famqp_send_summary sum;
    ck_assert_int_eq(famqp_sender_wait_all(s, 10000, &sum), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(sum.sent, 500);
    ck_assert_uint_eq(sum.accepted, 500);
    ck_assert_uint_eq(sum.in_flight, 0);
    ck_assert_uint_eq(sum.rejected + sum.released + sum.modified + sum.other, 0);
    ck_assert_int_eq(famqp_sender_close(s, 5000), FAMQP_CLIENT_OK);

    /* rejected ones are counted, with the first condition kept */
    ck_assert_int_eq(famqp_sender_open(c, "reject", &so, &s), FAMQP_CLIENT_OK);
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(famqp_send_bytes_async(s, "\x00\x53\x77\x40", 4, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_sender_wait_all(s, 10000, &sum), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(sum.rejected, 40);
    ck_assert_int_eq(sum.first_kind, FAMQP_OUTCOME_REJECTED);
    ck_assert_str_eq(sum.first_condition, "amqp:precondition-failed");
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(atomic_load(&srv.accepted), 500);
}
END_TEST

START_TEST(receive_and_timeout)
{
    famqp_client *c = connect_ok();
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "src", NULL, &r), FAMQP_CLIENT_OK);
    ck_assert_str_eq(famqp_receiver_address(r), "src");
    for (int i = 0; i < SERVER_SOURCE_COUNT; i++) {
        famqp_delivery *d;
        ck_assert_int_eq(famqp_receive(r, 5000, &d), FAMQP_CLIENT_OK);
        famqp_message m;
        ck_assert_int_eq(famqp_delivery_read_message(d, &m, NULL), FAMQP_OK);
        ck_assert_int_eq(m.body.kind, FAMQP_BODY_DATA);
        ck_assert_uint_eq(m.body.data.len, 8);
        ck_assert_uint_eq(m.body.data.ptr[7], i);
        ck_assert_int_eq(famqp_delivery_accept(d), FAMQP_ENGINE_OK);
    }
    famqp_delivery *d;
    uint64_t t0 = famqp_io_now_ms();
    ck_assert_int_eq(famqp_receive(r, 300, &d), FAMQP_CLIENT_ERR_TIMEOUT);
    uint64_t waited = famqp_io_now_ms() - t0;
    ck_assert_uint_ge(waited, 250);
    ck_assert_uint_lt(waited, 3000);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(famqp_client_last_error(c)->status, FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_int_eq(famqp_receiver_close(r, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

/* Receives one of the server's numbered messages and checks its number. */
static void receive_numbered(famqp_receiver *r, int expect)
{
    famqp_delivery *d;
    ck_assert_int_eq(famqp_receive(r, 5000, &d), FAMQP_CLIENT_OK);
    famqp_message m;
    ck_assert_int_eq(famqp_delivery_read_message(d, &m, NULL), FAMQP_OK);
    ck_assert_uint_eq(m.body.data.len, 8);
    ck_assert_uint_eq(m.body.data.ptr[7], expect);
    ck_assert_int_eq(famqp_delivery_accept(d), FAMQP_ENGINE_OK);
}

START_TEST(drain_manual_credit)
{
    famqp_client *c = connect_ok();
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 0;
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_receiver_set_credit(r, 2), FAMQP_CLIENT_OK);
    receive_numbered(r, 0);
    receive_numbered(r, 1);
    /* 3 of the server's 5 are left: they come, the other 7 credits go back. */
    famqp_link *l = NULL;
    size_t arrived = 99;
    ck_assert_int_eq(famqp_receiver_drain(r, 10, 5000, &arrived), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(arrived, SERVER_SOURCE_COUNT - 2);
    ck_assert_uint_eq(famqp_receiver_queued(r), SERVER_SOURCE_COUNT - 2);
    for (int i = 2; i < SERVER_SOURCE_COUNT; i++) {
        famqp_delivery *d;
        ck_assert_int_eq(famqp_receive(r, 0, &d), FAMQP_CLIENT_OK);
        l = famqp_delivery_link(d);
        famqp_message m;
        ck_assert_int_eq(famqp_delivery_read_message(d, &m, NULL), FAMQP_OK);
        ck_assert_uint_eq(m.body.data.ptr[7], i);
        famqp_delivery_accept(d);
    }
    ck_assert_uint_eq(famqp_link_credit(l), 0);
    ck_assert_uint_eq(famqp_link_delivery_count(l), 2 + 10);
    /* Nothing left: the drain completes with no message. */
    ck_assert_int_eq(famqp_receiver_drain(r, 10, 5000, &arrived), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(arrived, 0);
    ck_assert_uint_eq(famqp_link_delivery_count(l), 2 + 10 + 10);
    /* No credit granted, none asked: done at once. */
    arrived = 99;
    ck_assert_int_eq(famqp_receiver_drain(r, 0, 5000, &arrived), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(arrived, 0);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_receive(r, 100, &d), FAMQP_CLIENT_ERR_CREDIT);
    ck_assert_int_eq(famqp_receiver_close(r, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

START_TEST(drain_automatic_credit)
{
    famqp_client *c = connect_ok();
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 2;
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_OK);
    receive_numbered(r, 0);
    /* Drain what the window granted (credit 0: keep the amount). */
    size_t arrived = 0, queued_before = famqp_receiver_queued(r);
    ck_assert_int_eq(famqp_receiver_drain(r, 0, 5000, &arrived), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(famqp_receiver_queued(r), queued_before + arrived);
    ck_assert_uint_le(famqp_receiver_queued(r), 2);
    /* The next receives grant the window again: every message comes, in order. */
    for (int i = 1; i < SERVER_SOURCE_COUNT; i++)
        receive_numbered(r, i);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_receive(r, 200, &d), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

static famqp_client *connect_reconnecting(void)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.reconnect.max_attempts = 5;
    o.reconnect.initial_backoff_ms = 1;
    o.reconnect.max_backoff_ms = 1;
    famqp_client *c;
    famqp_client_error err;
    ck_assert_msg(famqp_client_connect(url, &o, &c, &err) == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

/* Every message to "kill" makes the server close the connection; the
 * client reconnects and sends it again, over and over until the send's
 * timeout.  No received delivery is held, so each lost connection is freed
 * at its reconnect (LeakSanitizer and ASan watch the rest). */
START_TEST(reconnect_frees_lost_connections)
{
    famqp_client *c = connect_reconnecting();
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "kill", NULL, &s), FAMQP_CLIENT_OK);
    famqp_outcome o;
    uint64_t t0 = famqp_io_now_ms();
    ck_assert_int_eq(famqp_send_bytes(s, "\x00\x53\x77\x40", 4, 1500, &o), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_uint_lt(famqp_io_now_ms() - t0, 10000);
    ck_assert_uint_ge(famqp_client_reconnects(c), 10);
    ck_assert_uint_eq(famqp_client_retired(c), 0);
    printf("reconnect_frees_lost_connections: %llu reconnects in 1.5 s, no lost connection kept\n",
           (unsigned long long)famqp_client_reconnects(c));
    famqp_client_close(c, 1000);
}
END_TEST

/* Deliveries the application holds across reconnects pin their old
 * connections (still readable; settling them is harmless) until settled;
 * then the next receive frees them all. */
START_TEST(held_deliveries_pin_lost_connections)
{
    enum { ROUNDS = 8 };
    famqp_client *c = connect_reconnecting();
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 1;
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_OK);
    /* Pre-settled messages to "kill": each costs one connection, nothing is resent. */
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "kill", &so, &s), FAMQP_CLIENT_OK);
    famqp_delivery *held[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        ck_assert_int_eq(famqp_receive(r, 5000, &held[i]), FAMQP_CLIENT_OK);
        ck_assert_int_eq(famqp_send_bytes(s, "\x00\x53\x77\x40", 4, 5000, NULL), FAMQP_CLIENT_OK);
        for (int k = 0; k < 200 && famqp_client_reconnects(c) == (uint64_t)i; k++)
            ck_assert_int_eq(famqp_client_pump(c, 20), FAMQP_CLIENT_OK);
        ck_assert_uint_eq(famqp_client_reconnects(c), i + 1);
        ck_assert_uint_eq(famqp_client_retired(c), i + 1);
    }
    for (int i = 0; i < ROUNDS; i++) {
        famqp_message m;
        ck_assert_int_eq(famqp_delivery_read_message(held[i], &m, NULL), FAMQP_OK);
        ck_assert_uint_eq(m.body.data.len, 8);
        ck_assert_int_eq(famqp_delivery_accept(held[i]), FAMQP_ENGINE_OK); /* no effect on the peer */
    }
    /* Old connections may still hold one queued message each (credit 1):
     * take and settle until every old connection is gone. */
    for (int i = 0; i < 2 * ROUNDS + 2 && famqp_client_retired(c) > 0; i++) {
        famqp_delivery *d;
        ck_assert_int_eq(famqp_receive(r, 5000, &d), FAMQP_CLIENT_OK);
        ck_assert_int_eq(famqp_delivery_accept(d), FAMQP_ENGINE_OK);
        ck_assert_int_eq(famqp_client_pump(c, 0), FAMQP_CLIENT_OK);
    }
    ck_assert_uint_eq(famqp_client_retired(c), 0);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

START_TEST(attach_refused_and_unanswered)
{
    famqp_client *c = connect_ok();
    /* A failed open sets *out to NULL (the handle is freed with it): the
     * out-params start as garbage-looking non-NULL values to show it. */
    famqp_sender *s = (famqp_sender *)&srv;
    ck_assert_int_eq(famqp_sender_open(c, "missing", NULL, &s), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_ptr_null(s);
    const famqp_client_error *e = famqp_client_last_error(c);
    ck_assert_str_eq(e->condition, "amqp:not-found");
    ck_assert_str_eq(e->description, "no node named 'missing'");
    ck_assert_msg(strstr(e->message, "missing") && strstr(e->message, "amqp:not-found"), "%s", e->message);

    famqp_receiver *r = (famqp_receiver *)&srv;
    ck_assert_int_eq(famqp_receiver_open(c, "missing", NULL, &r), FAMQP_CLIENT_ERR_REFUSED);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(famqp_client_last_error(c)->condition, "amqp:not-found");

    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.attach_timeout_ms = 300;
    r = (famqp_receiver *)&srv;
    ck_assert_int_eq(famqp_receiver_open(c, "silent", &ro, &r), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(famqp_client_last_error(c)->message, "silent"), "%s", famqp_client_last_error(c)->message);
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.attach_timeout_ms = 300;
    s = (famqp_sender *)&srv;
    ck_assert_int_eq(famqp_sender_open(c, "silent", &so, &s), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_ptr_null(s);
    /* the connection is still usable */
    ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
    famqp_outcome o;
    ck_assert_int_eq(famqp_send_bytes(s, "\x00\x53\x77\x40", 4, 5000, &o), FAMQP_CLIENT_OK);
    ck_assert_int_eq(o.kind, FAMQP_OUTCOME_ACCEPTED);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

/* A blocking pre-settled send run in a thread, so the test can watch it. */
typedef struct stalled_send {
    famqp_sender *s;
    const famqp_message *m;
    int timeout_ms;
    famqp_client_status st;
    atomic_bool done;
} stalled_send;

static void *stalled_send_main(void *arg)
{
    stalled_send *t = arg;
    t->st = famqp_send(t->s, t->m, t->timeout_ms, NULL);
    atomic_store(&t->done, true);
    return NULL;
}

static void sleep_ms(long ms) { nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL); }

/* -1 is no limit on the pre-settled path too: a peer that reads nothing
 * (TCP back-pressure) keeps a send with timeout -1 waiting, past the 10 s
 * the client once put in its place; a finite timeout ends in ERR_TIMEOUT,
 * not in a success for bytes that never left. */
START_TEST(presettled_send_timeouts)
{
    famqp_client *c = connect_ok();
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "stall", &so, &s), FAMQP_CLIENT_OK);
    for (int i = 0; i < 500 && !atomic_load(&srv.stalled); i++)
        sleep_ms(10);
    ck_assert(atomic_load(&srv.stalled));
    /* larger than what the loopback socket buffers take */
    size_t len = 32u << 20;
    uint8_t *body = calloc(1, len);
    ck_assert_ptr_nonnull(body);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, body, len);
    ck_assert_int_eq(famqp_send(s, &m, 300, NULL), FAMQP_CLIENT_ERR_TIMEOUT);
    ck_assert_msg(strstr(famqp_client_last_error(c)->message, "pre-settled"), "%s",
                  famqp_client_last_error(c)->message);

    stalled_send t = {.s = s, .m = &m, .timeout_ms = -1};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, stalled_send_main, &t), 0);
    for (int i = 0; i < 115 && !atomic_load(&t.done); i++)
        sleep_ms(100);
    bool returned = atomic_load(&t.done);
    /* Stopping the server closes the socket: the send fails and returns. */
    test_server_stop(&srv);
    pthread_join(th, NULL);
    ck_assert_msg(!returned, "a pre-settled send with timeout -1 returned %s within 11.5 s",
                  famqp_client_status_name(t.st));
    ck_assert_int_ne(t.st, FAMQP_CLIENT_OK);
    ck_assert_int_ne(t.st, FAMQP_CLIENT_ERR_TIMEOUT);
    famqp_client_close(c, 0);
    free(body);
}
END_TEST

START_TEST(authentication)
{
    famqp_client *c;
    famqp_client_error err;
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.allow_plain_insecure = true; /* loopback test server without TLS */
    char bad[160];
    snprintf(bad, sizeof bad, "amqp://user:wrong@127.0.0.1:%u", (unsigned)srv.port);
    ck_assert_int_eq(famqp_client_connect(bad, &o, &c, &err), FAMQP_CLIENT_ERR_AUTH);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.condition, "amqp:unauthorized-access");
    ck_assert_msg(strstr(err.message, "authentication failed"), "%s", err.message);
    ck_assert_msg(!strstr(err.message, "wrong"), "password in the error: %s", err.message);

    char good[160];
    snprintf(good, sizeof good, "amqp://user:secret@127.0.0.1:%u", (unsigned)srv.port);
    ck_assert_int_eq(famqp_client_connect(good, &o, &c, &err), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

/* PLAIN over amqp:// is refused before anything is sent unless allowed;
 * the same credentials from the options instead of the URL too. */
START_TEST(plain_needs_tls_or_permission)
{
    famqp_client *c;
    famqp_client_error err;
    unsigned long before = atomic_load(&srv.connections);
    char good[160];
    snprintf(good, sizeof good, "amqp://user:secret@127.0.0.1:%u", (unsigned)srv.port);
    ck_assert_int_eq(famqp_client_connect(good, NULL, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.message, "refusing SASL PLAIN over unencrypted amqp://"), "%s", err.message);
    ck_assert_msg(strstr(err.message, "allow_plain_insecure"), "%s", err.message);
    ck_assert_msg(!strstr(err.message, "secret"), "password in the error: %s", err.message);

    famqp_client_options o;
    famqp_client_options_init(&o);
    o.user = "user";
    o.password = "secret";
    ck_assert_int_eq(famqp_client_connect(url, &o, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_int_eq(atomic_load(&srv.connections), before); /* never connected */

    o.allow_plain_insecure = true;
    ck_assert_int_eq(famqp_client_connect(url, &o, &c, &err), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    /* ANONYMOUS (no user) needs no permission. */
    ck_assert_int_eq(famqp_client_connect(url, NULL, &c, &err), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

/* A malformed URL's error shows the URL with its password masked. */
START_TEST(url_error_masks_password)
{
    famqp_client *c;
    famqp_client_error err;
    ck_assert_int_eq(famqp_client_connect("amqp://user:topsecret@127.0.0.1:99999", NULL, &c, &err),
                     FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(strstr(err.message, "amqp://user:***@127.0.0.1:99999"), "%s", err.message);
    ck_assert_msg(!strstr(err.message, "topsecret"), "%s", err.message);
    ck_assert_int_eq(famqp_client_connect("amqps://u:p%zz@h/x", NULL, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(strstr(err.message, "amqps://u:***@h/x") && strstr(err.message, "escape"), "%s", err.message);
}
END_TEST

START_TEST(connection_refused_and_bad_url)
{
    /* a port that was just free: open a listener, note its port, close it */
    famqp_io_error ioerr;
    famqp_listener *l = famqp_listener_open("127.0.0.1", 0, NULL, &ioerr);
    ck_assert_ptr_nonnull(l);
    char closed[128];
    snprintf(closed, sizeof closed, "amqp://127.0.0.1:%u", (unsigned)famqp_listener_port(l));
    famqp_listener_close(l);
    famqp_client *c;
    famqp_client_error err;
    ck_assert_int_eq(famqp_client_connect(closed, NULL, &c, &err), FAMQP_CLIENT_ERR_CONNECT);
    ck_assert_msg(strstr(err.message, "refused"), "%s", err.message);
    ck_assert_int_eq(famqp_client_connect("http://x", NULL, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(err.message[0], "no message for a bad URL");
}
END_TEST

START_TEST(peer_closes_with_error)
{
    famqp_client *c = connect_ok();
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "kill", NULL, &s), FAMQP_CLIENT_OK);
    famqp_outcome o;
    ck_assert_int_eq(famqp_send_bytes(s, "\x00\x53\x77\x40", 4, 5000, &o), FAMQP_CLIENT_ERR_CONNECTION);
    const famqp_client_error *e = famqp_client_last_error(c);
    ck_assert_str_eq(e->condition, "amqp:connection:forced");
    ck_assert_str_eq(e->description, "test server closes on request");
    /* every later call fails the same way, and close still frees */
    ck_assert_int_eq(famqp_send_bytes(s, "\x00\x53\x77\x40", 4, 1000, &o), FAMQP_CLIENT_ERR_CONNECTION);
    famqp_client_close(c, 1000);
}
END_TEST

/* Properties, capabilities and filters are accepted and sent; bad ones are
 * refused with a reason naming the field, nothing sent. */
START_TEST(properties_and_bad_options)
{
    static const char *const caps[] = {"famqp-cap"};
    uint8_t pbuf[64];
    famqp_fields_builder fb;
    famqp_fields_init(&fb, pbuf, sizeof pbuf);
    famqp_write_cstring(famqp_fields_key(&fb, "product"), "test");
    famqp_client_options co;
    famqp_client_options_init(&co);
    ck_assert_int_eq(famqp_fields_finish(&fb, &co.properties), FAMQP_OK);
    co.offered_capabilities = (famqp_symbols){caps, 1};
    famqp_client *c;
    famqp_client_error err;
    ck_assert_int_eq(famqp_client_connect(url, &co, &c, &err), FAMQP_CLIENT_OK);

    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.link.properties = co.properties;
    so.link.target_capabilities = (famqp_symbols){caps, 1};
    so.link.expiry_policy = "link-detach";
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", &so, &s), FAMQP_CLIENT_OK);
    famqp_link *l = famqp_sender_link(s);
    ck_assert_ptr_nonnull(l);
    famqp_terminus_info t;
    ck_assert(famqp_link_remote_target(l, &t));
    ck_assert_str_eq(t.address, "queue");
    ck_assert_int_eq(famqp_sender_close(s, 5000), FAMQP_CLIENT_OK);

    so.link.expiry_policy = "when-i-say-so";
    ck_assert_int_eq(famqp_sender_open(c, "queue", &so, &s), FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(strstr(famqp_client_last_error(c)->message, "expiry_policy \"when-i-say-so\""), "%s",
                  famqp_client_last_error(c)->message);
    famqp_sender_close(s, 0);

    uint8_t fbuf[128];
    famqp_filter_set_builder filt;
    famqp_filter_set_init(&filt, fbuf, sizeof fbuf);
    famqp_filter_set_put_session(&filt, NULL);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ck_assert_int_eq(famqp_filter_set_finish(&filt, &ro.filter), FAMQP_OK);
    ro.selector = "a = 1";
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(famqp_client_last_error(c)->message, "not both"));
    ro.selector = NULL;
    const char *nulls[] = {NULL};
    ro.link.source_capabilities = (famqp_symbols){nulls, 1};
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(strstr(famqp_client_last_error(c)->message, "source capabilities: symbol 0 is NULL"), "%s",
                  famqp_client_last_error(c)->message);
    famqp_receiver_close(r, 0);
    ro.link.source_capabilities = (famqp_symbols){caps, 1};
    ck_assert_int_eq(famqp_receiver_open(c, "src", &ro, &r), FAMQP_CLIENT_OK);
    ck_assert_ptr_nonnull(famqp_receiver_link(r));
    ck_assert_uint_eq(famqp_link_remote_filter(famqp_receiver_link(r)).count, 0); /* the test server sets none */
    ck_assert_int_eq(famqp_receiver_close(r, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);

    co.desired_capabilities = (famqp_symbols){NULL, 2};
    ck_assert_int_eq(famqp_client_connect(url, &co, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.message, "connection desired-capabilities: count 2 but items is NULL"), "%s",
                  err.message);
}
END_TEST

START_TEST(repeated_connections)
{
    /* open/close cycles (LeakSanitizer checks nothing is left behind) */
    for (int i = 0; i < 20; i++) {
        famqp_client *c = connect_ok();
        famqp_sender *s;
        ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
        ck_assert_int_eq(famqp_send_bytes_async(s, "\x00\x53\x77\x40", 4, 5000), FAMQP_CLIENT_OK);
        ck_assert_int_eq(famqp_sender_wait_all(s, 5000, NULL), FAMQP_CLIENT_OK);
        /* the sender is freed by the client close */
        ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    }
    ck_assert_uint_eq(atomic_load(&srv.accepted), 20);
}
END_TEST

Suite *client_suite(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("client");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, send_outcomes);
    tcase_add_test(tc, pipelined_sends);
    tcase_add_test(tc, receive_and_timeout);
    tcase_add_test(tc, drain_manual_credit);
    tcase_add_test(tc, drain_automatic_credit);
    tcase_add_test(tc, reconnect_frees_lost_connections);
    tcase_add_test(tc, held_deliveries_pin_lost_connections);
    tcase_add_test(tc, attach_refused_and_unanswered);
    tcase_add_test(tc, presettled_send_timeouts);
    tcase_add_test(tc, authentication);
    tcase_add_test(tc, plain_needs_tls_or_permission);
    tcase_add_test(tc, url_error_masks_password);
    tcase_add_test(tc, connection_refused_and_bad_url);
    tcase_add_test(tc, peer_closes_with_error);
    tcase_add_test(tc, repeated_connections);
    tcase_add_test(tc, properties_and_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
