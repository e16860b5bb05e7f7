/* The blocking client's senders: blocking and pipelined sends, outcome
 * counting, the copies kept for resending after a reconnect, and what a
 * sender does for the connection (sender_ops). */
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* A copy of an unsettled delivery's message, kept while reconnecting is
 * enabled until the peer settles it, so it can be sent again on a new
 * connection. */
typedef struct client_kept {
    famqp_delivery *delivery; /* on the current connection; NULL: not sent there */
    size_t off, len;          /* its bytes in the sender's kept buffer */
    bool done;                /* settled by the peer: dropped at the front */
    bool waited;              /* the delivery a blocking famqp_send waits for */
    uint32_t format;          /* the transfer's message-format */
} client_kept;

struct famqp_sender {
    client_link base;
    uint32_t window;
    bool presettled;
    uint64_t next_tag;
    uint8_t *buf; /* encode scratch, grown as needed (then reused) */
    size_t buf_cap;
    famqp_send_summary sum;
    /* the delivery a blocking famqp_send waits for */
    famqp_delivery *waiting;
    bool waiting_done;
    famqp_outcome waiting_outcome;
    char out_cond[128];
    char out_desc[512];
    /* deliveries we settled after the peer's unsettled outcome (receiver
     * settle mode second), until the peer settles them too */
    famqp_delivery **ours;
    size_t nours, ours_cap;
    /* Reconnect: unsettled deliveries in send order (a ring), their bytes
     * back to back in kbuf[kbuf_head..kbuf_len), and how many of them (from
     * the front) were sent on the current connection. */
    client_kept *kept;
    size_t kept_cap, kept_head, kept_count, resend_pos;
    uint8_t *kbuf;
    size_t kbuf_head, kbuf_len, kbuf_cap;
};

static const client_link_ops sender_ops;

void famqp_sender_options_init(famqp_sender_options *o)
{
    memset(o, 0, sizeof *o);
    o->snd_settle_mode = FAMQP_SENDER_SETTLE_MODE_UNSETTLED;
    o->rcv_settle_mode = FAMQP_RECEIVER_SETTLE_MODE_FIRST;
    o->window = 1000;
    o->attach_timeout_ms = 10000;
}

famqp_client_status famqp_sender_open(famqp_client *c, const char *address, const famqp_sender_options *opts,
                                      famqp_sender **out)
{
    *out = NULL;
    famqp_sender_options defaults;
    if (!opts) {
        famqp_sender_options_init(&defaults);
        opts = &defaults;
    }
    famqp_client_status cst = client_cbs_authorize(c, address);
    if (cst != FAMQP_CLIENT_OK)
        return cst;
    famqp_sender *s = client_link_alloc(c, sizeof *s, &sender_ops);
    if (!s)
        return FAMQP_CLIENT_ERR_NOMEM;
    s->window = opts->window ? opts->window : 1000;
    s->presettled = opts->snd_settle_mode == FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_link_options lo;
    client_link_options(&lo, address, opts->snd_settle_mode, opts->rcv_settle_mode, opts->durable, &opts->link);
    famqp_client_status st = client_link_open(c, &s->base, opts->name, &lo, attach_timeout(opts->attach_timeout_ms));
    if (st != FAMQP_CLIENT_OK) {
        client_link_abandon(&s->base);
        return st;
    }
    *out = s;
    return st;
}

/* ---- kept deliveries (reconnect) ---- */

static bool retaining(const famqp_sender *s)
{
    return !s->presettled && s->base.client->policy.max_attempts > 0;
}

static client_kept *kept_at(famqp_sender *s, size_t i) { return &s->kept[(s->kept_head + i) % s->kept_cap]; }

static void kept_clear(famqp_sender *s)
{
    s->kept_head = s->kept_count = s->resend_pos = 0;
    s->kbuf_head = s->kbuf_len = 0;
}

/* Room for one more kept delivery of len bytes. */
static bool kept_reserve(famqp_sender *s, size_t len)
{
    if (s->kept_count == s->kept_cap) {
        size_t cap = s->kept_cap ? s->kept_cap * 2 : 64;
        client_kept *k = malloc(cap * sizeof *k);
        if (!k)
            return false;
        for (size_t i = 0; i < s->kept_count; i++)
            k[i] = *kept_at(s, i);
        free(s->kept);
        s->kept = k;
        s->kept_cap = cap;
        s->kept_head = 0;
    }
    if (s->kbuf_cap - s->kbuf_len >= len)
        return true;
    /* Compact when at least half the used bytes are settled ones (so each
     * byte is moved a bounded number of times), else grow. */
    if (s->kbuf_head && s->kbuf_head >= s->kbuf_len - s->kbuf_head) {
        memmove(s->kbuf, s->kbuf + s->kbuf_head, s->kbuf_len - s->kbuf_head);
        for (size_t i = 0; i < s->kept_count; i++)
            kept_at(s, i)->off -= s->kbuf_head;
        s->kbuf_len -= s->kbuf_head;
        s->kbuf_head = 0;
        if (s->kbuf_cap - s->kbuf_len >= len)
            return true;
    }
    size_t need = s->kbuf_len + len;
    size_t cap = s->kbuf_cap ? s->kbuf_cap * 2 : 65536;
    if (cap < need)
        cap = need;
    uint8_t *b = realloc(s->kbuf, cap);
    if (!b)
        return false;
    s->kbuf = b;
    s->kbuf_cap = cap;
    return true;
}

/* After kept_reserve: keeps a copy of a delivery just sent. */
static void kept_push(famqp_sender *s, famqp_delivery *d, uint32_t format, const void *bytes, size_t len)
{
    client_kept *k = kept_at(s, s->kept_count);
    k->format = format;
    k->delivery = d;
    k->off = s->kbuf_len;
    k->len = len;
    k->done = false;
    k->waited = false;
    if (len)
        memcpy(s->kbuf + s->kbuf_len, bytes, len);
    s->kbuf_len += len;
    s->kept_count++;
    s->resend_pos++;
}

/* The peer settled d: its copy is no longer needed. */
static void kept_settled(famqp_sender *s, const famqp_delivery *d)
{
    for (size_t i = 0; i < s->kept_count && i < s->resend_pos; i++) {
        client_kept *k = kept_at(s, i);
        if (k->delivery == d) {
            k->done = true;
            k->delivery = NULL;
            break;
        }
    }
    while (s->kept_count && kept_at(s, 0)->done) {
        client_kept *k = kept_at(s, 0);
        s->kbuf_head = k->off + k->len;
        s->kept_head = (s->kept_head + 1) % s->kept_cap;
        s->kept_count--;
        if (s->resend_pos)
            s->resend_pos--;
    }
    if (!s->kept_count)
        kept_clear(s);
}

static void sender_lost(client_link *h)
{
    famqp_sender *s = (famqp_sender *)h;
    /* The old connection's deliveries are out of reach: everything kept
     * is sent again once the link is attached on the new one. */
    for (size_t i = 0; i < s->kept_count; i++)
        kept_at(s, i)->delivery = NULL;
    s->resend_pos = 0;
    s->waiting = NULL;
    s->nours = 0;
}

static void put_tag(uint8_t tag[8], uint64_t t)
{
    for (int i = 7; i >= 0; i--) {
        tag[i] = (uint8_t)t;
        t >>= 8;
    }
}

/* Sends kept deliveries again as credit allows. */
static void sender_resend(client_link *h)
{
    famqp_sender *s = (famqp_sender *)h;
    if (!retaining(s))
        return;
    famqp_link *l = s->base.link;
    if (!l || !s->base.remote_attached || s->base.remote_detached)
        return;
    while (s->resend_pos < s->kept_count && famqp_link_credit(l) > 0) {
        client_kept *k = kept_at(s, s->resend_pos);
        if (!k->done) {
            uint8_t tag[8];
            put_tag(tag, s->next_tag++);
            famqp_delivery *d = NULL;
            if (famqp_link_send_format(l, famqp_binary_of(tag, sizeof tag), k->format, s->kbuf + k->off, k->len,
                                       false, &d) != FAMQP_ENGINE_OK)
                return; /* tried again on the next round */
            k->delivery = d;
            if (k->waited)
                s->waiting = d;
            s->sum.resent++;
            s->base.client->resent++;
        }
        s->resend_pos++;
    }
}

static void sender_free(client_link *h)
{
    famqp_sender *s = (famqp_sender *)h;
    free(s->buf);
    free(s->ours);
    free(s->kept);
    free(s->kbuf);
    client_link_free_options(&s->base);
    free(s);
}

static void sender_forget(client_link *h)
{
    famqp_sender *s = (famqp_sender *)h;
    /* The engine frees the link's deliveries with it; in_flight keeps
     * counting the ones that never got an outcome. */
    s->waiting = NULL;
    s->nours = 0;
    kept_clear(s);
}

static void count_outcome(famqp_sender *s, const famqp_outcome *o)
{
    famqp_send_summary *m = &s->sum;
    switch (o->kind) {
    case FAMQP_OUTCOME_ACCEPTED: m->accepted++; break;
    case FAMQP_OUTCOME_REJECTED: m->rejected++; break;
    case FAMQP_OUTCOME_RELEASED: m->released++; break;
    case FAMQP_OUTCOME_MODIFIED: m->modified++; break;
    default: m->other++; break;
    }
    if (o->kind != FAMQP_OUTCOME_ACCEPTED && m->first_kind == FAMQP_OUTCOME_NONE) {
        m->first_kind = o->kind;
        client_copy(m->first_condition, sizeof m->first_condition, o->error.name);
        client_copy(m->first_description, sizeof m->first_description, o->error.description);
    }
}

static bool terminal(famqp_outcome_kind k)
{
    return k == FAMQP_OUTCOME_ACCEPTED || k == FAMQP_OUTCOME_REJECTED || k == FAMQP_OUTCOME_RELEASED ||
           k == FAMQP_OUTCOME_MODIFIED;
}

static bool forget_settled_by_us(famqp_sender *s, const famqp_delivery *d)
{
    for (size_t i = 0; i < s->nours; i++) {
        if (s->ours[i] == d) {
            s->ours[i] = s->ours[--s->nours];
            return true;
        }
    }
    return false;
}

static bool remember_settled_by_us(famqp_sender *s, famqp_delivery *d)
{
    if (s->nours == s->ours_cap) {
        size_t cap = s->ours_cap ? s->ours_cap * 2 : 16;
        famqp_delivery **p = realloc(s->ours, cap * sizeof *p);
        if (!p)
            return false;
        s->ours = p;
        s->ours_cap = cap;
    }
    s->ours[s->nours++] = d;
    return true;
}

static void sender_event(client_link *h, const famqp_event *e)
{
    if (e->type != FAMQP_EVENT_DELIVERY_UPDATED || !e->delivery)
        return;
    famqp_sender *s = (famqp_sender *)h;
    famqp_delivery *d = e->delivery;
    famqp_outcome o = famqp_delivery_remote_state(d);
    bool settled = famqp_delivery_remote_settled(d);
    /* A terminal outcome ends the delivery for us; a settlement without
     * one too.  In receiver-settle-mode second the peer sends its outcome
     * unsettled and settles after we do: that second update was counted
     * already (the engine settles our side itself when the peer settles
     * first, so famqp_delivery_settled cannot tell the cases apart). */
    if (!terminal(o.kind) && !settled)
        return;
    if (settled && forget_settled_by_us(s, d))
        return;
    if (!settled && !remember_settled_by_us(s, d))
        return; /* out of memory: count it when the peer settles */
    count_outcome(s, &o);
    if (retaining(s))
        kept_settled(s, d);
    if (s->sum.in_flight)
        s->sum.in_flight--;
    if (d == s->waiting) {
        s->waiting_done = true;
        s->waiting_outcome = o;
        client_copy(s->out_cond, sizeof s->out_cond, o.error.name);
        client_copy(s->out_desc, sizeof s->out_desc, o.error.description);
        s->waiting_outcome.error.name = o.error.name ? s->out_cond : NULL;
        s->waiting_outcome.error.description = o.error.description ? s->out_desc : NULL;
        s->waiting = NULL;
    }
    famqp_delivery_settle(d);
}

static bool can_send(void *arg)
{
    famqp_sender *s = arg;
    if (s->base.remote_detached || !s->base.link)
        return true; /* reported by the caller */
    /* Output held back (the engine's max_output_bytes): waiting writes it. */
    return famqp_link_credit(s->base.link) > 0 && (s->presettled || s->sum.in_flight < s->window) &&
           s->resend_pos == s->kept_count && /* resends first */
           !famqp_connection_output_blocked(s->base.client->conn);
}

static famqp_client_status detached_error(famqp_sender *s)
{
    famqp_client *c = s->base.client;
    if (c->failed)
        return client_failed(c);
    return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, s->base.cond, s->base.desc,
                            "the peer detached the sender");
}

/* A call's deadline, computed (a clock read) only once something waits. */
typedef struct send_deadline {
    int timeout_ms;
    bool known;
    uint64_t at;
} send_deadline;

static uint64_t deadline_at(send_deadline *d)
{
    if (!d->known) {
        d->at = client_deadline(d->timeout_ms);
        d->known = true;
    }
    return d->at;
}

/* Waits for credit and window room, then hands one message to the engine;
 * *out gets the delivery when it is unsettled.  pipelined: the caller
 * returns now, so the linger decides when the bytes are written (a
 * blocking send writes them while it waits). */
static famqp_client_status send_one(famqp_sender *s, uint32_t format, const void *bytes, size_t len,
                                    send_deadline *deadline, bool pipelined, famqp_delivery **out)
{
    famqp_client *c = s->base.client;
    *out = NULL;
    /* A connection lost while waiting (a peer's clean close ends the wait
     * too: the lost link "can send", to be reported) is recovered and the
     * wait goes on, as a send that finds the socket dead recovers. */
    for (;;) {
        if (c->failed && !client_recover(c))
            return client_failed(c);
        if (!s->base.link || s->base.remote_detached || s->base.local_closed)
            return detached_error(s);
        if (can_send(s))
            break;
        famqp_client_status st = client_wait(c, deadline_at(deadline), can_send, s);
        if (st == FAMQP_CLIENT_ERR_TIMEOUT)
            return client_set_error(c, st, NULL, NULL,
                                    famqp_link_credit(s->base.link) == 0
                                        ? "timed out waiting for credit from the peer"
                                        : "timed out waiting for outcomes (window of %u deliveries full)",
                                    s->window);
        if (st != FAMQP_CLIENT_OK)
            return st;
        if (c->failed)
            continue;
        if (!s->base.link || s->base.remote_detached)
            return detached_error(s);
        if (pipelined)
            client_output_written(c);
        break;
    }
    bool keep = retaining(s);
    if (keep && !kept_reserve(s, len))
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory keeping a copy for resending");
    size_t before = 0;
    famqp_connection_output(c->conn, &before);
    uint8_t tag[8];
    put_tag(tag, s->next_tag++);
    famqp_engine_status es = famqp_link_send_format(s->base.link, famqp_binary_of(tag, sizeof tag), format, bytes,
                                                    len, s->presettled, out);
    if (es != FAMQP_ENGINE_OK)
        return client_set_error(c, es == FAMQP_ENGINE_ERR_NOMEM ? FAMQP_CLIENT_ERR_NOMEM : FAMQP_CLIENT_ERR_STATE,
                                NULL, NULL, "send failed: %s", famqp_engine_status_name(es));
    if (keep && *out)
        kept_push(s, *out, format, bytes, len);
    s->sum.sent++;
    if (s->presettled)
        s->sum.presettled++;
    else
        s->sum.in_flight++;
    /* Out now, or soon: the linger (client.h, max_send_delay_us). */
    if (pipelined)
        client_output_linger(c, before == 0);
    return FAMQP_CLIENT_OK;
}

static famqp_client_status encode(famqp_sender *s, const famqp_message *m, size_t *len)
{
    size_t need = famqp_message_encode(NULL, 0, m);
    if (need > s->buf_cap) {
        uint8_t *b = realloc(s->buf, need);
        if (!b)
            return client_set_error(s->base.client, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
        s->buf = b;
        s->buf_cap = need;
    }
    *len = famqp_message_encode(s->buf, s->buf_cap, m);
    return FAMQP_CLIENT_OK;
}

static bool waiting_done(void *arg)
{
    famqp_sender *s = arg;
    return s->waiting_done || s->base.remote_detached;
}

famqp_client_status famqp_send_bytes(famqp_sender *s, const void *bytes, size_t len, int timeout_ms,
                                     famqp_outcome *outcome)
{
    return famqp_send_bytes_format(s, 0, bytes, len, timeout_ms, outcome);
}

famqp_client_status famqp_send_bytes_format(famqp_sender *s, uint32_t format, const void *bytes, size_t len,
                                            int timeout_ms, famqp_outcome *outcome)
{
    famqp_client *c = s->base.client;
    send_deadline dl = {.timeout_ms = timeout_ms};
    uint64_t deadline = deadline_at(&dl);
    if (outcome)
        memset(outcome, 0, sizeof *outcome);
    famqp_delivery *d;
    famqp_client_status st = send_one(s, format, bytes, len, &dl, false, &d);
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (!d) { /* pre-settled: done once written (deadline 0: no limit) */
        famqp_io_status io = famqp_io_flush(c->io, deadline ? famqp_io_ms_until(deadline) : -1);
        if (io == FAMQP_IO_ERR_AGAIN)
            return client_set_error(c, FAMQP_CLIENT_ERR_TIMEOUT, NULL, NULL,
                                    "timed out writing the pre-settled message to the socket (it stays queued "
                                    "and is written by the next call that does I/O)");
        /* A socket that failed while writing drops its output: that is no success. */
        if (io == FAMQP_IO_OK && famqp_io_state(c->io) == FAMQP_IO_OK)
            return FAMQP_CLIENT_OK;
        return famqp_client_pump(c, 0); /* the failure, or OK after a reconnect (at-most-once: lost) */
    }
    s->waiting = d;
    s->waiting_done = false;
    if (retaining(s) && s->kept_count && kept_at(s, s->kept_count - 1)->delivery == d)
        kept_at(s, s->kept_count - 1)->waited = true;
    st = client_wait(c, deadline, waiting_done, s);
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out waiting for the outcome of the message");
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (!s->waiting_done)
        return detached_error(s);
    if (outcome)
        *outcome = s->waiting_outcome;
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_send(famqp_sender *s, const famqp_message *m, int timeout_ms, famqp_outcome *outcome)
{
    size_t len;
    famqp_client_status st = encode(s, m, &len);
    return st != FAMQP_CLIENT_OK ? st : famqp_send_bytes(s, s->buf, len, timeout_ms, outcome);
}

famqp_client_status famqp_send_bytes_async(famqp_sender *s, const void *bytes, size_t len, int timeout_ms)
{
    return famqp_send_bytes_format_async(s, 0, bytes, len, timeout_ms);
}

famqp_client_status famqp_send_bytes_format_async(famqp_sender *s, uint32_t format, const void *bytes, size_t len,
                                                  int timeout_ms)
{
    famqp_delivery *d;
    send_deadline dl = {.timeout_ms = timeout_ms}; /* the clock is read only if the send waits */
    return send_one(s, format, bytes, len, &dl, true, &d);
}

famqp_client_status famqp_send_async(famqp_sender *s, const famqp_message *m, int timeout_ms)
{
    size_t len;
    famqp_client_status st = encode(s, m, &len);
    return st != FAMQP_CLIENT_OK ? st : famqp_send_bytes_async(s, s->buf, len, timeout_ms);
}

static bool all_settled(void *arg)
{
    famqp_sender *s = arg;
    if (s->base.remote_detached)
        return true;
    size_t pending = 0;
    famqp_connection_output(s->base.client->conn, &pending);
    return s->sum.in_flight == 0 && pending == 0;
}

void famqp_sender_summary(const famqp_sender *s, famqp_send_summary *summary) { *summary = s->sum; }

uint32_t famqp_sender_credit(const famqp_sender *s)
{
    return s->base.link ? famqp_link_credit(s->base.link) : 0;
}

famqp_client_status famqp_sender_wait_all(famqp_sender *s, int timeout_ms, famqp_send_summary *summary)
{
    famqp_client *c = s->base.client;
    famqp_client_status st = client_wait(c, client_deadline(timeout_ms), all_settled, s);
    if (summary)
        *summary = s->sum;
    if (st == FAMQP_CLIENT_ERR_TIMEOUT)
        return client_set_error(c, st, NULL, NULL, "timed out with %llu deliveries still waiting for an outcome",
                                (unsigned long long)s->sum.in_flight);
    if (st == FAMQP_CLIENT_OK && s->base.remote_detached && s->sum.in_flight)
        return detached_error(s);
    return st;
}

famqp_client_status famqp_sender_close(famqp_sender *s, int timeout_ms)
{
    if (!s)
        return FAMQP_CLIENT_OK;
    famqp_client_status st = client_link_close(&s->base, timeout_ms);
    sender_free(&s->base);
    return st;
}

/* No reattach: what was kept goes again through resend. */
static const client_link_ops sender_ops = {.role = FAMQP_LINK_SENDER, .event = sender_event, .lost = sender_lost,
                                           .forget = sender_forget, .resend = sender_resend, .free = sender_free};

famqp_link *famqp_sender_link(const famqp_sender *s) { return s->base.link; }
