/* Asynchronous receivers (famqp/async.h): each message goes to
 * on_message as a famqp_async_delivery, a handle from the receiver's pool
 * that outlives its connection: after a reconnect a held handle no longer
 * points into the lost connection (settling it reports ERR_LOST), so the
 * application never holds a dangling delivery. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_internal.h"

void famqp_async_receiver_options_init(famqp_async_receiver_options *o)
{
    memset(o, 0, sizeof *o);
    o->credit_window = 100;
    o->auto_accept = true;
}

uint64_t famqp_async_receiver_received(const famqp_async_receiver *r) { return r->received; }

famqp_link *famqp_async_receiver_link(const famqp_async_receiver *r) { return r ? r->base.link : NULL; }

const char *famqp_async_receiver_address(const famqp_async_receiver *r)
{
    if (!r)
        return NULL;
    if (r->base.lo.dynamic) /* the node the peer made on this connection */
        return r->base.link ? famqp_link_remote_source_address(r->base.link) : NULL;
    return r->base.address;
}

famqp_async_status famqp_async_receiver_open(famqp_async_conn *c, const char *address,
                                             const famqp_async_receiver_options *opts,
                                             famqp_async_message_fn *on_message, void *arg,
                                             famqp_async_receiver **out)
{
    return async_receiver_make(c, address, NULL, opts, on_message, arg, out);
}

famqp_async_status async_receiver_make(famqp_async_conn *c, const char *address, const char *target,
                                       const famqp_async_receiver_options *opts, famqp_async_message_fn *on_message,
                                       void *arg, famqp_async_receiver **out)
{
    if (!out)
        return FAMQP_ASYNC_ERR_ARG;
    *out = NULL;
    if (!c || !on_message || (!address && !(opts && opts->link && opts->link->dynamic)))
        return FAMQP_ASYNC_ERR_ARG;
    if (c->close_called || c->state == AS_FAILED)
        return FAMQP_ASYNC_ERR_STATE;
    famqp_async_receiver_options defaults;
    if (!opts) {
        famqp_async_receiver_options_init(&defaults);
        opts = &defaults;
    }
    famqp_async_receiver *r = calloc(1, sizeof *r);
    if (!r)
        return FAMQP_ASYNC_ERR_NOMEM;
    r->base.kind = ASYNC_RECEIVER;
    r->fn = on_message;
    r->arg = arg;
    r->window = opts->credit_window;
    r->auto_accept = opts->auto_accept;
    famqp_link_options with_target;
    const famqp_link_options *lo = opts->link;
    if (target) { /* a requester's reply-to: the application's options, with this target */
        if (lo)
            with_target = *lo;
        else
            famqp_link_options_init(&with_target);
        with_target.target_address = target;
        lo = &with_target;
    }
    famqp_async_status st = async_link_open(c, &r->base, "receiver", opts->name, address, lo);
    if (st == FAMQP_ASYNC_OK)
        *out = r;
    return st;
}

famqp_async_status famqp_async_receiver_set_credit(famqp_async_receiver *r, uint32_t credit)
{
    if (!r)
        return FAMQP_ASYNC_ERR_ARG;
    if (r->window || r->base.closed)
        return FAMQP_ASYNC_ERR_STATE;
    r->credit_left = credit;
    if (r->base.link) {
        famqp_link_set_credit(r->base.link, credit);
        async_conn_flush(r->base.conn);
    }
    return FAMQP_ASYNC_OK;
}

void async_receiver_attached(famqp_async_receiver *r)
{
    if (!r->window && r->credit_left)
        famqp_link_set_credit(r->base.link, r->credit_left);
}

static void held_remove(famqp_async_receiver *r, famqp_async_delivery *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        r->held = h->next;
    if (h->next)
        h->next->prev = h->prev;
    h->prev = NULL;
    h->next = r->free_list;
    r->free_list = h;
}

static void deliver(famqp_async_receiver *r, famqp_delivery *d)
{
    famqp_async_delivery *h = r->free_list;
    if (h) {
        r->free_list = h->next;
    } else {
        h = calloc(1, sizeof *h);
        if (!h) {
            famqp_delivery_release(d); /* delivered again later rather than lost */
            return;
        }
        h->r = r;
    }
    r->received++;
    if (!r->window && r->credit_left)
        r->credit_left--;
    h->d = d;
    h->prev = NULL;
    h->next = r->held;
    if (r->held)
        r->held->prev = h;
    r->held = h;
    h->in_callback = true;
    r->fn(r, h, r->arg);
    if (r->base.closed)
        return; /* the close released it */
    h->in_callback = false;
    if (h->d) { /* not settled by the callback */
        if (!r->auto_accept)
            return;
        famqp_delivery_accept(h->d);
        h->d = NULL;
    }
    held_remove(r, h);
}

void async_receiver_event(famqp_async_receiver *r, const famqp_event *e)
{
    if (r->base.closed)
        return;
    switch (e->type) {
    case FAMQP_EVENT_DELIVERY:
        deliver(r, e->delivery);
        break;
    case FAMQP_EVENT_DELIVERY_ABORTED:
        famqp_delivery_settle(e->delivery);
        break;
    case FAMQP_EVENT_LINK_REMOTE_DETACH:
        r->base.refused = true;
        famqp_link_close(e->link, NULL, NULL);
        famqp_link_set_context(e->link, NULL);
        r->base.link = NULL;
        break;
    default:
        break;
    }
}

/* The connection is gone with its deliveries: held handles stay valid
 * but point nowhere (the peer delivers those messages again). */
void async_receiver_lost(famqp_async_receiver *r)
{
    for (famqp_async_delivery *h = r->held; h; h = h->next)
        h->d = NULL;
}

static famqp_async_status settle(famqp_async_delivery *h, famqp_outcome_kind how, const char *cond,
                                 const char *desc)
{
    if (!h)
        return FAMQP_ASYNC_ERR_ARG;
    famqp_async_receiver *r = h->r;
    famqp_async_status st = FAMQP_ASYNC_OK;
    if (!h->d) {
        st = FAMQP_ASYNC_ERR_LOST;
    } else {
        if (how == FAMQP_OUTCOME_ACCEPTED)
            famqp_delivery_accept(h->d);
        else if (how == FAMQP_OUTCOME_RELEASED)
            famqp_delivery_release(h->d);
        else
            famqp_delivery_reject(h->d, cond ? cond : "amqp:internal-error", desc);
        h->d = NULL;
        async_conn_flush(r->base.conn);
    }
    if (!h->in_callback) /* else deliver() takes it back */
        held_remove(r, h);
    return st;
}

famqp_async_status famqp_async_accept(famqp_async_delivery *d)
{
    return settle(d, FAMQP_OUTCOME_ACCEPTED, NULL, NULL);
}

famqp_async_status famqp_async_release(famqp_async_delivery *d)
{
    return settle(d, FAMQP_OUTCOME_RELEASED, NULL, NULL);
}

famqp_async_status famqp_async_reject(famqp_async_delivery *d, const char *condition, const char *description)
{
    return settle(d, FAMQP_OUTCOME_REJECTED, condition, description);
}

famqp_binary famqp_async_delivery_bytes(const famqp_async_delivery *d)
{
    if (!d || !d->d)
        return (famqp_binary){0};
    return famqp_delivery_message(d->d);
}

famqp_status famqp_async_delivery_read(const famqp_async_delivery *d, famqp_message *m, famqp_error *err)
{
    if (!d || !d->d) {
        famqp_message_init(m);
        return FAMQP_ERR_INVALID_VALUE;
    }
    return famqp_delivery_read_message(d->d, m, err);
}

famqp_async_receiver *famqp_async_delivery_receiver(const famqp_async_delivery *d) { return d->r; }

void famqp_async_receiver_close(famqp_async_receiver *r)
{
    if (!r || r->base.closed)
        return;
    famqp_async_conn *c = r->base.conn;
    r->base.closed = true;
    while (r->held) {
        famqp_async_delivery *h = r->held;
        if (h->d)
            famqp_delivery_release(h->d);
        h->d = NULL;
        held_remove(r, h);
    }
    if (r->base.link) {
        famqp_link_set_context(r->base.link, NULL);
        famqp_link_close(r->base.link, NULL, NULL);
        r->base.link = NULL;
        async_conn_flush(c);
    }
    async_conn_enter(c);
    c->closed_links = true;
    async_conn_leave(c);
}

void async_receiver_free(famqp_async_receiver *r)
{
    for (famqp_async_delivery *h = r->held, *next; h; h = next) {
        next = h->next;
        free(h);
    }
    for (famqp_async_delivery *h = r->free_list, *next; h; h = next) {
        next = h->next;
        free(h);
    }
    async_link_free_fields(&r->base);
    free(r);
}
