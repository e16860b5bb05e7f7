/* The cross-check engine: one test value, encoded by Qpid Proton and by
 * flatamqp, each side's bytes decoded by the other and compared with the
 * test value field by field. */
#ifndef FAMQP_TEST_CROSSCHECK_H
#define FAMQP_TEST_CROSSCHECK_H

#include "typedesc.h"

enum {
    /* Our encoding must equal Proton's byte for byte (both pick the same
     * encodings here: empty lists, 32-bit compounds forced by size, ...). */
    XC_EXACT = 1u << 0,
    /* Proton re-encoding our bytes may legitimately differ from Proton's
     * encoding of the test value (a single symbol for a multiple field:
     * we always write an array). */
    XC_NOT_CANONICAL = 1u << 1,
    /* Only decode Proton's bytes with ours (the test value uses a form our
     * encoder never produces, such as a symbolic descriptor). */
    XC_DECODE_ONLY = 1u << 2
};

void crosscheck(const type_desc *td, const tv *v, unsigned flags);

/* Proton's encoding of v (arena memory). */
famqp_binary proton_encode(const tv *v);

/* The same through a famqp_any_<R> union: Proton's bytes decoded with
 * famqp_any_<R>_decode, and famqp_any_<R>_encode's bytes read by Proton. */
void crosscheck_union(const any_desc *ad, const tv *v);

/* Fills a generated struct from a test value (views point at arena/test
 * memory) and checks a decoded struct against one. */
void struct_fill(const type_desc *td, const tv *v, void *out);
void struct_check(const type_desc *td, const tv *v, const void *got, const char *path);

/* The same for a famqp_any_<R> union (absent: TV_NULL -> NONE). */
void any_fill(const any_desc *ad, const tv *v, void *out);
void any_check(const any_desc *ad, const tv *v, const void *got, const char *path);

/* Decodes p[0..n) with td and checks the result against v: all n bytes used. */
void decode_and_check(const type_desc *td, const uint8_t *p, size_t n, const tv *v, const char *path);

#endif
