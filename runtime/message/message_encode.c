/* Writing a message: present sections in order, write-or-count. */
#include <string.h>

#include "message_internal.h"

/* Calls fn(buf, cap) for each section in order, so the same walk first
 * counts (buf NULL) and then writes. */
typedef struct emit {
    uint8_t *buf; /* NULL: count only */
    size_t len;
} emit;

#define EMIT(e, encode_fn, value_ptr)                                                    \
    do {                                                                                 \
        size_t need_ = encode_fn(NULL, 0, value_ptr);                                    \
        if ((e)->buf)                                                                    \
            encode_fn((e)->buf + (e)->len, need_, value_ptr);                            \
        (e)->len += need_;                                                               \
    } while (0)

/* An amqp-value section holding a string, written straight from its view:
 * the section's descriptor, then str8 or str32 and the bytes. */
static void emit_text_value(emit *e, famqp_string text)
{
    size_t need = 3 + famqp_size_string(text);
    if (e->buf) {
        uint8_t *p = e->buf + e->len;
        *p++ = FAMQP_CODE_DESCRIBED;
        *p++ = FAMQP_CODE_SMALLULONG;
        *p++ = (uint8_t)FAMQP_AMQP_VALUE_CODE;
        famqp_put_string(p, text);
    }
    e->len += need;
}

static void emit_body(emit *e, const famqp_message_body *b)
{
    switch (b->kind) {
    case FAMQP_BODY_DATA:
        if (b->data_parts) {
            for (uint32_t i = 0; i < b->count; i++) {
                famqp_data d = {b->data_parts[i]};
                EMIT(e, famqp_data_encode, &d);
            }
            return;
        }
        break;
    case FAMQP_BODY_SEQUENCE:
        if (b->sequence_parts) {
            for (uint32_t i = 0; i < b->count; i++) {
                famqp_amqp_sequence s = {b->sequence_parts[i]};
                EMIT(e, famqp_amqp_sequence_encode, &s);
            }
            return;
        }
        break;
    case FAMQP_BODY_VALUE: {
        if (b->value.len == 0 && b->text.ptr) {
            emit_text_value(e, b->text);
            return;
        }
        famqp_amqp_value v = {b->value};
        if (v.value.len == 0) { /* no value given: amqp-value null */
            static const uint8_t null_code = 0x40;
            v.value.ptr = &null_code;
            v.value.len = 1;
        }
        EMIT(e, famqp_amqp_value_encode, &v);
        return;
    }
    default:
        return;
    }
    /* DATA / SEQUENCE without parts: several sections come from the wire
     * view of a decoded message; one from the single field. */
    if (b->count > 1 && b->wire.ptr) {
        if (e->buf)
            memcpy(e->buf + e->len, b->wire.ptr, b->wire.len);
        e->len += b->wire.len;
    } else if (b->kind == FAMQP_BODY_DATA) {
        famqp_data d = {b->data};
        EMIT(e, famqp_data_encode, &d);
    } else {
        famqp_amqp_sequence s = {b->sequence};
        EMIT(e, famqp_amqp_sequence_encode, &s);
    }
}

static void emit_message(emit *e, const famqp_message *m, uint32_t present)
{
    if (present & FAMQP_MESSAGE_HAS_HEADER)
        EMIT(e, famqp_header_encode, &m->header);
    if (present & FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS)
        EMIT(e, famqp_delivery_annotations_encode, &m->delivery_annotations);
    if (present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS)
        EMIT(e, famqp_message_annotations_encode, &m->message_annotations);
    if (present & FAMQP_MESSAGE_HAS_PROPERTIES)
        EMIT(e, famqp_properties_encode, &m->properties);
    if (present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES)
        EMIT(e, famqp_application_properties_encode, &m->application_properties);
    emit_body(e, &m->body);
    if (present & FAMQP_MESSAGE_HAS_FOOTER)
        EMIT(e, famqp_footer_encode, &m->footer);
}

size_t famqp_message_encode(uint8_t *buf, size_t cap, const famqp_message *m)
{
    uint32_t present = famqp__message_sections(m);
    emit count = {NULL, 0};
    emit_message(&count, m, present);
    if (!buf || cap < count.len)
        return count.len;
    emit out = {buf, 0};
    emit_message(&out, m, present);
    return out.len;
}
