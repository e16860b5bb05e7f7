/** @file famqp/codec.h
 * @brief flatamqp runtime: the public codec vocabulary.
 *
 * Status codes and decode errors, configurable limits, zero-copy views of
 * encoded AMQP values, and the generic (untyped) reader and writer used for
 * maps, lists, arrays, annotations and amqp-value bodies.  Generated typed
 * codecs (famqp_spec.h) are built on these types.
 *
 * Views never own memory: they point into the buffer that was decoded, so
 * the caller keeps that buffer alive as long as it uses the decoded struct.
 *
 * Threads: no global state beyond constants; any thread may call these
 * functions, on objects that no other thread uses at the same time.
  *
 * Conventions (docs/api-conventions.md): calls return famqp_status,
 * FAMQP_OK or `FAMQP_ERR_<WHAT>` (the base layer's names carry no layer
 * word), with a famqp_error (may be NULL) saying where; a decoder's output
 * is unspecified unless it returned FAMQP_OK.  Nothing here allocates;
 * views point into the caller's bytes.
 */
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

/** Bumped whenever the contract between famqp-gen output and the runtime
 *  changes; generated headers \#error out on a mismatch. */
#define FAMQP_GENERATOR_ABI 1

/* ---- status and errors ------------------------------------------------ */

/** Outcome of a decode, a validation or a write. */
typedef enum famqp_status {
    FAMQP_OK = 0,                /**< success */
    FAMQP_ERR_TRUNCATED,         /**< input ends before the value does */
    FAMQP_ERR_BAD_CONSTRUCTOR,   /**< format code not defined by AMQP 1.0 */
    FAMQP_ERR_TYPE_MISMATCH,     /**< legal code, but not for this field's type
                                      (includes a wrong descriptor) */
    FAMQP_ERR_MISSING_MANDATORY, /**< mandatory field absent or null */
    FAMQP_ERR_INVALID_UTF8,      /**< string not UTF-8, symbol not ASCII,
                                      char not a Unicode scalar value */
    FAMQP_ERR_INVALID_VALUE,     /**< well-formed but illegal: value outside a
                                      restricted type's choices, odd map count,
                                      compound size disagreeing with content */
    FAMQP_ERR_DEPTH,             /**< nesting deeper than limits.max_depth */
    FAMQP_ERR_LIMIT,             /**< a count or size above a limit, or larger
                                      than the bytes remaining could hold */
    FAMQP_STATUS_COUNT           /**< number of statuses (not a status) */
} famqp_status;

/** Where and why a decode failed.  Only the first error is recorded. */
typedef struct famqp_error {
    famqp_status status; /**< what went wrong; FAMQP_OK when nothing did */
    const char *type;   /**< AMQP type being decoded, e.g. "transfer" (static) */
    const char *field;  /**< field name, e.g. "delivery-tag", or NULL (static) */
    size_t offset;      /**< byte offset into the decode input */
    const char *detail; /**< static extra explanation, or NULL */
} famqp_error;

/** Short name of a status: "ok", "truncated", "bad constructor", ... */
FAMQP_API const char *famqp_status_name(famqp_status s);

/** Formats e.g. "truncated: transfer.delivery-tag at offset 12 (vbin8 length
 *  9 exceeds 4 bytes remaining)" into buf, snprintf-style (always
 *  NUL-terminated when cap > 0).
 *  @return the length it wanted to write, without the NUL. */
FAMQP_API size_t famqp_error_format(const famqp_error *e, char *buf, size_t cap);

/* ---- limits ----------------------------------------------------------- */

/** What a decoder or validator accepts before failing with FAMQP_ERR_DEPTH
 *  or FAMQP_ERR_LIMIT: bounds on the work and memory hostile input costs. */
typedef struct famqp_limits {
    uint32_t max_depth; /**< nesting of lists/maps/arrays/described values */
    uint32_t max_count; /**< elements in one list, map or array */
    /** Elements of one array whose element encoding takes no bytes (null,
     *  true, false, uint0, ulong0, list0): no input bytes bound their count,
     *  so a few bytes could declare millions.  0 = max_count alone. */
    uint32_t max_empty_elements;
} famqp_limits;

/** famqp_default_limits.max_depth */
#define FAMQP_DEFAULT_MAX_DEPTH 64u
/** famqp_default_limits.max_count */
#define FAMQP_DEFAULT_MAX_COUNT (1u << 24)
/** famqp_default_limits.max_empty_elements */
#define FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS 65536u
/** The limits used where a famqp_limits pointer is NULL. */
FAMQP_API extern const famqp_limits famqp_default_limits;

/* ---- zero-copy views and fixed-size values ----------------------------- */

/** AMQP binary: a view of len bytes at ptr. */
typedef struct famqp_binary {
    const uint8_t *ptr; /**< first byte (may be NULL when len is 0) */
    size_t len;         /**< number of bytes */
} famqp_binary;
/** AMQP string: a view of UTF-8, not NUL-terminated. */
typedef struct famqp_string {
    const char *ptr; /**< first byte (may be NULL when len is 0) */
    size_t len;      /**< length in bytes */
} famqp_string;
/** AMQP symbol: a view of ASCII, not NUL-terminated. */
typedef struct famqp_symbol {
    const char *ptr; /**< first byte (may be NULL when len is 0) */
    size_t len;      /**< length in bytes */
} famqp_symbol;
/** AMQP decimal32: the IEEE 754 bytes, network order. */
typedef struct famqp_decimal32 { uint8_t bytes[4]; /**< network order */ } famqp_decimal32;
/** AMQP decimal64: the IEEE 754 bytes, network order. */
typedef struct famqp_decimal64 { uint8_t bytes[8]; /**< network order */ } famqp_decimal64;
/** AMQP decimal128: the IEEE 754 bytes, network order. */
typedef struct famqp_decimal128 { uint8_t bytes[16]; /**< network order */ } famqp_decimal128;
/** AMQP uuid: the 16 bytes, network order. */
typedef struct famqp_uuid { uint8_t bytes[16]; /**< network order */ } famqp_uuid;

/** One complete encoded value, constructor included.  len == 0: no value. */
typedef struct famqp_value {
    const uint8_t *ptr; /**< the constructor's first byte */
    size_t len;         /**< encoded length, constructor included */
} famqp_value;

/** Elements of a list: `count` encoded values back to back in items[0..len). */
typedef struct famqp_list {
    uint32_t count;       /**< number of elements */
    const uint8_t *items; /**< the first element's constructor */
    size_t len;           /**< bytes of all elements */
} famqp_list;

/** Entries of a map: `count` is the number of encoded values (keys plus
 *  values, so always even) back to back in items[0..len). */
typedef struct famqp_map {
    uint32_t count;       /**< keys plus values */
    const uint8_t *items; /**< the first key's constructor */
    size_t len;           /**< bytes of all keys and values */
} famqp_map;

/** An array: `count` element bodies in items[0..len) sharing one element
 *  constructor ctor[0..ctor_len): a format code, or 0x00 + descriptor value +
 *  format code for described elements. */
typedef struct famqp_array {
    uint32_t count;       /**< number of elements */
    const uint8_t *ctor;  /**< the shared element constructor */
    size_t ctor_len;      /**< its length in bytes */
    const uint8_t *items; /**< the first element's body */
    size_t len;           /**< bytes of all element bodies */
} famqp_array;

/** A field declared multiple="true".  Decoding fills `wire` (a single value
 *  on the wire is presented as a one-element array view) and `count`, and
 *  sets items to NULL.  To encode, either point `items` at `count` C values
 *  of the field's element type (e.g. const famqp_symbol[]), or leave items
 *  NULL and keep a decoded `wire` view (re-encoded as received). */
typedef struct famqp_multiple {
    uint32_t count;     /**< number of values */
    const void *items;  /**< encoding: `count` C values, or NULL to use `wire` */
    famqp_array wire;   /**< decoding: the values as received */
} famqp_multiple;

/** @name Views of C strings and byte arrays
 *  Convenience constructors and comparisons; the views point into the
 *  argument, which must outlive them.
 *  @{ */
/** A string view of a NUL-terminated C string (NUL not included). */
FAMQP_API famqp_string famqp_string_of(const char *nul_terminated);
/** A symbol view of a NUL-terminated C string (NUL not included). */
FAMQP_API famqp_symbol famqp_symbol_of(const char *nul_terminated);
/** A binary view of len bytes at ptr. */
FAMQP_API famqp_binary famqp_binary_of(const void *ptr, size_t len);
/** True when s holds exactly the bytes of nul_terminated. */
FAMQP_API bool famqp_symbol_eq(famqp_symbol s, const char *nul_terminated);
/** True when s holds exactly the bytes of nul_terminated. */
FAMQP_API bool famqp_string_eq(famqp_string s, const char *nul_terminated);
/** @} */

/* ---- generic values: inspection --------------------------------------- */

/** The AMQP type of an encoded value, as its constructor says. */
typedef enum famqp_kind {
    FAMQP_KIND_INVALID = 0, /**< no value, or an undefined format code */
    FAMQP_KIND_NULL,        /**< null */
    FAMQP_KIND_BOOLEAN,     /**< boolean */
    FAMQP_KIND_UBYTE,       /**< ubyte */
    FAMQP_KIND_USHORT,      /**< ushort */
    FAMQP_KIND_UINT,        /**< uint */
    FAMQP_KIND_ULONG,       /**< ulong */
    FAMQP_KIND_BYTE,        /**< byte */
    FAMQP_KIND_SHORT,       /**< short */
    FAMQP_KIND_INT,         /**< int */
    FAMQP_KIND_LONG,        /**< long */
    FAMQP_KIND_FLOAT,       /**< float */
    FAMQP_KIND_DOUBLE,      /**< double */
    FAMQP_KIND_DECIMAL32,   /**< decimal32 */
    FAMQP_KIND_DECIMAL64,   /**< decimal64 */
    FAMQP_KIND_DECIMAL128,  /**< decimal128 */
    FAMQP_KIND_CHAR,        /**< char */
    FAMQP_KIND_TIMESTAMP,   /**< timestamp */
    FAMQP_KIND_UUID,        /**< uuid */
    FAMQP_KIND_BINARY,      /**< binary */
    FAMQP_KIND_STRING,      /**< string */
    FAMQP_KIND_SYMBOL,      /**< symbol */
    FAMQP_KIND_LIST,        /**< list */
    FAMQP_KIND_MAP,         /**< map */
    FAMQP_KIND_ARRAY,       /**< array */
    FAMQP_KIND_DESCRIBED,   /**< described */
    FAMQP_KIND_COUNT        /**< number of kinds (not a kind) */
} famqp_kind;

/** Kind of an encoded value, from its first byte (INVALID for len 0 or an
 *  undefined code).  Values handed out by decoders were validated already. */
FAMQP_API famqp_kind famqp_value_kind(famqp_value v);
/** Name of a kind: "ulong", "map", ... */
FAMQP_API const char *famqp_kind_name(famqp_kind k);

/** Checks that p[0..n) starts with one well-formed value (every length,
 *  count, UTF-8 string, ASCII symbol and char checked; depth and counts
 *  limited) and stores its encoded length in *len.
 *  @param p    the input
 *  @param n    its length
 *  @param lim  limits, or NULL for famqp_default_limits
 *  @param len  set to the value's encoded length
 *  @param err  where the failure is described, or NULL
 *  @return FAMQP_OK, or the first failure's status */
FAMQP_API famqp_status famqp_value_validate(const uint8_t *p, size_t n, const famqp_limits *lim,
                                  size_t *len, famqp_error *err);

/** @name Typed getters
 *  @{ */
/** True, with the value in *out, when v holds that type (any of its
 *  encodings); false otherwise. */
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
/** @} */
/** A described value: its descriptor and its value, each a complete value. */
FAMQP_API bool famqp_value_get_described(famqp_value v, famqp_value *descriptor, famqp_value *value);

/** Iteration over validated lists, maps and arrays: set up by
 *  famqp_list_iter, famqp_map_iter, famqp_array_iter or
 *  famqp_multiple_iter; the next() functions return false at the end.
 *  The members are the iterator's state, not for the caller. */
typedef struct famqp_iter {
    const uint8_t *p;    /**< next element */
    const uint8_t *end;  /**< end of the elements */
    uint32_t left;       /**< elements not yet returned */
    const uint8_t *ctor; /**< arrays: shared element constructor */
    size_t ctor_len;     /**< arrays: its length */
} famqp_iter;

/** Starts iterating the elements of a list. */
FAMQP_API void famqp_list_iter(const famqp_list *l, famqp_iter *it);
/** The next list element into *item; false at the end. */
FAMQP_API bool famqp_list_next(famqp_iter *it, famqp_value *item);
/** Starts iterating the entries of a map. */
FAMQP_API void famqp_map_iter(const famqp_map *m, famqp_iter *it);
/** The next map entry's key and value; false at the end. */
FAMQP_API bool famqp_map_next(famqp_iter *it, famqp_value *key, famqp_value *val);

/** A value's kind and, for the scalar kinds, its C value, taken out in the
 *  same step that finds the value's end (no second pass through a getter).
 *  Filled member by kind: BOOLEAN b; UBYTE, USHORT, UINT, ULONG, CHAR u;
 *  BYTE, SHORT, INT, LONG, TIMESTAMP i; FLOAT f; DOUBLE d; BINARY bin,
 *  STRING str, SYMBOL sym (views of the bytes, length field skipped).
 *  Other kinds (NULL, decimals, UUID, compounds, DESCRIBED) fill nothing:
 *  read them from the encoded value with the famqp_value_get_* getters. */
typedef struct famqp_scalar {
    famqp_kind kind; /**< which member of u is filled */
    /** The C value, by kind (see famqp_scalar). */
    union {
        bool b;           /**< BOOLEAN */
        uint64_t u;       /**< UBYTE, USHORT, UINT, ULONG, CHAR */
        int64_t i;        /**< BYTE, SHORT, INT, LONG, TIMESTAMP */
        float f;          /**< FLOAT */
        double d;         /**< DOUBLE */
        famqp_binary bin; /**< BINARY */
        famqp_string str; /**< STRING */
        famqp_symbol sym; /**< SYMBOL */
    } u;
} famqp_scalar;

/** One map entry: the complete encoded key and value, and each decoded. */
typedef struct famqp_map_entry {
    famqp_value key;   /**< the encoded key */
    famqp_value value; /**< the encoded value */
    famqp_scalar k;    /**< the key, decoded */
    famqp_scalar v;    /**< the value, decoded */
} famqp_map_entry;

/** famqp_map_next and the typed getters in one call: false at the end (or
 *  on a malformed view, which ends the walk, as famqp_map_next does). */
FAMQP_API bool famqp_map_next_entry(famqp_iter *it, famqp_map_entry *e);
/** Starts iterating an array.  Array elements have no constructor of their
 *  own, so they are read with the famqp_array_next_* getters. */
FAMQP_API void famqp_array_iter(const famqp_array *a, famqp_iter *it);
/** @name Array element getters
 *  @{ */
/** The next array element into *out; false at the end, or when the
 *  array's element constructor is not of this type. */
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
/** @} */
/** Any element as a stand-alone view: its body bytes into *body; the
 *  shared constructor is it->ctor. */
FAMQP_API bool famqp_array_next_raw(famqp_iter *it, famqp_binary *body);

/** Starts iterating a multiple field's decoded (wire) values. */
FAMQP_API void famqp_multiple_iter(const famqp_multiple *m, famqp_iter *it);

/** Map lookup by symbol key (first match); true, with the value in *val,
 *  when found. */
FAMQP_API bool famqp_map_get_symbol_key(const famqp_map *m, const char *key, famqp_value *val);
/** Map lookup by string key (first match); true, with the value in *val,
 *  when found. */
FAMQP_API bool famqp_map_get_string_key(const famqp_map *m, const char *key, famqp_value *val);

/** Value equality of two encodings (so uint0 == smalluint 0 == uint 0, and
 *  list8/list32, map8/map32, str8/str32 ... compare by content). */
FAMQP_API bool famqp_value_equal(famqp_value a, famqp_value b);

/** Human-readable rendering to f, e.g. {"tenant"="acme", :priority=5}. */
FAMQP_API void famqp_value_print(FILE *f, famqp_value v);

/* ---- generic values: building (write-or-count) ------------------------ */

/** Compounds a famqp_writer can have open at once. */
#define FAMQP_WRITER_MAX_DEPTH 32
/** Writes encoded values into buf.  Writes that do not fit are counted but
 *  not stored, so after a too-small buffer famqp_writer_len() is the size
 *  needed.  Compound values (list, map, array, described) are opened and
 *  closed; lists and maps are written with 32-bit sizes.  The members are
 *  the writer's state: use the functions below. */
typedef struct famqp_writer {
    uint8_t *buf;    /**< the output buffer */
    size_t cap;      /**< its capacity */
    size_t len;      /**< bytes written or counted so far */
    uint32_t depth;  /**< compounds open */
    bool bad; /**< unbalanced open/close or depth over FAMQP_WRITER_MAX_DEPTH */
    /** An open compound: where it starts, its element count, its kind. */
    struct { size_t start; uint32_t count; uint8_t kind; } open[FAMQP_WRITER_MAX_DEPTH];
} famqp_writer;

/** Starts writing into buf[0..cap); with buf NULL, only counting. */
FAMQP_API void famqp_writer_init(famqp_writer *w, uint8_t *buf, size_t cap);
/** Bytes written so far, including those that did not fit. */
FAMQP_API size_t famqp_writer_len(const famqp_writer *w);
/** FAMQP_OK when everything fit and compounds are balanced; FAMQP_ERR_LIMIT
 *  when buf was too small (see famqp_writer_len), FAMQP_ERR_INVALID_VALUE when
 *  unbalanced. */
FAMQP_API famqp_status famqp_writer_status(const famqp_writer *w);

/** @name Writing values
 *  @{ */
/** Appends one value of that type. */
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
/** @} */
/** Appends a NUL-terminated C string as an AMQP string. */
FAMQP_API void famqp_write_cstring(famqp_writer *w, const char *s);
/** Appends a NUL-terminated C string as an AMQP symbol. */
FAMQP_API void famqp_write_csymbol(famqp_writer *w, const char *s);
/** Appends a copy of an encoded value. */
FAMQP_API void famqp_write_value(famqp_writer *w, famqp_value v);
/** Opens a list: the values written until famqp_write_list_end are its
 *  elements. */
FAMQP_API void famqp_write_list_begin(famqp_writer *w);
/** Closes the list opened last. */
FAMQP_API void famqp_write_list_end(famqp_writer *w);
/** Opens a map: the values written until famqp_write_map_end are its keys
 *  and values, alternating. */
FAMQP_API void famqp_write_map_begin(famqp_writer *w);
/** Closes the map opened last. */
FAMQP_API void famqp_write_map_end(famqp_writer *w);
/** Array of `count` elements of one primitive type (here symbol), from C
 *  values. */
FAMQP_API void famqp_write_array_symbol(famqp_writer *w, const famqp_symbol *items, uint32_t count);
/** Described value: call, then write the descriptor, then the value. */
FAMQP_API void famqp_write_described(famqp_writer *w);

/** A view of what a writer produced (buf must hold the whole encoding). */
FAMQP_API famqp_value famqp_writer_value(const famqp_writer *w);
/** Decodes a complete encoded list into a view; false if malformed. */
FAMQP_API bool famqp_list_of(const uint8_t *p, size_t n, famqp_list *out);
/** Decodes a complete encoded map into a view; false if malformed. */
FAMQP_API bool famqp_map_of(const uint8_t *p, size_t n, famqp_map *out);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_CODEC_H */
