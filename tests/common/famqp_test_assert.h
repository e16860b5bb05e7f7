/* Assertions for hot test loops, shared by every suite.  Check records each
 * passing ck_assert (a write to its message pipe), which dominates loops
 * over millions of values or megabytes; these report through ck_abort_msg
 * only when they fail. */
#ifndef FAMQP_TEST_ASSERT_H
#define FAMQP_TEST_ASSERT_H

#include <check.h>

/* Fails the test with the printf-style message when cond is false. */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Compares two integers (as unsigned long long) and prints both on failure. */
#define REQUIRE_CMP(a, op, b)                                                                      \
    do {                                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);             \
        if (!(a_ op b_))                                                                           \
            ck_abort_msg("%s %s %s failed: %llu vs %llu", #a, #op, #b, a_, b_);                    \
    } while (0)
#define REQUIRE_CMP_EQ(a, b) REQUIRE_CMP(a, ==, b)
#define REQUIRE_CMP_LT(a, b) REQUIRE_CMP(a, <, b)
#define REQUIRE_CMP_LE(a, b) REQUIRE_CMP(a, <=, b)
#define REQUIRE_CMP_GT(a, b) REQUIRE_CMP(a, >, b)

#endif
