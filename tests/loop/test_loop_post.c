/* famqp_loop_post: order, the loop's thread, the bound (FULL), posts
 * pending at free (called with CLOSED), a post that posts again (runs next
 * wake-up, no spin), stopping a running loop from another thread, and 4
 * threads posting into 2 running loops (exact counts, per-thread order; run
 * under ThreadSanitizer in CI). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "loop_test.h"

typedef struct recorder {
    int order[1000];
    size_t n;
    pthread_t thread;
    size_t closed;
} recorder;

typedef struct item {
    recorder *rec;
    int value;
} item;

static void record(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)loop;
    item *it = arg;
    if (status == FAMQP_LOOP_ERR_CLOSED) {
        it->rec->closed++;
        return;
    }
    ck_assert_int_eq(status, FAMQP_LOOP_OK);
    it->rec->order[it->rec->n++] = it->value;
    it->rec->thread = pthread_self();
}

START_TEST(posts_run_in_order_on_the_loop)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    static recorder rec;
    static item items[1000];
    rec.n = 0;
    for (int i = 0; i < 1000; i++) {
        items[i] = (item){&rec, i};
        ck_assert_int_eq(famqp_loop_post(loop, record, &items[i]), FAMQP_LOOP_OK);
    }
    size_t ran;
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 1000);
    ck_assert_uint_eq(rec.n, 1000);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(rec.order[i], i);
    ck_assert(pthread_equal(rec.thread, pthread_self()));
    famqp_loop_free(loop);
}
END_TEST

START_TEST(a_full_queue_refuses_and_recovers)
{
    famqp_loop_options o;
    famqp_loop_options_init(&o);
    o.max_posts = 4;
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(&o, &loop), FAMQP_LOOP_OK);
    static recorder rec;
    static item items[6];
    rec.n = 0;
    for (int i = 0; i < 6; i++)
        items[i] = (item){&rec, i};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(famqp_loop_post(loop, record, &items[i]), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_post(loop, record, &items[4]), FAMQP_LOOP_ERR_FULL);
    ck_assert_int_eq(famqp_loop_run_once(loop, 0, NULL), FAMQP_LOOP_OK);
    ck_assert_uint_eq(rec.n, 4); /* the refused one never runs */
    ck_assert_int_eq(famqp_loop_post(loop, record, &items[5]), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_run_once(loop, 0, NULL), FAMQP_LOOP_OK);
    ck_assert_uint_eq(rec.n, 5);
    ck_assert_int_eq(rec.order[4], 5);
    ck_assert_int_eq(famqp_loop_post(loop, NULL, NULL), FAMQP_LOOP_ERR_ARG);
    famqp_loop_free(loop);
}
END_TEST

START_TEST(free_hands_back_pending_posts)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    static recorder rec;
    static item items[3];
    rec.n = rec.closed = 0;
    for (int i = 0; i < 3; i++) {
        items[i] = (item){&rec, i};
        ck_assert_int_eq(famqp_loop_post(loop, record, &items[i]), FAMQP_LOOP_OK);
    }
    famqp_loop_free(loop);
    ck_assert_uint_eq(rec.closed, 3);
    ck_assert_uint_eq(rec.n, 0);
}
END_TEST

static void repost(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    int *count = arg;
    if (status != FAMQP_LOOP_OK)
        return;
    (*count)++;
    ck_assert_int_eq(famqp_loop_post(loop, repost, arg), FAMQP_LOOP_OK);
}

START_TEST(a_post_posting_again_waits_for_the_next_wake_up)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    int count = 0;
    ck_assert_int_eq(famqp_loop_post(loop, repost, &count), FAMQP_LOOP_OK);
    for (int i = 1; i <= 5; i++) {
        size_t ran;
        ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
        ck_assert_uint_eq(ran, 1);
        ck_assert_int_eq(count, i);
    }
    famqp_loop_free(loop); /* the last repost is handed back with CLOSED */
}
END_TEST

static void stop_loop(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)arg;
    if (status == FAMQP_LOOP_OK)
        famqp_loop_stop(loop);
}

static void *run_loop(void *arg)
{
    famqp_loop_status *st = (famqp_loop_status *)((void **)arg)[1];
    *st = famqp_loop_run(((void **)arg)[0]);
    return NULL;
}

START_TEST(another_thread_stops_a_running_loop)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    famqp_loop_status st = FAMQP_LOOP_ERR_SYSTEM;
    void *args[2] = {loop, &st};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, run_loop, args), 0);
    ck_assert_int_eq(famqp_loop_post(loop, stop_loop, NULL), FAMQP_LOOP_OK);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_int_eq(st, FAMQP_LOOP_OK);
    famqp_loop_free(loop);
}
END_TEST

/* ---- 4 posting threads, 2 running loops -------------------------------- */

#define POSTERS 4
#define LOOPS 2
#define PER_POSTER 20000

typedef struct counter {
    /* touched only on its loop's thread */
    size_t received[POSTERS];
    int last[POSTERS];
    size_t out_of_order;
} counter;

typedef struct message {
    counter *to;
    int poster, seq;
} message;

static message messages[POSTERS][PER_POSTER];
static counter counters[LOOPS];
static famqp_loop *loops[LOOPS];

static void count_message(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)loop;
    message *m = arg;
    if (status != FAMQP_LOOP_OK)
        return;
    counter *c = m->to;
    if (m->seq <= c->last[m->poster])
        c->out_of_order++;
    c->last[m->poster] = m->seq;
    c->received[m->poster]++;
}

static void *poster(void *arg)
{
    int p = (int)(intptr_t)arg;
    for (int i = 0; i < PER_POSTER; i++) {
        int l = i % LOOPS;
        messages[p][i] = (message){&counters[l], p, i};
        famqp_loop_status st;
        /* bounded: a full queue drains as the loop runs */
        for (int tries = 0; (st = famqp_loop_post(loops[l], count_message, &messages[p][i])) == FAMQP_LOOP_ERR_FULL &&
                            tries < 1000000;
             tries++)
            sched_yield();
        if (st != FAMQP_LOOP_OK)
            return (void *)1;
    }
    return NULL;
}

START_TEST(four_threads_post_into_two_running_loops)
{
    famqp_loop_options o;
    famqp_loop_options_init(&o);
    o.max_posts = 1024; /* small, so FULL and the growth path are exercised */
    pthread_t loop_threads[LOOPS], posters[POSTERS];
    famqp_loop_status st[LOOPS];
    void *args[LOOPS][2];
    for (int l = 0; l < LOOPS; l++) {
        counters[l] = (counter){0};
        for (int p = 0; p < POSTERS; p++)
            counters[l].last[p] = -1;
        ck_assert_int_eq(famqp_loop_new(&o, &loops[l]), FAMQP_LOOP_OK);
        args[l][0] = loops[l];
        args[l][1] = &st[l];
        ck_assert_int_eq(pthread_create(&loop_threads[l], NULL, run_loop, args[l]), 0);
    }
    for (int p = 0; p < POSTERS; p++)
        ck_assert_int_eq(pthread_create(&posters[p], NULL, poster, (void *)(intptr_t)p), 0);
    for (int p = 0; p < POSTERS; p++) {
        void *ret;
        ck_assert_int_eq(pthread_join(posters[p], &ret), 0);
        ck_assert_ptr_null(ret);
    }
    /* posts run in order: a stop posted last runs after every message */
    for (int l = 0; l < LOOPS; l++) {
        ck_assert_int_eq(famqp_loop_post(loops[l], stop_loop, NULL), FAMQP_LOOP_OK);
        ck_assert_int_eq(pthread_join(loop_threads[l], NULL), 0);
        ck_assert_int_eq(st[l], FAMQP_LOOP_OK);
        famqp_loop_free(loops[l]);
    }
    for (int l = 0; l < LOOPS; l++) {
        ck_assert_uint_eq(counters[l].out_of_order, 0);
        for (int p = 0; p < POSTERS; p++)
            ck_assert_uint_eq(counters[l].received[p], PER_POSTER / LOOPS);
    }
}
END_TEST

/* ---- failing allocations ----------------------------------------------- */

START_TEST(every_allocation_failure_is_reported)
{
    /* loop, then the post ring's first block and one doubling */
    for (size_t fail = 1; fail <= 3; fail++) {
        failing_alloc fa = {0, fail, 0};
        famqp_loop_options o;
        famqp_loop_options_init(&o);
        o.alloc = failing_allocator(&fa);
        famqp_loop *loop = (famqp_loop *)&fa; /* must be reset to NULL on failure */
        famqp_loop_status st = famqp_loop_new(&o, &loop);
        if (fail == 1) {
            ck_assert_int_eq(st, FAMQP_LOOP_ERR_NOMEM);
            ck_assert_ptr_null(loop);
            ck_assert_uint_eq(fa.live, 0);
            continue;
        }
        ck_assert_int_eq(st, FAMQP_LOOP_OK);
        static recorder rec;
        static item items[65];
        rec.n = rec.closed = 0;
        size_t queued = 0, refused_at = 0;
        for (int i = 0; i < 65; i++) {
            items[i] = (item){&rec, i};
            famqp_loop_status ps = famqp_loop_post(loop, record, &items[i]);
            ck_assert(ps == FAMQP_LOOP_OK || ps == FAMQP_LOOP_ERR_NOMEM);
            queued += ps == FAMQP_LOOP_OK;
            if (ps == FAMQP_LOOP_ERR_NOMEM)
                refused_at = (size_t)i + 1;
        }
        /* exactly the post that needed the failing block is refused: the
         * first (the ring's first block) or the 65th (its doubling) */
        ck_assert_uint_eq(queued, 64);
        ck_assert_uint_eq(refused_at, fail == 2 ? 1 : 65);
        ck_assert_int_eq(famqp_loop_run_once(loop, 0, NULL), FAMQP_LOOP_OK);
        ck_assert_uint_eq(rec.n, queued);
        famqp_loop_free(loop);
        ck_assert_uint_eq(fa.live, 0);
    }
}
END_TEST

Suite *loop_post_suite(void)
{
    Suite *s = suite_create("loop_post");
    TCase *tc = tcase_create("post");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, posts_run_in_order_on_the_loop);
    tcase_add_test(tc, a_full_queue_refuses_and_recovers);
    tcase_add_test(tc, free_hands_back_pending_posts);
    tcase_add_test(tc, a_post_posting_again_waits_for_the_next_wake_up);
    tcase_add_test(tc, another_thread_stops_a_running_loop);
    tcase_add_test(tc, four_threads_post_into_two_running_loops);
    tcase_add_test(tc, every_allocation_failure_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
