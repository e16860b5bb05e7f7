/* Two engines wired in memory (see harness.h). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

uint64_t harness_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

void harness_client_options(famqp_connection_options *o)
{
    famqp_connection_options_init(o);
    o->role = FAMQP_CONNECTION_CLIENT;
    o->container_id = "test-client";
    o->hostname = "localhost";
    o->trace = -1;
}

void harness_server_options(famqp_connection_options *o)
{
    famqp_connection_options_init(o);
    o->role = FAMQP_CONNECTION_SERVER;
    o->container_id = "test-server";
    o->trace = -1;
}

static void side_init(side *s, const famqp_connection_options *o, const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    famqp_engine_status st = famqp_connection_new(o, &s->c);
    ck_assert_msg(st == FAMQP_ENGINE_OK && s->c != NULL, "famqp_connection_new(%s): %s", name, famqp_engine_status_name(st));
    s->answer = true;
    famqp_link_options_init(&s->answer_opts);
    s->answer_opts.credit_window = 100;
    s->on_delivery = DELIV_ACCEPT;
}

void pair_init(pair *p, const famqp_connection_options *client, const famqp_connection_options *server,
               enum chunking mode)
{
    memset(p, 0, sizeof *p);
    side_init(&p->a, client, "client");
    side_init(&p->b, server, "server");
    p->chunking = mode;
    p->rng = 0x9e3779b97f4a7c15u;
}

void pair_free(pair *p)
{
    famqp_connection_free(p->a.c);
    famqp_connection_free(p->b.c);
    p->a.c = p->b.c = NULL;
}

static void copy_cond(side *s, famqp_condition c)
{
    snprintf(s->cond, sizeof s->cond, "%s", c.name ? c.name : "");
    snprintf(s->desc, sizeof s->desc, "%s", c.description ? c.description : "");
}

static void handle_delivery(side *s, famqp_delivery *d)
{
    famqp_binary m = famqp_delivery_message(d);
    famqp_binary t = famqp_delivery_tag(d);
    s->nrecv++;
    s->recv_bytes += m.len;
    for (size_t i = 0; i < m.len; i++)
        s->recv_sum += m.ptr[i];
    s->last_len = m.len;
    memcpy(s->last_tag, t.ptr, t.len);
    s->last_tag_len = t.len;
    s->last_remote_settled = famqp_delivery_remote_settled(d);
    famqp_engine_status st = FAMQP_ENGINE_OK;
    switch (s->on_delivery) {
    case DELIV_HOLD:
        REQUIRE(s->nheld < MAX_HELD, "too many held deliveries");
        s->held[s->nheld++] = d;
        break;
    case DELIV_ACCEPT: st = famqp_delivery_accept(d); break;
    case DELIV_REJECT: st = famqp_delivery_reject(d, "amqp:precondition-failed", "test rejects"); break;
    case DELIV_RELEASE: st = famqp_delivery_release(d); break;
    case DELIV_MODIFY: st = famqp_delivery_modify(d, true, true); break;
    case DELIV_SETTLE: st = famqp_delivery_settle(d); break;
    }
    /* Settling fails only on a failed connection (allocation failure tests). */
    REQUIRE(st == FAMQP_ENGINE_OK || famqp_connection_failed(s->c), "%s: settling failed: %s", s->name,
            famqp_engine_status_name(st));
}

void side_drain_events(side *s)
{
    const famqp_event *e;
    while ((e = famqp_connection_next_event(s->c))) {
        if (s->nlog < MAX_LOG)
            s->log[s->nlog++] = e->type;
        s->count[e->type]++;
        if (e->condition.name || e->type == FAMQP_EVENT_CONNECTION_ERROR)
            copy_cond(s, e->condition);
        if (e->session)
            s->last_session = e->session;
        if (e->link)
            s->last_link = e->link;
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN:
            if (s->answer)
                famqp_connection_open(s->c); /* ERR_STATE when already open: fine */
            break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN:
            if (s->answer)
                famqp_session_open(e->session);
            break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH:
            if (s->answer) {
                famqp_link_set_options(e->link, &s->answer_opts);
                famqp_link_open(e->link);
            }
            break;
        case FAMQP_EVENT_DELIVERY: handle_delivery(s, e->delivery); break;
        case FAMQP_EVENT_DELIVERY_UPDATED: {
            famqp_outcome o = famqp_delivery_remote_state(e->delivery);
            s->outcome[o.kind]++;
            if (famqp_delivery_remote_settled(e->delivery))
                s->remote_settled++;
            snprintf(s->outcome_cond, sizeof s->outcome_cond, "%s", o.error.name ? o.error.name : "");
            snprintf(s->outcome_desc, sizeof s->outcome_desc, "%s", o.error.description ? o.error.description : "");
            s->last_modified_failed = o.delivery_failed;
            s->last_modified_undeliverable = o.undeliverable_here;
            break;
        }
        default: break;
        }
    }
}

/* The list count of a performative's body (descriptor 0x00 0x53 code). */
static uint32_t list_count(const uint8_t *b, size_t n)
{
    if (n >= 4 && b[3] == FAMQP_CODE_LIST0)
        return 0;
    if (n >= 6 && b[3] == FAMQP_CODE_LIST8)
        return b[5];
    if (n >= 12 && b[3] == FAMQP_CODE_LIST32)
        return (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
    return UINT32_MAX;
}

/* Fields of each performative (AMQP 1.0 part 2.7). */
static uint32_t performative_fields(famqp_any_frame_kind k)
{
    switch (k) {
    case FAMQP_ANY_FRAME_OPEN: return 10;
    case FAMQP_ANY_FRAME_BEGIN: return 8;
    case FAMQP_ANY_FRAME_ATTACH: return 14;
    case FAMQP_ANY_FRAME_FLOW: return 11;
    case FAMQP_ANY_FRAME_TRANSFER: return 11;
    case FAMQP_ANY_FRAME_DISPOSITION: return 6;
    case FAMQP_ANY_FRAME_DETACH: return 3;
    case FAMQP_ANY_FRAME_END: return 1;
    case FAMQP_ANY_FRAME_CLOSE: return 1;
    default: return 0;
    }
}

/* Counts the performatives in a buffer of whole frames (protocol headers
 * skipped). */
static void count_kinds(side *s, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        if (memcmp(p, "AMQP", 4) == 0) {
            p += 8;
            n -= 8;
            continue;
        }
        famqp_frame fr;
        size_t used;
        if (famqp_frame_parse(p, n, UINT32_MAX, &fr, &used, NULL) != FAMQP_OK)
            return;
        if (fr.type == FAMQP_FRAME_TYPE_AMQP && fr.body.len) {
            famqp_any_frame f;
            if (famqp_any_frame_decode(fr.body.ptr, fr.body.len, &f, NULL)) {
                s->sent_kind[f.kind]++;
                if (list_count(fr.body.ptr, fr.body.len) < performative_fields(f.kind))
                    s->short_kind[f.kind]++;
            }
        }
        p += used;
        n -= used;
    }
}

void side_feed(pair *p, side *s, const uint8_t *data, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t chunk = n - off;
        if (p->chunking == CHUNK_BYTE)
            chunk = 1;
        else if (p->chunking == CHUNK_RANDOM)
            chunk = 1 + (size_t)(harness_rand(&p->rng) % (chunk < 3000 ? chunk : 3000));
        famqp_connection_input(s->c, data + off, chunk);
        off += chunk;
    }
}

/* Moves everything one side has written to the other. */
static size_t move(pair *p, side *from, side *to)
{
    size_t len;
    const uint8_t *out = famqp_connection_output(from->c, &len);
    if (!len)
        return 0;
    if (from->count_frames)
        count_kinds(from, out, len);
    side_feed(p, to, out, len);
    famqp_connection_output_consume(from->c, len);
    p->bytes_moved += len;
    return len;
}

void pair_pump(pair *p)
{
    for (int rounds = 0; rounds < 100000; rounds++) {
        size_t moved = move(p, &p->a, &p->b) + move(p, &p->b, &p->a);
        size_t before = p->a.nlog + p->b.nlog;
        side_drain_events(&p->a);
        side_drain_events(&p->b);
        size_t la, lb;
        famqp_connection_output(p->a.c, &la);
        famqp_connection_output(p->b.c, &lb);
        if (!moved && before == p->a.nlog + p->b.nlog && !la && !lb)
            return;
    }
    ck_abort_msg("pair_pump: no quiescence after 100000 rounds");
}

void pair_connect(pair *p, famqp_session **cs, famqp_session **ss)
{
    ck_assert_int_eq(famqp_connection_open(p->a.c), FAMQP_ENGINE_OK);
    famqp_session *s;
    famqp_session_new(p->a.c, &s);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_msg(!famqp_connection_failed(p->a.c), "client failed: %s", p->a.desc);
    ck_assert_msg(!famqp_connection_failed(p->b.c), "server failed: %s", p->b.desc);
    ck_assert_int_eq(p->a.count[FAMQP_EVENT_CONNECTION_REMOTE_OPEN], 1);
    ck_assert_int_eq(p->a.count[FAMQP_EVENT_SESSION_REMOTE_BEGIN], 1);
    *cs = s;
    if (ss)
        *ss = p->b.last_session;
}

famqp_link *pair_attach(pair *p, famqp_session *cs, const char *name, famqp_link_role role,
                        const famqp_link_options *opts, famqp_link **server_link)
{
    famqp_link *l;
    famqp_link_new(cs, name, role, opts, &l);
    ck_assert_ptr_nonnull(l);
    size_t before = p->a.count[FAMQP_EVENT_LINK_REMOTE_ATTACH];
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    pair_pump(p);
    ck_assert_int_eq(p->a.count[FAMQP_EVENT_LINK_REMOTE_ATTACH], before + 1);
    if (server_link)
        *server_link = p->b.last_link;
    return l;
}

size_t build_frame(uint8_t *buf, size_t cap, uint16_t channel, const famqp_any_frame *f, const uint8_t *payload,
                   size_t payload_len)
{
    size_t body = famqp_any_frame_encode(NULL, 0, f);
    size_t size = 8 + body + payload_len;
    ck_assert_uint_le(size, cap);
    famqp_frame_header_put(buf, (uint32_t)size, FAMQP_FRAME_TYPE_AMQP, channel);
    famqp_any_frame_encode(buf + 8, body, f);
    if (payload_len)
        memcpy(buf + 8 + body, payload, payload_len);
    return size;
}

static void *cnt_malloc(void *ctx, size_t n)
{
    counting *c = ctx;
    if (++c->calls == c->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void *cnt_realloc(void *ctx, void *p, size_t n)
{
    counting *c = ctx;
    if (++c->calls == c->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        c->live++;
    return q;
}

static void cnt_free(void *ctx, void *p)
{
    counting *c = ctx;
    if (p)
        c->live--;
    free(p);
}

famqp_allocator counting_allocator(counting *c)
{
    famqp_allocator a = {cnt_malloc, cnt_realloc, cnt_free, c};
    return a;
}

void pair_connected(pair *p, famqp_session **cs, famqp_session **ss)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair_init(p, &co, &so, CHUNK_RANDOM);
    pair_connect(p, cs, ss);
}

void pair_assert_no_failure(const pair *p)
{
    ck_assert_msg(!famqp_connection_failed(p->a.c), "client failed: %s %s", p->a.cond, p->a.desc);
    ck_assert_msg(!famqp_connection_failed(p->b.c), "server failed: %s %s", p->b.cond, p->b.desc);
}
