/* famqp-request-check URL: the requester (famqp/request.h) against a Qpid
 * Proton management node (tests/interop/request_responder.py): a request
 * and its response with "status-code" and with Azure's "statusCode"; an
 * error status; ten requests answered in reverse order, each matched to
 * its own; max_in_flight; a silent node (timeout) and a late response
 * (dropped, counted); a refused node; a wait for an unknown id.  Prints
 * one line per mismatch; exits 0 when all matched. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "famqp/request.h"

static int failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("famqp-request-check: FAILED: " __VA_ARGS__);                                                      \
            printf("\n");                                                                                              \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

/* A request: application property "operation" and a string body. */
typedef struct request {
    famqp_message m;
    uint8_t props[128];
} request;

static void request_init(request *r, const char *operation, const char *body)
{
    famqp_message_init(&r->m);
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, r->props, sizeof r->props);
    famqp_map_builder_put_string(&b, "operation", operation);
    famqp_message_set_map(&r->m, &b);
    if (body)
        famqp_message_set_string(&r->m, body);
}

static bool body_is(const famqp_response *resp, const char *want)
{
    famqp_string s;
    return famqp_message_get_string(&resp->message, &s) && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static bool description_is(const famqp_response *resp, const char *want)
{
    return resp->status_description.len == strlen(want) &&
           memcmp(resp->status_description.ptr, want, resp->status_description.len) == 0;
}

static const char *why(famqp_client *c) { return famqp_client_last_error(c)->message; }

static void echo_on(famqp_client *c, const char *node)
{
    famqp_requester *rq;
    famqp_client_status st = famqp_requester_open(c, node, NULL, &rq);
    CHECK(st == FAMQP_CLIENT_OK, "open a requester on %s: %s", node, why(c));
    if (st != FAMQP_CLIENT_OK)
        return;
    CHECK(strncmp(famqp_requester_reply_to(rq), "famqp-reply-", 12) == 0 && strlen(famqp_requester_reply_to(rq)) == 28,
          "generated reply-to %s", famqp_requester_reply_to(rq));
    request q;
    request_init(&q, "echo", "ping");
    famqp_response resp;
    st = famqp_request(rq, &q.m, 5000, &resp);
    CHECK(st == FAMQP_CLIENT_OK, "%s: echo: %s", node, why(c));
    if (st == FAMQP_CLIENT_OK) {
        CHECK(resp.status_code == 200, "%s: echo status %" PRId32, node, resp.status_code);
        CHECK(description_is(&resp, "OK"), "%s: echo description '%.*s'", node, (int)resp.status_description.len,
              resp.status_description.ptr);
        CHECK(body_is(&resp, "ping"), "%s: echo body", node);
        famqp_response_release(&resp);
        CHECK(resp.delivery == NULL, "%s: release clears the response", node);
    }
    request_init(&q, "fail", NULL);
    st = famqp_request(rq, &q.m, 5000, &resp);
    CHECK(st == FAMQP_CLIENT_OK, "%s: fail: %s", node, why(c));
    if (st == FAMQP_CLIENT_OK) {
        CHECK(resp.status_code == 404, "%s: fail status %" PRId32, node, resp.status_code);
        CHECK(description_is(&resp, "no such entity"), "%s: fail description", node);
        famqp_response_release(&resp);
    }
    CHECK(famqp_requester_close(rq, 5000) == FAMQP_CLIENT_OK, "%s: close: %s", node, why(c));
}

/* Ten held requests answered in reverse order by a flush: each wait gets
 * its own response.  A requester for two: the third start is refused. */
static void pipelined(famqp_client *c)
{
    famqp_requester *rq, *small;
    famqp_requester_options o;
    famqp_requester_options_init(&o);
    o.max_in_flight = 2;
    o.reply_to = "request-check-small";
    if (famqp_requester_open(c, "$management", NULL, &rq) != FAMQP_CLIENT_OK ||
        famqp_requester_open(c, "$management", &o, &small) != FAMQP_CLIENT_OK) {
        CHECK(false, "pipelined: open: %s", why(c));
        return;
    }
    CHECK(strcmp(famqp_requester_reply_to(small), "request-check-small") == 0, "reply_to option");
    request q[10];
    char bodies[10][16];
    uint64_t ids[10];
    for (int i = 0; i < 10; i++) {
        snprintf(bodies[i], sizeof bodies[i], "held %d", i);
        request_init(&q[i], "hold", bodies[i]);
        CHECK(famqp_request_start(rq, &q[i].m, 5000, &ids[i]) == FAMQP_CLIENT_OK, "start %d: %s", i, why(c));
    }
    CHECK(ids[9] == ids[0] + 9, "ids numbered in turn: %" PRIu64 "..%" PRIu64, ids[0], ids[9]);
    request h;
    request_init(&h, "hold", "small");
    uint64_t s1, s2, s3;
    CHECK(famqp_request_start(small, &h.m, 5000, &s1) == FAMQP_CLIENT_OK, "small: first");
    CHECK(famqp_request_start(small, &h.m, 5000, &s2) == FAMQP_CLIENT_OK, "small: second");
    famqp_client_status st = famqp_request_start(small, &h.m, 5000, &s3);
    CHECK(st == FAMQP_CLIENT_ERR_STATE && strstr(why(c), "max_in_flight"),
          "a third request past max_in_flight 2: %s (%s)", famqp_client_status_name(st), why(c));

    request flush;
    request_init(&flush, "flush", NULL);
    famqp_response resp;
    CHECK(famqp_request(rq, &flush.m, 5000, &resp) == FAMQP_CLIENT_OK && resp.status_code == 200, "flush: %s",
          why(c));
    famqp_response_release(&resp);
    for (int i = 0; i < 10; i++) {
        st = famqp_request_wait(rq, ids[i], 5000, &resp);
        CHECK(st == FAMQP_CLIENT_OK, "wait %d: %s", i, why(c));
        if (st == FAMQP_CLIENT_OK) {
            CHECK(body_is(&resp, bodies[i]), "response %d has its own body", i);
            famqp_response_release(&resp);
        }
    }
    famqp_response r1, r2;
    CHECK(famqp_request_wait(small, s2, 5000, &r2) == FAMQP_CLIENT_OK && body_is(&r2, "small"), "small: second");
    CHECK(famqp_request_wait(small, s1, 5000, &r1) == FAMQP_CLIENT_OK && body_is(&r1, "small"), "small: first");
    famqp_response_release(&r1);
    famqp_response_release(&r2);
    st = famqp_request_wait(rq, ids[3], 100, &resp);
    CHECK(st == FAMQP_CLIENT_ERR_ARG, "waiting twice for one request: %s", famqp_client_status_name(st));
    CHECK(famqp_requester_unmatched(rq) == 0, "pipelined: unmatched %" PRIu64, famqp_requester_unmatched(rq));
    famqp_requester_close(small, 5000);
    famqp_requester_close(rq, 5000);
}

/* No response: a timeout that names the request.  A late one: given up,
 * then dropped and counted when it comes. */
static void timeouts(famqp_client *c)
{
    famqp_requester *rq;
    if (famqp_requester_open(c, "$management", NULL, &rq) != FAMQP_CLIENT_OK) {
        CHECK(false, "timeouts: open: %s", why(c));
        return;
    }
    request q;
    request_init(&q, "silent", NULL);
    famqp_response resp;
    famqp_client_status st = famqp_request(rq, &q.m, 300, &resp);
    CHECK(st == FAMQP_CLIENT_ERR_TIMEOUT && strstr(why(c), "no response to request"), "silent: %s (%s)",
          famqp_client_status_name(st), why(c));
    CHECK(resp.delivery == NULL, "silent: no response");
    request_init(&q, "late", NULL);
    st = famqp_request(rq, &q.m, 300, &resp);
    CHECK(st == FAMQP_CLIENT_ERR_TIMEOUT, "late: %s", famqp_client_status_name(st));
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 700000000}, NULL); /* the late response is sent */
    request_init(&q, "echo", "after");
    st = famqp_request(rq, &q.m, 5000, &resp);
    CHECK(st == FAMQP_CLIENT_OK && body_is(&resp, "after"), "echo after the late one: %s", why(c));
    famqp_response_release(&resp);
    CHECK(famqp_requester_unmatched(rq) == 1, "the late response dropped and counted: %" PRIu64,
          famqp_requester_unmatched(rq));
    famqp_requester_close(rq, 5000);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-request-check amqp://HOST:PORT\n");
        return 2;
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], NULL, &c, &err) != FAMQP_CLIENT_OK) {
        printf("famqp-request-check: FAILED: connect: %s\n", err.message);
        return 1;
    }
    echo_on(c, "$management");
    echo_on(c, "azure-management");
    pipelined(c);
    timeouts(c);

    famqp_requester *rq = (famqp_requester *)&rq;
    famqp_client_status st = famqp_requester_open(c, "nowhere", NULL, &rq);
    CHECK(st == FAMQP_CLIENT_ERR_REFUSED && rq == NULL &&
              strcmp(famqp_client_last_error(c)->condition, "amqp:not-found") == 0,
          "a refused node: %s, condition '%s'", famqp_client_status_name(st), famqp_client_last_error(c)->condition);
    famqp_requester_options o;
    famqp_requester_options_init(&o);
    o.max_in_flight = 0;
    CHECK(famqp_requester_open(c, "$management", &o, &rq) == FAMQP_CLIENT_ERR_ARG && strstr(why(c), "max_in_flight"),
          "max_in_flight 0: %s", why(c));

    CHECK(famqp_client_close(c, 5000) == FAMQP_CLIENT_OK, "close");
    if (failures)
        return 1;
    printf("famqp-request-check: ok\n");
    return 0;
}
