/* Generic values: kinds, typed getters (every encoding of a type), list,
 * map and array iteration, map lookup by key, and equality by value across
 * encodings.  Inputs are values validated already (decoders hand out only
 * those); every span is still bounded by the view's length, so a malformed
 * view yields false, never an over-read. */
#include "codec_internal.h"

famqp_string famqp_string_of(const char *s) { return (famqp_string){s, s ? strlen(s) : 0}; }
famqp_symbol famqp_symbol_of(const char *s) { return (famqp_symbol){s, s ? strlen(s) : 0}; }
famqp_binary famqp_binary_of(const void *ptr, size_t len) { return (famqp_binary){(const uint8_t *)ptr, len}; }

static bool bytes_eq(const char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    return n == k && (k == 0 || memcmp(p, s, k) == 0);
}
bool famqp_symbol_eq(famqp_symbol s, const char *z) { return bytes_eq(s.ptr, s.len, z); }
bool famqp_string_eq(famqp_string s, const char *z) { return bytes_eq(s.ptr, s.len, z); }

static const char *const kind_names[FAMQP_KIND_COUNT] = {
    "invalid", "null", "boolean", "ubyte", "ushort", "uint", "ulong", "byte", "short",
    "int", "long", "float", "double", "decimal32", "decimal64", "decimal128", "char",
    "timestamp", "uuid", "binary", "string", "symbol", "list", "map", "array", "described",
};

const char *famqp_kind_name(famqp_kind k)
{
    return (unsigned)k < FAMQP_KIND_COUNT ? kind_names[k] : "invalid";
}

famqp_kind famqp_value_kind(famqp_value v)
{
    return v.len ? (famqp_kind)famqp_code_info[v.ptr[0]].kind : FAMQP_KIND_INVALID;
}

/* ---- typed decoding of one body (code + the bytes after it) ------------- */

/* An element or value body: its format code and its span. */
typedef struct body { uint8_t code; const uint8_t *p; size_t n; } body;

/* famqp__body_span with the usual codes (fixed width, 8-bit length or
 * size) inline; same results. */
static inline size_t body_span_fast(uint8_t code, const uint8_t *p, size_t n)
{
    const famqp_code_info_t *ci = &famqp_code_info[code];
    if (ci->cls == FAMQP_CLASS_FIXED)
        return ci->width <= n ? ci->width : SIZE_MAX;
    if (ci->width == 1 && (ci->cls == FAMQP_CLASS_VARIABLE || ci->cls == FAMQP_CLASS_COMPOUND ||
                           ci->cls == FAMQP_CLASS_ARRAY)) {
        if (n < 1)
            return SIZE_MAX;
        size_t len = p[0];
        return len <= n - 1 ? 1 + len : SIZE_MAX;
    }
    return famqp__body_span(code, p, n);
}

const uint8_t famqp__span_code[256] = {
    [0x40] = 1, [0x41] = 1, [0x42] = 1, [0x43] = 1, [0x44] = 1,
    [0x50] = 2, [0x51] = 2, [0x52] = 2, [0x53] = 2, [0x54] = 2, [0x55] = 2, [0x56] = 2,
    [0x60] = 3, [0x61] = 3,
    [0x70] = 5, [0x71] = 5, [0x72] = 5, [0x73] = 5, [0x74] = 5,
    [0x80] = 9, [0x81] = 9, [0x82] = 9, [0x83] = 9, [0x84] = 9,
    [0x94] = 17, [0x98] = 17,
    [0xa0] = 0xFF, [0xa1] = 0xFF, [0xa3] = 0xFF,
    [0xc0] = 0xFE, [0xc1] = 0xFE, [0xe0] = 0xFE,
};

/* famqp__value_span, inline for the codes of famqp__span_code. */
static inline size_t value_span_fast(const uint8_t *p, size_t n)
{
    unsigned s = n ? famqp__span_code[p[0]] : 0;
    if (s >= 0xFE)
        return n >= 2 && (size_t)p[1] + 2 <= n ? (size_t)p[1] + 2 : 0;
    if (s)
        return s <= n ? s : 0;
    if (!n || p[0] == FAMQP_CODE_DESCRIBED)
        return famqp__value_span(p, n);
    size_t b = body_span_fast(p[0], p + 1, n - 1);
    return b == SIZE_MAX ? 0 : 1 + b;
}

static bool value_body(famqp_value v, famqp_code_table codes, body *b)
{
    if (!v.len || !codes[v.ptr[0]])
        return false;
    size_t n = body_span_fast(v.ptr[0], v.ptr + 1, v.len - 1);
    if (n == SIZE_MAX)
        return false;
    *b = (body){v.ptr[0], v.ptr + 1, n};
    return true;
}

static bool dec_bool(body b, bool *out)
{
    if (b.n == 0) {
        *out = b.code == FAMQP_CODE_TRUE;
        return true;
    }
    if (b.p[0] > 1)
        return false;
    *out = b.p[0] == 1;
    return true;
}
#define DEC_UNSIGNED(T, CT) static bool dec_##T(body b, CT *out) { *out = (CT)famqp__load_n(b.p, b.n); return true; }
#define DEC_SIGNED(T, CT) static bool dec_##T(body b, CT *out) { *out = (CT)famqp__load_signed_n(b.p, b.n); return true; }
DEC_UNSIGNED(ubyte, uint8_t)
DEC_UNSIGNED(ushort, uint16_t)
DEC_UNSIGNED(uint, uint32_t)
DEC_UNSIGNED(ulong, uint64_t)
DEC_SIGNED(byte, int8_t)
DEC_SIGNED(short, int16_t)
DEC_SIGNED(int, int32_t)
DEC_SIGNED(long, int64_t)
DEC_SIGNED(timestamp, int64_t)
static bool dec_float(body b, float *out) { uint32_t u = famqp_load32(b.p); memcpy(out, &u, 4); return true; }
static bool dec_double(body b, double *out) { uint64_t u = famqp_load64(b.p); memcpy(out, &u, 8); return true; }
static bool dec_char(body b, uint32_t *out)
{
    uint32_t c = famqp_load32(b.p);
    if (!famqp__char_valid(c))
        return false;
    *out = c;
    return true;
}
#define DEC_BYTES(T) static bool dec_##T(body b, famqp_##T *out) { memcpy(out->bytes, b.p, sizeof out->bytes); return true; }
DEC_BYTES(decimal32)
DEC_BYTES(decimal64)
DEC_BYTES(decimal128)
DEC_BYTES(uuid)
/* binary, string, symbol: skip the length field */
#define DEC_VBYTES(T, PT)                                                              \
    static bool dec_##T(body b, famqp_##T *out)                                        \
    {                                                                                  \
        size_t w = famqp_code_info[b.code].width;                                      \
        out->ptr = (PT)(b.p + w);                                                      \
        out->len = b.n - w;                                                            \
        return true;                                                                   \
    }
DEC_VBYTES(binary, const uint8_t *)
DEC_VBYTES(string, const char *)
DEC_VBYTES(symbol, const char *)

#define GETTER(T, CT)                                                                  \
    bool famqp_value_get_##T(famqp_value v, CT *out)                                   \
    {                                                                                  \
        body b;                                                                        \
        return value_body(v, famqp_codes_##T, &b) && dec_##T(b, out);                  \
    }
#define ELEMENT(T, CT)                                                                 \
    bool famqp_array_next_##T(famqp_iter *it, CT *out)                                 \
    {                                                                                  \
        body b;                                                                        \
        if (it->ctor_len != 1 || !famqp_codes_##T[it->ctor[0]] || !next_element(it, &b)) \
            return false;                                                              \
        return dec_##T(b, out);                                                        \
    }
#define BOTH(T, CT) GETTER(T, CT) ELEMENT(T, CT)

/* Next array element body (the constructor is shared, in it->ctor). */
static bool next_element(famqp_iter *it, body *b)
{
    if (!it->left || !it->ctor_len)
        return false;
    uint8_t code = it->ctor[it->ctor_len - 1];
    size_t n = famqp__body_span(code, it->p, (size_t)(it->end - it->p));
    if (n == SIZE_MAX) {
        it->left = 0;
        return false;
    }
    *b = (body){code, it->p, n};
    it->p += n;
    it->left--;
    return true;
}

bool famqp_value_get_bool(famqp_value v, bool *out)
{
    if (v.len && (uint8_t)(v.ptr[0] - FAMQP_CODE_TRUE) < 2u) { /* true / false */
        *out = v.ptr[0] == FAMQP_CODE_TRUE;
        return true;
    }
    body b;
    return value_body(v, famqp_codes_boolean, &b) && dec_bool(b, out);
}
bool famqp_array_next_bool(famqp_iter *it, bool *out)
{
    body b;
    if (it->ctor_len != 1 || !famqp_codes_boolean[it->ctor[0]] || !next_element(it, &b))
        return false;
    return dec_bool(b, out);
}
BOTH(ubyte, uint8_t)
BOTH(ushort, uint16_t)
BOTH(uint, uint32_t)
BOTH(ulong, uint64_t)
BOTH(byte, int8_t)
BOTH(short, int16_t)
ELEMENT(int, int32_t)
bool famqp_value_get_int(famqp_value v, int32_t *out)
{
    if (v.len >= 2 && v.ptr[0] == FAMQP_CODE_SMALLINT) { /* the usual encodings */
        *out = (int8_t)v.ptr[1];
        return true;
    }
    if (v.len >= 5 && v.ptr[0] == FAMQP_CODE_INT) {
        *out = (int32_t)famqp_load32(v.ptr + 1);
        return true;
    }
    body b;
    return value_body(v, famqp_codes_int, &b) && dec_int(b, out);
}
BOTH(long, int64_t)
BOTH(float, float)
BOTH(double, double)
BOTH(decimal32, famqp_decimal32)
BOTH(decimal64, famqp_decimal64)
BOTH(decimal128, famqp_decimal128)
BOTH(char, uint32_t)
BOTH(timestamp, int64_t)
BOTH(uuid, famqp_uuid)
BOTH(binary, famqp_binary)
ELEMENT(string, famqp_string)
bool famqp_value_get_string(famqp_value v, famqp_string *out)
{
    if (v.len >= 2 && v.ptr[0] == FAMQP_CODE_STR8 && v.ptr[1] <= v.len - 2) { /* str8 */
        out->ptr = (const char *)v.ptr + 2;
        out->len = v.ptr[1];
        return true;
    }
    body b;
    return value_body(v, famqp_codes_string, &b) && dec_string(b, out);
}
BOTH(symbol, famqp_symbol)

bool famqp_array_next_raw(famqp_iter *it, famqp_binary *out)
{
    body b;
    if (!next_element(it, &b))
        return false;
    *out = (famqp_binary){b.p, b.n};
    return true;
}

static bool compound_of(body b, famqp_compound_hdr *h)
{
    return famqp__compound_hdr(famqp_code_info[b.code].width, b.p, b.n, h) && h->end == b.p + b.n;
}

/* The list or map (by codes) v as count, items and length (a map's view
 * has the same three fields); *out untouched when v is not one. */
static bool compound_value(famqp_value v, famqp_code_table codes, famqp_list *out)
{
    body b;
    famqp_compound_hdr h;
    if (!value_body(v, codes, &b) || !compound_of(b, &h))
        return false;
    *out = (famqp_list){h.count, h.body, (size_t)(h.end - h.body)};
    return true;
}

bool famqp_value_get_list(famqp_value v, famqp_list *out) { return compound_value(v, famqp_codes_list, out); }

bool famqp_value_get_map(famqp_value v, famqp_map *out)
{
    famqp_list l;
    if (!compound_value(v, famqp_codes_map, &l))
        return false;
    *out = (famqp_map){l.count, l.items, l.len};
    return true;
}

static bool array_of_body(body b, famqp_array *out)
{
    famqp_compound_hdr h;
    size_t clen;
    uint8_t code;
    if (!compound_of(b, &h) || !famqp__array_ctor(h.body, (size_t)(h.end - h.body), &clen, &code))
        return false;
    *out = (famqp_array){h.count, h.body, clen, h.body + clen, (size_t)(h.end - h.body) - clen};
    return true;
}

bool famqp_value_get_array(famqp_value v, famqp_array *out)
{
    body b;
    return value_body(v, famqp_codes_array, &b) && array_of_body(b, out);
}

bool famqp_value_get_described(famqp_value v, famqp_value *descriptor, famqp_value *value)
{
    if (v.len < 2 || v.ptr[0] != FAMQP_CODE_DESCRIBED)
        return false;
    size_t d = famqp__value_span(v.ptr + 1, v.len - 1);
    if (!d)
        return false;
    size_t x = famqp__value_span(v.ptr + 1 + d, v.len - 1 - d);
    if (!x)
        return false;
    *descriptor = (famqp_value){v.ptr + 1, d};
    *value = (famqp_value){v.ptr + 1 + d, x};
    return true;
}

/* ---- iteration ----------------------------------------------------------- */

static void iter_init(famqp_iter *it, const uint8_t *items, size_t len, uint32_t count)
{
    it->p = items;
    it->end = items ? items + len : items;
    it->left = items ? count : 0;
    it->ctor = NULL;
    it->ctor_len = 0;
}

void famqp_list_iter(const famqp_list *l, famqp_iter *it) { iter_init(it, l->items, l->len, l->count); }
void famqp_map_iter(const famqp_map *m, famqp_iter *it) { iter_init(it, m->items, m->len, m->count); }

void famqp_array_iter(const famqp_array *a, famqp_iter *it)
{
    iter_init(it, a->items, a->len, a->count);
    it->ctor = a->ctor;
    it->ctor_len = a->ctor ? a->ctor_len : 0;
}

void famqp_multiple_iter(const famqp_multiple *m, famqp_iter *it) { famqp_array_iter(&m->wire, it); }

bool famqp_list_next(famqp_iter *it, famqp_value *item)
{
    if (!it->left)
        return false;
    size_t n = value_span_fast(it->p, (size_t)(it->end - it->p));
    if (!n) {
        it->left = 0;
        return false;
    }
    *item = (famqp_value){it->p, n};
    it->p += n;
    it->left--;
    return true;
}

/* Span of a value whose code is in famqp__span_code, with no call (0:
 * anything else, or it does not fit). */
static inline size_t span_quick(const uint8_t *p, size_t n)
{
    unsigned s = n ? famqp__span_code[p[0]] : 0;
    if (s >= 0xFE)
        return n >= 2 && (size_t)p[1] + 2 <= n ? (size_t)p[1] + 2 : 0;
    return s <= n ? s : 0;
}

/* Everything famqp_map_next does not decide inline: described values,
 * 32-bit lengths, list0, the end of the map, malformed views. */
static FAMQP_NOINLINE bool map_next_slow(famqp_iter *it, famqp_value *key, famqp_value *val)
{
    const uint8_t *p = it->p;
    size_t room = (size_t)(it->end - p), k, v;
    if (it->left < 2 || !(k = value_span_fast(p, room)) || !(v = value_span_fast(p + k, room - k))) {
        it->left = 0;
        return false;
    }
    *key = (famqp_value){p, k};
    *val = (famqp_value){p + k, v};
    it->p = p + k + v;
    it->left -= 2;
    return true;
}

bool famqp_map_next(famqp_iter *it, famqp_value *key, famqp_value *val)
{
    /* both spans in one call, no call on the usual path: a map walk is the
     * hot path of message decoding */
    const uint8_t *p = it->p;
    size_t room = (size_t)(it->end - p);
    size_t k = span_quick(p, room);
    size_t v = k ? span_quick(p + k, room - k) : 0;
    if (FAMQP_UNLIKELY(it->left < 2 || !v))
        return map_next_slow(it, key, val);
    *key = (famqp_value){p, k};
    *val = (famqp_value){p + k, v};
    it->p = p + k + v;
    it->left -= 2;
    return true;
}

/* The slow half of scalar_at: every other code (32-bit lengths, long and
 * wide forms, decimals, compounds, described values), through the span
 * walker and the typed getters, so it accepts exactly what they accept. */
static FAMQP_NOINLINE size_t scalar_at_slow(const uint8_t *p, size_t room, famqp_scalar *s)
{
    size_t n = value_span_fast(p, room);
    if (!n)
        return 0;
    famqp_value v = {p, n};
    famqp_kind kind = famqp_value_kind(v);
    bool ok = true;
    s->kind = kind;
    switch (kind) {
    case FAMQP_KIND_BOOLEAN: ok = famqp_value_get_bool(v, &s->u.b); break;
    case FAMQP_KIND_UBYTE: { uint8_t x = 0; ok = famqp_value_get_ubyte(v, &x); s->u.u = x; break; }
    case FAMQP_KIND_USHORT: { uint16_t x = 0; ok = famqp_value_get_ushort(v, &x); s->u.u = x; break; }
    case FAMQP_KIND_UINT: { uint32_t x = 0; ok = famqp_value_get_uint(v, &x); s->u.u = x; break; }
    case FAMQP_KIND_ULONG: ok = famqp_value_get_ulong(v, &s->u.u); break;
    case FAMQP_KIND_CHAR: { uint32_t x = 0; ok = famqp_value_get_char(v, &x); s->u.u = x; break; }
    case FAMQP_KIND_BYTE: { int8_t x = 0; ok = famqp_value_get_byte(v, &x); s->u.i = x; break; }
    case FAMQP_KIND_SHORT: { int16_t x = 0; ok = famqp_value_get_short(v, &x); s->u.i = x; break; }
    case FAMQP_KIND_INT: { int32_t x = 0; ok = famqp_value_get_int(v, &x); s->u.i = x; break; }
    case FAMQP_KIND_LONG: ok = famqp_value_get_long(v, &s->u.i); break;
    case FAMQP_KIND_TIMESTAMP: ok = famqp_value_get_timestamp(v, &s->u.i); break;
    case FAMQP_KIND_FLOAT: ok = famqp_value_get_float(v, &s->u.f); break;
    case FAMQP_KIND_DOUBLE: ok = famqp_value_get_double(v, &s->u.d); break;
    case FAMQP_KIND_BINARY: ok = famqp_value_get_binary(v, &s->u.bin); break;
    case FAMQP_KIND_STRING: ok = famqp_value_get_string(v, &s->u.str); break;
    case FAMQP_KIND_SYMBOL: ok = famqp_value_get_symbol(v, &s->u.sym); break;
    case FAMQP_KIND_INVALID: ok = false; break;
    default: break; /* no scalar to take out */
    }
    return ok ? n : 0;
}

/* Kind and scalar of the value at p[0..room) (room >= 1) for the usual
 * codes of map keys and values, with one dispatch on the code; returns its
 * span, or 0 and leaves s untouched for every other code and when it does
 * not fit (scalar_at_slow decides those). */
static inline size_t scalar_quick(const uint8_t *p, size_t room, famqp_scalar *s)
{
    /* the cases read p[0] again rather than keep the code: one register
     * less to save in famqp_map_next_entry */
    switch (p[0]) {
    case FAMQP_CODE_STR8:
    case FAMQP_CODE_SYM8:
    case FAMQP_CODE_VBIN8: {
        if (FAMQP_UNLIKELY(room < 2 || p[1] > room - 2))
            return 0;
        size_t len = p[1];
        s->kind = (famqp_kind)famqp_code_info[p[0]].kind;
        s->u.bin = (famqp_binary){p + 2, len};
        return 2 + len;
    }
    case FAMQP_CODE_SMALLINT:
    case FAMQP_CODE_SMALLLONG:
    case FAMQP_CODE_BYTE:
        if (FAMQP_UNLIKELY(room < 2))
            return 0;
        s->kind = (famqp_kind)famqp_code_info[p[0]].kind;
        s->u.i = (int8_t)p[1];
        return 2;
    case FAMQP_CODE_SMALLUINT:
    case FAMQP_CODE_SMALLULONG:
    case FAMQP_CODE_UBYTE:
        if (FAMQP_UNLIKELY(room < 2))
            return 0;
        s->kind = (famqp_kind)famqp_code_info[p[0]].kind;
        s->u.u = p[1];
        return 2;
    case FAMQP_CODE_TRUE:
    case FAMQP_CODE_FALSE:
        s->kind = FAMQP_KIND_BOOLEAN;
        s->u.b = p[0] == FAMQP_CODE_TRUE;
        return 1;
    case FAMQP_CODE_UINT0:
    case FAMQP_CODE_ULONG0:
        s->kind = (famqp_kind)famqp_code_info[p[0]].kind;
        s->u.u = 0;
        return 1;
    case FAMQP_CODE_NULL:
        s->kind = FAMQP_KIND_NULL;
        return 1;
    case FAMQP_CODE_INT:
        if (FAMQP_UNLIKELY(room < 5))
            return 0;
        s->kind = FAMQP_KIND_INT;
        s->u.i = (int32_t)famqp_load32(p + 1);
        return 5;
    case FAMQP_CODE_UINT:
        if (FAMQP_UNLIKELY(room < 5))
            return 0;
        s->kind = FAMQP_KIND_UINT;
        s->u.u = famqp_load32(p + 1);
        return 5;
    default:
        return 0;
    }
}

/* Kind and scalar of the value at p[0..room), returning its span (0: it
 * does not fit or is malformed). */
static inline size_t scalar_at(const uint8_t *p, size_t room, famqp_scalar *s)
{
    if (FAMQP_UNLIKELY(!room))
        return 0;
    size_t n = scalar_quick(p, room, s);
    return FAMQP_LIKELY(n) ? n : scalar_at_slow(p, room, s);
}

/* Everything famqp_map_next_entry does not decide inline: a key that is
 * not str8/sym8, a value scalar_quick leaves to scalar_at_slow, the end of
 * the map, malformed views. */
static FAMQP_NOINLINE bool map_next_entry_slow(famqp_iter *it, famqp_map_entry *e)
{
    const uint8_t *p = it->p;
    size_t room = (size_t)(it->end - p), k, v;
    if (it->left < 2 || !(k = scalar_at(p, room, &e->k)) || !(v = scalar_at(p + k, room - k, &e->v))) {
        it->left = 0;
        return false;
    }
    e->key = (famqp_value){p, k};
    e->value = (famqp_value){p + k, v};
    it->p = p + k + v;
    it->left -= 2;
    return true;
}

bool famqp_map_next_entry(famqp_iter *it, famqp_map_entry *e)
{
    /* the usual entry: a str8/sym8 key (application-properties keys are
     * strings, annotation keys symbols), then a value scalar_quick decides
     * inline */
    const uint8_t *p = it->p, *end = it->end;
    size_t room = (size_t)(end - p);
    if (it->left < 2) { /* the end of every walk: no call */
        it->left = 0;
        return false;
    }
    if (FAMQP_UNLIKELY(room < 3 || (p[0] != FAMQP_CODE_STR8 && p[0] != FAMQP_CODE_SYM8) ||
                       p[1] > room - 3))
        return map_next_entry_slow(it, e);
    size_t klen = p[1];
    const uint8_t *v = p + 2 + klen;
    size_t vroom = room - 2 - klen;
    /* the key's scalar first (map_next_entry_slow stores the same), so
     * less stays live across the value's dispatch */
    e->k.kind = p[0] == FAMQP_CODE_STR8 ? FAMQP_KIND_STRING : FAMQP_KIND_SYMBOL;
    e->k.u.str = (famqp_string){(const char *)p + 2, klen};
    /* vroom >= 1: the key ends before the map does */
    size_t vspan = scalar_quick(v, vroom, &e->v);
    if (FAMQP_UNLIKELY(!vspan))
        return map_next_entry_slow(it, e);
    e->key = (famqp_value){p, 2 + klen};
    e->value = (famqp_value){v, vspan};
    it->p = v + vspan;
    it->left -= 2;
    return true;
}

static bool map_get(const famqp_map *m, const char *key, famqp_code_table codes, famqp_value *val)
{
    famqp_iter it;
    famqp_value k, v;
    famqp_map_iter(m, &it);
    while (famqp_map_next(&it, &k, &v)) {
        body b;
        famqp_binary s;
        if (value_body(k, codes, &b) && dec_binary(b, &s) && bytes_eq((const char *)s.ptr, s.len, key)) {
            *val = v;
            return true;
        }
    }
    return false;
}

bool famqp_map_get_symbol_key(const famqp_map *m, const char *key, famqp_value *val)
{
    return map_get(m, key, famqp_codes_symbol, val);
}

bool famqp_map_get_string_key(const famqp_map *m, const char *key, famqp_value *val)
{
    return map_get(m, key, famqp_codes_string, val);
}

/* ---- equality by value ---------------------------------------------------- */

static bool value_eq(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, unsigned depth);

/* Compares `count` values packed back to back in a and b. */
static bool seq_eq(const uint8_t *a, const uint8_t *ae, const uint8_t *b, const uint8_t *be, uint32_t count,
                   unsigned depth)
{
    for (uint32_t i = 0; i < count; i++) {
        size_t x = famqp__value_span(a, (size_t)(ae - a)), y = famqp__value_span(b, (size_t)(be - b));
        if (!x || !y || !value_eq(a, x, b, y, depth))
            return false;
        a += x;
        b += y;
    }
    return true;
}

static bool body_eq(body a, body b, unsigned depth);

static bool array_eq(body ba, body bb, unsigned depth)
{
    famqp_array a, b;
    if (!array_of_body(ba, &a) || !array_of_body(bb, &b) || a.count != b.count)
        return false;
    /* descriptor chains of the element constructors, then element bodies */
    size_t i = 0, j = 0;
    while (i + 1 < a.ctor_len && j + 1 < b.ctor_len) {
        size_t x = famqp__value_span(a.ctor + i + 1, a.ctor_len - i - 1);
        size_t y = famqp__value_span(b.ctor + j + 1, b.ctor_len - j - 1);
        if (!x || !y || !value_eq(a.ctor + i + 1, x, b.ctor + j + 1, y, depth))
            return false;
        i += 1 + x;
        j += 1 + y;
    }
    if (i + 1 != a.ctor_len || j + 1 != b.ctor_len)
        return false;
    famqp_iter ia, ib;
    famqp_array_iter(&a, &ia);
    famqp_array_iter(&b, &ib);
    body ea, eb;
    for (uint32_t k = 0; k < a.count; k++)
        if (!next_element(&ia, &ea) || !next_element(&ib, &eb) || !body_eq(ea, eb, depth))
            return false;
    return true;
}

static bool body_eq(body a, body b, unsigned depth)
{
    famqp_kind k = (famqp_kind)famqp_code_info[a.code].kind;
    if (k != famqp_code_info[b.code].kind || depth > FAMQP_HARD_MAX_DEPTH)
        return false;
    switch (k) {
    case FAMQP_KIND_NULL:
        return true;
    case FAMQP_KIND_BOOLEAN: {
        bool x, y;
        return dec_bool(a, &x) && dec_bool(b, &y) && x == y;
    }
    case FAMQP_KIND_UBYTE: case FAMQP_KIND_USHORT: case FAMQP_KIND_UINT: case FAMQP_KIND_ULONG:
        return famqp__load_n(a.p, a.n) == famqp__load_n(b.p, b.n);
    case FAMQP_KIND_BYTE: case FAMQP_KIND_SHORT: case FAMQP_KIND_INT: case FAMQP_KIND_LONG:
    case FAMQP_KIND_TIMESTAMP:
        return famqp__load_signed_n(a.p, a.n) == famqp__load_signed_n(b.p, b.n);
    case FAMQP_KIND_BINARY: case FAMQP_KIND_STRING: case FAMQP_KIND_SYMBOL: {
        famqp_binary x, y;
        dec_binary(a, &x);
        dec_binary(b, &y);
        return x.len == y.len && (x.len == 0 || memcmp(x.ptr, y.ptr, x.len) == 0);
    }
    case FAMQP_KIND_LIST: case FAMQP_KIND_MAP: {
        /* maps compare entry by entry in wire order */
        famqp_compound_hdr x, y;
        return compound_of(a, &x) && compound_of(b, &y) && x.count == y.count &&
               seq_eq(x.body, x.end, y.body, y.end, x.count, depth + 1);
    }
    case FAMQP_KIND_ARRAY:
        return array_eq(a, b, depth + 1);
    default: /* float, double, decimals, char, uuid: same bits */
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
    }
}

static bool value_eq(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, unsigned depth)
{
    if (!na || !nb || depth > FAMQP_HARD_MAX_DEPTH)
        return false;
    if (a[0] == FAMQP_CODE_DESCRIBED || b[0] == FAMQP_CODE_DESCRIBED) {
        famqp_value da, xa, db, xb;
        return famqp_value_get_described((famqp_value){a, na}, &da, &xa) &&
               famqp_value_get_described((famqp_value){b, nb}, &db, &xb) &&
               value_eq(da.ptr, da.len, db.ptr, db.len, depth + 1) &&
               value_eq(xa.ptr, xa.len, xb.ptr, xb.len, depth + 1);
    }
    size_t x = famqp__body_span(a[0], a + 1, na - 1), y = famqp__body_span(b[0], b + 1, nb - 1);
    if (x == SIZE_MAX || y == SIZE_MAX)
        return false;
    return body_eq((body){a[0], a + 1, x}, (body){b[0], b + 1, y}, depth);
}

bool famqp_value_equal(famqp_value a, famqp_value b)
{
    /* An empty view means "no value", which encodes as null. */
    static const uint8_t null_code = FAMQP_CODE_NULL;
    if (!a.len) a = (famqp_value){&null_code, 1};
    if (!b.len) b = (famqp_value){&null_code, 1};
    return value_eq(a.ptr, a.len, b.ptr, b.len, 0);
}
