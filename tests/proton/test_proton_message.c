/* Whole messages: a pn_message_t with every header and properties field
 * set is encoded by Proton and read back section by section with
 * famqp_any_section_decode; sections encoded by flatamqp are read by
 * pn_message_decode and checked through the pn_message getters. */
#include <check.h>
#include <proton/message.h>
#include <stdlib.h>

#include "crosscheck.h"
#include "famqp_spec.h"

enum {
    C_HEADER = 0x70, C_DELIVERY_ANNOTATIONS, C_MESSAGE_ANNOTATIONS, C_PROPERTIES, C_APPLICATION_PROPERTIES,
    C_DATA, C_AMQP_SEQUENCE, C_AMQP_VALUE, C_FOOTER
};

/* The message every test uses. */
#define DURABLE true
#define PRIORITY 9
#define TTL 0xFFFFFFFFu
#define FIRST_ACQUIRER true
#define DELIVERY_COUNT 7u
#define MESSAGE_ID UINT64_MAX
static const char user_id[] = {'a', 'l', 'i', 'c', 'e', 0x00, (char)0xff};
#define ADDRESS_LEN 300 /* str32 */
#define SUBJECT "quarterly report"
#define REPLY_TO "queue://replies"
static const uint8_t correlation_uuid[16] = {0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0,
                                             0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6};
#define CONTENT_TYPE "application/octet-stream"
#define CONTENT_ENCODING "binary"
#define EXPIRY 1700000000123LL
#define CREATION 1600000000000LL
#define GROUP_ID "group-7"
#define GROUP_SEQUENCE 0xFFFFFFFFu
#define REPLY_TO_GROUP_ID "reply-group"

static const char *address(void)
{
    static char a[ADDRESS_LEN + 1];
    for (size_t i = 0; i < ADDRESS_LEN; i++)
        a[i] = (char)('a' + i % 26);
    return a;
}

#define T_HEADER T_COMP(C_HEADER, T_BOOL(DURABLE), T_UBYTE(PRIORITY), T_UINT(TTL), T_BOOL(FIRST_ACQUIRER), \
                        T_UINT(DELIVERY_COUNT))
#define T_INSTRUCTIONS T_MAP(T_SYM("x-opt-lock-token"), T_UUID(correlation_uuid), T_SYM("x-opt-n"), T_INT(-1))
#define T_ANNOTATIONS                                                                              \
    T_MAP(T_SYM("x-opt-sequence-number"), T_LONG(9000000000LL), T_SYM("x-opt-enqueued-time"), T_TS(EXPIRY), \
          T_SYM("x-opt-partition"), T_STR("p-3"))
#define T_APP_PROPS                                                                                \
    T_MAP(T_STR("customer"), T_STR("acme"), T_STR("amount"), T_LONG(-12345), T_STR("vip"), T_BOOL(true), \
          T_STR("items"), T_UINT(300), T_STR("rate"), T_ULONG(UINT64_MAX))
#define T_PROPERTIES                                                                               \
    T_COMP(C_PROPERTIES, T_ULONG(MESSAGE_ID), T_BIN(user_id, sizeof user_id), T_STRN(address(), ADDRESS_LEN), \
           T_STR(SUBJECT), T_STR(REPLY_TO), T_UUID(correlation_uuid), T_SYM(CONTENT_TYPE),                \
           T_SYM(CONTENT_ENCODING), T_TS(EXPIRY), T_TS(CREATION), T_STR(GROUP_ID), T_UINT(GROUP_SEQUENCE),  \
           T_STR(REPLY_TO_GROUP_ID))

static void setup(void) { arena_reset(); }

/* A pn_message with every header and properties field set. */
static pn_message_t *full_message(void)
{
    pn_message_t *m = pn_message();
    ck_assert_int_eq(pn_message_set_durable(m, DURABLE), 0);
    ck_assert_int_eq(pn_message_set_priority(m, PRIORITY), 0);
    ck_assert_int_eq(pn_message_set_ttl(m, TTL), 0);
    ck_assert_int_eq(pn_message_set_first_acquirer(m, FIRST_ACQUIRER), 0);
    ck_assert_int_eq(pn_message_set_delivery_count(m, DELIVERY_COUNT), 0);
    pn_msgid_t id = {.type = PN_ULONG, .u.as_ulong = MESSAGE_ID};
    ck_assert_int_eq(pn_message_set_id(m, id), 0);
    ck_assert_int_eq(pn_message_set_user_id(m, pn_bytes(sizeof user_id, user_id)), 0);
    ck_assert_int_eq(pn_message_set_address(m, address()), 0);
    ck_assert_int_eq(pn_message_set_subject(m, SUBJECT), 0);
    ck_assert_int_eq(pn_message_set_reply_to(m, REPLY_TO), 0);
    pn_msgid_t corr = {.type = PN_UUID};
    memcpy(corr.u.as_uuid.bytes, correlation_uuid, 16);
    ck_assert_int_eq(pn_message_set_correlation_id(m, corr), 0);
    ck_assert_int_eq(pn_message_set_content_type(m, CONTENT_TYPE), 0);
    ck_assert_int_eq(pn_message_set_content_encoding(m, CONTENT_ENCODING), 0);
    ck_assert_int_eq(pn_message_set_expiry_time(m, EXPIRY), 0);
    ck_assert_int_eq(pn_message_set_creation_time(m, CREATION), 0);
    ck_assert_int_eq(pn_message_set_group_id(m, GROUP_ID), 0);
    ck_assert_int_eq(pn_message_set_group_sequence(m, (pn_sequence_t)GROUP_SEQUENCE), 0);
    ck_assert_int_eq(pn_message_set_reply_to_group_id(m, REPLY_TO_GROUP_ID), 0);
    tv ins = T_INSTRUCTIONS, ann = T_ANNOTATIONS, props = T_APP_PROPS;
    tv_put(pn_message_instructions(m), &ins);
    tv_put(pn_message_annotations(m), &ann);
    tv_put(pn_message_properties(m), &props);
    return m;
}

static famqp_binary message_encode(pn_message_t *m)
{
    size_t cap = 1 << 16; /* the test messages are a few KiB */
    char *buf = arena_alloc(cap);
    int r = pn_message_encode(m, buf, &cap);
    ck_assert_msg(r == 0, "pn_message_encode: %d", r);
    return famqp_binary_of(buf, cap);
}

/* Reads p[0..n) as consecutive sections and checks each against want[i]. */
static void decode_sections(famqp_binary b, const tv *want, size_t nwant)
{
    size_t off = 0;
    for (size_t i = 0; i < nwant; i++) {
        famqp_any_section sec;
        famqp_error err;
        size_t used = famqp_any_section_decode(b.ptr + off, b.len - off, &sec, &err);
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        ck_assert_msg(used > 0, "section %zu at offset %zu: %s\n  bytes: %s", i, off, msg,
                      hex(b.ptr + off, b.len - off));
        any_check(&any_section, &want[i], &sec, path_join("section", " %zu", i));
        off += used;
    }
    ck_assert_msg(off == b.len, "%zu bytes left after the expected sections: %s", b.len - off,
                  hex(b.ptr + off, b.len - off));
}

START_TEST(proton_message_value_body)
{
    pn_message_t *m = full_message();
    tv body = T_STR("hello, flatamqp");
    tv_put(pn_message_body(m), &body);
    famqp_binary b = message_encode(m);
    const tv want[] = {T_HEADER,
                       T_DESC(C_DELIVERY_ANNOTATIONS, T_INSTRUCTIONS),
                       T_DESC(C_MESSAGE_ANNOTATIONS, T_ANNOTATIONS),
                       T_PROPERTIES,
                       T_DESC(C_APPLICATION_PROPERTIES, T_APP_PROPS),
                       T_DESC(C_AMQP_VALUE, T_STR("hello, flatamqp"))};
    decode_sections(b, want, sizeof want / sizeof want[0]);
    pn_message_free(m);
}
END_TEST

/* An inferred binary body is a data section; an inferred list body an
 * amqp-sequence section. */
START_TEST(proton_message_data_and_sequence_bodies)
{
    static const uint8_t payload[] = {0, 1, 2, 3, 0xfe, 0xff};
    pn_message_t *m = full_message();
    ck_assert_int_eq(pn_message_set_inferred(m, true), 0);
    tv body = T_BIN(payload, sizeof payload);
    tv_put(pn_message_body(m), &body);
    famqp_binary b = message_encode(m);
    const tv want[] = {T_HEADER,
                       T_DESC(C_DELIVERY_ANNOTATIONS, T_INSTRUCTIONS),
                       T_DESC(C_MESSAGE_ANNOTATIONS, T_ANNOTATIONS),
                       T_PROPERTIES,
                       T_DESC(C_APPLICATION_PROPERTIES, T_APP_PROPS),
                       T_DESC(C_DATA, T_BIN(payload, sizeof payload))};
    decode_sections(b, want, sizeof want / sizeof want[0]);

    pn_data_clear(pn_message_body(m));
    tv seq = T_LIST(T_STR("one"), T_INT(2), T_MAP(T_STR("three"), T_UBYTE(3)));
    tv_put(pn_message_body(m), &seq);
    b = message_encode(m);
    const tv want_seq[] = {T_HEADER,
                           T_DESC(C_DELIVERY_ANNOTATIONS, T_INSTRUCTIONS),
                           T_DESC(C_MESSAGE_ANNOTATIONS, T_ANNOTATIONS),
                           T_PROPERTIES,
                           T_DESC(C_APPLICATION_PROPERTIES, T_APP_PROPS),
                           T_DESC(C_AMQP_SEQUENCE, T_LIST(T_STR("one"), T_INT(2), T_MAP(T_STR("three"), T_UBYTE(3))))};
    decode_sections(b, want_seq, sizeof want_seq / sizeof want_seq[0]);
    pn_message_free(m);
}
END_TEST

START_TEST(proton_message_minimal)
{
    pn_message_t *m = pn_message();
    famqp_binary b = message_encode(m);
    /* Whatever Proton writes for an empty message must decode; every
     * section it writes must be a known one. */
    size_t off = 0;
    while (off < b.len) {
        famqp_any_section sec;
        famqp_error err;
        size_t used = famqp_any_section_decode(b.ptr + off, b.len - off, &sec, &err);
        ck_assert_msg(used > 0, "section at %zu of %s", off, hex(b.ptr, b.len));
        ck_assert_msg(sec.kind != FAMQP_ANY_SECTION_NONE && sec.kind != FAMQP_ANY_SECTION_OTHER,
                      "unexpected section kind %d", (int)sec.kind);
        off += used;
    }
    pn_message_free(m);
}
END_TEST

/* ---- flatamqp -> Proton -------------------------------------------------- */

static famqp_binary sections_encode(const tv *sections, size_t n)
{
    size_t total = 0;
    famqp_binary *parts = arena_alloc(n * sizeof *parts);
    for (size_t i = 0; i < n; i++) {
        famqp_any_section *sec = arena_alloc(sizeof *sec);
        any_fill(&any_section, &sections[i], sec);
        size_t need = famqp_any_section_encode(NULL, 0, sec);
        uint8_t *buf = arena_alloc(need);
        ck_assert_uint_eq(famqp_any_section_encode(buf, need, sec), need);
        parts[i] = famqp_binary_of(buf, need);
        total += need;
    }
    uint8_t *all = arena_alloc(total);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(all + off, parts[i].ptr, parts[i].len);
        off += parts[i].len;
    }
    return famqp_binary_of(all, total);
}

static void check_cstr(const char *got, const char *want, size_t want_len, const char *what)
{
    ck_assert_msg(got != NULL, "%s missing", what);
    ck_assert_msg(strlen(got) == want_len && memcmp(got, want, want_len) == 0, "%s: \"%s\"", what, got);
}

/* Every getter against the constants of the full message. */
static void check_full_message(pn_message_t *m)
{
    ck_assert(pn_message_is_durable(m) == DURABLE);
    ck_assert_uint_eq(pn_message_get_priority(m), PRIORITY);
    ck_assert_uint_eq(pn_message_get_ttl(m), TTL);
    ck_assert(pn_message_is_first_acquirer(m) == FIRST_ACQUIRER);
    ck_assert_uint_eq(pn_message_get_delivery_count(m), DELIVERY_COUNT);
    pn_msgid_t id = pn_message_get_id(m);
    ck_assert_msg(id.type == PN_ULONG, "message-id type %s", pn_type_name(id.type));
    ck_assert(id.u.as_ulong == MESSAGE_ID);
    pn_bytes_t uid = pn_message_get_user_id(m);
    ck_assert(uid.size == sizeof user_id && memcmp(uid.start, user_id, sizeof user_id) == 0);
    check_cstr(pn_message_get_address(m), address(), ADDRESS_LEN, "to");
    check_cstr(pn_message_get_subject(m), SUBJECT, strlen(SUBJECT), "subject");
    check_cstr(pn_message_get_reply_to(m), REPLY_TO, strlen(REPLY_TO), "reply-to");
    pn_msgid_t corr = pn_message_get_correlation_id(m);
    ck_assert_msg(corr.type == PN_UUID, "correlation-id type %s", pn_type_name(corr.type));
    ck_assert(memcmp(corr.u.as_uuid.bytes, correlation_uuid, 16) == 0);
    check_cstr(pn_message_get_content_type(m), CONTENT_TYPE, strlen(CONTENT_TYPE), "content-type");
    check_cstr(pn_message_get_content_encoding(m), CONTENT_ENCODING, strlen(CONTENT_ENCODING), "content-encoding");
    ck_assert(pn_message_get_expiry_time(m) == EXPIRY);
    ck_assert(pn_message_get_creation_time(m) == CREATION);
    check_cstr(pn_message_get_group_id(m), GROUP_ID, strlen(GROUP_ID), "group-id");
    ck_assert_uint_eq((uint32_t)pn_message_get_group_sequence(m), GROUP_SEQUENCE);
    check_cstr(pn_message_get_reply_to_group_id(m), REPLY_TO_GROUP_ID, strlen(REPLY_TO_GROUP_ID),
               "reply-to-group-id");
    tv ins = T_INSTRUCTIONS, ann = T_ANNOTATIONS, props = T_APP_PROPS;
    pn_data_t *d = pn_message_instructions(m);
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, &ins, "delivery-annotations");
    d = pn_message_annotations(m);
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, &ann, "message-annotations");
    d = pn_message_properties(m);
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, &props, "application-properties");
}

static void check_body(pn_message_t *m, const tv *want, bool inferred)
{
    ck_assert_msg(pn_message_is_inferred(m) == inferred, "inferred is %d", pn_message_is_inferred(m));
    pn_data_t *d = pn_message_body(m);
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, want, "body");
}

static pn_message_t *decode_message(famqp_binary b)
{
    pn_message_t *m = pn_message();
    int r = pn_message_decode(m, (const char *)b.ptr, b.len);
    ck_assert_msg(r == 0, "pn_message_decode: %d (%s) for %s", r, pn_error_text(pn_message_error(m)),
                  hex(b.ptr, b.len));
    return m;
}

START_TEST(ours_message_value_body)
{
    const tv sections[] = {T_HEADER,
                           T_DESC(C_DELIVERY_ANNOTATIONS, T_INSTRUCTIONS),
                           T_DESC(C_MESSAGE_ANNOTATIONS, T_ANNOTATIONS),
                           T_PROPERTIES,
                           T_DESC(C_APPLICATION_PROPERTIES, T_APP_PROPS),
                           T_DESC(C_AMQP_VALUE, T_MAP(T_STR("k"), T_LIST(T_INT(1), T_STR("two"))))};
    famqp_binary b = sections_encode(sections, sizeof sections / sizeof sections[0]);
    pn_message_t *m = decode_message(b);
    check_full_message(m);
    tv body = T_MAP(T_STR("k"), T_LIST(T_INT(1), T_STR("two")));
    check_body(m, &body, false);
    pn_message_free(m);
}
END_TEST

START_TEST(ours_message_data_body_and_footer)
{
    const uint8_t *payload = (const uint8_t *)address();
    const tv sections[] = {T_HEADER,
                           T_DESC(C_DELIVERY_ANNOTATIONS, T_INSTRUCTIONS),
                           T_DESC(C_MESSAGE_ANNOTATIONS, T_ANNOTATIONS),
                           T_PROPERTIES,
                           T_DESC(C_APPLICATION_PROPERTIES, T_APP_PROPS),
                           T_DESC(C_DATA, T_BIN(payload, ADDRESS_LEN)),
                           T_DESC(C_FOOTER, T_MAP(T_SYM("x-opt-crc"), T_UINT(0xDEADBEEF)))};
    famqp_binary b = sections_encode(sections, sizeof sections / sizeof sections[0]);
    pn_message_t *m = decode_message(b);
    check_full_message(m);
    tv body = T_BIN(payload, ADDRESS_LEN);
    check_body(m, &body, true);
    pn_message_free(m);
    /* And our own decoder reads back what we wrote. */
    decode_sections(b, sections, sizeof sections / sizeof sections[0]);
}
END_TEST

START_TEST(ours_message_sequence_body)
{
    const tv sections[] = {T_PROPERTIES,
                           T_DESC(C_AMQP_SEQUENCE, T_LIST(T_STR("one"), T_INT(2), T_SYM("three"), T_NULL))};
    famqp_binary b = sections_encode(sections, sizeof sections / sizeof sections[0]);
    pn_message_t *m = decode_message(b);
    tv body = T_LIST(T_STR("one"), T_INT(2), T_SYM("three"), T_NULL);
    check_body(m, &body, true);
    /* No header section: Proton reports the header defaults. */
    ck_assert(!pn_message_is_durable(m));
    ck_assert_uint_eq(pn_message_get_priority(m), 4);
    pn_message_free(m);
}
END_TEST

/* Each message-id kind (ulong, uuid, binary, string) as message-id and
 * correlation-id, both directions. */
START_TEST(message_id_kinds)
{
    static const char bin_id[] = {0x00, 0x01, (char)0x80, (char)0xff};
    pn_msgid_t ids[4];
    ids[0] = (pn_msgid_t){.type = PN_ULONG, .u.as_ulong = 0};
    ids[1] = (pn_msgid_t){.type = PN_UUID};
    memcpy(ids[1].u.as_uuid.bytes, correlation_uuid, 16);
    ids[2] = (pn_msgid_t){.type = PN_BINARY, .u.as_bytes = pn_bytes(sizeof bin_id, bin_id)};
    ids[3] = (pn_msgid_t){.type = PN_STRING, .u.as_bytes = pn_bytes(9, "id-string")};
    const tv want_ids[4] = {T_ULONG(0), T_UUID(correlation_uuid), T_BIN(bin_id, sizeof bin_id),
                            T_STRN("id-string", 9)};
    for (int i = 0; i < 4; i++) {
        const tv *corr = &want_ids[3 - i];
        /* Proton -> flatamqp */
        pn_message_t *m = pn_message();
        ck_assert_int_eq(pn_message_set_id(m, ids[i]), 0);
        ck_assert_int_eq(pn_message_set_correlation_id(m, ids[3 - i]), 0);
        tv body = T_NULL;
        tv_put(pn_message_body(m), &body);
        famqp_binary b = message_encode(m);
        pn_message_free(m);
        size_t off = 0;
        bool seen = false;
        while (off < b.len) {
            famqp_any_section sec;
            famqp_error err;
            size_t used = famqp_any_section_decode(b.ptr + off, b.len - off, &sec, &err);
            ck_assert_msg(used > 0, "id kind %d: section at %zu of %s", i, off, hex(b.ptr, b.len));
            if (sec.kind == FAMQP_ANY_SECTION_PROPERTIES) {
                tv props = T_COMP(C_PROPERTIES, want_ids[i], T_NULL, T_NULL, T_NULL, T_NULL, *corr);
                struct_check(&td_properties, &props, &sec.u.properties, path_join("message-id kind", " %d", i));
                seen = true;
            }
            off += used;
        }
        ck_assert_msg(seen, "id kind %d: Proton wrote no properties section", i);

        /* flatamqp -> Proton */
        const tv sections[] = {T_COMP(C_PROPERTIES, want_ids[i], T_NULL, T_NULL, T_NULL, T_NULL, *corr),
                               T_DESC(C_AMQP_VALUE, T_NULL)};
        famqp_binary ours = sections_encode(sections, 2);
        pn_message_t *back = decode_message(ours);
        pn_msgid_t id = pn_message_get_id(back), cid = pn_message_get_correlation_id(back);
        ck_assert_msg(id.type == ids[i].type, "id kind %d: Proton reads message-id as %s", i, pn_type_name(id.type));
        ck_assert_msg(cid.type == ids[3 - i].type, "id kind %d: Proton reads correlation-id as %s", i,
                      pn_type_name(cid.type));
        pn_data_t *d = pn_message_id(back);
        pn_data_rewind(d);
        ck_assert(pn_data_next(d));
        tv_check_pn(d, &want_ids[i], "message-id");
        d = pn_message_correlation_id(back);
        pn_data_rewind(d);
        ck_assert(pn_data_next(d));
        tv_check_pn(d, corr, "correlation-id");
        pn_message_free(back);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("proton_message");
    TCase *tc = tcase_create("message");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, proton_message_value_body);
    tcase_add_test(tc, proton_message_data_and_sequence_bodies);
    tcase_add_test(tc, proton_message_minimal);
    tcase_add_test(tc, ours_message_value_body);
    tcase_add_test(tc, ours_message_data_body_and_footer);
    tcase_add_test(tc, ours_message_sequence_body);
    tcase_add_test(tc, message_id_kinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
