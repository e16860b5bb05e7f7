/* The client API's reconnect policy against a real famqp-broker process
 * (FAMQP_BROKER, a path given by CMake) that the test kills (SIGKILL, by
 * PID) and restarts on the same port:
 *   - off by default: a lost connection fails the call, no reconnect;
 *   - on: a blocking send, pipelined sends and a receiver ride out the
 *     restart; counters say what happened; nothing unsettled is lost;
 *   - attempts run out: a clear error naming the attempts, in bounded time. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "famqp/client.h"
#include "reconnect_support.h"

Suite *reconnect_suite(void);

static famqp_client *connect_to(const broker_proc *b, uint32_t attempts)
{
    char url[64];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", b->port);
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.connect_timeout_ms = 5000;
    o.reconnect.max_attempts = attempts;
    o.reconnect.initial_backoff_ms = 50;
    o.reconnect.max_backoff_ms = 200;
    famqp_client *c;
    famqp_client_error err;
    ck_assert_msg(famqp_client_connect(url, &o, &c, &err) == FAMQP_CLIENT_OK, "connect: %s", err.message);
    return c;
}

START_TEST(off_by_default)
{
    broker_proc b;
    broker_start(&b, 0, "--accept-when-consumed", NULL, NULL, NULL);
    famqp_client *c = connect_to(&b, 0);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", NULL, &s), FAMQP_CLIENT_OK);
    broker_kill(&b);
    famqp_client_status st = FAMQP_CLIENT_OK;
    for (int i = 0; i < 100 && st == FAMQP_CLIENT_OK; i++)
        st = send_seq(s, (uint64_t)i, true);
    ck_assert_int_eq(st, FAMQP_CLIENT_ERR_CONNECTION);
    ck_assert_uint_eq(famqp_client_reconnects(c), 0);
    famqp_client_close(c, 1000);
}
END_TEST

/* The receiver runs in its own thread (receive_all): the broker settles a
 * sender's message only once the receiver accepted it. */
enum { RESTART_N = 3000, RESTART_WINDOW = 200 };

START_TEST(rides_out_a_restart)
{
    broker_proc b;
    broker_start(&b, 0, "--accept-when-consumed", NULL, NULL, NULL);
    famqp_client *sc = connect_to(&b, 50);
    static recv_job job;
    memset(&job, 0, sizeof job);
    job.want = RESTART_N;
    job.c = connect_to(&b, 50);
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.window = RESTART_WINDOW;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(sc, "q", &so, &s), FAMQP_CLIENT_OK);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 50;
    ck_assert_int_eq(famqp_receiver_open(job.c, "q", &ro, &job.r), FAMQP_CLIENT_OK);

    /* A window of unsettled deliveries in flight: the receiver takes none
     * yet, so the broker (accepting only when consumed) settles none. */
    uint64_t n = 0;
    for (; n < RESTART_WINDOW; n++)
        ck_assert_int_eq(send_seq(s, n, false), FAMQP_CLIENT_OK);
    famqp_client_pump(sc, 100);
    famqp_send_summary sum;
    famqp_sender_summary(s, &sum);
    ck_assert_uint_eq(sum.in_flight, RESTART_WINDOW);

    broker_kill(&b);
    sleep_ms(300);
    broker_proc b2;
    broker_start(&b2, b.port, "--accept-when-consumed", NULL, NULL, NULL);
    /* Both clients learn of the loss on their next call. */
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, receive_all, &job), 0);

    /* A blocking send first: it waits for the reconnect, the resends of
     * the window and its own outcome. */
    ck_assert_int_eq(send_seq(s, n++, true), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(famqp_client_reconnects(sc), 1);
    ck_assert_uint_ge(famqp_client_resent(sc), RESTART_WINDOW);
    for (; n < RESTART_N; n++)
        ck_assert_int_eq(send_seq(s, n, false), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_sender_wait_all(s, 20000, &sum), FAMQP_CLIENT_OK);
    ck_assert_int_eq(pthread_join(th, NULL), 0);

    ck_assert_msg(job.status == FAMQP_CLIENT_OK, "receiver after %llu distinct: %s",
                  (unsigned long long)job.distinct, job.why);
    ck_assert_uint_eq(job.distinct, RESTART_N); /* none lost */
    ck_assert_uint_eq(job.bad, 0);
    ck_assert_uint_eq(famqp_client_reconnects(job.c), 1);
    ck_assert_uint_eq(sum.sent, RESTART_N);
    ck_assert_uint_eq(sum.accepted, RESTART_N);
    ck_assert_uint_eq(sum.in_flight, 0);
    ck_assert_uint_eq(sum.resent, famqp_client_resent(sc));
    printf("rides_out_a_restart: sent %d, received %llu, duplicates %llu, resent %llu\n", RESTART_N,
           (unsigned long long)job.received, (unsigned long long)(job.received - job.distinct),
           (unsigned long long)sum.resent);
    ck_assert_int_eq(famqp_client_close(sc, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(job.c, 5000), FAMQP_CLIENT_OK);
    kill(b2.pid, SIGTERM);
    waitpid(b2.pid, NULL, 0);
}
END_TEST

START_TEST(attempts_run_out)
{
    broker_proc b;
    broker_start(&b, 0, "--accept-when-consumed", NULL, NULL, NULL);
    famqp_client *c = connect_to(&b, 3);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", NULL, &s), FAMQP_CLIENT_OK);
    broker_kill(&b);
    famqp_client_status st = FAMQP_CLIENT_OK;
    for (int i = 0; i < 100 && st == FAMQP_CLIENT_OK; i++)
        st = send_seq(s, (uint64_t)i, true);
    ck_assert_int_eq(st, FAMQP_CLIENT_ERR_CONNECTION);
    const char *msg = famqp_client_last_error(c)->message;
    ck_assert_msg(strstr(msg, "reconnecting failed after 3 attempts") && strstr(msg, "refused"), "%s", msg);
    ck_assert_uint_eq(famqp_client_reconnects(c), 0);
    /* Later calls keep failing the same way, and close still works. */
    ck_assert_int_eq(send_seq(s, 0, false), FAMQP_CLIENT_ERR_CONNECTION);
    famqp_client_close(c, 1000);
}
END_TEST

Suite *reconnect_suite(void)
{
    Suite *su = suite_create("reconnect");
    TCase *tc = tcase_create("famqp-broker");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, off_by_default);
    tcase_add_test(tc, rides_out_a_restart);
    tcase_add_test(tc, attempts_run_out);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(reconnect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
