/* famqp_message_print: every section of a message, one per line, in the
 * generated printers' notation (which names each section's descriptor). */
#include <inttypes.h>

#include "message_internal.h"

/* Body sections of a built message (no wire view) from its fields. */
static void print_built_body(FILE *f, const famqp_message_body *b)
{
    switch (b->kind) {
    case FAMQP_BODY_DATA:
        for (uint32_t i = 0; i < (b->data_parts ? b->count : 1u); i++) {
            famqp_data d = {b->data_parts ? b->data_parts[i] : b->data};
            famqp_data_print(f, &d);
            fputc('\n', f);
        }
        break;
    case FAMQP_BODY_SEQUENCE:
        for (uint32_t i = 0; i < (b->sequence_parts ? b->count : 1u); i++) {
            famqp_amqp_sequence s = {b->sequence_parts ? b->sequence_parts[i] : b->sequence};
            famqp_amqp_sequence_print(f, &s);
            fputc('\n', f);
        }
        break;
    case FAMQP_BODY_VALUE: {
        if (!b->value.len && b->text.ptr) { /* famqp_message_set_string */
            /* as famqp_amqp_value_print shows the encoded section */
            fprintf(f, "@amqp-value(%" PRIu64 ") ", (uint64_t)FAMQP_AMQP_VALUE_CODE);
            famqp_print_string(f, b->text);
            fputc('\n', f);
            break;
        }
        static const uint8_t null_code = 0x40; /* as encoded when no value is given */
        famqp_amqp_value v = {b->value.len ? b->value : (famqp_value){&null_code, 1}};
        famqp_amqp_value_print(f, &v);
        fputc('\n', f);
        break;
    }
    default:
        fputs("(no body)\n", f);
        break;
    }
}

/* One present section on its own line. */
#define PRINT_SECTION(BIT, NAME)                         \
    do {                                                 \
        if (present & FAMQP_MESSAGE_HAS_##BIT) {         \
            famqp_##NAME##_print(f, &m->NAME);           \
            fputc('\n', f);                              \
        }                                                \
    } while (0)

void famqp_message_print(FILE *f, const famqp_message *m)
{
    /* the same sections, in the same order, as famqp_message_encode writes */
    uint32_t present = famqp__message_sections(m);
    PRINT_SECTION(HEADER, header);
    PRINT_SECTION(DELIVERY_ANNOTATIONS, delivery_annotations);
    PRINT_SECTION(MESSAGE_ANNOTATIONS, message_annotations);
    PRINT_SECTION(PROPERTIES, properties);
    PRINT_SECTION(APPLICATION_PROPERTIES, application_properties);
    if (m->body.wire.ptr && m->body.wire.len) { /* decoded: every section as received */
        famqp_body_iter it;
        famqp_any_section section;
        famqp_message_body_iter(m, &it);
        while (famqp_message_body_next(&it, &section)) {
            famqp_any_section_print(f, &section);
            fputc('\n', f);
        }
    } else {
        print_built_body(f, &m->body);
    }
    PRINT_SECTION(FOOTER, footer);
}
#undef PRINT_SECTION
