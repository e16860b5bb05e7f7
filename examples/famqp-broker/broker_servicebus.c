/* famqp-broker's Service Bus data plane: senders to a queue or topic
 * (batches split; a topic's send copied to each subscription), receivers
 * on a queue, a subscription or a dead-letter queue in peek-lock (the
 * delivery tag is the lock token, x-opt-* annotations stamped in, locks
 * ending after LockDuration) or receive-and-delete, the settlements as
 * @azure/service-bus sends them (complete accepted, abandon modified,
 * defer modified undeliverable-here, dead-letter rejected with the reason
 * in its info), MaxDeliveryCount, time to live, scheduled messages and
 * sessions (the com.microsoft:session-filter of the attach).  Lock
 * expiry, schedules and expiry times are checked every SB_TICK_MS on one
 * worker. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "broker_servicebus.h"
#include "famqp/batch.h"

enum {
    SB_TICK_MS = 50,                    /* lock, schedule and expiry checks */
    SB_MAX_MESSAGE_BYTES = 256 * 1024,  /* as the service's standard tier */
    SB_ANN_ROOM = 256                   /* our annotations' bytes, at most */
};

int64_t sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    uint8_t *p = realloc(*buf, need);
    if (!p)
        return false;
    *buf = p;
    *cap = need;
    return true;
}

/* Room for one more element of size bytes in *arr (n used of *cap). */
static bool room_for_one(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 8;
    void *a = realloc(*(void **)arr, c * size);
    if (!a)
        return false;
    *(void **)arr = a;
    *cap = c;
    return true;
}

/* The delivery tag of a lock token and back: the SDKs read a 16-byte tag
 * as a .NET GUID (the first three fields little-endian). */
static void guid_swap(const uint8_t in[16], uint8_t out[16])
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = in[order[i]];
}

/* ---- entities ----------------------------------------------------------- */

static sb_entity *add_entity(struct sb_state *s, const char *path, const emu_sb_props *props)
{
    sb_entity **a = realloc(s->ents, (s->nents + 1) * sizeof *a);
    if (!a)
        return NULL;
    s->ents = a;
    sb_entity *e = calloc(1, sizeof *e);
    if (!e || !(e->path = dup_n(path, strlen(path)))) {
        free(e);
        return NULL;
    }
    e->props = props;
    e->next_seq = 1;
    s->ents[s->nents++] = e;
    return e;
}

/* An entity that holds messages, and its dead-letter queue. */
static sb_entity *add_with_dlq(struct sb_state *s, const char *path, const emu_sb_props *props)
{
    char dlq[600];
    snprintf(dlq, sizeof dlq, "%s/$deadletterqueue", path);
    sb_entity *e = add_entity(s, path, props);
    if (!e)
        return NULL;
    e->dlq = add_entity(s, dlq, props);
    if (!e->dlq)
        return NULL;
    e->dlq->is_dlq = true;
    return e;
}

/* A forwarding target by name: a queue or topic other than e (NULL: none,
 * said on stderr when named). */
static sb_entity *forward_target(broker *b, sb_entity *e, const char *name, const char *what)
{
    if (!name || !*name)
        return NULL;
    sb_entity *t = sb_find(b, name, strlen(name));
    if (!t || t == e || t->is_dlq || strchr(t->path, '/')) {
        fprintf(stderr, "famqp-broker: '%s': %s '%s' is not another queue or topic: not forwarded\n", e->path, what,
                name);
        return NULL;
    }
    return t;
}

static void resolve_forwards(broker *b, sb_entity *e)
{
    if (e->is_dlq || e->topic)
        return;
    e->fwd = forward_target(b, e, e->props->forward_to, "ForwardTo");
    e->fwd_dlq = forward_target(b, e, e->props->forward_dead_lettered_to, "ForwardDeadLetteredMessagesTo");
}

bool sb_setup(broker *b)
{
    const emu_config *c = b->cfg.entities;
    if (!c || (!c->nqueues && !c->ntopics))
        return true;
    struct sb_state *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    b->sb = s;
    for (size_t i = 0; i < c->nqueues; i++)
        if (!add_with_dlq(s, c->queues[i].name, &c->queues[i].props))
            return false;
    for (size_t i = 0; i < c->ntopics; i++) {
        const emu_topic *t = &c->topics[i];
        sb_entity *te = add_entity(s, t->name, &t->props);
        if (!te || !(te->subs = calloc(t->nsubs, sizeof *te->subs)))
            return false;
        te->topic = true;
        for (size_t k = 0; k < t->nsubs; k++) {
            char path[400];
            snprintf(path, sizeof path, "%s/Subscriptions/%s", t->name, t->subs[k].name);
            if (!(te->subs[k] = add_with_dlq(s, path, &t->subs[k].props)))
                return false;
            te->nsubs++;
            if (!sb_rules_compile(path, &t->subs[k], &te->subs[k]->rules))
                return false;
        }
    }
    for (size_t i = 0; i < s->nents; i++)
        resolve_forwards(b, s->ents[i]);
    return true;
}

static void free_msg(sb_msg *m)
{
    if (m)
        free(m->session);
    free(m);
}

void sb_free(broker *b)
{
    struct sb_state *s = b->sb;
    if (!s)
        return;
    famqp_loop_timer_free(s->tick);
    for (size_t i = 0; i < s->nents; i++) {
        sb_entity *e = s->ents[i];
        while (e->head) {
            sb_msg *m = e->head;
            e->head = m->next;
            free_msg(m);
        }
        for (size_t k = 0; k < e->nsessions; k++) {
            free(e->sessions[k].id);
            free(e->sessions[k].state);
        }
        free(e->sessions);
        sb_rules_free(e->rules);
        for (size_t k = 0; k < e->ndups; k++)
            free(e->dups[k].id);
        free(e->dups);
        free(e->receivers);
        free(e->subs);
        free(e->path);
        free(e);
    }
    free(s->ents);
    free(s);
    b->sb = NULL;
}

sb_entity *sb_find(broker *b, const char *path, size_t len)
{
    for (size_t i = 0; b->sb && i < b->sb->nents; i++) {
        sb_entity *e = b->sb->ents[i];
        if (strlen(e->path) == len && strncasecmp(e->path, path, len) == 0)
            return e;
    }
    return NULL;
}

/* ---- messages ----------------------------------------------------------- */

static void msg_unlink(sb_entity *e, sb_msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        e->head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        e->tail = m->prev;
    m->prev = m->next = NULL;
    e->count--;
}

static void msg_append(sb_entity *e, sb_msg *m)
{
    m->next = NULL;
    m->prev = e->tail;
    if (e->tail)
        e->tail->next = m;
    else
        e->head = m;
    e->tail = m;
    e->count++;
}

/* m's place in e taken by n. */
static void msg_replace(sb_entity *e, sb_msg *m, sb_msg *n)
{
    n->prev = m->prev;
    n->next = m->next;
    if (m->prev)
        m->prev->next = n;
    else
        e->head = n;
    if (m->next)
        m->next->prev = n;
    else
        e->tail = n;
}

void sb_new_lock(broker *b, int64_t seq, uint8_t lock[16])
{
    uint64_t n = ++b->sb->lock_counter;
    uint64_t t = (uint64_t)sb_now_ms();
    for (int i = 0; i < 8; i++) {
        lock[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
        lock[8 + i] = (uint8_t)((n ^ (t << 24)) >> (56 - 8 * i));
    }
    lock[6] = (uint8_t)((lock[6] & 0x0f) | 0x40); /* a version 4 uuid's bits, as GUIDs look */
}

sb_msg *sb_find_locked(sb_entity *e, const uint8_t lock[16])
{
    for (sb_msg *m = e->head; m; m = m->next)
        if (m->state == SB_LOCKED && memcmp(m->lock, lock, 16) == 0)
            return m;
    return NULL;
}

sb_msg *sb_find_seq(sb_entity *e, int64_t seq)
{
    for (sb_msg *m = e->head; m; m = m->next)
        if (m->seq == seq)
            return m;
    return NULL;
}

static bool key_is(famqp_value k, const char *name)
{
    famqp_string s;
    famqp_symbol y;
    if (famqp_value_get_string(k, &s))
        return s.len == strlen(name) && memcmp(s.ptr, name, s.len) == 0;
    if (famqp_value_get_symbol(k, &y))
        return y.len == strlen(name) && memcmp(y.ptr, name, y.len) == 0;
    return false;
}

/* A key of props (string or symbol) that is set (its value not null). */
static bool in_props(famqp_map props, famqp_value k)
{
    famqp_iter it;
    famqp_value pk, pv;
    famqp_string s;
    famqp_symbol y;
    famqp_string name;
    if (famqp_value_get_string(k, &s))
        name = s;
    else if (famqp_value_get_symbol(k, &y))
        name = (famqp_string){y.ptr, y.len};
    else
        return false;
    famqp_map_iter(&props, &it);
    while (famqp_map_next(&it, &pk, &pv)) {
        char key[256];
        if (name.len >= sizeof key)
            continue;
        memcpy(key, name.ptr, name.len);
        key[name.len] = '\0';
        if (famqp_value_kind(pv) != FAMQP_KIND_NULL && key_is(pk, key))
            return true;
    }
    return false;
}

/* A key as application properties need it: a string (a symbol's text
 * written as a string). */
static bool write_key_as_string(famqp_writer *w, famqp_value k)
{
    famqp_string s;
    famqp_symbol y;
    if (famqp_value_get_string(k, &s)) {
        famqp_write_string(w, s);
        return true;
    }
    if (famqp_value_get_symbol(k, &y)) {
        famqp_write_string(w, (famqp_string){y.ptr, y.len});
        return true;
    }
    return false;
}

/* A copy of m (unlinked) with application properties: its own, those of
 * props (non-null values) set over them, then DeadLetterReason and
 * DeadLetterErrorDescription when given.  NULL: out of memory or m does
 * not decode. */
static sb_msg *with_properties(const sb_msg *m, famqp_map props, const char *reason, const char *description)
{
    famqp_message msg;
    if (famqp_message_decode(m->data, m->len, &msg, NULL) != FAMQP_OK)
        return NULL;
    famqp_map own = (msg.present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES) ? msg.application_properties.value
                                                                              : (famqp_map){0};
    size_t cap = own.len + props.len + (reason ? strlen(reason) : 0) + (description ? strlen(description) : 0) + 128;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return NULL;
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_map_begin(&w);
    famqp_iter it;
    famqp_value k, v;
    famqp_map_iter(&own, &it);
    while (famqp_map_next(&it, &k, &v))
        if (!in_props(props, k) && !(reason && key_is(k, "DeadLetterReason")) &&
            !(description && key_is(k, "DeadLetterErrorDescription"))) {
            famqp_write_value(&w, k);
            famqp_write_value(&w, v);
        }
    famqp_map_iter(&props, &it);
    while (famqp_map_next(&it, &k, &v))
        if (famqp_value_kind(v) != FAMQP_KIND_NULL && !(reason && key_is(k, "DeadLetterReason")) &&
            !(description && key_is(k, "DeadLetterErrorDescription")) && write_key_as_string(&w, k))
            famqp_write_value(&w, v);
    if (reason) {
        famqp_write_cstring(&w, "DeadLetterReason");
        famqp_write_cstring(&w, reason);
    }
    if (description) {
        famqp_write_cstring(&w, "DeadLetterErrorDescription");
        famqp_write_cstring(&w, description);
    }
    famqp_write_map_end(&w);
    sb_msg *n = NULL;
    if (famqp_writer_status(&w) == FAMQP_OK && famqp_message_set_application_properties(&msg, &w)) {
        size_t len = famqp_message_encode(NULL, 0, &msg);
        n = len ? malloc(sizeof *n + len) : NULL;
        if (n) {
            *n = *m;
            n->len = famqp_message_encode(n->data, len, &msg);
        }
    }
    free(buf);
    return n;
}

/* mu held: m leaves e for e's dead-letter queue with the reason (m may be
 * replaced by a copy with the properties set). */
static bool store_hops(worker *w, sb_entity *e, const uint8_t *ev, size_t n, int64_t *seq, int hops, char *why,
                       size_t cap);

static void dead_letter(worker *w, sb_entity *e, sb_msg *m, const char *reason, const char *description,
                        famqp_map props)
{
    sb_msg *n = with_properties(m, props, reason, description);
    msg_unlink(e, m);
    if (n)
        free(m); /* its session id now n's */
    else
        n = m; /* out of memory: dead-lettered without the reason */
    n->state = SB_AVAILABLE;
    n->holder = NULL;
    n->expires_ms = INT64_MAX; /* dead-lettered messages do not expire */
    char why[300];
    int64_t seq;
    if (e->fwd_dlq && store_hops(w, e->fwd_dlq, n->data, n->len, &seq, 1, why, sizeof why)) {
        free_msg(n); /* forwarded (a full or refusing target: into its own DLQ) */
        return;
    }
    if (e->dlq)
        msg_append(e->dlq, n);
    else
        free_msg(n);
}

/* mu held: a failed delivery (abandon, lock expiry): counted; dead-lettered
 * at MaxDeliveryCount. */
static void delivery_failed(worker *w, sb_entity *e, sb_msg *m)
{
    m->delivery_count++;
    m->holder = NULL;
    m->state = m->deferred ? SB_DEFERRED : SB_AVAILABLE;
    if (!e->is_dlq && m->delivery_count >= e->props->max_delivery_count) {
        char desc[120];
        snprintf(desc, sizeof desc, "Message could not be consumed after %u delivery attempts.",
                 e->props->max_delivery_count);
        dead_letter(w, e, m, "MaxDeliveryCountExceeded", desc, (famqp_map){0});
    }
}

void sb_wake(worker *w, sb_entity *e)
{
    for (size_t i = 0; i < e->nreceivers; i++)
        if (e->receivers[i]->credit > 0)
            consumer_mark_ready(w, e->receivers[i]);
}

bool sb_settle(worker *w, sb_entity *e, sb_msg *m, char kind, const char *reason, const char *description,
               famqp_map props)
{
    if (kind == 'x') {
        dead_letter(w, e, m, reason, description, props);
        return true;
    }
    if (props.count && kind != 'c') {
        sb_msg *n = with_properties(m, props, NULL, NULL);
        if (!n)
            return false;
        msg_replace(e, m, n);
        free(m);
        m = n;
    }
    switch (kind) {
    case 'c':
        msg_unlink(e, m);
        free_msg(m);
        break;
    case 'a': delivery_failed(w, e, m); break;
    case 'd':
        m->state = SB_DEFERRED;
        m->deferred = true;
        m->holder = NULL;
        break;
    default: /* released: available again, not counted */
        m->state = m->deferred ? SB_DEFERRED : SB_AVAILABLE;
        m->holder = NULL;
        break;
    }
    sb_wake(w, e);
    return true;
}

/* What a stored message carries that the broker reads. */
typedef struct msg_facts {
    famqp_message m;      /* decoded (views into the message) */
    famqp_string session; /* ptr NULL: none */
    famqp_string id;      /* its message-id when a string; ptr NULL: none */
    int64_t ttl_ms;       /* 0: none of its own */
    int64_t scheduled_ms; /* 0: none */
} msg_facts;

static bool read_facts(const uint8_t *ev, size_t n, msg_facts *f, char *why, size_t cap)
{
    famqp_error err;
    memset(f, 0, sizeof *f);
    famqp_message *mp = &f->m, m;
    if (famqp_message_decode(ev, n, mp, &err) != FAMQP_OK) {
        char where[160];
        famqp_error_format(&err, where, sizeof where);
        snprintf(why, cap, "the message does not decode: %s", where);
        return false;
    }
    m = *mp;
    if ((m.present & FAMQP_MESSAGE_HAS_PROPERTIES) && (m.properties.present & FAMQP_PROPERTIES_HAS_GROUP_ID))
        f->session = m.properties.group_id;
    if ((m.present & FAMQP_MESSAGE_HAS_PROPERTIES) && (m.properties.present & FAMQP_PROPERTIES_HAS_MESSAGE_ID) &&
        m.properties.message_id.kind == FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING)
        f->id = m.properties.message_id.u.message_id_string;
    if ((m.present & FAMQP_MESSAGE_HAS_HEADER) && (m.header.present & FAMQP_HEADER_HAS_TTL) && m.header.ttl)
        f->ttl_ms = m.header.ttl;
    famqp_value v;
    if ((m.present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS) &&
        famqp_map_get_symbol_key(&m.message_annotations.value, "x-opt-scheduled-enqueue-time", &v))
        famqp_value_get_timestamp(v, &f->scheduled_ms);
    return true;
}

/* Whether a message with facts f may go to e (why when not). */
static bool admits(const sb_entity *e, const msg_facts *f, char *why, size_t cap)
{
    const sb_entity *const *targets = e->topic ? (const sb_entity *const *)e->subs : &e;
    size_t n = e->topic ? e->nsubs : 1;
    for (size_t i = 0; i < n; i++)
        if (targets[i]->props->requires_session && !f->session.ptr && sb_rules_match(targets[i]->rules, &f->m)) {
            snprintf(why, cap,
                     "'%s' requires sessions: a message sent to it needs a session id (properties.group-id)",
                     targets[i]->path);
            return false;
        }
    return true;
}

/* mu held: e detects duplicates and saw id within its window (else id is
 * remembered now; out of memory: not remembered). */
static bool duplicate(sb_entity *e, famqp_string id, int64_t now)
{
    if (!e->props->requires_duplicate_detection || !id.ptr)
        return false;
    int64_t since = now - (int64_t)e->props->duplicate_window_ms;
    size_t old = 0;
    while (old < e->ndups && (e->dups[old].at_ms < since || e->ndups - old >= SB_MAX_DUPLICATE_IDS))
        free(e->dups[old++].id);
    if (old) {
        memmove(e->dups, e->dups + old, (e->ndups - old) * sizeof *e->dups);
        e->ndups -= old;
    }
    for (size_t i = 0; i < e->ndups; i++)
        if (strlen(e->dups[i].id) == id.len && memcmp(e->dups[i].id, id.ptr, id.len) == 0)
            return true;
    if (!room_for_one(&e->dups, e->ndups, &e->dcap, sizeof *e->dups))
        return false;
    char *copy = dup_n(id.ptr, id.len);
    if (copy)
        e->dups[e->ndups++] = (sb_dup){copy, now};
    return false;
}

/* ev[0..n) with a message-id (32 hex digits) set, as the service gives a
 * message sent without one: a malloc'd copy in *out (NULL: it has one, or
 * out of memory: stored without). */
static size_t with_message_id(broker *b, const uint8_t *ev, size_t n, uint8_t **out)
{
    famqp_message m;
    *out = NULL;
    if (famqp_message_decode(ev, n, &m, NULL) != FAMQP_OK ||
        ((m.present & FAMQP_MESSAGE_HAS_PROPERTIES) && (m.properties.present & FAMQP_PROPERTIES_HAS_MESSAGE_ID)))
        return 0;
    uint8_t id[16];
    char text[33];
    sb_new_lock(b, (int64_t)n, id);
    for (int i = 0; i < 16; i++)
        snprintf(text + 2 * i, 3, "%02x", id[i]);
    if (!(m.present & FAMQP_MESSAGE_HAS_PROPERTIES)) {
        m.properties = famqp_properties_defaults;
        m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    }
    m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    m.properties.message_id.u.message_id_string = (famqp_string){text, 32};
    m.properties.present |= FAMQP_PROPERTIES_HAS_MESSAGE_ID;
    size_t len = famqp_message_encode(NULL, 0, &m);
    if (!len || !(*out = malloc(len)))
        return 0;
    return famqp_message_encode(*out, len, &m);
}

bool sb_store(worker *w, sb_entity *e, const uint8_t *ev, size_t n, int64_t *seq, char *why, size_t cap)
{
    uint8_t *copy;
    size_t len = with_message_id(w->b, ev, n, &copy);
    bool ok = store_hops(w, e, copy ? copy : ev, copy ? len : n, seq, 0, why, cap);
    free(copy);
    return ok;
}

/* sb_store, the message having been forwarded hops times. */
static bool store_hops(worker *w, sb_entity *e, const uint8_t *ev, size_t n, int64_t *seq, int hops, char *why,
                       size_t cap)
{
    msg_facts f;
    if (!read_facts(ev, n, &f, why, cap) || !admits(e, &f, why, cap))
        return false;
    int64_t now = sb_now_ms();
    sb_entity **targets = e->topic ? e->subs : &e;
    size_t count = e->topic ? e->nsubs : 1;
    size_t max = w->b->cfg.max_depth;
    for (size_t i = 0; i < count; i++)
        if (targets[i]->count >= max && sb_rules_match(targets[i]->rules, &f.m)) {
            snprintf(why, cap, "quota exceeded: '%s' holds %zu messages (famqp-broker --max-depth %zu)",
                     targets[i]->path, targets[i]->count, max);
            return false;
        }
    if (duplicate(e, f.id, now)) {
        *seq = -1; /* accepted and dropped, as the service does */
        return true;
    }
    *seq = e->next_seq++;
    for (size_t i = 0; i < count; i++) {
        sb_entity *t = targets[i];
        if (!sb_rules_match(t->rules, &f.m))
            continue; /* a subscription whose rules do not take it */
        int64_t fseq;
        if (t->fwd && hops < SB_MAX_FORWARD_HOPS) {
            if (!store_hops(w, t->fwd, ev, n, &fseq, hops + 1, why, cap))
                return false;
            continue;
        }
        sb_msg *m = calloc(1, sizeof *m + n);
        if (!m || (f.session.ptr && !(m->session = dup_n(f.session.ptr, f.session.len)))) {
            free(m);
            snprintf(why, cap, "out of memory storing the message");
            return false;
        }
        memcpy(m->data, ev, n);
        m->len = n;
        m->seq = *seq;
        m->enqueued_ms = now;
        int64_t ttl = (int64_t)t->props->default_ttl_ms;
        if (f.ttl_ms && (ttl <= 0 || f.ttl_ms < ttl))
            ttl = f.ttl_ms;
        m->expires_ms = ttl > 0 ? now + ttl : INT64_MAX;
        if (f.scheduled_ms > now) {
            m->state = SB_SCHEDULED;
            m->visible_ms = f.scheduled_ms;
            if (m->expires_ms != INT64_MAX)
                m->expires_ms += f.scheduled_ms - now;
        }
        msg_append(t, m);
        sb_wake(w, t);
    }
    return true;
}

bool sb_cancel_scheduled(sb_entity *e, int64_t seq)
{
    sb_entity **targets = e->topic ? e->subs : &e;
    size_t count = e->topic ? e->nsubs : 1;
    bool found = false;
    for (size_t i = 0; i < count; i++) {
        sb_msg *m = sb_find_seq(targets[i], seq);
        if (m && m->state == SB_SCHEDULED) {
            msg_unlink(targets[i], m);
            free_msg(m);
            found = true;
        }
    }
    return found;
}

/* Our annotations, which the stored message's own of the same name give
 * way to. */
static bool ours(famqp_value k)
{
    return key_is(k, "x-opt-sequence-number") || key_is(k, "x-opt-enqueued-time") ||
           key_is(k, "x-opt-locked-until") || key_is(k, "x-opt-lock-token") || key_is(k, "x-opt-message-state");
}

size_t sb_render(const sb_msg *m, bool locked, uint8_t **buf, size_t *cap, uint8_t **ann, size_t *ann_cap)
{
    famqp_message msg;
    if (famqp_message_decode(m->data, m->len, &msg, NULL) != FAMQP_OK)
        return 0;
    famqp_map own = (msg.present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS) ? msg.message_annotations.value
                                                                           : (famqp_map){0};
    if (!grow(ann, ann_cap, own.len + SB_ANN_ROOM))
        return 0;
    famqp_writer w;
    famqp_writer_init(&w, *ann, *ann_cap);
    famqp_write_map_begin(&w);
    famqp_iter it;
    famqp_value k, v;
    famqp_map_iter(&own, &it);
    while (famqp_map_next(&it, &k, &v))
        if (!ours(k)) {
            famqp_write_value(&w, k);
            famqp_write_value(&w, v);
        }
    famqp_write_csymbol(&w, "x-opt-sequence-number");
    famqp_write_long(&w, m->seq);
    famqp_write_csymbol(&w, "x-opt-enqueued-time");
    famqp_write_timestamp(&w, m->enqueued_ms);
    /* 0 active, 1 deferred, 2 scheduled (the SDKs' message state) */
    famqp_write_csymbol(&w, "x-opt-message-state");
    famqp_write_int(&w, m->state == SB_SCHEDULED ? 2 : m->deferred ? 1 : 0);
    if (locked) {
        famqp_write_csymbol(&w, "x-opt-locked-until");
        famqp_write_timestamp(&w, m->locked_until);
        famqp_uuid u;
        memcpy(u.bytes, m->lock, 16);
        famqp_write_csymbol(&w, "x-opt-lock-token");
        famqp_write_uuid(&w, u);
    }
    famqp_write_map_end(&w);
    if (famqp_writer_status(&w) != FAMQP_OK || !famqp_message_set_message_annotations(&msg, &w))
        return 0;
    if (!(msg.present & FAMQP_MESSAGE_HAS_HEADER)) {
        msg.header = famqp_header_defaults;
        msg.present |= FAMQP_MESSAGE_HAS_HEADER;
    }
    msg.header.delivery_count = m->delivery_count;
    msg.header.present |= FAMQP_HEADER_HAS_DELIVERY_COUNT;
    msg.present &= ~(uint32_t)FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS; /* for the hop to us */
    size_t n = famqp_message_encode(NULL, 0, &msg);
    if (!n || !grow(buf, cap, n))
        return 0;
    return famqp_message_encode(*buf, *cap, &msg);
}

sb_session *sb_session_get(sb_entity *e, const char *id, size_t len, bool create)
{
    for (size_t i = 0; i < e->nsessions; i++)
        if (strlen(e->sessions[i].id) == len && memcmp(e->sessions[i].id, id, len) == 0)
            return &e->sessions[i];
    if (!create)
        return NULL;
    if (!room_for_one(&e->sessions, e->nsessions, &e->scap, sizeof *e->sessions))
        return NULL;
    sb_session *s = &e->sessions[e->nsessions];
    memset(s, 0, sizeof *s);
    if (!(s->id = dup_n(id, len)))
        return NULL;
    e->nsessions++;
    return s;
}

/* ---- the tick: lock expiry, schedules, time to live --------------------- */

static void on_tick(famqp_loop_timer *t, void *arg)
{
    worker *w = arg;
    broker *b = w->b;
    int64_t now = sb_now_ms();
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < b->sb->nents; i++) {
        sb_entity *e = b->sb->ents[i];
        bool woke = false;
        sb_msg *next;
        for (sb_msg *m = e->head; m; m = next) {
            next = m->next;
            if (m->state == SB_LOCKED && m->locked_until <= now) {
                delivery_failed(w, e, m); /* available again, count + 1 */
                woke = true;
            } else if (m->state == SB_SCHEDULED && m->visible_ms <= now) {
                m->state = SB_AVAILABLE;
                woke = true;
            } else if (m->state == SB_AVAILABLE && m->expires_ms <= now) {
                if (e->props->dead_lettering_on_expiration && e->dlq) {
                    dead_letter(w, e, m, "TTLExpiredException", "The message expired and was dead lettered.",
                                (famqp_map){0});
                } else {
                    msg_unlink(e, m);
                    free_msg(m);
                }
            }
        }
        size_t kept = 0;
        for (size_t k = 0; k < e->nsessions; k++) {
            sb_session *ss = &e->sessions[k];
            if (ss->owner && ss->locked_until <= now) {
                ss->owner->sb->lost = true; /* detached by its worker */
                consumer_mark_ready(w, ss->owner);
                ss->owner = NULL;
                woke = true;
            }
            if (!ss->owner && !ss->state)
                free(ss->id); /* nothing to keep: made again when asked for */
            else
                e->sessions[kept++] = *ss;
        }
        e->nsessions = kept;
        if (woke)
            sb_wake(w, e);
    }
    pthread_mutex_unlock(&b->mu);
    worker_post_wakes(w);
    worker_process(w, false);
    famqp_loop_timer_start(t, SB_TICK_MS); /* on failure locks end only when next looked at */
}

/* Own thread: the tick runs (on the first worker with a Service Bus link). */
static void ensure_tick(worker *w)
{
    struct sb_state *s = w->b->sb;
    pthread_mutex_lock(&w->b->mu);
    if (!s->tick && famqp_loop_timer_new(w->loop, on_tick, w, &s->tick) == FAMQP_LOOP_OK) {
        s->tick_worker = w->index;
        famqp_loop_timer_start(s->tick, SB_TICK_MS);
    }
    pthread_mutex_unlock(&w->b->mu);
}

/* ---- receivers ---------------------------------------------------------- */

void sb_receiver_free(sb_receiver *r)
{
    if (!r)
        return;
    free(r->session);
    free(r->scratch);
    free(r->ann);
    free(r);
}

void sb_receiver_detach(consumer *c)
{
    sb_receiver *r = c->sb;
    if (!r->listed)
        return;
    sb_entity *e = r->ent;
    for (size_t i = 0; i < e->nreceivers; i++)
        if (e->receivers[i] == c) {
            e->receivers[i] = e->receivers[--e->nreceivers];
            break;
        }
    for (size_t i = 0; i < e->nsessions; i++)
        if (e->sessions[i].owner == c)
            e->sessions[i].owner = NULL;
    for (sb_msg *m = e->head; m; m = m->next)
        if (m->holder == c)
            m->holder = NULL; /* locked until its lock ends, settled through $management */
    r->listed = false;
}

/* mu held: the next message (from m on) r may get. */
static sb_msg *next_for(const sb_receiver *r, sb_msg *m, int64_t now)
{
    for (; m; m = m->next)
        if (m->state == SB_AVAILABLE && m->expires_ms > now &&
            (!r->session || (m->session && strcmp(m->session, r->session) == 0)))
            return m;
    return NULL;
}

void sb_receiver_flush(worker *w, consumer *c)
{
    sb_receiver *r = c->sb;
    broker *b = w->b;
    pthread_mutex_lock(&b->mu);
    if (r->lost) {
        char why[300];
        snprintf(why, sizeof why, "the lock of session '%.100s' of '%.100s' ended (not renewed within LockDuration)",
                 r->session, r->ent->path);
        pthread_mutex_unlock(&b->mu);
        client_close_link(c->client, c->link, "com.microsoft:session-lock-lost", why); /* frees c */
        return;
    }
    int64_t now = sb_now_ms();
    bool failed = false;
    sb_msg *m = r->ent->head;
    while (r->listed && famqp_link_credit(c->link) > 0 && (m = next_for(r, m, now))) {
        sb_msg *next = m->next;
        uint8_t tag[16], lock[16];
        sb_new_lock(b, m->seq, lock);
        if (r->peek_lock) {
            m->state = SB_LOCKED;
            m->holder = c;
            m->locked_until = now + (int64_t)r->ent->props->lock_duration_ms;
            memcpy(m->lock, lock, 16);
        }
        guid_swap(lock, tag);
        size_t len = sb_render(m, r->peek_lock, &r->scratch, &r->scratch_cap, &r->ann, &r->ann_cap);
        if (!len || famqp_link_send_format(c->link, famqp_binary_of(tag, sizeof tag), 0, r->scratch, len,
                                           !r->peek_lock, NULL) != FAMQP_ENGINE_OK) {
            m->state = SB_AVAILABLE; /* out of memory, or the connection failed: until its next flow */
            m->holder = NULL;
            failed = true;
            break;
        }
        if (!r->peek_lock) {
            msg_unlink(r->ent, m);
            free_msg(m);
        }
        m = next;
    }
    c->credit = failed ? 0 : famqp_link_credit(c->link);
    pthread_mutex_unlock(&b->mu);
    client_flush(c->client);
}

/* A string value of info (NULL: absent, null or not a string) into buf. */
static const char *info_string(famqp_map info, const char *key, char *buf, size_t cap)
{
    famqp_value v;
    famqp_string s;
    if (!info.count || !famqp_map_get_string_key(&info, key, &v) || !famqp_value_get_string(v, &s))
        return NULL;
    snprintf(buf, cap, "%.*s", (int)(s.len < cap ? s.len : cap - 1), s.ptr);
    return buf;
}

/* The settlement of an unsettled disposition echoes the outcome applied, as
 * the service does (an abandon comes back modified, a dead-letter rejected
 * without an error, a complete accepted): Microsoft's Python SDK compares
 * the echo with what it asked for. */
static void echo_outcome(famqp_delivery *d, famqp_outcome_kind kind)
{
    famqp_outcome echo = {.kind = kind};
    if (kind != FAMQP_OUTCOME_MODIFIED && kind != FAMQP_OUTCOME_REJECTED)
        echo.kind = FAMQP_OUTCOME_ACCEPTED;
    if (famqp_delivery_update(d, &echo, true) != FAMQP_ENGINE_OK && !famqp_delivery_settled(d))
        famqp_delivery_settle(d);
}

void sb_on_outcome(worker *w, consumer *c, famqp_delivery *d)
{
    sb_receiver *r = c->sb;
    famqp_binary tag = famqp_delivery_tag(d);
    if (!r->peek_lock || tag.len != 16) {
        if (!famqp_delivery_settled(d))
            famqp_delivery_settle(d);
        return;
    }
    uint8_t lock[16];
    guid_swap(tag.ptr, lock);
    famqp_outcome o = famqp_delivery_remote_state(d);
    char reason[256], desc[512];
    const char *lost = NULL;
    pthread_mutex_lock(&w->b->mu);
    sb_msg *m = sb_find_locked(r->ent, lock);
    if (!m) {
        lost = "the message's lock expired (or it was settled already): it is available again, its delivery "
               "count one higher";
    } else {
        bool ok;
        switch (o.kind) {
        case FAMQP_OUTCOME_ACCEPTED: ok = sb_settle(w, r->ent, m, 'c', NULL, NULL, (famqp_map){0}); break;
        case FAMQP_OUTCOME_MODIFIED:
            ok = sb_settle(w, r->ent, m, o.undeliverable_here ? 'd' : 'a', NULL, NULL, o.message_annotations);
            break;
        case FAMQP_OUTCOME_REJECTED:
            ok = sb_settle(w, r->ent, m, 'x', info_string(o.error_info, "DeadLetterReason", reason, sizeof reason),
                           info_string(o.error_info, "DeadLetterErrorDescription", desc, sizeof desc),
                           o.error_info);
            break;
        default: ok = sb_settle(w, r->ent, m, 'r', NULL, NULL, (famqp_map){0}); break;
        }
        if (!ok)
            lost = "out of memory applying the properties to modify";
    }
    pthread_mutex_unlock(&w->b->mu);
    if (!famqp_delivery_settled(d)) {
        if (famqp_delivery_remote_settled(d))
            famqp_delivery_settle(d);
        else if (lost)
            famqp_delivery_reject(d, "com.microsoft:message-lock-lost", lost);
        else
            echo_outcome(d, o.kind);
    }
    worker_post_wakes(w);
    worker_process(w, false);
}

/* ---- attach ------------------------------------------------------------- */

static const char *const session_filter_key = "com.microsoft:session-filter";

/* mu held: the session a receiver asking for id (NULL: the next available)
 * gets, owned by c; NULL with *condition and why when none. */
static sb_session *take_session(sb_entity *e, consumer *c, famqp_value asked, const char **condition, char *why,
                                size_t cap)
{
    famqp_string id;
    sb_session *s = NULL;
    int64_t now = sb_now_ms();
    if (famqp_value_get_string(asked, &id)) {
        s = sb_session_get(e, id.ptr, id.len, true);
        if (s && s->owner && s->owner != c) {
            *condition = "com.microsoft:session-cannot-be-locked";
            snprintf(why, cap, "session '%.100s' of '%s' is locked by another receiver", s->id, e->path);
            return NULL;
        }
    } else if (famqp_value_kind(asked) == FAMQP_KIND_NULL) {
        for (sb_msg *m = e->head; m && !s; m = m->next) {
            if (m->state != SB_AVAILABLE || !m->session || m->expires_ms <= now)
                continue;
            sb_session *t = sb_session_get(e, m->session, strlen(m->session), true);
            if (t && !t->owner)
                s = t;
        }
        if (!s) {
            *condition = "com.microsoft:timeout";
            snprintf(why, cap, "'%s' has no session with messages that no receiver holds", e->path);
            return NULL;
        }
    } else {
        *condition = "amqp:invalid-field";
        snprintf(why, cap, "%s must be a string or null", session_filter_key);
        return NULL;
    }
    if (!s) {
        *condition = "amqp:resource-limit-exceeded";
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    s->owner = c;
    s->locked_until = now + (int64_t)e->props->lock_duration_ms;
    return s;
}

static bool add_receiver(sb_entity *e, consumer *c)
{
    if (!room_for_one(&e->receivers, e->nreceivers, &e->rcap, sizeof *e->receivers))
        return false;
    e->receivers[e->nreceivers++] = c;
    return true;
}

static void attach_receiver(client *cl, famqp_link *l, const char *addr, sb_entity *e, uint64_t auth_expiry_s)
{
    worker *w = cl->w;
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.source_address = addr;
    o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    o.rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
    consumer *c = calloc(1, sizeof *c);
    sb_receiver *r = calloc(1, sizeof *r);
    if (!c || !r || !client_add_consumer(cl, c)) {
        free(c);
        free(r);
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return;
    }
    c->link = l;
    c->client = cl;
    c->sb = r;
    c->auth_expiry_s = auth_expiry_s;
    r->ent = e;
    r->peek_lock = famqp_link_remote_snd_settle_mode(l) != 1; /* settled: receive-and-delete */
    famqp_map filter = famqp_link_remote_filter(l);
    famqp_value asked;
    bool wants_session = filter.count && famqp_map_get_symbol_key(&filter, session_filter_key, &asked);
    bool sessions = e->props->requires_session && !e->is_dlq;
    const char *condition = NULL;
    char why[300];
    int64_t locked_until = 0;
    pthread_mutex_lock(&w->b->mu);
    if (sessions && !wants_session) {
        condition = "amqp:not-allowed";
        snprintf(why, sizeof why, "'%s' requires sessions: receive with a session receiver (%s)", e->path,
                 session_filter_key);
    } else if (!sessions && wants_session) {
        condition = "amqp:not-allowed";
        snprintf(why, sizeof why, "'%s' does not require sessions: receive without %s", e->path, session_filter_key);
    } else if (wants_session) {
        sb_session *s = take_session(e, c, asked, &condition, why, sizeof why);
        if (s && !(r->session = dup_n(s->id, strlen(s->id)))) {
            s->owner = NULL;
            condition = "amqp:resource-limit-exceeded";
            snprintf(why, sizeof why, "out of memory");
        }
        if (s)
            locked_until = s->locked_until;
    }
    if (!condition && !add_receiver(e, c)) {
        condition = "amqp:resource-limit-exceeded";
        snprintf(why, sizeof why, "out of memory");
    }
    r->listed = !condition;
    if (condition && r->session) {
        sb_session *s = sb_session_get(e, r->session, strlen(r->session), false);
        if (s)
            s->owner = NULL;
    }
    pthread_mutex_unlock(&w->b->mu);
    if (condition) {
        cl->nconsumers--; /* c, added last */
        free(c);
        sb_receiver_free(r);
        client_refuse_link(l, &o, condition, why);
        if (w->b->cfg.verbose)
            fprintf(stderr, "famqp-broker: %s refused a receiver of '%s': %s\n", famqp_io_peer(cl->io), addr, why);
        return;
    }
    uint8_t fbuf[400], pbuf[96];
    if (r->session) {
        famqp_fields_builder fb, pb;
        famqp_fields_init(&fb, fbuf, sizeof fbuf);
        famqp_write_cstring(famqp_fields_key(&fb, session_filter_key), r->session);
        famqp_fields_init(&pb, pbuf, sizeof pbuf);
        famqp_write_long(famqp_fields_key(&pb, "com.microsoft:locked-until-utc"),
                         locked_until * 10000 + SB_TICKS_AT_EPOCH);
        if (famqp_fields_finish(&fb, &o.source_filter) != FAMQP_OK ||
            famqp_fields_finish(&pb, &o.properties) != FAMQP_OK)
            o.source_filter = o.properties = (famqp_map){0}; /* not reached: ids are short */
    }
    famqp_link_set_context(l, c);
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    ensure_tick(w);
    consumer_flush(w, c);
    worker_process(w, false);
    if (w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached a %s receiver of '%s'%s%s\n", famqp_io_peer(cl->io),
                r->peek_lock ? "peek-lock" : "receive-and-delete", addr, r->session ? " session " : "",
                r->session ? r->session : "");
}

static void attach_sender(client *cl, famqp_link *l, const char *addr, sb_entity *e, uint64_t auth_expiry_s)
{
    worker *w = cl->w;
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.target_address = addr;
    producer *p = calloc(1, sizeof *p);
    bool slotted = p && worker_slot_new(w, p);
    if (!slotted || !client_add_producer(cl, p)) {
        if (slotted)
            worker_slot_free(w, p);
        free(p);
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return;
    }
    p->link = l;
    p->client = cl;
    p->sbe = e;
    p->auth_expiry_s = auth_expiry_s;
    o.credit_window = w->b->cfg.credit; /* kept granted by the engine */
    o.max_message_size = SB_MAX_MESSAGE_BYTES;
    o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    famqp_link_set_context(l, p);
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    ensure_tick(w);
    if (w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached a sender to '%s'\n", famqp_io_peer(cl->io), addr);
}

bool sb_attach(client *cl, famqp_link *l, const char *addr, bool sender, uint64_t auth_expiry_s)
{
    broker *b = cl->w->b;
    const char *path = cbs_entity_path(addr);
    size_t len = strlen(path);
    static const char mgmt[] = "/$management";
    size_t ml = sizeof mgmt - 1;
    if (len > ml && strcasecmp(path + len - ml, mgmt) == 0) {
        if (!sb_find(b, path, len - ml))
            return false;
        sb_mgmt_attach(cl, l, sender, addr);
        return true;
    }
    sb_entity *e = sb_find(b, path, len);
    if (!e)
        return false;
    famqp_link_options o;
    famqp_link_options_init(&o);
    char why[400];
    if (sender && e->topic) {
        o.source_address = addr;
        snprintf(why, sizeof why, "'%s' is a topic: receive from %s/Subscriptions/<subscription>", e->path, e->path);
        client_refuse_link(l, &o, "amqp:not-found", why);
    } else if (!sender && (e->is_dlq || strchr(e->path, '/'))) {
        o.target_address = addr;
        snprintf(why, sizeof why, "'%s' cannot be sent to: send to its queue or topic", e->path);
        client_refuse_link(l, &o, "amqp:not-allowed", why);
    } else if (sender) {
        attach_receiver(cl, l, addr, e, auth_expiry_s);
    } else {
        attach_sender(cl, l, addr, e, auth_expiry_s);
    }
    return true;
}

/* ---- sending ------------------------------------------------------------ */

void sb_publish(client *cl, producer *p, famqp_delivery *d)
{
    worker *w = cl->w;
    broker *b = w->b;
    famqp_binary raw = famqp_delivery_message(d);
    bool batch = famqp_delivery_message_format(d) == FAMQP_BATCH_MESSAGE_FORMAT;
    char why[400] = "";
    famqp_batch_reader r;
    famqp_message m;
    famqp_error err;
    msg_facts f;
    bool ok = true;
    /* Checked whole before anything is stored: a bad batch stores nothing. */
    if (raw.len > SB_MAX_MESSAGE_BYTES) {
        snprintf(why, sizeof why, "the message is %zu bytes: at most %u (the max-message-size of this link)", raw.len,
                 (unsigned)SB_MAX_MESSAGE_BYTES);
        famqp_delivery_reject(d, "amqp:link:message-size-exceeded", why);
        worker_process(w, false);
        return;
    }
    if (batch) {
        if (famqp_batch_reader_init(&r, raw.ptr, raw.len, &err) != FAMQP_OK) {
            snprintf(why, sizeof why, "the batch (message-format 0x80013700) does not decode");
            ok = false;
        }
        while (ok && famqp_batch_next(&r, &m))
            ok = read_facts(r.current.ptr, r.current.len, &f, why, sizeof why) && admits(p->sbe, &f, why, sizeof why);
        if (ok && famqp_batch_reader_status(&r, &err) != FAMQP_OK) {
            snprintf(why, sizeof why, "message %u of the batch does not decode", r.index);
            ok = false;
        }
        if (ok)
            famqp_batch_reader_init(&r, raw.ptr, raw.len, NULL);
    } else {
        ok = read_facts(raw.ptr, raw.len, &f, why, sizeof why) && admits(p->sbe, &f, why, sizeof why);
    }
    if (ok) {
        int64_t seq;
        pthread_mutex_lock(&b->mu);
        if (batch) {
            while (ok && famqp_batch_next(&r, &m))
                ok = sb_store(w, p->sbe, r.current.ptr, r.current.len, &seq, why, sizeof why);
        } else {
            ok = sb_store(w, p->sbe, raw.ptr, raw.len, &seq, why, sizeof why);
        }
        pthread_mutex_unlock(&b->mu);
        worker_post_wakes(w);
    }
    if (!ok)
        famqp_delivery_reject(d,
                              strstr(why, "out of memory") || strstr(why, "quota exceeded")
                                  ? "amqp:resource-limit-exceeded"
                                  : "amqp:invalid-field",
                              why);
    else if (famqp_delivery_remote_settled(d))
        famqp_delivery_settle(d);
    else
        famqp_delivery_accept(d);
    worker_process(w, false);
}
