/* The blocking client's connection: connect, the event dispatch and wait
 * loop every call uses, errors, close. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
            if (h) {
                h->remote_detached = true;
                client_copy(h->cond, sizeof h->cond, e->condition.name);
                client_copy(h->desc, sizeof h->desc, e->condition.description);
                /* A reattach refused during a reconnect keeps what the
                 * handle holds for the next attempt. */
                if (!h->reattaching && h->kind == CLIENT_RECEIVER)
                    client_receiver_forget((famqp_receiver *)h);
                else if (!h->reattaching)
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

/* The session or connection is gone: handles let go of their engine links
 * (closing the session frees them), senders mark what they kept for
 * resending.  Called again by a reconnect: does nothing more then. */
void client_links_lost(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next) {
        if (h->kind == CLIENT_SENDER)
            client_sender_lost((famqp_sender *)h);
        else if (h->link && ((famqp_receiver *)h)->credit_window == 0)
            /* A drain under way wanted the credit back: none on the new link. */
            ((famqp_receiver *)h)->regrant =
                ((famqp_receiver *)h)->draining ? 0 : famqp_link_credit(h->link);
        if (h->link)
            famqp_link_set_context(h->link, NULL);
        h->link = NULL;
        h->remote_attached = false;
        if (h->local_closed)
            h->remote_detached = true; /* a detach under way ends with the connection */
    }
}

/* Sends kept deliveries again on every sender (after a reconnect). */
static void resend_all(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next)
        if (h->kind == CLIENT_SENDER && h->link && client_sender_retaining((famqp_sender *)h))
            client_sender_resend((famqp_sender *)h);
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

/* Monotonic microseconds: the linger is shorter than famqp_io_now_ms's
 * resolution. */
static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void client_output_written(famqp_client *c)
{
    if (!c->linger_us)
        return;
    uint64_t now = mono_us();
    c->last_write_us = now;
    c->linger_check_us = now;
    c->linger_calls = 0;
}

famqp_client_status client_wait(famqp_client *c, uint64_t deadline, bool (*done)(void *arg), void *arg)
{
    bool just_wrote = false;
    for (;;) {
        if (!c->conn)
            return client_failed(c); /* every reconnect attempt failed */
        client_dispatch(c);
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
        famqp_io_status st = famqp_io_pump(c->io, write_now ? 0 : left);
        if (st == FAMQP_IO_ERROR || st == FAMQP_IO_CLOSED) {
            client_dispatch(c);
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
    if (c->failed && !client_recover(c))
        return client_failed(c);
    client_dispatch(c);
    if (!c->failed)
        resend_all(c);
    famqp_io_status st = famqp_io_pump(c->io, timeout_ms);
    client_dispatch(c);
    if (st == FAMQP_IO_ERROR || st == FAMQP_IO_CLOSED)
        io_lost(c);
    if (c->failed && !client_recover(c))
        return client_failed(c);
    return FAMQP_CLIENT_OK;
}

/* Most calls between two clock reads: in a flood (~0.5 us a call) the
 * clock (~40 ns) is read every few microseconds; after a flood turns slow,
 * at most this many calls pass before the clock is read again. */
#define LINGER_MAX_CALLS 16u
/* Calls this far apart (fewer than 20,000 a second) are slow enough to be
 * written one by one: a write per call costs little at that rate, and
 * waiting would only add delay. */
#define LINGER_SLOW_CALL_US 50u

void client_output_linger(famqp_client *c, bool fresh)
{
    if (c->failed || !c->conn)
        return; /* the next call that does I/O reports it */
    size_t pending = 0;
    famqp_connection_output(c->conn, &pending);
    if (!pending)
        return;
    if (!c->linger_us) {
        famqp_client_pump(c, 0);
        return;
    }
    c->linger_calls++;
    bool big = pending >= CLIENT_WRITE_BATCH;
    if (!fresh && !big && c->linger_countdown > 1) {
        c->linger_countdown--;
        return;
    }
    uint64_t now = mono_us();
    /* Next read after about a quarter of the linger at the rate seen since
     * the last one, so the linger is overshot by little. */
    uint64_t per_call = (now - c->linger_check_us) / c->linger_calls;
    uint64_t calls = per_call ? c->linger_us / 4u / per_call : LINGER_MAX_CALLS;
    /* The gap grows by doubling from the first call after a write, so two
     * calls that happen to come back to back do not leave held output
     * unchecked for many slow calls. */
    uint64_t most = fresh ? 1 : 2u * c->linger_countdown_set;
    if (calls > most)
        calls = most;
    c->linger_countdown = calls < 1 ? 1 : calls > LINGER_MAX_CALLS ? LINGER_MAX_CALLS : (uint32_t)calls;
    c->linger_countdown_set = c->linger_countdown;
    c->linger_check_us = now;
    c->linger_calls = 0;
    /* A slow application: waiting for more would only delay this output. */
    uint32_t slow_us = c->linger_us / 4u < LINGER_SLOW_CALL_US ? c->linger_us / 4u : LINGER_SLOW_CALL_US;
    bool slow = per_call >= slow_us;
    if (big || slow || now - c->last_write_us >= c->linger_us) {
        c->last_write_us = now;
        famqp_client_pump(c, 0);
    }
}

uint64_t famqp_client_reconnects(const famqp_client *c) { return c->reconnects; }
uint64_t famqp_client_resent(const famqp_client *c) { return c->resent; }

void famqp_client_options_init(famqp_client_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->trace = -1;
    famqp_io_options_init(&o->io);
    o->reconnect.max_attempts = 0;
    o->reconnect.initial_backoff_ms = 100;
    o->reconnect.max_backoff_ms = 5000;
    o->max_send_delay_us = FAMQP_CLIENT_DEFAULT_SEND_DELAY_US;
}

static bool ready(void *arg)
{
    famqp_client *c = arg;
    return c->remote_open && c->remote_begin;
}

/* Overwrites a secret before freeing it (volatile: not optimised away). */
static void free_secret(char *p)
{
    if (!p)
        return;
    for (volatile char *q = p; *q; q++)
        *q = 0;
    free(p);
}

static void client_free(famqp_client *c)
{
    client_link *h = c->links;
    while (h) {
        client_link *next = h->next;
        if (h->kind == CLIENT_SENDER) {
            client_sender_free((famqp_sender *)h);
        } else {
            famqp_receiver *r = (famqp_receiver *)h;
            free(r->ring);
            free(r->address);
            client_link_free_options(h);
            free(r);
        }
        h = next;
    }
    famqp_io_free(c->io);
    if (c->conn)
        famqp_connection_free(c->conn);
    for (size_t i = 0; i < c->nretired; i++)
        famqp_connection_free(c->retired[i]);
    free(c->retired);
    free(c->user);
    free_secret(c->password);
    for (volatile char *q = c->url.password; *q; q++)
        *q = 0;
    free(c->ca_file);
    free(c->server_name);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}

static famqp_client_status connect_fail(famqp_client *c, famqp_client_status st, famqp_client_error *err)
{
    if (err)
        *err = c->err;
    client_free(c);
    return st;
}

static bool dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

/* Creates the engine, connects the socket (TLS), opens the connection and
 * the session and waits for the peer's open and begin. */
static famqp_client_status open_connection(famqp_client *c)
{
    famqp_io_error ioerr = {{0}};
    c->remote_open = c->remote_begin = c->remote_closed = c->authenticated = false;
    c->failed = false;
    c->conn = famqp_connection_new(&c->copts);
    if (!c->conn)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "invalid connection options");
    c->io = famqp_io_connect(&c->url, &c->iopts, c->conn, &ioerr);
    if (!c->io)
        return client_set_error(c, FAMQP_CLIENT_ERR_CONNECT, NULL, NULL, "%s", ioerr.message);
    c->session = famqp_session_new(c->conn);
    if (famqp_connection_open(c->conn) != FAMQP_ENGINE_OK || !c->session ||
        famqp_session_open(c->session) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "could not open the connection");
    famqp_client_status st = client_wait(c, client_deadline(c->iopts.connect_timeout_ms), ready, c);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        client_set_error(c, st, NULL, NULL, "timed out opening the AMQP connection to %s:%u", c->url.host,
                         (unsigned)c->url.port);
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
    famqp_io_error ioerr = {{0}};
    if (!url_text || !famqp_url_parse(url_text, &c->url, &ioerr)) {
        client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "%s", url_text ? ioerr.message : "no URL given");
        return connect_fail(c, FAMQP_CLIENT_ERR_ARG, err);
    }
    if (opts->container_id)
        client_copy(c->container_id, sizeof c->container_id, opts->container_id);
    else
        snprintf(c->container_id, sizeof c->container_id, "famqp-%ld-%u", (long)getpid(), ++counter);

    const char *user = opts->user ? opts->user : (c->url.user[0] ? c->url.user : NULL);
    const char *password = opts->password ? opts->password : c->url.password;
    famqp_connection_options *co = &c->copts;
    famqp_connection_options_init(co);
    co->role = FAMQP_CONNECTION_CLIENT;
    co->container_id = c->container_id;
    co->hostname = c->url.host;
    co->trace = opts->trace;
    if (opts->idle_timeout_ms)
        co->idle_timeout_ms = opts->idle_timeout_ms;
    if (opts->max_frame_size)
        co->max_frame_size = opts->max_frame_size;
    if (opts->sasl_mechanism == FAMQP_CLIENT_NO_SASL)
        co->sasl_mechanisms = 0;
    else if (opts->sasl_mechanism)
        co->sasl_mechanisms = opts->sasl_mechanism;
    else
        co->sasl_mechanisms = user ? FAMQP_SASL_PLAIN : FAMQP_SASL_ANONYMOUS;
    /* PLAIN puts the password on the wire as it is: only inside TLS, or
     * when the application says so. */
    if ((co->sasl_mechanisms & FAMQP_SASL_PLAIN) && !c->url.tls && !opts->allow_plain_insecure) {
        client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                         "refusing SASL PLAIN over unencrypted amqp:// to %s:%u: the password would cross the "
                         "network in clear text; use amqps://, or allow it explicitly "
                         "(allow_plain_insecure; --allow-plain-insecure)",
                         c->url.host, (unsigned)c->url.port);
        return connect_fail(c, FAMQP_CLIENT_ERR_ARG, err);
    }
    c->iopts = opts->io;
    c->iopts.connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
    if (!dup_opt(&c->user, user) || !dup_opt(&c->password, password) ||
        !dup_opt(&c->ca_file, opts->io.tls_ca_file) || !dup_opt(&c->server_name, opts->io.tls_server_name) ||
        !dup_opt(&c->cert_file, opts->io.tls_cert_file) || !dup_opt(&c->key_file, opts->io.tls_key_file)) {
        client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        return connect_fail(c, FAMQP_CLIENT_ERR_NOMEM, err);
    }
    co->sasl_username = c->user;
    co->sasl_password = c->password;
    c->iopts.tls_ca_file = c->ca_file;
    c->iopts.tls_server_name = c->server_name;
    c->iopts.tls_cert_file = c->cert_file;
    c->iopts.tls_key_file = c->key_file;
    c->linger_us = opts->max_send_delay_us;
    c->policy = opts->reconnect;
    if (!c->policy.initial_backoff_ms)
        c->policy.initial_backoff_ms = 1;
    if (c->policy.max_backoff_ms < c->policy.initial_backoff_ms)
        c->policy.max_backoff_ms = c->policy.initial_backoff_ms;

    famqp_client_status st = open_connection(c);
    if (st != FAMQP_CLIENT_OK)
        return connect_fail(c, st, err);
    c->established = true;
    if (err)
        memset(err, 0, sizeof *err);
    *out = c;
    return FAMQP_CLIENT_OK;
}

/* ---- reconnecting ---- */

static bool link_answered(void *arg);

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Lets go of the current connection: links lose their engine objects,
 * senders mark what they kept for resending.  keep: received deliveries
 * may point into it: it stays allocated while the application holds any
 * (client_retire). */
static void retire_connection(famqp_client *c, bool keep)
{
    client_links_lost(c);
    famqp_io_free(c->io);
    c->io = NULL;
    c->session = NULL;
    if (!c->conn)
        return;
    if (keep)
        client_retire(c, c->conn);
    else
        famqp_connection_free(c->conn);
    c->conn = NULL;
    client_retired_sweep(c);
}

static bool all_answered(void *arg)
{
    famqp_client *c = arg;
    for (client_link *h = c->links; h; h = h->next)
        if (h->link && !link_answered(h))
            return false;
    return true;
}

/* Attaches every live handle again on the new connection. */
/* Ends an attempt: a handle the peer refused to reattach (e.g. its node
 * is not back yet) is tried again by the next attempt. */
static void reattach_done(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next) {
        if (h->reattaching && h->remote_detached)
            h->remote_detached = h->finished = h->local_closed = false;
        h->reattaching = false;
    }
}

static famqp_client_status reattach_all(famqp_client *c)
{
    for (client_link *h = c->links; h; h = h->next) {
        if (h->remote_detached || h->local_closed || h->finished || !h->name)
            continue;
        famqp_link_role role = h->kind == CLIENT_SENDER ? FAMQP_LINK_SENDER : FAMQP_LINK_RECEIVER;
        h->reattaching = true;
        h->link = famqp_link_new(c->session, h->name, role, &h->lo);
        if (!h->link)
            return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "could not create link '%s'", h->name);
        famqp_link_set_context(h->link, h);
        if (famqp_link_open(h->link) != FAMQP_ENGINE_OK)
            return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "could not attach link '%s'", h->name);
    }
    famqp_client_status st = client_wait(c, client_deadline(c->iopts.connect_timeout_ms), all_answered, c);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out reattaching links");
    if (st != FAMQP_CLIENT_OK)
        return st;
    for (client_link *h = c->links; h; h = h->next) {
        if (h->reattaching && h->remote_detached)
            return client_set_error(c, FAMQP_CLIENT_ERR_CONNECTION, h->cond, h->desc,
                                    "reattaching link '%s' refused", h->name);
        if (h->link && h->kind == CLIENT_RECEIVER) {
            famqp_receiver *r = (famqp_receiver *)h;
            if (r->draining)
                continue; /* the drain ends with the old link: no credit */
            if (r->credit_window && r->count < r->credit_window)
                famqp_link_flow(h->link, (uint32_t)(r->credit_window - r->count));
            else if (!r->credit_window && r->regrant)
                famqp_link_flow(h->link, r->regrant);
        }
    }
    return FAMQP_CLIENT_OK;
}

bool client_recover(famqp_client *c)
{
    if (!c->failed || !c->policy.max_attempts || !c->established || c->closing || c->reconnecting ||
        c->fail_status != FAMQP_CLIENT_ERR_CONNECTION)
        return false;
    c->reconnecting = true;
    famqp_client_error lost = c->fail_err;
    famqp_client_error last = lost;
    retire_connection(c, true);
    uint32_t backoff = c->policy.initial_backoff_ms;
    uint32_t attempt;
    for (attempt = 1; attempt <= c->policy.max_attempts; attempt++) {
        sleep_ms(backoff);
        backoff = backoff > c->policy.max_backoff_ms / 2 ? c->policy.max_backoff_ms : backoff * 2;
        famqp_client_status st = open_connection(c);
        if (st == FAMQP_CLIENT_OK)
            st = reattach_all(c);
        reattach_done(c);
        if (st == FAMQP_CLIENT_OK && !c->failed) {
            c->reconnecting = false;
            c->reconnects++;
            return true;
        }
        last = c->failed ? c->fail_err : c->err;
        /* Once the session was up, deliveries may have arrived: keep it. */
        retire_connection(c, c->remote_begin);
        if (st == FAMQP_CLIENT_ERR_AUTH)
            break; /* the credentials were refused: retrying will not help */
    }
    c->reconnecting = false;
    c->failed = true;
    c->fail_status = FAMQP_CLIENT_ERR_CONNECTION;
    client_copy(c->fail_err.condition, sizeof c->fail_err.condition, last.condition);
    client_copy(c->fail_err.description, sizeof c->fail_err.description, last.description);
    c->fail_err.status = FAMQP_CLIENT_ERR_CONNECTION;
    snprintf(c->fail_err.message, sizeof c->fail_err.message,
             "connection lost (%.300s); reconnecting failed after %u attempt%s: %.300s", lost.message,
             attempt > c->policy.max_attempts ? c->policy.max_attempts : attempt, attempt == 1 ? "" : "s",
             last.message);
    return false;
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
    } else if (c->io) {
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
    /* Kept for reattaching after a reconnect. */
    h->lo = *lo;
    h->lo.source_filter.items = NULL;
    if (!dup_opt(&h->name, name) || !dup_opt(&h->source, lo->source_address) ||
        !dup_opt(&h->target, lo->target_address))
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    h->lo.source_address = h->source;
    h->lo.target_address = h->target;
    if (lo->source_filter.count) {
        h->filter = malloc(lo->source_filter.len ? lo->source_filter.len : 1);
        if (!h->filter)
            return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        memcpy(h->filter, lo->source_filter.items, lo->source_filter.len);
        h->filter_len = lo->source_filter.len;
        h->lo.source_filter.items = h->filter;
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

void client_link_free_options(client_link *h)
{
    free(h->name);
    free(h->source);
    free(h->target);
    free(h->filter);
    h->name = h->source = h->target = NULL;
    h->filter = NULL;
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
