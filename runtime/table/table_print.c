/* Table codec style: printers, Proton-trace style, the same text as the
 * flat style's: @transfer(20) [handle=0, delivery-tag=b"\x00", settled=false]. */
#include <inttypes.h>
#include <string.h>

#include "famqp/gen/table.h"

/* "@transfer(20)", or "@name(0xHHHHHHHH:0xHHHHHHHH)" for domain codes. */
static void print_descriptor(FILE *f, const famqp_table_type *t)
{
    if ((t->code >> 32) == 0)
        fprintf(f, "@%s(%" PRIu64 ")", t->name, t->code);
    else
        fprintf(f, "@%s(0x%08" PRIx64 ":0x%08" PRIx64 ")", t->name, t->code >> 32, t->code & 0xffffffffu);
}

void famqp__table_print(FILE *f, const famqp_table_type *t, const void *v)
{
    const uint8_t *base = v;
    print_descriptor(f, t);
    if (!(t->flags & FAMQP_TT_LIST)) {
        fputc(' ', f);
        famqp__table_field_print(f, &t->fields[0], base + t->fields[0].offset);
        return;
    }
    uint64_t present = t->flags & FAMQP_TT_PRESENT64 ? *(const uint64_t *)v : *(const uint32_t *)v;
    const char *sep = "";
    fputs(" [", f);
    for (uint32_t i = 0; i < t->nfields; i++) {
        const famqp_table_field *fd = &t->fields[i];
        if (!(fd->flags & FAMQP_TF_MANDATORY) && !((present >> i) & 1u))
            continue;
        fprintf(f, "%s%s=", sep, fd->name);
        famqp__table_field_print(f, fd, base + fd->offset);
        sep = ", ";
    }
    fputc(']', f);
}

void famqp__table_any_print(FILE *f, const famqp_table_union *u, const void *v)
{
    int k;
    memcpy(&k, v, sizeof k); /* the kind enum, as in table_union.c */
    const uint8_t *member = (const uint8_t *)v + u->u_offset;
    if (k >= 1 && (unsigned)k <= u->nproviders) {
        const famqp_table_provider *pv = &u->providers[k - 1];
        if (pv->prim == FAMQP_TP_NULL)
            famqp__table_print(f, pv->ref.type, member);
        else
            famqp__table_print_prim(f, pv->prim, member);
    } else if ((unsigned)k == u->nproviders + 1u) {
        famqp_value_print(f, *(const famqp_value *)member);
    } else {
        fputs("null", f);
    }
}
