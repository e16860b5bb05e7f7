/* The type model: primitives, restricted, composite types, definitions and
 * the requirements ("provides"/"requires") that become tagged unions. */
#ifndef FAMQP_GEN_MODEL_H
#define FAMQP_GEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The AMQP primitive types the runtime (wire.h) implements. */
typedef enum prim {
    P_NULL, P_BOOLEAN, P_UBYTE, P_USHORT, P_UINT, P_ULONG, P_BYTE, P_SHORT, P_INT, P_LONG,
    P_FLOAT, P_DOUBLE, P_DECIMAL32, P_DECIMAL64, P_DECIMAL128, P_CHAR, P_TIMESTAMP, P_UUID,
    P_BINARY, P_STRING, P_SYMBOL, P_LIST, P_MAP, P_ARRAY, P_COUNT
} prim;

typedef struct prim_info {
    const char *name;  /* AMQP name, also the famqp_codes_<name> table */
    const char *ctype; /* C type of a field */
    const char *fn;    /* suffix of famqp_read_/size_/put_/size_multiple_ */
    bool by_ref;       /* size/put/print take a pointer (list, map, array) */
    bool has_fixed;    /* famqp_put_<fn>_fixed exists (--encoding fixed) */
} prim_info;

extern const prim_info prim_infos[P_COUNT];
int prim_by_name(const char *name); /* -1 when unknown */

typedef enum tclass { C_PRIMITIVE, C_RESTRICTED, C_COMPOSITE } tclass;

/* What a value of a type is in C. */
typedef enum value_form {
    FORM_NONE,   /* not resolved (validation reports why) */
    FORM_PRIM,   /* a primitive C value: type->prim */
    FORM_ANY,    /* any value: famqp_value */
    FORM_STRUCT  /* a described type's struct: type->struct_type */
} value_form;

typedef struct type type;
typedef struct requirement requirement;

typedef struct choice {
    char *name, *value, *upper;
    int line;
    char *c_value; /* C expression of the value */
} choice;

typedef struct field {
    const raw_field *raw;
    char *name, *member, *upper;
    type *t;                  /* NULL for type="*" */
    requirement *requirement; /* type="*" requires="R": the union it holds */
    bool mandatory, multiple;
    int index, line;
    char *def_c;              /* C initializer of the default, or NULL */
} field;

struct type {
    char *name;
    tclass klass;
    const raw_type *raw;
    int file;     /* spec file that declared it (for messages) */
    int out_file; /* spec file whose .c holds its code (the original's for replacements) */
    int line;
    char *lower, *upper, *cstruct;
    type *src;        /* restricted: resolved source */
    bool src_any;     /* restricted: source="*" */
    char **provides;
    size_t nprovides;
    choice *choices;
    size_t nchoices;
    bool described;
    bool has_code;
    uint64_t code;
    char *desc_name;  /* NULL when the descriptor has no name */
    field *fields;    /* composites; described restricted types get one "value" field */
    size_t nfields;
    value_form form;   /* what its values are in C */
    prim prim;         /* FORM_PRIM: the primitive it resolves to */
    type *struct_type; /* FORM_STRUCT: the described type whose struct holds it */
    int visit;        /* scratch for graph walks */
};

/* A requirement: a union over every type providing it. */
struct requirement {
    char *name, *lower, *upper, *cname;
    type **providers; /* spec order */
    size_t nproviders;
    int out_file;
    int visit;
};

typedef struct definition {
    char *name, *upper, *value;
    int file, line;
} definition;

typedef struct model {
    spec_file *files;
    size_t nfiles;
    type **types; /* declaration order, replacements in the original's place */
    size_t ntypes;
    type **all;   /* every type made, replaced and rejected ones included */
    size_t nall;
    definition *defs;
    size_t ndefs;
    requirement **reqs;   /* order of first mention */
    size_t nreqs;
    /* emission order of structs and unions (dependencies first) */
    struct decl { type *t; requirement *r; } *order;
    size_t norder;
} model;

/* Builds types from the parsed files (applying replaces="true"), resolves
 * names.  Problems are reported; returns the number of errors. */
int model_build(model *m, spec_file *files, size_t nfiles);
/* Every semantic check; returns the number of errors reported. */
int model_validate(model *m);

type *model_find(const model *m, const char *name);
requirement *model_find_req(const model *m, const char *name);
const char *model_file(const model *m, int file); /* basename */

/* Field helpers shared by the emitters. */
bool field_is_struct(const field *f); /* nested described value */
bool type_has_struct(const type *t);  /* composite or described restricted */
/* Numeric/boolean restricted type whose values are checked on decode. */
bool type_checks_choices(const type *t);
/* The restricted type that holds the choices of a field's type, or NULL. */
const type *field_choice_type(const field *f);

#endif
