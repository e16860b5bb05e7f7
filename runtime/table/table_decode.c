/* Table codec style: decoding a described type from its table.  The same
 * reads, in the same order, with the same error reports as the flat
 * style's generated read functions: defaults first, one read per field on
 * the wire, presence bits, choice checks, defaults restored on null,
 * extra elements validated and skipped, then mandatory fields checked. */
#include <string.h>

#include "famqp/gen/table.h"

static void set_present(const famqp_table_type *t, void *out, uint32_t i)
{
    if (t->flags & FAMQP_TT_PRESENT64)
        *(uint64_t *)out |= UINT64_C(1) << i;
    else
        *(uint32_t *)out |= UINT32_C(1) << i;
}

static bool is_present(const famqp_table_type *t, const void *out, uint32_t i)
{
    if (t->flags & FAMQP_TT_PRESENT64)
        return (*(const uint64_t *)out >> i) & 1u;
    return (*(const uint32_t *)out >> i) & 1u;
}

/* A described restricted type: one value after the descriptor. */
static void read_single(famqp_reader *r, const famqp_table_type *t, uint8_t *out)
{
    const famqp_table_field *fd = &t->fields[0];
    void *member = out + fd->offset;
    if (fd->kind == FAMQP_TK_VALUE) {
        famqp_read_value(r, member, fd->name); /* any value, null included */
    } else if (!famqp__table_field_read(r, fd, member)) {
        if (!famqp_reader_failed(r))
            famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, fd->name, t->null_value);
    } else if (fd->kind == FAMQP_TK_PRIM && fd->ref.choices &&
               !famqp__table_is_choice(fd->prim, fd->ref.choices, member)) {
        famqp_fail(r, FAMQP_ERR_INVALID_VALUE, fd->name, fd->ref.choices->detail);
    }
}

static void read_fields(famqp_reader *r, const famqp_table_type *t, uint8_t *out)
{
    uint32_t count;
    const uint8_t *saved_end;
    if (!famqp_list_enter(r, &count, &saved_end, NULL))
        return;
    uint32_t n = t->nfields;
    uint32_t on_wire = count < n ? count : n;
    const uint8_t *defaults = t->defaults;
    /* fields past the list's end keep the defaults copied in already */
    for (uint32_t i = 0; i < on_wire; i++) {
        const famqp_table_field *fd = &t->fields[i];
        void *member = out + fd->offset;
        if (fd->kind == FAMQP_TK_PRIM ? famqp__table_read_prim(r, fd->prim, member, fd->name)
                                      : famqp__table_field_read(r, fd, member)) {
            set_present(t, out, i);
            if (fd->kind == FAMQP_TK_PRIM && fd->ref.choices &&
                !famqp__table_is_choice(fd->prim, fd->ref.choices, member))
                famqp_fail(r, FAMQP_ERR_INVALID_VALUE, fd->name, fd->ref.choices->detail);
        } else if (fd->flags & FAMQP_TF_DEFAULT) {
            memcpy(member, defaults + fd->offset, fd->size); /* null: the default */
        }
    }
    famqp_list_leave(r, count, on_wire, saved_end);
    if (famqp_reader_failed(r))
        return;
    for (uint32_t i = 0; i < t->mandatory_floor; i++) /* no mandatory field after the floor */
        if ((t->fields[i].flags & FAMQP_TF_MANDATORY) && !is_present(t, out, i))
            famqp_fail(r, FAMQP_ERR_MISSING_MANDATORY, t->fields[i].name, NULL);
}

int famqp__table_read_body(famqp_reader *r, const famqp_table_type *t, void *out)
{
    const char *outer = r->type;
    memcpy(out, t->defaults, t->struct_size);
    r->type = t->name;
    if (t->flags & FAMQP_TT_LIST)
        read_fields(r, t, out);
    else
        read_single(r, t, out);
    r->type = outer;
    return !famqp_reader_failed(r);
}

int famqp__table_read(famqp_reader *r, const famqp_table_type *t, void *out, const char *field)
{
    uint64_t code;
    famqp_symbol name = {NULL, 0};
    if (!famqp_read_descriptor(r, &code, &name, field))
        return 0; /* null, or a failure already recorded */
    bool match = code == UINT64_MAX && name.ptr ? t->desc_name && famqp_symbol_eq(name, t->desc_name)
                                                : code == t->code;
    if (!match)
        return famqp_fail(r, FAMQP_ERR_TYPE_MISMATCH, field, t->bad_descriptor);
    return famqp__table_read_body(r, t, out);
}

size_t famqp__table_decode(const famqp_table_type *t, const uint8_t *p, size_t n, void *out,
                           const famqp_limits *lim, famqp_error *err)
{
    famqp_error local;
    famqp_reader r;
    famqp_reader_init(&r, p, n, err ? err : &local, lim);
    r.type = t->name;
    if (!famqp__table_read(&r, t, out, NULL)) {
        if (!famqp_reader_failed(&r))
            famqp_fail(&r, FAMQP_ERR_TYPE_MISMATCH, NULL, t->null_detail);
        return 0;
    }
    return (size_t)(r.p - p);
}
