/* famqp-broker's Service Bus emulation, the part that only reads bytes (no
 * broker state, no threads, nothing allocated): the requests
 * @azure/service-bus sends to `<entity>/$management`, checked and split
 * into views.  The fuzz target fuzz_sb_management and the broker
 * (broker_servicebus_mgmt.c) both use it.
 *
 * Threads: pure functions; any thread. */
#ifndef FAMQP_BROKER_SERVICEBUS_PROTOCOL_H
#define FAMQP_BROKER_SERVICEBUS_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/message.h"

typedef enum sb_op {
    SB_OP_RENEW_LOCK = 1,          /* com.microsoft:renew-lock: lock-tokens */
    SB_OP_PEEK,                    /* com.microsoft:peek-message: from-sequence-number, message-count */
    SB_OP_RECEIVE_BY_SEQUENCE,     /* com.microsoft:receive-by-sequence-number: sequence-numbers */
    SB_OP_UPDATE_DISPOSITION,      /* com.microsoft:update-disposition: lock-tokens, disposition-status */
    SB_OP_SCHEDULE,                /* com.microsoft:schedule-message: messages[].message */
    SB_OP_CANCEL_SCHEDULED,        /* com.microsoft:cancel-scheduled-message: sequence-numbers */
    SB_OP_RENEW_SESSION_LOCK,      /* com.microsoft:renew-session-lock: session-id */
    SB_OP_GET_SESSION_STATE,       /* com.microsoft:get-session-state: session-id */
    SB_OP_SET_SESSION_STATE        /* com.microsoft:set-session-state: session-id, session-state */
} sb_op;

/* Lock tokens and sequence numbers: an array (as the SDK sends them) or a
 * list; at most SB_MGMT_MAX_ITEMS of them. */
enum { SB_MGMT_MAX_ITEMS = 64 };

typedef struct sb_mgmt_request {
    sb_op op;
    famqp_uuid locks[SB_MGMT_MAX_ITEMS];
    size_t nlocks;
    int64_t seqs[SB_MGMT_MAX_ITEMS];
    size_t nseqs;
    int64_t from_seq;      /* peek */
    int32_t count;         /* peek: message-count (1 and up) */
    bool has_session;
    famqp_string session;  /* session-id */
    char disposition;      /* update-disposition: 'c' completed, 'a' abandoned, 'd' defered, 'x' suspended */
    bool has_reason, has_description;
    famqp_string reason, description; /* deadletter-reason, deadletter-description */
    famqp_map props;       /* properties-to-modify (count 0: none) */
    bool delete_mode;      /* receive-by-sequence-number: receiver-settle-mode 0 (receive-and-delete) */
    bool has_state;        /* set-session-state: session-state a binary (else null: cleared) */
    famqp_binary state;
    famqp_list messages;   /* schedule: the list of maps, each with "message" (binary) */
} sb_mgmt_request;

/* Checks a decoded request (application property operation, an amqp-value
 * map body with string keys): 0 with *out filled, or the status code to
 * answer (400 bad, 501 another operation) with why. */
int sb_mgmt_parse(const famqp_message *m, sb_mgmt_request *out, char *why, size_t cap);

/* Message i of a schedule request's list: its "message" binary (false with
 * why when it is not a map with one). */
bool sb_mgmt_scheduled_message(const sb_mgmt_request *r, famqp_value item, famqp_binary *out, char *why, size_t cap);

#endif
