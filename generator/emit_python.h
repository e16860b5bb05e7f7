/* --emit python: the conversions between the generated C structs and
 * Python objects that the flatamqp extension module (python/) is built
 * from.  Written against the flat C API of famqp_spec.h (the same for both
 * codec styles) and the extension's own header python/src/famqp_py.h. */
#ifndef FAMQP_GEN_EMIT_PYTHON_H
#define FAMQP_GEN_EMIT_PYTHON_H

#include "model.h"
#include "outbuf.h"

/* famqp_python.c: per composite, described restricted type and union a
 * C-to-Python and a Python-to-C function, and the type table the module
 * makes its classes from (emit_python.c). */
void emit_python_c(const model *m, outbuf *c);
/* _generated.pyi: one NamedTuple stub per class, for editors and type
 * checkers (emit_python_stubs.c). */
void emit_python_stubs(const model *m, outbuf *pyi);
/* "sasl-init" -> "SaslInit": a type's Python class name (newly allocated). */
char *python_class_name(const char *amqp);
/* "delivery-tag" -> "delivery_tag", "from" -> "from_": a field's Python
 * name (newly allocated). */
char *python_field_name(const char *amqp);

#endif
