/* The blocking client's receivers: credit, the queue of received
 * deliveries, filters, drain, and what a receiver does for the connection
 * (receiver_ops). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

struct famqp_receiver {
    client_link base;
    /* ring of received deliveries not yet handed out */
    famqp_delivery **ring;
    size_t ring_cap, head, count;
    char *address; /* asked for, or the dynamic node's */
    uint32_t credit_window;
    uint32_t regrant; /* manual credit left when the connection was lost */
    uint64_t received; /* deliveries queued so far (counts arrivals during a drain) */
    bool draining;     /* inside famqp_receiver_drain: no automatic credit */
    /* famqp_receiver_settle in rcv-settle-mode second: the delivery whose
     * settling disposition it waits for, and what that said. */
    famqp_delivery *watch;
    bool watch_settled;
    famqp_outcome watch_state;
    char watch_cond[128], watch_desc[512];
    /* Deliveries whose settle wait timed out: settled here once the peer
     * settles them (rcv-settle-mode second). */
    famqp_delivery **given_up;
    size_t ngiven_up, given_up_cap;
};

static const client_link_ops receiver_ops;

void famqp_receiver_options_init(famqp_receiver_options *o)
{
    memset(o, 0, sizeof *o);
    o->rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_FIRST;
    o->snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_MIXED;
    o->credit_window = 100;
    o->attach_timeout_ms = 10000;
}

/* filter-set {"selector": apache.org:selector-filter:string "..."} */
static size_t selector_filter(uint8_t *buf, size_t cap, const char *selector)
{
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "selector");
    famqp_write_described(&w);
    famqp_write_ulong(&w, FAMQP_SELECTOR_FILTER_CODE);
    famqp_write_cstring(&w, selector);
    famqp_write_map_end(&w);
    return famqp_writer_status(&w) == FAMQP_OK ? famqp_writer_len(&w) : 0;
}

famqp_client_status famqp_receiver_open(famqp_client *c, const char *address, const famqp_receiver_options *opts,
                                        famqp_receiver **out)
{
    *out = NULL;
    famqp_receiver_options defaults;
    if (!opts) {
        famqp_receiver_options_init(&defaults);
        opts = &defaults;
    }
    if (!address && !opts->dynamic)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "a receiver needs an address or dynamic");
    famqp_client_status cst = client_cbs_authorize(c, opts->dynamic ? NULL : address);
    if (cst != FAMQP_CLIENT_OK)
        return cst;
    famqp_receiver *r = client_link_alloc(c, sizeof *r, &receiver_ops);
    if (!r)
        return FAMQP_CLIENT_ERR_NOMEM;
    r->credit_window = opts->credit_window;
    famqp_link_options lo;
    client_link_options(&lo, opts->dynamic ? NULL : address, opts->snd_settle_mode, opts->rcv_settle_mode,
                        opts->durable, &opts->link);
    /* The client grants credit itself as the application takes messages
     * (receiver_credit), so a slow application holds at most credit_window
     * undelivered messages instead of whatever the peer can send. */
    lo.credit_window = 0;
    lo.dynamic = opts->dynamic;
    if (opts->target_address)
        lo.target_address = opts->target_address;
    if (opts->selector && opts->filter.count) {
        free(r);
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL,
                                "a receiver takes a selector or a filter, not both (famqp_filter_set_put_selector "
                                "puts the selector into the filter)");
    }
    lo.source_filter = opts->filter;
    uint8_t *filter = NULL;
    if (opts->selector) {
        size_t n = strlen(opts->selector) + 64; /* map, key, descriptor, str32 header */
        filter = malloc(n);
        size_t len = filter ? selector_filter(filter, n, opts->selector) : 0;
        if (!len || !famqp_map_of(filter, len, &lo.source_filter)) {
            free(filter);
            free(r);
            return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "could not encode the selector");
        }
    }
    famqp_client_status st = client_link_open(c, &r->base, opts->name, &lo, attach_timeout(opts->attach_timeout_ms));
    free(filter); /* the link copied it */
    if (st != FAMQP_CLIENT_OK) {
        client_link_abandon(&r->base);
        return st;
    }
    if (st == FAMQP_CLIENT_OK && r->credit_window && r->base.link && !r->base.remote_detached) {
        famqp_link_set_credit(r->base.link, r->credit_window);
        famqp_client_pump(c, 0);
    }
    const char *node = r->base.link ? famqp_link_remote_source_address(r->base.link) : NULL;
    if (!node)
        node = address;
    if (node)
        r->address = strdup(node);
    *out = r;
    return st;
}

const char *famqp_receiver_address(const famqp_receiver *r) { return r->address; }
famqp_link *famqp_receiver_link(const famqp_receiver *r) { return r->base.link; }
size_t famqp_receiver_queued(const famqp_receiver *r) { return r->count; }

static void receiver_forget(client_link *h)
{
    famqp_receiver *r = (famqp_receiver *)h;
    r->ngiven_up = 0;
    /* The engine frees the link's deliveries with it. */
    r->head = r->count = 0;
}

static void receiver_lost(client_link *h)
{
    famqp_receiver *r = (famqp_receiver *)h;
    r->ngiven_up = 0; /* the engine frees them with the connection */
    if (h->link && r->credit_window == 0)
        /* A drain under way wanted the credit back: none on the new link. */
        r->regrant = r->draining ? 0 : famqp_link_credit(h->link);
}

/* The new link gets what the old one had: the window less what waits in
 * the queue, or the manual credit left. */
static void receiver_reattach(client_link *h)
{
    famqp_receiver *r = (famqp_receiver *)h;
    if (r->draining)
        return; /* the drain ends with the old link: no credit */
    if (r->credit_window && r->count < r->credit_window)
        famqp_link_set_credit(h->link, (uint32_t)(r->credit_window - r->count));
    else if (!r->credit_window && r->regrant)
        famqp_link_set_credit(h->link, r->regrant);
}

static void receiver_free(client_link *h)
{
    famqp_receiver *r = (famqp_receiver *)h;
    free(r->ring);
    free(r->given_up);
    free(r->address);
    client_link_free_options(h);
    free(r);
}

static bool ring_push(famqp_receiver *r, famqp_delivery *d)
{
    if (r->count == r->ring_cap) {
        size_t cap = r->ring_cap ? r->ring_cap * 2 : 64;
        famqp_delivery **ring = malloc(cap * sizeof *ring);
        if (!ring)
            return false;
        for (size_t i = 0; i < r->count; i++)
            ring[i] = r->ring[(r->head + i) % r->ring_cap];
        free(r->ring);
        r->ring = ring;
        r->ring_cap = cap;
        r->head = 0;
    }
    r->ring[(r->head + r->count) % r->ring_cap] = d;
    r->count++;
    r->received++;
    return true;
}

static void receiver_event(client_link *h, const famqp_event *e)
{
    famqp_receiver *r = (famqp_receiver *)h;
    if (e->type == FAMQP_EVENT_DELIVERY) {
        if (!ring_push(r, e->delivery))
            famqp_delivery_release(e->delivery); /* cannot hold it: give it back */
    } else if (e->type == FAMQP_EVENT_DELIVERY_ABORTED && e->delivery) {
        famqp_delivery_settle(e->delivery);
    } else if (e->type == FAMQP_EVENT_DELIVERY_UPDATED && e->delivery && e->delivery == r->watch &&
               famqp_delivery_remote_settled(e->delivery)) {
        /* The engine frees the delivery after this event: keep its state. */
        famqp_outcome o = famqp_delivery_remote_state(e->delivery);
        client_copy(r->watch_cond, sizeof r->watch_cond, o.error.name);
        client_copy(r->watch_desc, sizeof r->watch_desc, o.error.description);
        o.error.name = o.error.name ? r->watch_cond : NULL;
        o.error.description = o.error.description ? r->watch_desc : NULL;
        o.error_info = o.message_annotations = (famqp_map){0};
        r->watch_state = o;
        r->watch_settled = true;
        r->watch = NULL;
        famqp_delivery_settle(e->delivery); /* both sides settled: nothing more is sent */
    } else if (e->type == FAMQP_EVENT_DELIVERY_UPDATED && e->delivery && famqp_delivery_remote_settled(e->delivery)) {
        for (size_t i = 0; i < r->ngiven_up; i++)
            if (r->given_up[i] == e->delivery) {
                famqp_delivery_settle(e->delivery);
                r->given_up[i] = r->given_up[--r->ngiven_up];
                break;
            }
    }
}

/* Automatic credit: grants more once the application took half the window. */
static void receiver_credit(famqp_receiver *r)
{
    famqp_link *l = r->base.link;
    if (!r->credit_window || !l || r->base.remote_detached || r->base.local_closed || r->draining)
        return;
    /* Top up once half the window is used: credit plus messages waiting
     * for the application stay within credit_window. */
    size_t outstanding = (size_t)famqp_link_credit(l) + r->count;
    if (outstanding <= r->credit_window / 2)
        famqp_link_set_credit(l, (uint32_t)(r->credit_window - r->count));
}

static bool has_message(void *arg)
{
    famqp_receiver *r = arg;
    return r->count > 0 || r->base.remote_detached;
}

famqp_client_status famqp_receive(famqp_receiver *r, int timeout_ms, famqp_delivery **delivery)
{
    famqp_client *c = r->base.client;
    *delivery = NULL;
    if (c->nretired)
        client_retired_sweep(c); /* the application may have settled the last old delivery */
    if (r->count == 0) {
        if (c->failed && !client_recover(c))
            return client_failed(c);
        if (!r->base.link || r->base.remote_detached)
            return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->base.cond, r->base.desc,
                                    "the peer detached the receiver");
        if (r->credit_window == 0 && famqp_link_credit(r->base.link) == 0)
            return client_set_error(c, FAMQP_CLIENT_ERR_CREDIT, NULL, NULL,
                                    "no credit granted (manual credit: call famqp_receiver_set_credit)");
        receiver_credit(r); /* the window again after a drain used it up */
        famqp_client_status st = client_wait(c, client_deadline(timeout_ms), has_message, r);
        if (st == FAMQP_CLIENT_ERR_TIMEOUT)
            return client_set_error(c, st, NULL, NULL, "timed out waiting for a message");
        if (st != FAMQP_CLIENT_OK)
            return st;
        if (r->count == 0)
            return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->base.cond, r->base.desc,
                                    "the peer detached the receiver");
    } else if (!c->failed) {
        /* Let settlements of earlier deliveries go out without waiting. */
        size_t pending = 0;
        famqp_connection_output(c->conn, &pending);
        if (pending >= 64 * 1024)
            famqp_client_pump(c, 0);
        else
            client_output_linger(c, false);
    }
    *delivery = r->ring[r->head];
    r->head = (r->head + 1) % r->ring_cap;
    r->count--;
    receiver_credit(r);
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_receiver_set_credit(famqp_receiver *r, uint32_t credit)
{
    famqp_client *c = r->base.client;
    if (c->failed && !client_recover(c))
        return client_failed(c);
    if (!r->base.link || r->base.remote_detached)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "the receiver is detached");
    if (famqp_link_set_credit(r->base.link, credit) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "could not grant credit");
    return famqp_client_pump(c, 0);
}

/* Drain done: no credit left (the sender used it or gave it back by
 * advancing delivery-count; the engine counts both), or no link to wait on. */
static bool drained(void *arg)
{
    famqp_receiver *r = arg;
    if (r->base.client->failed)
        return false; /* the wait reports the failure (or reconnects) */
    return !r->base.link || r->base.remote_detached || famqp_link_credit(r->base.link) == 0;
}

famqp_client_status famqp_receiver_drain(famqp_receiver *r, uint32_t credit, int timeout_ms, size_t *arrived)
{
    famqp_client *c = r->base.client;
    uint64_t before = r->received;
    if (arrived)
        *arrived = 0;
    if (c->failed && !client_recover(c))
        return client_failed(c);
    if (!r->base.link || r->base.remote_detached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->base.cond, r->base.desc,
                                "the peer detached the receiver");
    if (!credit)
        credit = famqp_link_credit(r->base.link);
    if (!credit)
        return FAMQP_CLIENT_OK; /* nothing granted: nothing to drain */
    if (famqp_link_set_credit_and_drain(r->base.link, credit) != FAMQP_ENGINE_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "could not ask for a drain");
    r->draining = true;
    famqp_client_status st = client_wait(c, client_deadline(timeout_ms), drained, r);
    r->draining = false;
    if (arrived)
        *arrived = (size_t)(r->received - before);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out waiting for the sender to drain (%u credit left)",
                                r->base.link ? (unsigned)famqp_link_credit(r->base.link) : 0u);
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (r->base.remote_detached)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->base.cond, r->base.desc,
                                "the peer detached the receiver");
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_receiver_close(famqp_receiver *r, int timeout_ms)
{
    return client_receiver_close(r, timeout_ms, true);
}

famqp_client_status client_receiver_close(famqp_receiver *r, int timeout_ms, bool release)
{
    if (!r)
        return FAMQP_CLIENT_OK;
    /* Queued deliveries nobody saw are released (redelivered elsewhere),
     * or left to the detach; those from a connection a reconnect replaced
     * are only let go. */
    famqp_client *c = r->base.client;
    while (r->count && ((r->base.link && !r->base.remote_detached) || c->nretired)) {
        famqp_delivery *d = r->ring[r->head];
        if (famqp_session_connection(famqp_link_session(famqp_delivery_link(d))) != c->conn)
            famqp_delivery_settle(d);
        else if (r->base.link && !r->base.remote_detached && release)
            famqp_delivery_release(d);
        r->head = (r->head + 1) % r->ring_cap;
        r->count--;
    }
    famqp_client_status st = client_link_close(&r->base, timeout_ms);
    receiver_free(&r->base);
    return st;
}

static bool give_up(famqp_receiver *r, famqp_delivery *d)
{
    if (r->ngiven_up == r->given_up_cap) {
        size_t cap = r->given_up_cap ? r->given_up_cap * 2 : 8;
        famqp_delivery **p = realloc(r->given_up, cap * sizeof *p);
        if (!p)
            return false;
        r->given_up = p;
        r->given_up_cap = cap;
    }
    r->given_up[r->ngiven_up++] = d;
    return true;
}

static bool watch_done(void *arg)
{
    famqp_receiver *r = arg;
    return r->watch_settled || r->base.remote_detached || !r->base.link;
}

famqp_client_status famqp_receiver_settle(famqp_receiver *r, famqp_delivery *d, const famqp_outcome *o,
                                          int timeout_ms, famqp_outcome *remote)
{
    famqp_client *c = r->base.client;
    if (remote)
        *remote = (famqp_outcome){0};
    if (!d || !o)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "famqp_receiver_settle needs a delivery and an outcome");
    if (famqp_delivery_link(d) != r->base.link || c->failed) {
        /* From a lost connection (or another link): let go of it. */
        famqp_delivery_settle(d);
        if (c->failed && !client_recover(c))
            return client_failed(c);
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL,
                                "the delivery's link is gone (connection lost): the peer delivers it again");
    }
    bool second = r->base.lo.rcv_settle_mode == FAMQP_RECEIVER_SETTLE_MODE_SECOND && !famqp_delivery_remote_settled(d);
    famqp_engine_status es = famqp_delivery_update(d, o, !second);
    if (es != FAMQP_ENGINE_OK)
        return client_set_error(c, client_engine_status(es), NULL, NULL, "could not settle the delivery: %s",
                                famqp_engine_status_name(es));
    if (!second)
        return famqp_client_pump(c, 0);
    r->watch = d;
    r->watch_settled = false;
    famqp_client_status st = client_wait(c, client_deadline(timeout_ms), watch_done, r);
    if (r->watch) { /* given up: settled when the peer settles it */
        r->watch = NULL;
        if (r->base.link && !c->failed && !give_up(r, d))
            famqp_delivery_settle(d); /* no room to remember it: settle without the peer */
    }
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out waiting for the peer to settle the delivery");
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (!r->watch_settled)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->base.cond, r->base.desc,
                                "the peer detached the receiver before settling the delivery");
    if (remote)
        *remote = r->watch_state;
    if (r->watch_state.error.name)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, r->watch_cond, r->watch_desc,
                                "the peer settled the delivery as %s", famqp_outcome_kind_name(r->watch_state.kind));
    return FAMQP_CLIENT_OK;
}

/* No resend: nothing is kept to send. */
static const client_link_ops receiver_ops = {.role = FAMQP_LINK_RECEIVER, .event = receiver_event,
                                             .lost = receiver_lost, .forget = receiver_forget,
                                             .reattach = receiver_reattach, .free = receiver_free};
