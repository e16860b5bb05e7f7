/* An asynchronous connection's life on the loop (famqp/async.h): each
 * connect attempt on a famqp_loop_conn, engine events routed to the links,
 * losing a connection, reconnecting by timer with failover, giving up.
 * One loop timer serves every wait (attempt, backoff, open and close
 * deadlines, the final free): its meaning is the state's. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_internal.h"

#define COND_UNAUTHORIZED "amqp:unauthorized-access"

static void emit(famqp_async_conn *c, famqp_async_event_type type, const char *cond, const char *desc,
                 const char *msg)
{
    if (!c->on_event)
        return;
    famqp_async_event ev = {
        .type = type,
        .url_index = c->cur,
        .url = c->targets[c->cur].shown,
        .attempt = c->attempt,
        .condition = cond ? cond : "",
        .description = desc ? desc : "",
        .message = msg ? msg : "",
    };
    c->on_event(c, &ev, c->on_event_arg);
}

/* Remembers why the current attempt or connection failed (the first
 * reason of each). */
static void set_failure(famqp_async_conn *c, const char *cond, const char *desc, const char *fmt, ...)
{
    if (c->msg[0])
        return;
    snprintf(c->cond, sizeof c->cond, "%s", cond ? cond : "");
    snprintf(c->desc, sizeof c->desc, "%s", desc ? desc : "");
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->cond[0])
        snprintf(c->msg, sizeof c->msg, "%.400s: %.127s%s%.480s", what, c->cond, c->desc[0] ? ": " : "", c->desc);
    else
        snprintf(c->msg, sizeof c->msg, "%s", what);
}

/* ---- links on the current connection ---- */

famqp_async_status async_link_attach(async_link *l)
{
    famqp_async_conn *c = l->conn;
    if (!c->session || l->link || l->closed || l->refused)
        return FAMQP_ASYNC_OK;
    if (c->cbs && !async_cbs_allows(l))
        return FAMQP_ASYNC_OK; /* attached once its token is put */
    famqp_link_options lo = l->lo; /* the application's, with what the async API decides */
    famqp_link_role role;
    if (l->kind == ASYNC_SENDER) {
        famqp_async_sender *s = (famqp_async_sender *)l;
        role = FAMQP_LINK_SENDER;
        lo.target_address = l->address;
        if (!lo.source_address) /* our terminus named like the peer's, as the blocking client does */
            lo.source_address = l->address;
        lo.snd_settle_mode = s->presettled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    } else {
        famqp_async_receiver *r = (famqp_async_receiver *)l;
        role = FAMQP_LINK_RECEIVER;
        lo.source_address = l->address;
        if (!lo.target_address)
            lo.target_address = l->address;
        lo.credit_window = r->window;
    }
    famqp_engine_status es = famqp_link_new(c->session, l->name, role, &lo, &l->link);
    if (es == FAMQP_ENGINE_OK) {
        famqp_link_set_context(l->link, l);
        es = famqp_link_open(l->link);
    }
    if (es == FAMQP_ENGINE_OK && l->kind == ASYNC_RECEIVER)
        async_receiver_attached((famqp_async_receiver *)l);
    async_conn_flush(c);
    if (es == FAMQP_ENGINE_ERR_NOMEM)
        return FAMQP_ASYNC_ERR_NOMEM;
    /* Any other failure is the connection's: its loss reattaches. */
    return FAMQP_ASYNC_OK;
}

static void links_lost(famqp_async_conn *c)
{
    for (async_link *l = c->links; l; l = l->next) {
        l->link = NULL;
        if (l->kind == ASYNC_SENDER)
            async_sender_lost((famqp_async_sender *)l);
        else
            async_receiver_lost((famqp_async_receiver *)l);
    }
    for (async_link *l = c->links; l; l = l->next)
        if (l->lost_hook && !l->closed)
            l->lost_hook(l->owner);
}

static void fail_all_sends(famqp_async_conn *c, famqp_async_status st)
{
    for (async_link *l = c->links; l; l = l->next)
        if (l->kind == ASYNC_SENDER)
            async_sender_fail_all((famqp_async_sender *)l, st);
}

/* ---- attempts, losses, reconnects ---- */

static void on_conn_event(famqp_loop_conn *lc, const famqp_event *e, void *arg);
static void on_conn_done(famqp_loop_conn *lc, famqp_io_status state, void *arg);
static void attempt_failed(famqp_async_conn *c);

void async_timer_start(famqp_async_conn *c, int ms)
{
    if (ms < 0)
        famqp_loop_timer_stop(c->timer);
    else
        famqp_loop_timer_start(c->timer, (uint64_t)ms);
}

/* One connect: a new engine connection and socket to the current URL,
 * the session, every live link attached. */
static void attempt(famqp_async_conn *c)
{
    c->remote_open = c->remote_begin = c->authenticated = c->auth_failed = false;
    c->msg[0] = 0;
    c->gen++;
    async_target *t = &c->targets[c->cur];
    async_target_use(c, c->cur);
    famqp_connection *engine = NULL;
    famqp_engine_status es = famqp_connection_new(&c->copts, &engine);
    if (es != FAMQP_ENGINE_OK) {
        set_failure(c, NULL, NULL, "could not make the connection: %s", famqp_engine_status_name(es));
        attempt_failed(c);
        return;
    }
    famqp_io_error err = {0};
    famqp_io *io = famqp_io_connect_start(&t->url, &c->iopts, engine, &err);
    if (!io) {
        famqp_connection_free(engine);
        set_failure(c, NULL, NULL, "%s", err.message);
        attempt_failed(c);
        return;
    }
    famqp_loop_conn_handler h = {.on_event = on_conn_event, .on_done = on_conn_done, .arg = c};
    famqp_loop_status ls = famqp_loop_conn_new(c->loop, io, engine, &h, &c->lc);
    if (ls != FAMQP_LOOP_OK) {
        famqp_io_free(io);
        famqp_connection_free(engine);
        set_failure(c, NULL, NULL, "could not watch the socket: %s", famqp_loop_status_name(ls));
        attempt_failed(c);
        return;
    }
    c->engine = engine;
    c->state = AS_OPENING;
    es = famqp_connection_open(engine);
    if (es == FAMQP_ENGINE_OK)
        es = famqp_session_new(engine, &c->session);
    if (es == FAMQP_ENGINE_OK)
        es = famqp_session_open(c->session);
    if (es != FAMQP_ENGINE_OK) {
        /* The engine failed (no memory): its error event ends the attempt. */
        c->session = NULL;
        famqp_connection_close(engine, "amqp:internal-error", famqp_engine_status_name(es));
    }
    for (async_link *l = c->links; l && c->session; l = l->next)
        async_link_attach(l);
    async_timer_start(c, c->connect_timeout_ms);
}

/* The connection (or attempt) is over: let go of it. */
void async_drop_connection(famqp_async_conn *c)
{
    links_lost(c);
    famqp_loop_conn_free(c->lc); /* from its own callback: once that returns */
    c->lc = NULL;
    c->engine = NULL;
    c->session = NULL;
}

static void fail_for_good(famqp_async_conn *c)
{
    c->state = AS_FAILED;
    famqp_loop_timer_stop(c->timer);
    fail_all_sends(c, FAMQP_ASYNC_ERR_CLOSED);
    emit(c, FAMQP_ASYNC_CLOSED, c->cond, c->desc, c->msg);
}

/* Schedules the next attempt after the backoff, or gives up. */
static void next_attempt(famqp_async_conn *c)
{
    c->attempt++;
    if (c->attempt > c->policy.max_attempts || c->auth_failed) {
        char lost[1024], cond[128], desc[512];
        snprintf(lost, sizeof lost, "%s", c->msg);
        snprintf(cond, sizeof cond, "%s", c->cond);
        snprintf(desc, sizeof desc, "%s", c->desc);
        c->msg[0] = 0;
        c->cur = c->lost_from;
        set_failure(c, cond, desc, "reconnecting failed after %u attempt%s: %.600s",
                    (unsigned)(c->attempt - 1), c->attempt == 2 ? "" : "s", lost);
        fail_for_good(c);
        return;
    }
    uint32_t wait = c->backoff;
    /* The backoff doubles after each full round over the list. */
    if (c->attempt % c->ntargets == 0)
        c->backoff = c->backoff > c->policy.max_backoff_ms / 2 ? c->policy.max_backoff_ms : c->backoff * 2;
    c->cur = (c->lost_from + c->attempt) % c->ntargets;
    c->state = AS_START;
    emit(c, FAMQP_ASYNC_RECONNECTING, c->cond, c->desc, c->msg);
    if (c->state == AS_START) /* not closed by the callback */
        async_timer_start(c, (int)wait);
}

static void attempt_failed(famqp_async_conn *c)
{
    async_drop_connection(c);
    if (c->state == AS_CLOSING || c->state == AS_DONE) {
        c->state = AS_DONE;
        async_timer_start(c, 0);
        return;
    }
    if (!c->ever_open || !c->policy.max_attempts) {
        fail_for_good(c);
        return;
    }
    if (c->state == AS_OPEN) { /* a new loss: a new round of attempts */
        c->attempt = 0;
        c->lost_from = c->cur;
        c->backoff = c->policy.initial_backoff_ms;
    }
    next_attempt(c);
}

static void opened(famqp_async_conn *c)
{
    c->state = AS_OPEN;
    famqp_loop_timer_stop(c->timer);
    c->msg[0] = 0;
    if (!c->ever_open) {
        c->ever_open = true;
        emit(c, FAMQP_ASYNC_OPENED, NULL, NULL, NULL);
    } else {
        c->reconnects++;
        emit(c, FAMQP_ASYNC_RECONNECTED, NULL, NULL, NULL);
    }
}

static void on_conn_event(famqp_loop_conn *lc, const famqp_event *e, void *arg)
{
    (void)lc;
    famqp_async_conn *c = arg;
    async_conn_enter(c);
    async_link *l = e->link ? famqp_link_context(e->link) : NULL;
    switch (e->type) {
    case FAMQP_EVENT_SASL_DONE:
        c->authenticated = true;
        break;
    case FAMQP_EVENT_CONNECTION_REMOTE_OPEN:
        c->remote_open = true;
        if (c->remote_begin && c->state == AS_OPENING)
            opened(c);
        break;
    case FAMQP_EVENT_SESSION_REMOTE_BEGIN:
        if (e->session == c->session) {
            c->remote_begin = true;
            if (c->remote_open && c->state == AS_OPENING)
                opened(c);
        }
        break;
    case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
        if (c->state != AS_CLOSING) {
            set_failure(c, e->condition.name, e->condition.description, "the peer closed the connection");
            famqp_connection_close(e->connection, NULL, NULL);
        }
        break;
    case FAMQP_EVENT_CONNECTION_ERROR:
        if (e->condition.name && strcmp(e->condition.name, COND_UNAUTHORIZED) == 0 && !c->remote_open) {
            c->auth_failed = true;
            set_failure(c, e->condition.name, e->condition.description, "authentication failed");
        } else {
            set_failure(c, e->condition.name, e->condition.description, "connection failed");
        }
        break;
    case FAMQP_EVENT_SESSION_REMOTE_END:
        if (e->session == c->session && c->state != AS_CLOSING) {
            set_failure(c, e->condition.name, e->condition.description, "the peer ended the session");
            famqp_connection_close(e->connection, NULL, NULL);
        }
        break;
    case FAMQP_EVENT_LINK_REMOTE_ATTACH:
        if (!l && e->link)
            famqp_link_close(e->link, "amqp:not-implemented", "this client does not accept links");
        break;
    case FAMQP_EVENT_LINK_REMOTE_DETACH:
    case FAMQP_EVENT_LINK_CREDIT:
    case FAMQP_EVENT_LINK_FLOW:
    case FAMQP_EVENT_DELIVERY:
    case FAMQP_EVENT_DELIVERY_ABORTED:
    case FAMQP_EVENT_DELIVERY_UPDATED:
        if (!l) {
            if ((e->type == FAMQP_EVENT_DELIVERY || e->type == FAMQP_EVENT_DELIVERY_ABORTED) && e->delivery)
                famqp_delivery_settle(e->delivery); /* its receiver was closed */
        } else if (l->kind == ASYNC_SENDER) {
            async_sender_event((famqp_async_sender *)l, e);
        } else {
            async_receiver_event((famqp_async_receiver *)l, e);
        }
        break;
    default:
        break;
    }
    async_conn_leave(c);
}

static void on_conn_done(famqp_loop_conn *lc, famqp_io_status state, void *arg)
{
    famqp_async_conn *c = arg;
    async_conn_enter(c);
    const char *why = famqp_io_error_message(famqp_loop_conn_io(lc));
    if (state == FAMQP_IO_ERR_FAILED && why[0]) {
        /* The socket's reason (refused, TLS verification) is the real one:
         * the engine only saw the bytes stop. */
        c->msg[0] = 0;
        set_failure(c, NULL, NULL, "%s", why);
    } else if (state != FAMQP_IO_OK)
        set_failure(c, NULL, NULL, "the peer closed the socket");
    else
        set_failure(c, NULL, NULL, "the connection closed");
    attempt_failed(c);
    async_conn_leave(c);
}

void async_on_timer(famqp_loop_timer *t, void *arg)
{
    (void)t;
    famqp_async_conn *c = arg;
    async_conn_enter(c);
    switch (c->state) {
    case AS_START:
        attempt(c);
        break;
    case AS_OPENING: {
        /* Still in the proxy's CONNECT, TLS or the WebSocket upgrade: the
         * io's own deadline (the same timeout, started a little earlier by
         * the clock, maybe later by the loop's cached time) ends the
         * attempt with a message naming the stage. */
        famqp_io *io = c->lc ? famqp_loop_conn_io(c->lc) : NULL;
        uint64_t due = io && famqp_io_handshaking(io) ? famqp_io_deadline(io) : 0, now = famqp_io_now_ms();
        if (due > now) {
            async_timer_start(c, (int)(due - now));
            break;
        }
        if (io && famqp_io_handshaking(io) && famqp_io_process(io, false) == FAMQP_IO_ERR_FAILED)
            set_failure(c, NULL, NULL, "%s", famqp_io_error_message(io));
        else
            set_failure(c, NULL, NULL, "timed out connecting to %s after %d ms", c->targets[c->cur].shown,
                        c->connect_timeout_ms);
        attempt_failed(c);
        break;
    }
    case AS_CLOSING: /* the peer did not answer our close in time */
        async_drop_connection(c);
        c->state = AS_DONE;
        async_timer_start(c, 0);
        break;
    case AS_DONE:
        if (c->on_event) {
            c->msg[0] = 0;
            emit(c, FAMQP_ASYNC_CLOSED, NULL, NULL, NULL);
        }
        if (c->on_closed)
            c->on_closed(c, c->closed_arg);
        c->busy = 0;
        async_conn_free(c);
        return;
    default:
        break;
    }
    async_conn_leave(c);
}
