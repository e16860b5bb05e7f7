/* Table codec style: famqp_any_<R> unions from their provider tables.
 *
 * Decoding follows the flat style's generated dispatch exactly: null is
 * NONE; a described value goes to the described provider with its code
 * (a symbolic descriptor is first mapped to a code by name), else it is
 * kept whole as OTHER; a primitive is tried against the primitive
 * providers grouped by primitive in spec order, a provider with choices
 * taking only its choices and one without taking every value; anything
 * else is OTHER, kept raw. */
#include <string.h>

#include "famqp/gen/table.h"

/* kind is an enum at offset 0: copied as an int (the enum's size is
 * checked where the tables are generated). */
static unsigned get_kind(const void *v)
{
    int k;
    memcpy(&k, v, sizeof k);
    return (unsigned)k;
}

static void set_kind(void *v, unsigned k)
{
    int i = (int)k;
    memcpy(v, &i, sizeof i);
}

size_t famqp__table_any_size(const famqp_table_union *u, const void *v)
{
    unsigned k = get_kind(v);
    const uint8_t *member = (const uint8_t *)v + u->u_offset;
    if (k >= 1 && k <= u->nproviders) {
        const famqp_table_provider *pv = &u->providers[k - 1];
        if (pv->prim == FAMQP_TP_NULL)
            return famqp__table_size(pv->ref.type, member);
        return famqp__table_size_prim(pv->prim, u->fixed, member);
    }
    if (k == u->nproviders + 1u)
        return famqp_size_value(*(const famqp_value *)member);
    return 1; /* NONE: null */
}

uint8_t *famqp__table_any_put(uint8_t *p, const famqp_table_union *u, const void *v)
{
    unsigned k = get_kind(v);
    const uint8_t *member = (const uint8_t *)v + u->u_offset;
    if (k >= 1 && k <= u->nproviders) {
        const famqp_table_provider *pv = &u->providers[k - 1];
        if (pv->prim == FAMQP_TP_NULL)
            return famqp__table_put(p, pv->ref.type, member);
        return famqp__table_put_prim(p, pv->prim, u->fixed, member);
    }
    if (k == u->nproviders + 1u)
        return famqp_put_value(p, *(const famqp_value *)member);
    return famqp_put_null(p);
}

size_t famqp__table_any_encode(const famqp_table_union *u, uint8_t *buf, size_t cap, const void *v)
{
    size_t size = famqp__table_any_size(u, v);
    if (size > cap)
        return size; /* too small: the size needed, nothing written */
    famqp__table_any_put(buf, u, v);
    return size;
}

size_t famqp__table_any_encode_full(const famqp_table_union *u, uint8_t *buf, size_t cap, const void *v)
{
    unsigned k = get_kind(v);
    if (k >= 1 && k <= u->nproviders && u->providers[k - 1].prim == FAMQP_TP_NULL)
        return famqp__table_encode_full(u->providers[k - 1].ref.type, buf, cap, (const uint8_t *)v + u->u_offset);
    return famqp__table_any_encode(u, buf, cap, v);
}

/* A described value: the provider with its descriptor, or 0 with r->p
 * back at start (kept whole).  *done is set when the read finished. */
static int read_described(famqp_reader *r, const famqp_table_union *u, uint8_t *out, const char *field,
                          const uint8_t *start, bool *done)
{
    uint64_t code;
    famqp_symbol name = {NULL, 0};
    *done = true;
    if (!famqp_read_descriptor(r, &code, &name, field))
        return 0;
    if (code == UINT64_MAX && name.ptr) { /* symbolic descriptor */
        for (uint32_t i = 0; i < u->nproviders; i++) {
            const famqp_table_provider *pv = &u->providers[i];
            if (pv->prim == FAMQP_TP_NULL && pv->ref.type->desc_name &&
                famqp_symbol_eq(name, pv->ref.type->desc_name)) {
                code = pv->ref.type->code;
                break;
            }
        }
    }
    for (uint32_t i = 0; i < u->nproviders; i++) {
        const famqp_table_provider *pv = &u->providers[i];
        if (pv->prim == FAMQP_TP_NULL && pv->ref.type->code == code) {
            set_kind(out, i + 1);
            return famqp__table_read_body(r, pv->ref.type, out + u->u_offset);
        }
    }
    r->p = start; /* no provider's descriptor: kept whole */
    *done = false;
    return 0;
}

/* A primitive of provider `first`'s type: the first provider of that
 * primitive (from `first` on) that takes the value, or r->p back at start. */
static int read_primitive(famqp_reader *r, const famqp_table_union *u, uint32_t first, uint8_t *out,
                          const char *field, const uint8_t *start, bool *done)
{
    union {
        bool b;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;
        int8_t i8;
        int16_t i16;
        int32_t i32;
        int64_t i64;
        float f;
        double d;
        famqp_decimal32 d32;
        famqp_decimal64 d64;
        famqp_decimal128 d128;
        famqp_uuid uuid;
        famqp_binary bin;
        famqp_string str;
        famqp_symbol sym;
        famqp_list list;
        famqp_map map;
        famqp_array array;
    } value; /* room for any primitive's C value */
    unsigned prim = u->providers[first].prim;
    *done = true;
    if (!famqp__table_read_prim(r, prim, &value, field))
        return 0;
    for (uint32_t k = first; k < u->nproviders; k++) {
        const famqp_table_provider *pv = &u->providers[k];
        if (pv->prim != prim)
            continue;
        if (pv->ref.choices && !famqp__table_is_choice(prim, pv->ref.choices, &value))
            continue;
        set_kind(out, k + 1);
        memcpy(out + u->u_offset, &value, famqp__table_prim_size[prim]);
        return 1;
    }
    r->p = start; /* no provider's choice: kept whole */
    *done = false;
    return 0;
}

int famqp__table_any_read(famqp_reader *r, const famqp_table_union *u, void *out_v, const char *field)
{
    uint8_t *out = out_v;
    const uint8_t *start = r->p;
    famqp_value *other = (famqp_value *)(out + u->u_offset);
    bool done;
    set_kind(out, 0);
    if (r->p >= r->end)
        return famqp_read_value(r, other, field); /* truncated */
    if (*r->p == FAMQP_CODE_NULL) {
        r->p++;
        return 0;
    }
    if (*r->p == FAMQP_CODE_DESCRIBED) {
        bool any_described = false;
        for (uint32_t i = 0; i < u->nproviders; i++)
            any_described |= u->providers[i].prim == FAMQP_TP_NULL;
        if (any_described) {
            int got = read_described(r, u, out, field, start, &done);
            if (done)
                return got;
        }
    }
    for (uint32_t i = 0; i < u->nproviders; i++) {
        unsigned prim = u->providers[i].prim;
        if (prim == FAMQP_TP_NULL || !famqp__table_prim_codes[prim][*r->p])
            continue;
        bool seen = false; /* an earlier provider of this primitive was tried already */
        for (uint32_t k = 0; k < i; k++)
            seen |= u->providers[k].prim == prim;
        if (seen)
            continue;
        int got = read_primitive(r, u, i, out, field, start, &done);
        if (done)
            return got;
    }
    set_kind(out, u->nproviders + 1u);
    return famqp_read_value(r, other, field);
}

size_t famqp__table_any_decode(const famqp_table_union *u, const uint8_t *p, size_t n, void *out,
                               const famqp_limits *lim, famqp_error *err)
{
    famqp_error local;
    famqp_reader r;
    famqp_reader_init(&r, p, n, err ? err : &local, lim);
    r.type = u->name;
    famqp__table_any_read(&r, u, out, NULL);
    if (famqp_reader_failed(&r))
        return 0;
    return (size_t)(r.p - p);
}
