/* Table codec style: encoding a described type from its table.  Same
 * bytes as the flat style: descriptor (smallulong/ulong code, or 8-byte
 * ulong with --encoding fixed), then the list of fields (list0/8/32, the
 * smallest that fits) up to the last present or mandatory one, absent
 * fields in between as null. */
#include <string.h>

#include "famqp/gen/table.h"

static uint64_t present_bits(const famqp_table_type *t, const void *v)
{
    if (t->flags & FAMQP_TT_PRESENT64)
        return *(const uint64_t *)v;
    return *(const uint32_t *)v;
}

static bool field_encoded(const famqp_table_field *fd, uint64_t present, uint32_t i)
{
    return (fd->flags & FAMQP_TF_MANDATORY) || ((present >> i) & 1u);
}

/* List count: index of the highest present or mandatory field + 1. */
static uint32_t list_count(const famqp_table_type *t, const void *v)
{
    uint64_t bits = present_bits(t, v);
    if (t->nfields < 64)
        bits &= (UINT64_C(1) << t->nfields) - 1;
    uint32_t n = 0;
#if defined(__GNUC__)
    n = bits ? 64u - (uint32_t)__builtin_clzll(bits) : 0u;
#else
    for (; bits; bits >>= 1)
        n++;
#endif
    return n > t->mandatory_floor ? n : t->mandatory_floor;
}

/* Encoded size of the first `count` fields. */
static size_t body_size(const famqp_table_type *t, const void *v, uint32_t count)
{
    bool fixed = t->flags & FAMQP_TT_FIXED;
    uint64_t present = present_bits(t, v);
    const uint8_t *base = v;
    size_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        const famqp_table_field *fd = &t->fields[i];
        if (!field_encoded(fd, present, i))
            n += 1u; /* null */
        else if (fd->kind == FAMQP_TK_PRIM) /* the common case, without the kind dispatch */
            n += famqp__table_size_prim(fd->prim, fixed, base + fd->offset);
        else
            n += famqp__table_field_size(fd, fixed, base + fd->offset);
    }
    return n;
}

static size_t descriptor_size(const famqp_table_type *t)
{
    if (t->flags & FAMQP_TT_FIXED)
        return 10;
    return t->code == 0 ? 2 : t->code < 256 ? 3 : 10;
}

static uint8_t *put_descriptor(uint8_t *p, const famqp_table_type *t)
{
    p[0] = FAMQP_CODE_DESCRIBED;
    size_t n = descriptor_size(t);
    if (n == 2) {
        p[1] = FAMQP_CODE_ULONG0;
        return p + 2;
    }
    if (n == 3) {
        p[1] = FAMQP_CODE_SMALLULONG;
        p[2] = (uint8_t)t->code;
        return p + 3;
    }
    p[1] = FAMQP_CODE_ULONG;
    return famqp_store64(p + 2, t->code);
}

static uint8_t *put_list(uint8_t *p, const famqp_table_type *t, const void *v, uint32_t count, size_t body)
{
    bool fixed = t->flags & FAMQP_TT_FIXED;
    uint64_t present = present_bits(t, v);
    const uint8_t *base = v;
    p = put_descriptor(p, t);
    p = famqp_put_list_header(p, body, count);
    for (uint32_t i = 0; i < count; i++) {
        const famqp_table_field *fd = &t->fields[i];
        if (!field_encoded(fd, present, i))
            p = famqp_put_null(p);
        else if (fd->kind == FAMQP_TK_PRIM)
            p = famqp__table_put_prim(p, fd->prim, fixed, base + fd->offset);
        else
            p = famqp__table_field_put(p, fd, fixed, base + fd->offset);
    }
    return p;
}

size_t famqp__table_size(const famqp_table_type *t, const void *v)
{
    if (!(t->flags & FAMQP_TT_LIST)) {
        const famqp_table_field *fd = &t->fields[0];
        return descriptor_size(t) +
               famqp__table_field_size(fd, t->flags & FAMQP_TT_FIXED, (const uint8_t *)v + fd->offset);
    }
    uint32_t count = list_count(t, v);
    size_t body = body_size(t, v, count);
    return descriptor_size(t) + famqp_size_list_header(body, count) + body;
}

uint8_t *famqp__table_put(uint8_t *p, const famqp_table_type *t, const void *v)
{
    if (!(t->flags & FAMQP_TT_LIST)) {
        const famqp_table_field *fd = &t->fields[0];
        p = put_descriptor(p, t);
        return famqp__table_field_put(p, fd, t->flags & FAMQP_TT_FIXED, (const uint8_t *)v + fd->offset);
    }
    uint32_t count = list_count(t, v);
    return put_list(p, t, v, count, body_size(t, v, count));
}

/* A list of its first `count` fields: size, then the bytes when cap holds
 * them. */
static size_t encode_list(const famqp_table_type *t, uint8_t *buf, size_t cap, const void *v, uint32_t count)
{
    size_t body = body_size(t, v, count);
    size_t size = descriptor_size(t) + famqp_size_list_header(body, count) + body;
    if (size > cap)
        return size; /* too small: the size needed, nothing written */
    put_list(buf, t, v, count, body);
    return size;
}

size_t famqp__table_encode_full(const famqp_table_type *t, uint8_t *buf, size_t cap, const void *v)
{
    if (!(t->flags & FAMQP_TT_LIST))
        return famqp__table_encode(t, buf, cap, v);
    return encode_list(t, buf, cap, v, t->nfields);
}

size_t famqp__table_encode(const famqp_table_type *t, uint8_t *buf, size_t cap, const void *v)
{
    if (!(t->flags & FAMQP_TT_LIST)) {
        size_t size = famqp__table_size(t, v);
        if (size > cap)
            return size; /* too small: the size needed, nothing written */
        famqp__table_put(buf, t, v);
        return size;
    }
    /* count and body size once, shared by the check and the put */
    return encode_list(t, buf, cap, v, list_count(t, v));
}
