/* Malformed and hostile input: each is rejected with the right status at
 * the right offset, limits (depth, count) hold, and the reader protocol
 * (first error wins, reader moved to the end) is kept. */
#include <string.h>
#include "rt_util.h"

static famqp_status validate_hex(const char *hex, famqp_error *e, const famqp_limits *lim)
{
    size_t n;
    uint8_t *buf = rt_hex(hex, &n);
    famqp_status s = famqp_value_validate(buf, n, lim, NULL, e);
    free(buf);
    return s;
}

START_TEST(rejects_malformed_values)
{
    static const struct { const char *name, *hex; famqp_status want; size_t offset; } cases[] = {
        {"undefined code", "57", FAMQP_ERR_BAD_CONSTRUCTOR, 0},
        {"undefined code 0xff", "ff", FAMQP_ERR_BAD_CONSTRUCTOR, 0},
        {"undefined code in list", "c0 03 02 40 01", FAMQP_ERR_BAD_CONSTRUCTOR, 4},
        {"boolean byte 2", "56 02", FAMQP_ERR_INVALID_VALUE, 0},
        {"overlong utf-8", "a1 02 c0 af", FAMQP_ERR_INVALID_UTF8, 0},
        {"overlong 3-byte utf-8", "a1 03 e0 80 af", FAMQP_ERR_INVALID_UTF8, 0},
        {"surrogate in utf-8", "a1 03 ed a0 80", FAMQP_ERR_INVALID_UTF8, 0},
        {"above U+10FFFF in utf-8", "a1 04 f4 90 80 80", FAMQP_ERR_INVALID_UTF8, 0},
        {"lone continuation byte", "a1 01 80", FAMQP_ERR_INVALID_UTF8, 0},
        {"cut utf-8 sequence", "a1 02 e2 82", FAMQP_ERR_INVALID_UTF8, 0},
        {"5-byte utf-8 lead", "a1 05 f8 88 80 80 80", FAMQP_ERR_INVALID_UTF8, 0},
        {"utf-8 in str32", "b1 00 00 00 01 ff", FAMQP_ERR_INVALID_UTF8, 0},
        {"non-ascii symbol", "a3 02 61 e9", FAMQP_ERR_INVALID_UTF8, 0},
        {"non-ascii sym32", "b3 00 00 00 01 80", FAMQP_ERR_INVALID_UTF8, 0},
        {"surrogate char", "73 00 00 d8 00", FAMQP_ERR_INVALID_UTF8, 0},
        {"char above U+10FFFF", "73 00 11 00 00", FAMQP_ERR_INVALID_UTF8, 0},
        {"odd map count", "c1 02 01 40", FAMQP_ERR_INVALID_VALUE, 0},
        {"odd map32 count", "d1 00 00 00 07 00 00 00 03 40 40 40", FAMQP_ERR_INVALID_VALUE, 0},
        {"list count larger than size", "c0 02 05 40", FAMQP_ERR_LIMIT, 0},
        {"huge list count, tiny size", "d0 00 00 00 04 00 ff ff ff", FAMQP_ERR_LIMIT, 0},
        {"count above max_count", "d0 00 00 00 04 ff ff ff ff", FAMQP_ERR_LIMIT, 0},
        {"huge map count, tiny size", "d1 00 00 00 04 00 ff ff fe", FAMQP_ERR_LIMIT, 0},
        {"huge array count, tiny size", "f0 00 00 00 05 00 ff ff ff 70", FAMQP_ERR_LIMIT, 0},
        {"array count x width over size", "e0 04 03 70 00 00", FAMQP_ERR_LIMIT, 0},
        {"list size below count field", "d0 00 00 00 02 00 00 00 00", FAMQP_ERR_INVALID_VALUE, 0},
        {"list8 size 0", "c0 00 00", FAMQP_ERR_INVALID_VALUE, 0},
        {"list size larger than elements", "c0 03 01 40 40", FAMQP_ERR_INVALID_VALUE, 4},
        {"array size larger than elements", "e0 04 01 52 01 02", FAMQP_ERR_INVALID_VALUE, 5},
        {"list element overruns list", "c0 02 01 52 05", FAMQP_ERR_TRUNCATED, 3},
        {"list size beyond input", "c0 09 01 40", FAMQP_ERR_TRUNCATED, 0},
        {"vbin32 length beyond input", "b0 7f ff ff ff 00", FAMQP_ERR_TRUNCATED, 0},
        {"array element code undefined", "e0 02 01 01", FAMQP_ERR_BAD_CONSTRUCTOR, 3},
        {"array element ctor missing", "e0 01 00", FAMQP_ERR_TRUNCATED, 3},
        {"array of bad booleans", "e0 04 02 56 01 07", FAMQP_ERR_INVALID_VALUE, 5},
        {"array of surrogate chars", "e0 06 01 73 00 00 df ff", FAMQP_ERR_INVALID_UTF8, 4},
        {"array of non-ascii sym8", "e0 05 01 a3 02 41 c1", FAMQP_ERR_INVALID_UTF8, 4},
        {"array element list8 lying", "e0 05 01 c0 02 05 40", FAMQP_ERR_LIMIT, 4},
        {"described without value", "00 53 70", FAMQP_ERR_TRUNCATED, 3},
        {"descriptor undefined code", "00 01 45", FAMQP_ERR_BAD_CONSTRUCTOR, 1},
        {"empty input", "", FAMQP_ERR_TRUNCATED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        famqp_error e;
        famqp_status s = validate_hex(cases[i].hex, &e, NULL);
        ck_assert_msg(s == cases[i].want, "%s: got %s (%s), want %s", cases[i].name, famqp_status_name(s),
                      e.detail ? e.detail : "", famqp_status_name(cases[i].want));
        ck_assert_msg(e.status == s, "%s: error status", cases[i].name);
        ck_assert_msg(e.offset == cases[i].offset, "%s: offset %zu, want %zu", cases[i].name, e.offset,
                      cases[i].offset);
        ck_assert_msg(e.detail != NULL, "%s: no detail", cases[i].name);
    }
}
END_TEST

/* Zero-width array elements take no bytes: validating them costs no
 * per-element work, but every later walk does, so by default their count
 * has its own limit (max_empty_elements); 0 leaves max_count alone. */
START_TEST(zero_width_array_elements)
{
    famqp_error e;
    famqp_limits count_only = {FAMQP_DEFAULT_MAX_DEPTH, FAMQP_DEFAULT_MAX_COUNT, 0};
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 ff ff ff 40", &e, &count_only), FAMQP_OK);
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 ff ff ff 45", &e, &count_only), FAMQP_OK);
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 01 00 00 01 43", &e, &count_only), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 ff ff ff 40", &e, NULL), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 01 00 00 40", &e, NULL), FAMQP_OK); /* 65536 */
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 01 00 01 40", &e, NULL), FAMQP_ERR_LIMIT);
    famqp_limits lim = {64, 10, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
    ck_assert_int_eq(validate_hex("e0 02 0a 41", &e, &lim), FAMQP_OK);
    ck_assert_int_eq(validate_hex("e0 02 0b 41", &e, &lim), FAMQP_ERR_LIMIT);
}
END_TEST

START_TEST(utf8_validator)
{
    static const struct { const char *hex; bool ok; } cases[] = {
        {"", true}, {"41 42 43 44 45 46 47 48 49 4a", true}, {"c2 80", true}, {"df bf", true},
        {"e0 a0 80", true}, {"e2 82 ac", true}, {"ed 9f bf", true}, {"ee 80 80", true}, {"ef bf bf", true},
        {"f0 90 80 80", true}, {"f4 8f bf bf", true}, {"41 41 41 41 41 41 41 41 e2 82 ac 41", true},
        {"c1 bf", false}, {"c2", false}, {"c2 41", false}, {"e0 9f bf", false}, {"ed a0 80", false},
        {"ed bf bf", false}, {"f0 8f bf bf", false}, {"f4 90 80 80", false}, {"f5 80 80 80", false},
        {"ff", false}, {"e2 82 41", false}, {"f0 90 80 41", false}, {"41 41 41 41 41 41 41 41 41 80", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *b = rt_hex(cases[i].hex, &n);
        ck_assert_msg(famqp_utf8_valid(b, n) == cases[i].ok, "utf-8 %s", cases[i].hex);
        free(b);
    }
}
END_TEST

/* `depth` nested lists (list32 around list32 ... around list0). */
static uint8_t *nested_lists(unsigned depth, size_t *n)
{
    size_t len = 1 + 9 * (size_t)(depth - 1);
    uint8_t *buf = malloc(len);
    size_t inner = 1;
    buf[len - 1] = FAMQP_CODE_LIST0;
    for (unsigned d = 1; d < depth; d++) {
        uint8_t *p = buf + len - inner - 9;
        p[0] = FAMQP_CODE_LIST32;
        famqp_store32(p + 1, (uint32_t)(inner + 4));
        famqp_store32(p + 5, 1);
        inner += 9;
    }
    *n = len;
    return buf;
}

START_TEST(depth_limit)
{
    size_t n;
    famqp_error e;
    uint8_t *ok = nested_lists(64, &n);
    ck_assert_int_eq(famqp_value_validate(ok, n, NULL, NULL, &e), FAMQP_OK);
    free(ok);
    uint8_t *deep = nested_lists(65, &n);
    ck_assert_int_eq(famqp_value_validate(deep, n, NULL, NULL, &e), FAMQP_ERR_DEPTH);
    ck_assert_uint_eq(e.offset, 64 * 9); /* the 65th list */
    /* the same through the reader, counting from r->depth */
    famqp_reader r;
    famqp_list l;
    famqp_reader_init(&r, deep, n, &e, NULL);
    ck_assert_int_eq(famqp_read_list(&r, &l, "f"), 0);
    ck_assert_int_eq(e.status, FAMQP_ERR_DEPTH);
    free(deep);

    famqp_limits lim = {3, FAMQP_DEFAULT_MAX_COUNT, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
    uint8_t *three = nested_lists(3, &n);
    ck_assert_int_eq(famqp_value_validate(three, n, &lim, NULL, &e), FAMQP_OK);
    free(three);
    uint8_t *four = nested_lists(4, &n);
    ck_assert_int_eq(famqp_value_validate(four, n, &lim, NULL, &e), FAMQP_ERR_DEPTH);
    free(four);
    /* described values count as a level; descriptor chains are bounded too */
    ck_assert_int_eq(validate_hex("00 53 01 00 53 02 00 53 03 45", &e, &lim), FAMQP_ERR_DEPTH);
    ck_assert_int_eq(validate_hex("00 53 01 00 53 02 40", &e, &lim), FAMQP_OK);
    /* a limit above the hard ceiling is clamped, so no stack exhaustion */
    famqp_limits huge = {UINT32_MAX, FAMQP_DEFAULT_MAX_COUNT, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
    size_t chain = 200000;
    uint8_t *d = malloc(chain + 1);
    memset(d, 0x00, chain);
    d[chain] = 0x40;
    ck_assert_int_eq(famqp_value_validate(d, chain + 1, &huge, NULL, &e), FAMQP_ERR_DEPTH);
    free(d);
}
END_TEST

START_TEST(count_limit)
{
    famqp_limits lim = {FAMQP_DEFAULT_MAX_DEPTH, 2, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
    famqp_error e;
    ck_assert_int_eq(validate_hex("c0 03 02 40 40", &e, &lim), FAMQP_OK);
    ck_assert_int_eq(validate_hex("c0 04 03 40 40 40", &e, &lim), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("c1 05 04 40 40 40 40", &e, &lim), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("e0 05 03 50 01 02 03", &e, &lim), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("e0 04 02 50 01 02", &e, &lim), FAMQP_OK);
}
END_TEST

/* Regression (fuzz_types timeout): array32 declaring 2^24-1 ulong0
 * elements in 14 bytes; zero-width elements have their own limit. */
START_TEST(empty_element_limit)
{
    famqp_error e;
    ck_assert_int_eq(validate_hex("f0 00 00 00 05 00 ff ff ff 44", &e, NULL), FAMQP_ERR_LIMIT);
    ck_assert(strstr(e.detail, "max_empty_elements") != NULL);
    famqp_limits lim = famqp_default_limits;
    lim.max_empty_elements = 3;
    ck_assert_int_eq(validate_hex("e0 02 03 40", &e, &lim), FAMQP_OK);
    ck_assert_int_eq(validate_hex("e0 02 04 40", &e, &lim), FAMQP_ERR_LIMIT);
    ck_assert_int_eq(validate_hex("e0 02 04 45", &e, &lim), FAMQP_ERR_LIMIT);
    lim.max_empty_elements = 0; /* max_count alone */
    ck_assert_int_eq(validate_hex("e0 02 04 40", &e, &lim), FAMQP_OK);
    /* elements that take bytes are not counted by it */
    lim.max_empty_elements = 1;
    ck_assert_int_eq(validate_hex("e0 04 02 50 01 02", &e, &lim), FAMQP_OK);
}
END_TEST

START_TEST(first_error_wins)
{
    size_t n;
    uint8_t *buf = rt_hex("52 05 a1 01 ff 52 06", &n);
    famqp_reader r;
    famqp_error e;
    uint32_t u = 0;
    famqp_string s;
    famqp_reader_init(&r, buf, n, &e, NULL);
    r.type = "thing";
    ck_assert_int_eq(famqp_read_uint(&r, &u, "a"), 1);
    ck_assert_uint_eq(u, 5);
    ck_assert_int_eq(famqp_read_string(&r, &s, "b"), 0);
    ck_assert_int_eq(e.status, FAMQP_ERR_INVALID_UTF8);
    ck_assert_str_eq(e.type, "thing");
    ck_assert_str_eq(e.field, "b");
    ck_assert_uint_eq(e.offset, 2);
    ck_assert(r.p == r.end);
    /* later reads fail fast and keep the first error */
    ck_assert_int_eq(famqp_read_uint(&r, &u, "c"), 0);
    ck_assert_str_eq(e.field, "b");
    ck_assert_int_eq(e.status, FAMQP_ERR_INVALID_UTF8);
    free(buf);
}
END_TEST

START_TEST(list_enter_and_leave)
{
    size_t n;
    famqp_reader r;
    famqp_error e;
    uint32_t count, u;
    const uint8_t *saved;

    /* two elements, the type knows one: the other is validated and skipped */
    uint8_t *buf = rt_hex("c0 05 02 52 05 a1 00 41", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_list_enter(&r, &count, &saved, "body"), 1);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(r.depth, 1);
    ck_assert_int_eq(famqp_read_uint(&r, &u, "x"), 1);
    famqp_list_leave(&r, count, 1, saved);
    ck_assert(!famqp_reader_failed(&r));
    ck_assert_uint_eq(r.depth, 0);
    ck_assert(r.end == buf + n && r.p == buf + 7);
    free(buf);

    /* more bytes than the elements use */
    buf = rt_hex("c0 04 01 52 05 40", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_list_enter(&r, &count, &saved, "body"), 1);
    ck_assert_int_eq(famqp_read_uint(&r, &u, "x"), 1);
    famqp_list_leave(&r, count, 1, saved);
    ck_assert_int_eq(e.status, FAMQP_ERR_INVALID_VALUE);
    ck_assert_uint_eq(e.offset, 5);
    ck_assert(r.p == r.end && r.end == buf + n);
    free(buf);

    /* an invalid skipped element */
    buf = rt_hex("c0 04 02 40 a3 01 ff", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_list_enter(&r, &count, &saved, "body"), 1);
    famqp_list_leave(&r, count, 0, saved);
    ck_assert_int_eq(e.status, FAMQP_ERR_TRUNCATED); /* the sym8 runs past the list's end */
    ck_assert_uint_eq(e.offset, 4);
    free(buf);

    buf = rt_hex("c0 06 02 40 a3 02 61 ff", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_list_enter(&r, &count, &saved, "body"), 1);
    famqp_list_leave(&r, count, 0, saved);
    ck_assert_int_eq(e.status, FAMQP_ERR_INVALID_UTF8);
    ck_assert_uint_eq(e.offset, 4);
    ck_assert(r.p == r.end && r.end == buf + n);
    free(buf);

    static const struct { const char *hex; famqp_status want; } bad[] = {
        {"c0 05 09 40 40 40 40", FAMQP_ERR_LIMIT},      /* count larger than size */
        {"c0 09 01 40", FAMQP_ERR_TRUNCATED},           /* size beyond input */
        {"c0 00 00", FAMQP_ERR_INVALID_VALUE},          /* size below count field */
        {"d0 00 00 00 04 ff ff ff ff", FAMQP_ERR_LIMIT}, /* count above max_count */
        {"d0 00 00 00", FAMQP_ERR_TRUNCATED},
        {"a1 00", FAMQP_ERR_TYPE_MISMATCH},
        {"40", FAMQP_ERR_TYPE_MISMATCH},
        {"", FAMQP_ERR_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf = rt_hex(bad[i].hex, &n);
        famqp_reader_init(&r, buf, n, &e, NULL);
        ck_assert_int_eq(famqp_list_enter(&r, &count, &saved, "body"), 0);
        ck_assert_msg(e.status == bad[i].want, "%s: %s", bad[i].hex, famqp_status_name(e.status));
        ck_assert(r.p == r.end);
        free(buf);
    }

    /* depth: 64 nested list_enters pass, the 65th fails */
    buf = nested_lists(65, &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    const uint8_t *ends[65];
    uint32_t counts[65];
    for (int d = 0; d < 64; d++)
        ck_assert_msg(famqp_list_enter(&r, &counts[d], &ends[d], "body") == 1, "depth %d", d);
    ck_assert_int_eq(famqp_list_enter(&r, &counts[64], &ends[64], "body"), 0);
    ck_assert_int_eq(e.status, FAMQP_ERR_DEPTH);
    for (int d = 63; d >= 0; d--)
        famqp_list_leave(&r, counts[d], 0, ends[d]);
    ck_assert_uint_eq(r.depth, 0);
    ck_assert(r.p == r.end && r.end == buf + n);
    free(buf);
}
END_TEST

START_TEST(descriptors)
{
    size_t n;
    famqp_reader r;
    famqp_error e;
    uint64_t code;
    famqp_symbol name;
    uint8_t *buf = rt_hex("00 53 70 45 00 80 00 00 00 00 00 00 00 14 45 00 a3 03 66 6f 6f 45 40", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_read_descriptor(&r, &code, &name, "d"), 1);
    ck_assert_uint_eq(code, 0x70);
    ck_assert_uint_eq(*r.p, 0x45);
    r.p++;
    ck_assert_int_eq(famqp_read_descriptor(&r, &code, &name, "d"), 1);
    ck_assert_uint_eq(code, 0x14);
    r.p++;
    ck_assert_int_eq(famqp_read_descriptor(&r, &code, &name, "d"), 1);
    ck_assert_uint_eq(code, UINT64_MAX);
    ck_assert(famqp_symbol_eq(name, "foo"));
    r.p++;
    ck_assert(famqp_peek_null(&r));
    ck_assert_int_eq(famqp_read_descriptor(&r, &code, &name, "d"), 0);
    ck_assert(!famqp_reader_failed(&r) && r.p == r.end);
    ck_assert(!famqp_peek_null(&r));
    free(buf);

    static const struct { const char *hex; famqp_status want; } bad[] = {
        {"45", FAMQP_ERR_TYPE_MISMATCH}, {"00 a1 01 61 45", FAMQP_ERR_TYPE_MISMATCH},
        {"00", FAMQP_ERR_TRUNCATED}, {"00 80 00 00", FAMQP_ERR_TRUNCATED},
        {"00 a3 01 ff 45", FAMQP_ERR_INVALID_UTF8}, {"", FAMQP_ERR_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf = rt_hex(bad[i].hex, &n);
        famqp_reader_init(&r, buf, n, &e, NULL);
        ck_assert_int_eq(famqp_read_descriptor(&r, &code, &name, "d"), 0);
        ck_assert_msg(e.status == bad[i].want, "%s: %s", bad[i].hex, famqp_status_name(e.status));
        free(buf);
    }
}
END_TEST

START_TEST(multiple_fields)
{
    size_t n;
    famqp_reader r;
    famqp_error e;
    famqp_multiple m;
    famqp_iter it;
    famqp_symbol s;

    uint8_t *buf = rt_hex("a3 03 66 6f 6f", &n); /* a single symbol */
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_read_multiple(&r, &m, famqp_codes_symbol, "caps"), 1);
    ck_assert_uint_eq(m.count, 1);
    ck_assert_ptr_null(m.items);
    famqp_multiple_iter(&m, &it);
    ck_assert(famqp_array_next_symbol(&it, &s) && famqp_symbol_eq(s, "foo"));
    ck_assert(!famqp_array_next_symbol(&it, &s));
    /* re-encoded from the wire view: a one-element array */
    uint8_t out[32];
    ck_assert_uint_eq(famqp_size_multiple_symbol(&m), 8);
    ck_assert_ptr_eq(famqp_put_multiple_symbol(out, &m), out + 8);
    ck_assert_mem_eq(out, "\xe0\x06\x01\xa3\x03" "foo", 8);
    free(buf);

    buf = rt_hex("e0 08 02 a3 01 61 03 62 63 64", &n); /* [:a, :bcd] */
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_read_multiple(&r, &m, famqp_codes_symbol, "caps"), 1);
    ck_assert_uint_eq(m.count, 2);
    famqp_multiple_iter(&m, &it);
    ck_assert(famqp_array_next_symbol(&it, &s) && famqp_symbol_eq(s, "a"));
    ck_assert(famqp_array_next_symbol(&it, &s) && famqp_symbol_eq(s, "bcd"));
    ck_assert(!famqp_array_next_symbol(&it, &s));
    ck_assert_uint_eq(famqp_size_multiple_symbol(&m), n);
    famqp_put_multiple_symbol(out, &m);
    ck_assert_mem_eq(out, buf, n);
    free(buf);

    static const char *const mismatched[] = {
        "e0 04 02 52 01 02",          /* array of uint */
        "52 01",                      /* a single uint */
        "e0 07 01 00 53 01 a3 01 61", /* described symbols */
        "c0 01 00",                   /* a list */
    };
    for (size_t i = 0; i < sizeof mismatched / sizeof mismatched[0]; i++) {
        buf = rt_hex(mismatched[i], &n);
        famqp_reader_init(&r, buf, n, &e, NULL);
        ck_assert_int_eq(famqp_read_multiple(&r, &m, famqp_codes_symbol, "caps"), 0);
        ck_assert_msg(e.status == FAMQP_ERR_TYPE_MISMATCH, "%s: %s", mismatched[i], famqp_status_name(e.status));
        ck_assert_uint_eq(e.offset, 0);
        free(buf);
    }
    /* every element is validated */
    buf = rt_hex("e0 06 02 a3 01 61 01 ff", &n);
    famqp_reader_init(&r, buf, n, &e, NULL);
    ck_assert_int_eq(famqp_read_multiple(&r, &m, famqp_codes_symbol, "caps"), 0);
    ck_assert_int_eq(e.status, FAMQP_ERR_INVALID_UTF8);
    free(buf);
}
END_TEST

START_TEST(error_offsets_inside_compounds)
{
    famqp_error e;
    /* map {:a = "x\xff"}: the bad string starts at offset 6 */
    ck_assert_int_eq(validate_hex("c1 08 02 a3 01 61 a1 02 78 ff", &e, NULL), FAMQP_ERR_INVALID_UTF8);
    ck_assert_uint_eq(e.offset, 6);
    ck_assert_ptr_null(e.type);
    size_t n;
    uint8_t *buf = rt_hex("52 01 c1 08 02 a3 01 61 a1 02 78 ff", &n);
    famqp_reader r;
    famqp_map m;
    uint32_t u;
    famqp_reader_init(&r, buf, n, &e, NULL);
    r.type = "open";
    ck_assert_int_eq(famqp_read_uint(&r, &u, "x"), 1);
    ck_assert_int_eq(famqp_read_map(&r, &m, "properties"), 0);
    ck_assert_uint_eq(e.offset, 8);
    ck_assert_str_eq(e.type, "open");
    ck_assert_str_eq(e.field, "properties");
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec_invalid");
    TCase *tc = tcase_create("invalid");
    tcase_add_test(tc, rejects_malformed_values);
    tcase_add_test(tc, zero_width_array_elements);
    tcase_add_test(tc, utf8_validator);
    tcase_add_test(tc, depth_limit);
    tcase_add_test(tc, count_limit);
    tcase_add_test(tc, empty_element_limit);
    tcase_add_test(tc, first_error_wins);
    tcase_add_test(tc, list_enter_and_leave);
    tcase_add_test(tc, descriptors);
    tcase_add_test(tc, multiple_fields);
    tcase_add_test(tc, error_offsets_inside_compounds);
    suite_add_tcase(s, tc);
    return rt_run(s);
}
