/* PAIRS producer/consumer pairs through a broker, all in this process:
 * each pair is one asynchronous receiving connection and one sending
 * connection (famqp/async.h) on a queue of its own ("pair-<i>"), at-least-
 * once, COUNT messages of SIZE bytes each; the pairs are spread over
 * THREADS loops, one thread each.  Prints the total rate from the first
 * send to the last arrival.
 *
 * perf/broker_bench.sh uses it as the clients of its 50-pair rows: 100
 * client processes (famqp-send, famqp-recv) take most of a 2-core machine
 * and leave little to the broker that is being measured; this process
 * moves the same messages with a fraction of that CPU.
 *
 * Each body starts with the message's number in its pair (8 bytes, little
 * endian); a receiver checks that its pair's numbers arrive in order, once
 * each, so a broker that loses, duplicates or reorders fails the run.
 *   usage: async-pairs URL PAIRS COUNT SIZE [THREADS [WINDOW]] */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/async.h>

typedef struct client client;
typedef struct pair {
    client *cl;
    famqp_async_conn *rconn, *sconn;
    famqp_async_receiver *r;
    famqp_async_sender *s;
    uint64_t sent, accepted, received;
} pair;

/* One loop thread and the pairs it runs. */
struct client {
    famqp_loop *loop;
    pthread_t thread;
    pair *pairs;
    size_t npairs, conns_open, senders_done, receivers_done;
    uint64_t count;
    size_t size;
    uint32_t credit;
    int64_t window;
    const char *url;
    uint8_t *body;
    bool sending;
    int failed;
    char why[256];
};

static atomic_uint_fast64_t first_send_us; /* 0 until a thread starts sending */

static void fail(client *c, const char *why)
{
    if (!c->failed)
        snprintf(c->why, sizeof c->why, "%s", why);
    c->failed = 1;
    famqp_loop_stop(c->loop);
}

static void maybe_done(client *c)
{
    if (c->senders_done == c->npairs && c->receivers_done == c->npairs)
        famqp_loop_stop(c->loop);
}

static void fill(pair *p);

static void on_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    pair *p = arg;
    if (st != FAMQP_ASYNC_OK || o->kind != FAMQP_OUTCOME_ACCEPTED) {
        fail(p->cl, "a send was not accepted");
        return;
    }
    if (++p->accepted == p->cl->count) {
        p->cl->senders_done++;
        maybe_done(p->cl);
    }
    fill(p);
}

static void fill(pair *p)
{
    client *c = p->cl;
    while (p->sent < c->count) {
        uint64_t n = p->sent;
        for (int i = 0; i < 8 && (size_t)i < c->size; i++)
            c->body[i] = (uint8_t)(n >> (8 * i));
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, c->body, c->size);
        famqp_async_status st = famqp_async_send(p->s, &m, on_outcome, p);
        if (st == FAMQP_ASYNC_ERR_FULL)
            return;
        if (st != FAMQP_ASYNC_OK) {
            fail(c, "famqp_async_send failed");
            return;
        }
        p->sent++;
    }
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    pair *p = arg;
    client *c = p->cl;
    famqp_message m;
    if (famqp_async_delivery_read(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA) {
        fail(c, "a message could not be read");
        return;
    }
    const uint8_t *b = m.body.data.ptr;
    uint64_t n = 0;
    for (int i = 0; i < 8 && (size_t)i < m.body.data.len; i++)
        n |= (uint64_t)b[i] << (8 * i);
    if (c->size >= 8 && n != p->received) {
        fail(c, "a message arrived out of order, twice or not at all");
        return;
    }
    if (++p->received == c->count) {
        c->receivers_done++;
        maybe_done(c);
    }
}

static void on_event(famqp_async_conn *conn, const famqp_async_event *ev, void *arg)
{
    (void)conn;
    client *c = arg;
    if (ev->type == FAMQP_ASYNC_CLOSED && ev->message[0])
        fail(c, ev->message);
    if (ev->type == FAMQP_ASYNC_OPENED && !c->sending && ++c->conns_open == 2 * c->npairs)
        famqp_loop_stop(c->loop); /* phase 1 done: every connection is up */
}

/* Connects every pair and attaches its links, then (once the other
 * threads are that far too: main releases `go`) sends everything and waits
 * for all of it to arrive, so only the messages' flow is timed. */
static atomic_int ready_threads, go;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *run_client(void *arg)
{
    client *c = arg;
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.on_event = on_event;
    o.on_event_arg = c;
    famqp_async_receiver_options ro;
    famqp_async_receiver_options_init(&ro);
    ro.credit_window = c->credit;
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.max_pending_messages = c->window;
    so.max_pending_bytes = -1;
    for (size_t i = 0; i < c->npairs; i++) {
        pair *p = &c->pairs[i];
        char q[64];
        snprintf(q, sizeof q, "pair-%p-%zu", (void *)c, i);
        if (famqp_async_connect(c->loop, c->url, &o, &p->rconn) != FAMQP_ASYNC_OK ||
            famqp_async_receiver_open(p->rconn, q, &ro, on_message, p, &p->r) != FAMQP_ASYNC_OK ||
            famqp_async_connect(c->loop, c->url, &o, &p->sconn) != FAMQP_ASYNC_OK ||
            famqp_async_sender_open(p->sconn, q, &so, &p->s) != FAMQP_ASYNC_OK) {
            fail(c, "could not start a pair");
            break;
        }
    }
    if (!c->failed)
        famqp_loop_run(c->loop);
    /* The links attach right after the opens: give them a moment. */
    for (int i = 0; i < 20 && !c->failed; i++)
        famqp_loop_run_once(c->loop, 10, NULL);
    atomic_fetch_add(&ready_threads, 1);
    while (!atomic_load(&go))
        famqp_loop_run_once(c->loop, 1, NULL);
    c->sending = true;
    uint64_t zero = 0;
    atomic_compare_exchange_strong(&first_send_us, &zero, now_us());
    for (size_t i = 0; i < c->npairs && !c->failed; i++)
        fill(&c->pairs[i]);
    if (!c->failed)
        famqp_loop_run(c->loop);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL PAIRS COUNT SIZE [THREADS [WINDOW]]\n", argv[0]);
        return 2;
    }
    size_t npairs = strtoull(argv[2], NULL, 10), threads = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
    uint64_t count = strtoull(argv[3], NULL, 10);
    size_t size = strtoul(argv[4], NULL, 10);
    int64_t window = argc > 6 ? strtoll(argv[6], NULL, 10) : 1000;
    if (!npairs || !count || !threads || threads > npairs || window < 1) {
        fprintf(stderr, "async-pairs: PAIRS, COUNT, THREADS (at most PAIRS) and WINDOW must be positive\n");
        return 2;
    }
    client *cl = calloc(threads, sizeof *cl);
    pair *pairs = calloc(npairs, sizeof *pairs);
    if (!cl || !pairs)
        return 1;
    size_t next = 0;
    for (size_t t = 0; t < threads; t++) {
        client *c = &cl[t];
        c->npairs = npairs / threads + (t < npairs % threads);
        c->pairs = pairs + next;
        next += c->npairs;
        c->count = count;
        c->size = size;
        c->credit = 1000;
        c->window = window;
        c->url = argv[1];
        c->body = calloc(1, size ? size : 1);
        for (size_t i = 0; i < c->npairs; i++)
            c->pairs[i].cl = c;
        if (!c->body || famqp_loop_new(NULL, &c->loop) != FAMQP_LOOP_OK)
            return 1;
        if (pthread_create(&c->thread, NULL, run_client, c))
            return 1;
    }
    while ((size_t)atomic_load(&ready_threads) < threads) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&go, 1);
    int failed = 0;
    uint64_t total = 0, end = 0;
    for (size_t t = 0; t < threads; t++)
        pthread_join(cl[t].thread, NULL);
    end = now_us();
    for (size_t t = 0; t < threads; t++) {
        client *c = &cl[t];
        if (c->failed) {
            fprintf(stderr, "async-pairs: %s\n", c->why);
            failed = 1;
        }
        for (size_t i = 0; i < c->npairs; i++) {
            total += c->pairs[i].received;
            famqp_async_close(c->pairs[i].rconn, NULL, NULL);
            famqp_async_close(c->pairs[i].sconn, NULL, NULL);
        }
        for (int i = 0; i < 100; i++)
            famqp_loop_run_once(c->loop, 10, NULL);
        famqp_loop_free(c->loop);
        free(c->body);
    }
    double s = (double)(end - atomic_load(&first_send_us)) / 1e6;
    printf("moved %llu messages over %zu pairs in %.2f s: %.0f msg/s\n", (unsigned long long)total, npairs, s,
           (double)total / s);
    free(pairs);
    free(cl);
    return failed || total != npairs * count;
}
