/* CTest uv_broker_100k (run_uv_broker.sh): the libuv adapter moves messages
 * through famqp-broker.  On one uv loop and one connection, a sender puts
 * COUNT messages on a queue at-least-once (each kept until the broker
 * accepts it) while a receiver on the same connection takes them back,
 * checks that each arrives once and in order (the body is its sequence
 * number), and accepts it; then the connection closes cleanly (on_done with
 * FAMQP_IO_OK), the conn is freed and uv_loop_close must succeed.
 *   uv_broker_transfer HOST:PORT [COUNT]     (COUNT default 100000)
 * Exits 0 on success; 1 with a reason otherwise (also after 120 s). */
/* <uv.h> needs POSIX declarations that strict C11 hides */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "famqp/message.h"
#include "famqp/uv.h"

#define QUEUE "uv-broker-100k"
#define IN_FLIGHT 5000        /* sent, not yet accepted by the broker */
#define RECEIVER_CREDIT 1000  /* kept topped up by the engine */
#define GIVE_UP_MS 120000

typedef struct run {
    uv_loop_t *loop;
    famqp_uv_conn *uc;
    famqp_link *sender, *receiver;
    size_t count;
    size_t sent, accepted, received;
    const char *failure; /* the first problem seen */
    bool closing, done;
    famqp_io_status state;
    uv_timer_t give_up;
} run;

static void fail(run *r, const char *why)
{
    if (!r->failure)
        r->failure = why;
    if (!r->closing) {
        r->closing = true;
        famqp_connection_close(famqp_uv_conn_connection(r->uc), "amqp:internal-error", why);
    }
}

static void send_more(run *r)
{
    while (r->sent < r->count && r->sent - r->accepted < IN_FLIGHT && famqp_link_credit(r->sender) > 0) {
        char body[32];
        int n = snprintf(body, sizeof body, "%zu", r->sent);
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, body, (size_t)n);
        uint8_t bytes[128];
        size_t len = famqp_message_encode(bytes, sizeof bytes, &m);
        uint64_t tag = r->sent;
        if (len == 0 || famqp_link_send(r->sender, famqp_binary_of(&tag, sizeof tag), bytes, len, false, NULL) !=
                            FAMQP_ENGINE_OK) {
            fail(r, "famqp_link_send failed");
            return;
        }
        r->sent++;
    }
}

static void maybe_close(run *r)
{
    if (r->accepted == r->count && r->received == r->count && !r->closing) {
        r->closing = true;
        famqp_connection_close(famqp_uv_conn_connection(r->uc), NULL, NULL);
    }
}

static void on_delivery(run *r, famqp_delivery *d)
{
    famqp_message m;
    if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
        m.body.data.len == 0 || m.body.data.len >= 32) {
        fail(r, "a received message is not one of ours");
        return;
    }
    char text[32];
    memcpy(text, m.body.data.ptr, m.body.data.len);
    text[m.body.data.len] = '\0';
    char *end;
    unsigned long long seq = strtoull(text, &end, 10);
    if (*end != '\0' || seq != r->received) {
        fprintf(stderr, "expected message %zu, received '%s'\n", r->received, text);
        fail(r, "a message arrived out of order or twice");
        return;
    }
    r->received++;
    famqp_delivery_accept(d);
    maybe_close(r);
}

static void on_event(famqp_uv_conn *uc, const famqp_event *e, void *arg)
{
    (void)uc;
    run *r = arg;
    switch (e->type) {
    case FAMQP_EVENT_LINK_CREDIT: send_more(r); break;
    case FAMQP_EVENT_DELIVERY:
        if (!r->closing)
            on_delivery(r, e->delivery);
        break;
    case FAMQP_EVENT_DELIVERY_UPDATED:
        if (famqp_delivery_link(e->delivery) != r->sender)
            break;
        if (famqp_delivery_remote_state(e->delivery).kind != FAMQP_OUTCOME_ACCEPTED) {
            fail(r, "the broker did not accept a message");
            break;
        }
        r->accepted++;
        famqp_delivery_settle(e->delivery);
        send_more(r);
        maybe_close(r);
        break;
    case FAMQP_EVENT_CONNECTION_ERROR: fail(r, "connection error"); break;
    case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
        if (!r->closing)
            fail(r, "the broker closed the connection");
        break;
    case FAMQP_EVENT_LINK_REMOTE_DETACH:
        if (!r->closing)
            fail(r, "the broker detached a link");
        break;
    default: break;
    }
}

static void on_done(famqp_uv_conn *uc, famqp_io_status state, void *arg)
{
    run *r = arg;
    r->done = true;
    r->state = state;
    if (state != FAMQP_IO_OK)
        fprintf(stderr, "socket: %s\n", famqp_io_error_message(famqp_uv_conn_io(uc)));
    famqp_uv_conn_free(uc);
    r->uc = NULL;
    uv_close((uv_handle_t *)&r->give_up, NULL); /* the loop ends once all is closed */
}

static void on_give_up(uv_timer_t *t)
{
    run *r = t->data;
    if (!r->failure)
        r->failure = "gave up after 120 s";
    famqp_uv_conn_free(r->uc);
    r->uc = NULL;
    uv_close((uv_handle_t *)t, NULL);
}

static famqp_link *new_link(famqp_session *s, const char *name, famqp_link_role role)
{
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (role == FAMQP_LINK_SENDER) {
        o.target_address = QUEUE;
    } else {
        o.source_address = QUEUE;
        o.credit_window = RECEIVER_CREDIT;
    }
    famqp_link *l;
    if (famqp_link_new(s, name, role, &o, &l) != FAMQP_ENGINE_OK)
        return NULL;
    famqp_link_open(l);
    return l;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: uv_broker_transfer HOST:PORT [COUNT]\n");
        return 2;
    }
    run r = {0};
    r.count = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    if (r.count == 0) {
        fprintf(stderr, "COUNT must be at least 1\n");
        return 2;
    }
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0)
        return 1;
    r.loop = &loop;

    famqp_connection_options o;
    famqp_connection_options_init(&o);
    o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    famqp_connection *conn;
    famqp_session *s;
    if (famqp_connection_new(&o, &conn) != FAMQP_ENGINE_OK)
        return 1;
    famqp_connection_open(conn);
    if (famqp_session_new(conn, &s) != FAMQP_ENGINE_OK)
        return 1;
    famqp_session_open(s);
    r.sender = new_link(s, "uv-sender", FAMQP_LINK_SENDER);
    r.receiver = new_link(s, "uv-receiver", FAMQP_LINK_RECEIVER);
    if (!r.sender || !r.receiver)
        return 1;

    char text[300];
    snprintf(text, sizeof text, "amqp://%s", argv[1]);
    famqp_url url;
    famqp_io_error err;
    if (!famqp_url_parse(text, &url, &err)) {
        fprintf(stderr, "%s: %s\n", text, err.message);
        return 2;
    }
    famqp_io *io = famqp_io_connect(&url, NULL, conn, &err);
    if (!io) {
        fprintf(stderr, "connect %s: %s\n", text, err.message);
        return 1;
    }
    famqp_uv_conn_handler h = {on_event, on_done, &r};
    famqp_uv_status st = famqp_uv_conn_new(&loop, io, conn, &h, &r.uc);
    if (st != FAMQP_UV_OK) {
        fprintf(stderr, "famqp_uv_conn_new: %s\n", famqp_uv_status_name(st));
        return 1;
    }
    uv_timer_init(&loop, &r.give_up);
    r.give_up.data = &r;
    uv_timer_start(&r.give_up, on_give_up, GIVE_UP_MS, 0);

    uint64_t start = uv_hrtime();
    uv_run(&loop, UV_RUN_DEFAULT); /* returns once every handle is closed */
    double secs = (double)(uv_hrtime() - start) / 1e9;
    int closed = uv_loop_close(&loop);

    printf("sent %zu, accepted by the broker %zu, received in order %zu of %zu in %.2f s (%.0f msg/s)\n", r.sent,
           r.accepted, r.received, r.count, secs, secs > 0 ? (double)r.received / secs : 0.0);
    if (!r.failure && !r.done)
        r.failure = "the connection never finished";
    if (!r.failure && r.state != FAMQP_IO_OK)
        r.failure = "the connection did not close cleanly";
    if (!r.failure && (r.accepted != r.count || r.received != r.count))
        r.failure = "messages missing";
    if (!r.failure && closed != 0)
        r.failure = "uv_loop_close: handles left open";
    if (r.failure) {
        fprintf(stderr, "FAILED: %s\n", r.failure);
        return 1;
    }
    printf("ok: %zu messages through famqp-broker on libuv, closed cleanly\n", r.count);
    return 0;
}
