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

#include "emit_flat.h"
#include "names.h"

/* ---- value kinds --------------------------------------------------------- */

static const char *fixed_suffix(const gen_options *o, vkind v)
{
    return o->fixed && prim_infos[v.prim].has_fixed ? "_fixed" : "";
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
    if (vk.kind == FK_PRIM && (vk.prim == P_BINARY || vk.prim == P_STRING || vk.prim == P_SYMBOL))
        return xasprintf("famqp__put_%s_fast(p, %s)", prim_infos[vk.prim].fn, x);
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
    switch (v.kind) {
    case FK_PRIM:
        return xasprintf("famqp_size_%s%s(%s%s)", prim_infos[v.prim].fn, fixed_suffix(o, v),
                         prim_infos[v.prim].by_ref ? "&" : "", x);
    case FK_MULTI: return xasprintf("famqp_size_multiple_%s(&%s)", prim_infos[v.prim].fn, x);
    case FK_STRUCT: return xasprintf("famqp__%s_size(&%s)", v.struct_type->lower, x);
    case FK_UNION: return xasprintf("famqp__any_%s_size(&%s)", v.requirement->lower, x);
    case FK_VALUE: return xasprintf("famqp_size_value(%s)", x);
    }
    return NULL;
}

char *vk_put(const gen_options *o, vkind v, const char *x)
{
    switch (v.kind) {
    case FK_PRIM:
        return xasprintf("famqp_put_%s%s(p, %s%s)", prim_infos[v.prim].fn, fixed_suffix(o, v),
                         prim_infos[v.prim].by_ref ? "&" : "", x);
    case FK_MULTI: return xasprintf("famqp_put_multiple_%s(p, &%s)", prim_infos[v.prim].fn, x);
    case FK_STRUCT: return xasprintf("famqp__%s_put(p, &%s)", v.struct_type->lower, x);
    case FK_UNION: return xasprintf("famqp__any_%s_put(p, &%s)", v.requirement->lower, x);
    case FK_VALUE: return xasprintf("famqp_put_value(p, %s)", x);
    }
    return NULL;
}

char *vk_read(vkind v, const char *x, const char *name)
{
    switch (v.kind) {
    case FK_PRIM: return xasprintf("famqp_read_%s(r, &%s, \"%s\")", prim_infos[v.prim].fn, x, name);
    case FK_MULTI:
        return xasprintf("famqp_read_multiple(r, &%s, famqp_codes_%s, \"%s\")", x, prim_infos[v.prim].name, name);
    case FK_STRUCT: return xasprintf("famqp__%s_read(r, &%s, \"%s\")", v.struct_type->lower, x, name);
    case FK_UNION: return xasprintf("famqp__any_%s_read(r, &%s, \"%s\")", v.requirement->lower, x, name);
    case FK_VALUE: return xasprintf("famqp_read_value(r, &%s, \"%s\")", x, name);
    }
    return NULL;
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

/* C expression of byte i of t's descriptor as descriptor_bytes() lays it
 * out: format codes and FAMQP_<TYPE>_CODE by name rather than bare bytes
 * (they are constants, so the compiled code is the same). */
static char *descriptor_byte(const gen_options *o, const type *t, size_t i)
{
    uint8_t d[10];
    size_t n = descriptor_bytes(o, t, d);
    if (i == 0)
        return xstrdup("FAMQP_CODE_DESCRIBED");
    if (i == 1)
        return xstrdup(n == 2 ? "FAMQP_CODE_ULONG0" : n == 3 ? "FAMQP_CODE_SMALLULONG" : "FAMQP_CODE_ULONG");
    if (i == n - 1)
        return xasprintf("(uint8_t)FAMQP_%s_CODE", t->upper);
    return xasprintf("(uint8_t)(FAMQP_%s_CODE >> %zu)", t->upper, 8 * (n - 1 - i));
}

/* " && <p>[0] == FAMQP_CODE_DESCRIBED && ...": the descriptor as this
 * encoder writes it, compared byte by byte */
static void emit_descriptor_match(const gen_options *o, const type *t, const char *p, outbuf *c)
{
    uint8_t d[10];
    size_t n = descriptor_bytes(o, t, d);
    for (size_t i = 0; i < n; i++) {
        char *b = descriptor_byte(o, t, i);
        ob_printf(c, " && %s[%zu] == %s", p, i, b);
        free(b);
    }
}

static void emit_descriptor_put(const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t n = descriptor_bytes(o, t, d);
    ob_printf(c, "    /* descriptor %s */\n", t->desc_name ? t->desc_name : t->name);
    if (n <= 3) {
        for (size_t i = 0; i < n; i++) {
            char *b = descriptor_byte(o, t, i);
            ob_printf(c, "    p[%zu] = %s;\n", i, b);
            free(b);
        }
        ob_printf(c, "    p += %zu;\n", n);
    } else {
        /* format codes on the first line, the code's bytes two a line */
        ob_puts(c, "    static const uint8_t descriptor[10] = {\n        FAMQP_CODE_DESCRIBED, FAMQP_CODE_ULONG,");
        for (size_t i = 2; i < n; i++) {
            char *b = descriptor_byte(o, t, i);
            ob_printf(c, "%s%s%s", i % 2 ? " " : "\n        ", b, i + 1 < n ? "," : "");
            free(b);
        }
        ob_puts(c, "\n    };\n    memcpy(p, descriptor, sizeof descriptor);\n    p += sizeof descriptor;\n");
    }
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
static const type *union_string_provider(const requirement *r)
{
    for (size_t k = 0; k < r->nproviders; k++) {
        const type *p = r->providers[k];
        if (p->form == FORM_PRIM && p->prim == P_STRING)
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
        if (vk.kind != FK_PRIM || !prim_has_try(vk.prim))
            return false;
    }
    return true;
}

/* The chain of labels absent_<i> both decoders jump into at the list's
 * count: every field from there on gets its default. */
static void emit_absent_chain(const type *t, outbuf *c)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        ob_printf(c, "absent_%zu:\n", i);
        if (vk.kind == FK_UNION)
            ob_printf(c, "    out->%s.kind = FAMQP_ANY_%s_NONE;\n", f->member, vk.requirement->upper);
        else
            ob_printf(c, "    out->%s = famqp_%s_defaults.%s;\n", f->member, t->lower, f->member);
    }
    ob_puts(c, "fields_done:\n");
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
    uint64_t mand = 0;
    for (size_t i = 0; i < n; i++)
        if (t->fields[i].mandatory)
            mand |= UINT64_C(1) << i;
    ob_printf(c, "static inline size_t famqp__%s_decode_fast(const uint8_t *p, size_t n, %s *out,\n", L, t->cstruct);
    ob_puts(c, "                                          const famqp_limits *lim)\n{\n");
    ob_printf(c, "    if (!(p != NULL && n >= %zu", desc_len + 3);
    emit_descriptor_match(o, t, "p", c);
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
        char *dflt = vk.kind == FK_UNION ? xasprintf("%s.kind = FAMQP_ANY_%s_NONE", xv, vk.requirement->upper)
                                      : xasprintf("%s = famqp_%s_defaults.%s", xv, L, f->member);
        if (vk.kind == FK_PRIM && prim_has_try(vk.prim)) {
            ob_printf(c, "    if ((x = famqp__try_%s(q, end, &%s)) != NULL) {\n", prim_infos[vk.prim].fn, xv);
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
    emit_absent_chain(t, c);
    ob_printf(c, "    if ((q != end) | ((present & UINT64_C(0x%" PRIx64 ")) != UINT64_C(0x%" PRIx64 ")))\n"
                 "        return 0;\n", mand, mand);
    ob_puts(c, "    out->present = present;\n    return (size_t)(end - p);\n}\n\n");
}

/* famqp_<type>_encode: a composite is written in one pass when the
 * buffer holds its bound, else by famqp__<type>_encode_exact */
static void emit_encode(const type *t, outbuf *c)
{
    const char *L = t->lower;
    if (t->klass != C_COMPOSITE) {
        ob_printf(c, "size_t famqp_%s_encode(uint8_t *buf, size_t cap, const %s *v)\n{\n", L, t->cstruct);
        ob_printf(c, "    size_t size = famqp__%s_size(v);\n", L);
        ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
        ob_printf(c, "    famqp__%s_put(buf, v);\n    return size;\n}\n\n", L);
        return;
    }
    ob_printf(c, "static FAMQP_NOINLINE size_t famqp__%s_encode_exact(uint8_t *buf, size_t cap, const %s *v,\n"
                 "                                                    uint32_t count);\n\n", L, t->cstruct);
    ob_printf(c, "size_t famqp_%s_encode(uint8_t *buf, size_t cap, const %s *v)\n{\n", L, t->cstruct);
    ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", L);
    ob_printf(c, "    if (FAMQP_LIKELY(famqp__%s_bound(v) <= cap)) /* room for the widest: one pass */\n", L);
    ob_printf(c, "        return (size_t)(famqp__%s_put_fast(buf, v, count) - buf);\n", L);
    ob_printf(c, "    return famqp__%s_encode_exact(buf, cap, v, count);\n}\n\n", L);
}

/* famqp__<type>_encode_exact (composites): the exact size first */
static void emit_encode_exact(const type *t, outbuf *c, size_t desc_len)
{
    const char *L = t->lower;
    ob_printf(c, "/* a buffer smaller than the bound: exact size first */\n"
                 "static FAMQP_NOINLINE size_t famqp__%s_encode_exact(uint8_t *buf, size_t cap, const %s *v,\n"
                 "                                                    uint32_t count)\n{\n", L, t->cstruct);
    ob_printf(c, "    size_t body = famqp__%s_body_size(v, count);\n", L);
    ob_printf(c, "    size_t size = %zu + famqp_size_list_header(body, count) + body;\n", desc_len);
    ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
    ob_printf(c, "    famqp__%s_put_list(buf, v, count, body);\n    return size;\n}\n\n", L);
}

/* famqp__<type>_encode_full (composites): every field written, absent
 * ones as null, for peers that read fields by position (pyamqp) */
static void emit_encode_full(const type *t, outbuf *c, size_t desc_len)
{
    const char *L = t->lower;
    ob_printf(c, "/* every field on the wire (list count %zu), absent ones as null */\n"
                 "size_t famqp__%s_encode_full(uint8_t *buf, size_t cap, const %s *v)\n{\n", t->nfields, L,
              t->cstruct);
    ob_printf(c, "    size_t body = famqp__%s_body_size(v, %zuu);\n", L, t->nfields);
    ob_printf(c, "    size_t size = %zu + famqp_size_list_header(body, %zuu) + body;\n", desc_len, t->nfields);
    ob_puts(c, "    if (size > cap)\n        return size; /* too small: the size needed, nothing written */\n");
    ob_printf(c, "    famqp__%s_put_list(buf, v, %zuu, body);\n    return size;\n}\n\n", L, t->nfields);
}

/* famqp_<type>_decode_ex: famqp__<type>_decode_fast first when there is
 * one, then the complete reader */
static void emit_decode_ex(const gen_options *o, const type *t, outbuf *c, size_t desc_len, bool fast)
{
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
    if (t->klass == C_COMPOSITE && desc_len <= 3) {
        /* the descriptor as this encoder writes it: one compare, no reader */
        ob_printf(c, "    int ok;\n    if (FAMQP_LIKELY(r.end - r.p >= %zu", desc_len);
        emit_descriptor_match(o, t, "r.p", c);
        ob_printf(c, ")) {\n        r.p += %zu;\n        ok = famqp__%s_read_body(&r, out);\n    } else {\n", desc_len,
                  t->lower);
        ob_printf(c, "        ok = famqp__%s_read(&r, out, NULL);\n    }\n    if (!ok) {\n", t->lower);
    } else {
        ob_printf(c, "    if (!famqp__%s_read(&r, out, NULL)) {\n", t->lower);
    }
    ob_puts(c, "        if (!famqp_reader_failed(&r))\n");
    ob_printf(c, "            famqp_fail(&r, FAMQP_ERR_TYPE_MISMATCH, NULL, \"null instead of a %s\");\n", t->name);
    ob_puts(c, "        return 0;\n    }\n    return (size_t)(r.p - p);\n}\n\n");
}

/* famqp_<type>_decode: decode_ex with the default limits */
static void emit_decode(const type *t, outbuf *c)
{
    ob_printf(c, "size_t famqp_%s_decode(const uint8_t *p, size_t n, %s *out, famqp_error *err)\n{\n", t->lower,
              t->cstruct);
    ob_printf(c, "    return famqp_%s_decode_ex(p, n, out, NULL, err);\n}\n\n", t->lower);
}

/* ---- composites ---------------------------------------------------------- */

/* Index of the last mandatory field + 1 (0 when none is): the list count
 * never goes below it. */
static int mandatory_floor(const type *t)
{
    int floor = 0;
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].mandatory)
            floor = (int)i + 1;
    return floor;
}

/* famqp__<type>_count */
static void emit_count(const type *t, outbuf *c)
{
    size_t n = t->nfields;
    int mand_floor = mandatory_floor(t);
    ob_puts(c, "/* list count: index of the highest present or mandatory field + 1 */\n");
    ob_printf(c, "FAMQP_INLINE uint32_t famqp__%s_count(const %s *v)\n{\n", t->lower, t->cstruct);
    if (!n) {
        ob_puts(c, "    (void)v;\n    return 0;\n}\n\n");
        return;
    }
    uint64_t mask = n == 64 ? UINT64_MAX : ((UINT64_C(1) << n) - 1);
    if (mand_floor) /* the last mandatory field's bit set: at least mand_floor, never 0 */
        ob_printf(c, "    return famqp__bit_count((v->present & UINT64_C(0x%" PRIx64 ")) | UINT64_C(0x%" PRIx64
                     "));\n}\n\n", mask, UINT64_C(1) << (mand_floor - 1));
    else
        ob_printf(c, "    return famqp__bit_count(v->present & UINT64_C(0x%" PRIx64 "));\n}\n\n", mask);
}

/* famqp__<type>_body_size */
static void emit_body_size(const gen_options *o, const type *t, outbuf *c)
{
    size_t n = t->nfields;
    ob_puts(c, "/* encoded size of the first `count` list elements */\n");
    ob_printf(c, "FAMQP_INLINE size_t famqp__%s_body_size(const %s *v, uint32_t count)\n{\n", t->lower, t->cstruct);
    if (!n) {
        ob_puts(c, "    (void)v;\n    (void)count;\n    return 0;\n}\n\n");
        return;
    }
    ob_puts(c, "    size_t n = 0;\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        char *x = xasprintf("v->%s", f->member);
        char *sz = vk_size(o, vkind_of_field(f), x);
        if (f->mandatory)
            ob_printf(c, "    n += %s; /* %s */\n", sz, f->name);
        else
            ob_printf(c, "    n += (v->present & FAMQP_%s_HAS_%s) ? %s : 1u; /* %s */\n", t->upper, f->upper, sz,
                      f->name);
        free(x);
        free(sz);
    }
    ob_printf(c, "    return n - (%zuu - count); /* trailing absent fields (1-byte nulls) are dropped */\n}\n\n", n);
}

/* famqp__<type>_put_list: the exact encoding, its body size known */
static void emit_put_list(const gen_options *o, const type *t, outbuf *c)
{
    size_t n = t->nfields;
    ob_printf(c, "FAMQP_INLINE uint8_t *famqp__%s_put_list(uint8_t *p, const %s *v, uint32_t count, size_t body)\n{\n",
              t->lower, t->cstruct);
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
            ob_printf(c, "    p = (v->present & FAMQP_%s_HAS_%s) ? %s : famqp_put_null(p); /* %s */\n", t->upper,
                      f->upper, put, f->name);
        free(x);
        free(put);
    }
    ob_puts(c, "    return p;\n}\n\n");
}

/* famqp__<type>_bound: what the one-pass encoder checks the capacity
 * against (fixed-width fields at their widest, the lengths of the others) */
static void emit_bound(const gen_options *o, const type *t, outbuf *c, size_t desc_len)
{
    ob_puts(c, "/* at least the encoded size: the widest form of every field, list32 */\n");
    ob_printf(c, "FAMQP_INLINE size_t famqp__%s_bound(const %s *v)\n{\n", t->lower, t->cstruct);
    size_t fixed_part = desc_len + 9;
    outbuf var = {0};
    for (size_t i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        size_t mx = vk.kind == FK_PRIM ? prim_max_size(o, vk.prim) : 0;
        if (mx) {
            fixed_part += mx;
            continue;
        }
        char *x = xasprintf("v->%s", f->member);
        char *extra;
        if (vk.kind == FK_PRIM && prim_is_vbytes(vk.prim)) {
            fixed_part += 5;
            extra = xasprintf("%s.len", x);
        } else {
            fixed_part += 1; /* null when absent */
            extra = vk_size(o, vk, x);
        }
        if (f->mandatory)
            ob_printf(&var, "    n += %s; /* %s */\n", extra, f->name);
        else
            ob_printf(&var, "    n += (v->present & FAMQP_%s_HAS_%s) ? %s : 0u; /* %s */\n", t->upper, f->upper,
                      extra, f->name);
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

/* The list count check before field i of the one-pass encoder: past it,
 * the rest is absent and not written. */
static void emit_stop_before(size_t i, const char *ind, outbuf *c)
{
    if (i)
        ob_printf(c, "%sif (count <= %zuu)\n%s    goto done;\n", ind, i, ind);
    else
        ob_printf(c, "%sif (count == 0u)\n%s    goto done;\n", ind, ind);
}

/* famqp__<type>_put_fast: the one-pass encoder (capacity checked against
 * the bound), each field written once, the list header filled in last */
static void emit_put_fast(const gen_options *o, const type *t, outbuf *c)
{
    size_t n = t->nfields;
    int mand_floor = mandatory_floor(t);
    const char *U = t->upper;
    ob_printf(c, "/* capacity for famqp__%s_bound checked: writes each field once */\n", t->lower);
    ob_printf(c, "FAMQP_INLINE uint8_t *famqp__%s_put_fast(uint8_t *p, const %s *v, uint32_t count)\n{\n", t->lower,
              t->cstruct);
    if (!n)
        ob_puts(c, "    (void)v;\n");
    emit_descriptor_put(o, t, c);
    ob_puts(c, "    uint8_t *hdr = p, *body = p + 3; /* list header filled in last */\n    p = body;\n");
    bool any_optional = false;
    for (size_t i = 0; i < n; i++)
        any_optional |= !t->fields[i].mandatory;
    if (any_optional) /* a local: stores through p may alias *v */
        ob_puts(c, "    const uint64_t present = v->present;\n");
    /* Stop at the list count (trailing absent fields are not written). */
    bool stops = false;
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        vkind vk = vkind_of_field(f);
        const char *opt = vk.kind == FK_PRIM ? prim_put_opt(o, vk.prim) : NULL;
        char *x = xasprintf("v->%s", f->member);
        if ((int)i >= mand_floor && !opt && !f->mandatory) {
            /* a present field is below the count: the stop is only
             * needed on the absent path */
            char *put = prim_put_fast(o, vk, x);
            ob_printf(c, "    if (present & FAMQP_%s_HAS_%s) { /* %s */\n        p = %s;\n    } else {\n", U,
                      f->upper, f->name, put);
            emit_stop_before(i, "        ", c);
            ob_puts(c, "        p = famqp_put_null(p);\n    }\n");
            stops = true;
            free(put);
            free(x);
            continue;
        }
        if ((int)i >= mand_floor) {
            emit_stop_before(i, "    ", c);
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
}

/* famqp__<type>_size: the exact size of the complete encoding */
static void emit_size(const type *t, outbuf *c, size_t desc_len)
{
    const char *L = t->lower;
    ob_printf(c, "size_t famqp__%s_size(const %s *v)\n{\n", L, t->cstruct);
    ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", L);
    ob_printf(c, "    size_t body = famqp__%s_body_size(v, count);\n", L);
    ob_printf(c, "    return %zu + famqp_size_list_header(body, count) + body;\n}\n\n", desc_len);
}

/* famqp__<type>_put: the exact encoding (capacity already checked) */
static void emit_put(const type *t, outbuf *c)
{
    const char *L = t->lower;
    ob_printf(c, "uint8_t *famqp__%s_put(uint8_t *p, const %s *v)\n{\n", L, t->cstruct);
    ob_printf(c, "    uint32_t count = famqp__%s_count(v);\n", L);
    ob_printf(c, "    return famqp__%s_put_list(p, v, count, famqp__%s_body_size(v, count));\n}\n\n", L, L);
}

/* One field of famqp__<type>_read_body: got = 1 when read, 0 for null (or
 * a failure, recorded in r). */
static void emit_read_field(const type *t, const field *f, outbuf *c)
{
    vkind vk = vkind_of_field(f);
    char *x = xasprintf("out->%s", f->member);
    char *rd = vk_read(vk, x, f->name);
    const type *ct = field_checked_choices(t, f);
    ob_puts(c, "    got = 0;\n    {\n");
    /* null is taken here, no reader called: it gets the default below */
    if (vk.kind == FK_PRIM && prim_has_try(vk.prim)) {
        ob_printf(c, "        q = famqp__try_%s(p, end, &%s);\n", prim_infos[vk.prim].fn, x);
        ob_puts(c, "        if (FAMQP_LIKELY(q != NULL)) {\n            p = q;\n            got = 1;\n"
                   "        } else if (p < end && *p == FAMQP_CODE_NULL) {\n            p++;\n"
                   "        } else {\n");
        ob_printf(c, "            r->p = p;\n            got = famqp__read_%s_slow(r, &%s, \"%s\");\n"
                     "            p = r->p;\n        }\n", prim_infos[vk.prim].fn, x, f->name);
    } else {
        const type *sp = vk.kind == FK_UNION ? union_string_provider(vk.requirement) : NULL;
        if (sp) /* the usual string (an id, an address): no union reader */
            ob_printf(c, "        q = famqp__try_string(p, end, &%s.u.%s);\n"
                         "        if (FAMQP_LIKELY(q != NULL)) {\n            %s.kind = FAMQP_ANY_%s_%s;\n"
                         "            p = q;\n            got = 1;\n        } else ",
                      x, sp->lower, x, vk.requirement->upper, sp->upper);
        else
            ob_puts(c, "        ");
        ob_puts(c, "if (p < end && *p == FAMQP_CODE_NULL) {\n            p++;\n        } else {\n");
        ob_printf(c, "            r->p = p;\n            got = %s;\n            p = r->p;\n        }\n", rd);
    }
    ob_puts(c, "    }\n");
    ob_printf(c, "    if (got) {\n        out->present |= FAMQP_%s_HAS_%s;\n", t->upper, f->upper);
    if (ct) {
        char *cond = choice_condition(ct, x);
        ob_printf(c, "        if (!(%s)) {\n            r->p = p;\n", cond);
        ob_printf(c, "            famqp_fail(r, FAMQP_ERR_INVALID_VALUE, \"%s\", \"not a %s choice\");\n", f->name,
                  ct->name);
        ob_puts(c, "            p = r->p;\n        }\n");
        free(cond);
    }
    if (vk.kind == FK_UNION)
        ob_printf(c, "    } else {\n        %s.kind = FAMQP_ANY_%s_NONE; /* null */\n    }\n", x,
                  vk.requirement->upper);
    else
        ob_printf(c, "    } else {\n        %s = famqp_%s_defaults.%s; /* null: the default */\n    }\n", x, t->lower,
                  f->member);
    free(x);
    free(rd);
}

/* famqp__<type>_read_body: the complete reader of the list after the
 * descriptor */
static void emit_read_body(const type *t, outbuf *c)
{
    size_t n = t->nfields;
    ob_printf(c, "int famqp__%s_read_body(famqp_reader *r, %s *out)\n{\n", t->lower, t->cstruct);
    ob_puts(c, "    const char *outer = r->type;\n    const uint8_t *saved_end;\n    uint32_t count;\n");
    /* Every field below gets either what was read or its default, so
     * *out is not filled with the defaults first (a union that is absent
     * gets kind NONE, its body is not cleared). */
    ob_puts(c, "    out->present = 0;\n");
    ob_printf(c, "    r->type = \"%s\";\n", t->name);
    ob_printf(c, "    if (!famqp_list_enter(r, &count, &saved_end, NULL)) {\n        *out = famqp_%s_defaults;\n"
                 "        r->type = outer;\n        return 0;\n    }\n", t->lower);
    /* The position lives in a local (p, end) while fields are read with
     * the inline famqp__try_<T>: a store into *out can then not force it
     * back to memory.  Everything else goes through r (r->p = p first). */
    if (n)
        ob_puts(c, "    const uint8_t *p = r->p, *end = r->end, *q;\n    int got;\n    (void)q, (void)end;\n");
    for (size_t i = 0; i < n; i++) {
        const field *f = &t->fields[i];
        /* past the list's count: this field and every later one are
         * absent, so jump into the chain of defaults below */
        if (i)
            ob_printf(c, "    if (count <= %zuu) /* %s */\n        goto absent_%zu;\n", i, f->name, i);
        else
            ob_printf(c, "    if (count == 0u) /* %s */\n        goto absent_%zu;\n", f->name, i);
        emit_read_field(t, f, c);
    }
    if (n) {
        ob_puts(c, "    goto fields_done;\n");
        emit_absent_chain(t, c);
        ob_puts(c, "    r->p = p;\n");
        ob_printf(c, "    famqp_list_leave(r, count, count < %zuu ? count : %zuu, saved_end);\n", n, n);
    } else {
        ob_puts(c, "    famqp_list_leave(r, count, 0u, saved_end); /* no fields: all skipped */\n");
    }
    if (mandatory_floor(t)) {
        ob_puts(c, "    if (!famqp_reader_failed(r)) {\n");
        for (size_t i = 0; i < n; i++) {
            const field *f = &t->fields[i];
            if (!f->mandatory)
                continue;
            ob_printf(c, "        if (!(out->present & FAMQP_%s_HAS_%s))\n", t->upper, f->upper);
            ob_printf(c, "            famqp_fail(r, FAMQP_ERR_MISSING_MANDATORY, \"%s\", NULL);\n", f->name);
        }
        ob_puts(c, "    }\n");
    }
    ob_puts(c, "    r->type = outer;\n    return !famqp_reader_failed(r);\n}\n\n");
}

static void emit_composite(const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t desc_len = descriptor_bytes(o, t, d);
    ob_printf(c, "/* ---- %s ---- */\n\n", t->name);
    emit_defaults(t, c);
    emit_count(t, c);
    emit_body_size(o, t, c);
    emit_put_list(o, t, c);
    emit_bound(o, t, c, desc_len);
    emit_put_fast(o, t, c);
    emit_size(t, c, desc_len);
    emit_put(t, c);
    emit_read_body(t, c);
    emit_read_descriptor(t, c);
    emit_encode(t, c);
    emit_encode_exact(t, c, desc_len);
    emit_encode_full(t, c, desc_len);
    bool fast = desc_len <= 3 && has_decode_fast(t);
    if (fast)
        emit_decode_fast(o, t, c, desc_len);
    emit_decode_ex(o, t, c, desc_len, fast);
    emit_decode(t, c);
    emit_print_type(t, c);
}

/* ---- described restricted types ------------------------------------------ */

static void emit_described(const gen_options *o, const type *t, outbuf *c)
{
    uint8_t d[10];
    size_t desc_len = descriptor_bytes(o, t, d);
    const field *f = &t->fields[0];
    vkind vk = vkind_of_field(f);
    const char *L = t->lower, *S = t->cstruct;

    ob_printf(c, "/* ---- %s ---- */\n\n", t->name);
    emit_defaults(t, c);
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
    if (vk.kind == FK_VALUE) {
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
    emit_encode(t, c);
    emit_decode_ex(o, t, c, desc_len, false);
    emit_decode(t, c);
    emit_print_type(t, c);
}

/* ---- unions -------------------------------------------------------------- */

static void emit_union(const gen_options *o, const requirement *r, outbuf *c)
{
    const char *C = r->cname, *U = r->upper, *L = r->lower;
    ob_printf(c, "/* ---- any %s ---- */\n\n", r->name);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            ob_printf(c, "size_t famqp__any_%s_size(const %s *v)\n{\n    switch (v->kind) {\n", L, C);
        else
            ob_printf(c, "uint8_t *famqp__any_%s_put(uint8_t *p, const %s *v)\n{\n    switch (v->kind) {\n", L, C);
        for (size_t i = 0; i < r->nproviders; i++) {
            const type *p = r->providers[i];
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
    ob_printf(c, "size_t %s_encode_full(uint8_t *buf, size_t cap, const %s *v)\n{\n", C, C);
    bool composites = false;
    for (size_t i = 0; i < r->nproviders; i++)
        composites |= r->providers[i]->form == FORM_STRUCT && r->providers[i]->klass == C_COMPOSITE;
    if (composites) {
        ob_puts(c, "    switch (v->kind) {\n");
        for (size_t i = 0; i < r->nproviders; i++) {
            const type *p = r->providers[i];
            if (p->form == FORM_STRUCT && p->klass == C_COMPOSITE)
                ob_printf(c, "    case FAMQP_ANY_%s_%s:\n        return famqp__%s_encode_full(buf, cap, &v->u.%s);\n",
                          U, p->upper, p->lower, p->lower);
        }
        ob_puts(c, "    default: /* no list: as encode */\n        break;\n    }\n");
    }
    ob_printf(c, "    return %s_encode(buf, cap, v);\n}\n\n", C);

    /* read */
    bool described = false;
    for (size_t i = 0; i < r->nproviders; i++)
        described |= r->providers[i]->form == FORM_STRUCT;
    ob_printf(c, "int famqp__any_%s_read(famqp_reader *r, %s *out, const char *field)\n{\n", L, C);
    /* `start` is needed to keep a value whole after looking into it */
    bool needs_start = described;
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        bool closes = false;
        for (size_t k = 0; k < r->nproviders; k++)
            closes |= r->providers[k]->form == FORM_PRIM && r->providers[k]->prim == p->prim && !r->providers[k]->nchoices;
        needs_start |= p->form == FORM_PRIM && !closes;
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
        for (size_t i = 0; i < r->nproviders; i++) {
            const type *p = r->providers[i];
            if (p->form != FORM_STRUCT || !p->desc_name)
                continue;
            ob_printf(c, "            %sif (famqp_symbol_eq(name, FAMQP_%s_NAME))\n                code = FAMQP_%s_CODE;\n",
                      first ? "" : "else ", p->upper, p->upper);
            first = false;
        }
        ob_puts(c, "        }\n        switch (code) {\n");
        for (size_t i = 0; i < r->nproviders; i++) {
            const type *p = r->providers[i];
            if (p->form != FORM_STRUCT)
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
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        if (p->form != FORM_PRIM || done[p->prim])
            continue;
        done[p->prim] = true;
        const prim_info *pi = &prim_infos[p->prim];
        ob_printf(c, "    if (famqp_codes_%s[*r->p]) {\n", pi->name);
        ob_printf(c, "        %s value;\n", pi->ctype);
        ob_printf(c, "        if (!famqp_read_%s(r, &value, field))\n            return 0;\n", pi->fn);
        bool closed = false;
        for (size_t k = i; k < r->nproviders && !closed; k++) {
            const type *q = r->providers[k];
            if (q->form != FORM_PRIM || q->prim != p->prim)
                continue;
            const char *ind = "        ";
            if (q->nchoices) {
                if (q->prim == P_SYMBOL)
                    ob_printf(c, "        if (famqp_%s_from_symbol(value) >= 0) {\n", q->lower);
                else if (q->prim == P_STRING)
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
    emit_print_union(r, c);
}

static void flat_described(void *ctx, const model *m, const gen_options *o, const type *t, outbuf *c)
{
    (void)ctx, (void)m;
    if (t->klass == C_COMPOSITE)
        emit_composite(o, t, c);
    else
        emit_described(o, t, c);
}

static void flat_any(void *ctx, const model *m, const gen_options *o, const requirement *r, outbuf *c)
{
    (void)ctx, (void)m;
    emit_union(o, r, c);
}

void emit_codec(const model *m, const gen_options *o, int file, outbuf *c)
{
    const spec_file_emitter flat = {
        .contents = "codecs and printers of the types it declares",
        .includes = "#include <string.h>\n\n#include \"famqp_spec.h\"\n#include \"famqp_spec_internal.h\"\n\n",
        .described = flat_described,
        .any = flat_any,
    };
    emit_spec_file(m, o, file, &flat, c);
}

