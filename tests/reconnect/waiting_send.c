/* reconnect-waiting-send: a send that is waiting for window room when the
 * peer closes the connection cleanly (a close frame, as a broker shutting
 * down sends: famqp-broker on SIGTERM, Artemis with amqp:connection:forced)
 * must ride out the loss under a reconnect policy, as a send that finds
 * the socket dead does (test_reconnect.c: rides_out_a_restart).
 *
 * famqp-broker --accept-when-consumed, no consumer: WINDOW async sends
 * fill the sender's window; a blocking send then waits for room.  Another
 * thread stops the broker with SIGTERM, starts it again on the same port
 * and drains the queue, so the window can open after the reconnect.
 * A Check test (reconnect_support.c asserts with Check): it prints
 * "recovered ..." and passes when the blocking send succeeded after one
 * reconnect; otherwise it prints "NOT RECOVERED ..." with the client's error
 * and fails. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "famqp/client.h"
#include "reconnect_support.h"

enum { WINDOW = 20 };

static broker_proc broker;
static recv_job job;
static atomic_bool sender_done;

Suite *waiting_send_suite(void);

static famqp_client *connect_to(unsigned port)
{
    char url[64];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%u", port);
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.connect_timeout_ms = 5000;
    o.reconnect.max_attempts = 50;
    o.reconnect.initial_backoff_ms = 50;
    o.reconnect.max_backoff_ms = 200;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &o, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "connect: %s\n", err.message);
        return NULL;
    }
    return c;
}

/* Stops the broker cleanly while the main thread's send waits, starts it
 * again, drains the queue; keeps the new broker (a child of this thread:
 * PR_SET_PDEATHSIG) alive until the sender is done. */
static void *restarter(void *arg)
{
    (void)arg;
    sleep_ms(300);
    kill(broker.pid, SIGTERM);
    waitpid(broker.pid, NULL, 0);
    broker_proc b2;
    broker_start(&b2, broker.port, "--accept-when-consumed", NULL, NULL, NULL);
    job.want = WINDOW + 1;
    if (atomic_load(&sender_done)) { /* the send already failed: nothing to drain */
        job.status = FAMQP_CLIENT_ERR_CONNECTION;
        snprintf(job.why, sizeof job.why, "not started: the sender gave up first");
        kill(b2.pid, SIGTERM);
        waitpid(b2.pid, NULL, 0);
        return NULL;
    }
    job.c = connect_to(b2.port);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 50;
    if (!job.c || famqp_receiver_open(job.c, "q", &ro, &job.r) != FAMQP_CLIENT_OK) {
        job.status = FAMQP_CLIENT_ERR_CONNECTION;
        snprintf(job.why, sizeof job.why, "the receiver could not attach after the restart");
    } else {
        receive_all(&job);
    }
    for (int i = 0; i < 200 && !atomic_load(&sender_done); i++)
        sleep_ms(50);
    if (job.c)
        famqp_client_close(job.c, 2000);
    kill(b2.pid, SIGTERM);
    waitpid(b2.pid, NULL, 0);
    return NULL;
}

START_TEST(waiting_send_rides_out_a_clean_close)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    broker_start(&broker, 0, "--accept-when-consumed", NULL, NULL, NULL);
    famqp_client *c = connect_to(broker.port);
    ck_assert_ptr_nonnull(c);
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.window = WINDOW;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", &so, &s), FAMQP_CLIENT_OK);
    for (uint64_t n = 0; n < WINDOW; n++)
        ck_assert_int_eq(send_seq(s, n, false), FAMQP_CLIENT_OK);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, restarter, NULL), 0);
    /* The window is full: this send waits for room while the broker stops. */
    famqp_client_status st = send_seq(s, WINDOW, true);
    char why[1100];
    snprintf(why, sizeof why, "%s", famqp_client_last_error(c)->message);
    atomic_store(&sender_done, true);
    pthread_join(th, NULL);
    unsigned long long reconnects = famqp_client_reconnects(c);
    famqp_client_close(c, 1000);
    if (st != FAMQP_CLIENT_OK || reconnects != 1)
        printf("NOT RECOVERED: the send waiting for window room returned %s after %llu reconnects: %s\n",
               famqp_client_status_name(st), reconnects, why);
    ck_assert_int_eq(st, FAMQP_CLIENT_OK);
    ck_assert_uint_eq(reconnects, 1);
    ck_assert_msg(job.status == FAMQP_CLIENT_OK, "receiver: %s", job.why);
    ck_assert_uint_eq(job.distinct, WINDOW + 1);
    printf("recovered: the send waiting for window room succeeded after 1 reconnect; the receiver got %llu "
           "distinct of %d\n",
           (unsigned long long)job.distinct, WINDOW + 1);
}
END_TEST

Suite *waiting_send_suite(void)
{
    Suite *su = suite_create("waiting_send");
    TCase *tc = tcase_create("famqp-broker");
    tcase_set_timeout(tc, 40);
    tcase_add_test(tc, waiting_send_rides_out_a_clean_close);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(waiting_send_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
