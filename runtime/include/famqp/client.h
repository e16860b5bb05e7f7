/** @file famqp/client.h
 * @brief flatamqp: a blocking AMQP 1.0 client over the engine (engine.h) and the
 * socket driver (io.h).
 *
 *     famqp_client *c;  famqp_client_error err;
 *     if (famqp_client_connect("amqp://127.0.0.1:5672", NULL, &c, &err) != FAMQP_CLIENT_OK)
 *         die(err.message);
 *     famqp_sender *s;
 *     famqp_sender_open(c, "queue", NULL, &s);
 *     famqp_message m;  famqp_message_init(&m);  famqp_message_set_data(&m, "hi", 2);
 *     famqp_outcome o;
 *     famqp_send(s, &m, 5000, &o);              // blocks until accepted/rejected/...
 *     famqp_client_close(c, 5000);              // frees c, s and every handle
 *
 * Every call that waits takes a timeout in milliseconds (-1: no limit) and
 * returns a famqp_client_status.  When a call fails, famqp_client_last_error
 * holds the reason: the AMQP condition and description sent by the peer
 * (attach refused, detach/end/close with an error, rejected message) or a
 * local one (connection refused, authentication failed, timeout).
 *
 * One client is one connection with one session.  The engine's
 * FAMQP_TRACE=1 prints every frame.
 *
 * Threads: every object belongs to one thread at a time.  A client, its
 * senders and receivers and the deliveries they hand out are one unit,
 * used from the thread that uses the client (nothing is locked, and no
 * background thread does I/O); separate clients share nothing and may
 * run on separate threads.  The one exception is famqp_client_interrupt,
 * which any thread (or a signal handler) may call to make the client's
 * thread stop waiting.
  *
 * Conventions (docs/api-conventions.md): calls return
 * famqp_client_status, FAMQP_CLIENT_OK or `FAMQP_CLIENT_ERR_<WHAT>`, the
 * reason in famqp_client_last_error; out of memory is ERR_NOMEM, never
 * ERR_ARG.  *out is NULL whenever an open, connect or receive fails (a
 * failed open leaves nothing to close).  Timeouts: -1 no limit, 0 do not
 * wait, > 0 milliseconds, everywhere (including a pre-settled send's wait
 * for the socket); in options structs 0 means the default.
 * famqp_receiver_set_credit SETS the credit (Proton's flow adds).
 */
#ifndef FAMQP_CLIENT_H
#define FAMQP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/cbs.h"
#include "famqp/engine.h"
#include "famqp/io.h"
#include "famqp/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a client call. */
typedef enum famqp_client_status {
    FAMQP_CLIENT_OK = 0,         /**< done */
    FAMQP_CLIENT_ERR_ARG,        /**< invalid argument or URL */
    FAMQP_CLIENT_ERR_CONNECT,    /**< TCP/TLS connection failed (refused, unreachable, TLS) */
    FAMQP_CLIENT_ERR_AUTH,       /**< SASL authentication failed */
    FAMQP_CLIENT_ERR_TIMEOUT,    /**< the timeout passed first */
    FAMQP_CLIENT_ERR_REFUSED,    /**< the peer refused or detached the link (condition says why) */
    FAMQP_CLIENT_ERR_CONNECTION, /**< the connection or session closed or failed */
    FAMQP_CLIENT_ERR_STATE,      /**< not possible now (e.g. link already closed) */
    FAMQP_CLIENT_ERR_NOMEM,      /**< out of memory */
    FAMQP_CLIENT_ERR_CREDIT,     /**< receiver: no credit and none will come (manual credit) */
    FAMQP_CLIENT_ERR_INTERRUPTED /**< famqp_client_interrupt ended the wait */
} famqp_client_status;

/** Short name of a client status. */
FAMQP_API const char *famqp_client_status_name(famqp_client_status s);

/** The reason for the last failure. */
typedef struct famqp_client_error {
    famqp_client_status status; /**< the failed call's status */
    char condition[128];   /**< AMQP condition ("amqp:not-found"), "" when none */
    char description[512]; /**< the peer's description, "" when none */
    char message[1024];    /**< one readable line saying all of it */
} famqp_client_error;

/** A connection with one session. */
typedef struct famqp_client famqp_client;
/** A sending link of a client. */
typedef struct famqp_sender famqp_sender;
/** A receiving link of a client. */
typedef struct famqp_receiver famqp_receiver;

/* ---- connection -------------------------------------------------------- */

/** Most URLs in famqp_reconnect_policy.failover_urls. */
#define FAMQP_CLIENT_MAX_FAILOVER_URLS 16
/** Longest URL in famqp_reconnect_policy.failover_urls, in bytes. */
#define FAMQP_CLIENT_MAX_URL_BYTES 2048

/** What famqp_reconnect_policy.on_reconnect is told.  Every string is
 *  valid only during the call.  URLs are shown without their password
 *  ("amqp://user@host:port", the path left out), as famqp_client_url. */
typedef struct famqp_reconnect_info {
    /** true: connected again (to new_url, every link reattached; what the
     *  peer had not settled is sent again as the call goes on); false: reconnecting failed for good (attempts
     *  ran out or the credentials were refused): the client has failed and
     *  the waiting call returns ERR_CONNECTION. */
    bool reconnected;
    const char *old_url;  /**< the URL whose connection was lost */
    const char *new_url;  /**< the URL connected to now; "" when !reconnected */
    /** Positions in the list: 0 is the URL given to famqp_client_connect,
     *  i > 0 is failover_urls[i - 1]. */
    size_t old_index;
    size_t new_index; /**< as old_index; unchanged (old_index) when !reconnected */
    const char *reason;    /**< why the connection was lost: one readable line */
    const char *condition; /**< its AMQP condition ("amqp:connection:forced"), "" when none */
    uint32_t attempts;     /**< connection attempts this reconnect made */
    uint64_t reconnects;   /**< successful reconnects so far, this one included */
} famqp_reconnect_info;

/** Called by the client on every reconnect (famqp_reconnect_policy). */
typedef void (*famqp_reconnect_handler)(void *context, const famqp_reconnect_info *info);

/** Reconnect policy (off by default).  When an established connection is
 * lost (socket error or EOF, or the peer closing the connection or ending
 * the session), the client waits initial_backoff_ms, connects again with
 * the same options, re-opens the session, reattaches every open sender
 * and receiver under its link name and resends, in order, every delivery
 * the peer had not settled (at-least-once: the peer may see some twice,
 * none is lost).  Reconnecting happens inside whichever call is waiting
 * (send, receive, wait_all, pump) and may take longer than that call's
 * timeout.  Received deliveries the application still holds stay valid
 * until settled; settling them after a reconnect has no effect on the
 * peer (it delivers them again) but lets the client free the lost
 * connection (famqp_client_retired).  Authentication failures never
 * reconnect.
 *
 * <b>Failover.</b>  The URLs the client may use are a list: position 0 is
 * the URL given to famqp_client_connect, then failover_urls in order.
 * Each attempt goes to the next URL of the list after the one whose
 * connection was lost (wrapping after the last), so a lost connection is
 * first replaced on another node, and with one URL every attempt goes to
 * it.  max_attempts counts attempts, whatever URL each went to.  The wait
 * before every attempt is the backoff, which starts at initial_backoff_ms
 * and doubles (up to max_backoff_ms) after each full round over the list
 * that found no URL working: a dead node costs one initial backoff, a
 * dead cluster is retried ever more slowly.  The first connect uses the
 * first URL only.
 *
 * Each URL is checked when famqp_client_connect is called (parsed with
 * famqp_url_parse, bounded in count and length, SASL PLAIN over amqp://
 * refused as for the first URL), so a bad one fails the connect with
 * ERR_ARG naming it, not a later failover.  The client copies them: the
 * caller's strings may be freed once the connect returned.  Each URL
 * brings its own scheme (amqps:// is TLS with the io options' CA and
 * client certificate; tls_server_name, when set, applies to every URL,
 * else each URL's host is verified) and its own credentials: a failover
 * URL naming a user authenticates with its user and password; one naming
 * none uses the first URL's credentials (the options' user and password
 * when set, else the first URL's).  The AMQP open's hostname is each
 * URL's host.
 *
 * The application sees where it is with famqp_client_url (and
 * famqp_client_url_index), counts reconnects with famqp_client_reconnects,
 * and hears of each one through on_reconnect. */
typedef struct famqp_reconnect_policy {
    uint32_t max_attempts;       /**< 0: never reconnect (default) */
    uint32_t initial_backoff_ms; /**< default 100 */
    uint32_t max_backoff_ms;     /**< default 5000 */
    /** Further URLs to fail over to (amqp[s]://[user:pass@]host[:port]);
     *  NULL or count 0: none.  At most FAMQP_CLIENT_MAX_FAILOVER_URLS, each
     *  at most FAMQP_CLIENT_MAX_URL_BYTES; needs max_attempts > 0. */
    const char *const *failover_urls;
    size_t failover_url_count; /**< entries in failover_urls */
    /** Called on the client's thread, from inside the call that
     *  reconnected, after every successful reconnect and once when
     *  reconnecting finally fails; NULL: not called.  It may read the
     *  client (famqp_client_url, famqp_client_reconnects,
     *  famqp_client_last_error, ...) but must not call anything that does
     *  I/O, opens, closes or sends. */
    famqp_reconnect_handler on_reconnect;
    void *on_reconnect_context; /**< passed to on_reconnect */
} famqp_reconnect_policy;

typedef struct famqp_client_options famqp_client_options;

/* The CBS options, token, provider callback and token types are in
 * famqp/cbs.h (famqp_cbs_options, famqp_cbs_token, famqp_cbs_token_provider,
 * FAMQP_CBS_TYPE_*). */

/* Claims-based security on the blocking client (famqp_client_options.cbs,
 * a famqp_cbs_options from famqp/cbs.h; docs/azure.md).  Off unless a provider, a SAS key or a fixed
 * SAS token is set.  When on, the client attaches a requester to `$cbs`
 * (famqp/request.h) once the connection is open, and before it attaches a
 * sender or receiver to address A it puts a token for A's audience,
 * audience_prefix + A (Azure's SDKs: "sb://HOST/" + the entity path, for
 * senders and receivers alike, e.g. "sb://ns.servicebus.windows.net/hub/
 * ConsumerGroups/$default/Partitions/0").  A put-token answered with a
 * status other than 200 or 202 fails the open with FAMQP_CLIENT_ERR_AUTH,
 * the status description in the error.  One token per audience, reused by
 * later links to it.
 *
 * <b>Refresh.</b>  The blocking client has no timer thread: every call
 * that waits for the peer (famqp_send, famqp_receive with a timeout,
 * famqp_client_pump, opens, closes, famqp_client_wait_all, ...) first puts
 * a new token for each audience whose token expires within
 * refresh_margin_s.  An application that makes no call for longer than
 * that lets its tokens expire: call famqp_client_pump now and then.
 *
 * <b>Reconnect.</b>  After every reconnect the client reattaches the
 * `$cbs` links first, puts every audience's token again (fresh from the
 * provider), then reattaches the other links.
 *
 * <b>SASL.</b>  With CBS the client uses SASL ANONYMOUS unless
 * famqp_client_options.sasl_mechanisms says otherwise (FAMQP_SASL_MSSBCBS
 * for the Microsoft mechanism). */

/** Turns on CBS with the built-in SAS provider: sets o->cbs's key name,
 *  key and token lifetime (0: 3600 s).  The strings must live until
 *  famqp_client_connect returns (the client copies them).
 *
 *      famqp_client_options_init(&o);
 *      famqp_cbs_use_sas(&o, "RootManageSharedAccessKey", key, 0); */
FAMQP_API void famqp_cbs_use_sas(famqp_client_options *o, const char *key_name, const char *key,
                                 uint32_t lifetime_s);

/** A client's settings; famqp_client_options_init sets the defaults. */
struct famqp_client_options {
    const char *container_id;  /**< NULL: "famqp-<pid>-<n>" */
    const char *user;          /**< overrides the URL's user (SASL PLAIN) */
    const char *password;      /**< overrides the URL's password */
    unsigned sasl_mechanisms;  /**< as famqp_connection_options.sasl_mechanisms for a
                                    client: one FAMQP_SASL_*; 0: PLAIN with a user,
                                    else ANONYMOUS; FAMQP_CLIENT_NO_SASL: bare AMQP */
    /** SASL PLAIN sends the password in clear text: over amqp:// (no TLS)
     * the client refuses it (ERR_ARG, nothing is sent) unless this is set. */
    bool allow_plain_insecure;
    int connect_timeout_ms;    /**< TCP + TLS + AMQP open; default (and 0) 10000; -1: no limit */
    uint32_t idle_timeout_ms;  /**< 0: none (default) */
    uint32_t max_frame_size;   /**< 0: engine default */
    famqp_io_options io;       /**< TLS options (verification is on by default) */
    int trace;                 /**< -1: FAMQP_TRACE (default), 0 off, 1 on */
    famqp_reconnect_policy reconnect; /**< off by default */
    /** Output linger: the longest a pipelined send's bytes (and a received
     * message's settlement) wait in the client before being written, in
     * microseconds.  Default FAMQP_CLIENT_DEFAULT_SEND_DELAY_US; 0: every
     * famqp_send_async writes at once (one write per message).  See
     * "When pipelined sends are written" at famqp_send_async. */
    uint32_t max_send_delay_us;
    /** Sent in the connection's open (and again on every reconnect); the
     *  client copies them, so the caller's buffers may be reused once
     *  famqp_client_connect returns.  properties: a symbol-keyed map (e.g.
     *  from famqp_fields_builder, engine.h); count 0: none.  Bounded by
     *  FAMQP_ENGINE_MAX_* (larger: ERR_ARG saying which).  The peer's:
     *  famqp_connection_remote_properties(famqp_client_connection(c)) and
     *  the other famqp_connection_remote_* accessors. */
    famqp_map properties;
    famqp_symbols offered_capabilities; /**< sent in open; count 0: none */
    famqp_symbols desired_capabilities; /**< sent in open; count 0: none */
    /** Claims-based security (famqp/cbs.h), as the comment above
     *  famqp_cbs_use_sas says; off by default. */
    famqp_cbs_options cbs;
};

/** famqp_client_options.sasl_mechanisms: no SASL layer (bare AMQP). */
#define FAMQP_CLIENT_NO_SASL 0x80000000u
/** Default famqp_client_options.max_send_delay_us. */
#define FAMQP_CLIENT_DEFAULT_SEND_DELAY_US 1000u

/** Sets *o to the defaults. */
FAMQP_API void famqp_client_options_init(famqp_client_options *o);

/** Connects to url (amqp[s]://[user:pass@]host[:port]), authenticates, and
 * opens the connection and a session; waits at most
 * options->connect_timeout_ms.  opts NULL: defaults.  On failure *client is
 * NULL and err (may be NULL) says why.  options->reconnect.failover_urls
 * are checked here (ERR_ARG naming the bad one) and used only by
 * reconnects (famqp_reconnect_policy). */
FAMQP_API famqp_client_status famqp_client_connect(const char *url, const famqp_client_options *opts,
                                         famqp_client **client, famqp_client_error *err);

/** Closes the connection cleanly (waiting at most timeout_ms for the peer's
 * close) and frees the client with all its senders, receivers and
 * unsettled deliveries.  NULL is ignored (OK). */
FAMQP_API famqp_client_status famqp_client_close(famqp_client *c, int timeout_ms);

/** The reason for the client's last failure. */
FAMQP_API const famqp_client_error *famqp_client_last_error(const famqp_client *c);

/** The engine connection under the client (for advanced use).  A reconnect
 *  replaces it; NULL once reconnecting finally failed. */
FAMQP_API famqp_connection *famqp_client_connection(const famqp_client *c);

/** The URL the client is connected to now, or was last connected to
 *  once reconnecting failed: "amqp[s]://[user@]host:port", without the
 *  password and the path (an IPv6 host in brackets).  Valid until the next
 *  call on the client. */
FAMQP_API const char *famqp_client_url(const famqp_client *c);
/** Where famqp_client_url is in the list of URLs: 0 the URL given to
 *  famqp_client_connect, i > 0 reconnect.failover_urls[i - 1]. */
FAMQP_API size_t famqp_client_url_index(const famqp_client *c);

/** Successful reconnects so far. */
FAMQP_API uint64_t famqp_client_reconnects(const famqp_client *c);
/** Deliveries sent again because the connection was lost before the peer
 *  settled them (all senders). */
FAMQP_API uint64_t famqp_client_resent(const famqp_client *c);
/** Connections replaced by a reconnect that are still allocated because the
 * application holds received deliveries from them.  Each is freed once
 * those are settled (seen by the next famqp_receive or famqp_client_pump);
 * a reconnect frees the lost connection at once when none is held. */
FAMQP_API size_t famqp_client_retired(const famqp_client *c);

/** Put-tokens the `$cbs` node accepted so far (first puts, refreshes and
 *  puts after reconnects); 0 without CBS (famqp_cbs_options). */
FAMQP_API uint64_t famqp_client_cbs_puts(const famqp_client *c);

/** Does I/O for at most timeout_ms: sends what is queued (e.g. dispositions
 * of accepted deliveries) and handles what arrives. */
FAMQP_API famqp_client_status famqp_client_pump(famqp_client *c, int timeout_ms);

/** Makes the client's current (or next) wait return
 *  FAMQP_CLIENT_ERR_INTERRUPTED: a send, receive, wait_all, drain, pump,
 *  open or request that is waiting returns within about 100 ms, and one
 *  that is reconnecting gives the reconnect up at once (between attempts,
 *  or when the attempt under way ends, bounded by connect_timeout_ms): the
 *  client has then failed, and every later call but famqp_client_close
 *  returns ERR_INTERRUPTED.  Outside a reconnect one interrupt ends one
 *  wait and the client goes on.  famqp_client_close is not interrupted.
 *
 *  The one call any thread may make on a client, and async-signal-safe:
 *  a SIGINT/SIGTERM handler may call it (famqp-send and famqp-recv do). */
FAMQP_API void famqp_client_interrupt(famqp_client *c);

/* ---- sending ------------------------------------------------------------- */

/** Properties, capabilities and terminus options of a sender's or
 *  receiver's attach, as in famqp_link_options (engine.h): the terminus
 *  options apply to the peer's node (a sender's target, a receiver's
 *  source).  Copied by the open call, so the caller's buffers may be
 *  reused once it returns; kept for reattaching after a reconnect.  Bad or
 *  oversized values: the open call returns ERR_ARG saying which.  The
 *  peer's values: famqp_sender_link / famqp_receiver_link with the
 *  famqp_link_remote_* accessors. */
typedef struct famqp_client_link_options {
    famqp_map properties;              /**< attach properties; count 0: none */
    famqp_symbols offered_capabilities; /**< the attach's offered-capabilities */
    famqp_symbols desired_capabilities; /**< the attach's desired-capabilities */
    famqp_symbols source_capabilities;  /**< the source's capabilities */
    famqp_symbols target_capabilities;  /**< the target's capabilities */
    const char *expiry_policy;         /**< NULL: absent (session-end) */
    uint32_t timeout;                  /**< seconds; 0: absent */
    famqp_map dynamic_node_properties; /**< with a dynamic node; count 0: none */
} famqp_client_link_options;

/** A sender's settings; famqp_sender_options_init sets the defaults. */
typedef struct famqp_sender_options {
    uint8_t snd_settle_mode;  /**< FAMQP_SENDER_SETTLE_MODE_*: UNSETTLED (default)
                                   waits for outcomes, SETTLED sends pre-settled */
    uint8_t rcv_settle_mode;  /**< FAMQP_RECEIVER_SETTLE_MODE_* (default FIRST) */
    uint32_t durable;         /**< target terminus-durability (0 none, 1 configuration, 2 unsettled-state) */
    uint32_t window;          /**< most unsettled deliveries in flight for
                                   famqp_send_async; default 1000 */
    const char *name;         /**< link name; NULL: generated */
    int attach_timeout_ms;    /**< default (and 0) 10000; -1: no limit */
    famqp_client_link_options link; /**< properties, capabilities, expiry, ... */
} famqp_sender_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_sender_options_init(famqp_sender_options *o);

/** Attaches a sender to address and waits for the peer's answer.  A refusal
 * returns ERR_REFUSED with the peer's condition in the client's error.  On
 * any failure *out is NULL and nothing is left to close (the link is
 * detached without waiting). */
FAMQP_API famqp_client_status famqp_sender_open(famqp_client *c, const char *address, const famqp_sender_options *opts,
                                      famqp_sender **out);

/** Sends one message and waits (at most timeout_ms) until the peer settles
 * it; *outcome (may be NULL) gets its outcome (a rejection's condition
 * strings stay valid until the next send on this sender).  A pre-settled
 * sender returns once the message was handed to the socket, outcome NONE
 * (ERR_TIMEOUT when timeout_ms passed first: the bytes stay queued and
 * leave with the next call that does I/O; -1 waits without limit). */
FAMQP_API famqp_client_status famqp_send(famqp_sender *s, const famqp_message *m, int timeout_ms, famqp_outcome *outcome);
/** famqp_send of an already encoded message (its sections' bytes). */
FAMQP_API famqp_client_status famqp_send_bytes(famqp_sender *s, const void *bytes, size_t len, int timeout_ms,
                                     famqp_outcome *outcome);

/** Pipelined: waits only for credit and for room in the window, sends, and
 * returns; outcomes are collected as they arrive.
 *
 * <b>When pipelined sends are written</b> (no background thread does I/O;
 * with D = options.max_send_delay_us):
 *   - famqp_send_async writes before it returns when D is 0; when
 *     nothing was waiting to be written and the last write it made was D
 *     or more ago (the connection was idle: a lone message leaves at
 *     once); when sends come 50 us (or D/4 if less) or more apart, i.e.
 *     fewer than 20,000 a second (a slow sender: waiting would only add
 *     delay, one write per message costs little at that rate); and when
 *     256 KiB are pending;
 *   - otherwise (a flood) the bytes wait, so that one write carries many
 *     messages, and a later famqp_send_async writes everything pending
 *     once D has passed since the last write.  The clock is read on the
 *     first two sends after a write and then every 2, 4, 8 and at most 16
 *     sends (fewer when sends are slower: about every D/4), so while the
 *     application keeps sending, a message waits at most about D plus
 *     the time those few sends take (when a flood suddenly turns slow: up
 *     to 16 slow sends);
 *   - famqp_receive handing out a message it already holds treats the
 *     settlements and credit queued by earlier calls the same way;
 *   - every call that waits or does I/O (famqp_send, famqp_receive when
 *     its queue is empty, famqp_sender_wait_all, famqp_receiver_set_credit,
 *     famqp_receiver_drain, famqp_client_pump, the close calls) writes
 *     everything pending first;
 *   - if the application makes no call at all after a send, nothing can
 *     write the waiting bytes: call famqp_client_pump(c, 0) (or
 *     famqp_sender_wait_all) before going idle, or set D = 0. */
FAMQP_API famqp_client_status famqp_send_async(famqp_sender *s, const famqp_message *m, int timeout_ms);
/** famqp_send_async of an already encoded message (its sections' bytes). */
FAMQP_API famqp_client_status famqp_send_bytes_async(famqp_sender *s, const void *bytes, size_t len, int timeout_ms);
/** famqp_send_bytes with the transfer's message-format (0 for AMQP 1.0
 *  messages; FAMQP_BATCH_MESSAGE_FORMAT for a famqp/batch.h batch's
 *  payload).  A resend after a reconnect keeps the format. */
FAMQP_API famqp_client_status famqp_send_bytes_format(famqp_sender *s, uint32_t format, const void *bytes, size_t len,
                                                      int timeout_ms, famqp_outcome *outcome);
/** famqp_send_bytes_async with the transfer's message-format. */
FAMQP_API famqp_client_status famqp_send_bytes_format_async(famqp_sender *s, uint32_t format, const void *bytes,
                                                            size_t len, int timeout_ms);

/** Outcome counts of everything this sender sent. */
typedef struct famqp_send_summary {
    uint64_t sent;        /**< deliveries handed to the engine */
    uint64_t presettled;  /**< sent pre-settled (no outcome expected) */
    uint64_t accepted;    /**< outcome accepted */
    uint64_t rejected;    /**< outcome rejected */
    uint64_t released;    /**< outcome released */
    uint64_t modified;    /**< outcome modified */
    uint64_t other;       /**< any other outcome */
    uint64_t in_flight;   /**< unsettled, no outcome yet */
    uint64_t resent;      /**< sent again after a reconnect (not in `sent`) */
    /** The first outcome that was not accepted: its condition ("" when none). */
    char first_condition[128];
    char first_description[512];   /**< its description ("" when none) */
    famqp_outcome_kind first_kind; /**< its kind (NONE when none) */
} famqp_send_summary;

/** Waits until every delivery in flight has an outcome (and everything sent
 * was written to the socket); *summary (may be NULL) gets the counts.  OK
 * only when nothing is left in flight, whatever the outcomes were. */
FAMQP_API famqp_client_status famqp_sender_wait_all(famqp_sender *s, int timeout_ms, famqp_send_summary *summary);
/** The counts so far, without waiting. */
FAMQP_API void famqp_sender_summary(const famqp_sender *s, famqp_send_summary *summary);
/** The sender's link credit now. */
FAMQP_API uint32_t famqp_sender_credit(const famqp_sender *s);

/** The sender's engine link, for the peer's attach: its properties,
 *  capabilities and target (famqp_link_remote_properties, ..._target, ...).
 *  NULL while the link is gone (detached, or the connection lost); a
 *  reconnect replaces it. */
FAMQP_API famqp_link *famqp_sender_link(const famqp_sender *s);

/** Detaches (waiting at most timeout_ms for the peer) and frees the sender.
 * Unsettled deliveries are forgotten. */
FAMQP_API famqp_client_status famqp_sender_close(famqp_sender *s, int timeout_ms);

/* ---- receiving ----------------------------------------------------------- */

/** A receiver's settings; famqp_receiver_options_init sets the defaults. */
typedef struct famqp_receiver_options {
    uint8_t rcv_settle_mode;  /**< FAMQP_RECEIVER_SETTLE_MODE_* (default FIRST) */
    uint8_t snd_settle_mode;  /**< asked of the sender: MIXED (default), SETTLED = at-most-once */
    uint32_t credit_window;   /**< credit kept available automatically, granted again as
                                   famqp_receive hands messages out (so at most this many
                                   wait in the client); default 100;
                                   0: grant it with famqp_receiver_set_credit */
    uint32_t durable;         /**< source terminus-durability */
    bool dynamic;             /**< ask the peer to create a node (address NULL);
                                   famqp_receiver_address gives its address */
    const char *selector;     /**< apache.org:selector-filter:string filter, e.g. "color = 'red'" */
    const char *name;         /**< link name; NULL: generated */
    int attach_timeout_ms;    /**< default (and 0) 10000; -1: no limit */
    famqp_client_link_options link; /**< properties, capabilities, expiry, ... */
    /** Our terminus' address (the attach's target), e.g. the reply-to
     *  address responses are sent to; NULL: the same as the source's. */
    const char *target_address;
    /** Any filter-set (famqp_filter_set_builder in engine.h: selectors,
     *  com.microsoft:session-filter, ...); count 0: none.  Not together
     *  with selector (ERR_ARG): put the selector into the set instead. */
    famqp_map filter;
} famqp_receiver_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_receiver_options_init(famqp_receiver_options *o);

/** Attaches a receiver to address and waits for the peer's answer.  A
 *  refusal returns ERR_REFUSED with the peer's condition in the client's
 *  error.  As famqp_sender_open: *out is NULL on any failure. */
FAMQP_API famqp_client_status famqp_receiver_open(famqp_client *c, const char *address, const famqp_receiver_options *opts,
                                        famqp_receiver **out);

/** Waits at most timeout_ms for a message.  *delivery is an engine delivery
 * (engine.h): read it with famqp_delivery_message (or
 * famqp_delivery_read_message) and settle it with famqp_delivery_accept /
 * _reject / _release / _modify / _settle (the settlement is sent with the
 * next I/O; the delivery and its bytes are freed by it).  Pre-settled
 * deliveries must be settled too (famqp_delivery_settle or accept). */
FAMQP_API famqp_client_status famqp_receive(famqp_receiver *r, int timeout_ms, famqp_delivery **delivery);

/** Settles a delivery received on r with outcome *o (any kind, with its
 *  fields: a rejection's error and info, modified's annotations) and, when
 *  r is in rcv-settle-mode second, waits at most timeout_ms for the peer to
 *  settle it too (as a peek-lock broker does: Service Bus,
 *  famqp/servicebus.h); *remote (may be NULL) gets the state the peer
 *  settled with (its error strings valid until the next settle on r; maps
 *  left out).  In mode first the settlement is written and the call
 *  returns OK at once (remote kind NONE).  d is gone after the call
 *  (the application must not use it again) unless it returned ERR_ARG.
 *  - OK: settled both ways
 *  - ERR_REFUSED: the peer settled with an error (e.g. Service Bus's
 *    com.microsoft:message-lock-lost), or detached the receiver first
 *  - ERR_TIMEOUT: the peer did not settle in time (the engine ends the
 *    delivery if it does later)
 *  - ERR_STATE: d is from a connection a reconnect replaced (it is let
 *    go; the peer delivers the message again)
 *  - ERR_ARG: a malformed or oversized outcome map (nothing is sent) */
FAMQP_API famqp_client_status famqp_receiver_settle(famqp_receiver *r, famqp_delivery *d, const famqp_outcome *o,
                                                    int timeout_ms, famqp_outcome *remote);

/** Manual credit: link-credit becomes `credit` (see famqp_link_set_credit). */
FAMQP_API famqp_client_status famqp_receiver_set_credit(famqp_receiver *r, uint32_t credit);
/** Drain: asks the sender to use the credit now or give it back, and waits
 * (at most timeout_ms) until it has: link-credit becomes `credit` with the
 * drain flag set (0: keep the credit granted now), the sender sends what
 * it has up to that credit and then advances delivery-count by the rest;
 * the drain is complete when the link has no credit left.  *arrived (may
 * be NULL) gets how many messages arrived during the call; they wait for
 * famqp_receive behind any that arrived earlier.
 *  - OK: drained (at once when there was no credit to drain)
 *  - ERR_TIMEOUT: the sender did not finish in time (some peers never
 *    answer a drain); the credit left stays granted, *arrived is set
 *  - ERR_REFUSED: the peer detached the receiver
 *
 * With automatic credit (credit_window > 0) the next famqp_receive grants
 * the window again.  A reconnect during the call ends the drain: the link
 * is attached again without credit. */
FAMQP_API famqp_client_status famqp_receiver_drain(famqp_receiver *r, uint32_t credit, int timeout_ms, size_t *arrived);
/** The address of a dynamic node (or the one asked for). */
FAMQP_API const char *famqp_receiver_address(const famqp_receiver *r);
/** The receiver's engine link, for the peer's attach: its properties,
 *  capabilities, source and filter (famqp_link_remote_source, ..._filter,
 *  ...).  NULL while the link is gone; a reconnect replaces it. */
FAMQP_API famqp_link *famqp_receiver_link(const famqp_receiver *r);
/** Messages received and not yet returned by famqp_receive. */
FAMQP_API size_t famqp_receiver_queued(const famqp_receiver *r);

/** Detaches (waiting at most timeout_ms for the peer) and frees the
 *  receiver. */
FAMQP_API famqp_client_status famqp_receiver_close(famqp_receiver *r, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_CLIENT_H */
