/* Sends COUNT numbered messages to QUEUE and receives them back, with the
 * asynchronous client (famqp/async.h) on one famqp_loop: nothing blocks,
 * every result arrives through a callback.
 *   usage: async_send_receive URL QUEUE COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/async.h>

typedef struct app {
    famqp_loop *loop;
    famqp_async_conn *conn;
    famqp_async_sender *sender;
    uint32_t count, next_to_send, accepted, received, in_order;
    int failed;
} app;

static void send_more(app *a);

static void on_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    app *a = arg;
    famqp_loop_stop(a->loop); /* c is freed when this returns */
}

static void finish_if_done(app *a)
{
    if (a->received == a->count && a->accepted == a->count)
        famqp_async_close(a->conn, on_closed, a);
}

static void on_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    app *a = arg;
    if (st == FAMQP_ASYNC_OK && o->kind == FAMQP_OUTCOME_ACCEPTED)
        a->accepted++;
    else
        a->failed = 1;
    send_more(a); /* room in the sender again */
    finish_if_done(a);
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    app *a = arg;
    famqp_message m;
    uint32_t n;
    if (famqp_async_delivery_read(d, &m, NULL) == FAMQP_OK && m.body.data.len == sizeof n) {
        memcpy(&n, m.body.data.ptr, sizeof n);
        if (n == a->received)
            a->in_order++;
    }
    a->received++; /* accepted when this returns (auto_accept) */
    finish_if_done(a);
}

static void on_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    app *a = arg;
    if (ev->type == FAMQP_ASYNC_RECONNECTING)
        fprintf(stderr, "lost (%s); trying %s\n", ev->message, ev->url);
    if (ev->type == FAMQP_ASYNC_CLOSED && ev->message[0]) { /* failed for good */
        fprintf(stderr, "closed: %s\n", ev->message);
        a->failed = 1;
        famqp_async_close(c, on_closed, a);
    }
}

/* Queues messages until the sender's limit says "full"; on_outcome calls
 * this again as outcomes free room. */
static void send_more(app *a)
{
    while (a->next_to_send < a->count) {
        uint32_t n = a->next_to_send;
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, &n, sizeof n);
        famqp_async_status st = famqp_async_send(a->sender, &m, on_outcome, a);
        if (st == FAMQP_ASYNC_ERR_FULL)
            return;
        if (st != FAMQP_ASYNC_OK) {
            a->failed = 1;
            return;
        }
        a->next_to_send++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL QUEUE COUNT\n", argv[0]);
        return 2;
    }
    app a = {.count = (uint32_t)strtoul(argv[3], NULL, 10)};
    if (famqp_loop_new(NULL, &a.loop) != FAMQP_LOOP_OK)
        return 1;
    famqp_async_options opts;
    famqp_async_options_init(&opts);
    opts.reconnect.max_attempts = 10; /* a lost connection is replaced */
    opts.on_event = on_event;
    opts.on_event_arg = &a;
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.max_pending_messages = 1000; /* at most this many in flight */
    famqp_async_receiver *r;
    if (famqp_async_connect(a.loop, argv[1], &opts, &a.conn) != FAMQP_ASYNC_OK ||
        famqp_async_receiver_open(a.conn, argv[2], NULL, on_message, &a, &r) != FAMQP_ASYNC_OK ||
        famqp_async_sender_open(a.conn, argv[2], &so, &a.sender) != FAMQP_ASYNC_OK) {
        fprintf(stderr, "bad URL or options\n");
        return 1;
    }
    send_more(&a);
    famqp_loop_run(a.loop); /* until on_closed */
    famqp_loop_free(a.loop);
    printf("sent %u, accepted %u, received %u in order\n", a.next_to_send, a.accepted, a.in_order);
    return a.failed || a.in_order != a.count;
}
