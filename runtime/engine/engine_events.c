/* The event queue and the lifetime of sessions, links and deliveries.
 *
 * Queued events hold references on the objects they name, and children
 * hold references on their parents (delivery -> link -> session), so an
 * object closed in both directions ("dead") is freed only when nothing
 * names it any more.  famqp_connection_free frees everything. */
#include <string.h>

#include "engine_internal.h"

#define ENG_POOL_MAX_BUFFER 65536u

const char *famqp_event_type_name(famqp_event_type t)
{
    static const char *const names[FAMQP_EVENT_COUNT] = {
        [FAMQP_EVENT_NONE] = "none",
        [FAMQP_EVENT_SASL_DONE] = "sasl-done",
        [FAMQP_EVENT_CONNECTION_LOCAL_OPEN] = "connection-local-open",
        [FAMQP_EVENT_CONNECTION_REMOTE_OPEN] = "connection-remote-open",
        [FAMQP_EVENT_CONNECTION_LOCAL_CLOSE] = "connection-local-close",
        [FAMQP_EVENT_CONNECTION_REMOTE_CLOSE] = "connection-remote-close",
        [FAMQP_EVENT_CONNECTION_ERROR] = "connection-error",
        [FAMQP_EVENT_SESSION_LOCAL_BEGIN] = "session-local-begin",
        [FAMQP_EVENT_SESSION_REMOTE_BEGIN] = "session-remote-begin",
        [FAMQP_EVENT_SESSION_LOCAL_END] = "session-local-end",
        [FAMQP_EVENT_SESSION_REMOTE_END] = "session-remote-end",
        [FAMQP_EVENT_LINK_LOCAL_ATTACH] = "link-local-attach",
        [FAMQP_EVENT_LINK_REMOTE_ATTACH] = "link-remote-attach",
        [FAMQP_EVENT_LINK_LOCAL_DETACH] = "link-local-detach",
        [FAMQP_EVENT_LINK_REMOTE_DETACH] = "link-remote-detach",
        [FAMQP_EVENT_LINK_CREDIT] = "link-credit",
        [FAMQP_EVENT_LINK_FLOW] = "link-flow",
        [FAMQP_EVENT_DELIVERY] = "delivery",
        [FAMQP_EVENT_DELIVERY_ABORTED] = "delivery-aborted",
        [FAMQP_EVENT_DELIVERY_UPDATED] = "delivery-updated",
    };
    return (unsigned)t < FAMQP_EVENT_COUNT && names[t] ? names[t] : "unknown";
}

/* ---- references ------------------------------------------------------- */

void eng_delivery_complete(famqp_delivery *d)
{
    d->link->session->conn->incoming_bytes -= d->partial;
    d->partial = 0;
}

void eng_delivery_free(famqp_delivery *d)
{
    famqp_link *l = d->link;
    famqp_connection *c = l->session->conn;
    eng_delivery_complete(d); /* an incomplete one that is dropped */
    if (d->in_list)
        eng_delivery_unlink(d);
    if (l->incoming == d)
        l->incoming = NULL;
    eng_cond_free(c, &d->remote_err);
    if (d->cap > ENG_POOL_MAX_BUFFER) { /* do not hoard big buffers */
        eng_free(c, d->data);
        d->data = NULL;
        d->cap = 0;
    }
    size_t bytes = sizeof *d + d->cap;
    if (c->destroying || c->pool_bytes + bytes > c->opts.delivery_pool_bytes) {
        eng_free(c, d->data);
        eng_free(c, d);
    } else {
        d->pool_next = c->pool;
        c->pool = d;
        c->pool_bytes += bytes;
    }
    if (!c->destroying)
        eng_link_unref(l);
}

void eng_delivery_pool_free(famqp_connection *c)
{
    while (c->pool) {
        famqp_delivery *d = c->pool;
        c->pool = d->pool_next;
        eng_free(c, d->data);
        eng_free(c, d);
    }
    c->pool_bytes = 0;
}

void eng_delivery_unref(famqp_delivery *d)
{
    if (d->refs)
        d->refs--;
    if (d->dead && d->refs == 0 && !d->link->session->conn->destroying)
        eng_delivery_free(d);
}

/* Connection teardown only: frees the deliveries that only the send queue
 * reaches and empties the queue. */
static void eng_link_drop_sendq(famqp_link *l)
{
    famqp_delivery *d = l->sendq_head;
    while (d) {
        famqp_delivery *n = d->qnext;
        d->queued = false;
        if (!d->in_list)
            eng_delivery_free(d);
        d = n;
    }
    l->sendq_head = NULL;
    l->sendq_tail = NULL;
}

void eng_link_free(famqp_link *l)
{
    famqp_session *s = l->session;
    famqp_connection *c = s->conn;
    if (c->destroying) {
        /* Deliveries are reachable from the link only (sendq, incoming) or
         * from the session lists (freed by the session). */
        eng_link_drop_sendq(l);
        if (l->incoming)
            eng_delivery_free(l->incoming);
    }
    if (l->prev)
        l->prev->next = l->next;
    else
        s->links_head = l->next;
    if (l->next)
        l->next->prev = l->prev;
    else
        s->links_tail = l->prev;
    if (l->handle < s->nlocal && s->local_links[l->handle] == l)
        s->local_links[l->handle] = NULL;
    if (l->has_remote_handle && l->remote_handle < s->nremote && s->remote_links[l->remote_handle] == l)
        s->remote_links[l->remote_handle] = NULL;
    eng_free(c, l->name);
    eng_link_options_free(l);
    eng_map_free(c, &l->remote_props);
    eng_syms_free(c, &l->remote_offered);
    eng_syms_free(c, &l->remote_desired);
    eng_terminus_free(c, &l->remote_src);
    eng_terminus_free(c, &l->remote_tgt);
    eng_free(c, l->remote_source);
    eng_free(c, l->remote_target);
    eng_cond_free(c, &l->remote_cond);
    eng_free(c, l);
    if (!c->destroying)
        eng_session_unref(s);
}

void eng_link_unref(famqp_link *l)
{
    if (l->refs)
        l->refs--;
    if (l->dead && l->refs == 0 && !l->session->conn->destroying)
        eng_link_free(l);
}

void eng_session_free(famqp_session *s)
{
    famqp_connection *c = s->conn;
    if (c->destroying) {
        /* A delivery may be both on a link's send queue and on the session's
         * unsettled list: drop the queue-only ones first, while every queue
         * link is still valid, then the lists, then the links. */
        for (famqp_link *l = s->links_head; l; l = l->next)
            eng_link_drop_sendq(l);
        while (s->out_head)
            eng_delivery_free(s->out_head);
        while (s->in_head)
            eng_delivery_free(s->in_head);
        while (s->links_head)
            eng_link_free(s->links_head);
    }
    if (s->prev)
        s->prev->next = s->next;
    else
        c->sessions_head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        c->sessions_tail = s->prev;
    if (s->channel < c->nlocal && c->local_sessions[s->channel] == s)
        c->local_sessions[s->channel] = NULL;
    if (s->has_remote_channel && s->remote_channel < c->nremote && c->remote_sessions[s->remote_channel] == s)
        c->remote_sessions[s->remote_channel] = NULL;
    eng_free(c, s->local_links);
    eng_free(c, s->remote_links);
    eng_cond_free(c, &s->remote_cond);
    eng_free(c, s);
}

void eng_session_unref(famqp_session *s)
{
    if (s->refs)
        s->refs--;
    if (s->dead && s->refs == 0 && !s->conn->destroying)
        eng_session_free(s);
}

/* ---- the queue ---------------------------------------------------------- */

static void event_ref(famqp_event *e)
{
    if (e->session)
        e->session->refs++;
    if (e->link)
        e->link->refs++;
    if (e->link && e->type == FAMQP_EVENT_LINK_CREDIT)
        e->link->credit_events++;
    if (e->delivery)
        e->delivery->refs++;
}

static void event_unref(famqp_event *e)
{
    /* Children first: freeing a delivery may drop its link's last ref. */
    if (e->delivery)
        eng_delivery_unref(e->delivery);
    if (e->link && e->type == FAMQP_EVENT_LINK_CREDIT && e->link->credit_events)
        e->link->credit_events--;
    if (e->link)
        eng_link_unref(e->link);
    if (e->session)
        eng_session_unref(e->session);
}

void eng_event(famqp_connection *c, famqp_event_type t, famqp_session *s, famqp_link *l, famqp_delivery *d,
               famqp_condition cond)
{
    if (c->ev_count == c->ev_cap) {
        size_t cap = c->ev_cap ? c->ev_cap * 2 : 16;
        famqp_event *ev = eng_alloc(c, cap * sizeof *ev);
        if (!ev)
            return;
        for (size_t i = 0; i < c->ev_count; i++)
            ev[i] = c->events[(c->ev_head + i) % c->ev_cap];
        eng_free(c, c->events);
        c->events = ev;
        c->ev_cap = cap;
        c->ev_head = 0;
    }
    famqp_event *e = &c->events[(c->ev_head + c->ev_count) % c->ev_cap];
    e->type = t;
    e->connection = c;
    e->session = s;
    e->link = l;
    e->delivery = d;
    e->condition = cond;
    event_ref(e);
    c->ev_count++;
}

const famqp_event *famqp_connection_next_event(famqp_connection *c)
{
    if (c->has_current) {
        c->has_current = false;
        event_unref(&c->current);
    }
    if (c->ev_count) {
        c->current = c->events[c->ev_head];
        c->ev_head = (c->ev_head + 1) % c->ev_cap;
        c->ev_count--;
        c->has_current = true;
        return &c->current;
    }
    /* The failure comes last, after everything that happened before it. */
    if (c->failed && !c->fail_reported) {
        c->fail_reported = true;
        memset(&c->current, 0, sizeof c->current);
        c->current.type = FAMQP_EVENT_CONNECTION_ERROR;
        c->current.connection = c;
        c->current.condition.name = c->fail_name;
        c->current.condition.description = c->fail_desc;
        return &c->current;
    }
    return NULL;
}

void eng_events_free(famqp_connection *c)
{
    if (c->has_current) {
        c->has_current = false;
        event_unref(&c->current);
    }
    while (c->ev_count) {
        famqp_event *e = &c->events[c->ev_head];
        c->ev_head = (c->ev_head + 1) % c->ev_cap;
        c->ev_count--;
        event_unref(e);
    }
    eng_free(c, c->events);
    c->events = NULL;
    c->ev_cap = 0;
}
