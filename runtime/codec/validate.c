/* Validation of any encoded value: every length, size and count is checked
 * against the bytes remaining before it is trusted, strings are strict
 * UTF-8, symbols ASCII, chars Unicode scalar values, booleans 0 or 1, map
 * counts even, and nesting and element counts are limited.  Also the
 * size-following span helpers used on values validated already.
 *
 * Depth: every list, map, array and described value is one level; a value
 * may open a level when fewer than limits.max_depth are open around it.
 * Recursion is one call per level, bounded by FAMQP_HARD_MAX_DEPTH. */
#include "codec_internal.h"

static uint32_t max_depth(const famqp_reader *r)
{
    uint32_t d = r->limits->max_depth;
    return d < FAMQP_HARD_MAX_DEPTH ? d : FAMQP_HARD_MAX_DEPTH;
}

static size_t load_width(const uint8_t *p, uint8_t width)
{
    return width == 1 ? p[0] : famqp_load32(p);
}

static const uint8_t *validate_body(famqp_reader *r, uint8_t code, const uint8_t *at, const uint8_t *p,
                                    const uint8_t *end, uint32_t depth, const char *field);

/* Size and count fields of a list, map or array whose body starts at p.
 * Sets *count and *cend (the end of the compound) and returns the byte
 * after the count field. */
static const uint8_t *compound_header(famqp_reader *r, uint8_t width, const uint8_t *at, const uint8_t *p,
                                      const uint8_t *end, uint32_t depth, const char *field,
                                      uint32_t *count, const uint8_t **cend)
{
    size_t avail = (size_t)(end - p);
    if (depth >= max_depth(r))
        return famqp__fail_at(r, at, FAMQP_ERR_DEPTH, field, "nesting deeper than limits.max_depth");
    if (width == 0) { /* list0 */
        *count = 0;
        *cend = p;
        return p;
    }
    if (avail < 2u * width)
        return famqp__fail_at(r, at, FAMQP_ERR_TRUNCATED, field, "size and count fields exceed bytes remaining");
    size_t size = load_width(p, width);
    p += width;
    avail -= width;
    if (size > avail)
        return famqp__fail_at(r, at, FAMQP_ERR_TRUNCATED, field, "compound size exceeds bytes remaining");
    if (size < width)
        return famqp__fail_at(r, at, FAMQP_ERR_INVALID_VALUE, field, "compound size smaller than its count field");
    uint32_t n = (uint32_t)load_width(p, width);
    if (n > r->limits->max_count)
        return famqp__fail_at(r, at, FAMQP_ERR_LIMIT, field, "element count above limits.max_count");
    *count = n;
    *cend = p + size;
    return p + width;
}

/* list or map: count complete values, exactly filling the size. */
static const uint8_t *validate_compound(famqp_reader *r, uint8_t code, const uint8_t *at, const uint8_t *p,
                                        const uint8_t *end, uint32_t depth, const char *field)
{
    const famqp_code_info_t *ci = &famqp_code_info[code];
    uint32_t count;
    const uint8_t *cend;
    const uint8_t *q = compound_header(r, ci->width, at, p, end, depth, field, &count, &cend);
    if (!q)
        return NULL;
    /* every element needs at least its constructor byte */
    if (count > (size_t)(cend - q))
        return famqp__fail_at(r, at, FAMQP_ERR_LIMIT, field, "element count larger than the compound size can hold");
    if (ci->kind == FAMQP_KIND_MAP && (count & 1u))
        return famqp__fail_at(r, at, FAMQP_ERR_INVALID_VALUE, field, "map with an odd number of keys and values");
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *next = famqp__scalar_fast(q, cend);
        q = next ? next : famqp__validate_value(r, q, cend, depth + 1, field);
        if (!q)
            return NULL;
    }
    if (q != cend)
        return famqp__fail_at(r, q, FAMQP_ERR_INVALID_VALUE, field, "compound size larger than its elements");
    return cend;
}

/* Element constructor of an array: a primitive code, or 0x00, a descriptor
 * value and (recursively) a constructor. */
static const uint8_t *array_ctor(famqp_reader *r, const uint8_t *p, const uint8_t *end, uint32_t depth,
                                 const char *field, uint8_t *code)
{
    if (p >= end)
        return famqp__fail_at(r, p, FAMQP_ERR_TRUNCATED, field, "array element constructor missing");
    if (*p == FAMQP_CODE_DESCRIBED) {
        if (depth >= max_depth(r))
            return famqp__fail_at(r, p, FAMQP_ERR_DEPTH, field, "nesting deeper than limits.max_depth");
        const uint8_t *q = famqp__validate_value(r, p + 1, end, depth + 1, field);
        return q ? array_ctor(r, q, end, depth + 1, field, code) : NULL;
    }
    uint8_t cls = famqp_code_info[*p].cls;
    if (cls == FAMQP_CLASS_INVALID)
        return famqp__fail_at(r, p, FAMQP_ERR_BAD_CONSTRUCTOR, field, "format code not defined by AMQP 1.0");
    *code = *p;
    return p + 1;
}

static const uint8_t *validate_array(famqp_reader *r, uint8_t code, const uint8_t *at, const uint8_t *p,
                                     const uint8_t *end, uint32_t depth, const char *field)
{
    uint32_t count;
    const uint8_t *cend;
    const uint8_t *q = compound_header(r, famqp_code_info[code].width, at, p, end, depth, field, &count, &cend);
    if (!q)
        return NULL;
    uint8_t ecode = 0;
    q = array_ctor(r, q, cend, depth + 1, field, &ecode);
    if (!q)
        return NULL;
    const famqp_code_info_t *ei = &famqp_code_info[ecode];
    size_t room = (size_t)(cend - q);
    /* Each element body takes at least `width` bytes (64-bit product: no
     * overflow for count < 2^32, width <= 16).  0-width elements (null,
     * true, uint0, list0, ...) take none: only max_count bounds them. */
    if ((uint64_t)count * ei->width > room)
        return famqp__fail_at(r, at, FAMQP_ERR_LIMIT, field, "element count larger than the array size can hold");
    if (ei->width == 0 && r->limits->max_empty_elements && count > r->limits->max_empty_elements)
        return famqp__fail_at(r, at, FAMQP_ERR_LIMIT, field,
                              "array of more zero-width elements than limits.max_empty_elements");
    if (ei->cls == FAMQP_CLASS_FIXED && ecode != FAMQP_CODE_BOOLEAN && ecode != FAMQP_CODE_CHAR) {
        q += (size_t)count * ei->width; /* nothing to check per element */
    } else if (ei->cls == FAMQP_CLASS_COMPOUND && ei->width == 0) {
        if (count && depth + 1 >= max_depth(r)) /* list0 elements: one depth check for all */
            return famqp__fail_at(r, q, FAMQP_ERR_DEPTH, field, "nesting deeper than limits.max_depth");
    } else {
        for (uint32_t i = 0; i < count; i++) {
            q = validate_body(r, ecode, q, q, cend, depth + 1, field);
            if (!q)
                return NULL;
        }
    }
    if (q != cend)
        return famqp__fail_at(r, q, FAMQP_ERR_INVALID_VALUE, field, "array size larger than its elements");
    return cend;
}

/* The body at p of a value with format code `code` (at: where to report). */
static const uint8_t *validate_body(famqp_reader *r, uint8_t code, const uint8_t *at, const uint8_t *p,
                                    const uint8_t *end, uint32_t depth, const char *field)
{
    const famqp_code_info_t *ci = &famqp_code_info[code];
    size_t avail = (size_t)(end - p);
    switch (ci->cls) {
    case FAMQP_CLASS_FIXED:
        if (avail < ci->width)
            return famqp__fail_at(r, at, FAMQP_ERR_TRUNCATED, field, "fixed-width value exceeds bytes remaining");
        if (code == FAMQP_CODE_BOOLEAN && p[0] > 1)
            return famqp__fail_at(r, at, FAMQP_ERR_INVALID_VALUE, field, "boolean byte neither 0 nor 1");
        if (code == FAMQP_CODE_CHAR && !famqp__char_valid(famqp_load32(p)))
            return famqp__fail_at(r, at, FAMQP_ERR_INVALID_UTF8, field, "char not a Unicode scalar value");
        return p + ci->width;
    case FAMQP_CLASS_VARIABLE: {
        if (avail < ci->width)
            return famqp__fail_at(r, at, FAMQP_ERR_TRUNCATED, field, "length field exceeds bytes remaining");
        size_t len = load_width(p, ci->width);
        p += ci->width;
        if (len > avail - ci->width)
            return famqp__fail_at(r, at, FAMQP_ERR_TRUNCATED, field, "length exceeds bytes remaining");
        if (ci->kind == FAMQP_KIND_STRING && !famqp__utf8_valid_fast(p, len))
            return famqp__fail_at(r, at, FAMQP_ERR_INVALID_UTF8, field, "string is not valid UTF-8");
        if (ci->kind == FAMQP_KIND_SYMBOL && !famqp_ascii_valid(p, len))
            return famqp__fail_at(r, at, FAMQP_ERR_INVALID_UTF8, field, "symbol is not ASCII");
        return p + len;
    }
    case FAMQP_CLASS_COMPOUND:
        return validate_compound(r, code, at, p, end, depth, field);
    case FAMQP_CLASS_ARRAY:
        return validate_array(r, code, at, p, end, depth, field);
    default: /* 0x00 never reaches here: callers handle descriptors */
        return famqp__fail_at(r, at, FAMQP_ERR_BAD_CONSTRUCTOR, field, "format code not defined by AMQP 1.0");
    }
}

const uint8_t *famqp__validate_value(famqp_reader *r, const uint8_t *p, const uint8_t *end, uint32_t depth,
                                     const char *field)
{
    if (p >= end)
        return famqp__fail_at(r, p, FAMQP_ERR_TRUNCATED, field, "value expected, input ended");
    if (*p == FAMQP_CODE_DESCRIBED) {
        if (depth >= max_depth(r))
            return famqp__fail_at(r, p, FAMQP_ERR_DEPTH, field, "nesting deeper than limits.max_depth");
        const uint8_t *q = famqp__validate_value(r, p + 1, end, depth + 1, field);
        return q ? famqp__validate_value(r, q, end, depth + 1, field) : NULL;
    }
    return validate_body(r, *p, p, p + 1, end, depth, field);
}

famqp_status famqp_value_validate(const uint8_t *p, size_t n, const famqp_limits *lim, size_t *len,
                                  famqp_error *err)
{
    famqp_error local;
    famqp_reader r;
    famqp_reader_init(&r, p, n, err ? err : &local, lim);
    const uint8_t *q = famqp__validate_value(&r, r.p, r.end, 0, NULL);
    if (!q)
        return r.err->status;
    if (len)
        *len = (size_t)(q - r.base);
    return FAMQP_OK;
}

/* ---- spans of validated values ------------------------------------------ */

size_t famqp__body_span(uint8_t code, const uint8_t *p, size_t n)
{
    const famqp_code_info_t *ci = &famqp_code_info[code];
    size_t w = ci->width, len;
    switch (ci->cls) {
    case FAMQP_CLASS_FIXED:
        return w <= n ? w : SIZE_MAX;
    case FAMQP_CLASS_VARIABLE:
    case FAMQP_CLASS_COMPOUND:
    case FAMQP_CLASS_ARRAY:
        if (w == 0)
            return 0; /* list0 */
        if (n < w)
            return SIZE_MAX;
        len = load_width(p, (uint8_t)w);
        return len <= n - w ? w + len : SIZE_MAX;
    default:
        return SIZE_MAX;
    }
}

size_t famqp__value_span(const uint8_t *p, size_t n)
{
    /* `need` values remain; a described value replaces one with two. */
    size_t i = 0, need = 1;
    while (need) {
        if (i >= n)
            return 0;
        if (p[i] == FAMQP_CODE_DESCRIBED) {
            i++;
            need++;
            continue;
        }
        size_t b = famqp__body_span(p[i], p + i + 1, n - i - 1);
        if (b == SIZE_MAX)
            return 0;
        i += 1 + b;
        need--;
    }
    return i;
}

bool famqp__compound_hdr(uint8_t width, const uint8_t *p, size_t n, famqp_compound_hdr *h)
{
    if (width == 0) {
        h->count = 0;
        h->body = h->end = p;
        return true;
    }
    if (n < 2u * width)
        return false;
    size_t size = load_width(p, width);
    if (size < width || size > n - width)
        return false;
    h->count = (uint32_t)load_width(p + width, width);
    h->body = p + 2 * width;
    h->end = p + width + size;
    return true;
}

bool famqp__array_ctor(const uint8_t *p, size_t n, size_t *len, uint8_t *code)
{
    size_t i = 0;
    while (i < n && p[i] == FAMQP_CODE_DESCRIBED) {
        size_t d = famqp__value_span(p + i + 1, n - i - 1);
        if (d == 0)
            return false;
        i += 1 + d;
    }
    if (i >= n)
        return false;
    *code = p[i];
    *len = i + 1;
    return true;
}
