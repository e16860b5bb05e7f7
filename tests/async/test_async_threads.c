/* Other threads hand sends to async connections only through
 * famqp_loop_post: 4 threads post into 2 loops, each running one
 * connection on its own thread; every message arrives once, in each
 * poster's order.  (Labelled `threads`: the ThreadSanitizer build runs it.) */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_test.h"

#define POSTERS 4
#define LOOPS 2
#define PER_POSTER 500

typedef struct loop_side {
    famqp_loop *loop;
    const char *url;
    famqp_async_conn *conn;
    _Atomic(famqp_async_sender *) sender; /* published to the posters once made */
    famqp_async_receiver *r;
    famqp_loop_timer *deadline;
    uint32_t next[POSTERS]; /* per poster: the number expected next */
    uint32_t received, accepted, bad;
    bool timed_out;
    char queue[32];
} loop_side;

typedef struct post {
    loop_side *side;
    uint32_t poster, seq;
} post;

static void on_outcome(famqp_async_sender *s, famqp_async_status st, const famqp_outcome *o, void *arg)
{
    (void)s;
    loop_side *l = arg;
    if (st == FAMQP_ASYNC_OK && o->kind == FAMQP_OUTCOME_ACCEPTED)
        l->accepted++;
    else
        l->bad++;
    if (l->received == PER_POSTER * POSTERS / LOOPS && l->accepted == PER_POSTER * POSTERS / LOOPS)
        famqp_loop_stop(l->loop);
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    loop_side *l = arg;
    uint32_t n = number_of(d);
    uint32_t poster = n / PER_POSTER, seq = n % PER_POSTER;
    if (n == UINT32_MAX || poster >= POSTERS || l->next[poster] != seq)
        l->bad++;
    else
        l->next[poster]++;
    l->received++;
    if (l->received == PER_POSTER * POSTERS / LOOPS && l->accepted == PER_POSTER * POSTERS / LOOPS)
        famqp_loop_stop(l->loop);
}

static void run_post(famqp_loop *loop, void *arg, famqp_loop_status st)
{
    (void)loop;
    post *p = arg;
    if (st == FAMQP_LOOP_OK) {
        famqp_message m;
        uint32_t v;
        numbered(&m, &v, p->poster * PER_POSTER + p->seq);
        loop_side *l = p->side;
        if (famqp_async_send(atomic_load(&l->sender), &m, on_outcome, l) != FAMQP_ASYNC_OK)
            l->bad++;
    }
    free(p);
}

static void on_deadline(famqp_loop_timer *t, void *arg)
{
    (void)t;
    loop_side *l = arg;
    l->timed_out = true;
    famqp_loop_stop(l->loop);
}

static void *loop_thread(void *arg)
{
    loop_side *l = arg;
    famqp_async_sender *s = NULL;
    if (famqp_async_connect(l->loop, l->url, NULL, &l->conn) != FAMQP_ASYNC_OK ||
        famqp_async_receiver_open(l->conn, l->queue, NULL, on_message, l, &l->r) != FAMQP_ASYNC_OK ||
        famqp_async_sender_open(l->conn, l->queue, NULL, &s) != FAMQP_ASYNC_OK ||
        famqp_loop_timer_new(l->loop, on_deadline, l, &l->deadline) != FAMQP_LOOP_OK) {
        l->bad++;
        return NULL;
    }
    atomic_store(&l->sender, s);
    famqp_loop_timer_start(l->deadline, 60000);
    famqp_loop_run(l->loop);
    famqp_loop_timer_free(l->deadline);
    famqp_async_close(l->conn, NULL, NULL);
    for (int i = 0; i < 20; i++)
        famqp_loop_run_once(l->loop, 10, NULL);
    return NULL;
}

typedef struct poster {
    uint32_t id;
    loop_side *side;
    uint32_t failed;
} poster;

static void *poster_thread(void *arg)
{
    poster *p = arg;
    while (!atomic_load(&p->side->sender))
        sched_yield();
    for (uint32_t i = 0; i < PER_POSTER; i++) {
        post *q = malloc(sizeof *q);
        if (!q) {
            p->failed++;
            continue;
        }
        *q = (post){p->side, p->id, i};
        famqp_loop_status st;
        while ((st = famqp_loop_post(p->side->loop, run_post, q)) == FAMQP_LOOP_ERR_FULL)
            sched_yield();
        if (st != FAMQP_LOOP_OK) {
            free(q);
            p->failed++;
        }
    }
    return NULL;
}

START_TEST(test_posts_from_threads)
{
    test_broker b;
    broker_start(&b, 0, NULL);
    char url[64];
    broker_url(url, sizeof url, &b);
    static loop_side sides[LOOPS];
    memset(sides, 0, sizeof sides);
    pthread_t lt[LOOPS], pt[POSTERS];
    poster posters[POSTERS];
    for (int i = 0; i < LOOPS; i++) {
        ck_assert_int_eq(famqp_loop_new(NULL, &sides[i].loop), FAMQP_LOOP_OK);
        sides[i].url = url;
        snprintf(sides[i].queue, sizeof sides[i].queue, "threads-%d", i);
        ck_assert_int_eq(pthread_create(&lt[i], NULL, loop_thread, &sides[i]), 0);
    }
    for (uint32_t i = 0; i < POSTERS; i++) {
        posters[i] = (poster){i, &sides[i % LOOPS], 0};
        ck_assert_int_eq(pthread_create(&pt[i], NULL, poster_thread, &posters[i]), 0);
    }
    for (int i = 0; i < POSTERS; i++)
        pthread_join(pt[i], NULL);
    for (int i = 0; i < LOOPS; i++)
        pthread_join(lt[i], NULL);
    for (int i = 0; i < POSTERS; i++)
        ck_assert_uint_eq(posters[i].failed, 0);
    for (int i = 0; i < LOOPS; i++) {
        loop_side *l = &sides[i];
        ck_assert_msg(!l->timed_out, "loop %d: received %u accepted %u", i, l->received, l->accepted);
        ck_assert_uint_eq(l->bad, 0);
        ck_assert_uint_eq(l->received, PER_POSTER * POSTERS / LOOPS);
        ck_assert_uint_eq(l->accepted, PER_POSTER * POSTERS / LOOPS);
        for (int p = i; p < POSTERS; p += LOOPS)
            ck_assert_uint_eq(l->next[p], PER_POSTER);
        famqp_loop_free(l->loop);
    }
    broker_stop(&b, false);
}
END_TEST

Suite *async_threads_suite(void)
{
    Suite *s = suite_create("async_threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_posts_from_threads);
    suite_add_tcase(s, tc);
    return s;
}
