/** @file famqp/async.h
 * @brief flatamqp: an asynchronous AMQP 1.0 client on a famqp_loop.
 *
 * The same features as the blocking client (client.h): connect with SASL
 * and TLS, senders with outcomes, receivers with automatic or manual
 * acceptance, reconnect with failover over a list of URLs and resending
 * of what the peer had not settled; but nothing here waits.  Every call
 * returns at once and what happens later is reported through callbacks on
 * the loop's thread, so one thread runs hundreds of connections:
 *
 *     famqp_async_conn *c;
 *     famqp_async_connect(loop, "amqp://127.0.0.1:5672", NULL, &c);
 *     famqp_async_sender *s;
 *     famqp_async_sender_open(c, "queue", NULL, &s);
 *     famqp_async_send(s, &message, on_outcome, arg);  // queued; on_outcome later
 *     famqp_loop_run(loop);
 *
 * Senders and receivers may be opened at once after famqp_async_connect:
 * they attach when the connection is open (and again after every
 * reconnect).  Sends made before the link has credit wait in the sender,
 * bounded by famqp_async_sender_options.max_pending_messages and
 * max_pending_bytes.
 *
 * Callbacks: every callback runs on the loop's thread, from the loop
 * (never from inside the call that caused it, except that closing a
 * sender or connection reports the sends it ends before it returns).  A
 * callback may call any function of this header, including the close
 * functions of the object it is called for.
 *
 * Threads: a famqp_async_conn, with its senders, receivers and
 * deliveries, belongs to the thread that runs its loop; call these
 * functions only there (or before the loop first runs, from the thread
 * that made it).  Other threads hand work to a connection with
 * famqp_loop_post (loop.h), whose function then runs on the loop's thread.
 *
 * Conventions (docs/api-conventions.md): calls return famqp_async_status,
 * FAMQP_ASYNC_OK or `FAMQP_ASYNC_ERR_<WHAT>`; a call that creates an
 * object writes it to *out, NULL whenever it fails; out of memory is
 * ERR_NOMEM, never ERR_ARG; limits take -1 for "no limit"; timeouts in
 * options are milliseconds, 0 the documented default, -1 no limit.
 * famqp_async_receiver_set_credit SETS the credit (Proton's flow adds).
 *
 * Memory: objects are allocated when they are made; sends and received
 * deliveries reuse per-link pools, so a steady stream allocates nothing
 * once the pools have grown to the number of messages in flight.
 */
#ifndef FAMQP_ASYNC_H
#define FAMQP_ASYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/cbs.h"
#include "famqp/engine.h"
#include "famqp/io.h"
#include "famqp/loop.h"
#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Results of the asynchronous client's calls and callbacks. */
typedef enum famqp_async_status {
    FAMQP_ASYNC_OK = 0,       /**< done (a callback: the outcome is valid) */
    FAMQP_ASYNC_ERR_ARG,      /**< invalid argument or URL (nothing was done) */
    FAMQP_ASYNC_ERR_NOMEM,    /**< an allocation failed; nothing changed */
    FAMQP_ASYNC_ERR_FULL,     /**< the sender holds its limit of pending messages or bytes: retry later */
    FAMQP_ASYNC_ERR_STATE,    /**< not possible now (closing, closed, link refused) */
    FAMQP_ASYNC_ERR_CLOSED,   /**< a callback: the link or connection closed before the outcome
                                   arrived (the message may or may not have reached the peer) */
    FAMQP_ASYNC_ERR_REFUSED,  /**< a callback: the peer detached the link (see
                                   famqp_async_sender_condition) before the outcome arrived */
    FAMQP_ASYNC_ERR_LOST,     /**< famqp_async_accept etc.: the connection the delivery came on
                                   was lost; the peer delivers the message again.  A request's
                                   callback: the connection was lost after the request went out,
                                   so its response cannot come (repeat it if that is safe) */
    FAMQP_ASYNC_ERR_TIMEOUT   /**< a request's callback: no response within its timeout */
} famqp_async_status;

/** A short name of a status, e.g. "FAMQP_ASYNC_ERR_FULL". */
FAMQP_API const char *famqp_async_status_name(famqp_async_status s);

/** One connection (with one session) on a loop, reconnecting by its policy. */
typedef struct famqp_async_conn famqp_async_conn;
/** A sending link of a famqp_async_conn. */
typedef struct famqp_async_sender famqp_async_sender;
/** A receiving link of a famqp_async_conn. */
typedef struct famqp_async_receiver famqp_async_receiver;
/** A received message, handed to the receiver's on_message. */
typedef struct famqp_async_delivery famqp_async_delivery;

/* ---- connection events -------------------------------------------------- */

/** What a connection event reports. */
typedef enum famqp_async_event_type {
    FAMQP_ASYNC_OPENED = 1,   /**< the connection and its session are open (once) */
    FAMQP_ASYNC_RECONNECTING, /**< the connection was lost (reason in message); an attempt to
                                   url_index starts after the backoff; sent before every attempt */
    FAMQP_ASYNC_RECONNECTED,  /**< open again on url_index; links are being reattached and
                                   unsettled sends are sent again */
    FAMQP_ASYNC_CLOSED        /**< for good: closed by famqp_async_close (condition ""), or
                                   failed: the first connect failed, the peer closed it, or
                                   reconnecting gave up (condition, description, message) */
} famqp_async_event_type;

/** A connection event; the strings are valid during the callback only. */
typedef struct famqp_async_event {
    famqp_async_event_type type; /**< what happened */
    /** The URL concerned: 0 the URL given to famqp_async_connect, i > 0
     *  failover_urls[i - 1]; for RECONNECTING the one about to be tried. */
    size_t url_index;
    /** The URL as "amqp[s]://[user@]host:port" (no password, no path). */
    const char *url;
    uint32_t attempt;        /**< RECONNECTING, RECONNECTED: attempts of this reconnect so far */
    const char *condition;   /**< the AMQP condition of the failure ("" when none) */
    const char *description; /**< its description ("" when none) */
    const char *message;     /**< one readable line ("" when nothing failed) */
} famqp_async_event;

/** A connection's event callback (famqp_async_options.on_event). */
typedef void famqp_async_event_fn(famqp_async_conn *conn, const famqp_async_event *event, void *arg);

/* ---- options ---------------------------------------------------------- */

/** Most URLs in famqp_async_options.failover_urls. */
#define FAMQP_ASYNC_MAX_FAILOVER_URLS 16

/** famqp_async_options.sasl_mechanisms: no SASL layer (bare AMQP). */
#define FAMQP_ASYNC_NO_SASL 0x80000000u

/** Reconnect policy (off by default), as the blocking client's
 *  famqp_reconnect_policy (client.h), on timers: when an established
 *  connection is lost (socket error or EOF, the peer closing the
 *  connection), the connection waits the backoff, connects to the next URL
 *  of the list (position 0 is the URL given to famqp_async_connect, then
 *  failover_urls; wrapping), opens its session again, reattaches every
 *  sender and receiver under its link name and sends again, in order,
 *  every message the peer had not settled (at-least-once).  The backoff
 *  starts at initial_backoff_ms and doubles, up to max_backoff_ms, after
 *  each round over the list that found no URL working.  A failed first
 *  connect is not retried (FAMQP_ASYNC_CLOSED).  Authentication failures
 *  never reconnect. */
typedef struct famqp_async_reconnect {
    uint32_t max_attempts;       /**< 0: never reconnect (default) */
    uint32_t initial_backoff_ms; /**< default 100 */
    uint32_t max_backoff_ms;     /**< default 5000 */
    /** Further URLs (amqp[s]://[user:pass@]host[:port]), copied by
     *  famqp_async_connect; at most FAMQP_ASYNC_MAX_FAILOVER_URLS; needs
     *  max_attempts > 0.  A URL naming a user brings its own credentials,
     *  one naming none uses the first URL's. */
    const char *const *failover_urls;
    size_t failover_url_count; /**< entries in failover_urls */
} famqp_async_reconnect;

/** What a CBS event reports (famqp_async_options.on_cbs_event). */
typedef enum famqp_async_cbs_event_type {
    FAMQP_ASYNC_CBS_PUT = 1, /**< the `$cbs` node accepted a token (status 200 or 202): a first put,
                                  a refresh, or a put again after a reconnect */
    FAMQP_ASYNC_CBS_REFUSED  /**< a put-token failed: the node answered another status, the
                                  provider gave no token, or no answer came within
                                  put_timeout_ms.  A first put (or one after a reconnect): the
                                  links waiting for it are not attached (their sends end with
                                  FAMQP_ASYNC_ERR_REFUSED); a refresh: retried a second later,
                                  the links stay while the old token holds */
} famqp_async_cbs_event_type;

/** A CBS event; the strings are valid during the callback only. */
typedef struct famqp_async_cbs_event {
    famqp_async_cbs_event_type type; /**< what happened */
    const char *audience;            /**< the token's audience */
    bool refresh;                    /**< a refresh of a token put on this connection */
    int32_t status_code;             /**< the node's status; -1 when it did not answer */
    /** The node's status description, or why there was no answer (the
     *  provider's error, "no response within N ms"). */
    const char *description;
    uint64_t expiry_epoch_s; /**< PUT: when the token expires (seconds since 1970 UTC) */
} famqp_async_cbs_event;

/** A connection's CBS callback (famqp_async_options.on_cbs_event). */
typedef void famqp_async_cbs_fn(famqp_async_conn *conn, const famqp_async_cbs_event *event, void *arg);

/* Claims-based security on the asynchronous client (famqp_async_options.cbs,
 *  a famqp_cbs_options from famqp/cbs.h; docs/async-client.md), as the
 *  blocking client's but on timers.  Off unless a provider, a SAS key or a
 *  fixed SAS token is set.  When on, the
 *  connection opens a requester to `$cbs` (its links attach at once), and
 *  a sender or receiver to address A (a requester's links too) is attached
 *  only once a token for its audience, audience_prefix + A, was put on the
 *  current connection: the first link to an audience starts the put, and
 *  every link to it attaches when the node accepts (FAMQP_ASYNC_CBS_PUT).
 *  A refused put (FAMQP_ASYNC_CBS_REFUSED) leaves the links waiting for it
 *  unattached and refused.
 *
 *  <b>Refresh.</b>  A timer puts a new token for each audience
 *  refresh_margin_s before its token expires (or halfway through the
 *  token's life when that is sooner); a fixed sas_token is never
 *  refreshed.
 *
 *  <b>Reconnect.</b>  After every reconnect each audience's token is put
 *  again (fresh from the provider) before its links reattach.
 *
 *  <b>SASL.</b>  With no user in the URL or options the connection uses
 *  SASL ANONYMOUS; sasl_mechanisms FAMQP_SASL_MSSBCBS for the Microsoft
 *  mechanism. */
/** A connection's settings; famqp_async_options_init sets the defaults. */
typedef struct famqp_async_options {
    const char *container_id; /**< NULL: "famqp-async-<pid>-<n>" */
    const char *user;         /**< overrides the URL's user (SASL PLAIN) */
    const char *password;     /**< overrides the URL's password */
    /** One FAMQP_SASL_*; 0: PLAIN with a user, else ANONYMOUS;
     *  FAMQP_ASYNC_NO_SASL: bare AMQP. */
    unsigned sasl_mechanisms;
    /** SASL PLAIN over amqp:// (no TLS) sends the password in clear text:
     *  refused (ERR_ARG) unless this is set. */
    bool allow_plain_insecure;
    int connect_timeout_ms;   /**< TCP + TLS + AMQP open, and a close's wait; default (and 0) 10000; -1: no limit */
    uint32_t idle_timeout_ms; /**< 0: none (default) */
    uint32_t max_frame_size;  /**< 0: engine default */
    famqp_io_options io;      /**< TLS: CA file, server name, client certificate, insecure */
    int trace;                /**< -1: FAMQP_TRACE (default), 0 off, 1 on */
    /** Sent in every open (copied by famqp_async_connect): a symbol-keyed
     *  map, e.g. from famqp_fields_builder; count 0: none. */
    famqp_map properties;
    famqp_symbols offered_capabilities; /**< sent in every open (copied); count 0: none */
    famqp_symbols desired_capabilities; /**< sent in every open (copied); count 0: none */
    famqp_async_reconnect reconnect; /**< off by default */
    famqp_async_event_fn *on_event;  /**< connection events; NULL: none */
    void *on_event_arg;              /**< passed to on_event */
    /** Claims-based security (famqp/cbs.h), as the comment above
     *  famqp_async_options says; off by default. */
    famqp_cbs_options cbs;
    famqp_async_cbs_fn *on_cbs_event; /**< every put-token's result (famqp_async_cbs_event); NULL: none */
    void *on_cbs_event_arg;           /**< passed to on_cbs_event */
} famqp_async_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_async_options_init(famqp_async_options *o);

/* ---- connection ---------------------------------------------------------- */

/** Starts connecting to url on loop and returns at once: the connect
 *  (famqp_io_connect_start, resolving the host name), TLS, SASL and the
 *  AMQP open run from the loop; FAMQP_ASYNC_OPENED or FAMQP_ASYNC_CLOSED
 *  (refused, unresolvable, authentication failed, timeout) reports how it
 *  went.  opts NULL: defaults.  The URL and every failover URL are checked
 *  here.  @return FAMQP_ASYNC_OK with *out set; ERR_ARG (bad URL or
 *  options: famqp_async_options_check says why) or ERR_NOMEM with *out
 *  NULL. */
FAMQP_API famqp_async_status famqp_async_connect(famqp_loop *loop, const char *url, const famqp_async_options *opts,
                                                 famqp_async_conn **out);

/** Checks url and opts (NULL: defaults) as famqp_async_connect does,
 *  without connecting, and says why they are refused in why[0..cap)
 *  (NUL-terminated, "" when they are fine; why may be NULL with cap 0),
 *  e.g. "the URL: refusing SASL PLAIN over unencrypted amqp://: ...".
 *  Any thread (it touches no loop).  @return FAMQP_ASYNC_OK, ERR_ARG or
 *  ERR_NOMEM. */
FAMQP_API famqp_async_status famqp_async_options_check(const char *url, const famqp_async_options *opts, char *why,
                                                       size_t cap);

/** Called once a close has finished; conn is freed when it returns. */
typedef void famqp_async_closed_fn(famqp_async_conn *conn, void *arg);

/** Closes gracefully and frees conn with its senders and receivers: sends
 *  still waiting for an outcome get their callback (FAMQP_ASYNC_ERR_CLOSED)
 *  before this returns, deliveries not yet settled are released, links are
 *  detached and the connection is closed; on_closed (may be NULL) runs
 *  from the loop once the peer answered (or connect_timeout_ms passed, or
 *  at once when the connection was not up), after the CLOSED event.  Also
 *  frees a connection that failed for good.  NULL is ignored; a second
 *  call does nothing.  Close every connection (and let on_closed run)
 *  before famqp_loop_free: freeing the loop closes the sockets but cannot
 *  free the connection objects. */
FAMQP_API void famqp_async_close(famqp_async_conn *conn, famqp_async_closed_fn *on_closed, void *arg);

/** True while the connection is open (between OPENED or RECONNECTED and
 *  the next loss). */
FAMQP_API bool famqp_async_is_open(const famqp_async_conn *conn);
/** Where the connection is (or is trying) in the list of URLs: 0 the URL
 *  given to famqp_async_connect, i > 0 failover_urls[i - 1]. */
FAMQP_API size_t famqp_async_url_index(const famqp_async_conn *conn);
/** Successful reconnects so far. */
FAMQP_API uint64_t famqp_async_reconnects(const famqp_async_conn *conn);
/** The loop the connection runs on. */
FAMQP_API famqp_loop *famqp_async_loop(const famqp_async_conn *conn);
/** Put-tokens the `$cbs` node accepted so far on this connection object
 *  (first puts, refreshes, puts after reconnects); 0 without CBS. */
FAMQP_API uint64_t famqp_async_cbs_puts(const famqp_async_conn *conn);
/** The current engine connection (for its famqp_connection_remote_*
 *  accessors); NULL while there is none (reconnecting, closed).  A
 *  reconnect replaces it. */
FAMQP_API famqp_connection *famqp_async_connection(const famqp_async_conn *conn);

/* ---- senders ------------------------------------------------------------- */

/** A send's result, once: status FAMQP_ASYNC_OK with the peer's outcome
 *  (kind ACCEPTED, REJECTED with its condition, RELEASED, MODIFIED; NONE
 *  for a pre-settled send, reported once it was handed to the
 *  connection), or ERR_CLOSED / ERR_REFUSED with outcome NULL.  The
 *  outcome's strings are valid during the call. */
typedef void famqp_async_outcome_fn(famqp_async_sender *sender, famqp_async_status status,
                                    const famqp_outcome *outcome, void *arg);

/** A sender's settings; famqp_async_sender_options_init sets the defaults. */
typedef struct famqp_async_sender_options {
    /** true: send pre-settled (at-most-once; no outcome, nothing resent). */
    bool presettled;
    /** Most sends held (waiting for credit or for their outcome); more
     *  return FAMQP_ASYNC_ERR_FULL.  Default 10000; -1: no limit. */
    int64_t max_pending_messages;
    /** Most bytes of encoded messages held, as max_pending_messages.
     *  Default 16 MiB; -1: no limit. */
    int64_t max_pending_bytes;
    const char *name; /**< link name; NULL: generated */
    /** Terminus and attach options (engine.h; famqp_link_options_init,
     *  then set what you need): the target's durable, expiry_policy,
     *  timeout and capabilities, source_capabilities, the attach's
     *  properties and offered/desired capabilities, rcv_settle_mode.
     *  Copied by famqp_async_sender_open and used again on every reattach.
     *  The target address is the one given to famqp_async_sender_open, and
     *  snd_settle_mode follows presettled.  NULL: none. */
    const famqp_link_options *link;
} famqp_async_sender_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_async_sender_options_init(famqp_async_sender_options *o);

/** Makes a sender to address (copied); it attaches as soon as the
 *  connection is open.  opts NULL: defaults.  @return FAMQP_ASYNC_OK with
 *  *out set, ERR_ARG (address NULL, link options famqp_link_options_check
 *  refuses), ERR_NOMEM or ERR_STATE (conn closing or closed),
 *  *out NULL then. */
FAMQP_API famqp_async_status famqp_async_sender_open(famqp_async_conn *conn, const char *address,
                                                     const famqp_async_sender_options *opts,
                                                     famqp_async_sender **out);

/** Queues one message (encoded and copied before this returns) and sends
 *  it as soon as there is credit; on_outcome (may be NULL) is called once
 *  with the result.  @return FAMQP_ASYNC_OK (on_outcome will be called),
 *  ERR_FULL (the pending limits are reached: nothing queued), ERR_ARG,
 *  ERR_NOMEM or ERR_STATE (sender closed or refused): on_outcome will not
 *  be called. */
FAMQP_API famqp_async_status famqp_async_send(famqp_async_sender *sender, const famqp_message *m,
                                              famqp_async_outcome_fn *on_outcome, void *arg);
/** famqp_async_send of an already encoded message (its sections' bytes,
 *  copied). */
FAMQP_API famqp_async_status famqp_async_send_bytes(famqp_async_sender *sender, const void *bytes, size_t len,
                                                    famqp_async_outcome_fn *on_outcome, void *arg);

/** Sends held now: waiting for credit or for their outcome. */
FAMQP_API size_t famqp_async_sender_pending(const famqp_async_sender *sender);
/** Bytes of the sends held now. */
FAMQP_API size_t famqp_async_sender_pending_bytes(const famqp_async_sender *sender);
/** Messages sent again after a reconnect. */
FAMQP_API uint64_t famqp_async_sender_resent(const famqp_async_sender *sender);
/** The error of the peer's detach ("" when none). */
FAMQP_API const char *famqp_async_sender_condition(const famqp_async_sender *sender);
/** The sender's engine link on the current connection (for the
 *  famqp_link_remote_* accessors: the peer's properties, capabilities,
 *  terminus); NULL while there is none (not attached yet, reconnecting,
 *  closed).  A reconnect replaces it. */
FAMQP_API famqp_link *famqp_async_sender_link(const famqp_async_sender *sender);

/** Detaches and frees the sender: sends still held get their callback
 *  (FAMQP_ASYNC_ERR_CLOSED) before this returns.  NULL is ignored. */
FAMQP_API void famqp_async_sender_close(famqp_async_sender *sender);

/* ---- receivers ------------------------------------------------------------ */

/** A message arrived.  With auto_accept it is accepted when the callback
 *  returns (unless the callback settled it); without, the application
 *  settles it later with famqp_async_accept / _release / _reject, and the
 *  delivery stays valid until then. */
typedef void famqp_async_message_fn(famqp_async_receiver *receiver, famqp_async_delivery *delivery, void *arg);

/** A receiver's settings; famqp_async_receiver_options_init sets the
 *  defaults. */
typedef struct famqp_async_receiver_options {
    /** Credit kept available automatically (granted again as messages
     *  arrive); default 100; 0: manual, famqp_async_receiver_set_credit. */
    uint32_t credit_window;
    bool auto_accept;  /**< accept each message after on_message (default true) */
    const char *name;  /**< link name; NULL: generated */
    /** Terminus and attach options (engine.h; famqp_link_options_init,
     *  then set what you need): the source's durable, dynamic,
     *  source_filter (selectors, session filters: famqp_filter_set_builder),
     *  expiry_policy, timeout, dynamic_node_properties and capabilities;
     *  target_address (e.g. a reply-to address), target_capabilities; the
     *  attach's properties and offered/desired capabilities; settle modes.
     *  Copied by famqp_async_receiver_open and used again on every
     *  reattach (a dynamic node is asked for again: its address may
     *  change).  The source address is the one given to
     *  famqp_async_receiver_open (NULL with dynamic), and credit_window is
     *  the one above.  NULL: none. */
    const famqp_link_options *link;
} famqp_async_receiver_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_async_receiver_options_init(famqp_async_receiver_options *o);

/** Makes a receiver from address (copied) calling on_message(receiver,
 *  delivery, arg) for each message; it attaches as soon as the connection
 *  is open.  opts NULL: defaults.  address may be NULL when opts->link
 *  asks for a dynamic node.  @return FAMQP_ASYNC_OK with *out set,
 *  ERR_ARG (on_message NULL, address NULL without dynamic, link options
 *  famqp_link_options_check refuses), ERR_NOMEM or ERR_STATE; *out NULL
 *  then. */
FAMQP_API famqp_async_status famqp_async_receiver_open(famqp_async_conn *conn, const char *address,
                                                       const famqp_async_receiver_options *opts,
                                                       famqp_async_message_fn *on_message, void *arg,
                                                       famqp_async_receiver **out);

/** Manual credit (credit_window 0): link-credit becomes `credit`; it does
 *  not add (to add n, pass what is left + n).  Kept across reconnects
 *  (less what arrived).  @return OK, or ERR_STATE for a receiver with a
 *  credit window. */
FAMQP_API famqp_async_status famqp_async_receiver_set_credit(famqp_async_receiver *receiver, uint32_t credit);
/** Messages received so far. */
FAMQP_API uint64_t famqp_async_receiver_received(const famqp_async_receiver *receiver);
/** As famqp_async_sender_link, for a receiver. */
FAMQP_API famqp_link *famqp_async_receiver_link(const famqp_async_receiver *receiver);
/** The receiver's source address: the one given to
 *  famqp_async_receiver_open, or for a dynamic node the address the peer
 *  gave it on the current connection (NULL until the peer's attach
 *  arrived, and while reconnecting). */
FAMQP_API const char *famqp_async_receiver_address(const famqp_async_receiver *receiver);

/** Detaches and frees the receiver; deliveries it handed out and not yet
 *  settled are released (and must not be used).  NULL is ignored. */
FAMQP_API void famqp_async_receiver_close(famqp_async_receiver *receiver);

/** The message's bytes (its encoded sections), valid until settled. */
FAMQP_API famqp_binary famqp_async_delivery_bytes(const famqp_async_delivery *d);
/** Decodes the message into *m (views into the delivery, valid until it is
 *  settled); on failure *m is reset and err (may be NULL) says why. */
FAMQP_API famqp_status famqp_async_delivery_read(const famqp_async_delivery *d, famqp_message *m, famqp_error *err);
/** The receiver the delivery arrived on. */
FAMQP_API famqp_async_receiver *famqp_async_delivery_receiver(const famqp_async_delivery *d);

/** Accepts and settles the delivery (d is finished with: not to be used
 *  again).  @return OK, or ERR_LOST when the connection it came on was
 *  lost meanwhile (the peer delivers it again). */
FAMQP_API famqp_async_status famqp_async_accept(famqp_async_delivery *d);
/** Releases and settles the delivery (the peer may deliver it again), as
 *  famqp_async_accept. */
FAMQP_API famqp_async_status famqp_async_release(famqp_async_delivery *d);
/** Rejects and settles the delivery with condition (e.g.
 *  "amqp:decode-error") and an optional description, as
 *  famqp_async_accept. */
FAMQP_API famqp_async_status famqp_async_reject(famqp_async_delivery *d, const char *condition,
                                                const char *description);

/* ---- requesters (request/response) ---------------------------------------- */

/** A sender/receiver pair to a node (e.g. "$management") carrying requests
 *  and their responses: the AMQP management pattern on the asynchronous
 *  client (the blocking client's is famqp/request.h; the message side is
 *  famqp/management.h).  Each request leaves with a fresh ulong
 *  message-id and the requester's reply-to address; the node answers with
 *  correlation-id = that id on the receiver, whose target is the reply-to.
 *  Many requests may be in flight; each has a timeout (a loop timer) and
 *  gets exactly one callback.
 *
 *  The links attach as soon as the connection is open and again after
 *  every reconnect.  Requests made while the connection is down wait in
 *  the sender and go out after the reattach.  A request that had gone
 *  out when the connection was lost ends with FAMQP_ASYNC_ERR_LOST: its
 *  response went with the old connection (the requester does not send it
 *  again; repeat it if that is safe). */
typedef struct famqp_async_requester famqp_async_requester;

/** A response as its callback sees it; valid during the callback only. */
typedef struct famqp_async_response {
    uint64_t id;                     /**< the request's id (famqp_async_request's *id) */
    /** The response message, views into the received delivery (accepted
     *  when the callback returns); NULL unless the status is OK. */
    const famqp_message *message;
    /** "status-code" or "statusCode" (famqp_management_status); -1 when
     *  the response has neither, or when there is no response. */
    int32_t status_code;
    /** "status-description" or "statusDescription"; len 0 when absent. */
    famqp_string status_description;
} famqp_async_response;

/** A request's result, once, on the loop's thread.  status: FAMQP_ASYNC_OK
 *  (response->message is the response; any status_code, also 4xx/5xx, is
 *  the node's answer), ERR_TIMEOUT (no response within the timeout; a
 *  later one is counted by famqp_async_requester_unmatched), ERR_LOST (the
 *  connection was lost with the request out), ERR_REFUSED (the node
 *  refused the request link, or rejected or released the request), or
 *  ERR_CLOSED (the requester or its connection closed first).  response is
 *  never NULL (its id is always set).  The callback may make requests and
 *  close the requester. */
typedef void famqp_async_response_fn(famqp_async_requester *requester, famqp_async_status status,
                                     const famqp_async_response *response, void *arg);

/** Most requests one requester may have in flight
 *  (famqp_async_requester_options.max_in_flight). */
#define FAMQP_ASYNC_MAX_IN_FLIGHT 65536

/** A requester's settings; famqp_async_requester_options_init sets the
 *  defaults. */
typedef struct famqp_async_requester_options {
    /** The address responses are sent to (the receiver's target and link
     *  name, the requests' reply-to); NULL: a fresh "famqp-reply-" and 16
     *  random hex digits. */
    const char *reply_to;
    /** Requests in flight at most, 1 to FAMQP_ASYNC_MAX_IN_FLIGHT; default
     *  64.  The receiver's credit window is twice this (credit is topped
     *  up when half is used), so no response waits for credit. */
    uint32_t max_in_flight;
    /** A request's timeout when famqp_async_request is given 0: default
     *  (and 0) 10000 ms; -1: none. */
    int timeout_ms;
} famqp_async_requester_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_async_requester_options_init(famqp_async_requester_options *o);

/** Makes a requester to node on conn: a sender to node and a receiver
 *  from it, attached as soon as the connection is open.  opts NULL:
 *  defaults.  @return FAMQP_ASYNC_OK with *out set; ERR_ARG (no node,
 *  max_in_flight out of range), ERR_NOMEM, ERR_STATE (conn closing or
 *  closed), *out NULL then. */
FAMQP_API famqp_async_status famqp_async_requester_open(famqp_async_conn *conn, const char *node,
                                                        const famqp_async_requester_options *opts,
                                                        famqp_async_requester **out);

/** Sends a request: a copy of *request (encoded before this returns) with
 *  message-id a fresh ulong (written to *id, may be NULL) and reply-to the
 *  requester's (any the application set are replaced).  fn (may be NULL)
 *  is called once with the result, never from inside this call.
 *  timeout_ms: from now until the response, 0 the requester's default,
 *  -1 none.  @return FAMQP_ASYNC_OK (fn will be called); ERR_FULL
 *  (max_in_flight requests in flight, or the sender's limits); ERR_ARG;
 *  ERR_NOMEM; ERR_STATE (requester or connection closed, a link refused):
 *  fn will not be called. */
FAMQP_API famqp_async_status famqp_async_request(famqp_async_requester *requester, const famqp_message *request,
                                                 int timeout_ms, famqp_async_response_fn *fn, void *arg,
                                                 uint64_t *id);

/** Requests in flight (sent or waiting to be, no callback yet). */
FAMQP_API size_t famqp_async_requester_in_flight(const famqp_async_requester *requester);
/** Responses that matched no request in flight (one that timed out or
 *  was lost, or an id never used); each was accepted and dropped. */
FAMQP_API uint64_t famqp_async_requester_unmatched(const famqp_async_requester *requester);
/** The reply-to address the requester's requests carry. */
FAMQP_API const char *famqp_async_requester_reply_to(const famqp_async_requester *requester);

/** Detaches both links and frees the requester; requests in flight get
 *  their callback (FAMQP_ASYNC_ERR_CLOSED) before this returns.
 *  famqp_async_close closes the connection's requesters the same way.
 *  NULL is ignored. */
FAMQP_API void famqp_async_requester_close(famqp_async_requester *requester);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_ASYNC_H */
