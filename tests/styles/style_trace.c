/* Trace of everything a generated codec does with seeded random values, so
 * two builds of the same spec in different generator styles (flat, table)
 * can be compared byte for byte: the same program is linked once against
 * each style's generated code and both traces must be identical.
 *
 * For every registry type and union (famqp-gen --tests), `seeds` values
 * each, it prints: the encoding (hex) and the size asked for by too-small
 * buffers, the printed text, and the outcome of decoding the full encoding,
 * every truncation of it and `mutations` single-byte mutations: the bytes
 * used, the printed decoded value and its encoding again, or the error's
 * status, type, field, offset and detail.  The last line counts what was traced; the exit status
 * is 1 if any full encoding failed to decode back to an equal value.
 *
 * usage: famqp_style_trace_<case>_<style> SEEDS MUTATIONS > trace */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp_spec_tests.h"

enum { ARENA_BYTES = 256 * 1024 };

/* What a whole run did, printed last so a cut-short trace cannot match. */
typedef struct trace_counts {
    unsigned long values;
    unsigned long decodes;
    unsigned long failures;
} trace_counts;

/* Storage for one value of a registry type: malloc'd to exactly t->size
 * bytes (suitably aligned for any C object) so ASan sees an overrun. */
typedef struct trace_case {
    const famqp_test_type *type;
    const char *label; /* "type" or "union", in the trace lines */
    unsigned seed_index;
    void *value;
    void *decoded;
} trace_case;

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

/* Decodes p[0..n) and prints one outcome line after `what`.  The output
 * struct is filled with a fixed junk pattern first, so a decoder that leaves
 * a field unset shows up the same way in every run (or trips ASan) instead
 * of depending on what the previous decode left there. */
static size_t trace_decode(const trace_case *c, const char *what, const uint8_t *p, size_t n,
                           trace_counts *counts)
{
    famqp_error err;
    memset(&err, 0, sizeof err);
    memset(c->decoded, 0xa5, c->type->size);
    size_t used = c->type->decode(p, n, c->decoded, &err);
    counts->decodes++;
    printf("%s %s #%u %s: ", c->label, c->type->name, c->seed_index, what);
    if (used) {
        printf("ok %zu ", used);
        c->type->print(stdout, c->decoded);
        /* decoded values hold wire views (multiple fields, maps) that random
         * values do not, so encoding them again exercises other encoder paths */
        size_t again = c->type->encode(NULL, 0, c->decoded);
        uint8_t *buf = malloc(again ? again : 1);
        if (!buf) {
            fprintf(stderr, "out of memory for a %zu-byte encoding of %s\n", again, c->type->name);
            exit(2);
        }
        size_t wrote = c->type->encode(buf, again, c->decoded);
        printf(" reencoded %zu/%zu ", again, wrote);
        print_hex(buf, again);
        free(buf);
    } else {
        printf("error %d %s type=%s field=%s offset=%zu detail=%s", (int)err.status, famqp_status_name(err.status),
               or_dash(err.type), or_dash(err.field), err.offset, or_dash(err.detail));
    }
    putchar('\n');
    return used;
}

static int trace_value(const trace_case *c, uint64_t seed, unsigned mutations, trace_counts *counts)
{
    static _Alignas(16) uint8_t arena_buf[ARENA_BYTES];
    const famqp_test_type *t = c->type;
    famqp_test_rng rng;
    famqp_test_arena arena;
    famqp_test_rng_seed(&rng, seed);
    famqp_test_arena_init(&arena, arena_buf, sizeof arena_buf);
    int mode = (int)(c->seed_index % FAMQP_TEST_MODE_COUNT);
    memset(c->value, 0, t->size);
    t->random(&rng, c->value, &arena, mode);
    counts->values++;

    size_t n = t->encode(NULL, 0, c->value);
    uint8_t *enc = malloc(n ? n : 1), *mut = malloc(n ? n : 1);
    if (!enc || !mut) {
        fprintf(stderr, "out of memory for a %zu-byte encoding of %s\n", n, t->name);
        exit(2);
    }
    size_t wrote = t->encode(enc, n, c->value);
    /* A buffer one byte short must report the full size again; it is
     * malloc'd to exactly that size so a write past cap trips ASan. */
    size_t short_by_one = 0;
    if (n) {
        uint8_t *short_buf = malloc(n - 1 ? n - 1 : 1);
        if (!short_buf) {
            fprintf(stderr, "out of memory for a %zu-byte encoding of %s\n", n, t->name);
            exit(2);
        }
        short_by_one = t->encode(short_buf, n - 1, c->value);
        free(short_buf);
    }
    printf("%s %s #%u mode %d encode %zu/%zu/%zu: ", c->label, t->name, c->seed_index, mode, n, wrote,
           short_by_one);
    print_hex(enc, n);
    printf("\n%s %s #%u print: ", c->label, t->name, c->seed_index);
    t->print(stdout, c->value);
    putchar('\n');

    int failed = 0;
    size_t used = trace_decode(c, "full", enc, n, counts);
    if (wrote != n || used != n || !t->equal(c->value, c->decoded)) {
        printf("%s %s #%u ROUND TRIP FAILED\n", c->label, t->name, c->seed_index);
        failed = 1;
    }
    char what[64];
    for (size_t k = 0; k < n; k++) {
        snprintf(what, sizeof what, "truncated %zu", k);
        trace_decode(c, what, enc, k, counts);
    }
    for (unsigned m = 0; m < mutations && n; m++) {
        memcpy(mut, enc, n);
        size_t at = famqp_test_rng_below(&rng, (uint32_t)n);
        uint8_t byte = (uint8_t)famqp_test_rng_below(&rng, 256);
        mut[at] = byte;
        snprintf(what, sizeof what, "mutated %zu=%02x", at, byte);
        trace_decode(c, what, mut, n, counts);
    }
    free(enc);
    free(mut);
    return failed;
}

static void trace_registry(const famqp_test_type *types, size_t count, const char *label, uint64_t salt,
                           unsigned seeds, unsigned mutations, trace_counts *counts)
{
    for (size_t i = 0; i < count; i++) {
        trace_case c = {&types[i], label, 0, malloc(types[i].size), malloc(types[i].size)};
        if (!c.value || !c.decoded) {
            fprintf(stderr, "out of memory for %s\n", types[i].name);
            exit(2);
        }
        for (unsigned s = 0; s < seeds; s++) {
            c.seed_index = s;
            /* distinct streams per registry entry and seed */
            uint64_t seed = salt ^ ((uint64_t)(i + 1) << 32) ^ (uint64_t)(s + 1) * UINT64_C(0x9e3779b97f4a7c15);
            counts->failures += (unsigned long)trace_value(&c, seed, mutations, counts);
        }
        free(c.value);
        free(c.decoded);
    }
}

static unsigned parse_count(const char *s, const char *what)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > 100000) {
        fprintf(stderr, "famqp-style-trace: %s must be 1..100000, not '%s'\n", what, s);
        exit(2);
    }
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SEEDS MUTATIONS > trace\n", argv[0]);
        return 2;
    }
    unsigned seeds = parse_count(argv[1], "SEEDS");
    unsigned mutations = parse_count(argv[2], "MUTATIONS");
    static char out_buf[1 << 16];
    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

    trace_counts counts = {0, 0, 0};
    trace_registry(famqp_test_types, famqp_test_type_count, "type", UINT64_C(0x7f4a7c15), seeds, mutations,
                   &counts);
    trace_registry(famqp_test_unions, famqp_test_union_count, "union", UINT64_C(0x94d049bb), seeds, mutations,
                   &counts);
    printf("traced %zu types and %zu unions: %lu values, %lu decodes, %lu round-trip failures\n",
           famqp_test_type_count, famqp_test_union_count, counts.values, counts.decodes, counts.failures);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "famqp-style-trace: writing the trace failed\n");
        return 2;
    }
    if (counts.failures) {
        fprintf(stderr, "famqp-style-trace: %lu values did not round-trip (see ROUND TRIP FAILED lines)\n",
                counts.failures);
        return 1;
    }
    return famqp_test_type_count + famqp_test_union_count ? 0 : 1;
}
