/* Human-readable rendering of AMQP values, for logs and debugging:
 * strings "quoted", symbols :bare or :"quoted", binary b"..", lists
 * [a, b], maps {k=v}, arrays @[a, b], described values @descriptor value,
 * timestamps ISO 8601 UTC.  Output is bounded by the value's own spans. */
#include <inttypes.h>

#include "codec_internal.h"

/* Escapes one byte of a quoted string or binary. */
static void put_escaped(FILE *f, uint8_t c, bool utf8_passthrough)
{
    switch (c) {
    case '"': fputs("\\\"", f); return;
    case '\\': fputs("\\\\", f); return;
    case '\n': fputs("\\n", f); return;
    case '\r': fputs("\\r", f); return;
    case '\t': fputs("\\t", f); return;
    default: break;
    }
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8_passthrough))
        fprintf(f, "\\x%02x", c);
    else
        fputc(c, f);
}

void famqp_print_string(FILE *f, famqp_string v)
{
    fputc('"', f);
    for (size_t i = 0; i < v.len; i++)
        put_escaped(f, (uint8_t)v.ptr[i], true);
    fputc('"', f);
}

static bool symbol_is_bare(famqp_symbol v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.' || c == ':' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

void famqp_print_symbol(FILE *f, famqp_symbol v)
{
    fputc(':', f);
    if (symbol_is_bare(v)) {
        fwrite(v.ptr, 1, v.len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < v.len; i++)
        put_escaped(f, (uint8_t)v.ptr[i], false);
    fputc('"', f);
}

#define FAMQP_PRINT_BINARY_MAX 64 /* longer binaries show only their start */

void famqp_print_binary(FILE *f, famqp_binary v)
{
    size_t n = v.len < FAMQP_PRINT_BINARY_MAX ? v.len : FAMQP_PRINT_BINARY_MAX;
    fputs("b\"", f);
    for (size_t i = 0; i < n; i++)
        put_escaped(f, v.ptr[i], false);
    fputc('"', f);
    if (n < v.len)
        fprintf(f, "...(%zu bytes)", v.len);
}

void famqp_print_uuid(FILE *f, famqp_uuid v)
{
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            fputc('-', f);
        fprintf(f, "%02x", v.bytes[i]);
    }
}

/* Days since 1970-01-01 to a proleptic Gregorian date (era-based civil
 * calendar arithmetic; valid for every int64 day count we can reach). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void famqp_print_timestamp(FILE *f, int64_t ms)
{
    /* floor division so times before 1970 render correctly */
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    unsigned msec = (unsigned)(rem % 1000), sec = (unsigned)(rem / 1000);
    fprintf(f, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y, mo, d, sec / 3600, sec / 60 % 60, sec % 60,
            msec);
}

void famqp_print_decimal(FILE *f, const uint8_t *bytes, size_t n)
{
    fputs("0x", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", bytes[i]);
}

void famqp_print_char(FILE *f, uint32_t c)
{
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
        fprintf(f, "'%c'", (char)c);
    else
        fprintf(f, "U+%04" PRIX32, c);
}

/* ---- generic values ----------------------------------------------------- */

static void print_value(FILE *f, const uint8_t *p, size_t n, unsigned depth);

/* Prints `count` values packed back to back, separated by `sep` (a map
 * alternates "=" and ", " when pairs is set). */
static void print_seq(FILE *f, const uint8_t *p, const uint8_t *end, uint32_t count, bool pairs, unsigned depth)
{
    for (uint32_t i = 0; i < count; i++) {
        size_t n = famqp__value_span(p, (size_t)(end - p));
        if (!n) {
            fputs("<malformed>", f);
            return;
        }
        if (i)
            fputs(pairs && (i & 1u) ? "=" : ", ", f);
        print_value(f, p, n, depth + 1);
        p += n;
    }
}

/* Prints the body of a value or array element with format code `code`. */
static void print_body(FILE *f, uint8_t code, const uint8_t *p, size_t n, unsigned depth)
{
    const famqp_code_info_t *ci = &famqp_code_info[code];
    famqp_compound_hdr h;
    size_t w = ci->width;
    if (depth > FAMQP_HARD_MAX_DEPTH) {
        fputs("...", f);
        return;
    }
    switch ((famqp_kind)ci->kind) {
    case FAMQP_KIND_NULL: fputs("null", f); break;
    case FAMQP_KIND_BOOLEAN: fputs((n ? p[0] == 1 : code == FAMQP_CODE_TRUE) ? "true" : "false", f); break;
    case FAMQP_KIND_UBYTE: case FAMQP_KIND_USHORT: case FAMQP_KIND_UINT: case FAMQP_KIND_ULONG:
        fprintf(f, "%" PRIu64, famqp__load_n(p, n));
        break;
    case FAMQP_KIND_BYTE: case FAMQP_KIND_SHORT: case FAMQP_KIND_INT: case FAMQP_KIND_LONG:
        fprintf(f, "%" PRId64, famqp__load_signed_n(p, n));
        break;
    case FAMQP_KIND_FLOAT: {
        float x;
        uint32_t u = famqp_load32(p);
        memcpy(&x, &u, 4);
        fprintf(f, "%.9g", (double)x);
        break;
    }
    case FAMQP_KIND_DOUBLE: {
        double x;
        uint64_t u = famqp_load64(p);
        memcpy(&x, &u, 8);
        fprintf(f, "%.17g", x);
        break;
    }
    case FAMQP_KIND_DECIMAL32: case FAMQP_KIND_DECIMAL64: case FAMQP_KIND_DECIMAL128:
        famqp_print_decimal(f, p, n);
        break;
    case FAMQP_KIND_CHAR: famqp_print_char(f, famqp_load32(p)); break;
    case FAMQP_KIND_TIMESTAMP: famqp_print_timestamp(f, (int64_t)famqp_load64(p)); break;
    case FAMQP_KIND_UUID: {
        famqp_uuid u;
        memcpy(u.bytes, p, 16);
        famqp_print_uuid(f, u);
        break;
    }
    case FAMQP_KIND_BINARY: famqp_print_binary(f, (famqp_binary){p + w, n - w}); break;
    case FAMQP_KIND_STRING: famqp_print_string(f, (famqp_string){(const char *)p + w, n - w}); break;
    case FAMQP_KIND_SYMBOL: famqp_print_symbol(f, (famqp_symbol){(const char *)p + w, n - w}); break;
    case FAMQP_KIND_LIST:
    case FAMQP_KIND_MAP: {
        bool map = ci->kind == FAMQP_KIND_MAP;
        if (!famqp__compound_hdr(ci->width, p, n, &h)) {
            fputs("<malformed>", f);
            break;
        }
        fputc(map ? '{' : '[', f);
        print_seq(f, h.body, h.end, h.count, map, depth);
        fputc(map ? '}' : ']', f);
        break;
    }
    case FAMQP_KIND_ARRAY: {
        famqp_array a;
        size_t clen;
        uint8_t ecode;
        if (!famqp__compound_hdr(ci->width, p, n, &h) ||
            !famqp__array_ctor(h.body, (size_t)(h.end - h.body), &clen, &ecode)) {
            fputs("<malformed>", f);
            break;
        }
        a = (famqp_array){h.count, h.body, clen, h.body + clen, (size_t)(h.end - h.body) - clen};
        famqp_print_array(f, &a);
        break;
    }
    default: fputs("<invalid>", f); break;
    }
}

static void print_value(FILE *f, const uint8_t *p, size_t n, unsigned depth)
{
    if (!n) {
        fputs("null", f);
        return;
    }
    if (p[0] == FAMQP_CODE_DESCRIBED) {
        famqp_value d, v;
        uint64_t code;
        if (!famqp_value_get_described((famqp_value){p, n}, &d, &v)) {
            fputs("<malformed>", f);
            return;
        }
        fputc('@', f);
        if (famqp_value_get_ulong(d, &code))
            fprintf(f, "0x%" PRIx64, code);
        else
            print_value(f, d.ptr, d.len, depth + 1);
        fputc(' ', f);
        print_value(f, v.ptr, v.len, depth + 1);
        return;
    }
    size_t b = famqp__body_span(p[0], p + 1, n - 1);
    if (b == SIZE_MAX)
        fputs("<malformed>", f);
    else
        print_body(f, p[0], p + 1, b, depth);
}

void famqp_value_print(FILE *f, famqp_value v) { print_value(f, v.ptr, v.len, 0); }

void famqp_print_list(FILE *f, const famqp_list *v)
{
    fputc('[', f);
    if (v->items)
        print_seq(f, v->items, v->items + v->len, v->count, false, 0);
    fputc(']', f);
}

void famqp_print_map(FILE *f, const famqp_map *v)
{
    fputc('{', f);
    if (v->items)
        print_seq(f, v->items, v->items + v->len, v->count, true, 0);
    fputc('}', f);
}

void famqp_print_array(FILE *f, const famqp_array *v)
{
    famqp_iter it;
    famqp_binary b;
    famqp_array_iter(v, &it);
    fputs("@[", f);
    for (uint32_t i = 0; famqp_array_next_raw(&it, &b); i++) {
        if (i)
            fputs(", ", f);
        print_body(f, v->ctor[v->ctor_len - 1], b.ptr, b.len, 1);
    }
    fputc(']', f);
}

void famqp_print_multiple(FILE *f, const famqp_multiple *v)
{
    if (!v->wire.ctor)
        fputs("null", f);
    else
        famqp_print_array(f, &v->wire);
}
