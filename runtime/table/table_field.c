/* Table codec style: the value of one field (or of a described restricted
 * type), by its kind: primitive, multiple, nested described type, union or
 * any value.  `member` points at the field's member inside the struct. */
#include <inttypes.h>

#include "famqp/gen/table.h"

size_t famqp__table_field_size(const famqp_table_field *fd, bool fixed, const void *member)
{
    switch (fd->kind) {
    case FAMQP_TK_PRIM: return famqp__table_size_prim(fd->prim, fixed, member);
    case FAMQP_TK_MULTIPLE: return famqp__table_size_multiple(fd->prim, member);
    case FAMQP_TK_STRUCT: return famqp__table_size(fd->ref.type, member);
    case FAMQP_TK_UNION: return famqp__table_any_size(fd->ref.any, member);
    default: return famqp_size_value(*(const famqp_value *)member);
    }
}

uint8_t *famqp__table_field_put(uint8_t *p, const famqp_table_field *fd, bool fixed, const void *member)
{
    switch (fd->kind) {
    case FAMQP_TK_PRIM: return famqp__table_put_prim(p, fd->prim, fixed, member);
    case FAMQP_TK_MULTIPLE: return famqp__table_put_multiple(p, fd->prim, member);
    case FAMQP_TK_STRUCT: return famqp__table_put(p, fd->ref.type, member);
    case FAMQP_TK_UNION: return famqp__table_any_put(p, fd->ref.any, member);
    default: return famqp_put_value(p, *(const famqp_value *)member);
    }
}

int famqp__table_field_read(famqp_reader *r, const famqp_table_field *fd, void *member)
{
    switch (fd->kind) {
    case FAMQP_TK_PRIM: return famqp__table_read_prim(r, fd->prim, member, fd->name);
    case FAMQP_TK_MULTIPLE:
        return famqp_read_multiple(r, member, famqp__table_prim_codes[fd->prim], fd->name);
    case FAMQP_TK_STRUCT: return famqp__table_read(r, fd->ref.type, member, fd->name);
    case FAMQP_TK_UNION: return famqp__table_any_read(r, fd->ref.any, member, fd->name);
    default: return famqp_read_value(r, member, fd->name);
    }
}

/* The flat style's famqp__print_<T> helpers, by primitive. */
void famqp__table_print_prim(FILE *f, unsigned prim, const void *v)
{
    switch (prim) {
    case FAMQP_TP_BOOLEAN: fputs(*(const bool *)v ? "true" : "false", f); break;
    case FAMQP_TP_UBYTE: fprintf(f, "%" PRIu64, (uint64_t)*(const uint8_t *)v); break;
    case FAMQP_TP_USHORT: fprintf(f, "%" PRIu64, (uint64_t)*(const uint16_t *)v); break;
    case FAMQP_TP_UINT: fprintf(f, "%" PRIu64, (uint64_t)*(const uint32_t *)v); break;
    case FAMQP_TP_ULONG: fprintf(f, "%" PRIu64, *(const uint64_t *)v); break;
    case FAMQP_TP_BYTE: fprintf(f, "%" PRId64, (int64_t)*(const int8_t *)v); break;
    case FAMQP_TP_SHORT: fprintf(f, "%" PRId64, (int64_t)*(const int16_t *)v); break;
    case FAMQP_TP_INT: fprintf(f, "%" PRId64, (int64_t)*(const int32_t *)v); break;
    case FAMQP_TP_LONG: fprintf(f, "%" PRId64, *(const int64_t *)v); break;
    case FAMQP_TP_FLOAT: fprintf(f, "%g", (double)*(const float *)v); break;
    case FAMQP_TP_DOUBLE: fprintf(f, "%g", *(const double *)v); break;
    case FAMQP_TP_DECIMAL32: famqp_print_decimal(f, ((const famqp_decimal32 *)v)->bytes, 4); break;
    case FAMQP_TP_DECIMAL64: famqp_print_decimal(f, ((const famqp_decimal64 *)v)->bytes, 8); break;
    case FAMQP_TP_DECIMAL128: famqp_print_decimal(f, ((const famqp_decimal128 *)v)->bytes, 16); break;
    case FAMQP_TP_CHAR: famqp_print_char(f, *(const uint32_t *)v); break;
    case FAMQP_TP_TIMESTAMP: famqp_print_timestamp(f, *(const int64_t *)v); break;
    case FAMQP_TP_UUID: famqp_print_uuid(f, *(const famqp_uuid *)v); break;
    case FAMQP_TP_BINARY: famqp_print_binary(f, *(const famqp_binary *)v); break;
    case FAMQP_TP_STRING: famqp_print_string(f, *(const famqp_string *)v); break;
    case FAMQP_TP_SYMBOL: famqp_print_symbol(f, *(const famqp_symbol *)v); break;
    case FAMQP_TP_LIST: famqp_print_list(f, v); break;
    case FAMQP_TP_MAP: famqp_print_map(f, v); break;
    case FAMQP_TP_ARRAY: famqp_print_array(f, v); break;
    default: famqp_value_print(f, *(const famqp_value *)v); break;
    }
}

/* A multiple field: its C items when set, else the decoded wire view. */
static void print_multiple(FILE *f, unsigned prim, const famqp_multiple *m)
{
    if (!m->items) {
        famqp_print_multiple(f, m);
        return;
    }
    const uint8_t *item = m->items;
    size_t step = famqp__table_prim_size[prim];
    fputc('[', f);
    for (uint32_t i = 0; i < m->count; i++, item += step) {
        if (i)
            fputs(", ", f);
        famqp__table_print_prim(f, prim, item);
    }
    fputc(']', f);
}

void famqp__table_field_print(FILE *f, const famqp_table_field *fd, const void *member)
{
    switch (fd->kind) {
    case FAMQP_TK_PRIM: famqp__table_print_prim(f, fd->prim, member); break;
    case FAMQP_TK_MULTIPLE: print_multiple(f, fd->prim, member); break;
    case FAMQP_TK_STRUCT: famqp__table_print(f, fd->ref.type, member); break;
    case FAMQP_TK_UNION: famqp__table_any_print(f, fd->ref.any, member); break;
    default: famqp_value_print(f, *(const famqp_value *)member); break;
    }
}
