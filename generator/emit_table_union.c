/* Table style: a famqp_any_<R> union as data: its providers in spec order
 * (described ones by their type table, primitive ones by primitive and
 * choices), then the public functions passing that table on. */
#include <stdlib.h>

#include "emit_table.h"
#include "names.h"

void emit_table_union(table_file_state *st, const gen_options *o, const requirement *r, outbuf *c)
{
    const char *C = r->cname, *L = r->lower;
    ob_printf(c, "/* ---- any %s ---- */\n\n", r->name);
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        if (p->form != FORM_STRUCT && p->nchoices)
            emit_table_choices(st, p, c);
    }
    ob_printf(c, "_Static_assert(sizeof(%s_kind) == sizeof(int), \"the runtime copies kind as an int\");\n", C);
    ob_printf(c, "_Static_assert(offsetof(%s, u) <= UINT16_MAX, \"u's offset fits the table\");\n\n", C);
    if (r->nproviders) {
        ob_printf(c, "static const famqp_table_provider famqp__providers_%s[%zu] = {\n", L, r->nproviders);
        for (size_t i = 0; i < r->nproviders; i++) {
            const type *p = r->providers[i];
            if (p->form == FORM_STRUCT)
                ob_printf(c, "    {{.type = &famqp__table_%s}, FAMQP_TP_NULL},\n", p->lower);
            else if (p->nchoices)
                ob_printf(c, "    {{.choices = &famqp__choices_%s}, %s},\n", p->lower, table_prim_name(p->prim));
            else
                ob_printf(c, "    {{NULL}, %s}, /* %s */\n", table_prim_name(p->prim), p->name);
        }
        ob_puts(c, "};\n\n");
    }
    ob_printf(c, "const famqp_table_union famqp__table_any_%s = {\n", L);
    ob_printf(c, "    .name = \"%s\",\n", r->name);
    if (r->nproviders)
        ob_printf(c, "    .providers = famqp__providers_%s,\n", L);
    ob_printf(c, "    .u_offset = offsetof(%s, u),\n", C);
    ob_printf(c, "    .nproviders = %zu,\n    .fixed = %d,\n};\n\n", r->nproviders, o->fixed ? 1 : 0);

    char *table = xasprintf("famqp__table_any_%s", L);
    emit_table_wrappers(C, C, "famqp__table_any", table, c);
    ob_printf(c, "size_t %s_encode_full(uint8_t *buf, size_t cap, const %s *v)\n{\n", C, C);
    ob_printf(c, "    return famqp__table_any_encode_full(&%s, buf, cap, v);\n}\n\n", table);
    free(table);
}
