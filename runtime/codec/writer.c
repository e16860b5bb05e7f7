/* The generic writer: write-or-count.  Bytes that do not fit are counted
 * but not stored (len only grows, so once one write misses, every later one
 * misses too and the buffer never holds a spliced encoding).  Lists and maps
 * get list32/map32 headers whose size and count are patched at the end;
 * a described value is an open frame that closes itself after its
 * descriptor and value. */
#include "codec_internal.h"

enum { OPEN_LIST = 1, OPEN_MAP, OPEN_DESCRIBED };

void famqp_writer_init(famqp_writer *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf ? cap : 0;
}

size_t famqp_writer_len(const famqp_writer *w) { return w->len; }

famqp_status famqp_writer_status(const famqp_writer *w)
{
    if (w->bad || w->depth != 0)
        return FAMQP_ERR_INVALID_VALUE;
    return w->len > w->cap ? FAMQP_ERR_LIMIT : FAMQP_OK;
}

/* Room for n bytes at the current position, or NULL (still counted). */
static uint8_t *reserve(famqp_writer *w, size_t n)
{
    uint8_t *p = (w->buf && w->len <= w->cap && n <= w->cap - w->len) ? w->buf + w->len : NULL;
    w->len += n;
    return p;
}

/* A complete value was written: count it in the innermost open compound;
 * a described value completes with its second part. */
static void value_done(famqp_writer *w)
{
    while (w->depth > 0 && w->depth <= FAMQP_WRITER_MAX_DEPTH) {
        uint32_t top = w->depth - 1;
        w->open[top].count++;
        if (w->open[top].kind != OPEN_DESCRIBED || w->open[top].count < 2)
            return;
        w->depth--;
    }
}

static void push(famqp_writer *w, uint8_t kind, size_t start)
{
    if (w->depth < FAMQP_WRITER_MAX_DEPTH) {
        w->open[w->depth].start = start;
        w->open[w->depth].count = 0;
        w->open[w->depth].kind = kind;
    } else {
        w->bad = true;
    }
    w->depth++;
}

static void write_bytes(famqp_writer *w, const void *src, size_t n)
{
    uint8_t *p = reserve(w, n);
    if (p && n)
        memcpy(p, src, n);
    value_done(w);
}

/* Scalars: encode with the wire.h put into a small scratch buffer. */
#define SCALAR(T, CT)                                                                   \
    void famqp_write_##T(famqp_writer *w, CT v)                                          \
    {                                                                                   \
        uint8_t tmp[17];                                                                \
        write_bytes(w, tmp, (size_t)(famqp_put_##T(tmp, v) - tmp));                     \
    }
SCALAR(bool, bool)
SCALAR(ubyte, uint8_t)
SCALAR(ushort, uint16_t)
SCALAR(uint, uint32_t)
SCALAR(ulong, uint64_t)
SCALAR(byte, int8_t)
SCALAR(short, int16_t)
SCALAR(int, int32_t)
SCALAR(long, int64_t)
SCALAR(float, float)
SCALAR(double, double)
SCALAR(decimal32, famqp_decimal32)
SCALAR(decimal64, famqp_decimal64)
SCALAR(decimal128, famqp_decimal128)
SCALAR(char, uint32_t)
SCALAR(timestamp, int64_t)
SCALAR(uuid, famqp_uuid)

void famqp_write_null(famqp_writer *w)
{
    uint8_t c = FAMQP_CODE_NULL;
    write_bytes(w, &c, 1);
}

static void write_vbytes(famqp_writer *w, uint8_t code8, const void *src, size_t len)
{
    size_t n = famqp_size_vbytes(len);
    uint8_t *p = reserve(w, n);
    if (p)
        famqp_put_vbytes(p, code8, src, len);
    value_done(w);
}

void famqp_write_binary(famqp_writer *w, famqp_binary v) { write_vbytes(w, FAMQP_CODE_VBIN8, v.ptr, v.len); }
void famqp_write_string(famqp_writer *w, famqp_string v) { write_vbytes(w, FAMQP_CODE_STR8, v.ptr, v.len); }
void famqp_write_symbol(famqp_writer *w, famqp_symbol v) { write_vbytes(w, FAMQP_CODE_SYM8, v.ptr, v.len); }

void famqp_write_cstring(famqp_writer *w, const char *s)
{
    if (s)
        famqp_write_string(w, famqp_string_of(s));
    else
        famqp_write_null(w);
}

void famqp_write_csymbol(famqp_writer *w, const char *s)
{
    if (s)
        famqp_write_symbol(w, famqp_symbol_of(s));
    else
        famqp_write_null(w);
}

void famqp_write_value(famqp_writer *w, famqp_value v)
{
    if (v.len)
        write_bytes(w, v.ptr, v.len);
    else
        famqp_write_null(w);
}

static void compound_begin(famqp_writer *w, uint8_t code, uint8_t kind)
{
    size_t start = w->len;
    uint8_t *p = reserve(w, 9); /* code, 32-bit size, 32-bit count: patched at the end */
    if (p)
        p[0] = code;
    push(w, kind, start);
}

static void compound_end(famqp_writer *w, uint8_t kind)
{
    if (w->depth == 0) {
        w->bad = true;
        return;
    }
    if (w->depth > FAMQP_WRITER_MAX_DEPTH) { /* its begin was not recorded */
        w->depth--;
        return;
    }
    size_t start = w->open[w->depth - 1].start;
    uint32_t count = w->open[w->depth - 1].count;
    if (w->open[w->depth - 1].kind != kind || (kind == OPEN_MAP && (count & 1u))) {
        w->bad = true;
        return;
    }
    size_t size = w->len - start - 5; /* count field and elements */
    if (size > UINT32_MAX)
        w->bad = true;
    else if (w->buf && w->len <= w->cap) {
        famqp_store32(w->buf + start + 1, (uint32_t)size);
        famqp_store32(w->buf + start + 5, count);
    }
    w->depth--;
    value_done(w);
}

void famqp_write_list_begin(famqp_writer *w) { compound_begin(w, FAMQP_CODE_LIST32, OPEN_LIST); }
void famqp_write_list_end(famqp_writer *w) { compound_end(w, OPEN_LIST); }
void famqp_write_map_begin(famqp_writer *w) { compound_begin(w, FAMQP_CODE_MAP32, OPEN_MAP); }
void famqp_write_map_end(famqp_writer *w) { compound_end(w, OPEN_MAP); }

void famqp_write_described(famqp_writer *w)
{
    size_t start = w->len;
    uint8_t *p = reserve(w, 1);
    if (p)
        *p = FAMQP_CODE_DESCRIBED;
    push(w, OPEN_DESCRIBED, start);
}

void famqp_write_array_symbol(famqp_writer *w, const famqp_symbol *items, uint32_t count)
{
    static const famqp_symbol none[1];
    /* items set (even for count 0): an array, never null */
    famqp_multiple m = {count, items ? (const void *)items : (const void *)none, {0}};
    if (!items && count) { /* count items promised, none given */
        w->bad = true;
        m.count = 0;
    }
    uint8_t *p = reserve(w, famqp_size_multiple_symbol(&m));
    if (p)
        famqp_put_multiple_symbol(p, &m);
    value_done(w);
}

famqp_value famqp_writer_value(const famqp_writer *w)
{
    if (!w->buf || w->len > w->cap || w->len == 0)
        return (famqp_value){NULL, 0};
    return (famqp_value){w->buf, w->len};
}

static bool decode_whole(const uint8_t *p, size_t n, famqp_value *v)
{
    size_t len;
    if (famqp_value_validate(p, n, NULL, &len, NULL) != FAMQP_OK)
        return false;
    *v = (famqp_value){p, len};
    return true;
}

bool famqp_list_of(const uint8_t *p, size_t n, famqp_list *out)
{
    famqp_value v;
    return decode_whole(p, n, &v) && famqp_value_get_list(v, out);
}

bool famqp_map_of(const uint8_t *p, size_t n, famqp_map *out)
{
    famqp_value v;
    return decode_whole(p, n, &v) && famqp_value_get_map(v, out);
}
