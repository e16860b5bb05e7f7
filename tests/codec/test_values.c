/* Generic values: getters and equality across encodings, iteration, the
 * write-or-count writer, arrays from C values (multiple fields) for every
 * element type, printing and error formatting. */
#include "rt_util.h"

static famqp_value hexval(const char *hex)
{
    size_t n;
    uint8_t *b = rt_hex(hex, &n);
    return (famqp_value){b, n};
}

static void freeval(famqp_value v) { free((void *)v.ptr); }

START_TEST(getters_accept_every_encoding)
{
    static const char *const zeros[] = {"43", "52 00", "70 00 00 00 00"};
    for (size_t i = 0; i < 3; i++) {
        famqp_value v = hexval(zeros[i]);
        uint32_t u = 1;
        uint64_t ul;
        ck_assert(famqp_value_get_uint(v, &u) && u == 0);
        ck_assert(!famqp_value_get_ulong(v, &ul)); /* a uint is not a ulong */
        ck_assert_int_eq(famqp_value_kind(v), FAMQP_KIND_UINT);
        freeval(v);
    }
    famqp_value v = hexval("54 fe");
    int32_t i32;
    int64_t i64;
    ck_assert(famqp_value_get_int(v, &i32) && i32 == -2);
    ck_assert(!famqp_value_get_long(v, &i64));
    freeval(v);
    v = hexval("55 fe");
    ck_assert(famqp_value_get_long(v, &i64) && i64 == -2);
    freeval(v);
    v = hexval("b3 00 00 00 03 61 62 63");
    famqp_symbol s;
    famqp_string str;
    ck_assert(famqp_value_get_symbol(v, &s) && famqp_symbol_eq(s, "abc"));
    ck_assert(!famqp_value_get_string(v, &str));
    freeval(v);
    v = hexval("56 01");
    bool b = false;
    ck_assert(famqp_value_get_bool(v, &b) && b);
    freeval(v);
    /* a view cut short is refused, not over-read */
    v = hexval("70 00 00");
    ck_assert(!famqp_value_get_uint(v, &(uint32_t){0}));
    freeval(v);
    ck_assert(!famqp_value_get_uint((famqp_value){NULL, 0}, &(uint32_t){0}));
    ck_assert_int_eq(famqp_value_kind((famqp_value){NULL, 0}), FAMQP_KIND_INVALID);
    ck_assert_str_eq(famqp_kind_name(FAMQP_KIND_MAP), "map");
    ck_assert_str_eq(famqp_kind_name(FAMQP_KIND_DESCRIBED), "described");
}
END_TEST

START_TEST(equality_across_encodings)
{
    static const struct { const char *a, *b; bool eq; } cases[] = {
        {"43", "52 00", true},
        {"43", "70 00 00 00 00", true},
        {"52 05", "70 00 00 00 05", true},
        {"52 05", "53 05", false}, /* uint vs ulong */
        {"44", "80 00 00 00 00 00 00 00 00", true},
        {"54 ff", "71 ff ff ff ff", true},
        {"55 80", "81 ff ff ff ff ff ff ff 80", true},
        {"41", "56 01", true},
        {"42", "56 00", true},
        {"41", "42", false},
        {"a1 02 68 69", "b1 00 00 00 02 68 69", true},
        {"a1 02 68 69", "a3 02 68 69", false},
        {"a0 00", "b0 00 00 00 00", true},
        {"45", "c0 01 00", true},
        {"45", "d0 00 00 00 04 00 00 00 00", true},
        {"c0 03 02 41 43", "d0 00 00 00 08 00 00 00 02 56 01 52 00", true},
        {"c0 03 02 41 43", "c0 03 02 41 44", false},
        {"c1 05 02 a3 01 61 41", "d1 00 00 00 0c 00 00 00 02 b3 00 00 00 01 61 56 01", true},
        {"c1 05 02 a3 01 61 41", "c1 05 02 a3 01 62 41", false},
        {"e0 04 02 52 01 02", "f0 00 00 00 0d 00 00 00 02 70 00 00 00 01 00 00 00 02", true},
        {"e0 04 02 52 01 02", "e0 04 02 52 01 03", false},
        {"e0 04 02 52 01 02", "e0 04 02 53 01 02", false},
        {"e0 0e 02 00 a3 03 66 6f 6f a1 02 68 69 02 79 6f",
         "e0 17 02 00 b3 00 00 00 03 66 6f 6f b1 00 00 00 02 68 69 00 00 00 02 79 6f", true},
        {"e0 0e 02 00 a3 03 66 6f 6f a1 02 68 69 02 79 6f", "e0 08 02 a1 02 68 69 02 79 6f", false},
        {"00 53 70 45", "00 80 00 00 00 00 00 00 00 70 c0 01 00", true},
        {"00 53 70 45", "00 53 71 45", false},
        {"00 53 70 45", "45", false},
        {"72 3f c0 00 00", "72 3f c0 00 00", true},
        {"40", "40", true},
        {"40", "43", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_value a = hexval(cases[i].a), b = hexval(cases[i].b);
        ck_assert_msg(famqp_value_validate(a.ptr, a.len, NULL, NULL, NULL) == FAMQP_OK, "%s", cases[i].a);
        ck_assert_msg(famqp_value_validate(b.ptr, b.len, NULL, NULL, NULL) == FAMQP_OK, "%s", cases[i].b);
        ck_assert_msg(famqp_value_equal(a, b) == cases[i].eq, "%s vs %s", cases[i].a, cases[i].b);
        ck_assert_msg(famqp_value_equal(b, a) == cases[i].eq, "%s vs %s (reversed)", cases[i].a, cases[i].b);
        freeval(a);
        freeval(b);
    }
    /* Regression: an empty view ("no value", as decoded from null) equals
     * itself and an encoded null, and nothing else. */
    famqp_value none = {NULL, 0};
    famqp_value null_v = hexval("40"), zero = hexval("43");
    ck_assert(famqp_value_equal(none, none));
    ck_assert(famqp_value_equal(none, null_v));
    ck_assert(famqp_value_equal(null_v, none));
    ck_assert(!famqp_value_equal(none, zero));
    freeval(null_v);
    freeval(zero);
}
END_TEST

START_TEST(iteration)
{
    famqp_value v = hexval("d0 00 00 00 0e 00 00 00 03 52 07 a1 02 68 69 00 53 01 40");
    famqp_list l;
    famqp_iter it;
    famqp_value item, d, x;
    ck_assert(famqp_value_get_list(v, &l));
    ck_assert_uint_eq(l.count, 3);
    famqp_list_iter(&l, &it);
    uint32_t u;
    famqp_string s;
    ck_assert(famqp_list_next(&it, &item) && famqp_value_get_uint(item, &u) && u == 7);
    ck_assert(famqp_list_next(&it, &item) && famqp_value_get_string(item, &s) && famqp_string_eq(s, "hi"));
    ck_assert(famqp_list_next(&it, &item) && famqp_value_get_described(item, &d, &x));
    ck_assert_int_eq(famqp_value_kind(x), FAMQP_KIND_NULL);
    ck_assert(!famqp_list_next(&it, &item));
    freeval(v);

    v = hexval("c1 0c 04 a3 01 61 52 01 a1 01 62 a1 01 63");
    famqp_map m;
    famqp_value key, val;
    ck_assert(famqp_value_get_map(v, &m));
    famqp_map_iter(&m, &it);
    ck_assert(famqp_map_next(&it, &key, &val));
    ck_assert(famqp_value_get_symbol(key, &(famqp_symbol){0}));
    ck_assert(famqp_map_next(&it, &key, &val));
    ck_assert(!famqp_map_next(&it, &key, &val));
    ck_assert(famqp_map_get_string_key(&m, "b", &val) && famqp_value_get_string(val, &s) && famqp_string_eq(s, "c"));
    ck_assert(!famqp_map_get_symbol_key(&m, "b", &val)); /* key "b" is a string, not a symbol */
    ck_assert(famqp_map_get_symbol_key(&m, "a", &val) && famqp_value_get_uint(val, &u) && u == 1);
    freeval(v);

    /* typed array iteration: the element constructor must match */
    v = hexval("e0 06 02 71 00 00 01 00");
    famqp_array a;
    /* size 6 cannot hold two ints: validation refuses it */
    ck_assert_int_eq(famqp_value_validate(v.ptr, v.len, NULL, NULL, NULL), FAMQP_ERR_LIMIT);
    freeval(v);
    v = hexval("e0 0a 02 71 00 00 01 00 ff ff ff ff");
    ck_assert(famqp_value_get_array(v, &a));
    int32_t i32;
    famqp_array_iter(&a, &it);
    ck_assert(!famqp_array_next_uint(&it, &u));
    ck_assert(famqp_array_next_int(&it, &i32) && i32 == 256);
    ck_assert(famqp_array_next_int(&it, &i32) && i32 == -1);
    ck_assert(!famqp_array_next_int(&it, &i32));
    freeval(v);
    v = hexval("e0 02 02 41"); /* booleans from the true code */
    bool b;
    ck_assert(famqp_value_get_array(v, &a));
    famqp_array_iter(&a, &it);
    ck_assert(famqp_array_next_bool(&it, &b) && b);
    ck_assert(famqp_array_next_bool(&it, &b) && b);
    ck_assert(!famqp_array_next_bool(&it, &b));
    freeval(v);
}
END_TEST

START_TEST(writer_round_trip)
{
    uint8_t buf[256];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "tenant");
    famqp_write_cstring(&w, "acme");
    famqp_write_symbol(&w, famqp_symbol_of("priority"));
    famqp_write_uint(&w, 5);
    famqp_write_cstring(&w, "tags");
    famqp_write_list_begin(&w);
    famqp_write_bool(&w, true);
    famqp_write_long(&w, -3);
    famqp_write_described(&w);
    famqp_write_ulong(&w, 0x70);
    famqp_write_list_begin(&w);
    famqp_write_list_end(&w);
    famqp_write_null(&w);
    famqp_write_list_end(&w);
    famqp_write_csymbol(&w, "caps");
    famqp_symbol caps[] = {famqp_symbol_of("a"), famqp_symbol_of("bc")};
    famqp_write_array_symbol(&w, caps, 2);
    famqp_write_map_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_OK);

    static const char want[] =
        "d1 00 00 00 4c 00 00 00 08"
        " a3 06 74 65 6e 61 6e 74 a1 04 61 63 6d 65"
        " a3 08 70 72 69 6f 72 69 74 79 52 05"
        " a1 04 74 61 67 73"
        " d0 00 00 00 14 00 00 00 04 41 55 fd 00 53 70 d0 00 00 00 04 00 00 00 00 40"
        " a3 04 63 61 70 73 e0 07 02 a3 01 61 02 62 63";
    size_t wn;
    uint8_t *wb = rt_hex(want, &wn);
    famqp_value v = famqp_writer_value(&w);
    rt_assert_bytes(v.ptr, v.len, wb, wn, "writer output");
    free(wb);
    size_t len;
    ck_assert_int_eq(famqp_value_validate(v.ptr, v.len, NULL, &len, NULL), FAMQP_OK);
    ck_assert_uint_eq(len, v.len);
    famqp_map m;
    ck_assert(famqp_map_of(v.ptr, v.len, &m));
    ck_assert_uint_eq(m.count, 8);
    famqp_value got;
    uint32_t u;
    ck_assert(famqp_map_get_symbol_key(&m, "priority", &got) && famqp_value_get_uint(got, &u) && u == 5);
    ck_assert(famqp_map_get_string_key(&m, "tags", &got));
    famqp_list l;
    ck_assert(famqp_list_of(got.ptr, got.len, &l) && l.count == 4);

    /* a too-small buffer: nothing valid claimed, the needed size reported */
    for (size_t cap = 0; cap < v.len; cap += 7) {
        uint8_t small[256];
        famqp_writer s;
        famqp_writer_init(&s, small, cap);
        famqp_write_map_begin(&s);
        famqp_write_csymbol(&s, "tenant");
        famqp_write_cstring(&s, "acme");
        famqp_write_map_end(&s);
        ck_assert_int_eq(famqp_writer_status(&s), cap >= 23 ? FAMQP_OK : FAMQP_ERR_LIMIT);
        ck_assert_uint_eq(famqp_writer_len(&s), 23);
        if (cap < 23)
            ck_assert_uint_eq(famqp_writer_value(&s).len, 0);
    }
    famqp_writer c; /* counting only */
    famqp_writer_init(&c, NULL, 0);
    famqp_write_cstring(&c, "hello");
    ck_assert_uint_eq(famqp_writer_len(&c), 7);
    ck_assert_int_eq(famqp_writer_status(&c), FAMQP_ERR_LIMIT);
}
END_TEST

START_TEST(writer_rejects_unbalanced)
{
    uint8_t buf[64];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_list_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_list_begin(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "k");
    famqp_write_map_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_list_begin(&w);
    famqp_write_map_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_described(&w);
    famqp_write_ulong(&w, 1);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
    famqp_write_null(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_OK);
    /* nesting beyond FAMQP_WRITER_MAX_DEPTH is refused, and stays balanced */
    static uint8_t big[4096];
    famqp_writer_init(&w, big, sizeof big);
    for (int i = 0; i < FAMQP_WRITER_MAX_DEPTH + 3; i++)
        famqp_write_list_begin(&w);
    for (int i = 0; i < FAMQP_WRITER_MAX_DEPTH + 3; i++)
        famqp_write_list_end(&w);
    ck_assert_int_eq(famqp_writer_status(&w), FAMQP_ERR_INVALID_VALUE);
}
END_TEST

/* Encodes `m`, checks size == put, decodes it back with read_multiple and
 * returns the encoding (static buffer). */
static const uint8_t *multiple_round_trip(size_t (*size)(const famqp_multiple *),
                                          uint8_t *(*put)(uint8_t *, const famqp_multiple *),
                                          const famqp_multiple *m, famqp_code_table codes, famqp_multiple *back,
                                          size_t *n)
{
    static uint8_t buf[1 << 16];
    size_t k = size(m);
    ck_assert_uint_le(k, sizeof buf);
    ck_assert_ptr_eq(put(buf, m), buf + k);
    famqp_reader r;
    famqp_error e;
    famqp_reader_init(&r, buf, k, &e, NULL);
    ck_assert_msg(famqp_read_multiple(&r, back, codes, "f") == 1, "%s", famqp_status_name(e.status));
    ck_assert(r.p == buf + k);
    ck_assert_uint_eq(back->count, m->count);
    *n = k;
    return buf;
}

#define MULTI_CASE(T, CT, CODES, EQ, ...)                                                         \
    do {                                                                                          \
        static const CT items[] = {__VA_ARGS__};                                                  \
        uint32_t cnt = (uint32_t)(sizeof items / sizeof items[0]);                                \
        famqp_multiple m = {cnt, items, {0}}, back;                                               \
        size_t n;                                                                                 \
        const uint8_t *enc = multiple_round_trip(famqp_size_multiple_##T, famqp_put_multiple_##T, \
                                                 &m, CODES, &back, &n);                           \
        famqp_iter it;                                                                            \
        CT x;                                                                                     \
        famqp_multiple_iter(&back, &it);                                                          \
        for (uint32_t i = 0; i < cnt; i++) {                                                      \
            ck_assert_msg(famqp_array_next_##T(&it, &x), #T " element %u", i);                    \
            const CT *a = &x, *b = &items[i];                                                     \
            ck_assert_msg(EQ, #T " element %u differs", i);                                       \
        }                                                                                         \
        ck_assert(!famqp_array_next_##T(&it, &x));                                                \
        last_code = back.wire.ctor[0];                                                            \
        last_len = n;                                                                             \
        (void)enc;                                                                                \
    } while (0)

#define SAME (*a == *b)
#define SAME_BYTES (memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0)
#define SAME_VIEW (a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0))

START_TEST(multiple_every_type)
{
    uint8_t last_code;
    size_t last_len;
    MULTI_CASE(bool, bool, famqp_codes_boolean, SAME, true, false, true);
    ck_assert_uint_eq(last_code, 0x56);
    MULTI_CASE(ubyte, uint8_t, famqp_codes_ubyte, SAME, 0, 255);
    MULTI_CASE(ushort, uint16_t, famqp_codes_ushort, SAME, 1, 65535);
    MULTI_CASE(uint, uint32_t, famqp_codes_uint, SAME, 0, 0);
    ck_assert_uint_eq(last_code, 0x52); /* not uint0 */
    MULTI_CASE(uint, uint32_t, famqp_codes_uint, SAME, 0, 255, 7);
    ck_assert_uint_eq(last_code, 0x52);
    MULTI_CASE(uint, uint32_t, famqp_codes_uint, SAME, 0, 256);
    ck_assert_uint_eq(last_code, 0x70);
    MULTI_CASE(ulong, uint64_t, famqp_codes_ulong, SAME, 3, 4);
    ck_assert_uint_eq(last_code, 0x53);
    MULTI_CASE(ulong, uint64_t, famqp_codes_ulong, SAME, 3, UINT64_MAX);
    ck_assert_uint_eq(last_code, 0x80);
    MULTI_CASE(byte, int8_t, famqp_codes_byte, SAME, -128, 127);
    MULTI_CASE(short, int16_t, famqp_codes_short, SAME, -32768, 5);
    MULTI_CASE(int, int32_t, famqp_codes_int, SAME, -128, 127);
    ck_assert_uint_eq(last_code, 0x54);
    MULTI_CASE(int, int32_t, famqp_codes_int, SAME, -129, 0);
    ck_assert_uint_eq(last_code, 0x71);
    MULTI_CASE(long, int64_t, famqp_codes_long, SAME, -1, 1);
    ck_assert_uint_eq(last_code, 0x55);
    MULTI_CASE(long, int64_t, famqp_codes_long, SAME, INT64_MIN, 1);
    ck_assert_uint_eq(last_code, 0x81);
    MULTI_CASE(float, float, famqp_codes_float, SAME, 1.5f, -0.25f);
    MULTI_CASE(double, double, famqp_codes_double, SAME, 3.25, -1e300);
    MULTI_CASE(decimal32, famqp_decimal32, famqp_codes_decimal32, SAME_BYTES, {{1, 2, 3, 4}});
    MULTI_CASE(decimal64, famqp_decimal64, famqp_codes_decimal64, SAME_BYTES, {{1, 2, 3, 4, 5, 6, 7, 8}});
    MULTI_CASE(decimal128, famqp_decimal128, famqp_codes_decimal128, SAME_BYTES, {{1, 2, 3}}, {{9}});
    MULTI_CASE(char, uint32_t, famqp_codes_char, SAME, 'a', 0x10ffff);
    MULTI_CASE(timestamp, int64_t, famqp_codes_timestamp, SAME, 0, -1, 1700000000000);
    MULTI_CASE(uuid, famqp_uuid, famqp_codes_uuid, SAME_BYTES, {{0xde, 0xad}}, {{0xbe, 0xef}});
    MULTI_CASE(binary, famqp_binary, famqp_codes_binary, SAME_VIEW, {(const uint8_t *)"\x00\x01", 2}, {NULL, 0});
    ck_assert_uint_eq(last_code, 0xa0);
    MULTI_CASE(string, famqp_string, famqp_codes_string, SAME_VIEW, {"h\xc3\xa9", 3}, {"", 0});
    ck_assert_uint_eq(last_code, 0xa1);
    MULTI_CASE(symbol, famqp_symbol, famqp_codes_symbol, SAME_VIEW, {"amqp:x", 6}, {"y", 1});
    ck_assert_uint_eq(last_code, 0xa3);
    ck_assert_uint_eq(last_len, 3 + 1 + 7 + 2); /* array8 */
    (void)last_len;

    /* one symbol of 256 bytes turns every element into sym32 */
    static char longsym[256];
    memset(longsym, 'x', sizeof longsym);
    {
        famqp_symbol items[] = {{"a", 1}, {longsym, 256}};
        famqp_multiple m = {2, items, {0}}, back;
        size_t n;
        multiple_round_trip(famqp_size_multiple_symbol, famqp_put_multiple_symbol, &m, famqp_codes_symbol, &back,
                            &n);
        ck_assert_uint_eq(back.wire.ctor[0], 0xb3);
        ck_assert_uint_eq(n, 9 + 1 + 5 + 260); /* array32 */
    }
    /* more than 255 elements: array32 */
    {
        static uint8_t many[300];
        famqp_multiple m = {300, many, {0}}, back;
        size_t n;
        const uint8_t *enc = multiple_round_trip(famqp_size_multiple_ubyte, famqp_put_multiple_ubyte, &m,
                                                 famqp_codes_ubyte, &back, &n);
        ck_assert_uint_eq(enc[0], 0xf0);
        ck_assert_uint_eq(n, 9 + 1 + 300);
    }
    /* empty (items set, count 0): an empty array; nothing at all: null */
    {
        static const uint32_t none[1];
        famqp_multiple m = {0, none, {0}};
        uint8_t out[16];
        ck_assert_uint_eq(famqp_size_multiple_uint(&m), 4);
        famqp_put_multiple_uint(out, &m);
        ck_assert_mem_eq(out, "\xe0\x02\x00\x52", 4);
        famqp_multiple z = {0, NULL, {0}};
        ck_assert_uint_eq(famqp_size_multiple_uint(&z), 1);
        famqp_put_multiple_uint(out, &z);
        ck_assert_uint_eq(out[0], 0x40);
    }
}
END_TEST

static char *print_to_string(famqp_value v)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    famqp_value_print(f, v);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

START_TEST(printing)
{
    static const struct { const char *hex, *want; } cases[] = {
        {"c1 1b 04 a1 06 74 65 6e 61 6e 74 a1 04 61 63 6d 65 a3 08 70 72 69 6f 72 69 74 79 52 05",
         "{\"tenant\"=\"acme\", :priority=5}"},
        {"c0 07 05 40 41 42 54 fe 43", "[null, true, false, -2, 0]"},
        {"a3 03 61 20 62", ":\"a b\""},
        {"a1 03 22 0a 5c", "\"\\\"\\n\\\\\""},
        {"a0 03 41 00 ff", "b\"A\\x00\\xff\""},
        {"83 00 00 01 8b cf e5 68 00", "2023-11-14T22:13:20.000Z"},
        {"83 ff ff ff ff ff ff ff ff", "1969-12-31T23:59:59.999Z"},
        {"98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", "00112233-4455-6677-8899-aabbccddeeff"},
        {"73 00 00 00 41", "'A'"},
        {"73 00 01 f6 00", "U+1F600"},
        {"74 01 02 03 04", "0x01020304"},
        {"72 3f c0 00 00", "1.5"},
        {"00 53 70 45", "@0x70 []"},
        {"00 a3 03 66 6f 6f 52 01", "@:foo 1"},
        {"e0 05 02 a3 01 61 00", "@[:a, :\"\"]"},
        {"e0 0a 02 e0 03 01 52 05 03 01 52 06", "@[@[5], @[6]]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_value v = hexval(cases[i].hex);
        char *s = print_to_string(v);
        ck_assert_msg(strcmp(s, cases[i].want) == 0, "printed %s, want %s", s, cases[i].want);
        free(s);
        freeval(v);
    }
    /* long binaries are elided */
    static uint8_t big[200];
    uint8_t enc[210];
    famqp_put_binary(enc, famqp_binary_of(big, sizeof big));
    char *s = print_to_string((famqp_value){enc, 205});
    ck_assert_msg(strstr(s, "...(200 bytes)") != NULL, "%s", s);
    free(s);
}
END_TEST

START_TEST(error_format)
{
    famqp_error e = {FAMQP_ERR_TRUNCATED, "transfer", "delivery-tag", 12, "length exceeds bytes remaining"};
    char buf[128];
    size_t n = famqp_error_format(&e, buf, sizeof buf);
    ck_assert_str_eq(buf, "truncated: transfer.delivery-tag at offset 12 (length exceeds bytes remaining)");
    ck_assert_uint_eq(n, strlen(buf));
    char small[10];
    ck_assert_uint_eq(famqp_error_format(&e, small, sizeof small), n);
    ck_assert_str_eq(small, "truncated");
    ck_assert_uint_eq(famqp_error_format(&e, NULL, 0), n);
    famqp_error f = {FAMQP_ERR_DEPTH, NULL, NULL, 3, NULL};
    famqp_error_format(&f, buf, sizeof buf);
    ck_assert_str_eq(buf, "nesting too deep at offset 3");
    famqp_error g = {FAMQP_ERR_TYPE_MISMATCH, NULL, "handle", 0, "found sym8"};
    famqp_error_format(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "type mismatch: handle at offset 0 (found sym8)");
    famqp_error ok = {0};
    famqp_error_format(&ok, buf, sizeof buf);
    ck_assert_str_eq(buf, "ok");
    for (int s = 0; s < FAMQP_STATUS_COUNT; s++)
        ck_assert_ptr_nonnull(famqp_status_name((famqp_status)s));
    ck_assert_str_eq(famqp_status_name(FAMQP_ERR_BAD_CONSTRUCTOR), "bad constructor");
    ck_assert_str_eq(famqp_status_name(FAMQP_STATUS_COUNT), "unknown status");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec_values");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, getters_accept_every_encoding);
    tcase_add_test(tc, equality_across_encodings);
    tcase_add_test(tc, iteration);
    tcase_add_test(tc, writer_round_trip);
    tcase_add_test(tc, writer_rejects_unbalanced);
    tcase_add_test(tc, multiple_every_type);
    tcase_add_test(tc, printing);
    tcase_add_test(tc, error_format);
    suite_add_tcase(s, tc);
    return rt_run(s);
}
