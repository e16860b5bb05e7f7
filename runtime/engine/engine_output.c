/* Output: frames are encoded straight into the output buffer, which the
 * caller drains.  AMQP frames written before our AMQP protocol header (while
 * SASL is still running) wait in a deferred buffer.  Nothing is traced here:
 * the trace reads the buffer back when the caller takes it (wire order). */
#include <string.h>

#include "engine_internal.h"

uint32_t eng_out_frame_max(const famqp_connection *c)
{
    return c->remote_max_frame_size;
}

bool eng_error_put(famqp_error_t *e, const char *condition, const char *description)
{
    if (!condition)
        return false;
    *e = famqp_error_defaults;
    e->condition = famqp_symbol_of(condition);
    e->present = FAMQP_ERROR_HAS_CONDITION;
    if (description) {
        e->description = famqp_string_of(description);
        e->present |= FAMQP_ERROR_HAS_DESCRIPTION;
    }
    return true;
}

static eng_buf *amqp_target(famqp_connection *c)
{
    return c->amqp_header_sent ? &c->out : &c->deferred;
}

bool eng_write_raw(famqp_connection *c, const uint8_t *p, size_t n)
{
    if (!eng_buf_append(c, &c->out, p, n))
        return false;
    c->writes_since_tick += (uint32_t)(n ? 1 : 0);
    return true;
}

void eng_send_amqp_header(famqp_connection *c)
{
    if (c->amqp_header_sent)
        return;
    if (!eng_write_raw(c, famqp_protocol_header_amqp, FAMQP_PROTOCOL_HEADER_SIZE))
        return;
    c->amqp_header_sent = true;
    if (c->deferred.len) {
        eng_write_raw(c, c->deferred.ptr, c->deferred.len);
        c->deferred.len = 0;
    }
}

static const char *performative_name(famqp_any_frame_kind k)
{
    static const char *const names[] = {"empty", "open", "begin", "attach", "flow", "transfer", "disposition",
                                        "detach", "end", "close", "unknown"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

size_t eng_frame_encode(const famqp_connection *c, uint8_t *buf, size_t cap, const famqp_any_frame *f)
{
    if (c->opts.full_performatives)
        return famqp_any_frame_encode_full(buf, cap, f);
    return famqp_any_frame_encode(buf, cap, f);
}

static size_t sasl_frame_encode(const famqp_connection *c, uint8_t *buf, size_t cap, const famqp_any_sasl_frame *f)
{
    if (c->opts.full_performatives)
        return famqp_any_sasl_frame_encode_full(buf, cap, f);
    return famqp_any_sasl_frame_encode(buf, cap, f);
}

bool eng_emit_frame(famqp_connection *c, uint16_t channel, const famqp_any_frame *f, const uint8_t *payload,
                    size_t payload_len)
{
    size_t body = eng_frame_encode(c, NULL, 0, f);
    size_t size = FAMQP_FRAME_HEADER_SIZE + body + payload_len;
    if (size > eng_out_frame_max(c) && c->remote != ENG_UNINIT) {
        /* Only transfers carry payload, and they are split before this;
         * anything else that does not fit is refused. */
        eng_fail(c, FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL,
                 "%s frame of %zu bytes to send exceeds the peer's max-frame-size %" PRIu32,
                 performative_name(f->kind), size, eng_out_frame_max(c));
        return false;
    }
    eng_buf *b = amqp_target(c);
    if (!eng_buf_reserve(c, b, size))
        return false;
    uint8_t *p = b->ptr + b->len;
    p = famqp_frame_header_put(p, (uint32_t)size, FAMQP_FRAME_TYPE_AMQP, channel);
    eng_frame_encode(c, p, body, f);
    if (payload_len)
        memcpy(p + body, payload, payload_len);
    b->len += size;
    c->writes_since_tick++;
    return true;
}

bool eng_write_frame(famqp_connection *c, uint16_t channel, const famqp_any_frame *f, const uint8_t *payload,
                     size_t payload_len)
{
    if (c->ndisps && f->kind != FAMQP_ANY_FRAME_DISPOSITION)
        eng_flush_dispositions(c);
    return eng_emit_frame(c, channel, f, payload, payload_len);
}

bool eng_write_sasl_frame(famqp_connection *c, const famqp_any_sasl_frame *f)
{
    size_t body = sasl_frame_encode(c, NULL, 0, f);
    size_t size = FAMQP_FRAME_HEADER_SIZE + body;
    if (!eng_buf_reserve(c, &c->out, size))
        return false;
    uint8_t *p = c->out.ptr + c->out.len;
    p = famqp_frame_header_put(p, (uint32_t)size, FAMQP_FRAME_TYPE_SASL, 0);
    sasl_frame_encode(c, p, body, f);
    c->out.len += size;
    c->writes_since_tick++;
    return true;
}

bool eng_write_heartbeat(famqp_connection *c)
{
    uint8_t hb[FAMQP_FRAME_HEADER_SIZE]; /* a frame of header only */
    famqp_frame_header_put(hb, FAMQP_FRAME_HEADER_SIZE, FAMQP_FRAME_TYPE_AMQP, 0);
    return eng_write_raw(c, hb, sizeof hb);
}

const uint8_t *famqp_connection_output(famqp_connection *c, size_t *len)
{
    if (c->drain_pending && !c->failed)
        eng_drain_complete(c);
    if (c->ndisps && !c->failed)
        eng_flush_dispositions(c);
    eng_trace_output(c);
    *len = c->out.len - c->out_pos;
    return c->out.ptr ? c->out.ptr + c->out_pos : NULL;
}

size_t famqp_connection_output_pending(const famqp_connection *c)
{
    return c->out.len - c->out_pos + c->deferred.len;
}

bool famqp_connection_output_blocked(const famqp_connection *c)
{
    return c->output_blocked ||
           (c->opts.max_output_bytes && famqp_connection_output_pending(c) >= c->opts.max_output_bytes);
}

bool eng_output_over(famqp_connection *c)
{
    if (!c->opts.max_output_bytes || famqp_connection_output_pending(c) < c->opts.max_output_bytes)
        return false;
    c->output_blocked = true;
    return true;
}

/* Output drained to half of max_output_bytes: the windows and credit held
 * back are renewed, refused senders told they may send. */
static void output_release(famqp_connection *c)
{
    if (!c->output_blocked || famqp_connection_output_pending(c) > c->opts.max_output_bytes / 2)
        return;
    c->output_blocked = false;
    if (c->failed || c->phase != ENG_PHASE_AMQP)
        return;
    for (famqp_session *s = c->sessions_head; s && !c->failed; s = s->next) {
        eng_session_incoming_replenish(s);
        for (famqp_link *l = s->links_head; l && !c->failed; l = l->next) {
            if (l->role == FAMQP_LINK_RECEIVER) {
                eng_receiver_credit_topup(l);
            } else if (l->output_refused) {
                l->output_refused = false;
                eng_event(c, FAMQP_EVENT_LINK_CREDIT, s, l, NULL, (famqp_condition){0});
            }
        }
    }
}

void famqp_connection_output_consume(famqp_connection *c, size_t n)
{
    size_t avail = c->out.len - c->out_pos;
    if (n > avail)
        n = avail;
    eng_trace_output(c); /* nothing leaves untraced, even output not asked for */
    c->out_pos += n;
    if (c->out_pos == c->out.len) {
        c->out_pos = c->out.len = c->trace_pos = 0;
    } else if (c->out_pos > c->out.cap / 2) {
        /* Keep appends cheap: move the unsent tail to the front. */
        memmove(c->out.ptr, c->out.ptr + c->out_pos, c->out.len - c->out_pos);
        c->out.len -= c->out_pos;
        c->trace_pos -= c->out_pos;
        c->out_pos = 0;
    }
    output_release(c);
}
