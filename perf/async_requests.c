/* perf/async_requests.sh's program: COUNT put-token requests to
 * famqp-broker's $cbs with IN_FLIGHT always outstanding, through the
 * asynchronous requester (famqp_async_requester, one loop thread) and then
 * through the blocking one (famqp/request.h: start, wait for the oldest,
 * start the next), on one connection each.  Every response must be 200.
 * Prints "async: R req/s" and "blocking: R req/s".
 *   usage: async-requests URL KEY_NAME KEY COUNT IN_FLIGHT */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/async.h>
#include <famqp/management.h>
#include <famqp/request.h>

static famqp_message request;
static uint8_t props[512];
static char token[512];
static int count, in_flight, started, answered, failed;
static famqp_async_requester *arq;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void start_more(void);

static void on_response(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp, void *arg)
{
    (void)r;
    (void)arg;
    answered++;
    failed += st != FAMQP_ASYNC_OK || resp->status_code != 200;
    start_more();
}

static void start_more(void)
{
    while (started < count && famqp_async_requester_in_flight(arq) < (size_t)in_flight) {
        if (famqp_async_request(arq, &request, 10000, on_response, NULL, NULL) != FAMQP_ASYNC_OK)
            break;
        started++;
    }
}

static double run_async(const char *url)
{
    famqp_loop *loop;
    famqp_async_conn *c;
    if (famqp_loop_new(NULL, &loop) != FAMQP_LOOP_OK || famqp_async_connect(loop, url, NULL, &c) != FAMQP_ASYNC_OK)
        return -1;
    famqp_async_requester_options o;
    famqp_async_requester_options_init(&o);
    o.max_in_flight = (uint32_t)in_flight;
    if (famqp_async_requester_open(c, FAMQP_CBS_NODE, &o, &arq) != FAMQP_ASYNC_OK)
        return -1;
    while (!famqp_async_is_open(c))
        famqp_loop_run_once(loop, 100, NULL);
    started = answered = 0;
    double t0 = now_s();
    start_more();
    while (answered < count)
        famqp_loop_run_once(loop, 100, NULL);
    double t = now_s() - t0;
    famqp_async_close(c, NULL, NULL);
    for (int i = 0; i < 50; i++)
        famqp_loop_run_once(loop, 10, NULL);
    famqp_loop_free(loop);
    return count / t;
}

static double run_blocking(const char *url)
{
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, NULL, &c, &err) != FAMQP_CLIENT_OK)
        return -1;
    famqp_requester_options o;
    famqp_requester_options_init(&o);
    o.max_in_flight = (uint32_t)in_flight;
    famqp_requester *rq;
    uint64_t *ids = calloc((size_t)in_flight, sizeof *ids);
    if (!ids || famqp_requester_open(c, FAMQP_CBS_NODE, &o, &rq) != FAMQP_CLIENT_OK)
        return -1;
    double t0 = now_s();
    for (int k = 0; k < count + in_flight; k++) {
        if (k >= in_flight) {
            famqp_response r;
            famqp_client_status st = famqp_request_wait(rq, ids[k % in_flight], 10000, &r);
            failed += st != FAMQP_CLIENT_OK || r.status_code != 200;
            famqp_response_release(&r);
        }
        if (k < count && famqp_request_start(rq, &request, 10000, &ids[k % in_flight]) != FAMQP_CLIENT_OK)
            failed++;
    }
    double t = now_s() - t0;
    famqp_requester_close(rq, 5000);
    famqp_client_close(c, 5000);
    free(ids);
    return count / t;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: async-requests URL KEY_NAME KEY COUNT IN_FLIGHT\n");
        return 2;
    }
    count = atoi(argv[4]);
    in_flight = atoi(argv[5]);
    if (count < 1 || in_flight < 1 || in_flight > 65536)
        return 2;
    /* One token, put for one audience again and again: the broker checks
     * every one (HMAC-SHA256); the client's cost is the request/response. */
    uint64_t se = (uint64_t)time(NULL) + 3600;
    const char *audience = "sb://127.0.0.1/perf";
    if (famqp_sas_token(audience, argv[2], argv[3], se, token, sizeof token, NULL, NULL) != FAMQP_AUTH_OK)
        return 1;
    famqp_message_init(&request);
    if (famqp_cbs_put_token_request(&request, props, sizeof props, FAMQP_CBS_TYPE_SAS, audience, se, token) != FAMQP_OK)
        return 1;
    double a = run_async(argv[1]);
    double b = run_blocking(argv[1]);
    printf("async: %.0f req/s\nblocking: %.0f req/s\n", a, b);
    if (failed || a < 0 || b < 0) {
        fprintf(stderr, "async-requests: %d requests failed\n", failed);
        return 1;
    }
    return 0;
}
