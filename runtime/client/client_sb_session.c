/* Service Bus session receivers: the com.microsoft:session-filter source
 * filter as Microsoft's SDKs send it (the session id as a plain string, or
 * null for the next available session), and what the broker's attach says
 * back: the session granted (its source filter) and the session lock's end
 * (the com.microsoft:locked-until-utc property, .NET ticks). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "client_sb_internal.h"

bool sb_session_filter(void *buf, size_t cap, const char *session_id, famqp_map *out)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_writer *w = famqp_fields_key(&b, FAMQP_SB_SESSION_FILTER);
    if (session_id)
        famqp_write_cstring(w, session_id);
    else
        famqp_write_null(w);
    return famqp_fields_finish(&b, out) == FAMQP_OK;
}

/* The filter's session id: a string, or a string described by anything
 * (a peer that answers with the described form). */
static bool granted_session(famqp_link *l, famqp_string *out)
{
    famqp_map filter = famqp_link_remote_filter(l);
    famqp_value v, descriptor, inner;
    if (!filter.count || !famqp_map_get_symbol_key(&filter, FAMQP_SB_SESSION_FILTER, &v))
        return false;
    if (famqp_value_get_described(v, &descriptor, &inner))
        v = inner;
    return famqp_value_get_string(v, out) && out->len > 0;
}

static void read_locked_until(famqp_sb_receiver *r, famqp_link *l)
{
    famqp_map props = famqp_link_remote_properties(l);
    famqp_value v;
    int64_t n;
    if (!props.count || !famqp_map_get_symbol_key(&props, "com.microsoft:locked-until-utc", &v))
        return;
    if (famqp_value_get_long(v, &n) && n >= FAMQP_SB_TICKS_AT_UNIX_EPOCH) {
        r->locked_until_ms = (n - FAMQP_SB_TICKS_AT_UNIX_EPOCH) / 10000;
        r->has_locked_until = true;
    } else if (famqp_value_get_timestamp(v, &n)) {
        r->locked_until_ms = n;
        r->has_locked_until = true;
    }
}

famqp_client_status sb_session_accept(famqp_sb_receiver *r, const char *wanted)
{
    famqp_link *l = famqp_receiver_link(r->base);
    famqp_string got = {0};
    if (!l || !granted_session(l, &got))
        return client_set_error(r->client, FAMQP_CLIENT_ERR_REFUSED, "com.microsoft:session-cannot-be-locked", NULL,
                                "the broker granted no session on %s (its attach's source filter names none)",
                                r->entity);
    if (wanted && (got.len != strlen(wanted) || memcmp(got.ptr, wanted, got.len) != 0))
        return client_set_error(r->client, FAMQP_CLIENT_ERR_REFUSED, "com.microsoft:session-cannot-be-locked", NULL,
                                "asked for session '%s' on %s, the broker granted '%.*s' (locked by another receiver?)",
                                wanted, r->entity, (int)(got.len > 200 ? 200 : got.len), got.ptr);
    r->session_id = strndup(got.ptr, got.len);
    if (!r->session_id)
        return client_set_error(r->client, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    read_locked_until(r, l);
    return FAMQP_CLIENT_OK;
}

const char *famqp_sb_receiver_session_id(const famqp_sb_receiver *r) { return r->session_id; }

bool famqp_sb_receiver_session_locked_until(const famqp_sb_receiver *r, int64_t *ms)
{
    if (r->has_locked_until && ms)
        *ms = r->locked_until_ms;
    return r->has_locked_until;
}
