/* famqp-broker's Event Hubs data plane: publishers to `<hub>` and
 * `<hub>/Partitions/<n>` (batches split into their events, each stamped
 * with x-opt-sequence-number, x-opt-offset, x-opt-enqueued-time and its
 * partition key, and appended to its partition's log), and readers on
 * `<hub>/ConsumerGroups/<group>/Partitions/<n>` (a cursor each, placed by
 * the selector filter, sending what their credit allows and then each new
 * event as it comes; epochs as the service has them). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "broker_eventhub.h"
#include "eventhub_protocol.h"
#include "famqp/batch.h"
#include "famqp/eventhubs.h"

/* The largest message a publisher may send, as the service's standard
 * tier advertises it (the SDKs size their batches by it). */
#define EH_MAX_MESSAGE_BYTES (1024u * 1024u)
/* Receivers of one partition in one consumer group, at most (the
 * service's quota). */
enum { EH_MAX_READERS = 5 };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool eh_setup(broker *b)
{
    const emu_config *e = b->cfg.entities;
    if (!e || !e->nhubs)
        return true;
    b->hubs = calloc(e->nhubs, sizeof *b->hubs);
    if (!b->hubs)
        return false;
    b->nhubs = e->nhubs;
    int64_t now = now_ms();
    for (size_t i = 0; i < e->nhubs; i++) {
        eh_hub *h = &b->hubs[i];
        h->cfg = &e->hubs[i];
        h->created_ms = now;
        h->parts = calloc(h->cfg->partitions, sizeof *h->parts);
        if (!h->parts)
            return false; /* eh_free frees what was made */
    }
    return true;
}

void eh_free(broker *b)
{
    for (size_t i = 0; i < b->nhubs; i++) {
        eh_hub *h = &b->hubs[i];
        for (uint32_t p = 0; h->parts && p < h->cfg->partitions; p++) {
            eh_partition *pt = &h->parts[p];
            for (size_t k = 0; k < pt->count; k++)
                free(pt->ring[(pt->start + k) % pt->cap]);
            free(pt->ring);
            free(pt->readers);
        }
        free(h->parts);
    }
    free(b->hubs);
    b->hubs = NULL;
    b->nhubs = 0;
}

eh_hub *eh_find_hub(broker *b, famqp_string name)
{
    for (size_t i = 0; i < b->nhubs; i++) {
        const char *n = b->hubs[i].cfg->name;
        if (strlen(n) == name.len && strncasecmp(n, name.ptr, name.len) == 0)
            return &b->hubs[i];
    }
    return NULL;
}

/* ---- the log ------------------------------------------------------------ */

static eh_event *event_at(const eh_partition *pt, int64_t seq)
{
    return pt->ring[(pt->start + (size_t)(seq - pt->first_seq)) % pt->cap];
}

static void drop_oldest(eh_partition *pt)
{
    eh_event *e = pt->ring[pt->start];
    pt->bytes -= e->len;
    free(e);
    pt->start = (pt->start + 1) % pt->cap;
    pt->count--;
    pt->first_seq++;
}

/* mu held: room for one more event of len bytes (the oldest dropped past
 * the retention limits); false: out of memory. */
static bool make_room(const broker_config *cfg, eh_partition *pt, size_t len)
{
    while (pt->count && (pt->count + 1 > cfg->eh_max_events || pt->bytes + len > cfg->eh_max_bytes))
        drop_oldest(pt);
    if (pt->count < pt->cap)
        return true;
    size_t cap = pt->cap ? pt->cap * 2 : 64;
    eh_event **ring = malloc(cap * sizeof *ring);
    if (!ring)
        return false;
    for (size_t k = 0; k < pt->count; k++)
        ring[k] = pt->ring[(pt->start + k) % pt->cap];
    free(pt->ring);
    pt->ring = ring;
    pt->cap = cap;
    pt->start = 0;
    return true;
}

/* mu held: stamps ev[0..n) as the partition's next event and appends it. */
static bool append(const broker_config *cfg, eh_partition *pt, const uint8_t *ev, size_t n, famqp_string key,
                   int64_t enqueued_ms)
{
    eh_stamp st = {pt->next_seq, pt->next_offset, enqueued_ms, key};
    size_t len = eh_stamp_event(NULL, 0, ev, n, &st, NULL);
    eh_event *e = len ? malloc(sizeof *e + len) : NULL;
    if (!e || !make_room(cfg, pt, len)) {
        free(e);
        return false;
    }
    eh_stamp_event(e->data, len, ev, n, &st, NULL);
    e->len = len;
    e->seq = st.sequence_number;
    e->offset = st.offset;
    e->enqueued_ms = enqueued_ms;
    if (pt->count == 0)
        pt->first_seq = pt->next_seq;
    pt->ring[(pt->start + pt->count) % pt->cap] = e;
    pt->count++;
    pt->bytes += len;
    pt->next_seq++;
    pt->next_offset += len;
    pt->last_ms = enqueued_ms;
    return true;
}

/* ---- publishing --------------------------------------------------------- */

static void reject(famqp_delivery *d, const char *condition, const char *what, const famqp_error *err)
{
    char desc[300], where[160] = "";
    if (err)
        famqp_error_format(err, where, sizeof where);
    snprintf(desc, sizeof desc, "%s%s%s", what, err ? ": " : "", where);
    famqp_delivery_reject(d, condition, desc);
}

void eh_publish(client *cl, producer *p, famqp_delivery *d)
{
    worker *w = cl->w;
    broker *b = w->b;
    famqp_binary raw = famqp_delivery_message(d);
    bool batch = famqp_delivery_message_format(d) == FAMQP_BATCH_MESSAGE_FORMAT;
    famqp_error err;
    famqp_string key = {0};
    famqp_batch_reader r;
    famqp_message m;
    /* Checked whole before anything is stored: a bad batch stores nothing. */
    if (batch) {
        if (famqp_batch_reader_init(&r, raw.ptr, raw.len, &err) != FAMQP_OK) {
            reject(d, "amqp:decode-error", "the batch (message-format 0x80013700) does not decode", &err);
            return;
        }
        famqp_event_partition_key(&r.outer, &key);
        while (famqp_batch_next(&r, &m))
            ;
        if (famqp_batch_reader_status(&r, &err) != FAMQP_OK) {
            char what[80];
            snprintf(what, sizeof what, "event %u of the batch does not decode", r.index);
            reject(d, "amqp:decode-error", what, &err);
            return;
        }
        famqp_batch_reader_init(&r, raw.ptr, raw.len, NULL);
    } else {
        if (famqp_message_decode(raw.ptr, raw.len, &m, &err) != FAMQP_OK) {
            reject(d, "amqp:decode-error", "the event does not decode", &err);
            return;
        }
        famqp_event_partition_key(&m, &key);
    }
    eh_hub *h = p->hub;
    bool ok = true;
    pthread_mutex_lock(&b->mu);
    uint32_t part = p->partition >= 0 ? (uint32_t)p->partition
                    : key.ptr         ? eh_partition_for_key(key.ptr, key.len, h->cfg->partitions)
                                      : h->rr++ % h->cfg->partitions;
    eh_partition *pt = &h->parts[part];
    int64_t t = now_ms();
    if (t < pt->last_ms)
        t = pt->last_ms; /* never back in time within a partition */
    if (batch) {
        /* The outer message's key goes on every event. */
        famqp_string stamp_key = key.ptr ? key : (famqp_string){0};
        while (ok && famqp_batch_next(&r, &m))
            ok = append(&b->cfg, pt, r.current.ptr, r.current.len, stamp_key, t);
    } else {
        ok = append(&b->cfg, pt, raw.ptr, raw.len, (famqp_string){0}, t);
    }
    for (size_t i = 0; i < pt->nreaders; i++)
        if (pt->readers[i]->credit > 0)
            consumer_mark_ready(w, pt->readers[i]);
    pthread_mutex_unlock(&b->mu);
    worker_post_wakes(w);
    if (!ok)
        famqp_delivery_reject(d, "amqp:resource-limit-exceeded", "out of memory storing the event");
    else if (famqp_delivery_remote_settled(d))
        famqp_delivery_settle(d);
    else
        famqp_delivery_accept(d);
    worker_process(w, false);
}

/* ---- readers ------------------------------------------------------------ */

/* mu held: the first event a reader at pos gets. */
static int64_t position_seq(const eh_partition *pt, const eh_position *pos)
{
    int64_t lo = pt->first_seq, hi = pt->next_seq; /* the answer is in [lo, hi] */
    switch (pos->kind) {
    case EH_POS_START: return lo;
    case EH_POS_END: return hi;
    case EH_POS_SEQUENCE: {
        if (pos->value >= hi)
            return hi; /* past the newest: from the next event on */
        int64_t s = pos->inclusive ? pos->value : pos->value + 1;
        return s < lo ? lo : s;
    }
    default: break;
    }
    /* Offsets and times rise with the sequence number: the first event
     * past the value, by bisection. */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const eh_event *e = event_at(pt, mid);
        bool past = pos->kind == EH_POS_OFFSET
                        ? (pos->inclusive ? e->offset >= (uint64_t)pos->value : e->offset > (uint64_t)pos->value)
                        : (pos->inclusive ? e->enqueued_ms >= pos->value : e->enqueued_ms > pos->value);
        if (past)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void describe_epoch(char *out, size_t cap, const eh_reader *r)
{
    if (r->has_epoch)
        snprintf(out, cap, "epoch %lld", (long long)r->epoch);
    else
        snprintf(out, cap, "no epoch");
}

/* mu held: whether r may join its partition's readers of its group (else
 * why and *condition), and the readers it takes the partition from marked
 * stolen. */
static bool epoch_admit(worker *w, eh_reader *r, const char *addr, const char **condition, char *why, size_t cap)
{
    eh_partition *pt = &r->hub->parts[r->part];
    char mine[40], theirs[40];
    describe_epoch(mine, sizeof mine, r);
    size_t same = 0;
    for (size_t i = 0; i < pt->nreaders; i++) {
        eh_reader *o = pt->readers[i]->eh;
        if (o->group != r->group || o->stolen)
            continue;
        if (!(r->has_epoch && (!o->has_epoch || o->epoch < r->epoch)))
            same++; /* stays beside r */
        if (same >= EH_MAX_READERS) {
            *condition = "amqp:resource-limit-exceeded";
            snprintf(why, cap,
                     "'%.150s' has %d receivers in this consumer group already (at most %d per partition and group, "
                     "as the service allows)",
                     addr, EH_MAX_READERS, EH_MAX_READERS);
            return false;
        }
        bool blocked = r->has_epoch ? (o->has_epoch && o->epoch > r->epoch) : o->has_epoch;
        if (blocked) {
            *condition = "amqp:link:stolen";
            describe_epoch(theirs, sizeof theirs, o);
            snprintf(why, cap,
                     "a receiver with %s holds '%.150s': a receiver with %s cannot be created (use a higher epoch, "
                     "or close the other first)",
                     theirs, addr, mine);
            return false;
        }
    }
    if (!r->has_epoch)
        return true;
    for (size_t i = 0; i < pt->nreaders; i++) {
        consumer *c = pt->readers[i];
        eh_reader *o = c->eh;
        if (o->group != r->group || o->stolen || (o->has_epoch && o->epoch >= r->epoch))
            continue;
        describe_epoch(theirs, sizeof theirs, o);
        o->stolen = true;
        snprintf(o->stolen_by, sizeof o->stolen_by,
                 "a new receiver with %s took the partition: this receiver with %s is disconnected", mine, theirs);
        consumer_mark_ready(w, c); /* its worker detaches it */
    }
    return true;
}

static bool add_reader(eh_partition *pt, consumer *c)
{
    if (pt->nreaders == pt->rcap) {
        size_t cap = pt->rcap ? pt->rcap * 2 : 4;
        consumer **a = realloc(pt->readers, cap * sizeof *a);
        if (!a)
            return false;
        pt->readers = a;
        pt->rcap = cap;
    }
    pt->readers[pt->nreaders++] = c;
    return true;
}

void eh_reader_detach(consumer *c)
{
    eh_reader *r = c->eh;
    if (!r->listed)
        return;
    eh_partition *pt = &r->hub->parts[r->part];
    for (size_t i = 0; i < pt->nreaders; i++)
        if (pt->readers[i] == c) {
            pt->readers[i] = pt->readers[--pt->nreaders];
            break;
        }
    r->listed = false;
}

void eh_reader_free(eh_reader *r)
{
    if (r)
        free(r->scratch);
    free(r);
}

/* The link's com.microsoft:epoch (a long, as the SDKs send it; an int is
 * taken too).  False with why when it has another type. */
static bool read_epoch(famqp_link *l, eh_reader *r, char *why, size_t cap)
{
    famqp_map props = famqp_link_remote_properties(l);
    famqp_value v;
    if (!props.count || !famqp_map_get_symbol_key(&props, "com.microsoft:epoch", &v))
        return true;
    int32_t i;
    if (famqp_value_get_long(v, &r->epoch)) {
        r->has_epoch = true;
    } else if (famqp_value_get_int(v, &i)) {
        r->epoch = i;
        r->has_epoch = true;
    } else if (famqp_value_kind(v) != FAMQP_KIND_NULL) {
        snprintf(why, cap, "link property com.microsoft:epoch must be a long, not %s",
                 famqp_kind_name(famqp_value_kind(v)));
        return false;
    }
    return true;
}

/* The receiver wants the partition's last enqueued event with each event
 * (the SDKs' trackLastEnqueuedEventProperties). */
static const char *const runtime_metric_capability[] = {"com.microsoft:enable-receiver-runtime-metric"};

static void attach_reader(client *cl, famqp_link *l, const char *addr, eh_hub *h, uint32_t part, size_t group,
                          uint64_t auth_expiry_s)
{
    worker *w = cl->w;
    famqp_link_options o;
    famqp_link_options_init(&o);
    char why[400];
    eh_position pos;
    consumer *c = calloc(1, sizeof *c);
    eh_reader *r = calloc(1, sizeof *r);
    if (!c || !r || !client_add_consumer(cl, c)) {
        free(c);
        free(r);
        client_refuse_link(l, &o, "amqp:resource-limit-exceeded", "out of memory");
        return;
    }
    c->link = l;
    c->client = cl;
    c->eh = r;
    c->auth_expiry_s = auth_expiry_s;
    r->hub = h;
    r->part = part;
    r->group = group;
    famqp_symbols want = famqp_link_remote_desired_capabilities(l);
    for (uint32_t i = 0; i < want.count; i++)
        if (strcmp(want.items[i], runtime_metric_capability[0]) == 0) {
            r->runtime_metric = true;
            o.offered_capabilities = (famqp_symbols){runtime_metric_capability, 1};
        }
    const char *condition = "amqp:invalid-field";
    bool ok = eh_position_from_filter(famqp_link_remote_filter(l), &pos, why, sizeof why) &&
              read_epoch(l, r, why, sizeof why);
    if (ok) {
        pthread_mutex_lock(&w->b->mu);
        eh_partition *pt = &h->parts[part];
        ok = epoch_admit(w, r, addr, &condition, why, sizeof why);
        if (ok && !add_reader(pt, c)) {
            ok = false;
            condition = "amqp:resource-limit-exceeded";
            snprintf(why, sizeof why, "out of memory");
        }
        r->listed = ok;
        r->next_seq = position_seq(pt, &pos);
        pthread_mutex_unlock(&w->b->mu);
        worker_post_wakes(w);
    }
    o.source_address = addr;
    o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    o.rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
    if (!ok) {
        cl->nconsumers--; /* c, added last */
        free(c);
        free(r);
        client_refuse_link(l, &o, condition, why);
        if (w->b->cfg.verbose)
            fprintf(stderr, "famqp-broker: %s refused a reader of '%s': %s\n", famqp_io_peer(cl->io), addr, why);
        return;
    }
    famqp_link_set_context(l, c);
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    consumer_flush(w, c);
    worker_process(w, false);
    if (w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached a reader of '%s' from sequence number %lld\n",
                famqp_io_peer(cl->io), addr, (long long)r->next_seq);
}

static void attach_publisher(client *cl, famqp_link *l, const char *addr, eh_hub *h, int32_t part,
                             uint64_t auth_expiry_s)
{
    worker *w = cl->w;
    famqp_link_options o;
    famqp_link_options_init(&o);
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
    p->hub = h;
    p->partition = part;
    p->auth_expiry_s = auth_expiry_s;
    o.target_address = addr;
    o.credit_window = w->b->cfg.credit; /* the log never fills: the engine keeps it granted */
    o.max_message_size = EH_MAX_MESSAGE_BYTES;
    famqp_link_set_context(l, p);
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (w->b->cfg.verbose)
        fprintf(stderr, "famqp-broker: %s attached a publisher to '%s'\n", famqp_io_peer(cl->io), addr);
}

bool eh_attach(client *cl, famqp_link *l, const char *addr, bool sender, uint64_t auth_expiry_s)
{
    broker *b = cl->w->b;
    eh_address a;
    char why[400];
    eh_address_kind kind = eh_address_parse(cbs_entity_path(addr), &a, why, sizeof why);
    eh_hub *h = kind == EH_ADDRESS_OTHER ? NULL : eh_find_hub(b, a.hub);
    if (!h)
        return false;
    famqp_link_options o;
    famqp_link_options_init(&o);
    if (sender)
        o.source_address = addr;
    else
        o.target_address = addr;
    uint32_t part = 0, n = h->cfg->partitions;
    if (kind == EH_ADDRESS_BAD) {
        client_refuse_link(l, &o, "amqp:not-found", why);
    } else if (sender && kind != EH_ADDRESS_GROUP_PARTITION) {
        snprintf(why, sizeof why,
                 "'%.150s' is an event hub publishing address: receive from "
                 "%s/ConsumerGroups/<group>/Partitions/<partition>",
                 addr, h->cfg->name);
        client_refuse_link(l, &o, "amqp:not-found", why);
    } else if (!sender && kind == EH_ADDRESS_GROUP_PARTITION) {
        snprintf(why, sizeof why,
                 "'%.150s' is a consumer group's partition: send to %s or %s/Partitions/<partition>", addr,
                 h->cfg->name, h->cfg->name);
        client_refuse_link(l, &o, "amqp:not-found", why);
    } else if (kind != EH_ADDRESS_HUB && !eh_partition_index(a.partition, n, &part)) {
        snprintf(why, sizeof why, "event hub '%s' has no partition '%.*s' (its partitions are 0 to %u)",
                 h->cfg->name, (int)(a.partition.len > 40 ? 40 : a.partition.len), a.partition.ptr, n - 1);
        client_refuse_link(l, &o, "amqp:not-found", why);
    } else if (!sender) {
        attach_publisher(cl, l, addr, h, kind == EH_ADDRESS_HUB ? -1 : (int32_t)part, auth_expiry_s);
    } else {
        size_t g = 0;
        while (g < h->cfg->ngroups && !(strlen(h->cfg->groups[g]) == a.group.len &&
                                         strncasecmp(h->cfg->groups[g], a.group.ptr, a.group.len) == 0))
            g++;
        if (g == h->cfg->ngroups) {
            int k = snprintf(why, sizeof why, "consumer group '%.*s' does not exist in event hub '%s' (it has:",
                             (int)(a.group.len > 60 ? 60 : a.group.len), a.group.ptr, h->cfg->name);
            for (size_t i = 0; i < h->cfg->ngroups && k > 0 && (size_t)k < sizeof why; i++)
                k += snprintf(why + k, sizeof why - (size_t)k, " %s", h->cfg->groups[i]);
            if (k > 0 && (size_t)k < sizeof why - 1)
                snprintf(why + k, sizeof why - (size_t)k, ")");
            client_refuse_link(l, &o, "amqp:not-found", why);
        } else {
            attach_reader(cl, l, addr, h, part, g, auth_expiry_s);
        }
    }
    return true;
}

static void put_tag(uint8_t tag[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        tag[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* mu held: e with the partition's runtime info, in r's scratch buffer
 * (false: out of memory). */
static bool with_runtime_info(eh_reader *r, const eh_partition *pt, const eh_event *e, famqp_binary *out)
{
    const eh_event *last = event_at(pt, pt->next_seq - 1);
    eh_runtime_info ri = {last->seq, last->offset, last->enqueued_ms, now_ms()};
    size_t need = eh_with_runtime_info(NULL, 0, e->data, e->len, &ri);
    if (need > r->scratch_cap) {
        uint8_t *p = realloc(r->scratch, need);
        if (!p)
            return false;
        r->scratch = p;
        r->scratch_cap = need;
    }
    *out = famqp_binary_of(r->scratch, eh_with_runtime_info(r->scratch, r->scratch_cap, e->data, e->len, &ri));
    return out->len > 0;
}

void eh_reader_flush(worker *w, consumer *c)
{
    eh_reader *r = c->eh;
    broker *b = w->b;
    pthread_mutex_lock(&b->mu);
    if (r->stolen) {
        char why[sizeof r->stolen_by];
        memcpy(why, r->stolen_by, sizeof why);
        pthread_mutex_unlock(&b->mu);
        client_close_link(c->client, c->link, "amqp:link:stolen", why); /* frees c */
        return;
    }
    eh_partition *pt = &r->hub->parts[r->part];
    if (r->next_seq < pt->first_seq)
        r->next_seq = pt->first_seq; /* retention dropped what it had not read */
    /* Pre-settled unless the receiver asked for unsettled transfers: the
     * log is not consumed, so outcomes change nothing. */
    bool settled = famqp_link_remote_snd_settle_mode(c->link) != 0;
    bool failed = false;
    while (famqp_link_credit(c->link) > 0 && r->next_seq < pt->next_seq) {
        const eh_event *e = event_at(pt, r->next_seq);
        uint8_t tag[8];
        put_tag(tag, (uint64_t)e->seq);
        famqp_binary payload = {e->data, e->len};
        if (r->runtime_metric && !with_runtime_info(r, pt, e, &payload)) {
            failed = true; /* out of memory: until its next flow */
            break;
        }
        if (famqp_link_send_format(c->link, famqp_binary_of(tag, sizeof tag), 0, payload.ptr, payload.len, settled,
                                   NULL) != FAMQP_ENGINE_OK) {
            failed = true; /* the connection failed, or unsettled ones at the limit: until its next flow */
            break;
        }
        r->next_seq++;
    }
    c->credit = failed ? 0 : famqp_link_credit(c->link);
    pthread_mutex_unlock(&b->mu);
    client_flush(c->client);
}
