/* Builds the type model from raw declarations: one entry per type name
 * (a replaces="true" type takes the original's place), resolution of type
 * references, requirements and the order structs and unions are declared. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

const prim_info prim_infos[P_COUNT] = {
    [P_NULL] = {"null", "bool", "null", false, false},
    [P_BOOLEAN] = {"boolean", "bool", "bool", false, true},
    [P_UBYTE] = {"ubyte", "uint8_t", "ubyte", false, false},
    [P_USHORT] = {"ushort", "uint16_t", "ushort", false, false},
    [P_UINT] = {"uint", "uint32_t", "uint", false, true},
    [P_ULONG] = {"ulong", "uint64_t", "ulong", false, true},
    [P_BYTE] = {"byte", "int8_t", "byte", false, false},
    [P_SHORT] = {"short", "int16_t", "short", false, false},
    [P_INT] = {"int", "int32_t", "int", false, true},
    [P_LONG] = {"long", "int64_t", "long", false, true},
    [P_FLOAT] = {"float", "float", "float", false, false},
    [P_DOUBLE] = {"double", "double", "double", false, false},
    [P_DECIMAL32] = {"decimal32", "famqp_decimal32", "decimal32", false, false},
    [P_DECIMAL64] = {"decimal64", "famqp_decimal64", "decimal64", false, false},
    [P_DECIMAL128] = {"decimal128", "famqp_decimal128", "decimal128", false, false},
    [P_CHAR] = {"char", "uint32_t", "char", false, false},
    [P_TIMESTAMP] = {"timestamp", "int64_t", "timestamp", false, false},
    [P_UUID] = {"uuid", "famqp_uuid", "uuid", false, false},
    [P_BINARY] = {"binary", "famqp_binary", "binary", false, false},
    [P_STRING] = {"string", "famqp_string", "string", false, false},
    [P_SYMBOL] = {"symbol", "famqp_symbol", "symbol", false, false},
    [P_LIST] = {"list", "famqp_list", "list", true, false},
    [P_MAP] = {"map", "famqp_map", "map", true, false},
    [P_ARRAY] = {"array", "famqp_array", "array", true, false},
};

int prim_by_name(const char *name)
{
    for (int i = 0; i < P_COUNT; i++)
        if (name && strcmp(prim_infos[i].name, name) == 0)
            return i;
    return -1;
}

type *model_find(const model *m, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < m->ntypes; i++)
        if (strcmp(m->types[i]->name, name) == 0)
            return m->types[i];
    return NULL;
}

requirement *model_find_req(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nreqs; i++)
        if (strcmp(m->reqs[i]->name, name) == 0)
            return m->reqs[i];
    return NULL;
}

const char *model_file(const model *m, int file) { return m->files[file].base; }

bool type_has_struct(const type *t)
{
    return t->klass == C_COMPOSITE || (t->klass == C_RESTRICTED && t->described);
}

bool field_is_struct(const field *f) { return f->t && !f->multiple && f->t->form == FORM_STRUCT; }

bool type_checks_choices(const type *t)
{
    return t && t->nchoices && t->form == FORM_PRIM && t->prim != P_SYMBOL && t->prim != P_STRING;
}

const type *field_choice_type(const field *f)
{
    for (const type *t = f->t; t && t->klass == C_RESTRICTED && !t->described; t = t->src)
        if (t->nchoices)
            return t;
    return NULL;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    return p;
}

static void *xgrow(void *p, size_t n, size_t size)
{
    p = realloc(p, (n ? n : 1) * size);
    if (!p) {
        fprintf(stderr, "famqp-gen: out of memory\n");
        exit(2);
    }
    return p;
}

/* "delivery-state, outcome" -> {"delivery-state", "outcome"} */
static void split_provides(type *t, const char *list)
{
    if (!list)
        return;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
            p++;
        const char *s = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (p > s) {
            t->provides = xgrow(t->provides, t->nprovides + 1, sizeof *t->provides);
            t->provides[t->nprovides++] = strndup(s, (size_t)(p - s));
        }
    }
}

static tclass class_of(const char *k, bool *ok)
{
    *ok = true;
    if (k && strcmp(k, "primitive") == 0)
        return C_PRIMITIVE;
    if (k && strcmp(k, "restricted") == 0)
        return C_RESTRICTED;
    if (k && strcmp(k, "composite") == 0)
        return C_COMPOSITE;
    *ok = false;
    return C_RESTRICTED;
}

static type *make_type(const model *m, int file, const raw_type *rt)
{
    type *t = xcalloc(1, sizeof *t);
    const char *base = model_file(m, file);
    bool ok;
    t->name = xstrdup(rt->name);
    t->raw = rt;
    t->file = t->out_file = file;
    t->line = rt->line;
    t->klass = class_of(rt->klass, &ok);
    if (!ok)
        report(base, rt->line, "type %s: class \"%s\" is not primitive, restricted or composite", t->name,
               rt->klass ? rt->klass : "");
    if (!name_is_valid(t->name))
        report(base, rt->line, "type name \"%s\" cannot become a C identifier", t->name);
    t->lower = name_lower(t->name);
    t->upper = name_upper(t->name);
    t->cstruct = name_struct(t->name);
    split_provides(t, rt->provides);
    t->described = rt->has_descriptor;
    t->desc_name = rt->desc_name ? xstrdup(rt->desc_name) : NULL;
    t->choices = xcalloc(rt->nchoices, sizeof *t->choices);
    t->nchoices = rt->nchoices;
    for (size_t i = 0; i < rt->nchoices; i++) {
        t->choices[i].name = xstrdup(rt->choices[i].name);
        t->choices[i].value = xstrdup(rt->choices[i].value);
        t->choices[i].upper = name_upper(rt->choices[i].name);
        t->choices[i].line = rt->choices[i].line;
    }
    return t;
}

/* Fields are created once every type is known, so they can be resolved. */
static void make_fields(model *m, type *t)
{
    const raw_type *rt = t->raw;
    if (t->klass == C_COMPOSITE) {
        t->fields = xcalloc(rt->nfields, sizeof *t->fields);
        t->nfields = rt->nfields;
        for (size_t i = 0; i < rt->nfields; i++) {
            field *f = &t->fields[i];
            f->raw = &rt->fields[i];
            f->name = xstrdup(f->raw->name);
            f->member = name_member(f->name);
            f->upper = name_upper(f->name);
            f->mandatory = f->raw->mandatory;
            f->multiple = f->raw->multiple;
            f->index = (int)i;
            f->line = f->raw->line;
            if (f->raw->type && strcmp(f->raw->type, "*") != 0)
                f->t = model_find(m, f->raw->type);
        }
    } else if (t->klass == C_RESTRICTED && t->described) {
        /* the described value itself, as one field named "value" */
        t->fields = xcalloc(1, sizeof *t->fields);
        t->nfields = 1;
        field *f = &t->fields[0];
        f->name = xstrdup("value");
        f->member = xstrdup("value");
        f->upper = xstrdup("VALUE");
        f->line = t->line;
        f->t = t->src;
        f->mandatory = !t->src_any;
    }
}

int model_build(model *m, spec_file *files, size_t nfiles)
{
    int before = report_count();
    memset(m, 0, sizeof *m);
    m->files = files;
    m->nfiles = nfiles;
    for (size_t fi = 0; fi < nfiles; fi++) {
        spec_file *sf = &files[fi];
        for (size_t i = 0; i < sf->ntypes; i++) {
            const raw_type *rt = &sf->types[i];
            if (!rt->name || !rt->klass)
                continue; /* already reported by the parser */
            type *old = model_find(m, rt->name);
            type *t = make_type(m, (int)fi, rt);
            m->all = xgrow(m->all, m->nall + 1, sizeof *m->all);
            m->all[m->nall++] = t;
            if (old && !rt->replaces) {
                report(sf->base, rt->line, "duplicate type name %s (first defined at %s:%d)", rt->name,
                       model_file(m, old->file), old->line);
                continue;
            }
            if (!old && rt->replaces) {
                report(sf->base, rt->line, "type %s has replaces=\"true\" but no earlier file defines it",
                       rt->name);
                continue;
            }
            if (old) {
                /* the replacement is emitted where the original was */
                t->out_file = old->out_file;
                for (size_t k = 0; k < m->ntypes; k++)
                    if (m->types[k] == old)
                        m->types[k] = t;
                continue;
            }
            m->types = xgrow(m->types, m->ntypes + 1, sizeof *m->types);
            m->types[m->ntypes++] = t;
        }
        for (size_t i = 0; i < sf->ndefs; i++) {
            if (!sf->defs[i].name || !sf->defs[i].value)
                continue;
            for (size_t k = 0; k < m->ndefs; k++)
                if (strcmp(m->defs[k].name, sf->defs[i].name) == 0)
                    report(sf->base, sf->defs[i].line, "duplicate definition %s (first defined at %s:%d)",
                           sf->defs[i].name, model_file(m, m->defs[k].file), m->defs[k].line);
            m->defs = xgrow(m->defs, m->ndefs + 1, sizeof *m->defs);
            definition *d = &m->defs[m->ndefs++];
            d->name = xstrdup(sf->defs[i].name);
            d->upper = name_upper(d->name);
            d->value = xstrdup(sf->defs[i].value);
            d->file = (int)fi;
            d->line = sf->defs[i].line;
        }
    }
    /* resolve restricted sources, then fields */
    for (size_t i = 0; i < m->ntypes; i++) {
        type *t = m->types[i];
        if (t->klass == C_RESTRICTED && t->raw->source) {
            if (strcmp(t->raw->source, "*") == 0)
                t->src_any = true;
            else
                t->src = model_find(m, t->raw->source);
        }
    }
    for (size_t i = 0; i < m->ntypes; i++)
        make_fields(m, m->types[i]);
    return report_count() - before;
}

/* ---- requirements ------------------------------------------------------ */

static requirement *add_req(model *m, const char *name, int out_file)
{
    requirement *r = model_find_req(m, name);
    if (r)
        return r;
    r = xcalloc(1, sizeof *r);
    r->name = xstrdup(name);
    r->lower = name_lower(name);
    r->upper = name_upper(name);
    r->cname = xasprintf("famqp_any_%s", r->lower);
    r->out_file = out_file;
    m->reqs = xgrow(m->reqs, m->nreqs + 1, sizeof *m->reqs);
    m->reqs[m->nreqs++] = r;
    return r;
}

/* Called by model_validate before the checks that need unions. */
void model_collect_reqs(model *m);
void model_collect_reqs(model *m)
{
    for (size_t i = 0; i < m->ntypes; i++) {
        type *t = m->types[i];
        for (size_t k = 0; k < t->nprovides; k++) {
            requirement *r = add_req(m, t->provides[k], t->out_file);
            r->providers = xgrow(r->providers, r->nproviders + 1, sizeof *r->providers);
            r->providers[r->nproviders++] = t;
        }
        if (t->klass != C_COMPOSITE)
            continue;
        for (size_t k = 0; k < t->nfields; k++) {
            field *f = &t->fields[k];
            if (f->raw->type && strcmp(f->raw->type, "*") == 0 && f->raw->requires)
                f->requirement = add_req(m, f->raw->requires, t->out_file);
        }
    }
}
