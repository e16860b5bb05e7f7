/* The message side of request/response (famqp/management.h): request ids
 * and reply-to, correlation, the status in both spellings, and the CBS
 * put-token request. */
#define _GNU_SOURCE /* getrandom */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "famqp/management.h"

bool famqp_management_fresh_reply_to(char out[FAMQP_MANAGEMENT_REPLY_TO_SIZE])
{
    uint8_t r[8];
    out[0] = '\0';
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return false;
    snprintf(out, FAMQP_MANAGEMENT_REPLY_TO_SIZE, "famqp-reply-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
             r[3], r[4], r[5], r[6], r[7]);
    return true;
}

void famqp_management_set_request(famqp_message *m, uint64_t id, const char *reply_to)
{
    m->properties.present |= FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_REPLY_TO;
    m->properties.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG;
    m->properties.message_id.u.message_id_ulong = id;
    m->properties.reply_to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    m->properties.reply_to.u.address_string = famqp_string_of(reply_to);
}

bool famqp_management_correlation_id(const famqp_message *m, uint64_t *id)
{
    const famqp_properties *p = &m->properties;
    if (!(p->present & FAMQP_PROPERTIES_HAS_CORRELATION_ID) ||
        p->correlation_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG)
        return false;
    *id = p->correlation_id.u.message_id_ulong;
    return true;
}

/* An application property's integer value, if it fits an int32. */
static bool property_int(const famqp_message *m, const char *name, int32_t *out)
{
    famqp_value v;
    if (!famqp_message_property(m, name, &v))
        return false;
    int64_t l;
    uint64_t ul;
    int32_t i;
    uint32_t u;
    int16_t s;
    uint16_t us;
    int8_t b;
    uint8_t ub;
    if (famqp_value_get_int(v, &i))
        l = i;
    else if (famqp_value_get_long(v, &l))
        ;
    else if (famqp_value_get_uint(v, &u))
        l = u;
    else if (famqp_value_get_ulong(v, &ul))
        l = ul > INT32_MAX ? (int64_t)INT32_MAX + 1 : (int64_t)ul;
    else if (famqp_value_get_short(v, &s))
        l = s;
    else if (famqp_value_get_ushort(v, &us))
        l = us;
    else if (famqp_value_get_byte(v, &b))
        l = b;
    else if (famqp_value_get_ubyte(v, &ub))
        l = ub;
    else
        return false;
    if (l < INT32_MIN || l > INT32_MAX)
        return false;
    *out = (int32_t)l;
    return true;
}

static bool property_string(const famqp_message *m, const char *name, famqp_string *out)
{
    famqp_value v;
    return famqp_message_property(m, name, &v) && famqp_value_get_string(v, out);
}

bool famqp_management_status(const famqp_message *m, int32_t *code, famqp_string *description)
{
    *code = -1;
    bool found = property_int(m, "status-code", code) || property_int(m, "statusCode", code);
    if (!found)
        *code = -1;
    if (description) {
        *description = (famqp_string){0};
        if (!property_string(m, "status-description", description))
            property_string(m, "statusDescription", description);
    }
    return found;
}

famqp_status famqp_cbs_put_token_request(famqp_message *m, uint8_t *buf, size_t cap, const char *type,
                                         const char *audience, uint64_t expiry_epoch_s, const char *token)
{
    if (!type || !*type || !audience || !*audience || !token || !*token)
        return FAMQP_ERR_INVALID_VALUE;
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_map_begin(&w);
    famqp_write_string(&w, famqp_string_of("operation"));
    famqp_write_string(&w, famqp_string_of("put-token"));
    famqp_write_string(&w, famqp_string_of("type"));
    famqp_write_string(&w, famqp_string_of(type));
    famqp_write_string(&w, famqp_string_of("name"));
    famqp_write_string(&w, famqp_string_of(audience));
    famqp_write_string(&w, famqp_string_of("expiration"));
    if (expiry_epoch_s <= INT32_MAX)
        famqp_write_int(&w, (int32_t)expiry_epoch_s);
    else
        famqp_write_long(&w, (int64_t)expiry_epoch_s);
    famqp_write_map_end(&w);
    famqp_status st = famqp_writer_status(&w);
    if (st != FAMQP_OK)
        return st;
    if (!famqp_message_set_application_properties(m, &w))
        return FAMQP_ERR_LIMIT;
    famqp_message_set_string(m, token);
    return FAMQP_OK;
}
