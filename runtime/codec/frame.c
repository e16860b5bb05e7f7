/* AMQP 1.0 framing: the 8-byte protocol header and the frame header that
 * precedes every performative.  Nothing here decodes a body; it only splits
 * a byte stream into frames, checking every size before trusting it. */
#include "famqp/frame.h"

#include <string.h>

const uint8_t famqp_protocol_header_amqp[8] = {'A', 'M', 'Q', 'P', FAMQP_PROTOCOL_AMQP, 1, 0, 0};
const uint8_t famqp_protocol_header_sasl[8] = {'A', 'M', 'Q', 'P', FAMQP_PROTOCOL_SASL, 1, 0, 0};
const uint8_t famqp_protocol_header_tls[8] = {'A', 'M', 'Q', 'P', FAMQP_PROTOCOL_TLS, 1, 0, 0};

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static famqp_status frame_fail(famqp_error *err, famqp_status s, size_t offset, const char *detail)
{
    if (err) {
        err->status = s;
        err->type = "frame";
        err->field = NULL;
        err->offset = offset;
        err->detail = detail;
    }
    return s;
}

famqp_status famqp_frame_parse(const uint8_t *p, size_t n, uint32_t max_frame_size,
                               famqp_frame *out, size_t *used, famqp_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (n < FAMQP_FRAME_HEADER_SIZE)
        return frame_fail(err, FAMQP_ERR_TRUNCATED, n, "frame header needs 8 bytes");

    /* The header alone tells whether the frame is malformed, so report that
     * before asking for more bytes: a peer must not be able to make us wait
     * for the remainder of a frame we would reject anyway. */
    uint32_t size = load_be32(p);
    uint8_t doff = p[4];
    if (size < FAMQP_FRAME_HEADER_SIZE)
        return frame_fail(err, FAMQP_ERR_INVALID_VALUE, 0, "frame size below 8");
    if (doff < 2)
        return frame_fail(err, FAMQP_ERR_INVALID_VALUE, 4, "data offset below 2");
    if ((uint32_t)doff * 4u > size)
        return frame_fail(err, FAMQP_ERR_INVALID_VALUE, 4, "data offset beyond frame size");
    if (size > max_frame_size)
        return frame_fail(err, FAMQP_ERR_LIMIT, 0, "frame size above max-frame-size");
    if (n < size)
        return frame_fail(err, FAMQP_ERR_TRUNCATED, n, "frame incomplete");

    size_t data = (size_t)doff * 4u;
    out->size = size;
    out->doff = doff;
    out->type = p[5];
    out->channel = (uint16_t)((p[6] << 8) | p[7]);
    out->ext.ptr = p + FAMQP_FRAME_HEADER_SIZE;
    out->ext.len = data - FAMQP_FRAME_HEADER_SIZE;
    out->body.ptr = p + data;
    out->body.len = size - data;
    if (used)
        *used = size;
    return FAMQP_OK;
}

uint8_t *famqp_frame_header_put(uint8_t *p, uint32_t frame_size, uint8_t type, uint16_t channel)
{
    p[0] = (uint8_t)(frame_size >> 24);
    p[1] = (uint8_t)(frame_size >> 16);
    p[2] = (uint8_t)(frame_size >> 8);
    p[3] = (uint8_t)frame_size;
    p[4] = 2;
    p[5] = type;
    p[6] = (uint8_t)(channel >> 8);
    p[7] = (uint8_t)channel;
    return p + FAMQP_FRAME_HEADER_SIZE;
}

famqp_status famqp_protocol_header_parse(const uint8_t *p, size_t n, uint8_t *protocol_id)
{
    /* "AMQP", then the id (checked below), then version 1.0.0. */
    static const uint8_t expected[8] = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    size_t have = n < FAMQP_PROTOCOL_HEADER_SIZE ? n : FAMQP_PROTOCOL_HEADER_SIZE;
    for (size_t i = 0; i < have; i++) {
        if (i == 4) {
            if (p[4] != FAMQP_PROTOCOL_AMQP && p[4] != FAMQP_PROTOCOL_TLS &&
                p[4] != FAMQP_PROTOCOL_SASL)
                return FAMQP_ERR_INVALID_VALUE;
        } else if (p[i] != expected[i]) {
            return FAMQP_ERR_INVALID_VALUE;
        }
    }
    if (n < FAMQP_PROTOCOL_HEADER_SIZE)
        return FAMQP_ERR_TRUNCATED;
    if (protocol_id)
        *protocol_id = p[4];
    return FAMQP_OK;
}
