/* Body setters and getters: a string body written from its view (the same
 * bytes as a pre-encoded amqp-value string, str8 and str32), and the
 * getters on decoded and built messages, true only for their own shape
 * and zeroing *out otherwise. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/message.h"

Suite *message_body_suite(void);

/* famqp_message_encode into a fresh buffer; *len its size. */
static uint8_t *encode(const famqp_message *m, size_t *len)
{
    *len = famqp_message_encode(NULL, 0, m);
    uint8_t *p = malloc(*len);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(famqp_message_encode(p, *len, m), *len);
    return p;
}

/* A string body and the same string as a pre-encoded amqp-value encode to
 * the same bytes, and decode to a string get_string returns. */
static void check_string_body(const char *text)
{
    famqp_message a;
    famqp_message_init(&a);
    famqp_message_set_string(&a, text);

    uint8_t pre[1024];
    famqp_writer w;
    famqp_writer_init(&w, pre, sizeof pre);
    famqp_write_string(&w, famqp_string_of(text));
    famqp_message b;
    famqp_message_init(&b);
    famqp_message_set_value(&b, (famqp_value){pre, famqp_writer_len(&w)});

    size_t na, nb;
    uint8_t *ea = encode(&a, &na), *eb = encode(&b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(ea, eb, na);

    famqp_string s;
    ck_assert(famqp_message_get_string(&a, &s));
    ck_assert_uint_eq(s.len, strlen(text));
    famqp_message d;
    famqp_error err;
    ck_assert_int_eq(famqp_message_decode(ea, na, &d, &err), FAMQP_OK);
    ck_assert(famqp_message_get_string(&d, &s));
    ck_assert_uint_eq(s.len, strlen(text));
    ck_assert_mem_eq(s.ptr, text, s.len);
    famqp_value v;
    ck_assert(famqp_message_get_value(&d, &v));
    ck_assert(!famqp_message_get_value(&a, &v)); /* no encoded value yet */
    ck_assert_ptr_null(v.ptr);
    free(ea);
    free(eb);
}

START_TEST(string_body_is_an_amqp_value_string)
{
    check_string_body("hello");
    check_string_body("");
    char long_text[600]; /* over 255 bytes: str32 */
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    check_string_body(long_text);
}
END_TEST

START_TEST(binary_from_data_or_amqp_value)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, "\x01\x02\x03", 3);
    famqp_binary bin;
    ck_assert(famqp_message_get_binary(&m, &bin));
    ck_assert_uint_eq(bin.len, 3);

    size_t n;
    uint8_t *e = encode(&m, &n);
    famqp_message d;
    famqp_error err;
    ck_assert_int_eq(famqp_message_decode(e, n, &d, &err), FAMQP_OK);
    ck_assert(famqp_message_get_binary(&d, &bin));
    ck_assert_mem_eq(bin.ptr, "\x01\x02\x03", 3);
    free(e);

    uint8_t pre[16];
    famqp_writer w;
    famqp_writer_init(&w, pre, sizeof pre);
    famqp_write_binary(&w, famqp_binary_of("ab", 2));
    famqp_message_set_value(&m, (famqp_value){pre, famqp_writer_len(&w)});
    ck_assert(famqp_message_get_binary(&m, &bin));
    ck_assert_uint_eq(bin.len, 2);
}
END_TEST

START_TEST(sequence_body)
{
    uint8_t items[16];
    famqp_writer w;
    famqp_writer_init(&w, items, sizeof items);
    famqp_write_int(&w, 7);
    famqp_write_int(&w, 8);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_sequence(&m, (famqp_list){2, items, famqp_writer_len(&w)});
    size_t n;
    uint8_t *e = encode(&m, &n);
    famqp_message d;
    famqp_error err;
    ck_assert_int_eq(famqp_message_decode(e, n, &d, &err), FAMQP_OK);
    famqp_list l;
    ck_assert(famqp_message_get_sequence(&d, &l));
    ck_assert_uint_eq(l.count, 2);
    free(e);
}
END_TEST

/* Each getter refuses the other shapes and leaves *out zeroed. */
START_TEST(getters_refuse_other_shapes)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_string s = {(const char *)"junk", 4};
    famqp_binary bin = {(const uint8_t *)"junk", 4};
    famqp_value v = {(const uint8_t *)"junk", 4};
    famqp_list l = {1, (const uint8_t *)"junk", 4};
    /* no body at all */
    ck_assert(!famqp_message_get_string(&m, &s));
    ck_assert(!famqp_message_get_binary(&m, &bin));
    ck_assert(!famqp_message_get_value(&m, &v));
    ck_assert(!famqp_message_get_sequence(&m, &l));
    ck_assert(s.ptr == NULL && s.len == 0 && bin.ptr == NULL && v.ptr == NULL && l.items == NULL);

    famqp_message_set_data(&m, "x", 1); /* data: not a string, value or sequence */
    ck_assert(!famqp_message_get_string(&m, &s));
    ck_assert(!famqp_message_get_value(&m, &v));
    ck_assert(!famqp_message_get_sequence(&m, &l));

    famqp_message_set_string(&m, "text"); /* a string is not binary */
    ck_assert(!famqp_message_get_binary(&m, &bin));
    ck_assert_ptr_null(bin.ptr);

    famqp_binary parts[2] = {famqp_binary_of("a", 1), famqp_binary_of("b", 1)};
    famqp_message_set_data_parts(&m, parts, 2); /* two sections: not one binary */
    ck_assert(!famqp_message_get_binary(&m, &bin));

    uint8_t pre[8];
    famqp_writer w;
    famqp_writer_init(&w, pre, sizeof pre);
    famqp_write_int(&w, 1);
    famqp_message_set_value(&m, (famqp_value){pre, famqp_writer_len(&w)}); /* an int */
    ck_assert(!famqp_message_get_string(&m, &s));
    ck_assert(!famqp_message_get_binary(&m, &bin));
    ck_assert(s.ptr == NULL && bin.ptr == NULL);
}
END_TEST

START_TEST(print_shows_a_string_body)
{
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "hi there");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    famqp_message_print(f, &m);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "\"hi there\""));

    size_t n;
    uint8_t *e = encode(&m, &n);
    famqp_message d;
    famqp_error err;
    ck_assert_int_eq(famqp_message_decode(e, n, &d, &err), FAMQP_OK);
    char *decoded = NULL;
    f = open_memstream(&decoded, &len);
    famqp_message_print(f, &d);
    fclose(f);
    ck_assert_str_eq(text, decoded); /* built and decoded print alike */
    free(text);
    free(decoded);
    free(e);
}
END_TEST

Suite *message_body_suite(void)
{
    Suite *s = suite_create("message_body");
    TCase *tc = tcase_create("body");
    tcase_add_test(tc, string_body_is_an_amqp_value_string);
    tcase_add_test(tc, binary_from_data_or_amqp_value);
    tcase_add_test(tc, sequence_body);
    tcase_add_test(tc, getters_refuse_other_shapes);
    tcase_add_test(tc, print_shows_a_string_body);
    suite_add_tcase(s, tc);
    return s;
}
