/* Asynchronous senders (famqp/async.h): every send is held in order until
 * the peer settles it, so it can wait for credit and be sent again after
 * a reconnect (at-least-once); held sends are bounded in messages and
 * bytes.  Entries and their byte buffers are reused, so a steady stream
 * allocates nothing. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_internal.h"

void famqp_async_sender_options_init(famqp_async_sender_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_pending_messages = 10000;
    o->max_pending_bytes = 16 * 1024 * 1024;
}

size_t famqp_async_sender_pending(const famqp_async_sender *s) { return s->pending; }
size_t famqp_async_sender_pending_bytes(const famqp_async_sender *s) { return s->pending_bytes; }
uint64_t famqp_async_sender_resent(const famqp_async_sender *s) { return s->resent; }
const char *famqp_async_sender_condition(const famqp_async_sender *s) { return s->cond; }

famqp_link *famqp_async_sender_link(const famqp_async_sender *s) { return s ? s->base.link : NULL; }

famqp_async_status famqp_async_sender_open(famqp_async_conn *c, const char *address,
                                           const famqp_async_sender_options *opts, famqp_async_sender **out)
{
    if (!out)
        return FAMQP_ASYNC_ERR_ARG;
    *out = NULL;
    if (!c || !address)
        return FAMQP_ASYNC_ERR_ARG; /* a sender's target is never dynamic here */
    if (c->close_called || c->state == AS_FAILED)
        return FAMQP_ASYNC_ERR_STATE;
    famqp_async_sender_options defaults;
    if (!opts) {
        famqp_async_sender_options_init(&defaults);
        opts = &defaults;
    }
    famqp_async_sender *s = calloc(1, sizeof *s);
    if (!s)
        return FAMQP_ASYNC_ERR_NOMEM;
    s->base.kind = ASYNC_SENDER;
    s->presettled = opts->presettled;
    s->max_messages = opts->max_pending_messages;
    s->max_bytes = opts->max_pending_bytes;
    famqp_async_status st = async_link_open(c, &s->base, "sender", opts->name, address, opts->link);
    if (st == FAMQP_ASYNC_OK)
        *out = s;
    return st;
}

static void entry_release(famqp_async_sender *s, send_entry *e)
{
    s->pending--;
    s->pending_bytes -= e->len;
    e->fn = NULL;
    e->d = NULL;
    e->next = s->free_list;
    s->free_list = e;
}

/* Removes e (the head, or found from it: outcomes mostly come in order). */
static void entry_unlink(famqp_async_sender *s, send_entry *e)
{
    send_entry *prev = NULL;
    for (send_entry *q = s->head; q && q != e; q = q->next)
        prev = q;
    if (prev)
        prev->next = e->next;
    else
        s->head = e->next;
    if (s->tail == e)
        s->tail = prev;
    if (s->next_unsent == e)
        s->next_unsent = e->next;
}

static void entry_done(famqp_async_sender *s, send_entry *e, famqp_async_status st, const famqp_outcome *o)
{
    famqp_async_outcome_fn *fn = e->fn;
    void *arg = e->arg;
    entry_unlink(s, e);
    entry_release(s, e);
    if (fn)
        fn(s, st, o, arg);
}

/* Sends held messages while the link has credit. */
void async_sender_pump(famqp_async_sender *s)
{
    famqp_link *link = s->base.link;
    famqp_async_conn *c = s->base.conn;
    bool any = false;
    async_conn_enter(c); /* a callback closing the sender frees it after this */
    while (link && s->next_unsent && famqp_link_credit(link) > 0) {
        send_entry *e = s->next_unsent;
        uint8_t tag[8];
        for (int i = 0; i < 8; i++)
            tag[i] = (uint8_t)(e->tag >> (8 * i));
        famqp_delivery *d = NULL;
        famqp_engine_status es =
            famqp_link_send(link, (famqp_binary){tag, sizeof tag}, e->bytes, e->len, s->presettled, &d);
        if (es != FAMQP_ENGINE_OK)
            break; /* no credit, the unsettled limit, or a failed connection: later */
        any = true;
        s->next_unsent = e->next;
        e->d = d;
        if (e->sent)
            s->resent++;
        e->sent = true;
        if (s->presettled) {
            /* Handed over: nothing more will be heard of it. */
            famqp_outcome none = {.kind = FAMQP_OUTCOME_NONE};
            entry_done(s, e, FAMQP_ASYNC_OK, &none);
            if (s->base.link != link)
                break; /* the callback closed the sender */
        }
    }
    if (any)
        async_conn_flush(c);
    async_conn_leave(c);
}

static famqp_async_status enqueue(famqp_async_sender *s, const famqp_message *m, const void *bytes, size_t len,
                                  famqp_async_outcome_fn *fn, void *arg)
{
    famqp_async_conn *c = s->base.conn;
    if (s->base.closed || s->base.refused || c->close_called || c->state == AS_FAILED)
        return FAMQP_ASYNC_ERR_STATE;
    if (m) {
        len = famqp_message_encode(NULL, 0, m);
        if (!len)
            return FAMQP_ASYNC_ERR_ARG;
    }
    if ((s->max_messages >= 0 && s->pending >= (uint64_t)s->max_messages) ||
        (s->max_bytes >= 0 && s->pending_bytes + len > (uint64_t)s->max_bytes))
        return FAMQP_ASYNC_ERR_FULL;
    send_entry *e = s->free_list;
    if (e) {
        s->free_list = e->next;
    } else {
        e = calloc(1, sizeof *e);
        if (!e)
            return FAMQP_ASYNC_ERR_NOMEM;
    }
    if (e->cap < len) {
        uint8_t *b = realloc(e->bytes, len);
        if (!b) {
            e->next = s->free_list;
            s->free_list = e;
            return FAMQP_ASYNC_ERR_NOMEM;
        }
        e->bytes = b;
        e->cap = len;
    }
    if (m)
        famqp_message_encode(e->bytes, e->cap, m);
    else if (len)
        memcpy(e->bytes, bytes, len);
    e->len = len;
    e->fn = fn;
    e->arg = arg;
    e->d = NULL;
    e->sent = false;
    e->tag = ++s->next_tag;
    e->next = NULL;
    if (s->tail)
        s->tail->next = e;
    else
        s->head = e;
    s->tail = e;
    if (!s->next_unsent)
        s->next_unsent = e;
    s->pending++;
    s->pending_bytes += len;
    /* A pre-settled send is finished once handed over: that (and its
     * callback) happens from the loop, never inside this call. */
    if (s->presettled)
        async_conn_kick(c);
    else
        async_sender_pump(s);
    return FAMQP_ASYNC_OK;
}

famqp_async_status famqp_async_send(famqp_async_sender *s, const famqp_message *m, famqp_async_outcome_fn *fn,
                                    void *arg)
{
    if (!s || !m)
        return FAMQP_ASYNC_ERR_ARG;
    return enqueue(s, m, NULL, 0, fn, arg);
}

famqp_async_status famqp_async_send_bytes(famqp_async_sender *s, const void *bytes, size_t len,
                                          famqp_async_outcome_fn *fn, void *arg)
{
    if (!s || (!bytes && len))
        return FAMQP_ASYNC_ERR_ARG;
    return enqueue(s, NULL, bytes, len, fn, arg);
}

void async_sender_fail_all(famqp_async_sender *s, famqp_async_status st)
{
    s->next_unsent = NULL;
    while (s->head)
        entry_done(s, s->head, st, NULL);
}

void async_sender_event(famqp_async_sender *s, const famqp_event *e)
{
    if (s->base.closed)
        return;
    switch (e->type) {
    case FAMQP_EVENT_LINK_CREDIT:
        async_sender_pump(s);
        break;
    case FAMQP_EVENT_DELIVERY_UPDATED: {
        famqp_delivery *d = e->delivery;
        famqp_outcome o = famqp_delivery_remote_state(d);
        bool terminal = o.kind != FAMQP_OUTCOME_NONE && o.kind != FAMQP_OUTCOME_RECEIVED;
        if (!famqp_delivery_remote_settled(d) && !terminal)
            break;
        send_entry *q = s->head;
        while (q && q->d != d)
            q = q->next;
        if (!famqp_delivery_settled(d))
            famqp_delivery_settle(d);
        if (q)
            entry_done(s, q, FAMQP_ASYNC_OK, &o);
        async_sender_pump(s); /* below max_unsettled_per_link again */
        break;
    }
    case FAMQP_EVENT_LINK_REMOTE_DETACH: {
        famqp_condition cond = e->condition;
        snprintf(s->cond, sizeof s->cond, "%s", cond.name ? cond.name : "");
        s->base.refused = true;
        famqp_link_close(e->link, NULL, NULL);
        famqp_link_set_context(e->link, NULL);
        s->base.link = NULL;
        async_sender_fail_all(s, FAMQP_ASYNC_ERR_REFUSED);
        break;
    }
    default:
        break;
    }
}

void async_sender_drop_sent(famqp_async_sender *s, famqp_async_status st)
{
    for (send_entry *e = s->head, *next; e; e = next) {
        next = e->next;
        if (e->sent)
            entry_done(s, e, st, NULL);
    }
}

/* The connection is gone: everything the peer has not settled is sent
 * again, in order, once the link is attached on the next one. */
void async_sender_lost(famqp_async_sender *s)
{
    for (send_entry *e = s->head; e; e = e->next)
        e->d = NULL;
    s->next_unsent = s->head;
}

void famqp_async_sender_close(famqp_async_sender *s)
{
    if (!s || s->base.closed)
        return;
    famqp_async_conn *c = s->base.conn;
    s->base.closed = true;
    if (s->base.link) {
        famqp_link_set_context(s->base.link, NULL);
        famqp_link_close(s->base.link, NULL, NULL);
        s->base.link = NULL;
        async_conn_flush(c);
    }
    async_conn_enter(c);
    async_sender_fail_all(s, FAMQP_ASYNC_ERR_CLOSED);
    c->closed_links = true;
    async_conn_leave(c);
}

void async_sender_free(famqp_async_sender *s)
{
    for (send_entry *e = s->head, *next; e; e = next) {
        next = e->next;
        free(e->bytes);
        free(e);
    }
    for (send_entry *e = s->free_list, *next; e; e = next) {
        next = e->next;
        free(e->bytes);
        free(e);
    }
    async_link_free_fields(&s->base);
    free(s);
}
