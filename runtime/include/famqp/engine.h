/** @file famqp/engine.h
 * @brief flatamqp: a sans-I/O AMQP 1.0 protocol engine.
 *
 * A famqp_connection owns no socket and reads no clock.  The caller:
 *   - feeds bytes received from the peer to famqp_connection_input (any
 *     chunking, down to one byte at a time);
 *   - sends what famqp_connection_output returns and then tells the engine
 *     how much went out with famqp_connection_output_consume;
 *   - polls famqp_connection_next_event until it returns NULL;
 *   - calls famqp_connection_tick(conn, now_ms) with a monotonic clock and
 *     calls it again no later than the deadline it returns (idle timeouts
 *     and heartbeats).
 *
 * Endpoints (connection, sessions, links) are opened and closed by the
 * application; remote opens and closes are reported as events and answered
 * by calling the same open/close functions on the endpoint the event names.
 *
 * Object lifetime: sessions, links and deliveries are owned by the
 * connection.  An event's pointers stay valid until the next call of
 * famqp_connection_next_event.  A link (session) is freed once it is closed
 * in both directions and the event reporting that has been consumed; a
 * delivery once it is settled on both sides (a received delivery: once the
 * application settled it) and its last event was consumed.  Everything
 * left is freed by famqp_connection_free.
 *
 * Protocol violations by the peer close the connection with the matching
 * AMQP error condition (amqp:decode-error, amqp:connection:framing-error,
 * amqp:session:unattached-handle, ...) and are reported as one
 * FAMQP_EVENT_CONNECTION_ERROR; input after that is ignored.
 *
 * Set FAMQP_TRACE=1 in the environment (or options.trace = 1) to print
 * every frame sent and received to stderr (SASL credentials masked), in
 * wire order: outgoing frames when famqp_connection_output hands them out,
 * incoming ones as they are decoded.  A transfer's line ends with its
 * payload size and first 64 bytes, escaped.
  *
 * Conventions (docs/api-conventions.md): calls return famqp_engine_status,
 * FAMQP_ENGINE_OK or `FAMQP_ENGINE_ERR_<WHAT>`; ERR_NOMEM (the allocator
 * failed) is never reported as ERR_ARG (a bad argument).  Constructors
 * write the new object to *out, NULL whenever they fail.  The engine waits
 * for nothing (no timeouts; time comes in through famqp_connection_tick).
 * Credit calls SET the link credit (famqp_link_set_credit), unlike
 * Proton's pn_link_flow, which adds.
 */
#ifndef FAMQP_ENGINE_H
#define FAMQP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "famqp/codec.h"
#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results of API calls ------------------------------------------- */

/** Result of an engine API call. */
typedef enum famqp_engine_status {
    FAMQP_ENGINE_OK = 0,      /**< done */
    FAMQP_ENGINE_ERR_STATE,   /**< not allowed in the endpoint's current state */
    FAMQP_ENGINE_ERR_NOMEM,   /**< the allocator failed (connection is failed) */
    FAMQP_ENGINE_ERR_CREDIT,  /**< sender has no link credit */
    FAMQP_ENGINE_ERR_LIMIT,   /**< a configured or negotiated limit is exceeded */
    FAMQP_ENGINE_ERR_ARG,     /**< invalid argument */
    FAMQP_ENGINE_ERR_FAILED   /**< the connection failed or is closed */
} famqp_engine_status;

/** Short name of an engine status, e.g. "no link credit". */
FAMQP_API const char *famqp_engine_status_name(famqp_engine_status s);

/* ---- allocation ------------------------------------------------------- */

/** Everything the engine allocates goes through this.  All three pointers
 *  NULL (the zero value) means malloc/realloc/free. */
typedef struct famqp_allocator {
    void *(*malloc_fn)(void *ctx, size_t size);             /**< as malloc */
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size); /**< as realloc */
    void (*free_fn)(void *ctx, void *ptr);                  /**< as free */
    void *ctx; /**< passed to each of them */
} famqp_allocator;

/* ---- options ---------------------------------------------------------- */

/** Which side of the connection the engine plays. */
typedef enum famqp_connection_role {
    FAMQP_CONNECTION_CLIENT = 0, /**< sends the protocol header first */
    FAMQP_CONNECTION_SERVER = 1  /**< answers the peer's protocol header */
} famqp_connection_role;

/** SASL mechanisms (bit flags so a server can offer several). */
enum {
    FAMQP_SASL_ANONYMOUS = 1u << 0, /**< ANONYMOUS */
    FAMQP_SASL_PLAIN = 1u << 1,     /**< PLAIN: user name and password */
    FAMQP_SASL_EXTERNAL = 1u << 2,  /**< EXTERNAL: e.g. the TLS client certificate */
    /** MSSBCBS (client only): Microsoft's "authenticated later by CBS"
     *  mechanism, an empty initial response as uAMQP sends */
    FAMQP_SASL_MSSBCBS = 1u << 3
};

/** Server: checks PLAIN credentials; return true to accept.  Views are not
 *  NUL-terminated and only valid during the call. */
typedef bool (*famqp_sasl_check_fn)(void *ctx, famqp_string authzid, famqp_string username,
                                    famqp_string password);

/** @name Engine defaults
 * Documented defaults (famqp_connection_options_init).
 *
 * Limits protect the engine from a peer that sends too much.  Exceeding
 * one closes the connection with the matching AMQP condition and a
 * description naming the limit and its value:
 *
 * | limit                  | condition when exceeded |
 * |------------------------|-------------------------|
 * | max_frame_size         | amqp:connection:framing-error |
 * | channel_max (sessions) | amqp:connection:framing-error (begin above it, as the spec requires) or amqp:resource-limit-exceeded |
 * | max_links_per_session  | amqp:connection:framing-error (handle above handle-max) or amqp:resource-limit-exceeded |
 * | max_message_size       | amqp:link:message-size-exceeded |
 * | max_unsettled_per_link | amqp:resource-limit-exceeded |
 * | max_credit_overrun     | amqp:link:transfer-limit-exceeded |
 * | decode_limits          | amqp:resource-limit-exceeded (depth, entries) |
 * | max_empty_frames_per_s | amqp:resource-limit-exceeded |
 * | max_idle_flows_per_s   | amqp:resource-limit-exceeded |
 * @{ */
/** famqp_connection_options.max_frame_size */
#define FAMQP_ENGINE_DEFAULT_MAX_FRAME_SIZE 65536u
/** famqp_connection_options.channel_max */
#define FAMQP_ENGINE_DEFAULT_CHANNEL_MAX 255u
/** famqp_connection_options.max_links_per_session: per session (handle-max + 1) */
#define FAMQP_ENGINE_DEFAULT_MAX_LINKS 1024u
/** famqp_connection_options.max_message_size */
#define FAMQP_ENGINE_DEFAULT_MAX_MESSAGE_SIZE (64u * 1024u * 1024u)
/** famqp_connection_options.incoming_window: transfer frames per session */
#define FAMQP_ENGINE_DEFAULT_INCOMING_WINDOW 2048u
/** famqp_connection_options.outgoing_window */
#define FAMQP_ENGINE_DEFAULT_OUTGOING_WINDOW 0x7fffffffu
/** famqp_connection_options.max_unsettled_per_link: per link, each direction */
#define FAMQP_ENGINE_DEFAULT_MAX_UNSETTLED 65536u
/** famqp_connection_options.max_empty_frames_per_s */
#define FAMQP_ENGINE_DEFAULT_MAX_EMPTY_FRAMES_PER_S 1000u
/** famqp_connection_options.max_idle_flows_per_s */
#define FAMQP_ENGINE_DEFAULT_MAX_IDLE_FLOWS_PER_S 5000u
/** famqp_connection_options.max_credit_overrun: beyond twice the largest grant */
#define FAMQP_ENGINE_DEFAULT_MAX_CREDIT_OVERRUN 16u
/** Default famqp_connection_options.delivery_pool_bytes: 1 MiB. */
#define FAMQP_ENGINE_DEFAULT_DELIVERY_POOL_BYTES (1024u * 1024u)
/** Default famqp_connection_options.max_incoming_bytes: 128 MiB (two
 *  messages of the default max_message_size). */
#define FAMQP_ENGINE_DEFAULT_MAX_INCOMING_BYTES (128ull * 1024u * 1024u)
/** Default famqp_connection_options.max_output_bytes: 16 MiB. */
#define FAMQP_ENGINE_DEFAULT_MAX_OUTPUT_BYTES (16ull * 1024u * 1024u)
/** @} */

/** A list of symbols (capabilities): `count` NUL-terminated ASCII strings.
 *  The same view is used for what we send (options) and what the peer
 *  sent (the famqp_*_remote_* accessors). */
typedef struct famqp_symbols {
    const char *const *items; /**< `count` NUL-terminated ASCII strings */
    uint32_t count;           /**< number of symbols; 0: none */
} famqp_symbols;

/** @name Bounds on what the engine sends
 *  Bounds on the properties, capabilities and filters an application
 *  asks the engine to send: larger ones are refused (FAMQP_ENGINE_ERR_LIMIT,
 *  see famqp_link_options_check / famqp_connection_options_check).
 *  @{ */
/** Symbols in one capabilities list. */
#define FAMQP_ENGINE_MAX_SYMBOLS 64u
/** Bytes of one symbol. */
#define FAMQP_ENGINE_MAX_SYMBOL_LEN 255u
/** Encoded bytes of one properties, filter or node-properties map. */
#define FAMQP_ENGINE_MAX_FIELDS_SIZE 16384u
/** @} */

/** A connection's settings; famqp_connection_options_init sets every
 *  field to its default. */
typedef struct famqp_connection_options {
    famqp_connection_role role;     /**< client (default) or server */
    famqp_allocator alloc;          /**< default: malloc/realloc/free */
    const char *container_id;       /**< default "flatamqp" */
    const char *hostname;           /**< open.hostname and sasl-init hostname; NULL: absent */
    uint32_t max_frame_size;        /**< we accept; >= 512; default 65536 */
    uint16_t channel_max;           /**< highest channel we accept, so at most
                                         channel_max + 1 sessions; default 255 */
    uint32_t idle_timeout_ms;       /**< expire after this long without input; 0 = never;
                                         open advertises half of it (spec 2.4.5) */
    uint64_t max_message_size;      /**< largest message reassembled; default 64 MiB */
    uint32_t max_links_per_session; /**< handle-max + 1; default 1024 */
    uint32_t incoming_window;       /**< session incoming window (frames); default 2048 */
    uint32_t outgoing_window;       /**< advertised session outgoing window */
    famqp_limits decode_limits;     /**< nesting depth and entries per list/map/array
                                         when decoding frames; default
                                         famqp_default_limits (64, 2^24) */
    /** Unsettled deliveries one link may hold: received ones the
     * application has not settled, or sent ones the peer has not settled
     * (famqp_link_send then returns FAMQP_ENGINE_ERR_LIMIT).  Default 65536. */
    uint32_t max_unsettled_per_link;
    /** Flood limits, per second of the clock given to famqp_connection_tick
     * (not enforced before the first tick; 0 = no limit): empty frames
     * (heartbeats), and flow frames that carry no progress (they grant no
     * credit or window, advance no delivery-count and change nothing, or
     * ask for an echo without granting anything).  Defaults 1000 and 5000.
     * This one: empty frames. */
    uint32_t max_empty_frames_per_s;
    /** Flood limit: flow frames that carry no progress, per second (see
     *  max_empty_frames_per_s). */
    uint32_t max_idle_flows_per_s;
    /** Transfers a receiver link accepts beyond the credit it granted (per
     * grant) before closing with amqp:link:transfer-limit-exceeded: twice
     * the largest credit granted on the link plus this many (0 = strict:
     * none).  RabbitMQ 3.x sends more transfers than granted, seen up to
     * about one grant, once 516 past a grant of 500 on a loaded machine
     * (rabbitmq-server issue 2597).  Default 16. */
    uint32_t max_credit_overrun;
    /** Settled deliveries (and their message buffers) the connection keeps
     *  for reuse, in bytes: once a link's in-flight window fits, sending and
     *  receiving allocate nothing.  Buffers above 64 KiB are never kept.
     *  Default FAMQP_ENGINE_DEFAULT_DELIVERY_POOL_BYTES (1 MiB); 0 keeps
     *  none. */
    uint32_t delivery_pool_bytes;
    /** Bytes of incomplete incoming messages (multi-frame messages being
     *  reassembled) the connection holds across all its sessions and
     *  links: max_message_size bounds one, this bounds them together, so
     *  a peer cannot hold a message open on every link.  Beyond it the
     *  connection closes with amqp:resource-limit-exceeded.  Default
     *  FAMQP_ENGINE_DEFAULT_MAX_INCOMING_BYTES (128 MiB); 0: no limit. */
    uint64_t max_incoming_bytes;
    /** Bytes of output the connection buffers (written, not yet taken with
     *  famqp_connection_output_consume) beyond which it holds back, so a
     *  peer that does not read cannot make it buffer without bound:
     *  famqp_link_send returns FAMQP_ENGINE_ERR_LIMIT (nothing queued;
     *  a message already being sent still goes whole), and receivers'
     *  automatic credit (credit_window) and the sessions' incoming windows
     *  are not renewed (incoming transfers make output too).  Once the
     *  output has drained to half of it, they are renewed and every sender
     *  link refused meanwhile gets FAMQP_EVENT_LINK_CREDIT: it may send
     *  again (famqp_connection_output_blocked tells the state).  Default
     *  FAMQP_ENGINE_DEFAULT_MAX_OUTPUT_BYTES (16 MiB); 0: no limit. */
    uint64_t max_output_bytes;
    /** SASL.  Client: sasl_mechanisms == 0 means no SASL layer (bare AMQP
     *  header); otherwise exactly one FAMQP_SASL_* to use.  Server: the set
     *  offered (0 = no SASL layer; a SASL header is then refused). */
    unsigned sasl_mechanisms;
    const char *sasl_username;      /**< client PLAIN */
    const char *sasl_password;      /**< client PLAIN */
    famqp_sasl_check_fn sasl_check; /**< server PLAIN (required to offer PLAIN) */
    void *sasl_check_ctx;           /**< passed to sasl_check */
    /** Sent in open (copied by famqp_connection_new, so the caller's
     *  buffers may be reused once it returns).  properties: a map with
     *  symbol keys (e.g. from famqp_fields_builder); count 0: none.
     *  Bounded by FAMQP_ENGINE_MAX_*; the peer reads them before it knows
     *  our max-frame-size, so keep them well under 512 bytes for strict
     *  peers. */
    famqp_map properties;
    famqp_symbols offered_capabilities; /**< sent in open; count 0: none */
    famqp_symbols desired_capabilities; /**< sent in open; count 0: none */
    /** Write every performative (and SASL frame) with all the fields of its
     *  list, absent ones as null, instead of dropping trailing absent fields
     *  as AMQP allows (2.4.1).  For peers that read fields by position:
     *  pyamqp, the AMQP stack of Microsoft's Python SDKs (azure-eventhub 5.x,
     *  azure-servicebus 7.x), fails with IndexError on a short begin, flow or
     *  transfer.  Also, an attach that answers the peer's echoes the
     *  peer's source or target address where the link's options name none
     *  (pyamqp takes a terminus without fields for a missing one).  Costs
     *  a few bytes per frame (runtime/README.md).  Default false. */
    bool full_performatives;
    /** Tracing: -1 = from FAMQP_TRACE (default), 0 = off, 1 = on. */
    int trace;
    FILE *trace_file;               /**< NULL: stderr */
} famqp_connection_options;

/** Fills every field with its default (client role, no SASL). */
FAMQP_API void famqp_connection_options_init(famqp_connection_options *o);

/** Checks the options famqp_connection_new would refuse and says why in
 *  why[0..cap) (NUL-terminated; may be NULL with cap 0): FAMQP_ENGINE_OK,
 *  FAMQP_ENGINE_ERR_ARG (malformed: e.g. a NULL capability, a properties
 *  map that is not well-formed or has a key that is not a symbol) or
 *  FAMQP_ENGINE_ERR_LIMIT (a list, symbol or map above FAMQP_ENGINE_MAX_*). */
FAMQP_API famqp_engine_status famqp_connection_options_check(const famqp_connection_options *o, char *why,
                                                             size_t cap);

/** Copies *src into *dst with everything it points at (container id,
 *  host name, SASL user and password, properties, capabilities) in one
 *  block allocated with malloc (not options.alloc), so the copy outlives the caller's buffers: what a
 *  client keeps to open the connection again on reconnect.  Other fields
 *  (allocator, callbacks, trace file) are copied as they are.  dst may be
 *  src.  Free the block with famqp_options_copy_free once *dst is no longer
 *  used.  @return FAMQP_ENGINE_OK with *block set, ERR_ARG (a NULL
 *  argument) or ERR_NOMEM; nothing is allocated on failure. */
FAMQP_API famqp_engine_status famqp_connection_options_copy(famqp_connection_options *dst,
                                                            const famqp_connection_options *src, void **block);

/** Wipes (it may hold a password) and frees a block made by
 *  famqp_connection_options_copy or famqp_link_options_copy; NULL is
 *  ignored. */
FAMQP_API void famqp_options_copy_free(void *block);

/* ---- objects ---------------------------------------------------------- */

/** One AMQP connection: the engine's state for one byte stream. */
typedef struct famqp_connection famqp_connection;
/** A session of a connection (owned by the connection). */
typedef struct famqp_session famqp_session;
/** A link of a session (owned by the connection). */
typedef struct famqp_link famqp_link;
/** A message sent or received on a link (owned by the connection). */
typedef struct famqp_delivery famqp_delivery;

/** An error condition: name NULL when there is none.  Strings are
 *  NUL-terminated and owned by the endpoint or connection they came from. */
typedef struct famqp_condition {
    const char *name;        /**< e.g. "amqp:decode-error" */
    const char *description; /**< may be NULL */
} famqp_condition;

/* ---- events ----------------------------------------------------------- */

/** What an event reports. */
typedef enum famqp_event_type {
    FAMQP_EVENT_NONE = 0,              /**< no event (not reported) */
    FAMQP_EVENT_SASL_DONE,             /**< SASL succeeded (both roles) */
    FAMQP_EVENT_CONNECTION_LOCAL_OPEN, /**< our open was written */
    FAMQP_EVENT_CONNECTION_REMOTE_OPEN,  /**< the peer's open arrived */
    FAMQP_EVENT_CONNECTION_LOCAL_CLOSE,  /**< our close was written */
    FAMQP_EVENT_CONNECTION_REMOTE_CLOSE, /**< condition: the peer's error, if any */
    FAMQP_EVENT_CONNECTION_ERROR,      /**< failed: condition says why (local or
                                            peer-caused); no more events follow */
    FAMQP_EVENT_SESSION_LOCAL_BEGIN,   /**< our begin was written */
    FAMQP_EVENT_SESSION_REMOTE_BEGIN,  /**< new remote session: answer with famqp_session_open */
    FAMQP_EVENT_SESSION_LOCAL_END,     /**< our end was written */
    FAMQP_EVENT_SESSION_REMOTE_END,    /**< the peer's end arrived (condition: its error) */
    FAMQP_EVENT_LINK_LOCAL_ATTACH,     /**< our attach was written */
    FAMQP_EVENT_LINK_REMOTE_ATTACH,    /**< new remote link: answer with famqp_link_open */
    FAMQP_EVENT_LINK_LOCAL_DETACH,     /**< our detach was written */
    FAMQP_EVENT_LINK_REMOTE_DETACH,    /**< the peer's detach arrived (condition: its error) */
    FAMQP_EVENT_LINK_CREDIT,           /**< sender: credit or drain changed (a drain
                                            completes automatically, see
                                            famqp_link_drained) */
    FAMQP_EVENT_LINK_FLOW,             /**< receiver: the sender's flow arrived
                                            (e.g. a drain completed) */
    FAMQP_EVENT_DELIVERY,              /**< receiver: a complete message */
    FAMQP_EVENT_DELIVERY_ABORTED,      /**< receiver: the sender aborted it */
    FAMQP_EVENT_DELIVERY_UPDATED,      /**< the peer's disposition: state and/or settled */
    FAMQP_EVENT_COUNT                  /**< number of event types (not a type) */
} famqp_event_type;

/** One event; its pointers stay valid until the next
 *  famqp_connection_next_event. */
typedef struct famqp_event {
    famqp_event_type type;        /**< what happened */
    famqp_connection *connection; /**< the connection it happened on */
    famqp_session *session;   /**< NULL for connection events */
    famqp_link *link;         /**< NULL unless a link or delivery event */
    famqp_delivery *delivery; /**< NULL unless a delivery event */
    famqp_condition condition;/**< remote close/end/detach error, or the failure */
} famqp_event;

/** Name of an event type, e.g. "connection-remote-open". */
FAMQP_API const char *famqp_event_type_name(famqp_event_type t);

/* ---- connection ------------------------------------------------------- */

/** Creates a connection with the given options (opts NULL: defaults) in *out.
 *  FAMQP_ENGINE_ERR_ARG when an option is invalid, FAMQP_ENGINE_ERR_NOMEM
 *  when the allocator failed; *out is NULL then. */
FAMQP_API famqp_engine_status famqp_connection_new(const famqp_connection_options *opts, famqp_connection **out);
/** Frees the connection and every session, link and delivery it still
 *  owns.  NULL is ignored. */
FAMQP_API void famqp_connection_free(famqp_connection *c);

/** Consumes all n bytes (buffering an incomplete frame).  Returns FAILED
 *  once the connection has failed; input is then ignored. */
FAMQP_API famqp_engine_status famqp_connection_input(famqp_connection *c, const uint8_t *data, size_t n);
/** The peer closed its side of the byte stream. */
FAMQP_API void famqp_connection_input_closed(famqp_connection *c);

/** Bytes to send (valid until the next engine call); *len 0 when none. */
FAMQP_API const uint8_t *famqp_connection_output(famqp_connection *c, size_t *len);
/** Tells the engine that the first n bytes of its output went out. */
FAMQP_API void famqp_connection_output_consume(famqp_connection *c, size_t n);
/** Bytes of output buffered, not yet consumed (frames written before our
 *  AMQP header included). */
FAMQP_API size_t famqp_connection_output_pending(const famqp_connection *c);
/** True while famqp_link_send would be refused for max_output_bytes: the
 *  output is at or above it, or was and has not drained to half of it. */
FAMQP_API bool famqp_connection_output_blocked(const famqp_connection *c);

/** The next event, or NULL.  The previous event is released. */
FAMQP_API const famqp_event *famqp_connection_next_event(famqp_connection *c);

/** Advances time (monotonic milliseconds): sends heartbeats and expires the
 *  idle timeout.  Returns the next deadline (absolute, same clock), or 0
 *  when there is none. */
FAMQP_API uint64_t famqp_connection_tick(famqp_connection *c, uint64_t now_ms);

/** Opens the connection (protocol header, SASL if configured, open). */
FAMQP_API famqp_engine_status famqp_connection_open(famqp_connection *c);
/** Closes the connection; condition NULL: clean close, else the error
 *  condition (e.g. "amqp:internal-error") and an optional description. */
FAMQP_API famqp_engine_status famqp_connection_close(famqp_connection *c, const char *condition,
                                           const char *description);

/** True when nothing more will happen: closed both ways or failed, and all
 *  output drained. */
FAMQP_API bool famqp_connection_finished(const famqp_connection *c);
/** True once the connection has failed (FAMQP_EVENT_CONNECTION_ERROR). */
FAMQP_API bool famqp_connection_failed(const famqp_connection *c);
/** The failure (or the peer's close error); name NULL when none. */
FAMQP_API famqp_condition famqp_connection_condition(const famqp_connection *c);
/** The error of the peer's close; name NULL when none. */
FAMQP_API famqp_condition famqp_connection_remote_condition(const famqp_connection *c);
/** @name Remote open fields
 *  @{ */
/** A field of the peer's open (valid after CONNECTION_REMOTE_OPEN; strings
 *  NUL-terminated). */
FAMQP_API const char *famqp_connection_remote_container_id(const famqp_connection *c);
FAMQP_API const char *famqp_connection_remote_hostname(const famqp_connection *c);
FAMQP_API uint32_t famqp_connection_remote_max_frame_size(const famqp_connection *c);
FAMQP_API uint16_t famqp_connection_remote_channel_max(const famqp_connection *c);
FAMQP_API uint32_t famqp_connection_remote_idle_timeout(const famqp_connection *c);
/** @} */
/** The peer's open.properties (a map view, count 0 when absent),
 *  offered-capabilities and desired-capabilities (count 0 when absent).
 *  Valid after CONNECTION_REMOTE_OPEN and as long as the connection: they
 *  point into a copy the connection owns. */
FAMQP_API famqp_map famqp_connection_remote_properties(const famqp_connection *c);
/** See famqp_connection_remote_properties. */
FAMQP_API famqp_symbols famqp_connection_remote_offered_capabilities(const famqp_connection *c);
/** See famqp_connection_remote_properties. */
FAMQP_API famqp_symbols famqp_connection_remote_desired_capabilities(const famqp_connection *c);
/** Server: the authenticated user (PLAIN) or "anonymous"; NULL before SASL. */
FAMQP_API const char *famqp_connection_sasl_user(const famqp_connection *c);

/* ---- sessions --------------------------------------------------------- */

/** A new local session of c (begun by famqp_session_open) in *out.
 *  FAMQP_ENGINE_ERR_FAILED when c failed, ERR_STATE when c is closed,
 *  ERR_LIMIT when every channel is taken, ERR_NOMEM; *out is NULL then. */
FAMQP_API famqp_engine_status famqp_session_new(famqp_connection *c, famqp_session **out);
/** Sends begin (answering the remote begin when there was one). */
FAMQP_API famqp_engine_status famqp_session_open(famqp_session *s);
/** Sends end; condition NULL: clean end, else the error condition and an
 *  optional description. */
FAMQP_API famqp_engine_status famqp_session_close(famqp_session *s, const char *condition,
                                        const char *description);
/** The connection the session belongs to. */
FAMQP_API famqp_connection *famqp_session_connection(const famqp_session *s);
/** The error of the peer's end; name NULL when none. */
FAMQP_API famqp_condition famqp_session_remote_condition(const famqp_session *s);
/** Our channel number of the session. */
FAMQP_API uint16_t famqp_session_channel(const famqp_session *s);
/** Stores an application pointer with the session. */
FAMQP_API void famqp_session_set_context(famqp_session *s, void *ctx);
/** The pointer famqp_session_set_context stored (NULL before). */
FAMQP_API void *famqp_session_context(const famqp_session *s);

/* ---- links ------------------------------------------------------------ */

/** Which end of a link we are. */
typedef enum famqp_link_role {
    FAMQP_LINK_SENDER = 0,  /**< we send messages */
    FAMQP_LINK_RECEIVER = 1 /**< we receive messages */
} famqp_link_role;

/** A link's settings; famqp_link_options_init sets the defaults. */
typedef struct famqp_link_options {
    const char *source_address; /**< NULL: no address */
    const char *target_address; /**< NULL: no address */
    uint8_t snd_settle_mode;    /**< FAMQP_SENDER_SETTLE_MODE_* (default mixed = 2) */
    uint8_t rcv_settle_mode;    /**< FAMQP_RECEIVER_SETTLE_MODE_* (default first = 0) */
    uint64_t max_message_size;  /**< advertised; 0 = the connection's limit */
    /** Receiver: credit kept available automatically (topped up when half
     *  is used); 0 = the application grants credit with famqp_link_set_credit. */
    uint32_t credit_window;
    /** Terminus options: the target's for a sender, the source's for a
     *  receiver (the other terminus carries only its address).
     *  terminus-durability: 0 none, 1 configuration, 2 unsettled-state. */
    uint32_t durable;
    bool dynamic;               /**< ask the peer to create the node (address NULL);
                                     its address: famqp_link_remote_*_address */
    famqp_map source_filter;    /**< the source's filter-set (a map view; copied
                                     by the link); count 0: none.  A receiver's
                                     asks for filters, a sender's (answering an
                                     attach) names those it applies.  Build it
                                     with famqp_filter_set_builder */
    /** More terminus options, for the same terminus as durable:
     *  "link-detach", "session-end", "connection-close" or "never"; NULL:
     *  absent (session-end). */
    const char *expiry_policy;
    uint32_t timeout;           /**< seconds the node outlives its expiry; 0: absent */
    famqp_map dynamic_node_properties; /**< with dynamic: symbol-keyed map; count 0: none */
    /** Capabilities of the source (e.g. "queue", "topic"), whatever the role. */
    famqp_symbols source_capabilities;
    /** Capabilities of the target, whatever the role. */
    famqp_symbols target_capabilities;
    /** The attach's own fields: properties, a symbol-keyed map; count 0: none. */
    famqp_map properties;
    famqp_symbols offered_capabilities; /**< the attach's offered-capabilities */
    famqp_symbols desired_capabilities; /**< the attach's desired-capabilities */
    /** The target is a transaction coordinator (a sender asking for one,
     *  or a coordinator's receiver answering such an attach; AMQP 1.0 part 4,
     *  amqp:coordinator:list) instead of a node; target_capabilities become
     *  the coordinator's capabilities (e.g. "amqp:local-transactions") and
     *  target_address and the target's terminus options are not sent.
     *  Declare and discharge are then sent on the link as messages
     *  (docs/transactions.md). */
    bool coordinator;
} famqp_link_options;

/** Every field off, settle modes mixed/first.
 *
 *  famqp_link_new and famqp_link_set_options copy everything the options
 *  point at (strings, maps, symbol lists), so the caller's buffers may be
 *  reused once they return.  Sizes are bounded by FAMQP_ENGINE_MAX_*. */
FAMQP_API void famqp_link_options_init(famqp_link_options *o);

/** Checks link options as famqp_link_new / famqp_link_set_options do and
 *  says why they are refused in why[0..cap) (NUL-terminated; may be NULL
 *  with cap 0): FAMQP_ENGINE_OK, FAMQP_ENGINE_ERR_ARG (malformed map, NULL
 *  or non-ASCII symbol, unknown expiry policy, durable above 2) or
 *  FAMQP_ENGINE_ERR_LIMIT (above FAMQP_ENGINE_MAX_*). */
FAMQP_API famqp_engine_status famqp_link_options_check(const famqp_link_options *o, char *why, size_t cap);

/** famqp_connection_options_copy for link options: *dst = *src with its
 *  addresses, expiry policy, filter, node properties, properties and
 *  capabilities copied into one block (free it with
 *  famqp_options_copy_free).  dst may be src.  @return FAMQP_ENGINE_OK,
 *  ERR_ARG or ERR_NOMEM. */
FAMQP_API famqp_engine_status famqp_link_options_copy(famqp_link_options *dst, const famqp_link_options *src,
                                                      void **block);

/* ---- filter sets and fields maps ---------------------------------------- */

/** Builds a source filter-set (famqp_link_options.source_filter) in a
 *  buffer the caller owns: a map from symbol keys to described filters.
 *
 *  @code
 *  uint8_t buf[256];
 *  famqp_filter_set_builder b;
 *  famqp_filter_set_init(&b, buf, sizeof buf);
 *  famqp_filter_set_put_selector(&b, "color = 'red'");
 *  famqp_filter_set_put_session(&b, "order-17");
 *  if (famqp_filter_set_finish(&b, &opts.source_filter) != FAMQP_OK) ... // buf too small
 *  @endcode
 *
 *  The view points into buf (the link copies it when created). */
typedef struct famqp_filter_set_builder {
    famqp_writer writer; /**< writes the map into buf */
} famqp_filter_set_builder;

/** Starts an empty filter-set in buf[0..cap). */
FAMQP_API void famqp_filter_set_init(famqp_filter_set_builder *b, void *buf, size_t cap);
/** Any described filter: key -> descriptor(value).  The descriptor is the
 *  symbol `descriptor_name`, or when that is NULL the ulong
 *  `descriptor_code`; value is one complete encoded value (len 0: null). */
FAMQP_API void famqp_filter_set_put(famqp_filter_set_builder *b, const char *key, const char *descriptor_name,
                                    uint64_t descriptor_code, famqp_value value);
/** A JMS-style selector: key "selector", apache.org:selector-filter:string. */
FAMQP_API void famqp_filter_set_put_selector(famqp_filter_set_builder *b, const char *selector);
/** Azure Service Bus sessions: key and descriptor com.microsoft:session-filter
 *  (code 0x00000137:0x0000000C) with the session id, or NULL (null) for
 *  whichever session the broker grants. */
FAMQP_API void famqp_filter_set_put_session(famqp_filter_set_builder *b, const char *session_id);
/** Finishes the map and points *out at it: FAMQP_OK, FAMQP_ERR_LIMIT when
 *  buf was too small (famqp_writer_len(&b->writer) says how much is needed). */
FAMQP_API famqp_status famqp_filter_set_finish(famqp_filter_set_builder *b, famqp_map *out);

/** Builds a symbol-keyed map (the `fields` of open/attach properties and
 *  dynamic-node-properties) in a buffer the caller owns:
 *
 *  @code
 *  famqp_fields_builder f;
 *  famqp_fields_init(&f, buf, sizeof buf);
 *  famqp_write_csymbol(famqp_fields_key(&f, "product"), "my-app"); // any value writer
 *  famqp_fields_finish(&f, &opts.properties);
 *  @endcode
 */
typedef struct famqp_fields_builder {
    famqp_writer writer; /**< writes the map into buf */
} famqp_fields_builder;

/** Starts an empty map in buf[0..cap). */
FAMQP_API void famqp_fields_init(famqp_fields_builder *b, void *buf, size_t cap);
/** Writes the symbol key and returns the writer for exactly one value. */
FAMQP_API famqp_writer *famqp_fields_key(famqp_fields_builder *b, const char *key);
/** Finishes the map: FAMQP_OK, FAMQP_ERR_LIMIT (buf too small) or
 *  FAMQP_ERR_INVALID_VALUE (a key without one value). */
FAMQP_API famqp_status famqp_fields_finish(famqp_fields_builder *b, famqp_map *out);

/** A local link in *out (for a remote attach, use the link from the event).
 *  FAMQP_ENGINE_ERR_ARG for a NULL name or invalid options, ERR_FAILED when
 *  the connection failed, ERR_STATE when the session is closed, ERR_LIMIT
 *  when every handle is taken, ERR_NOMEM; *out is NULL then. */
FAMQP_API famqp_engine_status famqp_link_new(famqp_session *s, const char *name, famqp_link_role role,
                                   const famqp_link_options *opts, famqp_link **out);
/** For a remotely attached link: the options to answer with (before open). */
FAMQP_API famqp_engine_status famqp_link_set_options(famqp_link *l, const famqp_link_options *opts);
/** Sends attach (answering the remote attach when there was one). */
FAMQP_API famqp_engine_status famqp_link_open(famqp_link *l);
/** Sends detach (closed); condition NULL: clean detach, else the error
 *  condition and an optional description. */
FAMQP_API famqp_engine_status famqp_link_close(famqp_link *l, const char *condition, const char *description);

/** The session the link belongs to. */
FAMQP_API famqp_session *famqp_link_session(const famqp_link *l);
/** Whether we send or receive on the link. */
FAMQP_API famqp_link_role famqp_link_get_role(const famqp_link *l);
/** The link's name. */
FAMQP_API const char *famqp_link_name(const famqp_link *l);
/** The error of the peer's detach; name NULL when none. */
FAMQP_API famqp_condition famqp_link_remote_condition(const famqp_link *l);
/** @name Remote attach fields
 *  @{ */
/** A field of the peer's attach (NULL when absent). */
FAMQP_API const char *famqp_link_remote_source_address(const famqp_link *l);
FAMQP_API const char *famqp_link_remote_target_address(const famqp_link *l);
FAMQP_API uint8_t famqp_link_remote_snd_settle_mode(const famqp_link *l);
FAMQP_API uint8_t famqp_link_remote_rcv_settle_mode(const famqp_link *l);
/** @} */

/** A terminus (source or target) as the peer's attach carried it.  Views
 *  stay valid as long as the link: they point into copies the link owns. */
typedef struct famqp_terminus_info {
    const char *address;             /**< NULL: none (or not a string) */
    uint32_t durable;                /**< terminus-durability, 0 when absent */
    const char *expiry_policy;       /**< NULL: absent (session-end) */
    uint32_t timeout;                /**< seconds; 0 when absent */
    bool dynamic;                    /**< the node is dynamic */
    famqp_map dynamic_node_properties; /**< count 0: none */
    famqp_symbols capabilities;      /**< count 0: none */
    famqp_map filter;                /**< source only */
    const char *distribution_mode;   /**< source only; NULL: absent */
} famqp_terminus_info;

/** The peer's source / target (after LINK_REMOTE_ATTACH): false, *out
 *  zeroed, when its attach carried none. */
FAMQP_API bool famqp_link_remote_source(const famqp_link *l, famqp_terminus_info *out);
/** See famqp_link_remote_source. */
FAMQP_API bool famqp_link_remote_target(const famqp_link *l, famqp_terminus_info *out);
/** The peer's attach names a transaction coordinator (AMQP 1.0 part 4,
 *  amqp:coordinator:list) as its target, not a node: a transactional
 *  client asking for a coordinator.  famqp_link_remote_target is false for
 *  it; famqp_link_remote_target_capabilities gives the coordinator's
 *  capabilities.  The engine does not coordinate transactions: refuse the
 *  link (e.g. amqp:not-implemented) or coordinate above the engine
 *  (declare/discharge arrive as messages; answer with the DECLARED outcome
 *  or rejected; see docs/transactions.md). */
FAMQP_API bool famqp_link_remote_target_is_coordinator(const famqp_link *l);
/** The peer's attach.properties (count 0: none), valid as long as the link. */
FAMQP_API famqp_map famqp_link_remote_properties(const famqp_link *l);
/** The peer's attach offered-capabilities, valid as long as the link. */
FAMQP_API famqp_symbols famqp_link_remote_offered_capabilities(const famqp_link *l);
/** The peer's attach desired-capabilities, valid as long as the link. */
FAMQP_API famqp_symbols famqp_link_remote_desired_capabilities(const famqp_link *l);
/** Shorthands for famqp_link_remote_source(l).capabilities / .filter and
 *  famqp_link_remote_target(l).capabilities. */
FAMQP_API famqp_symbols famqp_link_remote_source_capabilities(const famqp_link *l);
/** See famqp_link_remote_source_capabilities. */
FAMQP_API famqp_symbols famqp_link_remote_target_capabilities(const famqp_link *l);
/** See famqp_link_remote_source_capabilities. */
FAMQP_API famqp_map famqp_link_remote_filter(const famqp_link *l);
/** Stores an application pointer with the link. */
FAMQP_API void famqp_link_set_context(famqp_link *l, void *ctx);
/** The pointer famqp_link_set_context stored (NULL before). */
FAMQP_API void *famqp_link_context(const famqp_link *l);

/** Credit: for a sender, what it may still send; for a receiver, what it
 *  granted and has not yet received. */
FAMQP_API uint32_t famqp_link_credit(const famqp_link *l);
/** The link's delivery-count (AMQP flow control). */
FAMQP_API uint32_t famqp_link_delivery_count(const famqp_link *l);
/** Sender: true while a drain the receiver asked for is pending. */
FAMQP_API bool famqp_link_drain_requested(const famqp_link *l);

/** Receiver: SETS the credit: link-credit becomes `credit` (0 stops the
 *  sender).  Unlike Proton's pn_link_flow, which ADDS to the credit: to add
 *  n, pass famqp_link_credit(l) + n. */
FAMQP_API famqp_engine_status famqp_link_set_credit(famqp_link *l, uint32_t credit);
/** Receiver: sets the credit as famqp_link_set_credit does (not adding, as
 *  Proton's pn_link_drain does) and asks the sender to use it or give it
 *  back (the drain flag). */
FAMQP_API famqp_engine_status famqp_link_set_credit_and_drain(famqp_link *l, uint32_t credit);
/** Sender: finishes a requested drain: unused credit is given back.  The
 *  engine also does this by itself: once the application has seen the
 *  LINK_CREDIT event asking for the drain (the event was released) and the
 *  link has nothing queued, the next famqp_connection_output advances
 *  delivery-count by the unused credit, zeroes the credit and sends a flow.
 *  So send what you have while handling LINK_CREDIT (or before taking
 *  output); calling this is then only needed to give credit back earlier. */
FAMQP_API famqp_engine_status famqp_link_drained(famqp_link *l);
/** Either role: sends our flow state asking the peer to echo its own. */
FAMQP_API famqp_engine_status famqp_link_request_echo(famqp_link *l);

/** Sender: sends one message (bytes of its encoded sections).  Consumes one
 *  credit.  Messages larger than a frame are split.  tag: at most 32 bytes
 *  (AMQP's limit; longer: FAMQP_ENGINE_ERR_ARG).  settled: pre-settled
 *  (at-most-once).  *out gets the delivery when unsettled (else NULL); out
 *  may be NULL.  FAMQP_ENGINE_ERR_LIMIT: larger than the receiver's
 *  max-message-size, or max_unsettled_per_link unsettled sends await their
 *  outcome. */
FAMQP_API famqp_engine_status famqp_link_send(famqp_link *l, famqp_binary tag, const void *msg, size_t len,
                                    bool settled, famqp_delivery **out);
/** famqp_link_send with the transfer's message-format (0 for AMQP 1.0
 *  messages; e.g. FAMQP_BATCH_MESSAGE_FORMAT of famqp/batch.h). */
FAMQP_API famqp_engine_status famqp_link_send_format(famqp_link *l, famqp_binary tag, uint32_t format,
                                                     const void *msg, size_t len, bool settled,
                                                     famqp_delivery **out);
/** Sender: aborts the delivery whose frames are still being sent. */
FAMQP_API famqp_engine_status famqp_delivery_abort(famqp_delivery *d);

/* ---- deliveries -------------------------------------------------------- */

/** A delivery state: the outcome, or RECEIVED progress. */
typedef enum famqp_outcome_kind {
    FAMQP_OUTCOME_NONE = 0, /**< no state */
    FAMQP_OUTCOME_ACCEPTED, /**< accepted */
    FAMQP_OUTCOME_REJECTED, /**< rejected, with an error */
    FAMQP_OUTCOME_RELEASED, /**< released: may be delivered again */
    FAMQP_OUTCOME_MODIFIED, /**< modified: released with changes */
    FAMQP_OUTCOME_RECEIVED, /**< non-terminal: section-number/offset */
    FAMQP_OUTCOME_OTHER,    /**< a state the engine does not know */
    /** declared: a coordinator's answer to declare, carrying the new
     *  transaction's id in famqp_outcome.txn_id (AMQP 1.0 4.5.3) */
    FAMQP_OUTCOME_DECLARED
} famqp_outcome_kind;

/** Longest transaction id (famqp_outcome.txn_id) the engine sends or
 *  accepts: a peer's longer txn-id fails the connection with
 *  amqp:invalid-field, a longer one to send is FAMQP_ENGINE_ERR_ARG. */
#define FAMQP_ENGINE_MAX_TXN_ID 64u

/** A delivery state with its fields; which fields apply depends on kind.
 *  Zero-initialised fields are absent, so `{.kind = FAMQP_OUTCOME_ACCEPTED}`
 *  is a complete outcome.  The two maps are views: sending copies them
 *  (famqp_delivery_update); a received state's point into the delivery. */
typedef struct famqp_outcome {
    famqp_outcome_kind kind;  /**< which state */
    famqp_condition error;    /**< rejected */
    bool delivery_failed;     /**< modified */
    bool undeliverable_here;  /**< modified */
    uint32_t section_number;  /**< received */
    uint64_t section_offset;  /**< received */
    /** rejected: the error's info map (count 0: none).  Keys of any type
     *  (the standard says symbols; Service Bus's dead-letter uses
     *  strings); well-formed, at most FAMQP_ENGINE_MAX_FIELDS_SIZE bytes. */
    famqp_map error_info;
    /** modified: message-annotations for the peer to merge into the
     *  message (count 0: none); keys and bounds as error_info. */
    famqp_map message_annotations;
    /** modified: delivery-failed is left out of the frame (it then means
     *  false) instead of being sent as false, as \@azure/service-bus does;
     *  a received modified without delivery-failed has it set. */
    bool delivery_failed_absent;
    /** Transactions (AMQP 1.0 part 4).  With kind DECLARED: the declared
     *  transaction's id.  With any other kind, non-empty means the state is
     *  transactional-state{txn-id, outcome = kind} (kind NONE: no outcome;
     *  RECEIVED and OTHER cannot be wrapped: ERR_ARG).  At most
     *  FAMQP_ENGINE_MAX_TXN_ID bytes; a view (sending copies it; a received
     *  state's points into the delivery). */
    famqp_binary txn_id;
} famqp_outcome;

/** Name of an outcome kind, e.g. "accepted". */
FAMQP_API const char *famqp_outcome_kind_name(famqp_outcome_kind k);

/** famqp_link_send_format with a delivery state on the transfer (state
 *  NULL or kind NONE without txn_id: none), e.g. {.txn_id = id} to send
 *  the message in a transaction (transactional-state, AMQP 1.0 4.4.1).
 *  ERR_ARG for a state a transfer cannot carry (an error, maps, RECEIVED,
 *  OTHER, DECLARED, or a txn_id above FAMQP_ENGINE_MAX_TXN_ID). */
FAMQP_API famqp_engine_status famqp_link_send_state(famqp_link *l, famqp_binary tag, uint32_t format,
                                                    const void *msg, size_t len, bool settled,
                                                    const famqp_outcome *state, famqp_delivery **out);
/** The link the delivery was sent or received on. */
FAMQP_API famqp_link *famqp_delivery_link(const famqp_delivery *d);
/** The delivery-id (unique per session and direction while unsettled). */
FAMQP_API uint32_t famqp_delivery_id(const famqp_delivery *d);
/** The delivery-tag (owned by the delivery). */
FAMQP_API famqp_binary famqp_delivery_tag(const famqp_delivery *d);
/** The message-format (0 for AMQP 1.0 messages). */
FAMQP_API uint32_t famqp_delivery_message_format(const famqp_delivery *d);
/** Receiver: the complete message bytes (owned by the delivery). */
FAMQP_API famqp_binary famqp_delivery_message(const famqp_delivery *d);
/** Receiver: decodes the delivery's message (famqp_message_decode); the
 *  views in *m point into the delivery, valid until it is settled.  On
 *  failure *m is reset (famqp_message_init) and err (may be NULL) says why. */
FAMQP_API famqp_status famqp_delivery_read_message(const famqp_delivery *d, famqp_message *m, famqp_error *err);
/** Receiver: the state the delivery's first transfer carried (kind NONE
 *  and txn_id empty when none), e.g. a transactional send's txn_id; no
 *  error or maps.  The txn_id points into the delivery. */
FAMQP_API famqp_outcome famqp_delivery_transfer_state(const famqp_delivery *d);
/** True once the peer settled the delivery. */
FAMQP_API bool famqp_delivery_remote_settled(const famqp_delivery *d);
/** The peer's state of the delivery (kind NONE when it sent none). */
FAMQP_API famqp_outcome famqp_delivery_remote_state(const famqp_delivery *d);
/** True once we settled the delivery (locally). */
FAMQP_API bool famqp_delivery_settled(const famqp_delivery *d);

/** Complete received deliveries the application has not settled yet. */
FAMQP_API size_t famqp_connection_unsettled_received(const famqp_connection *c);

/** Sets our state and optionally settles.  A receiver in rcv-settle-mode
 *  second should pass settle=false and settle (famqp_delivery_settle,
 *  which sends nothing more) once the DELIVERY_UPDATED event says the
 *  sender has (the blocking client's famqp_receiver_settle does both).
 *  FAMQP_ENGINE_ERR_ARG for an
 *  outcome map (error_info, message_annotations) that is malformed or
 *  larger than FAMQP_ENGINE_MAX_FIELDS_SIZE (nothing is sent).
 *  On a failed connection nothing is sent: settle=true still settles
 *  locally (the delivery is released; OK), anything else returns
 *  FAMQP_ENGINE_ERR_FAILED.
 *  Dispositions of consecutive deliveries with the same state are sent as
 *  one disposition frame (first..last). */
FAMQP_API famqp_engine_status famqp_delivery_update(famqp_delivery *d, const famqp_outcome *o, bool settle);
/** @name Outcome shorthands
 *  famqp_delivery_update with that outcome, settling, except for a
 *  receiver in rcv-settle-mode second (it settles once the sender has).
 *  @{ */
/** famqp_delivery_update with accepted. */
FAMQP_API famqp_engine_status famqp_delivery_accept(famqp_delivery *d);
/** famqp_delivery_update with released. */
FAMQP_API famqp_engine_status famqp_delivery_release(famqp_delivery *d);
/** famqp_delivery_update with rejected (the error condition and an optional
 *  description). */
FAMQP_API famqp_engine_status famqp_delivery_reject(famqp_delivery *d, const char *condition,
                                          const char *description);
/** famqp_delivery_update with modified. */
FAMQP_API famqp_engine_status famqp_delivery_modify(famqp_delivery *d, bool delivery_failed,
                                          bool undeliverable_here);
/** @} */
/** Settles without (changing) state. */
FAMQP_API famqp_engine_status famqp_delivery_settle(famqp_delivery *d);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_ENGINE_H */
