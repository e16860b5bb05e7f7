/* famqp_spec.h: the public API of the generated code, the same for both
 * codec styles (types, constants, descriptors, function declarations). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "names.h"

/* ---- choices ------------------------------------------------------------- */

static bool choice_fits_enum(const type *t, const choice *c)
{
    if (t->prim == P_BOOLEAN)
        return true;
    if (t->prim > P_LONG || t->prim < P_UBYTE)
        return false;
    long long v = strtoll(c->value, NULL, 0);
    if (t->prim == P_ULONG && c->value[0] != '-' && strtoull(c->value, NULL, 0) > 0x7fffffffULL)
        return false;
    return v >= -0x7fffffffLL && v <= 0x7fffffffLL;
}

static const char *choice_enum_name(const type *t)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s%s", t->cstruct, t->described ? "_choice" : "");
    return buf;
}

static void emit_choices(const type *t, outbuf *h)
{
    const char *en = choice_enum_name(t);
    bool text = t->prim == P_SYMBOL || t->prim == P_STRING;
    ob_printf(h, "/* %s: restricted %s */\n", t->name, prim_infos[t->prim].name);
    bool any_enum = text;
    for (size_t i = 0; i < t->nchoices && !text; i++)
        any_enum |= choice_fits_enum(t, &t->choices[i]);
    if (any_enum) {
        ob_printf(h, "typedef enum %s {\n", en);
        for (size_t i = 0; i < t->nchoices; i++) {
            const choice *c = &t->choices[i];
            if (text)
                ob_printf(h, "    FAMQP_%s_%s = %zu,\n", t->upper, c->upper, i);
            else if (choice_fits_enum(t, c))
                ob_printf(h, "    FAMQP_%s_%s = %s,\n", t->upper, c->upper,
                          t->prim == P_BOOLEAN ? (strcmp(c->value, "true") == 0 ? "1" : "0") : c->value);
        }
        ob_printf(h, "} %s;\n", en);
    }
    for (size_t i = 0; i < t->nchoices && !text; i++)
        if (!choice_fits_enum(t, &t->choices[i]))
            ob_printf(h, "#define FAMQP_%s_%s %s\n", t->upper, t->choices[i].upper, t->choices[i].c_value);
    if (text) {
        const char *kind = t->prim == P_SYMBOL ? "SYMBOL" : "STRING";
        for (size_t i = 0; i < t->nchoices; i++) {
            const choice *c = &t->choices[i];
            /* c_value is {"literal", len}: print the literal part */
            const char *lit = c->c_value + 1;
            const char *comma = strrchr(lit, ',');
            ob_printf(h, "#define FAMQP_%s_%s_%s %.*s\n", t->upper, c->upper, kind, (int)(comma - lit), lit);
        }
        ob_printf(h, "#define FAMQP_%s_COUNT %zu\n", t->upper, t->nchoices);
        if (t->prim == P_SYMBOL) {
            ob_printf(h, "FAMQP_API extern const famqp_symbol famqp_%s_symbols[FAMQP_%s_COUNT];\n", t->lower, t->upper);
            ob_printf(h, "/* index of the choice, or -1 when s is not one */\n");
            ob_printf(h, "FAMQP_API int famqp_%s_from_symbol(famqp_symbol s);\n", t->lower);
        } else {
            ob_printf(h, "FAMQP_API extern const famqp_string famqp_%s_strings[FAMQP_%s_COUNT];\n", t->lower, t->upper);
            ob_printf(h, "FAMQP_API int famqp_%s_from_string(famqp_string s);\n", t->lower);
        }
    }
    ob_puts(h, "\n");
}

/* ---- structs and unions -------------------------------------------------- */

/* The public functions of a described type or union: <api>_encode,
 * _decode, _decode_ex and _print on values of C type `cstruct`. */
static void emit_api_declarations(const char *api, const char *cstruct, outbuf *h)
{
    ob_printf(h, "FAMQP_API size_t %s_encode(uint8_t *buf, size_t cap, const %s *v);\n", api, cstruct);
    ob_printf(h, "FAMQP_API size_t %s_decode(const uint8_t *p, size_t n, %s *out, famqp_error *err);\n", api, cstruct);
    ob_printf(h, "FAMQP_API size_t %s_decode_ex(const uint8_t *p, size_t n, %s *out,\n", api, cstruct);
    ob_puts(h, "    const famqp_limits *lim, famqp_error *err);\n");
    ob_printf(h, "FAMQP_API void %s_print(FILE *f, const %s *v);\n\n", api, cstruct);
}

static const char *present_type(const type *t) { return t->nfields > 32 ? "uint64_t" : "uint32_t"; }

static void emit_struct(const model *m, const type *t, outbuf *h)
{
    ob_printf(h, "/* %s (%s:%d) */\n", t->name, model_file(m, t->file), t->line);
    ob_printf(h, "#define FAMQP_%s_CODE UINT64_C(0x%016" PRIx64 ")\n", t->upper, t->code);
    if (t->desc_name)
        ob_printf(h, "#define FAMQP_%s_NAME \"%s\"\n", t->upper, t->desc_name);
    ob_printf(h, "typedef struct %s {\n", t->cstruct);
    if (t->klass == C_COMPOSITE) {
        ob_printf(h, "    %s present; /* FAMQP_%s_HAS_<FIELD> bits */\n", present_type(t), t->upper);
        for (size_t i = 0; i < t->nfields; i++) {
            const field *f = &t->fields[i];
            const char *note = f->mandatory ? " (mandatory)" : "";
            const char *ty = f->raw->type;
            if (f->requirement)
                ob_printf(h, "    %s %s; /* %s: * requires %s%s */\n", field_ctype(f), f->member, f->name,
                          f->requirement->name, note);
            else if (f->raw->def)
                ob_printf(h, "    %s %s; /* %s: %s%s, default %s */\n", field_ctype(f), f->member, f->name,
                          ty, f->multiple ? " multiple" : "", f->raw->def);
            else
                ob_printf(h, "    %s %s; /* %s: %s%s%s */\n", field_ctype(f), f->member, f->name, ty,
                          f->multiple ? " multiple" : "", note);
        }
    } else {
        ob_printf(h, "    %s value; /* %s */\n", field_ctype(&t->fields[0]),
                  t->src_any ? "any value" : t->raw->source);
    }
    ob_printf(h, "} %s;\n", t->cstruct);
    if (t->klass == C_COMPOSITE) {
        for (size_t i = 0; i < t->nfields; i++)
            ob_printf(h, "#define FAMQP_%s_HAS_%s (%s << %zu)\n", t->upper, t->fields[i].upper,
                      t->nfields > 32 ? "UINT64_C(1)" : "1u", i);
    }
    ob_printf(h, "FAMQP_API extern const %s famqp_%s_defaults;\n", t->cstruct, t->lower);
    char *api = xasprintf("famqp_%s", t->lower);
    emit_api_declarations(api, t->cstruct, h);
    free(api);
}

/* Union member type and name of a provider. */
static const char *member_ctype(const type *p)
{
    if (p->form == FORM_STRUCT)
        return p->cstruct;
    return prim_infos[p->prim].ctype;
}

static void emit_union(const requirement *r, outbuf *h)
{
    ob_printf(h, "/* any value providing %s */\n", r->name);
    ob_printf(h, "typedef enum %s_kind {\n", r->cname);
    ob_printf(h, "    FAMQP_ANY_%s_NONE = 0, /* absent / null */\n", r->upper);
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        if (p->described)
            ob_printf(h, "    FAMQP_ANY_%s_%s, /* described %s */\n", r->upper, p->upper,
                      p->desc_name ? p->desc_name : p->name);
        else
            ob_printf(h, "    FAMQP_ANY_%s_%s, /* %s (%s) */\n", r->upper, p->upper, p->name,
                      prim_infos[p->prim].name);
    }
    ob_printf(h, "    FAMQP_ANY_%s_OTHER /* anything else, kept raw */\n", r->upper);
    ob_printf(h, "} %s_kind;\n", r->cname);
    ob_printf(h, "typedef struct %s {\n", r->cname);
    ob_printf(h, "    %s_kind kind;\n", r->cname);
    ob_printf(h, "    union {\n");
    for (size_t i = 0; i < r->nproviders; i++)
        ob_printf(h, "        %s %s;\n", member_ctype(r->providers[i]), r->providers[i]->lower);
    ob_printf(h, "        famqp_value other;\n");
    ob_printf(h, "    } u;\n");
    ob_printf(h, "} %s;\n", r->cname);
    emit_api_declarations(r->cname, r->cname, h);
    ob_puts(h, "/* As _encode, but a composite is written with every field of its list,\n"
               " * absent ones as null (no trailing field dropped): for peers that read\n"
               " * fields by position (pyamqp).  Same result for anything else. */\n");
    ob_printf(h, "FAMQP_API size_t %s_encode_full(uint8_t *buf, size_t cap, const %s *v);\n\n", r->cname, r->cname);
}

static void emit_definitions(const model *m, outbuf *h)
{
    if (!m->ndefs)
        return;
    ob_puts(h, "/* ---- definitions ---- */\n");
    for (size_t i = 0; i < m->ndefs; i++) {
        const definition *d = &m->defs[i];
        char *end;
        strtoll(d->value, &end, 0);
        if (*d->value && !*end)
            ob_printf(h, "#define FAMQP_%s %s\n", d->upper, d->value);
        else {
            ob_printf(h, "#define FAMQP_%s \"", d->upper);
            for (const char *p = d->value; *p; p++)
                ob_printf(h, (*p == '"' || *p == '\\') ? "\\%c" : "%c", *p);
            ob_puts(h, "\"\n");
        }
    }
    ob_puts(h, "\n");
}

void emit_header(const model *m, const gen_options *o, outbuf *h)
{
    emit_banner(m, h);
    ob_printf(h,
              "/* AMQP 1.0 types as C structs, their encoders, decoders and printers\n"
              " * (encoding: %s): the API of both codec styles.  See\n"
              " * generator/README.md for the conventions. */\n"
              "#ifndef FAMQP_SPEC_H\n#define FAMQP_SPEC_H\n\n"
              "#include <inttypes.h>\n#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n"
              "#include <stdio.h>\n\n"
              "#include \"famqp/codec.h\"\n#include \"famqp/gen/wire.h\"\n\n"
              "#if FAMQP_GENERATOR_ABI != 1\n"
              "#error \"famqp_spec.h was generated for runtime ABI 1; regenerate with famqp-gen\"\n"
              "#endif\n\n"
              "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
              o->fixed ? "fixed" : "smallest");
    emit_definitions(m, h);
    ob_puts(h, "/* ---- restricted types with choices ---- */\n\n");
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (t->klass == C_RESTRICTED && t->nchoices && t->form != FORM_NONE)
            emit_choices(t, h);
    }
    ob_puts(h, "/* ---- described types and unions (dependencies first) ---- */\n\n");
    for (size_t i = 0; i < m->norder; i++) {
        if (m->order[i].t)
            emit_struct(m, m->order[i].t, h);
        else
            emit_union(m->order[i].r, h);
    }
    ob_puts(h, "#ifdef __cplusplus\n}\n#endif\n#endif /* FAMQP_SPEC_H */\n");
}
