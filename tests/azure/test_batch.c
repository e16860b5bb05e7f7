/* Batch messages (famqp/batch.h): round trips through the reader, the size
 * limit counting the whole payload (exactly at the boundary), the outer
 * and inner partition key, 8- and 32-bit data section lengths, and bad
 * batches refused with a clear error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/batch.h>

static uint8_t buf[1 << 16];

static void string_event(famqp_message *m, const char *body)
{
    famqp_message_init(m);
    famqp_message_set_string(m, body);
}

static size_t encoded_len(const char *body)
{
    famqp_message m;
    string_event(&m, body);
    return famqp_message_encode(NULL, 0, &m);
}

static bool key_is(const famqp_message *m, const char *want)
{
    famqp_value v;
    famqp_string s;
    return famqp_message_annotation(m, "x-opt-partition-key", &v) && famqp_value_get_string(v, &s) &&
           s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

START_TEST(round_trip_with_partition_key)
{
    famqp_batch b;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, "pk-7"), FAMQP_OK);
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *bodies[] = {"one", "two", big, "four"};
    for (int i = 0; i < 4; i++) {
        famqp_message m;
        string_event(&m, bodies[i]);
        ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    }
    ck_assert_uint_eq(famqp_batch_count(&b), 4);
    famqp_binary p = famqp_batch_payload(&b);
    famqp_batch_reader r;
    famqp_error err;
    ck_assert_int_eq(famqp_batch_reader_init(&r, p.ptr, p.len, &err), FAMQP_OK);
    /* the outer message: message-annotations (the key) and the data sections only */
    ck_assert(key_is(&r.outer, "pk-7"));
    ck_assert_uint_eq(r.outer.present, FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS);
    ck_assert_int_eq(r.outer.body.kind, FAMQP_BODY_DATA);
    ck_assert_uint_eq(r.outer.body.count, 4);
    famqp_message e;
    for (int i = 0; i < 4; i++) {
        ck_assert(famqp_batch_next(&r, &e));
        famqp_string s;
        ck_assert(famqp_message_get_string(&e, &s));
        ck_assert_uint_eq(s.len, strlen(bodies[i]));
        ck_assert(memcmp(s.ptr, bodies[i], s.len) == 0);
        ck_assert(key_is(&e, "pk-7"));
        /* zero-copy: the event's views point into the payload */
        ck_assert(r.current.ptr > p.ptr && r.current.ptr + r.current.len <= p.ptr + p.len);
        ck_assert((const uint8_t *)s.ptr >= r.current.ptr && (const uint8_t *)s.ptr < r.current.ptr + r.current.len);
    }
    ck_assert(!famqp_batch_next(&r, &e));
    ck_assert_int_eq(famqp_batch_reader_status(&r, NULL), FAMQP_OK);
    ck_assert_uint_eq(r.index, 4);
}
END_TEST

START_TEST(no_key_no_outer_sections)
{
    famqp_batch b;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, NULL), FAMQP_OK);
    famqp_message m;
    string_event(&m, "a");
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    famqp_binary p = famqp_batch_payload(&b);
    /* nothing but one data section: 00 53 75 a0 len <event> */
    ck_assert_uint_eq(p.len, famqp_batch_event_cost(encoded_len("a")));
    ck_assert_uint_eq(p.ptr[0], 0x00);
    ck_assert_uint_eq(p.ptr[1], 0x53);
    ck_assert_uint_eq(p.ptr[2], 0x75);
    ck_assert_uint_eq(p.ptr[3], 0xa0);
    ck_assert_uint_eq(p.ptr[4], encoded_len("a"));
    famqp_batch_reader r;
    ck_assert_int_eq(famqp_batch_reader_init(&r, p.ptr, p.len, NULL), FAMQP_OK);
    ck_assert_uint_eq(r.outer.present, 0);
    famqp_message e;
    ck_assert(famqp_batch_next(&r, &e));
    ck_assert(!famqp_message_annotation(&e, "x-opt-partition-key", &(famqp_value){0}));
}
END_TEST

START_TEST(event_cost_has_8_and_32_bit_lengths)
{
    ck_assert_uint_eq(famqp_batch_event_cost(0), 5);
    ck_assert_uint_eq(famqp_batch_event_cost(255), 260);
    ck_assert_uint_eq(famqp_batch_event_cost(256), 264);
}
END_TEST

START_TEST(limit_counts_whole_payload_exactly)
{
    /* The limit is exactly the key's outer section plus three events: the
     * third fits to the byte, the fourth is "full" and changes nothing. */
    famqp_batch b;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, "k"), FAMQP_OK);
    size_t head = famqp_batch_payload(&b).len;
    famqp_message m;
    string_event(&m, "event");
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    size_t one = famqp_batch_payload(&b).len - head;
    size_t limit = head + 3 * one;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, (int64_t)limit, "k"), FAMQP_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    ck_assert_uint_eq(famqp_batch_payload(&b).len, limit);
    uint8_t before[4096];
    memcpy(before, buf, limit);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(famqp_batch_add_encoded(&b, "x", 1), FAMQP_ERR_LIMIT);
    ck_assert_uint_eq(famqp_batch_count(&b), 3);
    ck_assert_uint_eq(famqp_batch_payload(&b).len, limit);
    ck_assert(memcmp(before, buf, limit) == 0);
    /* one byte less and the third does not fit */
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, (int64_t)limit - 1, "k"), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_ERR_LIMIT);
    /* clear keeps the key and the limit */
    famqp_batch_clear(&b);
    ck_assert_uint_eq(famqp_batch_payload(&b).len, head);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    /* the buffer bounds it too */
    ck_assert_int_eq(famqp_batch_init(&b, buf, head + one - 1, 1 << 20, "k"), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_ERR_LIMIT);
    /* not even the outer sections fit */
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, (int64_t)head - 1, "k"), FAMQP_ERR_LIMIT);
}
END_TEST

START_TEST(bad_partition_key)
{
    famqp_batch b;
    char key[FAMQP_BATCH_PARTITION_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, key), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, "\xff\xfe"), FAMQP_ERR_INVALID_VALUE);
}
END_TEST

START_TEST(encoded_events_and_own_annotations)
{
    famqp_batch b;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, "pk"), FAMQP_OK);
    /* an event with its own message-annotations goes in as it is */
    famqp_message m;
    string_event(&m, "own");
    uint8_t mb_buf[128];
    famqp_map_builder mb;
    famqp_map_builder_init(&mb, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, mb_buf, sizeof mb_buf);
    famqp_map_builder_put_string(&mb, "x-opt-partition-key", "other");
    ck_assert_int_eq(famqp_message_set_map(&m, &mb), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    uint8_t enc[64];
    famqp_message plain;
    string_event(&plain, "pre");
    size_t n = famqp_message_encode(enc, sizeof enc, &plain);
    ck_assert_int_eq(famqp_batch_add_encoded(&b, enc, n), FAMQP_OK);
    famqp_binary p = famqp_batch_payload(&b);
    famqp_batch_reader r;
    ck_assert_int_eq(famqp_batch_reader_init(&r, p.ptr, p.len, NULL), FAMQP_OK);
    famqp_message e;
    ck_assert(famqp_batch_next(&r, &e));
    ck_assert(key_is(&e, "other"));
    ck_assert(famqp_batch_next(&r, &e));
    ck_assert_uint_eq(r.current.len, n);
    ck_assert(memcmp(r.current.ptr, enc, n) == 0);
    ck_assert(!famqp_batch_next(&r, &e));
}
END_TEST

START_TEST(bad_batches)
{
    famqp_error err;
    famqp_batch_reader r;
    /* an amqp-value body is not a batch */
    famqp_message m;
    string_event(&m, "not a batch");
    uint8_t enc[64];
    size_t n = famqp_message_encode(enc, sizeof enc, &m);
    ck_assert_int_eq(famqp_batch_reader_init(&r, enc, n, &err), FAMQP_ERR_INVALID_VALUE);
    ck_assert_ptr_nonnull(err.detail);
    famqp_message e;
    ck_assert(!famqp_batch_next(&r, &e));
    /* truncated outer message */
    famqp_batch b;
    ck_assert_int_eq(famqp_batch_init(&b, buf, sizeof buf, -1, "k"), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    famqp_binary p = famqp_batch_payload(&b);
    ck_assert_int_eq(famqp_batch_reader_init(&r, p.ptr, p.len - 1, &err), FAMQP_ERR_TRUNCATED);
    /* a data section that is not a message: the reader stops there */
    famqp_batch_clear(&b);
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    ck_assert_int_eq(famqp_batch_add_encoded(&b, "\x00\x53\x77\xa1", 4), FAMQP_OK); /* truncated string */
    ck_assert_int_eq(famqp_batch_add(&b, &m), FAMQP_OK);
    p = famqp_batch_payload(&b);
    ck_assert_int_eq(famqp_batch_reader_init(&r, p.ptr, p.len, NULL), FAMQP_OK);
    ck_assert(famqp_batch_next(&r, &e));
    ck_assert(!famqp_batch_next(&r, &e));
    ck_assert_int_eq(famqp_batch_reader_status(&r, &err), FAMQP_ERR_TRUNCATED);
    ck_assert(!famqp_batch_next(&r, &e));
    ck_assert_uint_eq(r.index, 1);
}
END_TEST

static Suite *batch_suite(void)
{
    Suite *s = suite_create("batch");
    TCase *t = tcase_create("batch");
    tcase_add_test(t, round_trip_with_partition_key);
    tcase_add_test(t, no_key_no_outer_sections);
    tcase_add_test(t, event_cost_has_8_and_32_bit_lengths);
    tcase_add_test(t, limit_counts_whole_payload_exactly);
    tcase_add_test(t, bad_partition_key);
    tcase_add_test(t, encoded_events_and_own_annotations);
    tcase_add_test(t, bad_batches);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(batch_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
