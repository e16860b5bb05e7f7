/* Table style: the choices a field or provider is checked against, and
 * the primitives' names in the tables.  (Defaults and the public text
 * choice tables are written by the shared layer, emit_common.c.) */
#include <stdlib.h>
#include <string.h>

#include "emit_table.h"
#include "names.h"

const char *table_prim_name(prim p)
{
    static const char *const names[P_COUNT] = {
        [P_NULL] = "FAMQP_TP_NULL", [P_BOOLEAN] = "FAMQP_TP_BOOLEAN", [P_UBYTE] = "FAMQP_TP_UBYTE",
        [P_USHORT] = "FAMQP_TP_USHORT", [P_UINT] = "FAMQP_TP_UINT", [P_ULONG] = "FAMQP_TP_ULONG",
        [P_BYTE] = "FAMQP_TP_BYTE", [P_SHORT] = "FAMQP_TP_SHORT", [P_INT] = "FAMQP_TP_INT",
        [P_LONG] = "FAMQP_TP_LONG", [P_FLOAT] = "FAMQP_TP_FLOAT", [P_DOUBLE] = "FAMQP_TP_DOUBLE",
        [P_DECIMAL32] = "FAMQP_TP_DECIMAL32", [P_DECIMAL64] = "FAMQP_TP_DECIMAL64",
        [P_DECIMAL128] = "FAMQP_TP_DECIMAL128", [P_CHAR] = "FAMQP_TP_CHAR",
        [P_TIMESTAMP] = "FAMQP_TP_TIMESTAMP", [P_UUID] = "FAMQP_TP_UUID", [P_BINARY] = "FAMQP_TP_BINARY",
        [P_STRING] = "FAMQP_TP_STRING", [P_SYMBOL] = "FAMQP_TP_SYMBOL", [P_LIST] = "FAMQP_TP_LIST",
        [P_MAP] = "FAMQP_TP_MAP", [P_ARRAY] = "FAMQP_TP_ARRAY",
    };
    return names[p];
}

void emit_table_choices(table_file_state *st, const type *t, outbuf *c)
{
    for (size_t i = 0; i < st->nchoices_done; i++)
        if (st->choices_done[i] == t)
            return;
    st->choices_done = realloc(st->choices_done, (st->nchoices_done + 1) * sizeof *st->choices_done);
    if (!st->choices_done)
        abort();
    st->choices_done[st->nchoices_done++] = t;

    ob_printf(c, "/* choices of %s */\n", t->name);
    if (t->prim == P_SYMBOL || t->prim == P_STRING) {
        /* the public famqp_<type>_symbols / _strings table */
        ob_printf(c, "static const famqp_table_choices famqp__choices_%s = {famqp_%s_%s, FAMQP_%s_COUNT, NULL};\n\n",
                  t->lower, t->lower, t->prim == P_SYMBOL ? "symbols" : "strings", t->upper);
        return;
    }
    ob_printf(c, "static const %s famqp__choice_values_%s[] = {", prim_infos[t->prim].ctype, t->lower);
    for (size_t i = 0; i < t->nchoices; i++)
        ob_printf(c, "%s%s", i ? ", " : "", t->choices[i].c_value);
    ob_puts(c, "};\n");
    ob_printf(c, "static const famqp_table_choices famqp__choices_%s = {\n", t->lower);
    ob_printf(c, "    famqp__choice_values_%s, %zuu, \"not a %s choice\"};\n\n", t->lower, t->nchoices, t->name);
}
