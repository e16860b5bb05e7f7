/* The reader: complete (out-of-line) readers for every primitive type, the
 * compound and generic value readers, descriptors, multiple fields, and
 * entering/leaving composite list bodies.  The inline fast paths in wire.h
 * fall back to the *_slow functions here, which accept the same inputs. */
#include "codec_internal.h"

/* A code that is not an encoding of the expected type. */
static int mismatch(famqp_reader *r, const char *field)
{
    const famqp_code_info_t *ci = &famqp_code_info[*r->p];
    if (ci->cls == FAMQP_CLASS_INVALID)
        return famqp_fail(r, FAMQP_ERR_BAD_CONSTRUCTOR, field, "format code not defined by AMQP 1.0");
    return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, ci->found);
}

static int ended(famqp_reader *r, const char *field)
{
    return famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "value expected, input ended");
}

/* Finds the fixed-width body of a value of a type whose encodings are
 * `codes`.  Returns the body (r->p still at the constructor) and sets *t to
 * the table entry (1 + width), or NULL for null (consumed) and failures. */
static const uint8_t *fixed_start(famqp_reader *r, famqp_code_table codes, const char *field, unsigned *t)
{
    const uint8_t *p = r->p;
    if (p >= r->end) {
        ended(r, field);
        return NULL;
    }
    unsigned tt = codes[*p];
    if (tt) {
        if ((size_t)(r->end - p) < tt) {
            famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "fixed-width value exceeds bytes remaining");
            return NULL;
        }
        *t = tt;
        return p + 1;
    }
    if (*p == FAMQP_CODE_NULL)
        r->p = p + 1;
    else
        mismatch(r, field);
    return NULL;
}

/* The readers of fixed-width types: DECODE stores the body b (t - 1 bytes)
 * in *out, or returns a failure while r->p is still at the constructor. */
#define FIXED_READER(NAME, T, CT, DECODE)                                              \
    int NAME(famqp_reader *r, CT *out, const char *field)                              \
    {                                                                                  \
        unsigned t;                                                                    \
        const uint8_t *b = fixed_start(r, famqp_codes_##T, field, &t);                 \
        if (!b)                                                                        \
            return 0;                                                                  \
        DECODE;                                                                        \
        r->p = b + t - 1;                                                              \
        return 1;                                                                      \
    }
/* ubyte..timestamp have several encodings (widths) and an inline path in
 * wire.h; byte and short have one each and are rare: no inline path. */
FIXED_READER(famqp__read_ubyte_slow, ubyte, uint8_t, *out = (uint8_t)famqp__load_n(b, t - 1))
FIXED_READER(famqp__read_ushort_slow, ushort, uint16_t, *out = (uint16_t)famqp__load_n(b, t - 1))
FIXED_READER(famqp__read_uint_slow, uint, uint32_t, *out = (uint32_t)famqp__load_n(b, t - 1))
FIXED_READER(famqp__read_ulong_slow, ulong, uint64_t, *out = (uint64_t)famqp__load_n(b, t - 1))
FIXED_READER(famqp__read_int_slow, int, int32_t, *out = (int32_t)famqp__load_signed_n(b, t - 1))
FIXED_READER(famqp__read_long_slow, long, int64_t, *out = (int64_t)famqp__load_signed_n(b, t - 1))
FIXED_READER(famqp__read_timestamp_slow, timestamp, int64_t, *out = (int64_t)famqp__load_signed_n(b, t - 1))
FIXED_READER(famqp_read_byte, byte, int8_t, *out = (int8_t)famqp__load_signed_n(b, 1))
FIXED_READER(famqp_read_short, short, int16_t, *out = (int16_t)famqp__load_signed_n(b, 2))
FIXED_READER(famqp_read_char, char, uint32_t, uint32_t c = famqp_load32(b);
             if (!famqp__char_valid(c)) return famqp_fail(r, FAMQP_ERR_INVALID_UTF8, field,
                                                          "char not a Unicode scalar value");
             *out = c)
FIXED_READER(famqp_read_float, float, float, uint32_t u = famqp_load32(b); memcpy(out, &u, 4))
FIXED_READER(famqp_read_double, double, double, uint64_t u = famqp_load64(b); memcpy(out, &u, 8))
FIXED_READER(famqp_read_decimal32, decimal32, famqp_decimal32, memcpy(out->bytes, b, 4))
FIXED_READER(famqp_read_decimal64, decimal64, famqp_decimal64, memcpy(out->bytes, b, 8))
FIXED_READER(famqp_read_decimal128, decimal128, famqp_decimal128, memcpy(out->bytes, b, 16))
FIXED_READER(famqp_read_uuid, uuid, famqp_uuid, memcpy(out->bytes, b, 16))

/* boolean: true and false carry no body, 0x56 one byte that must be 0 or 1. */
int famqp__read_bool_slow(famqp_reader *r, bool *out, const char *field)
{
    unsigned t;
    const uint8_t *b = fixed_start(r, famqp_codes_boolean, field, &t);
    if (!b)
        return 0;
    if (t == 1) { /* 0x41 / 0x42 */
        *out = b[-1] == FAMQP_CODE_TRUE;
        r->p = b;
        return 1;
    }
    if (b[0] > 1)
        return famqp_fail(r, FAMQP_ERR_INVALID_VALUE, field, "boolean byte neither 0 nor 1");
    *out = b[0] == 1;
    r->p = b + 1;
    return 1;
}

/* Variable-width values: returns the payload and its length, r->p still at
 * the constructor; NULL for null (consumed) and failures. */
static const uint8_t *vbytes_start(famqp_reader *r, famqp_code_table codes, const char *field, size_t *len)
{
    const uint8_t *p = r->p;
    if (p >= r->end) {
        ended(r, field);
        return NULL;
    }
    unsigned t = codes[*p]; /* 1 + length field width */
    if (!t) {
        if (*p == FAMQP_CODE_NULL)
            r->p = p + 1;
        else
            mismatch(r, field);
        return NULL;
    }
    size_t avail = (size_t)(r->end - p);
    if (avail < t) {
        famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "length field exceeds bytes remaining");
        return NULL;
    }
    size_t n = t == 2 ? p[1] : famqp_load32(p + 1);
    if (n > avail - t) {
        famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "length exceeds bytes remaining");
        return NULL;
    }
    *len = n;
    return p + t;
}

/* The readers of binary, string and symbol: CHECK may refuse the payload
 * b[0..n) while r->p is still at the constructor. */
#define VARIABLE_READER(T, PT, CHECK)                                                  \
    int famqp__read_##T##_slow(famqp_reader *r, famqp_##T *out, const char *field)   \
    {                                                                                  \
        size_t n;                                                                      \
        const uint8_t *b = vbytes_start(r, famqp_codes_##T, field, &n);                \
        if (!b)                                                                        \
            return 0;                                                                  \
        CHECK;                                                                         \
        out->ptr = (PT)b;                                                              \
        out->len = n;                                                                  \
        r->p = b + n;                                                                  \
        return 1;                                                                      \
    }
VARIABLE_READER(binary, const uint8_t *, (void)0)
VARIABLE_READER(string, const char *,
                if (!famqp__utf8_valid_fast(b, n)) return famqp_fail(r, FAMQP_ERR_INVALID_UTF8, field,
                                                                     "string is not valid UTF-8"))
VARIABLE_READER(symbol, const char *,
                if (!famqp_ascii_valid(b, n)) return famqp_fail(r, FAMQP_ERR_INVALID_UTF8, field,
                                                                "symbol is not ASCII"))

/* ---- compounds and generic values --------------------------------------- */

/* Validates a whole value whose code is in `codes` (0 for any code) and
 * returns its end; NULL for null (consumed) and failures. */
static const uint8_t *whole_value(famqp_reader *r, famqp_code_table codes, const char *field)
{
    const uint8_t *p = r->p;
    if (p >= r->end) {
        ended(r, field);
        return NULL;
    }
    if (*p == FAMQP_CODE_NULL) {
        r->p = p + 1;
        return NULL;
    }
    if (codes && !codes[*p]) {
        mismatch(r, field);
        return NULL;
    }
    return famqp__validate_value(r, p, r->end, r->depth, field);
}

/* The list or map (by codes) at r->p as count, items and length: a map's
 * view has the same three fields.  All zero for null (consumed) and
 * failures. */
static int read_compound(famqp_reader *r, famqp_code_table codes, const char *field, famqp_list *out)
{
    const uint8_t *p = r->p, *next = whole_value(r, codes, field);
    if (!next) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    famqp_compound_hdr h;
    famqp__compound_hdr(famqp_code_info[*p].width, p + 1, (size_t)(next - p - 1), &h);
    *out = (famqp_list){h.count, h.body, (size_t)(h.end - h.body)};
    r->p = next;
    return 1;
}

int famqp_read_list(famqp_reader *r, famqp_list *out, const char *field)
{
    return read_compound(r, famqp_codes_list, field, out);
}

/* A map8/map32 of scalar keys and values (the usual application-properties
 * or annotations), validated in one inline pass with the same checks as
 * famqp__validate_value; NULL when the complete validator must decide. */
static const uint8_t *map_fast(const famqp_reader *r, famqp_map *out)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    if (avail < 3 || (p[0] != FAMQP_CODE_MAP8 && p[0] != FAMQP_CODE_MAP32) || r->depth >= r->limits->max_depth ||
        r->depth >= FAMQP_HARD_MAX_DEPTH)
        return NULL;
    size_t w = p[0] == FAMQP_CODE_MAP8 ? 1 : 4; /* width of the size and count fields */
    if (avail - 1 < 2 * w)
        return NULL;
    size_t size = w == 1 ? p[1] : famqp_load32(p + 1);
    size_t count = w == 1 ? p[2] : famqp_load32(p + 1 + w);
    /* size covers the count field and one byte per element at least */
    if (size < w || size > avail - 1 - w || count > size - w || count > r->limits->max_count || (count & 1u))
        return NULL;
    const uint8_t *q = p + 1 + 2 * w, *cend = p + 1 + w + size;
    for (size_t i = 0; i < count; i++)
        if (!(q = famqp__scalar_fast(q, cend)))
            return NULL;
    if (q != cend)
        return NULL;
    *out = (famqp_map){(uint32_t)count, p + 1 + 2 * w, size - w};
    return cend;
}

int famqp_read_map(famqp_reader *r, famqp_map *out, const char *field)
{
    const uint8_t *fast = map_fast(r, out);
    if (fast) {
        r->p = fast;
        return 1;
    }
    famqp_list v;
    int ok = read_compound(r, famqp_codes_map, field, &v);
    *out = (famqp_map){v.count, v.items, v.len};
    return ok;
}

/* View of a validated array value at p..next. */
static void array_view(const uint8_t *p, const uint8_t *next, famqp_array *out)
{
    famqp_compound_hdr h;
    famqp__compound_hdr(famqp_code_info[*p].width, p + 1, (size_t)(next - p - 1), &h);
    size_t clen = 0;
    uint8_t code;
    famqp__array_ctor(h.body, (size_t)(h.end - h.body), &clen, &code);
    out->count = h.count;
    out->ctor = h.body;
    out->ctor_len = clen;
    out->items = h.body + clen;
    out->len = (size_t)(h.end - h.body) - clen;
}

int famqp_read_array(famqp_reader *r, famqp_array *out, const char *field)
{
    const uint8_t *p = r->p, *next = whole_value(r, famqp_codes_array, field);
    if (!next) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    array_view(p, next, out);
    r->p = next;
    return 1;
}

int famqp_read_value(famqp_reader *r, famqp_value *out, const char *field)
{
    const uint8_t *p = r->p, *next = whole_value(r, NULL, field);
    if (!next) {
        out->ptr = NULL;
        out->len = 0;
        return 0;
    }
    out->ptr = p;
    out->len = (size_t)(next - p);
    r->p = next;
    return 1;
}

int famqp_read_multiple(famqp_reader *r, famqp_multiple *out, famqp_code_table codes, const char *field)
{
    memset(out, 0, sizeof *out);
    const uint8_t *p = r->p;
    if (p < r->end && !famqp_codes_array[*p] && *p != FAMQP_CODE_NULL && !codes[*p])
        return mismatch(r, field);
    const uint8_t *next = whole_value(r, NULL, field);
    if (!next)
        return 0;
    if (famqp_codes_array[*p]) {
        array_view(p, next, &out->wire);
        /* described elements (ctor_len > 1) are not plain values of the type */
        if (out->wire.ctor_len != 1 || !codes[out->wire.ctor[0]]) {
            memset(out, 0, sizeof *out);
            r->p = p;
            return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, "array elements of another type");
        }
    } else { /* a single value: a one-element array sharing its constructor */
        out->wire = (famqp_array){1, p, 1, p + 1, (size_t)(next - p - 1)};
    }
    out->count = out->wire.count;
    r->p = next;
    return 1;
}

int famqp__read_descriptor_slow(famqp_reader *r, uint64_t *code, famqp_symbol *name, const char *field)
{
    const uint8_t *p = r->p;
    if (p >= r->end)
        return ended(r, field);
    if (*p == FAMQP_CODE_NULL) {
        r->p = p + 1;
        return 0;
    }
    if (*p != FAMQP_CODE_DESCRIBED)
        return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, "expected a described value");
    r->p = p + 1;
    if (r->p < r->end && famqp_codes_ulong[*r->p]) {
        name->ptr = NULL;
        name->len = 0;
        return famqp_read_ulong(r, code, field);
    }
    if (r->p < r->end && famqp_codes_symbol[*r->p]) {
        *code = UINT64_MAX;
        return famqp_read_symbol(r, name, field);
    }
    if (r->p >= r->end)
        return famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "descriptor expected, input ended");
    return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, "descriptor is neither a ulong nor a symbol");
}

/* ---- composite list bodies ---------------------------------------------- */

int famqp__list_enter_slow(famqp_reader *r, uint32_t *count, const uint8_t **saved_end, const char *field)
{
    const uint8_t *p = r->p;
    *count = 0;
    *saved_end = r->end;
    if (p >= r->end)
        return ended(r, field);
    unsigned t = famqp_codes_list[*p]; /* 1 + width of size and count */
    if (!t)
        return mismatch(r, field);
    uint32_t maxd = r->limits->max_depth;
    if (r->depth >= maxd)
        return famqp_fail(r, FAMQP_ERR_DEPTH, field, "nesting deeper than limits.max_depth");
    size_t avail = (size_t)(r->end - p) - 1;
    size_t w = t - 1, size = 0, n = 0;
    if (w) {
        if (avail < 2 * w)
            return famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "size and count fields exceed bytes remaining");
        size = w == 1 ? p[1] : famqp_load32(p + 1);
        if (size > avail - w)
            return famqp_fail(r, FAMQP_ERR_TRUNCATED, field, "list size exceeds bytes remaining");
        if (size < w)
            return famqp_fail(r, FAMQP_ERR_INVALID_VALUE, field, "list size smaller than its count field");
        n = w == 1 ? p[1 + w] : famqp_load32(p + 1 + w);
        if (n > r->limits->max_count)
            return famqp_fail(r, FAMQP_ERR_LIMIT, field, "element count above limits.max_count");
        if (n > size - w) /* each element takes at least one byte */
            return famqp_fail(r, FAMQP_ERR_LIMIT, field, "element count larger than the list size can hold");
    }
    *count = (uint32_t)n;
    r->depth++;
    r->end = p + 1 + w + size;
    r->p = p + 1 + 2 * w;
    return 1;
}

void famqp__list_leave_slow(famqp_reader *r, uint32_t count, uint32_t consumed, const uint8_t *saved_end)
{
    if (!famqp_reader_failed(r)) {
        bool ok = true;
        for (uint32_t i = consumed; ok && i < count; i++) {
            const uint8_t *next = famqp__validate_value(r, r->p, r->end, r->depth, NULL);
            if (next)
                r->p = next; /* on failure r->p is at r->end already */
            ok = next != NULL;
        }
        if (ok && r->p != r->end)
            famqp__fail_at(r, r->p, FAMQP_ERR_INVALID_VALUE, NULL, "list size larger than its elements");
    }
    if (r->depth)
        r->depth--;
    r->end = saved_end;
    if (famqp_reader_failed(r))
        r->p = saved_end;
}
