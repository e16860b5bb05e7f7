/* Event Hubs helpers (famqp/eventhubs.h): addresses, position filters
 * (the strings Microsoft's SDKs send, e.g. the JS SDK's
 * getEventPositionFilter), buffers one byte short, bad names and values,
 * and the typed x-opt-* getters on an event as Event Hubs delivers it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/eventhubs.h>

START_TEST(addresses)
{
    char buf[128];
    size_t len;
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, sizeof buf, "hub", "$Default", "3", &len), FAMQP_OK);
    ck_assert_str_eq(buf, "hub/ConsumerGroups/$Default/Partitions/3");
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, sizeof buf, "hub", NULL, "0", &len), FAMQP_OK);
    ck_assert_str_eq(buf, "hub/Partitions/0");
    /* one byte short: the length it needs, ERR_LIMIT */
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, 16, "hub", NULL, "0", &len), FAMQP_ERR_LIMIT);
    ck_assert_uint_eq(len, 16);
    ck_assert_int_eq(famqp_eventhubs_partition_address(NULL, 0, "hub", NULL, "0", &len), FAMQP_ERR_LIMIT);
    ck_assert_uint_eq(len, 16);
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, sizeof buf, "", NULL, "0", NULL), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, sizeof buf, "h", "", "0", NULL), FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_eventhubs_partition_address(buf, sizeof buf, "h", NULL, NULL, NULL), FAMQP_ERR_INVALID_VALUE);
}
END_TEST

START_TEST(position_filters)
{
    char buf[128];
    size_t len;
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_OFFSET, "-1", false, &len),
                     FAMQP_OK);
    ck_assert_str_eq(buf, "amqp.annotation.x-opt-offset > '-1'");
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_OFFSET, "@latest", false,
                                                     NULL),
                     FAMQP_OK);
    ck_assert_str_eq(buf, "amqp.annotation.x-opt-offset > '@latest'");
    ck_assert_int_eq(
        famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_SEQUENCE_NUMBER, "41", true, NULL),
        FAMQP_OK);
    ck_assert_str_eq(buf, "amqp.annotation.x-opt-sequence-number >= '41'");
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_ENQUEUED_TIME,
                                                     "1700000000000", false, &len),
                     FAMQP_OK);
    ck_assert_str_eq(buf, "amqp.annotation.x-opt-enqueued-time > '1700000000000'");
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, len, FAMQP_EVENTHUBS_FROM_ENQUEUED_TIME, "1700000000000",
                                                     false, NULL),
                     FAMQP_ERR_LIMIT);
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_OFFSET, "1' OR '1", false,
                                                     NULL),
                     FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, FAMQP_EVENTHUBS_FROM_OFFSET, "", false, NULL),
                     FAMQP_ERR_INVALID_VALUE);
    ck_assert_int_eq(famqp_eventhubs_position_filter(buf, sizeof buf, (famqp_eventhubs_position_kind)7, "1", false,
                                                     NULL),
                     FAMQP_ERR_INVALID_VALUE);
}
END_TEST

START_TEST(event_annotations)
{
    /* an event as Event Hubs delivers it: encoded, then decoded */
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, "body");
    uint8_t mb_buf[256];
    famqp_map_builder mb;
    famqp_map_builder_init(&mb, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, mb_buf, sizeof mb_buf);
    famqp_map_builder_put_string(&mb, "x-opt-offset", "4294967296");
    famqp_map_builder_put_long(&mb, "x-opt-sequence-number", 41);
    famqp_map_builder_put_timestamp(&mb, "x-opt-enqueued-time", 1700000000123);
    famqp_map_builder_put_string(&mb, "x-opt-partition-key", "pk");
    ck_assert_int_eq(famqp_message_set_map(&m, &mb), FAMQP_OK);
    uint8_t enc[512];
    size_t n = famqp_message_encode(enc, sizeof enc, &m);
    famqp_message e;
    ck_assert_int_eq(famqp_message_decode(enc, n, &e, NULL), FAMQP_OK);
    famqp_string s;
    int64_t v;
    ck_assert(famqp_event_offset(&e, &s));
    ck_assert(s.len == 10 && memcmp(s.ptr, "4294967296", 10) == 0);
    ck_assert(famqp_event_sequence_number(&e, &v));
    ck_assert_int_eq(v, 41);
    ck_assert(famqp_event_enqueued_time(&e, &v));
    ck_assert_int_eq(v, 1700000000123);
    ck_assert(famqp_event_partition_key(&e, &s));
    ck_assert(s.len == 2 && memcmp(s.ptr, "pk", 2) == 0);
    /* wrong types and missing keys: false */
    famqp_message w;
    famqp_message_init(&w);
    famqp_message_set_string(&w, "body");
    famqp_map_builder_init(&mb, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, mb_buf, sizeof mb_buf);
    famqp_map_builder_put_int(&mb, "x-opt-sequence-number", 41);
    famqp_map_builder_put_long(&mb, "x-opt-enqueued-time", 5);
    ck_assert_int_eq(famqp_message_set_map(&w, &mb), FAMQP_OK);
    n = famqp_message_encode(enc, sizeof enc, &w);
    ck_assert_int_eq(famqp_message_decode(enc, n, &e, NULL), FAMQP_OK);
    ck_assert(!famqp_event_sequence_number(&e, &v));
    ck_assert(!famqp_event_enqueued_time(&e, &v));
    ck_assert(!famqp_event_offset(&e, &s));
    ck_assert(!famqp_event_partition_key(&e, &s));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eventhubs");
    TCase *t = tcase_create("eventhubs");
    tcase_add_test(t, addresses);
    tcase_add_test(t, position_filters);
    tcase_add_test(t, event_annotations);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
