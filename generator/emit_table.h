/* The table codec style (`famqp-gen --style=table`): per type a descriptor
 * table read by the generic loops of runtime/table/, behind the same
 * public API (famqp_spec.h) as the flat style. */
#ifndef FAMQP_GEN_EMIT_TABLE_H
#define FAMQP_GEN_EMIT_TABLE_H

#include <stdbool.h>

#include "emit.h"

/* famqp_spec_table.h: the tables every generated file may point at. */
void emit_table_header(const model *m, outbuf *h);
/* famqp_<spec>.c of input file `file`. */
void emit_table_codec(const model *m, const gen_options *o, int file, outbuf *c);

/* ---- shared by the emit_table_*.c files ---- */

/* Which restricted types' famqp_table_choices this output file has written. */
typedef struct table_file_state {
    const type **choices_done;
    size_t nchoices_done;
} table_file_state;

/* "FAMQP_TP_UINT" */
const char *table_prim_name(prim p);
/* Writes (once per file) the static famqp_table_choices of restricted type
 * t, named famqp__choices_<t->lower>. */
void emit_table_choices(table_file_state *st, const type *t, outbuf *c);
/* The field and type tables of a composite or described restricted type,
 * and its public functions. */
void emit_table_type(table_file_state *st, const gen_options *o, const type *t, outbuf *c);
/* The public functions <api>_encode, _decode_ex, _decode and _print of
 * values of C type `cstruct`: each passes table `table` to the runtime's
 * loops <loops>_encode/_decode/_print. */
void emit_table_wrappers(const char *api, const char *cstruct, const char *loops, const char *table, outbuf *c);
/* The provider table of a union and its public functions. */
void emit_table_union(table_file_state *st, const gen_options *o, const requirement *r, outbuf *c);

#endif
