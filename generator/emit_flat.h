/* The flat codec style (the default): straight-line encoders, decoders
 * and printers per type, every field's coding chosen at generation time. */
#ifndef FAMQP_GEN_EMIT_FLAT_H
#define FAMQP_GEN_EMIT_FLAT_H

#include "emit.h"

/* famqp_spec_internal.h: per-type functions the flat files call in one another. */
void emit_flat_internal_header(const model *m, outbuf *in);
/* famqp_<spec>.c of input file `file`. */
void emit_codec(const model *m, const gen_options *o, int file, outbuf *c);

/* Expressions coding value lvalue x with wire.h (newly allocated strings). */
char *vk_size(const gen_options *o, vkind v, const char *x);
char *vk_put(const gen_options *o, vkind v, const char *x); /* evaluates to the new p */
char *vk_read(vkind v, const char *x, const char *name);    /* famqp_read_...(r, &x, "name") */
/* Statement(s) printing x, indented by `ind`. */
void vk_print(outbuf *b, vkind v, const char *x, const char *ind);
void emit_print_type(const type *t, outbuf *c);
void emit_print_union(const requirement *r, outbuf *c);

#endif
