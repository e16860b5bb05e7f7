/* The message API: every section round-trips, section order rules, bad
 * input, write-or-count encoding and property lookups. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/message.h"
#include "famqp_spec_tests.h"

Suite *message_suite(void);

/* Encodes m into a fresh heap buffer of exactly the needed size (so ASan
 * catches any write past it). */
static uint8_t *encode_exact(const famqp_message *m, size_t *len)
{
    size_t need = famqp_message_encode(NULL, 0, m);
    ck_assert_uint_gt(need, 0);
    uint8_t *buf = malloc(need);
    ck_assert_ptr_nonnull(buf);
    size_t got = famqp_message_encode(buf, need, m);
    ck_assert_uint_eq(got, need);
    *len = need;
    return buf;
}

static bool map_equal(famqp_map a, famqp_map b)
{
    return a.count == b.count && a.len == b.len && (a.len == 0 || memcmp(a.items, b.items, a.len) == 0);
}

START_TEST(every_section_round_trips)
{
    famqp_message m;
    famqp_message_init(&m);

    m.present |= FAMQP_MESSAGE_HAS_HEADER;
    m.header.durable = true;
    m.header.priority = 7;
    m.header.ttl = 30000;
    m.header.present = FAMQP_HEADER_HAS_DURABLE | FAMQP_HEADER_HAS_PRIORITY | FAMQP_HEADER_HAS_TTL;

    uint8_t da_buf[64], ma_buf[64], ap_buf[128], ft_buf[64];
    famqp_writer w;
    famqp_writer_init(&w, da_buf, sizeof da_buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "x-trace");
    famqp_write_ulong(&w, 99);
    famqp_write_map_end(&w);
    ck_assert(famqp_message_set_delivery_annotations(&m, &w));

    famqp_writer_init(&w, ma_buf, sizeof ma_buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "x-opt-partition-key");
    famqp_write_cstring(&w, "p7");
    famqp_write_map_end(&w);
    ck_assert(famqp_message_set_message_annotations(&m, &w));

    m.present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    m.properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    m.properties.message_id.u.message_id_string = famqp_string_of("id-42");
    m.properties.to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    m.properties.to.u.address_string = famqp_string_of("queue/a");
    m.properties.subject = famqp_string_of("greeting");
    m.properties.content_type = famqp_symbol_of("text/plain");
    m.properties.creation_time = 1700000000000;
    m.properties.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_TO |
                           FAMQP_PROPERTIES_HAS_SUBJECT | FAMQP_PROPERTIES_HAS_CONTENT_TYPE |
                           FAMQP_PROPERTIES_HAS_CREATION_TIME;

    famqp_writer_init(&w, ap_buf, sizeof ap_buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "tenant");
    famqp_write_cstring(&w, "acme");
    famqp_write_cstring(&w, "count");
    famqp_write_int(&w, -5);
    famqp_write_map_end(&w);
    ck_assert(famqp_message_set_application_properties(&m, &w));

    famqp_message_set_data(&m, "hello", 5);

    famqp_writer_init(&w, ft_buf, sizeof ft_buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "x-hash");
    famqp_write_binary(&w, famqp_binary_of("\x01\x02", 2));
    famqp_write_map_end(&w);
    ck_assert(famqp_message_set_footer(&m, &w));

    size_t len;
    uint8_t *buf = encode_exact(&m, &len);
    famqp_message d;
    famqp_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(famqp_message_decode(buf, len, &d, &err), FAMQP_OK);
    ck_assert_uint_eq(d.present, m.present);
    ck_assert(famqp_test_header_equal(&d.header, &m.header));
    ck_assert(famqp_test_properties_equal(&d.properties, &m.properties));
    ck_assert(map_equal(d.delivery_annotations.value, m.delivery_annotations.value));
    ck_assert(map_equal(d.message_annotations.value, m.message_annotations.value));
    ck_assert(map_equal(d.application_properties.value, m.application_properties.value));
    ck_assert(map_equal(d.footer.value, m.footer.value));
    ck_assert_int_eq(d.body.kind, FAMQP_BODY_DATA);
    ck_assert_uint_eq(d.body.count, 1);
    ck_assert_uint_eq(d.body.data.len, 5);
    ck_assert(memcmp(d.body.data.ptr, "hello", 5) == 0);
    /* zero-copy: the body view points into the decoded bytes */
    ck_assert(d.body.data.ptr >= buf && d.body.data.ptr + 5 <= buf + len);

    famqp_value v;
    famqp_string s;
    int32_t i32;
    ck_assert(famqp_message_property(&d, "tenant", &v));
    ck_assert(famqp_value_get_string(v, &s) && famqp_string_eq(s, "acme"));
    ck_assert(famqp_message_property(&d, "count", &v));
    ck_assert(famqp_value_get_int(v, &i32) && i32 == -5);
    ck_assert(!famqp_message_property(&d, "missing", &v));
    ck_assert(famqp_message_annotation(&d, "x-opt-partition-key", &v));
    ck_assert(famqp_value_get_string(v, &s) && famqp_string_eq(s, "p7"));
    ck_assert(!famqp_message_annotation(&d, "tenant", &v));

    /* decoding then encoding again gives the same bytes */
    uint8_t *again = malloc(len);
    ck_assert_uint_eq(famqp_message_encode(again, len, &d), len);
    ck_assert(memcmp(again, buf, len) == 0);
    free(again);
    free(buf);
}
END_TEST

/* A random message: random subset of sections, random body kind. */
static void random_message(famqp_test_rng *rng, famqp_test_arena *a, famqp_message *m, famqp_binary *parts,
                           famqp_list *seqs, uint32_t max_parts)
{
    famqp_message_init(m);
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_header_random(rng, &m->header, a, FAMQP_TEST_RANDOM_SUBSET);
        m->present |= FAMQP_MESSAGE_HAS_HEADER;
    }
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_delivery_annotations_random(rng, &m->delivery_annotations, a, FAMQP_TEST_ALL_FIELDS);
        m->present |= FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS;
    }
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_message_annotations_random(rng, &m->message_annotations, a, FAMQP_TEST_ALL_FIELDS);
        m->present |= FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS;
    }
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_properties_random(rng, &m->properties, a, FAMQP_TEST_RANDOM_SUBSET);
        m->present |= FAMQP_MESSAGE_HAS_PROPERTIES;
    }
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_application_properties_random(rng, &m->application_properties, a, FAMQP_TEST_ALL_FIELDS);
        m->present |= FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
    }
    uint32_t n = 1 + famqp_test_rng_below(rng, max_parts);
    switch (famqp_test_rng_below(rng, 3)) {
    case 0:
        for (uint32_t i = 0; i < n; i++) {
            famqp_data d;
            famqp_test_data_random(rng, &d, a, FAMQP_TEST_ALL_FIELDS);
            parts[i] = d.value;
        }
        famqp_message_set_data_parts(m, parts, n);
        break;
    case 1:
        for (uint32_t i = 0; i < n; i++) {
            famqp_amqp_sequence s;
            famqp_test_amqp_sequence_random(rng, &s, a, FAMQP_TEST_ALL_FIELDS);
            seqs[i] = s.value;
        }
        famqp_message_set_sequence_parts(m, seqs, n);
        break;
    default: {
        famqp_amqp_value v;
        famqp_test_amqp_value_random(rng, &v, a, FAMQP_TEST_ALL_FIELDS);
        famqp_message_set_value(m, v.value);
        break;
    }
    }
    if (famqp_test_rng_below(rng, 2)) {
        famqp_test_footer_random(rng, &m->footer, a, FAMQP_TEST_ALL_FIELDS);
        m->present |= FAMQP_MESSAGE_HAS_FOOTER;
    }
}

START_TEST(random_messages_round_trip)
{
    static uint8_t arena_buf[1 << 18];
    famqp_test_rng rng;
    famqp_test_rng_seed(&rng, 0x5eed0001u + (uint64_t)_i);
    for (int iter = 0; iter < 300; iter++) {
        famqp_test_arena a;
        famqp_test_arena_init(&a, arena_buf, sizeof arena_buf);
        famqp_message m;
        famqp_binary parts[4];
        famqp_list seqs[4];
        random_message(&rng, &a, &m, parts, seqs, 4);
        size_t len;
        uint8_t *buf = encode_exact(&m, &len);
        famqp_message d;
        famqp_error err;
        memset(&err, 0, sizeof err);
        famqp_status st = famqp_message_decode(buf, len, &d, &err);
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        ck_assert_msg(st == FAMQP_OK, "iteration %d: %s", iter, msg);
        ck_assert_uint_eq(d.present, m.present);
        if (m.present & FAMQP_MESSAGE_HAS_HEADER)
            ck_assert(famqp_test_header_equal(&d.header, &m.header));
        if (m.present & FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS)
            ck_assert(famqp_test_delivery_annotations_equal(&d.delivery_annotations, &m.delivery_annotations));
        if (m.present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS)
            ck_assert(famqp_test_message_annotations_equal(&d.message_annotations, &m.message_annotations));
        if (m.present & FAMQP_MESSAGE_HAS_PROPERTIES)
            ck_assert(famqp_test_properties_equal(&d.properties, &m.properties));
        if (m.present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES)
            ck_assert(famqp_test_application_properties_equal(&d.application_properties,
                                                              &m.application_properties));
        if (m.present & FAMQP_MESSAGE_HAS_FOOTER)
            ck_assert(famqp_test_footer_equal(&d.footer, &m.footer));
        ck_assert_int_eq(d.body.kind, m.body.kind);
        ck_assert_uint_eq(d.body.count, m.body.count);
        /* every body section, in order, via the iterator */
        famqp_body_iter it;
        famqp_any_section s;
        uint32_t k = 0;
        famqp_message_body_iter(&d, &it);
        while (famqp_message_body_next(&it, &s)) {
            ck_assert_uint_lt(k, m.body.count);
            if (m.body.kind == FAMQP_BODY_DATA) {
                famqp_data want = {parts[k]};
                ck_assert_int_eq(s.kind, FAMQP_ANY_SECTION_DATA);
                ck_assert(famqp_test_data_equal(&s.u.data, &want));
            } else if (m.body.kind == FAMQP_BODY_SEQUENCE) {
                famqp_amqp_sequence want = {seqs[k]};
                ck_assert_int_eq(s.kind, FAMQP_ANY_SECTION_AMQP_SEQUENCE);
                ck_assert(famqp_test_amqp_sequence_equal(&s.u.amqp_sequence, &want));
            } else {
                famqp_amqp_value want = {m.body.value};
                ck_assert_int_eq(s.kind, FAMQP_ANY_SECTION_AMQP_VALUE);
                ck_assert(famqp_test_amqp_value_equal(&s.u.amqp_value, &want));
            }
            k++;
        }
        ck_assert_uint_eq(k, m.body.count);
        /* a decoded message (several body sections included) re-encodes
         * to the same size */
        ck_assert_uint_eq(famqp_message_encode(NULL, 0, &d), len);
        /* every truncation: an error, or a shorter valid message ending on
         * a section boundary; never a read past the end (ASan) */
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            memcpy(p, buf, cut);
            famqp_message t;
            if (famqp_message_decode(p, cut, &t, &err) == FAMQP_OK)
                ck_assert_uint_lt(famqp_message_encode(NULL, 0, &t), len);
            else
                ck_assert_uint_le(err.offset, cut);
            free(p);
        }
        free(buf);
    }
}
END_TEST

START_TEST(encode_counts_when_too_small)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, "abcdef", 6);
    size_t need = famqp_message_encode(NULL, 0, &m);
    ck_assert_uint_eq(need, 3 + 2 + 6); /* 0x00 0x53 0x75, vbin8 + len, bytes */
    uint8_t buf[32];
    memset(buf, 0xAA, sizeof buf);
    ck_assert_uint_eq(famqp_message_encode(buf, need - 1, &m), need);
    for (size_t i = 0; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0xAA);
    ck_assert_uint_eq(famqp_message_encode(buf, sizeof buf, &m), need);
    static const uint8_t want[] = {0x00, 0x53, 0x75, 0xa0, 6, 'a', 'b', 'c', 'd', 'e', 'f'};
    ck_assert(memcmp(buf, want, sizeof want) == 0);
    ck_assert_uint_eq(buf[need], 0xAA);
    /* an empty message encodes to nothing; an amqp-value without a value
     * to amqp-value null */
    famqp_message_init(&m);
    ck_assert_uint_eq(famqp_message_encode(buf, sizeof buf, &m), 0);
    famqp_message_set_value(&m, (famqp_value){0});
    ck_assert_uint_eq(famqp_message_encode(buf, sizeof buf, &m), 4);
    ck_assert_uint_eq(buf[3], 0x40);
}
END_TEST

/* Concatenation helper for hand-made section streams. */
static size_t cat(uint8_t *out, size_t off, const uint8_t *p, size_t n)
{
    memcpy(out + off, p, n);
    return off + n;
}

static const uint8_t HEADER[] = {0x00, 0x53, 0x70, 0x45};             /* header, list0 */
static const uint8_t PROPS[] = {0x00, 0x53, 0x73, 0x45};              /* properties, list0 */
static const uint8_t APPPROPS[] = {0x00, 0x53, 0x74, 0xc1, 0x01, 0x00}; /* empty map8 */
static const uint8_t DATA[] = {0x00, 0x53, 0x75, 0xa0, 0x01, 'x'};
static const uint8_t SEQ[] = {0x00, 0x53, 0x76, 0x45};
static const uint8_t VALUE[] = {0x00, 0x53, 0x77, 0x54, 0x07}; /* smallint 7 */
static const uint8_t FOOTER[] = {0x00, 0x53, 0x78, 0xc1, 0x01, 0x00};

static void expect_bad(const uint8_t *p, size_t n, const char *field, size_t offset, const char *detail_part)
{
    famqp_message m;
    famqp_error err;
    memset(&err, 0, sizeof err);
    famqp_status st = famqp_message_decode(p, n, &m, &err);
    char msg[512];
    famqp_error_format(&err, msg, sizeof msg);
    ck_assert_msg(st != FAMQP_OK, "accepted: expected error about %s", field);
    ck_assert_msg(err.field && strcmp(err.field, field) == 0, "field: %s", msg);
    ck_assert_msg(err.offset == offset, "offset %zu, want %zu: %s", err.offset, offset, msg);
    if (detail_part)
        ck_assert_msg(strstr(msg, detail_part) != NULL, "message '%s' lacks '%s'", msg, detail_part);
}

START_TEST(section_order_rules)
{
    uint8_t b[128];
    size_t n;
    /* properties before header */
    n = cat(b, 0, PROPS, sizeof PROPS);
    n = cat(b, n, HEADER, sizeof HEADER);
    expect_bad(b, n, "header", sizeof PROPS, "out of order");
    /* duplicate header */
    n = cat(b, 0, HEADER, sizeof HEADER);
    n = cat(b, n, HEADER, sizeof HEADER);
    expect_bad(b, n, "header", sizeof HEADER, "duplicate");
    /* application-properties after the body */
    n = cat(b, 0, DATA, sizeof DATA);
    n = cat(b, n, APPPROPS, sizeof APPPROPS);
    expect_bad(b, n, "application-properties", sizeof DATA, "out of order");
    /* data then amqp-sequence */
    n = cat(b, 0, DATA, sizeof DATA);
    n = cat(b, n, SEQ, sizeof SEQ);
    expect_bad(b, n, "amqp-sequence", sizeof DATA, "different kinds");
    /* two amqp-values */
    n = cat(b, 0, VALUE, sizeof VALUE);
    n = cat(b, n, VALUE, sizeof VALUE);
    expect_bad(b, n, "amqp-value", sizeof VALUE, "more than one");
    /* anything after the footer */
    n = cat(b, 0, DATA, sizeof DATA);
    n = cat(b, n, FOOTER, sizeof FOOTER);
    n = cat(b, n, DATA, sizeof DATA);
    expect_bad(b, n, "data", sizeof DATA + sizeof FOOTER, "after the footer");
    n = cat(b, 0, FOOTER, sizeof FOOTER);
    n = cat(b, n, FOOTER, sizeof FOOTER);
    expect_bad(b, n, "footer", sizeof FOOTER, "after the footer");

    /* the legal maximum: every section in order, several data sections */
    n = cat(b, 0, HEADER, sizeof HEADER);
    n = cat(b, n, PROPS, sizeof PROPS);
    n = cat(b, n, APPPROPS, sizeof APPPROPS);
    n = cat(b, n, DATA, sizeof DATA);
    n = cat(b, n, DATA, sizeof DATA);
    n = cat(b, n, DATA, sizeof DATA);
    n = cat(b, n, FOOTER, sizeof FOOTER);
    famqp_message m;
    ck_assert_int_eq(famqp_message_decode(b, n, &m, NULL), FAMQP_OK);
    ck_assert_uint_eq(m.body.count, 3);
    ck_assert_uint_eq(m.body.wire.len, 3 * sizeof DATA);
    ck_assert_uint_eq(m.present, FAMQP_MESSAGE_HAS_HEADER | FAMQP_MESSAGE_HAS_PROPERTIES |
                                     FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES | FAMQP_MESSAGE_HAS_FOOTER);
    /* several amqp-sequence sections, and an amqp-value alone */
    n = cat(b, 0, SEQ, sizeof SEQ);
    n = cat(b, n, SEQ, sizeof SEQ);
    ck_assert_int_eq(famqp_message_decode(b, n, &m, NULL), FAMQP_OK);
    ck_assert_int_eq(m.body.kind, FAMQP_BODY_SEQUENCE);
    ck_assert_uint_eq(m.body.count, 2);
    ck_assert_int_eq(famqp_message_decode(VALUE, sizeof VALUE, &m, NULL), FAMQP_OK);
    ck_assert_int_eq(m.body.kind, FAMQP_BODY_VALUE);
    int32_t i;
    ck_assert(famqp_value_get_int(m.body.value, &i) && i == 7);
    /* no sections at all: an empty message */
    ck_assert_int_eq(famqp_message_decode(b, 0, &m, NULL), FAMQP_OK);
    ck_assert_int_eq(m.body.kind, FAMQP_BODY_NONE);
}
END_TEST

START_TEST(bad_input)
{
    famqp_message m;
    famqp_error err;
    /* an undescribed value where a section belongs */
    static const uint8_t plain[] = {0xa1, 0x02, 'h', 'i'};
    memset(&err, 0, sizeof err);
    ck_assert_int_ne(famqp_message_decode(plain, sizeof plain, &m, &err), FAMQP_OK);
    ck_assert_uint_eq(err.offset, 0);
    /* a described value with a descriptor that is no section (0x79) */
    uint8_t b[64];
    size_t n = cat(b, 0, HEADER, sizeof HEADER);
    static const uint8_t unknown[] = {0x00, 0x53, 0x79, 0x45};
    n = cat(b, n, unknown, sizeof unknown);
    expect_bad(b, n, "unknown section", sizeof HEADER, "not a message section");
    /* a transfer performative is not a section */
    static const uint8_t transfer[] = {0x00, 0x53, 0x14, 0x45};
    memset(&err, 0, sizeof err);
    ck_assert_int_ne(famqp_message_decode(transfer, sizeof transfer, &m, &err), FAMQP_OK);
    /* null */
    static const uint8_t null_value[] = {0x40};
    expect_bad(null_value, 1, "null", 0, "null");
    /* a data section whose binary claims more bytes than there are: the
     * offset is that of the length inside the second section */
    n = cat(b, 0, DATA, sizeof DATA);
    static const uint8_t short_data[] = {0x00, 0x53, 0x75, 0xa0, 0x09, 'x'};
    n = cat(b, n, short_data, sizeof short_data);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(famqp_message_decode(b, n, &m, &err), FAMQP_ERR_TRUNCATED);
    ck_assert_uint_ge(err.offset, sizeof DATA);
    ck_assert_uint_lt(err.offset, n);
    /* a header whose priority is a string */
    static const uint8_t bad_header[] = {0x00, 0x53, 0x70, 0xc0, 0x05, 0x02, 0x41, 0xa1, 0x01, 'x'};
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(famqp_message_decode(bad_header, sizeof bad_header, &m, &err), FAMQP_ERR_TYPE_MISMATCH);
    ck_assert_str_eq(err.field, "priority");
    /* depth limit applies inside amqp-value */
    /* built inside out: list8 [ list8 [ ... [ null ] ] ] */
    uint8_t deep[200];
    size_t start = sizeof deep - 1;
    deep[start] = 0x40;
    for (int d = 0; d < 60; d++) {
        size_t inner = sizeof deep - start;
        start -= 3;
        deep[start] = 0xc0;
        deep[start + 1] = (uint8_t)(inner + 1);
        deep[start + 2] = 1;
    }
    start -= 3;
    memcpy(deep + start, (const uint8_t[]){0x00, 0x53, 0x77}, 3);
    size_t k = sizeof deep - start;
    memmove(deep, deep + start, k);
    ck_assert_int_eq(famqp_message_decode(deep, k, &m, NULL), FAMQP_OK);
    famqp_limits lim = {8, 1000, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(famqp_message_decode_ex(deep, k, &m, &lim, &err), FAMQP_ERR_DEPTH);
}
END_TEST

START_TEST(property_helpers_reject_non_maps)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t buf[64];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_list_begin(&w);
    famqp_write_int(&w, 1);
    famqp_write_list_end(&w);
    ck_assert(!famqp_message_set_application_properties(&m, &w));
    ck_assert_uint_eq(m.present, 0);
    /* a map that did not fit */
    famqp_writer_init(&w, buf, 4);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "k");
    famqp_write_cstring(&w, "a long value that does not fit");
    famqp_write_map_end(&w);
    ck_assert(!famqp_message_set_application_properties(&m, &w));
    famqp_value v;
    ck_assert(!famqp_message_property(&m, "k", &v));
    /* an unbalanced writer */
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    ck_assert(!famqp_message_set_footer(&m, &w));
}
END_TEST

Suite *message_suite(void)
{
    Suite *s = suite_create("message");
    TCase *tc = tcase_create("message");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_section_round_trips);
    tcase_add_loop_test(tc, random_messages_round_trip, 0, 3);
    tcase_add_test(tc, encode_counts_when_too_small);
    tcase_add_test(tc, section_order_rules);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, property_helpers_reject_non_maps);
    suite_add_tcase(s, tc);
    return s;
}
