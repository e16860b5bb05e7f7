/* async_request: the asynchronous requester (famqp_async_requester)
 * against famqp-broker: its `$cbs` node (--sas-key) answers put-token
 * requests 200 or 401, many in flight; a plain queue as the node never
 * answers (the receiver gets the requests back: unmatched), so requests
 * time out; a broker killed with requests out loses them (ERR_LOST) while
 * a request made during the outage goes out after the reconnect; closing
 * ends requests in flight with ERR_CLOSED before it returns.  CBS with the
 * application's token provider: its token put before the link attaches,
 * its failure reported (FAMQP_ASYNC_CBS_REFUSED) and the link refused. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <famqp/auth.h>
#include <famqp/cbs.h>
#include <famqp/management.h>

#include "async_test.h"

enum { MANY = 200, IN_FLIGHT = 50 };

typedef struct rq_app {
    famqp_loop *loop;
    famqp_async_conn *conn;
    famqp_async_requester *rq;
    char url[64];
    int started, done, ok200, ok401, timeouts, lost, closed, other, full_seen;
    uint64_t ids[MANY + 8];
    uint8_t seen[MANY + 8];
    int bad_id;
    uint64_t started_ms, timeout_at_ms;
    bool reconnected;
} rq_app;

static void on_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    rq_app *a = arg;
    if (ev->type == FAMQP_ASYNC_RECONNECTED)
        a->reconnected = true;
}

static famqp_loop *new_loop(void)
{
    famqp_loop *loop;
    REQUIRE(famqp_loop_new(NULL, &loop) == FAMQP_LOOP_OK, "loop");
    return loop;
}

/* A broker started with args, a loop and a connection to the broker. */
static void app_start(rq_app *a, test_broker *b, const char *const *args)
{
    broker_start(b, 0, args);
    memset(a, 0, sizeof *a);
    a->loop = new_loop();
    broker_url(a->url, sizeof a->url, b);
    ck_assert_int_eq(famqp_async_connect(a->loop, a->url, NULL, &a->conn), FAMQP_ASYNC_OK);
}

/* famqp-broker with --sas-key and a requester to its $cbs node. */
static void cbs_requester(rq_app *a, test_broker *b, uint32_t max_in_flight)
{
    const char *args[] = {"--sas-key", "RootManageSharedAccessKey=SAS_KEY_VALUE", NULL};
    app_start(a, b, args);
    famqp_async_requester_options o;
    famqp_async_requester_options_init(&o);
    o.max_in_flight = max_in_flight;
    ck_assert_int_eq(famqp_async_requester_open(a->conn, FAMQP_CBS_NODE, &o, &a->rq), FAMQP_ASYNC_OK);
}

static void close_and_free(rq_app *a)
{
    famqp_async_close(a->conn, NULL, NULL);
    run_for(a->loop, 100);
    famqp_loop_free(a->loop);
}

/* ---- many put-tokens in flight against famqp-broker's $cbs ---- */

/* A put-token request for sb://127.0.0.1/q with a SAS token signed with
 * key (the broker's is SAS_KEY_VALUE); m keeps views of the buffers. */
typedef struct put_request {
    famqp_message m;
    char token[512];
    uint8_t props[256];
} put_request;

static void make_put(put_request *p, const char *key)
{
    uint64_t se = (uint64_t)time(NULL) + 3600;
    REQUIRE(famqp_sas_token("sb://127.0.0.1/q", "RootManageSharedAccessKey", key, se, p->token, sizeof p->token, NULL,
                            NULL) == FAMQP_AUTH_OK,
            "token");
    famqp_message_init(&p->m);
    REQUIRE(famqp_cbs_put_token_request(&p->m, p->props, sizeof p->props, FAMQP_CBS_TYPE_SAS, "sb://127.0.0.1/q", se,
                                        p->token) == FAMQP_OK,
            "put-token");
}

static void put_one(rq_app *a);

static void on_put(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    rq_app *a = arg;
    a->done++;
    int i = -1;
    for (int k = 0; k < a->started; k++)
        if (a->ids[k] == resp->id)
            i = k;
    if (i < 0 || a->seen[i]++)
        a->bad_id++;
    if (st != FAMQP_ASYNC_OK) {
        a->other++;
        fprintf(stderr, "put %d: %s\n", i, famqp_async_status_name(st));
    } else if (i % 2 == 0 && resp->status_code == 200 && resp->message)
        a->ok200++;
    else if (i % 2 == 1 && resp->status_code == 401 && resp->status_description.len > 0)
        a->ok401++;
    else {
        a->other++;
        fprintf(stderr, "put %d: %s status %d %.*s\n", i, famqp_async_status_name(st), (int)resp->status_code,
                (int)resp->status_description.len, resp->status_description.ptr ? resp->status_description.ptr : "");
    }
    put_one(a); /* keep IN_FLIGHT going, from the callback */
}

/* Even requests carry a good token, odd ones a token signed with the
 * wrong key. */
static void put_one(rq_app *a)
{
    while (a->started < MANY) {
        put_request put;
        make_put(&put, a->started % 2 ? "wrong" : "SAS_KEY_VALUE");
        uint64_t id;
        famqp_async_status st = famqp_async_request(a->rq, &put.m, 5000, on_put, a, &id);
        if (st == FAMQP_ASYNC_ERR_FULL) {
            a->full_seen++;
            return;
        }
        ck_assert_int_eq(st, FAMQP_ASYNC_OK);
        a->ids[a->started++] = id;
    }
}

static bool all_done(void *arg)
{
    rq_app *a = arg;
    return a->done == MANY;
}

START_TEST(many_in_flight)
{
    test_broker b;
    rq_app a;
    cbs_requester(&a, &b, IN_FLIGHT);
    ck_assert(strncmp(famqp_async_requester_reply_to(a.rq), "famqp-reply-", 12) == 0);
    put_one(&a); /* before the connection is open: they wait in the sender */
    ck_assert_int_eq(a.started, IN_FLIGHT);
    ck_assert_int_eq(a.full_seen, 1);
    ck_assert_uint_eq(famqp_async_requester_in_flight(a.rq), IN_FLIGHT);
    ck_assert_msg(run_until(a.loop, all_done, &a, 20000), "%d of %d answered", a.done, MANY);
    ck_assert_int_eq(a.bad_id, 0);
    ck_assert_int_eq(a.other, 0);
    ck_assert_int_eq(a.ok200, MANY / 2);
    ck_assert_int_eq(a.ok401, MANY / 2);
    ck_assert_uint_eq(famqp_async_requester_in_flight(a.rq), 0);
    ck_assert_uint_eq(famqp_async_requester_unmatched(a.rq), 0);
    famqp_async_requester_close(a.rq);
    close_and_free(&a);
    broker_stop(&b, false);
}
END_TEST

/* ---- one in flight, the next from each callback ---- */

static void chain_next(rq_app *a);

static void on_chained(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    rq_app *a = arg;
    a->done++;
    if (st == FAMQP_ASYNC_OK && resp->status_code == 200)
        a->ok200++;
    chain_next(a);
}

/* famqp-broker answers before it settles the request: the slot of the
 * request just answered still waits for its outcome, and the next request
 * must not be refused for it. */
static void chain_next(rq_app *a)
{
    if (a->started == 20)
        return;
    put_request put;
    make_put(&put, "SAS_KEY_VALUE");
    famqp_async_status st = famqp_async_request(a->rq, &put.m, 5000, on_chained, a, NULL);
    if (st == FAMQP_ASYNC_ERR_FULL)
        a->full_seen++;
    else
        a->started++;
}

static bool twenty_done(void *arg) { return ((rq_app *)arg)->done == 20; }

START_TEST(one_in_flight_chained)
{
    test_broker b;
    rq_app a;
    cbs_requester(&a, &b, 1);
    chain_next(&a);
    ck_assert_int_eq(a.full_seen, 0);
    chain_next(&a); /* a second while one is in flight: max_in_flight */
    ck_assert_int_eq(a.full_seen, 1);
    ck_assert_msg(run_until(a.loop, twenty_done, &a, 10000), "%d of 20 answered, %d refused as full", a.done,
                  a.full_seen - 1);
    ck_assert_int_eq(a.full_seen, 1);
    ck_assert_int_eq(a.ok200, 20);
    close_and_free(&a);
    broker_stop(&b, false);
}
END_TEST

/* ---- timeouts, unmatched responses, close ---- */

static void on_result(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    rq_app *a = arg;
    a->done++;
    ck_assert_ptr_nonnull(resp);
    ck_assert_int_eq(resp->status_code, -1);
    if (st == FAMQP_ASYNC_ERR_TIMEOUT) {
        a->timeouts++;
        a->timeout_at_ms = famqp_io_now_ms();
    } else if (st == FAMQP_ASYNC_ERR_LOST) {
        a->lost++;
    } else if (st == FAMQP_ASYNC_ERR_CLOSED) {
        a->closed++;
    } else {
        a->other++;
    }
}

static bool n_done(rq_app *a, int n) { return a->done >= n; }
static bool three_done(void *arg) { return n_done(arg, 3); }
static bool five_done(void *arg) { return n_done(arg, 5); }
static bool six_done(void *arg) { return n_done(arg, 6); }

static void request(rq_app *a, int timeout_ms)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "ping");
    uint64_t id;
    ck_assert_int_eq(famqp_async_request(a->rq, &m, timeout_ms, on_result, a, &id), FAMQP_ASYNC_OK);
    ck_assert_uint_ne(id, 0);
    a->started++;
}

START_TEST(timeout_unmatched_close)
{
    test_broker b;
    rq_app a;
    app_start(&a, &b, NULL);
    famqp_async_requester_options o;
    famqp_async_requester_options_init(&o);
    o.reply_to = "my-replies";
    o.timeout_ms = 300;
    ck_assert_int_eq(famqp_async_requester_open(a.conn, "rq-node", &o, &a.rq), FAMQP_ASYNC_OK);
    ck_assert_str_eq(famqp_async_requester_reply_to(a.rq), "my-replies");
    a.started_ms = famqp_io_now_ms();
    for (int i = 0; i < 3; i++)
        request(&a, 0); /* the requester's 300 ms */
    ck_assert(run_until(a.loop, three_done, &a, 5000));
    ck_assert_int_eq(a.timeouts, 3);
    ck_assert_uint_ge(a.timeout_at_ms - a.started_ms, 290);
    /* The queue hands the requests back to the receiver: no correlation-id. */
    run_for(a.loop, 200);
    ck_assert_uint_eq(famqp_async_requester_unmatched(a.rq), 3);
    /* Two without a timeout, then close: ERR_CLOSED before close returns. */
    request(&a, -1);
    request(&a, -1);
    run_for(a.loop, 100);
    ck_assert_int_eq(a.done, 3);
    famqp_async_requester_close(a.rq);
    ck_assert_int_eq(a.closed, 2);
    ck_assert_int_eq(a.other, 0);
    /* Bad arguments. */
    famqp_async_requester *r2;
    o.max_in_flight = 0;
    ck_assert_int_eq(famqp_async_requester_open(a.conn, "x", &o, &r2), FAMQP_ASYNC_ERR_ARG);
    ck_assert_ptr_null(r2);
    o.max_in_flight = FAMQP_ASYNC_MAX_IN_FLIGHT + 1;
    ck_assert_int_eq(famqp_async_requester_open(a.conn, "x", &o, &r2), FAMQP_ASYNC_ERR_ARG);
    ck_assert_int_eq(famqp_async_requester_open(a.conn, "", NULL, &r2), FAMQP_ASYNC_ERR_ARG);
    ck_assert_str_eq(famqp_async_status_name(FAMQP_ASYNC_ERR_TIMEOUT), "FAMQP_ASYNC_ERR_TIMEOUT");
    close_and_free(&a);
    broker_stop(&b, false);
}
END_TEST

/* ---- a lost connection ---- */

static bool reconnected(void *arg) { return ((rq_app *)arg)->reconnected; }

START_TEST(lost_with_requests_out)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    uint16_t port = b.port;
    rq_app a = {0};
    a.loop = new_loop();
    broker_url(a.url, sizeof a.url, &b);
    famqp_async_options co;
    famqp_async_options_init(&co);
    co.reconnect.max_attempts = 100;
    co.reconnect.initial_backoff_ms = 20;
    co.reconnect.max_backoff_ms = 100;
    co.on_event = on_event;
    co.on_event_arg = &a;
    ck_assert_int_eq(famqp_async_connect(a.loop, a.url, &co, &a.conn), FAMQP_ASYNC_OK);
    ck_assert_int_eq(famqp_async_requester_open(a.conn, "lost-node", NULL, &a.rq), FAMQP_ASYNC_OK);
    for (int i = 0; i < 5; i++)
        request(&a, -1);
    run_for(a.loop, 500); /* out, accepted by the queue, never answered */
    ck_assert_int_eq(a.done, 0);
    broker_stop(&b, true);
    ck_assert(run_until(a.loop, five_done, &a, 5000));
    ck_assert_int_eq(a.lost, 5);
    ck_assert_uint_eq(famqp_async_requester_in_flight(a.rq), 0);
    /* Made while the connection is down: it waits, goes out after the
     * reconnect, and so ends by its timeout, not as lost. */
    request(&a, 1500);
    run_for(a.loop, 200);
    broker_start(&b, port, NULL);
    ck_assert(run_until(a.loop, reconnected, &a, 10000));
    ck_assert(run_until(a.loop, six_done, &a, 5000));
    ck_assert_int_eq(a.timeouts, 1);
    ck_assert_int_eq(a.lost, 5);
    ck_assert_int_eq(a.other, 0);
    /* famqp_async_close closes the requester too. */
    request(&a, -1);
    famqp_async_close(a.conn, NULL, NULL);
    ck_assert_int_eq(a.closed, 1);
    run_for(a.loop, 100);
    famqp_loop_free(a.loop);
    broker_stop(&b, false);
}
END_TEST

/* ---- CBS with the application's token provider ---- */

typedef struct cbs_app {
    famqp_cbs_sas_provider *sas;
    bool fail; /* the provider refuses */
    int calls, puts, refused, accepted, send_refused;
    char desc[128];
    int32_t code;
} cbs_app;

static bool provider(void *context, const char *audience, famqp_cbs_token *out)
{
    cbs_app *x = context;
    x->calls++;
    if (x->fail) {
        snprintf(out->error, sizeof out->error, "no credentials for %s", audience);
        return false;
    }
    return famqp_cbs_sas_provide(x->sas, audience, out);
}

static void on_cbs(famqp_async_conn *c, const famqp_async_cbs_event *ev, void *arg)
{
    (void)c;
    cbs_app *x = arg;
    if (ev->type == FAMQP_ASYNC_CBS_PUT) {
        x->puts++;
        ck_assert_uint_gt(ev->expiry_epoch_s, (uint64_t)time(NULL));
    } else {
        x->refused++;
        x->code = ev->status_code;
        snprintf(x->desc, sizeof x->desc, "%s", ev->description);
    }
    ck_assert_str_eq(ev->audience, "sb://127.0.0.1/cbs-q");
}

static void on_cbs_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    cbs_app *x = arg;
    if (st == FAMQP_ASYNC_OK && o->kind == FAMQP_OUTCOME_ACCEPTED)
        x->accepted++;
    else if (st == FAMQP_ASYNC_ERR_REFUSED)
        x->send_refused++;
}

static bool cbs_settled(void *arg)
{
    cbs_app *x = arg;
    return x->accepted + x->send_refused == 1;
}

/* One sender to cbs-q with one message, CBS through the provider. */
static void cbs_run(test_broker *b, cbs_app *x)
{
    famqp_loop *loop = new_loop();
    char url[64];
    broker_url(url, sizeof url, b);
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.cbs.provider = provider;
    o.cbs.provider_context = x;
    o.on_cbs_event = on_cbs;
    o.on_cbs_event_arg = x;
    famqp_async_conn *c;
    ck_assert_int_eq(famqp_async_connect(loop, url, &o, &c), FAMQP_ASYNC_OK);
    famqp_async_sender *s;
    ck_assert_int_eq(famqp_async_sender_open(c, "cbs-q", NULL, &s), FAMQP_ASYNC_OK);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "x");
    ck_assert_int_eq(famqp_async_send(s, &m, on_cbs_outcome, x), FAMQP_ASYNC_OK);
    ck_assert_int_eq(x->calls, 0); /* nothing before the connection is open */
    ck_assert(run_until(loop, cbs_settled, x, 10000));
    if (x->send_refused)
        ck_assert_str_eq(famqp_async_sender_condition(s), "amqp:unauthorized-access");
    ck_assert_uint_eq(famqp_async_cbs_puts(c), (uint64_t)x->puts);
    famqp_async_close(c, NULL, NULL);
    run_for(loop, 100);
    famqp_loop_free(loop);
}

START_TEST(cbs_token_provider)
{
    test_broker b;
    const char *args[] = {"--sas-key", "RootManageSharedAccessKey=SAS_KEY_VALUE", NULL};
    broker_start(&b, 0, args);
    cbs_app x = {0};
    ck_assert_int_eq(famqp_cbs_sas_provider_new("RootManageSharedAccessKey", "SAS_KEY_VALUE", 0, NULL, &x.sas, NULL),
                     FAMQP_AUTH_OK);
    cbs_run(&b, &x);
    ck_assert_int_eq(x.calls, 1);
    ck_assert_int_eq(x.puts, 1);
    ck_assert_int_eq(x.accepted, 1);
    ck_assert_int_eq(x.refused, 0);
    /* The provider fails: reported with its reason, the link never attached. */
    cbs_app y = {.sas = x.sas, .fail = true};
    cbs_run(&b, &y);
    ck_assert_int_eq(y.refused, 1);
    ck_assert_int_eq(y.code, -1);
    ck_assert_str_eq(y.desc, "no credentials for sb://127.0.0.1/cbs-q");
    ck_assert_int_eq(y.send_refused, 1);
    ck_assert_int_eq(y.puts, 0);
    famqp_cbs_sas_provider_free(x.sas);
    /* Bad CBS options are refused by famqp_async_connect's checks. */
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.cbs.sas_token = "SharedAccessSignature sr=a&sig=b&skn=c";
    char why[256];
    ck_assert_int_eq(famqp_async_options_check("amqp://127.0.0.1", &o, why, sizeof why), FAMQP_ASYNC_ERR_ARG);
    ck_assert_str_eq(why, "CBS: the SAS token has no se= expiry");
    famqp_async_options_init(&o);
    o.cbs.sas_key_name = "n";
    o.cbs.sas_key = "";
    ck_assert_int_eq(famqp_async_options_check("amqp://127.0.0.1", &o, why, sizeof why), FAMQP_ASYNC_ERR_ARG);
    ck_assert_str_eq(why, "CBS: the SAS key name and key must not be empty");
    broker_stop(&b, false);
}
END_TEST

Suite *async_request_suite(void)
{
    Suite *s = suite_create("async_request");
    TCase *tc = tcase_create("request");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, many_in_flight);
    tcase_add_test(tc, one_in_flight_chained);
    tcase_add_test(tc, timeout_unmatched_close);
    tcase_add_test(tc, lost_with_requests_out);
    tcase_add_test(tc, cbs_token_provider);
    suite_add_tcase(s, tc);
    return s;
}
