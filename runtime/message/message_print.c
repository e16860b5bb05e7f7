/* famqp_message_print: every section of a message, one per line, in the
 * generated printers' notation (which names each section's descriptor). */
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

void famqp_message_print(FILE *f, const famqp_message *m)
{
    /* the same sections, in the same order, as famqp_message_encode writes */
    uint32_t present = famqp__message_sections(m);
    if (present & FAMQP_MESSAGE_HAS_HEADER) {
        famqp_header_print(f, &m->header);
        fputc('\n', f);
    }
    if (present & FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS) {
        famqp_delivery_annotations_print(f, &m->delivery_annotations);
        fputc('\n', f);
    }
    if (present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS) {
        famqp_message_annotations_print(f, &m->message_annotations);
        fputc('\n', f);
    }
    if (present & FAMQP_MESSAGE_HAS_PROPERTIES) {
        famqp_properties_print(f, &m->properties);
        fputc('\n', f);
    }
    if (present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES) {
        famqp_application_properties_print(f, &m->application_properties);
        fputc('\n', f);
    }
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
    if (present & FAMQP_MESSAGE_HAS_FOOTER) {
        famqp_footer_print(f, &m->footer);
        fputc('\n', f);
    }
}
