/** @file famqp/eventhubs.h
 * @brief flatamqp: Azure Event Hubs addresses, receiver positions and the
 * x-opt-* annotations of received events.
 *
 * Addresses: a partition's is `<hub>/Partitions/<n>` (sending), a
 * consumer group's partition `<hub>/ConsumerGroups/<group>/Partitions/<n>`
 * (receiving).  Positions: a receiver starts where its
 * `apache.org:selector-filter:string` filter says (set the string as
 * famqp_receiver_options.selector), spelled as Microsoft's SDKs spell it,
 * e.g. `amqp.annotation.x-opt-sequence-number > '41'`.
 *
 * Text goes into the caller's buffer: FAMQP_OK, or FAMQP_ERR_LIMIT when
 * cap is too small (nothing usable written); *len (may be NULL) gets the
 * length without the NUL either way.  FAMQP_ERR_INVALID_VALUE for a NULL
 * or empty name.
 *
 * Threads: pure functions; any thread.  Nothing here allocates.
 */
#ifndef FAMQP_EVENTHUBS_H
#define FAMQP_EVENTHUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The consumer group every event hub has. */
#define FAMQP_EVENTHUBS_DEFAULT_CONSUMER_GROUP "$Default"
/** The receiver attach property of an epoch receiver: a long (the
 *  "owner level" of Microsoft's SDKs).  A receiver with a higher epoch on
 *  the same partition and consumer group takes over: the service detaches
 *  the others with amqp:link:stolen and refuses lower epochs.  Put it in
 *  famqp_receiver_options.link.properties with a famqp_fields_builder:
 *  famqp_write_long(famqp_fields_key(&b, FAMQP_EVENTHUBS_EPOCH_PROPERTY), 5). */
#define FAMQP_EVENTHUBS_EPOCH_PROPERTY "com.microsoft:epoch"

/** Writes `<hub>/ConsumerGroups/<group>/Partitions/<partition>`, or with
 *  group NULL `<hub>/Partitions/<partition>` (a sender's). */
FAMQP_API famqp_status famqp_eventhubs_partition_address(char *out, size_t cap, const char *hub, const char *group,
                                                         const char *partition, size_t *len);

/** What a receiver position counts. */
typedef enum famqp_eventhubs_position_kind {
    FAMQP_EVENTHUBS_FROM_OFFSET = 0,      /**< x-opt-offset (a string: "-1" is the start, "@latest" the end) */
    FAMQP_EVENTHUBS_FROM_SEQUENCE_NUMBER, /**< x-opt-sequence-number */
    FAMQP_EVENTHUBS_FROM_ENQUEUED_TIME    /**< x-opt-enqueued-time, ms since the Unix epoch */
} famqp_eventhubs_position_kind;

/** Writes the selector filter for a position:
 *  `amqp.annotation.x-opt-offset > '7'` and the like (`>=` when inclusive).
 *  value: the offset string, or the sequence number / time in decimal.
 *  FAMQP_ERR_INVALID_VALUE also for a value holding a quote. */
FAMQP_API famqp_status famqp_eventhubs_position_filter(char *out, size_t cap, famqp_eventhubs_position_kind kind,
                                                       const char *value, bool inclusive, size_t *len);

/** @name Received events' annotations
 *  Each returns true and sets *out when the event's message-annotations
 *  hold that key with the type Event Hubs gives it, else false.
 *  @{ */
/** x-opt-offset (a string; a view into the message). */
FAMQP_API bool famqp_event_offset(const famqp_message *m, famqp_string *out);
/** x-opt-sequence-number (a long). */
FAMQP_API bool famqp_event_sequence_number(const famqp_message *m, int64_t *out);
/** x-opt-enqueued-time (a timestamp: ms since the Unix epoch). */
FAMQP_API bool famqp_event_enqueued_time(const famqp_message *m, int64_t *out);
/** x-opt-partition-key (a string; a view into the message). */
FAMQP_API bool famqp_event_partition_key(const famqp_message *m, famqp_string *out);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_EVENTHUBS_H */
