/* An asynchronous connection (famqp/async.h): options, connecting and
 * closing, accessors, and the links' list with their deferred frees (the
 * connection's life on the loop is async_reconnect.c's, its URLs
 * async_targets.c's). */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_internal.h"

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
    case FAMQP_ASYNC_ERR_TIMEOUT: return "FAMQP_ASYNC_ERR_TIMEOUT";
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

void async_conn_free(famqp_async_conn *c)
{
    async_requesters_free(c);
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
    async_cbs_free(c);
    async_targets_free(c);
    free(c->ca_file);
    free(c->server_name);
    free(c->cert_file);
    free(c->key_file);
    famqp_options_copy_free(c->copts_block);
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

/* What sender and receiver opens share: the name (generated unless
 * given), copies of the address and link options (checked), the attach. */
famqp_async_status async_link_open(famqp_async_conn *c, async_link *l, const char *role, const char *name,
                                   const char *address, const famqp_link_options *lo)
{
    char generated[200];
    if (!name) {
        snprintf(generated, sizeof generated, "%s-%s-%u", c->container_id, role, ++c->link_counter);
        name = generated;
    }
    famqp_link_options none;
    if (!lo) {
        famqp_link_options_init(&none);
        lo = &none;
    }
    famqp_engine_status es = famqp_link_options_check(lo, NULL, 0);
    if (es == FAMQP_ENGINE_OK)
        es = famqp_link_options_copy(&l->lo, lo, &l->lo_block);
    if (es == FAMQP_ENGINE_OK && (!async_dup(&l->name, name) || (address && !async_dup(&l->address, address))))
        es = FAMQP_ENGINE_ERR_NOMEM;
    if (es != FAMQP_ENGINE_OK) {
        async_link_free_fields(l);
        free(l);
        return es == FAMQP_ENGINE_ERR_NOMEM ? FAMQP_ASYNC_ERR_NOMEM : FAMQP_ASYNC_ERR_ARG;
    }
    async_link_add(c, l);
    if (async_link_attach(l) != FAMQP_ASYNC_OK) {
        async_link_unlink_free(l);
        return FAMQP_ASYNC_ERR_NOMEM;
    }
    return FAMQP_ASYNC_OK;
}

void async_link_free_fields(async_link *l)
{
    free(l->name);
    free(l->address);
    famqp_options_copy_free(l->lo_block);
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

/* ---- connect and close ---- */

/* Checks and copies everything a connection needs; with a loop, also its
 * timers.  On failure c->msg says why (c is still to be freed). */
static famqp_async_status conn_make(famqp_loop *loop, const char *url, const famqp_async_options *opts,
                                    famqp_async_conn *c)
{
    static atomic_uint counter;
    c->loop = loop;
    famqp_async_status st = async_targets_init(c, url, opts);
    if (st == FAMQP_ASYNC_OK)
        st = async_cbs_init(c, opts);
    if (st == FAMQP_ASYNC_OK &&
        (!async_dup(&c->ca_file, opts->io.tls_ca_file) || !async_dup(&c->server_name, opts->io.tls_server_name) ||
         !async_dup(&c->cert_file, opts->io.tls_cert_file) || !async_dup(&c->key_file, opts->io.tls_key_file)))
        st = async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
    if (st == FAMQP_ASYNC_OK && opts->properties.count && !opts->properties.items)
        st = async_refuse(c, FAMQP_ASYNC_ERR_ARG, "properties: count %u but no bytes",
                          (unsigned)opts->properties.count);
    if (st == FAMQP_ASYNC_OK && loop &&
        (famqp_loop_timer_new(loop, async_on_timer, c, &c->timer) != FAMQP_LOOP_OK ||
         famqp_loop_timer_new(loop, on_kick, c, &c->kick) != FAMQP_LOOP_OK))
        st = async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
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
    co->properties = opts->properties;
    co->offered_capabilities = opts->offered_capabilities;
    co->desired_capabilities = opts->desired_capabilities;
    async_target_use(c, 0);
    char why[256];
    if (famqp_connection_options_check(co, why, sizeof why) != FAMQP_ENGINE_OK)
        return async_refuse(c, FAMQP_ASYNC_ERR_ARG, "%s", why);
    /* Kept for every reconnect, after the application reused its buffers. */
    if (famqp_connection_options_copy(co, co, &c->copts_block) != FAMQP_ENGINE_OK)
        return async_refuse(c, FAMQP_ASYNC_ERR_NOMEM, "out of memory");
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
    famqp_async_status st =
        url ? conn_make(NULL, url, opts, c) : async_refuse(c, FAMQP_ASYNC_ERR_ARG, "no URL given");
    if (why && cap)
        snprintf(why, cap, "%s", st == FAMQP_ASYNC_OK ? "" : c->msg);
    async_conn_free(c);
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
    if (st == FAMQP_ASYNC_OK)
        st = async_cbs_open(c);
    /* The first attempt runs from the loop, so that its outcome (even an
     * unresolvable host) is reported by a callback, never by this call. */
    if (st == FAMQP_ASYNC_OK && famqp_loop_timer_start(c->timer, 0) != FAMQP_LOOP_OK)
        st = FAMQP_ASYNC_ERR_NOMEM;
    if (st != FAMQP_ASYNC_OK) {
        c->msg[0] = 0;
        async_conn_free(c);
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
    async_requesters_close(c);
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
        async_timer_start(c, c->connect_timeout_ms);
    } else {
        async_drop_connection(c);
        c->state = AS_DONE;
        async_timer_start(c, 0);
    }
    async_conn_leave(c);
}
