/* The Service Bus stand-in (see sb_peer.h). */
#define _POSIX_C_SOURCE 200809L
#include "sb_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/message.h"

/* Not Check's assertions: the stand-in also runs as a program (sb_peer_main.c). */
#define must(cond) ((cond) ? (void)0 : peer_fail(#cond, __LINE__))
static void peer_fail(const char *what, int line)
{
    fprintf(stderr, "sb_peer.c:%d: %s failed\n", line, what);
    abort();
}

#define TICKS_AT_EPOCH INT64_C(621355968000000000)

typedef struct source_state {
    bool used;
    bool settled_sends; /* the receiver asked for snd-settle-mode settled */
    char session[64];   /* "sq": the session granted */
    uint32_t sent;
} source_state;

typedef struct peer_conn {
    sb_peer *p;
    source_state sources[8];
    famqp_link *mgmt_senders[4]; /* peer senders on "q/$management" (responses) */
} peer_conn;

static bool is(const char *a, const char *b) { return a && strcmp(a, b) == 0; }

void sb_peer_tag(uint8_t i, uint8_t tag[16])
{
    tag[0] = i;
    for (int k = 1; k < 16; k++)
        tag[k] = (uint8_t)(0x11 * k);
}

static void feed(famqp_link *l)
{
    source_state *st = famqp_link_context(l);
    while (st && st->sent < SB_PEER_MESSAGES && famqp_link_credit(l) > 0) {
        uint8_t i = (uint8_t)st->sent, tag[16], ann[256], buf[512];
        sb_peer_tag(i, tag);
        famqp_message m;
        famqp_message_init(&m);
        m.header.delivery_count = i;
        m.header.present |= FAMQP_HEADER_HAS_DELIVERY_COUNT;
        famqp_map_builder b;
        famqp_map_builder_init(&b, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, ann, sizeof ann);
        famqp_map_builder_put_timestamp(&b, "x-opt-locked-until", SB_PEER_LOCKED_UNTIL + i);
        famqp_map_builder_put_long(&b, "x-opt-sequence-number", 100 + i);
        famqp_map_builder_put_timestamp(&b, "x-opt-enqueued-time", SB_PEER_LOCKED_UNTIL - 60000);
        if (i == 3) /* the last one names its lock token (as messages received by sequence number do) */
            famqp_map_builder_put_uuid(&b, "x-opt-lock-token", (famqp_uuid){{0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
                                                                             0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89}});
        must(famqp_message_set_map(&m, &b) == FAMQP_OK);
        if (st->session[0]) {
            m.properties.group_id = (famqp_string){st->session, strlen(st->session)};
            m.properties.present |= FAMQP_PROPERTIES_HAS_GROUP_ID;
        }
        char text[32];
        snprintf(text, sizeof text, "message %u", (unsigned)i);
        famqp_message_set_data(&m, text, strlen(text));
        size_t len = famqp_message_encode(buf, sizeof buf, &m);
        must(len <= sizeof buf);
        famqp_link_send(l, famqp_binary_of(tag, 16), buf, len, st->settled_sends, NULL);
        st->sent++;
    }
}

static void copy_map(famqp_map m, uint8_t *dst, size_t cap, size_t *len, uint32_t *count)
{
    *len = m.count && m.len <= cap ? m.len : 0;
    *count = *len ? m.count : 0;
    if (*len)
        memcpy(dst, m.items, m.len);
}

/* The session a "sq" receiver gets: the one asked for, else grant_session. */
static const char *grant(sb_peer *p, famqp_map filter, bool *asked_null)
{
    famqp_value v;
    famqp_string s;
    static char asked[64];
    *asked_null = false;
    if (!filter.count || !famqp_map_get_symbol_key(&filter, "com.microsoft:session-filter", &v))
        return NULL;
    if (famqp_value_get_string(v, &s) && s.len < sizeof asked) {
        memcpy(asked, s.ptr, s.len);
        asked[s.len] = '\0';
        return is(asked, "taken") ? "someone-else" : asked;
    }
    *asked_null = true;
    return p->grant_session;
}

static void on_source_attach(peer_conn *pc, famqp_link *l, const char *addr)
{
    sb_peer *p = pc->p;
    famqp_map filter = famqp_link_remote_filter(l);
    pthread_mutex_lock(&p->mu);
    p->attached = true;
    p->snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    p->rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
    copy_map(famqp_link_remote_properties(l), p->attach_properties, sizeof p->attach_properties,
             &p->attach_properties_len, &p->attach_properties_count);
    copy_map(filter, p->filter, sizeof p->filter, &p->filter_len, &p->filter_count);
    pthread_mutex_unlock(&p->mu);
    source_state *st = NULL;
    for (size_t i = 0; i < 8 && !st; i++)
        if (!pc->sources[i].used)
            st = &pc->sources[i];
    must(st != NULL);
    memset(st, 0, sizeof *st);
    st->used = true;
    st->settled_sends = famqp_link_remote_snd_settle_mode(l) == FAMQP_SENDER_SETTLE_MODE_SETTLED;
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.source_address = addr;
    o.target_address = famqp_link_remote_target_address(l);
    o.snd_settle_mode = famqp_link_remote_snd_settle_mode(l);
    o.rcv_settle_mode = famqp_link_remote_rcv_settle_mode(l);
    uint8_t fbuf[256], pbuf[128];
    if (is(addr, "sq")) {
        bool asked_null;
        const char *session = grant(p, filter, &asked_null);
        famqp_fields_builder fb;
        famqp_fields_init(&fb, fbuf, sizeof fbuf);
        if (session) {
            famqp_write_cstring(famqp_fields_key(&fb, "com.microsoft:session-filter"), session);
            snprintf(st->session, sizeof st->session, "%s", session);
        }
        must(famqp_fields_finish(&fb, &o.source_filter) == FAMQP_OK);
        famqp_fields_builder pb;
        famqp_fields_init(&pb, pbuf, sizeof pbuf);
        famqp_write_long(famqp_fields_key(&pb, "com.microsoft:locked-until-utc"),
                         SB_PEER_SESSION_LOCKED_UNTIL * 10000 + TICKS_AT_EPOCH);
        must(famqp_fields_finish(&pb, &o.properties) == FAMQP_OK);
    }
    if (p->log) {
        fprintf(p->log, "attach %s snd-settle-mode %u rcv-settle-mode %u session %s\n", addr, o.snd_settle_mode,
                o.rcv_settle_mode, st->session[0] ? st->session : "-");
        fflush(p->log);
    }
    famqp_link_set_options(l, &o);
    famqp_link_set_context(l, st);
    famqp_link_open(l);
}

static void on_attach(peer_conn *pc, famqp_link *l)
{
    bool peer_sends = famqp_link_get_role(l) == FAMQP_LINK_SENDER;
    const char *addr = peer_sends ? famqp_link_remote_source_address(l) : famqp_link_remote_target_address(l);
    if (peer_sends && (is(addr, "q") || is(addr, "sq"))) {
        on_source_attach(pc, l, addr);
        return;
    }
    famqp_link_options o;
    famqp_link_options_init(&o);
    o.source_address = famqp_link_remote_source_address(l);
    o.target_address = famqp_link_remote_target_address(l);
    o.credit_window = peer_sends ? 0 : 10;
    if (!is(addr, "q/$management") && !is(addr, "sq/$management")) {
        famqp_link_set_options(l, &o);
        famqp_link_open(l);
        famqp_link_close(l, "amqp:not-found", "no such entity");
        return;
    }
    famqp_link_set_options(l, &o);
    famqp_link_open(l);
    if (peer_sends)
        for (size_t i = 0; i < 4; i++)
            if (!pc->mgmt_senders[i]) {
                pc->mgmt_senders[i] = l;
                break;
            }
}

static void on_updated(sb_peer *p, famqp_delivery *d)
{
    if (famqp_link_get_role(famqp_delivery_link(d)) != FAMQP_LINK_SENDER)
        return;
    famqp_outcome o = famqp_delivery_remote_state(d);
    pthread_mutex_lock(&p->mu);
    if (p->ndisps < 16) {
        sb_disposition *r = &p->disps[p->ndisps++];
        memset(r, 0, sizeof *r);
        r->tag0 = famqp_delivery_tag(d).ptr[0];
        r->kind = o.kind;
        r->settled = famqp_delivery_remote_settled(d);
        r->delivery_failed = o.delivery_failed;
        r->delivery_failed_absent = o.delivery_failed_absent;
        r->undeliverable_here = o.undeliverable_here;
        snprintf(r->condition, sizeof r->condition, "%s", o.error.name ? o.error.name : "");
        r->has_description = o.error.description != NULL;
        copy_map(o.error_info, r->info, sizeof r->info, &r->info_len, &r->info_count);
        copy_map(o.message_annotations, r->annotations, sizeof r->annotations, &r->annotations_len, &r->annotations_count);
    }
    if (p->log) {
        fprintf(p->log, "disposition %u %s%s%s%s%s\n", famqp_delivery_tag(d).ptr[0], famqp_outcome_kind_name(o.kind),
                o.kind == FAMQP_OUTCOME_MODIFIED && o.undeliverable_here ? " undeliverable-here" : "",
                o.kind == FAMQP_OUTCOME_MODIFIED && !o.delivery_failed_absent ? " delivery-failed-sent" : "",
                o.error.name ? " " : "", o.error.name ? o.error.name : "");
        fflush(p->log);
    }
    bool lost = p->lock_lost, never = p->never_settle;
    pthread_mutex_unlock(&p->mu);
    if (famqp_delivery_remote_settled(d)) {
        famqp_delivery_settle(d);
        return;
    }
    if (never)
        return;
    famqp_outcome answer = {.kind = FAMQP_OUTCOME_ACCEPTED};
    if (lost) {
        answer.kind = FAMQP_OUTCOME_REJECTED;
        answer.error.name = "com.microsoft:message-lock-lost";
        answer.error.description = "The lock supplied is invalid.";
    }
    famqp_delivery_update(d, &answer, true);
}

/* An array32 of n timestamps. */
static size_t timestamps(uint8_t *p, size_t n)
{
    uint32_t size = (uint32_t)(4 + 1 + 8 * n);
    p[0] = 0xf0;
    for (int i = 0; i < 4; i++) {
        p[1 + i] = (uint8_t)(size >> (24 - 8 * i));
        p[5 + i] = (uint8_t)((uint32_t)n >> (24 - 8 * i));
    }
    p[9] = 0x83;
    for (size_t k = 0; k < n; k++) {
        uint64_t t = (uint64_t)(SB_PEER_RENEWED + (int64_t)k);
        for (int i = 0; i < 8; i++)
            p[10 + 8 * k + (size_t)i] = (uint8_t)(t >> (56 - 8 * i));
    }
    return 10 + 8 * n;
}

static void on_request(peer_conn *pc, famqp_delivery *d)
{
    sb_peer *p = pc->p;
    famqp_binary bytes = famqp_delivery_message(d);
    pthread_mutex_lock(&p->mu);
    if (p->nreqs < 8 && bytes.len <= sizeof p->reqs[0].bytes) {
        memcpy(p->reqs[p->nreqs].bytes, bytes.ptr, bytes.len);
        p->reqs[p->nreqs++].len = bytes.len;
    }
    int mode = p->renew_reply;
    pthread_mutex_unlock(&p->mu);
    famqp_message req;
    must(famqp_delivery_read_message(d, &req, NULL) == FAMQP_OK);
    size_t n = 0;
    famqp_value body, tokens, op;
    famqp_map map;
    famqp_array arr;
    famqp_string op_text = {0};
    if (famqp_message_get_value(&req, &body) && famqp_value_get_map(body, &map) &&
        famqp_map_get_string_key(&map, "lock-tokens", &tokens) && famqp_value_get_array(tokens, &arr))
        n = arr.count;
    if (famqp_map_get_string_key(&req.application_properties.value, "operation", &op))
        famqp_value_get_string(op, &op_text);
    bool session_op = famqp_string_eq(op_text, "com.microsoft:renew-session-lock");
    famqp_link *out = NULL;
    famqp_string reply_to = req.properties.reply_to.u.address_string;
    for (size_t i = 0; i < 4 && !out; i++) {
        const char *t = pc->mgmt_senders[i] ? famqp_link_remote_target_address(pc->mgmt_senders[i]) : NULL;
        if (t && strlen(t) == reply_to.len && memcmp(t, reply_to.ptr, reply_to.len) == 0)
            out = pc->mgmt_senders[i];
    }
    must(out != NULL);
    famqp_message m;
    famqp_message_init(&m);
    m.properties.correlation_id = req.properties.message_id;
    m.properties.present |= FAMQP_PROPERTIES_HAS_CORRELATION_ID;
    uint8_t props[256], bodybuf[2048], arrbuf[1024];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, props, sizeof props);
    famqp_writer w;
    famqp_writer_init(&w, bodybuf, sizeof bodybuf);
    famqp_write_map_begin(&w);
    if (mode == SB_RENEW_OK && session_op) {
        famqp_map_builder_put_int(&b, "statusCode", 200);
        famqp_write_cstring(&w, "expiration");
        famqp_write_timestamp(&w, SB_PEER_RENEWED);
    } else if (mode == SB_RENEW_OK) {
        famqp_map_builder_put_int(&b, "statusCode", 200);
        famqp_write_cstring(&w, "expirations");
        famqp_write_value(&w, (famqp_value){arrbuf, timestamps(arrbuf, n)});
    } else if (mode == SB_RENEW_NO_EXPIRATIONS) {
        famqp_map_builder_put_int(&b, "statusCode", 200);
        famqp_write_cstring(&w, "something");
        famqp_write_int(&w, 1);
    } else if (mode == SB_RENEW_GONE) {
        famqp_map_builder_put_int(&b, "statusCode", 410);
        famqp_map_builder_put_string(&b, "statusDescription", "The lock supplied is invalid.");
    } else {
        famqp_map_builder_put_int(&b, "statusCode", 400);
        famqp_map_builder_put_string(&b, "statusDescription", "bad lock token");
        famqp_map_builder_put_symbol(&b, "errorCondition", "com.microsoft:argument-error");
    }
    famqp_write_map_end(&w);
    must(famqp_message_set_map(&m, &b) == FAMQP_OK);
    famqp_message_set_value(&m, famqp_writer_value(&w));
    uint8_t buf[4096];
    size_t len = famqp_message_encode(buf, sizeof buf, &m);
    must(len <= sizeof buf);
    uint8_t tag = 0;
    must(famqp_link_send(out, famqp_binary_of(&tag, 1), buf, len, true, NULL) == FAMQP_ENGINE_OK);
    famqp_delivery_accept(d);
}

static void handle_events(peer_conn *pc, famqp_connection *c)
{
    const famqp_event *e;
    while ((e = famqp_connection_next_event(c)) != NULL) {
        switch (e->type) {
        case FAMQP_EVENT_CONNECTION_REMOTE_OPEN: famqp_connection_open(c); break;
        case FAMQP_EVENT_CONNECTION_REMOTE_CLOSE: famqp_connection_close(c, NULL, NULL); break;
        case FAMQP_EVENT_SESSION_REMOTE_BEGIN: famqp_session_open(e->session); break;
        case FAMQP_EVENT_SESSION_REMOTE_END: famqp_session_close(e->session, NULL, NULL); break;
        case FAMQP_EVENT_LINK_REMOTE_ATTACH: on_attach(pc, e->link); break;
        case FAMQP_EVENT_LINK_REMOTE_DETACH:
            for (size_t i = 0; i < 4; i++)
                if (pc->mgmt_senders[i] == e->link)
                    pc->mgmt_senders[i] = NULL;
            famqp_link_set_context(e->link, NULL);
            famqp_link_close(e->link, NULL, NULL);
            break;
        case FAMQP_EVENT_LINK_CREDIT: feed(e->link); break;
        case FAMQP_EVENT_DELIVERY: on_request(pc, e->delivery); break;
        case FAMQP_EVENT_DELIVERY_UPDATED: on_updated(pc->p, e->delivery); break;
        default: break;
        }
    }
}

static void *peer_main(void *arg)
{
    sb_peer *p = arg;
    famqp_io *io = NULL;
    famqp_connection *c = NULL;
    peer_conn pc;
    while (!atomic_load(&p->stop)) {
        famqp_listener *ls[1] = {p->listener};
        famqp_io *ios[1] = {io};
        famqp_io_wait(ios, 1, ls, 1, 50);
        if (c)
            handle_events(&pc, c);
        if (io && famqp_io_done(io)) {
            famqp_io_free(io);
            famqp_connection_free(c);
            io = NULL;
            c = NULL;
        }
        if (!io && famqp_listener_ready(p->listener)) {
            famqp_io_error err;
            if (famqp_listener_accept(p->listener, &io, &err) == FAMQP_IO_OK) {
                famqp_connection_options o;
                famqp_connection_options_init(&o);
                o.role = FAMQP_CONNECTION_SERVER;
                o.container_id = "sb-peer";
                o.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
                famqp_connection_new(&o, &c);
                famqp_io_set_connection(io, c);
                memset(&pc, 0, sizeof pc);
                pc.p = p;
            } else {
                io = NULL;
            }
        }
    }
    famqp_io_free(io);
    famqp_connection_free(c);
    return NULL;
}

void sb_peer_start(sb_peer *p)
{
    famqp_io_error err;
    pthread_mutex_init(&p->mu, NULL);
    p->listener = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    if (!p->listener) {
        fprintf(stderr, "sb_peer: listen: %s\n", err.message);
        abort();
    }
    p->port = famqp_listener_port(p->listener);
    must(pthread_create(&p->thread, NULL, peer_main, p) == 0);
}

void sb_peer_stop(sb_peer *p)
{
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    famqp_listener_close(p->listener);
    pthread_mutex_destroy(&p->mu);
}
