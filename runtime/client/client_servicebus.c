/* Service Bus receivers (famqp/servicebus.h): peek-lock and
 * receive-and-delete attaches, the lock token and x-opt-* annotations of
 * received messages, and the four settlements as @azure/service-bus 7.x
 * sends them. */
#define _GNU_SOURCE /* getrandom */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "client_sb_internal.h"
#include "famqp/eventhubs.h"

void famqp_sb_receiver_options_init(famqp_sb_receiver_options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = FAMQP_SB_PEEK_LOCK;
    o->prefetch = 1;
    o->attach_timeout_ms = 10000;
}

static void sb_free(famqp_sb_receiver *r)
{
    free(r->entity);
    free(r->link_name);
    free(r->session_id);
    free(r);
}

/* "famqp-sb-" and 16 hex digits, so the receiver-name property and the
 * management requests' associated-link-name can name the link. */
static char *fresh_name(void)
{
    uint8_t b[8] = {0};
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return NULL;
    char *s = malloc(32);
    if (s)
        snprintf(s, 32, "famqp-sb-%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    return s;
}

/* Attach properties: com.microsoft:receiver-name and, when set,
 * com.microsoft:timeout (as the SDK: a uint of milliseconds). */
static bool attach_properties(void *buf, size_t cap, const char *receiver_name, uint32_t timeout_ms, famqp_map *out)
{
    famqp_fields_builder b;
    famqp_fields_init(&b, buf, cap);
    famqp_write_cstring(famqp_fields_key(&b, "com.microsoft:receiver-name"), receiver_name);
    if (timeout_ms)
        famqp_write_uint(famqp_fields_key(&b, "com.microsoft:timeout"), timeout_ms);
    return famqp_fields_finish(&b, out) == FAMQP_OK;
}

famqp_client_status famqp_sb_receiver_open(famqp_client *c, const char *entity, const famqp_sb_receiver_options *opts,
                                           famqp_sb_receiver **out)
{
    *out = NULL;
    famqp_sb_receiver_options defaults;
    if (!opts) {
        famqp_sb_receiver_options_init(&defaults);
        opts = &defaults;
    }
    if (!entity || !*entity)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "a Service Bus receiver needs an entity");
    if (opts->mode != FAMQP_SB_PEEK_LOCK && opts->mode != FAMQP_SB_RECEIVE_AND_DELETE)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "unknown receive mode %d", (int)opts->mode);
    if (opts->session_id && !opts->session)
        return client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "session_id is set but session is not");
    famqp_sb_receiver *r = calloc(1, sizeof *r);
    if (!r)
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    r->client = c;
    r->entity = strdup(entity);
    r->link_name = opts->name ? strdup(opts->name) : fresh_name();
    if (!r->entity || !r->link_name) {
        sb_free(r);
        return client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    const char *receiver_name = opts->receiver_name ? opts->receiver_name : r->link_name;
    size_t props_cap = strlen(receiver_name) + 96;
    size_t filter_cap = (opts->session_id ? strlen(opts->session_id) : 0) + 64;
    uint8_t *props_buf = malloc(props_cap), *filter_buf = malloc(filter_cap);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.name = r->link_name;
    ro.attach_timeout_ms = opts->attach_timeout_ms;
    ro.credit_window = opts->prefetch;
    /* The next available session: the broker may wait for one to free up,
     * as long as the SDK's operation has left (its com.microsoft:timeout). */
    uint32_t server_timeout = opts->server_timeout_ms;
    if (!server_timeout && opts->session && !opts->session_id && opts->attach_timeout_ms >= 0)
        server_timeout = opts->attach_timeout_ms ? (uint32_t)opts->attach_timeout_ms : 10000u;
    bool peek = opts->mode == FAMQP_SB_PEEK_LOCK;
    ro.snd_settle_mode = peek ? FAMQP_SENDER_SETTLE_MODE_UNSETTLED : FAMQP_SENDER_SETTLE_MODE_SETTLED;
    ro.rcv_settle_mode = peek ? FAMQP_RECEIVER_SETTLE_MODE_SECOND : FAMQP_RECEIVER_SETTLE_MODE_FIRST;
    famqp_client_status st = FAMQP_CLIENT_OK;
    if (!props_buf || !filter_buf)
        st = client_set_error(c, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    else if (!attach_properties(props_buf, props_cap, receiver_name, server_timeout, &ro.link.properties) ||
             (opts->session && !sb_session_filter(filter_buf, filter_cap, opts->session_id, &ro.filter)))
        st = client_set_error(c, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "could not encode the receiver's attach");
    else
        st = famqp_receiver_open(c, entity, &ro, &r->base);
    free(props_buf); /* the link copied both */
    free(filter_buf);
    if (st == FAMQP_CLIENT_OK && opts->session) {
        st = sb_session_accept(r, opts->session_id);
        if (st != FAMQP_CLIENT_OK) {
            famqp_client_error keep = *famqp_client_last_error(c);
            famqp_receiver_close(r->base, 0);
            client_set_error(c, keep.status, keep.condition, keep.description, "%s", keep.message);
        }
    }
    if (st != FAMQP_CLIENT_OK) {
        sb_free(r);
        return st;
    }
    *out = r;
    return FAMQP_CLIENT_OK;
}

famqp_receiver *famqp_sb_receiver_base(const famqp_sb_receiver *r) { return r->base; }

famqp_client_status famqp_sb_receive(famqp_sb_receiver *r, int timeout_ms, famqp_delivery **d)
{
    return famqp_receive(r->base, timeout_ms, d);
}

famqp_client_status famqp_sb_receiver_close(famqp_sb_receiver *r, int timeout_ms)
{
    if (!r)
        return FAMQP_CLIENT_OK;
    famqp_client_status st = famqp_requester_close(r->mgmt, timeout_ms);
    /* Prefetched messages nobody saw are left to the detach, as the SDK
     * does (no released disposition). */
    famqp_client_status st2 = client_receiver_close(r->base, timeout_ms, false);
    sb_free(r);
    return st != FAMQP_CLIENT_OK ? st : st2;
}

/* ---- lock tokens and annotations ---------------------------------------------- */

famqp_status famqp_sb_lock_token_from_tag(famqp_binary tag, famqp_uuid *out)
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    memset(out, 0, sizeof *out);
    if (tag.len != 16 || !tag.ptr)
        return FAMQP_ERR_INVALID_VALUE;
    for (int i = 0; i < 16; i++)
        out->bytes[i] = tag.ptr[order[i]];
    return FAMQP_OK;
}

void famqp_sb_lock_token_text(famqp_uuid t, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[t.bytes[i] >> 4];
        out[o++] = hex[t.bytes[i] & 15];
    }
    out[o] = '\0';
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

famqp_status famqp_sb_lock_token_parse(const char *text, famqp_uuid *out)
{
    memset(out, 0, sizeof *out);
    if (!text || strlen(text) != 36)
        return FAMQP_ERR_INVALID_VALUE;
    size_t n = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return FAMQP_ERR_INVALID_VALUE;
            continue;
        }
        int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0)
            return FAMQP_ERR_INVALID_VALUE;
        out->bytes[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return FAMQP_OK;
}

famqp_status famqp_sb_message_info_read(const famqp_delivery *d, famqp_sb_message_info *out, famqp_error *err)
{
    memset(out, 0, sizeof *out);
    famqp_message m;
    famqp_status st = famqp_delivery_read_message(d, &m, err);
    if (st != FAMQP_OK)
        return st;
    famqp_value v;
    if (famqp_message_annotation(&m, "x-opt-lock-token", &v) && famqp_value_get_uuid(v, &out->lock_token))
        out->has_lock_token = true;
    else
        out->has_lock_token = famqp_sb_lock_token_from_tag(famqp_delivery_tag(d), &out->lock_token) == FAMQP_OK;
    if (out->has_lock_token)
        famqp_sb_lock_token_text(out->lock_token, out->lock_token_text);
    out->has_locked_until = famqp_message_annotation(&m, "x-opt-locked-until", &v) &&
                            famqp_value_get_timestamp(v, &out->locked_until_ms);
    out->has_sequence_number = famqp_event_sequence_number(&m, &out->sequence_number);
    out->has_enqueued_time = famqp_event_enqueued_time(&m, &out->enqueued_time_ms);
    if (m.present & FAMQP_MESSAGE_HAS_HEADER)
        out->delivery_count = m.header.delivery_count;
    if (m.properties.present & FAMQP_PROPERTIES_HAS_GROUP_ID)
        out->session_id = m.properties.group_id;
    return FAMQP_OK;
}

/* ---- settlements ------------------------------------------------------------------ */

const char *famqp_sb_settlement_name(famqp_sb_settlement s)
{
    switch (s) {
    case FAMQP_SB_COMPLETE: return "complete";
    case FAMQP_SB_ABANDON: return "abandon";
    case FAMQP_SB_DEAD_LETTER: return "dead-letter";
    case FAMQP_SB_DEFER: return "defer";
    }
    return "unknown";
}

static bool is_string_key(famqp_value key, const char *name)
{
    famqp_string s;
    return famqp_value_get_string(key, &s) && s.len == strlen(name) && memcmp(s.ptr, name, s.len) == 0;
}

static void write_text_or_null(famqp_writer *w, const char *text)
{
    if (text)
        famqp_write_cstring(w, text);
    else
        famqp_write_null(w);
}

/* {properties..., "DeadLetterReason": reason, "DeadLetterErrorDescription": description} */
static famqp_status dead_letter_info(const famqp_map *props, const char *reason, const char *description, void *buf,
                                     size_t cap, famqp_map *out)
{
    famqp_writer w;
    famqp_writer_init(&w, buf, cap);
    famqp_write_map_begin(&w);
    if (props && props->count) {
        famqp_iter it;
        famqp_value key, val;
        famqp_map_iter(props, &it);
        while (famqp_map_next(&it, &key, &val)) {
            if (is_string_key(key, "DeadLetterReason") || is_string_key(key, "DeadLetterErrorDescription"))
                continue;
            famqp_write_value(&w, key);
            famqp_write_value(&w, val);
        }
    }
    famqp_write_cstring(&w, "DeadLetterReason");
    write_text_or_null(&w, reason);
    famqp_write_cstring(&w, "DeadLetterErrorDescription");
    write_text_or_null(&w, description);
    famqp_write_map_end(&w);
    famqp_status st = famqp_writer_status(&w);
    if (st != FAMQP_OK)
        return st;
    return famqp_map_of(buf, famqp_writer_len(&w), out) ? FAMQP_OK : FAMQP_ERR_INVALID_VALUE;
}

famqp_status famqp_sb_outcome(famqp_sb_settlement s, const famqp_map *properties, const char *reason,
                              const char *description, void *buf, size_t cap, famqp_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (properties && properties->count && (properties->count % 2 || !properties->items))
        return FAMQP_ERR_INVALID_VALUE;
    switch (s) {
    case FAMQP_SB_COMPLETE: out->kind = FAMQP_OUTCOME_ACCEPTED; return FAMQP_OK;
    case FAMQP_SB_ABANDON:
    case FAMQP_SB_DEFER:
        out->kind = FAMQP_OUTCOME_MODIFIED;
        out->delivery_failed_absent = true; /* as the SDK: only undeliverable-here is set */
        out->undeliverable_here = s == FAMQP_SB_DEFER;
        if (properties)
            out->message_annotations = *properties;
        return FAMQP_OK;
    case FAMQP_SB_DEAD_LETTER:
        out->kind = FAMQP_OUTCOME_REJECTED;
        out->error.name = FAMQP_SB_DEAD_LETTER_CONDITION;
        return dead_letter_info(properties, reason, description, buf, cap, &out->error_info);
    }
    return FAMQP_ERR_INVALID_VALUE;
}

famqp_client_status famqp_sb_settle(famqp_sb_receiver *r, famqp_delivery *d, famqp_sb_settlement s,
                                    const famqp_map *properties, const char *reason, const char *description,
                                    int timeout_ms)
{
    famqp_outcome o;
    size_t cap = (properties ? properties->len : 0) + (reason ? strlen(reason) : 0) +
                 (description ? strlen(description) : 0) + 128;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return client_set_error(r->client, FAMQP_CLIENT_ERR_NOMEM, NULL, NULL, "out of memory");
    famqp_status fs = famqp_sb_outcome(s, properties, reason, description, buf, cap, &o);
    famqp_client_status st;
    if (fs != FAMQP_OK)
        st = client_set_error(r->client, FAMQP_CLIENT_ERR_ARG, NULL, NULL, "could not build the %s outcome: %s",
                              famqp_sb_settlement_name(s), famqp_status_name(fs));
    else
        st = famqp_receiver_settle(r->base, d, &o, timeout_ms, NULL);
    free(buf); /* the engine copied the outcome */
    return st;
}

famqp_client_status famqp_sb_complete(famqp_sb_receiver *r, famqp_delivery *d, int timeout_ms)
{
    return famqp_sb_settle(r, d, FAMQP_SB_COMPLETE, NULL, NULL, NULL, timeout_ms);
}

famqp_client_status famqp_sb_abandon(famqp_sb_receiver *r, famqp_delivery *d, const famqp_map *properties,
                                     int timeout_ms)
{
    return famqp_sb_settle(r, d, FAMQP_SB_ABANDON, properties, NULL, NULL, timeout_ms);
}

famqp_client_status famqp_sb_defer(famqp_sb_receiver *r, famqp_delivery *d, const famqp_map *properties,
                                   int timeout_ms)
{
    return famqp_sb_settle(r, d, FAMQP_SB_DEFER, properties, NULL, NULL, timeout_ms);
}

famqp_client_status famqp_sb_dead_letter(famqp_sb_receiver *r, famqp_delivery *d, const char *reason,
                                         const char *description, const famqp_map *properties, int timeout_ms)
{
    return famqp_sb_settle(r, d, FAMQP_SB_DEAD_LETTER, properties, reason, description, timeout_ms);
}
