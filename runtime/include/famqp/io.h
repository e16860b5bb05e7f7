/** @file famqp/io.h
 * @brief flatamqp: a poll-based socket driver for the sans-I/O engine (engine.h).
 *
 * A famqp_io is one TCP (optionally TLS) socket bound to one
 * famqp_connection.  The driver moves bytes only: it never handles engine
 * events.  One pump round
 *   1. calls famqp_connection_tick with the monotonic clock,
 *   2. writes everything famqp_connection_output holds (all pending frames
 *      in as few write calls as the socket allows: many frames, one write),
 *   3. polls the socket (readable; writable while output is pending) for at
 *      most the timeout, shortened to the engine's next tick deadline,
 *   4. reads what arrived into famqp_connection_input (peer EOF becomes
 *      famqp_connection_input_closed), ticks again and writes again.
 *
 * Typical blocking client ("pump until predicate or deadline"):
 *
 *     famqp_url url; famqp_io_error err;
 *     if (!famqp_url_parse(argv[1], &url, &err)) die(err.message);
 *     ... famqp_connection_options: hostname = url.host, SASL PLAIN with
 *         url.user/url.password when url.user[0], else ANONYMOUS ...
 *     famqp_connection *conn;
 *     if (famqp_connection_new(&copts, &conn) != FAMQP_ENGINE_OK) die("out of memory or bad options");
 *     famqp_io *io = famqp_io_connect(&url, NULL, conn, &err);  // blocks <= timeout
 *     if (!io) die(err.message);          // "connection refused", TLS reason...
 *     famqp_connection_open(conn);
 *     uint64_t deadline = famqp_io_now_ms() + 10000;
 *     while (!done) {
 *         handle every famqp_connection_next_event(conn) until NULL;
 *         if (done) break;
 *         int left = famqp_io_ms_until(deadline);
 *         if (left == 0) die("timeout");
 *         if (famqp_io_pump(io, left) != FAMQP_IO_OK) die(famqp_io_error_message(io));
 *     }
 *     famqp_connection_close(conn, NULL, NULL);
 *     ... pump/handle events until famqp_connection_finished(conn) or timeout ...
 *     famqp_io_free(io); famqp_connection_free(conn);
 *
 * Always drain the engine's events before pumping with a timeout: the pump
 * blocks on the socket and does not look at pending events.  The pump writes
 * output produced by the previous event handling first, so sends queued by
 * the application leave before the pump waits.
 *
 * A server polls many connections and listeners at once with famqp_io_wait
 * (see examples/famqp-broker).  Accepted sockets may start without a
 * connection so the server can look at the peer's 8-byte protocol header
 * first (famqp_io_peek_header) and choose engine options accordingly.
 *
 * Ownership: a famqp_io never owns its famqp_connection; free the io
 * (closes the socket) and the connection separately, in either order.
 * Nothing here is thread-safe; one thread per io (and per connection).
 * SIGPIPE is never raised (MSG_NOSIGNAL; TLS goes through memory BIOs).
 *
 * TLS (OpenSSL): amqps:// verifies the server's certificate chain against
 * the system CA store (or tls_ca_file) and the certificate's name against
 * the URL host (or tls_server_name), and sends SNI for host names.
 * tls_insecure = true turns verification off explicitly.
  *
 * Conventions (docs/api-conventions.md): calls return famqp_io_status,
 * FAMQP_IO_OK or `FAMQP_IO_ERR_<WHAT>`; a call that creates something
 * returns NULL (or sets *out to NULL) on failure with the status and a
 * message in its famqp_io_error, ERR_NOMEM kept apart from ERR_ARG.
 * Timeouts: -1 no limit, 0 do not wait, > 0 milliseconds (in options
 * structs 0 means the default).
 */
#ifndef FAMQP_IO_H
#define FAMQP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/** Outcome of an io call (a pump, a wait, an accept), and the status in a
 *  famqp_io_error. */
typedef enum famqp_io_status {
    FAMQP_IO_OK = 0,      /**< progress or timeout; the socket is usable */
    FAMQP_IO_ERR_AGAIN,   /**< nothing to do now (e.g. no pending connection) */
    FAMQP_IO_ERR_CLOSED,  /**< the peer closed the socket (the engine was told) */
    FAMQP_IO_ERR_FAILED,  /**< socket or TLS failure; see famqp_io_error_message */
    FAMQP_IO_ERR_NOMEM,   /**< an allocation failed */
    FAMQP_IO_ERR_ARG      /**< invalid argument (a malformed URL or address) */
} famqp_io_status;

/** Why an io call failed: its status and a human-readable reason. */
typedef struct famqp_io_error {
    famqp_io_status status; /**< why it failed; FAMQP_IO_OK when nothing failed */
    /** A human-readable reason, e.g. "connect to 127.0.0.1:5672: connection
     *  refused" or "TLS handshake with example.com:5671 failed: certificate
     *  verify failed: self-signed certificate in certificate chain".  Empty
     *  string when there is none. */
    char message[512];
} famqp_io_error;

/** Short name of an io status, e.g. "closed". */
FAMQP_API const char *famqp_io_status_name(famqp_io_status s);

/* ---- URLs ---------------------------------------------------------------- */

/** Port of amqp:// URLs that give none. */
#define FAMQP_URL_PORT_AMQP 5672u
/** Port of amqps:// URLs that give none. */
#define FAMQP_URL_PORT_AMQPS 5671u
/** Port of ws:// URLs (AMQP over WebSockets) that give none. */
#define FAMQP_URL_PORT_WS 80u
/** Port of wss:// URLs that give none. */
#define FAMQP_URL_PORT_WSS 443u
/** HTTP path of ws:// and wss:// URLs that give none (Azure's). */
#define FAMQP_URL_WS_PATH "/$servicebus/websocket"

/** A parsed amqp[s]://[user[:password]@]host[:port][/address] or
 *  ws[s]://[user[:password]@]host[:port][/path] (AMQP over WebSockets,
 *  the OASIS AMQP WebSocket Binding).
 *  user and password are percent-decoded; host may be a bracketed IPv6
 *  literal ("[::1]", stored without the brackets); the address is the text
 *  after the first '/' after the host, as written (not decoded).  In a
 *  ws[s] URL that path is the HTTP path of the upgrade request instead
 *  (ws_path, FAMQP_URL_WS_PATH when absent) and address stays empty.
 *  Empty strings mean "absent". */
typedef struct famqp_url {
    bool tls;              /**< amqps or wss */
    bool websocket;        /**< ws or wss: AMQP over WebSockets */
    char ws_path[1024];    /**< ws[s]: the HTTP path, starting with '/' */
    char user[256];        /**< user name, percent-decoded */
    char password[256];    /**< password, percent-decoded */
    char host[256];        /**< host name or address (IPv6 without brackets) */
    uint16_t port;         /**< 5672 / 5671 when not given */
    char address[1024];    /**< the text after the first '/' after the host */
} famqp_url;

/** Parses text into *out.  False with err->message (e.g. "URL 'x': scheme
 *  must be amqp://, amqps://, ws:// or wss://") when the URL is malformed or a part is too
 *  long. */
FAMQP_API bool famqp_url_parse(const char *text, famqp_url *out, famqp_io_error *err);

/* ---- client connections -------------------------------------------------- */

/** One socket (TCP, optionally TLS) bound to one famqp_connection. */
typedef struct famqp_io famqp_io;
/** A listening socket that accepts famqp_io sockets. */
typedef struct famqp_listener famqp_listener;

/** How famqp_io_connect connects; famqp_io_options_init sets the defaults. */
typedef struct famqp_io_options {
    int connect_timeout_ms;      /**< TCP connect + proxy CONNECT + TLS handshake + WebSocket upgrade;
                                      default (and 0) 10000; -1: no limit */
    const char *tls_ca_file;     /**< PEM CA bundle; NULL: the system store */
    const char *tls_server_name; /**< name verified and sent as SNI; NULL: url host */
    bool tls_insecure;           /**< true: do not verify certificate or name */
    const char *tls_cert_file;   /**< client certificate (SASL EXTERNAL); optional */
    const char *tls_key_file;    /**< its PEM private key */
    /** HTTP CONNECT proxy, "http://[user:password@]host:port" (Basic
     *  authentication when a user is given), for every URL scheme; NULL
     *  or "": connect directly. */
    const char *proxy;
    /** ws[s]: the largest WebSocket frame payload sent; engine output is
     *  split into frames of at most this many bytes.  0: 65536. */
    size_t ws_max_frame;
} famqp_io_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_io_options_init(famqp_io_options *o);

/** Resolves url->host, connects (non-blocking with the timeout, trying each
 * address), sets TCP_NODELAY, and for amqps completes the TLS handshake.
 * With opts->proxy it connects to the proxy and tunnels with HTTP CONNECT
 * first; for ws[s] it completes the WebSocket upgrade (subprotocols
 * AMQPWSB10 and amqp offered) before returning, all within the timeout.
 * opts NULL: defaults.  conn may be NULL (attach later with
 * famqp_io_set_connection).  Returns NULL with err->message on failure. */
FAMQP_API famqp_io *famqp_io_connect(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                           famqp_io_error *err);

/** Starts connecting without blocking: resolves url->host (getaddrinfo,
 *  which may block for a name; a numeric address never does), starts a
 *  non-blocking TCP connect to the first address and returns at once.
 *  Each later famqp_io_process or pump advances it: it tries the next
 *  address when one is refused, fails the io (FAMQP_IO_ERR_FAILED, with
 *  the reason in famqp_io_error_message) once all were or
 *  opts->connect_timeout_ms passed, and runs the proxy's CONNECT
 *  (opts->proxy), the TLS handshake of amqps:// and wss:// and the
 *  WebSocket upgrade of ws[s]:// once TCP is connected
 *  (famqp_io_handshaking), all within the same timeout: past it the io
 *  fails with "connect to HOST: timed out waiting for the proxy's reply
 *  to CONNECT" (or "in the TLS handshake", "waiting for the WebSocket
 *  upgrade's reply").  While connecting, famqp_io_wants_write is true
 *  (poll for writability), famqp_io_deadline includes the connect deadline
 *  until the handshakes are done,
 *  and famqp_io_fd may change (the next address gets a new socket: re-read
 *  it after each process).  opts NULL: defaults.  conn may be NULL.
 *  @return the io, or NULL with err->message when resolving failed or no
 *  connect could be started. */
FAMQP_API famqp_io *famqp_io_connect_start(const famqp_url *url, const famqp_io_options *opts, famqp_connection *conn,
                                           famqp_io_error *err);

/** Closes the socket (a TLS close_notify is attempted, never waited for)
 *  and frees the io.  Does not free the connection.  NULL is ignored. */
FAMQP_API void famqp_io_free(famqp_io *io);

/** Binds the engine connection.  Bytes already read while unbound (see
 *  famqp_io_peek_header) are fed to it first. */
FAMQP_API void famqp_io_set_connection(famqp_io *io, famqp_connection *conn);
/** The bound connection, or NULL. */
FAMQP_API famqp_connection *famqp_io_connection(const famqp_io *io);

/** One pump round (see the top of this file); waits at most timeout_ms
 *  (0: do not wait; -1: until something happens or the engine's deadline).
 *  Returns OK, ERR_CLOSED once the peer closed its side and nothing more can
 *  be read, or ERR_FAILED. */
FAMQP_API famqp_io_status famqp_io_pump(famqp_io *io, int timeout_ms);

/** Pumps until all engine output is written or the timeout passes (-1: no
 *  limit; 0: one try without waiting).  OK when drained (or when the socket
 *  failed and dropped it: see famqp_io_state), ERR_AGAIN when the timeout
 *  passed first. */
FAMQP_API famqp_io_status famqp_io_flush(famqp_io *io, int timeout_ms);

/** Polls all ios and listeners at once for at most timeout_ms (shortened to
 *  the earliest engine deadline), then does the I/O of a pump round on every
 *  io.  Listeners with pending connections are reported by
 *  famqp_listener_ready; accept them with famqp_listener_accept.  Entries
 *  may be NULL (skipped).  Returns the number of ios and listeners that had
 *  socket activity, or -1 when poll itself failed. */
FAMQP_API int famqp_io_wait(famqp_io *const *ios, size_t n_ios, famqp_listener *const *listeners,
                  size_t n_listeners, int timeout_ms);

/** State after the last pump/wait. */
FAMQP_API famqp_io_status famqp_io_state(const famqp_io *io);
/** Why the io failed; "" when it did not. */
FAMQP_API const char *famqp_io_error_message(const famqp_io *io);
/** True when the socket is finished with: closed, failed, or the engine is
 *  finished and all output written. */
FAMQP_API bool famqp_io_done(const famqp_io *io);

/** Before a connection is bound: true once the peer's first 8 bytes (its
 *  AMQP protocol header) arrived; copies them to header. */
FAMQP_API bool famqp_io_peek_header(const famqp_io *io, uint8_t header[8]);

/** For integrating with another event loop: the socket. */
FAMQP_API int famqp_io_fd(const famqp_io *io);
/** True while a connect begun by famqp_io_connect_start is in progress.
 *  The socket may be replaced meanwhile (another address), so a loop
 *  watching famqp_io_fd registers it again after each process while this
 *  was true before it. */
FAMQP_API bool famqp_io_connecting(const famqp_io *io);
/** True until the io carries AMQP bytes: while connecting, while the
 *  proxy's CONNECT, the TLS handshake or the WebSocket upgrade is under
 *  way.  Engine output waits meanwhile. */
FAMQP_API bool famqp_io_handshaking(const famqp_io *io);
/** For integrating with another event loop: whether a pump would want to
 *  write (poll for POLLOUT). */
FAMQP_API bool famqp_io_wants_write(const famqp_io *io);
/** For integrating with another event loop: whether the socket should be
 *  polled for reading (false once the peer's EOF arrived or the io failed,
 *  so a hang-up cannot make the loop spin). */
FAMQP_API bool famqp_io_wants_read(const famqp_io *io);
/** For integrating with another event loop that polls famqp_io_fd itself:
 *  the I/O of one pump round without polling.  Reads what the socket holds
 *  when readable is true (the loop saw it readable), ticks the engine and
 *  writes the pending output the socket takes now.  Never blocks.
 *  @return the io's state (famqp_io_state). */
FAMQP_API famqp_io_status famqp_io_process(famqp_io *io, bool readable);
/** The engine's next tick deadline after the last pump or process, on the
 *  famqp_io_now_ms clock; 0 when it has none.  A loop calls
 *  famqp_io_process again by then (heartbeats, idle timeout). */
FAMQP_API uint64_t famqp_io_deadline(const famqp_io *io);

/** What famqp_io_serve leaves its event loop to do. */
typedef enum famqp_io_served {
    /** Caught up: watch famqp_io_fd for famqp_io_wants_read / _wants_write
     *  and serve again when it is ready or by famqp_io_deadline. */
    FAMQP_IO_SERVED_IDLE,
    /** The turns ran out while events kept coming: as IDLE, and serve again
     *  on the next wake-up without waiting for the socket. */
    FAMQP_IO_SERVED_MORE,
    /** famqp_io_done: nothing more can happen; stop watching the socket. */
    FAMQP_IO_SERVED_DONE,
    /** The event callback returned false (it may have freed the io):
     *  nothing of this io may be touched in this round any more. */
    FAMQP_IO_SERVED_STOPPED
} famqp_io_served;

/** Called by famqp_io_serve for each engine event, on the loop's thread.
 *  Returns false to end the round at once (after freeing the io, say). */
typedef bool famqp_io_event_fn(void *arg, const famqp_event *event);

/** For an event loop that watches famqp_io_fd itself: one service round of
 *  the io and its bound connection.  Runs famqp_io_process (reading when
 *  readable is true), hands every engine event to on_event, and repeats
 *  while the events' handlers produced more, at most max_rounds turns (0
 *  counts as 1): a handler whose output keeps making events cannot hold
 *  the loop.  The output of the last turn is written before it returns.
 *  If famqp_io_connecting was true before the call, the socket may be
 *  another now: watch famqp_io_fd afresh.  Never blocks.
 *  @return what the loop does next (famqp_io_served). */
FAMQP_API famqp_io_served famqp_io_serve(famqp_io *io, bool readable, unsigned max_rounds,
                                         famqp_io_event_fn *on_event, void *arg);
/** Peer address as "HOST:PORT" (IPv6 as "[ADDR]:PORT"). */
FAMQP_API const char *famqp_io_peer(const famqp_io *io);
/** True when the socket speaks TLS. */
FAMQP_API bool famqp_io_is_tls(const famqp_io *io);

/** Stores an application pointer with the io. */
FAMQP_API void famqp_io_set_context(famqp_io *io, void *ctx);
/** The pointer famqp_io_set_context stored (NULL before). */
FAMQP_API void *famqp_io_context(const famqp_io *io);

/* ---- listeners ------------------------------------------------------------ */

/** How famqp_listener_open listens; famqp_listener_options_init sets the
 *  defaults. */
typedef struct famqp_listener_options {
    const char *tls_cert_file; /**< PEM certificate chain: set both for TLS */
    const char *tls_key_file;  /**< PEM private key */
    int backlog;               /**< default 128 */
    /** AMQP over WebSockets (the OASIS AMQP WebSocket Binding), the server
     *  side of ws:// (wss:// with the TLS files above): each accepted io
     *  first reads the client's HTTP upgrade request (at most 8192 bytes of
     *  head, parsed strictly) and answers 101 with the subprotocol
     *  AMQPWSB10 (when offered) or amqp, then carries AMQP in binary
     *  frames (the client's must be masked).  Otherwise it answers with a
     *  plain-text reason and fails with the same reason
     *  (famqp_io_error_message): 400 (not GET, no Host, a bad key, neither
     *  subprotocol offered, a malformed head), 404 (another path), 426
     *  (no WebSocket upgrade asked for, or a version other than 13).  The
     *  header (famqp_io_peek_header) and everything after it are the
     *  frames' payload. */
    bool websocket;
    /** websocket: the path clients must ask for (the query is not
     *  compared); NULL: FAMQP_URL_WS_PATH, Azure's "/$servicebus/websocket". */
    const char *ws_path;
    /** websocket: the largest frame payload sent; 0: 65536. */
    size_t ws_max_frame;
} famqp_listener_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_listener_options_init(famqp_listener_options *o);

/** Listens on host:port (host NULL or "" : all interfaces; port 0: the
 *  system picks a free port, see famqp_listener_port).  SO_REUSEADDR is set.
 *  NULL with err->message on failure (bad certificate/key, port in use...). */
FAMQP_API famqp_listener *famqp_listener_open(const char *host, uint16_t port, const famqp_listener_options *opts,
                                    famqp_io_error *err);
/** Splits "HOST:PORT", "[V6]:PORT" or ":PORT" and opens. */
FAMQP_API famqp_listener *famqp_listener_open_hostport(const char *hostport, const famqp_listener_options *opts,
                                             famqp_io_error *err);
/** The port the listener listens on (the one the system picked for 0). */
FAMQP_API uint16_t famqp_listener_port(const famqp_listener *l);
/** The listening socket. */
FAMQP_API int famqp_listener_fd(const famqp_listener *l);
/** True when the last famqp_io_wait saw a pending connection. */
FAMQP_API bool famqp_listener_ready(const famqp_listener *l);

/** Accepts one pending connection without blocking: OK with *out set (no
 *  connection bound yet; a TLS handshake and a WebSocket upgrade run
 *  inside the following pumps),
 *  ERR_AGAIN when none is pending, ERR_FAILED (ERR_NOMEM when an allocation
 *  failed) with err->message. */
FAMQP_API famqp_io_status famqp_listener_accept(famqp_listener *l, famqp_io **out, famqp_io_error *err);
/** Closes the listening socket and frees the listener.  NULL is ignored. */
FAMQP_API void famqp_listener_close(famqp_listener *l);

/* ---- time ----------------------------------------------------------------- */

/** Monotonic milliseconds (the clock the pump passes to the engine). */
FAMQP_API uint64_t famqp_io_now_ms(void);
/** Milliseconds from now until deadline (0 when passed), capped at INT_MAX. */
FAMQP_API int famqp_io_ms_until(uint64_t deadline_ms);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_IO_H */
