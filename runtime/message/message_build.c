/* Building and inspecting messages: defaults, body setters, section maps
 * and lookups. */
#include <string.h>

#include "message_internal.h"

void famqp_message_init(famqp_message *m)
{
    memset(m, 0, sizeof *m);
    m->header = famqp_header_defaults;
    m->delivery_annotations = famqp_delivery_annotations_defaults;
    m->message_annotations = famqp_message_annotations_defaults;
    m->properties = famqp_properties_defaults;
    m->application_properties = famqp_application_properties_defaults;
    m->footer = famqp_footer_defaults;
}

static void body_reset(famqp_message *m, famqp_body_kind kind, uint32_t count)
{
    memset(&m->body, 0, sizeof m->body);
    m->body.kind = kind;
    m->body.count = count;
}

void famqp_message_set_data(famqp_message *m, const void *ptr, size_t len)
{
    body_reset(m, FAMQP_BODY_DATA, 1);
    m->body.data = famqp_binary_of(ptr, len);
}

void famqp_message_set_data_parts(famqp_message *m, const famqp_binary *parts, uint32_t count)
{
    body_reset(m, FAMQP_BODY_DATA, count);
    m->body.data_parts = parts;
    if (count)
        m->body.data = parts[0];
}

void famqp_message_set_value(famqp_message *m, famqp_value v)
{
    body_reset(m, FAMQP_BODY_VALUE, 1);
    m->body.value = v;
}

void famqp_message_set_string(famqp_message *m, const char *utf8)
{
    body_reset(m, FAMQP_BODY_VALUE, 1);
    m->body.text = famqp_string_of(utf8);
}

bool famqp_message_get_string(const famqp_message *m, famqp_string *out)
{
    *out = (famqp_string){0};
    const famqp_message_body *b = &m->body;
    if (b->kind != FAMQP_BODY_VALUE || b->count != 1)
        return false;
    if (!b->value.len && b->text.ptr) {
        *out = b->text;
        return true;
    }
    if (famqp_value_get_string(b->value, out))
        return true;
    *out = (famqp_string){0};
    return false;
}

bool famqp_message_get_binary(const famqp_message *m, famqp_binary *out)
{
    *out = (famqp_binary){0};
    const famqp_message_body *b = &m->body;
    if (b->count != 1)
        return false;
    if (b->kind == FAMQP_BODY_DATA) {
        *out = b->data;
        return true;
    }
    if (b->kind == FAMQP_BODY_VALUE && famqp_value_get_binary(b->value, out))
        return true;
    *out = (famqp_binary){0};
    return false;
}

bool famqp_message_get_value(const famqp_message *m, famqp_value *out)
{
    *out = (famqp_value){0};
    const famqp_message_body *b = &m->body;
    if (b->kind != FAMQP_BODY_VALUE || b->count != 1 || !b->value.len)
        return false;
    *out = b->value;
    return true;
}

bool famqp_message_get_sequence(const famqp_message *m, famqp_list *out)
{
    *out = (famqp_list){0};
    const famqp_message_body *b = &m->body;
    if (b->kind != FAMQP_BODY_SEQUENCE || b->count != 1)
        return false;
    *out = b->sequence;
    return true;
}

void famqp_message_set_sequence(famqp_message *m, famqp_list l)
{
    body_reset(m, FAMQP_BODY_SEQUENCE, 1);
    m->body.sequence = l;
}

void famqp_message_set_sequence_parts(famqp_message *m, const famqp_list *parts, uint32_t count)
{
    body_reset(m, FAMQP_BODY_SEQUENCE, count);
    m->body.sequence_parts = parts;
    if (count)
        m->body.sequence = parts[0];
}

/* The map a writer produced, when it is exactly one complete map. */
static bool writer_map(const famqp_writer *w, famqp_map *out)
{
    if (famqp_writer_status(w) != FAMQP_OK)
        return false;
    famqp_map map;
    if (!famqp_map_of(w->buf, famqp_writer_len(w), &map))
        return false;
    *out = map;
    return true;
}

bool famqp_message_set_application_properties(famqp_message *m, const famqp_writer *w)
{
    if (!writer_map(w, &m->application_properties.value))
        return false;
    m->present |= FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
    return true;
}

bool famqp_message_set_message_annotations(famqp_message *m, const famqp_writer *w)
{
    if (!writer_map(w, &m->message_annotations.value))
        return false;
    m->present |= FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS;
    return true;
}

bool famqp_message_set_delivery_annotations(famqp_message *m, const famqp_writer *w)
{
    if (!writer_map(w, &m->delivery_annotations.value))
        return false;
    m->present |= FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS;
    return true;
}

bool famqp_message_set_footer(famqp_message *m, const famqp_writer *w)
{
    if (!writer_map(w, &m->footer.value))
        return false;
    m->present |= FAMQP_MESSAGE_HAS_FOOTER;
    return true;
}

bool famqp_message_property(const famqp_message *m, const char *name, famqp_value *out)
{
    if (!(m->present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES))
        return false;
    return famqp_map_get_string_key(&m->application_properties.value, name, out);
}

bool famqp_message_annotation(const famqp_message *m, const char *key, famqp_value *out)
{
    if (!(m->present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS))
        return false;
    return famqp_map_get_symbol_key(&m->message_annotations.value, key, out);
}

const char *famqp_section_name(famqp_any_section_kind k)
{
    switch (k) {
    case FAMQP_ANY_SECTION_HEADER: return "header";
    case FAMQP_ANY_SECTION_DELIVERY_ANNOTATIONS: return "delivery-annotations";
    case FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS: return "message-annotations";
    case FAMQP_ANY_SECTION_PROPERTIES: return "properties";
    case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES: return "application-properties";
    case FAMQP_ANY_SECTION_DATA: return "data";
    case FAMQP_ANY_SECTION_AMQP_SEQUENCE: return "amqp-sequence";
    case FAMQP_ANY_SECTION_AMQP_VALUE: return "amqp-value";
    case FAMQP_ANY_SECTION_FOOTER: return "footer";
    case FAMQP_ANY_SECTION_NONE: return "null";
    default: return "unknown section";
    }
}
