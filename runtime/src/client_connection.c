/* The blocking client's connection: connect, the event dispatch and wait
 * loop every call uses, errors, close. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_internal.h"

#if FAMQP_CLIENT_AVAILABLE

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

const famqp_client_error *famqp_client_last_error(const famqp_client *c) { return &c->err; }
famqp_connection *famqp_client_connection(const famqp_client *c) { return c->conn; }

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

void client_dispatch(famqp_client *c)
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
            if (h) {
                h->remote_detached = true;
                client_copy(h->cond, sizeof h->cond, e->condition.name);
                client_copy(h->desc, sizeof h->desc, e->condition.description);
                if (h->kind == CLIENT_RECEIVER)
                    client_receiver_forget((famqp_receiver *)h);
                else
                    client_sender_forget((famqp_sender *)h);
                if (!h->local_closed) {
                    h->local_closed = true;
                    famqp_link_close(e->link, NULL, NULL);
                }
                /* closed both ways: the engine frees the link after this event */
                h->finished = true;
                famqp_link_set_context(e->link, NULL);
                h->link = NULL;
            }
            break;
        case FAMQP_EVENT_DELIVERY:
        case FAMQP_EVENT_DELIVERY_ABORTED:
        case FAMQP_EVENT_DELIVERY_UPDATED:
        case FAMQP_EVENT_LINK_CREDIT:
        case FAMQP_EVENT_LINK_FLOW:
            if (h && h->kind == CLIENT_SENDER)
                client_sender_event((famqp_sender *)h, e);
            else if (h && h->kind == CLIENT_RECEIVER)
                client_receiver_event((famqp_receiver *)h, e);
            else if (e->type == FAMQP_EVENT_DELIVERY || e->type == FAMQP_EVENT_DELIVERY_ABORTED)
                famqp_delivery_settle(e->delivery); /* its handle was closed */
            break;
        default:
            break;
        }
    }
}

famqp_client_status client_wait(famqp_client *c, uint64_t deadline, bool (*done)(void *arg), void *arg)
{
    for (;;) {
        client_dispatch(c);
        if (done && done(arg))
            return FAMQP_CLIENT_OK;
        if (c->failed)
            return client_failed(c);
        int left = deadline ? famqp_io_ms_until(deadline) : -1;
        if (deadline && left == 0)
            return client_set_error(c, FAMQP_CLIENT_ERR_TIMEOUT, NULL, NULL, "timed out");
        famqp_io_status st = famqp_io_pump(c->io, left);
        if (st == FAMQP_IO_ERROR || st == FAMQP_IO_CLOSED) {
            client_dispatch(c);
            if (done && done(arg))
                return FAMQP_CLIENT_OK;
            if (!c->failed) {
                const char *why = famqp_io_error_message(c->io);
                client_fail(c, c->remote_open ? FAMQP_CLIENT_ERR_CONNECTION : FAMQP_CLIENT_ERR_CONNECT, NULL,
                            NULL,
                            why && why[0] ? why
                                          : (c->remote_open ? "the peer closed the socket"
                                                            : "the peer closed the socket during connection setup"));
            }
            return client_failed(c);
        }
    }
}

famqp_client_status famqp_client_pump(famqp_client *c, int timeout_ms)
{
    if (c->failed)
        return client_failed(c);
    client_dispatch(c);
    famqp_io_status st = famqp_io_pump(c->io, timeout_ms);
    client_dispatch(c);
    if (st == FAMQP_IO_ERROR || st == FAMQP_IO_CLOSED) {
        const char *why = famqp_io_error_message(c->io);
        client_fail(c, FAMQP_CLIENT_ERR_CONNECTION, NULL, NULL, why && why[0] ? why : "the peer closed the socket");
    }
    return c->failed ? client_failed(c) : FAMQP_CLIENT_OK;
}

void famqp_client_options_init(famqp_client_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->trace = -1;
    famqp_io_options_init(&o->io);
}

static bool ready(void *arg)
{
    famqp_client *c = arg;
    return c->remote_open && c->remote_begin;
}

static void client_free(famqp_client *c)
{
    client_link *h = c->links;
    while (h) {
        client_link *next = h->next;
        if (h->kind == CLIENT_SENDER) {
            famqp_sender *s = (famqp_sender *)h;
            free(s->buf);
            free(s->ours);
            free(s);
        } else {
            famqp_receiver *r = (famqp_receiver *)h;
            free(r->ring);
            free(r->address);
            free(r);
        }
        h = next;
    }
    famqp_io_free(c->io);
    famqp_connection_free(c->conn);
    free(c);
}

static famqp_client_status connect_fail(famqp_client *c, famqp_client_status st, famqp_client_error *err)
{
    if (err)
        *err = c->err;
    client_free(c);
    return st;
}

famqp_client_status famqp_client_connect(const char *url_text, const famqp_client_options *opts,
                                         famqp_client **out, famqp_client_error *err)
{
    static unsigned counter;
    *out = NULL;
    famqp_client_options defaults;
    if (!opts) {
        famqp_client_options_init(&defaults);
        opts = &defaults;
    }
    famqp_client *c = calloc(1, sizeof *c);
    if (!c) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->status = FAMQP_CLIENT_ERR_NOMEM;
            client_copy(err->message, sizeof err->message, "out of memory");
        }
        return FAMQP_CLIENT_ERR_NOMEM;
    }
    famqp_url url;
    famqp_io_error ioerr = {{0}};
    if (!url_text || !famqp_url_parse(url_text, &url, &ioerr)) {
        client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "%s", url_text ? ioerr.message : "no URL given");
        famqp_client_status st = c->err.status;
        if (err)
            *err = c->err;
        client_free(c);
        return st;
    }
    if (opts->container_id)
        client_copy(c->container_id, sizeof c->container_id, opts->container_id);
    else
        snprintf(c->container_id, sizeof c->container_id, "famqp-%ld-%u", (long)getpid(), ++counter);

    const char *user = opts->user ? opts->user : (url.user[0] ? url.user : NULL);
    const char *password = opts->password ? opts->password : url.password;
    famqp_connection_options co;
    famqp_connection_options_init(&co);
    co.role = FAMQP_CONNECTION_CLIENT;
    co.container_id = c->container_id;
    co.hostname = url.host;
    co.trace = opts->trace;
    if (opts->idle_timeout_ms)
        co.idle_timeout_ms = opts->idle_timeout_ms;
    if (opts->max_frame_size)
        co.max_frame_size = opts->max_frame_size;
    if (opts->sasl_mechanism == FAMQP_CLIENT_NO_SASL)
        co.sasl_mechanisms = 0;
    else if (opts->sasl_mechanism)
        co.sasl_mechanisms = opts->sasl_mechanism;
    else
        co.sasl_mechanisms = user ? FAMQP_SASL_PLAIN : FAMQP_SASL_ANONYMOUS;
    co.sasl_username = user;
    co.sasl_password = password;
    c->conn = famqp_connection_new(&co);
    if (!c->conn) {
        client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "invalid connection options");
        return connect_fail(c, FAMQP_CLIENT_ERR_ARG, err);
    }
    famqp_io_options io = opts->io;
    io.connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
    c->io = famqp_io_connect(&url, &io, c->conn, &ioerr);
    if (!c->io) {
        client_set_error(c, FAMQP_CLIENT_ERR_CONNECT, NULL, NULL, "%s", ioerr.message);
        return connect_fail(c, FAMQP_CLIENT_ERR_CONNECT, err);
    }
    c->session = famqp_session_new(c->conn);
    if (famqp_connection_open(c->conn) != FAMQP_ENGINE_OK || !c->session ||
        famqp_session_open(c->session) != FAMQP_ENGINE_OK) {
        client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "could not open the connection");
        return connect_fail(c, FAMQP_CLIENT_ERR_NOMEM, err);
    }
    famqp_client_status st = client_wait(c, client_deadline(io.connect_timeout_ms), ready, c);
    if (st != FAMQP_CLIENT_OK) {
        if (st == FAMQP_CLIENT_ERR_TIMEOUT)
            client_set_error(c, st, NULL, NULL, "timed out opening the AMQP connection to %s:%u", url.host,
                             (unsigned)url.port);
        return connect_fail(c, st, err);
    }
    if (err)
        memset(err, 0, sizeof *err);
    *out = c;
    return FAMQP_CLIENT_OK;
}

static bool finished(void *arg)
{
    famqp_client *c = arg;
    return famqp_connection_finished(c->conn);
}

famqp_client_status famqp_client_close(famqp_client *c, int timeout_ms)
{
    if (!c)
        return FAMQP_CLIENT_OK;
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (!c->failed) {
        c->closing = true;
        famqp_connection_close(c->conn, NULL, NULL);
        st = client_wait(c, client_deadline(timeout_ms), finished, c);
        if (st == FAMQP_CLIENT_OK && c->failed && c->fail_status != FAMQP_CLIENT_OK)
            st = c->fail_status;
    } else {
        famqp_io_flush(c->io, 0);
    }
    client_free(c);
    return st;
}

/* ---- link handles ---- */

static bool link_answered(void *arg)
{
    client_link *h = arg;
    if (h->remote_detached)
        return true;
    if (!h->remote_attached)
        return false;
    /* A refusing peer attaches with no terminus and detaches right after. */
    const char *addr = famqp_link_get_role(h->link) == FAMQP_LINK_SENDER
                           ? famqp_link_remote_target_address(h->link)
                           : famqp_link_remote_source_address(h->link);
    return addr != NULL;
}

famqp_client_status client_link_open(famqp_client *c, client_link *h, const char *name, famqp_link_role role,
                                     const famqp_link_options *lo, int timeout_ms)
{
    h->client = c;
    h->next = c->links;
    c->links = h;
    if (c->failed)
        return client_failed(c);
    char generated[160];
    if (!name) {
        snprintf(generated, sizeof generated, "%s-%s-%llu", c->container_id,
                 role == FAMQP_LINK_SENDER ? "sender" : "receiver", (unsigned long long)++c->link_counter);
        name = generated;
    }
    h->link = famqp_link_new(c->session, name, role, lo);
    if (!h->link)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "could not create link '%s'", name);
    famqp_link_set_context(h->link, h);
    if (famqp_link_open(h->link) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "could not attach link '%s'", name);
    const char *address = role == FAMQP_LINK_SENDER ? lo->target_address : lo->source_address;
    famqp_client_status st = client_wait(c, client_deadline(timeout_ms), link_answered, h);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT && h->remote_attached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, NULL, NULL,
                                "attach to '%s' refused: the peer answered without a %s",
                                address ? address : "(dynamic)", role == FAMQP_LINK_SENDER ? "target" : "source");
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out attaching to '%s'", address ? address : "(dynamic)");
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (h->remote_detached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, h->cond, h->desc, "attach to '%s' refused",
                                address ? address : "(dynamic)");
    return FAMQP_CLIENT_OK;
}

static bool link_closed(void *arg)
{
    client_link *h = arg;
    return h->remote_detached;
}

void client_link_unregister(client_link *h)
{
    famqp_client *c = h->client;
    for (client_link **p = &c->links; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            break;
        }
    }
    if (h->link)
        famqp_link_set_context(h->link, NULL);
    h->link = NULL;
}

famqp_client_status client_link_close(client_link *h, int timeout_ms)
{
    famqp_client *c = h->client;
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (!c->failed && h->link && !h->remote_detached) {
        if (!h->local_closed) {
            h->local_closed = true;
            famqp_link_close(h->link, NULL, NULL);
        }
        st = client_wait(c, client_deadline(timeout_ms), link_closed, h);
    }
    if (st == FAMQP_CLIENT_OK && h->remote_detached && h->cond[0])
        st = client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, h->cond, h->desc, "the peer detached the link");
    client_link_unregister(h);
    return st;
}

#endif /* FAMQP_CLIENT_AVAILABLE */
