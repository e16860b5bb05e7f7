/* XML spec files to raw declarations (strings as written, with file:line). */
#ifndef FAMQP_GEN_PARSE_H
#define FAMQP_GEN_PARSE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct raw_field {
    char *name, *type, *requires, *def; /* requires/def NULL when absent */
    bool mandatory, multiple;
    int line;
} raw_field;

typedef struct raw_choice {
    char *name, *value;
    int line;
} raw_choice;

typedef struct raw_encoding {
    char *name, *code, *category, *width; /* name NULL for the default encoding */
    int line;
} raw_encoding;

typedef struct raw_type {
    char *name, *klass, *source, *provides; /* source/provides NULL when absent */
    bool replaces;
    int line;
    bool has_descriptor;
    char *desc_name, *desc_code; /* either may be NULL */
    int desc_line;
    raw_field *fields;
    size_t nfields;
    raw_choice *choices;
    size_t nchoices;
    raw_encoding *encodings;
    size_t nencodings;
} raw_type;

typedef struct raw_definition {
    char *name, *value;
    int line;
} raw_definition;

typedef struct spec_file {
    char *path;      /* as given on the command line (for opening) */
    char *base;      /* basename, used in messages and output */
    char *amqp_name; /* <amqp name="..."> */
    int amqp_line;
    raw_type *types;
    size_t ntypes;
    raw_definition *defs;
    size_t ndefs;
} spec_file;

/* Parses one file.  Returns 0, or prints file:line: error: ... and returns
 * nonzero (malformed XML, missing required attributes). */
int parse_spec_file(const char *path, spec_file *out);

/* file:line: error: message, counting errors. */
void report(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int report_count(void);

#endif
