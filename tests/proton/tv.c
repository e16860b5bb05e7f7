/* Test values: writing them with both codecs and checking decoded results
 * against them. */
#include "tv.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- arena ------------------------------------------------------------- */

/* Tests build a few hundred KiB at most; 4 MiB leaves ample room. */
#define ARENA_SIZE (4u << 20)
static _Alignas(max_align_t) uint8_t arena[ARENA_SIZE];
static size_t arena_used;

void *arena_alloc(size_t n)
{
    size_t a = _Alignof(max_align_t);
    size_t start = (arena_used + a - 1) / a * a;
    ck_assert_msg(n <= ARENA_SIZE - start, "test arena exhausted (%zu bytes wanted)", n);
    arena_used = start + n;
    memset(arena + start, 0, n);
    return arena + start;
}

void arena_reset(void) { arena_used = 0; }

const char *arena_pattern(size_t n, char first)
{
    char *s = arena_alloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + ((unsigned char)first + i) % 26); /* stays ASCII */
    return s;
}

const char *path_join(const char *base, const char *fmt, ...)
{
    char tail[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);
    size_t n = strlen(base) + strlen(tail) + 1;
    char *s = arena_alloc(n);
    snprintf(s, n, "%s%s", base, tail);
    return s;
}

const char *hex(const uint8_t *p, size_t n)
{
    size_t shown = n > 600 ? 600 : n;
    char *s = arena_alloc(shown * 3 + 8);
    size_t o = 0;
    for (size_t i = 0; i < shown; i++)
        o += (size_t)sprintf(s + o, "%02x ", p[i]);
    if (shown < n)
        sprintf(s + o, "...");
    return s;
}

/* ---- writing ------------------------------------------------------------ */

static famqp_symbol sym_of(const tv *v) { return (famqp_symbol){(const char *)v->bytes, v->len}; }

void tv_write(famqp_writer *w, const tv *v)
{
    switch (v->kind) {
    case TV_NULL: famqp_write_null(w); break;
    case TV_BOOL: famqp_write_bool(w, v->u != 0); break;
    case TV_UBYTE: famqp_write_ubyte(w, (uint8_t)v->u); break;
    case TV_USHORT: famqp_write_ushort(w, (uint16_t)v->u); break;
    case TV_UINT: famqp_write_uint(w, (uint32_t)v->u); break;
    case TV_ULONG: famqp_write_ulong(w, v->u); break;
    case TV_INT: famqp_write_int(w, (int32_t)v->i); break;
    case TV_LONG: famqp_write_long(w, v->i); break;
    case TV_TIMESTAMP: famqp_write_timestamp(w, v->i); break;
    case TV_UUID: {
        famqp_uuid u;
        memcpy(u.bytes, v->bytes, 16);
        famqp_write_uuid(w, u);
        break;
    }
    case TV_BINARY: famqp_write_binary(w, famqp_binary_of(v->bytes, v->len)); break;
    case TV_STRING: famqp_write_string(w, (famqp_string){(const char *)v->bytes, v->len}); break;
    case TV_SYMBOL: famqp_write_symbol(w, sym_of(v)); break;
    case TV_LIST:
        famqp_write_list_begin(w);
        for (size_t i = 0; i < v->n; i++)
            tv_write(w, &v->items[i]);
        famqp_write_list_end(w);
        break;
    case TV_MAP:
        famqp_write_map_begin(w);
        for (size_t i = 0; i < v->n; i++)
            tv_write(w, &v->items[i]);
        famqp_write_map_end(w);
        break;
    case TV_SYMBOL_ARRAY: {
        famqp_symbol *syms = arena_alloc((v->n + 1) * sizeof *syms);
        for (size_t i = 0; i < v->n; i++)
            syms[i] = sym_of(&v->items[i]);
        famqp_write_array_symbol(w, syms, (uint32_t)v->n);
        break;
    }
    case TV_DESCRIBED:
        famqp_write_described(w);
        if (v->bytes)
            famqp_write_symbol(w, (famqp_symbol){(const char *)v->bytes, v->len});
        else
            famqp_write_ulong(w, v->u);
        tv_write(w, &v->items[0]);
        break;
    }
}

famqp_value tv_encode(const tv *v)
{
    famqp_writer w;
    famqp_writer_init(&w, NULL, 0);
    tv_write(&w, v);
    size_t need = famqp_writer_len(&w);
    uint8_t *buf = arena_alloc(need ? need : 1);
    famqp_writer_init(&w, buf, need);
    tv_write(&w, v);
    ck_assert_msg(famqp_writer_status(&w) == FAMQP_OK, "famqp_writer failed: %s",
                  famqp_status_name(famqp_writer_status(&w)));
    ck_assert_uint_eq(famqp_writer_len(&w), need);
    return (famqp_value){buf, need};
}

static pn_bytes_t pn_bytes_of(const tv *v) { return pn_bytes(v->len, (const char *)v->bytes); }

void tv_put(pn_data_t *d, const tv *v)
{
    switch (v->kind) {
    case TV_NULL: pn_data_put_null(d); break;
    case TV_BOOL: pn_data_put_bool(d, v->u != 0); break;
    case TV_UBYTE: pn_data_put_ubyte(d, (uint8_t)v->u); break;
    case TV_USHORT: pn_data_put_ushort(d, (uint16_t)v->u); break;
    case TV_UINT: pn_data_put_uint(d, (uint32_t)v->u); break;
    case TV_ULONG: pn_data_put_ulong(d, v->u); break;
    case TV_INT: pn_data_put_int(d, (int32_t)v->i); break;
    case TV_LONG: pn_data_put_long(d, v->i); break;
    case TV_TIMESTAMP: pn_data_put_timestamp(d, v->i); break;
    case TV_UUID: {
        pn_uuid_t u;
        memcpy(u.bytes, v->bytes, 16);
        pn_data_put_uuid(d, u);
        break;
    }
    case TV_BINARY: pn_data_put_binary(d, pn_bytes_of(v)); break;
    case TV_STRING: pn_data_put_string(d, pn_bytes_of(v)); break;
    case TV_SYMBOL: pn_data_put_symbol(d, pn_bytes_of(v)); break;
    case TV_LIST:
    case TV_MAP:
        if (v->kind == TV_LIST)
            pn_data_put_list(d);
        else
            pn_data_put_map(d);
        pn_data_enter(d);
        for (size_t i = 0; i < v->n; i++)
            tv_put(d, &v->items[i]);
        pn_data_exit(d);
        break;
    case TV_SYMBOL_ARRAY:
        pn_data_put_array(d, false, PN_SYMBOL);
        pn_data_enter(d);
        for (size_t i = 0; i < v->n; i++)
            pn_data_put_symbol(d, pn_bytes_of(&v->items[i]));
        pn_data_exit(d);
        break;
    case TV_DESCRIBED:
        pn_data_put_described(d);
        pn_data_enter(d);
        if (v->bytes)
            pn_data_put_symbol(d, pn_bytes_of(v));
        else
            pn_data_put_ulong(d, v->u);
        tv_put(d, &v->items[0]);
        pn_data_exit(d);
        break;
    }
    ck_assert_msg(pn_data_errno(d) == 0, "pn_data put failed");
}

/* ---- checking a Proton tree --------------------------------------------- */

static void check_bytes(pn_bytes_t got, const tv *v, const char *what, const char *path)
{
    ck_assert_msg(got.size == v->len, "%s: %s length %zu, want %zu", path, what, got.size, v->len);
    ck_assert_msg(v->len == 0 || memcmp(got.start, v->bytes, v->len) == 0, "%s: %s content differs",
                  path, what);
}

static void expect_pn_type(pn_data_t *d, pn_type_t want, const char *path)
{
    pn_type_t got = pn_data_type(d);
    ck_assert_msg(got == want, "%s: Proton sees %s, want %s", path, pn_type_name(got), pn_type_name(want));
}

void tv_check_pn(pn_data_t *d, const tv *v, const char *path)
{
    switch (v->kind) {
    case TV_NULL: expect_pn_type(d, PN_NULL, path); break;
    case TV_BOOL:
        expect_pn_type(d, PN_BOOL, path);
        ck_assert_msg(pn_data_get_bool(d) == (v->u != 0), "%s: bool differs", path);
        break;
    case TV_UBYTE:
        expect_pn_type(d, PN_UBYTE, path);
        ck_assert_msg(pn_data_get_ubyte(d) == v->u, "%s: ubyte %u, want %llu", path,
                      pn_data_get_ubyte(d), (unsigned long long)v->u);
        break;
    case TV_USHORT:
        expect_pn_type(d, PN_USHORT, path);
        ck_assert_msg(pn_data_get_ushort(d) == v->u, "%s: ushort %u, want %llu", path,
                      pn_data_get_ushort(d), (unsigned long long)v->u);
        break;
    case TV_UINT:
        expect_pn_type(d, PN_UINT, path);
        ck_assert_msg(pn_data_get_uint(d) == v->u, "%s: uint %u, want %llu", path, pn_data_get_uint(d),
                      (unsigned long long)v->u);
        break;
    case TV_ULONG:
        expect_pn_type(d, PN_ULONG, path);
        ck_assert_msg(pn_data_get_ulong(d) == v->u, "%s: ulong %llu, want %llu", path,
                      (unsigned long long)pn_data_get_ulong(d), (unsigned long long)v->u);
        break;
    case TV_INT:
        expect_pn_type(d, PN_INT, path);
        ck_assert_msg(pn_data_get_int(d) == v->i, "%s: int differs", path);
        break;
    case TV_LONG:
        expect_pn_type(d, PN_LONG, path);
        ck_assert_msg(pn_data_get_long(d) == v->i, "%s: long differs", path);
        break;
    case TV_TIMESTAMP:
        expect_pn_type(d, PN_TIMESTAMP, path);
        ck_assert_msg(pn_data_get_timestamp(d) == v->i, "%s: timestamp %lld, want %lld", path,
                      (long long)pn_data_get_timestamp(d), (long long)v->i);
        break;
    case TV_UUID:
        expect_pn_type(d, PN_UUID, path);
        ck_assert_msg(memcmp(pn_data_get_uuid(d).bytes, v->bytes, 16) == 0, "%s: uuid differs", path);
        break;
    case TV_BINARY:
        expect_pn_type(d, PN_BINARY, path);
        check_bytes(pn_data_get_binary(d), v, "binary", path);
        break;
    case TV_STRING:
        expect_pn_type(d, PN_STRING, path);
        check_bytes(pn_data_get_string(d), v, "string", path);
        break;
    case TV_SYMBOL:
        if (v->one_of_many && pn_data_type(d) == PN_ARRAY) {
            ck_assert_msg(pn_data_get_array(d) == 1 && pn_data_get_array_type(d) == PN_SYMBOL,
                          "%s: want a one-symbol array", path);
            pn_data_enter(d);
            ck_assert(pn_data_next(d));
            check_bytes(pn_data_get_symbol(d), v, "symbol", path);
            pn_data_exit(d);
            break;
        }
        expect_pn_type(d, PN_SYMBOL, path);
        check_bytes(pn_data_get_symbol(d), v, "symbol", path);
        break;
    case TV_LIST:
    case TV_MAP: {
        size_t count;
        if (v->kind == TV_LIST) {
            expect_pn_type(d, PN_LIST, path);
            count = pn_data_get_list(d);
        } else {
            expect_pn_type(d, PN_MAP, path);
            count = pn_data_get_map(d);
        }
        ck_assert_msg(count == v->n, "%s: Proton sees %zu elements, want %zu", path, count, v->n);
        pn_data_enter(d);
        for (size_t i = 0; i < v->n; i++) {
            ck_assert_msg(pn_data_next(d), "%s: element %zu missing", path, i);
            tv_check_pn(d, &v->items[i], path_join(path, "[%zu]", i));
        }
        pn_data_exit(d);
        break;
    }
    case TV_SYMBOL_ARRAY:
        expect_pn_type(d, PN_ARRAY, path);
        ck_assert_msg(pn_data_get_array_type(d) == PN_SYMBOL, "%s: array of %s, want symbols", path,
                      pn_type_name(pn_data_get_array_type(d)));
        ck_assert_msg(!pn_data_is_array_described(d), "%s: described array", path);
        ck_assert_msg(pn_data_get_array(d) == v->n, "%s: array count %zu, want %zu", path,
                      pn_data_get_array(d), v->n);
        pn_data_enter(d);
        for (size_t i = 0; i < v->n; i++) {
            ck_assert_msg(pn_data_next(d), "%s: element %zu missing", path, i);
            check_bytes(pn_data_get_symbol(d), &v->items[i], "symbol", path_join(path, "[%zu]", i));
        }
        pn_data_exit(d);
        break;
    case TV_DESCRIBED:
        expect_pn_type(d, PN_DESCRIBED, path);
        pn_data_enter(d);
        ck_assert(pn_data_next(d));
        if (v->bytes) {
            expect_pn_type(d, PN_SYMBOL, path_join(path, "<descriptor>"));
            check_bytes(pn_data_get_symbol(d), v, "descriptor", path);
        } else {
            expect_pn_type(d, PN_ULONG, path_join(path, "<descriptor>"));
            ck_assert_msg(pn_data_get_ulong(d) == v->u, "%s: descriptor 0x%llx, want 0x%llx", path,
                          (unsigned long long)pn_data_get_ulong(d), (unsigned long long)v->u);
        }
        ck_assert(pn_data_next(d));
        tv_check_pn(d, &v->items[0], path);
        pn_data_exit(d);
        break;
    }
}

/* ---- checking flatamqp views ------------------------------------------ */

static void check_view_bytes(const void *p, size_t n, const tv *v, const char *what, const char *path)
{
    ck_assert_msg(n == v->len, "%s: %s length %zu, want %zu", path, what, n, v->len);
    ck_assert_msg(n == 0 || memcmp(p, v->bytes, n) == 0, "%s: %s content differs", path, what);
}

static void expect_kind(famqp_value got, famqp_kind want, const char *path)
{
    famqp_kind k = famqp_value_kind(got);
    ck_assert_msg(k == want, "%s: flatamqp sees %s, want %s", path, famqp_kind_name(k), famqp_kind_name(want));
}

void tv_check_list_view(const famqp_list *got, const tv *v, const char *path)
{
    ck_assert_msg(v->kind == TV_LIST, "%s: test expects a list", path);
    ck_assert_msg(got->count == v->n, "%s: list count %u, want %zu", path, got->count, v->n);
    famqp_iter it;
    famqp_list_iter(got, &it);
    for (size_t i = 0; i < v->n; i++) {
        famqp_value item;
        ck_assert_msg(famqp_list_next(&it, &item), "%s: element %zu missing", path, i);
        tv_check_value(item, &v->items[i], path_join(path, "[%zu]", i));
    }
    famqp_value extra;
    ck_assert_msg(!famqp_list_next(&it, &extra), "%s: more elements than count", path);
}

void tv_check_map_view(const famqp_map *got, const tv *v, const char *path)
{
    ck_assert_msg(v->kind == TV_MAP, "%s: test expects a map", path);
    ck_assert_msg(got->count == v->n, "%s: map count %u, want %zu", path, got->count, v->n);
    famqp_iter it;
    famqp_map_iter(got, &it);
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        famqp_value key, val;
        ck_assert_msg(famqp_map_next(&it, &key, &val), "%s: entry %zu missing", path, i / 2);
        tv_check_value(key, &v->items[i], path_join(path, "<key %zu>", i / 2));
        tv_check_value(val, &v->items[i + 1], path_join(path, "[key %zu]", i / 2));
    }
    famqp_value k2, v2;
    ck_assert_msg(!famqp_map_next(&it, &k2, &v2), "%s: more entries than count", path);
}

static void check_symbol_iter(famqp_iter *it, const tv *v, const char *path)
{
    if (v->kind == TV_SYMBOL) {
        famqp_symbol s;
        ck_assert_msg(famqp_array_next_symbol(it, &s), "%s: symbol element missing", path);
        check_view_bytes(s.ptr, s.len, v, "symbol", path);
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        famqp_symbol s;
        ck_assert_msg(famqp_array_next_symbol(it, &s), "%s: element %zu missing", path, i);
        check_view_bytes(s.ptr, s.len, &v->items[i], "symbol", path_join(path, "[%zu]", i));
    }
}

void tv_check_multiple_symbols(const famqp_multiple *got, const tv *v, const char *path)
{
    size_t want = v->kind == TV_SYMBOL ? 1 : v->n;
    ck_assert_msg(v->kind == TV_SYMBOL || v->kind == TV_SYMBOL_ARRAY, "%s: test expects symbols", path);
    ck_assert_msg(got->count == want, "%s: %u symbols, want %zu", path, got->count, want);
    ck_assert_msg(got->wire.count == want, "%s: wire view holds %u symbols, want %zu", path,
                  got->wire.count, want);
    famqp_iter it;
    famqp_multiple_iter(got, &it);
    check_symbol_iter(&it, v, path);
}

void tv_check_value(famqp_value got, const tv *v, const char *path)
{
    switch (v->kind) {
    case TV_NULL:
        ck_assert_msg(got.len == 0 || famqp_value_kind(got) == FAMQP_KIND_NULL, "%s: want null, got %s",
                      path, famqp_kind_name(famqp_value_kind(got)));
        break;
    case TV_BOOL: {
        bool b;
        ck_assert_msg(famqp_value_get_bool(got, &b), "%s: not a boolean", path);
        ck_assert_msg(b == (v->u != 0), "%s: boolean differs", path);
        break;
    }
    case TV_UBYTE: {
        uint8_t x;
        expect_kind(got, FAMQP_KIND_UBYTE, path);
        ck_assert_msg(famqp_value_get_ubyte(got, &x) && x == v->u, "%s: ubyte differs", path);
        break;
    }
    case TV_USHORT: {
        uint16_t x;
        expect_kind(got, FAMQP_KIND_USHORT, path);
        ck_assert_msg(famqp_value_get_ushort(got, &x) && x == v->u, "%s: ushort differs", path);
        break;
    }
    case TV_UINT: {
        uint32_t x;
        expect_kind(got, FAMQP_KIND_UINT, path);
        ck_assert_msg(famqp_value_get_uint(got, &x) && x == v->u, "%s: uint %u, want %llu", path, x,
                      (unsigned long long)v->u);
        break;
    }
    case TV_ULONG: {
        uint64_t x;
        expect_kind(got, FAMQP_KIND_ULONG, path);
        ck_assert_msg(famqp_value_get_ulong(got, &x) && x == v->u, "%s: ulong differs", path);
        break;
    }
    case TV_INT: {
        int32_t x;
        expect_kind(got, FAMQP_KIND_INT, path);
        ck_assert_msg(famqp_value_get_int(got, &x) && x == v->i, "%s: int differs", path);
        break;
    }
    case TV_LONG: {
        int64_t x;
        expect_kind(got, FAMQP_KIND_LONG, path);
        ck_assert_msg(famqp_value_get_long(got, &x) && x == v->i, "%s: long differs", path);
        break;
    }
    case TV_TIMESTAMP: {
        int64_t x;
        expect_kind(got, FAMQP_KIND_TIMESTAMP, path);
        ck_assert_msg(famqp_value_get_timestamp(got, &x) && x == v->i, "%s: timestamp differs", path);
        break;
    }
    case TV_UUID: {
        famqp_uuid x;
        ck_assert_msg(famqp_value_get_uuid(got, &x), "%s: not a uuid", path);
        ck_assert_msg(memcmp(x.bytes, v->bytes, 16) == 0, "%s: uuid differs", path);
        break;
    }
    case TV_BINARY: {
        famqp_binary x;
        ck_assert_msg(famqp_value_get_binary(got, &x), "%s: not a binary", path);
        check_view_bytes(x.ptr, x.len, v, "binary", path);
        break;
    }
    case TV_STRING: {
        famqp_string x;
        ck_assert_msg(famqp_value_get_string(got, &x), "%s: not a string", path);
        check_view_bytes(x.ptr, x.len, v, "string", path);
        break;
    }
    case TV_SYMBOL: {
        famqp_symbol x;
        ck_assert_msg(famqp_value_get_symbol(got, &x), "%s: not a symbol", path);
        check_view_bytes(x.ptr, x.len, v, "symbol", path);
        break;
    }
    case TV_LIST: {
        famqp_list l;
        ck_assert_msg(famqp_value_get_list(got, &l), "%s: not a list (%s)", path,
                      famqp_kind_name(famqp_value_kind(got)));
        tv_check_list_view(&l, v, path);
        break;
    }
    case TV_MAP: {
        famqp_map m;
        ck_assert_msg(famqp_value_get_map(got, &m), "%s: not a map (%s)", path,
                      famqp_kind_name(famqp_value_kind(got)));
        tv_check_map_view(&m, v, path);
        break;
    }
    case TV_SYMBOL_ARRAY: {
        famqp_array a;
        ck_assert_msg(famqp_value_get_array(got, &a), "%s: not an array", path);
        ck_assert_msg(a.count == v->n, "%s: array count %u, want %zu", path, a.count, v->n);
        famqp_iter it;
        famqp_array_iter(&a, &it);
        check_symbol_iter(&it, v, path);
        break;
    }
    case TV_DESCRIBED: {
        famqp_value desc, val;
        ck_assert_msg(famqp_value_get_described(got, &desc, &val), "%s: not a described value", path);
        if (v->bytes) {
            famqp_symbol s;
            ck_assert_msg(famqp_value_get_symbol(desc, &s), "%s: descriptor not a symbol", path);
            check_view_bytes(s.ptr, s.len, v, "descriptor", path);
        } else {
            uint64_t code;
            ck_assert_msg(famqp_value_get_ulong(desc, &code), "%s: descriptor not a ulong", path);
            ck_assert_msg(code == v->u, "%s: descriptor 0x%llx, want 0x%llx", path, (unsigned long long)code,
                          (unsigned long long)v->u);
        }
        tv_check_value(val, &v->items[0], path);
        break;
    }
    }
}
