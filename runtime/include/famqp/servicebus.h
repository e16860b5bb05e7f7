/** @file famqp/servicebus.h
 * @brief flatamqp: Azure Service Bus receivers on the blocking client:
 * peek-lock and receive-and-delete, complete / abandon / dead-letter /
 * defer, lock renewal through the entity's `$management` node, and
 * session receivers (docs/service-bus.md).
 *
 *     famqp_sb_receiver *r;
 *     famqp_sb_receiver_open(c, "orders", NULL, &r);      // peek-lock
 *     famqp_delivery *d;
 *     famqp_sb_receive(r, 5000, &d);
 *     famqp_sb_message_info info;
 *     famqp_sb_message_info_read(d, &info);               // lock token, sequence number, ...
 *     famqp_sb_complete(r, d, 5000);                      // waits for the broker's settlement
 *
 * What goes on the wire is what Microsoft's JavaScript SDK
 * (\@azure/service-bus 7.x) sends, checked by tests/interop/servicebus:
 *   - peek-lock: snd-settle-mode unsettled, rcv-settle-mode second; each
 *     settlement waits for the broker to settle too (a lock that expired
 *     comes back as an error); receive-and-delete: snd-settle-mode
 *     settled, rcv-settle-mode first;
 *   - the attach property com.microsoft:receiver-name (and
 *     com.microsoft:timeout when server_timeout_ms is set);
 *   - complete: accepted; abandon: modified {undeliverable-here false};
 *     defer: modified {undeliverable-here true}, both with the properties
 *     to modify as message-annotations when given and delivery-failed left
 *     out; dead-letter: rejected with condition com.microsoft:dead-letter
 *     and an info map {the properties to modify..., "DeadLetterReason",
 *     "DeadLetterErrorDescription"} (string keys, null when not given);
 *   - renew-lock: a request to `<entity>/$management` with application
 *     properties operation "com.microsoft:renew-lock",
 *     com.microsoft:tracking-id (a fresh uuid as text) and
 *     associated-link-name (the receiver's link name), body
 *     {"lock-tokens": uuid[]}; the answer's statusCode 200 and body
 *     {"expirations": timestamp[]};
 *   - sessions: the source filter {com.microsoft:session-filter: the
 *     session id, or null for the next available session}; the session the
 *     broker granted is read back from its attach's source filter and the
 *     lock's end from its attach property com.microsoft:locked-until-utc
 *     (.NET ticks).
 *
 * Threads: as famqp/client.h (one client and everything on it belong to
 * one thread at a time); the lock token and outcome functions are pure.
 *
 * Results: famqp_client_status with famqp_client_last_error, as the
 * client; the pure functions return famqp_status.
 */
#ifndef FAMQP_SERVICEBUS_H
#define FAMQP_SERVICEBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/client.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The rejected condition of a dead-letter settlement. */
#define FAMQP_SB_DEAD_LETTER_CONDITION "com.microsoft:dead-letter"
/** The condition Service Bus answers a settlement or renewal of an expired lock with. */
#define FAMQP_SB_LOCK_LOST_CONDITION "com.microsoft:message-lock-lost"
/** The source filter key (and name) of a session receiver. */
#define FAMQP_SB_SESSION_FILTER "com.microsoft:session-filter"
/** Difference between .NET ticks (100 ns since 0001-01-01) and the Unix epoch, in ticks. */
#define FAMQP_SB_TICKS_AT_UNIX_EPOCH INT64_C(621355968000000000)

/** How a receiver takes messages. */
typedef enum famqp_sb_receive_mode {
    FAMQP_SB_PEEK_LOCK = 0,         /**< locked until settled or the lock expires (default) */
    FAMQP_SB_RECEIVE_AND_DELETE = 1 /**< removed as they are sent (pre-settled) */
} famqp_sb_receive_mode;

/** A Service Bus receiver's settings; famqp_sb_receiver_options_init sets the defaults. */
typedef struct famqp_sb_receiver_options {
    famqp_sb_receive_mode mode; /**< default FAMQP_SB_PEEK_LOCK */
    /** Messages granted ahead (the credit window): each one prefetched in
     *  peek-lock is locked while it waits.  Default 1. */
    uint32_t prefetch;
    /** A session receiver: session_id names the session, or NULL asks for
     *  the next available one (famqp_sb_receiver_session_id says which). */
    bool session;
    const char *session_id;      /**< with session: the session wanted; NULL: any */
    const char *name;            /**< link name; NULL: generated */
    /** The com.microsoft:receiver-name attach property; NULL: the link name. */
    const char *receiver_name;
    /** com.microsoft:timeout attach property (ms the broker may take to
     *  grant a session); 0: absent, except for the next available session
     *  (session without session_id): the attach timeout then, as the SDK
     *  sends the time its operation has left. */
    uint32_t server_timeout_ms;
    int attach_timeout_ms;       /**< default (and 0) 10000; -1: no limit */
} famqp_sb_receiver_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_sb_receiver_options_init(famqp_sb_receiver_options *o);

/** A receiver from a queue or subscription, with its `$management` link. */
typedef struct famqp_sb_receiver famqp_sb_receiver;

/** Attaches a receiver to entity (a queue, or `<topic>/Subscriptions/<name>`)
 *  and waits for the broker.  opts NULL: defaults.  A session receiver
 *  whose broker granted no session, or another one than asked for, fails
 *  with ERR_REFUSED (condition com.microsoft:session-cannot-be-locked).  On
 *  failure *out is NULL. */
FAMQP_API famqp_client_status famqp_sb_receiver_open(famqp_client *c, const char *entity,
                                                     const famqp_sb_receiver_options *opts, famqp_sb_receiver **out);
/** The underlying client receiver (famqp_receive, credit, link). */
FAMQP_API famqp_receiver *famqp_sb_receiver_base(const famqp_sb_receiver *r);
/** The session the broker granted (NULL for a receiver without sessions). */
FAMQP_API const char *famqp_sb_receiver_session_id(const famqp_sb_receiver *r);
/** The session lock's end, ms since the Unix epoch, from the broker's
 *  com.microsoft:locked-until-utc; false when it sent none. */
FAMQP_API bool famqp_sb_receiver_session_locked_until(const famqp_sb_receiver *r, int64_t *ms);
/** famqp_receive on the receiver. */
FAMQP_API famqp_client_status famqp_sb_receive(famqp_sb_receiver *r, int timeout_ms, famqp_delivery **d);
/** Detaches the receiver and its `$management` links and frees it.
 *  Prefetched messages not yet received are left to the detach (no
 *  disposition is sent for them, as the SDK does): Service Bus gives them
 *  to another receiver once their locks end. */
FAMQP_API famqp_client_status famqp_sb_receiver_close(famqp_sb_receiver *r, int timeout_ms);

/* ---- received messages ---------------------------------------------------- */

/** What Service Bus says about a received message. */
typedef struct famqp_sb_message_info {
    bool has_lock_token;   /**< peek-lock deliveries have one */
    /** The lock token: the x-opt-lock-token annotation when the message has
     *  one, else the 16-byte delivery tag read as a .NET GUID
     *  (famqp_sb_lock_token_from_tag). */
    famqp_uuid lock_token;
    char lock_token_text[37]; /**< its text, e.g. "2c5e...-..." (lower case) */
    bool has_locked_until;    /**< x-opt-locked-until present */
    int64_t locked_until_ms;  /**< x-opt-locked-until: ms since the Unix epoch */
    bool has_sequence_number; /**< x-opt-sequence-number present */
    int64_t sequence_number;  /**< x-opt-sequence-number */
    bool has_enqueued_time;   /**< x-opt-enqueued-time present */
    int64_t enqueued_time_ms; /**< x-opt-enqueued-time: ms since the Unix epoch */
    /** The header's delivery-count: earlier deliveries of the message
     *  (0 when there was no header). */
    uint32_t delivery_count;
    famqp_string session_id;  /**< properties group-id (len 0: none); a view into the delivery */
} famqp_sb_message_info;

/** Reads *out from a received delivery (its message stays valid until the
 *  delivery is settled).  FAMQP_OK, or the decode error of a malformed
 *  message (err may be NULL). */
FAMQP_API famqp_status famqp_sb_message_info_read(const famqp_delivery *d, famqp_sb_message_info *out,
                                                  famqp_error *err);

/** A delivery tag as Service Bus's lock token: the tag's 16 bytes are a
 *  .NET GUID (its first three fields little-endian), *out the same GUID in
 *  RFC 4122 order (as its text reads and as an AMQP uuid is sent).
 *  FAMQP_ERR_INVALID_VALUE when the tag is not 16 bytes. */
FAMQP_API famqp_status famqp_sb_lock_token_from_tag(famqp_binary tag, famqp_uuid *out);
/** The GUID's text, 36 characters and a NUL, lower case. */
FAMQP_API void famqp_sb_lock_token_text(famqp_uuid token, char out[37]);
/** Parses a GUID's text (either case) into *out; FAMQP_ERR_INVALID_VALUE
 *  when it is not 8-4-4-4-12 hex digits. */
FAMQP_API famqp_status famqp_sb_lock_token_parse(const char *text, famqp_uuid *out);

/* ---- settlement -------------------------------------------------------------- */

/** What a settlement does. */
typedef enum famqp_sb_settlement {
    FAMQP_SB_COMPLETE = 0,   /**< done: removed from the entity (accepted) */
    FAMQP_SB_ABANDON,        /**< lock released, delivered again (modified) */
    FAMQP_SB_DEAD_LETTER,    /**< moved to the dead-letter queue (rejected) */
    FAMQP_SB_DEFER           /**< set aside, received later by sequence number (modified) */
} famqp_sb_settlement;

/** Name of a settlement: "complete", "abandon", "dead-letter", "defer". */
FAMQP_API const char *famqp_sb_settlement_name(famqp_sb_settlement s);

/** The outcome a settlement sends, built in buf[0..cap) (the dead-letter
 *  info map; the other settlements use no buffer).  properties: the
 *  properties to modify, a map (count 0 or NULL: none): abandon's and
 *  defer's message-annotations, merged first into dead-letter's info map
 *  (its "DeadLetterReason" / "DeadLetterErrorDescription" keys are left
 *  out there: reason and description win).  reason, description:
 *  dead-letter only; NULL sends null.  *out points into buf and at
 *  properties.  FAMQP_ERR_LIMIT when buf is too small,
 *  FAMQP_ERR_INVALID_VALUE for a bad settlement or a malformed map. */
FAMQP_API famqp_status famqp_sb_outcome(famqp_sb_settlement s, const famqp_map *properties, const char *reason,
                                        const char *description, void *buf, size_t cap, famqp_outcome *out);

/** Settles d (received on r) as s, with famqp_sb_outcome's arguments, and
 *  in peek-lock waits at most timeout_ms for the broker to settle it too
 *  (famqp_receiver_settle): OK, ERR_REFUSED with the broker's condition
 *  (e.g. FAMQP_SB_LOCK_LOST_CONDITION) and description, ERR_TIMEOUT.  d is
 *  gone after the call unless it returned ERR_ARG. */
FAMQP_API famqp_client_status famqp_sb_settle(famqp_sb_receiver *r, famqp_delivery *d, famqp_sb_settlement s,
                                              const famqp_map *properties, const char *reason,
                                              const char *description, int timeout_ms);
/** famqp_sb_settle as FAMQP_SB_COMPLETE. */
FAMQP_API famqp_client_status famqp_sb_complete(famqp_sb_receiver *r, famqp_delivery *d, int timeout_ms);
/** famqp_sb_settle as FAMQP_SB_ABANDON. */
FAMQP_API famqp_client_status famqp_sb_abandon(famqp_sb_receiver *r, famqp_delivery *d, const famqp_map *properties,
                                               int timeout_ms);
/** famqp_sb_settle as FAMQP_SB_DEFER. */
FAMQP_API famqp_client_status famqp_sb_defer(famqp_sb_receiver *r, famqp_delivery *d, const famqp_map *properties,
                                             int timeout_ms);
/** famqp_sb_settle as FAMQP_SB_DEAD_LETTER. */
FAMQP_API famqp_client_status famqp_sb_dead_letter(famqp_sb_receiver *r, famqp_delivery *d, const char *reason,
                                                   const char *description, const famqp_map *properties,
                                                   int timeout_ms);

/* ---- lock renewal ----------------------------------------------------------------- */

/** Most lock tokens in one famqp_sb_renew_locks. */
#define FAMQP_SB_MAX_RENEW_TOKENS 256

/** Renews the locks of n messages received on r (1 <= n <=
 *  FAMQP_SB_MAX_RENEW_TOKENS) through `<entity>/$management` (attached on
 *  first use, with CBS when the client has it), waiting at most timeout_ms:
 *  locked_until_ms[i] (may be NULL) gets token i's new expiry, ms since the
 *  Unix epoch.  A status other than 2xx: ERR_REFUSED with the answer's
 *  error-condition (or, without one, the usual condition for the status:
 *  410 com.microsoft:message-lock-lost, 404 amqp:not-found, 400
 *  com.microsoft:argument-error, ...) and its statusDescription.  An answer without n expirations: ERR_REFUSED
 *  (amqp:decode-error) naming what was wrong. */
FAMQP_API famqp_client_status famqp_sb_renew_locks(famqp_sb_receiver *r, const famqp_uuid *tokens, size_t n,
                                                   int timeout_ms, int64_t *locked_until_ms);
/** famqp_sb_renew_locks of one token. */
FAMQP_API famqp_client_status famqp_sb_renew_lock(famqp_sb_receiver *r, famqp_uuid token, int timeout_ms,
                                                  int64_t *locked_until_ms);

/** Renews the lock of a session receiver's session through
 *  `<entity>/$management` (application properties operation
 *  "com.microsoft:renew-session-lock", tracking id and
 *  associated-link-name as renew-lock's, body {"session-id": the
 *  session}): *locked_until_ms (may be NULL) and
 *  famqp_sb_receiver_session_locked_until get the answer's "expiration".
 *  ERR_STATE for a receiver without a session; the answer's errors as
 *  famqp_sb_renew_locks (a bare 410: com.microsoft:session-lock-lost). */
FAMQP_API famqp_client_status famqp_sb_renew_session_lock(famqp_sb_receiver *r, int timeout_ms,
                                                          int64_t *locked_until_ms);

/** The renew-lock request for tokens[0..n) as a message into buf[0..cap)
 *  (its application properties and body; the message's views point into
 *  buf): operation, tracking_id (NULL: none), associated_link_name (NULL:
 *  none).  FAMQP_ERR_LIMIT when buf is too small, FAMQP_ERR_INVALID_VALUE
 *  for n out of range. */
FAMQP_API famqp_status famqp_sb_renew_lock_request(famqp_message *m, const famqp_uuid *tokens, size_t n,
                                                   const char *tracking_id, const char *associated_link_name,
                                                   void *buf, size_t cap);
/** Reads a successful (2xx) renew-lock answer's body {"expirations":
 *  timestamp[]}: its n expirations into locked_until_ms (may be NULL).
 *  FAMQP_OK; otherwise an error with err (may be NULL) naming what the
 *  answer lacked (a map body, the key, an array of n timestamps). */
FAMQP_API famqp_status famqp_sb_renew_lock_reply(const famqp_message *reply, size_t n, int64_t *locked_until_ms,
                                                 famqp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_SERVICEBUS_H */
