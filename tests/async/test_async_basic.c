/* The async client against famqp-broker: many connections on one loop,
 * automatic and manual acceptance, manual credit (set, not add), send
 * queueing past credit and its limits, close with sends pending, SASL
 * PLAIN and TLS. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_test.h"

/* ---- many connections on one loop ---- */

#define NCONN 50
#define NMSG 200

typedef struct pair {
    famqp_async_conn *conn;
    famqp_async_sender *s;
    famqp_async_receiver *r;
    uint32_t next;        /* the number expected next */
    uint32_t accepted;    /* outcomes ACCEPTED */
    uint32_t bad;         /* out of order, duplicate, other outcomes */
    bool opened;
} pair;

static uint32_t total_received, total_accepted;

static void pair_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    pair *p = arg;
    if (ev->type == FAMQP_ASYNC_OPENED)
        p->opened = true;
    else
        p->bad++;
}

static void pair_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    pair *p = arg;
    if (st == FAMQP_ASYNC_OK && o->kind == FAMQP_OUTCOME_ACCEPTED) {
        p->accepted++;
        total_accepted++;
    } else {
        p->bad++;
    }
}

static void pair_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    pair *p = arg;
    if (number_of(d) == p->next)
        p->next++;
    else
        p->bad++;
    total_received++;
}

static bool all_moved(void *arg)
{
    (void)arg;
    return total_received == NCONN * NMSG && total_accepted == NCONN * NMSG;
}

static int closed_count;
static void count_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    (void)arg;
    closed_count++;
}

static bool all_closed(void *arg) { return closed_count == *(int *)arg; }

START_TEST(test_many_connections)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    static pair pairs[NCONN];
    memset(pairs, 0, sizeof pairs);
    total_received = total_accepted = 0;
    for (int i = 0; i < NCONN; i++) {
        pair *p = &pairs[i];
        famqp_async_options o;
        famqp_async_options_init(&o);
        o.on_event = pair_event;
        o.on_event_arg = p;
        ck_assert_int_eq(famqp_async_connect(loop, url, &o, &p->conn), FAMQP_ASYNC_OK);
        char q[32];
        snprintf(q, sizeof q, "many-%d", i);
        ck_assert_int_eq(famqp_async_receiver_open(p->conn, q, NULL, pair_message, p, &p->r), FAMQP_ASYNC_OK);
        ck_assert_int_eq(famqp_async_sender_open(p->conn, q, NULL, &p->s), FAMQP_ASYNC_OK);
        /* Everything queued before the connection is even up. */
        for (uint32_t n = 0; n < NMSG; n++) {
            famqp_message m;
            uint32_t v;
            numbered(&m, &v, n);
            ck_assert_int_eq(famqp_async_send(p->s, &m, pair_outcome, p), FAMQP_ASYNC_OK);
        }
        ck_assert_uint_eq(famqp_async_sender_pending(p->s), NMSG);
    }
    REQUIRE(run_until(loop, all_moved, NULL, 60000), "moved %u received, %u accepted of %u", total_received,
            total_accepted, NCONN * NMSG);
    for (int i = 0; i < NCONN; i++) {
        REQUIRE(pairs[i].opened, "connection %d not opened", i);
        REQUIRE_CMP_EQ(pairs[i].next, NMSG);
        REQUIRE_CMP_EQ(pairs[i].accepted, NMSG);
        REQUIRE_CMP_EQ(pairs[i].bad, 0);
        REQUIRE_CMP_EQ(famqp_async_sender_pending(pairs[i].s), 0);
    }
    closed_count = 0;
    for (int i = 0; i < NCONN; i++)
        famqp_async_close(pairs[i].conn, count_closed, NULL);
    int want = NCONN;
    REQUIRE(run_until(loop, all_closed, &want, 20000), "%d of %d closed", closed_count, NCONN);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

/* ---- a simple connection with one sender and one receiver ---- */

typedef struct one {
    famqp_async_conn *conn;
    famqp_async_sender *s;
    famqp_async_receiver *r;
    bool opened, closed;
    char closed_msg[1024], closed_cond[128];
    int outcomes[8]; /* by famqp_async_status */
    int kinds[8];    /* by famqp_outcome_kind, when OK */
    uint32_t got[64];
    int ngot;
    famqp_async_delivery *held[64];
    int nheld;
} one;

static void one_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    one *t = arg;
    if (ev->type == FAMQP_ASYNC_OPENED)
        t->opened = true;
    if (ev->type == FAMQP_ASYNC_CLOSED) {
        t->closed = true;
        snprintf(t->closed_msg, sizeof t->closed_msg, "%s", ev->message);
        snprintf(t->closed_cond, sizeof t->closed_cond, "%s", ev->condition);
    }
}

static void one_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    one *t = arg;
    t->outcomes[st]++;
    if (st == FAMQP_ASYNC_OK)
        t->kinds[o->kind]++;
}

static void one_message_auto(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    one *t = arg;
    if (t->ngot < 64)
        t->got[t->ngot++] = number_of(d);
}

static void one_message_hold(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    one *t = arg;
    if (t->ngot < 64)
        t->got[t->ngot++] = number_of(d);
    if (t->nheld < 64)
        t->held[t->nheld++] = d;
}

static void one_connect(one *t, famqp_loop *loop, const char *url, famqp_async_options *o)
{
    famqp_async_options defaults;
    if (!o) {
        famqp_async_options_init(&defaults);
        o = &defaults;
    }
    o->on_event = one_event;
    o->on_event_arg = t;
    ck_assert_int_eq(famqp_async_connect(loop, url, o, &t->conn), FAMQP_ASYNC_OK);
}

static bool one_opened(void *arg) { return ((one *)arg)->opened || ((one *)arg)->closed; }
static bool one_closed(void *arg) { return ((one *)arg)->closed; }
static int want_got;
static bool one_got(void *arg) { return ((one *)arg)->ngot >= want_got; }
static int want_ok;
static bool one_ok(void *arg) { return ((one *)arg)->outcomes[FAMQP_ASYNC_OK] >= want_ok; }

static void send_n(one *t, uint32_t from, uint32_t n)
{
    for (uint32_t i = from; i < from + n; i++) {
        famqp_message m;
        uint32_t v;
        numbered(&m, &v, i);
        ck_assert_int_eq(famqp_async_send(t->s, &m, one_outcome, t), FAMQP_ASYNC_OK);
    }
}

static void one_close(one *t, famqp_loop *loop)
{
    closed_count = 0;
    famqp_async_close(t->conn, count_closed, NULL);
    int want = 1;
    REQUIRE(run_until(loop, all_closed, &want, 10000), "close did not finish");
}

START_TEST(test_manual_accept)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "manual", NULL, &t.s), FAMQP_ASYNC_OK);
    famqp_async_receiver_options ro;
    famqp_async_receiver_options_init(&ro);
    ro.auto_accept = false;
    ck_assert_int_eq(famqp_async_receiver_open(t.conn, "manual", &ro, one_message_hold, &t, &t.r), FAMQP_ASYNC_OK);
    send_n(&t, 0, 3);
    want_got = 3;
    REQUIRE(run_until(loop, one_got, &t, 10000), "got %d", t.ngot);
    run_for(loop, 100);
    /* Held, not settled: the broker (accepting when its consumer does
     * not matter here) still has them outstanding; settle now. */
    ck_assert_int_eq(t.nheld, 3);
    ck_assert_int_eq(famqp_async_accept(t.held[0]), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_accept(t.held[1]), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_release(t.held[2]), FAMQP_ASYNC_OK);
    /* The released one comes back (to the same receiver), the accepted
     * ones never do. */
    want_got = 4;
    REQUIRE(run_until(loop, one_got, &t, 10000), "the released message did not come back");
    ck_assert_uint_eq(t.got[3], 2);
    ck_assert_int_eq(famqp_async_accept(t.held[3]), FAMQP_ASYNC_OK);
    famqp_async_receiver_close(t.r);
    t.ngot = t.nheld = 0;
    ck_assert_int_eq(famqp_async_receiver_open(t.conn, "manual", &ro, one_message_hold, &t, &t.r), FAMQP_ASYNC_OK);
    run_for(loop, 300);
    ck_assert_int_eq(t.ngot, 0);
    one_close(&t, loop);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

START_TEST(test_credit_set_not_add)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "credit", NULL, &t.s), FAMQP_ASYNC_OK);
    send_n(&t, 0, 10);
    want_ok = 10;
    REQUIRE(run_until(loop, one_ok, &t, 10000), "the broker did not take 10 messages");
    famqp_async_receiver_options ro;
    famqp_async_receiver_options_init(&ro);
    ro.credit_window = 0;
    ck_assert_int_eq(famqp_async_receiver_open(t.conn, "credit", &ro, one_message_auto, &t, &t.r), FAMQP_ASYNC_OK);
    run_for(loop, 200);
    ck_assert_int_eq(t.ngot, 0); /* no credit, nothing comes */
    ck_assert_int_eq(famqp_async_receiver_set_credit(t.r, 3), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_receiver_set_credit(t.r, 3), FAMQP_ASYNC_OK); /* sets: still 3 */
    want_got = 3;
    REQUIRE(run_until(loop, one_got, &t, 10000), "got %d", t.ngot);
    run_for(loop, 300); /* and no more come */
    ck_assert_int_eq(t.ngot, 3);
    ck_assert_int_eq(famqp_async_receiver_set_credit(t.r, 2), FAMQP_ASYNC_OK);
    want_got = 5;
    REQUIRE(run_until(loop, one_got, &t, 10000), "got %d", t.ngot);
    run_for(loop, 300);
    ck_assert_int_eq(t.ngot, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(t.got[i], (uint32_t)i);
    one_close(&t, loop);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

START_TEST(test_queue_limits)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.max_pending_messages = 5;
    so.max_pending_bytes = -1;
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "limits", &so, &t.s), FAMQP_ASYNC_OK);
    /* No credit yet (the loop has not run): sends wait in the sender. */
    send_n(&t, 0, 5);
    famqp_message m;
    uint32_t v;
    numbered(&m, &v, 5);
    ck_assert_int_eq(famqp_async_send(t.s, &m, one_outcome, &t), FAMQP_ASYNC_ERR_FULL);
    ck_assert_uint_eq(famqp_async_sender_pending(t.s), 5);
    /* A byte limit: 1000 bytes hold three 300-byte messages, not four. */
    famqp_async_sender *s2;
    so.max_pending_messages = -1;
    so.max_pending_bytes = 1000;
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "limits", &so, &s2), FAMQP_ASYNC_OK);
    static uint8_t big[300];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_async_send_bytes(s2, big, sizeof big, one_outcome, &t), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_send_bytes(s2, big, sizeof big, one_outcome, &t), FAMQP_ASYNC_ERR_FULL);
    ck_assert_uint_eq(famqp_async_sender_pending_bytes(s2), 900);
    /* Once the link has credit and outcomes come back, all of them go. */
    want_ok = 8;
    REQUIRE(run_until(loop, one_ok, &t, 10000), "%d outcomes", t.outcomes[FAMQP_ASYNC_OK]);
    ck_assert_uint_eq(famqp_async_sender_pending(t.s), 0);
    ck_assert_uint_eq(famqp_async_sender_pending_bytes(s2), 0);
    ck_assert_int_eq(famqp_async_send(t.s, &m, one_outcome, &t), FAMQP_ASYNC_OK);
    one_close(&t, loop);
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK] + t.outcomes[FAMQP_ASYNC_ERR_CLOSED], 9);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

START_TEST(test_close_with_pending_sends)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "pending", NULL, &t.s), FAMQP_ASYNC_OK);
    REQUIRE(run_until(loop, one_opened, &t, 10000), "not opened");
    send_n(&t, 0, 500);
    /* Some go out, most are still waiting for credit or an outcome. */
    famqp_loop_run_once(loop, 0, NULL);
    int before = t.outcomes[FAMQP_ASYNC_OK];
    famqp_async_close(t.conn, count_closed, NULL);
    /* Every send not finished got its callback during the close. */
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK], before);
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK] + t.outcomes[FAMQP_ASYNC_ERR_CLOSED], 500);
    ck_assert_int_gt(t.outcomes[FAMQP_ASYNC_ERR_CLOSED], 0);
    closed_count = 0;
    int want = 1;
    REQUIRE(run_until(loop, all_closed, &want, 10000), "close did not finish");
    ck_assert(t.closed);
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK] + t.outcomes[FAMQP_ASYNC_ERR_CLOSED], 500);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

START_TEST(test_presettled)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.presettled = true;
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "presettled", &so, &t.s), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_receiver_open(t.conn, "presettled", NULL, one_message_auto, &t, &t.r),
                     FAMQP_ASYNC_OK);
    send_n(&t, 0, 20);
    want_got = 20;
    REQUIRE(run_until(loop, one_got, &t, 10000), "got %d", t.ngot);
    /* Each send was reported settled (no outcome: NONE) once handed over. */
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK], 20);
    ck_assert_int_eq(t.kinds[FAMQP_OUTCOME_NONE], 20);
    ck_assert_uint_eq(famqp_async_sender_pending(t.s), 0);
    for (int i = 0; i < 20; i++)
        ck_assert_uint_eq(t.got[i], (uint32_t)i);
    /* With credit at hand the notification still comes from the loop,
     * not from inside famqp_async_send. */
    send_n(&t, 20, 1);
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_OK], 20);
    want_ok = 21;
    REQUIRE(run_until(loop, one_ok, &t, 10000), "no notification");
    one_close(&t, loop);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

/* A link the peer refuses (famqp-broker: no address): the sends waiting
 * on it are told ERR_REFUSED, later ones are refused at once. */
static bool one_refused(void *arg) { return ((one *)arg)->outcomes[FAMQP_ASYNC_ERR_REFUSED] >= 3; }

START_TEST(test_sender_refused)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    one t = {0};
    one_connect(&t, loop, url, NULL);
    ck_assert_int_eq(famqp_async_sender_open(t.conn, "", NULL, &t.s), FAMQP_ASYNC_OK);
    send_n(&t, 0, 3);
    REQUIRE(run_until(loop, one_refused, &t, 10000), "refused %d", t.outcomes[FAMQP_ASYNC_ERR_REFUSED]);
    ck_assert_str_eq(famqp_async_sender_condition(t.s), "amqp:invalid-field");
    famqp_message m;
    uint32_t v;
    numbered(&m, &v, 3);
    ck_assert_int_eq(famqp_async_send(t.s, &m, one_outcome, &t), FAMQP_ASYNC_ERR_STATE);
    ck_assert(!t.closed); /* the connection is fine */
    one_close(&t, loop);
    ck_assert_int_eq(t.outcomes[FAMQP_ASYNC_ERR_REFUSED], 3);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

static void round_trip(famqp_loop *loop, one *t)
{
    ck_assert_int_eq(famqp_async_sender_open(t->conn, "rt", NULL, &t->s), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_receiver_open(t->conn, "rt", NULL, one_message_auto, t, &t->r), FAMQP_ASYNC_OK);
    send_n(t, 0, 10);
    want_got = 10;
    REQUIRE(run_until(loop, one_got, t, 10000), "got %d (%s)", t->ngot, t->closed_msg);
    want_ok = 10;
    REQUIRE(run_until(loop, one_ok, t, 10000), "%d accepted", t->outcomes[FAMQP_ASYNC_OK]);
    ck_assert_int_eq(t->kinds[FAMQP_OUTCOME_ACCEPTED], 10);
}

START_TEST(test_sasl_plain)
{
    test_broker b;
    const char *args[] = {"--user", "alice", "--password", "s3cret", NULL};
    broker_start(&b, 0, args);
    char url[128];
    snprintf(url, sizeof url, "amqp://alice:s3cret@127.0.0.1:%u", (unsigned)b.port);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    /* PLAIN over amqp:// needs the explicit opt-in. */
    famqp_async_options o;
    famqp_async_options_init(&o);
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_ERR_ARG);
    ck_assert_ptr_null(c);
    char why[512];
    ck_assert_int_eq(famqp_async_options_check(url, &o, why, sizeof why), FAMQP_ASYNC_ERR_ARG);
    ck_assert_msg(strstr(why, "refusing SASL PLAIN over unencrypted amqp://") != NULL, "%s", why);
    one t = {0};
    o.allow_plain_insecure = true;
    ck_assert_int_eq(famqp_async_options_check(url, &o, why, sizeof why), FAMQP_ASYNC_OK);
    ck_assert_str_eq(why, "");
    one_connect(&t, loop, url, &o);
    round_trip(loop, &t);
    one_close(&t, loop);
    /* A wrong password: CLOSED with the peer's condition. */
    one w = {0};
    famqp_async_options_init(&o);
    o.allow_plain_insecure = true;
    o.password = "wrong";
    one_connect(&w, loop, url, &o);
    REQUIRE(run_until(loop, one_closed, &w, 10000), "no CLOSED event");
    ck_assert(!w.opened);
    ck_assert_str_eq(w.closed_cond, "amqp:unauthorized-access");
    famqp_async_close(w.conn, NULL, NULL);
    run_for(loop, 50);
    famqp_loop_free(loop);
    broker_stop(&b, false);
}
END_TEST

START_TEST(test_tls)
{
    const char *make = getenv("FAMQP_MAKE_CERTS");
    REQUIRE(make != NULL, "FAMQP_MAKE_CERTS is not set");
    char dir[] = "/tmp/famqp-async-certs-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null", make, dir);
    REQUIRE(system(cmd) == 0, "make_certs.sh failed");
    char cert[128], key[128], ca[128];
    snprintf(cert, sizeof cert, "%s/server.pem", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    test_broker b;
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    broker_start(&b, 0, args);
    char url[128];
    snprintf(url, sizeof url, "amqps://127.0.0.1:%u", (unsigned)b.port);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.io.tls_ca_file = ca;
    o.idle_timeout_ms = 2000; /* heartbeats keep it open while idle */
    one t = {0};
    one_connect(&t, loop, url, &o);
    REQUIRE(run_until(loop, one_opened, &t, 10000), "not opened");
    ck_assert(t.opened);
    run_for(loop, 2500);
    ck_assert(!t.closed);
    round_trip(loop, &t);
    one_close(&t, loop);
    /* Without the CA the certificate is not trusted: CLOSED, not OPENED. */
    one u = {0};
    famqp_async_options_init(&o);
    one_connect(&u, loop, url, &o);
    REQUIRE(run_until(loop, one_closed, &u, 10000), "no CLOSED event");
    ck_assert(!u.opened);
    ck_assert_msg(strstr(u.closed_msg, "certificate") != NULL, "%s", u.closed_msg);
    famqp_async_close(u.conn, NULL, NULL);
    run_for(loop, 50);
    famqp_loop_free(loop);
    broker_stop(&b, false);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    REQUIRE(system(cmd) == 0, "rm");
}
END_TEST

Suite *async_basic_suite(void)
{
    Suite *s = suite_create("async_basic");
    TCase *tc = tcase_create("basic");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_many_connections);
    tcase_add_test(tc, test_manual_accept);
    tcase_add_test(tc, test_credit_set_not_add);
    tcase_add_test(tc, test_queue_limits);
    tcase_add_test(tc, test_close_with_pending_sends);
    tcase_add_test(tc, test_presettled);
    tcase_add_test(tc, test_sender_refused);
    tcase_add_test(tc, test_sasl_plain);
    tcase_add_test(tc, test_tls);
    suite_add_tcase(s, tc);
    return s;
}
