/* AMQP names to C identifiers. */
#ifndef FAMQP_GEN_NAMES_H
#define FAMQP_GEN_NAMES_H

/* "delivery-tag" -> "delivery_tag" (newly allocated). */
char *name_lower(const char *amqp);
/* "delivery-tag" -> "DELIVERY_TAG". */
char *name_upper(const char *amqp);
/* Field member name: name_lower plus a trailing '_' for C keywords and for
 * names the generated structs use themselves ("present"). */
char *name_member(const char *amqp);
/* Struct name of a type: famqp_<lower>, or famqp_<lower>_t when that would
 * clash with a runtime type of codec.h/wire.h (error -> famqp_error_t). */
char *name_struct(const char *amqp);
/* True when s is usable after "famqp_" in a C identifier once '-' became
 * '_' (letters, digits, '-', '_', not empty). */
int name_is_valid(const char *amqp);
/* Duplicates a string; exits when out of memory. */
char *xstrdup(const char *s);
/* Formatted, newly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
