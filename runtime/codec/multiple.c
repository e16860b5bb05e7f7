/* Arrays from C values (multiple="true" fields) and re-encoding of array
 * views.
 *
 * Array elements share one constructor, so one encoding must fit every
 * item: integers use the 1-byte form (smalluint, smallulong, smallint,
 * smalllong) when every item fits it, else the full width -- never the
 * 0-width uint0/ulong0, which could only encode arrays of zeros; booleans
 * use 0x56 (one byte each, since true/false codes carry no body);
 * binary/string/symbol use the 8-bit length form when every item is
 * shorter than 256 bytes, else the 32-bit form.  The array itself is
 * array8 when count and size fit one byte each, else array32. */
#include "codec_internal.h"

/* ---- array views ---------------------------------------------------------- */

static bool fits_array8(size_t inner, uint32_t count) { return inner + 1 <= 255 && count <= 255; }

size_t famqp_size_array(const famqp_array *v)
{
    size_t inner = v->ctor_len + v->len; /* after the count field */
    return fits_array8(inner, v->count) ? 3 + inner : 9 + inner;
}

/* Header of an array whose constructor and bodies take `inner` bytes. */
static uint8_t *put_array_header(uint8_t *p, size_t inner, uint32_t count)
{
    if (fits_array8(inner, count)) {
        p[0] = FAMQP_CODE_ARRAY8;
        p[1] = (uint8_t)(inner + 1);
        p[2] = (uint8_t)count;
        return p + 3;
    }
    p[0] = FAMQP_CODE_ARRAY32;
    p = famqp_store32(p + 1, (uint32_t)(inner + 4));
    return famqp_store32(p, count);
}

uint8_t *famqp_put_array(uint8_t *p, const famqp_array *v)
{
    p = put_array_header(p, v->ctor_len + v->len, v->count);
    if (v->ctor_len)
        memcpy(p, v->ctor, v->ctor_len);
    p += v->ctor_len;
    if (v->len)
        memcpy(p, v->items, v->len);
    return p + v->len;
}

/* ---- element encodings per C type ------------------------------------------ */
/* For each type: code_T picks the shared element code for all items,
 * esize_T is one element's body size under that code, eput_T writes it. */

#define ONE_CODE(T, CT, CODE, W)                                                        \
    static uint8_t code_##T(const CT *v, uint32_t n) { (void)v; (void)n; return CODE; } \
    static size_t esize_##T(uint8_t c, CT x) { (void)c; (void)x; return W; }
ONE_CODE(bool, bool, FAMQP_CODE_BOOLEAN, 1)
ONE_CODE(ubyte, uint8_t, FAMQP_CODE_UBYTE, 1)
ONE_CODE(byte, int8_t, FAMQP_CODE_BYTE, 1)
ONE_CODE(ushort, uint16_t, FAMQP_CODE_USHORT, 2)
ONE_CODE(short, int16_t, FAMQP_CODE_SHORT, 2)
ONE_CODE(float, float, FAMQP_CODE_FLOAT, 4)
ONE_CODE(double, double, FAMQP_CODE_DOUBLE, 8)
ONE_CODE(decimal32, famqp_decimal32, FAMQP_CODE_DECIMAL32, 4)
ONE_CODE(decimal64, famqp_decimal64, FAMQP_CODE_DECIMAL64, 8)
ONE_CODE(decimal128, famqp_decimal128, FAMQP_CODE_DECIMAL128, 16)
ONE_CODE(char, uint32_t, FAMQP_CODE_CHAR, 4)
ONE_CODE(timestamp, int64_t, FAMQP_CODE_TIMESTAMP, 8)
ONE_CODE(uuid, famqp_uuid, FAMQP_CODE_UUID, 16)

static uint8_t *eput_bool(uint8_t *p, uint8_t c, bool x) { (void)c; *p = x ? 1 : 0; return p + 1; }
static uint8_t *eput_ubyte(uint8_t *p, uint8_t c, uint8_t x) { (void)c; *p = x; return p + 1; }
static uint8_t *eput_byte(uint8_t *p, uint8_t c, int8_t x) { (void)c; *p = (uint8_t)x; return p + 1; }
static uint8_t *eput_ushort(uint8_t *p, uint8_t c, uint16_t x) { (void)c; return famqp_store16(p, x); }
static uint8_t *eput_short(uint8_t *p, uint8_t c, int16_t x) { (void)c; return famqp_store16(p, (uint16_t)x); }
static uint8_t *eput_float(uint8_t *p, uint8_t c, float x)
{
    uint32_t u;
    (void)c;
    memcpy(&u, &x, 4);
    return famqp_store32(p, u);
}
static uint8_t *eput_double(uint8_t *p, uint8_t c, double x)
{
    uint64_t u;
    (void)c;
    memcpy(&u, &x, 8);
    return famqp_store64(p, u);
}
#define EPUT_BYTES(T)                                                                   \
    static uint8_t *eput_##T(uint8_t *p, uint8_t c, famqp_##T x)                        \
    {                                                                                   \
        (void)c;                                                                        \
        memcpy(p, x.bytes, sizeof x.bytes);                                             \
        return p + sizeof x.bytes;                                                      \
    }
EPUT_BYTES(decimal32)
EPUT_BYTES(decimal64)
EPUT_BYTES(decimal128)
EPUT_BYTES(uuid)
static uint8_t *eput_char(uint8_t *p, uint8_t c, uint32_t x) { (void)c; return famqp_store32(p, x); }
static uint8_t *eput_timestamp(uint8_t *p, uint8_t c, int64_t x) { (void)c; return famqp_store64(p, (uint64_t)x); }

/* Integers with a 1-byte form: small code when every item fits it. */
#define SMALL_OR_FULL(T, CT, SMALL, FULL, FITS, STORE, UT)                               \
    static uint8_t code_##T(const CT *v, uint32_t n)                                    \
    {                                                                                   \
        for (uint32_t i = 0; i < n; i++)                                                \
            if (!(FITS))                                                                \
                return FULL;                                                            \
        return SMALL;                                                                   \
    }                                                                                   \
    static size_t esize_##T(uint8_t c, CT x) { (void)x; return c == SMALL ? 1 : famqp_code_info[FULL].width; } \
    static uint8_t *eput_##T(uint8_t *p, uint8_t c, CT x)                               \
    {                                                                                   \
        if (c == SMALL) {                                                               \
            *p = (uint8_t)x;                                                            \
            return p + 1;                                                               \
        }                                                                               \
        return STORE(p, (UT)x);                                                         \
    }
SMALL_OR_FULL(uint, uint32_t, FAMQP_CODE_SMALLUINT, FAMQP_CODE_UINT, v[i] < 256, famqp_store32, uint32_t)
SMALL_OR_FULL(ulong, uint64_t, FAMQP_CODE_SMALLULONG, FAMQP_CODE_ULONG, v[i] < 256, famqp_store64, uint64_t)
SMALL_OR_FULL(int, int32_t, FAMQP_CODE_SMALLINT, FAMQP_CODE_INT, v[i] >= -128 && v[i] <= 127, famqp_store32, uint32_t)
SMALL_OR_FULL(long, int64_t, FAMQP_CODE_SMALLLONG, FAMQP_CODE_LONG, v[i] >= -128 && v[i] <= 127, famqp_store64, uint64_t)

/* binary, string, symbol: 8-bit lengths when every item is < 256 bytes. */
#define VBYTES(T, CODE8)                                                                \
    static uint8_t code_##T(const famqp_##T *v, uint32_t n)                             \
    {                                                                                   \
        for (uint32_t i = 0; i < n; i++)                                                \
            if (v[i].len >= 256)                                                        \
                return (uint8_t)(CODE8 + 0x10);                                         \
        return CODE8;                                                                   \
    }                                                                                   \
    static size_t esize_##T(uint8_t c, famqp_##T x) { return (c == CODE8 ? 1 : 4) + x.len; } \
    static uint8_t *eput_##T(uint8_t *p, uint8_t c, famqp_##T x)                        \
    {                                                                                   \
        if (c == CODE8)                                                                 \
            *p++ = (uint8_t)x.len;                                                      \
        else                                                                            \
            p = famqp_store32(p, (uint32_t)x.len);                                      \
        if (x.len)                                                                      \
            memcpy(p, x.ptr, x.len);                                                    \
        return p + x.len;                                                               \
    }
VBYTES(binary, FAMQP_CODE_VBIN8)
VBYTES(string, FAMQP_CODE_STR8)
VBYTES(symbol, FAMQP_CODE_SYM8)

/* ---- multiple fields --------------------------------------------------------- */

/* No items and no wire view: the field is null. */
static bool multiple_is_null(const famqp_multiple *m) { return !m->items && !m->wire.ctor; }

#define MULTIPLE(T, CT)                                                                 \
    static size_t items_size_##T(const CT *v, uint32_t n, uint8_t code)                 \
    {                                                                                   \
        size_t body = 0;                                                                \
        for (uint32_t i = 0; i < n; i++)                                                \
            body += esize_##T(code, v[i]);                                              \
        return body;                                                                    \
    }                                                                                   \
    size_t famqp_size_multiple_##T(const famqp_multiple *m)                             \
    {                                                                                   \
        if (!m->items)                                                                  \
            return multiple_is_null(m) ? 1 : famqp_size_array(&m->wire);                \
        const CT *v = (const CT *)m->items;                                             \
        size_t inner = 1 + items_size_##T(v, m->count, code_##T(v, m->count));          \
        return fits_array8(inner, m->count) ? 3 + inner : 9 + inner;                    \
    }                                                                                   \
    uint8_t *famqp_put_multiple_##T(uint8_t *p, const famqp_multiple *m)                \
    {                                                                                   \
        if (!m->items) {                                                                \
            if (multiple_is_null(m)) {                                                  \
                *p = FAMQP_CODE_NULL;                                                   \
                return p + 1;                                                           \
            }                                                                           \
            return famqp_put_array(p, &m->wire);                                        \
        }                                                                               \
        const CT *v = (const CT *)m->items;                                             \
        uint8_t code = code_##T(v, m->count);                                           \
        p = put_array_header(p, 1 + items_size_##T(v, m->count, code), m->count);       \
        *p++ = code;                                                                    \
        for (uint32_t i = 0; i < m->count; i++)                                         \
            p = eput_##T(p, code, v[i]);                                                \
        return p;                                                                       \
    }
MULTIPLE(bool, bool)
MULTIPLE(ubyte, uint8_t)
MULTIPLE(ushort, uint16_t)
MULTIPLE(uint, uint32_t)
MULTIPLE(ulong, uint64_t)
MULTIPLE(byte, int8_t)
MULTIPLE(short, int16_t)
MULTIPLE(int, int32_t)
MULTIPLE(long, int64_t)
MULTIPLE(float, float)
MULTIPLE(double, double)
MULTIPLE(decimal32, famqp_decimal32)
MULTIPLE(decimal64, famqp_decimal64)
MULTIPLE(decimal128, famqp_decimal128)
MULTIPLE(char, uint32_t)
MULTIPLE(timestamp, int64_t)
MULTIPLE(uuid, famqp_uuid)
MULTIPLE(binary, famqp_binary)
MULTIPLE(string, famqp_string)
MULTIPLE(symbol, famqp_symbol)
