/* Cross-check against Qpid Proton-C's pn_data_t codec: every primitive
 * value that Proton encodes decodes with our reader to the same value, and
 * where we choose the same encoding (both use the smallest forms for
 * integers, true/false codes for booleans, 8-bit lengths below 256 bytes)
 * our bytes are identical.  Proton writes lists and maps as list32/map32
 * and arrays as array32, so compounds are compared by value. */
#include <math.h>
#include <proton/codec.h>

#include "rt_util.h"

static pn_data_t *pn;
static uint8_t pbuf[4096];

/* Proton's encoding of what was just put into pn, as an exact heap copy. */
static uint8_t *pn_take(size_t *n)
{
    ssize_t k = pn_data_encode(pn, (char *)pbuf, sizeof pbuf);
    ck_assert_msg(k > 0, "pn_data_encode failed: %zd", k);
    pn_data_clear(pn);
    *n = (size_t)k;
    return rt_copy(pbuf, *n);
}

static void setup(void) { pn = pn_data(0); }
static void teardown(void) { pn_data_free(pn); }

/* Decodes Proton's bytes with famqp_read_<T>, checks the value, then
 * checks our smallest encoding is byte-identical. */
/* Macro locals end in _ so that V and PNV may use any other name. */
#define CROSS(PNPUT, PNV, T, CT, V, EQ)                                                   \
    do {                                                                                  \
        CT want_ = (V), got_;                                                             \
        size_t n_;                                                                        \
        pn_data_put_##PNPUT(pn, PNV);                                                     \
        uint8_t *enc_ = pn_take(&n_);                                                     \
        famqp_reader r_;                                                                  \
        famqp_error e_;                                                                   \
        famqp_reader_init(&r_, enc_, n_, &e_, NULL);                                      \
        ck_assert_msg(famqp_read_##T(&r_, &got_, "f") == 1, #T " %s: %s", #V,             \
                      famqp_status_name(e_.status));                                      \
        ck_assert_msg(r_.p == r_.end, #T " %s: bytes left over", #V);                     \
        const CT *a = &got_, *b = &want_;                                                 \
        ck_assert_msg(EQ, #T " %s: decoded value differs", #V);                           \
        ck_assert_int_eq(famqp_value_validate(enc_, n_, NULL, NULL, NULL), FAMQP_OK);     \
        static uint8_t ours_[4096];                                                       \
        size_t k_ = (size_t)(famqp_put_##T(ours_, want_) - ours_);                        \
        ck_assert_uint_eq(k_, famqp_size_##T(want_));                                     \
        rt_assert_bytes(ours_, k_, enc_, n_, #T " " #V);                                  \
        free(enc_);                                                                       \
    } while (0)

#define SAME (*a == *b)
#define SAME_BITS (memcmp(a, b, sizeof *a) == 0)
#define SAME_VIEW (a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0))

START_TEST(null_and_booleans)
{
    size_t n;
    pn_data_put_null(pn);
    uint8_t *enc = pn_take(&n);
    uint8_t ours[1];
    famqp_put_null(ours);
    rt_assert_bytes(ours, 1, enc, n, "null");
    famqp_reader r;
    famqp_error e;
    famqp_value v;
    famqp_reader_init(&r, enc, n, &e, NULL);
    ck_assert_int_eq(famqp_read_value(&r, &v, "f"), 0);
    ck_assert(!famqp_reader_failed(&r) && r.p == r.end);
    free(enc);
    CROSS(bool, true, bool, bool, true, SAME);
    CROSS(bool, false, bool, bool, false, SAME);
}
END_TEST

START_TEST(integers)
{
    static const uint32_t u32[] = {0, 1, 255, 256, 65535, 70000, UINT32_MAX};
    for (size_t i = 0; i < sizeof u32 / sizeof u32[0]; i++)
        CROSS(uint, u32[i], uint, uint32_t, u32[i], SAME);
    static const uint64_t u64[] = {0, 1, 255, 256, UINT32_MAX, UINT64_MAX};
    for (size_t i = 0; i < sizeof u64 / sizeof u64[0]; i++)
        CROSS(ulong, u64[i], ulong, uint64_t, u64[i], SAME);
    static const int32_t i32[] = {0, -1, 127, -128, 128, -129, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof i32 / sizeof i32[0]; i++)
        CROSS(int, i32[i], int, int32_t, i32[i], SAME);
    static const int64_t i64[] = {0, -1, 127, -128, 128, -129, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof i64 / sizeof i64[0]; i++)
        CROSS(long, i64[i], long, int64_t, i64[i], SAME);
    static const uint8_t u8[] = {0, 1, 255};
    for (size_t i = 0; i < sizeof u8 / sizeof u8[0]; i++)
        CROSS(ubyte, u8[i], ubyte, uint8_t, u8[i], SAME);
    static const uint16_t u16[] = {0, 513, 65535};
    for (size_t i = 0; i < sizeof u16 / sizeof u16[0]; i++)
        CROSS(ushort, u16[i], ushort, uint16_t, u16[i], SAME);
    static const int8_t s8[] = {0, -128, 127};
    for (size_t i = 0; i < sizeof s8 / sizeof s8[0]; i++)
        CROSS(byte, s8[i], byte, int8_t, s8[i], SAME);
    static const int16_t s16[] = {0, -32768, 32767, -2};
    for (size_t i = 0; i < sizeof s16 / sizeof s16[0]; i++)
        CROSS(short, s16[i], short, int16_t, s16[i], SAME);
}
END_TEST

START_TEST(floats_chars_timestamps)
{
    static const float f[] = {0.0f, 1.5f, -0.25f, 3.4e38f};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        CROSS(float, f[i], float, float, f[i], SAME_BITS);
    CROSS(float, -INFINITY, float, float, -INFINITY, SAME_BITS);
    static const double d[] = {0.0, -0.0, 3.141592653589793, -1e300};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        CROSS(double, d[i], double, double, d[i], SAME_BITS);
    static const uint32_t c[] = {'a', 0, 0xe9, 0x1f600, 0x10ffff};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        CROSS(char, c[i], char, uint32_t, c[i], SAME);
    static const int64_t t[] = {0, -1, 1700000000000, INT64_MAX};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        CROSS(timestamp, t[i], timestamp, int64_t, t[i], SAME);
}
END_TEST

START_TEST(decimals_and_uuids)
{
    famqp_decimal32 d32 = {{0x22, 0x50, 0x00, 0x01}};
    CROSS(decimal32, 0x22500001u, decimal32, famqp_decimal32, d32, SAME_BITS);
    famqp_decimal64 d64 = {{0x22, 0x38, 0, 0, 0, 0, 0, 7}};
    CROSS(decimal64, 0x2238000000000007ull, decimal64, famqp_decimal64, d64, SAME_BITS);
    famqp_decimal128 d128;
    pn_decimal128_t pd128;
    famqp_uuid u;
    pn_uuid_t pu;
    for (int i = 0; i < 16; i++) {
        d128.bytes[i] = (uint8_t)(0xf0 - i);
        pd128.bytes[i] = (char)(0xf0 - i);
        u.bytes[i] = (uint8_t)(i * 17);
        pu.bytes[i] = (char)(i * 17);
    }
    CROSS(decimal128, pd128, decimal128, famqp_decimal128, d128, SAME_BITS);
    CROSS(uuid, pu, uuid, famqp_uuid, u, SAME_BITS);
}
END_TEST

START_TEST(binary_string_symbol)
{
    static char long_text[300];
    for (size_t i = 0; i < sizeof long_text; i++)
        long_text[i] = (char)('a' + i % 26);
    static const struct { const char *p; size_t n; } texts[] = {
        {"", 0}, {"abc", 3}, {"h\xc3\xa9llo \xf0\x9f\x98\x80", 11}, {NULL, 255}, {NULL, 256}, {NULL, 300},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *p = texts[i].p ? texts[i].p : long_text;
        size_t n = texts[i].n;
        CROSS(binary, pn_bytes(n, p), binary, famqp_binary, famqp_binary_of(p, n), SAME_VIEW);
        CROSS(string, pn_bytes(n, p), string, famqp_string, ((famqp_string){p, n}), SAME_VIEW);
        if (i != 2) /* symbols are ASCII */
            CROSS(symbol, pn_bytes(n, p), symbol, famqp_symbol, ((famqp_symbol){p, n}), SAME_VIEW);
    }
}
END_TEST

/* Proton's encoding of a compound equals ours by value. */
static void expect_equal_values(uint8_t *pn_enc, size_t n, const uint8_t *ours, size_t k, const char *what)
{
    size_t len;
    famqp_error e;
    ck_assert_msg(famqp_value_validate(pn_enc, n, NULL, &len, &e) == FAMQP_OK && len == n, "%s: %s", what,
                  famqp_status_name(e.status));
    ck_assert_msg(famqp_value_equal((famqp_value){pn_enc, n}, (famqp_value){ours, k}), "%s differs", what);
    free(pn_enc);
}

START_TEST(compounds_by_value)
{
    size_t n;
    uint8_t buf[256];
    famqp_writer w;

    /* [1, "hi", null, [-5]] */
    pn_data_put_list(pn);
    pn_data_enter(pn);
    pn_data_put_uint(pn, 1);
    pn_data_put_string(pn, pn_bytes(2, "hi"));
    pn_data_put_null(pn);
    pn_data_put_list(pn);
    pn_data_enter(pn);
    pn_data_put_long(pn, -5);
    pn_data_exit(pn);
    pn_data_exit(pn);
    uint8_t *enc = pn_take(&n);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_list_begin(&w);
    famqp_write_uint(&w, 1);
    famqp_write_cstring(&w, "hi");
    famqp_write_null(&w);
    famqp_write_list_begin(&w);
    famqp_write_long(&w, -5);
    famqp_write_list_end(&w);
    famqp_write_list_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_OK);
    expect_equal_values(enc, n, buf, w.len, "list");

    /* the same list in the smallest forms (list8) */
    static const uint8_t small[] = {0xc0, 0x0d, 0x04, 0x52, 0x01, 0xa1, 0x02, 'h', 'i', 0x40, 0xc0, 0x03, 0x01, 0x55, 0xfb};
    pn_data_put_list(pn);
    pn_data_enter(pn);
    pn_data_put_uint(pn, 1);
    pn_data_put_string(pn, pn_bytes(2, "hi"));
    pn_data_put_null(pn);
    pn_data_put_list(pn);
    pn_data_enter(pn);
    pn_data_put_long(pn, -5);
    pn_data_exit(pn);
    pn_data_exit(pn);
    expect_equal_values(pn_take(&n), n, small, sizeof small, "list8");

    /* {:k = true, "s" = 7} */
    pn_data_put_map(pn);
    pn_data_enter(pn);
    pn_data_put_symbol(pn, pn_bytes(1, "k"));
    pn_data_put_bool(pn, true);
    pn_data_put_string(pn, pn_bytes(1, "s"));
    pn_data_put_ubyte(pn, 7);
    pn_data_exit(pn);
    enc = pn_take(&n);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "k");
    famqp_write_bool(&w, true);
    famqp_write_cstring(&w, "s");
    famqp_write_ubyte(&w, 7);
    famqp_write_map_end(&w);
    expect_equal_values(enc, n, buf, w.len, "map");

    /* array of symbols: Proton writes array32/sym32, we write array8/sym8 */
    pn_data_put_array(pn, false, PN_SYMBOL);
    pn_data_enter(pn);
    pn_data_put_symbol(pn, pn_bytes(1, "a"));
    pn_data_put_symbol(pn, pn_bytes(3, "bcd"));
    pn_data_exit(pn);
    enc = pn_take(&n);
    famqp_symbol syms[] = {famqp_symbol_of("a"), famqp_symbol_of("bcd")};
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_array_symbol(&w, syms, 2);
    ck_assert_uint_eq(buf[0], 0xe0);
    expect_equal_values(enc, n, buf, w.len, "array of symbols");

    /* array of uints, read as a multiple field */
    pn_data_put_array(pn, false, PN_UINT);
    pn_data_enter(pn);
    pn_data_put_uint(pn, 0);
    pn_data_put_uint(pn, 5);
    pn_data_put_uint(pn, 70000);
    pn_data_exit(pn);
    enc = pn_take(&n);
    famqp_reader r;
    famqp_error e;
    famqp_multiple m;
    famqp_iter it;
    uint32_t u;
    famqp_reader_init(&r, enc, n, &e, NULL);
    ck_assert_int_eq(famqp_read_multiple(&r, &m, famqp_codes_uint, "f"), 1);
    ck_assert_uint_eq(m.count, 3);
    famqp_multiple_iter(&m, &it);
    ck_assert(famqp_array_next_uint(&it, &u) && u == 0);
    ck_assert(famqp_array_next_uint(&it, &u) && u == 5);
    ck_assert(famqp_array_next_uint(&it, &u) && u == 70000);
    static const uint32_t items[] = {0, 5, 70000};
    famqp_multiple ours = {3, items, {0}};
    uint8_t out[64];
    size_t k = (size_t)(famqp_put_multiple_uint(out, &ours) - out);
    expect_equal_values(enc, n, out, k, "array of uint");

    /* described: @0x70 [] and an array of described strings */
    pn_data_put_described(pn);
    pn_data_enter(pn);
    pn_data_put_ulong(pn, 0x70);
    pn_data_put_list(pn);
    pn_data_exit(pn);
    enc = pn_take(&n);
    static const uint8_t described[] = {0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x70, 0xc0, 0x01, 0x00};
    expect_equal_values(enc, n, described, sizeof described, "described");

    pn_data_put_array(pn, true, PN_STRING);
    pn_data_enter(pn);
    pn_data_put_symbol(pn, pn_bytes(3, "foo"));
    pn_data_put_string(pn, pn_bytes(2, "hi"));
    pn_data_put_string(pn, pn_bytes(2, "yo"));
    pn_data_exit(pn);
    enc = pn_take(&n);
    static const uint8_t darray[] = {0xe0, 0x0e, 0x02, 0x00, 0xa3, 0x03, 'f', 'o', 'o', 0xa1,
                                     0x02, 'h', 'i', 0x02, 'y', 'o'};
    expect_equal_values(enc, n, darray, sizeof darray, "array of described strings");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec_proton_primitives");
    TCase *tc = tcase_create("proton");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, null_and_booleans);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, floats_chars_timestamps);
    tcase_add_test(tc, decimals_and_uuids);
    tcase_add_test(tc, binary_string_symbol);
    tcase_add_test(tc, compounds_by_value);
    suite_add_tcase(s, tc);
    return rt_run(s);
}
