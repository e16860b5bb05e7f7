/* famqp_<spec>.c: flattened encoders and decoders.  Every field's coding is
 * chosen here, at generation time: encoders check the capacity once
 * against an upper bound and write each field once (an exact size sum
 * first only when the buffer is smaller than the bound); decoders try the
 * usual encoding of each field inline (famqp__try_<T>, position in a
 * local) and fall back to the complete wire.h readers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "names.h"

/* ---- value kinds --------------------------------------------------------- */

vkind vkind_of_field(const field *f)
{
    vkind v = {field_kind(f), P_NULL, NULL, NULL};
    if (v.k == FK_PRIM || v.k == FK_MULTI)
        v.p = f->t->pr;
    else if (v.k == FK_STRUCT)
        v.st = f->t->st;
    else if (v.k == FK_UNION)
        v.r = f->req;
    return v;
}

vkind vkind_of_provider(const type *p)
{
    vkind v = {FK_PRIM, p->pr, NULL, NULL};
    if (p->e == E_STRUCT) {
        v.k = FK_STRUCT;
        v.st = p;
    }
    return v;
}

static const char *fixed_suffix(const gen_options *o, vkind v)
{
    return o->fixed && prim_infos[v.p].has_fixed ? "_fixed" : "";
}

/* Widest encoding of a fixed-width primitive (what a one-pass encoder
 * reserves for it); 0 for variable-width and compound primitives. */
static size_t prim_max_size(const gen_options *o, prim p)
{
    switch (p) {
    case P_NULL: return 1;
    case P_BOOLEAN: return o->fixed ? 2 : 1;
    case P_UBYTE: case P_BYTE: return 2;
    case P_USHORT: case P_SHORT: return 3;
    case P_UINT: case P_INT: case P_FLOAT: case P_DECIMAL32: case P_CHAR: return 5;
    case P_ULONG: case P_LONG: case P_DOUBLE: case P_DECIMAL64: case P_TIMESTAMP: return 9;
    case P_DECIMAL128: case P_UUID: return 17;
    default: return 0;
    }
}

/* wire.h's branch-free famqp__put_opt_<T> for a primitive, or NULL.  Only
 * forms that write nothing past what they keep qualify: an encoder writes
 * exactly its encoded size, never scratch bytes after it.  (Fixed-width
 * forms that write their whole body even for null, with the bytes after
 * the end saved and put back, cut transfer's branches from 16 to 11 but
 * doubled its instructions; smallest uint forms merged into the bytes
 * already written (read back) cut them to 8 but cost 70% more instructions
 * and a store-forwarding stall per field (transfer.encode 5 -> 88 ns): not
 * worth it.) */
static const char *prim_put_opt(const gen_options *o, prim p)
{
    return p == P_BOOLEAN && !o->fixed ? "bool" : NULL;
}

/* The one-pass encoder's put of a primitive: wire.h's famqp__put_<T>_fast
 * (the usual lengths with no branch on the length form) where there is
 * one, else the ordinary put. */
static char *prim_put_fast(const gen_options *o, vkind vk, const char *x)
{
    if (vk.k == FK_PRIM && (vk.p == P_BINARY || vk.p == P_STRING || vk.p == P_SYMBOL))
        return xasprintf("famqp__put_%s_fast(p, %s)", prim_infos[vk.p].fn, x);
    return vk_put(o, vk, x);
}

static bool prim_is_vbytes(prim p) { return p == P_BINARY || p == P_STRING || p == P_SYMBOL; }

/* Primitives with an inline famqp__try_<T> in wire.h. */
static bool prim_has_try(prim p)
{
    switch (p) {
    case P_BOOLEAN: case P_UBYTE: case P_USHORT: case P_UINT: case P_ULONG: case P_INT: case P_LONG:
    case P_TIMESTAMP: case P_BINARY: case P_STRING: case P_SYMBOL:
        return true;
    default:
        return false;
    }
}

char *vk_size(const gen_options *o, vkind v, const char *x)
{
    switch (v.k) {
    case FK_PRIM:
        return xasprintf("famqp_size_%s%s(%s%s)", prim_infos[v.p].fn, fixed_suffix(o, v),
                         prim_infos[v.p].by_ref ? "&" : "", x);
    case FK_MULTI: return xasprintf("famqp_size_multiple_%s(&%s)", prim_infos[v.p].fn, x);
    case FK_STRUCT: return xasprintf("famqp__%s_size(&%s)", v.st->lower, x);
    case FK_UNION: return xasprintf("famqp__any_%s_size(&%s)", v.r->lower, x);
    case FK_VALUE: return xasprintf("famqp_size_value(%s)", x);
    }
    return NULL;
}

char *vk_put(const gen_options *o, vkind v, const char *x)
{
    switch (v.k) {
    case FK_PRIM:
        return xasprintf("famqp_put_%s%s(p, %s%s)", prim_infos[v.p].fn, fixed_suffix(o, v),
                         prim_infos[v.p].by_ref ? "&" : "", x);
    case FK_MULTI: return xasprintf("famqp_put_multiple_%s(p, &%s)", prim_infos[v.p].fn, x);
    case FK_STRUCT: return xasprintf("famqp__%s_put(p, &%s)", v.st->lower, x);
    case FK_UNION: return xasprintf("famqp__any_%s_put(p, &%s)", v.r->lower, x);
    case FK_VALUE: return xasprintf("famqp_put_value(p, %s)", x);
    }
    return NULL;
}

char *vk_read(vkind v, const char *x, const char *name)
{
    switch (v.k) {
    case FK_PRIM: return xasprintf("famqp_read_%s(r, &%s, \"%s\")", prim_infos[v.p].fn, x, name);
    case FK_MULTI:
        return xasprintf("famqp_read_multiple(r, &%s, famqp_codes_%s, \"%s\")", x, prim_infos[v.p].name, name);
    case FK_STRUCT: return xasprintf("famqp__%s_read(r, &%s, \"%s\")", v.st->lower, x, name);
    case FK_UNION: return xasprintf("famqp__any_%s_read(r, &%s, \"%s\")", v.r->lower, x, name);
    case FK_VALUE: return xasprintf("famqp_read_value(r, &%s, \"%s\")", x, name);
    }
    return NULL;
}

bool provider_reachable(const req *r, size_t k)
{
    const type *p = r->prov[k];
    if (p->e == E_STRUCT)
        return true;
    for (size_t i = 0; i < k; i++) {
        const type *q = r->prov[i];
        if (q->e == E_PRIM && q->pr == p->pr && !q->nchoices)
            return false;
    }
    return true;
}

size_t descriptor_bytes(const gen_options *o, const type *t, uint8_t out[10])
{
    out[0] = 0x00;
    if (!o->fixed && t->code == 0) {
        out[1] = 0x44;
        return 2;
    }
    if (!o->fixed && t->code < 256) {
        out[1] = 0x53;
        out[2] = (uint8_t)t->code;
        return 3;
    }
    out[1] = 0x80;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(t->code >> (56 - 8 * i));
    return 10;
}

/* ---- helpers ------------------------------------------------------------- */

/* Condition (C expression) that x is one of t's choices. */
static char *choice_condition(const type *t, const char *x)
{
    outbuf b = {0};
    for (size_t i = 0; i < t->nchoices; i++)
        ob_printf(&b, "%s%s == %s", i ? " || " : "", x, t->choices[i].c_value);
    return b.data;
}

static void emit_descriptor_put(const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t n = descriptor_bytes(o, t, d);
    ob_printf(c, "    /* descriptor %s */\n", t->desc_name ? t->desc_name : t->name);
    if (n <= 3) {
        for (size_t i = 0; i < n; i++)
            ob_printf(c, "    p[%zu] = 0x%02x;\n", i, d[i]);
        ob_printf(c, "    p += %zu;\n", n);
    } else {
        ob_puts(c, "    static const uint8_t descriptor[10] = {");
        for (size_t i = 0; i < n; i++)
            ob_printf(c, "%s0x%02x", i ? ", " : "", d[i]);
        ob_puts(c, "};\n    memcpy(p, descriptor, sizeof descriptor);\n    p += sizeof descriptor;\n");
    }
}

static void emit_defaults(const model *m, const type *t, outbuf *c)
{
    (void)m;
    bool any = false;
    for (size_t i = 0; i < t->nfields; i++)
        any |= t->fields[i].def_c != NULL;
    if (!any) {
        ob_printf(c, "const %s famqp_%s_defaults = {0};\n\n", t->cstruct, t->lower);
        return;
    }
    ob_printf(c, "const %s famqp_%s_defaults = {\n", t->cstruct, t->lower);
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].def_c)
            ob_printf(c, "    .%s = %s,\n", t->fields[i].member, t->fields[i].def_c);
    ob_puts(c, "};\n\n");
}

static void emit_read_descriptor(const type *t, outbuf *c)
{
    ob_printf(c, "int famqp__%s_read(famqp_reader *r, %s *out, const char *field)\n{\n", t->lower, t->cstruct);
    ob_puts(c, "    uint64_t code;\n    famqp_symbol name = {NULL, 0};\n");
    ob_puts(c, "    if (!famqp_read_descriptor(r, &code, &name, field))\n");
    ob_puts(c, "        return 0; /* null, or a failure already recorded */\n");
    if (t->desc_name)
        ob_printf(c, "    if (!famqp__descriptor_is(code, name, FAMQP_%s_CODE, FAMQP_%s_NAME))\n", t->upper, t->upper);
    else
        ob_printf(c, "    if (!famqp__descriptor_is(code, name, FAMQP_%s_CODE, NULL))\n", t->upper);
    ob_printf(c, "        return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, \"descriptor is not %s's\");\n",
              t->name);
    ob_printf(c, "    return famqp__%s_read_body(r, out);\n}\n\n", t->lower);
}

/* The provider a union takes a str8/str32 string as: its first string
 * provider, when it has no choices (then it takes every string, and
 * nothing before it takes strings); NULL otherwise. */
static const type *union_string_provider(const req *r)
{
    for (size_t k = 0; k < r->nprov; k++) {
        const type *p = r->prov[k];
        if (p->e == E_PRIM && p->pr == P_STRING)
            return p->nchoices ? NULL : p;
    }
    return NULL;
}

/* Fields read by famqp__<type>_decode_fast: the first FAST_HEAD must be
 * primitives with an inline famqp__try_<T> (later ones of other kinds are
 * taken only when null or absent). */
#define FAST_HEAD 7

static bool has_decode_fast(const type *t)
{
    if (!t->nfields)
        return false;
    for (size_t i = 0; i < t->nfields && i < FAST_HEAD; i++) {
        vkind vk = vkind_of_field(&t->fields[i]);
        if (vk.k != FK_PRIM || !prim_has_try(vk.p))
            return false;
    }
    return true;
}

/* famqp__<type>_decode_fast: the usual encoding of a composite (the
 * descriptor as written here, a list8 whose count this version defines,
 * every field in a form famqp__try_<T> decides, or null) read with the
 * position in locals and no reader.  Returns the bytes used, or 0 for
 * anything else (another form, a bad value, extra elements, a missing
 * mandatory field, an error), which the complete reader then decodes from
 * the start and reports: the errors and accepted inputs stay its. */
static void emit_decode_fast(const gen_options *o, const type *t, outbuf *c, size_t desc_len)
{
    const char *U = t->upper, *L = t->lower;
    size_t n = t->nfields;
    uint8_t d[10];
    descriptor_bytes(o, t, d);
    uint64_t mand = 0;
    for (size_t i = 0; i < n; i++)
        if (t->fields[i].mandatory)
            mand |= UINT64_C(1) << i;
    ob_printf(c, "static inline size_t famqp__%s_decode_fast(const uint8_t *p, size_t n, %s *out,\n", L, t->cstruct);
    ob_puts(c, "                                          const famqp_limits *lim)\n{\n");
    ob_printf(c, "    if (!(p != NULL && n >= %zu", desc_len + 3);
    for (size_t i = 0; i < desc_len; i++)
        ob_printf(c, " && p[%zu] == 0x%02x", i, d[i]);
    ob_printf(c, " && p[%zu] == FAMQP_CODE_LIST8))\n        return 0;\n", desc_len);
    ob_printf(c, "    const famqp_limits *lm = lim ? lim : &famqp_default_limits;\n");
    ob_printf(c, "    size_t size = p[%zu], count = p[%zu];\n", desc_len + 1, desc_len + 2);
    ob_printf(c, "    /* famqp_list_enter's checks; extra elements: the complete reader */\n"
                 "    if (!((size - 1 < n - %zu) & (count < size) & (count <= %zuu) & (lm->max_depth > 0) &\n"
                 "          (count <= lm->max_count)))\n        return 0;\n", desc_len + 2, n);
    ob_printf(c, "    const uint8_t *q = p + %zu, *end = p + %zu + size, *x;\n", desc_len + 3, desc_len + 2);
    ob_puts(c, "    uint64_t present = 0;\n    (void)x;\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        char *xv = xasprintf("out->%s", f->member);
        const type *ct = field_checked_choices(t, f);
        if (i)
            ob_printf(c, "    if (count <= %zuu) /* %s */\n        goto absent_%zu;\n", i, f->name, i);
        else
            ob_printf(c, "    if (count == 0u) /* %s */\n        goto absent_%zu;\n", f->name, i);
        char *dflt = vk.k == FK_UNION ? xasprintf("%s.kind = FAMQP_ANY_%s_NONE", xv, vk.r->upper)
                                      : xasprintf("%s = famqp_%s_defaults.%s", xv, L, f->member);
        if (vk.k == FK_PRIM && prim_has_try(vk.p)) {
            ob_printf(c, "    if ((x = famqp__try_%s(q, end, &%s)) != NULL) {\n", prim_infos[vk.p].fn, xv);
            ob_printf(c, "        q = x;\n        present |= FAMQP_%s_HAS_%s;\n", U, f->upper);
            if (ct) {
                char *cond = choice_condition(ct, xv);
                ob_printf(c, "        if (!(%s))\n            return 0;\n", cond);
                free(cond);
            }
            ob_printf(c, "    } else if (q < end && *q == FAMQP_CODE_NULL) {\n        q++;\n        %s;\n"
                         "    } else {\n        return 0;\n    }\n", dflt);
        } else {
            ob_printf(c, "    if (q < end && *q == FAMQP_CODE_NULL) {\n        q++;\n        %s;\n"
                         "    } else {\n        return 0; /* the complete reader reads this kind */\n    }\n", dflt);
        }
        free(dflt);
        free(xv);
    }
    ob_puts(c, "    goto fields_done;\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        ob_printf(c, "absent_%zu:\n", i);
        if (vk.k == FK_UNION)
            ob_printf(c, "    out->%s.kind = FAMQP_ANY_%s_NONE;\n", f->member, vk.r->upper);
        else
            ob_printf(c, "    out->%s = famqp_%s_defaults.%s;\n", f->member, L, f->member);
    }
    ob_puts(c, "fields_done:\n");
    ob_printf(c, "    if ((q != end) | ((present & UINT64_C(0x%" PRIx64 ")) != UINT64_C(0x%" PRIx64 ")))\n"
                 "        return 0;\n", mand, mand);
    ob_puts(c, "    out->present = present;\n    return (size_t)(end - p);\n}\n\n");
}

static void emit_public(const gen_options *o, const type *t, outbuf *c, size_t desc_len, bool composite)
{
    /* encode */
    if (composite)
        ob_printf(c, "static FAMQP_NOINLINE size_t famqp__%s_encode_exact(uint8_t *buf, size_t cap, const %s *v,\n"
                     "                                                    uint32_t count);\n\n", t->lower, t->cstruct);
    ob_printf(c, "size_t famqp_%s_encode(uint8_t *buf, size_t cap, const %s *v)\n{\n", t->lower, t->cstruct);
    if (composite) {
        ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", t->lower);
        ob_printf(c, "    if (FAMQP_LIKELY(famqp__%s_bound(v) <= cap)) /* room for the widest: one pass */\n",
                  t->lower);
        ob_printf(c, "        return (size_t)(famqp__%s_put_fast(buf, v, count) - buf);\n", t->lower);
        ob_printf(c, "    return famqp__%s_encode_exact(buf, cap, v, count);\n}\n\n", t->lower);
        ob_printf(c, "/* a buffer smaller than the bound: exact size first */\n"
                     "static FAMQP_NOINLINE size_t famqp__%s_encode_exact(uint8_t *buf, size_t cap, const %s *v,\n"
                     "                                                    uint32_t count)\n{\n", t->lower, t->cstruct);
        ob_printf(c, "    size_t body = famqp__%s_body_size(v, count);\n", t->lower);
        ob_printf(c, "    size_t size = %zu + famqp_size_list_header(body, count) + body;\n", desc_len);
        ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
        ob_printf(c, "    famqp__%s_put_list(buf, v, count, body);\n    return size;\n}\n\n", t->lower);
    } else {
        ob_printf(c, "    size_t size = famqp__%s_size(v);\n", t->lower);
        ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
        ob_printf(c, "    famqp__%s_put(buf, v);\n    return size;\n}\n\n", t->lower);
    }
    /* decode */
    bool fast = composite && desc_len <= 3 && has_decode_fast(t);
    if (fast)
        emit_decode_fast(o, t, c, desc_len);
    ob_printf(c, "size_t famqp_%s_decode_ex(const uint8_t *p, size_t n, %s *out,\n", t->lower, t->cstruct);
    ob_puts(c, "    const famqp_limits *lim, famqp_error *err)\n{\n");
    if (fast) {
        ob_printf(c, "    size_t used = famqp__%s_decode_fast(p, n, out, lim);\n", t->lower);
        ob_puts(c, "    if (FAMQP_LIKELY(used != 0)) {\n        if (err)\n            memset(err, 0, sizeof *err);\n"
                   "        return used;\n    }\n");
    }
    ob_puts(c, "    famqp_error local;\n    famqp_reader r;\n");
    ob_puts(c, "    famqp__reader_start(&r, p, n, err ? err : &local, lim);\n");
    ob_printf(c, "    r.type = \"%s\";\n", t->name);
    if (composite && desc_len <= 3) {
        /* the descriptor as this encoder writes it: one compare, no reader */
        uint8_t d[10];
        descriptor_bytes(o, t, d);
        ob_printf(c, "    int ok;\n    if (FAMQP_LIKELY(r.end - r.p >= %zu", desc_len);
        for (size_t i = 0; i < desc_len; i++)
            ob_printf(c, " && r.p[%zu] == 0x%02x", i, d[i]);
        ob_printf(c, ")) {\n        r.p += %zu;\n        ok = famqp__%s_read_body(&r, out);\n    } else {\n", desc_len,
                  t->lower);
        ob_printf(c, "        ok = famqp__%s_read(&r, out, NULL);\n    }\n    if (!ok) {\n", t->lower);
    } else {
        ob_printf(c, "    if (!famqp__%s_read(&r, out, NULL)) {\n", t->lower);
    }
    ob_puts(c, "        if (!famqp_reader_failed(&r))\n");
    ob_printf(c, "            famqp_fail(&r, FAMQP_ERR_TYPE_MISMATCH, NULL, \"null instead of a %s\");\n", t->name);
    ob_puts(c, "        return 0;\n    }\n    return (size_t)(r.p - p);\n}\n\n");
    ob_printf(c, "size_t famqp_%s_decode(const uint8_t *p, size_t n, %s *out, famqp_error *err)\n{\n", t->lower,
              t->cstruct);
    ob_printf(c, "    return famqp_%s_decode_ex(p, n, out, NULL, err);\n}\n\n", t->lower);
}

/* ---- composites ---------------------------------------------------------- */

static void emit_composite(const model *m, const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t desc_len = descriptor_bytes(o, t, d);
    size_t n = t->nfields;
    int mand_floor = 0;
    for (size_t i = 0; i < n; i++)
        if (t->fields[i].mandatory)
            mand_floor = (int)i + 1;
    const char *U = t->upper, *L = t->lower, *S = t->cstruct;

    ob_printf(c, "/* ---- %s ---- */\n\n", t->name);
    emit_defaults(m, t, c);

    /* count */
    ob_puts(c, "/* list count: index of the highest present or mandatory field + 1 */\n");
    ob_printf(c, "FAMQP_INLINE uint32_t famqp__%s_count(const %s *v)\n{\n", L, S);
    if (!n) {
        ob_puts(c, "    (void)v;\n    return 0;\n}\n\n");
    } else {
        uint64_t mask = n == 64 ? UINT64_MAX : ((UINT64_C(1) << n) - 1);
        if (mand_floor) /* the last mandatory field's bit set: at least mand_floor, never 0 */
            ob_printf(c, "    return famqp__bit_count((v->present & UINT64_C(0x%" PRIx64 ")) | UINT64_C(0x%" PRIx64
                         "));\n}\n\n", mask, UINT64_C(1) << (mand_floor - 1));
        else
            ob_printf(c, "    return famqp__bit_count(v->present & UINT64_C(0x%" PRIx64 "));\n}\n\n", mask);
    }

    /* body size */
    ob_puts(c, "/* encoded size of the first `count` list elements */\n");
    ob_printf(c, "FAMQP_INLINE size_t famqp__%s_body_size(const %s *v, uint32_t count)\n{\n", L, S);
    if (!n) {
        ob_puts(c, "    (void)v;\n    (void)count;\n    return 0;\n}\n\n");
    } else {
        ob_puts(c, "    size_t n = 0;\n");
        for (size_t i = 0; i < n; i++) {
            const field *f = &t->fields[i];
            char *x = xasprintf("v->%s", f->member);
            char *sz = vk_size(o, vkind_of_field(f), x);
            if (f->mandatory)
                ob_printf(c, "    n += %s; /* %s */\n", sz, f->name);
            else
                ob_printf(c, "    n += (v->present & FAMQP_%s_HAS_%s) ? %s : 1u; /* %s */\n", U, f->upper, sz,
                          f->name);
            free(x);
            free(sz);
        }
        ob_printf(c, "    return n - (%zuu - count); /* trailing absent fields (1-byte nulls) are dropped */\n}\n\n",
                  n);
    }

    /* put */
    ob_printf(c, "FAMQP_INLINE uint8_t *famqp__%s_put_list(uint8_t *p, const %s *v, uint32_t count, size_t body)\n{\n",
              L, S);
    if (!n)
        ob_puts(c, "    (void)v;\n");
    emit_descriptor_put(o, t, c);
    ob_puts(c, "    p = famqp_put_list_header(p, body, count);\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        char *x = xasprintf("v->%s", f->member);
        char *put = vk_put(o, vkind_of_field(f), x);
        ob_printf(c, "    if (count < %zuu)\n        return p;\n", i + 1);
        if (f->mandatory)
            ob_printf(c, "    p = %s; /* %s */\n", put, f->name);
        else
            ob_printf(c, "    p = (v->present & FAMQP_%s_HAS_%s) ? %s : famqp_put_null(p); /* %s */\n", U,
                      f->upper, put, f->name);
        free(x);
        free(put);
    }
    ob_puts(c, "    return p;\n}\n\n");

    /* one-pass encoding: an upper bound, then every field written once */
    ob_puts(c, "/* at least the encoded size: the widest form of every field, list32 */\n");
    ob_printf(c, "FAMQP_INLINE size_t famqp__%s_bound(const %s *v)\n{\n", L, S);
    {
        size_t fixed_part = desc_len + 9;
        outbuf var = {0};
        for (size_t i = 0; i < n; i++) {
            const field *f = &t->fields[i];
            vkind vk = vkind_of_field(f);
            size_t mx = vk.k == FK_PRIM ? prim_max_size(o, vk.p) : 0;
            char *x = xasprintf("v->%s", f->member);
            char *extra;
            if (mx) {
                fixed_part += mx;
                free(x);
                continue;
            }
            if (vk.k == FK_PRIM && prim_is_vbytes(vk.p)) {
                fixed_part += 5;
                extra = xasprintf("%s.len", x);
            } else {
                fixed_part += 1; /* null when absent */
                extra = vk_size(o, vk, x);
            }
            if (f->mandatory)
                ob_printf(&var, "    n += %s; /* %s */\n", extra, f->name);
            else
                ob_printf(&var, "    n += (v->present & FAMQP_%s_HAS_%s) ? %s : 0u; /* %s */\n", U, f->upper, extra,
                          f->name);
            free(extra);
            free(x);
        }
        if (!var.data)
            ob_puts(c, "    (void)v;\n");
        ob_printf(c, "    size_t n = %zu;\n", fixed_part);
        if (var.data)
            ob_puts(c, var.data);
        free(var.data);
        ob_puts(c, "    return n;\n}\n\n");
    }
    ob_puts(c, "/* capacity for famqp__");
    ob_printf(c, "%s_bound checked: writes each field once */\n", L);
    ob_printf(c, "FAMQP_INLINE uint8_t *famqp__%s_put_fast(uint8_t *p, const %s *v, uint32_t count)\n{\n", L, S);
    if (!n)
        ob_puts(c, "    (void)v;\n");
    emit_descriptor_put(o, t, c);
    ob_puts(c, "    uint8_t *hdr = p, *body = p + 3; /* list header filled in last */\n    p = body;\n");
    if (n) /* a local: stores through p may alias *v */
        ob_puts(c, "    const uint64_t present = v->present;\n    (void)present; /* all fields mandatory */\n");
    /* Stop at the list count (trailing absent fields are not written). */
    bool stops = false;
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        const char *opt = vk.k == FK_PRIM ? prim_put_opt(o, vk.p) : NULL;
        char *x = xasprintf("v->%s", f->member);
        if ((int)i >= mand_floor && !opt && !f->mandatory) {
            /* a present field is below the count: the stop is only
             * needed on the absent path */
            char *put = prim_put_fast(o, vk, x);
            ob_printf(c, "    if (present & FAMQP_%s_HAS_%s) { /* %s */\n        p = %s;\n    } else {\n", U,
                      f->upper, f->name, put);
            if (i)
                ob_printf(c, "        if (count <= %zuu)\n            goto done;\n", i);
            else
                ob_puts(c, "        if (count == 0u)\n            goto done;\n");
            ob_puts(c, "        p = famqp_put_null(p);\n    }\n");
            stops = true;
            free(put);
            free(x);
            continue;
        }
        if ((int)i >= mand_floor) {
            if (i)
                ob_printf(c, "    if (count <= %zuu)\n        goto done;\n", i);
            else
                ob_puts(c, "    if (count == 0u)\n        goto done;\n");
            stops = true;
        }
        if (opt && f->mandatory) {
            ob_printf(c, "    p = famqp__put_opt_%s(p, %s, 1u); /* %s */\n", opt, x, f->name);
        } else if (opt) {
            ob_printf(c, "    p = famqp__put_opt_%s(p, %s, (uint32_t)(present >> %zu) & 1u); /* %s */\n", opt, x,
                      i, f->name);
        } else {
            char *put = prim_put_fast(o, vk, x);
            if (f->mandatory)
                ob_printf(c, "    p = %s; /* %s */\n", put, f->name);
            else
                ob_printf(c, "    p = (present & FAMQP_%s_HAS_%s) ? %s : famqp_put_null(p); /* %s */\n", U,
                          f->upper, put, f->name);
            free(put);
        }
        free(x);
    }
    if (stops)
        ob_puts(c, "done:\n");
    ob_puts(c, "    return famqp__finish_list(hdr, body, p, count);\n}\n\n");

    ob_printf(c, "size_t famqp__%s_size(const %s *v)\n{\n", L, S);
    ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", L);
    ob_printf(c, "    size_t body = famqp__%s_body_size(v, count);\n", L);
    ob_printf(c, "    return %zu + famqp_size_list_header(body, count) + body;\n}\n\n", desc_len);
    ob_printf(c, "uint8_t *famqp__%s_put(uint8_t *p, const %s *v)\n{\n", L, S);
    ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", L);
    ob_printf(c, "    return famqp__%s_put_list(p, v, count, famqp__%s_body_size(v, count));\n}\n\n", L, L);

    /* read body */
    ob_printf(c, "int famqp__%s_read_body(famqp_reader *r, %s *out)\n{\n", L, S);
    ob_puts(c, "    const char *outer = r->type;\n    const uint8_t *saved_end;\n    uint32_t count;\n");
    /* Every field below gets either what was read or its default, so
     * *out is not filled with the defaults first (a union that is absent
     * gets kind NONE, its body is not cleared). */
    ob_puts(c, "    out->present = 0;\n");
    ob_printf(c, "    r->type = \"%s\";\n", t->name);
    ob_printf(c, "    if (!famqp_list_enter(r, &count, &saved_end, NULL)) {\n        *out = famqp_%s_defaults;\n"
                 "        r->type = outer;\n        return 0;\n    }\n", L);
    /* The position lives in a local (p, end) while fields are read with
     * the inline famqp__try_<T>: a store into *out can then not force it
     * back to memory.  Everything else goes through r (r->p = p first). */
    if (n)
        ob_puts(c, "    const uint8_t *p = r->p, *end = r->end, *q;\n    int got;\n    (void)q, (void)end;\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        char *x = xasprintf("out->%s", f->member);
        char *rd = vk_read(vk, x, f->name);
        const type *ct = field_checked_choices(t, f);
        /* past the list's count: this field and every later one are
         * absent, so jump into the chain of defaults below */
        if (i)
            ob_printf(c, "    if (count <= %zuu) /* %s */\n        goto absent_%zu;\n", i, f->name, i);
        else
            ob_printf(c, "    if (count == 0u) /* %s */\n        goto absent_%zu;\n", f->name, i);
        ob_puts(c, "    got = 0;\n    {\n");
        /* null is taken here, no reader called: it gets the default below */
        if (vk.k == FK_PRIM && prim_has_try(vk.p)) {
            ob_printf(c, "        q = famqp__try_%s(p, end, &%s);\n", prim_infos[vk.p].fn, x);
            ob_puts(c, "        if (FAMQP_LIKELY(q != NULL)) {\n            p = q;\n            got = 1;\n"
                       "        } else if (p < end && *p == FAMQP_CODE_NULL) {\n            p++;\n"
                       "        } else {\n");
            ob_printf(c, "            r->p = p;\n            got = famqp__read_%s_slow(r, &%s, \"%s\");\n"
                         "            p = r->p;\n        }\n", prim_infos[vk.p].fn, x, f->name);
        } else {
            const type *sp = vk.k == FK_UNION ? union_string_provider(vk.r) : NULL;
            if (sp) /* the usual string (an id, an address): no union reader */
                ob_printf(c, "        q = famqp__try_string(p, end, &%s.u.%s);\n"
                             "        if (FAMQP_LIKELY(q != NULL)) {\n            %s.kind = FAMQP_ANY_%s_%s;\n"
                             "            p = q;\n            got = 1;\n        } else ",
                          x, sp->lower, x, vk.r->upper, sp->upper);
            else
                ob_puts(c, "        ");
            ob_puts(c, "if (p < end && *p == FAMQP_CODE_NULL) {\n            p++;\n        } else {\n");
            ob_printf(c, "            r->p = p;\n            got = %s;\n            p = r->p;\n        }\n", rd);
        }
        ob_puts(c, "    }\n");
        ob_printf(c, "    if (got) {\n        out->present |= FAMQP_%s_HAS_%s;\n", U, f->upper);
        if (ct) {
            char *cond = choice_condition(ct, x);
            ob_printf(c, "        if (!(%s)) {\n            r->p = p;\n", cond);
            ob_printf(c, "            famqp_fail(r, FAMQP_ERR_INVALID_VALUE, \"%s\", \"not a %s choice\");\n",
                      f->name, ct->name);
            ob_puts(c, "            p = r->p;\n        }\n");
            free(cond);
        }
        if (vk.k == FK_UNION)
            ob_printf(c, "    } else {\n        %s.kind = FAMQP_ANY_%s_NONE; /* null */\n    }\n", x, vk.r->upper);
        else
            ob_printf(c, "    } else {\n        %s = famqp_%s_defaults.%s; /* null: the default */\n    }\n", x, L,
                      f->member);
        free(x);
        free(rd);
    }
    /* the fields the list does not hold, from the first one on: defaults */
    if (n) {
        ob_puts(c, "    goto fields_done;\n");
        for (size_t i = 0; i < n; i++) {
            const field *f = &t->fields[i];
            vkind vk = vkind_of_field(f);
            ob_printf(c, "absent_%zu:\n", i);
            if (vk.k == FK_UNION)
                ob_printf(c, "    out->%s.kind = FAMQP_ANY_%s_NONE;\n", f->member, vk.r->upper);
            else
                ob_printf(c, "    out->%s = famqp_%s_defaults.%s;\n", f->member, L, f->member);
        }
        ob_puts(c, "fields_done:\n");
    }
    if (n)
        ob_puts(c, "    r->p = p;\n");
    if (n)
        ob_printf(c, "    famqp_list_leave(r, count, count < %zuu ? count : %zuu, saved_end);\n", n, n);
    else
        ob_puts(c, "    famqp_list_leave(r, count, 0u, saved_end); /* no fields: all skipped */\n");
    bool any_mand = false;
    for (size_t i = 0; i < n; i++)
        any_mand |= t->fields[i].mandatory;
    if (any_mand) {
        ob_puts(c, "    if (!famqp_reader_failed(r)) {\n");
        for (size_t i = 0; i < n; i++) {
            const field *f = &t->fields[i];
            if (!f->mandatory)
                continue;
            ob_printf(c, "        if (!(out->present & FAMQP_%s_HAS_%s))\n", U, f->upper);
            ob_printf(c, "            famqp_fail(r, FAMQP_ERR_MISSING_MANDATORY, \"%s\", NULL);\n", f->name);
        }
        ob_puts(c, "    }\n");
    }
    ob_puts(c, "    r->type = outer;\n    return !famqp_reader_failed(r);\n}\n\n");
    emit_read_descriptor(t, c);
    emit_public(o, t, c, desc_len, true);
    emit_print_type(m, t, c);
}

/* ---- described restricted types ------------------------------------------ */

static void emit_described(const model *m, const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t desc_len = descriptor_bytes(o, t, d);
    const field *f = &t->fields[0];
    vkind vk = vkind_of_field(f);
    const char *L = t->lower, *S = t->cstruct;

    ob_printf(c, "/* ---- %s ---- */\n\n", t->name);
    emit_defaults(m, t, c);
    char *sz = vk_size(o, vk, "v->value");
    ob_printf(c, "size_t famqp__%s_size(const %s *v)\n{\n    return %zu + %s;\n}\n\n", L, S, desc_len, sz);
    free(sz);
    char *put = vk_put(o, vk, "v->value");
    ob_printf(c, "uint8_t *famqp__%s_put(uint8_t *p, const %s *v)\n{\n", L, S);
    emit_descriptor_put(o, t, c);
    ob_printf(c, "    return %s;\n}\n\n", put);
    free(put);

    ob_printf(c, "int famqp__%s_read_body(famqp_reader *r, %s *out)\n{\n", L, S);
    ob_puts(c, "    const char *outer = r->type;\n");
    ob_printf(c, "    *out = famqp_%s_defaults;\n    r->type = \"%s\";\n", L, t->name);
    char *rd = vk_read(vk, "out->value", "value");
    const type *ct = field_checked_choices(t, f);
    if (vk.k == FK_VALUE) {
        ob_printf(c, "    %s; /* any value, null included */\n", rd);
    } else {
        ob_printf(c, "    if (!%s) {\n", rd);
        ob_puts(c, "        if (!famqp_reader_failed(r))\n");
        ob_printf(c, "            famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, \"value\", \"null instead of a %s\");\n",
                  t->raw->source);
        if (ct) {
            char *cond = choice_condition(ct, "out->value");
            ob_printf(c, "    } else if (!(%s)) {\n", cond);
            ob_printf(c, "        famqp_fail(r, FAMQP_ERR_INVALID_VALUE, \"value\", \"not a %s choice\");\n", ct->name);
            free(cond);
        }
        ob_puts(c, "    }\n");
    }
    free(rd);
    ob_puts(c, "    r->type = outer;\n    return !famqp_reader_failed(r);\n}\n\n");
    emit_read_descriptor(t, c);
    emit_public(o, t, c, desc_len, false);
    emit_print_type(m, t, c);
}

/* ---- symbol tables of restricted types ----------------------------------- */

static void emit_choice_table(const type *t, outbuf *c)
{
    bool sym = t->pr == P_SYMBOL;
    const char *vt = sym ? "famqp_symbol" : "famqp_string";
    const char *what = sym ? "symbols" : "strings";
    ob_printf(c, "const %s famqp_%s_%s[FAMQP_%s_COUNT] = {\n", vt, t->lower, what, t->upper);
    for (size_t i = 0; i < t->nchoices; i++)
        ob_printf(c, "    %s,\n", t->choices[i].c_value);
    ob_puts(c, "};\n\n");
    ob_printf(c, "int famqp_%s_from_%s(%s s)\n{\n", t->lower, sym ? "symbol" : "string", vt);
    ob_printf(c, "    for (int i = 0; i < FAMQP_%s_COUNT; i++)\n", t->upper);
    ob_printf(c, "        if (s.len == famqp_%s_%s[i].len && (s.len == 0 || memcmp(s.ptr, famqp_%s_%s[i].ptr, s.len) == 0))\n",
              t->lower, what, t->lower, what);
    ob_puts(c, "            return i;\n    return -1;\n}\n\n");
}

/* ---- unions -------------------------------------------------------------- */

static void emit_union(const model *m, const gen_options *o, const req *r, outbuf *c)
{
    const char *C = r->cname, *U = r->upper, *L = r->lower;
    ob_printf(c, "/* ---- any %s ---- */\n\n", r->name);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            ob_printf(c, "size_t famqp__any_%s_size(const %s *v)\n{\n    switch (v->kind) {\n", L, C);
        else
            ob_printf(c, "uint8_t *famqp__any_%s_put(uint8_t *p, const %s *v)\n{\n    switch (v->kind) {\n", L, C);
        for (size_t i = 0; i < r->nprov; i++) {
            const type *p = r->prov[i];
            char *x = xasprintf("v->u.%s", p->lower);
            char *e = pass == 0 ? vk_size(o, vkind_of_provider(p), x) : vk_put(o, vkind_of_provider(p), x);
            ob_printf(c, "    case FAMQP_ANY_%s_%s:\n        return %s;\n", U, p->upper, e);
            free(x);
            free(e);
        }
        ob_printf(c, "    case FAMQP_ANY_%s_OTHER:\n        return %s;\n", U,
                  pass == 0 ? "famqp_size_value(v->u.other)" : "famqp_put_value(p, v->u.other)");
        ob_printf(c, "    default: /* NONE: null */\n        return %s;\n    }\n}\n\n",
                  pass == 0 ? "1" : "famqp_put_null(p)");
    }
    ob_printf(c, "size_t %s_encode(uint8_t *buf, size_t cap, const %s *v)\n{\n", C, C);
    ob_printf(c, "    size_t size = famqp__any_%s_size(v);\n", L);
    ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
    ob_printf(c, "    famqp__any_%s_put(buf, v);\n    return size;\n}\n\n", L);

    /* read */
    bool described = false;
    for (size_t i = 0; i < r->nprov; i++)
        described |= r->prov[i]->e == E_STRUCT;
    ob_printf(c, "int famqp__any_%s_read(famqp_reader *r, %s *out, const char *field)\n{\n", L, C);
    /* `start` is needed to keep a value whole after looking into it */
    bool needs_start = described;
    for (size_t i = 0; i < r->nprov; i++) {
        const type *p = r->prov[i];
        bool closes = false;
        for (size_t k = 0; k < r->nprov; k++)
            closes |= r->prov[k]->e == E_PRIM && r->prov[k]->pr == p->pr && !r->prov[k]->nchoices;
        needs_start |= p->e == E_PRIM && !closes;
    }
    if (needs_start)
        ob_puts(c, "    const uint8_t *start = r->p;\n");
    ob_printf(c, "    out->kind = FAMQP_ANY_%s_NONE;\n", U);
    ob_puts(c, "    if (r->p >= r->end)\n        return famqp_read_value(r, &out->u.other, field); /* truncated */\n");
    ob_puts(c, "    if (*r->p == FAMQP_CODE_NULL) {\n        r->p++;\n        return 0;\n    }\n");
    if (described) {
        ob_puts(c, "    if (*r->p == FAMQP_CODE_DESCRIBED) {\n");
        ob_puts(c, "        uint64_t code;\n        famqp_symbol name = {NULL, 0};\n");
        ob_puts(c, "        if (!famqp_read_descriptor(r, &code, &name, field))\n            return 0;\n");
        ob_puts(c, "        if (code == UINT64_MAX && name.ptr) { /* symbolic descriptor */\n");
        bool first = true;
        for (size_t i = 0; i < r->nprov; i++) {
            const type *p = r->prov[i];
            if (p->e != E_STRUCT || !p->desc_name)
                continue;
            ob_printf(c, "            %sif (famqp_symbol_eq(name, FAMQP_%s_NAME))\n                code = FAMQP_%s_CODE;\n",
                      first ? "" : "else ", p->upper, p->upper);
            first = false;
        }
        ob_puts(c, "        }\n        switch (code) {\n");
        for (size_t i = 0; i < r->nprov; i++) {
            const type *p = r->prov[i];
            if (p->e != E_STRUCT)
                continue;
            ob_printf(c, "        case FAMQP_%s_CODE:\n            out->kind = FAMQP_ANY_%s_%s;\n", p->upper, U,
                      p->upper);
            ob_printf(c, "            return famqp__%s_read_body(r, &out->u.%s);\n", p->lower, p->lower);
        }
        ob_puts(c, "        default:\n            break;\n        }\n");
        ob_puts(c, "        r->p = start; /* no provider's descriptor: kept whole */\n    }\n");
    }
    /* primitive providers, grouped by primitive, in spec order */
    bool done[P_COUNT] = {false};
    for (size_t i = 0; i < r->nprov; i++) {
        const type *p = r->prov[i];
        if (p->e != E_PRIM || done[p->pr])
            continue;
        done[p->pr] = true;
        const prim_info *pi = &prim_infos[p->pr];
        ob_printf(c, "    if (famqp_codes_%s[*r->p]) {\n", pi->name);
        ob_printf(c, "        %s value;\n", pi->ctype);
        ob_printf(c, "        if (!famqp_read_%s(r, &value, field))\n            return 0;\n", pi->fn);
        bool closed = false;
        for (size_t k = i; k < r->nprov && !closed; k++) {
            const type *q = r->prov[k];
            if (q->e != E_PRIM || q->pr != p->pr)
                continue;
            const char *ind = "        ";
            if (q->nchoices) {
                if (q->pr == P_SYMBOL)
                    ob_printf(c, "        if (famqp_%s_from_symbol(value) >= 0) {\n", q->lower);
                else if (q->pr == P_STRING)
                    ob_printf(c, "        if (famqp_%s_from_string(value) >= 0) {\n", q->lower);
                else {
                    char *cond = choice_condition(q, "value");
                    ob_printf(c, "        if (%s) {\n", cond);
                    free(cond);
                }
                ind = "            ";
            } else {
                closed = true;
            }
            ob_printf(c, "%sout->kind = FAMQP_ANY_%s_%s;\n%sout->u.%s = value;\n%sreturn 1;\n", ind, U, q->upper,
                      ind, q->lower, ind);
            if (q->nchoices)
                ob_puts(c, "        }\n");
        }
        if (!closed)
            ob_puts(c, "        r->p = start; /* no provider's choice: kept whole */\n");
        ob_puts(c, "    }\n");
    }
    ob_printf(c, "    out->kind = FAMQP_ANY_%s_OTHER;\n", U);
    ob_puts(c, "    return famqp_read_value(r, &out->u.other, field);\n}\n\n");

    ob_printf(c, "size_t %s_decode_ex(const uint8_t *p, size_t n, %s *out,\n", C, C);
    ob_puts(c, "    const famqp_limits *lim, famqp_error *err)\n{\n");
    ob_puts(c, "    famqp_error local;\n    famqp_reader r;\n");
    ob_puts(c, "    famqp__reader_start(&r, p, n, err ? err : &local, lim);\n");
    ob_printf(c, "    r.type = \"%s\";\n", r->name);
    ob_printf(c, "    famqp__any_%s_read(&r, out, NULL);\n", L);
    ob_puts(c, "    if (famqp_reader_failed(&r))\n        return 0;\n    return (size_t)(r.p - p);\n}\n\n");
    ob_printf(c, "size_t %s_decode(const uint8_t *p, size_t n, %s *out, famqp_error *err)\n{\n", C, C);
    ob_printf(c, "    return %s_decode_ex(p, n, out, NULL, err);\n}\n\n", C);
    emit_print_union(m, r, c);
}

void emit_codec(const model *m, const gen_options *o, int file, outbuf *c)
{
    emit_banner(m, c);
    ob_printf(c, "/* %s: codecs and printers of the types it declares */\n", model_file(m, file));
    ob_puts(c, "#include <string.h>\n\n#include \"famqp_spec.h\"\n#include \"famqp_spec_internal.h\"\n\n");
    bool any = false;
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (t->out_file != file)
            continue;
        if (t->klass == C_RESTRICTED && t->nchoices && (t->pr == P_SYMBOL || t->pr == P_STRING) && t->e == E_PRIM) {
            emit_choice_table(t, c);
            any = true;
        }
        if (t->klass == C_COMPOSITE) {
            emit_composite(m, o, t, c);
            any = true;
        } else if (t->klass == C_RESTRICTED && t->described) {
            emit_described(m, o, t, c);
            any = true;
        }
    }
    for (size_t i = 0; i < m->nreqs; i++) {
        if (m->reqs[i]->out_file == file) {
            emit_union(m, o, m->reqs[i], c);
            any = true;
        }
    }
    if (!any)
        ob_printf(c, "/* %s declares nothing that needs code (only primitives, plain restricted\n"
                     " * types or definitions, which live in famqp_spec.h). */\n",
                  model_file(m, file));
}
