/* Helpers shared by the primitive codec suites (runtime/codec/). */
#ifndef FAMQP_TESTS_RT_UTIL_H
#define FAMQP_TESTS_RT_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/gen/wire.h"

/* Parses "c0 03 02" style hex (spaces optional) into a fresh heap buffer of
 * exactly the encoded length, so ASan catches any read past the end. */
static inline uint8_t *rt_hex(const char *hex, size_t *n)
{
    size_t cap = strlen(hex) / 2 + 1, k = 0;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (const char *s = hex; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v;
        ck_assert_msg(sscanf(s, "%2x", &v) == 1, "bad hex in test data: %s", hex);
        buf[k++] = (uint8_t)v;
        s += 2;
    }
    *n = k;
    uint8_t *exact = malloc(k ? k : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, buf, k);
    free(buf);
    return exact;
}

/* A heap copy of exactly n bytes. */
static inline uint8_t *rt_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

static inline void rt_assert_bytes(const uint8_t *got, size_t got_n, const uint8_t *want, size_t want_n,
                                   const char *what)
{
    ck_assert_msg(got_n == want_n, "%s: length %zu, want %zu", what, got_n, want_n);
    for (size_t i = 0; i < want_n; i++)
        ck_assert_msg(got[i] == want[i], "%s: byte %zu is %02x, want %02x", what, i, got[i], want[i]);
}

/* Runs a suite; returns the process exit status. */
static inline int rt_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
