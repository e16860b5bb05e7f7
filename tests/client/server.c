/* The in-process test server (see server.h). */
#define _POSIX_C_SOURCE 200809L
#include "server.h"

#include <check.h>
#include <string.h>
#include <time.h>

#include "famqp/engine.h"
#include "famqp/message.h"

static bool check_plain(void *ctx, famqp_string authzid, famqp_string user, famqp_string password)
{
    (void)ctx;
    (void)authzid;
    return famqp_string_eq(user, "user") && famqp_string_eq(password, "secret");
}

static bool is(const char *a, const char *b) { return a && strcmp(a, b) == 0; }

/* Per server-sender link: how many numbered messages went out. */
typedef struct source_state {
    uint32_t sent;
} source_state;

static void feed_source(famqp_link *l)
{
    source_state *st = famqp_link_context(l);
    while (st && st->sent < SERVER_SOURCE_COUNT && famqp_link_credit(l) > 0) {
        uint8_t body[8] = {0}, buf[64];
        body[7] = (uint8_t)st->sent;
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, body, sizeof body);
        size_t len = famqp_message_encode(buf, sizeof buf, &m);
        uint8_t tag = (uint8_t)st->sent;
        famqp_link_send(l, famqp_binary_of(&tag, 1), buf, len, false, NULL);
        st->sent++;
    }
}

static void on_attach(test_server *s, famqp_link *l, source_state *states, size_t *nstates)
{
    const char *addr = famqp_link_get_role(l) == FAMQP_LINK_RECEIVER ? famqp_link_remote_target_address(l)
                                                                      : famqp_link_remote_source_address(l);
    if (is(addr, "silent"))
        return;
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (!is(addr, "missing")) {
        o.source_address = famqp_link_remote_source_address(l);
        o.target_address = famqp_link_remote_target_address(l);
    }
    o.credit_window = famqp_link_get_role(l) == FAMQP_LINK_RECEIVER ? 100 : 0;
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (is(addr, "missing")) {
        famqp_link_close(l, "amqp:not-found", "no node named 'missing'");
        return;
    }
    if (is(addr, "stall"))
        atomic_store(&s->stall_requested, true);
    if (famqp_link_get_role(l) == FAMQP_LINK_SENDER && is(addr, "src") && *nstates < 16) {
        states[*nstates].sent = 0;
        famqp_link_set_context(l, &states[(*nstates)++]);
        feed_source(l);
    }
}

static void on_delivery(test_server *s, famqp_connection *c, famqp_delivery *d)
{
    const char *addr = famqp_link_remote_target_address(famqp_delivery_link(d));
    if (is(addr, "reject")) {
        famqp_delivery_reject(d, "amqp:precondition-failed", "test server rejects everything");
    } else if (is(addr, "release")) {
        famqp_delivery_release(d);
    } else if (is(addr, "kill")) {
        /* Closes without an answer: the message's fate stays unknown to
         * the client (an outcome given now would reach it first). */
        famqp_connection_close(c, "amqp:connection:forced", "test server closes on request");
    } else {
        famqp_delivery_accept(d);
        atomic_fetch_add(&s->accepted, 1);
    }
}

static void handle_events(test_server *s, famqp_connection *c, source_state *states, size_t *nstates)
{
    const famqp_event *e;
    while ((e = famqp_connection_next_event(c)) != NULL) {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(c); break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE: famqp_connection_close(c, NULL, NULL); break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
        case FAMQP_EVENT_SESSION_REMOTE_END: famqp_session_close(e->session, NULL, NULL); break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: on_attach(s, e->link, states, nstates); break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            famqp_link_set_context(e->link, NULL);
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_CREDIT: feed_source(e->link); break;
        case FAMQP_EVENT_DELIVERY: on_delivery(s, c, e->delivery); break;
        case FAMQP_EVENT_DELIVERY_UPDATED:
            if (famqp_delivery_remote_settled(e->delivery))
                famqp_delivery_settle(e->delivery);
            break;
        default: break;
        }
    }
}

static void *server_main(void *arg)
{
    test_server *s = arg;
    famqp_io *io = NULL;
    famqp_connection *c = NULL;
    source_state states[16];
    size_t nstates = 0;
    while (!atomic_load(&s->stop)) {
        famqp_listener *ls[1] = {s->listener};
        famqp_io *ios[1] = {io};
        famqp_io_wait(ios, 1, ls, 1, 50);
        if (c)
            handle_events(s, c, states, &nstates);
        if (io && atomic_load(&s->stall_requested)) {
            /* "stall": the attach and credit go out, then nothing more is
             * read until the server stops. */
            famqp_io_flush(io, 1000);
            atomic_store(&s->stalled, true);
            while (!atomic_load(&s->stop))
                nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
            break;
        }
        if (io && famqp_io_done(io)) { /* one client at a time */
            famqp_io_free(io);
            famqp_connection_free(c);
            io = NULL;
            c = NULL;
        }
        if (!io && famqp_listener_ready(s->listener)) {
            famqp_io_error err;
            if (famqp_listener_accept(s->listener, &io, &err) == FAMQP_IO_OK) {
                famqp_connection_options o;
                famqp_connection_options_init(&o);
                o.role = FAMQP_CONNECTION_SERVER;
                o.container_id = "test-server";
                o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS | FAMQP_SASL_PLAIN;
                o.sasl_check = check_plain;
                famqp_connection_new(&o, &c);
                famqp_io_set_connection(io, c);
                nstates = 0;
                atomic_fetch_add(&s->connections, 1);
            } else {
                io = NULL;
            }
        }
    }
    famqp_io_free(io);
    famqp_connection_free(c);
    return NULL;
}

void test_server_start(test_server *s)
{
    memset(s, 0, sizeof *s);
    famqp_io_error err;
    s->listener = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    ck_assert_msg(s->listener != NULL, "listen: %s", err.message);
    s->port = famqp_listener_port(s->listener);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
}

void test_server_stop(test_server *s)
{
    if (s->stopped)
        return;
    s->stopped = true;
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    famqp_listener_close(s->listener);
}
