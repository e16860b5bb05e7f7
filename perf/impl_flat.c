/* codec-bench implementation `flat` (or `table`): the generated codec
 * (famqp_spec.h).  Both generator styles have the same API, so this file
 * measures whichever the library was built with; FAMQP_BENCH_IMPL_NAME
 * (perf/CMakeLists.txt: the library's FAMQP_CODEC_STYLE) names it.
 *
 * Encode starts from a filled struct.  Decode fills a struct and then reads
 * every field the workload set; for messages each section is decoded in
 * turn and the application-properties map (a lazy view) is walked entry by
 * entry inside the measured loop, each key and value taken out by
 * famqp_map_next_entry (span and typed value in one call). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "famqp_spec.h"
#include "workload.h"

static famqp_string str(const char *s) { return famqp_string_of(s); }

/* A performative's context is a static struct that setup fills with the
 * workload's values (setting up twice writes the same values); messages
 * own an encoded application-properties map and are allocated. */
static void no_teardown(void *ctx) { (void)ctx; }

/* ---- open ---------------------------------------------------------------- */

static famqp_open open_v;

static void *open_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    open_v = famqp_open_defaults;
    open_v.container_id = str(WL_OPEN_CONTAINER_ID);
    open_v.hostname = str(WL_OPEN_HOSTNAME);
    open_v.max_frame_size = WL_OPEN_MAX_FRAME_SIZE;
    open_v.channel_max = WL_OPEN_CHANNEL_MAX;
    open_v.idle_time_out = WL_OPEN_IDLE_TIME_OUT;
    open_v.present = FAMQP_OPEN_HAS_CONTAINER_ID | FAMQP_OPEN_HAS_HOSTNAME | FAMQP_OPEN_HAS_MAX_FRAME_SIZE |
                     FAMQP_OPEN_HAS_CHANNEL_MAX | FAMQP_OPEN_HAS_IDLE_TIME_OUT;
    return &open_v;
}

static size_t open_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_open_encode(buf, cap, ctx);
}

static uint64_t open_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_open v;
    if (!famqp_open_decode(p, n, &v, NULL)) return 0;
    uint64_t h = 0;
    h = dg_view(h, v.container_id.ptr, v.container_id.len);
    h = dg_view(h, v.hostname.ptr, v.hostname.len);
    h = dg(h, v.max_frame_size);
    h = dg(h, v.channel_max);
    return dg(h, v.idle_time_out);
}
BENCH_LOOPS(open)

/* ---- begin --------------------------------------------------------------- */

static famqp_begin begin_v;

static void *begin_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    begin_v = famqp_begin_defaults;
    begin_v.remote_channel = WL_BEGIN_REMOTE_CHANNEL;
    begin_v.next_outgoing_id = WL_BEGIN_NEXT_OUTGOING_ID;
    begin_v.incoming_window = WL_BEGIN_INCOMING_WINDOW;
    begin_v.outgoing_window = WL_BEGIN_OUTGOING_WINDOW;
    begin_v.handle_max = WL_BEGIN_HANDLE_MAX;
    begin_v.present = FAMQP_BEGIN_HAS_REMOTE_CHANNEL | FAMQP_BEGIN_HAS_NEXT_OUTGOING_ID |
                      FAMQP_BEGIN_HAS_INCOMING_WINDOW | FAMQP_BEGIN_HAS_OUTGOING_WINDOW |
                      FAMQP_BEGIN_HAS_HANDLE_MAX;
    return &begin_v;
}

static size_t begin_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_begin_encode(buf, cap, ctx);
}

static uint64_t begin_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_begin v;
    if (!famqp_begin_decode(p, n, &v, NULL)) return 0;
    uint64_t h = 0;
    h = dg(h, v.remote_channel);
    h = dg(h, v.next_outgoing_id);
    h = dg(h, v.incoming_window);
    h = dg(h, v.outgoing_window);
    return dg(h, v.handle_max);
}
BENCH_LOOPS(begin)

/* ---- attach with source and target -------------------------------------- */

static famqp_attach attach_v;

static void *attach_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    famqp_source s = famqp_source_defaults;
    s.address.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    s.address.u.address_string = str(WL_ATTACH_SOURCE_ADDRESS);
    s.durable = WL_ATTACH_SOURCE_DURABLE;
    s.expiry_policy = famqp_symbol_of(WL_ATTACH_SOURCE_EXPIRY_POLICY);
    s.timeout = WL_ATTACH_SOURCE_TIMEOUT;
    s.present = FAMQP_SOURCE_HAS_ADDRESS | FAMQP_SOURCE_HAS_DURABLE | FAMQP_SOURCE_HAS_EXPIRY_POLICY |
                FAMQP_SOURCE_HAS_TIMEOUT;
    famqp_target t = famqp_target_defaults;
    t.address.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    t.address.u.address_string = str(WL_ATTACH_TARGET_ADDRESS);
    t.durable = WL_ATTACH_TARGET_DURABLE;
    t.present = FAMQP_TARGET_HAS_ADDRESS | FAMQP_TARGET_HAS_DURABLE;

    attach_v = famqp_attach_defaults;
    attach_v.name = str(WL_ATTACH_NAME);
    attach_v.handle = WL_ATTACH_HANDLE;
    attach_v.role = WL_ATTACH_ROLE;
    attach_v.snd_settle_mode = WL_ATTACH_SND_SETTLE_MODE;
    attach_v.rcv_settle_mode = WL_ATTACH_RCV_SETTLE_MODE;
    attach_v.source.kind = FAMQP_ANY_SOURCE_SOURCE;
    attach_v.source.u.source = s;
    attach_v.target.kind = FAMQP_ANY_TARGET_TARGET;
    attach_v.target.u.target = t;
    attach_v.initial_delivery_count = WL_ATTACH_INITIAL_DELIVERY_COUNT;
    attach_v.max_message_size = WL_ATTACH_MAX_MESSAGE_SIZE;
    attach_v.present = FAMQP_ATTACH_HAS_NAME | FAMQP_ATTACH_HAS_HANDLE | FAMQP_ATTACH_HAS_ROLE |
                       FAMQP_ATTACH_HAS_SND_SETTLE_MODE | FAMQP_ATTACH_HAS_RCV_SETTLE_MODE |
                       FAMQP_ATTACH_HAS_SOURCE | FAMQP_ATTACH_HAS_TARGET |
                       FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT | FAMQP_ATTACH_HAS_MAX_MESSAGE_SIZE;
    return &attach_v;
}

static size_t attach_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_attach_encode(buf, cap, ctx);
}

static uint64_t attach_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_attach v;
    if (!famqp_attach_decode(p, n, &v, NULL)) return 0;
    if (v.source.kind != FAMQP_ANY_SOURCE_SOURCE || v.target.kind != FAMQP_ANY_TARGET_TARGET) return 0;
    const famqp_source *s = &v.source.u.source;
    const famqp_target *t = &v.target.u.target;
    if (s->address.kind != FAMQP_ANY_ADDRESS_ADDRESS_STRING || t->address.kind != FAMQP_ANY_ADDRESS_ADDRESS_STRING)
        return 0;
    uint64_t h = 0;
    h = dg_view(h, v.name.ptr, v.name.len);
    h = dg(h, v.handle);
    h = dg(h, v.role);
    h = dg(h, v.snd_settle_mode);
    h = dg(h, v.rcv_settle_mode);
    h = dg_view(h, s->address.u.address_string.ptr, s->address.u.address_string.len);
    h = dg(h, s->durable);
    h = dg_view(h, s->expiry_policy.ptr, s->expiry_policy.len);
    h = dg(h, s->timeout);
    h = dg_view(h, t->address.u.address_string.ptr, t->address.u.address_string.len);
    h = dg(h, t->durable);
    h = dg(h, v.initial_delivery_count);
    return dg(h, v.max_message_size);
}
BENCH_LOOPS(attach)

/* ---- flow ---------------------------------------------------------------- */

static famqp_flow flow_v;

static void *flow_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    flow_v = famqp_flow_defaults;
    flow_v.next_incoming_id = WL_FLOW_NEXT_INCOMING_ID;
    flow_v.incoming_window = WL_FLOW_INCOMING_WINDOW;
    flow_v.next_outgoing_id = WL_FLOW_NEXT_OUTGOING_ID;
    flow_v.outgoing_window = WL_FLOW_OUTGOING_WINDOW;
    flow_v.handle = WL_FLOW_HANDLE;
    flow_v.delivery_count = WL_FLOW_DELIVERY_COUNT;
    flow_v.link_credit = WL_FLOW_LINK_CREDIT;
    flow_v.drain = WL_FLOW_DRAIN;
    flow_v.present = FAMQP_FLOW_HAS_NEXT_INCOMING_ID | FAMQP_FLOW_HAS_INCOMING_WINDOW |
                     FAMQP_FLOW_HAS_NEXT_OUTGOING_ID | FAMQP_FLOW_HAS_OUTGOING_WINDOW | FAMQP_FLOW_HAS_HANDLE |
                     FAMQP_FLOW_HAS_DELIVERY_COUNT | FAMQP_FLOW_HAS_LINK_CREDIT | FAMQP_FLOW_HAS_DRAIN;
    return &flow_v;
}

static size_t flow_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_flow_encode(buf, cap, ctx);
}

static uint64_t flow_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_flow v;
    if (!famqp_flow_decode(p, n, &v, NULL)) return 0;
    uint64_t h = 0;
    h = dg(h, v.next_incoming_id);
    h = dg(h, v.incoming_window);
    h = dg(h, v.next_outgoing_id);
    h = dg(h, v.outgoing_window);
    h = dg(h, v.handle);
    h = dg(h, v.delivery_count);
    h = dg(h, v.link_credit);
    return dg(h, v.drain);
}
BENCH_LOOPS(flow)

/* ---- transfer ------------------------------------------------------------ */

static famqp_transfer transfer_v;

static void *transfer_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    transfer_v = famqp_transfer_defaults;
    transfer_v.handle = WL_TRANSFER_HANDLE;
    transfer_v.delivery_id = WL_TRANSFER_DELIVERY_ID;
    transfer_v.delivery_tag = famqp_binary_of(wl_transfer_tag, sizeof wl_transfer_tag);
    transfer_v.message_format = WL_TRANSFER_MESSAGE_FORMAT;
    transfer_v.settled = WL_TRANSFER_SETTLED;
    transfer_v.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                         FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MESSAGE_FORMAT |
                         FAMQP_TRANSFER_HAS_SETTLED;
    return &transfer_v;
}

static size_t transfer_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_transfer_encode(buf, cap, ctx);
}

static uint64_t transfer_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_transfer v;
    if (!famqp_transfer_decode(p, n, &v, NULL)) return 0;
    uint64_t h = 0;
    h = dg(h, v.handle);
    h = dg(h, v.delivery_id);
    h = dg_view(h, v.delivery_tag.ptr, v.delivery_tag.len);
    h = dg(h, v.message_format);
    return dg(h, v.settled);
}
BENCH_LOOPS(transfer)

/* ---- disposition --------------------------------------------------------- */

static famqp_disposition disposition_v;

static void *disposition_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)type, (void)ref, (void)ref_len;
    disposition_v = famqp_disposition_defaults;
    disposition_v.role = WL_DISPOSITION_ROLE;
    disposition_v.first = WL_DISPOSITION_FIRST;
    disposition_v.last = WL_DISPOSITION_LAST;
    disposition_v.settled = WL_DISPOSITION_SETTLED;
    disposition_v.state.kind = FAMQP_ANY_DELIVERY_STATE_ACCEPTED;
    disposition_v.state.u.accepted = famqp_accepted_defaults;
    disposition_v.present = FAMQP_DISPOSITION_HAS_ROLE | FAMQP_DISPOSITION_HAS_FIRST | FAMQP_DISPOSITION_HAS_LAST |
                            FAMQP_DISPOSITION_HAS_SETTLED | FAMQP_DISPOSITION_HAS_STATE;
    return &disposition_v;
}

static size_t disposition_encode(void *ctx, uint8_t *buf, size_t cap)
{
    return famqp_disposition_encode(buf, cap, ctx);
}

static uint64_t disposition_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_disposition v;
    if (!famqp_disposition_decode(p, n, &v, NULL)) return 0;
    uint64_t h = 0;
    h = dg(h, v.role);
    h = dg(h, v.first);
    h = dg(h, v.last);
    h = dg(h, v.settled);
    return dg(h, v.state.kind == FAMQP_ANY_DELIVERY_STATE_ACCEPTED);
}
BENCH_LOOPS(disposition)

/* ---- messages: properties, application-properties, data ------------------ */

typedef struct flat_message {
    famqp_properties props;
    famqp_application_properties app;
    famqp_data data;
    uint8_t *app_buf;
} flat_message;

static void message_teardown(void *ctx)
{
    flat_message *m = ctx;
    free(m->app_buf);
    free(m);
}

static void *message_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)ref, (void)ref_len;
    const wl_message *w = workload_message(type);
    flat_message *m = w ? calloc(1, sizeof *m) : NULL;
    if (!m) return NULL;
    /* Application properties are a map view: encode the entries once with
     * the generic writer (first counting, then writing). */
    famqp_writer cw;
    for (int pass = 0; pass < 2; pass++) {
        size_t cap = pass ? famqp_writer_len(&cw) : 0;
        uint8_t *buf = pass ? m->app_buf : NULL;
        famqp_writer_init(&cw, buf, cap);
        famqp_write_map_begin(&cw);
        for (size_t i = 0; i < w->prop_count; i++) {
            const wl_prop *p = &w->props[i];
            famqp_write_cstring(&cw, p->key);
            switch (p->kind) {
            case WL_STRING: famqp_write_cstring(&cw, p->s); break;
            case WL_INT: famqp_write_int(&cw, p->i); break;
            case WL_BOOL: famqp_write_bool(&cw, p->b); break;
            }
        }
        famqp_write_map_end(&cw);
        if (!pass && !(m->app_buf = malloc(famqp_writer_len(&cw)))) {
            free(m);
            return NULL;
        }
    }
    if (famqp_writer_status(&cw) != FAMQP_OK ||
        !famqp_map_of(m->app_buf, famqp_writer_len(&cw), &m->app.value)) {
        message_teardown(m);
        return NULL;
    }
    m->props = famqp_properties_defaults;
    m->props.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    m->props.message_id.u.message_id_string = str(WL_MSG_ID);
    m->props.to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    m->props.to.u.address_string = str(WL_MSG_TO);
    m->props.subject = str(WL_MSG_SUBJECT);
    m->props.content_type = famqp_symbol_of(WL_MSG_CONTENT_TYPE);
    m->props.creation_time = WL_MSG_CREATION_TIME;
    m->props.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_TO | FAMQP_PROPERTIES_HAS_SUBJECT |
                       FAMQP_PROPERTIES_HAS_CONTENT_TYPE | FAMQP_PROPERTIES_HAS_CREATION_TIME;
    m->data.value = famqp_binary_of(w->body, w->body_len);
    return m;
}

static size_t message_encode(void *ctx, uint8_t *buf, size_t cap)
{
    const flat_message *m = ctx;
    size_t n = famqp_properties_encode(buf, cap, &m->props);
    if (n > cap) return 0;
    size_t k = famqp_application_properties_encode(buf + n, cap - n, &m->app);
    if (k > cap - n) return 0;
    n += k;
    k = famqp_data_encode(buf + n, cap - n, &m->data);
    if (k > cap - n) return 0;
    return n + k;
}

static uint64_t app_properties_digest(uint64_t h, const famqp_map *map, bool *ok)
{
    famqp_iter it;
    famqp_map_entry e;
    famqp_map_iter(map, &it);
    while (famqp_map_next_entry(&it, &e)) {
        if (e.k.kind != FAMQP_KIND_STRING) *ok = false;
        h = dg_view(h, e.k.u.str.ptr, e.k.u.str.len);
        switch (e.v.kind) {
        case FAMQP_KIND_STRING: h = dg_view(h, e.v.u.str.ptr, e.v.u.str.len); break;
        case FAMQP_KIND_INT: h = dg(h, (uint64_t)e.v.u.i); break;
        case FAMQP_KIND_BOOLEAN: h = dg(h, e.v.u.b); break;
        default: *ok = false; break;
        }
    }
    return h;
}

static uint64_t message_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    uint64_t h = 0;
    bool ok = true;
    size_t off = 0;
    while (off < n) {
        famqp_any_section s;
        size_t used = famqp_any_section_decode(p + off, n - off, &s, NULL);
        if (!used) return 0;
        off += used;
        switch (s.kind) {
        case FAMQP_ANY_SECTION_HEADER: break; /* Proton writes one; nothing set in it */
        case FAMQP_ANY_SECTION_PROPERTIES: {
            const famqp_properties *pr = &s.u.properties;
            if (pr->message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING ||
                pr->to.kind != FAMQP_ANY_ADDRESS_ADDRESS_STRING)
                return 0;
            h = dg_view(h, pr->message_id.u.message_id_string.ptr, pr->message_id.u.message_id_string.len);
            h = dg_view(h, pr->to.u.address_string.ptr, pr->to.u.address_string.len);
            h = dg_view(h, pr->subject.ptr, pr->subject.len);
            h = dg_view(h, pr->content_type.ptr, pr->content_type.len);
            h = dg(h, (uint64_t)pr->creation_time);
            break;
        }
        case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES:
            h = app_properties_digest(h, &s.u.application_properties.value, &ok);
            break;
        case FAMQP_ANY_SECTION_DATA: h = dg_view(h, s.u.data.value.ptr, s.u.data.value.len); break;
        default: return 0;
        }
    }
    return ok ? h : 0;
}
BENCH_LOOPS(message)

static const bench_case flat_cases[] = {
    BENCH_CASE("open", open, open_setup, no_teardown),
    BENCH_CASE("begin", begin, begin_setup, no_teardown),
    BENCH_CASE("attach", attach, attach_setup, no_teardown),
    BENCH_CASE("flow", flow, flow_setup, no_teardown),
    BENCH_CASE("transfer", transfer, transfer_setup, no_teardown),
    BENCH_CASE("disposition", disposition, disposition_setup, no_teardown),
    BENCH_CASE("message", message, message_setup, message_teardown),
    BENCH_CASE("message-1mib", message, message_setup, message_teardown),
    BENCH_CASE("message-50props", message, message_setup, message_teardown),
};

#ifndef FAMQP_BENCH_IMPL_NAME
#define FAMQP_BENCH_IMPL_NAME "flat"
#endif

const bench_impl bench_impl_flat = {
    FAMQP_BENCH_IMPL_NAME,
    "flatamqp generated codec (" FAMQP_BENCH_IMPL_NAME " style; also selected as `famqp`): encode from a filled "
    "struct, decode into a struct + walk every view",
    1,
    flat_cases,
    sizeof flat_cases / sizeof flat_cases[0],
};
