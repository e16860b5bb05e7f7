/* Table style: the output files.  famqp_spec.h is the shared one
 * (emit_header.c, same public API as the flat style); famqp_spec_table.h
 * declares every table; each input file's famqp_<spec>.c holds the tables
 * of the types and unions it owns. */
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

static void table_described(void *ctx, const model *m, const gen_options *o, const type *t, outbuf *c)
{
    (void)m;
    emit_table_type(ctx, o, t, c);
}

static void table_any(void *ctx, const model *m, const gen_options *o, const requirement *r, outbuf *c)
{
    (void)m;
    emit_table_union(ctx, o, r, c);
}

void emit_table_codec(const model *m, const gen_options *o, int file, outbuf *c)
{
    table_file_state st = {NULL, 0};
    const spec_file_emitter table = {
        .contents = "descriptor tables and public functions of the types it declares\n"
                    " * (table style: the runtime's generic loops do the coding)",
        .includes = "#include <stddef.h>\n#include <string.h>\n\n#include \"famqp_spec.h\"\n"
                    "#include \"famqp_spec_table.h\"\n\n",
        .described = table_described,
        .any = table_any,
        .ctx = &st,
    };
    emit_spec_file(m, o, file, &table, c);
    free(st.choices_done);
}
