/* Every semantic check of the model, each reported as file:line: error.
 * Also fills in what the checks compute: resolved C kinds, descriptor
 * codes, C initializers of defaults and choices, the declaration order. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "names.h"

void model_collect_reqs(model *m);

#define AT(t) model_file(m, (t)->file), (t)->line

/* ---- literal values ------------------------------------------------------ */

static bool parse_int(const char *s, bool is_signed, long long lo, unsigned long long hi, char **c,
                      const char *fmt_suffix)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    if (is_signed) {
        long long v = strtoll(s, &end, 0);
        if (errno || *end || v < lo || (v > 0 && (unsigned long long)v > hi))
            return false;
        if (v == INT64_MIN)
            *c = xstrdup("INT64_MIN");
        else
            *c = xasprintf("%s(%lld)", fmt_suffix, v);
        return true;
    }
    if (*s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > hi)
        return false;
    *c = xasprintf("%s(%llu)", fmt_suffix, v);
    return true;
}

/* Decodes one UTF-8 sequence; returns its length or 0. */
static int utf8_one(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    int n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!n)
        return 0;
    uint32_t v = s[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return n;
}

/* C string literal of arbitrary bytes (octal escapes outside printable ASCII). */
static char *c_string(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 3), *o = out;
    if (!out)
        exit(2);
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p >= 0x20 && *p < 0x7f) {
            *o++ = (char)*p;
        } else {
            o += sprintf(o, "\\%03o", *p);
        }
    }
    *o++ = '"';
    *o = 0;
    return out;
}

/* C expression of literal s as a value of primitive p, or NULL with *why. */
static char *parse_literal(prim p, const char *s, const char **why)
{
    char *c = NULL;
    *why = NULL;
    switch (p) {
    case P_BOOLEAN:
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
            return xstrdup(s);
        *why = "expected true or false";
        return NULL;
    case P_UBYTE: if (parse_int(s, false, 0, UINT8_MAX, &c, "UINT8_C")) return c; break;
    case P_USHORT: if (parse_int(s, false, 0, UINT16_MAX, &c, "UINT16_C")) return c; break;
    case P_UINT: if (parse_int(s, false, 0, UINT32_MAX, &c, "UINT32_C")) return c; break;
    case P_ULONG: if (parse_int(s, false, 0, UINT64_MAX, &c, "UINT64_C")) return c; break;
    case P_BYTE: if (parse_int(s, true, INT8_MIN, INT8_MAX, &c, "INT8_C")) return c; break;
    case P_SHORT: if (parse_int(s, true, INT16_MIN, INT16_MAX, &c, "INT16_C")) return c; break;
    case P_INT: if (parse_int(s, true, INT32_MIN, INT32_MAX, &c, "INT32_C")) return c; break;
    case P_LONG:
    case P_TIMESTAMP:
        if (parse_int(s, true, INT64_MIN, INT64_MAX, &c, "INT64_C")) return c;
        break;
    case P_FLOAT:
    case P_DOUBLE: {
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (!*s || *end || errno || !isfinite(d)) {
            *why = "expected a finite number";
            return NULL;
        }
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", d);
        if (!strpbrk(buf, ".e"))
            strcat(buf, ".0");
        return p == P_FLOAT ? xasprintf("%sf", buf) : xstrdup(buf);
    }
    case P_CHAR: {
        uint32_t cp;
        int n = utf8_one((const unsigned char *)s, &cp);
        if (n && !s[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff))
            return xasprintf("UINT32_C(0x%" PRIx32 ")", cp);
        *why = "expected exactly one Unicode character";
        return NULL;
    }
    case P_SYMBOL:
        for (const unsigned char *q = (const unsigned char *)s; *q; q++)
            if (*q < 0x20 || *q > 0x7e) {
                *why = "a symbol is printable ASCII";
                return NULL;
            }
        {
            char *lit = c_string(s);
            c = xasprintf("{%s, %zu}", lit, strlen(s));
            free(lit);
            return c;
        }
    case P_STRING: {
        char *lit = c_string(s);
        c = xasprintf("{%s, %zu}", lit, strlen(s));
        free(lit);
        return c;
    }
    default:
        *why = "literal values are not supported for this type";
        return NULL;
    }
    *why = "not an integer in range";
    return NULL;
}

/* ---- resolution ---------------------------------------------------------- */

/* Resolves what a type is in C; reports unknown and cyclic sources. */
static void resolve(model *m, type *t)
{
    if (t->form != FORM_NONE || t->visit) /* done, in progress (cycle) or failed */
        return;
    if (t->klass == C_PRIMITIVE) {
        int p = prim_by_name(t->name);
        if (p < 0) {
            report(AT(t), "primitive type %s is not one the runtime implements", t->name);
            t->visit = 3;
            return;
        }
        t->form = FORM_PRIM;
        t->prim = (prim)p;
        return;
    }
    if (t->klass == C_COMPOSITE || t->described) {
        t->form = FORM_STRUCT;
        t->struct_type = t;
        if (t->klass == C_COMPOSITE)
            return;
    }
    /* restricted */
    if (!t->raw->source) {
        report(AT(t), "restricted type %s has no source", t->name);
        t->visit = 3;
        return;
    }
    if (t->src_any) {
        if (!t->described)
            t->form = FORM_ANY;
        return;
    }
    if (!t->src) {
        report(AT(t), "restricted type %s: unknown source type %s", t->name, t->raw->source);
        t->visit = 3;
        return;
    }
    if (t->src->visit == 1) {
        report(AT(t), "restricted type %s: its source chain through %s is cyclic", t->name, t->src->name);
        t->visit = 3;
        return;
    }
    t->visit = 1;
    resolve(m, t->src);
    t->visit = 0;
    if (t->src->form == FORM_NONE) {
        t->visit = 3; /* reported at the source */
        return;
    }
    if (t->described)
        return;
    t->form = t->src->form;
    t->prim = t->src->prim;
    t->struct_type = t->src->struct_type;
}

static bool parse_code(const char *s, uint64_t *out)
{
    unsigned long long hi, lo;
    char x1, x2;
    int used = 0;
    if (!s || sscanf(s, "0%c%llx:0%c%llx%n", &x1, &hi, &x2, &lo, &used) != 4 || s[used] ||
        (x1 != 'x' && x1 != 'X') || (x2 != 'x' && x2 != 'X') || hi > 0xffffffffULL || lo > 0xffffffffULL)
        return false;
    *out = (hi << 32) | lo;
    return true;
}

static void check_primitive(model *m, type *t)
{
    const char *base = model_file(m, t->file);
    for (size_t i = 0; i < t->raw->nencodings; i++) {
        const raw_encoding *e = &t->raw->encodings[i];
        char *end;
        if (!e->code || !e->category)
            continue;
        unsigned long v = strtoul(e->code, &end, 16);
        if (*end || v > 0xff)
            report(base, e->line, "encoding of %s: code %s is not one byte", t->name, e->code);
        if (strcmp(e->category, "fixed") && strcmp(e->category, "variable") && strcmp(e->category, "compound") &&
            strcmp(e->category, "array"))
            report(base, e->line, "encoding of %s: unknown category %s", t->name, e->category);
        if (e->width && (strtoul(e->width, &end, 10), *end))
            report(base, e->line, "encoding of %s: width %s is not a number", t->name, e->width);
    }
}

static void check_descriptor(model *m, type *t)
{
    if (!t->described) {
        if (t->klass == C_COMPOSITE)
            report(AT(t), "composite type %s has no descriptor", t->name);
        return;
    }
    const char *base = model_file(m, t->file);
    if (t->klass == C_PRIMITIVE)
        report(base, t->raw->desc_line, "primitive type %s cannot have a descriptor", t->name);
    if (t->raw->desc_code) {
        if (parse_code(t->raw->desc_code, &t->code))
            t->has_code = true;
        else
            report(base, t->raw->desc_line, "descriptor code \"%s\" of %s is not 0xHHHHHHHH:0xHHHHHHHH",
                   t->raw->desc_code, t->name);
    } else {
        report(base, t->raw->desc_line, "descriptor of %s has no code", t->name);
    }
    for (size_t i = 0; i < m->ntypes; i++) {
        type *o = m->types[i];
        if (o == t)
            break;
        if (!o->described)
            continue;
        if (t->desc_name && o->desc_name && strcmp(t->desc_name, o->desc_name) == 0)
            report(base, t->raw->desc_line, "duplicate descriptor name %s (also used by %s at %s:%d)",
                   t->desc_name, o->name, AT(o));
        if (t->has_code && o->has_code && t->code == o->code)
            report(base, t->raw->desc_line, "duplicate descriptor code %s (also used by %s at %s:%d)",
                   t->raw->desc_code, o->name, AT(o));
    }
}

static void check_choices(model *m, type *t)
{
    const char *base = model_file(m, t->file);
    if (!t->nchoices)
        return;
    if (t->klass != C_RESTRICTED || t->form != FORM_PRIM) {
        if (t->form != FORM_NONE)
            report(AT(t), "type %s has choices but its source is not a primitive type", t->name);
        return;
    }
    for (size_t i = 0; i < t->nchoices; i++) {
        choice *c = &t->choices[i];
        const char *why;
        c->c_value = parse_literal(t->prim, c->value, &why);
        if (!c->c_value)
            report(base, c->line, "choice %s of %s: value \"%s\" is not a valid %s (%s)", c->name, t->name,
                   c->value, prim_infos[t->prim].name, why);
        for (size_t k = 0; k < i; k++)
            if (strcmp(t->choices[k].name, c->name) == 0)
                report(base, c->line, "duplicate choice name %s in %s", c->name, t->name);
    }
}

static void check_fields(model *m, type *t)
{
    const char *base = model_file(m, t->file);
    if (t->klass == C_COMPOSITE && t->raw->source && strcmp(t->raw->source, "list") != 0)
        report(AT(t), "composite type %s: source must be list, not %s", t->name, t->raw->source);
    if (t->klass != C_COMPOSITE && t->raw->nfields)
        report(AT(t), "type %s has fields but is not composite", t->name);
    if (t->nfields > 64)
        report(AT(t), "composite type %s has %zu fields, more than 64", t->name, t->nfields);
    if (t->klass != C_COMPOSITE)
        return;
    for (size_t i = 0; i < t->nfields; i++) {
        field *f = &t->fields[i];
        const raw_field *rf = f->raw;
        if (!rf->name || !rf->type)
            continue;
        if (!name_is_valid(f->name))
            report(base, f->line, "field name \"%s\" cannot become a C identifier", f->name);
        for (size_t k = 0; k < i; k++)
            if (strcmp(t->fields[k].member, f->member) == 0)
                report(base, f->line, "duplicate field name %s in %s", f->name, t->name);
        bool any = strcmp(rf->type, "*") == 0;
        if (!any && !f->t) {
            report(base, f->line, "field %s of %s: unknown type %s", f->name, t->name, rf->type);
            continue;
        }
        if (f->t && f->t->form == FORM_PRIM && f->t->prim == P_NULL && !f->multiple)
            report(base, f->line, "field %s of %s: type null carries no value", f->name, t->name);
        if (f->multiple && (any || f->t->form != FORM_PRIM || f->t->prim == P_NULL || f->t->prim == P_LIST ||
                            f->t->prim == P_MAP || f->t->prim == P_ARRAY))
            report(base, f->line, "field %s of %s: multiple=\"true\" needs a primitive type, not %s", f->name,
                   t->name, rf->type);
        if (rf->def && f->mandatory)
            report(base, f->line, "field %s of %s is mandatory and has a default", f->name, t->name);
        if (rf->def && !f->mandatory) {
            const char *why = NULL;
            const type *ct = field_choice_type(f);
            if (any || f->multiple || !f->t || f->t->form != FORM_PRIM) {
                if (f->t && f->t->form == FORM_NONE)
                    continue;
                report(base, f->line, "field %s of %s: default \"%s\" does not parse for type %s", f->name,
                       t->name, rf->def, rf->type);
            } else if (ct) {
                const choice *c = NULL;
                for (size_t k = 0; k < ct->nchoices; k++)
                    if (strcmp(ct->choices[k].name, rf->def) == 0)
                        c = &ct->choices[k];
                if (!c)
                    report(base, f->line, "field %s of %s: default \"%s\" names no choice of %s", f->name,
                           t->name, rf->def, ct->name);
                else if (c->c_value)
                    f->def_c = xstrdup(c->c_value);
            } else {
                f->def_c = parse_literal(f->t->prim, rf->def, &why);
                if (!f->def_c)
                    report(base, f->line, "field %s of %s: default \"%s\" does not parse for type %s (%s)",
                           f->name, t->name, rf->def, rf->type, why);
            }
        }
    }
}

/* ---- by-value containment and declaration order ------------------------ */

static int walk_req(model *m, requirement *r, type *from);

/* Depth-first over by-value containment; appends to m->order after the
 * dependencies.  Returns nonzero on a cycle (reported once, at `t`). */
static int walk_type(model *m, type *t)
{
    if (t->visit == 2)
        return 0;
    if (t->visit == 1) {
        report(AT(t), "composite type %s contains itself by value", t->name);
        return 1;
    }
    t->visit = 1;
    for (size_t i = 0; i < t->nfields; i++) {
        field *f = &t->fields[i];
        int bad = 0;
        if (field_is_struct(f))
            bad = walk_type(m, f->t->struct_type);
        else if (f->requirement)
            bad = walk_req(m, f->requirement, t);
        if (bad) {
            t->visit = 2;
            return 1;
        }
    }
    t->visit = 2;
    m->order = realloc(m->order, (m->norder + 1) * sizeof *m->order);
    m->order[m->norder].t = t;
    m->order[m->norder].r = NULL;
    m->norder++;
    return 0;
}

static int walk_req(model *m, requirement *r, type *from)
{
    if (r->visit == 2)
        return 0;
    if (r->visit == 1) {
        if (from)
            report(AT(from), "composite type %s contains itself by value (through %s)", from->name, r->name);
        return 1;
    }
    r->visit = 1;
    for (size_t i = 0; i < r->nproviders; i++) {
        type *p = r->providers[i];
        if (p->form == FORM_STRUCT && p->struct_type == p && walk_type(m, p)) {
            r->visit = 2;
            return 1;
        }
    }
    r->visit = 2;
    m->order = realloc(m->order, (m->norder + 1) * sizeof *m->order);
    m->order[m->norder].t = NULL;
    m->order[m->norder].r = r;
    m->norder++;
    return 0;
}

static void check_providers(model *m)
{
    for (size_t i = 0; i < m->nreqs; i++) {
        requirement *r = m->reqs[i];
        for (size_t k = 0; k < r->nproviders; k++) {
            type *p = r->providers[k];
            if (p->klass == C_PRIMITIVE)
                report(AT(p), "primitive type %s cannot provide %s", p->name, r->name);
            else if (p->form == FORM_STRUCT && p->struct_type != p)
                report(AT(p), "type %s provides %s but is neither described nor primitive (its source %s is)",
                       p->name, r->name, p->struct_type->name);
            else if (p->form == FORM_ANY)
                report(AT(p), "type %s provides %s but accepts any value, so no value could be told apart",
                       p->name, r->name);
            else if (p->form == FORM_PRIM && p->prim == P_NULL)
                report(AT(p), "type %s provides %s but is null", p->name, r->name);
        }
    }
}

int model_validate(model *m)
{
    int before = report_count();
    for (size_t i = 0; i < m->ntypes; i++) {
        type *t = m->types[i];
        if (t->klass == C_PRIMITIVE)
            check_primitive(m, t);
        if (t->klass != C_RESTRICTED && t->raw->source && t->klass == C_PRIMITIVE)
            report(AT(t), "primitive type %s cannot have a source", t->name);
        resolve(m, t);
        check_descriptor(m, t);
    }
    /* described restricted types: their "value" pseudo-field */
    for (size_t i = 0; i < m->ntypes; i++) {
        type *t = m->types[i];
        if (t->klass == C_RESTRICTED && t->described && t->nfields)
            t->fields[0].t = t->src;
    }
    for (size_t i = 0; i < m->ntypes; i++)
        check_choices(m, m->types[i]);
    for (size_t i = 0; i < m->ntypes; i++)
        check_fields(m, m->types[i]);
    if (report_count() != before)
        return report_count() - before;
    model_collect_reqs(m);
    check_providers(m);
    if (report_count() != before)
        return report_count() - before;
    for (size_t i = 0; i < m->ntypes; i++)
        m->types[i]->visit = 0;
    for (size_t i = 0; i < m->ntypes; i++) {
        type *t = m->types[i];
        if (type_has_struct(t) && walk_type(m, t))
            break;
    }
    for (size_t i = 0; i < m->nreqs; i++)
        if (walk_req(m, m->reqs[i], NULL))
            break;
    return report_count() - before;
}
