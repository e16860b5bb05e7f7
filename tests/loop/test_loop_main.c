/* Runs the event loop suites (runtime/loop/). */
#include <stdlib.h>

#include "loop_test.h"

static void *fa_malloc(void *ctx, size_t size)
{
    failing_alloc *f = ctx;
    if (++f->calls == f->fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        f->live++;
    return p;
}

static void *fa_realloc(void *ctx, void *ptr, size_t size)
{
    failing_alloc *f = ctx;
    if (++f->calls == f->fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        f->live++;
    return p;
}

static void fa_free(void *ctx, void *ptr)
{
    failing_alloc *f = ctx;
    if (ptr)
        f->live--;
    free(ptr);
}

famqp_allocator failing_allocator(failing_alloc *f)
{
    return (famqp_allocator){fa_malloc, fa_realloc, fa_free, f};
}

int main(void)
{
    SRunner *sr = srunner_create(loop_post_suite());
    srunner_add_suite(sr, loop_timer_suite());
    srunner_add_suite(sr, loop_watch_suite());
    srunner_add_suite(sr, loop_conn_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
