/* famqp-async-request-check URL: the asynchronous requester
 * (famqp_async_requester, famqp/async.h) against a Qpid Proton management
 * node (tests/interop/request_responder.py): echo with "status-code" and
 * with Azure's "statusCode"; an error status; ten held requests answered
 * in reverse order, each callback with its own body; max_in_flight
 * (ERR_FULL); a silent node (ERR_TIMEOUT) and a late response (counted
 * unmatched); a refused node (ERR_REFUSED); then the responder severs the
 * connection with four requests out: each ends with ERR_LOST, the client
 * reconnects and an echo works again.  Prints one line per mismatch;
 * exits 0 when all matched. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "famqp/async.h"

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("famqp-async-request-check: FAILED: " __VA_ARGS__);                                                \
            printf("\n");                                                                                              \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static famqp_loop *loop;
static famqp_async_conn *conn;
static uint64_t reconnects_seen;

/* One request's result, as its callback saw it. */
typedef struct result {
    bool done;
    int calls;
    famqp_async_status status;
    int32_t code;
    char description[64];
    char body[64];
} result;

static void on_result(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    result *res = arg;
    res->calls++;
    res->done = true;
    res->status = st;
    res->code = resp->status_code;
    snprintf(res->description, sizeof res->description, "%.*s", (int)resp->status_description.len,
             resp->status_description.ptr ? resp->status_description.ptr : "");
    famqp_string s;
    res->body[0] = 0;
    if (resp->message && famqp_message_get_string(resp->message, &s))
        snprintf(res->body, sizeof res->body, "%.*s", (int)s.len, s.ptr);
}

/* Runs the loop until every one of n results is done, at most ms. */
static bool wait_all(result *res, int n, int ms)
{
    uint64_t end = famqp_io_now_ms() + (uint64_t)ms;
    for (;;) {
        int left = 0;
        for (int i = 0; i < n; i++)
            left += !res[i].done;
        if (!left)
            return true;
        if (famqp_io_now_ms() >= end)
            return false;
        famqp_loop_run_once(loop, 20, NULL);
    }
}

static void run_ms(int ms)
{
    uint64_t end = famqp_io_now_ms() + (uint64_t)ms;
    while (famqp_io_now_ms() < end)
        famqp_loop_run_once(loop, 10, NULL);
}

/* Sends a request with application property "operation" and a string body. */
static famqp_async_status send_op(famqp_async_requester *rq, const char *op, const char *body, int timeout_ms,
                                  result *res)
{
    memset(res, 0, sizeof *res);
    famqp_message m;
    famqp_message_init(&m);
    uint8_t props[128];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, props, sizeof props);
    famqp_map_builder_put_string(&b, "operation", op);
    famqp_message_set_map(&m, &b);
    if (body)
        famqp_message_set_string(&m, body);
    return famqp_async_request(rq, &m, timeout_ms, on_result, res, NULL);
}

static famqp_async_requester *open_on(const char *node, const famqp_async_requester_options *o)
{
    famqp_async_requester *rq = NULL;
    famqp_async_status st = famqp_async_requester_open(conn, node, o, &rq);
    CHECK(st == FAMQP_ASYNC_OK, "open a requester on %s: %s", node, famqp_async_status_name(st));
    return rq;
}

static void echo_on(const char *node)
{
    famqp_async_requester *rq = open_on(node, NULL);
    if (!rq)
        return;
    result res[2];
    CHECK(send_op(rq, "echo", "ping", 5000, &res[0]) == FAMQP_ASYNC_OK, "%s: echo", node);
    CHECK(send_op(rq, "fail", NULL, 5000, &res[1]) == FAMQP_ASYNC_OK, "%s: fail", node);
    CHECK(wait_all(res, 2, 10000), "%s: no answers", node);
    CHECK(res[0].status == FAMQP_ASYNC_OK && res[0].code == 200 && strcmp(res[0].description, "OK") == 0 &&
              strcmp(res[0].body, "ping") == 0,
          "%s: echo: %s %" PRId32 " '%s' '%s'", node, famqp_async_status_name(res[0].status), res[0].code,
          res[0].description, res[0].body);
    CHECK(res[1].status == FAMQP_ASYNC_OK && res[1].code == 404 && strcmp(res[1].description, "no such entity") == 0,
          "%s: fail: %s %" PRId32 " '%s'", node, famqp_async_status_name(res[1].status), res[1].code,
          res[1].description);
    famqp_async_requester_close(rq);
}

/* Ten held requests answered in reverse order by a flush; a requester for
 * two refuses a third. */
static void pipelined(void)
{
    famqp_async_requester_options o;
    famqp_async_requester_options_init(&o);
    o.max_in_flight = 2;
    o.reply_to = "async-check-small";
    famqp_async_requester *rq = open_on("$management", NULL), *small = open_on("$management", &o);
    if (!rq || !small)
        return;
    result held[10], flush, s[3];
    char bodies[10][16];
    for (int i = 0; i < 10; i++) {
        snprintf(bodies[i], sizeof bodies[i], "held %d", i);
        CHECK(send_op(rq, "hold", bodies[i], 5000, &held[i]) == FAMQP_ASYNC_OK, "hold %d", i);
    }
    CHECK(send_op(small, "hold", "small", 5000, &s[0]) == FAMQP_ASYNC_OK, "small: first");
    CHECK(send_op(small, "hold", "small", 5000, &s[1]) == FAMQP_ASYNC_OK, "small: second");
    famqp_async_status st = send_op(small, "hold", "small", 5000, &s[2]);
    CHECK(st == FAMQP_ASYNC_ERR_FULL, "a third request past max_in_flight 2: %s", famqp_async_status_name(st));
    CHECK(famqp_async_requester_in_flight(small) == 2, "small: in flight %zu", famqp_async_requester_in_flight(small));
    run_ms(200); /* every hold reached the responder before the flush */
    CHECK(send_op(rq, "flush", NULL, 5000, &flush) == FAMQP_ASYNC_OK, "flush");
    CHECK(wait_all(held, 10, 10000) && wait_all(&flush, 1, 5000) && wait_all(s, 2, 5000), "held: no answers");
    for (int i = 0; i < 10; i++)
        CHECK(held[i].calls == 1 && held[i].status == FAMQP_ASYNC_OK && strcmp(held[i].body, bodies[i]) == 0,
              "held %d: %d calls, %s, body '%s'", i, held[i].calls, famqp_async_status_name(held[i].status),
              held[i].body);
    CHECK(flush.code == 200, "flush status %" PRId32, flush.code);
    CHECK(s[0].status == FAMQP_ASYNC_OK && s[1].status == FAMQP_ASYNC_OK, "small: answers");
    CHECK(famqp_async_requester_unmatched(rq) == 0, "pipelined: unmatched %" PRIu64,
          famqp_async_requester_unmatched(rq));
    famqp_async_requester_close(small);
    famqp_async_requester_close(rq);
}

/* No response: ERR_TIMEOUT.  A late one: timed out, then counted. */
static void timeouts(void)
{
    famqp_async_requester *rq = open_on("$management", NULL);
    if (!rq)
        return;
    result res[2];
    uint64_t t0 = famqp_io_now_ms();
    CHECK(send_op(rq, "silent", NULL, 300, &res[0]) == FAMQP_ASYNC_OK, "silent");
    CHECK(send_op(rq, "late", NULL, 300, &res[1]) == FAMQP_ASYNC_OK, "late");
    CHECK(wait_all(res, 2, 5000), "timeouts: no callbacks");
    uint64_t took = famqp_io_now_ms() - t0;
    CHECK(res[0].status == FAMQP_ASYNC_ERR_TIMEOUT && res[1].status == FAMQP_ASYNC_ERR_TIMEOUT,
          "silent: %s, late: %s", famqp_async_status_name(res[0].status), famqp_async_status_name(res[1].status));
    CHECK(took >= 290 && took < 1400, "timed out after %" PRIu64 " ms, not 300", took);
    run_ms(1700); /* the late response comes */
    CHECK(famqp_async_requester_unmatched(rq) == 1, "the late response counted: %" PRIu64,
          famqp_async_requester_unmatched(rq));
    famqp_async_requester_close(rq);
}

static void refused(void)
{
    famqp_async_requester *rq = open_on("nowhere", NULL);
    if (!rq)
        return;
    result res;
    CHECK(send_op(rq, "echo", "x", 5000, &res) == FAMQP_ASYNC_OK, "nowhere: request");
    CHECK(wait_all(&res, 1, 5000), "nowhere: no callback");
    CHECK(res.status == FAMQP_ASYNC_ERR_REFUSED, "nowhere: %s", famqp_async_status_name(res.status));
    famqp_async_status st = send_op(rq, "echo", "x", 5000, &res);
    CHECK(st == FAMQP_ASYNC_ERR_STATE, "nowhere after the refusal: %s", famqp_async_status_name(st));
    famqp_async_requester_close(rq);
}

/* The responder closes the socket with requests out: ERR_LOST for each;
 * after the reconnect the same requester works again. */
static void severed(void)
{
    famqp_async_requester *rq = open_on("$management", NULL);
    if (!rq)
        return;
    result res[4], after;
    for (int i = 0; i < 3; i++)
        CHECK(send_op(rq, "hold", "lost", -1, &res[i]) == FAMQP_ASYNC_OK, "hold %d", i);
    run_ms(200);
    CHECK(send_op(rq, "sever", NULL, -1, &res[3]) == FAMQP_ASYNC_OK, "sever");
    CHECK(wait_all(res, 4, 10000), "severed: no callbacks");
    for (int i = 0; i < 4; i++)
        CHECK(res[i].status == FAMQP_ASYNC_ERR_LOST && res[i].calls == 1, "request %d: %s (%d calls)", i,
              famqp_async_status_name(res[i].status), res[i].calls);
    CHECK(send_op(rq, "echo", "again", 10000, &after) == FAMQP_ASYNC_OK, "echo after the loss");
    CHECK(wait_all(&after, 1, 15000), "echo after the loss: no answer");
    CHECK(after.status == FAMQP_ASYNC_OK && strcmp(after.body, "again") == 0, "echo after the loss: %s '%s'",
          famqp_async_status_name(after.status), after.body);
    CHECK(famqp_async_reconnects(conn) == 1, "reconnects %" PRIu64, famqp_async_reconnects(conn));
    famqp_async_requester_close(rq);
}

static void on_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    (void)arg;
    if (ev->type == FAMQP_ASYNC_RECONNECTED)
        reconnects_seen++;
    if (ev->type == FAMQP_ASYNC_CLOSED && ev->message[0])
        printf("famqp-async-request-check: connection closed: %s\n", ev->message);
}

static bool closed_done;
static void on_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    (void)arg;
    closed_done = true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-async-request-check amqp://HOST:PORT\n");
        return 2;
    }
    if (famqp_loop_new(NULL, &loop) != FAMQP_LOOP_OK)
        return 1;
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.reconnect.max_attempts = 20;
    o.reconnect.initial_backoff_ms = 50;
    o.on_event = on_event;
    if (famqp_async_connect(loop, argv[1], &o, &conn) != FAMQP_ASYNC_OK) {
        printf("famqp-async-request-check: FAILED: connect\n");
        return 1;
    }
    echo_on("$management");
    echo_on("azure-management");
    pipelined();
    timeouts();
    refused();
    severed();
    CHECK(reconnects_seen == 1, "RECONNECTED events: %" PRIu64, reconnects_seen);
    famqp_async_close(conn, on_closed, NULL);
    for (int i = 0; i < 500 && !closed_done; i++)
        famqp_loop_run_once(loop, 10, NULL);
    famqp_loop_free(loop);
    if (failures)
        return 1;
    printf("famqp-async-request-check: ok\n");
    return 0;
}
