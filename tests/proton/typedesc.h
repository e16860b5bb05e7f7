/* A hand-written description of the generated C structs (field order, C
 * storage kind, offset), so one generic engine can fill a struct from a
 * test value and check a decoded struct against one.  Written from the AMQP
 * 1.0 specification, not from the generator's model, so that it checks the
 * generator rather than repeating it. */
#ifndef FAMQP_TEST_TYPEDESC_H
#define FAMQP_TEST_TYPEDESC_H

#include <stddef.h>
#include <stdint.h>

#include "tv.h"

typedef enum field_kind {
    FK_BOOL,
    FK_UBYTE,
    FK_USHORT,
    FK_UINT,
    FK_ULONG,
    FK_TIMESTAMP,
    FK_UUID,
    FK_BINARY,
    FK_STRING,
    FK_SYMBOL,
    FK_MAP,
    FK_LIST,
    FK_VALUE,
    FK_MULTI_SYMBOL, /* famqp_multiple of famqp_symbol */
    FK_NESTED,       /* a composite struct held by value */
    FK_ANY           /* a famqp_any_<R> tagged union */
} field_kind;

struct type_desc;
struct any_desc;

typedef struct field_desc {
    const char *name;
    field_kind kind;
    size_t offset;
    uint64_t has_bit; /* the generated FAMQP_<TYPE>_HAS_<FIELD> */
    const struct type_desc *nested;
    const struct any_desc *any;
} field_desc;

typedef struct type_desc {
    const char *name;
    uint64_t code;
    size_t size;
    bool restricted; /* a described restricted type: one field, no list */
    size_t present_offset;
    size_t present_size;
    const field_desc *fields;
    size_t nfields;
    const void *defaults;
    size_t (*encode)(uint8_t *buf, size_t cap, const void *v);
    size_t (*decode)(const uint8_t *p, size_t n, void *out, famqp_error *err);
} type_desc;

/* A provider of a requirement: a composite (td set) or a restricted
 * primitive (prim: which test value kind selects it; storage `prim_field`). */
typedef struct any_member {
    int kind;
    const type_desc *td;
    tv_kind prim;
    field_kind prim_field;
} any_member;

typedef struct any_desc {
    const char *name;
    size_t size;
    size_t u_offset;
    int none_kind, other_kind;
    int (*get_kind)(const void *any);
    void (*set_kind)(void *any, int kind);
    const any_member *members;
    size_t nmembers;
    size_t (*encode)(uint8_t *buf, size_t cap, const void *v);
    size_t (*decode)(const uint8_t *p, size_t n, void *out, famqp_error *err);
} any_desc;

/* The famqp_any_<R> unions. */
extern const any_desc any_delivery_state, any_outcome, any_source, any_target, any_address, any_message_id,
    any_txn_id, any_global_tx_id, any_frame, any_sasl_frame, any_section, any_lifetime_policy;

extern const type_desc td_open, td_begin, td_attach, td_flow, td_transfer, td_disposition, td_detach,
    td_end, td_close, td_error;
extern const type_desc td_sasl_mechanisms, td_sasl_init, td_sasl_challenge, td_sasl_response,
    td_sasl_outcome;
extern const type_desc td_received, td_accepted, td_rejected, td_released, td_modified, td_source,
    td_target;
extern const type_desc td_delete_on_close, td_delete_on_no_links, td_delete_on_no_messages,
    td_delete_on_no_links_or_messages;
extern const type_desc td_coordinator, td_declare, td_discharge, td_declared, td_transactional_state;
extern const type_desc td_header, td_delivery_annotations, td_message_annotations, td_properties,
    td_application_properties, td_data, td_amqp_sequence, td_amqp_value, td_footer;

#endif
