/* One thread, CONNS asynchronous connections (famqp/async.h) on one
 * famqp_loop, each sending COUNT messages of SIZE bytes at-least-once (at
 * most WINDOW awaiting their outcome per connection, as famqp-send
 * --window) to its own queue; prints the total rate.  perf/async_clients.sh
 * runs it against famqp-broker next to famqp-send.
 *   usage: async-clients URL CONNS COUNT SIZE [WINDOW] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/async.h>

typedef struct bench bench;
typedef struct conn_state {
    bench *b;
    famqp_async_conn *conn;
    famqp_async_sender *s;
    uint64_t sent, accepted;
} conn_state;

struct bench {
    famqp_loop *loop;
    uint64_t count, done_conns, conns, failed;
    uint8_t *body;
    size_t size;
};

static void fill(conn_state *c);

static void on_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    conn_state *c = arg;
    if (st != FAMQP_ASYNC_OK || o->kind != FAMQP_OUTCOME_ACCEPTED) {
        c->b->failed++;
        famqp_loop_stop(c->b->loop);
        return;
    }
    if (++c->accepted == c->b->count && ++c->b->done_conns == c->b->conns)
        famqp_loop_stop(c->b->loop);
    fill(c);
}

static void fill(conn_state *c)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, c->b->body, c->b->size);
    while (c->sent < c->b->count && famqp_async_send(c->s, &m, on_outcome, c) == FAMQP_ASYNC_OK)
        c->sent++;
}

static void on_event(famqp_async_conn *conn, const famqp_async_event *ev, void *arg)
{
    (void)conn;
    bench *b = arg;
    if (ev->type == FAMQP_ASYNC_CLOSED && ev->message[0]) {
        fprintf(stderr, "async-clients: %s\n", ev->message);
        b->failed++;
        famqp_loop_stop(b->loop);
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL CONNS COUNT SIZE [WINDOW]\n", argv[0]);
        return 2;
    }
    bench b = {.conns = strtoull(argv[2], NULL, 10), .count = strtoull(argv[3], NULL, 10),
               .size = strtoul(argv[4], NULL, 10)};
    int64_t window = argc > 5 ? strtoll(argv[5], NULL, 10) : 1000;
    b.body = calloc(1, b.size ? b.size : 1);
    conn_state *cs = calloc(b.conns, sizeof *cs);
    if (!b.body || !cs || famqp_loop_new(NULL, &b.loop) != FAMQP_LOOP_OK)
        return 1;
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.on_event = on_event;
    o.on_event_arg = &b;
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.max_pending_messages = window;
    so.max_pending_bytes = -1;
    uint64_t start = famqp_io_now_ms();
    for (uint64_t i = 0; i < b.conns; i++) {
        char q[64];
        snprintf(q, sizeof q, "async-bench-%llu", (unsigned long long)i);
        cs[i].b = &b;
        if (famqp_async_connect(b.loop, argv[1], &o, &cs[i].conn) != FAMQP_ASYNC_OK ||
            famqp_async_sender_open(cs[i].conn, q, &so, &cs[i].s) != FAMQP_ASYNC_OK)
            return 1;
        fill(&cs[i]);
    }
    famqp_loop_run(b.loop);
    uint64_t ms = famqp_io_now_ms() - start;
    uint64_t total = 0;
    for (uint64_t i = 0; i < b.conns; i++)
        total += cs[i].accepted;
    for (uint64_t i = 0; i < b.conns; i++)
        famqp_async_close(cs[i].conn, NULL, NULL);
    for (int i = 0; i < 100; i++)
        famqp_loop_run_once(b.loop, 10, NULL);
    famqp_loop_free(b.loop);
    double s = ms ? (double)ms / 1000.0 : 0.001;
    printf("sent %llu messages over %llu connections in %.2f s: %.0f msg/s\n", (unsigned long long)total,
           (unsigned long long)b.conns, s, (double)total / s);
    free(cs);
    free(b.body);
    return b.failed || total != b.conns * b.count;
}
