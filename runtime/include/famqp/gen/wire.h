/* flatamqp runtime: the primitive wire layer that generated codecs call.
 *
 * Part of the generator's ABI (famqp/gen/), not of the user's API: the
 * functions and layouts here are what famqp-gen's output is written
 * against, and may change with the generator.  Applications use
 * famqp_spec.h, famqp/codec.h and the headers beside them.
 *
 * Everything here is small and inlined into generated code.  Readers check
 * every length against the bytes remaining; writers assume the caller
 * already checked capacity once (write-or-count: size first, then put).
 *
 * Reading protocol used by generated decoders:
 *  - a famqp_reader walks the input; the first failure is recorded in
 *    *r->err and r->p is moved to r->end, so later reads fail fast without
 *    overwriting the first error;  generated code checks r->err->status
 *    once per composite, not after every field;
 *  - famqp_read_<T>(r, &out, field) returns 1 when a value was read, 0 when
 *    the field is null (0x40) or after an error.  It accepts every legal
 *    encoding of T (chosen through a 256-entry table on the format code);
 *    any other code fails with FAMQP_ERR_TYPE_MISMATCH or
 *    FAMQP_ERR_BAD_CONSTRUCTOR naming r->type and `field`.
 */
#ifndef FAMQP_GEN_WIRE_H
#define FAMQP_GEN_WIRE_H

#include <string.h>

#include "famqp/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define FAMQP_LIKELY(x) __builtin_expect(!!(x), 1)
#define FAMQP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FAMQP_INLINE static inline __attribute__((always_inline))
#define FAMQP_NOINLINE __attribute__((noinline))
#else
#define FAMQP_NOINLINE
#define FAMQP_LIKELY(x) (x)
#define FAMQP_UNLIKELY(x) (x)
#define FAMQP_INLINE static inline
#endif

/* ---- format codes ------------------------------------------------------ */
enum {
    FAMQP_CODE_DESCRIBED = 0x00,
    FAMQP_CODE_NULL = 0x40,
    FAMQP_CODE_TRUE = 0x41,
    FAMQP_CODE_FALSE = 0x42,
    FAMQP_CODE_UINT0 = 0x43,
    FAMQP_CODE_ULONG0 = 0x44,
    FAMQP_CODE_LIST0 = 0x45,
    FAMQP_CODE_UBYTE = 0x50,
    FAMQP_CODE_BYTE = 0x51,
    FAMQP_CODE_SMALLUINT = 0x52,
    FAMQP_CODE_SMALLULONG = 0x53,
    FAMQP_CODE_SMALLINT = 0x54,
    FAMQP_CODE_SMALLLONG = 0x55,
    FAMQP_CODE_BOOLEAN = 0x56,
    FAMQP_CODE_USHORT = 0x60,
    FAMQP_CODE_SHORT = 0x61,
    FAMQP_CODE_UINT = 0x70,
    FAMQP_CODE_INT = 0x71,
    FAMQP_CODE_FLOAT = 0x72,
    FAMQP_CODE_CHAR = 0x73,
    FAMQP_CODE_DECIMAL32 = 0x74,
    FAMQP_CODE_ULONG = 0x80,
    FAMQP_CODE_LONG = 0x81,
    FAMQP_CODE_DOUBLE = 0x82,
    FAMQP_CODE_TIMESTAMP = 0x83,
    FAMQP_CODE_DECIMAL64 = 0x84,
    FAMQP_CODE_DECIMAL128 = 0x94,
    FAMQP_CODE_UUID = 0x98,
    FAMQP_CODE_VBIN8 = 0xa0,
    FAMQP_CODE_STR8 = 0xa1,
    FAMQP_CODE_SYM8 = 0xa3,
    FAMQP_CODE_VBIN32 = 0xb0,
    FAMQP_CODE_STR32 = 0xb1,
    FAMQP_CODE_SYM32 = 0xb3,
    FAMQP_CODE_LIST8 = 0xc0,
    FAMQP_CODE_MAP8 = 0xc1,
    FAMQP_CODE_LIST32 = 0xd0,
    FAMQP_CODE_MAP32 = 0xd1,
    FAMQP_CODE_ARRAY8 = 0xe0,
    FAMQP_CODE_ARRAY32 = 0xf0
};

/* Per primitive type, a 256-entry table: nonzero where the format code is a
 * legal encoding of that type (used for decoding and for multiple fields).
 * The nonzero value is 1 + the width of the fixed part after the code: the
 * body of a fixed-width code (uint0 1, smalluint 2, uint 5), the length or
 * size field of a variable-width or compound code (vbin8 2, list32 5). */
typedef const uint8_t famqp_code_table[256];
FAMQP_API extern famqp_code_table famqp_codes_boolean, famqp_codes_ubyte, famqp_codes_ushort,
    famqp_codes_uint, famqp_codes_ulong, famqp_codes_byte, famqp_codes_short, famqp_codes_int,
    famqp_codes_long, famqp_codes_float, famqp_codes_double, famqp_codes_decimal32,
    famqp_codes_decimal64, famqp_codes_decimal128, famqp_codes_char, famqp_codes_timestamp,
    famqp_codes_uuid, famqp_codes_binary, famqp_codes_string, famqp_codes_symbol,
    famqp_codes_list, famqp_codes_map, famqp_codes_array;

/* Total encoded length of a value from its format code, for the codes
 * whose length needs no size field (1 + width), 0xFF for str8/sym8/vbin8
 * and 0xFE for list8/map8/array8 (both: 2 + the length byte), 0 for
 * everything else (32-bit lengths, list0, 0x00, undefined codes). */
FAMQP_API extern const uint8_t famqp__span_code[256];

/* ---- big-endian loads and stores (memcpy: no unaligned access) --------- */
FAMQP_INLINE uint16_t famqp_load16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
FAMQP_INLINE uint32_t famqp_load32(const uint8_t *p) {
    uint32_t v; memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}
FAMQP_INLINE uint64_t famqp_load64(const uint8_t *p) {
    uint64_t v; memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}
FAMQP_INLINE uint8_t *famqp_store16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return p + 2; }
FAMQP_INLINE uint8_t *famqp_store32(uint8_t *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4); return p + 4;
}
FAMQP_INLINE uint8_t *famqp_store64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8); return p + 8;
}

/* ---- reader ------------------------------------------------------------ */

typedef struct famqp_reader {
    const uint8_t *p;    /* next byte */
    const uint8_t *end;  /* end of the current compound (or of the input) */
    const uint8_t *base; /* start of the input, for error offsets */
    famqp_error *err;    /* never NULL */
    const famqp_limits *limits;
    uint32_t depth;
    const char *type;    /* composite being decoded, for errors */
} famqp_reader;

/* err must not be NULL; lim NULL means famqp_default_limits.  Clears *err. */
FAMQP_API void famqp_reader_init(famqp_reader *r, const uint8_t *p, size_t n, famqp_error *err,
                       const famqp_limits *lim);

/* famqp_reader_init, inline (generated decode entry points). */
FAMQP_INLINE void famqp__reader_start(famqp_reader *r, const uint8_t *p, size_t n, famqp_error *err,
                                      const famqp_limits *lim) {
    static const uint8_t empty_input[1] = {0}; /* no arithmetic on NULL, even + 0 */
    if (!p) { p = empty_input; n = 0; }
    r->p = p; r->end = p + n; r->base = p; r->err = err;
    r->limits = lim ? lim : &famqp_default_limits;
    r->depth = 0; r->type = NULL;
    memset(err, 0, sizeof *err);
}

/* Records the first failure (status, r->type, field, offset of r->p,
 * detail) and moves r->p to r->end.  Always returns 0. */
FAMQP_API int famqp_fail(famqp_reader *r, famqp_status s, const char *field, const char *detail);

FAMQP_INLINE bool famqp_reader_failed(const famqp_reader *r) { return r->err->status != FAMQP_OK; }

/* Scalars.  Return 1 = read, 0 = null or failure. */
FAMQP_API int famqp_read_byte(famqp_reader *r, int8_t *out, const char *field);
FAMQP_API int famqp_read_short(famqp_reader *r, int16_t *out, const char *field);
FAMQP_API int famqp_read_float(famqp_reader *r, float *out, const char *field);
FAMQP_API int famqp_read_double(famqp_reader *r, double *out, const char *field);
FAMQP_API int famqp_read_decimal32(famqp_reader *r, famqp_decimal32 *out, const char *field);
FAMQP_API int famqp_read_decimal64(famqp_reader *r, famqp_decimal64 *out, const char *field);
FAMQP_API int famqp_read_decimal128(famqp_reader *r, famqp_decimal128 *out, const char *field);
FAMQP_API int famqp_read_char(famqp_reader *r, uint32_t *out, const char *field);
FAMQP_API int famqp_read_uuid(famqp_reader *r, famqp_uuid *out, const char *field);

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
FAMQP_API bool famqp_utf8_valid(const uint8_t *p, size_t n);
/* famqp_utf8_valid with short all-ASCII input (the usual field or key)
 * decided inline by at most four overlapping word loads; anything longer
 * or with a byte >= 0x80 goes to the complete validator. */
FAMQP_INLINE bool famqp__utf8_valid_fast(const uint8_t *p, size_t n) {
    uint64_t acc;
    if (n >= 8) {
        uint64_t a, b, c, d;
        memcpy(&a, p, 8); memcpy(&b, p + n - 8, 8);
        if (n > 16) { /* 17..32: the first and the last 16 */
            if (n > 32) return famqp_utf8_valid(p, n);
            memcpy(&c, p + 8, 8); memcpy(&d, p + n - 16, 8);
            acc = a | b | c | d;
        } else {
            acc = a | b;
        }
    } else if (n >= 4) {
        uint32_t a, b; memcpy(&a, p, 4); memcpy(&b, p + n - 4, 4); acc = a | b;
    } else {
        if (!n) return true;
        acc = (uint64_t)(p[0] | p[n >> 1] | p[n - 1]);
    }
    return !(acc & UINT64_C(0x8080808080808080)) || famqp_utf8_valid(p, n);
}
/* Symbols are ASCII: every byte below 0x80. */
FAMQP_INLINE bool famqp_ascii_valid(const uint8_t *p, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc < 0x80;
}

/* The hot readers below are inline: one table load decides the common
 * case when enough bytes remain for the widest encoding of the type.
 * Everything else (short input, null, another code, errors) goes to the
 * complete out-of-line reader famqp__read_<T>_slow, which accepts exactly
 * the same inputs. */
FAMQP_API int famqp__read_bool_slow(famqp_reader *r, bool *out, const char *field);
FAMQP_API int famqp__read_ubyte_slow(famqp_reader *r, uint8_t *out, const char *field);
FAMQP_API int famqp__read_ushort_slow(famqp_reader *r, uint16_t *out, const char *field);
FAMQP_API int famqp__read_uint_slow(famqp_reader *r, uint32_t *out, const char *field);
FAMQP_API int famqp__read_ulong_slow(famqp_reader *r, uint64_t *out, const char *field);
FAMQP_API int famqp__read_int_slow(famqp_reader *r, int32_t *out, const char *field);
FAMQP_API int famqp__read_long_slow(famqp_reader *r, int64_t *out, const char *field);
FAMQP_API int famqp__read_timestamp_slow(famqp_reader *r, int64_t *out, const char *field);
FAMQP_API int famqp__read_binary_slow(famqp_reader *r, famqp_binary *out, const char *field);
FAMQP_API int famqp__read_string_slow(famqp_reader *r, famqp_string *out, const char *field);
FAMQP_API int famqp__read_symbol_slow(famqp_reader *r, famqp_symbol *out, const char *field);

/* famqp__try_<T>(p, end, &out): the usual encodings of T at p (p <= end),
 * decided inline: returns the position after the value, or NULL (out
 * untouched or scratch) when famqp_read_<T> must decide: null, another
 * code, short input, errors.  Generated decoders keep their position in a
 * local and call these first; famqp_read_<T> is built on them. */
FAMQP_INLINE const uint8_t *famqp__try_bool(const uint8_t *p, const uint8_t *end, bool *out) {
    /* true/false codes 0x41/0x42 are the usual encoding */
    if (FAMQP_LIKELY(p < end && (uint8_t)(p[0] - FAMQP_CODE_TRUE) < 2u)) { *out = p[0] == FAMQP_CODE_TRUE; return p + 1; }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_ubyte(const uint8_t *p, const uint8_t *end, uint8_t *out) {
    if (FAMQP_LIKELY(end - p >= 2 && p[0] == FAMQP_CODE_UBYTE)) { *out = p[1]; return p + 2; }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_ushort(const uint8_t *p, const uint8_t *end, uint16_t *out) {
    if (FAMQP_LIKELY(end - p >= 3 && p[0] == FAMQP_CODE_USHORT)) { *out = famqp_load16(p + 1); return p + 3; }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_uint(const uint8_t *p, const uint8_t *end, uint32_t *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 5)) {
        unsigned t = famqp_codes_uint[p[0]]; /* 1 + width: 1, 2 or 5 */
        if (FAMQP_LIKELY(t)) {
            /* keep only the first `width` of the 4 bytes after the code */
            *out = (uint32_t)((uint64_t)famqp_load32(p + 1) >> (8u * (5u - t)));
            return p + t;
        }
    } else if (avail) { /* near the end of a list: the short forms (t <= bytes left < 5) */
        unsigned t = famqp_codes_uint[p[0]];
        if (t && t <= avail) { *out = t == 1 ? 0u : p[1]; return p + t; }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_ulong(const uint8_t *p, const uint8_t *end, uint64_t *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 9)) {
        unsigned t = famqp_codes_ulong[p[0]]; /* 1 + width: 1, 2 or 9 */
        if (FAMQP_LIKELY(t)) {
            unsigned shift = 8u * (9u - t);
            uint64_t v = famqp_load64(p + 1);
            *out = shift < 64 ? v >> shift : 0;
            return p + t;
        }
    } else if (avail) {
        unsigned t = famqp_codes_ulong[p[0]];
        if (t && t <= avail) { *out = t == 1 ? 0u : p[1]; return p + t; }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_int(const uint8_t *p, const uint8_t *end, int32_t *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 5)) {
        unsigned t = famqp_codes_int[p[0]]; /* 1 + width: 2 or 5 */
        if (FAMQP_LIKELY(t)) {
            /* arithmetic shift sign-extends the 1-byte form */
            *out = (int32_t)famqp_load32(p + 1) >> (8u * (5u - t));
            return p + t;
        }
    } else if (avail) {
        unsigned t = famqp_codes_int[p[0]];
        if (t && t <= avail) { *out = (int8_t)p[1]; return p + t; }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_long(const uint8_t *p, const uint8_t *end, int64_t *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 9)) {
        unsigned t = famqp_codes_long[p[0]]; /* 1 + width: 2 or 9 */
        if (FAMQP_LIKELY(t)) {
            *out = (int64_t)famqp_load64(p + 1) >> (8u * (9u - t));
            return p + t;
        }
    } else if (avail) {
        unsigned t = famqp_codes_long[p[0]];
        if (t && t <= avail) { *out = (int8_t)p[1]; return p + t; }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_timestamp(const uint8_t *p, const uint8_t *end, int64_t *out) {
    if (FAMQP_LIKELY(end - p >= 9 && p[0] == FAMQP_CODE_TIMESTAMP)) { *out = (int64_t)famqp_load64(p + 1); return p + 9; }
    return NULL;
}
/* Variable-width: zero-copy views into the input; string validated UTF-8,
 * symbol validated ASCII.  Inline for the 8-bit-length forms. */
FAMQP_INLINE const uint8_t *famqp__try_binary(const uint8_t *p, const uint8_t *end, famqp_binary *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 2 && p[0] == FAMQP_CODE_VBIN8)) {
        size_t len = p[1]; /* a local: stores through out may alias the input */
        if (FAMQP_LIKELY(len <= avail - 2)) { out->ptr = p + 2; out->len = len; return p + 2 + len; }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_string(const uint8_t *p, const uint8_t *end, famqp_string *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 2 && p[0] == FAMQP_CODE_STR8)) {
        size_t len = p[1];
        if (FAMQP_LIKELY(len <= avail - 2 && famqp__utf8_valid_fast(p + 2, len))) {
            out->ptr = (const char *)(p + 2); out->len = len; return p + 2 + len;
        }
    }
    return NULL;
}
FAMQP_INLINE const uint8_t *famqp__try_symbol(const uint8_t *p, const uint8_t *end, famqp_symbol *out) {
    size_t avail = (size_t)(end - p);
    if (FAMQP_LIKELY(avail >= 2 && p[0] == FAMQP_CODE_SYM8)) {
        size_t len = p[1];
        if (FAMQP_LIKELY(len <= avail - 2 && famqp_ascii_valid(p + 2, len))) {
            out->ptr = (const char *)(p + 2); out->len = len; return p + 2 + len;
        }
    }
    return NULL;
}

/* famqp_read_<T>: the inline try, then null (no call), then the complete
 * out-of-line reader, which accepts exactly the same inputs. */
#define FAMQP__READ_VIA_TRY(T, CT)                                                               \
    FAMQP_INLINE int famqp_read_##T(famqp_reader *r, CT *out, const char *field) {              \
        const uint8_t *q = famqp__try_##T(r->p, r->end, out);                                    \
        if (FAMQP_LIKELY(q != NULL)) { r->p = q; return 1; }                                     \
        if (r->p < r->end && *r->p == FAMQP_CODE_NULL) { r->p++; return 0; }                     \
        return famqp__read_##T##_slow(r, out, field);                                            \
    }
FAMQP__READ_VIA_TRY(bool, bool)
FAMQP__READ_VIA_TRY(ubyte, uint8_t)
FAMQP__READ_VIA_TRY(ushort, uint16_t)
FAMQP__READ_VIA_TRY(uint, uint32_t)
FAMQP__READ_VIA_TRY(ulong, uint64_t)
FAMQP__READ_VIA_TRY(int, int32_t)
FAMQP__READ_VIA_TRY(long, int64_t)
FAMQP__READ_VIA_TRY(timestamp, int64_t)
FAMQP__READ_VIA_TRY(binary, famqp_binary)
FAMQP__READ_VIA_TRY(string, famqp_string)
FAMQP__READ_VIA_TRY(symbol, famqp_symbol)
#undef FAMQP__READ_VIA_TRY
/* The usual map and list elements, validated inline: fixed-width codes
 * with nothing to check in their body, and str8/sym8/vbin8.  Returns the
 * byte after the element, or NULL to let the complete validator decide
 * (and report) everything else, so both accept exactly the same inputs. */
FAMQP_INLINE const uint8_t *famqp__scalar_fast(const uint8_t *q, const uint8_t *end) {
    size_t avail = (size_t)(end - q);
    if (!avail) return NULL;
    uint8_t c = q[0];
    unsigned s = famqp__span_code[c];
    if (s == 0xFF) { /* str8, sym8, vbin8 */
        if (avail < 2 || q[1] > avail - 2) return NULL;
        size_t len = q[1];
        if (c == FAMQP_CODE_STR8 ? !famqp__utf8_valid_fast(q + 2, len)
                                 : c == FAMQP_CODE_SYM8 && !famqp_ascii_valid(q + 2, len))
            return NULL;
        return q + 2 + len;
    }
    /* fixed width; boolean and char bodies need their own checks */
    if (s && s < 0xFE && s <= avail && c != FAMQP_CODE_BOOLEAN && c != FAMQP_CODE_CHAR) return q + s;
    return NULL;
}

/* Compounds: the whole content is validated (famqp_value_validate rules,
 * depth counted from r->depth), then presented as a view. */
FAMQP_API int famqp_read_list(famqp_reader *r, famqp_list *out, const char *field);
FAMQP_API int famqp_read_map(famqp_reader *r, famqp_map *out, const char *field);
FAMQP_API int famqp_read_array(famqp_reader *r, famqp_array *out, const char *field);
/* Any single value (validated).  null -> 0 and out->len = 0. */
FAMQP_API int famqp_read_value(famqp_reader *r, famqp_value *out, const char *field);
/* A multiple="true" field: a single value whose code is in `codes`, or an
 * array whose element constructor is in `codes`; every element validated.
 * null -> 0 with count 0. */
FAMQP_API int famqp_read_multiple(famqp_reader *r, famqp_multiple *out, famqp_code_table codes,
                        const char *field);

/* Described values.  famqp_read_descriptor: at 0x00 reads the descriptor
 * and returns 1 with *code set (ulong descriptor) or *name set (symbol
 * descriptor, *code = UINT64_MAX); at 0x40 consumes it and returns 0; any
 * other code fails (TYPE_MISMATCH) and returns 0.  After it returns 1, r->p
 * is at the described value's own constructor. */
FAMQP_API int famqp__read_descriptor_slow(famqp_reader *r, uint64_t *code, famqp_symbol *name, const char *field);
FAMQP_INLINE int famqp_read_descriptor(famqp_reader *r, uint64_t *code, famqp_symbol *name, const char *field) {
    const uint8_t *p = r->p;
    /* 0x00 0x53 <code>: every standard descriptor as a smallulong */
    if (FAMQP_LIKELY(r->end - p >= 3 && p[0] == FAMQP_CODE_DESCRIBED && p[1] == FAMQP_CODE_SMALLULONG)) {
        *code = p[2]; name->ptr = NULL; name->len = 0; r->p = p + 3; return 1;
    }
    return famqp__read_descriptor_slow(r, code, name, field);
}
/* Peek: is the next byte 0x40?  (false at end of input) */
FAMQP_INLINE bool famqp_peek_null(const famqp_reader *r) { return r->p < r->end && *r->p == FAMQP_CODE_NULL; }

/* Composite bodies (lists).  famqp_list_enter reads list0/list8/list32,
 * checks size and count against the bytes remaining (count <= size) and the
 * depth limit, sets *count, saves the outer end in *saved_end and narrows
 * r->end to the end of the list.  Returns 1 on success, 0 on failure.
 * famqp_list_leave skips (validating) any elements after the first
 * `consumed` ones that the type does not define, checks that exactly the
 * list's bytes were used, and restores r->end (on failure r->p stays at
 * the end of the input). */
FAMQP_API int famqp__list_enter_slow(famqp_reader *r, uint32_t *count, const uint8_t **saved_end, const char *field);
FAMQP_API void famqp__list_leave_slow(famqp_reader *r, uint32_t count, uint32_t consumed, const uint8_t *saved_end);
/* Inline: a list8 that passes every check of the complete version. */
FAMQP_INLINE int famqp_list_enter(famqp_reader *r, uint32_t *count, const uint8_t **saved_end, const char *field) {
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    if (FAMQP_LIKELY(avail >= 3)) {
        size_t size = p[1], n = p[2];
        /* size covers the count byte (size - 1 wraps for 0) and at least
         * one byte per element; & (not &&): one branch for all checks */
        if (FAMQP_LIKELY((p[0] == FAMQP_CODE_LIST8) & (r->depth < r->limits->max_depth) & (size - 1 < avail - 2) &
                         (n < size) & (n <= r->limits->max_count))) {
            *count = (uint32_t)n; *saved_end = r->end;
            r->depth++; r->end = p + 2 + size; r->p = p + 3;
            return 1;
        }
    }
    return famqp__list_enter_slow(r, count, saved_end, field);
}
/* Inline: every element consumed, exactly the list's bytes, no failure. */
FAMQP_INLINE void famqp_list_leave(famqp_reader *r, uint32_t count, uint32_t consumed, const uint8_t *saved_end) {
    if (FAMQP_LIKELY((consumed >= count) & (r->p == r->end) & (r->depth != 0) & !famqp_reader_failed(r))) {
        r->depth--; r->end = saved_end;
        return;
    }
    famqp__list_leave_slow(r, count, consumed, saved_end);
}

/* ---- sizes and puts (smallest encodings) ------------------------------- */
/* famqp_size_X(v) is the exact number of bytes famqp_put_X(p, v) writes;
 * put returns p advanced past what it wrote. */
FAMQP_INLINE size_t famqp_size_null(void) { return 1; }
FAMQP_INLINE uint8_t *famqp_put_null(uint8_t *p) { *p = FAMQP_CODE_NULL; return p + 1; }

FAMQP_INLINE size_t famqp_size_bool(bool v) { (void)v; return 1; }
FAMQP_INLINE uint8_t *famqp_put_bool(uint8_t *p, bool v) { *p = v ? FAMQP_CODE_TRUE : FAMQP_CODE_FALSE; return p + 1; }

FAMQP_INLINE size_t famqp_size_ubyte(uint8_t v) { (void)v; return 2; }
FAMQP_INLINE uint8_t *famqp_put_ubyte(uint8_t *p, uint8_t v) { p[0] = FAMQP_CODE_UBYTE; p[1] = v; return p + 2; }
FAMQP_INLINE size_t famqp_size_byte(int8_t v) { (void)v; return 2; }
FAMQP_INLINE uint8_t *famqp_put_byte(uint8_t *p, int8_t v) { p[0] = FAMQP_CODE_BYTE; p[1] = (uint8_t)v; return p + 2; }
FAMQP_INLINE size_t famqp_size_ushort(uint16_t v) { (void)v; return 3; }
FAMQP_INLINE uint8_t *famqp_put_ushort(uint8_t *p, uint16_t v) { p[0] = FAMQP_CODE_USHORT; return famqp_store16(p + 1, v); }
FAMQP_INLINE size_t famqp_size_short(int16_t v) { (void)v; return 3; }
FAMQP_INLINE uint8_t *famqp_put_short(uint8_t *p, int16_t v) { p[0] = FAMQP_CODE_SHORT; return famqp_store16(p + 1, (uint16_t)v); }

FAMQP_INLINE size_t famqp_size_uint(uint32_t v) { return v == 0 ? 1 : v < 256 ? 2 : 5; }
FAMQP_INLINE uint8_t *famqp_put_uint(uint8_t *p, uint32_t v) {
    if (v == 0) { *p = FAMQP_CODE_UINT0; return p + 1; }
    if (v < 256) { p[0] = FAMQP_CODE_SMALLUINT; p[1] = (uint8_t)v; return p + 2; }
    p[0] = FAMQP_CODE_UINT; return famqp_store32(p + 1, v);
}
FAMQP_INLINE size_t famqp_size_ulong(uint64_t v) { return v == 0 ? 1 : v < 256 ? 2 : 9; }
FAMQP_INLINE uint8_t *famqp_put_ulong(uint8_t *p, uint64_t v) {
    if (v == 0) { *p = FAMQP_CODE_ULONG0; return p + 1; }
    if (v < 256) { p[0] = FAMQP_CODE_SMALLULONG; p[1] = (uint8_t)v; return p + 2; }
    p[0] = FAMQP_CODE_ULONG; return famqp_store64(p + 1, v);
}
FAMQP_INLINE size_t famqp_size_int(int32_t v) { return (v >= -128 && v <= 127) ? 2 : 5; }
FAMQP_INLINE uint8_t *famqp_put_int(uint8_t *p, int32_t v) {
    if (v >= -128 && v <= 127) { p[0] = FAMQP_CODE_SMALLINT; p[1] = (uint8_t)(int8_t)v; return p + 2; }
    p[0] = FAMQP_CODE_INT; return famqp_store32(p + 1, (uint32_t)v);
}
FAMQP_INLINE size_t famqp_size_long(int64_t v) { return (v >= -128 && v <= 127) ? 2 : 9; }
FAMQP_INLINE uint8_t *famqp_put_long(uint8_t *p, int64_t v) {
    if (v >= -128 && v <= 127) { p[0] = FAMQP_CODE_SMALLLONG; p[1] = (uint8_t)(int8_t)v; return p + 2; }
    p[0] = FAMQP_CODE_LONG; return famqp_store64(p + 1, (uint64_t)v);
}
/* Fixed-width variants (branch-free; one size per type). */
FAMQP_INLINE size_t famqp_size_uint_fixed(uint32_t v) { (void)v; return 5; }
FAMQP_INLINE uint8_t *famqp_put_uint_fixed(uint8_t *p, uint32_t v) { p[0] = FAMQP_CODE_UINT; return famqp_store32(p + 1, v); }
FAMQP_INLINE size_t famqp_size_ulong_fixed(uint64_t v) { (void)v; return 9; }
FAMQP_INLINE uint8_t *famqp_put_ulong_fixed(uint8_t *p, uint64_t v) { p[0] = FAMQP_CODE_ULONG; return famqp_store64(p + 1, v); }
FAMQP_INLINE size_t famqp_size_int_fixed(int32_t v) { (void)v; return 5; }
FAMQP_INLINE uint8_t *famqp_put_int_fixed(uint8_t *p, int32_t v) { p[0] = FAMQP_CODE_INT; return famqp_store32(p + 1, (uint32_t)v); }
FAMQP_INLINE size_t famqp_size_long_fixed(int64_t v) { (void)v; return 9; }
FAMQP_INLINE uint8_t *famqp_put_long_fixed(uint8_t *p, int64_t v) { p[0] = FAMQP_CODE_LONG; return famqp_store64(p + 1, (uint64_t)v); }
FAMQP_INLINE size_t famqp_size_bool_fixed(bool v) { (void)v; return 2; }
FAMQP_INLINE uint8_t *famqp_put_bool_fixed(uint8_t *p, bool v) { p[0] = FAMQP_CODE_BOOLEAN; p[1] = v ? 1 : 0; return p + 2; }

FAMQP_INLINE size_t famqp_size_float(float v) { (void)v; return 5; }
FAMQP_INLINE uint8_t *famqp_put_float(uint8_t *p, float v) { uint32_t u; memcpy(&u, &v, 4); p[0] = FAMQP_CODE_FLOAT; return famqp_store32(p + 1, u); }
FAMQP_INLINE size_t famqp_size_double(double v) { (void)v; return 9; }
FAMQP_INLINE uint8_t *famqp_put_double(uint8_t *p, double v) { uint64_t u; memcpy(&u, &v, 8); p[0] = FAMQP_CODE_DOUBLE; return famqp_store64(p + 1, u); }
FAMQP_INLINE size_t famqp_size_decimal32(famqp_decimal32 v) { (void)v; return 5; }
FAMQP_INLINE uint8_t *famqp_put_decimal32(uint8_t *p, famqp_decimal32 v) { p[0] = FAMQP_CODE_DECIMAL32; memcpy(p + 1, v.bytes, 4); return p + 5; }
FAMQP_INLINE size_t famqp_size_decimal64(famqp_decimal64 v) { (void)v; return 9; }
FAMQP_INLINE uint8_t *famqp_put_decimal64(uint8_t *p, famqp_decimal64 v) { p[0] = FAMQP_CODE_DECIMAL64; memcpy(p + 1, v.bytes, 8); return p + 9; }
FAMQP_INLINE size_t famqp_size_decimal128(famqp_decimal128 v) { (void)v; return 17; }
FAMQP_INLINE uint8_t *famqp_put_decimal128(uint8_t *p, famqp_decimal128 v) { p[0] = FAMQP_CODE_DECIMAL128; memcpy(p + 1, v.bytes, 16); return p + 17; }
FAMQP_INLINE size_t famqp_size_char(uint32_t v) { (void)v; return 5; }
FAMQP_INLINE uint8_t *famqp_put_char(uint8_t *p, uint32_t v) { p[0] = FAMQP_CODE_CHAR; return famqp_store32(p + 1, v); }
FAMQP_INLINE size_t famqp_size_timestamp(int64_t v) { (void)v; return 9; }
FAMQP_INLINE uint8_t *famqp_put_timestamp(uint8_t *p, int64_t v) { p[0] = FAMQP_CODE_TIMESTAMP; return famqp_store64(p + 1, (uint64_t)v); }
FAMQP_INLINE size_t famqp_size_uuid(famqp_uuid v) { (void)v; return 17; }
FAMQP_INLINE uint8_t *famqp_put_uuid(uint8_t *p, famqp_uuid v) { p[0] = FAMQP_CODE_UUID; memcpy(p + 1, v.bytes, 16); return p + 17; }

/* Variable width: 8-bit length form when len < 256, else 32-bit. */
FAMQP_INLINE size_t famqp_size_vbytes(size_t len) { return len < 256 ? 2 + len : 5 + len; }
/* Copies len bytes; up to 16 with at most two overlapping fixed-size
 * moves (no call), longer ones with memcpy. */
FAMQP_INLINE void famqp__copy(uint8_t *p, const void *src, size_t len) {
    const uint8_t *s = (const uint8_t *)src;
    if (len >= 8 && len <= 16) { memcpy(p, s, 8); memcpy(p + len - 8, s + len - 8, 8); }
    else if (len >= 4 && len < 8) { memcpy(p, s, 4); memcpy(p + len - 4, s + len - 4, 4); }
    else if (len) memcpy(p, s, len);
}
FAMQP_INLINE uint8_t *famqp_put_vbytes(uint8_t *p, uint8_t code8, const void *src, size_t len) {
    if (len < 256) { p[0] = code8; p[1] = (uint8_t)len; p += 2; }
    else { p[0] = (uint8_t)(code8 + 0x10); p = famqp_store32(p + 1, (uint32_t)len); }
    famqp__copy(p, src, len);
    return p + len;
}
FAMQP_INLINE size_t famqp_size_binary(famqp_binary v) { return famqp_size_vbytes(v.len); }
FAMQP_INLINE uint8_t *famqp_put_binary(uint8_t *p, famqp_binary v) { return famqp_put_vbytes(p, FAMQP_CODE_VBIN8, v.ptr, v.len); }
FAMQP_INLINE size_t famqp_size_string(famqp_string v) { return famqp_size_vbytes(v.len); }
FAMQP_INLINE uint8_t *famqp_put_string(uint8_t *p, famqp_string v) { return famqp_put_vbytes(p, FAMQP_CODE_STR8, v.ptr, v.len); }
FAMQP_INLINE size_t famqp_size_symbol(famqp_symbol v) { return famqp_size_vbytes(v.len); }
FAMQP_INLINE uint8_t *famqp_put_symbol(uint8_t *p, famqp_symbol v) { return famqp_put_vbytes(p, FAMQP_CODE_SYM8, v.ptr, v.len); }

/* Compound headers.  A list/map body of `body` bytes holding `count`
 * elements: list0 when count == 0 (lists only), 8-bit form when body+1 <=
 * 255 and count <= 255, else 32-bit form. */
FAMQP_INLINE size_t famqp_size_list_header(size_t body, uint32_t count) {
    return count == 0 ? 1 : (body + 1 <= 255 && count <= 255) ? 3 : 9;
}
FAMQP_INLINE uint8_t *famqp_put_list_header(uint8_t *p, size_t body, uint32_t count) {
    if (count == 0) { *p = FAMQP_CODE_LIST0; return p + 1; }
    if (body + 1 <= 255 && count <= 255) { p[0] = FAMQP_CODE_LIST8; p[1] = (uint8_t)(body + 1); p[2] = (uint8_t)count; return p + 3; }
    p[0] = FAMQP_CODE_LIST32; p = famqp_store32(p + 1, (uint32_t)(body + 4)); return famqp_store32(p, count);
}
FAMQP_INLINE size_t famqp_size_map_header(size_t body, uint32_t count) {
    return (body + 1 <= 255 && count <= 255) ? 3 : 9;
}
FAMQP_INLINE uint8_t *famqp_put_map_header(uint8_t *p, size_t body, uint32_t count) {
    if (body + 1 <= 255 && count <= 255) { p[0] = FAMQP_CODE_MAP8; p[1] = (uint8_t)(body + 1); p[2] = (uint8_t)count; return p + 3; }
    p[0] = FAMQP_CODE_MAP32; p = famqp_store32(p + 1, (uint32_t)(body + 4)); return famqp_store32(p, count);
}

/* ---- one-pass encoders ---------------------------------------------------
 * Generated encoders whose capacity holds the widest encoding of every
 * field write each field once, straight into place, with no sizing pass.
 * famqp__put_opt_bool(p, v, has): v when has is 1, null (0x40) when it is
 * 0, one byte either way, without a branch. */
FAMQP_INLINE uint8_t *famqp__put_opt_bool(uint8_t *p, bool v, uint32_t has) {
    p[0] = (uint8_t)(FAMQP_CODE_NULL + has * (2u - (uint32_t)v)); /* 0x40, 0x41 true, 0x42 false */
    return p + 1;
}

/* famqp_put_binary / _string / _symbol for the one-pass encoders: 8..16
 * bytes (tags, ids, addresses, content types) by two overlapping 8-byte
 * moves with no branch on the length form, the rest through
 * famqp_put_vbytes. */
FAMQP_INLINE uint8_t *famqp__put_vbytes_fast(uint8_t *p, uint8_t code8, const void *src, size_t len) {
    if (FAMQP_LIKELY(len - 8u <= 8u)) {
        const uint8_t *s = (const uint8_t *)src;
        p[0] = code8; p[1] = (uint8_t)len;
        memcpy(p + 2, s, 8); memcpy(p + 2 + len - 8, s + len - 8, 8);
        return p + 2 + len;
    }
    return famqp_put_vbytes(p, code8, src, len);
}
FAMQP_INLINE uint8_t *famqp__put_binary_fast(uint8_t *p, famqp_binary v) {
    return famqp__put_vbytes_fast(p, FAMQP_CODE_VBIN8, v.ptr, v.len);
}
FAMQP_INLINE uint8_t *famqp__put_string_fast(uint8_t *p, famqp_string v) {
    return famqp__put_vbytes_fast(p, FAMQP_CODE_STR8, v.ptr, v.len);
}
FAMQP_INLINE uint8_t *famqp__put_symbol_fast(uint8_t *p, famqp_symbol v) {
    return famqp__put_vbytes_fast(p, FAMQP_CODE_SYM8, v.ptr, v.len);
}

/* Completes a composite's list whose elements were written at body, after
 * a 3-byte gap at hdr: list8 when it fits (the usual case), list0 when
 * count is 0 (nothing was written), else list32, moving the elements 6
 * bytes on (the caller reserved them).  Returns the end of the list. */
FAMQP_INLINE uint8_t *famqp__finish_list(uint8_t *hdr, uint8_t *body, uint8_t *end, uint32_t count) {
    size_t len = (size_t)(end - body);
    if (FAMQP_LIKELY((len + 1 <= 255) & (count - 1u < 255u))) { /* &: one branch */
        hdr[0] = FAMQP_CODE_LIST8; hdr[1] = (uint8_t)(len + 1); hdr[2] = (uint8_t)count;
        return end;
    }
    if (count == 0) { hdr[0] = FAMQP_CODE_LIST0; return hdr + 1; }
    memmove(hdr + 9, body, len);
    hdr[0] = FAMQP_CODE_LIST32;
    famqp_store32(hdr + 1, (uint32_t)(len + 4));
    famqp_store32(hdr + 5, count);
    return hdr + 9 + len;
}

/* Views re-encoded as they were received (or built by a famqp_writer). */
FAMQP_INLINE size_t famqp_size_list(const famqp_list *v) { return famqp_size_list_header(v->len, v->count) + v->len; }
FAMQP_INLINE uint8_t *famqp_put_list(uint8_t *p, const famqp_list *v) {
    p = famqp_put_list_header(p, v->len, v->count);
    if (v->len) memcpy(p, v->items, v->len);
    return p + v->len;
}
FAMQP_INLINE size_t famqp_size_map(const famqp_map *v) { return famqp_size_map_header(v->len, v->count) + v->len; }
FAMQP_INLINE uint8_t *famqp_put_map(uint8_t *p, const famqp_map *v) {
    p = famqp_put_map_header(p, v->len, v->count);
    if (v->len) memcpy(p, v->items, v->len);
    return p + v->len;
}
/* An array view: array8 when ctor+items fit in 255 bytes with count <= 255,
 * else array32. */
FAMQP_API size_t famqp_size_array(const famqp_array *v);
FAMQP_API uint8_t *famqp_put_array(uint8_t *p, const famqp_array *v);
/* A complete encoded value, copied; len 0 encodes as null. */
FAMQP_INLINE size_t famqp_size_value(famqp_value v) { return v.len ? v.len : 1; }
FAMQP_INLINE uint8_t *famqp_put_value(uint8_t *p, famqp_value v) {
    if (!v.len) { *p = FAMQP_CODE_NULL; return p + 1; }
    memcpy(p, v.ptr, v.len);
    return p + v.len;
}

/* Multiple fields: from m->items (C values of the element type, written as
 * an array of the smallest shared element encoding) when non-NULL,
 * otherwise from m->wire.  count 0 with items NULL and no wire: null. */
#define FAMQP_MULTIPLE_DECL(T, CT)                                                  \
    FAMQP_API size_t famqp_size_multiple_##T(const famqp_multiple *m);                     \
    FAMQP_API uint8_t *famqp_put_multiple_##T(uint8_t *p, const famqp_multiple *m);
FAMQP_MULTIPLE_DECL(bool, bool)
FAMQP_MULTIPLE_DECL(ubyte, uint8_t)
FAMQP_MULTIPLE_DECL(ushort, uint16_t)
FAMQP_MULTIPLE_DECL(uint, uint32_t)
FAMQP_MULTIPLE_DECL(ulong, uint64_t)
FAMQP_MULTIPLE_DECL(byte, int8_t)
FAMQP_MULTIPLE_DECL(short, int16_t)
FAMQP_MULTIPLE_DECL(int, int32_t)
FAMQP_MULTIPLE_DECL(long, int64_t)
FAMQP_MULTIPLE_DECL(float, float)
FAMQP_MULTIPLE_DECL(double, double)
FAMQP_MULTIPLE_DECL(decimal32, famqp_decimal32)
FAMQP_MULTIPLE_DECL(decimal64, famqp_decimal64)
FAMQP_MULTIPLE_DECL(decimal128, famqp_decimal128)
FAMQP_MULTIPLE_DECL(char, uint32_t)
FAMQP_MULTIPLE_DECL(timestamp, int64_t)
FAMQP_MULTIPLE_DECL(uuid, famqp_uuid)
FAMQP_MULTIPLE_DECL(binary, famqp_binary)
FAMQP_MULTIPLE_DECL(string, famqp_string)
FAMQP_MULTIPLE_DECL(symbol, famqp_symbol)
#undef FAMQP_MULTIPLE_DECL

/* ---- printing (used by generated famqp_<type>_print) ------------------- */
FAMQP_API void famqp_print_string(FILE *f, famqp_string v);  /* "quoted", escaped */
FAMQP_API void famqp_print_symbol(FILE *f, famqp_symbol v);  /* :sym or :"sym with space" */
FAMQP_API void famqp_print_binary(FILE *f, famqp_binary v);  /* b"..." escaped, long ones elided */
FAMQP_API void famqp_print_uuid(FILE *f, famqp_uuid v);
FAMQP_API void famqp_print_timestamp(FILE *f, int64_t ms);
FAMQP_API void famqp_print_decimal(FILE *f, const uint8_t *bytes, size_t n); /* 0x hex */
FAMQP_API void famqp_print_char(FILE *f, uint32_t c);
FAMQP_API void famqp_print_list(FILE *f, const famqp_list *v);
FAMQP_API void famqp_print_map(FILE *f, const famqp_map *v);
FAMQP_API void famqp_print_array(FILE *f, const famqp_array *v);
FAMQP_API void famqp_print_multiple(FILE *f, const famqp_multiple *v); /* wire view only */

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_GEN_WIRE_H */
