/* An asynchronous connection (famqp/async.h): options and URLs, each
 * connect attempt on a famqp_loop_conn, engine events routed to the
 * links, losing a connection and reconnecting by timer with failover, and
 * closing.  One loop timer serves every wait (attempt, backoff, open and
 * close deadlines, the final free): its meaning is the state's. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_internal.h"

#define COND_UNAUTHORIZED "amqp:unauthorized-access"

const char *famqp_async_status_name(famqp_async_status s)
{
    switch (s) {
    case FAMQP_ASYNC_OK: return "FAMQP_ASYNC_OK";
    case FAMQP_ASYNC_ERR_ARG: return "FAMQP_ASYNC_ERR_ARG";
    case FAMQP_ASYNC_ERR_NOMEM: return "FAMQP_ASYNC_ERR_NOMEM";
    case FAMQP_ASYNC_ERR_FULL: return "FAMQP_ASYNC_ERR_FULL";
    case FAMQP_ASYNC_ERR_STATE: return "FAMQP_ASYNC_ERR_STATE";
    case FAMQP_ASYNC_ERR_CLOSED: return "FAMQP_ASYNC_ERR_CLOSED";
    case FAMQP_ASYNC_ERR_REFUSED: return "FAMQP_ASYNC_ERR_REFUSED";
    case FAMQP_ASYNC_ERR_LOST: return "FAMQP_ASYNC_ERR_LOST";
    }
    return "unknown status";
}

void famqp_async_options_init(famqp_async_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->trace = -1;
    famqp_io_options_init(&o->io);
    o->reconnect.initial_backoff_ms = 100;
    o->reconnect.max_backoff_ms = 5000;
}

bool async_dup(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = strdup(src);
    return *dst != NULL;
}

bool famqp_async_is_open(const famqp_async_conn *c) { return c->state == AS_OPEN; }
size_t famqp_async_url_index(const famqp_async_conn *c) { return c->cur; }
uint64_t famqp_async_reconnects(const famqp_async_conn *c) { return c->reconnects; }
famqp_loop *famqp_async_loop(const famqp_async_conn *c) { return c->loop; }
famqp_connection *famqp_async_connection(const famqp_async_conn *c) { return c->engine; }

/* ---- URLs ---- */

static void show_url(char *out, size_t cap, const famqp_url *u)
{
    snprintf(out, cap, strchr(u->host, ':') ? "%s://%s%s[%s]:%u" : "%s://%s%s%s:%u", u->tls ? "amqps" : "amqp",
             u->user, u->user[0] ? "@" : "", u->host, (unsigned)u->port);
}

/* Why a connect was refused (famqp_async_options_check says it). */
static famqp_async_status refuse(famqp_async_conn *c, famqp_async_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return st;
}

static famqp_async_status target_setup(famqp_async_conn *c, size_t i, const char *user, const char *password,
                                       const famqp_async_options *o)
{
    async_target *t = &c->targets[i];
    if (!async_dup(&t->user, user) || !async_dup(&t->password, password))
        return refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (o->sasl_mechanisms == FAMQP_ASYNC_NO_SASL)
        t->sasl_mechanisms = 0;
    else if (o->sasl_mechanisms)
        t->sasl_mechanisms = o->sasl_mechanisms;
    else
        t->sasl_mechanisms = user ? FAMQP_SASL_PLAIN : FAMQP_SASL_ANONYMOUS;
    show_url(t->shown, sizeof t->shown, &t->url);
    /* PLAIN puts the password on the wire as it is: only inside TLS, or
     * when the application says so (as the blocking client). */
    if ((t->sasl_mechanisms & FAMQP_SASL_PLAIN) && !t->url.tls && !o->allow_plain_insecure)
        return refuse(c, FAMQP_ASYNC_ERR_ARG,
                      "%s: refusing SASL PLAIN over unencrypted amqp://: the password would cross the network in "
                      "clear text; use amqps://, or set allow_plain_insecure",
                      i ? "a failover URL" : "the URL");
    return FAMQP_ASYNC_OK;
}

static famqp_async_status targets_init(famqp_async_conn *c, const char *url, const famqp_async_options *o)
{
    const famqp_async_reconnect *p = &o->reconnect;
    size_t extra = p->failover_url_count;
    if (extra && !p->failover_urls)
        return refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_url_count is %zu but failover_urls is NULL", extra);
    if (extra > FAMQP_ASYNC_MAX_FAILOVER_URLS)
        return refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls: %zu given, at most %d", extra,
                      FAMQP_ASYNC_MAX_FAILOVER_URLS);
    if (extra && !p->max_attempts)
        return refuse(c, FAMQP_ASYNC_ERR_ARG,
                      "reconnect.failover_urls given but reconnect.max_attempts is 0: failover happens when "
                      "reconnecting");
    c->targets = calloc(1 + extra, sizeof *c->targets);
    if (!c->targets)
        return refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    c->ntargets = 1 + extra;
    famqp_io_error err;
    async_target *first = &c->targets[0];
    if (!famqp_url_parse(url, &first->url, &err))
        return refuse(c, FAMQP_ASYNC_ERR_ARG, "%s", err.message);
    const char *user = o->user ? o->user : (first->url.user[0] ? first->url.user : NULL);
    const char *password = o->password ? o->password : first->url.password;
    famqp_async_status st = target_setup(c, 0, user, password, o);
    for (size_t i = 1; i <= extra && st == FAMQP_ASYNC_OK; i++) {
        async_target *t = &c->targets[i];
        if (!p->failover_urls[i - 1])
            return refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls[%zu] is NULL", i - 1);
        if (!famqp_url_parse(p->failover_urls[i - 1], &t->url, &err))
            return refuse(c, FAMQP_ASYNC_ERR_ARG, "reconnect.failover_urls[%zu]: %s", i - 1, err.message);
        st = t->url.user[0] ? target_setup(c, i, t->url.user, t->url.password, o)
                            : target_setup(c, i, user, password, o);
    }
    return st;
}

static void target_use(famqp_async_conn *c, size_t i)
{
    async_target *t = &c->targets[i];
    c->cur = i;
    c->copts.hostname = t->url.host;
    c->copts.sasl_username = t->user;
    c->copts.sasl_password = t->password;
    c->copts.sasl_mechanisms = t->sasl_mechanisms;
}

static void wipe(char *s)
{
    for (volatile char *q = s; q && *q; q++)
        *q = 0;
}

static void conn_free(famqp_async_conn *c)
{
    while (c->links) {
        async_link *l = c->links;
        c->links = l->next;
        if (l->kind == ASYNC_SENDER)
            async_sender_free((famqp_async_sender *)l);
        else
            async_receiver_free((famqp_async_receiver *)l);
    }
    famqp_loop_conn_free(c->lc);
    famqp_loop_timer_free(c->timer);
    famqp_loop_timer_free(c->kick);
    for (size_t i = 0; c->targets && i < c->ntargets; i++) {
        free(c->targets[i].user);
        wipe(c->targets[i].password);
        free(c->targets[i].password);
        wipe(c->targets[i].url.password);
    }
    free(c->targets);
    free(c->ca_file);
    free(c->server_name);
    free(c->cert_file);
    free(c->key_file);
    free(c->props);
    free(c);
}

/* ---- callbacks and deferred frees ---- */

void async_conn_enter(famqp_async_conn *c) { c->busy++; }

/* Links closed during callbacks are freed once no callback runs. */
void async_conn_leave(famqp_async_conn *c)
{
    if (--c->busy > 0 || !c->closed_links)
        return;
    c->closed_links = false;
    for (async_link *l = c->links, *next; l; l = next) {
        next = l->next;
        if (l->closed)
            async_link_unlink_free(l);
    }
}

void async_link_add(famqp_async_conn *c, async_link *l)
{
    l->conn = c;
    l->next = c->links;
    if (c->links)
        c->links->prev = l;
    c->links = l;
}

void async_link_unlink_free(async_link *l)
{
    famqp_async_conn *c = l->conn;
    if (l->prev)
        l->prev->next = l->next;
    else
        c->links = l->next;
    if (l->next)
        l->next->prev = l->prev;
    if (l->kind == ASYNC_SENDER)
        async_sender_free((famqp_async_sender *)l);
    else
        async_receiver_free((famqp_async_receiver *)l);
}

void async_conn_kick(famqp_async_conn *c)
{
    if (!famqp_loop_timer_active(c->kick))
        famqp_loop_timer_start(c->kick, 0); /* on failure the next credit event sends */
}

static void on_kick(famqp_loop_timer *t, void *arg)
{
    (void)t;
    famqp_async_conn *c = arg;
    async_conn_enter(c);
    for (async_link *l = c->links; l; l = l->next)
        if (l->kind == ASYNC_SENDER && !l->closed)
            async_sender_pump((famqp_async_sender *)l);
    async_conn_leave(c);
}

void async_conn_flush(famqp_async_conn *c)
{
    if (c->lc)
        famqp_loop_conn_flush(c->lc);
}

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
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    famqp_link_role role;
    if (l->kind == ASYNC_SENDER) {
        famqp_async_sender *s = (famqp_async_sender *)l;
        role = FAMQP_LINK_SENDER;
        lo.target_address = l->address;
        lo.snd_settle_mode = s->presettled ? FAMQP_SENDER_SETTLE_MODE_SETTLED : FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    } else {
        famqp_async_receiver *r = (famqp_async_receiver *)l;
        role = FAMQP_LINK_RECEIVER;
        lo.source_address = l->address;
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

static void timer_start(famqp_async_conn *c, int ms)
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
    async_target *t = &c->targets[c->cur];
    target_use(c, c->cur);
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
    timer_start(c, c->connect_timeout_ms);
}

/* The connection (or attempt) is over: let go of it. */
static void drop_connection(famqp_async_conn *c)
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
        timer_start(c, (int)wait);
}

static void attempt_failed(famqp_async_conn *c)
{
    drop_connection(c);
    if (c->state == AS_CLOSING || c->state == AS_DONE) {
        c->state = AS_DONE;
        timer_start(c, 0);
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

static void on_timer(famqp_loop_timer *t, void *arg)
{
    (void)t;
    famqp_async_conn *c = arg;
    async_conn_enter(c);
    switch (c->state) {
    case AS_START:
        attempt(c);
        break;
    case AS_OPENING:
        set_failure(c, NULL, NULL, "timed out connecting to %s after %d ms", c->targets[c->cur].shown,
                    c->connect_timeout_ms);
        attempt_failed(c);
        break;
    case AS_CLOSING: /* the peer did not answer our close in time */
        drop_connection(c);
        c->state = AS_DONE;
        timer_start(c, 0);
        break;
    case AS_DONE:
        if (c->on_event) {
            c->msg[0] = 0;
            emit(c, FAMQP_ASYNC_CLOSED, NULL, NULL, NULL);
        }
        if (c->on_closed)
            c->on_closed(c, c->closed_arg);
        c->busy = 0;
        conn_free(c);
        return;
    default:
        break;
    }
    async_conn_leave(c);
}

/* ---- connect and close ---- */

/* Checks and copies everything a connection needs; with a loop, also its
 * timers.  On failure c->msg says why (c is still to be freed). */
static famqp_async_status conn_make(famqp_loop *loop, const char *url, const famqp_async_options *opts,
                                    famqp_async_conn *c)
{
    static atomic_uint counter;
    c->loop = loop;
    famqp_async_status st = targets_init(c, url, opts);
    if (st == FAMQP_ASYNC_OK &&
        (!async_dup(&c->ca_file, opts->io.tls_ca_file) || !async_dup(&c->server_name, opts->io.tls_server_name) ||
         !async_dup(&c->cert_file, opts->io.tls_cert_file) || !async_dup(&c->key_file, opts->io.tls_key_file)))
        st = refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (st == FAMQP_ASYNC_OK && opts->properties.count && !opts->properties.items)
        st = refuse(c, FAMQP_ASYNC_ERR_ARG, "properties: count %u but no bytes", (unsigned)opts->properties.count);
    if (st == FAMQP_ASYNC_OK && opts->properties.count) {
        c->props = malloc(opts->properties.len ? opts->properties.len : 1);
        if (!c->props)
            st = refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
        else
            memcpy(c->props, opts->properties.items, opts->properties.len);
    }
    if (st == FAMQP_ASYNC_OK && loop &&
        (famqp_loop_timer_new(loop, on_timer, c, &c->timer) != FAMQP_LOOP_OK ||
         famqp_loop_timer_new(loop, on_kick, c, &c->kick) != FAMQP_LOOP_OK))
        st = refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (st != FAMQP_ASYNC_OK)
        return st;
    if (opts->container_id)
        snprintf(c->container_id, sizeof c->container_id, "%s", opts->container_id);
    else
        snprintf(c->container_id, sizeof c->container_id, "famqp-async-%ld-%u", (long)getpid(),
                 atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed) + 1);
    famqp_connection_options *co = &c->copts;
    famqp_connection_options_init(co);
    co->container_id = c->container_id;
    co->trace = opts->trace;
    co->idle_timeout_ms = opts->idle_timeout_ms;
    if (opts->max_frame_size)
        co->max_frame_size = opts->max_frame_size;
    if (c->props) {
        co->properties = opts->properties;
        co->properties.items = c->props;
    }
    target_use(c, 0);
    char why[256];
    if (famqp_connection_options_check(co, why, sizeof why) != FAMQP_ENGINE_OK)
        return refuse(c, FAMQP_ASYNC_ERR_ARG, "%s", why);
    c->iopts = opts->io;
    c->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
    c->iopts.connect_timeout_ms = c->connect_timeout_ms;
    c->iopts.tls_ca_file = c->ca_file;
    c->iopts.tls_server_name = c->server_name;
    c->iopts.tls_cert_file = c->cert_file;
    c->iopts.tls_key_file = c->key_file;
    c->policy = opts->reconnect;
    c->policy.failover_urls = NULL; /* the caller's: copied into c->targets */
    c->policy.failover_url_count = 0;
    if (!c->policy.initial_backoff_ms)
        c->policy.initial_backoff_ms = 1;
    if (c->policy.max_backoff_ms < c->policy.initial_backoff_ms)
        c->policy.max_backoff_ms = c->policy.initial_backoff_ms;
    c->on_event = opts->on_event;
    c->on_event_arg = opts->on_event_arg;
    c->state = AS_START;
    return FAMQP_ASYNC_OK;
}

famqp_async_status famqp_async_options_check(const char *url, const famqp_async_options *opts, char *why,
                                             size_t cap)
{
    famqp_async_options defaults;
    if (!opts) {
        famqp_async_options_init(&defaults);
        opts = &defaults;
    }
    famqp_async_conn *c = calloc(1, sizeof *c);
    if (!c) {
        if (why && cap)
            snprintf(why, cap, "out of memory");
        return FAMQP_ASYNC_ERR_NOMEM;
    }
    famqp_async_status st = url ? conn_make(NULL, url, opts, c) : refuse(c, FAMQP_ASYNC_ERR_ARG, "no URL given");
    if (why && cap)
        snprintf(why, cap, "%s", st == FAMQP_ASYNC_OK ? "" : c->msg);
    conn_free(c);
    return st;
}

famqp_async_status famqp_async_connect(famqp_loop *loop, const char *url, const famqp_async_options *opts,
                                       famqp_async_conn **out)
{
    if (!out)
        return FAMQP_ASYNC_ERR_ARG;
    *out = NULL;
    if (!loop || !url)
        return FAMQP_ASYNC_ERR_ARG;
    famqp_async_options defaults;
    if (!opts) {
        famqp_async_options_init(&defaults);
        opts = &defaults;
    }
    famqp_async_conn *c = calloc(1, sizeof *c);
    if (!c)
        return FAMQP_ASYNC_ERR_NOMEM;
    famqp_async_status st = conn_make(loop, url, opts, c);
    /* The first attempt runs from the loop, so that its outcome (even an
     * unresolvable host) is reported by a callback, never by this call. */
    if (st == FAMQP_ASYNC_OK && famqp_loop_timer_start(c->timer, 0) != FAMQP_LOOP_OK)
        st = FAMQP_ASYNC_ERR_NOMEM;
    if (st != FAMQP_ASYNC_OK) {
        c->msg[0] = 0;
        conn_free(c);
        return st;
    }
    c->msg[0] = 0;
    *out = c;
    return FAMQP_ASYNC_OK;
}

void famqp_async_close(famqp_async_conn *c, famqp_async_closed_fn *on_closed, void *arg)
{
    /* Once: the send callbacks it makes may call it again. */
    if (!c || c->close_called)
        return;
    c->close_called = true;
    c->on_closed = on_closed;
    c->closed_arg = arg;
    bool failed = c->state == AS_FAILED;
    if (failed)
        c->on_event = NULL; /* CLOSED was reported when it failed */
    async_conn_enter(c);
    for (async_link *l = c->links; l; l = l->next) {
        if (l->kind == ASYNC_SENDER)
            famqp_async_sender_close((famqp_async_sender *)l);
        else
            famqp_async_receiver_close((famqp_async_receiver *)l);
    }
    if (c->lc && c->engine && !famqp_connection_failed(c->engine)) {
        c->state = AS_CLOSING;
        if (c->session)
            famqp_session_close(c->session, NULL, NULL);
        famqp_connection_close(c->engine, NULL, NULL);
        async_conn_flush(c);
        timer_start(c, c->connect_timeout_ms);
    } else {
        drop_connection(c);
        c->state = AS_DONE;
        timer_start(c, 0);
    }
    async_conn_leave(c);
}
