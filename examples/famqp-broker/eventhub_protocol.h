/* famqp-broker's Event Hubs emulation, the parts that only read and write
 * bytes (no broker state, no threads, nothing allocated): addresses,
 * receiver positions (the selector filter), the partition-key hash, the
 * x-opt-* annotations stamped on a stored event, and $management requests.
 * The fuzz target fuzz_eh_management and the broker both use them.
 *
 * Threads: pure functions; any thread. */
#ifndef FAMQP_BROKER_EVENTHUB_PROTOCOL_H
#define FAMQP_BROKER_EVENTHUB_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/message.h"

/* What an address names: `<hub>` (send, spread over partitions),
 * `<hub>/Partitions/<n>` (send to one) or
 * `<hub>/ConsumerGroups/<group>/Partitions/<n>` (receive).  Keywords are
 * matched without case, as the service does; views into the address. */
typedef enum eh_address_kind {
    EH_ADDRESS_OTHER = 0,  /* not of these forms */
    EH_ADDRESS_HUB,
    EH_ADDRESS_PARTITION,
    EH_ADDRESS_GROUP_PARTITION,
    EH_ADDRESS_BAD         /* starts like one but is malformed: why says how */
} eh_address_kind;

typedef struct eh_address {
    eh_address_kind kind;
    famqp_string hub, group, partition;
} eh_address;

/* Splits an entity path (an address without `amqp[s]://host/` and
 * leading '/': cbs_entity_path). */
eh_address_kind eh_address_parse(const char *addr, eh_address *out, char *why, size_t cap);

/* A partition id in decimal (no sign, no leading zeros beyond "0") below
 * count into *index. */
bool eh_partition_index(famqp_string id, uint32_t count, uint32_t *index);

/* Where a receiver starts. */
typedef enum eh_position_kind {
    EH_POS_START = 0,    /* the oldest retained event (offset "-1", or no filter) */
    EH_POS_END,          /* only events enqueued from now on ("@latest") */
    EH_POS_OFFSET,       /* x-opt-offset */
    EH_POS_SEQUENCE,     /* x-opt-sequence-number */
    EH_POS_TIME          /* x-opt-enqueued-time, ms since the epoch */
} eh_position_kind;

typedef struct eh_position {
    eh_position_kind kind;
    bool inclusive; /* >= rather than > */
    int64_t value;
} eh_position;

/* Parses an apache.org:selector-filter:string as the SDKs write it:
 * `amqp.annotation.x-opt-offset > '12'`, `... >= '12'`,
 * `amqp.annotation.x-opt-sequence-number > '41'`,
 * `amqp.annotation.x-opt-enqueued-time > '1700000000000'`; offset '-1' is the
 * start, '@latest' the end.  False with why on anything else. */
bool eh_position_parse(const char *s, size_t n, eh_position *out, char *why, size_t cap);

/* The position of a receiver link's source filter-set: its entry
 * described by apache.org:selector-filter:string or 0x0000468C00000004
 * (any key), or EH_POS_START without one.  False with why when its value
 * is not a string or not a position. */
bool eh_position_from_filter(famqp_map filter, eh_position *out, char *why, size_t cap);

/* The partition a key goes to, as the service and the SDKs' buffered
 * producer map it: Bob Jenkins' lookup3 (hashlittle2, seeds 0) of the key's
 * UTF-8 bytes, the two words xor-ed, cut to a signed 16-bit number, its
 * absolute value modulo count. */
uint32_t eh_partition_for_key(const void *key, size_t len, uint32_t count);

/* The broker's annotations of one stored event. */
typedef struct eh_stamp {
    int64_t sequence_number;
    uint64_t offset;
    int64_t enqueued_ms;
    famqp_string partition_key; /* ptr NULL: none to add (the event's own is kept) */
} eh_stamp;

/* Writes the event ev[0..n) (a complete message, checked with
 * famqp_message_decode) with its message-annotations replaced by its own
 * entries less the x-opt-* ones the broker sets, then x-opt-sequence-number
 * (long), x-opt-offset (string), x-opt-enqueued-time (timestamp) and
 * x-opt-partition-key (string, when given or the event had one), and
 * without delivery-annotations (they were for this hop); every other
 * section byte for byte.  Write-or-count: returns the size (only writing
 * when it fits in cap), 0 with err set when ev does not decode. */
size_t eh_stamp_event(uint8_t *out, size_t cap, const uint8_t *ev, size_t n, const eh_stamp *st, famqp_error *err);

/* What a receiver that asked for com.microsoft:enable-receiver-runtime-metric
 * gets with each event, as delivery-annotations. */
typedef struct eh_runtime_info {
    int64_t last_sequence_number;
    uint64_t last_offset;
    int64_t last_enqueued_ms;
    int64_t retrieval_ms;
} eh_runtime_info;

/* Writes the stored event ev[0..n) (as eh_stamp_event wrote it: no
 * delivery-annotations) with delivery-annotations last_enqueued_sequence_number
 * (long), last_enqueued_offset (string), last_enqueued_time_utc and
 * runtime_info_retrieval_time_utc (timestamps) after its header.
 * Write-or-count as eh_stamp_event; 0 when ev is not a sequence of
 * sections. */
size_t eh_with_runtime_info(uint8_t *out, size_t cap, const uint8_t *ev, size_t n, const eh_runtime_info *ri);

/* A $management request: application properties operation, type, name,
 * partition (strings), security_token (optional). */
typedef struct eh_mgmt_request {
    famqp_string operation, type, name, partition, security_token;
    bool has_partition, has_token;
} eh_mgmt_request;

enum { EH_MGMT_EVENTHUB = 1, EH_MGMT_PARTITION = 2 };

/* Checks a decoded request: 0 and *type = EH_MGMT_EVENTHUB or
 * EH_MGMT_PARTITION when it is a READ of `com.microsoft:eventhub` or of
 * `com.microsoft:partition` (with a partition), else the status code to
 * answer (400, 501 for another operation or type) with desc. */
int eh_mgmt_parse(const famqp_message *m, eh_mgmt_request *out, int *type, char *desc, size_t cap);

#endif
