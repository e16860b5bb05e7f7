/* flatamqp runtime: the public codec vocabulary.
 *
 * Status codes and decode errors, configurable limits, zero-copy views of
 * encoded AMQP values, and the generic (untyped) reader and writer used for
 * maps, lists, arrays, annotations and amqp-value bodies.  Generated typed
 * codecs (famqp_spec.h) are built on these types.
 *
 * Views never own memory: they point into the buffer that was decoded, so
 * the caller keeps that buffer alive as long as it uses the decoded struct.
 */
/* Conventions (docs/api-conventions.md): calls return famqp_status,
 * FAMQP_OK or FAMQP_ERR_<WHAT> (the base layer's names carry no layer
 * word), with a famqp_error (may be NULL) saying where; a decoder's output
 * is unspecified unless it returned FAMQP_OK.  Nothing here allocates;
 * views point into the caller's bytes. */
#ifndef FAMQP_CODEC_H
#define FAMQP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "famqp/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the contract between famqp-gen output and the runtime
 * changes; generated headers #error out on a mismatch. */
#define FAMQP_GENERATOR_ABI 1

/* ---- status and errors ------------------------------------------------ */

typedef enum famqp_status {
    FAMQP_OK = 0,
    FAMQP_ERR_TRUNCATED,         /* input ends before the value does */
    FAMQP_ERR_BAD_CONSTRUCTOR,   /* format code not defined by AMQP 1.0 */
    FAMQP_ERR_TYPE_MISMATCH,     /* legal code, but not for this field's type
                                    (includes a wrong descriptor) */
    FAMQP_ERR_MISSING_MANDATORY, /* mandatory field absent or null */
    FAMQP_ERR_INVALID_UTF8,      /* string not UTF-8, symbol not ASCII,
                                    char not a Unicode scalar value */
    FAMQP_ERR_INVALID_VALUE,     /* well-formed but illegal: value outside a
                                    restricted type's choices, odd map count,
                                    compound size disagreeing with content */
    FAMQP_ERR_DEPTH,             /* nesting deeper than limits.max_depth */
    FAMQP_ERR_LIMIT,             /* a count or size above a limit, or larger
                                    than the bytes remaining could hold */
    FAMQP_STATUS_COUNT
} famqp_status;

/* Where and why a decode failed.  Only the first error is recorded. */
typedef struct famqp_error {
    famqp_status status;
    const char *type;   /* AMQP type being decoded, e.g. "transfer" (static) */
    const char *field;  /* field name, e.g. "delivery-tag", or NULL (static) */
    size_t offset;      /* byte offset into the decode input */
    const char *detail; /* static extra explanation, or NULL */
} famqp_error;

/* Short name of a status: "ok", "truncated", "bad constructor", ... */
FAMQP_API const char *famqp_status_name(famqp_status s);

/* Formats e.g. "truncated: transfer.delivery-tag at offset 12 (vbin8 length
 * 9 exceeds 4 bytes remaining)" into buf, snprintf-style (always
 * NUL-terminated when cap > 0); returns the length it wanted to write. */
FAMQP_API size_t famqp_error_format(const famqp_error *e, char *buf, size_t cap);

/* ---- limits ----------------------------------------------------------- */

typedef struct famqp_limits {
    uint32_t max_depth; /* nesting of lists/maps/arrays/described values */
    uint32_t max_count; /* elements in one list, map or array */
    /* Elements of one array whose element encoding takes no bytes (null,
     * true, false, uint0, ulong0, list0): no input bytes bound their count,
     * so a few bytes could declare millions.  0 = max_count alone. */
    uint32_t max_empty_elements;
} famqp_limits;

#define FAMQP_DEFAULT_MAX_DEPTH 64u
#define FAMQP_DEFAULT_MAX_COUNT (1u << 24)
#define FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS 65536u
FAMQP_API extern const famqp_limits famqp_default_limits;

/* ---- zero-copy views and fixed-size values ----------------------------- */

typedef struct famqp_binary { const uint8_t *ptr; size_t len; } famqp_binary;
typedef struct famqp_string { const char *ptr; size_t len; } famqp_string; /* UTF-8, not NUL-terminated */
typedef struct famqp_symbol { const char *ptr; size_t len; } famqp_symbol; /* ASCII, not NUL-terminated */
typedef struct famqp_decimal32 { uint8_t bytes[4]; } famqp_decimal32;     /* IEEE 754 bytes, network order */
typedef struct famqp_decimal64 { uint8_t bytes[8]; } famqp_decimal64;
typedef struct famqp_decimal128 { uint8_t bytes[16]; } famqp_decimal128;
typedef struct famqp_uuid { uint8_t bytes[16]; } famqp_uuid;

/* One complete encoded value, constructor included.  len == 0: no value. */
typedef struct famqp_value { const uint8_t *ptr; size_t len; } famqp_value;

/* Elements of a list: `count` encoded values back to back in items[0..len). */
typedef struct famqp_list { uint32_t count; const uint8_t *items; size_t len; } famqp_list;

/* Entries of a map: `count` is the number of encoded values (keys plus
 * values, so always even) back to back in items[0..len). */
typedef struct famqp_map { uint32_t count; const uint8_t *items; size_t len; } famqp_map;

/* An array: `count` element bodies in items[0..len) sharing one element
 * constructor ctor[0..ctor_len): a format code, or 0x00 + descriptor value +
 * format code for described elements. */
typedef struct famqp_array {
    uint32_t count;
    const uint8_t *ctor;
    size_t ctor_len;
    const uint8_t *items;
    size_t len;
} famqp_array;

/* A field declared multiple="true".  Decoding fills `wire` (a single value
 * on the wire is presented as a one-element array view) and `count`, and
 * sets items to NULL.  To encode, either point `items` at `count` C values
 * of the field's element type (e.g. const famqp_symbol[]), or leave items
 * NULL and keep a decoded `wire` view (re-encoded as received). */
typedef struct famqp_multiple {
    uint32_t count;
    const void *items;
    famqp_array wire;
} famqp_multiple;

/* Convenience constructors for views of C strings and byte arrays. */
FAMQP_API famqp_string famqp_string_of(const char *nul_terminated);
FAMQP_API famqp_symbol famqp_symbol_of(const char *nul_terminated);
FAMQP_API famqp_binary famqp_binary_of(const void *ptr, size_t len);
FAMQP_API bool famqp_symbol_eq(famqp_symbol s, const char *nul_terminated);
FAMQP_API bool famqp_string_eq(famqp_string s, const char *nul_terminated);

/* ---- generic values: inspection --------------------------------------- */

typedef enum famqp_kind {
    FAMQP_KIND_INVALID = 0,
    FAMQP_KIND_NULL,
    FAMQP_KIND_BOOLEAN,
    FAMQP_KIND_UBYTE,
    FAMQP_KIND_USHORT,
    FAMQP_KIND_UINT,
    FAMQP_KIND_ULONG,
    FAMQP_KIND_BYTE,
    FAMQP_KIND_SHORT,
    FAMQP_KIND_INT,
    FAMQP_KIND_LONG,
    FAMQP_KIND_FLOAT,
    FAMQP_KIND_DOUBLE,
    FAMQP_KIND_DECIMAL32,
    FAMQP_KIND_DECIMAL64,
    FAMQP_KIND_DECIMAL128,
    FAMQP_KIND_CHAR,
    FAMQP_KIND_TIMESTAMP,
    FAMQP_KIND_UUID,
    FAMQP_KIND_BINARY,
    FAMQP_KIND_STRING,
    FAMQP_KIND_SYMBOL,
    FAMQP_KIND_LIST,
    FAMQP_KIND_MAP,
    FAMQP_KIND_ARRAY,
    FAMQP_KIND_DESCRIBED,
    FAMQP_KIND_COUNT
} famqp_kind;

/* Kind of an encoded value, from its first byte (INVALID for len 0 or an
 * undefined code).  Values handed out by decoders were validated already. */
FAMQP_API famqp_kind famqp_value_kind(famqp_value v);
FAMQP_API const char *famqp_kind_name(famqp_kind k); /* "ulong", "map", ... */

/* Checks that p[0..n) starts with one well-formed value (every length,
 * count, UTF-8 string, ASCII symbol and char checked; depth and counts
 * limited) and stores its encoded length in *len.  lim may be NULL. */
FAMQP_API famqp_status famqp_value_validate(const uint8_t *p, size_t n, const famqp_limits *lim,
                                  size_t *len, famqp_error *err);

/* Typed getters: true when v holds that type (any of its encodings). */
FAMQP_API bool famqp_value_get_bool(famqp_value v, bool *out);
FAMQP_API bool famqp_value_get_ubyte(famqp_value v, uint8_t *out);
FAMQP_API bool famqp_value_get_ushort(famqp_value v, uint16_t *out);
FAMQP_API bool famqp_value_get_uint(famqp_value v, uint32_t *out);
FAMQP_API bool famqp_value_get_ulong(famqp_value v, uint64_t *out);
FAMQP_API bool famqp_value_get_byte(famqp_value v, int8_t *out);
FAMQP_API bool famqp_value_get_short(famqp_value v, int16_t *out);
FAMQP_API bool famqp_value_get_int(famqp_value v, int32_t *out);
FAMQP_API bool famqp_value_get_long(famqp_value v, int64_t *out);
FAMQP_API bool famqp_value_get_float(famqp_value v, float *out);
FAMQP_API bool famqp_value_get_double(famqp_value v, double *out);
FAMQP_API bool famqp_value_get_decimal32(famqp_value v, famqp_decimal32 *out);
FAMQP_API bool famqp_value_get_decimal64(famqp_value v, famqp_decimal64 *out);
FAMQP_API bool famqp_value_get_decimal128(famqp_value v, famqp_decimal128 *out);
FAMQP_API bool famqp_value_get_char(famqp_value v, uint32_t *out);
FAMQP_API bool famqp_value_get_timestamp(famqp_value v, int64_t *out);
FAMQP_API bool famqp_value_get_uuid(famqp_value v, famqp_uuid *out);
FAMQP_API bool famqp_value_get_binary(famqp_value v, famqp_binary *out);
FAMQP_API bool famqp_value_get_string(famqp_value v, famqp_string *out);
FAMQP_API bool famqp_value_get_symbol(famqp_value v, famqp_symbol *out);
FAMQP_API bool famqp_value_get_list(famqp_value v, famqp_list *out);
FAMQP_API bool famqp_value_get_map(famqp_value v, famqp_map *out);
FAMQP_API bool famqp_value_get_array(famqp_value v, famqp_array *out);
/* A described value: its descriptor and its value, each a complete value. */
FAMQP_API bool famqp_value_get_described(famqp_value v, famqp_value *descriptor, famqp_value *value);

/* Iteration over validated lists, maps and arrays.  next() returns false
 * at the end. */
typedef struct famqp_iter {
    const uint8_t *p, *end;
    uint32_t left;
    const uint8_t *ctor; /* arrays: shared element constructor */
    size_t ctor_len;
} famqp_iter;

FAMQP_API void famqp_list_iter(const famqp_list *l, famqp_iter *it);
FAMQP_API bool famqp_list_next(famqp_iter *it, famqp_value *item);
FAMQP_API void famqp_map_iter(const famqp_map *m, famqp_iter *it);
FAMQP_API bool famqp_map_next(famqp_iter *it, famqp_value *key, famqp_value *val);

/* A value's kind and, for the scalar kinds, its C value, taken out in the
 * same step that finds the value's end (no second pass through a getter).
 * Filled member by kind: BOOLEAN b; UBYTE, USHORT, UINT, ULONG, CHAR u;
 * BYTE, SHORT, INT, LONG, TIMESTAMP i; FLOAT f; DOUBLE d; BINARY bin,
 * STRING str, SYMBOL sym (views of the bytes, length field skipped).
 * Other kinds (NULL, decimals, UUID, compounds, DESCRIBED) fill nothing:
 * read them from the encoded value with the famqp_value_get_* getters. */
typedef struct famqp_scalar {
    famqp_kind kind;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        float f;
        double d;
        famqp_binary bin;
        famqp_string str;
        famqp_symbol sym;
    } u;
} famqp_scalar;

/* One map entry: the complete encoded key and value, and each decoded. */
typedef struct famqp_map_entry {
    famqp_value key, value;
    famqp_scalar k, v;
} famqp_map_entry;

/* famqp_map_next and the typed getters in one call: false at the end (or
 * on a malformed view, which ends the walk, as famqp_map_next does). */
FAMQP_API bool famqp_map_next_entry(famqp_iter *it, famqp_map_entry *e);
/* Array elements have no constructor of their own, so they are read with
 * typed getters (element constructor must match, else false). */
FAMQP_API void famqp_array_iter(const famqp_array *a, famqp_iter *it);
FAMQP_API bool famqp_array_next_bool(famqp_iter *it, bool *out);
FAMQP_API bool famqp_array_next_ubyte(famqp_iter *it, uint8_t *out);
FAMQP_API bool famqp_array_next_ushort(famqp_iter *it, uint16_t *out);
FAMQP_API bool famqp_array_next_uint(famqp_iter *it, uint32_t *out);
FAMQP_API bool famqp_array_next_ulong(famqp_iter *it, uint64_t *out);
FAMQP_API bool famqp_array_next_byte(famqp_iter *it, int8_t *out);
FAMQP_API bool famqp_array_next_short(famqp_iter *it, int16_t *out);
FAMQP_API bool famqp_array_next_int(famqp_iter *it, int32_t *out);
FAMQP_API bool famqp_array_next_long(famqp_iter *it, int64_t *out);
FAMQP_API bool famqp_array_next_float(famqp_iter *it, float *out);
FAMQP_API bool famqp_array_next_double(famqp_iter *it, double *out);
FAMQP_API bool famqp_array_next_decimal32(famqp_iter *it, famqp_decimal32 *out);
FAMQP_API bool famqp_array_next_decimal64(famqp_iter *it, famqp_decimal64 *out);
FAMQP_API bool famqp_array_next_decimal128(famqp_iter *it, famqp_decimal128 *out);
FAMQP_API bool famqp_array_next_char(famqp_iter *it, uint32_t *out);
FAMQP_API bool famqp_array_next_timestamp(famqp_iter *it, int64_t *out);
FAMQP_API bool famqp_array_next_uuid(famqp_iter *it, famqp_uuid *out);
FAMQP_API bool famqp_array_next_binary(famqp_iter *it, famqp_binary *out);
FAMQP_API bool famqp_array_next_string(famqp_iter *it, famqp_string *out);
FAMQP_API bool famqp_array_next_symbol(famqp_iter *it, famqp_symbol *out);
/* Any element as a stand-alone view: body bytes plus the shared ctor. */
FAMQP_API bool famqp_array_next_raw(famqp_iter *it, famqp_binary *body);

/* Iterate a multiple field's decoded (wire) values. */
FAMQP_API void famqp_multiple_iter(const famqp_multiple *m, famqp_iter *it);

/* Map lookup by symbol or string key (first match); true when found. */
FAMQP_API bool famqp_map_get_symbol_key(const famqp_map *m, const char *key, famqp_value *val);
FAMQP_API bool famqp_map_get_string_key(const famqp_map *m, const char *key, famqp_value *val);

/* Value equality of two encodings (so uint0 == smalluint 0 == uint 0, and
 * list8/list32, map8/map32, str8/str32 ... compare by content). */
FAMQP_API bool famqp_value_equal(famqp_value a, famqp_value b);

/* Human-readable rendering, e.g. {"tenant"="acme", :priority=5}. */
FAMQP_API void famqp_value_print(FILE *f, famqp_value v);

/* ---- generic values: building (write-or-count) ------------------------ */

/* Writes encoded values into buf.  Writes that do not fit are counted but
 * not stored, so after a too-small buffer famqp_writer_len() is the size
 * needed.  Compound values (list, map, array, described) are opened and
 * closed; lists and maps are written with 32-bit sizes. */
#define FAMQP_WRITER_MAX_DEPTH 32
typedef struct famqp_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint32_t depth;
    bool bad; /* unbalanced open/close or depth over FAMQP_WRITER_MAX_DEPTH */
    struct { size_t start; uint32_t count; uint8_t kind; } open[FAMQP_WRITER_MAX_DEPTH];
} famqp_writer;

FAMQP_API void famqp_writer_init(famqp_writer *w, uint8_t *buf, size_t cap);
FAMQP_API size_t famqp_writer_len(const famqp_writer *w);
/* FAMQP_OK when everything fit and compounds are balanced; FAMQP_ERR_LIMIT
 * when buf was too small (see famqp_writer_len), FAMQP_ERR_INVALID_VALUE when
 * unbalanced. */
FAMQP_API famqp_status famqp_writer_status(const famqp_writer *w);

FAMQP_API void famqp_write_null(famqp_writer *w);
FAMQP_API void famqp_write_bool(famqp_writer *w, bool v);
FAMQP_API void famqp_write_ubyte(famqp_writer *w, uint8_t v);
FAMQP_API void famqp_write_ushort(famqp_writer *w, uint16_t v);
FAMQP_API void famqp_write_uint(famqp_writer *w, uint32_t v);
FAMQP_API void famqp_write_ulong(famqp_writer *w, uint64_t v);
FAMQP_API void famqp_write_byte(famqp_writer *w, int8_t v);
FAMQP_API void famqp_write_short(famqp_writer *w, int16_t v);
FAMQP_API void famqp_write_int(famqp_writer *w, int32_t v);
FAMQP_API void famqp_write_long(famqp_writer *w, int64_t v);
FAMQP_API void famqp_write_float(famqp_writer *w, float v);
FAMQP_API void famqp_write_double(famqp_writer *w, double v);
FAMQP_API void famqp_write_decimal32(famqp_writer *w, famqp_decimal32 v);
FAMQP_API void famqp_write_decimal64(famqp_writer *w, famqp_decimal64 v);
FAMQP_API void famqp_write_decimal128(famqp_writer *w, famqp_decimal128 v);
FAMQP_API void famqp_write_char(famqp_writer *w, uint32_t v);
FAMQP_API void famqp_write_timestamp(famqp_writer *w, int64_t v);
FAMQP_API void famqp_write_uuid(famqp_writer *w, famqp_uuid v);
FAMQP_API void famqp_write_binary(famqp_writer *w, famqp_binary v);
FAMQP_API void famqp_write_string(famqp_writer *w, famqp_string v);
FAMQP_API void famqp_write_symbol(famqp_writer *w, famqp_symbol v);
FAMQP_API void famqp_write_cstring(famqp_writer *w, const char *s); /* string */
FAMQP_API void famqp_write_csymbol(famqp_writer *w, const char *s); /* symbol */
FAMQP_API void famqp_write_value(famqp_writer *w, famqp_value v);   /* copies an encoded value */
FAMQP_API void famqp_write_list_begin(famqp_writer *w);
FAMQP_API void famqp_write_list_end(famqp_writer *w);
FAMQP_API void famqp_write_map_begin(famqp_writer *w);
FAMQP_API void famqp_write_map_end(famqp_writer *w);
/* Array of `count` elements of one primitive type, from C values. */
FAMQP_API void famqp_write_array_symbol(famqp_writer *w, const famqp_symbol *items, uint32_t count);
/* Described value: call, then write the descriptor, then the value. */
FAMQP_API void famqp_write_described(famqp_writer *w);

/* Views of what a writer produced (buf must hold the whole encoding). */
FAMQP_API famqp_value famqp_writer_value(const famqp_writer *w);
/* Decodes a complete encoded list / map into a view; false if malformed. */
FAMQP_API bool famqp_list_of(const uint8_t *p, size_t n, famqp_list *out);
FAMQP_API bool famqp_map_of(const uint8_t *p, size_t n, famqp_map *out);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_CODEC_H */
