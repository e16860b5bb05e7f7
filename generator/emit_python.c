/* --emit python: famqp_python.c, the conversions between the flat C
 * structs of famqp_spec.h and the Python classes of the flatamqp extension.
 *
 * Per composite and described restricted type T (class index I):
 *   static PyObject *py_from_T(famqp_py_dec *d, const famqp_T *v);
 *       a new instance of class I (a namedtuple: absent fields are None)
 *   static int py_to_T(famqp_py_enc *e, PyObject *o, famqp_T *v);
 *       0, or -1 with a Python exception naming the type and field
 * and per union famqp_any_R the same pair (None <-> NONE, a provider's
 * class or Python type picks the member, anything else is OTHER).  The
 * primitive conversions they call (famqp_py_from_<prim>, _to_<prim>,
 * _fits_<prim>, multiple fields, any value) are hand-written in python/src/
 * and declared in famqp_py.h.  The table famqp_py_types[] lists each
 * class: name, AMQP name, descriptor, field names, and type-erased encode
 * and decode functions. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "emit_python.h"
#include "names.h"

char *python_class_name(const char *amqp)
{
    char *s = xstrdup(amqp);
    size_t o = 0;
    bool up = true;
    for (const char *p = amqp; *p; p++) {
        if (*p == '-' || *p == '_') {
            up = true;
            continue;
        }
        s[o++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    s[o] = '\0';
    return s;
}

static const char *const python_keywords[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
    "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
    "yield", NULL,
};

char *python_field_name(const char *amqp)
{
    char *s = name_lower(amqp);
    for (int i = 0; python_keywords[i]; i++) {
        if (strcmp(s, python_keywords[i]) == 0) {
            char *t = xasprintf("%s_", s);
            free(s);
            return t;
        }
    }
    return s;
}

/* The zero-copy rule: the value of a described restricted binary type (the
 * data section) is a memoryview into the input; other binaries are bytes. */
static bool zero_copy_binary(const type *owner, const vkind *k)
{
    return owner && owner->klass == C_RESTRICTED && k->kind == FK_PRIM && k->prim == P_BINARY;
}

/* C to Python expression of a value of kind k at `x` (an lvalue). */
static char *from_expr(const type *owner, vkind k, const char *x)
{
    switch (k.kind) {
    case FK_PRIM:
        if (zero_copy_binary(owner, &k))
            return xasprintf("famqp_py_from_binary_view(d, &%s)", x);
        return xasprintf("famqp_py_from_%s(d, &%s)", prim_infos[k.prim].fn, x);
    case FK_MULTI: return xasprintf("famqp_py_from_multiple_%s(d, &%s)", prim_infos[k.prim].fn, x);
    case FK_STRUCT: return xasprintf("py_from_%s(d, &%s)", k.struct_type->lower, x);
    case FK_UNION: return xasprintf("py_from_any_%s(d, &%s)", k.requirement->lower, x);
    case FK_VALUE: return xasprintf("famqp_py_from_value(d, &%s)", x);
    }
    return xstrdup("NULL");
}

/* Python (object `o`) to C call filling `x`: 0 or -1. */
static char *to_expr(vkind k, const char *o, const char *x)
{
    switch (k.kind) {
    case FK_PRIM: return xasprintf("famqp_py_to_%s(e, %s, &%s)", prim_infos[k.prim].fn, o, x);
    case FK_MULTI: return xasprintf("famqp_py_to_multiple_%s(e, %s, &%s)", prim_infos[k.prim].fn, o, x);
    case FK_STRUCT: return xasprintf("py_to_%s(e, %s, &%s)", k.struct_type->lower, o, x);
    case FK_UNION: return xasprintf("py_to_any_%s(e, %s, &%s)", k.requirement->lower, o, x);
    case FK_VALUE: return xasprintf("famqp_py_to_value(e, %s, &%s)", o, x);
    }
    return xstrdup("-1");
}

/* Index of each described type in famqp_py_types[] (declaration order). */
static int class_index(const model *m, const type *t)
{
    int n = 0;
    for (size_t i = 0; i < m->ntypes; i++) {
        if (!type_has_struct(m->types[i]))
            continue;
        if (m->types[i] == t)
            return n;
        n++;
    }
    return -1;
}

static void emit_type(const model *m, const type *t, outbuf *c)
{
    const char *L = t->lower, *S = t->cstruct;
    bool composite = t->klass == C_COMPOSITE;
    int idx = class_index(m, t);

    ob_printf(c, "/* %s */\n", t->name);
    ob_printf(c, "static PyObject *py_from_%s(famqp_py_dec *d, const %s *v)\n{\n", L, S);
    if (!t->nfields) {
        ob_printf(c, "    (void)d;\n    (void)v;\n    return famqp_py_new(%d, 0);\n}\n\n", idx);
    } else {
        ob_printf(c, "    PyObject *o = famqp_py_new(%d, %zu);\n    if (!o)\n        return NULL;\n", idx, t->nfields);
        ob_puts(c, "    PyObject *x;\n");
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        char *lv = xasprintf("v->%s", f->member);
        char *fx = from_expr(t, vkind_of_field(f), lv);
        if (composite)
            ob_printf(c, "    x = v->present & FAMQP_%s_HAS_%s ? %s : famqp_py_none();\n", t->upper, f->upper, fx);
        else
            ob_printf(c, "    x = %s;\n", fx);
        ob_printf(c, "    if (!x)\n        goto fail;\n    PyTuple_SET_ITEM(o, %zu, x);\n", i);
        free(lv);
        free(fx);
    }
    if (t->nfields)
        ob_puts(c, "    return o;\nfail:\n    Py_DECREF(o);\n    return NULL;\n}\n\n");

    ob_printf(c, "static int py_to_%s(famqp_py_enc *e, PyObject *o, %s *v)\n{\n", L, S);
    ob_printf(c, "    if (famqp_py_check(o, %d, %zu, \"%s\"))\n        return -1;\n", idx, t->nfields, t->name);
    ob_puts(c, t->nfields ? "    memset(v, 0, sizeof *v);\n    PyObject *x;\n" : "    (void)e;\n    memset(v, 0, sizeof *v);\n");
    for (size_t i = 0; i < t->nfields; i++) {
        const field *f = &t->fields[i];
        char *lv = xasprintf("v->%s", f->member);
        char *tx = to_expr(vkind_of_field(f), "x", lv);
        ob_printf(c, "    x = PyTuple_GET_ITEM(o, %zu);\n", i);
        if (composite) {
            ob_puts(c, "    if (x != Py_None) {\n");
            ob_printf(c, "        if (%s)\n            return famqp_py_field_error(\"%s\", \"%s\");\n", tx, t->name,
                      f->name);
            ob_printf(c, "        v->present |= FAMQP_%s_HAS_%s;\n    }", t->upper, f->upper);
            if (f->mandatory)
                ob_printf(c, " else {\n        return famqp_py_missing(\"%s\", \"%s\");\n    }\n", t->name, f->name);
            else
                ob_puts(c, "\n");
        } else {
            ob_printf(c, "    if (%s)\n        return famqp_py_field_error(\"%s\", \"%s\");\n", tx, t->name, f->name);
        }
        free(lv);
        free(tx);
    }
    ob_puts(c, "    return 0;\n}\n\n");

    /* type-erased entry points of the table */
    ob_printf(c, "static size_t put_%s(uint8_t *buf, size_t cap, const void *v)\n{\n"
                 "    return famqp_%s_encode(buf, cap, v);\n}\n\n", L, L);
    ob_printf(c, "static int encode_%s(famqp_py_enc *e, PyObject *o, famqp_py_out *out)\n{\n"
                 "    %s v;\n    if (py_to_%s(e, o, &v))\n        return -1;\n"
                 "    return famqp_py_write(e, out, put_%s, &v);\n}\n\n", L, S, L, L);
    ob_printf(c, "static PyObject *decode_%s(famqp_py_dec *d, const uint8_t *p, size_t n, size_t *used, famqp_error *err)\n{\n"
                 "    %s v;\n    size_t u;\n    FAMQP_PY_NOGIL(n, u = famqp_%s_decode_ex(p, n, &v, d->lim, err));\n"
                 "    if (!u)\n        return NULL;\n    *used = u;\n    return py_from_%s(d, &v);\n}\n\n",
              L, S, L, L);
}

/* Condition under which a Python object `x` becomes provider p. */
static void emit_provider_match(const model *m, const requirement *r, const type *p, outbuf *c)
{
    const char *U = r->upper;
    if (p->form == FORM_STRUCT) {
        ob_printf(c, "    if (famqp_py_is(x, %d)) {\n        v->kind = FAMQP_ANY_%s_%s;\n"
                     "        return py_to_%s(e, x, &v->u.%s);\n    }\n",
                  class_index(m, p), U, p->upper, p->lower, p->lower);
        return;
    }
    const char *fn = prim_infos[p->prim].fn;
    if (p->nchoices && (p->prim == P_SYMBOL || p->prim == P_STRING)) {
        /* an open choice list: only its choices select this provider */
        ob_printf(c, "    if (famqp_py_fits_%s(x)) {\n        %s s;\n", fn, prim_infos[p->prim].ctype);
        ob_printf(c, "        if (famqp_py_to_%s(e, x, &s))\n            return -1;\n", fn);
        ob_printf(c, "        if (famqp_%s_from_%s(s) >= 0) {\n            v->kind = FAMQP_ANY_%s_%s;\n"
                     "            v->u.%s = s;\n            return 0;\n        }\n    }\n",
                  p->lower, fn, U, p->upper, p->lower);
        return;
    }
    ob_printf(c, "    if (famqp_py_fits_%s(x)) {\n        v->kind = FAMQP_ANY_%s_%s;\n"
                 "        return famqp_py_to_%s(e, x, &v->u.%s);\n    }\n",
              fn, U, p->upper, fn, p->lower);
}

static void emit_union(const model *m, const requirement *r, outbuf *c)
{
    const char *L = r->lower, *C = r->cname, *U = r->upper;
    ob_printf(c, "/* any %s */\n", r->name);
    ob_printf(c, "static PyObject *py_from_any_%s(famqp_py_dec *d, const %s *v)\n{\n    switch (v->kind) {\n", L, C);
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        char *lv = xasprintf("v->u.%s", p->lower);
        char *fx = from_expr(NULL, vkind_of_provider(p), lv);
        ob_printf(c, "    case FAMQP_ANY_%s_%s:\n        return %s;\n", U, p->upper, fx);
        free(lv);
        free(fx);
    }
    ob_printf(c, "    case FAMQP_ANY_%s_OTHER:\n        return famqp_py_from_value(d, &v->u.other);\n", U);
    ob_puts(c, "    default:\n        return famqp_py_none();\n    }\n}\n\n");

    ob_printf(c, "static int py_to_any_%s(famqp_py_enc *e, PyObject *x, %s *v)\n{\n", L, C);
    ob_printf(c, "    if (x == Py_None) {\n        v->kind = FAMQP_ANY_%s_NONE;\n        return 0;\n    }\n", U);
    /* described providers first: a class is unambiguous */
    for (size_t i = 0; i < r->nproviders; i++)
        if (r->providers[i]->form == FORM_STRUCT)
            emit_provider_match(m, r, r->providers[i], c);
    for (size_t i = 0; i < r->nproviders; i++)
        if (r->providers[i]->form != FORM_STRUCT && provider_reachable(r, i))
            emit_provider_match(m, r, r->providers[i], c);
    ob_printf(c, "    v->kind = FAMQP_ANY_%s_OTHER;\n    return famqp_py_to_value(e, x, &v->u.other);\n}\n\n", U);
}

/* Whether a field of some described type holds union r (the others need
 * no conversion: nothing reaches them). */
static bool union_used(const model *m, const requirement *r)
{
    for (size_t i = 0; i < m->ntypes; i++)
        if (type_has_struct(m->types[i]))
            for (size_t k = 0; k < m->types[i]->nfields; k++)
                if (m->types[i]->fields[k].requirement == r && field_kind(&m->types[i]->fields[k]) == FK_UNION)
                    return true;
    return false;
}

void emit_python_c(const model *m, outbuf *c)
{
    emit_banner(m, c);
    ob_puts(c, "/* Conversions between the structs of famqp_spec.h and the classes of the\n"
               " * flatamqp Python extension (famqp-gen --emit python; generator/README.md). */\n"
               "#include <string.h>\n\n#include \"famqp_py.h\"\n\n");
    ob_puts(c, "/* ---- declarations ---- */\n\n");
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (!type_has_struct(t))
            continue;
        ob_printf(c, "static PyObject *py_from_%s(famqp_py_dec *d, const %s *v);\n", t->lower, t->cstruct);
        ob_printf(c, "static int py_to_%s(famqp_py_enc *e, PyObject *o, %s *v);\n", t->lower, t->cstruct);
    }
    for (size_t i = 0; i < m->nreqs; i++) {
        const requirement *r = m->reqs[i];
        if (!union_used(m, r))
            continue;
        ob_printf(c, "static PyObject *py_from_any_%s(famqp_py_dec *d, const %s *v);\n", r->lower, r->cname);
        ob_printf(c, "static int py_to_any_%s(famqp_py_enc *e, PyObject *o, %s *v);\n", r->lower, r->cname);
    }
    ob_puts(c, "\n/* ---- types and unions ---- */\n\n");
    for (size_t i = 0; i < m->norder; i++) {
        if (m->order[i].t && type_has_struct(m->order[i].t))
            emit_type(m, m->order[i].t, c);
        else if (m->order[i].r && union_used(m, m->order[i].r))
            emit_union(m, m->order[i].r, c);
    }

    ob_puts(c, "/* ---- the class table ---- */\n\nconst famqp_py_type famqp_py_types[] = {\n");
    size_t n = 0;
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (!type_has_struct(t))
            continue;
        char *cls = python_class_name(t->name);
        ob_printf(c, "    {\"%s\", \"%s\", FAMQP_%s_CODE, FAMQP_%s_NAME, %zu, \"", cls, t->name, t->upper, t->upper,
                  t->nfields);
        for (size_t k = 0; k < t->nfields; k++) {
            char *fname = python_field_name(t->fields[k].name);
            ob_printf(c, "%s%s", k ? " " : "", fname);
            free(fname);
        }
        ob_printf(c, "\", encode_%s, decode_%s},\n", t->lower, t->lower);
        free(cls);
        n++;
    }
    ob_printf(c, "};\nconst size_t famqp_py_type_count = %zu;\nPyObject *famqp_py_classes[%zu];\n", n, n ? n : 1);
}
