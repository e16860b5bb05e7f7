/* 10,000 seeded random mutations of valid encodings through the validator,
 * the reader, the getters, equality and printing.  Every mutant sits in a
 * heap buffer of exactly its length, so under ASan/UBSan any over-read or
 * undefined behaviour fails the test; the invariants below fail it too. */
#include "rt_util.h"

static const char *const seeds[] = {
    "40", "41", "56 01", "50 ff", "60 12 34", "43", "52 07", "70 00 01 00 00", "44", "53 ff",
    "80 01 02 03 04 05 06 07 08", "51 80", "61 ff fe", "54 ff", "71 80 00 00 00", "55 80",
    "81 80 00 00 00 00 00 00 00", "72 3f c0 00 00", "82 40 09 21 fb 54 44 2d 18", "74 22 50 00 01",
    "84 22 38 00 00 00 00 00 07", "94 22 08 00 00 00 00 00 00 00 00 00 00 00 00 00 2a", "73 00 01 f6 00",
    "83 00 00 01 8b cf e5 68 00", "98 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff", "a0 03 01 02 03",
    "b0 00 00 00 02 aa bb", "a1 05 68 c3 a9 6c 6c", "b1 00 00 00 01 41", "a3 04 61 62 63 64",
    "b3 00 00 00 01 78", "45", "c0 03 02 41 42", "d0 00 00 00 06 00 00 00 02 41 42", "c1 05 02 a3 01 61 41",
    "d1 00 00 00 08 00 00 00 02 a3 01 61 41", "e0 04 02 52 01 02", "f0 00 00 00 07 00 00 00 02 52 01 02",
    "e0 0e 02 00 a3 03 66 6f 6f a1 02 68 69 02 79 6f", "e0 0a 02 e0 03 01 52 05 03 01 52 06",
    "e0 08 02 c0 03 02 41 42 01 00", "e0 02 03 40", "e0 06 01 73 00 00 00 41", "00 53 70 45",
    /* a transfer-like performative with a nested map and a described state */
    "00 53 14 c0 23 0c 52 01 43 a0 04 74 61 67 31 43 42 40 40 00 53 24 45 40 42 c1 0c 04 a3 01 61 52 01"
    " a1 01 62 a1 01 63 41",
    "d1 00 00 00 4c 00 00 00 08 a3 06 74 65 6e 61 6e 74 a1 04 61 63 6d 65 a3 08 70 72 69 6f 72 69 74 79 52 05"
    " a1 04 74 61 67 73 d0 00 00 00 14 00 00 00 04 41 55 fd 00 53 70 d0 00 00 00 04 00 00 00 00 40"
    " a3 04 63 61 70 73 e0 07 02 a3 01 61 02 62 63",
};
#define NSEEDS (sizeof seeds / sizeof seeds[0])

/* Overridable for longer runs by hand (-DFUZZ_ITERATIONS=1000000). */
#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 10000
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED 0x9E3779B97F4A7C15ull
#endif

static uint64_t rng_state;
static uint64_t rnd(void)
{
    /* xorshift64*: deterministic for a fixed seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static const uint8_t interesting[] = {0x00, 0x01, 0x40, 0x45, 0x52, 0x7f, 0x80, 0xa1, 0xa3, 0xb0, 0xc0,
                                      0xc1, 0xd0, 0xe0, 0xf0, 0xfe, 0xff};

/* Exercises every consumer of a validated value. */
static void consume(famqp_value v, FILE *sink)
{
    famqp_value_print(sink, v);
    ck_assert(famqp_value_equal(v, v));
    famqp_list l;
    famqp_map m;
    famqp_array a;
    famqp_iter it;
    famqp_value x, y;
    famqp_binary body;
    if (famqp_value_get_list(v, &l)) {
        uint32_t k = 0;
        famqp_list_iter(&l, &it);
        while (famqp_list_next(&it, &x))
            k++;
        ck_assert_uint_eq(k, l.count);
    }
    if (famqp_value_get_map(v, &m)) {
        uint32_t k = 0;
        famqp_map_iter(&m, &it);
        while (famqp_map_next(&it, &x, &y))
            k += 2;
        ck_assert_uint_eq(k, m.count);
        famqp_map_get_symbol_key(&m, "a", &x);
    }
    if (famqp_value_get_array(v, &a)) {
        uint32_t k = 0;
        famqp_array_iter(&a, &it);
        while (famqp_array_next_raw(&it, &body))
            k++;
        ck_assert_uint_eq(k, a.count);
    }
    if (famqp_value_get_described(v, &x, &y))
        ck_assert_uint_eq(1 + x.len + y.len, v.len);
}

START_TEST(seeds_are_valid)
{
    for (size_t i = 0; i < NSEEDS; i++) {
        size_t n, len;
        famqp_error e;
        uint8_t *b = rt_hex(seeds[i], &n);
        ck_assert_msg(famqp_value_validate(b, n, NULL, &len, &e) == FAMQP_OK && len == n, "seed %zu: %s (%s)", i,
                      famqp_status_name(e.status), e.detail ? e.detail : "");
        free(b);
    }
}
END_TEST

START_TEST(random_mutations)
{
    rng_state = FUZZ_SEED;
    FILE *sink = tmpfile();
    ck_assert_ptr_nonnull(sink);
    unsigned accepted = 0;
    famqp_limits tight = {4, 8, 8};
    for (int iter = 0; iter < FUZZ_ITERATIONS; iter++) {
        size_t n;
        uint8_t *orig = rt_hex(seeds[rnd() % NSEEDS], &n);
        uint8_t work[512];
        memcpy(work, orig, n);
        int edits = 1 + (int)(rnd() % 3);
        for (int k = 0; k < edits; k++) {
            size_t at = n ? rnd() % n : 0;
            switch (rnd() % 5) {
            case 0: if (n) work[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 1: if (n) work[at] = (uint8_t)rnd(); break;
            case 2: if (n) work[at] = interesting[rnd() % sizeof interesting]; break;
            case 3: n = n ? rnd() % n : 0; break; /* truncate */
            default: if (n < sizeof work) work[n++] = (uint8_t)rnd(); break;
            }
        }
        uint8_t *buf = rt_copy(work, n);
        size_t len = 0;
        famqp_error e;
        famqp_status s = famqp_value_validate(buf, n, NULL, &len, &e);
        ck_assert_msg((unsigned)s < FAMQP_STATUS_COUNT, "iteration %d", iter);
        if (s == FAMQP_OK) {
            accepted++;
            ck_assert_msg(len >= 1 && len <= n, "iteration %d: len %zu of %zu", iter, len, n);
            famqp_value v = {buf, len};
            ck_assert_msg(famqp_value_kind(v) != FAMQP_KIND_INVALID, "iteration %d", iter);
            consume(v, sink);
            famqp_value_equal(v, (famqp_value){orig, n <= len ? n : len});
        } else {
            ck_assert_msg(e.status == s && e.offset <= n && e.detail, "iteration %d: offset %zu of %zu", iter,
                          e.offset, n);
        }
        /* tight limits: never more permissive than the defaults */
        famqp_status st = famqp_value_validate(buf, n, &tight, NULL, &e);
        ck_assert_msg(s == FAMQP_OK || st != FAMQP_OK, "iteration %d", iter);
        /* the reader walking the mutant as a composite body */
        famqp_reader r;
        uint32_t count;
        const uint8_t *saved;
        famqp_reader_init(&r, buf, n, &e, NULL);
        uint64_t code;
        famqp_symbol name;
        if (famqp_read_descriptor(&r, &code, &name, "d") && famqp_list_enter(&r, &count, &saved, "body")) {
            uint32_t used = 0;
            famqp_value fv;
            famqp_binary bin;
            if (used < count) {
                famqp_read_uint(&r, &(uint32_t){0}, "a");
                used++;
            }
            if (used < count) {
                famqp_read_binary(&r, &bin, "b");
                used++;
            }
            if (used < count) {
                famqp_read_value(&r, &fv, "c");
                used++;
            }
            famqp_list_leave(&r, count, used, saved);
            ck_assert_uint_eq(r.depth, 0);
        }
        ck_assert(r.p <= r.end && r.end == buf + n);
        fseek(sink, 0, SEEK_SET);
        free(buf);
        free(orig);
    }
    fclose(sink);
    /* the mutations are neither all fatal nor all harmless */
    ck_assert_uint_gt(accepted, FUZZ_ITERATIONS / 20);
    ck_assert_uint_lt(accepted, FUZZ_ITERATIONS - FUZZ_ITERATIONS / 20);
}
END_TEST

/* famqp_map_next_entry must agree with famqp_map_next plus famqp_value_kind
 * plus the typed getter, entry by entry, on arbitrary (mostly malformed)
 * map bodies; it may end earlier only where a getter rejects the value. */
static bool scalar_differs(famqp_value v, const famqp_scalar *s)
{
    famqp_kind k = famqp_value_kind(v);
    if (k != s->kind)
        return true;
    switch (k) {
    case FAMQP_KIND_BOOLEAN: { bool b; return !famqp_value_get_bool(v, &b) || b != s->u.b; }
    case FAMQP_KIND_UBYTE: { uint8_t x; return !famqp_value_get_ubyte(v, &x) || x != s->u.u; }
    case FAMQP_KIND_USHORT: { uint16_t x; return !famqp_value_get_ushort(v, &x) || x != s->u.u; }
    case FAMQP_KIND_UINT: { uint32_t x; return !famqp_value_get_uint(v, &x) || x != s->u.u; }
    case FAMQP_KIND_ULONG: { uint64_t x; return !famqp_value_get_ulong(v, &x) || x != s->u.u; }
    case FAMQP_KIND_CHAR: { uint32_t x; return !famqp_value_get_char(v, &x) || x != s->u.u; }
    case FAMQP_KIND_BYTE: { int8_t x; return !famqp_value_get_byte(v, &x) || x != s->u.i; }
    case FAMQP_KIND_SHORT: { int16_t x; return !famqp_value_get_short(v, &x) || x != s->u.i; }
    case FAMQP_KIND_INT: { int32_t x; return !famqp_value_get_int(v, &x) || x != s->u.i; }
    case FAMQP_KIND_LONG: { int64_t x; return !famqp_value_get_long(v, &x) || x != s->u.i; }
    case FAMQP_KIND_TIMESTAMP: { int64_t x; return !famqp_value_get_timestamp(v, &x) || x != s->u.i; }
    case FAMQP_KIND_FLOAT: { float x; return !famqp_value_get_float(v, &x) || memcmp(&x, &s->u.f, sizeof x); }
    case FAMQP_KIND_DOUBLE: { double x; return !famqp_value_get_double(v, &x) || memcmp(&x, &s->u.d, sizeof x); }
    case FAMQP_KIND_BINARY: {
        famqp_binary x;
        return !famqp_value_get_binary(v, &x) || x.ptr != s->u.bin.ptr || x.len != s->u.bin.len;
    }
    case FAMQP_KIND_STRING: {
        famqp_string x;
        return !famqp_value_get_string(v, &x) || x.ptr != s->u.str.ptr || x.len != s->u.str.len;
    }
    case FAMQP_KIND_SYMBOL: {
        famqp_symbol x;
        return !famqp_value_get_symbol(v, &x) || x.ptr != s->u.sym.ptr || x.len != s->u.sym.len;
    }
    default: return false;
    }
}

START_TEST(map_next_entry_agrees)
{
    static const uint8_t codes[] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x60,
                                    0x61, 0x70, 0x71, 0x72, 0x73, 0x74, 0x80, 0x81, 0x82, 0x83, 0x84, 0x94, 0x98, 0xa0,
                                    0xa1, 0xa3, 0xb0, 0xb1, 0xb3, 0xc0, 0xc1, 0xd0, 0xd1, 0xe0, 0xf0, 0x00, 0x13};
    rng_state = FUZZ_SEED;
    long entries = 0;
    for (long round = 0; round < 200000; round++) {
        uint8_t b[40];
        size_t n = 1 + rnd() % sizeof b;
        for (size_t i = 0; i < n; i++) {
            uint64_t x = rnd();
            b[i] = (x & 3) ? codes[(x >> 8) % sizeof codes] : (uint8_t)(x >> 16);
            if ((x >> 30) % 3 == 0)
                b[i] = (uint8_t)((x >> 40) % 6);
        }
        famqp_map m = {(uint32_t)(rnd() % 10), b, n};
        famqp_iter plain, typed;
        famqp_map_iter(&m, &plain);
        famqp_map_iter(&m, &typed);
        famqp_value k, v;
        famqp_map_entry e;
        for (;;) {
            bool a = famqp_map_next(&plain, &k, &v);
            if (!famqp_map_next_entry(&typed, &e))
                break;
            if (!a)
                ck_abort_msg("round %ld: an entry where famqp_map_next has none", round);
            entries++;
            if (!(k.ptr == e.key.ptr && k.len == e.key.len && v.ptr == e.value.ptr && v.len == e.value.len))
                ck_abort_msg("round %ld: entry views differ", round);
            if (scalar_differs(k, &e.k) || scalar_differs(v, &e.v))
                ck_abort_msg("round %ld: typed values differ", round);
        }
    }
    ck_assert_int_gt(entries, 10000); /* the generator does reach entries */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codec_fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, seeds_are_valid);
    tcase_add_test(tc, random_mutations);
    tcase_add_test(tc, map_next_entry_agrees);
    suite_add_tcase(s, tc);
    return rt_run(s);
}
