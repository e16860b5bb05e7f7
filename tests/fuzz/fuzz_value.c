/* Fuzz target: the generic value decoder.  Every value found in the input
 * is validated (under harness limits and under tight ones picked by the
 * first byte), then taken apart with every consumer of validated values:
 * kind, typed getters, list/map/array iteration (typed and raw), equality,
 * map lookups and printing.  Each value is also rebuilt with famqp_writer
 * from what the getters returned and must compare equal to the original. */
#include <string.h>

#include "famqp/codec.h"
#include "famqp/gen/wire.h"
#include "fuzz_target.h"

static void consume(famqp_value v, unsigned depth);

/* Arrays of zero-width elements (null, true, uint0, list0, ...) hold up to
 * max_count elements in a few bytes, and this harness does far more work
 * per element than the library does; so values are validated with at most
 * 65536 elements per compound, and only the first elements of an array
 * are taken apart recursively. */
static const famqp_limits harness_limits = {FAMQP_DEFAULT_MAX_DEPTH, 1u << 16, FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};
#define DEEP_ARRAY_ELEMENTS 64

/* Rebuilding must give an equal value (writer encodings are smallest, or
 * 32-bit compound sizes, so this checks equality across encodings too). */
static void check_rebuilt(famqp_value v, const famqp_writer *w, const char *what)
{
    FUZZ_CHECK(famqp_writer_status(w) == FAMQP_OK, "%s: writer status %d", what, (int)famqp_writer_status(w));
    famqp_value r = famqp_writer_value(w);
    size_t len;
    famqp_error err;
    FUZZ_CHECK(famqp_value_validate(r.ptr, r.len, &harness_limits, &len, &err) == FAMQP_OK && len == r.len,
               "%s: the writer produced an invalid value", what);
    FUZZ_CHECK(famqp_value_equal(v, r), "%s: rebuilt value differs", what);
    FUZZ_CHECK(famqp_value_equal(r, v), "%s: equality is not symmetric", what);
}

static void consume_scalar(famqp_value v, famqp_kind k, famqp_writer *w)
{
    union {
        bool b; uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; int8_t i8; int16_t i16;
        int32_t i32; int64_t i64; float f; double d; famqp_decimal32 d32; famqp_decimal64 d64;
        famqp_decimal128 d128; famqp_uuid uuid; famqp_binary bin; famqp_string str; famqp_symbol sym;
    } x;
    bool ok = true;
    /* Every getter is called on every value: only the matching one (or,
     * for null, none) may succeed. */
    int hits = famqp_value_get_bool(v, &x.b) + famqp_value_get_ubyte(v, &x.u8) +
               famqp_value_get_ushort(v, &x.u16) + famqp_value_get_uint(v, &x.u32) +
               famqp_value_get_ulong(v, &x.u64) + famqp_value_get_byte(v, &x.i8) +
               famqp_value_get_short(v, &x.i16) + famqp_value_get_int(v, &x.i32) +
               famqp_value_get_long(v, &x.i64) + famqp_value_get_float(v, &x.f) +
               famqp_value_get_double(v, &x.d) + famqp_value_get_decimal32(v, &x.d32) +
               famqp_value_get_decimal64(v, &x.d64) + famqp_value_get_decimal128(v, &x.d128) +
               famqp_value_get_char(v, &x.u32) + famqp_value_get_timestamp(v, &x.i64) +
               famqp_value_get_uuid(v, &x.uuid) + famqp_value_get_binary(v, &x.bin) +
               famqp_value_get_string(v, &x.str) + famqp_value_get_symbol(v, &x.sym);
    FUZZ_CHECK(hits == (k == FAMQP_KIND_NULL ? 0 : 1), "kind %s: %d getters succeeded", famqp_kind_name(k), hits);
    switch (k) {
    case FAMQP_KIND_NULL: famqp_write_null(w); break;
    case FAMQP_KIND_BOOLEAN: ok = famqp_value_get_bool(v, &x.b); famqp_write_bool(w, x.b); break;
    case FAMQP_KIND_UBYTE: ok = famqp_value_get_ubyte(v, &x.u8); famqp_write_ubyte(w, x.u8); break;
    case FAMQP_KIND_USHORT: ok = famqp_value_get_ushort(v, &x.u16); famqp_write_ushort(w, x.u16); break;
    case FAMQP_KIND_UINT: ok = famqp_value_get_uint(v, &x.u32); famqp_write_uint(w, x.u32); break;
    case FAMQP_KIND_ULONG: ok = famqp_value_get_ulong(v, &x.u64); famqp_write_ulong(w, x.u64); break;
    case FAMQP_KIND_BYTE: ok = famqp_value_get_byte(v, &x.i8); famqp_write_byte(w, x.i8); break;
    case FAMQP_KIND_SHORT: ok = famqp_value_get_short(v, &x.i16); famqp_write_short(w, x.i16); break;
    case FAMQP_KIND_INT: ok = famqp_value_get_int(v, &x.i32); famqp_write_int(w, x.i32); break;
    case FAMQP_KIND_LONG: ok = famqp_value_get_long(v, &x.i64); famqp_write_long(w, x.i64); break;
    case FAMQP_KIND_FLOAT: ok = famqp_value_get_float(v, &x.f); famqp_write_float(w, x.f); break;
    case FAMQP_KIND_DOUBLE: ok = famqp_value_get_double(v, &x.d); famqp_write_double(w, x.d); break;
    case FAMQP_KIND_DECIMAL32: ok = famqp_value_get_decimal32(v, &x.d32); famqp_write_decimal32(w, x.d32); break;
    case FAMQP_KIND_DECIMAL64: ok = famqp_value_get_decimal64(v, &x.d64); famqp_write_decimal64(w, x.d64); break;
    case FAMQP_KIND_DECIMAL128: ok = famqp_value_get_decimal128(v, &x.d128); famqp_write_decimal128(w, x.d128); break;
    case FAMQP_KIND_CHAR: ok = famqp_value_get_char(v, &x.u32); famqp_write_char(w, x.u32); break;
    case FAMQP_KIND_TIMESTAMP: ok = famqp_value_get_timestamp(v, &x.i64); famqp_write_timestamp(w, x.i64); break;
    case FAMQP_KIND_UUID: ok = famqp_value_get_uuid(v, &x.uuid); famqp_write_uuid(w, x.uuid); break;
    case FAMQP_KIND_BINARY: ok = famqp_value_get_binary(v, &x.bin); famqp_write_binary(w, x.bin); break;
    case FAMQP_KIND_STRING: ok = famqp_value_get_string(v, &x.str); famqp_write_string(w, x.str); break;
    case FAMQP_KIND_SYMBOL: ok = famqp_value_get_symbol(v, &x.sym); famqp_write_symbol(w, x.sym); break;
    default: FUZZ_CHECK(0, "not a scalar kind: %d", (int)k);
    }
    FUZZ_CHECK(ok, "getter for kind %s failed", famqp_kind_name(k));
}

/* Array elements: the typed reader matching the element constructor reads
 * all of them or none; each raw element with the constructor in front is a
 * complete value again. */
#define TYPED_COUNT(T, CT)                                        \
    do {                                                          \
        CT item_;                                                 \
        uint32_t n_ = 0;                                          \
        famqp_array_iter(&a, &it);                                \
        while (famqp_array_next_##T(&it, &item_))                 \
            n_++;                                                 \
        FUZZ_CHECK(n_ == 0 || n_ == a.count, "array of %u: next_" #T " read %u", a.count, n_); \
        typed += n_ != 0;                                         \
    } while (0)

static void consume_array(famqp_array a, unsigned depth)
{
    famqp_iter it;
    int typed = 0;
    TYPED_COUNT(bool, bool);
    TYPED_COUNT(ubyte, uint8_t);
    TYPED_COUNT(ushort, uint16_t);
    TYPED_COUNT(uint, uint32_t);
    TYPED_COUNT(ulong, uint64_t);
    TYPED_COUNT(byte, int8_t);
    TYPED_COUNT(short, int16_t);
    TYPED_COUNT(int, int32_t);
    TYPED_COUNT(long, int64_t);
    TYPED_COUNT(float, float);
    TYPED_COUNT(double, double);
    TYPED_COUNT(decimal32, famqp_decimal32);
    TYPED_COUNT(decimal64, famqp_decimal64);
    TYPED_COUNT(decimal128, famqp_decimal128);
    TYPED_COUNT(char, uint32_t);
    TYPED_COUNT(timestamp, int64_t);
    TYPED_COUNT(uuid, famqp_uuid);
    TYPED_COUNT(binary, famqp_binary);
    TYPED_COUNT(string, famqp_string);
    TYPED_COUNT(symbol, famqp_symbol);
    /* char and uint share no codes, but uint/ulong-style aliases do not
     * exist either: at most one typed reader matches a constructor. */
    FUZZ_CHECK(typed <= 1, "%d typed readers accepted one array", typed);

    famqp_binary body;
    uint32_t n = 0;
    famqp_array_iter(&a, &it);
    while (famqp_array_next_raw(&it, &body)) {
        if (++n > DEEP_ARRAY_ELEMENTS)
            continue;
        size_t total = a.ctor_len + body.len;
        uint8_t *whole = malloc(total);
        FUZZ_CHECK(whole != NULL, "out of memory");
        memcpy(whole, a.ctor, a.ctor_len);
        if (body.len)
            memcpy(whole + a.ctor_len, body.ptr, body.len);
        size_t len;
        famqp_error err;
        famqp_status st = famqp_value_validate(whole, total, &harness_limits, &len, &err);
        FUZZ_CHECK(st == FAMQP_OK && len == total, "array element %u is not a value (%s)", n,
                   famqp_status_name(st));
        consume((famqp_value){whole, total}, depth + 1);
        free(whole);
    }
    FUZZ_CHECK(n == a.count, "array of %u: read %u raw elements", a.count, n);
}

static void consume(famqp_value v, unsigned depth)
{
    /* Validation bounds depth by FAMQP_DEFAULT_MAX_DEPTH; this is a guard. */
    FUZZ_CHECK(depth <= FAMQP_DEFAULT_MAX_DEPTH + 2, "recursion deeper than validation allows");
    famqp_kind k = famqp_value_kind(v);
    FUZZ_CHECK(k != FAMQP_KIND_INVALID && k < FAMQP_KIND_COUNT, "validated value of invalid kind");
    FUZZ_CHECK(famqp_kind_name(k) != NULL, "kind without a name");
    famqp_value_print(fuzz_sink(), v);
    FUZZ_CHECK(famqp_value_equal(v, v), "a %s value is not equal to itself", famqp_kind_name(k));

    size_t cap = v.len + 64;
    uint8_t *buf = malloc(cap);
    FUZZ_CHECK(buf != NULL, "out of memory");
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_value(&w, v);
    check_rebuilt(v, &w, "write_value");
    famqp_writer_init(&w, buf, cap);

    famqp_iter it;
    famqp_value x, y;
    famqp_list l;
    famqp_map m;
    famqp_array a;
    switch (k) {
    case FAMQP_KIND_LIST: {
        FUZZ_CHECK(famqp_value_get_list(v, &l), "get_list failed");
        uint32_t n = 0;
        famqp_write_list_begin(&w);
        famqp_list_iter(&l, &it);
        while (famqp_list_next(&it, &x)) {
            n++;
            famqp_write_value(&w, x);
            consume(x, depth + 1);
        }
        famqp_write_list_end(&w);
        FUZZ_CHECK(n == l.count, "list of %u: iterated %u", l.count, n);
        check_rebuilt(v, &w, "list");
        break;
    }
    case FAMQP_KIND_MAP: {
        FUZZ_CHECK(famqp_value_get_map(v, &m), "get_map failed");
        uint32_t n = 0;
        famqp_write_map_begin(&w);
        famqp_map_iter(&m, &it);
        while (famqp_map_next(&it, &x, &y)) {
            n += 2;
            famqp_write_value(&w, x);
            famqp_write_value(&w, y);
            consume(x, depth + 1);
            consume(y, depth + 1);
        }
        famqp_write_map_end(&w);
        FUZZ_CHECK(n == m.count, "map of %u: iterated %u", m.count, n);
        check_rebuilt(v, &w, "map");
        famqp_map_get_symbol_key(&m, "a", &x);
        famqp_map_get_string_key(&m, "a", &x);
        break;
    }
    case FAMQP_KIND_ARRAY:
        FUZZ_CHECK(famqp_value_get_array(v, &a), "get_array failed");
        consume_array(a, depth);
        break;
    case FAMQP_KIND_DESCRIBED:
        FUZZ_CHECK(famqp_value_get_described(v, &x, &y), "get_described failed");
        FUZZ_CHECK(x.ptr > v.ptr && y.ptr + y.len == v.ptr + v.len, "described parts outside the value");
        famqp_write_described(&w);
        famqp_write_value(&w, x);
        famqp_write_value(&w, y);
        check_rebuilt(v, &w, "described");
        consume(x, depth + 1);
        consume(y, depth + 1);
        break;
    default:
        consume_scalar(v, k, &w);
        check_rebuilt(v, &w, famqp_kind_name(k));
        break;
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* First byte: tight limits for the second pass (depth 0..15, count
     * 0..15), so both the limit checks and deep values are reached. */
    famqp_limits tight = {data[0] & 0x0f, data[0] >> 4, data[0] >> 4};
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    while (n > 0) {
        size_t len = 0;
        famqp_error err;
        memset(&err, 0, sizeof err);
        famqp_status st = famqp_value_validate(p, n, &harness_limits, &len, &err);
        if (st != FAMQP_OK) {
            char msg[256];
            FUZZ_CHECK(err.status == st, "error records %d, returned %d", (int)err.status, (int)st);
            FUZZ_CHECK(err.offset <= n, "error offset %zu beyond input %zu", err.offset, n);
            famqp_error_format(&err, msg, sizeof msg);
            FUZZ_CHECK(famqp_value_kind((famqp_value){p, n}) != FAMQP_KIND_INVALID ||
                           st == FAMQP_ERR_BAD_CONSTRUCTOR,
                       "invalid first byte not reported as a bad constructor");
            return 0;
        }
        FUZZ_CHECK(len >= 1 && len <= n, "validated length %zu of %zu", len, n);
        /* A value within the harness limits either passes tight limits
         * with the same length or fails them with a limit status. */
        size_t len2 = 0;
        st = famqp_value_validate(p, n, &tight, &len2, &err);
        FUZZ_CHECK(st == FAMQP_OK ? len2 == len : (st == FAMQP_ERR_DEPTH || st == FAMQP_ERR_LIMIT),
                   "tight limits: status %s", famqp_status_name(st));
        /* The value alone, in a buffer of exactly its size. */
        uint8_t *copy = malloc(len);
        FUZZ_CHECK(copy != NULL, "out of memory");
        memcpy(copy, p, len);
        consume((famqp_value){copy, len}, 0);
        famqp_list l;
        famqp_map m;
        if (famqp_list_of(copy, len, &l))
            FUZZ_CHECK(famqp_value_kind((famqp_value){copy, len}) == FAMQP_KIND_LIST, "list_of on a non-list");
        if (famqp_map_of(copy, len, &m))
            FUZZ_CHECK(famqp_value_kind((famqp_value){copy, len}) == FAMQP_KIND_MAP, "map_of on a non-map");
        free(copy);
        p += len;
        n -= len;
    }
    return 0;
}
