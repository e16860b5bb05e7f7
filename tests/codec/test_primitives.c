/* Golden encodings: every AMQP 1.0 primitive type in every encoding is
 * decoded by the typed reader (inline fast path and out-of-line path), the
 * generic getters and the validator; encodings we produce are re-encoded
 * byte for byte; and every proper prefix of every encoding is rejected as
 * truncated. */
#include "rt_util.h"

enum form { THEIRS, SMALLEST, FIXED }; /* which of our encoders emits it */

typedef struct golden {
    const char *name;
    const char *hex;
    famqp_kind kind;
    uint64_t u;          /* integers (two's complement), bool, char, float/double bits */
    const char *payload; /* hex: decimal/uuid bytes or binary/string/symbol contents */
    enum form form;
} golden;

static const golden goldens[] = {
    {"null", "40", FAMQP_KIND_NULL, 0, NULL, SMALLEST},
    {"boolean false", "56 00", FAMQP_KIND_BOOLEAN, 0, NULL, FIXED},
    {"boolean true", "56 01", FAMQP_KIND_BOOLEAN, 1, NULL, FIXED},
    {"true", "41", FAMQP_KIND_BOOLEAN, 1, NULL, SMALLEST},
    {"false", "42", FAMQP_KIND_BOOLEAN, 0, NULL, SMALLEST},
    {"ubyte", "50 ff", FAMQP_KIND_UBYTE, 255, NULL, SMALLEST},
    {"ushort", "60 12 34", FAMQP_KIND_USHORT, 0x1234, NULL, SMALLEST},
    {"uint0", "43", FAMQP_KIND_UINT, 0, NULL, SMALLEST},
    {"smalluint", "52 07", FAMQP_KIND_UINT, 7, NULL, SMALLEST},
    {"uint", "70 00 01 00 00", FAMQP_KIND_UINT, 65536, NULL, SMALLEST},
    {"uint max", "70 ff ff ff ff", FAMQP_KIND_UINT, 0xffffffffu, NULL, SMALLEST},
    {"uint small value", "70 00 00 00 05", FAMQP_KIND_UINT, 5, NULL, FIXED},
    {"ulong0", "44", FAMQP_KIND_ULONG, 0, NULL, SMALLEST},
    {"smallulong", "53 ff", FAMQP_KIND_ULONG, 255, NULL, SMALLEST},
    {"ulong", "80 01 02 03 04 05 06 07 08", FAMQP_KIND_ULONG, 0x0102030405060708ull, NULL, SMALLEST},
    {"ulong small value", "80 00 00 00 00 00 00 00 07", FAMQP_KIND_ULONG, 7, NULL, FIXED},
    {"byte", "51 80", FAMQP_KIND_BYTE, (uint64_t)-128, NULL, SMALLEST},
    {"short", "61 ff fe", FAMQP_KIND_SHORT, (uint64_t)-2, NULL, SMALLEST},
    {"smallint", "54 ff", FAMQP_KIND_INT, (uint64_t)-1, NULL, SMALLEST},
    {"smallint max", "54 7f", FAMQP_KIND_INT, 127, NULL, SMALLEST},
    {"int", "71 80 00 00 00", FAMQP_KIND_INT, (uint64_t)(int64_t)INT32_MIN, NULL, SMALLEST},
    {"int small value", "71 ff ff ff 80", FAMQP_KIND_INT, (uint64_t)-128, NULL, FIXED},
    {"smalllong", "55 80", FAMQP_KIND_LONG, (uint64_t)-128, NULL, SMALLEST},
    {"long", "81 80 00 00 00 00 00 00 00", FAMQP_KIND_LONG, (uint64_t)INT64_MIN, NULL, SMALLEST},
    {"long small value", "81 ff ff ff ff ff ff ff ff", FAMQP_KIND_LONG, (uint64_t)-1, NULL, FIXED},
    {"float", "72 3f c0 00 00", FAMQP_KIND_FLOAT, 0x3fc00000u, NULL, SMALLEST},
    {"double", "82 40 09 21 fb 54 44 2d 18", FAMQP_KIND_DOUBLE, 0x400921fb54442d18ull, NULL, SMALLEST},
    {"decimal32", "74 22 50 00 01", FAMQP_KIND_DECIMAL32, 0, "22 50 00 01", SMALLEST},
    {"decimal64", "84 22 38 00 00 00 00 00 07", FAMQP_KIND_DECIMAL64, 0, "22 38 00 00 00 00 00 07", SMALLEST},
    {"decimal128", "94 22 08 00 00 00 00 00 00 00 00 00 00 00 00 00 2a", FAMQP_KIND_DECIMAL128, 0,
     "22 08 00 00 00 00 00 00 00 00 00 00 00 00 00 2a", SMALLEST},
    {"char", "73 00 01 f6 00", FAMQP_KIND_CHAR, 0x1f600, NULL, SMALLEST},
    {"char max", "73 00 10 ff ff", FAMQP_KIND_CHAR, 0x10ffff, NULL, SMALLEST},
    {"timestamp", "83 00 00 01 8b cf e5 68 00", FAMQP_KIND_TIMESTAMP, 1700000000000ull, NULL, SMALLEST},
    {"timestamp negative", "83 ff ff ff ff ff ff ff 9c", FAMQP_KIND_TIMESTAMP, (uint64_t)-100, NULL, SMALLEST},
    {"uuid", "98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", FAMQP_KIND_UUID, 0,
     "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", SMALLEST},
    {"vbin8", "a0 03 01 02 03", FAMQP_KIND_BINARY, 0, "01 02 03", SMALLEST},
    {"vbin8 empty", "a0 00", FAMQP_KIND_BINARY, 0, "", SMALLEST},
    {"vbin32", "b0 00 00 00 02 aa bb", FAMQP_KIND_BINARY, 0, "aa bb", THEIRS},
    {"str8", "a1 05 68 c3 a9 6c 6c", FAMQP_KIND_STRING, 0, "68 c3 a9 6c 6c", SMALLEST},
    {"str8 4-byte utf-8", "a1 04 f0 9f 98 80", FAMQP_KIND_STRING, 0, "f0 9f 98 80", SMALLEST},
    {"str32", "b1 00 00 00 01 41", FAMQP_KIND_STRING, 0, "41", THEIRS},
    {"sym8", "a3 04 61 62 63 64", FAMQP_KIND_SYMBOL, 0, "61 62 63 64", SMALLEST},
    {"sym32", "b3 00 00 00 01 78", FAMQP_KIND_SYMBOL, 0, "78", THEIRS},
};
#define NGOLDEN (sizeof goldens / sizeof goldens[0])

typedef union any {
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    float f;
    double d;
    famqp_decimal32 d32;
    famqp_decimal64 d64;
    famqp_decimal128 d128;
    famqp_uuid uuid;
    famqp_binary bin;
    famqp_string str;
    famqp_symbol sym;
    famqp_value val;
} any;

static int typed_read(famqp_kind k, famqp_reader *r, any *a)
{
    switch (k) {
    case FAMQP_KIND_BOOLEAN: return famqp_read_bool(r, &a->b, "f");
    case FAMQP_KIND_UBYTE: return famqp_read_ubyte(r, &a->u8, "f");
    case FAMQP_KIND_USHORT: return famqp_read_ushort(r, &a->u16, "f");
    case FAMQP_KIND_UINT: return famqp_read_uint(r, &a->u32, "f");
    case FAMQP_KIND_ULONG: return famqp_read_ulong(r, &a->u64, "f");
    case FAMQP_KIND_BYTE: return famqp_read_byte(r, &a->i8, "f");
    case FAMQP_KIND_SHORT: return famqp_read_short(r, &a->i16, "f");
    case FAMQP_KIND_INT: return famqp_read_int(r, &a->i32, "f");
    case FAMQP_KIND_LONG: return famqp_read_long(r, &a->i64, "f");
    case FAMQP_KIND_FLOAT: return famqp_read_float(r, &a->f, "f");
    case FAMQP_KIND_DOUBLE: return famqp_read_double(r, &a->d, "f");
    case FAMQP_KIND_DECIMAL32: return famqp_read_decimal32(r, &a->d32, "f");
    case FAMQP_KIND_DECIMAL64: return famqp_read_decimal64(r, &a->d64, "f");
    case FAMQP_KIND_DECIMAL128: return famqp_read_decimal128(r, &a->d128, "f");
    case FAMQP_KIND_CHAR: return famqp_read_char(r, &a->u32, "f");
    case FAMQP_KIND_TIMESTAMP: return famqp_read_timestamp(r, &a->i64, "f");
    case FAMQP_KIND_UUID: return famqp_read_uuid(r, &a->uuid, "f");
    case FAMQP_KIND_BINARY: return famqp_read_binary(r, &a->bin, "f");
    case FAMQP_KIND_STRING: return famqp_read_string(r, &a->str, "f");
    case FAMQP_KIND_SYMBOL: return famqp_read_symbol(r, &a->sym, "f");
    default: return famqp_read_value(r, &a->val, "f");
    }
}

static bool typed_get(famqp_kind k, famqp_value v, any *a)
{
    switch (k) {
    case FAMQP_KIND_BOOLEAN: return famqp_value_get_bool(v, &a->b);
    case FAMQP_KIND_UBYTE: return famqp_value_get_ubyte(v, &a->u8);
    case FAMQP_KIND_USHORT: return famqp_value_get_ushort(v, &a->u16);
    case FAMQP_KIND_UINT: return famqp_value_get_uint(v, &a->u32);
    case FAMQP_KIND_ULONG: return famqp_value_get_ulong(v, &a->u64);
    case FAMQP_KIND_BYTE: return famqp_value_get_byte(v, &a->i8);
    case FAMQP_KIND_SHORT: return famqp_value_get_short(v, &a->i16);
    case FAMQP_KIND_INT: return famqp_value_get_int(v, &a->i32);
    case FAMQP_KIND_LONG: return famqp_value_get_long(v, &a->i64);
    case FAMQP_KIND_FLOAT: return famqp_value_get_float(v, &a->f);
    case FAMQP_KIND_DOUBLE: return famqp_value_get_double(v, &a->d);
    case FAMQP_KIND_DECIMAL32: return famqp_value_get_decimal32(v, &a->d32);
    case FAMQP_KIND_DECIMAL64: return famqp_value_get_decimal64(v, &a->d64);
    case FAMQP_KIND_DECIMAL128: return famqp_value_get_decimal128(v, &a->d128);
    case FAMQP_KIND_CHAR: return famqp_value_get_char(v, &a->u32);
    case FAMQP_KIND_TIMESTAMP: return famqp_value_get_timestamp(v, &a->i64);
    case FAMQP_KIND_UUID: return famqp_value_get_uuid(v, &a->uuid);
    case FAMQP_KIND_BINARY: return famqp_value_get_binary(v, &a->bin);
    case FAMQP_KIND_STRING: return famqp_value_get_string(v, &a->str);
    case FAMQP_KIND_SYMBOL: return famqp_value_get_symbol(v, &a->sym);
    default: return false;
    }
}

static void expect_payload(const golden *g, const void *p, size_t n)
{
    size_t want_n;
    uint8_t *want = rt_hex(g->payload, &want_n);
    rt_assert_bytes(p, n, want, want_n, g->name);
    free(want);
}

/* The decoded value equals the golden one. */
static void expect_value(const golden *g, const any *a)
{
    uint32_t f32;
    uint64_t f64;
    switch (g->kind) {
    case FAMQP_KIND_BOOLEAN: ck_assert_msg(a->b == (g->u != 0), "%s", g->name); break;
    case FAMQP_KIND_UBYTE: ck_assert_msg(a->u8 == (uint8_t)g->u, "%s", g->name); break;
    case FAMQP_KIND_USHORT: ck_assert_msg(a->u16 == (uint16_t)g->u, "%s", g->name); break;
    case FAMQP_KIND_UINT:
    case FAMQP_KIND_CHAR: ck_assert_msg(a->u32 == (uint32_t)g->u, "%s: %u", g->name, a->u32); break;
    case FAMQP_KIND_ULONG: ck_assert_msg(a->u64 == g->u, "%s", g->name); break;
    case FAMQP_KIND_BYTE: ck_assert_msg(a->i8 == (int8_t)g->u, "%s", g->name); break;
    case FAMQP_KIND_SHORT: ck_assert_msg(a->i16 == (int16_t)g->u, "%s", g->name); break;
    case FAMQP_KIND_INT: ck_assert_msg(a->i32 == (int32_t)g->u, "%s: %d", g->name, a->i32); break;
    case FAMQP_KIND_LONG:
    case FAMQP_KIND_TIMESTAMP: ck_assert_msg(a->i64 == (int64_t)g->u, "%s", g->name); break;
    case FAMQP_KIND_FLOAT:
        memcpy(&f32, &a->f, 4);
        ck_assert_msg(f32 == (uint32_t)g->u, "%s", g->name);
        break;
    case FAMQP_KIND_DOUBLE:
        memcpy(&f64, &a->d, 8);
        ck_assert_msg(f64 == g->u, "%s", g->name);
        break;
    case FAMQP_KIND_DECIMAL32: expect_payload(g, a->d32.bytes, 4); break;
    case FAMQP_KIND_DECIMAL64: expect_payload(g, a->d64.bytes, 8); break;
    case FAMQP_KIND_DECIMAL128: expect_payload(g, a->d128.bytes, 16); break;
    case FAMQP_KIND_UUID: expect_payload(g, a->uuid.bytes, 16); break;
    case FAMQP_KIND_BINARY: expect_payload(g, a->bin.ptr, a->bin.len); break;
    case FAMQP_KIND_STRING: expect_payload(g, a->str.ptr, a->str.len); break;
    case FAMQP_KIND_SYMBOL: expect_payload(g, a->sym.ptr, a->sym.len); break;
    default: ck_abort_msg("%s: unexpected kind", g->name);
    }
}

/* Our encoder for the golden's form; returns the bytes written and checks
 * that the matching size function agrees. */
static size_t our_put(const golden *g, uint8_t *out)
{
    size_t pn = 0;
    uint8_t *payload = g->payload ? rt_hex(g->payload, &pn) : NULL;
    size_t size = 0;
    uint8_t *end = out;
    bool fixed = g->form == FIXED;
    union { famqp_decimal32 d32; famqp_decimal64 d64; famqp_decimal128 d128; famqp_uuid uuid; } fx;
    if (payload && pn <= 16)
        memcpy(&fx, payload, pn);
    float f;
    double d;
    uint32_t f32 = (uint32_t)g->u;
    memcpy(&f, &f32, 4);
    memcpy(&d, &g->u, 8);
    switch (g->kind) {
    case FAMQP_KIND_NULL: size = famqp_size_null(); end = famqp_put_null(out); break;
#define PUT(T, V)                                                                      \
    do {                                                                               \
        size = fixed ? famqp_size_##T##_fixed(V) : famqp_size_##T(V);                  \
        end = fixed ? famqp_put_##T##_fixed(out, V) : famqp_put_##T(out, V);           \
    } while (0)
#define PUT1(T, V) do { size = famqp_size_##T(V); end = famqp_put_##T(out, V); } while (0)
    case FAMQP_KIND_BOOLEAN: PUT(bool, g->u != 0); break;
    case FAMQP_KIND_UINT: PUT(uint, (uint32_t)g->u); break;
    case FAMQP_KIND_ULONG: PUT(ulong, g->u); break;
    case FAMQP_KIND_INT: PUT(int, (int32_t)g->u); break;
    case FAMQP_KIND_LONG: PUT(long, (int64_t)g->u); break;
    case FAMQP_KIND_UBYTE: PUT1(ubyte, (uint8_t)g->u); break;
    case FAMQP_KIND_USHORT: PUT1(ushort, (uint16_t)g->u); break;
    case FAMQP_KIND_BYTE: PUT1(byte, (int8_t)g->u); break;
    case FAMQP_KIND_SHORT: PUT1(short, (int16_t)g->u); break;
    case FAMQP_KIND_FLOAT: PUT1(float, f); break;
    case FAMQP_KIND_DOUBLE: PUT1(double, d); break;
    case FAMQP_KIND_CHAR: PUT1(char, (uint32_t)g->u); break;
    case FAMQP_KIND_TIMESTAMP: PUT1(timestamp, (int64_t)g->u); break;
    case FAMQP_KIND_DECIMAL32: PUT1(decimal32, fx.d32); break;
    case FAMQP_KIND_DECIMAL64: PUT1(decimal64, fx.d64); break;
    case FAMQP_KIND_DECIMAL128: PUT1(decimal128, fx.d128); break;
    case FAMQP_KIND_UUID: PUT1(uuid, fx.uuid); break;
    case FAMQP_KIND_BINARY: PUT1(binary, famqp_binary_of(payload, pn)); break;
    case FAMQP_KIND_STRING: PUT1(string, ((famqp_string){(const char *)payload, pn})); break;
    case FAMQP_KIND_SYMBOL: PUT1(symbol, ((famqp_symbol){(const char *)payload, pn})); break;
    default: ck_abort_msg("%s: no encoder", g->name);
    }
    free(payload);
    ck_assert_msg((size_t)(end - out) == size, "%s: size %zu but put wrote %zu", g->name, size,
                  (size_t)(end - out));
    return size;
}

/* Decodes buf[0..n) (avail >= n bytes readable) and checks the value. */
static void decode_and_check(const golden *g, const uint8_t *buf, size_t n, size_t avail)
{
    famqp_reader r;
    famqp_error e;
    any a;
    memset(&a, 0, sizeof a);
    famqp_reader_init(&r, buf, avail, &e, NULL);
    r.type = "test";
    int got = typed_read(g->kind, &r, &a);
    ck_assert_msg(!famqp_reader_failed(&r), "%s: %s (%s)", g->name, famqp_status_name(e.status),
                  e.detail ? e.detail : "");
    ck_assert_msg(r.p == buf + n, "%s: reader used %td bytes, want %zu", g->name, r.p - buf, n);
    if (g->kind == FAMQP_KIND_NULL) {
        ck_assert_int_eq(got, 0);
        return;
    }
    ck_assert_msg(got == 1, "%s: read returned %d", g->name, got);
    expect_value(g, &a);
}

START_TEST(golden_decodes)
{
    const golden *g = &goldens[_i];
    size_t n;
    uint8_t *buf = rt_hex(g->hex, &n);

    /* exact-length input: out-of-line paths for the short tail */
    decode_and_check(g, buf, n, n);
    /* input with plenty following: the inline fast paths */
    uint8_t *padded = calloc(n + 32, 1);
    memcpy(padded, buf, n);
    memset(padded + n, 0x40, 32);
    decode_and_check(g, padded, n, n + 32);

    size_t len = 0;
    famqp_error e;
    ck_assert_int_eq(famqp_value_validate(buf, n, NULL, &len, &e), FAMQP_OK);
    ck_assert_uint_eq(len, n);
    famqp_value v = {buf, n};
    ck_assert_msg(famqp_value_kind(v) == g->kind, "%s: kind %s", g->name, famqp_kind_name(famqp_value_kind(v)));
    if (g->kind != FAMQP_KIND_NULL) {
        any a;
        ck_assert_msg(typed_get(g->kind, v, &a), "%s: getter refused", g->name);
        expect_value(g, &a);
    }
    ck_assert(famqp_value_equal(v, v));
    free(padded);
    free(buf);
}
END_TEST

START_TEST(golden_encodes)
{
    const golden *g = &goldens[_i];
    if (g->form == THEIRS)
        return;
    size_t n;
    uint8_t *buf = rt_hex(g->hex, &n);
    uint8_t out[64];
    size_t k = our_put(g, out);
    rt_assert_bytes(out, k, buf, n, g->name);
    free(buf);
}
END_TEST

START_TEST(golden_prefixes_truncated)
{
    const golden *g = &goldens[_i];
    size_t n;
    uint8_t *buf = rt_hex(g->hex, &n);
    for (size_t k = 0; k < n; k++) {
        uint8_t *pre = rt_copy(buf, k);
        famqp_error e;
        ck_assert_msg(famqp_value_validate(pre, k, NULL, NULL, &e) == FAMQP_ERR_TRUNCATED,
                      "%s: prefix %zu: %s", g->name, k, famqp_status_name(e.status));
        famqp_reader r;
        any a;
        famqp_reader_init(&r, pre, k, &e, NULL);
        ck_assert_int_eq(typed_read(g->kind, &r, &a), 0);
        ck_assert_msg(e.status == FAMQP_ERR_TRUNCATED, "%s: typed read of prefix %zu: %s", g->name, k,
                      famqp_status_name(e.status));
        ck_assert_msg(e.field && strcmp(e.field, "f") == 0, "%s: error names field", g->name);
        ck_assert(r.p == r.end);
        free(pre);
    }
    free(buf);
}
END_TEST

/* Compound encodings, decoded as views and compared by content. */
START_TEST(compounds)
{
    static const struct { const char *name, *hex; famqp_kind kind; uint32_t count; } cases[] = {
        {"list0", "45", FAMQP_KIND_LIST, 0},
        {"list8", "c0 03 02 41 42", FAMQP_KIND_LIST, 2},
        {"list32", "d0 00 00 00 06 00 00 00 02 41 42", FAMQP_KIND_LIST, 2},
        {"map8", "c1 05 02 a3 01 61 41", FAMQP_KIND_MAP, 2},
        {"map32", "d1 00 00 00 08 00 00 00 02 a3 01 61 41", FAMQP_KIND_MAP, 2},
        {"array8", "e0 04 02 52 01 02", FAMQP_KIND_ARRAY, 2},
        {"array32", "f0 00 00 00 07 00 00 00 02 52 01 02", FAMQP_KIND_ARRAY, 2},
        {"array of described", "e0 0e 02 00 a3 03 66 6f 6f a1 02 68 69 02 79 6f", FAMQP_KIND_ARRAY, 2},
        {"array of arrays", "e0 0a 02 e0 03 01 52 05 03 01 52 06", FAMQP_KIND_ARRAY, 2},
        {"array of lists", "e0 08 02 c0 03 02 41 42 01 00", FAMQP_KIND_ARRAY, 2},
        {"array of null", "e0 02 03 40", FAMQP_KIND_ARRAY, 3},
        {"array of true", "e0 02 05 41", FAMQP_KIND_ARRAY, 5},
        {"array of uint0", "e0 02 02 43", FAMQP_KIND_ARRAY, 2},
        {"array of list0", "e0 02 02 45", FAMQP_KIND_ARRAY, 2},
        {"empty array", "e0 02 00 a3", FAMQP_KIND_ARRAY, 0},
        {"described", "00 53 70 45", FAMQP_KIND_DESCRIBED, 0},
        {"described by symbol", "00 a3 03 66 6f 6f c0 02 01 40", FAMQP_KIND_DESCRIBED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n, len;
        uint8_t *buf = rt_hex(cases[i].hex, &n);
        famqp_error e;
        ck_assert_msg(famqp_value_validate(buf, n, NULL, &len, &e) == FAMQP_OK, "%s: %s (%s)", cases[i].name,
                      famqp_status_name(e.status), e.detail);
        ck_assert_uint_eq(len, n);
        famqp_value v = {buf, n};
        ck_assert_msg(famqp_value_kind(v) == cases[i].kind, "%s", cases[i].name);
        famqp_reader r;
        famqp_reader_init(&r, buf, n, &e, NULL);
        if (cases[i].kind == FAMQP_KIND_LIST) {
            famqp_list l;
            ck_assert_int_eq(famqp_read_list(&r, &l, "f"), 1);
            ck_assert_uint_eq(l.count, cases[i].count);
            ck_assert(famqp_value_get_list(v, &l) && l.count == cases[i].count);
        } else if (cases[i].kind == FAMQP_KIND_MAP) {
            famqp_map m;
            ck_assert_int_eq(famqp_read_map(&r, &m, "f"), 1);
            ck_assert_uint_eq(m.count, cases[i].count);
            famqp_value val;
            ck_assert(famqp_map_get_symbol_key(&m, "a", &val));
            bool b = false;
            ck_assert(famqp_value_get_bool(val, &b) && b);
            ck_assert(!famqp_map_get_symbol_key(&m, "b", &val));
        } else if (cases[i].kind == FAMQP_KIND_ARRAY) {
            famqp_array a;
            ck_assert_int_eq(famqp_read_array(&r, &a, "f"), 1);
            ck_assert_uint_eq(a.count, cases[i].count);
            famqp_iter it;
            famqp_binary body;
            uint32_t k = 0;
            famqp_array_iter(&a, &it);
            while (famqp_array_next_raw(&it, &body))
                k++;
            ck_assert_msg(k == a.count, "%s: iterated %u", cases[i].name, k);
            /* views re-encode in the smallest form: array32 shrinks to array8 */
            size_t want = buf[0] == 0xe0 ? n : n - 6;
            ck_assert_uint_eq(famqp_size_array(&a), want);
            uint8_t out[64];
            ck_assert_uint_eq((size_t)(famqp_put_array(out, &a) - out), want);
            if (buf[0] == 0xe0)
                rt_assert_bytes(out, n, buf, n, cases[i].name);
            ck_assert(famqp_value_equal((famqp_value){out, want}, v));
        } else {
            famqp_value d, x;
            ck_assert_int_eq(famqp_read_value(&r, &x, "f"), 1);
            ck_assert(famqp_value_get_described(v, &d, &x));
            ck_assert_uint_eq(1 + d.len + x.len, n);
        }
        ck_assert_msg(!famqp_reader_failed(&r) && r.p == r.end, "%s", cases[i].name);
        for (size_t k = 0; k < n; k++) {
            uint8_t *pre = rt_copy(buf, k);
            ck_assert_msg(famqp_value_validate(pre, k, NULL, NULL, &e) == FAMQP_ERR_TRUNCATED,
                          "%s prefix %zu: %s", cases[i].name, k, famqp_status_name(e.status));
            free(pre);
        }
        free(buf);
    }
}
END_TEST

/* Values of 256 bytes and more use the 32-bit length forms. */
START_TEST(long_variable_forms)
{
    static uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)('a' + i % 26);
    famqp_binary b = famqp_binary_of(data, sizeof data);
    static uint8_t out[400];
    ck_assert_uint_eq(famqp_size_binary(b), 305);
    ck_assert_ptr_eq(famqp_put_binary(out, b), out + 305);
    ck_assert_uint_eq(out[0], 0xb0);
    ck_assert_uint_eq(famqp_load32(out + 1), 300);
    uint8_t *exact = rt_copy(out, 305);
    famqp_reader r;
    famqp_error e;
    famqp_binary got;
    famqp_reader_init(&r, exact, 305, &e, NULL);
    ck_assert_int_eq(famqp_read_binary(&r, &got, "f"), 1);
    ck_assert(got.len == 300 && memcmp(got.ptr, data, 300) == 0);

    famqp_string s = {(const char *)data, 256};
    ck_assert_ptr_eq(famqp_put_string(out, s), out + 261);
    ck_assert_uint_eq(out[0], 0xb1);
    famqp_string gs;
    famqp_reader_init(&r, out, 261, &e, NULL);
    ck_assert_int_eq(famqp_read_string(&r, &gs, "f"), 1);
    ck_assert_uint_eq(gs.len, 256);

    famqp_symbol y = {(const char *)data, 255};
    ck_assert_ptr_eq(famqp_put_symbol(out, y), out + 257);
    ck_assert_uint_eq(out[0], 0xa3);
    famqp_symbol gy;
    famqp_reader_init(&r, out, 257, &e, NULL);
    ck_assert_int_eq(famqp_read_symbol(&r, &gy, "f"), 1);
    ck_assert_uint_eq(gy.len, 255);
    free(exact);
}
END_TEST

/* Every reader treats null as "absent": returns 0, no error. */
START_TEST(null_is_absent_for_every_reader)
{
    for (famqp_kind k = FAMQP_KIND_BOOLEAN; k <= FAMQP_KIND_SYMBOL; k++) {
        for (size_t pad = 0; pad <= 16; pad += 16) {
            uint8_t buf[17];
            memset(buf, 0x40, sizeof buf);
            famqp_reader r;
            famqp_error e;
            any a;
            famqp_reader_init(&r, buf, 1 + pad, &e, NULL);
            ck_assert_int_eq(typed_read(k, &r, &a), 0);
            ck_assert_msg(!famqp_reader_failed(&r), "%s", famqp_kind_name(k));
            ck_assert(r.p == buf + 1);
        }
    }
    uint8_t nul = 0x40;
    famqp_reader r;
    famqp_error e;
    famqp_list l;
    famqp_map m;
    famqp_array a;
    famqp_multiple mu;
    famqp_reader_init(&r, &nul, 1, &e, NULL);
    ck_assert_int_eq(famqp_read_list(&r, &l, "f"), 0);
    famqp_reader_init(&r, &nul, 1, &e, NULL);
    ck_assert_int_eq(famqp_read_map(&r, &m, "f"), 0);
    famqp_reader_init(&r, &nul, 1, &e, NULL);
    ck_assert_int_eq(famqp_read_array(&r, &a, "f"), 0);
    famqp_reader_init(&r, &nul, 1, &e, NULL);
    ck_assert_int_eq(famqp_read_multiple(&r, &mu, famqp_codes_symbol, "f"), 0);
    ck_assert_uint_eq(mu.count, 0);
    ck_assert(!famqp_reader_failed(&r) && r.p == r.end);
}
END_TEST

/* Reading every golden as every other type fails with a mismatch that
 * names the field and the offset, and leaves the reader at the end. */
START_TEST(wrong_type_is_mismatch)
{
    for (size_t i = 0; i < NGOLDEN; i++) {
        const golden *g = &goldens[i];
        if (g->kind == FAMQP_KIND_NULL)
            continue;
        size_t n;
        uint8_t *raw = rt_hex(g->hex, &n);
        uint8_t *buf = calloc(n + 3, 1);
        memcpy(buf + 3, raw, n); /* at offset 3, after a prefix we skip */
        for (famqp_kind k = FAMQP_KIND_BOOLEAN; k <= FAMQP_KIND_SYMBOL; k++) {
            if (k == g->kind)
                continue;
            famqp_reader r;
            famqp_error e;
            any a;
            famqp_reader_init(&r, buf, n + 3, &e, NULL);
            r.p += 3;
            r.type = "test";
            ck_assert_int_eq(typed_read(k, &r, &a), 0);
            ck_assert_msg(e.status == FAMQP_ERR_TYPE_MISMATCH, "%s read as %s: %s", g->name, famqp_kind_name(k),
                          famqp_status_name(e.status));
            ck_assert_uint_eq(e.offset, 3);
            ck_assert_str_eq(e.type, "test");
            ck_assert_str_eq(e.field, "f");
            ck_assert(r.p == r.end);
        }
        free(buf);
        free(raw);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec_primitives");
    TCase *tc = tcase_create("golden");
    tcase_add_loop_test(tc, golden_decodes, 0, (int)NGOLDEN);
    tcase_add_loop_test(tc, golden_encodes, 0, (int)NGOLDEN);
    tcase_add_loop_test(tc, golden_prefixes_truncated, 0, (int)NGOLDEN);
    tcase_add_test(tc, compounds);
    tcase_add_test(tc, long_variable_forms);
    tcase_add_test(tc, null_is_absent_for_every_reader);
    tcase_add_test(tc, wrong_type_is_mismatch);
    suite_add_tcase(s, tc);
    return rt_run(s);
}
