/* Fuzz target: structure-aware round trips.  The input is read in 10-byte
 * records: type index, mode, and an 8-byte seed for the generated random
 * filler (famqp_test_<type>_random).  Each record builds a valid struct of
 * the chosen registry type, which must encode (counting first; a short
 * buffer gets nothing written), decode back from a buffer of exactly its
 * size to an equal struct, re-encode to the same bytes, and fail cleanly
 * on every truncation. */
#include <stdalign.h>
#include <string.h>

#include "famqp_spec_tests.h"
#include "fuzz_target.h"

typedef union {
    max_align_t align;
    uint8_t bytes[4096];
} slot;

#define RECORD 10
#define MAX_RECORDS 16 /* bounds the work per input */

static void round_trip(const famqp_test_type *t, int mode, uint64_t seed)
{
    static slot made, back;
    static alignas(16) uint8_t arena_buf[1 << 16];
    famqp_test_rng rng;
    famqp_test_arena arena;
    famqp_test_rng_seed(&rng, seed);
    famqp_test_arena_init(&arena, arena_buf, sizeof arena_buf);
    FUZZ_CHECK(t->size <= sizeof made.bytes, "%s: struct of %zu bytes", t->name, t->size);
    memset(&made, 0, sizeof made);
    t->random(&rng, &made, &arena, mode);

    size_t need = t->encode(NULL, 0, &made);
    FUZZ_CHECK(need > 0, "%s: encodes to nothing", t->name);
    /* One byte short: the size needed comes back and the buffer stays
     * untouched. */
    uint8_t *enc = malloc(need + 1);
    FUZZ_CHECK(enc != NULL, "out of memory");
    memset(enc, 0xa5, need + 1);
    FUZZ_CHECK(t->encode(enc, need - 1, &made) == need, "%s: short buffer", t->name);
    for (size_t i = 0; i <= need; i++)
        FUZZ_CHECK(enc[i] == 0xa5, "%s: short buffer written at %zu", t->name, i);
    FUZZ_CHECK(t->encode(enc, need, &made) == need, "%s: encode size changed", t->name);
    FUZZ_CHECK(enc[need] == 0xa5, "%s: wrote past the counted size", t->name);

    /* Decode from a buffer of exactly the encoded size. */
    uint8_t *exact = malloc(need);
    FUZZ_CHECK(exact != NULL, "out of memory");
    memcpy(exact, enc, need);
    famqp_error err;
    memset(&err, 0, sizeof err);
    size_t used = t->decode(exact, need, &back, &err);
    if (used != need) {
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        FUZZ_CHECK(0, "%s (mode %d, seed %#llx): decoded %zu of %zu: %s", t->name, mode,
                   (unsigned long long)seed, used, need, msg);
    }
    FUZZ_CHECK(t->equal(&made, &back), "%s (mode %d, seed %#llx): decode(encode(x)) != x", t->name, mode,
               (unsigned long long)seed);
    t->print(fuzz_sink(), &back);
    FUZZ_CHECK(t->encode(enc, need, &back) == need && memcmp(enc, exact, need) == 0,
               "%s (mode %d, seed %#llx): re-encoding differs", t->name, mode, (unsigned long long)seed);

    /* Proper prefixes fail with an error (an AMQP value cannot end early:
     * widths and sizes are explicit).  Long encodings: about 128 cuts. */
    size_t step = need / 128 + 1;
    for (size_t cut = 0; cut < need; cut += (cut + step < need ? step : 1)) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        FUZZ_CHECK(prefix != NULL, "out of memory");
        memcpy(prefix, exact, cut);
        memset(&err, 0, sizeof err);
        size_t u = t->decode(prefix, cut, &back, &err);
        FUZZ_CHECK(u == 0 && err.status != FAMQP_OK, "%s (seed %#llx): prefix of %zu/%zu decoded (%zu)", t->name,
                   (unsigned long long)seed, cut, need, u);
        free(prefix);
    }
    free(exact);
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = famqp_test_type_count + famqp_test_union_count;
    for (size_t r = 0; r < MAX_RECORDS && size >= RECORD; r++, data += RECORD, size -= RECORD) {
        size_t i = data[0] % total;
        const famqp_test_type *t =
            i < famqp_test_type_count ? &famqp_test_types[i] : &famqp_test_unions[i - famqp_test_type_count];
        int mode = data[1] % FAMQP_TEST_MODE_COUNT;
        uint64_t seed = 0;
        for (int k = 0; k < 8; k++)
            seed = seed << 8 | data[2 + k];
        round_trip(t, mode, seed);
    }
    return 0;
}
