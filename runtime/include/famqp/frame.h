/** @file famqp/frame.h
 * @brief flatamqp runtime: AMQP 1.0 frame and protocol-header framing.
 *
 * A frame is an 8-byte header (size, data offset in 4-byte words, type,
 * channel), an extended header and a body.  The body of an AMQP frame is a
 * performative (famqp_any_frame_decode) followed, for transfers, by payload
 * bytes; an empty body is a heartbeat.  Parsing is zero-copy.
 *
 * Threads: no state; any thread may call these functions.
  *
 * Conventions (docs/api-conventions.md): the codec's famqp_status and
 * famqp_error; nothing here allocates.
 */
#ifndef FAMQP_FRAME_H
#define FAMQP_FRAME_H

#include "famqp/codec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a frame header (size, doff, type, channel). */
#define FAMQP_FRAME_HEADER_SIZE 8u
/** Bytes of a protocol header ("AMQP" id major minor revision). */
#define FAMQP_PROTOCOL_HEADER_SIZE 8u

/** Frame types (famqp_frame.type). */
enum {
    FAMQP_FRAME_TYPE_AMQP = 0x00, /**< an AMQP frame: a performative */
    FAMQP_FRAME_TYPE_SASL = 0x01  /**< a SASL frame */
};
/** Protocol ids of the 8-byte "AMQP" id major minor revision header. */
enum {
    FAMQP_PROTOCOL_AMQP = 0, /**< AMQP itself */
    FAMQP_PROTOCOL_TLS = 2,  /**< TLS follows */
    FAMQP_PROTOCOL_SASL = 3  /**< SASL follows */
};

/** The AMQP protocol header: A M Q P 0 1 0 0 */
FAMQP_API extern const uint8_t famqp_protocol_header_amqp[8];
/** The SASL protocol header: A M Q P 3 1 0 0 */
FAMQP_API extern const uint8_t famqp_protocol_header_sasl[8];
/** The TLS protocol header: A M Q P 2 1 0 0 */
FAMQP_API extern const uint8_t famqp_protocol_header_tls[8];

/** One parsed frame; ext and body point into the parsed bytes. */
typedef struct famqp_frame {
    uint32_t size;    /**< whole frame, header included */
    uint8_t doff;     /**< data offset, in 4-byte words (>= 2) */
    uint8_t type;     /**< FAMQP_FRAME_TYPE_* */
    uint16_t channel; /**< channel number (ignored in SASL frames) */
    famqp_binary ext; /**< extended header (usually empty) */
    famqp_binary body;/**< performative + payload; empty for a heartbeat */
} famqp_frame;

/** Parses one frame at p[0..n).  FAMQP_OK: *out filled, *used = out->size.
 *  FAMQP_ERR_TRUNCATED: more bytes needed (nothing is wrong yet).
 *  FAMQP_ERR_INVALID_VALUE: size < 8, doff < 2, or doff * 4 > size.
 *  FAMQP_ERR_LIMIT: size > max_frame_size.  err may be NULL. */
FAMQP_API famqp_status famqp_frame_parse(const uint8_t *p, size_t n, uint32_t max_frame_size,
                               famqp_frame *out, size_t *used, famqp_error *err);

/** Writes an 8-byte frame header with doff 2; returns p + 8. */
FAMQP_API uint8_t *famqp_frame_header_put(uint8_t *p, uint32_t frame_size, uint8_t type, uint16_t channel);

/** Protocol header at p[0..n): FAMQP_OK with *protocol_id set when p holds
 *  "AMQP" id 1 0 0; FAMQP_ERR_TRUNCATED when n < 8 and the bytes so far
 *  match; FAMQP_ERR_INVALID_VALUE otherwise. */
FAMQP_API famqp_status famqp_protocol_header_parse(const uint8_t *p, size_t n, uint8_t *protocol_id);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_FRAME_H */
