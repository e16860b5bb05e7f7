/* Reading a message: its sections in the standard's order, zero-copy. */
#include <string.h>

#include "message_internal.h"

/* Position of a section kind in the message layout; every body kind shares
 * one rank.  -1: not a message section. */
enum { RANK_BODY = 5 };

static int section_rank(famqp_any_section_kind k)
{
    switch (k) {
    case FAMQP_ANY_SECTION_HEADER: return 0;
    case FAMQP_ANY_SECTION_DELIVERY_ANNOTATIONS: return 1;
    case FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS: return 2;
    case FAMQP_ANY_SECTION_PROPERTIES: return 3;
    case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES: return 4;
    case FAMQP_ANY_SECTION_DATA:
    case FAMQP_ANY_SECTION_AMQP_SEQUENCE:
    case FAMQP_ANY_SECTION_AMQP_VALUE: return RANK_BODY;
    case FAMQP_ANY_SECTION_FOOTER: return 6;
    default: return -1;
    }
}

static famqp_body_kind body_kind_of(famqp_any_section_kind k)
{
    switch (k) {
    case FAMQP_ANY_SECTION_DATA: return FAMQP_BODY_DATA;
    case FAMQP_ANY_SECTION_AMQP_SEQUENCE: return FAMQP_BODY_SEQUENCE;
    case FAMQP_ANY_SECTION_AMQP_VALUE: return FAMQP_BODY_VALUE;
    default: return FAMQP_BODY_NONE;
    }
}

static famqp_status fail(famqp_error *err, famqp_any_section_kind k, size_t offset, const char *detail)
{
    if (err) {
        err->status = FAMQP_ERR_INVALID_VALUE;
        err->type = "message";
        err->field = famqp_section_name(k);
        err->offset = offset;
        err->detail = detail;
    }
    return FAMQP_ERR_INVALID_VALUE;
}

static void store_section(famqp_message *m, const famqp_any_section *s, const uint8_t *start, size_t len)
{
    switch (s->kind) {
    case FAMQP_ANY_SECTION_HEADER:
        m->header = s->u.header;
        m->present |= FAMQP_MESSAGE_HAS_HEADER;
        break;
    case FAMQP_ANY_SECTION_DELIVERY_ANNOTATIONS:
        m->delivery_annotations = s->u.delivery_annotations;
        m->present |= FAMQP_MESSAGE_HAS_DELIVERY_ANNOTATIONS;
        break;
    case FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS:
        m->message_annotations = s->u.message_annotations;
        m->present |= FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS;
        break;
    case FAMQP_ANY_SECTION_PROPERTIES:
        m->properties = s->u.properties;
        m->present |= FAMQP_MESSAGE_HAS_PROPERTIES;
        break;
    case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES:
        m->application_properties = s->u.application_properties;
        m->present |= FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES;
        break;
    case FAMQP_ANY_SECTION_FOOTER:
        m->footer = s->u.footer;
        m->present |= FAMQP_MESSAGE_HAS_FOOTER;
        break;
    default: {
        famqp_message_body *b = &m->body;
        if (b->count == 0) {
            b->kind = body_kind_of(s->kind);
            b->wire.ptr = start;
            if (s->kind == FAMQP_ANY_SECTION_DATA)
                b->data = s->u.data.value;
            else if (s->kind == FAMQP_ANY_SECTION_AMQP_SEQUENCE)
                b->sequence = s->u.amqp_sequence.value;
            else
                b->value = s->u.amqp_value.value;
        }
        /* Body sections are contiguous (ranks), so the wire view grows. */
        b->wire.len = (size_t)(start + len - b->wire.ptr);
        b->count++;
        break;
    }
    }
}

famqp_status famqp_message_decode_ex(const uint8_t *p, size_t n, famqp_message *m, const famqp_limits *lim,
                                     famqp_error *err)
{
    famqp_message_init(m);
    int last_rank = -1;
    famqp_any_section_kind last_kind = FAMQP_ANY_SECTION_NONE;
    size_t off = 0;
    while (off < n) {
        famqp_any_section s;
        famqp_error local;
        memset(&local, 0, sizeof local);
        size_t used = famqp_any_section_decode_ex(p + off, n - off, &s, lim, &local);
        if (used == 0) {
            local.offset += off;
            if (err)
                *err = local;
            return local.status != FAMQP_OK ? local.status : FAMQP_ERR_INVALID_VALUE;
        }
        int rank = section_rank(s.kind);
        if (rank < 0)
            return fail(err, s.kind, off,
                        s.kind == FAMQP_ANY_SECTION_NONE ? "null where a message section was expected"
                                                         : "not a message section (unknown descriptor or "
                                                           "undescribed value)");
        if (last_kind == FAMQP_ANY_SECTION_FOOTER)
            return fail(err, s.kind, off, "section after the footer");
        if (rank < last_rank)
            return fail(err, s.kind, off,
                        "out of order (the order is header, delivery-annotations, message-annotations, "
                        "properties, application-properties, body, footer)");
        if (rank == last_rank && rank != RANK_BODY)
            return fail(err, s.kind, off, "duplicate section");
        if (rank == RANK_BODY && m->body.count > 0) {
            if (s.kind != last_kind)
                return fail(err, s.kind, off,
                            "body sections of different kinds (a body is data sections, amqp-sequence "
                            "sections or one amqp-value)");
            if (s.kind == FAMQP_ANY_SECTION_AMQP_VALUE)
                return fail(err, s.kind, off, "more than one amqp-value section");
        }
        store_section(m, &s, p + off, used);
        last_rank = rank;
        last_kind = s.kind;
        off += used;
    }
    return FAMQP_OK;
}

famqp_status famqp_message_decode(const uint8_t *p, size_t n, famqp_message *m, famqp_error *err)
{
    return famqp_message_decode_ex(p, n, m, NULL, err);
}

void famqp_message_body_iter(const famqp_message *m, famqp_body_iter *it)
{
    it->p = m->body.wire.ptr;
    it->end = m->body.wire.ptr ? m->body.wire.ptr + m->body.wire.len : NULL;
}

bool famqp_message_body_next(famqp_body_iter *it, famqp_any_section *section)
{
    if (!it->p || it->p >= it->end)
        return false;
    size_t used = famqp_any_section_decode(it->p, (size_t)(it->end - it->p), section, NULL);
    if (used == 0) { /* only possible for a hand-made wire view: stop */
        it->p = it->end;
        return false;
    }
    it->p += used;
    return true;
}
