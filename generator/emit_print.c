/* Printers: famqp_<type>_print and famqp_any_<R>_print, Proton-trace style:
 * @transfer(20) [handle=0, delivery-tag=b"\x00", settled=false]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_flat.h"
#include "names.h"

void vk_print(outbuf *b, vkind v, const char *x, const char *ind)
{
    switch (v.kind) {
    case FK_PRIM:
        if (v.prim >= P_LIST)
            ob_printf(b, "%sfamqp_print_%s(f, &%s);\n", ind, prim_infos[v.prim].fn, x);
        else
            ob_printf(b, "%sfamqp__print_%s(f, %s);\n", ind, prim_infos[v.prim].fn, x);
        break;
    case FK_MULTI: ob_printf(b, "%sfamqp__print_multiple_%s(f, &%s);\n", ind, prim_infos[v.prim].fn, x); break;
    case FK_STRUCT: ob_printf(b, "%sfamqp_%s_print(f, &%s);\n", ind, v.struct_type->lower, x); break;
    case FK_UNION: ob_printf(b, "%s%s_print(f, &%s);\n", ind, v.requirement->cname, x); break;
    case FK_VALUE: ob_printf(b, "%sfamqp_value_print(f, %s);\n", ind, x); break;
    }
}

/* "transfer(20)": a descriptor as the printers show it */
static char *descriptor_text(const type *t)
{
    if ((t->code >> 32) == 0)
        return xasprintf("%s(%" PRIu64 ")", t->name, t->code);
    return xasprintf("%s(0x%08" PRIx64 ":0x%08" PRIx64 ")", t->name, t->code >> 32, t->code & 0xffffffffu);
}

void emit_print_type(const type *t, outbuf *c)
{
    char *d = descriptor_text(t);
    ob_printf(c, "void famqp_%s_print(FILE *f, const %s *v)\n{\n", t->lower, t->cstruct);
    if (t->klass != C_COMPOSITE) {
        ob_printf(c, "    fputs(\"@%s \", f);\n", d);
        vk_print(c, vkind_of_field(&t->fields[0]), "v->value", "    ");
        ob_puts(c, "}\n\n");
        free(d);
        return;
    }
    if (!t->nfields) {
        ob_printf(c, "    (void)v;\n    fputs(\"@%s []\", f);\n}\n\n", d);
        free(d);
        return;
    }
    ob_printf(c, "    const char *sep = \"\";\n    fputs(\"@%s [\", f);\n", d);
    for (size_t i = 0; i < t->nfields; i++) {
        const field *fl = &t->fields[i];
        char *x = xasprintf("v->%s", fl->member);
        const char *ind = "    ";
        if (!fl->mandatory) {
            ob_printf(c, "    if (v->present & FAMQP_%s_HAS_%s) {\n", t->upper, fl->upper);
            ind = "        ";
        }
        ob_printf(c, "%sfprintf(f, \"%%s%s=\", sep);\n", ind, fl->name);
        vk_print(c, vkind_of_field(fl), x, ind);
        ob_printf(c, "%ssep = \", \";\n", ind);
        if (!fl->mandatory)
            ob_puts(c, "    }\n");
        free(x);
    }
    ob_puts(c, "    (void)sep;\n    fputc(']', f);\n}\n\n");
    free(d);
}

void emit_print_union(const requirement *r, outbuf *c)
{
    ob_printf(c, "void %s_print(FILE *f, const %s *v)\n{\n    switch (v->kind) {\n", r->cname, r->cname);
    for (size_t i = 0; i < r->nproviders; i++) {
        const type *p = r->providers[i];
        char *x = xasprintf("v->u.%s", p->lower);
        ob_printf(c, "    case FAMQP_ANY_%s_%s:\n", r->upper, p->upper);
        vk_print(c, vkind_of_provider(p), x, "        ");
        ob_puts(c, "        break;\n");
        free(x);
    }
    ob_printf(c, "    case FAMQP_ANY_%s_OTHER:\n        famqp_value_print(f, v->u.other);\n        break;\n", r->upper);
    ob_puts(c, "    default:\n        fputs(\"null\", f);\n        break;\n    }\n}\n\n");
}
