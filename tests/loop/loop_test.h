/* Shared by the loop suites: the suites, and a counting allocator that can
 * fail its n-th allocation. */
#ifndef LOOP_TEST_H
#define LOOP_TEST_H

#include <check.h>
#include <stddef.h>

#include "famqp/loop.h"
#include "famqp/message.h"

Suite *loop_post_suite(void);
Suite *loop_timer_suite(void);
Suite *loop_watch_suite(void);
Suite *loop_conn_suite(void);

typedef struct failing_alloc {
    size_t calls;   /* allocations asked for so far */
    size_t fail_at; /* 1-based call that fails; 0: none */
    size_t live;    /* blocks not yet freed */
} failing_alloc;

famqp_allocator failing_allocator(failing_alloc *f);

#endif
