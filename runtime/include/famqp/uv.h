/** @file famqp/uv.h
 * @brief flatamqp on libuv: connections and listeners driven by a uv_loop_t.
 *
 * The libuv counterpart of the connections and listeners of famqp/loop.h,
 * for applications whose event loop is libuv's.  A famqp_uv_conn runs one
 * socket (famqp_io) and its engine connection on a uv_loop_t: a uv_poll_t
 * watches the socket (readable while the io can read, writable while output
 * is pending), a uv_timer_t fires at the engine's tick deadline
 * (heartbeats, idle timeout), and a second uv_timer_t writes output the
 * application queued outside the connection's callbacks
 * (famqp_uv_conn_flush).  Engine events go to a handler; what the handler
 * queues is written once the events are handled.  A famqp_uv_listener
 * accepts on a famqp_listener with a uv_poll_t, a bounded number per
 * callback, and pauses briefly when accepting fails (EMFILE).
 *
 * The adapter is its own library, flatamqp_uv (pkg-config `flatamqp-uv`,
 * CMake `flatamqp::flatamqp_uv`), built when libuv is found; the core
 * library never needs libuv.  This header does not include <uv.h>: it
 * names libuv's loop as `struct uv_loop_s`, the type uv_loop_t stands for,
 * so pass a `uv_loop_t *`.
 *
 * Threads: a libuv loop is not thread-safe, and neither is anything here.
 * Every famqp_uv_conn and famqp_uv_listener belongs to the loop it was made
 * on; call these functions, and everything of the io and connection it
 * owns, only from the thread that runs that loop (uv_run), or before the
 * loop first runs, from the thread that made it.  Other threads hand work
 * to the loop's thread with libuv's own thread-safe entry point, a
 * uv_async_t (uv_async_send): its callback runs on the loop's thread,
 * where it may send on a link and then call famqp_uv_conn_flush.  An
 * application wanting N threads runs N loops.
 *
 * Freeing: libuv releases a handle only in a callback after uv_close, so
 * famqp_uv_conn_free and famqp_uv_listener_free close the socket at once but
 * release their memory during a later iteration of the loop: run the loop
 * (e.g. uv_run(loop, UV_RUN_NOWAIT)) after freeing and before
 * uv_loop_close, which otherwise answers UV_EBUSY.
 *
 * Results: functions that can fail return a famqp_uv_status; an out-param
 * is NULL whenever the call fails.
 */
#ifndef FAMQP_UV_H
#define FAMQP_UV_H

#include "famqp/engine.h"
#include "famqp/io.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uv_loop_s; /* libuv's uv_loop_t */

/** Results of the libuv adapter's functions. */
typedef enum famqp_uv_status {
    FAMQP_UV_OK = 0,    /**< done */
    FAMQP_UV_ERR_ARG,   /**< invalid argument (NULL, a socket without a descriptor) */
    FAMQP_UV_ERR_NOMEM, /**< an allocation failed; nothing changed */
    FAMQP_UV_ERR_SYSTEM /**< libuv refused the descriptor (uv_poll_init failed) */
} famqp_uv_status;

/** A short name of a status, e.g. "FAMQP_UV_ERR_ARG". */
FAMQP_API const char *famqp_uv_status_name(famqp_uv_status s);

/* ---- connections ----------------------------------------------------------- */

/** A socket (famqp_io) and its engine connection, driven by a libuv loop. */
typedef struct famqp_uv_conn famqp_uv_conn;

/** What a famqp_uv_conn calls, on its loop's thread. */
typedef struct famqp_uv_conn_handler {
    /** Each engine event, after the socket I/O of a callback; event is
     *  valid during the call.  Output the handler produces (sends,
     *  settlements, credit) is written once the events are handled. */
    void (*on_event)(famqp_uv_conn *conn, const famqp_event *event, void *arg);
    /** Once, when the socket is finished with: the peer closed it, it
     *  failed (state FAMQP_IO_ERR_FAILED, see famqp_io_error_message), or
     *  the engine finished and all its output was written (FAMQP_IO_OK).
     *  From then on the conn watches nothing and keeps no timer running.
     *  Usually frees conn.  May be NULL. */
    void (*on_done)(famqp_uv_conn *conn, famqp_io_status state, void *arg);
    void *arg; /**< passed to both */
} famqp_uv_conn_handler;

/** Drives io and connection (bound to each other here) on loop; the
 *  famqp_uv_conn owns both from now on and frees them with itself.  io
 *  may still be connecting (famqp_io_connect_start): the connect then
 *  runs on the loop, on a new socket when an address is refused.  The
 *  first I/O (writing what the engine holds) runs from the loop, not
 *  inside this call.
 *  @return FAMQP_UV_OK with *out set; otherwise *out is NULL and io and
 *  connection are still the caller's. */
FAMQP_API famqp_uv_status famqp_uv_conn_new(struct uv_loop_s *loop, famqp_io *io, famqp_connection *connection,
                                            const famqp_uv_conn_handler *handler, famqp_uv_conn **out);

/** Writes what the application queued on the connection outside the
 *  conn's own callbacks (from a uv_async_t, a timer or another
 *  connection's handler): the output goes out in the loop's next
 *  iteration, with everything else queued by then.  NULL is ignored. */
FAMQP_API void famqp_uv_conn_flush(famqp_uv_conn *conn);

/** The engine connection (owned by conn). */
FAMQP_API famqp_connection *famqp_uv_conn_connection(const famqp_uv_conn *conn);
/** The socket (owned by conn). */
FAMQP_API famqp_io *famqp_uv_conn_io(const famqp_uv_conn *conn);
/** The libuv loop conn runs on. */
FAMQP_API struct uv_loop_s *famqp_uv_conn_loop(const famqp_uv_conn *conn);

/** Frees conn with its socket (closed) and connection; also from its own
 *  callbacks (then once the callback returns).  No callback of conn runs
 *  after this; its memory is released by the loop (see Freeing above).
 *  Close the connection and let on_done come first for a clean AMQP close.
 *  NULL is ignored. */
FAMQP_API void famqp_uv_conn_free(famqp_uv_conn *conn);

/* ---- listeners ------------------------------------------------------------- */

/** A listening socket on a libuv loop: each accepted socket is handed to
 *  on_accept, which binds an engine connection (famqp_io_set_connection,
 *  perhaps after famqp_io_peek_header) and makes a famqp_uv_conn, or frees
 *  the io. */
typedef struct famqp_uv_listener famqp_uv_listener;

/** Called on the loop's thread for each accepted socket (owned by the
 *  callee from then on). */
typedef void famqp_uv_accept_fn(famqp_uv_listener *listener, famqp_io *io, void *arg);

/** Accepts on listener (which the famqp_uv_listener owns from now on).
 *  @return FAMQP_UV_OK with *out set; otherwise *out is NULL and the
 *  listener is still the caller's. */
FAMQP_API famqp_uv_status famqp_uv_listener_new(struct uv_loop_s *loop, famqp_listener *listener,
                                                famqp_uv_accept_fn *on_accept, void *arg,
                                                famqp_uv_listener **out);
/** The listening socket (owned by the famqp_uv_listener). */
FAMQP_API famqp_listener *famqp_uv_listener_socket(const famqp_uv_listener *listener);
/** Stops accepting and frees the listener with its socket (closed at once,
 *  memory released by the loop); also from its own on_accept.  NULL is
 *  ignored. */
FAMQP_API void famqp_uv_listener_free(famqp_uv_listener *listener);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_UV_H */
