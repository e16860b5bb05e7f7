/* Round trips over the generated registry: every composite, described
 * restricted type and union of the spec (famqp_test_types[] and
 * famqp_test_unions[] from famqp_spec_tests.h), so a type added to the spec
 * is tested without new test code.  Per type:
 *  - values with all fields, only mandatory fields, and >= 1,000 seeded
 *    random subsets: encode (size query, too-small caps write nothing,
 *    exact cap), decode consumes exactly the encoding, equal value, and the
 *    re-encoding of the decoded value is byte-identical;
 *  - every proper prefix of every encoding is rejected;
 *  - 10,000 seeded byte mutations never crash or over-read (inputs live in
 *    exactly-sized allocations, so ASan sees any read past the end), and
 *    whatever decodes re-encodes and decodes again to the same value.
 * The seed is fixed (FAMQP_CODEC_SEED or argv[1] overrides it) so failures
 * reproduce; failure messages print it. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp_spec.h"
#include "famqp_spec_tests.h"
#include "famqp_test_assert.h"

#define RANDOM_VALUES 1000
#define MUTATIONS 10000
#define MUTATION_POOL 64
#define ARENA_SIZE (256u * 1024u)
#define GUARD 32

static uint64_t base_seed = 0x5eed0f1a7a3d9u;

/* Registry entry i over types then unions. */
static const famqp_test_type *entry(int i)
{
    if ((size_t)i < famqp_test_type_count)
        return &famqp_test_types[i];
    REQUIRE_CMP_LT((size_t)i - famqp_test_type_count, famqp_test_union_count);
    return &famqp_test_unions[(size_t)i - famqp_test_type_count];
}

static int entry_count(void)
{
    return (int)(famqp_test_type_count + famqp_test_union_count);
}

typedef struct ctx {
    const famqp_test_type *t;
    famqp_test_rng rng;
    famqp_test_arena arena;
    void *arena_buf;
    void *v, *w, *x; /* value, decoded, decoded again */
    uint64_t seed;
} ctx;

static void ctx_init(ctx *c, int i, uint64_t salt)
{
    c->t = entry(i);
    c->seed = base_seed ^ (salt * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)i << 32);
    famqp_test_rng_seed(&c->rng, c->seed);
    c->arena_buf = malloc(ARENA_SIZE);
    REQUIRE(c->arena_buf != NULL, "out of memory");
    famqp_test_arena_init(&c->arena, c->arena_buf, ARENA_SIZE);
    c->v = calloc(1, c->t->size);
    c->w = calloc(1, c->t->size);
    c->x = calloc(1, c->t->size);
    REQUIRE(c->v && c->w && c->x, "out of memory");
}

static void ctx_free(ctx *c)
{
    free(c->arena_buf);
    free(c->v);
    free(c->w);
    free(c->x);
}

static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    REQUIRE(c != NULL, "out of memory");
    if (n)
        memcpy(c, p, n);
    return c;
}

static void print_value(const ctx *c, const void *v)
{
    fprintf(stderr, "%s (seed %#llx): ", c->t->name, (unsigned long long)c->seed);
    c->t->print(stderr, v);
    fputc('\n', stderr);
}

/* Encodes v with the write-or-count protocol, checking on the way that a
 * size query and too-small caps return the size and write nothing, and that
 * a larger cap writes exactly that many bytes.  Returns an exactly-sized
 * buffer (caller frees). */
static uint8_t *encode_checked(ctx *c, const void *v, size_t *len)
{
    const famqp_test_type *t = c->t;
    size_t need = t->encode(NULL, 0, v);
    if (need == 0)
        print_value(c, v);
    REQUIRE(need > 0, "%s: encode size 0", t->name);

    uint8_t *guarded = malloc(need + GUARD);
    REQUIRE(guarded != NULL, "out of memory");
    size_t caps[3] = {0, need - 1, famqp_test_rng_below(&c->rng, (uint32_t)need)};
    for (size_t k = 0; k < 3; k++) {
        memset(guarded, 0x5a, need + GUARD);
        REQUIRE_CMP_EQ(t->encode(guarded, caps[k], v), need);
        for (size_t b = 0; b < need + GUARD; b++)
            REQUIRE(guarded[b] == 0x5a, "%s: cap %zu of %zu: byte %zu written", t->name, caps[k],
                    need, b);
    }
    memset(guarded, 0x5a, need + GUARD);
    REQUIRE_CMP_EQ(t->encode(guarded, need + GUARD, v), need);
    for (size_t b = need; b < need + GUARD; b++)
        REQUIRE(guarded[b] == 0x5a, "%s: wrote past its size", t->name);

    uint8_t *buf = malloc(need);
    REQUIRE(buf != NULL, "out of memory");
    REQUIRE_CMP_EQ(t->encode(buf, need, v), need);
    REQUIRE(memcmp(buf, guarded, need) == 0, "%s: encodings with different caps differ", t->name);
    free(guarded);
    *len = need;
    return buf;
}

static void assert_decodes(ctx *c, const uint8_t *p, size_t n, void *out, const char *what)
{
    famqp_error err;
    memset(&err, 0xff, sizeof err);
    size_t used = c->t->decode(p, n, out, &err);
    if (used != n) {
        char why[256];
        famqp_error_format(&err, why, sizeof why);
        ck_abort_msg("%s: %s: decode used %zu of %zu (seed %#llx): %s", c->t->name, what, used, n,
                     (unsigned long long)c->seed, why);
    }
    REQUIRE_CMP_EQ(err.status, FAMQP_OK);
}

typedef struct prefix_stats {
    size_t rejected, truncated;
} prefix_stats;

/* Every proper prefix, each in its own exactly-sized allocation. */
static void check_prefixes(ctx *c, const uint8_t *enc, size_t n, prefix_stats *st)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t *p = exact_copy(enc, k);
        famqp_error err;
        size_t used = c->t->decode(p, k, c->x, &err);
        REQUIRE(used == 0, "%s: prefix %zu of %zu decoded (%zu bytes), seed %#llx", c->t->name, k,
                n, used, (unsigned long long)c->seed);
        REQUIRE(err.status != FAMQP_OK && err.status < FAMQP_STATUS_COUNT,
                "%s: prefix %zu rejected without a status", c->t->name, k);
        st->rejected++;
        st->truncated += err.status == FAMQP_ERR_TRUNCATED;
        free(p);
    }
}

/* The full round trip of one value. */
static void round_trip(ctx *c, prefix_stats *prefixes, const char *what)
{
    const famqp_test_type *t = c->t;
    size_t n;
    uint8_t *enc = encode_checked(c, c->v, &n);
    assert_decodes(c, enc, n, c->w, what);
    if (!t->equal(c->v, c->w)) {
        print_value(c, c->v);
        print_value(c, c->w);
        ck_abort_msg("%s: %s: decoded value differs (seed %#llx)", t->name, what,
                     (unsigned long long)c->seed);
    }
    /* A decoded value re-encodes to the same bytes. */
    size_t n2;
    uint8_t *enc2 = encode_checked(c, c->w, &n2);
    REQUIRE(n2 == n && memcmp(enc, enc2, n) == 0, "%s: %s: re-encoding differs", t->name, what);
    /* Bytes after the value are not part of it. */
    uint8_t *longer = malloc(n + 3);
    REQUIRE(longer != NULL, "out of memory");
    memcpy(longer, enc, n);
    memcpy(longer + n, "\x40\x41\x00", 3);
    famqp_error err;
    REQUIRE_CMP_EQ(t->decode(longer, n + 3, c->x, &err), n);
    REQUIRE(t->equal(c->v, c->x), "%s: %s: decode with trailing bytes differs", t->name, what);
    free(longer);
    if (prefixes)
        check_prefixes(c, enc, n, prefixes);
    free(enc2);
    free(enc);
}

static void assert_mostly_truncated(const ctx *c, const prefix_stats *st)
{
    /* A prefix that ends inside a value is TRUNCATED; a different status is
     * acceptable only when the cut makes a header self-inconsistent (e.g. a
     * list count that its cut size can no longer hold). */
    if (getenv("FAMQP_CODEC_VERBOSE"))
        fprintf(stderr, "%s: %zu of %zu prefixes TRUNCATED\n", c->t->name, st->truncated,
                st->rejected);
    REQUIRE(st->truncated * 10 >= st->rejected * 9, "%s: only %zu of %zu prefixes TRUNCATED",
            c->t->name, st->truncated, st->rejected);
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(test_all_fields)
{
    ctx c;
    ctx_init(&c, _i, 1);
    prefix_stats st = {0};
    for (int k = 0; k < 50; k++) {
        famqp_test_arena_reset(&c.arena);
        c.t->random(&c.rng, c.v, &c.arena, FAMQP_TEST_ALL_FIELDS);
        round_trip(&c, &st, "all fields");
    }
    assert_mostly_truncated(&c, &st);
    ctx_free(&c);
}
END_TEST

START_TEST(test_mandatory_only)
{
    ctx c;
    ctx_init(&c, _i, 2);
    prefix_stats st = {0};
    for (int k = 0; k < 20; k++) {
        famqp_test_arena_reset(&c.arena);
        c.t->random(&c.rng, c.v, &c.arena, FAMQP_TEST_MANDATORY_ONLY);
        round_trip(&c, &st, "mandatory only");
        if (!c.t->is_list)
            continue;
        /* The list holds the mandatory fields and nothing after the last of
         * them: read its count with the generic reader. */
        size_t n;
        uint8_t *enc = encode_checked(&c, c.v, &n);
        famqp_value whole = {enc, n}, desc, body;
        REQUIRE(famqp_value_get_described(whole, &desc, &body), "%s: not described", c.t->name);
        famqp_list l;
        REQUIRE(famqp_value_get_list(body, &l), "%s: not a list", c.t->name);
        REQUIRE(l.count == c.t->mandatory_count, "%s: mandatory-only list of %u, expected %u",
                c.t->name, l.count, c.t->mandatory_count);
        uint64_t code;
        REQUIRE(famqp_value_get_ulong(desc, &code), "%s: descriptor not a ulong", c.t->name);
        REQUIRE_CMP_EQ(code, c.t->code);
        free(enc);
    }
    assert_mostly_truncated(&c, &st);
    ctx_free(&c);
}
END_TEST

START_TEST(test_random_subsets)
{
    ctx c;
    ctx_init(&c, _i, 3);
    prefix_stats st = {0};
    for (int k = 0; k < RANDOM_VALUES; k++) {
        famqp_test_arena_reset(&c.arena);
        c.t->random(&c.rng, c.v, &c.arena, FAMQP_TEST_RANDOM_SUBSET);
        round_trip(&c, &st, "random subset");
    }
    assert_mostly_truncated(&c, &st);
    ctx_free(&c);
}
END_TEST

/* Byte mutations of valid encodings. */
START_TEST(test_mutations)
{
    ctx c;
    ctx_init(&c, _i, 4);
    const famqp_test_type *t = c.t;

    /* A pool of valid encodings of random values, in all three modes. */
    uint8_t *pool[MUTATION_POOL];
    size_t pool_len[MUTATION_POOL];
    for (int k = 0; k < MUTATION_POOL; k++) {
        famqp_test_arena_reset(&c.arena);
        t->random(&c.rng, c.v, &c.arena, k % FAMQP_TEST_MODE_COUNT);
        pool[k] = encode_checked(&c, c.v, &pool_len[k]);
    }

    size_t decoded = 0;
    for (int m = 0; m < MUTATIONS; m++) {
        int k = (int)famqp_test_rng_below(&c.rng, MUTATION_POOL);
        size_t n = pool_len[k];
        uint8_t *p = exact_copy(pool[k], n);
        uint32_t flips = 1 + famqp_test_rng_below(&c.rng, 3);
        for (uint32_t f = 0; f < flips; f++) {
            size_t at = famqp_test_rng_below(&c.rng, (uint32_t)n);
            uint64_t r = famqp_test_rng_next(&c.rng);
            if (r & 1)
                p[at] ^= (uint8_t)(1u << ((r >> 1) % 8)); /* one bit */
            else
                p[at] = (uint8_t)(r >> 8); /* any byte */
        }
        famqp_error err;
        size_t used = t->decode(p, n, c.w, &err);
        if (used == 0) {
            REQUIRE(err.status != FAMQP_OK && err.status < FAMQP_STATUS_COUNT,
                    "%s: mutation %d rejected without a status", t->name, m);
            char why[256];
            REQUIRE_CMP_GT(famqp_error_format(&err, why, sizeof why), 0);
            REQUIRE_CMP_LE(err.offset, n);
        } else {
            REQUIRE_CMP_LE(used, n);
            REQUIRE_CMP_EQ(err.status, FAMQP_OK);
            decoded++;
            /* Whatever decodes re-encodes, and that decodes to the same
             * value and re-encodes to the same bytes. */
            size_t n2;
            uint8_t *enc = encode_checked(&c, c.w, &n2);
            assert_decodes(&c, enc, n2, c.x, "re-encoded mutation");
            if (!t->equal(c.w, c.x)) {
                print_value(&c, c.w);
                print_value(&c, c.x);
                ck_abort_msg("%s: mutation %d: re-decoded value differs", t->name, m);
            }
            size_t n3;
            uint8_t *enc3 = encode_checked(&c, c.x, &n3);
            REQUIRE(n3 == n2 && memcmp(enc, enc3, n2) == 0, "%s: mutation %d: encoding not stable",
                    t->name, m);
            free(enc3);
            free(enc);
        }
        free(p);
    }
    /* Not a requirement, but worth seeing: how many mutants were legal. */
    if (getenv("FAMQP_CODEC_VERBOSE"))
        fprintf(stderr, "%s: %zu of %d mutations decoded\n", t->name, decoded, MUTATIONS);
    for (int k = 0; k < MUTATION_POOL; k++)
        free(pool[k]);
    ctx_free(&c);
}
END_TEST

START_TEST(test_registry_complete)
{
    /* Every frame body and section type must be in the registry. */
    static const char *const required[] = {
        "open",
        "begin",
        "attach",
        "flow",
        "transfer",
        "disposition",
        "detach",
        "end",
        "close",
        "sasl-mechanisms",
        "sasl-init",
        "sasl-challenge",
        "sasl-response",
        "sasl-outcome",
        "header",
        "delivery-annotations",
        "message-annotations",
        "properties",
        "application-properties",
        "data",
        "amqp-sequence",
        "amqp-value",
        "footer",
        "source",
        "target",
        "error",
        "received",
        "accepted",
        "rejected",
        "released",
        "modified",
        "declare",
        "discharge",
        "declared",
        "transactional-state",
        "coordinator",
    };
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        bool found = false;
        for (size_t i = 0; i < famqp_test_type_count; i++)
            found |= strcmp(famqp_test_types[i].name, required[r]) == 0;
        REQUIRE(found, "%s missing from famqp_test_types", required[r]);
    }
    REQUIRE_CMP_GT(famqp_test_union_count, 0);
}
END_TEST

int main(int argc, char **argv)
{
    const char *seed = argc > 1 ? argv[1] : getenv("FAMQP_CODEC_SEED");
    if (seed)
        base_seed = strtoull(seed, NULL, 0);
    fprintf(stderr, "codec registry: seed %#llx, %d types and unions\n",
            (unsigned long long)base_seed, entry_count());

    Suite *s = suite_create("generated_codec_registry");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_registry_complete);
    tcase_add_loop_test(tc, test_all_fields, 0, entry_count());
    tcase_add_loop_test(tc, test_mandatory_only, 0, entry_count());
    tcase_add_loop_test(tc, test_random_subsets, 0, entry_count());
    tcase_add_loop_test(tc, test_mutations, 0, entry_count());
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
