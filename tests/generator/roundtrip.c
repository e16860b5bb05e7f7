/* Round-trips every type and union of the generated registry: random value
 * (all fields / mandatory only / random subset) -> encode -> decode ->
 * equal, re-encoding gives the same bytes, the count-only call and a too
 * small buffer report the exact size, and every truncation of the encoding
 * fails cleanly.  Built against the odd spec and against the standard spec
 * generated with --encoding fixed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp_spec_tests.h"

enum { SEEDS = 60, BUF = 1 << 16 };

static int failures;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, t->name);         \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            failures++;                                                          \
            return;                                                              \
        }                                                                        \
    } while (0)

/* Storage for any generated struct, suitably aligned. */
typedef union {
    max_align_t align;
    unsigned char bytes[4096];
} value_storage;

static void check_one(const famqp_test_type *t, uint64_t seed, int mode)
{
    static uint8_t arena_buf[BUF], enc[BUF], enc2[BUF];
    static value_storage v, w;
    famqp_test_rng rng;
    famqp_test_arena arena;
    famqp_error err;
    CHECK(t->size <= sizeof v.bytes, "struct too large for the test storage (%zu)", t->size);
    famqp_test_rng_seed(&rng, seed * 7919u + (uint64_t)mode);
    famqp_test_arena_init(&arena, arena_buf, sizeof arena_buf);
    t->random(&rng, &v, &arena, mode);

    size_t need = t->encode(NULL, 0, &v);
    CHECK(need > 0, "encode counted 0 bytes");
    CHECK(need <= BUF, "encoding too large (%zu)", need);
    CHECK(t->encode(enc, need - 1, &v) == need, "too small buffer did not report the size");
    size_t n = t->encode(enc, sizeof enc, &v);
    CHECK(n == need, "encode wrote %zu bytes, counted %zu", n, need);

    memset(&err, 0, sizeof err);
    size_t used = t->decode(enc, n, &w, &err);
    if (used == 0) {
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        CHECK(0, "seed %llu mode %d: decode failed: %s", (unsigned long long)seed, mode, msg);
    }
    CHECK(used == n, "decode used %zu of %zu bytes", used, n);
    CHECK(t->equal(&v, &w), "seed %llu mode %d: decoded value differs", (unsigned long long)seed, mode);

    size_t n2 = t->encode(enc2, sizeof enc2, &w);
#ifndef FAMQP_TEST_FIXED_ENCODING
    /* smallest encodings: re-encoding the decoded value is byte-identical */
    CHECK(n2 == n && memcmp(enc, enc2, n) == 0, "re-encoding differs (%zu vs %zu bytes)", n2, n);
#else
    CHECK(n2 == n, "re-encoding has another size (%zu vs %zu bytes)", n2, n);
#endif

    /* every strict prefix is an error, never an over-read (ASan watches) */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, enc, cut);
        memset(&err, 0, sizeof err);
        size_t got = t->decode(copy, cut, &w, &err);
        free(copy);
        CHECK(got == 0 && err.status != FAMQP_OK, "prefix of %zu/%zu bytes decoded (%zu)", cut, n, got);
    }

    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        t->print(devnull, &v);
        t->print(devnull, &w);
        fclose(devnull);
    }
}

static void check_mandatory_count(const famqp_test_type *t)
{
    static uint8_t arena_buf[BUF], enc[BUF];
    static value_storage v;
    famqp_test_rng rng;
    famqp_test_arena arena;
    if (!t->is_list)
        return;
    famqp_test_rng_seed(&rng, 42);
    famqp_test_arena_init(&arena, arena_buf, sizeof arena_buf);
    t->random(&rng, &v, &arena, FAMQP_TEST_MANDATORY_ONLY);
    size_t n = t->encode(enc, sizeof enc, &v);
    CHECK(n > 0 && n <= sizeof enc, "encode failed");
    /* skip the descriptor: 0x00, then ulong0 / smallulong / ulong */
    size_t at = enc[1] == 0x44 ? 2 : enc[1] == 0x53 ? 3 : 10;
    uint32_t count = enc[at] == 0x45 ? 0 : enc[at] == 0xc0 ? enc[at + 2] : famqp_load32(enc + at + 5);
    CHECK(count == t->mandatory_count, "mandatory-only list count %u, expected %u", count, t->mandatory_count);
}

static void run(const famqp_test_type *types, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        for (int mode = 0; mode < FAMQP_TEST_MODE_COUNT; mode++)
            for (uint64_t seed = 1; seed <= SEEDS; seed++)
                check_one(&types[i], seed, mode);
        check_mandatory_count(&types[i]);
    }
}

int main(void)
{
    run(famqp_test_types, famqp_test_type_count);
    run(famqp_test_unions, famqp_test_union_count);
    printf("%zu types, %zu unions, %d failures\n", famqp_test_type_count, famqp_test_union_count, failures);
    return failures ? 1 : 0;
}
