/* flatamqp runtime: descriptor tables of the table codec style
 * (`famqp-gen --style=table`).
 *
 * Part of the generator's ABI (famqp/gen/), not of the user's API: the
 * generated famqp_spec_table.h and the table-style .c files are written
 * against these layouts, and runtime/table/ interprets them.
 *
 * Per composite or described restricted type the generator writes one
 * famqp_table_type (name, descriptor, defaults) with a famqp_table_field
 * per field (kind, struct offset, presence bit = field index, mandatory and
 * default flags, nested table or checked choices); per requirement a
 * famqp_table_union listing its providers.  One generic loop per operation
 * (table_encode.c, table_decode.c, table_union.c, table_print.c) interprets
 * them, so the generated code is data plus one-line public wrappers, with
 * the same public API, bytes and errors as the flat style. */
#ifndef FAMQP_GEN_TABLE_H
#define FAMQP_GEN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "famqp/codec.h"
#include "famqp/gen/wire.h"

/* Primitives, in the generator's order (names match famqp_read_<fn>). */
typedef enum famqp_tprim {
    FAMQP_TP_NULL, FAMQP_TP_BOOLEAN, FAMQP_TP_UBYTE, FAMQP_TP_USHORT, FAMQP_TP_UINT, FAMQP_TP_ULONG,
    FAMQP_TP_BYTE, FAMQP_TP_SHORT, FAMQP_TP_INT, FAMQP_TP_LONG, FAMQP_TP_FLOAT, FAMQP_TP_DOUBLE,
    FAMQP_TP_DECIMAL32, FAMQP_TP_DECIMAL64, FAMQP_TP_DECIMAL128, FAMQP_TP_CHAR, FAMQP_TP_TIMESTAMP,
    FAMQP_TP_UUID, FAMQP_TP_BINARY, FAMQP_TP_STRING, FAMQP_TP_SYMBOL, FAMQP_TP_LIST, FAMQP_TP_MAP,
    FAMQP_TP_ARRAY, FAMQP_TP_COUNT
} famqp_tprim;

/* How a field's member is held and coded. */
typedef enum famqp_tkind {
    FAMQP_TK_PRIM,     /* a primitive C value (prim) */
    FAMQP_TK_MULTIPLE, /* multiple="true": famqp_multiple of prim */
    FAMQP_TK_STRUCT,   /* a nested described value: ref.type */
    FAMQP_TK_UNION,    /* type="*" requires="R": ref.any */
    FAMQP_TK_VALUE     /* any value: famqp_value */
} famqp_tkind;

typedef struct famqp_table_type famqp_table_type;
typedef struct famqp_table_union famqp_table_union;

/* Values a restricted type allows: `count` C values of the primitive's C
 * type (famqp_symbol / famqp_string for text choices).  `detail` is the
 * decode error's "not a <type> choice". */
typedef struct famqp_table_choices {
    const void *values;
    uint32_t count;
    const char *detail;
} famqp_table_choices;

/* Field flags. */
#define FAMQP_TF_MANDATORY 0x01u   /* always encoded; missing on decode fails */
#define FAMQP_TF_DEFAULT 0x02u     /* null on decode restores the default */

typedef struct famqp_table_field {
    const char *name; /* AMQP field name: errors and printing */
    union {
        const famqp_table_type *type;       /* FAMQP_TK_STRUCT */
        const famqp_table_union *any;       /* FAMQP_TK_UNION */
        const famqp_table_choices *choices; /* FAMQP_TK_PRIM: checked on decode, or NULL */
    } ref;
    uint16_t offset; /* of the member in the struct */
    uint16_t size;   /* of the member (restoring a default) */
    uint8_t kind;    /* famqp_tkind */
    uint8_t prim;    /* famqp_tprim of PRIM / MULTIPLE */
    uint8_t flags;   /* FAMQP_TF_* */
} famqp_table_field;

/* Type flags. */
#define FAMQP_TT_LIST 0x01u      /* composite: a list of fields (else one described value) */
#define FAMQP_TT_PRESENT64 0x02u /* `present` is uint64_t (more than 32 fields) */
#define FAMQP_TT_FIXED 0x04u     /* --encoding fixed: fixed-width scalars, 8-byte descriptor */
#define FAMQP_TT_NAMED 0x08u     /* the descriptor has a symbolic name (desc_name) */

struct famqp_table_type {
    const char *name;           /* AMQP type name: r->type in errors */
    const char *desc_name;      /* "amqp:transfer:list", or NULL */
    const char *bad_descriptor; /* "descriptor is not transfer's" */
    const char *null_detail;    /* top-level decode of null: "null instead of a transfer" */
    const char *null_value;     /* described restricted: "null instead of a binary", else NULL */
    const void *defaults;       /* famqp_<type>_defaults */
    const famqp_table_field *fields;
    uint64_t code;
    uint32_t struct_size;
    uint8_t nfields;
    uint8_t mandatory_floor; /* index of the last mandatory field + 1 */
    uint8_t flags;           /* FAMQP_TT_* */
};

/* A provider of a requirement: a described type (prim FAMQP_TP_NULL,
 * ref.type) or a restricted primitive (prim, ref.choices or NULL). */
typedef struct famqp_table_provider {
    union {
        const famqp_table_type *type;
        const famqp_table_choices *choices;
    } ref;
    uint8_t prim;
} famqp_table_provider;

/* famqp_any_<R>: kind (NONE 0, provider i is i + 1, OTHER nproviders + 1)
 * at offset 0, the members of `u` at u_offset. */
struct famqp_table_union {
    const char *name; /* requirement name: r->type of a top-level decode */
    const famqp_table_provider *providers;
    uint16_t u_offset;
    uint8_t nproviders;
    uint8_t fixed; /* --encoding fixed */
};

/* ---- primitives (table_prim.c) ------------------------------------------ */
FAMQP_API extern const uint8_t famqp__table_prim_size[FAMQP_TP_COUNT];
FAMQP_API extern const uint8_t *const famqp__table_prim_codes[FAMQP_TP_COUNT];
FAMQP_API int famqp__table_read_prim(famqp_reader *r, unsigned prim, void *out, const char *field);
FAMQP_API size_t famqp__table_size_prim(unsigned prim, bool fixed, const void *v);
FAMQP_API uint8_t *famqp__table_put_prim(uint8_t *p, unsigned prim, bool fixed, const void *v);
FAMQP_API size_t famqp__table_size_multiple(unsigned prim, const famqp_multiple *m);
FAMQP_API uint8_t *famqp__table_put_multiple(uint8_t *p, unsigned prim, const famqp_multiple *m);
/* True when the C value at v is one of the choices (compared as the C type). */
FAMQP_API bool famqp__table_is_choice(unsigned prim, const famqp_table_choices *c, const void *v);

/* ---- described types (table_encode.c, table_decode.c, table_print.c) ---- */
FAMQP_API size_t famqp__table_size(const famqp_table_type *t, const void *v);
FAMQP_API uint8_t *famqp__table_put(uint8_t *p, const famqp_table_type *t, const void *v);
FAMQP_API size_t famqp__table_encode(const famqp_table_type *t, uint8_t *buf, size_t cap, const void *v);
/* As famqp__table_encode, but a list with all its fields, absent ones null. */
FAMQP_API size_t famqp__table_encode_full(const famqp_table_type *t, uint8_t *buf, size_t cap, const void *v);
/* 1 = read, 0 = null or failure (recorded in r->err). */
FAMQP_API int famqp__table_read(famqp_reader *r, const famqp_table_type *t, void *out, const char *field);
FAMQP_API int famqp__table_read_body(famqp_reader *r, const famqp_table_type *t, void *out);
FAMQP_API size_t famqp__table_decode(const famqp_table_type *t, const uint8_t *p, size_t n, void *out,
                           const famqp_limits *lim, famqp_error *err);
FAMQP_API void famqp__table_print(FILE *f, const famqp_table_type *t, const void *v);

/* ---- unions (table_union.c, table_print.c) ------------------------------ */
FAMQP_API size_t famqp__table_any_size(const famqp_table_union *u, const void *v);
FAMQP_API uint8_t *famqp__table_any_put(uint8_t *p, const famqp_table_union *u, const void *v);
FAMQP_API size_t famqp__table_any_encode(const famqp_table_union *u, uint8_t *buf, size_t cap, const void *v);
/* As famqp__table_any_encode, a described provider by famqp__table_encode_full. */
FAMQP_API size_t famqp__table_any_encode_full(const famqp_table_union *u, uint8_t *buf, size_t cap, const void *v);
FAMQP_API int famqp__table_any_read(famqp_reader *r, const famqp_table_union *u, void *out, const char *field);
FAMQP_API size_t famqp__table_any_decode(const famqp_table_union *u, const uint8_t *p, size_t n, void *out,
                               const famqp_limits *lim, famqp_error *err);
FAMQP_API void famqp__table_any_print(FILE *f, const famqp_table_union *u, const void *v);

/* ---- values of one field (table_field.c) -------------------------------- */
FAMQP_API size_t famqp__table_field_size(const famqp_table_field *fd, bool fixed, const void *member);
FAMQP_API uint8_t *famqp__table_field_put(uint8_t *p, const famqp_table_field *fd, bool fixed, const void *member);
FAMQP_API int famqp__table_field_read(famqp_reader *r, const famqp_table_field *fd, void *member);
FAMQP_API void famqp__table_print_prim(FILE *f, unsigned prim, const void *v);
FAMQP_API void famqp__table_field_print(FILE *f, const famqp_table_field *fd, const void *member);

#endif /* FAMQP_GEN_TABLE_H */
