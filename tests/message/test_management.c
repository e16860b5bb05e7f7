/* famqp/management.h: requests numbered and addressed, responses matched
 * by correlation-id, the status in both spellings and every integer type,
 * and the CBS put-token request, each through an encode/decode round trip. */
#include <check.h>
#include <string.h>

#include "famqp/management.h"

/* Encodes m and decodes it back into *out (views into buf). */
static void round_trip(const famqp_message *m, uint8_t *buf, size_t cap, famqp_message *out)
{
    size_t n = famqp_message_encode(buf, cap, m);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, cap);
    ck_assert_int_eq(famqp_message_decode(buf, n, out, NULL), FAMQP_OK);
}

START_TEST(request_ids)
{
    char reply[FAMQP_MANAGEMENT_REPLY_TO_SIZE], other[FAMQP_MANAGEMENT_REPLY_TO_SIZE];
    ck_assert(famqp_management_fresh_reply_to(reply));
    ck_assert(famqp_management_fresh_reply_to(other));
    ck_assert_uint_eq(strlen(reply), 28);
    ck_assert(strncmp(reply, "famqp-reply-", 12) == 0);
    ck_assert_str_ne(reply, other);
    famqp_message m, back;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "body");
    famqp_management_set_request(&m, 42, "first");
    famqp_management_set_request(&m, UINT64_MAX, reply); /* replaces */
    uint8_t buf[256];
    round_trip(&m, buf, sizeof buf, &back);
    ck_assert_int_eq(back.properties.message_id.kind, FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG);
    ck_assert_uint_eq(back.properties.message_id.u.message_id_ulong, UINT64_MAX);
    famqp_string rt = back.properties.reply_to.u.address_string;
    ck_assert_uint_eq(rt.len, strlen(reply));
    ck_assert(memcmp(rt.ptr, reply, rt.len) == 0);
    uint64_t id = 7;
    ck_assert(!famqp_management_correlation_id(&back, &id)); /* none */
    ck_assert_uint_eq(id, 7);
    /* a response: correlation-id = the request's message-id */
    famqp_message r;
    famqp_message_init(&r);
    r.properties.present |= FAMQP_PROPERTIES_HAS_CORRELATION_ID;
    r.properties.correlation_id = back.properties.message_id;
    round_trip(&r, buf, sizeof buf, &back);
    ck_assert(famqp_management_correlation_id(&back, &id));
    ck_assert_uint_eq(id, UINT64_MAX);
    /* a string correlation-id is not one of ours */
    r.properties.correlation_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    r.properties.correlation_id.u.message_id_string = famqp_string_of("42");
    round_trip(&r, buf, sizeof buf, &back);
    ck_assert(!famqp_management_correlation_id(&back, &id));
}
END_TEST

/* A response whose application properties builder b holds. */
static void status_of(famqp_map_builder *b, int32_t *code, famqp_string *desc, bool *found)
{
    famqp_message m, back;
    famqp_message_init(&m);
    ck_assert_int_eq(famqp_message_set_map(&m, b), FAMQP_OK);
    static uint8_t buf[512];
    round_trip(&m, buf, sizeof buf, &back);
    *found = famqp_management_status(&back, code, desc);
}

START_TEST(status_spellings)
{
    uint8_t mb[256];
    famqp_map_builder b;
    int32_t code;
    famqp_string desc;
    bool found;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_int(&b, "status-code", 200);
    famqp_map_builder_put_string(&b, "status-description", "OK");
    status_of(&b, &code, &desc, &found);
    ck_assert(found);
    ck_assert_int_eq(code, 200);
    ck_assert_uint_eq(desc.len, 2);
    ck_assert(memcmp(desc.ptr, "OK", 2) == 0);
    /* Azure's spelling, as a long */
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_long(&b, "statusCode", 404);
    famqp_map_builder_put_string(&b, "statusDescription", "gone");
    status_of(&b, &code, &desc, &found);
    ck_assert(found);
    ck_assert_int_eq(code, 404);
    ck_assert_uint_eq(desc.len, 4);
    /* a uint and a ulong */
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_uint(&b, "statusCode", 202);
    status_of(&b, &code, &desc, &found);
    ck_assert(found);
    ck_assert_int_eq(code, 202);
    ck_assert_uint_eq(desc.len, 0);
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_ulong(&b, "status-code", 401);
    status_of(&b, &code, &desc, &found);
    ck_assert_int_eq(code, 401);
    /* too large for an int32, a string, or none: -1 */
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_long(&b, "status-code", (int64_t)INT32_MAX + 1);
    famqp_map_builder_put_string(&b, "statusCode", "200");
    status_of(&b, &code, &desc, &found);
    ck_assert(!found);
    ck_assert_int_eq(code, -1);
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, mb, sizeof mb);
    famqp_map_builder_put_string(&b, "other", "x");
    status_of(&b, &code, NULL, &found);
    ck_assert(!found);
    ck_assert_int_eq(code, -1);
}
END_TEST

START_TEST(put_token)
{
    famqp_message m, back;
    famqp_message_init(&m);
    uint8_t props[FAMQP_CBS_PUT_TOKEN_PROPERTIES_BYTES(14, 31)];
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, sizeof props, "servicebus.windows.net:sastoken",
                                                 "sb://ns/queue1", 4102444800u, "SharedAccessSignature x"),
                     FAMQP_OK);
    uint8_t buf[512];
    round_trip(&m, buf, sizeof buf, &back);
    famqp_value v;
    famqp_string s;
    int64_t l;
    ck_assert(famqp_message_property(&back, "operation", &v) && famqp_value_get_string(v, &s));
    ck_assert(s.len == 9 && memcmp(s.ptr, "put-token", 9) == 0);
    ck_assert(famqp_message_property(&back, "type", &v) && famqp_value_get_string(v, &s));
    ck_assert(s.len == 31);
    ck_assert(famqp_message_property(&back, "name", &v) && famqp_value_get_string(v, &s));
    ck_assert(s.len == 14 && memcmp(s.ptr, "sb://ns/queue1", 14) == 0);
    /* past 2038: a long */
    ck_assert(famqp_message_property(&back, "expiration", &v) && famqp_value_get_long(v, &l));
    ck_assert_int_eq(l, 4102444800);
    ck_assert(famqp_message_get_string(&back, &s));
    ck_assert(s.len == 23 && memcmp(s.ptr, "SharedAccessSignature x", 23) == 0);
    /* before 2038: an int */
    famqp_message_init(&m);
    int32_t i;
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, sizeof props, "jwt", "a", 1700000000u, "t"), FAMQP_OK);
    round_trip(&m, buf, sizeof buf, &back);
    ck_assert(famqp_message_property(&back, "expiration", &v) && famqp_value_get_int(v, &i));
    ck_assert_int_eq(i, 1700000000);
    /* errors */
    famqp_message_init(&m);
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, 20, "jwt", "sb://ns/queue1", 1, "t"), FAMQP_ERR_LIMIT);
    ck_assert_uint_eq(m.present, 0);
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, sizeof props, "jwt", "a", 1, ""), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, sizeof props, "", "a", 1, "t"), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_cbs_put_token_request(&m, props, sizeof props, "jwt", NULL, 1, "t"),
                     FAMQP_ERR_INVALID_VALUE);
}
END_TEST

Suite *message_management_suite(void)
{
    Suite *s = suite_create("message_management");
    TCase *tc = tcase_create("management");
    tcase_add_test(tc, request_ids);
    tcase_add_test(tc, status_spellings);
    tcase_add_test(tc, put_token);
    suite_add_tcase(s, tc);
    return s;
}
