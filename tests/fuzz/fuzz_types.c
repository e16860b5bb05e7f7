/* Fuzz target: every performative, message section and other described
 * type, and every union (famqp_any_frame, famqp_any_section, ...).  The
 * first input byte picks the type from the generated registry
 * (famqp_test_types, then famqp_test_unions); the rest is decoded.  A
 * failure must be a recorded error inside the input.  A success is printed,
 * re-encoded (size first, then into a buffer of exactly that size),
 * decoded again, and must be equal to the first decode, with the second
 * encoding identical to the first. */
#include <stdalign.h>
#include <string.h>

#include "famqp_spec_tests.h"
#include "fuzz_target.h"

/* Storage for any registry type (the largest struct is a few hundred
 * bytes; checked at run time). */
typedef union {
    max_align_t align;
    uint8_t bytes[4096];
} slot;

static const famqp_test_type *pick(uint8_t b)
{
    size_t total = famqp_test_type_count + famqp_test_union_count;
    size_t i = b % total;
    return i < famqp_test_type_count ? &famqp_test_types[i] : &famqp_test_unions[i - famqp_test_type_count];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static slot first, second;
    if (size < 1)
        return 0;
    const famqp_test_type *t = pick(data[0]);
    FUZZ_CHECK(t->size <= sizeof first.bytes, "%s: struct of %zu bytes", t->name, t->size);
    const uint8_t *p = data + 1;
    size_t n = size - 1;

    famqp_error err;
    memset(&err, 0, sizeof err);
    size_t used = t->decode(p, n, &first, &err);
    if (used == 0) {
        char msg[256];
        FUZZ_CHECK(err.status != FAMQP_OK && err.status < FAMQP_STATUS_COUNT, "%s: failed with status %d",
                   t->name, (int)err.status);
        FUZZ_CHECK(err.offset <= n, "%s: error offset %zu beyond input %zu", t->name, err.offset, n);
        famqp_error_format(&err, msg, sizeof msg);
        return 0;
    }
    FUZZ_CHECK(used <= n, "%s: used %zu of %zu bytes", t->name, used, n);
    t->print(fuzz_sink(), &first);

    size_t need = t->encode(NULL, 0, &first);
    FUZZ_CHECK(need > 0, "%s: encodes to nothing", t->name);
    uint8_t *enc = malloc(need);
    FUZZ_CHECK(enc != NULL, "out of memory");
    size_t wrote = t->encode(enc, need, &first);
    FUZZ_CHECK(wrote == need, "%s: counted %zu, wrote %zu", t->name, need, wrote);

    memset(&err, 0, sizeof err);
    size_t used2 = t->decode(enc, need, &second, &err);
    if (used2 != need) {
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        FUZZ_CHECK(0, "%s: re-encoding does not decode (%zu of %zu used): %s", t->name, used2, need, msg);
    }
    FUZZ_CHECK(t->equal(&first, &second), "%s: decode(encode(x)) != x", t->name);
    FUZZ_CHECK(t->equal(&second, &first), "%s: equality is not symmetric", t->name);

    uint8_t *enc2 = malloc(need);
    FUZZ_CHECK(enc2 != NULL, "out of memory");
    size_t wrote2 = t->encode(enc2, need, &second);
    FUZZ_CHECK(wrote2 == need && memcmp(enc, enc2, need) == 0, "%s: second encoding differs (%zu vs %zu bytes)",
               t->name, wrote2, need);
    free(enc2);
    free(enc);
    return 0;
}
