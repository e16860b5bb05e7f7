/* Timers: 1000 timers with mixed delays fire once each in deadline order
 * (ties in start order), stopped ones never; a timer restarting itself with
 * delay 0 fires once per wake-up (no spin); timers freed from callbacks; the
 * wait is cut short by a due timer and otherwise lasts the timeout. */
#include <stdlib.h>

#include "loop_test.h"

#define TIMERS 1000

typedef struct fired {
    uint64_t deadline[TIMERS];
    int index[TIMERS];
    size_t n;
} fired;

typedef struct slot {
    fired *log;
    int index;
    uint64_t deadline;
} slot;

static void log_fire(famqp_loop_timer *t, void *arg)
{
    slot *s = arg;
    ck_assert(!famqp_loop_timer_active(t));
    ck_assert_uint_ge(famqp_loop_now_ms(famqp_loop_timer_loop(t)), s->deadline);
    s->log->deadline[s->log->n] = s->deadline;
    s->log->index[s->log->n++] = s->index;
}

static fired log_;
static slot slots[TIMERS];
static famqp_loop_timer *timers[TIMERS];

/* Started from a post, inside one wake-up, so every deadline is that
 * wake-up's now + delay exactly. */
static void start_all(famqp_loop *loop, void *arg, famqp_loop_status status)
{
    (void)arg;
    if (status != FAMQP_LOOP_OK)
        return;
    unsigned seed = 12345;
    uint64_t now = famqp_loop_now_ms(loop);
    for (int i = 0; i < TIMERS; i++) {
        seed = seed * 1103515245u + 12345u;
        uint64_t delay = (seed >> 16) % 40; /* many equal deadlines */
        slots[i] = (slot){&log_, i, now + delay};
        ck_assert_int_eq(famqp_loop_timer_new(loop, log_fire, &slots[i], &timers[i]), FAMQP_LOOP_OK);
        ck_assert_int_eq(famqp_loop_timer_start(timers[i], delay), FAMQP_LOOP_OK);
    }
    for (int i = 0; i < TIMERS; i += 3)
        famqp_loop_timer_stop(timers[i]);
}

START_TEST(many_timers_fire_in_deadline_order)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    log_.n = 0;
    ck_assert_int_eq(famqp_loop_post(loop, start_all, NULL), FAMQP_LOOP_OK);
    size_t expect = TIMERS - (TIMERS + 2) / 3;
    for (int rounds = 0; log_.n < expect && rounds < 10000; rounds++)
        ck_assert_int_eq(famqp_loop_run_once(loop, 1000, NULL), FAMQP_LOOP_OK);
    ck_assert_uint_eq(log_.n, expect);
    for (size_t k = 0; k < log_.n; k++) {
        ck_assert_int_ne(log_.index[k] % 3, 0); /* stopped ones never fire */
        if (k > 0) {
            /* deadlines never go backwards; equal ones in start order */
            ck_assert_uint_ge(log_.deadline[k], log_.deadline[k - 1]);
            if (log_.deadline[k] == log_.deadline[k - 1])
                ck_assert_int_gt(log_.index[k], log_.index[k - 1]);
        }
    }
    famqp_loop_free(loop); /* frees the timers too */
}
END_TEST

static void restart_zero(famqp_loop_timer *t, void *arg)
{
    int *count = arg;
    (*count)++;
    ck_assert_int_eq(famqp_loop_timer_start(t, 0), FAMQP_LOOP_OK);
}

START_TEST(a_zero_delay_restart_waits_for_the_next_wake_up)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    int count = 0;
    famqp_loop_timer *t;
    ck_assert_int_eq(famqp_loop_timer_new(loop, restart_zero, &count, &t), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(t, 0), FAMQP_LOOP_OK);
    for (int i = 1; i <= 5; i++) {
        size_t ran;
        ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
        ck_assert_uint_eq(ran, 1);
        ck_assert_int_eq(count, i);
    }
    famqp_loop_timer_free(t);
    famqp_loop_free(loop);
}
END_TEST

typedef struct pair {
    famqp_loop_timer *self, *other;
    int fired;
} pair;

static void free_both(famqp_loop_timer *t, void *arg)
{
    pair *p = arg;
    p->fired++;
    famqp_loop_timer_free(p->other); /* due in the same wake-up: must not fire */
    famqp_loop_timer_free(t);
}

static void must_not_fire(famqp_loop_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ck_abort_msg("a freed timer fired");
}

START_TEST(timers_freed_from_callbacks)
{
    failing_alloc fa = {0, 0, 0};
    famqp_loop_options o;
    famqp_loop_options_init(&o);
    o.alloc = failing_allocator(&fa);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(&o, &loop), FAMQP_LOOP_OK);
    pair p = {0};
    ck_assert_int_eq(famqp_loop_timer_new(loop, free_both, &p, &p.self), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_new(loop, must_not_fire, NULL, &p.other), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(p.self, 0), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(p.other, 0), FAMQP_LOOP_OK);
    size_t ran;
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 1);
    ck_assert_int_eq(p.fired, 1);
    famqp_loop_free(loop);
    ck_assert_uint_eq(fa.live, 0);
}
END_TEST

static void count_fire(famqp_loop_timer *t, void *arg)
{
    (void)t;
    (*(int *)arg)++;
}

START_TEST(the_wait_ends_at_a_due_timer_or_the_timeout)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    /* nothing to do: the wait lasts the timeout */
    uint64_t t0 = famqp_loop_now_ms(loop);
    size_t ran = 99;
    ck_assert_int_eq(famqp_loop_run_once(loop, 50, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 0);
    ck_assert_uint_ge(famqp_loop_now_ms(loop) - t0, 49);
    /* a timer cuts an unlimited wait short */
    int count = 0;
    famqp_loop_timer *t;
    ck_assert_int_eq(famqp_loop_timer_new(loop, count_fire, &count, &t), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_timer_start(t, 20), FAMQP_LOOP_OK);
    for (int i = 0; i < 100 && count == 0; i++)
        ck_assert_int_eq(famqp_loop_run_once(loop, -1, NULL), FAMQP_LOOP_OK);
    ck_assert_int_eq(count, 1);
    ck_assert(!famqp_loop_timer_active(t));
    famqp_loop_free(loop);
}
END_TEST

START_TEST(timer_allocation_failures)
{
    for (size_t fail = 1; fail <= 2; fail++) {
        failing_alloc fa = {0, 0, 0};
        famqp_loop_options o;
        famqp_loop_options_init(&o);
        o.alloc = failing_allocator(&fa);
        famqp_loop *loop;
        ck_assert_int_eq(famqp_loop_new(&o, &loop), FAMQP_LOOP_OK);
        fa.fail_at = fa.calls + fail; /* 1: the timer record, 2: the heap */
        int count = 0;
        famqp_loop_timer *t = (famqp_loop_timer *)&fa;
        famqp_loop_status st = famqp_loop_timer_new(loop, count_fire, &count, &t);
        if (fail == 1) {
            ck_assert_int_eq(st, FAMQP_LOOP_ERR_NOMEM);
            ck_assert_ptr_null(t);
        } else {
            ck_assert_int_eq(st, FAMQP_LOOP_OK);
            ck_assert_int_eq(famqp_loop_timer_start(t, 0), FAMQP_LOOP_ERR_NOMEM);
            ck_assert(!famqp_loop_timer_active(t));
            ck_assert_int_eq(famqp_loop_timer_start(t, 0), FAMQP_LOOP_OK); /* the next try works */
            ck_assert_int_eq(famqp_loop_run_once(loop, 1000, NULL), FAMQP_LOOP_OK);
            ck_assert_int_eq(count, 1);
        }
        famqp_loop_free(loop);
        ck_assert_uint_eq(fa.live, 0);
    }
}
END_TEST

Suite *loop_timer_suite(void)
{
    Suite *s = suite_create("loop_timer");
    TCase *tc = tcase_create("timer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, many_timers_fire_in_deadline_order);
    tcase_add_test(tc, a_zero_delay_restart_waits_for_the_next_wake_up);
    tcase_add_test(tc, timers_freed_from_callbacks);
    tcase_add_test(tc, the_wait_ends_at_a_due_timer_or_the_timeout);
    tcase_add_test(tc, timer_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
