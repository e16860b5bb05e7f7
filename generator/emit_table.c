/* Table style: the output files.  famqp_spec.h is the flat style's (same
 * public API); famqp_spec_table.h declares every table; each input file's
 * famqp_<spec>.c holds the tables of the types and unions it owns. */
#include <stdlib.h>

#include "emit_table.h"
#include "names.h"

void emit_table_header(const model *m, outbuf *h)
{
    emit_banner(m, h);
    ob_puts(h, "/* Descriptor tables of the table codec style (famqp/gen/table.h),\n"
               " * shared by the generated files, which point at one another's tables. */\n"
               "#ifndef FAMQP_SPEC_TABLE_H\n#define FAMQP_SPEC_TABLE_H\n\n"
               "#include \"famqp_spec.h\"\n#include \"famqp/gen/table.h\"\n\n");
    for (size_t i = 0; i < m->norder; i++) {
        if (m->order[i].t)
            ob_printf(h, "extern const famqp_table_type famqp__table_%s;\n", m->order[i].t->lower);
        else
            ob_printf(h, "extern const famqp_table_union famqp__table_any_%s;\n", m->order[i].r->lower);
    }
    ob_puts(h, "\n#endif /* FAMQP_SPEC_TABLE_H */\n");
}

void emit_table_codec(const model *m, const gen_options *o, int file, outbuf *c)
{
    table_file_state st = {NULL, 0};
    emit_banner(m, c);
    ob_printf(c, "/* %s: descriptor tables and public functions of the types it declares\n"
                 " * (table style: the runtime's generic loops do the coding) */\n",
              model_file(m, file));
    ob_puts(c, "#include <stddef.h>\n#include <string.h>\n\n#include \"famqp_spec.h\"\n"
               "#include \"famqp_spec_table.h\"\n\n");
    bool any = false;
    for (size_t i = 0; i < m->ntypes; i++) {
        const type *t = m->types[i];
        if (t->out_file != file)
            continue;
        if (t->klass == C_RESTRICTED && t->nchoices && (t->pr == P_SYMBOL || t->pr == P_STRING) && t->e == E_PRIM) {
            emit_table_text_choices(t, c);
            any = true;
        }
        if (t->klass == C_COMPOSITE || (t->klass == C_RESTRICTED && t->described)) {
            emit_table_type(&st, o, t, c);
            any = true;
        }
    }
    for (size_t i = 0; i < m->nreqs; i++) {
        if (m->reqs[i]->out_file == file) {
            emit_table_union(&st, o, m->reqs[i], c);
            any = true;
        }
    }
    if (!any)
        ob_printf(c, "/* %s declares nothing that needs code (only primitives, plain restricted\n"
                     " * types or definitions, which live in famqp_spec.h). */\n",
                  model_file(m, file));
    free(st.choices_done);
}
