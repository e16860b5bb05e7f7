/* flatamqp runtime internals shared by the codec sources (not installed).
 *
 * Every format code is described once, in famqp_code_info: what class of
 * encoding it is (how to find its end) and which AMQP kind it carries.  All
 * dispatch on a format code goes through this table. */
#ifndef FAMQP_CODEC_INTERNAL_H
#define FAMQP_CODEC_INTERNAL_H

#include "famqp/gen/wire.h"

enum famqp_code_class {
    FAMQP_CLASS_INVALID = 0, /* not defined by AMQP 1.0 */
    FAMQP_CLASS_FIXED,       /* `width` body bytes (0, 1, 2, 4, 8 or 16) */
    FAMQP_CLASS_VARIABLE,    /* `width`-byte length, then that many bytes */
    FAMQP_CLASS_COMPOUND,    /* list/map: `width`-byte size and count (list0: width 0) */
    FAMQP_CLASS_ARRAY,       /* `width`-byte size and count, element constructor, bodies */
    FAMQP_CLASS_DESCRIBED    /* 0x00: descriptor value, then the value */
};

typedef struct famqp_code_info {
    uint8_t cls;   /* enum famqp_code_class */
    uint8_t width; /* see enum famqp_code_class */
    uint8_t kind;  /* famqp_kind */
    const char *name;  /* "smalluint", "list8", ... */
    const char *found; /* "found smalluint": a static detail for type mismatches */
} famqp_code_info_t;

extern const famqp_code_info_t famqp_code_info[256];

/* Hard ceiling on nesting, whatever the limits say: validation and
 * comparison recurse once per level, so this bounds their stack use. */
#define FAMQP_HARD_MAX_DEPTH 1000u

/* Records an error located at `at` (see famqp_fail); returns NULL so
 * validators can `return famqp__fail_at(...)`. */
const uint8_t *famqp__fail_at(famqp_reader *r, const uint8_t *at, famqp_status s, const char *field,
                              const char *detail);

/* Validates the value starting at p (constructor included) that must end by
 * `end`; `depth` counts the compounds already open around it.  Returns the
 * byte after the value, or NULL after recording the error in r. */
const uint8_t *famqp__validate_value(famqp_reader *r, const uint8_t *p, const uint8_t *end,
                                     uint32_t depth, const char *field);

/* Length of the value at p[0..n) (constructor included) following only its
 * size fields, for values that were validated already; 0 when it does not
 * fit in n bytes.  Iterative: never recurses. */
size_t famqp__value_span(const uint8_t *p, size_t n);
/* Length of one array element body of format code `code`; SIZE_MAX when
 * it does not fit in n bytes or the code is not a primitive code. */
size_t famqp__body_span(uint8_t code, const uint8_t *p, size_t n);

/* Decoded list8/list32/map8/map32/array8/array32 header: where the count
 * and elements start and end. */
typedef struct famqp_compound_hdr {
    uint32_t count;
    const uint8_t *body; /* after the count field */
    const uint8_t *end;  /* after the last element */
} famqp_compound_hdr;

/* Header of a compound body whose size/count fields are `width` bytes
 * (p at the size field).  No checks beyond fitting in n: validated input. */
bool famqp__compound_hdr(uint8_t width, const uint8_t *p, size_t n, famqp_compound_hdr *h);

/* Splits an array element constructor at p (0x00 descriptor ... code) and
 * returns the element format code; *len = constructor length.  Validated
 * input; false when it does not fit. */
bool famqp__array_ctor(const uint8_t *p, size_t n, size_t *len, uint8_t *code);

/* A char is a Unicode scalar value: at most U+10FFFF and not a surrogate
 * (U+D800..U+DFFF). */
static inline bool famqp__char_valid(uint32_t c)
{
    return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF);
}

/* Big-endian unsigned value of the w (0..8) bytes at p. */
static inline uint64_t famqp__load_n(const uint8_t *p, size_t w)
{
    uint64_t v = 0;
    for (size_t i = 0; i < w; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Sign-extends the w-byte (1, 2, 4 or 8) two's complement value at p. */
static inline int64_t famqp__load_signed_n(const uint8_t *p, size_t w)
{
    uint64_t v = famqp__load_n(p, w);
    unsigned shift = 64u - 8u * (unsigned)w;
    return (shift && shift < 64) ? (int64_t)(v << shift) >> shift : (int64_t)v;
}

#endif /* FAMQP_CODEC_INTERNAL_H */
