/* Service Bus lock renewal through the entity's $management node: the
 * com.microsoft:renew-lock request as @azure/service-bus sends it, its
 * answer (statusCode, expirations), and the requester per receiver. */
#define _GNU_SOURCE /* getrandom */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "client_sb_internal.h"

#define RENEW_LOCK_OPERATION "com.microsoft:renew-lock"
#define RENEW_SESSION_LOCK_OPERATION "com.microsoft:renew-session-lock"

/* An array32 of uuids (what rhea's wrap_array writes): 0xf0, size, count,
 * the uuid constructor 0x98, then 16 bytes each. */
static size_t uuid_array(uint8_t *p, size_t cap, const famqp_uuid *tokens, size_t n)
{
    size_t need = 1 + 4 + 4 + 1 + 16 * n;
    if (cap < need)
        return 0;
    uint32_t size = (uint32_t)(need - 5), count = (uint32_t)n;
    p[0] = 0xf0;
    for (int i = 0; i < 4; i++) {
        p[1 + i] = (uint8_t)(size >> (24 - 8 * i));
        p[5 + i] = (uint8_t)(count >> (24 - 8 * i));
    }
    p[9] = 0x98;
    for (size_t i = 0; i < n; i++)
        memcpy(p + 10 + 16 * i, tokens[i].bytes, 16);
    return need;
}

/* The application properties every $management request of a receiver
 * carries, as the SDK sends them. */
static famqp_status request_properties(famqp_message *m, const char *operation, const char *tracking_id,
                                       const char *associated_link_name, uint8_t *buf, size_t cap)
{
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, buf, cap);
    famqp_map_builder_put_string(&b, "operation", operation);
    if (tracking_id)
        famqp_map_builder_put_string(&b, "com.microsoft:tracking-id", tracking_id);
    if (associated_link_name)
        famqp_map_builder_put_string(&b, "associated-link-name", associated_link_name);
    return famqp_message_set_map(m, &b);
}

famqp_status famqp_sb_renew_lock_request(famqp_message *m, const famqp_uuid *tokens, size_t n,
                                         const char *tracking_id, const char *associated_link_name, void *buf,
                                         size_t cap)
{
    famqp_message_init(m);
    if (!tokens || n < 1 || n > FAMQP_SB_MAX_RENEW_TOKENS)
        return FAMQP_ERR_INVALID_VALUE;
    uint8_t *p = buf;
    size_t half = cap / 2;
    /* application properties in the first half, the body in the second */
    famqp_status st = request_properties(m, RENEW_LOCK_OPERATION, tracking_id, associated_link_name, p, half);
    if (st != FAMQP_OK)
        return st;
    uint8_t array[16 * FAMQP_SB_MAX_RENEW_TOKENS + 16];
    size_t alen = uuid_array(array, sizeof array, tokens, n);
    famqp_writer w;
    famqp_writer_init(&w, p + half, cap - half);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "lock-tokens");
    famqp_write_value(&w, (famqp_value){array, alen});
    famqp_write_map_end(&w);
    st = famqp_writer_status(&w);
    if (st != FAMQP_OK)
        return st;
    famqp_message_set_value(m, famqp_writer_value(&w));
    return FAMQP_OK;
}

static famqp_status reply_error(famqp_error *err, famqp_status st, const char *field, const char *detail)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->status = st;
        err->type = "renew-lock answer";
        err->field = field;
        err->detail = detail;
    }
    return st;
}

famqp_status famqp_sb_renew_lock_reply(const famqp_message *reply, size_t n, int64_t *locked_until_ms,
                                       famqp_error *err)
{
    famqp_value body, v;
    famqp_map map;
    famqp_array arr;
    if (!famqp_message_get_value(reply, &body) || !famqp_value_get_map(body, &map))
        return reply_error(err, FAMQP_ERR_TYPE_MISMATCH, "body", "the body is not an amqp-value map");
    if (!famqp_map_get_string_key(&map, "expirations", &v) && !famqp_map_get_symbol_key(&map, "expirations", &v))
        return reply_error(err, FAMQP_ERR_MISSING_MANDATORY, "expirations", "the body has no \"expirations\"");
    if (!famqp_value_get_array(v, &arr))
        return reply_error(err, FAMQP_ERR_TYPE_MISMATCH, "expirations", "\"expirations\" is not an array");
    if (arr.count != n)
        return reply_error(err, FAMQP_ERR_INVALID_VALUE, "expirations",
                           "\"expirations\" does not hold one timestamp per lock token");
    famqp_iter it;
    famqp_array_iter(&arr, &it);
    for (size_t i = 0; i < n; i++) {
        int64_t t;
        if (!famqp_array_next_timestamp(&it, &t))
            return reply_error(err, FAMQP_ERR_TYPE_MISMATCH, "expirations", "\"expirations\" is not of timestamps");
        if (locked_until_ms)
            locked_until_ms[i] = t;
    }
    return FAMQP_OK;
}

/* The condition of an answer without an error-condition (Service Bus
 * sends one with its errors): the usual one for the status, `gone` for 410
 * (the lock the operation is about).  Not core-amqp's table, whose reverse
 * lookup gives the last condition listed per status (410: amqp:link:stolen,
 * 400: amqp:not-allowed). */
static const char *status_condition(int32_t status, const char *gone)
{
    switch (status) {
    case 400: return "com.microsoft:argument-error";
    case 401: return "amqp:unauthorized-access";
    case 403: return "amqp:resource-limit-exceeded";
    case 404: return "amqp:not-found";
    case 408: return "com.microsoft:timeout";
    case 409: return "com.microsoft:entity-already-exists";
    case 410: return gone;
    case 501: return "amqp:not-implemented";
    case 503: return "com.microsoft:server-busy";
    default: return "amqp:internal-error";
    }
}

/* An application property's text (string or symbol) into out. */
static bool property_text(const famqp_message *m, const char *name, char *out, size_t cap)
{
    famqp_value v;
    famqp_string s;
    famqp_symbol y;
    if (!famqp_map_get_string_key(&m->application_properties.value, name, &v))
        return false;
    if (famqp_value_get_symbol(v, &y))
        s = (famqp_string){y.ptr, y.len};
    else if (!famqp_value_get_string(v, &s))
        return false;
    snprintf(out, cap, "%.*s", (int)(s.len < cap ? s.len : cap - 1), s.ptr);
    return true;
}

static bool tracking_id(char out[37])
{
    famqp_uuid u;
    if (getrandom(u.bytes, sizeof u.bytes, 0) != (ssize_t)sizeof u.bytes)
        return false;
    u.bytes[6] = (uint8_t)((u.bytes[6] & 0x0f) | 0x40); /* version 4 */
    u.bytes[8] = (uint8_t)((u.bytes[8] & 0x3f) | 0x80);
    famqp_sb_lock_token_text(u, out);
    return true;
}

static famqp_client_status management(famqp_sb_receiver *r, int timeout_ms)
{
    if (r->mgmt)
        return FAMQP_CLIENT_OK;
    size_t len = strlen(r->entity) + sizeof "/$management";
    char *node = malloc(len);
    if (!node)
        return client_set_error(r->client, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    snprintf(node, len, "%s/$management", r->entity);
    famqp_requester_options o;
    famqp_requester_options_init(&o);
    o.attach_timeout_ms = timeout_ms; /* 0: the default 10 s (attaching cannot be instant) */
    famqp_client_status st = famqp_requester_open(r->client, node, &o, &r->mgmt);
    free(node);
    return st;
}

/* Sends req to the entity's $management node (attached on first use) and
 * waits until deadline: OK with *resp holding a 2xx answer (release it),
 * ERR_REFUSED for any other status (its condition and description). */
static famqp_client_status management_call(famqp_sb_receiver *r, const char *what, const char *gone,
                                           const famqp_message *req, int timeout_ms, uint64_t deadline,
                                           famqp_response *resp)
{
    int left = timeout_ms;
    if (timeout_ms > 0) {
        uint64_t now = famqp_io_now_ms();
        left = now >= deadline ? 0 : (int)(deadline - now);
    }
    famqp_client_status st = famqp_request(r->mgmt, req, left, resp);
    if (st != FAMQP_CLIENT_OK)
        return st;
    int32_t code = resp->status_code;
    if (code >= 200 && code <= 299)
        return FAMQP_CLIENT_OK;
    char cond[128], desc[512];
    if (!property_text(&resp->message, "error-condition", cond, sizeof cond) &&
        !property_text(&resp->message, "errorCondition", cond, sizeof cond))
        snprintf(cond, sizeof cond, "%s", status_condition(code, gone));
    snprintf(desc, sizeof desc, "%.*s", (int)(resp->status_description.len < 511 ? resp->status_description.len : 511),
             resp->status_description.ptr ? resp->status_description.ptr : "");
    famqp_response_release(resp);
    return client_set_error(r->client, FAMQP_CLIENT_ERR_REFUSED, cond, desc, "%s on %s/$management answered %" PRId32,
                            what, r->entity, code);
}

/* The management link and a tracking id, for a request due by deadline. */
static famqp_client_status prepare(famqp_sb_receiver *r, int timeout_ms, char tid[37])
{
    famqp_client_status st = management(r, timeout_ms);
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (!tracking_id(tid))
        return client_set_error(r->client, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "no random bytes for a tracking id");
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_sb_renew_locks(famqp_sb_receiver *r, const famqp_uuid *tokens, size_t n, int timeout_ms,
                                         int64_t *locked_until_ms)
{
    famqp_client *c = r->client;
    if (!tokens || n < 1 || n > FAMQP_SB_MAX_RENEW_TOKENS)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "renew-lock takes 1 to %d lock tokens, not %zu",
                                FAMQP_SB_MAX_RENEW_TOKENS, n);
    uint64_t deadline = client_deadline(timeout_ms);
    char tid[37];
    famqp_client_status st = prepare(r, timeout_ms, tid);
    if (st != FAMQP_CLIENT_OK)
        return st;
    size_t cap = 2 * (16 * n + strlen(r->link_name) + 256);
    uint8_t *buf = malloc(cap);
    if (!buf)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    famqp_message req;
    famqp_status fs = famqp_sb_renew_lock_request(&req, tokens, n, tid, r->link_name, buf, cap);
    famqp_response resp;
    if (fs != FAMQP_OK)
        st = client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "could not encode the renew-lock request: %s",
                              famqp_status_name(fs));
    else
        st = management_call(r, "renew-lock", FAMQP_SB_LOCK_LOST_CONDITION, &req, timeout_ms, deadline, &resp);
    free(buf);
    if (st != FAMQP_CLIENT_OK)
        return st;
    famqp_error err;
    fs = famqp_sb_renew_lock_reply(&resp.message, n, locked_until_ms, &err);
    famqp_response_release(&resp);
    if (fs != FAMQP_OK)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, "amqp:decode-error", err.detail,
                                "renew-lock on %s/$management: a bad answer (%s)", r->entity, err.detail);
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_sb_renew_session_lock(famqp_sb_receiver *r, int timeout_ms, int64_t *locked_until_ms)
{
    famqp_client *c = r->client;
    if (!r->session_id)
        return client_set_error(c, FAMQP_CLIENT_ERR_STATE, NULL, NULL, "renew-session-lock: %s is not a session receiver",
                                r->link_name);
    uint64_t deadline = client_deadline(timeout_ms);
    char tid[37];
    famqp_client_status st = prepare(r, timeout_ms, tid);
    if (st != FAMQP_CLIENT_OK)
        return st;
    size_t cap = 2 * (strlen(r->session_id) + strlen(r->link_name) + 256);
    uint8_t *buf = malloc(cap);
    if (!buf)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    famqp_message req;
    famqp_message_init(&req);
    famqp_writer w;
    famqp_writer_init(&w, buf + cap / 2, cap - cap / 2);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "session-id");
    famqp_write_cstring(&w, r->session_id);
    famqp_write_map_end(&w);
    famqp_status fs = request_properties(&req, RENEW_SESSION_LOCK_OPERATION, tid, r->link_name, buf, cap / 2);
    if (fs == FAMQP_OK)
        fs = famqp_writer_status(&w);
    famqp_response resp;
    if (fs != FAMQP_OK) {
        st = client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "could not encode the renew-session-lock request: %s",
                              famqp_status_name(fs));
    } else {
        famqp_message_set_value(&req, famqp_writer_value(&w));
        st = management_call(r, "renew-session-lock", "com.microsoft:session-lock-lost", &req, timeout_ms, deadline, &resp);
    }
    free(buf);
    if (st != FAMQP_CLIENT_OK)
        return st;
    famqp_value body, v;
    famqp_map map;
    int64_t until = 0;
    bool ok = famqp_message_get_value(&resp.message, &body) && famqp_value_get_map(body, &map) &&
              famqp_map_get_string_key(&map, "expiration", &v) && famqp_value_get_timestamp(v, &until);
    famqp_response_release(&resp);
    if (!ok)
        return client_set_error(c, FAMQP_CLIENT_ERR_REFUSED, "amqp:decode-error", NULL,
                                "renew-session-lock on %s/$management: the answer's body has no \"expiration\" timestamp",
                                r->entity);
    r->locked_until_ms = until;
    r->has_locked_until = true;
    if (locked_until_ms)
        *locked_until_ms = until;
    return FAMQP_CLIENT_OK;
}

famqp_client_status famqp_sb_renew_lock(famqp_sb_receiver *r, famqp_uuid token, int timeout_ms,
                                        int64_t *locked_until_ms)
{
    return famqp_sb_renew_locks(r, &token, 1, timeout_ms, locked_until_ms);
}
