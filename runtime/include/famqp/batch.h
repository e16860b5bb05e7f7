/** @file famqp/batch.h
 * @brief flatamqp: batch messages (message-format 0x80013700), as Azure
 * Event Hubs and Service Bus take them.
 *
 * A batch is one outer message whose body is one data section per event,
 * each holding that event's complete encoded message.  Azure's SDKs give
 * the outer message only a message-annotations section, and only when the
 * batch has a partition key (`x-opt-partition-key`); each event then
 * carries the same annotation.  Send the outer message with
 * FAMQP_BATCH_MESSAGE_FORMAT on the transfer (famqp_send_bytes_format in
 * famqp/client.h, famqp_link_send_format in famqp/engine.h).
 *
 * Building: famqp_batch_init over a buffer the caller owns, then
 * famqp_batch_add until it returns FAMQP_ERR_LIMIT ("full": the event does
 * not fit; the batch is unchanged), send famqp_batch_payload, then
 * famqp_batch_clear and add the event that did not fit.  The size limit
 * counts the whole transfer payload (outer sections and every data
 * section's own header), as the SDKs' max_size_in_bytes does.
 *
 * Reading: famqp_batch_reader_init over a received payload, then
 * famqp_batch_next for each event: zero-copy views into the payload.
 *
 * Threads: a famqp_batch or famqp_batch_reader is plain data; use one from
 * one thread at a time.  Nothing here allocates.  Results are the codec's
 * famqp_status (docs/api-conventions.md).
 */
#ifndef FAMQP_BATCH_H
#define FAMQP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The transfer's message-format of a batch (Microsoft's
 *  vendor-specific format 0x800137, version 0). */
#define FAMQP_BATCH_MESSAGE_FORMAT 0x80013700u

/** The longest partition key famqp_batch_init takes, in bytes (Event Hubs
 *  allows 128 characters). */
#define FAMQP_BATCH_PARTITION_KEY_MAX 512

/** A batch being built.  The members are its state. */
typedef struct famqp_batch {
    uint8_t *buf;          /**< the caller's buffer */
    size_t cap;            /**< its size */
    size_t limit;          /**< the payload's size limit (<= cap) */
    size_t head;           /**< bytes of the outer sections before the data sections */
    size_t len;            /**< bytes used so far */
    uint32_t count;        /**< events added */
    const char *partition_key; /**< NULL: none (a view, not copied) */
} famqp_batch;

/** Starts an empty batch in buf[0..cap).  max_bytes: the payload's size
 *  limit, -1 for no limit but cap (a larger limit is cut to cap).
 *  partition_key: NULL for none, else put on the outer message and every
 *  event as `x-opt-partition-key` (a view: keep it valid while the batch is
 *  used).  FAMQP_OK; FAMQP_ERR_LIMIT when not even the outer sections fit;
 *  FAMQP_ERR_INVALID_VALUE for a key longer than
 *  FAMQP_BATCH_PARTITION_KEY_MAX or not UTF-8. */
FAMQP_API famqp_status famqp_batch_init(famqp_batch *b, void *buf, size_t cap, int64_t max_bytes,
                                        const char *partition_key);

/** Encodes m as the batch's next event.  With a partition key, an event
 *  without message-annotations gets `x-opt-partition-key`; one with its
 *  own message-annotations is added as it is.  FAMQP_OK; FAMQP_ERR_LIMIT
 *  when it does not fit (the batch is unchanged: send it and start
 *  another; in an empty batch the event never fits). */
FAMQP_API famqp_status famqp_batch_add(famqp_batch *b, const famqp_message *m);

/** famqp_batch_add of an already encoded message (its sections' bytes,
 *  not checked; copied). */
FAMQP_API famqp_status famqp_batch_add_encoded(famqp_batch *b, const void *bytes, size_t len);

/** What the event of `encoded_len` bytes would add to the payload: its
 *  data section's header (5 or 8 bytes) plus the bytes. */
FAMQP_API size_t famqp_batch_event_cost(size_t encoded_len);

/** The outer message's bytes, to send with FAMQP_BATCH_MESSAGE_FORMAT (a
 *  view into the batch's buffer). */
FAMQP_API famqp_binary famqp_batch_payload(const famqp_batch *b);

/** Events added so far. */
FAMQP_API uint32_t famqp_batch_count(const famqp_batch *b);

/** Drops every event; the partition key and limit stay. */
FAMQP_API void famqp_batch_clear(famqp_batch *b);

/** Walks a received batch.  The members are its state. */
typedef struct famqp_batch_reader {
    famqp_message outer;  /**< the outer message (views into the payload) */
    famqp_body_iter it;   /**< its data sections */
    famqp_binary current; /**< the last event's encoded bytes */
    uint32_t index;       /**< events returned so far */
    famqp_status status;  /**< the first failure; FAMQP_OK while none */
    famqp_error error;    /**< where it was */
} famqp_batch_reader;

/** Decodes the outer message of a batch payload p[0..n) (the bytes of a
 *  delivery whose message-format is FAMQP_BATCH_MESSAGE_FORMAT).  FAMQP_OK;
 *  the outer message's decode error; FAMQP_ERR_INVALID_VALUE when its body
 *  is not data sections.  p must stay valid while the reader is used. */
FAMQP_API famqp_status famqp_batch_reader_init(famqp_batch_reader *r, const uint8_t *p, size_t n, famqp_error *err);

/** The next event into *event (views into the payload; its encoded bytes
 *  in r->current).  False at the end, or at the first event that does not
 *  decode (famqp_batch_reader_status then says which and where; the
 *  reader stops there). */
FAMQP_API bool famqp_batch_next(famqp_batch_reader *r, famqp_message *event);

/** FAMQP_OK when every event so far decoded, else the first failure; err
 *  (may be NULL) says where, its offset within the failing event's bytes
 *  (r->current; r->index events decoded before it). */
FAMQP_API famqp_status famqp_batch_reader_status(const famqp_batch_reader *r, famqp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_BATCH_H */
