/* Private to runtime/message/: the message API's sources share the
 * generated section types (famqp_spec.h) and the public message header. */
#ifndef FAMQP_MESSAGE_INTERNAL_H
#define FAMQP_MESSAGE_INTERNAL_H

#include "famqp_spec.h"
#include "famqp/message.h"

/* The sections a message holds: those flagged in m->present, plus header
 * and properties with any field present and the maps with any entry (so a
 * filled section is never dropped for a forgotten bit).  Encoding and
 * printing use this one rule. */
static inline uint32_t famqp__message_sections(const famqp_message *m)
{
    uint32_t s = m->present;
    if (m->header.present)
        s |= FAMQP_MESSAGE_HAS_HEADER;
    if (m->delivery_annotations.value.count)
        s |= FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS;
    if (m->message_annotations.value.count)
        s |= FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS;
    if (m->properties.present)
        s |= FAMQP_MESSAGE_HAS_PROPERTIES;
    if (m->application_properties.value.count)
        s |= FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
    if (m->footer.value.count)
        s |= FAMQP_MESSAGE_HAS_FOOTER;
    return s;
}

#endif
