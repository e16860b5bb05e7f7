/* codec-bench: the values every implementation encodes and decodes.
 *
 * Each workload type is defined once here, as plain C constants, and each
 * implementation builds its own representation (a generated struct, a
 * Proton tree, ...) from them.  workload_digest() gives the digest a correct
 * decode of the type must produce (bench.h: dg, dg_view), folding the
 * fields in the order listed here.
 */
#ifndef FAMQP_PERF_WORKLOAD_H
#define FAMQP_PERF_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* open: container-id, hostname, max-frame-size, channel-max, idle-time-out */
#define WL_OPEN_CONTAINER_ID "famqp-bench-7f3a9c21"
#define WL_OPEN_HOSTNAME "broker.example.com"
#define WL_OPEN_MAX_FRAME_SIZE 65536u
#define WL_OPEN_CHANNEL_MAX 255u
#define WL_OPEN_IDLE_TIME_OUT 30000u

/* begin: remote-channel, next-outgoing-id, incoming-window, outgoing-window,
 * handle-max */
#define WL_BEGIN_REMOTE_CHANNEL 1u
#define WL_BEGIN_NEXT_OUTGOING_ID 1u
#define WL_BEGIN_INCOMING_WINDOW 2048u
#define WL_BEGIN_OUTGOING_WINDOW 2048u
#define WL_BEGIN_HANDLE_MAX 1023u

/* attach: name, handle, role, snd-settle-mode, rcv-settle-mode,
 * source {address, durable, expiry-policy, timeout},
 * target {address, durable}, initial-delivery-count, max-message-size */
#define WL_ATTACH_NAME "orders-sender-0001"
#define WL_ATTACH_HANDLE 0u
#define WL_ATTACH_ROLE false
#define WL_ATTACH_SND_SETTLE_MODE 2u /* mixed */
#define WL_ATTACH_RCV_SETTLE_MODE 0u /* first */
#define WL_ATTACH_SOURCE_ADDRESS "/queues/orders-out"
#define WL_ATTACH_SOURCE_DURABLE 1u /* configuration */
#define WL_ATTACH_SOURCE_EXPIRY_POLICY "link-detach"
#define WL_ATTACH_SOURCE_TIMEOUT 60u
#define WL_ATTACH_TARGET_ADDRESS "/queues/orders"
#define WL_ATTACH_TARGET_DURABLE 1u
#define WL_ATTACH_INITIAL_DELIVERY_COUNT 0u
#define WL_ATTACH_MAX_MESSAGE_SIZE 1048576u

/* flow: next-incoming-id, incoming-window, next-outgoing-id,
 * outgoing-window, handle, delivery-count, link-credit, drain */
#define WL_FLOW_NEXT_INCOMING_ID 10u
#define WL_FLOW_INCOMING_WINDOW 2048u
#define WL_FLOW_NEXT_OUTGOING_ID 1u
#define WL_FLOW_OUTGOING_WINDOW 2048u
#define WL_FLOW_HANDLE 0u
#define WL_FLOW_DELIVERY_COUNT 10u
#define WL_FLOW_LINK_CREDIT 100u
#define WL_FLOW_DRAIN false

/* transfer: handle, delivery-id, delivery-tag (8 bytes), message-format,
 * settled (the reference transfer) */
#define WL_TRANSFER_HANDLE 0u
#define WL_TRANSFER_DELIVERY_ID 123456u
extern const uint8_t wl_transfer_tag[8];
#define WL_TRANSFER_MESSAGE_FORMAT 0u
#define WL_TRANSFER_SETTLED false

/* disposition: role, first, last, settled, state (accepted: folded as the
 * value 1) */
#define WL_DISPOSITION_ROLE true
#define WL_DISPOSITION_FIRST 100u
#define WL_DISPOSITION_LAST 131u
#define WL_DISPOSITION_SETTLED true

/* Messages: properties {message-id (string), to, subject, content-type,
 * creation-time}, application-properties (string keys; string, int or
 * boolean values), one data section. */
#define WL_MSG_ID "msg-12345"
#define WL_MSG_TO "/queues/orders"
#define WL_MSG_SUBJECT "order.created"
#define WL_MSG_CONTENT_TYPE "application/json"
#define WL_MSG_CREATION_TIME INT64_C(1700000000123)

typedef enum wl_kind { WL_STRING, WL_INT, WL_BOOL } wl_kind;
typedef struct wl_prop {
    const char *key;
    wl_kind kind;
    const char *s;
    int32_t i;
    bool b;
} wl_prop;

typedef struct wl_message {
    const wl_prop *props;
    size_t prop_count;
    const uint8_t *body;
    size_t body_len;
} wl_message;

/* "message", "message-1mib", "message-50props"; NULL for other types. */
const wl_message *workload_message(const char *type);

/* Builds the data behind the message workloads (bodies, generated property
 * names).  Call once before anything else. */
void workload_init(void);

/* The digest a correct decode of `type` produces. */
uint64_t workload_digest(const char *type);

/* Every workload type, in output order. */
extern const char *const workload_types[];
extern const size_t workload_type_count;

#endif /* FAMQP_PERF_WORKLOAD_H */
