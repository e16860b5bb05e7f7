/* Watches: readable and writable pipes, changing what a watch waits for,
 * a hang-up reported with READABLE so the EOF is read, a watch freed by
 * another's callback in the same wake-up (its event is dropped: ASan
 * would see a use after free otherwise), bad arguments, no nested runs. */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <unistd.h>

#include "loop_test.h"

typedef struct seen {
    unsigned events[8];
    int n;
    famqp_loop_watch *free_this;
} seen;

static void note(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)w;
    seen *s = arg;
    if (s->n < 8)
        s->events[s->n] = events;
    s->n++;
    if (s->free_this) {
        famqp_loop_watch_free(s->free_this);
        s->free_this = NULL;
    }
}

START_TEST(readable_and_writable)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    seen r = {0}, w = {0};
    famqp_loop_watch *rw, *ww;
    ck_assert_int_eq(famqp_loop_watch_new(loop, fds[0], FAMQP_LOOP_READABLE, note, &r, &rw), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_watch_new(loop, fds[1], 0, note, &w, &ww), FAMQP_LOOP_OK);
    size_t ran;
    ck_assert_int_eq(famqp_loop_run_once(loop, 20, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 0); /* nothing to read, write end not watched */

    ck_assert_int_eq(famqp_loop_watch_set(ww, FAMQP_LOOP_WRITABLE), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_int_eq(w.n, 1);
    ck_assert_uint_eq(w.events[0], FAMQP_LOOP_WRITABLE);
    ck_assert_int_eq(famqp_loop_watch_set(ww, 0), FAMQP_LOOP_OK);

    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 1);
    ck_assert_int_eq(r.n, 1);
    ck_assert_uint_eq(r.events[0], FAMQP_LOOP_READABLE);
    /* level triggered: unread data is reported again */
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_int_eq(r.n, 2);

    /* hang-up: readable (the EOF) and an error bit */
    famqp_loop_watch_free(ww);
    close(fds[1]);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_int_eq(r.n, 3);
    ck_assert_uint_eq(r.events[2], FAMQP_LOOP_READABLE | FAMQP_LOOP_ERROR);
    ck_assert_int_eq(read(fds[0], &c, 1), 0);
    famqp_loop_watch_free(rw);
    close(fds[0]);
    famqp_loop_free(loop);
}
END_TEST

START_TEST(a_watch_freed_by_another_in_the_same_wake_up)
{
    int a[2], b[2];
    ck_assert_int_eq(pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(b, O_NONBLOCK | O_CLOEXEC), 0);
    failing_alloc fa = {0, 0, 0};
    famqp_loop_options o;
    famqp_loop_options_init(&o);
    o.alloc = failing_allocator(&fa);
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(&o, &loop), FAMQP_LOOP_OK);
    seen sa = {0}, sb = {0};
    famqp_loop_watch *wa, *wb;
    ck_assert_int_eq(famqp_loop_watch_new(loop, a[0], FAMQP_LOOP_READABLE, note, &sa, &wa), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_watch_new(loop, b[0], FAMQP_LOOP_READABLE, note, &sb, &wb), FAMQP_LOOP_OK);
    sa.free_this = wb; /* whichever runs first frees the other */
    sb.free_this = wa;
    ck_assert_int_eq(write(a[1], "x", 1), 1);
    ck_assert_int_eq(write(b[1], "y", 1), 1);
    size_t ran;
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, &ran), FAMQP_LOOP_OK);
    ck_assert_uint_eq(ran, 1);
    ck_assert_int_eq(sa.n + sb.n, 1);
    famqp_loop_free(loop); /* frees the surviving watch */
    ck_assert_uint_eq(fa.live, 0);
    for (int i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
    }
}
END_TEST

static void nested(famqp_loop_watch *w, unsigned events, void *arg)
{
    (void)events;
    *(famqp_loop_status *)arg = famqp_loop_run_once(famqp_loop_watch_loop(w), 0, NULL);
    famqp_loop_watch_free(w);
}

START_TEST(bad_arguments_and_nested_runs)
{
    famqp_loop *loop;
    ck_assert_int_eq(famqp_loop_new(NULL, &loop), FAMQP_LOOP_OK);
    famqp_loop_watch *w = (famqp_loop_watch *)loop;
    ck_assert_int_eq(famqp_loop_watch_new(loop, -1, FAMQP_LOOP_READABLE, note, NULL, &w), FAMQP_LOOP_ERR_ARG);
    ck_assert_ptr_null(w);
    ck_assert_int_eq(famqp_loop_watch_new(loop, 0, 1u << 7, note, NULL, &w), FAMQP_LOOP_ERR_ARG);
    ck_assert_int_eq(famqp_loop_watch_new(loop, 0, FAMQP_LOOP_READABLE, NULL, NULL, &w), FAMQP_LOOP_ERR_ARG);
    /* a regular file cannot be in an epoll set */
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(famqp_loop_watch_new(loop, fd, FAMQP_LOOP_READABLE, note, NULL, &w), FAMQP_LOOP_ERR_SYSTEM);
    ck_assert_ptr_null(w);
    close(fd);

    int p[2];
    ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    famqp_loop_status inner = FAMQP_LOOP_OK;
    ck_assert_int_eq(famqp_loop_watch_new(loop, p[1], FAMQP_LOOP_WRITABLE, nested, &inner, &w), FAMQP_LOOP_OK);
    ck_assert_int_eq(famqp_loop_run_once(loop, 1000, NULL), FAMQP_LOOP_OK);
    ck_assert_int_eq(inner, FAMQP_LOOP_ERR_ARG);
    close(p[0]);
    close(p[1]);
    famqp_loop_free(loop);
}
END_TEST

Suite *loop_watch_suite(void)
{
    Suite *s = suite_create("loop_watch");
    TCase *tc = tcase_create("watch");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, readable_and_writable);
    tcase_add_test(tc, a_watch_freed_by_another_in_the_same_wake_up);
    tcase_add_test(tc, bad_arguments_and_nested_runs);
    suite_add_tcase(s, tc);
    return s;
}
