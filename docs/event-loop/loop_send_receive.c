/* docs/event-loop.md's program: one connection with a sender and a
 * receiver on QUEUE, COUNT messages sent at-least-once and received back
 * in order, then a clean close.  The same handler runs under two drivers:
 * flatamqp's event loop (famqp_loop, the default) or the application's own
 * poll() loop over famqp_io (--own-loop).  Built and run by CTest against
 * famqp-broker with COUNT 100000.
 *
 *     loop_send_receive [--own-loop] amqp://HOST:PORT QUEUE COUNT
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/loop.h>
#include <famqp/message.h>

typedef struct app {
    famqp_link *sender, *receiver;
    unsigned count, sent, accepted, received;
    bool closing, failed;
} app;

/* Sends while the queue grants credit: message i carries "message i". */
static void send_some(app *a)
{
    while (a->sent < a->count && famqp_link_credit(a->sender) > 0) {
        char text[32];
        int len = snprintf(text, sizeof text, "message %u", a->sent);
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, text, (size_t)len);
        uint8_t bytes[128];
        size_t n = famqp_message_encode(bytes, sizeof bytes, &m);
        if (famqp_link_send(a->sender, famqp_binary_of(&a->sent, sizeof a->sent), bytes, n, false, NULL) !=
            FAMQP_ENGINE_OK)
            return;
        a->sent++;
    }
}

/* Message i must arrive i-th. */
static void receive(app *a, famqp_delivery *d)
{
    famqp_message m;
    famqp_error err;
    famqp_binary body = famqp_delivery_message(d);
    famqp_binary data;
    char want[32];
    int len = snprintf(want, sizeof want, "message %u", a->received);
    if (famqp_message_decode(body.ptr, body.len, &m, &err) != FAMQP_OK || !famqp_message_get_binary(&m, &data) ||
        data.len != (size_t)len || memcmp(data.ptr, want, data.len) != 0) {
        fprintf(stderr, "message %u: not the one sent %u-th\n", a->received, a->received);
        a->failed = true;
    }
    a->received++;
    famqp_delivery_accept(d);
}

/* The application: one handler for every engine event, whatever drives it. */
static void handle(app *a, famqp_connection *conn, const famqp_event *e)
{
    switch (e->type) {
    case FAMQP_EVENT_LINK_CREDIT:
        if (e->link == a->sender)
            send_some(a);
        break;
    case FAMQP_EVENT_DELIVERY_UPDATED: /* the queue's outcome for one of ours */
        if (famqp_delivery_remote_state(e->delivery).kind == FAMQP_OUTCOME_ACCEPTED)
            a->accepted++;
        famqp_delivery_settle(e->delivery);
        break;
    case FAMQP_EVENT_DELIVERY:
        receive(a, e->delivery);
        break;
    case FAMQP_EVENT_CONNECTION_ERROR:
    case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
        if (e->condition.name) {
            fprintf(stderr, "connection closed: %s: %s\n", e->condition.name,
                    e->condition.description ? e->condition.description : "");
            a->failed = true;
        }
        break;
    default:
        break;
    }
    if (!a->closing && (a->failed || (a->received == a->count && a->accepted == a->count))) {
        a->closing = true;
        famqp_connection_close(conn, NULL, NULL);
    }
}

/* ---- driver 1: flatamqp's event loop ------------------------------------ */

static void on_event(famqp_loop_conn *lc, const famqp_event *e, void *arg)
{
    handle(arg, famqp_loop_conn_connection(lc), e);
}

static void on_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    app *a = arg;
    if (state != FAMQP_IO_OK) {
        fprintf(stderr, "socket: %s\n", famqp_io_error_message(famqp_loop_conn_io(lc)));
        a->failed = true;
    }
    famqp_loop_stop(famqp_loop_conn_loop(lc));
}

static void on_give_up(famqp_loop_timer *t, void *arg)
{
    app *a = arg;
    fprintf(stderr, "gave up after 60 s: sent %u, accepted %u, received %u\n", a->sent, a->accepted, a->received);
    a->failed = true;
    famqp_loop_stop(famqp_loop_timer_loop(t));
}

static bool run_on_famqp_loop(app *a, famqp_io *io, famqp_connection *conn)
{
    famqp_loop *loop;
    famqp_loop_conn *lc;
    famqp_loop_timer *give_up;
    if (famqp_loop_new(NULL, &loop) != FAMQP_LOOP_OK)
        return false;
    famqp_loop_conn_handler handler = {on_event, on_done, a};
    if (famqp_loop_conn_new(loop, io, conn, &handler, &lc) != FAMQP_LOOP_OK ||
        famqp_loop_timer_new(loop, on_give_up, a, &give_up) != FAMQP_LOOP_OK) {
        famqp_loop_free(loop);
        return false;
    }
    famqp_loop_timer_start(give_up, 60000);
    famqp_loop_run(loop); /* until on_done or on_give_up stops it */
    famqp_loop_free(loop); /* frees the connection, its socket and the timer */
    return true;
}

/* ---- driver 2: the application's own poll() loop ------------------------ */

typedef struct own_loop {
    app *a;
    famqp_connection *conn;
} own_loop;

static bool on_own_loop_event(void *arg, const famqp_event *e)
{
    own_loop *o = arg;
    handle(o->a, o->conn, e);
    return true; /* false would end the round (after freeing the io, say) */
}

static bool run_on_own_loop(app *a, famqp_io *io, famqp_connection *conn)
{
    own_loop o = {a, conn};
    uint64_t give_up = famqp_io_now_ms() + 60000;
    bool readable = false;
    while (famqp_io_now_ms() < give_up) {
        /* The connect, socket I/O and the engine's clock, every event to
         * the handler and what the handler queued, at most 16 turns. */
        famqp_io_served served = famqp_io_serve(io, readable, 16, on_own_loop_event, &o);
        if (served == FAMQP_IO_SERVED_DONE)
            break;
        /* Wait for the socket (famqp_io_fd may change while connecting: the
         * next address), or the engine's next deadline (heartbeats); not
         * at all when the turns ran out with events still coming. */
        struct pollfd p = {.fd = famqp_io_fd(io),
                           .events = (short)((famqp_io_wants_read(io) ? POLLIN : 0) |
                                             (famqp_io_wants_write(io) ? POLLOUT : 0))};
        uint64_t deadline = famqp_io_deadline(io);
        int wait = served == FAMQP_IO_SERVED_MORE ? 0 : deadline ? famqp_io_ms_until(deadline) : 1000;
        if (poll(&p, 1, wait < 1000 ? wait : 1000) < 0)
            return false;
        readable = (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    }
    famqp_io_free(io);
    famqp_connection_free(conn);
    return true;
}

int main(int argc, char **argv)
{
    bool own_loop = argc == 5 && strcmp(argv[1], "--own-loop") == 0;
    if (argc != 4 + own_loop) {
        fprintf(stderr, "usage: loop_send_receive [--own-loop] amqp://HOST:PORT QUEUE COUNT\n");
        return 2;
    }
    const char *queue = argv[2 + own_loop];
    app a = {.count = (unsigned)strtoul(argv[3 + own_loop], NULL, 10)};
    famqp_url url;
    famqp_io_error err;
    if (!famqp_url_parse(argv[1 + own_loop], &url, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }

    /* The engine side: a connection, a session, a sender and a receiver
     * (the engine keeps 500 credits granted to the queue). */
    famqp_connection_options options;
    famqp_connection_options_init(&options);
    options.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    options.hostname = url.host;
    famqp_connection *conn;
    famqp_session *session;
    if (famqp_connection_new(&options, &conn) != FAMQP_ENGINE_OK ||
        famqp_session_new(conn, &session) != FAMQP_ENGINE_OK)
        return 1;
    famqp_connection_open(conn);
    famqp_session_open(session);
    famqp_link_options link_options;
    famqp_link_options_init(&link_options);
    link_options.target_address = queue;
    famqp_link_new(session, "loop-sender", FAMQP_LINK_SENDER, &link_options, &a.sender);
    famqp_link_options_init(&link_options);
    link_options.source_address = queue;
    link_options.credit_window = 500;
    famqp_link_new(session, "loop-receiver", FAMQP_LINK_RECEIVER, &link_options, &a.receiver);
    if (!a.sender || !a.receiver)
        return 1;
    famqp_link_open(a.sender);
    famqp_link_open(a.receiver);

    /* The socket: the connect itself runs in the loop, like all I/O after
     * it (a numeric host resolves without blocking; a name may block). */
    famqp_io *io = famqp_io_connect_start(&url, NULL, conn, &err);
    if (!io) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    bool ran = own_loop ? run_on_own_loop(&a, io, conn) : run_on_famqp_loop(&a, io, conn);
    printf("sent %u, accepted %u, received %u in order\n", a.sent, a.accepted, a.received);
    return ran && !a.failed && a.received == a.count && a.accepted == a.count ? 0 : 1;
}
