/* Batch messages (famqp/batch.h): events as data sections of one outer
 * message, built within a size limit and walked back into messages. */
#include <string.h>

#include "famqp/batch.h"
#include "message_internal.h"

#define PARTITION_KEY "x-opt-partition-key"
/* A message-annotations map with only the partition key: the section's
 * descriptor, the map's header, the symbol key and the string value. */
#define KEY_MAP_CAP (FAMQP_BATCH_PARTITION_KEY_MAX + 64)

size_t famqp_batch_event_cost(size_t encoded_len)
{
    /* described (0x00 0x53 0x75) vbin8 (0xa0 len) or vbin32 (0xb0 len[4]) */
    return encoded_len + (encoded_len <= 255 ? 5 : 8);
}

static famqp_status key_annotations(famqp_message *m, const char *key, uint8_t *buf, size_t cap)
{
    famqp_map_builder mb;
    famqp_map_builder_init(&mb, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, buf, cap);
    famqp_map_builder_put_string(&mb, PARTITION_KEY, key);
    famqp_status st = famqp_message_set_map(m, &mb);
    /* the builder reports a bad string as an invalid value, a long one as a limit */
    return st == FAMQP_ERR_LIMIT ? FAMQP_ERR_INVALID_VALUE : st;
}

famqp_status famqp_batch_init(famqp_batch *b, void *buf, size_t cap, int64_t max_bytes, const char *partition_key)
{
    memset(b, 0, sizeof *b);
    b->buf = buf;
    b->cap = buf ? cap : 0;
    b->limit = (max_bytes < 0 || (uint64_t)max_bytes > b->cap) ? b->cap : (size_t)max_bytes;
    if (partition_key) {
        size_t klen = strlen(partition_key);
        if (klen > FAMQP_BATCH_PARTITION_KEY_MAX || !famqp_utf8_valid((const uint8_t *)partition_key, klen))
            return FAMQP_ERR_INVALID_VALUE;
        uint8_t kb[KEY_MAP_CAP];
        famqp_message outer;
        famqp_message_init(&outer);
        famqp_status st = key_annotations(&outer, partition_key, kb, sizeof kb);
        if (st != FAMQP_OK)
            return st;
        size_t need = famqp_message_encode(NULL, 0, &outer);
        if (need > b->limit)
            return FAMQP_ERR_LIMIT;
        b->head = famqp_message_encode(b->buf, b->limit, &outer);
        b->partition_key = partition_key;
    }
    b->len = b->head;
    return FAMQP_OK;
}

/* Room for an event of n encoded bytes: where its bytes go, or NULL. */
static uint8_t *reserve(famqp_batch *b, size_t n)
{
    size_t cost = famqp_batch_event_cost(n);
    if (n > UINT32_MAX || cost > b->limit - b->len)
        return NULL;
    uint8_t *p = b->buf + b->len;
    *p++ = 0x00;
    *p++ = 0x53;
    *p++ = 0x75;
    if (n <= 255) {
        *p++ = 0xa0;
        *p++ = (uint8_t)n;
    } else {
        *p++ = 0xb0;
        for (int shift = 24; shift >= 0; shift -= 8)
            *p++ = (uint8_t)(n >> shift);
    }
    return p;
}

famqp_status famqp_batch_add(famqp_batch *b, const famqp_message *m)
{
    famqp_message keyed;
    uint8_t kb[KEY_MAP_CAP];
    if (b->partition_key && !(famqp__message_sections(m) & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS)) {
        keyed = *m;
        famqp_status st = key_annotations(&keyed, b->partition_key, kb, sizeof kb);
        if (st != FAMQP_OK)
            return st;
        m = &keyed;
    }
    size_t n = famqp_message_encode(NULL, 0, m);
    uint8_t *p = reserve(b, n);
    if (!p)
        return FAMQP_ERR_LIMIT;
    famqp_message_encode(p, n, m);
    b->len += famqp_batch_event_cost(n);
    b->count++;
    return FAMQP_OK;
}

famqp_status famqp_batch_add_encoded(famqp_batch *b, const void *bytes, size_t len)
{
    if (len && !bytes)
        return FAMQP_ERR_INVALID_VALUE;
    uint8_t *p = reserve(b, len);
    if (!p)
        return FAMQP_ERR_LIMIT;
    if (len)
        memcpy(p, bytes, len);
    b->len += famqp_batch_event_cost(len);
    b->count++;
    return FAMQP_OK;
}

famqp_binary famqp_batch_payload(const famqp_batch *b) { return famqp_binary_of(b->buf, b->len); }

uint32_t famqp_batch_count(const famqp_batch *b) { return b->count; }

void famqp_batch_clear(famqp_batch *b)
{
    b->len = b->head;
    b->count = 0;
}

/* ---- reading ---- */

static void fail(famqp_batch_reader *r, famqp_status st, size_t offset, const char *detail)
{
    if (r->status != FAMQP_OK)
        return;
    r->status = st;
    r->error = (famqp_error){.status = st, .type = "batch", .offset = offset, .detail = detail};
}

famqp_status famqp_batch_reader_init(famqp_batch_reader *r, const uint8_t *p, size_t n, famqp_error *err)
{
    memset(r, 0, sizeof *r);
    famqp_status st = famqp_message_decode(p, n, &r->outer, &r->error);
    if (st == FAMQP_OK && r->outer.body.kind != FAMQP_BODY_DATA && r->outer.body.kind != FAMQP_BODY_NONE) {
        st = FAMQP_ERR_INVALID_VALUE;
        r->error = (famqp_error){.status = st, .type = "batch", .detail = "the batch's body is not data sections"};
    }
    r->status = st;
    if (err)
        *err = r->error;
    if (st == FAMQP_OK)
        famqp_message_body_iter(&r->outer, &r->it);
    return st;
}

bool famqp_batch_next(famqp_batch_reader *r, famqp_message *event)
{
    famqp_message_init(event);
    if (r->status != FAMQP_OK || r->outer.body.kind != FAMQP_BODY_DATA)
        return false;
    famqp_any_section s;
    if (!famqp_message_body_next(&r->it, &s))
        return false;
    if (s.kind != FAMQP_ANY_SECTION_DATA) { /* decode already refused mixed bodies */
        fail(r, FAMQP_ERR_INVALID_VALUE, 0, "a batch section that is not data");
        return false;
    }
    r->current = s.u.data.value;
    famqp_error e;
    if (famqp_message_decode(r->current.ptr, r->current.len, event, &e) != FAMQP_OK) {
        famqp_message_init(event);
        r->status = e.status;
        r->error = e;
        if (!r->error.detail)
            r->error.detail = "an event of the batch does not decode";
        return false;
    }
    r->index++;
    return true;
}

famqp_status famqp_batch_reader_status(const famqp_batch_reader *r, famqp_error *err)
{
    if (err)
        *err = r->error;
    return r->status;
}
