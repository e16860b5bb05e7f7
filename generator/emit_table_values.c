/* Table style: the data around the tables (defaults, choices), written
 * the same way the flat style writes them so the public symbols match. */
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
    if (t->pr == P_SYMBOL || t->pr == P_STRING) {
        /* the public famqp_<type>_symbols / _strings table */
        ob_printf(c, "static const famqp_table_choices famqp__choices_%s = {famqp_%s_%s, FAMQP_%s_COUNT, NULL};\n\n",
                  t->lower, t->lower, t->pr == P_SYMBOL ? "symbols" : "strings", t->upper);
        return;
    }
    ob_printf(c, "static const %s famqp__choice_values_%s[] = {", prim_infos[t->pr].ctype, t->lower);
    for (size_t i = 0; i < t->nchoices; i++)
        ob_printf(c, "%s%s", i ? ", " : "", t->choices[i].c_value);
    ob_puts(c, "};\n");
    ob_printf(c, "static const famqp_table_choices famqp__choices_%s = {\n", t->lower);
    ob_printf(c, "    famqp__choice_values_%s, %zuu, \"not a %s choice\"};\n\n", t->lower, t->nchoices, t->name);
}

void emit_table_defaults(const type *t, outbuf *c)
{
    bool any = false;
    for (size_t i = 0; i < t->nfields; i++)
        any |= t->fields[i].def_c != NULL;
    if (!any) {
        ob_printf(c, "const %s famqp_%s_defaults = {0};\n\n", t->cstruct, t->lower);
        return;
    }
    ob_printf(c, "const %s famqp_%s_defaults = {\n", t->cstruct, t->lower);
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].def_c)
            ob_printf(c, "    .%s = %s,\n", t->fields[i].member, t->fields[i].def_c);
    ob_puts(c, "};\n\n");
}

void emit_table_text_choices(const type *t, outbuf *c)
{
    bool sym = t->pr == P_SYMBOL;
    const char *vt = sym ? "famqp_symbol" : "famqp_string";
    const char *what = sym ? "symbols" : "strings";
    ob_printf(c, "const %s famqp_%s_%s[FAMQP_%s_COUNT] = {\n", vt, t->lower, what, t->upper);
    for (size_t i = 0; i < t->nchoices; i++)
        ob_printf(c, "    %s,\n", t->choices[i].c_value);
    ob_puts(c, "};\n\n");
    ob_printf(c, "int famqp_%s_from_%s(%s s)\n{\n", t->lower, sym ? "symbol" : "string", vt);
    ob_printf(c, "    for (int i = 0; i < FAMQP_%s_COUNT; i++)\n", t->upper);
    ob_printf(c, "        if (s.len == famqp_%s_%s[i].len && (s.len == 0 || memcmp(s.ptr, famqp_%s_%s[i].ptr, s.len) == 0))\n",
              t->lower, what, t->lower, what);
    ob_puts(c, "            return i;\n    return -1;\n}\n\n");
}
