/* --tests: famqp_spec_tests.c/.h, test support for every described type and
 * union: seeded random values (always valid AMQP), field-by-field equality
 * and a registry the hand-written suites iterate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "names.h"

static const char header_text[] =
    "/* Test support generated from the spec: random valid values, equality and\n"
    " * a registry of every described type and union.\n"
    " *\n"
    " * Random values:\n"
    " *   famqp_test_rng rng;  famqp_test_rng_seed(&rng, seed);   xorshift64*\n"
    " *   famqp_test_arena a;  famqp_test_arena_init(&a, buf, sizeof buf);\n"
    " *     views (strings, binaries, maps, lists, multiple items) are bump-\n"
    " *     allocated in the caller's buffer; 64 KiB is plenty for one value.\n"
    " *     famqp_test_arena_reset(&a) before the next value.\n"
    " *   famqp_test_<type>_random(&rng, &v, &a, mode) fills v with mode\n"
    " *     FAMQP_TEST_ALL_FIELDS (every field present), FAMQP_TEST_MANDATORY_ONLY\n"
    " *     (only mandatory fields) or FAMQP_TEST_RANDOM_SUBSET (each optional\n"
    " *     field with probability 1/2).  Values are valid: UTF-8 strings, ASCII\n"
    " *     symbols, Unicode scalar chars, choices of numeric restricted types,\n"
    " *     union members of every provider or OTHER (an unknown described value),\n"
    " *     never null where a present field would decode as absent.\n"
    " *   famqp_test_<type>_equal(&x, &y): same present bits and equal present\n"
    " *     fields (views by content, famqp_value by famqp_value_equal, multiple\n"
    " *     fields element by element whether held as C items or as a wire view).\n"
    " *\n"
    " * Registry: famqp_test_types[0 .. famqp_test_type_count) describes every\n"
    " * composite and described restricted type, famqp_test_unions[0 ..\n"
    " * famqp_test_union_count) every union famqp_any_<R>, with type-erased\n"
    " * function pointers, so a suite can round-trip all of them:\n"
    " *   const famqp_test_type *t = &famqp_test_types[i];\n"
    " *   void *v = aligned storage of t->size bytes, void *w likewise;\n"
    " *   t->random(&rng, v, &a, mode);\n"
    " *   size_t n = t->encode(buf, cap, v);            (n > cap: buffer too small)\n"
    " *   size_t used = t->decode(buf, n, w, &err);     (0: error in err)\n"
    " *   assert(used == n && t->equal(v, w));\n"
    " * For composites, mandatory_count is the list count of the encoding of a\n"
    " * FAMQP_TEST_MANDATORY_ONLY value (index of the last mandatory field + 1:\n"
    " * trailing absent fields are dropped); is_list tells composites apart.\n"
    " */\n"
    "#ifndef FAMQP_SPEC_TESTS_H\n#define FAMQP_SPEC_TESTS_H\n\n"
    "#include \"famqp_spec.h\"\n\n"
    "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
    "typedef struct famqp_test_rng {\n    uint64_t state;\n} famqp_test_rng;\n"
    "void famqp_test_rng_seed(famqp_test_rng *rng, uint64_t seed);\n"
    "uint64_t famqp_test_rng_next(famqp_test_rng *rng);\n"
    "uint32_t famqp_test_rng_below(famqp_test_rng *rng, uint32_t n); /* 0 .. n-1 (0 when n is 0) */\n\n"
    "typedef struct famqp_test_arena {\n    uint8_t *buf;\n    size_t cap;\n    size_t used;\n} famqp_test_arena;\n"
    "void famqp_test_arena_init(famqp_test_arena *a, void *buf, size_t cap);\n"
    "void famqp_test_arena_reset(famqp_test_arena *a);\n"
    "void *famqp_test_alloc(famqp_test_arena *a, size_t n); /* 16-aligned; NULL when full */\n\n"
    "enum {\n    FAMQP_TEST_ALL_FIELDS = 0,\n    FAMQP_TEST_MANDATORY_ONLY = 1,\n"
    "    FAMQP_TEST_RANDOM_SUBSET = 2,\n    FAMQP_TEST_MODE_COUNT = 3\n};\n\n"
    "typedef struct famqp_test_type {\n"
    "    const char *name;  /* AMQP name, e.g. \"transfer\", or \"any delivery-state\" */\n"
    "    uint64_t code;     /* descriptor code (0 for unions) */\n"
    "    size_t size;       /* sizeof the C struct */\n"
    "    void (*random)(famqp_test_rng *rng, void *v, famqp_test_arena *a, int mode);\n"
    "    bool (*equal)(const void *a, const void *b);\n"
    "    size_t (*encode)(uint8_t *buf, size_t cap, const void *v);\n"
    "    size_t (*decode)(const uint8_t *p, size_t n, void *out, famqp_error *err);\n"
    "    void (*print)(FILE *f, const void *v);\n"
    "    uint32_t mandatory_count; /* list count of a mandatory-only encoding */\n"
    "    bool is_list;             /* composite (described list) */\n"
    "} famqp_test_type;\n\n"
    "extern const famqp_test_type famqp_test_types[];\n"
    "extern const size_t famqp_test_type_count;\n"
    "extern const famqp_test_type famqp_test_unions[];\n"
    "extern const size_t famqp_test_union_count;\n\n"
    "/* Random valid values and equality of single values, per primitive. */\n";

static const char support_text[] =
    "/* ---- rng and arena ---- */\n\n"
    "void famqp_test_rng_seed(famqp_test_rng *rng, uint64_t seed)\n{\n"
    "    rng->state = seed ? seed : UINT64_C(0x9e3779b97f4a7c15); /* xorshift needs a nonzero state */\n}\n\n"
    "uint64_t famqp_test_rng_next(famqp_test_rng *rng)\n{\n"
    "    uint64_t x = rng->state;\n    x ^= x >> 12;\n    x ^= x << 25;\n    x ^= x >> 27;\n"
    "    rng->state = x;\n    return x * UINT64_C(0x2545f4914f6cdd1d);\n}\n\n"
    "uint32_t famqp_test_rng_below(famqp_test_rng *rng, uint32_t n)\n{\n"
    "    return n ? (uint32_t)(famqp_test_rng_next(rng) % n) : 0u;\n}\n\n"
    "void famqp_test_arena_init(famqp_test_arena *a, void *buf, size_t cap)\n{\n"
    "    a->buf = buf;\n    a->cap = cap;\n    a->used = 0;\n}\n\n"
    "void famqp_test_arena_reset(famqp_test_arena *a) { a->used = 0; }\n\n"
    "void *famqp_test_alloc(famqp_test_arena *a, size_t n)\n{\n"
    "    size_t at = (a->used + 15u) & ~(size_t)15u;\n"
    "    if (at > a->cap || n > a->cap - at)\n        return NULL;\n"
    "    a->used = at + n;\n    return a->buf + at;\n}\n\n"
    "/* ---- primitives ---- */\n\n"
    "/* Integers favour the short encodings (0 and < 256) a third of the time each. */\n"
    "static uint64_t rnd_int(famqp_test_rng *rng)\n{\n"
    "    switch (famqp_test_rng_below(rng, 3)) {\n    case 0:\n        return 0;\n"
    "    case 1:\n        return famqp_test_rng_below(rng, 256);\n"
    "    default:\n        return famqp_test_rng_next(rng);\n    }\n}\n\n"
    "bool famqp_test_random_bool(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return famqp_test_rng_below(rng, 2); }\n"
    "uint8_t famqp_test_random_ubyte(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (uint8_t)rnd_int(rng); }\n"
    "uint16_t famqp_test_random_ushort(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (uint16_t)rnd_int(rng); }\n"
    "uint32_t famqp_test_random_uint(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (uint32_t)rnd_int(rng); }\n"
    "uint64_t famqp_test_random_ulong(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return rnd_int(rng); }\n"
    "/* signed: two's complement conversion done with memcpy-free arithmetic */\n"
    "static int64_t rnd_signed(famqp_test_rng *rng, uint64_t range)\n{\n"
    "    uint64_t u = rnd_int(rng) % range;\n"
    "    return (int64_t)(u / 2) * ((u & 1) ? -1 : 1);\n}\n"
    "int8_t famqp_test_random_byte(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (int8_t)rnd_signed(rng, 256); }\n"
    "int16_t famqp_test_random_short(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (int16_t)rnd_signed(rng, 65536); }\n"
    "int32_t famqp_test_random_int(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (int32_t)rnd_signed(rng, UINT64_C(1) << 32); }\n"
    "int64_t famqp_test_random_long(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return rnd_signed(rng, UINT64_MAX); }\n"
    "float famqp_test_random_float(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (float)((int32_t)famqp_test_rng_below(rng, 20001) - 10000) / 16.0f; }\n"
    "double famqp_test_random_double(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (double)((int64_t)famqp_test_rng_below(rng, 2000001) - 1000000) / 64.0; }\n"
    "static void rnd_bytes(famqp_test_rng *rng, uint8_t *p, size_t n)\n{\n"
    "    for (size_t i = 0; i < n; i++)\n        p[i] = (uint8_t)famqp_test_rng_next(rng);\n}\n"
    "famqp_decimal32 famqp_test_random_decimal32(famqp_test_rng *rng, famqp_test_arena *a) { famqp_decimal32 d; (void)a; rnd_bytes(rng, d.bytes, 4); return d; }\n"
    "famqp_decimal64 famqp_test_random_decimal64(famqp_test_rng *rng, famqp_test_arena *a) { famqp_decimal64 d; (void)a; rnd_bytes(rng, d.bytes, 8); return d; }\n"
    "famqp_decimal128 famqp_test_random_decimal128(famqp_test_rng *rng, famqp_test_arena *a) { famqp_decimal128 d; (void)a; rnd_bytes(rng, d.bytes, 16); return d; }\n"
    "famqp_uuid famqp_test_random_uuid(famqp_test_rng *rng, famqp_test_arena *a) { famqp_uuid d; (void)a; rnd_bytes(rng, d.bytes, 16); return d; }\n"
    "int64_t famqp_test_random_timestamp(famqp_test_rng *rng, famqp_test_arena *a) { (void)a; return (int64_t)famqp_test_rng_next(rng); }\n\n"
    "/* A Unicode scalar value from each UTF-8 length class (never a surrogate). */\n"
    "uint32_t famqp_test_random_char(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    (void)a;\n"
    "    switch (famqp_test_rng_below(rng, 4)) {\n"
    "    case 0:\n        return 0x20 + famqp_test_rng_below(rng, 0x5f);\n"
    "    case 1:\n        return 0x80 + famqp_test_rng_below(rng, 0x780);\n"
    "    case 2: {\n        uint32_t c = 0x800 + famqp_test_rng_below(rng, 0xf800);\n"
    "        return (c >= 0xd800 && c <= 0xdfff) ? c - 0x800 : c;\n    }\n"
    "    default:\n        return 0x10000 + famqp_test_rng_below(rng, 0x100000);\n    }\n}\n\n"
    "static size_t put_utf8(uint8_t *p, uint32_t c)\n{\n"
    "    if (c < 0x80) { p[0] = (uint8_t)c; return 1; }\n"
    "    if (c < 0x800) { p[0] = (uint8_t)(0xc0 | (c >> 6)); p[1] = (uint8_t)(0x80 | (c & 0x3f)); return 2; }\n"
    "    if (c < 0x10000) {\n        p[0] = (uint8_t)(0xe0 | (c >> 12)); p[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));\n"
    "        p[2] = (uint8_t)(0x80 | (c & 0x3f));\n        return 3;\n    }\n"
    "    p[0] = (uint8_t)(0xf0 | (c >> 18)); p[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));\n"
    "    p[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)); p[3] = (uint8_t)(0x80 | (c & 0x3f));\n    return 4;\n}\n\n"
    "famqp_binary famqp_test_random_binary(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    size_t n = famqp_test_rng_below(rng, 4) == 0 ? 260 + famqp_test_rng_below(rng, 40) : famqp_test_rng_below(rng, 24);\n"
    "    uint8_t *p = famqp_test_alloc(a, n);\n    if (!p)\n        return famqp_binary_of(NULL, 0);\n"
    "    rnd_bytes(rng, p, n);\n    return famqp_binary_of(p, n);\n}\n\n"
    "famqp_string famqp_test_random_string(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    uint32_t chars = famqp_test_rng_below(rng, 16);\n"
    "    uint8_t *p = famqp_test_alloc(a, (size_t)chars * 4);\n    famqp_string s = {NULL, 0};\n"
    "    if (!p)\n        return s;\n    size_t n = 0;\n"
    "    for (uint32_t i = 0; i < chars; i++)\n        n += put_utf8(p + n, famqp_test_random_char(rng, a));\n"
    "    s.ptr = (const char *)p;\n    s.len = n;\n    return s;\n}\n\n"
    "famqp_symbol famqp_test_random_symbol(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    static const char alphabet[] = \"abcdefghijklmnopqrstuvwxyz0123456789:-._\";\n"
    "    uint32_t n = 1 + famqp_test_rng_below(rng, 20);\n    char *p = famqp_test_alloc(a, n);\n"
    "    famqp_symbol s = {NULL, 0};\n    if (!p)\n        return s;\n"
    "    for (uint32_t i = 0; i < n; i++)\n        p[i] = alphabet[famqp_test_rng_below(rng, sizeof alphabet - 1)];\n"
    "    s.ptr = p;\n    s.len = n;\n    return s;\n}\n\n"
    "/* One small encoded scalar (smalluint, str8 or sym8) at p; returns its size (<= 10). */\n"
    "static size_t put_small_item(famqp_test_rng *rng, uint8_t *p)\n{\n"
    "    switch (famqp_test_rng_below(rng, 3)) {\n"
    "    case 0:\n        p[0] = FAMQP_CODE_SMALLUINT;\n        p[1] = (uint8_t)famqp_test_rng_next(rng);\n        return 2;\n"
    "    case 1:\n        p[0] = FAMQP_CODE_STR8;\n        p[1] = 3;\n        memcpy(p + 2, \"\\xc3\\xa9x\", 3);\n        return 5;\n"
    "    default:\n        p[0] = FAMQP_CODE_SYM8;\n        p[1] = 4;\n"
    "        for (int i = 0; i < 4; i++)\n            p[2 + i] = (uint8_t)('a' + famqp_test_rng_below(rng, 26));\n        return 6;\n    }\n}\n\n"
    "famqp_list famqp_test_random_list(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    famqp_list l = {0, NULL, 0};\n    uint32_t count = famqp_test_rng_below(rng, 5);\n"
    "    uint8_t *p = famqp_test_alloc(a, (size_t)count * 10 + 1);\n    if (!p)\n        return l;\n"
    "    for (uint32_t i = 0; i < count; i++)\n        l.len += put_small_item(rng, p + l.len);\n"
    "    l.count = count;\n    l.items = p;\n    return l;\n}\n\n"
    "/* symbol keys (as annotations and fields want them), small values */\n"
    "famqp_map famqp_test_random_map(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    famqp_map m = {0, NULL, 0};\n    uint32_t pairs = famqp_test_rng_below(rng, 4);\n"
    "    uint8_t *p = famqp_test_alloc(a, (size_t)pairs * 20 + 1);\n    if (!p)\n        return m;\n"
    "    for (uint32_t i = 0; i < pairs; i++) {\n"
    "        p[m.len] = FAMQP_CODE_SYM8;\n        p[m.len + 1] = 3;\n        p[m.len + 2] = 'k';\n"
    "        p[m.len + 3] = (uint8_t)('0' + i);\n        p[m.len + 4] = (uint8_t)('a' + famqp_test_rng_below(rng, 26));\n"
    "        m.len += 5;\n        m.len += put_small_item(rng, p + m.len);\n    }\n"
    "    m.count = pairs * 2;\n    m.items = p;\n    return m;\n}\n\n"
    "/* an array of uint (element constructor 0x70) */\n"
    "famqp_array famqp_test_random_array(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    static const uint8_t ctor[1] = {FAMQP_CODE_UINT};\n"
    "    famqp_array r = {0, ctor, 1, NULL, 0};\n    uint32_t count = 1 + famqp_test_rng_below(rng, 4);\n"
    "    uint8_t *p = famqp_test_alloc(a, (size_t)count * 4);\n    if (!p)\n        return r;\n"
    "    for (uint32_t i = 0; i < count; i++)\n        famqp_store32(p + 4 * i, (uint32_t)famqp_test_rng_next(rng));\n"
    "    r.count = count;\n    r.items = p;\n    r.len = (size_t)count * 4;\n    return r;\n}\n\n"
    "/* A described value no spec type declares: what unions keep as OTHER. */\n"
    "famqp_value famqp_test_random_other(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    static const uint8_t fallback[] = {0x00, 0xa3, 0x10, 'f', 'a', 'm', 'q', 'p', ':', 't', 'e', 's', 't',\n"
    "                                       ':', 'o', 't', 'h', 'e', 'r', 0x52, 0x07};\n"
    "    famqp_value v = {fallback, sizeof fallback};\n"
    "    uint8_t *p = famqp_test_alloc(a, sizeof fallback);\n    if (!p)\n        return v;\n"
    "    memcpy(p, fallback, sizeof fallback);\n    p[sizeof fallback - 1] = (uint8_t)famqp_test_rng_next(rng);\n"
    "    v.ptr = p;\n    return v;\n}\n\n"
    "/* Any non-null value: a scalar, a list or an unknown described value. */\n"
    "famqp_value famqp_test_random_value(famqp_test_rng *rng, famqp_test_arena *a)\n{\n"
    "    static const uint8_t fallback[1] = {FAMQP_CODE_TRUE};\n    famqp_value v = {fallback, 1};\n"
    "    uint32_t kind = famqp_test_rng_below(rng, 3);\n"
    "    if (kind == 2)\n        return famqp_test_random_other(rng, a);\n"
    "    uint8_t *p = famqp_test_alloc(a, 64);\n    if (!p)\n        return v;\n"
    "    if (kind == 0) {\n        v.len = put_small_item(rng, p);\n    } else {\n"
    "        famqp_list l = famqp_test_random_list(rng, a);\n"
    "        uint8_t *e = famqp_test_alloc(a, famqp_size_list(&l));\n        if (!e)\n            return v;\n"
    "        v.len = (size_t)(famqp_put_list(e, &l) - e);\n        p = e;\n    }\n"
    "    v.ptr = p;\n    return v;\n}\n\n"
    "/* ---- equality ---- */\n\n"
    "static bool same_bytes(const void *a, size_t alen, const void *b, size_t blen)\n{\n"
    "    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);\n}\n"
    "bool famqp_test_equal_bool(bool a, bool b) { return a == b; }\n"
    "bool famqp_test_equal_ubyte(uint8_t a, uint8_t b) { return a == b; }\n"
    "bool famqp_test_equal_ushort(uint16_t a, uint16_t b) { return a == b; }\n"
    "bool famqp_test_equal_uint(uint32_t a, uint32_t b) { return a == b; }\n"
    "bool famqp_test_equal_ulong(uint64_t a, uint64_t b) { return a == b; }\n"
    "bool famqp_test_equal_byte(int8_t a, int8_t b) { return a == b; }\n"
    "bool famqp_test_equal_short(int16_t a, int16_t b) { return a == b; }\n"
    "bool famqp_test_equal_int(int32_t a, int32_t b) { return a == b; }\n"
    "bool famqp_test_equal_long(int64_t a, int64_t b) { return a == b; }\n"
    "bool famqp_test_equal_float(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }\n"
    "bool famqp_test_equal_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }\n"
    "bool famqp_test_equal_decimal32(famqp_decimal32 a, famqp_decimal32 b) { return memcmp(a.bytes, b.bytes, 4) == 0; }\n"
    "bool famqp_test_equal_decimal64(famqp_decimal64 a, famqp_decimal64 b) { return memcmp(a.bytes, b.bytes, 8) == 0; }\n"
    "bool famqp_test_equal_decimal128(famqp_decimal128 a, famqp_decimal128 b) { return memcmp(a.bytes, b.bytes, 16) == 0; }\n"
    "bool famqp_test_equal_char(uint32_t a, uint32_t b) { return a == b; }\n"
    "bool famqp_test_equal_timestamp(int64_t a, int64_t b) { return a == b; }\n"
    "bool famqp_test_equal_uuid(famqp_uuid a, famqp_uuid b) { return memcmp(a.bytes, b.bytes, 16) == 0; }\n"
    "bool famqp_test_equal_binary(famqp_binary a, famqp_binary b) { return same_bytes(a.ptr, a.len, b.ptr, b.len); }\n"
    "bool famqp_test_equal_string(famqp_string a, famqp_string b) { return same_bytes(a.ptr, a.len, b.ptr, b.len); }\n"
    "bool famqp_test_equal_symbol(famqp_symbol a, famqp_symbol b) { return same_bytes(a.ptr, a.len, b.ptr, b.len); }\n"
    "bool famqp_test_equal_list(famqp_list a, famqp_list b) { return a.count == b.count && same_bytes(a.items, a.len, b.items, b.len); }\n"
    "bool famqp_test_equal_map(famqp_map a, famqp_map b) { return a.count == b.count && same_bytes(a.items, a.len, b.items, b.len); }\n"
    "bool famqp_test_equal_array(famqp_array a, famqp_array b)\n{\n"
    "    return a.count == b.count && same_bytes(a.ctor, a.ctor_len, b.ctor, b.ctor_len) &&\n"
    "           same_bytes(a.items, a.len, b.items, b.len);\n}\n\n"
    "/* ---- multiple fields ---- */\n\n"
    "/* Random: 1..3 C items.  Equality: element by element, each side read from\n"
    " * its C items or from its decoded wire view. */\n"
    "#define FAMQP_TEST_MULTIPLE(T, CT)                                                  \\\n"
    "    famqp_multiple famqp_test_random_multiple_##T(famqp_test_rng *rng, famqp_test_arena *a) \\\n"
    "    {                                                                               \\\n"
    "        famqp_multiple m;                                                           \\\n"
    "        uint32_t n = 1 + famqp_test_rng_below(rng, 3);                              \\\n"
    "        CT *items = famqp_test_alloc(a, n * sizeof(CT));                            \\\n"
    "        memset(&m, 0, sizeof m);                                                    \\\n"
    "        if (!items)                                                                 \\\n"
    "            return m;                                                               \\\n"
    "        for (uint32_t i = 0; i < n; i++)                                            \\\n"
    "            items[i] = famqp_test_random_##T(rng, a);                               \\\n"
    "        m.count = n;                                                                \\\n"
    "        m.items = items;                                                            \\\n"
    "        return m;                                                                   \\\n"
    "    }                                                                               \\\n"
    "    static bool multiple_item_##T(const famqp_multiple *m, famqp_iter *it, uint32_t i, CT *out) \\\n"
    "    {                                                                               \\\n"
    "        if (m->items) {                                                             \\\n"
    "            *out = ((const CT *)m->items)[i];                                       \\\n"
    "            return true;                                                            \\\n"
    "        }                                                                           \\\n"
    "        return famqp_array_next_##T(it, out);                                       \\\n"
    "    }                                                                               \\\n"
    "    bool famqp_test_equal_multiple_##T(const famqp_multiple *a, const famqp_multiple *b) \\\n"
    "    {                                                                               \\\n"
    "        famqp_iter ia, ib;                                                          \\\n"
    "        if (a->count != b->count)                                                   \\\n"
    "            return false;                                                           \\\n"
    "        if (!a->items)                                                              \\\n"
    "            famqp_multiple_iter(a, &ia);                                            \\\n"
    "        if (!b->items)                                                              \\\n"
    "            famqp_multiple_iter(b, &ib);                                            \\\n"
    "        for (uint32_t i = 0; i < a->count; i++) {                                   \\\n"
    "            CT x, y;                                                                \\\n"
    "            if (!multiple_item_##T(a, &ia, i, &x) || !multiple_item_##T(b, &ib, i, &y)) \\\n"
    "                return false;                                                       \\\n"
    "            if (!famqp_test_equal_##T(x, y))                                        \\\n"
    "                return false;                                                       \\\n"
    "        }                                                                           \\\n"
    "        return true;                                                                \\\n"
    "    }\n";

static const prim scalar_prims_end = P_LIST; /* multiple fields exist for prims before list */

static void emit_prim_protos(outbuf *h)
{
    for (int p = P_BOOLEAN; p < P_COUNT; p++) {
        const prim_info *pi = &prim_infos[p];
        ob_printf(h, "%s famqp_test_random_%s(famqp_test_rng *rng, famqp_test_arena *a);\n", pi->ctype, pi->fn);
        ob_printf(h, "bool famqp_test_equal_%s(%s a, %s b);\n", pi->fn, pi->ctype, pi->ctype);
        if (p < (int)scalar_prims_end) {
            ob_printf(h, "famqp_multiple famqp_test_random_multiple_%s(famqp_test_rng *rng, famqp_test_arena *a);\n",
                      pi->fn);
            ob_printf(h, "bool famqp_test_equal_multiple_%s(const famqp_multiple *a, const famqp_multiple *b);\n",
                      pi->fn);
        }
    }
    ob_puts(h, "famqp_value famqp_test_random_value(famqp_test_rng *rng, famqp_test_arena *a); /* never null */\n");
    ob_puts(h, "famqp_value famqp_test_random_other(famqp_test_rng *rng, famqp_test_arena *a); /* unknown described */\n\n");
}

/* ---- per value ------------------------------------------------------------ */

/* Choice pickers of numeric restricted types, emitted only when used. */
static void choice_fn_name(char *buf, size_t n, const type *t)
{
    snprintf(buf, n, "random_choice_%s", t->lower);
}

static void emit_fill(outbuf *c, vkind v, const type *choices, const char *x, const char *ind)
{
    char fn[256];
    switch (v.kind) {
    case FK_PRIM:
        if (choices) {
            choice_fn_name(fn, sizeof fn, choices);
            ob_printf(c, "%s%s = %s(rng);\n", ind, x, fn);
        } else {
            ob_printf(c, "%s%s = famqp_test_random_%s(rng, a);\n", ind, x, prim_infos[v.prim].fn);
        }
        break;
    case FK_MULTI: ob_printf(c, "%s%s = famqp_test_random_multiple_%s(rng, a);\n", ind, x, prim_infos[v.prim].fn); break;
    case FK_STRUCT: ob_printf(c, "%sfamqp_test_%s_random(rng, &%s, a, mode);\n", ind, v.struct_type->lower, x); break;
    case FK_UNION: ob_printf(c, "%sfamqp_test_any_%s_random(rng, &%s, a, mode);\n", ind, v.requirement->lower, x); break;
    case FK_VALUE: ob_printf(c, "%s%s = famqp_test_random_value(rng, a);\n", ind, x); break;
    }
}

static char *equal_expr(vkind v, const char *x, const char *y)
{
    switch (v.kind) {
    case FK_PRIM: return xasprintf("famqp_test_equal_%s(%s, %s)", prim_infos[v.prim].fn, x, y);
    case FK_MULTI: return xasprintf("famqp_test_equal_multiple_%s(&%s, &%s)", prim_infos[v.prim].fn, x, y);
    case FK_STRUCT: return xasprintf("famqp_test_%s_equal(&%s, &%s)", v.struct_type->lower, x, y);
    case FK_UNION: return xasprintf("famqp_test_any_%s_equal(&%s, &%s)", v.requirement->lower, x, y);
    case FK_VALUE: return xasprintf("famqp_value_equal(%s, %s)", x, y);
    }
    return NULL;
}

static void emit_type_tests(const model *m, const type *t, outbuf *c, outbuf *h)
{
    (void)m;
    const char *L = t->lower, *S = t->cstruct, *U = t->upper;
    ob_printf(h, "void famqp_test_%s_random(famqp_test_rng *rng, %s *v, famqp_test_arena *a, int mode);\n", L, S);
    ob_printf(h, "bool famqp_test_%s_equal(const %s *a, const %s *b);\n", L, S, S);

    ob_printf(c, "void famqp_test_%s_random(famqp_test_rng *rng, %s *v, famqp_test_arena *a, int mode)\n{\n", L, S);
    ob_puts(c, "    memset(v, 0, sizeof *v);\n");
    bool uses_mode = false;
    if (t->klass == C_COMPOSITE) {
        for (size_t i = 0; i < t->nfields; i++) {
            const field *f = &t->fields[i];
            char *x = xasprintf("v->%s", f->member);
            vkind vk = vkind_of_field(f);
            uses_mode |= vk.kind == FK_STRUCT || vk.kind == FK_UNION || !f->mandatory;
            if (f->mandatory) {
                ob_printf(c, "    v->present |= FAMQP_%s_HAS_%s;\n", U, f->upper);
                emit_fill(c, vk, field_checked_choices(t, f), x, "    ");
            } else {
                ob_puts(c, "    if (mode == FAMQP_TEST_ALL_FIELDS ||\n"
                           "        (mode == FAMQP_TEST_RANDOM_SUBSET && famqp_test_rng_below(rng, 2))) {\n");
                ob_printf(c, "        v->present |= FAMQP_%s_HAS_%s;\n", U, f->upper);
                emit_fill(c, vk, field_checked_choices(t, f), x, "        ");
                ob_puts(c, "    }\n");
            }
            free(x);
        }
    } else {
        vkind vk = vkind_of_field(&t->fields[0]);
        uses_mode = vk.kind == FK_STRUCT || vk.kind == FK_UNION;
        emit_fill(c, vk, field_checked_choices(t, &t->fields[0]), "v->value", "    ");
    }
    bool uses_rng_a = t->nfields > 0;
    if (!uses_mode)
        ob_puts(c, "    (void)mode;\n");
    if (!uses_rng_a)
        ob_puts(c, "    (void)rng;\n    (void)a;\n");
    ob_puts(c, "}\n\n");

    ob_printf(c, "bool famqp_test_%s_equal(const %s *a, const %s *b)\n{\n", L, S, S);
    if (t->klass == C_COMPOSITE) {
        ob_puts(c, "    if (a->present != b->present)\n        return false;\n");
        for (size_t i = 0; i < t->nfields; i++) {
            const field *f = &t->fields[i];
            char *x = xasprintf("a->%s", f->member), *y = xasprintf("b->%s", f->member);
            char *e = equal_expr(vkind_of_field(f), x, y);
            if (f->mandatory)
                ob_printf(c, "    if (!%s)\n        return false;\n", e);
            else
                ob_printf(c, "    if ((a->present & FAMQP_%s_HAS_%s) && !%s)\n        return false;\n", U, f->upper, e);
            free(x);
            free(y);
            free(e);
        }
        ob_puts(c, "    return true;\n}\n\n");
    } else {
        char *e = equal_expr(vkind_of_field(&t->fields[0]), "a->value", "b->value");
        ob_printf(c, "    return %s;\n}\n\n", e);
        free(e);
    }
    /* type-erased wrappers for the registry */
    ob_printf(c, "static void erased_%s_random(famqp_test_rng *rng, void *v, famqp_test_arena *a, int mode)\n{\n"
                 "    famqp_test_%s_random(rng, v, a, mode);\n}\n", L, L);
    ob_printf(c, "static bool erased_%s_equal(const void *a, const void *b)\n{\n    return famqp_test_%s_equal(a, b);\n}\n",
              L, L);
    ob_printf(c, "static size_t erased_%s_encode(uint8_t *buf, size_t cap, const void *v)\n{\n"
                 "    return famqp_%s_encode(buf, cap, v);\n}\n", L, L);
    ob_printf(c, "static size_t erased_%s_decode(const uint8_t *p, size_t n, void *out, famqp_error *err)\n{\n"
                 "    return famqp_%s_decode(p, n, out, err);\n}\n", L, L);
    ob_printf(c, "static void erased_%s_print(FILE *f, const void *v)\n{\n    famqp_%s_print(f, v);\n}\n\n", L, L);
}

static void emit_union_tests(const model *m, const requirement *r, outbuf *c, outbuf *h)
{
    (void)m;
    const char *L = r->lower, *C = r->cname, *U = r->upper;
    ob_printf(h, "void famqp_test_any_%s_random(famqp_test_rng *rng, %s *v, famqp_test_arena *a, int mode);\n", L, C);
    ob_printf(h, "bool famqp_test_any_%s_equal(const %s *a, const %s *b);\n", L, C, C);

    size_t nreach = 0;
    for (size_t i = 0; i < r->nproviders; i++)
        nreach += provider_reachable(r, i);
    ob_printf(c, "/* a provider that decoding can produce, or OTHER; never NONE */\n");
    ob_printf(c, "void famqp_test_any_%s_random(famqp_test_rng *rng, %s *v, famqp_test_arena *a, int mode)\n{\n", L, C);
    ob_puts(c, "    memset(v, 0, sizeof *v);\n");
    bool uses_mode = false;
    ob_printf(c, "    switch (famqp_test_rng_below(rng, %zuu)) {\n", nreach + 1);
    size_t k = 0;
    for (size_t i = 0; i < r->nproviders; i++) {
        if (!provider_reachable(r, i))
            continue;
        const type *p = r->providers[i];
        char *x = xasprintf("v->u.%s", p->lower);
        ob_printf(c, "    case %zu:\n        v->kind = FAMQP_ANY_%s_%s;\n", k++, U, p->upper);
        vkind vk = vkind_of_provider(p);
        uses_mode |= vk.kind == FK_STRUCT;
        if (vk.kind == FK_PRIM && p->nchoices && p->prim == P_SYMBOL)
            ob_printf(c, "        %s = famqp_%s_symbols[famqp_test_rng_below(rng, FAMQP_%s_COUNT)];\n", x, p->lower,
                      p->upper);
        else if (vk.kind == FK_PRIM && p->nchoices && p->prim == P_STRING)
            ob_printf(c, "        %s = famqp_%s_strings[famqp_test_rng_below(rng, FAMQP_%s_COUNT)];\n", x, p->lower,
                      p->upper);
        else
            emit_fill(c, vk, vk.kind == FK_PRIM && p->nchoices ? p : NULL, x, "        ");
        ob_puts(c, "        break;\n");
        free(x);
    }
    ob_printf(c, "    default:\n        v->kind = FAMQP_ANY_%s_OTHER;\n", U);
    ob_puts(c, "        v->u.other = famqp_test_random_other(rng, a);\n        break;\n    }\n");
    if (!uses_mode)
        ob_puts(c, "    (void)mode;\n");
    ob_puts(c, "}\n\n");

    ob_printf(c, "bool famqp_test_any_%s_equal(const %s *a, const %s *b)\n{\n", L, C, C);
    ob_puts(c, "    if (a->kind != b->kind)\n        return false;\n    switch (a->kind) {\n");
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        char *x = xasprintf("a->u.%s", p->lower), *y = xasprintf("b->u.%s", p->lower);
        char *e = equal_expr(vkind_of_provider(p), x, y);
        ob_printf(c, "    case FAMQP_ANY_%s_%s:\n        return %s;\n", U, p->upper, e);
        free(x);
        free(y);
        free(e);
    }
    ob_printf(c, "    case FAMQP_ANY_%s_OTHER:\n        return famqp_value_equal(a->u.other, b->u.other);\n", U);
    ob_puts(c, "    default:\n        return true; /* NONE */\n    }\n}\n\n");
    ob_printf(c, "static void erased_any_%s_random(famqp_test_rng *rng, void *v, famqp_test_arena *a, int mode)\n{\n"
                 "    famqp_test_any_%s_random(rng, v, a, mode);\n}\n", L, L);
    ob_printf(c, "static bool erased_any_%s_equal(const void *a, const void *b)\n{\n"
                 "    return famqp_test_any_%s_equal(a, b);\n}\n", L, L);
    ob_printf(c, "static size_t erased_any_%s_encode(uint8_t *buf, size_t cap, const void *v)\n{\n"
                 "    return %s_encode(buf, cap, v);\n}\n", L, C);
    ob_printf(c, "static size_t erased_any_%s_decode(const uint8_t *p, size_t n, void *out, famqp_error *err)\n{\n"
                 "    return %s_decode(p, n, out, err);\n}\n", L, C);
    ob_printf(c, "static void erased_any_%s_print(FILE *f, const void *v)\n{\n    %s_print(f, v);\n}\n\n", L, C);
}

/* Marks numeric restricted types whose choice pickers are used. */
static void mark_choice(const type *t, bool *used, const model *m)
{
    if (!t)
        return;
    for (size_t i = 0; i < m->ntypes; i++)
        if (m->types[i] == t)
            used[i] = true;
}

void emit_tests(const model *m, outbuf *c, outbuf *h)
{
    emit_banner(m, h);
    ob_puts(h, header_text);
    emit_prim_protos(h);
    emit_banner(m, c);
    ob_puts(c, "#include <string.h>\n\n#include \"famqp_spec_tests.h\"\n\n");
    ob_puts(c, support_text);
    for (int p = P_BOOLEAN; p < (int)scalar_prims_end; p++)
        ob_printf(c, "FAMQP_TEST_MULTIPLE(%s, %s)\n", prim_infos[p].fn, prim_infos[p].ctype);
    ob_puts(c, "#undef FAMQP_TEST_MULTIPLE\n\n");

    /* choice pickers */
    bool *used = calloc(m->ntypes + 1, sizeof *used);
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        for (size_t k = 0; k < t->nfields; k++)
            mark_choice(field_checked_choices(t, &t->fields[k]), used, m);
    }
    for (size_t i = 0; i < m->nreqs; i++)
        for (size_t k = 0; k < m->reqs[i]->nproviders; k++) {
            const type *p = m->reqs[i]->providers[k];
            if (p->form == FORM_PRIM && p->nchoices && p->prim != P_SYMBOL && p->prim != P_STRING && provider_reachable(m->reqs[i], k))
                mark_choice(p, used, m);
        }
    ob_puts(c, "/* ---- choices of numeric restricted types ---- */\n\n");
    for (size_t i = 0; i < m->ntypes; i++) {
        if (!used[i])
            continue;
        const type *t = m->types[i];
        char fn[256];
        choice_fn_name(fn, sizeof fn, t);
        const char *ct = prim_infos[t->prim].ctype;
        ob_printf(c, "static %s %s(famqp_test_rng *rng)\n{\n    static const %s choices[] = {", ct, fn, ct);
        for (size_t k = 0; k < t->nchoices; k++)
            ob_printf(c, "%s%s", k ? ", " : "", t->choices[k].c_value);
        ob_printf(c, "};\n    return choices[famqp_test_rng_below(rng, %zuu)];\n}\n\n", t->nchoices);
    }
    free(used);

    ob_puts(h, "/* Per type and union (see the top of this file). */\n");
    ob_puts(c, "/* ---- types and unions ---- */\n\n");
    /* declaration order: dependencies first, so every callee is declared */
    for (size_t i = 0; i < m->norder; i++) {
        if (m->order[i].t)
            emit_type_tests(m, m->order[i].t, c, h);
        else
            emit_union_tests(m, m->order[i].r, c, h);
    }

    ob_puts(c, "/* ---- registry ---- */\n\nconst famqp_test_type famqp_test_types[] = {\n");
    size_t ntypes = 0, nunions = 0;
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (!type_has_struct(t))
            continue;
        uint32_t mand = 0;
        if (t->klass == C_COMPOSITE)
            for (size_t k = 0; k < t->nfields; k++)
                if (t->fields[k].mandatory)
                    mand = (uint32_t)k + 1;
        const char *L = t->lower;
        ob_printf(c, "    {\"%s\", FAMQP_%s_CODE, sizeof(%s), erased_%s_random, erased_%s_equal,\n"
                     "     erased_%s_encode, erased_%s_decode, erased_%s_print, %uu, %s},\n",
                  t->name, t->upper, t->cstruct, L, L, L, L, L, mand, t->klass == C_COMPOSITE ? "true" : "false");
        ntypes++;
    }
    if (!ntypes)
        ob_puts(c, "    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, false},\n");
    ob_printf(c, "};\nconst size_t famqp_test_type_count = %zu;\n\n", ntypes);
    ob_puts(c, "const famqp_test_type famqp_test_unions[] = {\n");
    for (size_t i = 0; i < m->nreqs; i++) {
        const requirement *r = m->reqs[i];
        const char *L = r->lower;
        ob_printf(c, "    {\"any %s\", 0, sizeof(%s), erased_any_%s_random, erased_any_%s_equal,\n"
                     "     erased_any_%s_encode, erased_any_%s_decode, erased_any_%s_print, 0u, false},\n",
                  r->name, r->cname, L, L, L, L, L);
        nunions++;
    }
    if (!nunions)
        ob_puts(c, "    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, false},\n");
    ob_printf(c, "};\nconst size_t famqp_test_union_count = %zu;\n", nunions);
    ob_puts(h, "\n#ifdef __cplusplus\n}\n#endif\n#endif /* FAMQP_SPEC_TESTS_H */\n");
}
