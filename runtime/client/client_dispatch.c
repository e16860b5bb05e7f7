/* The blocking client's engine side: engine events routed to the client
 * and its link handles, the wait loop every blocking call runs (with
 * famqp_client_pump), and how a failure is recorded and reported. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client_internal.h"

#define COND_UNAUTHORIZED "amqp:unauthorized-access"

const char *famqp_client_status_name(famqp_client_status s)
{
    switch (s) {
    case FAMQP_CLIENT_OK: return "ok";
    case FAMQP_CLIENT_ERR_ARG: return "invalid argument";
    case FAMQP_CLIENT_ERR_CONNECT: return "connection failed";
    case FAMQP_CLIENT_ERR_AUTH: return "authentication failed";
    case FAMQP_CLIENT_ERR_TIMEOUT: return "timeout";
    case FAMQP_CLIENT_ERR_REFUSED: return "refused by peer";
    case FAMQP_CLIENT_ERR_CONNECTION: return "connection closed";
    case FAMQP_CLIENT_ERR_STATE: return "invalid state";
    case FAMQP_CLIENT_ERR_NOMEM: return "out of memory";
    case FAMQP_CLIENT_ERR_CREDIT: return "no credit";
    case FAMQP_CLIENT_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

void client_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void error_fill(famqp_client_error *e, famqp_client_status st, const char *cond, const char *desc,
                       const char *fmt, va_list ap)
{
    e->status = st;
    client_copy(e->condition, sizeof e->condition, cond);
    client_copy(e->description, sizeof e->description, desc);
    char what[376]; /* + condition + description fit in message */
    vsnprintf(what, sizeof what, fmt, ap);
    if (e->condition[0])
        snprintf(e->message, sizeof e->message, "%s: %s%s%s", what, e->condition, e->description[0] ? ": " : "",
                 e->description);
    else
        snprintf(e->message, sizeof e->message, "%s", what);
}

famqp_client_status client_set_error(famqp_client *c, famqp_client_status st, const char *cond, const char *desc,
                                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_fill(&c->err, st, cond, desc, fmt, ap);
    va_end(ap);
    return st;
}

/* The connection is gone: remember why once, and make every call fail. */
static void client_fail(famqp_client *c, famqp_client_status st, const char *cond, const char *desc,
                        const char *what)
{
    if (c->failed)
        return;
    c->failed = true;
    c->fail_status = st;
    c->fail_err.status = st;
    client_copy(c->fail_err.condition, sizeof c->fail_err.condition, cond);
    client_copy(c->fail_err.description, sizeof c->fail_err.description, desc);
    if (cond && cond[0])
        snprintf(c->fail_err.message, sizeof c->fail_err.message, "%s: %s%s%s", what, cond,
                 desc && desc[0] ? ": " : "", desc ? desc : "");
    else
        snprintf(c->fail_err.message, sizeof c->fail_err.message, "%s", what);
}

famqp_client_status client_failed(famqp_client *c)
{
    c->err = c->fail_err;
    return c->fail_status;
}

famqp_client_status client_engine_status(famqp_engine_status es)
{
    switch (es) {
    case FAMQP_ENGINE_OK: return FAMQP_CLIENT_OK;
    case FAMQP_ENGINE_ERR_NOMEM: return FAMQP_CLIENT_ERR_NOMEM;
    case FAMQP_ENGINE_ERR_ARG: return FAMQP_CLIENT_ERR_ARG;
    case FAMQP_ENGINE_ERR_CREDIT: return FAMQP_CLIENT_ERR_CREDIT;
    case FAMQP_ENGINE_ERR_FAILED: return FAMQP_CLIENT_ERR_CONNECTION;
    default: return FAMQP_CLIENT_ERR_STATE;
    }
}

famqp_client_status client_io_status(famqp_io_status is)
{
    switch (is) {
    case FAMQP_IO_OK: return FAMQP_CLIENT_OK;
    case FAMQP_IO_ERR_NOMEM: return FAMQP_CLIENT_ERR_NOMEM;
    case FAMQP_IO_ERR_ARG: return FAMQP_CLIENT_ERR_ARG;
    default: return FAMQP_CLIENT_ERR_CONNECT;
    }
}

const famqp_client_error *famqp_client_last_error(const famqp_client *c) { return &c->err; }

uint64_t client_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? 0 : famqp_io_now_ms() + (uint64_t)timeout_ms;
}

static void connection_error_event(famqp_client *c, const famqp_event *e)
{
    const char *cond = e->condition.name;
    const char *desc = e->condition.description;
    if (cond && strcmp(cond, COND_UNAUTHORIZED) == 0 && !c->remote_open)
        client_fail(c, FAMQP_CLIENT_ERR_AUTH, cond, desc, "authentication failed");
    else if (!c->remote_open && !c->authenticated && !cond)
        client_fail(c, FAMQP_CLIENT_ERR_CONNECT, cond, desc, "the peer closed the connection during setup");
    else
        client_fail(c, FAMQP_CLIENT_ERR_CONNECTION, cond, desc, "connection failed");
}

/* Handles every pending engine event. */
static void dispatch(famqp_client *c)
{
    const famqp_event *e;
    while ((e = famqp_connection_next_event(c->conn)) != NULL) {
        client_link *h = e->link ? famqp_link_context(e->link) : NULL;
        switch (e->type) {
        case FAMQP_EVENT_SASL_DONE:
            c->authenticated = true;
            break;
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN:
            c->remote_open = true;
            break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE:
            c->remote_closed = true;
            if (!c->closing) {
                client_fail(c, FAMQP_CLIENT_ERR_CONNECTION, e->condition.name, e->condition.description,
                            "the peer closed the connection");
                client_links_lost(c);
                famqp_connection_close(c->conn, NULL, NULL);
            }
            break;
        case FAMQP_EVENT_CONNECTION_ERROR:
            connection_error_event(c, e);
            break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN:
            if (e->session == c->session)
                c->remote_begin = true;
            break;
        case FAMQP_EVENT_SESSION_REMOTE_END:
            if (e->session == c->session && !c->closing) {
                client_fail(c, FAMQP_CLIENT_ERR_CONNECTION, e->condition.name, e->condition.description,
                            "the peer ended the session");
                client_links_lost(c); /* closing the session frees its links */
                famqp_session_close(c->session, NULL, NULL);
            }
            break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH:
            if (h)
                h->remote_attached = true;
            else if (e->link) /* a link we did not ask for */
                famqp_link_close(e->link, "amqp:not-implemented", "this client does not accept links");
            break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            if (h)
                client_link_remote_detach(h, e);
            break;
        case FAMQP_EVENT_DELIVERY:
        case FAMQP_EVENT_DELIVERY_ABORTED:
        case FAMQP_EVENT_DELIVERY_UPDATED:
        case FAMQP_EVENT_LINK_CREDIT:
        case FAMQP_EVENT_LINK_FLOW:
            if (h)
                h->ops->event(h, e);
            else if (e->type == FAMQP_EVENT_DELIVERY || e->type == FAMQP_EVENT_DELIVERY_ABORTED)
                famqp_delivery_settle(e->delivery); /* its handle was closed */
            break;
        default:
            break;
        }
    }
}

/* Sends kept deliveries again on every sender (after a reconnect). */
static void resend_all(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next)
        if (h->link && h->ops->resend)
            h->ops->resend(h);
}

/* The socket failed or closed under us: record why. */
static void io_lost(famqp_client *c)
{
    if (c->failed)
        return;
    const char *why = famqp_io_error_message(c->io);
    client_fail(c, c->remote_open ? FAMQP_CLIENT_ERR_CONNECTION : FAMQP_CLIENT_ERR_CONNECT, NULL, NULL,
                why && why[0] ? why
                              : (c->remote_open ? "the peer closed the socket"
                                                : "the peer closed the socket during connection setup"));
}

void famqp_client_interrupt(famqp_client *c)
{
    if (c)
        atomic_store(&c->interrupt, 1);
}

bool client_interrupted(famqp_client *c)
{
    /* Inside a reconnect the flag stays for client_recover to see. */
    if (c->closing || !(c->reconnecting ? atomic_load(&c->interrupt) : atomic_exchange(&c->interrupt, 0)))
        return false;
    client_set_error(c, FAMQP_CLIENT_ERR_INTERRUPTED, NULL, NULL, "interrupted (famqp_client_interrupt)");
    return true;
}

/* Longest single wait in client_wait: how soon an interrupt from another
 * thread is noticed (a signal on this thread ends the poll at once). */
enum { INTERRUPT_SLICE_MS = 100 };

famqp_client_status client_wait(famqp_client *c, uint64_t deadline, bool (*done)(void *arg), void *arg)
{
    bool just_wrote = false;
    if (c->cbs)
        client_cbs_refresh(c); /* no timer thread: every wait checks (client.h) */
    for (;;) {
        if (!c->conn)
            return client_failed(c); /* every reconnect attempt failed */
        if (client_interrupted(c))
            return FAMQP_CLIENT_ERR_INTERRUPTED;
        dispatch(c);
        if (!c->failed)
            resend_all(c);
        if (done && done(arg))
            return FAMQP_CLIENT_OK;
        if (c->failed) {
            if (client_recover(c))
                continue;
            return client_failed(c);
        }
        int left = deadline ? famqp_io_ms_until(deadline) : -1;
        if (deadline && left == 0)
            return client_set_error(c, FAMQP_CLIENT_ERR_TIMEOUT, NULL, NULL, "timed out");
        /* Write pending output without waiting first and look at `done`
         * again: a pre-settled send is done once written, and a peer that
         * sends nothing back (RabbitMQ to a pre-settled sender) would leave
         * a blocking poll waiting for the whole timeout. */
        bool write_now = !just_wrote && famqp_io_wants_write(c->io);
        just_wrote = write_now;
        int slice = left < 0 || left > INTERRUPT_SLICE_MS ? INTERRUPT_SLICE_MS : left;
        famqp_io_status st = famqp_io_pump(c->io, write_now ? 0 : slice);
        if (st == FAMQP_IO_ERR_FAILED || st == FAMQP_IO_ERR_CLOSED) {
            dispatch(c);
            if (done && done(arg))
                return FAMQP_CLIENT_OK;
            io_lost(c);
            if (client_recover(c))
                continue;
            return client_failed(c);
        }
    }
}

famqp_client_status famqp_client_pump(famqp_client *c, int timeout_ms)
{
    if (c->nretired)
        client_retired_sweep(c);
    if (client_interrupted(c))
        return FAMQP_CLIENT_ERR_INTERRUPTED;
    if (c->failed && !client_recover(c))
        return client_failed(c);
    if (c->cbs)
        client_cbs_refresh(c);
    dispatch(c);
    if (!c->failed)
        resend_all(c);
    famqp_io_status st = famqp_io_pump(c->io, timeout_ms);
    dispatch(c);
    if (st == FAMQP_IO_ERR_FAILED || st == FAMQP_IO_ERR_CLOSED)
        io_lost(c);
    if (c->failed && !client_recover(c))
        return client_failed(c);
    return FAMQP_CLIENT_OK;
}
