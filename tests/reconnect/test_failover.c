/* Failover across URLs (client.h, famqp_reconnect_policy.failover_urls)
 * against famqp-broker processes (FAMQP_BROKER, a path given by CMake) on
 * 127.0.0.1 that the test kills (SIGKILL, by PID):
 *   - a sender and a receiver on [A, B]: A dies mid-stream, both go on
 *     on B, the sender resends what A had not settled, nothing is lost;
 *     famqp_client_url says B and on_reconnect heard of the change;
 *   - rotation: [A, B, C] with B down goes A -> C, then wraps C -> A;
 *   - credentials per URL: a failover URL's own user:password (PLAIN);
 *   - giving up is reported through on_reconnect too;
 *   - bad lists fail famqp_client_connect with ERR_ARG naming the URL. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "famqp/client.h"
#include "reconnect_support.h"

Suite *failover_suite(void);

static void url_of(char *out, size_t cap, const broker_proc *b)
{
    snprintf(out, cap, "amqp://127.0.0.1:%u", b->port);
}

/* What on_reconnect was told (the last call) and how often. */
typedef struct heard {
    int calls;
    famqp_reconnect_info last;
    char old_url[128], new_url[128], reason[256];
} heard;

static void on_reconnect(void *context, const famqp_reconnect_info *info)
{
    heard *h = context;
    h->calls++;
    h->last = *info;
    /* The strings are valid only during the call. */
    snprintf(h->old_url, sizeof h->old_url, "%s", info->old_url);
    snprintf(h->new_url, sizeof h->new_url, "%s", info->new_url);
    snprintf(h->reason, sizeof h->reason, "%s", info->reason);
    h->last.old_url = h->last.new_url = h->last.reason = h->last.condition = NULL;
}

static famqp_client_status connect_list(const char *first, const char *const *more, size_t nmore,
                                        uint32_t attempts, heard *h, famqp_client **c, famqp_client_error *err)
{
    famqp_client_options o;
    famqp_client_options_init(&o);
    o.connect_timeout_ms = 5000;
    o.allow_plain_insecure = true;
    o.reconnect.max_attempts = attempts;
    o.reconnect.initial_backoff_ms = 20;
    o.reconnect.max_backoff_ms = 200;
    o.reconnect.failover_urls = more;
    o.reconnect.failover_url_count = nmore;
    o.reconnect.on_reconnect = h ? on_reconnect : NULL;
    o.reconnect.on_reconnect_context = h;
    return famqp_client_connect(first, &o, c, err);
}

static famqp_client *connect_ok(const char *first, const char *const *more, size_t nmore, uint32_t attempts, heard *h)
{
    famqp_client *c;
    famqp_client_error err;
    ck_assert_msg(connect_list(first, more, nmore, attempts, h, &c, &err) == FAMQP_CLIENT_OK, "connect: %s",
                  err.message);
    return c;
}

/* ---- a sender and a receiver fail over from A to B mid-stream ---- */

enum { N = 3000, WINDOW = 200 };

START_TEST(fails_over_mid_stream)
{
    broker_proc a, b;
    /* A broker accepts a message only once a consumer took it: what A
     * held when it died was never settled, so the sender must resend it. */
    broker_start(&a, 0, "--accept-when-consumed", NULL, NULL, NULL);
    broker_start(&b, 0, "--accept-when-consumed", NULL, NULL, NULL);
    char ua[64], ub[64];
    url_of(ua, sizeof ua, &a);
    url_of(ub, sizeof ub, &b);
    const char *more[] = {ub};
    static heard sh, rh;
    memset(&sh, 0, sizeof sh);
    memset(&rh, 0, sizeof rh);
    famqp_client *sc = connect_ok(ua, more, 1, 20, &sh);
    static recv_job job;
    memset(&job, 0, sizeof job);
    job.want = N;
    job.c = connect_ok(ua, more, 1, 20, &rh);
    ck_assert_str_eq(famqp_client_url(sc), ua);
    ck_assert_uint_eq(famqp_client_url_index(sc), 0);

    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.window = WINDOW;
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(sc, "q", &so, &s), FAMQP_CLIENT_OK);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = 50;
    ck_assert_int_eq(famqp_receiver_open(job.c, "q", &ro, &job.r), FAMQP_CLIENT_OK);

    /* A window in flight and unsettled on A (nobody takes it yet). */
    uint64_t n = 0;
    for (; n < WINDOW; n++)
        ck_assert_int_eq(send_seq(s, n, false), FAMQP_CLIENT_OK);
    famqp_client_pump(sc, 100);
    famqp_send_summary sum;
    famqp_sender_summary(s, &sum);
    ck_assert_uint_eq(sum.in_flight, WINDOW);

    broker_kill(&a); /* A is gone for good: only B can take over */
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, receive_all, &job), 0);
    ck_assert_int_eq(send_seq(s, n++, true), FAMQP_CLIENT_OK);
    for (; n < N; n++)
        ck_assert_int_eq(send_seq(s, n, false), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_sender_wait_all(s, 20000, &sum), FAMQP_CLIENT_OK);
    ck_assert_int_eq(pthread_join(th, NULL), 0);

    ck_assert_msg(job.status == FAMQP_CLIENT_OK, "receiver after %llu distinct: %s",
                  (unsigned long long)job.distinct, job.why);
    ck_assert_uint_eq(job.distinct, N); /* none lost */
    ck_assert_uint_eq(job.bad, 0);
    ck_assert_uint_eq(sum.accepted, N);
    ck_assert_uint_ge(sum.resent, WINDOW);
    /* Both are on B now, and heard so once. */
    ck_assert_str_eq(famqp_client_url(sc), ub);
    ck_assert_str_eq(famqp_client_url(job.c), ub);
    ck_assert_uint_eq(famqp_client_url_index(sc), 1);
    ck_assert_uint_eq(famqp_client_reconnects(sc), 1);
    const heard *hs[] = {&sh, &rh};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(hs[i]->calls, 1);
        ck_assert(hs[i]->last.reconnected);
        ck_assert_str_eq(hs[i]->old_url, ua);
        ck_assert_str_eq(hs[i]->new_url, ub);
        ck_assert_uint_eq(hs[i]->last.old_index, 0);
        ck_assert_uint_eq(hs[i]->last.new_index, 1);
        ck_assert_uint_eq(hs[i]->last.attempts, 1); /* the first attempt went to B */
        ck_assert_uint_eq(hs[i]->last.reconnects, 1);
        ck_assert_msg(hs[i]->reason[0], "no reason given");
    }
    printf("fails_over_mid_stream: sent %d, received %llu, duplicates %llu, resent %llu\n", N,
           (unsigned long long)job.received, (unsigned long long)(job.received - job.distinct),
           (unsigned long long)sum.resent);
    ck_assert_int_eq(famqp_client_close(sc, 5000), FAMQP_CLIENT_OK);
    ck_assert_int_eq(famqp_client_close(job.c, 5000), FAMQP_CLIENT_OK);
    broker_kill(&b);
}
END_TEST

/* ---- rotation: the next URL, skipping a dead one, wrapping ---- */

START_TEST(rotation_skips_and_wraps)
{
    broker_proc a, dead, c3;
    broker_start(&a, 0, NULL, NULL, NULL, NULL);
    broker_start(&dead, 0, NULL, NULL, NULL, NULL);
    broker_start(&c3, 0, NULL, NULL, NULL, NULL);
    char ua[64], ub[64], uc[64];
    url_of(ua, sizeof ua, &a);
    url_of(ub, sizeof ub, &dead);
    url_of(uc, sizeof uc, &c3);
    broker_kill(&dead); /* its port now refuses connections */
    const char *more[] = {ub, uc};
    heard h = {0};
    famqp_client *c = connect_ok(ua, more, 2, 10, &h);
    famqp_receiver *r;
    ck_assert_int_eq(famqp_receiver_open(c, "q", NULL, &r), FAMQP_CLIENT_OK);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", NULL, &s), FAMQP_CLIENT_OK);

    broker_kill(&a);
    ck_assert_int_eq(send_seq(s, 1, true), FAMQP_CLIENT_OK); /* A -> B (refused) -> C */
    ck_assert_int_eq(h.calls, 1);
    ck_assert_uint_eq(h.last.new_index, 2);
    ck_assert_uint_eq(h.last.attempts, 2);
    ck_assert_str_eq(famqp_client_url(c), uc);
    famqp_delivery *d;
    ck_assert_int_eq(famqp_receive(r, 5000, &d), FAMQP_CLIENT_OK); /* the receiver came along */
    ck_assert_uint_eq(seq_or_max(d), 1);
    famqp_delivery_accept(d);

    broker_start(&a, a.port, NULL, NULL, NULL, NULL); /* A back on its port */
    broker_kill(&c3);
    ck_assert_int_eq(send_seq(s, 2, true), FAMQP_CLIENT_OK); /* C -> A: wraps */
    ck_assert_int_eq(h.calls, 2);
    ck_assert_uint_eq(h.last.old_index, 2);
    ck_assert_uint_eq(h.last.new_index, 0);
    ck_assert_uint_eq(h.last.attempts, 1);
    ck_assert_str_eq(h.old_url, uc);
    ck_assert_str_eq(famqp_client_url(c), ua);
    ck_assert_uint_eq(famqp_client_reconnects(c), 2);
    ck_assert_int_eq(famqp_receive(r, 5000, &d), FAMQP_CLIENT_OK);
    ck_assert_uint_eq(seq_or_max(d), 2);
    famqp_delivery_accept(d);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    broker_kill(&a);
}
END_TEST

/* ---- credentials per URL ---- */

START_TEST(credentials_per_url)
{
    broker_proc a, b;
    broker_start(&a, 0, NULL, NULL, NULL, NULL);
    /* B takes only PLAIN with these credentials (ANONYMOUS refused). */
    broker_start(&b, 0, "--user", "fo-user", "--password", "fo-s3cret");
    char ua[64], ub[128];
    url_of(ua, sizeof ua, &a);
    snprintf(ub, sizeof ub, "amqp://fo-user:fo-s3cret@127.0.0.1:%u", b.port);
    const char *more[] = {ub};
    heard h = {0};
    famqp_client *c = connect_ok(ua, more, 1, 5, &h);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", NULL, &s), FAMQP_CLIENT_OK);
    broker_kill(&a);
    ck_assert_int_eq(send_seq(s, 1, true), FAMQP_CLIENT_OK);
    char shown[128];
    snprintf(shown, sizeof shown, "amqp://fo-user@127.0.0.1:%u", b.port);
    ck_assert_str_eq(famqp_client_url(c), shown); /* no password */
    ck_assert_str_eq(h.new_url, shown);
    ck_assert_int_eq(famqp_client_close(c, 5000), FAMQP_CLIENT_OK);
    broker_kill(&b);
}
END_TEST

/* ---- giving up is heard too ---- */

START_TEST(giving_up_is_reported)
{
    broker_proc a, dead;
    broker_start(&a, 0, NULL, NULL, NULL, NULL);
    broker_start(&dead, 0, NULL, NULL, NULL, NULL);
    char ua[64], ub[64];
    url_of(ua, sizeof ua, &a);
    url_of(ub, sizeof ub, &dead);
    broker_kill(&dead);
    const char *more[] = {ub};
    heard h = {0};
    famqp_client *c = connect_ok(ua, more, 1, 3, &h);
    famqp_sender *s;
    ck_assert_int_eq(famqp_sender_open(c, "q", NULL, &s), FAMQP_CLIENT_OK);
    broker_kill(&a);
    famqp_client_status st = FAMQP_CLIENT_OK;
    for (int i = 0; i < 100 && st == FAMQP_CLIENT_OK; i++)
        st = send_seq(s, (uint64_t)i, true);
    ck_assert_int_eq(st, FAMQP_CLIENT_ERR_CONNECTION);
    const char *msg = famqp_client_last_error(c)->message;
    ck_assert_msg(strstr(msg, "reconnecting failed after 3 attempts"), "%s", msg);
    ck_assert_int_eq(h.calls, 1);
    ck_assert(!h.last.reconnected);
    ck_assert_uint_eq(h.last.attempts, 3);
    ck_assert_str_eq(h.new_url, "");
    ck_assert_str_eq(famqp_client_url(c), ua); /* where it last was */
    ck_assert_uint_eq(famqp_client_url_index(c), 0);
    famqp_client_close(c, 1000);
}
END_TEST

/* ---- bad lists fail the connect, before any connection ---- */

static void connect_refused(const char *const *more, size_t nmore, uint32_t attempts, const char *want1,
                            const char *want2)
{
    famqp_client *c = (famqp_client *)1;
    famqp_client_error err;
    /* Port 1: the list is refused before anything connects. */
    famqp_client_status st = connect_list("amqp://127.0.0.1:1", more, nmore, attempts, NULL, &c, &err);
    ck_assert_int_eq(st, FAMQP_CLIENT_ERR_ARG);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.message, want1) && (!want2 || strstr(err.message, want2)), "%s", err.message);
    ck_assert_msg(!strstr(err.message, "s3cret"), "password shown: %s", err.message);
}

START_TEST(bad_lists_fail_the_connect)
{
    const char *bad_scheme[] = {"amqp://127.0.0.1:2", "http://u:s3cret@127.0.0.1:3"};
    connect_refused(bad_scheme, 2, 5, "reconnect.failover_urls[1]", "scheme");
    const char *bad_port[] = {"amqp://127.0.0.1:99999"};
    connect_refused(bad_port, 1, 5, "reconnect.failover_urls[0]", "port");
    const char *null_entry[] = {"amqp://127.0.0.1:2", NULL};
    connect_refused(null_entry, 2, 5, "reconnect.failover_urls[1] is NULL", NULL);
    connect_refused(NULL, 2, 5, "failover_urls is NULL", NULL);
    const char *one[] = {"amqp://127.0.0.1:2"};
    connect_refused(one, 1, 0, "max_attempts is 0", NULL);
    const char *many[FAMQP_CLIENT_MAX_FAILOVER_URLS + 1];
    for (size_t i = 0; i <= FAMQP_CLIENT_MAX_FAILOVER_URLS; i++)
        many[i] = "amqp://127.0.0.1:2";
    connect_refused(many, FAMQP_CLIENT_MAX_FAILOVER_URLS + 1, 5, "17 URLs given", "at most 16");
    static char longurl[FAMQP_CLIENT_MAX_URL_BYTES + 64];
    memset(longurl, 'h', sizeof longurl - 1);
    memcpy(longurl, "amqp://", 7);
    const char *toolong[] = {longurl};
    connect_refused(toolong, 1, 5, "reconnect.failover_urls[0] is longer than 2048 bytes", NULL);
    /* PLAIN in clear text: refused for a failover URL as for the first. */
    famqp_client_options o;
    famqp_client_options_init(&o);
    const char *plain[] = {"amqp://u:s3cret@127.0.0.1:2"};
    o.reconnect.max_attempts = 5;
    o.reconnect.failover_urls = plain;
    o.reconnect.failover_url_count = 1;
    famqp_client *c;
    famqp_client_error err;
    ck_assert_int_eq(famqp_client_connect("amqp://127.0.0.1:1", &o, &c, &err), FAMQP_CLIENT_ERR_ARG);
    ck_assert_msg(strstr(err.message, "reconnect.failover_urls[0]") && strstr(err.message, "PLAIN") &&
                      !strstr(err.message, "s3cret"),
                  "%s", err.message);
}
END_TEST

Suite *failover_suite(void)
{
    Suite *su = suite_create("failover");
    TCase *tc = tcase_create("famqp-broker");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fails_over_mid_stream);
    tcase_add_test(tc, rotation_skips_and_wraps);
    tcase_add_test(tc, credentials_per_url);
    tcase_add_test(tc, giving_up_is_reported);
    tcase_add_test(tc, bad_lists_fail_the_connect);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(failover_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
