/* Claims-based security and request/response on the asynchronous client:
 * the connection puts a SAS token for QUEUE before its sender and receiver
 * attach (famqp_async_options.cbs), COUNT messages go round through QUEUE,
 * and a requester asks the `$cbs` node itself to check two tokens made by
 * hand, one signed with the right key and one with a wrong one.
 *   usage: async_cbs_request URL KEY_NAME KEY QUEUE COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/async.h>
#include <famqp/management.h>

struct app;

/* The $cbs node's answer to one hand-made request. */
typedef struct answer {
    struct app *a;
    int32_t status;
} answer;

typedef struct app {
    famqp_loop *loop;
    famqp_async_conn *conn;
    const char *key_name, *key;
    int count, sent, received, in_order, puts, refused, answers;
    answer by_hand[2];
} app;

static void on_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    famqp_loop_stop(((app *)arg)->loop);
}

static void finish_if_done(app *a)
{
    if ((a->received == a->count && a->answers == 2) || a->refused)
        famqp_async_close(a->conn, on_closed, a);
}

/* The connection's own put-tokens: one for QUEUE's audience, before the links. */
static void on_cbs_event(famqp_async_conn *c, const famqp_async_cbs_event *ev, void *arg)
{
    (void)c;
    app *a = arg;
    if (ev->type == FAMQP_ASYNC_CBS_PUT) {
        a->puts++;
    } else {
        fprintf(stderr, "token for %s refused: %d %s\n", ev->audience, (int)ev->status_code, ev->description);
        a->refused = 1;
        finish_if_done(a);
    }
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    app *a = arg;
    famqp_message m;
    uint32_t n;
    if (famqp_async_delivery_read(d, &m, NULL) == FAMQP_OK && m.body.kind == FAMQP_BODY_DATA && m.body.data.len == 4) {
        memcpy(&n, m.body.data.ptr, 4);
        a->in_order += n == (uint32_t)a->received;
    }
    a->received++;
    finish_if_done(a);
}

static void on_response(famqp_async_requester *r, famqp_async_status st, const famqp_async_response *resp,
                        void *arg)
{
    (void)r;
    answer *ans = arg;
    ans->status = st == FAMQP_ASYNC_OK ? resp->status_code : -1; /* -1: no answer (timeout, lost, ...) */
    ans->a->answers++;
    finish_if_done(ans->a);
}

/* A put-token request for audience with a SAS token signed with key. */
static void ask(app *a, famqp_async_requester *rq, const char *audience, const char *key, answer *ans)
{
    ans->a = a;
    char token[512];
    uint64_t expiry = (uint64_t)time(NULL) + 600;
    famqp_sas_token(audience, a->key_name, key, expiry, token, sizeof token, NULL, NULL);
    famqp_message m;
    famqp_message_init(&m);
    uint8_t props[256];
    famqp_cbs_put_token_request(&m, props, sizeof props, FAMQP_CBS_TYPE_SAS, audience, expiry, token);
    famqp_async_request(rq, &m, 5000, on_response, ans, NULL); /* copied: m may go */
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: async_cbs_request URL KEY_NAME KEY QUEUE COUNT\n");
        return 2;
    }
    app a = {.key_name = argv[2], .key = argv[3], .count = atoi(argv[5])};
    famqp_loop_new(NULL, &a.loop);

    famqp_async_options o;
    famqp_async_options_init(&o);
    o.cbs.sas_key_name = a.key_name; /* the built-in SAS provider */
    o.cbs.sas_key = a.key;
    o.on_cbs_event = on_cbs_event;
    o.on_cbs_event_arg = &a;
    if (famqp_async_connect(a.loop, argv[1], &o, &a.conn) != FAMQP_ASYNC_OK)
        return 1;

    /* Both wait for QUEUE's token, put once for the two of them. */
    famqp_async_sender *s;
    famqp_async_receiver *r;
    famqp_async_sender_open(a.conn, argv[4], NULL, &s);
    famqp_async_receiver_open(a.conn, argv[4], NULL, on_message, &a, &r);
    for (uint32_t i = 0; i < (uint32_t)a.count; i++) {
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, &i, sizeof i);
        famqp_async_send(s, &m, NULL, NULL); /* copied; outcome not needed here */
        a.sent++;
    }

    /* Request/response by hand: two put-tokens to $cbs, answered 200 and 401. */
    famqp_async_requester *rq;
    famqp_async_requester_open(a.conn, FAMQP_CBS_NODE, NULL, &rq);
    char audience[256];
    snprintf(audience, sizeof audience, "sb://127.0.0.1/%s-by-hand", argv[4]);
    ask(&a, rq, audience, a.key, &a.by_hand[0]);
    ask(&a, rq, audience, "not-the-key", &a.by_hand[1]);

    famqp_loop_run(a.loop); /* until on_closed */
    famqp_loop_free(a.loop);
    printf("tokens put %d, by hand %d %d, sent %d, received %d, %d in order\n", a.puts, (int)a.by_hand[0].status,
           (int)a.by_hand[1].status, a.sent, a.received, a.in_order);
    return a.refused || a.received != a.count || a.in_order != a.count;
}
