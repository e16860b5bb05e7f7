/* When pipelined sends reach the peer without the application pumping
 * (client.h, max_send_delay_us): a paced sender's messages arrive while it
 * only calls famqp_send_async, a burst's tail leaves with the next slow
 * sends, and max_send_delay_us = 0 writes at every send (its send(2)
 * calls counted, send_count.c).  The bounds are generous (arrival within
 * 2 s, where the old behaviour never wrote these few small messages at
 * all): no timing is measured. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <time.h>

#include "famqp/client.h"
#include "send_count.h"
#include "server.h"

Suite *send_linger_suite(void);

static test_server srv;
static char url[128];

static void setup(void)
{
    test_server_start(&srv);
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", (unsigned)srv.port);
}

static void teardown(void) { test_server_stop(&srv); }

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Waits (without touching the client) until the server accepted `want`
 * deliveries; false after 2 s. */
static bool arrives(unsigned long want)
{
    for (int i = 0; i < 2000; i++) {
        if (atomic_load(&srv.accepted) >= want)
            return true;
        sleep_ms(1);
    }
    return false;
}

static famqp_client *connect_with_delay(int64_t delay_us)
{
    famqp_client_options co;
    famqp_client_options_init(&co);
    ck_assert_uint_eq(co.max_send_delay_us, FAMQP_CLIENT_DEFAULT_SEND_DELAY_US);
    if (delay_us >= 0)
        co.max_send_delay_us = (uint32_t)delay_us;
    famqp_client *c;
    famqp_client_error err;
    ck_assert_msg(famqp_client_connect(url, &co, &c, &err) == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

static const uint8_t body[] = "\x00\x53\x75\xa0\x10" "0123456789abcdef"; /* data section, 16 bytes */

START_TEST(paced_sends_arrive_without_pumping)
{
    famqp_client *c = connect_with_delay(-1);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
    /* Each message is sent 5 ms after the previous one (far apart compared
     * with the default delay) and must reach the server while the client
     * is left alone. */
    for (unsigned long i = 0; i < 20; i++) {
        ck_assert_int_eq(famqp_send_bytes_async(s, body, sizeof body - 1, 5000), FAMQP_CLIENT_OK);
        ck_assert_msg(arrives(i + 1), "message %lu did not reach the peer without a pump", i);
        sleep_ms(5);
    }
    famqp_send_summary sum;
    ck_assert_int_eq(famqp_sender_wait_all(s, 5000, &sum), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(sum.accepted, 20);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

START_TEST(burst_tail_leaves_with_later_sends)
{
    famqp_client *c = connect_with_delay(-1);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
    /* A burst (well below the window and 256 KiB: nothing forces a write),
     * then slow sends: the burst's held tail must go out with them, within
     * the few sends between clock reads (client.h: at most 16). */
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(famqp_send_bytes_async(s, body, sizeof body - 1, 5000), FAMQP_CLIENT_OK);
    for (int i = 0; i < 17; i++) {
        sleep_ms(5);
        ck_assert_int_eq(famqp_send_bytes_async(s, body, sizeof body - 1, 5000), FAMQP_CLIENT_OK);
    }
    ck_assert_msg(arrives(317), "only %lu of 317 messages reached the peer without a pump",
                  (unsigned long)atomic_load(&srv.accepted));
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

START_TEST(zero_delay_writes_every_send)
{
    famqp_client *c = connect_with_delay(0);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "queue", NULL, &s), FAMQP_CLIENT_OK);
    /* A flood: batching would carry these 50 in a few writes, so counting
     * this thread's send(2) calls tells one write per send from that. */
    unsigned long before = send_calls_by_this_thread();
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(famqp_send_bytes_async(s, body, sizeof body - 1, 5000), FAMQP_CLIENT_OK);
    unsigned long writes = send_calls_by_this_thread() - before;
    ck_assert_msg(writes >= 50, "50 sends made %lu writes, want one per send", writes);
    ck_assert_msg(arrives(50), "only %lu of 50 messages reached the peer",
                  (unsigned long)atomic_load(&srv.accepted));
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
}
END_TEST

Suite *send_linger_suite(void)
{
    Suite *s = suite_create("send_linger");
    TCase *tc = tcase_create("send_linger");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, paced_sends_arrive_without_pumping);
    tcase_add_test(tc, burst_tail_leaves_with_later_sends);
    tcase_add_test(tc, zero_delay_writes_every_send);
    suite_add_tcase(s, tc);
    return s;
}
