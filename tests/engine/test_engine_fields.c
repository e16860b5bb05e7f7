/* Properties, capabilities, filters and terminus options: open and attach
 * carry exactly what the options say (decoded from our own output), the
 * peer's values are readable, the caller's buffers may be reused, and bad
 * or oversized options are refused with a reason. */
#include <string.h>

#include "harness.h"

/* ---- helpers ---- */

static famqp_map props_map(uint8_t *buf, size_t cap, const char *product, int32_t n)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_cstring(famqp_fields_key(&b, "product"), product);
    famqp_write_int(famqp_fields_key(&b, "n"), n);
    famqp_map m;
    ck_assert_int_eq(famqp_fields_finish(&b, &m), FAMQP_OK);
    return m;
}

/* The string value of a symbol key, or "" when absent. */
static const char *map_str(famqp_map m, const char *key, char *out, size_t cap)
{
    famqp_value v;
    famqp_string s;
    out[0] = '\0';
    if (famqp_map_get_symbol_key(&m, key, &v) && famqp_value_get_string(v, &s) && s.len < cap) {
        memcpy(out, s.ptr, s.len);
        out[s.len] = '\0';
    }
    return out;
}

static void assert_syms(famqp_symbols got, const char *const *want, uint32_t n)
{
    ck_assert_uint_eq(got.count, n);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_str_eq(got.items[i], want[i]);
}

static void assert_multiple(const famqp_multiple *m, const char *const *want, uint32_t n)
{
    ck_assert_uint_eq(m->count, n);
    famqp_iter it;
    famqp_symbol s;
    famqp_multiple_iter(m, &it);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert(famqp_array_next_symbol(&it, &s));
        ck_assert(famqp_symbol_eq(s, want[i]));
    }
}

/* Decodes the performatives in a connection's output (after the 8-byte
 * protocol header) and returns the first of `kind`. */
static bool find_frame(famqp_connection *c, famqp_any_frame_kind kind, famqp_any_frame *out, uint8_t *keep,
                       size_t cap)
{
    size_t len;
    const uint8_t *p = famqp_connection_output(c, &len);
    ck_assert_uint_lt(len, cap);
    memcpy(keep, p, len); /* the frame's views point into keep */
    famqp_connection_output_consume(c, len);
    size_t off = FAMQP_PROTOCOL_HEADER_SIZE;
    while (off < len) {
        famqp_frame fr;
        size_t used;
        famqp_error err;
        ck_assert_int_eq(famqp_frame_parse(keep + off, len - off, 1u << 20, &fr, &used, &err), FAMQP_OK);
        off += used;
        if (!fr.body.len)
            continue;
        ck_assert_uint_gt(famqp_any_frame_decode(fr.body.ptr, fr.body.len, out, &err), 0);
        if (out->kind == kind)
            return true;
    }
    return false;
}

static const char *const offered[] = {"ANONYMOUS-RELAY", "x-opt-test"};
static const char *const desired[] = {"DELAYED_DELIVERY"};
static const char *const src_caps[] = {"queue"};
static const char *const tgt_caps[] = {"topic", "shared"};

/* ---- connection ---- */

/* famqp_connection_new refuses o with `want`, leaving its out-param NULL. */
static void expect_refused_connection(const famqp_connection_options *o, famqp_engine_status want)
{
    famqp_connection *c = (famqp_connection *)o;
    ck_assert_int_eq(famqp_connection_new(o, &c), want);
    ck_assert_ptr_null(c);
}

START_TEST(test_open_carries_properties_and_capabilities)
{
    uint8_t pbuf[128];
    char cap0[32], cap1[32];
    strcpy(cap0, offered[0]);
    strcpy(cap1, offered[1]);
    const char *caps[] = {cap0, cap1};
    famqp_connection_options o;
    harness_client_options(&o);
    o.properties = props_map(pbuf, sizeof pbuf, "famqp-test", 7);
    o.offered_capabilities = (famqp_symbols){caps, 2};
    o.desired_capabilities = (famqp_symbols){desired, 1};
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(c);
    /* The caller's buffers are reused: the engine sends its copies. */
    memset(pbuf, 0xff, sizeof pbuf);
    strcpy(cap0, "CLOBBERED");
    strcpy(cap1, "CLOBBERED");
    ck_assert_int_eq(famqp_connection_open(c), FAMQP_ENGINE_OK);
    uint8_t keep[4096];
    famqp_any_frame f;
    ck_assert(find_frame(c, FAMQP_ANY_FRAME_OPEN, &f, keep, sizeof keep));
    const famqp_open *op = &f.u.open;
    ck_assert(op->present & FAMQP_OPEN_HAS_PROPERTIES);
    ck_assert(op->present & FAMQP_OPEN_HAS_OFFERED_CAPABILITIES);
    ck_assert(op->present & FAMQP_OPEN_HAS_DESIRED_CAPABILITIES);
    char s[64];
    ck_assert_str_eq(map_str(op->properties, "product", s, sizeof s), "famqp-test");
    ck_assert_uint_eq(op->properties.count, 4);
    assert_multiple(&op->offered_capabilities, offered, 2);
    assert_multiple(&op->desired_capabilities, desired, 1);
    famqp_connection_free(c);
}
END_TEST

START_TEST(test_open_without_them_sends_none)
{
    famqp_connection_options o;
    harness_client_options(&o);
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_open(c), FAMQP_ENGINE_OK);
    uint8_t keep[4096];
    famqp_any_frame f;
    ck_assert(find_frame(c, FAMQP_ANY_FRAME_OPEN, &f, keep, sizeof keep));
    ck_assert(!(f.u.open.present & (FAMQP_OPEN_HAS_PROPERTIES | FAMQP_OPEN_HAS_OFFERED_CAPABILITIES |
                                    FAMQP_OPEN_HAS_DESIRED_CAPABILITIES)));
    famqp_connection_free(c);
}
END_TEST

START_TEST(test_remote_connection_fields_readable)
{
    uint8_t cbuf[128], sbuf[128];
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.properties = props_map(cbuf, sizeof cbuf, "client-side", 1);
    co.desired_capabilities = (famqp_symbols){desired, 1};
    so.properties = props_map(sbuf, sizeof sbuf, "server-side", 2);
    so.offered_capabilities = (famqp_symbols){offered, 2};
    pair p;
    pair_init(&p, &co, &so, CHUNK_RANDOM);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    char s[64];
    ck_assert_str_eq(map_str(famqp_connection_remote_properties(p.a.c), "product", s, sizeof s), "server-side");
    ck_assert_str_eq(map_str(famqp_connection_remote_properties(p.b.c), "product", s, sizeof s), "client-side");
    assert_syms(famqp_connection_remote_offered_capabilities(p.a.c), offered, 2);
    assert_syms(famqp_connection_remote_desired_capabilities(p.a.c), NULL, 0);
    assert_syms(famqp_connection_remote_desired_capabilities(p.b.c), desired, 1);
    assert_syms(famqp_connection_remote_offered_capabilities(p.b.c), NULL, 0);
    pair_free(&p);
}
END_TEST

/* ---- links ---- */

/* A receiver with every option set; buffers in *bufs. */
typedef struct link_bufs {
    uint8_t props[128], node[128], filter[256];
} link_bufs;

static void full_receiver_options(famqp_link_options *lo, link_bufs *b)
{
    famqp_link_options_init(lo);
    lo->source_address = NULL;
    lo->target_address = "reply";
    lo->dynamic = true;
    lo->durable = 2;
    lo->expiry_policy = "never";
    lo->timeout = 30;
    famqp_fields_builder nb;
    famqp_fields_init(&nb, b->node, sizeof b->node);
    famqp_write_csymbol(famqp_fields_key(&nb, "lifetime-policy"), "delete-on-close");
    ck_assert_int_eq(famqp_fields_finish(&nb, &lo->dynamic_node_properties), FAMQP_OK);
    famqp_filter_set_builder fb;
    famqp_filter_set_init(&fb, b->filter, sizeof b->filter);
    famqp_filter_set_put_selector(&fb, "color = 'red'");
    famqp_filter_set_put_session(&fb, "order-17");
    ck_assert_int_eq(famqp_filter_set_finish(&fb, &lo->source_filter), FAMQP_OK);
    lo->properties = props_map(b->props, sizeof b->props, "link-client", 3);
    lo->source_capabilities = (famqp_symbols){src_caps, 1};
    lo->target_capabilities = (famqp_symbols){tgt_caps, 2};
    lo->offered_capabilities = (famqp_symbols){offered, 2};
    lo->desired_capabilities = (famqp_symbols){desired, 1};
}

/* The filter-set entry `key`: descriptor code and string value. */
static void assert_filter(famqp_map filter, const char *key, uint64_t code, const char *text)
{
    famqp_value v, desc, val;
    ck_assert_msg(famqp_map_get_symbol_key(&filter, key, &v), "no filter %s", key);
    ck_assert(famqp_value_get_described(v, &desc, &val));
    uint64_t got;
    ck_assert(famqp_value_get_ulong(desc, &got));
    ck_assert_uint_eq(got, code);
    famqp_string s;
    ck_assert(famqp_value_get_string(val, &s));
    ck_assert(famqp_string_eq(s, text));
}

START_TEST(test_attach_carries_everything)
{
    famqp_connection_options o;
    harness_client_options(&o);
    famqp_connection *c;
    ck_assert_int_eq(famqp_connection_new(&o, &c), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_connection_open(c), FAMQP_ENGINE_OK);
    famqp_session *s;
    ck_assert_int_eq(famqp_session_new(c, &s), FAMQP_ENGINE_OK);
    ck_assert_int_eq(famqp_session_open(s), FAMQP_ENGINE_OK);
    link_bufs b;
    famqp_link_options lo;
    full_receiver_options(&lo, &b);
    famqp_link *l;
    ck_assert_int_eq(famqp_link_new(s, "full", FAMQP_LINK_RECEIVER, &lo, &l), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(l);
    memset(&b, 0xff, sizeof b); /* reused by the caller: the link copied them */
    ck_assert_int_eq(famqp_link_open(l), FAMQP_ENGINE_OK);
    uint8_t keep[8192];
    famqp_any_frame f;
    ck_assert(find_frame(c, FAMQP_ANY_FRAME_ATTACH, &f, keep, sizeof keep));
    const famqp_attach *a = &f.u.attach;
    char str[64];
    ck_assert(a->present & FAMQP_ATTACH_HAS_PROPERTIES);
    ck_assert_str_eq(map_str(a->properties, "product", str, sizeof str), "link-client");
    assert_multiple(&a->offered_capabilities, offered, 2);
    assert_multiple(&a->desired_capabilities, desired, 1);
    ck_assert_int_eq(a->source.kind, FAMQP_ANY_SOURCE_SOURCE);
    const famqp_source *src = &a->source.u.source;
    uint32_t want = FAMQP_SOURCE_HAS_DURABLE | FAMQP_SOURCE_HAS_EXPIRY_POLICY | FAMQP_SOURCE_HAS_TIMEOUT |
                    FAMQP_SOURCE_HAS_DYNAMIC | FAMQP_SOURCE_HAS_DYNAMIC_NODE_PROPERTIES | FAMQP_SOURCE_HAS_FILTER |
                    FAMQP_SOURCE_HAS_CAPABILITIES;
    ck_assert_uint_eq(src->present & want, want);
    ck_assert_uint_eq(src->durable, 2);
    ck_assert(famqp_symbol_eq(src->expiry_policy, "never"));
    ck_assert_uint_eq(src->timeout, 30);
    ck_assert(src->dynamic);
    famqp_value v;
    famqp_symbol sym;
    ck_assert(famqp_map_get_symbol_key(&src->dynamic_node_properties, "lifetime-policy", &v));
    ck_assert(famqp_value_get_symbol(v, &sym) && famqp_symbol_eq(sym, "delete-on-close"));
    ck_assert_uint_eq(src->filter.count, 4);
    assert_filter(src->filter, "selector", FAMQP_SELECTOR_FILTER_CODE, "color = 'red'");
    assert_filter(src->filter, "com.microsoft:session-filter", UINT64_C(0x000001370000000C), "order-17");
    assert_multiple(&src->capabilities, src_caps, 1);
    /* The target carries its capabilities but not the node options. */
    const famqp_target *tgt = &a->target.u.target;
    ck_assert_uint_eq(tgt->present & (FAMQP_TARGET_HAS_DURABLE | FAMQP_TARGET_HAS_EXPIRY_POLICY |
                                      FAMQP_TARGET_HAS_DYNAMIC),
                      0);
    assert_multiple(&tgt->capabilities, tgt_caps, 2);
    famqp_connection_free(c);
}
END_TEST

START_TEST(test_remote_link_fields_readable)
{
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_BYTE);
    /* The server answers with its own properties and capabilities. */
    uint8_t sprops[128];
    p.b.answer_opts.properties = props_map(sprops, sizeof sprops, "link-server", 9);
    p.b.answer_opts.offered_capabilities = (famqp_symbols){desired, 1};
    p.b.answer_opts.source_capabilities = (famqp_symbols){tgt_caps, 2};
    p.b.answer_opts.source_address = "dyn-1";
    p.b.answer_opts.expiry_policy = "link-detach";
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    link_bufs b;
    famqp_link_options lo;
    full_receiver_options(&lo, &b);
    famqp_link *sl = NULL;
    famqp_link *cl = pair_attach(&p, cs, "full", FAMQP_LINK_RECEIVER, &lo, &sl);
    ck_assert_ptr_nonnull(sl);
    char str[64];
    /* What the server read of ours. */
    ck_assert_str_eq(map_str(famqp_link_remote_properties(sl), "product", str, sizeof str), "link-client");
    assert_syms(famqp_link_remote_offered_capabilities(sl), offered, 2);
    assert_syms(famqp_link_remote_desired_capabilities(sl), desired, 1);
    assert_syms(famqp_link_remote_source_capabilities(sl), src_caps, 1);
    assert_syms(famqp_link_remote_target_capabilities(sl), tgt_caps, 2);
    assert_filter(famqp_link_remote_filter(sl), "selector", FAMQP_SELECTOR_FILTER_CODE, "color = 'red'");
    famqp_terminus_info t;
    ck_assert(famqp_link_remote_source(sl, &t));
    ck_assert_ptr_null(t.address);
    ck_assert_uint_eq(t.durable, 2);
    ck_assert_str_eq(t.expiry_policy, "never");
    ck_assert_uint_eq(t.timeout, 30);
    ck_assert(t.dynamic);
    ck_assert_uint_eq(t.dynamic_node_properties.count, 2);
    ck_assert(famqp_link_remote_target(sl, &t));
    ck_assert_str_eq(t.address, "reply");
    ck_assert_ptr_null(t.expiry_policy);
    /* What the client read of the server's answer. */
    ck_assert_str_eq(map_str(famqp_link_remote_properties(cl), "product", str, sizeof str), "link-server");
    assert_syms(famqp_link_remote_offered_capabilities(cl), desired, 1);
    assert_syms(famqp_link_remote_desired_capabilities(cl), NULL, 0);
    assert_syms(famqp_link_remote_source_capabilities(cl), tgt_caps, 2);
    ck_assert(famqp_link_remote_source(cl, &t));
    ck_assert_str_eq(t.address, "dyn-1");
    ck_assert_ptr_null(t.expiry_policy);
    /* The server is the sender: its terminus options went to the target. */
    ck_assert(famqp_link_remote_target(cl, &t));
    ck_assert_str_eq(t.expiry_policy, "link-detach");
    ck_assert_uint_eq(famqp_link_remote_filter(cl).count, 0);
    pair_free(&p);
}
END_TEST

/* ---- refusals ---- */

static famqp_engine_status check_link(const famqp_link_options *lo, const char *want_in_why)
{
    char why[256];
    famqp_engine_status st = famqp_link_options_check(lo, why, sizeof why);
    ck_assert_msg(strstr(why, want_in_why), "reason \"%s\" lacks \"%s\"", why, want_in_why);
    return st;
}

START_TEST(test_bad_link_options_refused)
{
    famqp_link_options lo;
    const char *with_null[] = {"ok", NULL};
    famqp_link_options_init(&lo);
    lo.source_capabilities = (famqp_symbols){with_null, 2};
    ck_assert_int_eq(check_link(&lo, "source capabilities: symbol 1 is NULL"), FAMQP_ENGINE_ERR_ARG);

    const char *many[FAMQP_ENGINE_MAX_SYMBOLS + 1];
    for (size_t i = 0; i <= FAMQP_ENGINE_MAX_SYMBOLS; i++)
        many[i] = "c";
    famqp_link_options_init(&lo);
    lo.offered_capabilities = (famqp_symbols){many, FAMQP_ENGINE_MAX_SYMBOLS + 1};
    ck_assert_int_eq(check_link(&lo, "FAMQP_ENGINE_MAX_SYMBOLS"), FAMQP_ENGINE_ERR_LIMIT);

    char longsym[FAMQP_ENGINE_MAX_SYMBOL_LEN + 2];
    memset(longsym, 'a', sizeof longsym - 1);
    longsym[sizeof longsym - 1] = '\0';
    const char *longs[] = {longsym};
    famqp_link_options_init(&lo);
    lo.target_capabilities = (famqp_symbols){longs, 1};
    ck_assert_int_eq(check_link(&lo, "FAMQP_ENGINE_MAX_SYMBOL_LEN"), FAMQP_ENGINE_ERR_LIMIT);

    const char *nonascii[] = {"caf\xc3\xa9"};
    famqp_link_options_init(&lo);
    lo.desired_capabilities = (famqp_symbols){nonascii, 1};
    ck_assert_int_eq(check_link(&lo, "not ASCII"), FAMQP_ENGINE_ERR_ARG);

    /* A properties map keyed by a string, not a symbol. */
    uint8_t buf[64];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "k");
    famqp_write_int(&w, 1);
    famqp_write_map_end(&w);
    famqp_link_options_init(&lo);
    ck_assert(famqp_map_of(buf, famqp_writer_len(&w), &lo.properties));
    ck_assert_int_eq(check_link(&lo, "link properties: key 0 is not a symbol"), FAMQP_ENGINE_ERR_ARG);

    /* Malformed bytes, an odd count, and too many bytes. */
    static const uint8_t junk[] = {0xa3, 0x05, 'a'};
    famqp_link_options_init(&lo);
    lo.dynamic_node_properties = (famqp_map){2, junk, sizeof junk};
    ck_assert_int_eq(check_link(&lo, "not a well-formed value"), FAMQP_ENGINE_ERR_ARG);
    lo.dynamic_node_properties = (famqp_map){3, junk, sizeof junk};
    ck_assert_int_eq(check_link(&lo, "odd"), FAMQP_ENGINE_ERR_ARG);
    famqp_link_options_init(&lo);
    lo.source_filter = (famqp_map){2, junk, FAMQP_ENGINE_MAX_FIELDS_SIZE + 1};
    ck_assert_int_eq(check_link(&lo, "FAMQP_ENGINE_MAX_FIELDS_SIZE"), FAMQP_ENGINE_ERR_LIMIT);

    famqp_link_options_init(&lo);
    lo.expiry_policy = "forever";
    ck_assert_int_eq(check_link(&lo, "expiry_policy \"forever\""), FAMQP_ENGINE_ERR_ARG);
    famqp_link_options_init(&lo);
    lo.durable = 3;
    ck_assert_int_eq(check_link(&lo, "durable 3"), FAMQP_ENGINE_ERR_ARG);

    /* famqp_link_new and famqp_link_set_options refuse the same. */
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    pair p;
    pair_init(&p, &co, &so, CHUNK_WHOLE);
    famqp_session *cs;
    pair_connect(&p, &cs, NULL);
    famqp_link *bad = (famqp_link *)&lo;
    ck_assert_int_eq(famqp_link_new(cs, "bad", FAMQP_LINK_SENDER, &lo, &bad), FAMQP_ENGINE_ERR_ARG);
    ck_assert_ptr_null(bad);
    famqp_link_options good;
    famqp_link_options_init(&good);
    famqp_link *l;
    ck_assert_int_eq(famqp_link_new(cs, "good", FAMQP_LINK_SENDER, &good, &l), FAMQP_ENGINE_OK);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(famqp_link_set_options(l, &lo), FAMQP_ENGINE_ERR_ARG);
    ck_assert(!famqp_connection_failed(p.a.c));
    pair_free(&p);
}
END_TEST

START_TEST(test_bad_connection_options_refused)
{
    famqp_connection_options o;
    harness_client_options(&o);
    const char *with_null[] = {NULL};
    o.offered_capabilities = (famqp_symbols){with_null, 1};
    char why[256];
    ck_assert_int_eq(famqp_connection_options_check(&o, why, sizeof why), FAMQP_ENGINE_ERR_ARG);
    ck_assert_str_eq(why, "connection offered-capabilities: symbol 0 is NULL");
    expect_refused_connection(&o, FAMQP_ENGINE_ERR_ARG);
    harness_client_options(&o);
    o.desired_capabilities = (famqp_symbols){NULL, 1};
    ck_assert_int_eq(famqp_connection_options_check(&o, why, sizeof why), FAMQP_ENGINE_ERR_ARG);
    expect_refused_connection(&o, FAMQP_ENGINE_ERR_ARG);
    harness_client_options(&o);
    static uint8_t big[FAMQP_ENGINE_MAX_FIELDS_SIZE + 1];
    o.properties = (famqp_map){2, big, sizeof big};
    ck_assert_int_eq(famqp_connection_options_check(&o, why, sizeof why), FAMQP_ENGINE_ERR_LIMIT);
    expect_refused_connection(&o, FAMQP_ENGINE_ERR_LIMIT);
}
END_TEST

START_TEST(test_builders_report_small_buffers)
{
    uint8_t buf[16];
    famqp_filter_set_builder fb;
    famqp_filter_set_init(&fb, buf, sizeof buf);
    famqp_filter_set_put_selector(&fb, "a rather long selector expression");
    famqp_map m;
    ck_assert_int_eq(famqp_filter_set_finish(&fb, &m), FAMQP_ERR_LIMIT);
    ck_assert_uint_gt(famqp_writer_len(&fb.writer), sizeof buf);
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, sizeof buf);
    famqp_write_cstring(famqp_fields_key(&b, "product"), "something long enough");
    ck_assert_int_eq(famqp_fields_finish(&b, &m), FAMQP_ERR_LIMIT);
    /* A session filter with no id is null (any session). */
    uint8_t big[64];
    famqp_filter_set_init(&fb, big, sizeof big);
    famqp_filter_set_put_session(&fb, NULL);
    ck_assert_int_eq(famqp_filter_set_finish(&fb, &m), FAMQP_OK);
    famqp_value v, d, val;
    ck_assert(famqp_map_get_symbol_key(&m, "com.microsoft:session-filter", &v));
    ck_assert(famqp_value_get_described(v, &d, &val));
    ck_assert_int_eq(famqp_value_kind(val), FAMQP_KIND_NULL);
}
END_TEST

/* famqp_link_options_copy / famqp_connection_options_copy: the copy holds
 * everything after the caller's buffers are overwritten, also in place. */
START_TEST(test_options_copy_outlives_buffers)
{
    char src_addr[16] = "src", tgt_addr[16] = "tgt", policy[16] = "never", cap0[16] = "queue", cap1[16] = "shared";
    const char *caps[2] = {cap0, cap1};
    uint8_t props[64], filter[128];
    famqp_fields_builder b;
    famqp_fields_init(&b, props, sizeof props);
    famqp_write_cstring(famqp_fields_key(&b, "role"), "receiver");
    famqp_link_options lo;
    famqp_link_options_init(&lo);
    ck_assert_int_eq(famqp_fields_finish(&b, &lo.properties), FAMQP_OK);
    famqp_filter_set_builder fb;
    famqp_filter_set_init(&fb, filter, sizeof filter);
    famqp_filter_set_put_selector(&fb, "x = 1");
    ck_assert_int_eq(famqp_filter_set_finish(&fb, &lo.source_filter), FAMQP_OK);
    lo.source_address = src_addr;
    lo.target_address = tgt_addr;
    lo.expiry_policy = policy;
    lo.source_capabilities = (famqp_symbols){caps, 2};
    lo.durable = 2;
    famqp_link_options copy;
    void *block = NULL;
    ck_assert_int_eq(famqp_link_options_copy(&copy, &lo, &block), FAMQP_ENGINE_OK);
    famqp_link_options in_place = lo;
    void *block2 = NULL;
    ck_assert_int_eq(famqp_link_options_copy(&in_place, &in_place, &block2), FAMQP_ENGINE_OK);
    memset(src_addr, 'x', sizeof src_addr - 1);
    memset(tgt_addr, 'x', sizeof tgt_addr - 1);
    memset(policy, 'x', sizeof policy - 1);
    memset(cap0, 'x', sizeof cap0 - 1);
    memset(cap1, 'x', sizeof cap1 - 1);
    memset(props, 0xEE, sizeof props);
    memset(filter, 0xEE, sizeof filter);
    const famqp_link_options *copies[] = {&copy, &in_place};
    for (int i = 0; i < 2; i++) {
        const famqp_link_options *c = copies[i];
        ck_assert_str_eq(c->source_address, "src");
        ck_assert_str_eq(c->target_address, "tgt");
        ck_assert_str_eq(c->expiry_policy, "never");
        ck_assert_uint_eq(c->durable, 2);
        ck_assert_uint_eq(c->source_capabilities.count, 2);
        ck_assert_str_eq(c->source_capabilities.items[0], "queue");
        ck_assert_str_eq(c->source_capabilities.items[1], "shared");
        ck_assert_int_eq(famqp_link_options_check(c, NULL, 0), FAMQP_ENGINE_OK);
        famqp_value v;
        famqp_string str;
        ck_assert(famqp_map_get_symbol_key(&c->properties, "role", &v) && famqp_value_get_string(v, &str));
        ck_assert(famqp_string_eq(str, "receiver"));
        ck_assert(famqp_map_get_symbol_key(&c->source_filter, "selector", &v));
    }
    famqp_options_copy_free(block);
    famqp_options_copy_free(block2);
    famqp_options_copy_free(NULL);

    char user[16] = "alice", pass[16] = "secret", cid[16] = "me";
    famqp_connection_options co;
    famqp_connection_options_init(&co);
    co.sasl_username = user;
    co.sasl_password = pass;
    co.container_id = cid;
    co.offered_capabilities = (famqp_symbols){caps, 1};
    strcpy(cap0, "offer");
    ck_assert_int_eq(famqp_connection_options_copy(&co, &co, &block), FAMQP_ENGINE_OK);
    memset(user, 0, sizeof user);
    memset(pass, 0, sizeof pass);
    memset(cid, 0, sizeof cid);
    memset(cap0, 0, sizeof cap0);
    ck_assert_str_eq(co.sasl_username, "alice");
    ck_assert_str_eq(co.sasl_password, "secret");
    ck_assert_str_eq(co.container_id, "me");
    ck_assert_str_eq(co.offered_capabilities.items[0], "offer");
    ck_assert_int_eq(famqp_connection_options_copy(NULL, &co, &block2), FAMQP_ENGINE_ERR_ARG);
    famqp_options_copy_free(block);
}
END_TEST

Suite *engine_fields_suite(void)
{
    Suite *s = suite_create("engine_fields");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc, test_open_carries_properties_and_capabilities);
    tcase_add_test(tc, test_open_without_them_sends_none);
    tcase_add_test(tc, test_remote_connection_fields_readable);
    tcase_add_test(tc, test_attach_carries_everything);
    tcase_add_test(tc, test_remote_link_fields_readable);
    tcase_add_test(tc, test_bad_link_options_refused);
    tcase_add_test(tc, test_bad_connection_options_refused);
    tcase_add_test(tc, test_builders_report_small_buffers);
    tcase_add_test(tc, test_options_copy_outlives_buffers);
    suite_add_tcase(s, tc);
    return s;
}
