/* famqp-broker's Service Bus $management requests, parsed (see
 * servicebus_protocol.h). */
#include <stdio.h>
#include <string.h>

#include "servicebus_protocol.h"

static const struct {
    const char *name;
    sb_op op;
} ops[] = {
    {"com.microsoft:renew-lock", SB_OP_RENEW_LOCK},
    {"com.microsoft:peek-message", SB_OP_PEEK},
    {"com.microsoft:receive-by-sequence-number", SB_OP_RECEIVE_BY_SEQUENCE},
    {"com.microsoft:update-disposition", SB_OP_UPDATE_DISPOSITION},
    {"com.microsoft:schedule-message", SB_OP_SCHEDULE},
    {"com.microsoft:cancel-scheduled-message", SB_OP_CANCEL_SCHEDULED},
    {"com.microsoft:renew-session-lock", SB_OP_RENEW_SESSION_LOCK},
    {"com.microsoft:get-session-state", SB_OP_GET_SESSION_STATE},
    {"com.microsoft:set-session-state", SB_OP_SET_SESSION_STATE},
};

/* A body entry by string key (as the SDK writes them) or symbol key. */
static bool entry(const famqp_map *body, const char *key, famqp_value *v)
{
    return famqp_map_get_string_key(body, key, v) || famqp_map_get_symbol_key(body, key, v);
}

static int bad(char *why, size_t cap, const char *what, const char *key)
{
    snprintf(why, cap, "'%s' %s", key, what);
    return 400;
}

/* The items of an array or list entry (lock tokens, sequence numbers):
 * each read by array_next (from an array) or get (from a list) into
 * out + i * size; at most SB_MGMT_MAX_ITEMS. */
typedef bool array_next_fn(famqp_iter *it, void *out);
typedef bool get_fn(famqp_value v, void *out);

static int read_items(const famqp_map *body, const char *key, const char *type, array_next_fn *array_next,
                      get_fn *get, void *out, size_t size, size_t *n, char *why, size_t cap)
{
    famqp_value v, item;
    famqp_array a;
    famqp_list l;
    famqp_iter it;
    char what[80];
    snprintf(what, sizeof what, "must be an array (or list) of at most %d %s", SB_MGMT_MAX_ITEMS, type);
    if (!entry(body, key, &v))
        return bad(why, cap, "is missing", key);
    if (famqp_value_get_array(v, &a)) {
        famqp_array_iter(&a, &it);
        while (*n < a.count && *n < SB_MGMT_MAX_ITEMS && array_next(&it, (uint8_t *)out + *n * size))
            (*n)++;
        if (*n != a.count)
            return bad(why, cap, what, key);
    } else if (famqp_value_get_list(v, &l)) {
        famqp_list_iter(&l, &it);
        while (famqp_list_next(&it, &item)) {
            if (*n == SB_MGMT_MAX_ITEMS || !get(item, (uint8_t *)out + *n * size))
                return bad(why, cap, what, key);
            (*n)++;
        }
    } else {
        return bad(why, cap, what, key);
    }
    return *n ? 0 : bad(why, cap, "is empty", key);
}

static bool next_uuid(famqp_iter *it, void *out) { return famqp_array_next_uuid(it, out); }
static bool get_uuid(famqp_value v, void *out) { return famqp_value_get_uuid(v, out); }
static bool next_long(famqp_iter *it, void *out) { return famqp_array_next_long(it, out); }
static bool get_long(famqp_value v, void *out) { return famqp_value_get_long(v, out); }

static int read_locks(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    return read_items(body, "lock-tokens", "uuids", next_uuid, get_uuid, r->locks, sizeof r->locks[0], &r->nlocks,
                      why, cap);
}

static int read_seqs(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    return read_items(body, "sequence-numbers", "longs", next_long, get_long, r->seqs, sizeof r->seqs[0],
                      &r->nseqs, why, cap);
}

/* An optional string entry (absent or null: not set). */
static int read_string(const famqp_map *body, const char *key, bool *has, famqp_string *out, char *why, size_t cap)
{
    famqp_value v;
    *has = false;
    if (!entry(body, key, &v) || famqp_value_kind(v) == FAMQP_KIND_NULL)
        return 0;
    if (!famqp_value_get_string(v, out))
        return bad(why, cap, "must be a string", key);
    *has = true;
    return 0;
}

static int read_disposition(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    bool has;
    famqp_string s;
    famqp_value v;
    int st = read_string(body, "disposition-status", &has, &s, why, cap);
    if (st || !has)
        return st ? st : bad(why, cap, "is missing", "disposition-status");
    static const struct {
        const char *name;
        char kind;
    } kinds[] = {{"completed", 'c'}, {"abandoned", 'a'}, {"defered", 'd'}, {"suspended", 'x'}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (s.len == strlen(kinds[i].name) && memcmp(s.ptr, kinds[i].name, s.len) == 0)
            r->disposition = kinds[i].kind;
    if (!r->disposition)
        return bad(why, cap, "must be completed, abandoned, defered or suspended", "disposition-status");
    if ((st = read_string(body, "deadletter-reason", &r->has_reason, &r->reason, why, cap)) ||
        (st = read_string(body, "deadletter-description", &r->has_description, &r->description, why, cap)))
        return st;
    if (entry(body, "properties-to-modify", &v) && famqp_value_kind(v) != FAMQP_KIND_NULL &&
        !famqp_value_get_map(v, &r->props))
        return bad(why, cap, "must be a map", "properties-to-modify");
    return read_locks(body, r, why, cap);
}

static int read_peek(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    famqp_value v;
    if (!entry(body, "from-sequence-number", &v) || !famqp_value_get_long(v, &r->from_seq))
        return bad(why, cap, "must be a long", "from-sequence-number");
    if (!entry(body, "message-count", &v) || !famqp_value_get_int(v, &r->count) || r->count < 1)
        return bad(why, cap, "must be an int of 1 or more", "message-count");
    return 0;
}

static int read_by_sequence(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    famqp_value v;
    uint32_t mode = 1;
    if (entry(body, "receiver-settle-mode", &v) && !famqp_value_get_uint(v, &mode))
        return bad(why, cap, "must be a uint", "receiver-settle-mode");
    r->delete_mode = mode == 0;
    return read_seqs(body, r, why, cap);
}

static int read_session_state(const famqp_map *body, sb_mgmt_request *r, char *why, size_t cap)
{
    famqp_value v;
    if (!entry(body, "session-state", &v))
        return bad(why, cap, "is missing", "session-state");
    if (famqp_value_kind(v) == FAMQP_KIND_NULL)
        return 0;
    if (!famqp_value_get_binary(v, &r->state))
        return bad(why, cap, "must be a binary or null", "session-state");
    r->has_state = true;
    return 0;
}

int sb_mgmt_parse(const famqp_message *m, sb_mgmt_request *r, char *why, size_t cap)
{
    memset(r, 0, sizeof *r);
    famqp_value v;
    famqp_string op = {0};
    famqp_map ap = (m->present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES) ? m->application_properties.value
                                                                            : (famqp_map){0};
    if (!ap.count || !famqp_map_get_string_key(&ap, "operation", &v) || !famqp_value_get_string(v, &op)) {
        snprintf(why, cap, "the request has no application property 'operation' (a string)");
        return 400;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (op.len == strlen(ops[i].name) && memcmp(op.ptr, ops[i].name, op.len) == 0)
            r->op = ops[i].op;
    if (!r->op) {
        /* The peer's name, at most 100 bytes, control characters shown as
         * '?': the description stays one line in logs and replies. */
        char name[101];
        size_t n = op.len > 100 ? 100 : op.len;
        for (size_t i = 0; i < n; i++)
            name[i] = (unsigned char)op.ptr[i] < 0x20 || op.ptr[i] == 0x7f ? '?' : op.ptr[i];
        name[n] = 0;
        snprintf(why, cap, "operation '%s' is not emulated", name);
        return 501;
    }
    famqp_map body;
    if (!famqp_message_get_value(m, &v) || !famqp_value_get_map(v, &body)) {
        snprintf(why, cap, "the request's body must be an amqp-value map");
        return 400;
    }
    int st = read_string(&body, "session-id", &r->has_session, &r->session, why, cap);
    if (st)
        return st;
    switch (r->op) {
    case SB_OP_RENEW_LOCK: return read_locks(&body, r, why, cap);
    case SB_OP_PEEK: return read_peek(&body, r, why, cap);
    case SB_OP_RECEIVE_BY_SEQUENCE: return read_by_sequence(&body, r, why, cap);
    case SB_OP_UPDATE_DISPOSITION: return read_disposition(&body, r, why, cap);
    case SB_OP_CANCEL_SCHEDULED: return read_seqs(&body, r, why, cap);
    case SB_OP_SCHEDULE:
        if (!entry(&body, "messages", &v) || !famqp_value_get_list(v, &r->messages) || !r->messages.count)
            return bad(why, cap, "must be a list of maps", "messages");
        return 0;
    case SB_OP_SET_SESSION_STATE:
        if ((st = read_session_state(&body, r, why, cap)))
            return st;
        return r->has_session ? 0 : bad(why, cap, "is missing", "session-id");
    case SB_OP_RENEW_SESSION_LOCK:
    case SB_OP_GET_SESSION_STATE:
        return r->has_session ? 0 : bad(why, cap, "is missing", "session-id");
    }
    return 0;
}

bool sb_mgmt_scheduled_message(const sb_mgmt_request *r, famqp_value item, famqp_binary *out, char *why, size_t cap)
{
    (void)r;
    famqp_map entry_map;
    famqp_value v;
    if (!famqp_value_get_map(item, &entry_map) || !entry(&entry_map, "message", &v) ||
        !famqp_value_get_binary(v, out)) {
        snprintf(why, cap, "each of 'messages' must be a map with 'message' (a binary)");
        return false;
    }
    return true;
}
