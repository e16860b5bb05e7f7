/* Table style: a described type as data.  One famqp_table_field per field
 * (name, kind, offset, size, primitive, flags, nested table or checked
 * choices) and one famqp_table_type; the public functions only pass the
 * table to the runtime's generic loops. */
#include <stdlib.h>

#include "emit_table.h"
#include "names.h"

static const char *kind_name(fkind k)
{
    switch (k) {
    case FK_PRIM: return "FAMQP_TK_PRIM";
    case FK_MULTI: return "FAMQP_TK_MULTIPLE";
    case FK_STRUCT: return "FAMQP_TK_STRUCT";
    case FK_UNION: return "FAMQP_TK_UNION";
    case FK_VALUE: return "FAMQP_TK_VALUE";
    }
    return "FAMQP_TK_VALUE";
}

static void emit_field(const type *t, const field *f, outbuf *c)
{
    vkind v = vkind_of_field(f);
    const type *ct = field_checked_choices(t, f);
    char *ref;
    if (v.kind == FK_STRUCT)
        ref = xasprintf("{.type = &famqp__table_%s}", v.struct_type->lower);
    else if (v.kind == FK_UNION)
        ref = xasprintf("{.any = &famqp__table_any_%s}", v.requirement->lower);
    else if (ct)
        ref = xasprintf("{.choices = &famqp__choices_%s}", ct->lower);
    else
        ref = xstrdup("{NULL}");
    const char *flags = f->mandatory ? "FAMQP_TF_MANDATORY" : f->def_c ? "FAMQP_TF_DEFAULT" : "0";
    const char *member = t->klass == C_COMPOSITE ? f->member : "value";
    ob_printf(c, "    {\"%s\", %s, offsetof(%s, %s), sizeof(((%s *)0)->%s), %s, %s, %s},\n", f->name, ref,
              t->cstruct, member, t->cstruct, member, kind_name(v.kind),
              table_prim_name(v.kind == FK_PRIM || v.kind == FK_MULTI ? v.prim : P_NULL), flags);
    free(ref);
}

void emit_table_wrappers(const char *api, const char *cstruct, const char *loops, const char *table, outbuf *c)
{
    ob_printf(c, "size_t %s_encode(uint8_t *buf, size_t cap, const %s *v)\n{\n", api, cstruct);
    ob_printf(c, "    return %s_encode(&%s, buf, cap, v);\n}\n\n", loops, table);
    ob_printf(c, "size_t %s_decode_ex(const uint8_t *p, size_t n, %s *out,\n", api, cstruct);
    ob_puts(c, "    const famqp_limits *lim, famqp_error *err)\n{\n");
    ob_printf(c, "    return %s_decode(&%s, p, n, out, lim, err);\n}\n\n", loops, table);
    ob_printf(c, "size_t %s_decode(const uint8_t *p, size_t n, %s *out, famqp_error *err)\n{\n", api, cstruct);
    ob_printf(c, "    return %s_decode(&%s, p, n, out, NULL, err);\n}\n\n", loops, table);
    ob_printf(c, "void %s_print(FILE *f, const %s *v)\n{\n", api, cstruct);
    ob_printf(c, "    %s_print(f, &%s, v);\n}\n\n", loops, table);
}

void emit_table_type(table_file_state *st, const gen_options *o, const type *t, outbuf *c)
{
    bool composite = t->klass == C_COMPOSITE;
    size_t n = t->nfields;
    int mand_floor = 0;
    for (size_t i = 0; i < n; i++)
        if (t->fields[i].mandatory)
            mand_floor = (int)i + 1;

    ob_printf(c, "/* ---- %s ---- */\n\n", t->name);
    emit_defaults(t, c);
    for (size_t i = 0; i < n; i++) {
        const type *ct = field_checked_choices(t, &t->fields[i]);
        if (ct)
            emit_table_choices(st, ct, c);
    }
    ob_printf(c, "_Static_assert(sizeof(%s) <= UINT16_MAX, \"member offsets fit the table's uint16_t\");\n\n",
              t->cstruct);
    if (n) {
        ob_printf(c, "static const famqp_table_field famqp__fields_%s[%zu] = {\n", t->lower, n);
        ob_puts(c, "    /* name, nested table or choices, offset, size, kind, primitive, flags */\n");
        for (size_t i = 0; i < n; i++)
            emit_field(t, &t->fields[i], c);
        ob_puts(c, "};\n\n");
    }
    ob_printf(c, "const famqp_table_type famqp__table_%s = {\n", t->lower);
    ob_printf(c, "    .name = \"%s\",\n", t->name);
    if (t->desc_name)
        ob_printf(c, "    .desc_name = FAMQP_%s_NAME,\n", t->upper);
    ob_printf(c, "    .bad_descriptor = \"descriptor is not %s's\",\n", t->name);
    ob_printf(c, "    .null_detail = \"null instead of a %s\",\n", t->name);
    if (!composite)
        ob_printf(c, "    .null_value = \"null instead of a %s\",\n", t->raw->source);
    ob_printf(c, "    .defaults = &famqp_%s_defaults,\n", t->lower);
    if (n)
        ob_printf(c, "    .fields = famqp__fields_%s,\n", t->lower);
    ob_printf(c, "    .code = FAMQP_%s_CODE,\n", t->upper);
    ob_printf(c, "    .struct_size = sizeof(%s),\n", t->cstruct);
    ob_printf(c, "    .nfields = %zu,\n    .mandatory_floor = %d,\n", n, composite ? mand_floor : 0);
    ob_printf(c, "    .flags = %s%s%s,\n", composite ? "FAMQP_TT_LIST" : "0",
              composite && n > 32 ? " | FAMQP_TT_PRESENT64" : "", o->fixed ? " | FAMQP_TT_FIXED" : "");
    ob_puts(c, "};\n\n");
    char *api = xasprintf("famqp_%s", t->lower), *table = xasprintf("famqp__table_%s", t->lower);
    emit_table_wrappers(api, t->cstruct, "famqp__table", table, c);
    free(api);
    free(table);
}
