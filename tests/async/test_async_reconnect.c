/* The async client's failures and recovery: a refused connect and an
 * unresolvable host end in a CLOSED event with the reason; a broker
 * killed in the middle of a stream is replaced by the next URL of the
 * failover list, or started again on its port, and nothing sent is lost
 * (at-least-once). */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "async_test.h"

typedef struct watch {
    bool opened, closed;
    int reconnecting, reconnected;
    size_t last_index;
    char msg[1024];
} watch;

static void on_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    watch *w = arg;
    switch (ev->type) {
    case FAMQP_ASYNC_OPENED: w->opened = true; break;
    case FAMQP_ASYNC_RECONNECTING: w->reconnecting++; break;
    case FAMQP_ASYNC_RECONNECTED:
        w->reconnected++;
        w->last_index = ev->url_index;
        break;
    case FAMQP_ASYNC_CLOSED:
        w->closed = true;
        snprintf(w->msg, sizeof w->msg, "%s", ev->message);
        break;
    }
}

static bool closed(void *arg) { return ((watch *)arg)->closed; }

/* A loopback port nobody listens on. */
static uint16_t dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind");
    REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0, "getsockname");
    close(fd);
    return ntohs(a.sin_port);
}

static int outcome_closed;
static void count_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    (void)o;
    (void)arg;
    if (st == FAMQP_ASYNC_ERR_CLOSED)
        outcome_closed++;
}

static void connect_fails(const char *url, const char *expect)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    watch w = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.on_event = on_event;
    o.on_event_arg = &w;
    o.connect_timeout_ms = 5000;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_OK);
    famqp_async_sender *s;
    ck_assert_int_eq(famqp_async_sender_open(c, "q", NULL, &s), FAMQP_ASYNC_OK);
    outcome_closed = 0;
    ck_assert_int_eq(famqp_async_send_bytes(s, "x", 1, count_outcome, NULL), FAMQP_ASYNC_OK);
    ck_assert(!w.closed); /* reported by the loop, not by the call */
    REQUIRE(run_until(loop, closed, &w, 15000), "no CLOSED event for %s", url);
    ck_assert(!w.opened);
    ck_assert_msg(strstr(w.msg, expect) != NULL, "'%s' does not say '%s'", w.msg, expect);
    ck_assert_int_eq(outcome_closed, 1); /* the waiting send was told */
    ck_assert_int_eq(famqp_async_send_bytes(s, "x", 1, count_outcome, NULL), FAMQP_ASYNC_ERR_STATE);
    famqp_async_close(c, NULL, NULL);
    run_for(loop, 20);
    famqp_loop_free(loop);
}

START_TEST(test_connect_refused)
{
    char url[64];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", (unsigned)dead_port());
    connect_fails(url, "refused");
}
END_TEST

START_TEST(test_unresolvable_host)
{
    connect_fails("amqp://no-such-host.invalid:5672", "no-such-host.invalid");
}
END_TEST

/* A peer that takes the TCP connection and never speaks: the idle timeout
 * (or the open deadline) ends it with a CLOSED event. */
static void silent_peer(int idle_ms, int connect_ms, const char *expect)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0, "listen");
    REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0, "getsockname");
    char url[64];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    watch w = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.on_event = on_event;
    o.on_event_arg = &w;
    o.idle_timeout_ms = (uint32_t)idle_ms;
    o.connect_timeout_ms = connect_ms;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_OK);
    uint64_t t0 = famqp_io_now_ms();
    REQUIRE(run_until(loop, closed, &w, 8000), "no CLOSED event");
    ck_assert_uint_lt(famqp_io_now_ms() - t0, 4000);
    ck_assert(!w.opened);
    ck_assert_msg(strstr(w.msg, expect) != NULL, "'%s' does not say '%s'", w.msg, expect);
    famqp_async_close(c, NULL, NULL);
    run_for(loop, 20);
    famqp_loop_free(loop);
    close(fd);
}

START_TEST(test_idle_timeout)
{
    silent_peer(500, 10000, "idle");
}
END_TEST

START_TEST(test_open_deadline)
{
    silent_peer(0, 500, "timed out");
}
END_TEST

START_TEST(test_bad_arguments)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    famqp_async_conn *c = (famqp_async_conn *)1;
    ck_assert_int_eq(famqp_async_connect(loop, "http://x", NULL, &c), FAMQP_ASYNC_ERR_ARG);
    ck_assert_ptr_null(c);
    famqp_async_options o;
    famqp_async_options_init(&o);
    const char *urls[] = {"amqp://127.0.0.1:1"};
    o.reconnect.failover_urls = urls;
    o.reconnect.failover_url_count = 1; /* without max_attempts */
    ck_assert_int_eq(famqp_async_connect(loop, "amqp://127.0.0.1:1", &o, &c), FAMQP_ASYNC_ERR_ARG);
    char why[512];
    ck_assert_int_eq(famqp_async_options_check("amqp://127.0.0.1:1", &o, why, sizeof why), FAMQP_ASYNC_ERR_ARG);
    ck_assert_msg(strstr(why, "max_attempts is 0") != NULL, "%s", why);
    ck_assert_int_eq(famqp_async_options_check("http://x", NULL, why, sizeof why), FAMQP_ASYNC_ERR_ARG);
    ck_assert_msg(strstr(why, "scheme") != NULL, "%s", why);
    famqp_async_options_init(&o);
    o.properties.count = 1; /* a map whose bytes are missing */
    o.properties.len = 4;
    ck_assert_int_eq(famqp_async_connect(loop, "amqp://127.0.0.1:1", &o, &c), FAMQP_ASYNC_ERR_ARG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(famqp_async_status_name(FAMQP_ASYNC_ERR_FULL), "FAMQP_ASYNC_ERR_FULL");
    famqp_loop_free(loop);
}
END_TEST

/* ---- failover in the middle of a stream ---- */

#define TOTAL 3000

typedef struct stream {
    famqp_async_sender *s;
    uint8_t seen[TOTAL];
    uint32_t distinct, accepted, other;
    uint32_t last; /* highest number received */
    test_broker *first;
    bool killed;
    bool restart; /* start it again on the same port at once */
} stream;

static void stream_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    stream *t = arg;
    if (st == FAMQP_ASYNC_OK && o->kind == FAMQP_OUTCOME_ACCEPTED)
        t->accepted++;
    else
        t->other++;
}

static void stream_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    stream *t = arg;
    uint32_t n = number_of(d);
    if (n >= TOTAL) {
        t->other++;
        return;
    }
    if (!t->seen[n]++)
        t->distinct++;
    if (t->distinct == TOTAL / 3 && !t->killed) {
        t->killed = true;
        uint16_t port = t->first->port;
        broker_stop(t->first, true); /* a crash, in the middle */
        if (t->restart) {
            const char *args[] = {"--accept-when-consumed", NULL};
            broker_start(t->first, port, args);
        }
    }
}

static bool stream_done(void *arg)
{
    stream *t = arg;
    return t->distinct == TOTAL && t->accepted == TOTAL;
}

START_TEST(test_failover_mid_stream)
{
    /* The broker accepts a message only once its consumer accepted it, so
     * a crash loses nothing the sender was told is safe. */
    const char *args[] = {"--accept-when-consumed", NULL};
    test_broker a, b;
    broker_start(&a, 0, args);
    broker_start(&b, 0, args);
    char url_a[64], url_b[64];
    broker_url(url_a, sizeof url_a, &a);
    broker_url(url_b, sizeof url_b, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    static stream t;
    memset(&t, 0, sizeof t);
    t.first = &a;
    watch ws = {0}, wr = {0};
    const char *fail_to[] = {url_b};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.reconnect.max_attempts = 20;
    o.reconnect.initial_backoff_ms = 20;
    o.reconnect.max_backoff_ms = 200;
    o.reconnect.failover_urls = fail_to;
    o.reconnect.failover_url_count = 1;
    o.on_event = on_event;
    o.on_event_arg = &ws;
    famqp_async_conn *cs, *cr;
    ck_assert_int_eq(famqp_async_connect(loop, url_a, &o, &cs), FAMQP_ASYNC_OK);
    o.on_event_arg = &wr;
    ck_assert_int_eq(famqp_async_connect(loop, url_a, &o, &cr), FAMQP_ASYNC_OK);
    famqp_async_receiver *r;
    ck_assert_int_eq(famqp_async_receiver_open(cr, "stream", NULL, stream_message, &t, &r), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_sender_open(cs, "stream", NULL, &t.s), FAMQP_ASYNC_OK);
    for (uint32_t i = 0; i < TOTAL; i++) {
        famqp_message m;
        uint32_t v;
        numbered(&m, &v, i);
        ck_assert_int_eq(famqp_async_send(t.s, &m, stream_outcome, &t), FAMQP_ASYNC_OK);
    }
    REQUIRE(run_until(loop, stream_done, &t, 60000),
            "distinct %u accepted %u other %u of %u; killed %d; sender reconnected %d (%s), receiver %d (%s)",
            t.distinct, t.accepted, t.other, TOTAL, t.killed, ws.reconnected, ws.msg, wr.reconnected, wr.msg);
    ck_assert(t.killed);
    ck_assert_int_eq(t.other, 0);
    ck_assert_int_ge(ws.reconnecting, 1);
    ck_assert_int_eq(ws.reconnected, 1);
    ck_assert_int_eq(wr.reconnected, 1);
    ck_assert_uint_eq(ws.last_index, 1);
    ck_assert_uint_eq(famqp_async_url_index(cs), 1);
    ck_assert_uint_eq(famqp_async_url_index(cr), 1);
    ck_assert_uint_eq(famqp_async_reconnects(cs), 1);
    ck_assert_uint_eq(famqp_async_sender_pending(t.s), 0);
    famqp_async_close(cs, NULL, NULL);
    famqp_async_close(cr, NULL, NULL);
    run_for(loop, 200);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

/* The same broker, killed and started again on its port: the one URL is
 * reconnected to, the stream goes on, nothing is lost. */
START_TEST(test_restart_same_port)
{
    const char *args[] = {"--accept-when-consumed", NULL};
    test_broker a;
    broker_start(&a, 0, args);
    char url[64];
    broker_url(url, sizeof url, &a);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    static stream t;
    memset(&t, 0, sizeof t);
    t.first = &a;
    t.restart = true;
    watch ws = {0}, wr = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.reconnect.max_attempts = 50;
    o.reconnect.initial_backoff_ms = 20;
    o.reconnect.max_backoff_ms = 200;
    o.on_event = on_event;
    o.on_event_arg = &ws;
    famqp_async_conn *cs, *cr;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &cs), FAMQP_ASYNC_OK);
    o.on_event_arg = &wr;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &cr), FAMQP_ASYNC_OK);
    famqp_async_receiver *r;
    ck_assert_int_eq(famqp_async_receiver_open(cr, "restart", NULL, stream_message, &t, &r), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_sender_open(cs, "restart", NULL, &t.s), FAMQP_ASYNC_OK);
    for (uint32_t i = 0; i < TOTAL; i++) {
        famqp_message m;
        uint32_t v;
        numbered(&m, &v, i);
        ck_assert_int_eq(famqp_async_send(t.s, &m, stream_outcome, &t), FAMQP_ASYNC_OK);
    }
    REQUIRE(run_until(loop, stream_done, &t, 60000),
            "distinct %u accepted %u other %u of %u; killed %d; sender reconnected %d (%s), receiver %d (%s)",
            t.distinct, t.accepted, t.other, TOTAL, t.killed, ws.reconnected, ws.msg, wr.reconnected, wr.msg);
    ck_assert(t.killed);
    ck_assert_int_eq(t.other, 0);
    ck_assert_int_ge(ws.reconnected, 1);
    ck_assert_int_ge(wr.reconnected, 1);
    ck_assert_uint_eq(famqp_async_url_index(cs), 0);
    ck_assert_uint_gt(famqp_async_sender_resent(t.s), 0);
    famqp_async_close(cs, NULL, NULL);
    famqp_async_close(cr, NULL, NULL);
    run_for(loop, 200);
    famqp_loop_free(loop);
    broker_stop(&a, false);
}
END_TEST

/* A delivery held by a manual receiver when its connection is lost stays
 * safe to settle: famqp_async_accept says ERR_LOST (the peer will deliver
 * it again) instead of touching the freed connection. */
static famqp_async_delivery *held_delivery;
static void hold_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    (void)arg;
    held_delivery = d;
}
static bool holding(void *arg) { (void)arg; return held_delivery != NULL; }
static bool reconnected(void *arg) { return ((watch *)arg)->reconnected > 0; }

START_TEST(test_held_delivery_lost)
{
    test_broker a;
    broker_start(&a, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &a);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    watch w = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.reconnect.max_attempts = 50;
    o.reconnect.initial_backoff_ms = 20;
    o.on_event = on_event;
    o.on_event_arg = &w;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_OK);
    famqp_async_receiver_options ro;
    famqp_async_receiver_options_init(&ro);
    ro.auto_accept = false;
    famqp_async_receiver *r;
    famqp_async_sender *s;
    held_delivery = NULL;
    ck_assert_int_eq(famqp_async_receiver_open(c, "held", &ro, hold_message, NULL, &r), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_sender_open(c, "held", NULL, &s), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_send_bytes(s, "\x00\x53\x75\xa0\x01x", 6, NULL, NULL), FAMQP_ASYNC_OK);
    REQUIRE(run_until(loop, holding, NULL, 10000), "nothing received");
    ck_assert_uint_eq(famqp_async_delivery_bytes(held_delivery).len, 6);
    uint16_t port = a.port;
    broker_stop(&a, true);
    broker_start(&a, port, NULL);
    REQUIRE(run_until(loop, reconnected, &w, 10000), "not reconnected: %s", w.msg);
    ck_assert_uint_eq(famqp_async_delivery_bytes(held_delivery).len, 0);
    ck_assert_int_eq(famqp_async_accept(held_delivery), FAMQP_ASYNC_ERR_LOST);
    famqp_async_close(c, NULL, NULL);
    run_for(loop, 100);
    famqp_loop_free(loop);
    broker_stop(&a, false);
}
END_TEST

/* Reconnecting gives up after max_attempts: CLOSED, sends told. */
START_TEST(test_reconnect_gives_up)
{
    test_broker a;
    broker_start(&a, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &a);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    watch w = {0};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.reconnect.max_attempts = 3;
    o.reconnect.initial_backoff_ms = 10;
    o.on_event = on_event;
    o.on_event_arg = &w;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_OK);
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    famqp_async_sender *s;
    ck_assert_int_eq(famqp_async_sender_open(c, "nowhere", &so, &s), FAMQP_ASYNC_OK);
    for (int i = 0; i < 100 && !w.opened; i++)
        famqp_loop_run_once(loop, 20, NULL);
    ck_assert(w.opened);
    broker_stop(&a, true);
    outcome_closed = 0;
    ck_assert_int_eq(famqp_async_send_bytes(s, "x", 1, count_outcome, NULL), FAMQP_ASYNC_OK);
    REQUIRE(run_until(loop, closed, &w, 15000), "did not give up");
    ck_assert_int_eq(w.reconnecting, 3);
    ck_assert_msg(strstr(w.msg, "reconnecting failed after 3 attempts") != NULL, "%s", w.msg);
    ck_assert_int_eq(outcome_closed, 1);
    famqp_async_close(c, NULL, NULL);
    run_for(loop, 20);
    famqp_loop_free(loop);
}
END_TEST

Suite *async_errors_suite(void)
{
    Suite *s = suite_create("async_errors");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_unresolvable_host);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_idle_timeout);
    tcase_add_test(tc, test_open_deadline);
    suite_add_tcase(s, tc);
    return s;
}

Suite *async_reconnect_suite(void)
{
    Suite *s = suite_create("async_reconnect");
    TCase *tc = tcase_create("reconnect");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_failover_mid_stream);
    tcase_add_test(tc, test_restart_same_port);
    tcase_add_test(tc, test_held_delivery_lost);
    tcase_add_test(tc, test_reconnect_gives_up);
    suite_add_tcase(s, tc);
    return s;
}
