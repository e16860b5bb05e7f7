/* Test support for cbs.sh and tests/broker/async_cbs.sh: flatamqp's
 * asynchronous client with CBS (famqp_async_options.cbs, the built-in SAS
 * provider) against a CBS peer (rhea's cbs_peer.js, or famqp-broker
 * --sas-key).  The same command line as cbs_client.c (the blocking one):
 *
 *   async_cbs_client URL KEYNAME KEY MODE ADDRESS [N]
 *
 * MODE sendrecv:  a sender and a receiver on ADDRESS opened at once; N
 *                 messages sent, accepted and received back in order.
 * MODE wrongkey:  a sender with one message queued: the put-token is
 *                 refused (FAMQP_ASYNC_CBS_REFUSED, printed as "status
 *                 CBS_REFUSED code C description D"), the message ends
 *                 with ERR_REFUSED and later sends with ERR_STATE.
 * MODE refresh:   3 s tokens, 2 s margin; one message every 200 ms for N
 *                 seconds, every one accepted.
 * MODE reconnect: N messages 50 ms apart with reconnect on (the script
 *                 restarts the peer meanwhile); every one accepted.
 * MODE mssbcbs:   as sendrecv with N 1 over SASL MSSBCBS.
 * Prints "puts P reconnects R" and exits 0 when all went as expected. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/async.h"

typedef struct app {
    famqp_loop *loop;
    famqp_async_conn *conn;
    famqp_async_sender *sender;
    const char *mode, *address;
    int n, total, period_ms;
    int sent, accepted, received;
    int refused_events, refused_outcomes;
    bool failed, finished, closed;
    famqp_loop_timer *tick, *deadline;
} app;

static void on_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    ((app *)arg)->closed = true;
}

static void finish(app *a, bool failed)
{
    if (a->finished)
        return;
    a->finished = true;
    a->failed |= failed;
    famqp_loop_timer_stop(a->tick);
    famqp_loop_timer_stop(a->deadline);
    printf("puts %llu reconnects %llu\n", (unsigned long long)famqp_async_cbs_puts(a->conn),
           (unsigned long long)famqp_async_reconnects(a->conn));
    famqp_async_close(a->conn, on_closed, a);
    famqp_loop_stop(a->loop);
}

static void check_done(app *a)
{
    bool recv = !strcmp(a->mode, "sendrecv") || !strcmp(a->mode, "mssbcbs");
    if (a->accepted == a->total && (!recv || a->received == a->total))
        finish(a, false);
}

static void on_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    app *a = arg;
    if (st == FAMQP_ASYNC_ERR_REFUSED && !strcmp(a->mode, "wrongkey")) {
        a->refused_outcomes++;
        return;
    }
    if (st != FAMQP_ASYNC_OK || o->kind != FAMQP_OUTCOME_ACCEPTED) {
        fprintf(stderr, "async_cbs_client: a message not accepted: %s, outcome %d\n", famqp_async_status_name(st),
                o ? (int)o->kind : -1);
        finish(a, true);
        return;
    }
    a->accepted++;
    check_done(a);
}

static void send_one(app *a)
{
    char body[32];
    snprintf(body, sizeof body, "m%d", a->sent);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, body);
    famqp_async_status st = famqp_async_send(a->sender, &m, on_outcome, a);
    if (st != FAMQP_ASYNC_OK) {
        fprintf(stderr, "async_cbs_client: send %d: %s\n", a->sent, famqp_async_status_name(st));
        finish(a, true);
        return;
    }
    a->sent++;
}

static void on_tick(famqp_loop_timer *t, void *arg)
{
    app *a = arg;
    if (a->sent < a->total) {
        send_one(a);
        famqp_loop_timer_start(t, (uint64_t)a->period_ms);
    }
}

static void on_deadline(famqp_loop_timer *t, void *arg)
{
    (void)t;
    app *a = arg;
    fprintf(stderr, "async_cbs_client: not done in time (sent %d, accepted %d, received %d)\n", a->sent, a->accepted,
            a->received);
    finish(a, true);
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    app *a = arg;
    famqp_message m;
    famqp_string body;
    char want[32];
    snprintf(want, sizeof want, "m%d", a->received);
    if (famqp_async_delivery_read(d, &m, NULL) != FAMQP_OK || !famqp_message_get_string(&m, &body) ||
        body.len != strlen(want) || memcmp(body.ptr, want, body.len) != 0) {
        fprintf(stderr, "async_cbs_client: message %d is not %s\n", a->received, want);
        finish(a, true);
        return;
    }
    a->received++;
    check_done(a);
}

static void on_cbs(famqp_async_conn *c, const famqp_async_cbs_event *ev, void *arg)
{
    (void)c;
    app *a = arg;
    if (ev->type == FAMQP_ASYNC_CBS_PUT)
        return;
    a->refused_events++;
    if (strcmp(a->mode, "wrongkey") != 0) {
        fprintf(stderr, "async_cbs_client: put-token for %s refused: %d %s\n", ev->audience, (int)ev->status_code,
                ev->description);
        finish(a, true);
        return;
    }
    printf("status CBS_REFUSED code %d description %s\n", (int)ev->status_code, ev->description);
    /* The queued message already ended (ERR_REFUSED); new sends are refused. */
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "after");
    famqp_async_status st = famqp_async_send(a->sender, &m, on_outcome, a);
    bool ok = a->refused_outcomes == 1 && st == FAMQP_ASYNC_ERR_STATE && ev->status_code == 401 && !ev->refresh;
    if (!ok)
        fprintf(stderr, "async_cbs_client: refused outcomes %d, send after: %s\n", a->refused_outcomes,
                famqp_async_status_name(st));
    finish(a, !ok);
}

static void on_event(famqp_async_conn *c, const famqp_async_event *ev, void *arg)
{
    (void)c;
    app *a = arg;
    if (ev->type == FAMQP_ASYNC_CLOSED && ev->message[0]) {
        fprintf(stderr, "async_cbs_client: connection closed: %s\n", ev->message);
        finish(a, true);
    }
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: async_cbs_client URL KEYNAME KEY MODE ADDRESS [N]\n");
        return 2;
    }
    app a = {.mode = argv[4], .address = argv[5], .n = argc > 6 ? atoi(argv[6]) : 10};
    famqp_async_options o;
    famqp_async_options_init(&o);
    o.cbs.sas_key_name = argv[2];
    o.cbs.sas_key = argv[3];
    o.on_cbs_event = on_cbs;
    o.on_cbs_event_arg = &a;
    o.on_event = on_event;
    o.on_event_arg = &a;
    a.total = a.n;
    if (!strcmp(a.mode, "refresh")) {
        o.cbs.sas_lifetime_s = 3;
        o.cbs.refresh_margin_s = 2;
        a.total = a.n * 5;
        a.period_ms = 200;
    } else if (!strcmp(a.mode, "reconnect")) {
        o.reconnect.max_attempts = 100;
        o.reconnect.initial_backoff_ms = 100;
        o.reconnect.max_backoff_ms = 200;
        a.period_ms = 50;
    } else if (!strcmp(a.mode, "mssbcbs")) {
        o.sasl_mechanisms = FAMQP_SASL_MSSBCBS;
        a.total = a.n = 1;
    } else if (strcmp(a.mode, "sendrecv") != 0 && strcmp(a.mode, "wrongkey") != 0) {
        fprintf(stderr, "async_cbs_client: unknown mode %s\n", a.mode);
        return 2;
    }
    if (famqp_loop_new(NULL, &a.loop) != FAMQP_LOOP_OK)
        return 1;
    char why[256];
    famqp_async_status st = famqp_async_connect(a.loop, argv[1], &o, &a.conn);
    if (st != FAMQP_ASYNC_OK) {
        famqp_async_options_check(argv[1], &o, why, sizeof why);
        fprintf(stderr, "async_cbs_client: connect: %s: %s\n", famqp_async_status_name(st), why);
        return 1;
    }
    if (famqp_async_sender_open(a.conn, a.address, NULL, &a.sender) != FAMQP_ASYNC_OK ||
        famqp_loop_timer_new(a.loop, on_tick, &a, &a.tick) != FAMQP_LOOP_OK ||
        famqp_loop_timer_new(a.loop, on_deadline, &a, &a.deadline) != FAMQP_LOOP_OK)
        return 1;
    famqp_loop_timer_start(a.deadline, 50000);
    if (!strcmp(a.mode, "sendrecv") || !strcmp(a.mode, "mssbcbs")) {
        famqp_async_receiver *r;
        if (famqp_async_receiver_open(a.conn, a.address, NULL, on_message, &a, &r) != FAMQP_ASYNC_OK)
            return 1;
        while (a.sent < a.total)
            send_one(&a);
    } else if (!strcmp(a.mode, "wrongkey")) {
        send_one(&a); /* waits for the token: ends with ERR_REFUSED */
    } else {
        famqp_loop_timer_start(a.tick, 0);
    }
    famqp_loop_run(a.loop);
    /* The close started by finish(): until the peer answered (or its deadline). */
    while (!a.closed)
        famqp_loop_run_once(a.loop, 100, NULL);
    famqp_loop_timer_free(a.tick);
    famqp_loop_timer_free(a.deadline);
    famqp_loop_free(a.loop);
    return a.failed ? 1 : 0;
}
