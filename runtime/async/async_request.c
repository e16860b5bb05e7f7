/* Asynchronous requesters (famqp/async.h): request/response over a
 * sender/receiver pair on a famqp_async_conn.  Requests live in a fixed
 * pool of slots, twice max_in_flight; a request's id is (sequence << 17) |
 * slot, so a response finds its slot at once and a stale id never matches
 * a reused slot.  A slot is free again once its callback ran AND its
 * message left the sender (settled, or dropped with a lost connection):
 * the sender's outcome callback names the slot, so it must not be reused
 * before.  A response usually comes before its request's settlement, so
 * the spare half keeps max_in_flight requests possible meanwhile.  Each slot's timer (made on first use, reused) is its timeout;
 * one more timer reports lost requests from the loop. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_internal.h"
#include "famqp/management.h"

enum { SLOT_BITS = 17, DEFAULT_TIMEOUT_MS = 10000 };

typedef struct req_slot {
    famqp_async_requester *r;
    uint64_t id;
    bool busy;      /* a request whose callback has not run */
    bool in_sender; /* its message is held by the sender (an outcome will come) */
    bool lost;      /* the connection went with it: reported by lost_timer */
    bool listed;    /* on the free list */
    famqp_async_response_fn *fn;
    void *arg;
    famqp_loop_timer *timer; /* its timeout */
    struct req_slot *next_free;
} req_slot;

struct famqp_async_requester {
    famqp_async_conn *conn;
    famqp_async_sender *snd;
    famqp_async_receiver *rcv;
    char *reply_to;
    uint32_t cap;    /* max_in_flight */
    uint32_t nslots; /* 2 * cap */
    int timeout_ms;
    req_slot *slots;
    req_slot *free_list;
    size_t in_flight;
    uint64_t seq, unmatched;
    famqp_loop_timer *lost_timer;
    int depth;         /* callbacks running */
    bool closing;      /* famqp_async_requester_close ran */
    bool free_pending; /* freed when the outermost callback returns */
    struct famqp_async_requester *prev, *next; /* the connection's list */
};

void famqp_async_requester_options_init(famqp_async_requester_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_in_flight = 64;
    o->timeout_ms = DEFAULT_TIMEOUT_MS;
}

size_t famqp_async_requester_in_flight(const famqp_async_requester *r) { return r->in_flight; }
uint64_t famqp_async_requester_unmatched(const famqp_async_requester *r) { return r->unmatched; }
const char *famqp_async_requester_reply_to(const famqp_async_requester *r) { return r->reply_to; }

static void requester_free(famqp_async_requester *r)
{
    if (r->slots)
        for (uint32_t i = 0; i < r->nslots; i++)
            famqp_loop_timer_free(r->slots[i].timer);
    famqp_loop_timer_free(r->lost_timer);
    free(r->slots);
    free(r->reply_to);
    free(r);
}

static void enter(famqp_async_requester *r) { r->depth++; }

static void leave(famqp_async_requester *r)
{
    if (--r->depth == 0 && r->free_pending)
        requester_free(r);
}

/* A slot is reusable once nothing refers to it any more. */
static void slot_maybe_free(req_slot *s)
{
    famqp_async_requester *r = s->r;
    if (s->busy || s->in_sender || s->lost || s->listed)
        return;
    s->listed = true;
    s->next_free = r->free_list;
    r->free_list = s;
}

/* Runs the request's callback (once) and frees its slot if it can. */
static void complete(req_slot *s, famqp_async_status st, const famqp_message *m)
{
    famqp_async_requester *r = s->r;
    if (!s->busy)
        return;
    famqp_async_response resp = {.id = s->id, .status_code = -1};
    if (m) {
        resp.message = m;
        famqp_management_status(m, &resp.status_code, &resp.status_description);
    }
    famqp_async_response_fn *fn = s->fn;
    void *arg = s->arg;
    s->busy = false;
    s->lost = false;
    s->fn = NULL;
    r->in_flight--;
    famqp_loop_timer_stop(s->timer);
    slot_maybe_free(s);
    if (fn)
        fn(r, st, &resp, arg);
}

static void on_timeout(famqp_loop_timer *t, void *arg)
{
    (void)t;
    req_slot *s = arg;
    famqp_async_requester *r = s->r;
    enter(r);
    complete(s, FAMQP_ASYNC_ERR_TIMEOUT, NULL);
    leave(r);
}

static void on_lost_timer(famqp_loop_timer *t, void *arg)
{
    (void)t;
    famqp_async_requester *r = arg;
    enter(r);
    for (uint32_t i = 0; i < r->nslots && !r->closing; i++) {
        req_slot *s = &r->slots[i];
        if (s->busy && s->lost)
            complete(s, FAMQP_ASYNC_ERR_LOST, NULL);
    }
    leave(r);
}

/* The connection is gone (links_lost): requests that went out on it are
 * lost; those the sender still holds unsent go out after the reattach. */
static void on_conn_lost(void *owner)
{
    famqp_async_requester *r = owner;
    if (r->closing)
        return;
    async_sender_drop_sent(r->snd, FAMQP_ASYNC_ERR_LOST);
    bool any = false;
    for (uint32_t i = 0; i < r->nslots; i++) {
        req_slot *s = &r->slots[i];
        if (s->busy && !s->in_sender) {
            s->lost = true;
            famqp_loop_timer_stop(s->timer);
            any = true;
        }
    }
    if (any)
        famqp_loop_timer_start(r->lost_timer, 0);
}

static void on_outcome(famqp_async_sender *snd, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)snd;
    req_slot *s = arg;
    famqp_async_requester *r = s->r;
    s->in_sender = false;
    enter(r);
    if (st == FAMQP_ASYNC_OK && o && o->kind != FAMQP_OUTCOME_ACCEPTED)
        complete(s, FAMQP_ASYNC_ERR_REFUSED, NULL); /* rejected, released, modified */
    else if (st == FAMQP_ASYNC_ERR_LOST && s->busy)
        s->lost = true; /* on_conn_lost reports it */
    else if (st != FAMQP_ASYNC_OK && st != FAMQP_ASYNC_ERR_LOST)
        complete(s, st, NULL); /* closed, or the link refused */
    slot_maybe_free(s);
    leave(r);
}

static void on_response(famqp_async_receiver *rcv, famqp_async_delivery *d, void *arg)
{
    (void)rcv;
    famqp_async_requester *r = arg;
    famqp_message m;
    uint64_t id;
    req_slot *s = NULL;
    if (famqp_async_delivery_read(d, &m, NULL) == FAMQP_OK && famqp_management_correlation_id(&m, &id)) {
        uint64_t i = id & ((1u << SLOT_BITS) - 1);
        if (i < r->nslots && r->slots[i].busy && !r->slots[i].lost && r->slots[i].id == id)
            s = &r->slots[i];
    }
    if (!s) {
        r->unmatched++;
        return; /* accepted by the receiver (auto_accept) */
    }
    enter(r);
    complete(s, FAMQP_ASYNC_OK, &m);
    leave(r);
}

famqp_async_status famqp_async_requester_open(famqp_async_conn *c, const char *node,
                                              const famqp_async_requester_options *opts,
                                              famqp_async_requester **out)
{
    if (!out)
        return FAMQP_ASYNC_ERR_ARG;
    *out = NULL;
    famqp_async_requester_options defaults;
    if (!opts) {
        famqp_async_requester_options_init(&defaults);
        opts = &defaults;
    }
    if (!c || !node || !*node || opts->max_in_flight < 1 || opts->max_in_flight > FAMQP_ASYNC_MAX_IN_FLIGHT ||
        opts->timeout_ms < -1)
        return FAMQP_ASYNC_ERR_ARG;
    if (c->close_called || c->state == AS_FAILED)
        return FAMQP_ASYNC_ERR_STATE;
    famqp_async_requester *r = calloc(1, sizeof *r);
    if (!r)
        return FAMQP_ASYNC_ERR_NOMEM;
    r->conn = c;
    r->cap = opts->max_in_flight;
    r->nslots = 2 * r->cap;
    r->timeout_ms = opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    r->slots = calloc(r->nslots, sizeof *r->slots);
    char fresh[FAMQP_MANAGEMENT_REPLY_TO_SIZE];
    if (opts->reply_to)
        r->reply_to = strdup(opts->reply_to);
    else if (famqp_management_fresh_reply_to(fresh))
        r->reply_to = strdup(fresh);
    if (!r->slots || !r->reply_to || famqp_loop_timer_new(c->loop, on_lost_timer, r, &r->lost_timer) != FAMQP_LOOP_OK) {
        requester_free(r);
        return FAMQP_ASYNC_ERR_NOMEM;
    }
    for (uint32_t i = r->nslots; i-- > 0;) {
        r->slots[i].r = r;
        r->slots[i].listed = true;
        r->slots[i].next_free = r->free_list;
        r->free_list = &r->slots[i];
    }
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.max_pending_messages = r->nslots;
    famqp_async_status st = famqp_async_sender_open(c, node, &so, &r->snd);
    if (st == FAMQP_ASYNC_OK) {
        famqp_async_receiver_options ro;
        famqp_async_receiver_options_init(&ro);
        /* Every request's response can come: credit is topped up when half
         * of the window is used, so the window is twice the requests. */
        ro.credit_window = 2 * r->cap;
        ro.name = r->reply_to;
        st = async_receiver_make(c, node, r->reply_to, &ro, on_response, r, &r->rcv);
        if (st != FAMQP_ASYNC_OK)
            famqp_async_sender_close(r->snd);
    }
    if (st != FAMQP_ASYNC_OK) {
        requester_free(r);
        return st;
    }
    r->snd->base.lost_hook = on_conn_lost;
    r->snd->base.owner = r;
    r->next = c->requesters;
    if (c->requesters)
        c->requesters->prev = r;
    c->requesters = r;
    *out = r;
    return FAMQP_ASYNC_OK;
}

famqp_async_status famqp_async_request(famqp_async_requester *r, const famqp_message *request, int timeout_ms,
                                       famqp_async_response_fn *fn, void *arg, uint64_t *id)
{
    if (id)
        *id = 0;
    if (!r || !request || timeout_ms < -1)
        return FAMQP_ASYNC_ERR_ARG;
    if (r->closing || r->snd->base.refused || r->rcv->base.refused || r->conn->close_called ||
        r->conn->state == AS_FAILED)
        return FAMQP_ASYNC_ERR_STATE;
    req_slot *s = r->free_list;
    if (r->in_flight >= r->cap || !s)
        return FAMQP_ASYNC_ERR_FULL;
    if (!timeout_ms)
        timeout_ms = r->timeout_ms;
    if (timeout_ms >= 0 && !s->timer && famqp_loop_timer_new(r->conn->loop, on_timeout, s, &s->timer) != FAMQP_LOOP_OK)
        return FAMQP_ASYNC_ERR_NOMEM;
    uint64_t next = r->seq + 1;
    uint64_t sid = (next << SLOT_BITS) | (uint64_t)(s - r->slots);
    famqp_message m = *request;
    famqp_management_set_request(&m, sid, r->reply_to);
    famqp_async_status st = famqp_async_send(r->snd, &m, on_outcome, s);
    if (st != FAMQP_ASYNC_OK)
        return st;
    if (timeout_ms >= 0 && famqp_loop_timer_start(s->timer, (uint64_t)timeout_ms) != FAMQP_LOOP_OK)
        famqp_loop_timer_start(s->timer, 0); /* no memory for the timer: ends at once, as a timeout */
    r->seq = next;
    r->free_list = s->next_free;
    s->listed = false;
    s->id = sid;
    s->busy = true;
    s->in_sender = true;
    s->lost = false;
    s->fn = fn;
    s->arg = arg;
    r->in_flight++;
    if (id)
        *id = sid;
    return FAMQP_ASYNC_OK;
}

static void unlist(famqp_async_requester *r)
{
    famqp_async_conn *c = r->conn;
    if (r->prev)
        r->prev->next = r->next;
    else if (c->requesters == r)
        c->requesters = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

void famqp_async_requester_close(famqp_async_requester *r)
{
    if (!r || r->closing)
        return;
    r->closing = true;
    unlist(r);
    enter(r);
    r->snd->base.lost_hook = NULL;
    famqp_async_sender_close(r->snd); /* held requests: ERR_CLOSED through on_outcome */
    famqp_async_receiver_close(r->rcv);
    for (uint32_t i = 0; i < r->nslots; i++)
        complete(&r->slots[i], FAMQP_ASYNC_ERR_CLOSED, NULL);
    r->free_pending = true;
    leave(r);
}

void async_requesters_close(famqp_async_conn *c)
{
    while (c->requesters)
        famqp_async_requester_close(c->requesters);
}

void async_requesters_free(famqp_async_conn *c)
{
    while (c->requesters) {
        famqp_async_requester *r = c->requesters;
        c->requesters = r->next;
        requester_free(r);
    }
}
