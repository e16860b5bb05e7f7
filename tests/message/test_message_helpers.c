/* The message helpers: typed section maps built with famqp_map_builder
 * (every value type, string or symbol keys, a too-small buffer, a wrong
 * section), sections encoded because their fields are set, and
 * famqp_message_print. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/message.h"

Suite *message_helpers_suite(void);

/* Encodes m and decodes it again into *out; the bytes go to *bytes (the
 * decoded views point into them; free them after use). */
static void round_trip(const famqp_message *m, famqp_message *out, uint8_t **bytes)
{
    size_t need = famqp_message_encode(NULL, 0, m);
    *bytes = malloc(need);
    ck_assert_ptr_nonnull(*bytes);
    ck_assert_uint_eq(famqp_message_encode(*bytes, need, m), need);
    famqp_error err;
    ck_assert_int_eq(famqp_message_decode(*bytes, need, out, &err), FAMQP_OK);
}

START_TEST(application_properties_of_every_type)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t buf[512];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, sizeof buf);
    famqp_uuid id = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}};
    famqp_map_builder_put_string(&b, "string", "red");
    famqp_map_builder_put_symbol(&b, "symbol", "sym");
    famqp_map_builder_put_binary(&b, "binary", "\x00\x01\x02", 3);
    famqp_map_builder_put_bool(&b, "bool", true);
    famqp_map_builder_put_int(&b, "int", -7);
    famqp_map_builder_put_long(&b, "long", -5000000000);
    famqp_map_builder_put_uint(&b, "uint", 4000000000u);
    famqp_map_builder_put_ulong(&b, "ulong", UINT64_C(18000000000000000000));
    famqp_map_builder_put_double(&b, "double", 2.5);
    famqp_map_builder_put_timestamp(&b, "timestamp", INT64_C(1700000000123));
    famqp_map_builder_put_uuid(&b, "uuid", id);
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_OK);
    ck_assert(m.present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES);
    ck_assert_uint_eq(m.application_properties.value.count, 22);
    famqp_message_set_data(&m, "x", 1);

    famqp_message d;
    uint8_t *bytes;
    round_trip(&m, &d, &bytes);
    famqp_value v;
    famqp_string s;
    famqp_symbol sym;
    famqp_binary bin;
    bool flag;
    int32_t i;
    int64_t l, ts;
    uint32_t u;
    uint64_t ul;
    double dbl;
    famqp_uuid got_id;
    ck_assert(famqp_message_property(&d, "string", &v) && famqp_value_get_string(v, &s) && famqp_string_eq(s, "red"));
    ck_assert(famqp_message_property(&d, "symbol", &v) && famqp_value_get_symbol(v, &sym) && famqp_symbol_eq(sym, "sym"));
    ck_assert(famqp_message_property(&d, "binary", &v) && famqp_value_get_binary(v, &bin) && bin.len == 3 &&
              memcmp(bin.ptr, "\x00\x01\x02", 3) == 0);
    ck_assert(famqp_message_property(&d, "bool", &v) && famqp_value_get_bool(v, &flag) && flag);
    ck_assert(famqp_message_property(&d, "int", &v) && famqp_value_get_int(v, &i) && i == -7);
    ck_assert(famqp_message_property(&d, "long", &v) && famqp_value_get_long(v, &l) && l == -5000000000);
    ck_assert(famqp_message_property(&d, "uint", &v) && famqp_value_get_uint(v, &u) && u == 4000000000u);
    ck_assert(famqp_message_property(&d, "ulong", &v) && famqp_value_get_ulong(v, &ul) &&
              ul == UINT64_C(18000000000000000000));
    ck_assert(famqp_message_property(&d, "double", &v) && famqp_value_get_double(v, &dbl) && dbl == 2.5);
    ck_assert(famqp_message_property(&d, "timestamp", &v) && famqp_value_get_timestamp(v, &ts) &&
              ts == INT64_C(1700000000123));
    ck_assert(famqp_message_property(&d, "uuid", &v) && famqp_value_get_uuid(v, &got_id) &&
              memcmp(&got_id, &id, sizeof id) == 0);
    /* typed reads check the type: an int is not a string */
    ck_assert(famqp_message_property(&d, "int", &v) && !famqp_value_get_string(v, &s));
    free(bytes);
}
END_TEST

START_TEST(annotations_have_symbol_keys)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t buf[128];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, buf, sizeof buf);
    famqp_map_builder_put_string(&b, "x-opt-partition-key", "p1");
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_OK);
    famqp_message_set_data(&m, "x", 1);
    famqp_message d;
    uint8_t *bytes;
    round_trip(&m, &d, &bytes);
    famqp_value v;
    famqp_string s;
    ck_assert(famqp_message_annotation(&d, "x-opt-partition-key", &v) && famqp_value_get_string(v, &s) &&
              famqp_string_eq(s, "p1"));
    /* the key itself is a symbol on the wire */
    famqp_iter it;
    famqp_value key, val;
    famqp_map_iter(&d.message_annotations.value, &it);
    ck_assert(famqp_map_next(&it, &key, &val));
    ck_assert_int_eq(famqp_value_kind(key), FAMQP_KIND_SYMBOL);
    free(bytes);
}
END_TEST

START_TEST(too_small_buffer_changes_nothing)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t small[16];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, small, sizeof small);
    famqp_map_builder_put_string(&b, "key", "a value longer than the buffer");
    size_t need = famqp_map_builder_len(&b);
    ck_assert_uint_gt(need, sizeof small);
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_ERR_LIMIT);
    ck_assert_uint_eq(m.present, 0);
    ck_assert_uint_eq(m.application_properties.value.count, 0);

    /* with the size it asked for, the same entries fit */
    uint8_t *big = malloc(need);
    ck_assert_ptr_nonnull(big);
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, big, need);
    famqp_map_builder_put_string(&b, "key", "a value longer than the buffer");
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_OK);
    ck_assert_uint_eq(famqp_map_builder_len(&b), need);
    famqp_value v;
    ck_assert(famqp_message_property(&m, "key", &v));
    free(big);
}
END_TEST

START_TEST(wrong_section_is_refused)
{
    famqp_message m;
    famqp_message_init(&m);
    uint8_t buf[64];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_DATA, buf, sizeof buf);
    famqp_map_builder_put_int(&b, "k", 1);
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_ERR_INVALID_VALUE);
    ck_assert_uint_eq(m.present, 0);
}
END_TEST

/* Filling a section's fields is enough: forgetting its bit in m.present
 * no longer drops it silently. */
START_TEST(filled_sections_are_encoded_without_their_bit)
{
    famqp_message m;
    famqp_message_init(&m);
    m.properties.subject = famqp_string_of("hello");
    m.properties.present |= FAMQP_PROPERTIES_HAS_SUBJECT;
    m.header.durable = true;
    m.header.present |= FAMQP_HEADER_HAS_DURABLE;
    famqp_message_set_data(&m, "x", 1);
    ck_assert_uint_eq(m.present, 0);

    famqp_message d;
    uint8_t *bytes;
    round_trip(&m, &d, &bytes);
    ck_assert(d.present & FAMQP_MESSAGE_HAS_PROPERTIES);
    ck_assert(famqp_string_eq(d.properties.subject, "hello"));
    ck_assert(d.present & FAMQP_MESSAGE_HAS_HEADER);
    ck_assert(d.header.durable);
    free(bytes);

    /* and an empty message still has only its body */
    famqp_message_init(&m);
    famqp_message_set_data(&m, "x", 1);
    round_trip(&m, &d, &bytes);
    ck_assert_uint_eq(d.present, 0);
    free(bytes);
}
END_TEST

START_TEST(print_shows_every_section_in_order)
{
    famqp_message m;
    famqp_message_init(&m);
    m.properties.subject = famqp_string_of("hi");
    m.properties.present |= FAMQP_PROPERTIES_HAS_SUBJECT;
    uint8_t buf[64];
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, sizeof buf);
    famqp_map_builder_put_int(&b, "n", 3);
    ck_assert_int_eq(famqp_message_set_map(&m, &b), FAMQP_OK);
    famqp_message_set_data(&m, "hello", 5);

    char text[2][512];
    for (int pass = 0; pass < 2; pass++) { /* as built, then as decoded */
        famqp_message d;
        uint8_t *bytes = NULL;
        if (pass)
            round_trip(&m, &d, &bytes);
        FILE *f = tmpfile();
        ck_assert_ptr_nonnull(f);
        famqp_message_print(f, pass ? &d : &m);
        rewind(f);
        size_t n = fread(text[pass], 1, sizeof text[pass] - 1, f);
        text[pass][n] = '\0';
        fclose(f);
        free(bytes);
    }
    ck_assert_str_eq(text[0], "@properties(115) [subject=\"hi\"]\n"
                              "@application-properties(116) {\"n\"=3}\n"
                              "@data(117) b\"hello\"\n");
    ck_assert_str_eq(text[1], text[0]);
}
END_TEST

Suite *message_helpers_suite(void)
{
    Suite *s = suite_create("message_helpers");
    TCase *tc = tcase_create("helpers");
    tcase_add_test(tc, application_properties_of_every_type);
    tcase_add_test(tc, annotations_have_symbol_keys);
    tcase_add_test(tc, too_small_buffer_changes_nothing);
    tcase_add_test(tc, wrong_section_is_refused);
    tcase_add_test(tc, filled_sections_are_encoded_without_their_bit);
    tcase_add_test(tc, print_shows_every_section_in_order);
    suite_add_tcase(s, tc);
    return s;
}
