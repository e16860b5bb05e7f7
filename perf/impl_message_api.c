/* codec-bench implementations `message-api` and `message-hand`: messages
 * through the message API (famqp/message.h) as an application uses it,
 * every message built from scratch: famqp_message_init, properties filled
 * in place, application-properties into a reused buffer, then
 * famqp_message_set_data and famqp_message_encode.  `message-api` builds
 * the properties with the typed famqp_map_builder helpers, `message-hand`
 * with a hand-made famqp_writer and famqp_message_set_application_properties:
 * their difference is what the helpers cost.  Decode (the same for both) is
 * famqp_message_decode plus a walk of every property.  Compared with `flat`
 * (section structs filled once, then only the section encoders), they show
 * what building a message per send costs. */
#include <stdlib.h>

#include "bench.h"
#include "famqp/message.h"
#include "workload.h"

typedef struct api_message {
    const wl_message *w;
    uint8_t props_buf[4096]; /* the application's reusable buffer */
} api_message;

static void *api_setup(const char *type, const uint8_t *ref, size_t ref_len)
{
    (void)ref, (void)ref_len;
    const wl_message *w = workload_message(type);
    api_message *m = w ? calloc(1, sizeof *m) : NULL;
    if (m)
        m->w = w;
    return m;
}

static void api_teardown(void *ctx) { free(ctx); }

/* What every message carries in its properties section, set in place with
 * its present bits (the message's own bit follows from them). */
static void set_properties(famqp_properties *p)
{
    p->message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    p->message_id.u.message_id_string = famqp_string_of(WL_MSG_ID);
    p->to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    p->to.u.address_string = famqp_string_of(WL_MSG_TO);
    p->subject = famqp_string_of(WL_MSG_SUBJECT);
    p->content_type = famqp_symbol_of(WL_MSG_CONTENT_TYPE);
    p->creation_time = WL_MSG_CREATION_TIME;
    p->present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_TO | FAMQP_PROPERTIES_HAS_SUBJECT |
                 FAMQP_PROPERTIES_HAS_CONTENT_TYPE | FAMQP_PROPERTIES_HAS_CREATION_TIME;
}

static size_t api_encode(void *ctx, uint8_t *buf, size_t cap)
{
    api_message *a = ctx;
    const wl_message *w = a->w;
    famqp_message m;
    famqp_message_init(&m);
    set_properties(&m.properties);
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, a->props_buf, sizeof a->props_buf);
    for (size_t i = 0; i < w->prop_count; i++) {
        const wl_prop *e = &w->props[i];
        switch (e->kind) {
        case WL_STRING: famqp_map_builder_put_string(&b, e->key, e->s); break;
        case WL_INT: famqp_map_builder_put_int(&b, e->key, e->i); break;
        case WL_BOOL: famqp_map_builder_put_bool(&b, e->key, e->b); break;
        }
    }
    if (famqp_message_set_map(&m, &b) != FAMQP_OK)
        return 0;
    famqp_message_set_data(&m, w->body, w->body_len);
    size_t n = famqp_message_encode(buf, cap, &m);
    return n <= cap ? n : 0;
}

/* The same message with the application-properties written by hand. */
static size_t hand_encode(void *ctx, uint8_t *buf, size_t cap)
{
    api_message *a = ctx;
    const wl_message *w = a->w;
    famqp_message m;
    famqp_message_init(&m);
    set_properties(&m.properties);
    famqp_writer pw;
    famqp_writer_init(&pw, a->props_buf, sizeof a->props_buf);
    famqp_write_map_begin(&pw);
    for (size_t i = 0; i < w->prop_count; i++) {
        const wl_prop *e = &w->props[i];
        famqp_write_cstring(&pw, e->key);
        switch (e->kind) {
        case WL_STRING: famqp_write_cstring(&pw, e->s); break;
        case WL_INT: famqp_write_int(&pw, e->i); break;
        case WL_BOOL: famqp_write_bool(&pw, e->b); break;
        }
    }
    famqp_write_map_end(&pw);
    if (!famqp_message_set_application_properties(&m, &pw))
        return 0;
    famqp_message_set_data(&m, w->body, w->body_len);
    size_t n = famqp_message_encode(buf, cap, &m);
    return n <= cap ? n : 0;
}

static uint64_t api_decode(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    famqp_message m;
    if (famqp_message_decode(p, n, &m, NULL) != FAMQP_OK)
        return 0;
    const famqp_properties *pr = &m.properties;
    if (pr->message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING || pr->to.kind != FAMQP_ANY_ADDRESS_ADDRESS_STRING ||
        m.body.kind != FAMQP_BODY_DATA)
        return 0;
    uint64_t h = 0;
    h = dg_view(h, pr->message_id.u.message_id_string.ptr, pr->message_id.u.message_id_string.len);
    h = dg_view(h, pr->to.u.address_string.ptr, pr->to.u.address_string.len);
    h = dg_view(h, pr->subject.ptr, pr->subject.len);
    h = dg_view(h, pr->content_type.ptr, pr->content_type.len);
    h = dg(h, (uint64_t)pr->creation_time);
    famqp_iter it;
    famqp_map_entry e;
    famqp_map_iter(&m.application_properties.value, &it);
    while (famqp_map_next_entry(&it, &e)) {
        if (e.k.kind != FAMQP_KIND_STRING)
            return 0;
        h = dg_view(h, e.k.u.str.ptr, e.k.u.str.len);
        switch (e.v.kind) {
        case FAMQP_KIND_STRING: h = dg_view(h, e.v.u.str.ptr, e.v.u.str.len); break;
        case FAMQP_KIND_INT: h = dg(h, (uint64_t)e.v.u.i); break;
        case FAMQP_KIND_BOOLEAN: h = dg(h, e.v.u.b); break;
        default: return 0;
        }
    }
    return dg_view(h, m.body.data.ptr, m.body.data.len);
}
BENCH_LOOPS(api)

#define hand_decode api_decode
BENCH_LOOPS(hand)

static const bench_case api_cases[] = {
    BENCH_CASE("message", api, api_setup, api_teardown),
    BENCH_CASE("message-1mib", api, api_setup, api_teardown),
    BENCH_CASE("message-50props", api, api_setup, api_teardown),
};

const bench_impl bench_impl_message_api = {
    "message-api",
    "flatamqp message API: each message built with famqp_message_init, properties in place and "
    "famqp_map_builder, then famqp_message_encode; decode with famqp_message_decode + walk",
    1,
    api_cases,
    sizeof api_cases / sizeof api_cases[0],
};

static const bench_case hand_cases[] = {
    BENCH_CASE("message", hand, api_setup, api_teardown),
    BENCH_CASE("message-1mib", hand, api_setup, api_teardown),
    BENCH_CASE("message-50props", hand, api_setup, api_teardown),
};

const bench_impl bench_impl_message_hand = {
    "message-hand",
    "flatamqp message API with the application-properties written by hand (famqp_writer + "
    "famqp_message_set_application_properties): the baseline of message-api",
    1,
    hand_cases,
    sizeof hand_cases / sizeof hand_cases[0],
};
